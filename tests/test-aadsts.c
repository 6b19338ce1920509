/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Errors a person can act on: each OAuth error and AADSTS / AADB2C number, from the sign-in
 * callback and from the token endpoint, as Microsoft's services send them. */
#include "mr-identity.h"

#include <string.h>

#include "mr-test-server.h"

#define REDIRECT_URI "http://localhost:5000/auth/callback"
#define STATE        "st4te-VALUE_123"
#define TAIL         "\\r\\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\\r\\nCorrelation ID: " \
                     "aaaa0000-bb11-2222-33cc-444444dddddd\\r\\nTimestamp: 2024-12-03 13:51:30Z"
#define QTAIL        "%0d%0aTrace+ID%3a+0000aaaa-11bb-cccc-dd22-eeeeee333333" \
                     "%0d%0aCorrelation+ID%3a+aaaa0000-bb11-2222-33cc-444444dddddd" \
                     "%0d%0aTimestamp%3a+2023-02-08+17%3a07%3a56Z"
/* A token endpoint error body in Entra's modern shape. */
#define BODY(error, number, text) \
  "{\"error\":\"" error "\",\"error_description\":\"AADSTS" #number ": " text TAIL "\"," \
  "\"error_codes\":[" #number "],\"timestamp\":\"2024-12-03 13:51:30Z\"," \
  "\"trace_id\":\"0000aaaa-11bb-cccc-dd22-eeeeee333333\"," \
  "\"correlation_id\":\"aaaa0000-bb11-2222-33cc-444444dddddd\"," \
  "\"error_uri\":\"https://login.microsoftonline.com/error?code=" #number "\"}"

typedef enum {
  FROM_CALLBACK,   /* the query after REDIRECT_URI "?" */
  FROM_TOKEN,      /* a token endpoint body, HTTP 400 */
} Source;

typedef struct {
  const char *name;
  Source      source;
  const char *input;
  int         code;
  const char *says;        /* a phrase the sentence must contain */
  gboolean    names_uri;   /* the sentence shows the redirect URI the app sent */
} ErrorCase;

static const ErrorCase cases[] = {
  /* Registration and tenant: ask the administrator. */
  { "7000218-web-platform", FROM_TOKEN,
    "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000218: The request body must "
    "contain the following parameter: 'client_assertion' or 'client_secret'. Trace ID: "
    "6ee9ec92-6726-422a-85ce-86a1a6502800 Correlation ID: 521b9148-40bc-455a-ace1-c13802e053eb "
    "Timestamp: 2024-12-03 13:51:30Z\",\"error_codes\":[7000218],\"timestamp\":\"2024-12-03 "
    "13:51:30Z\",\"trace_id\":\"6ee9ec92-6726-422a-85ce-86a1a6502800\",\"correlation_id\":"
    "\"521b9148-40bc-455a-ace1-c13802e053eb\",\"error_uri\":"
    "\"https://login.microsoftonline.com/error?code=7000218\"}",
    MR_OIDC_ERROR_CONFIG, "“Mobile and desktop applications”", TRUE },
  { "50011-token", FROM_TOKEN,
    "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS50011: The reply address "
    "'http://localhost:1917' does not match the reply addresses configured for the application: "
    "'cbabb902-d276-4ea4-aa88-062a5889d6dc'. More details: not specified" TAIL "\","
    "\"error_codes\":[50011],\"timestamp\":\"2017-12-01 13:35:55Z\"}",
    MR_OIDC_ERROR_CONFIG, "is not registered for this app", TRUE },
  { "50011-callback", FROM_CALLBACK,
    "error=invalid_request&error_description=AADSTS50011%3a+The+redirect+URI+'http%3a%2f%2f"
    "localhost%3a5000%2fauth%2fcallback'+specified+in+the+request+does+not+match." QTAIL
    "&state=" STATE,
    MR_OIDC_ERROR_CONFIG, "is not registered for this app", TRUE },
  { "65001-consent", FROM_CALLBACK,
    "error=invalid_client&error_description=AADSTS65001%3a+The+user+or+administrator+has+not+"
    "consented+to+use+the+application." QTAIL "&state=" STATE,
    MR_OIDC_ERROR_CONFIG, "administrator must grant consent", FALSE },
  { "90072-other-tenant", FROM_CALLBACK,
    "error=invalid_request&error_description=AADSTS90072%3a+User+account+'x%40example.org'+from+"
    "identity+provider+'live.com'+does+not+exist+in+tenant." QTAIL "&state=" STATE,
    MR_OIDC_ERROR_CONFIG, "not part of this organization", FALSE },
  { "700016-unknown-app", FROM_CALLBACK,
    "error=unauthorized_client&error_description=AADSTS700016%3a+Application+with+identifier+"
    "'877afb01'+was+not+found+in+the+directory." QTAIL "&state=" STATE,
    MR_OIDC_ERROR_CONFIG, "check the client ID and the tenant", FALSE },
  { "70011-invalid-scope", FROM_TOKEN,
    "{\n  \"error\": \"invalid_scope\",\n  \"error_description\": \"AADSTS70011: The provided "
    "value for the input parameter 'scope' is not valid. The scope https://foo.microsoft.com/"
    "mail.read is not valid." TAIL "\",\n  \"error_codes\": [\n    70011\n  ],\n"
    "  \"timestamp\": \"2016-01-09 02:02:12Z\"\n}",
    MR_OIDC_ERROR_CONFIG, "permission (scope)", FALSE },
  { "invalid-scope-no-number", FROM_CALLBACK, "error=invalid_scope&state=" STATE,
    MR_OIDC_ERROR_CONFIG, "does not recognize", FALSE },

  /* The sign-in is over: sign in again. */
  { "700082-refresh-expired", FROM_TOKEN,
    BODY ("invalid_grant", 700082, "The refresh token has expired due to inactivity."),
    MR_OIDC_ERROR_EXPIRED, "long time without use", FALSE },
  { "70008-inactive", FROM_TOKEN,
    "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70002: Error validating "
    "credentials. AADSTS70008: The refresh token has expired due to inactivity." TAIL "\","
    "\"error_codes\":[70002,70008],\"timestamp\":\"2016-09-09 18:49:50Z\"}",
    MR_OIDC_ERROR_EXPIRED, "not used for a while", FALSE },
  { "700084-lifetime", FROM_TOKEN,
    BODY ("invalid_grant", 700084, "The refresh token was issued to a single page app (SPA)."),
    MR_OIDC_ERROR_EXPIRED, "longest time", FALSE },
  { "50173-revoked", FROM_TOKEN,
    "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS50173: The provided grant has "
    "expired due to it being revoked, a fresh auth token is needed." TAIL "\","
    "\"error_codes\":[50173],\"suberror\":\"bad_token\"}",
    MR_OIDC_ERROR_EXPIRED, "password was changed", FALSE },
  { "501481-pkce", FROM_TOKEN,
    BODY ("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge "
          "supplied in the authorization request."),
    MR_OIDC_ERROR_EXPIRED, "PKCE", FALSE },
  { "50148-pkce-description-only", FROM_TOKEN,
    "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS50148: The code_verifier does "
    "not match the code_challenge supplied in the authorization request for PKCE.\"}",
    MR_OIDC_ERROR_EXPIRED, "PKCE", FALSE },
  { "54005-redeemed", FROM_TOKEN,
    "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70002: Error validating "
    "credentials. AADSTS54005: OAuth2 Authorization code was already redeemed, please retry "
    "with a new valid code or use an existing refresh token." TAIL "\","
    "\"error_codes\":[70002,54005]}",
    MR_OIDC_ERROR_EXPIRED, "already completed once", FALSE },
  { "70000-code-expired", FROM_TOKEN,
    BODY ("invalid_grant", 70000, "The provided value for the 'code' parameter is not valid. "
          "The code has expired."),
    MR_OIDC_ERROR_EXPIRED, "took too long", FALSE },

  /* The sign-in page is needed. */
  { "50076-mfa", FROM_TOKEN,
    BODY ("invalid_grant", 50076, "Due to a configuration change made by your administrator, "
          "or because you moved to a new location, you must use multi-factor authentication."),
    MR_OIDC_ERROR_INTERACTION, "second verification step", FALSE },
  { "50079-mfa-registration", FROM_CALLBACK,
    "error=interaction_required&error_description=AADSTS50079%3a+Due+to+a+configuration+change+"
    "the+user+is+required+to+enroll+in+multi-factor+authentication." QTAIL "&state=" STATE,
    MR_OIDC_ERROR_INTERACTION, "set up multi-factor authentication", FALSE },
  { "50058-silent", FROM_CALLBACK,
    "error=login_required&error_description=AADSTS50058%3a+A+silent+sign-in+request+was+sent+but+"
    "no+user+is+signed+in." QTAIL "&state=" STATE,
    MR_OIDC_ERROR_INTERACTION, "not signed in any more", FALSE },
  { "login-required", FROM_CALLBACK, "error=login_required&state=" STATE,
    MR_OIDC_ERROR_INTERACTION, "needs to show its sign-in page", FALSE },
  { "interaction-required", FROM_CALLBACK, "error=interaction_required&state=" STATE,
    MR_OIDC_ERROR_INTERACTION, "extra step", FALSE },
  { "consent-required", FROM_CALLBACK, "error=consent_required&state=" STATE,
    MR_OIDC_ERROR_INTERACTION, "your consent", FALSE },

  /* B2C user-flow answers. */
  { "AADB2C90118-forgot-password", FROM_CALLBACK,
    "error=access_denied&error_description=AADB2C90118%3a+The+user+has+forgotten+their+password."
    "%0d%0aCorrelation+ID%3a+adxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx%0d%0aTimestamp%3a+2021-06-04+"
    "05%3a52%3a41Z%0d%0a&state=" STATE,
    MR_OIDC_ERROR_PASSWORD_RESET, "reset your password", FALSE },
  { "AADB2C90091-cancel", FROM_CALLBACK,
    "error=access_denied&error_description=AADB2C90091%3a+The+user+has+cancelled+entering+"
    "self-asserted+information.%0d%0aCorrelation+ID%3a+d8357353-7ae5-4705-bc76-a188c37be9e4"
    "%0d%0aTimestamp%3a+2022-10-18+19%3a45%3a27Z%0d%0a&state=" STATE,
    MR_OIDC_ERROR_CANCELLED, "cancelled before your details", FALSE },

  /* Cancel, and what only looks like it. */
  { "access-denied", FROM_CALLBACK,
    "error=access_denied&error_description=the+user+canceled+the+authentication&state=" STATE,
    MR_OIDC_ERROR_CANCELLED, "Sign-in was cancelled.", FALSE },
  { "access-denied-65004-declined", FROM_CALLBACK,
    "error=access_denied&error_description=AADSTS65004%3a+User+declined+to+consent+to+access+the+"
    "app." QTAIL "&state=" STATE,
    MR_OIDC_ERROR_CANCELLED, "permissions were declined", FALSE },
  { "access-denied-1003031-misconfigured", FROM_CALLBACK,
    "error=access_denied&error_description=AADSTS1003031%3a+Misconfigured+required+resource+"
    "access+in+client+application+registration." QTAIL "&state=" STATE,
    MR_OIDC_ERROR_PROVIDER, "AADSTS1003031: Misconfigured required resource access", FALSE },

  /* Passing trouble: try again. */
  { "temporarily-unavailable", FROM_CALLBACK,
    "error=temporarily_unavailable&error_description=AADSTS90033%3a+A+transient+error+has+"
    "occurred." QTAIL "&state=" STATE,
    MR_OIDC_ERROR_RETRY, "temporarily unavailable", FALSE },
  { "server-error", FROM_TOKEN,
    BODY ("server_error", 90014, "A transient error has occurred. Please try again."),
    MR_OIDC_ERROR_RETRY, "internal problem", FALSE },
};

static GError *
error_for (const ErrorCase *c)
{
  GError *error = NULL;

  if (c->source == FROM_CALLBACK)
    {
      g_autofree char *uri = g_strconcat (REDIRECT_URI "?", c->input, NULL);
      g_autofree char *code = mr_oidc_parse_callback (REDIRECT_URI, uri, STATE, &error);

      g_assert_null (code);
    }
  else
    {
      g_autoptr(GBytes) body = g_bytes_new_static (c->input, strlen (c->input));
      g_autoptr(MrTokenSet) tokens = NULL;

      tokens = mr_oidc_parse_token_response_full (400, body, REDIRECT_URI, TRUE, &error);
      g_assert_null (tokens);
    }
  g_assert_nonnull (error);
  return error;
}

static void
test_cases (void)
{
  /* sentence → the phrase its case expects: one sentence per situation, shared only by cases
   * that expect the same phrase (50011 by either route, the two PKCE numbers). */
  g_autoptr(GHashTable) sentences = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const ErrorCase *c = &cases[i];
      g_autoptr(GError) error = error_for (c);
      const char *owner;

      g_test_message ("case %s: %s", c->name, error->message);
      g_assert_error (error, MR_OIDC_ERROR, c->code);
      g_assert_nonnull (strstr (error->message, c->says));
      g_assert_cmpint (strstr (error->message, REDIRECT_URI) != NULL, ==, c->names_uri);
      /* Nothing that identifies a request, and no raw provider lines. */
      g_assert_null (strstr (error->message, "Trace ID"));
      g_assert_null (strstr (error->message, "Correlation"));
      g_assert_null (strstr (error->message, "aaaa0000-bb11"));
      g_assert_null (strchr (error->message, '\r'));
      g_assert_null (strchr (error->message, '\n'));
      owner = g_hash_table_lookup (sentences, error->message);
      g_assert_true (owner == NULL || g_str_equal (owner, c->says));
      g_hash_table_insert (sentences, g_strdup (error->message), (gpointer) c->says);
    }
  g_assert_cmpuint (g_hash_table_size (sentences), ==, G_N_ELEMENTS (cases) - 2);
  g_test_message ("%" G_GSIZE_FORMAT " error cases, %u distinct sentences",
                  G_N_ELEMENTS (cases), g_hash_table_size (sentences));
}

/* The same numbers map to the same sentence whichever way they arrive. */
static void
test_callback_and_token_agree (void)
{
  const char *callback = REDIRECT_URI "?error=invalid_grant&error_description=AADSTS54005%3a+"
                         "OAuth2+Authorization+code+was+already+redeemed.&state=" STATE;
  const char *body = BODY ("invalid_grant", 54005, "OAuth2 Authorization code was already "
                           "redeemed.");
  g_autoptr(GBytes) bytes = g_bytes_new_static (body, strlen (body));
  g_autoptr(GError) from_callback = NULL;
  g_autoptr(GError) from_token = NULL;
  g_autofree char *code = mr_oidc_parse_callback (REDIRECT_URI, callback, STATE, &from_callback);
  g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (400, bytes, REDIRECT_URI,
                                                                    TRUE, &from_token);

  g_assert_error (from_callback, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_assert_error (from_token, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_assert_cmpstr (from_callback->message, ==, from_token->message);
}

/* Without the redirect URI (as a caller that has none passes), the sentence still guides. */
static void
test_without_redirect_uri (void)
{
  const char *body = BODY ("invalid_client", 50011, "The redirect URI does not match.");
  g_autoptr(GBytes) bytes = g_bytes_new_static (body, strlen (body));
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (400, bytes, NULL, TRUE,
                                                                      &error);

  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "exactly as set in Preferences"));
}

static void
test_codes (void)
{
  static const struct {
    const char *description;
    const char *error_codes;  /* JSON array or NULL */
    const char *expected;     /* space-separated */
  } cases[] = {
    { "AADSTS70002: Error. AADSTS54005: Redeemed.", "[70002,54005]", "AADSTS70002 AADSTS54005" },
    { "AADSTS70002: Error. AADSTS54005: Redeemed.\r\nAADSTS1: x", NULL,
      "AADSTS70002 AADSTS54005" },
    { "AADB2C90118: The user has forgotten their password.\r\n", NULL, "AADB2C90118" },
    { "AADSTS50011 without a colon, AADSTS: none, XAADSTS12: inside a word", NULL, "" },
    { "no numbers", "[\"70008\",null,-1,1.5]", "" },
    { NULL, "[700082]", "AADSTS700082" },
    { NULL, NULL, "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = cases[i].error_codes != NULL
                                 ? json_from_string (cases[i].error_codes, NULL) : NULL;
      g_auto(GStrv) codes = mr_aadsts_codes (cases[i].description,
                                             node != NULL ? json_node_get_array (node) : NULL);
      g_autofree char *joined = g_strjoinv (" ", codes);

      g_test_message ("codes case %" G_GSIZE_FORMAT, i);
      g_assert_cmpstr (joined, ==, cases[i].expected);
    }
}

static void
test_transport_errors (void)
{
  static const struct {
    GQuark       (*domain) (void);
    int          code;
    int          expected_code;
    const char  *says;
  } cases[] = {
    { g_tls_error_quark, G_TLS_ERROR_BAD_CERTIFICATE, MR_OIDC_ERROR_NETWORK,
      "certificate is not valid" },
    { g_tls_error_quark, G_TLS_ERROR_NOT_TLS, MR_OIDC_ERROR_NETWORK,
      "secure connection" },
    { g_resolver_error_quark, G_RESOLVER_ERROR_NOT_FOUND, MR_OIDC_ERROR_NETWORK,
      "could not be found" },
    { g_io_error_quark, G_IO_ERROR_TIMED_OUT, MR_OIDC_ERROR_NETWORK, "in time" },
    { g_io_error_quark, G_IO_ERROR_CONNECTION_REFUSED, MR_OIDC_ERROR_NETWORK,
      "could not be reached" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) raw = g_error_new_literal (cases[i].domain (), cases[i].code, "raw");
      g_autoptr(GError) error = mr_aadsts_transport_error_new (raw);

      g_assert_error (error, MR_OIDC_ERROR, cases[i].expected_code);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      g_assert_nonnull (strstr (error->message, "try again"));
    }

  {
    g_autoptr(GError) raw = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "stop");
    g_autoptr(GError) error = mr_aadsts_transport_error_new (raw);

    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/aadsts/cases", test_cases);
  g_test_add_func ("/aadsts/callback-and-token-agree", test_callback_and_token_agree);
  g_test_add_func ("/aadsts/without-redirect-uri", test_without_redirect_uri);
  g_test_add_func ("/aadsts/codes", test_codes);
  g_test_add_func ("/aadsts/transport", test_transport_errors);

  return g_test_run ();
}

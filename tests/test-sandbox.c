/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stand-in tenant, spoken to over real HTTP on 127.0.0.1, as the app and its peers would. */
#include "mr-sandbox.h"

#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <signal.h>

#include "mr-test-server.h"
#include "mr-test-sink.h"

#define TID          MR_SANDBOX_TENANT_ID
#define AUTHORIZE    "/" TID "/oauth2/v2.0/authorize"
#define TOKEN        "/" TID "/oauth2/v2.0/token"
#define REDIRECT_URI "http://localhost:5000/auth/callback"
#define EXT(name)    "extension_3888d42ccd5f4582afa2f9b641643fac_" name
#define SELECT_ALL   "id,displayName,givenName,surname,mail,jobTitle,streetAddress,city,state," \
                     "postalCode,country,mobilePhone," EXT ("DateofBirth") "," \
                     EXT ("HospitalNumber") "," EXT ("Gender")

typedef struct
{
  MrSandbox   *sandbox;
  SoupSession *session;
  const char  *base;
  char        *dir;
  char        *sink_path;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("mr-sandbox-XXXXXX", &error);
  g_assert_no_error (error);
  fx->sink_path = g_build_filename (fx->dir, "sink.jsonl", NULL);
  fx->sandbox = mr_sandbox_new ();
  g_assert_true (mr_sandbox_start (fx->sandbox, 0, fx->sink_path, &error));
  g_assert_no_error (error);
  fx->base = mr_sandbox_get_base_url (fx->sandbox);
  fx->session = soup_session_new ();
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_assert_finalize_object (fx->session);
  g_assert_finalize_object (fx->sandbox);
  g_unlink (fx->sink_path);
  g_rmdir (fx->dir);
  g_free (fx->sink_path);
  g_free (fx->dir);
}

/* ---- HTTP helpers ------------------------------------------------------------------------ */

static char *
send_message (Fixture     *fx,
              SoupMessage *msg,
              guint       *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  bytes = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static char *
http_get (Fixture    *fx,
          const char *path,
          const char *bearer,
          guint      *status)
{
  g_autofree char *url = g_strconcat (fx->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  g_assert_nonnull (msg);
  if (bearer != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", bearer, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    value);
    }
  return send_message (fx, msg, status);
}

/* POSTs the form @encoded (taken); @out_msg, if set, receives the message for its headers. */
static char *
http_post_form (Fixture      *fx,
                const char   *path,
                char         *encoded,
                guint        *status,
                SoupMessage **out_msg)
{
  g_autofree char *url = g_strconcat (fx->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new_from_encoded_form ("POST", url, encoded);
  char *body = send_message (fx, msg, status);

  if (out_msg != NULL)
    *out_msg = g_steal_pointer (&msg);
  return body;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
get_json (Fixture    *fx,
          const char *path,
          const char *bearer,
          guint       expected_status)
{
  guint status = 0;
  g_autofree char *body = http_get (fx, path, bearer, &status);

  g_assert_cmpuint (status, ==, expected_status);
  return parse_object (body);
}

/* ---- base64url and PKCE, computed here independently of the sandbox ---------------------- */

static char *
b64url_encode (const guchar *data,
               gsize         len)
{
  char *text = g_base64_encode (data, len);

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  text[strcspn (text, "=")] = '\0';
  return text;
}

static guchar *
b64url_decode (const char *text,
               gsize      *len)
{
  g_autoptr(GString) s = g_string_new (text);

  g_assert_null (strpbrk (text, "+/="));
  g_strdelimit (s->str, "-", '+');
  g_strdelimit (s->str, "_", '/');
  while (s->len % 4 != 0)
    g_string_append_c (s, '=');
  return g_base64_decode (s->str, len);
}

static char *
s256 (const char *verifier)
{
  guchar digest[32];

  g_assert_cmpint (gnutls_hash_fast (GNUTLS_DIG_SHA256, verifier, strlen (verifier), digest),
                   ==, 0);
  return b64url_encode (digest, sizeof digest);
}

static char *
new_verifier (void)
{
  guchar bytes[32];

  g_assert_cmpint (gnutls_rnd (GNUTLS_RND_NONCE, bytes, sizeof bytes), ==, 0);
  return b64url_encode (bytes, sizeof bytes);
}

/* ---- the sign-in dance ------------------------------------------------------------------- */

static char *
authorize_query (const char *challenge,
                 const char *state,
                 const char *nonce)
{
  return soup_form_encode ("client_id", MR_SANDBOX_CLIENT_ID, "response_type", "code",
                           "redirect_uri", REDIRECT_URI,
                           "scope", "openid profile offline_access User.Read",
                           "state", state, "nonce", nonce, "code_challenge", challenge,
                           "code_challenge_method", "S256", NULL);
}

static char *
sign_in_form (const char *challenge,
              const char *state,
              const char *nonce,
              const char *email,
              const char *password)
{
  g_autofree char *query = authorize_query (challenge, state, nonce);
  g_autofree char *creds = soup_form_encode ("email", email, "password", password, NULL);

  return g_strconcat (query, "&", creds, NULL);
}

/* The query of a 302's Location, after checking it goes back to the redirect URI. */
static GHashTable *
redirect_query (SoupMessage *msg)
{
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                       "Location");

  g_assert_nonnull (location);
  g_assert_true (g_str_has_prefix (location, REDIRECT_URI "?"));
  return soup_form_decode (strchr (location, '?') + 1);
}

/* Signs @email in and returns the code the sandbox redirects back with. */
static char *
get_code (Fixture    *fx,
          const char *email,
          const char *challenge,
          const char *nonce)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GHashTable) query = NULL;
  guint status = 0;
  g_autofree char *body = http_post_form (fx, AUTHORIZE,
                                          sign_in_form (challenge, "st-1", nonce, email,
                                                        MR_SANDBOX_PASSWORD),
                                          &status, &msg);

  g_assert_cmpuint (status, ==, SOUP_STATUS_FOUND);
  query = redirect_query (msg);
  g_assert_cmpstr (g_hash_table_lookup (query, "state"), ==, "st-1");
  g_assert_null (g_hash_table_lookup (query, "error"));
  g_assert_nonnull (g_hash_table_lookup (query, "code"));
  return g_strdup (g_hash_table_lookup (query, "code"));
}

/* POSTs a code exchange; @verifier NULL leaves code_verifier out. */
static JsonObject *
exchange (Fixture    *fx,
          const char *code,
          const char *verifier,
          guint       expected_status)
{
  guint status = 0;
  g_autofree char *form = NULL;
  g_autofree char *body = NULL;

  form = verifier != NULL
    ? soup_form_encode ("grant_type", "authorization_code", "client_id", MR_SANDBOX_CLIENT_ID,
                        "code", code, "redirect_uri", REDIRECT_URI, "code_verifier", verifier,
                        NULL)
    : soup_form_encode ("grant_type", "authorization_code", "client_id", MR_SANDBOX_CLIENT_ID,
                        "code", code, "redirect_uri", REDIRECT_URI, NULL);
  body = http_post_form (fx, TOKEN, g_steal_pointer (&form), &status, NULL);
  g_assert_cmpuint (status, ==, expected_status);
  return parse_object (body);
}

/* The whole sign-in for @email; returns the token response. */
static JsonObject *
sign_in (Fixture    *fx,
         const char *email,
         const char *nonce)
{
  g_autofree char *verifier = new_verifier ();
  g_autofree char *challenge = s256 (verifier);
  g_autofree char *code = get_code (fx, email, challenge, nonce);

  return exchange (fx, code, verifier, SOUP_STATUS_OK);
}

static char *
access_token_for (Fixture    *fx,
                  const char *email)
{
  g_autoptr(JsonObject) tokens = sign_in (fx, email, "n-0");

  return g_strdup (json_object_get_string_member (tokens, "access_token"));
}

static void
assert_token_error (JsonObject *error,
                    const char *code,
                    const char *aadsts,
                    gint64      number)
{
  JsonArray *codes = json_object_get_array_member (error, "error_codes");

  g_assert_cmpstr (json_object_get_string_member (error, "error"), ==, code);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (error, "error_description"),
                                   aadsts));
  g_assert_cmpint (json_array_get_length (codes), ==, 1);
  g_assert_cmpint (json_array_get_int_element (codes, 0), ==, number);
  g_assert_true (json_object_has_member (error, "timestamp"));
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (error, "trace_id")));
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (error,
                                                                        "correlation_id")));
}

/* ---- discovery, keys, settings ----------------------------------------------------------- */

static void
test_pkce_vector (void)
{
  g_autofree char *challenge = s256 ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

  /* RFC 7636, appendix B: the test's own S256 must be right before it judges the sandbox. */
  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_discovery (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(JsonObject) doc = get_json (fx, "/" TID "/v2.0/.well-known/openid-configuration",
                                        NULL, SOUP_STATUS_OK);
  const char *issuer = "https://" TID ".ciamlogin.com/" TID "/v2.0";
  g_autofree char *authz = g_strdup_printf ("%s%s", fx->base, AUTHORIZE);
  g_autofree char *token = g_strdup_printf ("%s%s", fx->base, TOKEN);
  g_autofree char *jwks = g_strdup_printf ("%s/%s/discovery/v2.0/keys", fx->base, TID);
  g_autofree char *logout = g_strdup_printf ("%s/%s/oauth2/v2.0/logout", fx->base, TID);
  JsonArray *algs = json_object_get_array_member (doc, "id_token_signing_alg_values_supported");
  JsonArray *pkce = json_object_get_array_member (doc, "code_challenge_methods_supported");

  /* External ID's shape: the issuer's host is not the authority's. */
  g_assert_cmpstr (json_object_get_string_member (doc, "issuer"), ==, issuer);
  g_assert_cmpstr (mr_sandbox_get_issuer (fx->sandbox), ==, issuer);
  g_assert_false (g_str_has_prefix (issuer, fx->base));
  g_assert_cmpstr (json_object_get_string_member (doc, "authorization_endpoint"), ==, authz);
  g_assert_cmpstr (json_object_get_string_member (doc, "token_endpoint"), ==, token);
  g_assert_cmpstr (json_object_get_string_member (doc, "jwks_uri"), ==, jwks);
  g_assert_cmpstr (json_object_get_string_member (doc, "end_session_endpoint"), ==, logout);
  g_assert_cmpuint (json_array_get_length (algs), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (algs, 0), ==, "RS256");
  g_assert_cmpstr (json_array_get_string_element (pkce, 0), ==, "S256");
  for (const char *const *m = (const char *const[]) { "response_types_supported",
                                                      "subject_types_supported",
                                                      "scopes_supported", "claims_supported",
                                                      "token_endpoint_auth_methods_supported",
                                                      NULL }; *m; m++)
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (doc, *m)), >, 0);
}

static void
test_settings (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *text = mr_sandbox_dup_settings_text (fx->sandbox);
  g_autofree char *expected = NULL;

  g_assert_true (g_str_has_prefix (fx->base, "http://127.0.0.1:"));
  g_assert_false (g_str_has_suffix (fx->base, "/"));
  expected = g_strdup_printf ("authority=%1$s/" TID "\ntenant-id=" TID "\n"
                              "client-id=" MR_SANDBOX_CLIENT_ID "\ngraph-url=%1$s/v1.0\n"
                              "workflow-url=%1$s/webhook/medication-refill\n"
                              "extensions-app-id=" MR_SANDBOX_EXTENSIONS_APP_ID "\n"
                              "api-scope=" MR_SANDBOX_API_SCOPE "\n"
                              "staff-role=" MR_SANDBOX_STAFF_ROLE "\n", fx->base);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_jwks (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(JsonObject) jwks = get_json (fx, "/" TID "/discovery/v2.0/keys", NULL,
                                         SOUP_STATUS_OK);
  JsonArray *keys = json_object_get_array_member (jwks, "keys");
  JsonObject *key;
  g_autofree guchar *n = NULL;
  g_autofree guchar *e = NULL;
  gsize n_len = 0, e_len = 0;

  g_assert_cmpuint (json_array_get_length (keys), ==, 1);
  key = json_array_get_object_element (keys, 0);
  g_assert_cmpstr (json_object_get_string_member (key, "kty"), ==, "RSA");
  g_assert_cmpstr (json_object_get_string_member (key, "use"), ==, "sig");
  g_assert_cmpstr (json_object_get_string_member (key, "alg"), ==, "RS256");
  g_assert_cmpuint (strlen (json_object_get_string_member (key, "kid")), >, 0);
  n = b64url_decode (json_object_get_string_member (key, "n"), &n_len);
  e = b64url_decode (json_object_get_string_member (key, "e"), &e_len);
  /* 2048 bits and no leading zero byte. */
  g_assert_cmpuint (n_len, ==, 256);
  g_assert_cmpuint (n[0], >=, 0x80);
  g_assert_cmpmem (e, e_len, "\x01\x00\x01", 3);
}

/* ---- authorize --------------------------------------------------------------------------- */

static void
test_authorize_page (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *challenge = s256 ("verifier-for-the-page-test-0123456789abcdef");
  g_autofree char *query = authorize_query (challenge, "\"><script>alert(1)</script>", "n-1");
  g_autofree char *path = g_strconcat (AUTHORIZE "?", query, NULL);
  guint status = 0;
  g_autofree char *html = http_get (fx, path, NULL, &status);

  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (html, "SANDBOX"));
  g_assert_nonnull (strstr (html, "<meta name=\"viewport\""));
  g_assert_nonnull (strstr (html, "<form method=\"post\" action=\"" AUTHORIZE "\">"));
  g_assert_nonnull (strstr (html, "id=\"email\" name=\"email\" type=\"email\""));
  g_assert_nonnull (strstr (html, "autofocus"));
  g_assert_nonnull (strstr (html, "id=\"password\" name=\"password\" type=\"password\""));
  g_assert_nonnull (strstr (html, "id=\"submit\""));
  g_assert_nonnull (strstr (html, "jack.smith@example.org"));
  g_assert_nonnull (strstr (html, "ana.garcia@example.org"));
  g_assert_nonnull (strstr (html, "zoe.nunez@example.org"));
  g_assert_nonnull (strstr (html, "Zoë Núñez-Ødegård"));
  g_assert_nonnull (strstr (html, ">" MR_SANDBOX_PASSWORD "<"));
  g_assert_nonnull (strstr (html, challenge));
  g_assert_null (strstr (html, "id=\"error\""));
  /* The state is carried in a hidden input, escaped. */
  g_assert_nonnull (strstr (html, "value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
  g_assert_null (strstr (html, "<script>alert"));
  /* Nothing is loaded from elsewhere. */
  g_assert_null (strstr (html, "src="));
  g_assert_null (strstr (html, "href="));
  g_assert_null (strstr (html, "url("));
}

static void
test_authorize_wrong_password (Fixture       *fx,
                               gconstpointer  data)
{
  g_autofree char *challenge = s256 ("another-verifier-for-the-page-test-0123456789");
  g_autoptr(SoupMessage) msg = NULL;
  guint status = 0;
  g_autofree char *html = http_post_form (fx, AUTHORIZE,
                                          sign_in_form (challenge, "st-2", "n-2",
                                                        "jack.smith@example.org", "wrong"),
                                          &status, &msg);

  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                               "Location"));
  g_assert_nonnull (strstr (html, "id=\"error\""));
  g_assert_nonnull (strstr (html, "value=\"jack.smith@example.org\""));
  g_assert_nonnull (strstr (html, "name=\"state\" value=\"st-2\""));

  /* An unknown patient is refused the same way. */
  g_free (html);
  html = http_post_form (fx, AUTHORIZE,
                         sign_in_form (challenge, "st-2", "n-2", "nobody@example.org",
                                       MR_SANDBOX_PASSWORD),
                         &status, NULL);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (html, "id=\"error\""));
}

static void
test_authorize_redirect (Fixture       *fx,
                         gconstpointer  data)
{
  g_autofree char *challenge = s256 ("redirect-verifier-0123456789-0123456789-abc");
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GHashTable) query = NULL;
  guint status = 0;
  g_autofree char *body = http_post_form (fx, AUTHORIZE,
                                          sign_in_form (challenge, "st-3 & more", "n-3",
                                                        "Jack.Smith@example.org",
                                                        MR_SANDBOX_PASSWORD),
                                          &status, &msg);

  g_assert_cmpuint (status, ==, SOUP_STATUS_FOUND);
  query = redirect_query (msg);
  g_assert_cmpstr (g_hash_table_lookup (query, "state"), ==, "st-3 & more");
  g_assert_cmpuint (strlen (g_hash_table_lookup (query, "code")), >=, 32);
}

static void
test_authorize_cancel (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *challenge = s256 ("cancel-verifier-0123456789-0123456789-abcdef");
  g_autofree char *form = sign_in_form (challenge, "st-4", "n-4", "", "");
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GHashTable) query = NULL;
  guint status = 0;
  g_autofree char *body = http_post_form (fx, AUTHORIZE, g_strconcat (form, "&cancel=1", NULL),
                                          &status, &msg);

  g_assert_cmpuint (status, ==, SOUP_STATUS_FOUND);
  query = redirect_query (msg);
  g_assert_cmpstr (g_hash_table_lookup (query, "error"), ==, "access_denied");
  g_assert_cmpstr (g_hash_table_lookup (query, "state"), ==, "st-4");
  g_assert_null (g_hash_table_lookup (query, "code"));
}

static void
assert_redirected_error (Fixture    *fx,
                         const char *query_text,
                         const char *error,
                         const char *aadsts)
{
  g_autofree char *path = g_strconcat (AUTHORIZE "?", query_text, NULL);
  g_autofree char *url = g_strconcat (fx->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GHashTable) query = NULL;
  guint status = 0;
  g_autofree char *body = send_message (fx, msg, &status);

  g_assert_cmpuint (status, ==, SOUP_STATUS_FOUND);
  query = redirect_query (msg);
  g_assert_cmpstr (g_hash_table_lookup (query, "error"), ==, error);
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (query, "error_description"), aadsts));
  g_assert_cmpstr (g_hash_table_lookup (query, "state"), ==, "s");
  g_assert_null (g_hash_table_lookup (query, "code"));
}

/* The sign-in page's answer to an authorize request that names @redirect_uri. */
static guint
authorize_status (Fixture    *fx,
                  const char *redirect_uri,
                  char      **html)
{
  g_autofree char *challenge = s256 ("x");
  g_autofree char *query = soup_form_encode ("client_id", MR_SANDBOX_CLIENT_ID,
                                             "response_type", "code", "redirect_uri",
                                             redirect_uri, "state", "s", "code_challenge",
                                             challenge, "code_challenge_method", "S256", NULL);
  g_autofree char *path = g_strconcat (AUTHORIZE "?", query, NULL);
  guint status = 0;

  *html = http_get (fx, path, NULL, &status);
  return status;
}

/* Redirect URIs are matched exactly against the registered ones, as Entra does (AADSTS50011):
 * only a loopback URI's port may differ. */
static void
test_authorize_redirect_exact (Fixture       *fx,
                               gconstpointer  data)
{
  const char *accepted[] = { REDIRECT_URI, "http://127.0.0.1:5000/auth/callback",
                             "http://127.0.0.1:43123/auth/callback",
                             "http://localhost:8080/auth/callback" };
  const char *refused[] = { "http://localhost:5000/cb", "http://localhost:5000/auth/callback/",
                            "http://localhost:5000/Auth/Callback",
                            "http://localhost:5000/auth/callback?x=1",
                            "https://localhost:5000/auth/callback",
                            "http://[::1]:5000/auth/callback",
                            "http://localhost.example.org:5000/auth/callback" };

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *html = NULL;

      g_test_message ("accepted: %s", accepted[i]);
      g_assert_cmpuint (authorize_status (fx, accepted[i], &html), ==, SOUP_STATUS_OK);
      g_assert_null (strstr (html, "AADSTS50011"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *html = NULL;

      g_test_message ("refused: %s", refused[i]);
      g_assert_cmpuint (authorize_status (fx, refused[i], &html), ==, SOUP_STATUS_BAD_REQUEST);
      g_assert_nonnull (strstr (html, "AADSTS50011"));
    }
}

static void
test_authorize_bad_requests (Fixture       *fx,
                             gconstpointer  data)
{
  g_autofree char *challenge = s256 ("x");
  g_autofree char *no_pkce = soup_form_encode ("client_id", MR_SANDBOX_CLIENT_ID,
                                               "response_type", "code", "redirect_uri",
                                               REDIRECT_URI, "state", "s", NULL);
  g_autofree char *plain = soup_form_encode ("client_id", MR_SANDBOX_CLIENT_ID,
                                             "response_type", "code", "redirect_uri",
                                             REDIRECT_URI, "state", "s", "code_challenge",
                                             challenge, "code_challenge_method", "plain", NULL);
  g_autofree char *silent = g_strconcat (no_pkce, "&prompt=none&code_challenge_method=S256&"
                                         "code_challenge=", challenge, NULL);
  g_autofree char *bad_client = NULL;
  g_autofree char *bad_redirect = NULL;
  g_autofree char *html = NULL;
  guint status = 0;

  assert_redirected_error (fx, no_pkce, "invalid_request", "AADSTS900144");
  assert_redirected_error (fx, plain, "invalid_request", "AADSTS501481");
  assert_redirected_error (fx, silent, "login_required", "AADSTS50058");

  /* Errors that cannot be sent back to the app are shown, not redirected. */
  bad_client = g_strconcat (AUTHORIZE "?", "client_id=00000000-1111&response_type=code&"
                            "redirect_uri=http%3A%2F%2Flocalhost%3A5000%2Fcb", NULL);
  html = http_get (fx, bad_client, NULL, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_nonnull (strstr (html, "AADSTS700016"));
  g_free (html);

  bad_redirect = g_strconcat (AUTHORIZE "?", "client_id=" MR_SANDBOX_CLIENT_ID
                              "&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
                              NULL);
  html = http_get (fx, bad_redirect, NULL, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_nonnull (strstr (html, "AADSTS50011"));
  g_assert_nonnull (strstr (html, "https://evil.example/cb"));
}

/* ---- token ------------------------------------------------------------------------------- */

static void
test_token_missing_verifier (Fixture       *fx,
                             gconstpointer  data)
{
  g_autofree char *verifier = new_verifier ();
  g_autofree char *challenge = s256 (verifier);
  g_autofree char *code = get_code (fx, "jack.smith@example.org", challenge, "n");
  g_autoptr(JsonObject) error = exchange (fx, code, NULL, SOUP_STATUS_BAD_REQUEST);

  assert_token_error (error, "invalid_grant", "AADSTS50148: The code_verifier does not match "
                      "the code_challenge supplied in the authorization request for PKCE.", 50148);
}

static void
test_token_wrong_verifier (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *verifier = new_verifier ();
  g_autofree char *other = new_verifier ();
  g_autofree char *challenge = s256 (verifier);
  g_autofree char *code = get_code (fx, "jack.smith@example.org", challenge, "n");
  g_autoptr(JsonObject) error = exchange (fx, code, other, SOUP_STATUS_BAD_REQUEST);
  g_autoptr(JsonObject) tokens = NULL;

  assert_token_error (error, "invalid_grant", "AADSTS50148", 50148);
  /* A failed verifier does not burn the code for its rightful owner. */
  tokens = exchange (fx, code, verifier, SOUP_STATUS_OK);
  g_assert_true (json_object_has_member (tokens, "access_token"));
}

static void
test_token_success (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *verifier = new_verifier ();
  g_autofree char *challenge = s256 (verifier);
  g_autofree char *code = get_code (fx, "jack.smith@example.org", challenge, "n");
  g_autoptr(JsonObject) tokens = exchange (fx, code, verifier, SOUP_STATUS_OK);
  g_autoptr(JsonObject) again = NULL;

  g_assert_cmpstr (json_object_get_string_member (tokens, "token_type"), ==, "Bearer");
  /* Every Graph permission consented for the account, not only the requested User.Read. */
  g_assert_cmpstr (json_object_get_string_member (tokens, "scope"), ==,
                   "openid profile offline_access User.Read User.ReadWrite");
  g_assert_cmpint (json_object_get_int_member (tokens, "expires_in"), ==, 3599);
  g_assert_cmpint (json_object_get_int_member (tokens, "ext_expires_in"), ==, 3599);
  g_assert_cmpuint (strlen (json_object_get_string_member (tokens, "access_token")), >=, 32);
  g_assert_cmpuint (strlen (json_object_get_string_member (tokens, "refresh_token")), >=, 32);
  g_assert_nonnull (json_object_get_string_member (tokens, "id_token"));

  /* The same code twice. */
  again = exchange (fx, code, verifier, SOUP_STATUS_BAD_REQUEST);
  assert_token_error (again, "invalid_grant", "AADSTS54005", 54005);

  /* Ana consented to User.Read alone; the staff account has the directory permissions. */
  {
    const struct { const char *email; const char *scope; } accounts[] = {
      { "ana.garcia@example.org", "openid profile offline_access User.Read" },
      { "staff@example.org",
        "openid profile offline_access User.Read User.ReadWrite.All Application.Read.All" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
      {
        g_autofree char *other_code = get_code (fx, accounts[i].email, challenge, "n");
        g_autoptr(JsonObject) other = exchange (fx, other_code, verifier, SOUP_STATUS_OK);

        g_assert_cmpstr (json_object_get_string_member (other, "scope"), ==, accounts[i].scope);
      }
  }
}

static JsonObject *
post_token (Fixture *fx,
            char    *form,
            guint    expected_status)
{
  guint status = 0;
  g_autofree char *body = http_post_form (fx, TOKEN, form, &status, NULL);

  g_assert_cmpuint (status, ==, expected_status);
  return parse_object (body);
}

static void
test_token_client_errors (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *verifier = new_verifier ();
  g_autofree char *challenge = s256 (verifier);
  g_autofree char *code = get_code (fx, "ana.garcia@example.org", challenge, "n");
  g_autoptr(JsonObject) secret = NULL;
  g_autoptr(JsonObject) client = NULL;
  g_autoptr(JsonObject) redirect = NULL;
  g_autoptr(JsonObject) unknown = NULL;
  g_autoptr(JsonObject) tokens = NULL;

  secret = post_token (fx, soup_form_encode ("grant_type", "authorization_code", "client_id",
                                             MR_SANDBOX_CLIENT_ID, "client_secret", "s3cr3t",
                                             "code", code, "redirect_uri", REDIRECT_URI,
                                             "code_verifier", verifier, NULL),
                       SOUP_STATUS_BAD_REQUEST);
  assert_token_error (secret, "invalid_client", "AADSTS700025: Client is public", 700025);

  client = post_token (fx, soup_form_encode ("grant_type", "authorization_code", "client_id",
                                             "11111111-2222-3333-4444-555555555555",
                                             "code", code, "redirect_uri", REDIRECT_URI,
                                             "code_verifier", verifier, NULL),
                       SOUP_STATUS_BAD_REQUEST);
  assert_token_error (client, "invalid_client", "AADSTS700016", 700016);

  redirect = post_token (fx, soup_form_encode ("grant_type", "authorization_code", "client_id",
                                               MR_SANDBOX_CLIENT_ID, "code", code,
                                               "redirect_uri", "http://localhost:6000/other",
                                               "code_verifier", verifier, NULL),
                         SOUP_STATUS_BAD_REQUEST);
  assert_token_error (redirect, "invalid_grant", "AADSTS50011", 50011);

  unknown = exchange (fx, "no-such-code", verifier, SOUP_STATUS_BAD_REQUEST);
  assert_token_error (unknown, "invalid_grant", "AADSTS70008", 70008);

  /* None of the refusals used the code up. */
  tokens = exchange (fx, code, verifier, SOUP_STATUS_OK);
  g_assert_true (json_object_has_member (tokens, "id_token"));
}

static JsonObject *
refresh (Fixture    *fx,
         const char *token,
         guint       expected_status)
{
  return post_token (fx, soup_form_encode ("grant_type", "refresh_token", "client_id",
                                           MR_SANDBOX_CLIENT_ID, "refresh_token", token,
                                           "scope", "openid profile offline_access User.Read",
                                           NULL),
                     expected_status);
}

static void
test_token_refresh (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) first = sign_in (fx, "zoe.nunez@example.org", "n");
  const char *old_refresh = json_object_get_string_member (first, "refresh_token");
  g_autoptr(JsonObject) second = refresh (fx, old_refresh, SOUP_STATUS_OK);
  g_autoptr(JsonObject) reused = refresh (fx, old_refresh, SOUP_STATUS_BAD_REQUEST);
  g_autoptr(JsonObject) me = NULL;

  g_assert_cmpstr (json_object_get_string_member (second, "refresh_token"), !=, old_refresh);
  g_assert_cmpstr (json_object_get_string_member (second, "access_token"), !=,
                   json_object_get_string_member (first, "access_token"));
  assert_token_error (reused, "invalid_grant", "AADSTS70008", 70008);

  me = get_json (fx, "/v1.0/me", json_object_get_string_member (second, "access_token"),
                 SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (me, "mail"), ==, "zoe.nunez@example.org");
}

/* ---- the ID token ------------------------------------------------------------------------ */

static gnutls_pubkey_t
import_jwks_key (Fixture *fx,
                 char   **kid)
{
  g_autoptr(JsonObject) jwks = get_json (fx, "/" TID "/discovery/v2.0/keys", NULL,
                                         SOUP_STATUS_OK);
  JsonObject *key = json_array_get_object_element (json_object_get_array_member (jwks, "keys"),
                                                   0);
  gsize n_len = 0, e_len = 0;
  g_autofree guchar *n = b64url_decode (json_object_get_string_member (key, "n"), &n_len);
  g_autofree guchar *e = b64url_decode (json_object_get_string_member (key, "e"), &e_len);
  gnutls_datum_t n_datum = { n, n_len }, e_datum = { e, e_len };
  gnutls_pubkey_t pubkey = NULL;

  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_rsa_raw (pubkey, &n_datum, &e_datum), ==, 0);
  *kid = g_strdup (json_object_get_string_member (key, "kid"));
  return pubkey;
}

static int
verify_jwt (gnutls_pubkey_t  pubkey,
            const char      *jwt)
{
  const char *last_dot = strrchr (jwt, '.');
  gsize sig_len = 0;
  g_autofree guchar *sig = b64url_decode (last_dot + 1, &sig_len);
  gnutls_datum_t data = { (guchar *) jwt, last_dot - jwt };
  gnutls_datum_t signature = { sig, sig_len };

  return gnutls_pubkey_verify_data2 (pubkey, GNUTLS_SIGN_RSA_SHA256, 0, &data, &signature);
}

static JsonObject *
decode_part (const char *part)
{
  gsize len = 0;
  g_autofree guchar *json = b64url_decode (part, &len);
  g_autofree char *text = g_strndup ((const char *) json, len);

  return parse_object (text);
}

static void
test_id_token (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (fx, "jack.smith@example.org", "nonce-42");
  const char *jwt = json_object_get_string_member (tokens, "id_token");
  g_auto(GStrv) parts = g_strsplit (jwt, ".", -1);
  g_autofree char *kid = NULL;
  const char *issuer = mr_sandbox_get_issuer (fx->sandbox);
  g_autofree char *tampered = g_strdup (jwt);
  gnutls_pubkey_t pubkey = import_jwks_key (fx, &kid);
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) claims = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  g_assert_cmpint (verify_jwt (pubkey, jwt), >=, 0);
  tampered[strlen (parts[0]) + 3] ^= 1;    /* a bit of the payload */
  g_assert_cmpint (verify_jwt (pubkey, tampered), <, 0);
  gnutls_pubkey_deinit (pubkey);

  header = decode_part (parts[0]);
  g_assert_cmpstr (json_object_get_string_member (header, "typ"), ==, "JWT");
  g_assert_cmpstr (json_object_get_string_member (header, "alg"), ==, "RS256");
  g_assert_cmpstr (json_object_get_string_member (header, "kid"), ==, kid);

  claims = decode_part (parts[1]);
  g_assert_cmpstr (json_object_get_string_member (claims, "aud"), ==, MR_SANDBOX_CLIENT_ID);
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, issuer);
  g_assert_cmpstr (json_object_get_string_member (claims, "nonce"), ==, "nonce-42");
  g_assert_cmpstr (json_object_get_string_member (claims, "tid"), ==, TID);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (claims, "oid")));
  g_assert_cmpstr (json_object_get_string_member (claims, "sub"), !=,
                   json_object_get_string_member (claims, "oid"));
  g_assert_cmpstr (json_object_get_string_member (claims, "ver"), ==, "2.0");
  g_assert_cmpstr (json_object_get_string_member (claims, "name"), ==, "Jack Smith");
  g_assert_cmpstr (json_object_get_string_member (claims, "given_name"), ==, "Jack");
  g_assert_cmpstr (json_object_get_string_member (claims, "family_name"), ==, "Smith");
  g_assert_cmpstr (json_object_get_string_member (claims, "email"), ==,
                   "jack.smith@example.org");
  g_assert_cmpstr (json_object_get_string_member (claims, "preferred_username"), ==,
                   "jack.smith@example.org");
  g_assert_cmpint (llabs (json_object_get_int_member (claims, "iat") - now), <=, 5);
  g_assert_cmpint (json_object_get_int_member (claims, "nbf"), ==,
                   json_object_get_int_member (claims, "iat"));
  g_assert_cmpint (json_object_get_int_member (claims, "exp"), ==,
                   json_object_get_int_member (claims, "iat") + 3600);
}

/* ---- the API token ------------------------------------------------------------------------- */

static JsonObject *
refresh_for (Fixture    *fx,
             const char *token,
             const char *scope,
             guint       expected_status)
{
  return post_token (fx, soup_form_encode ("grant_type", "refresh_token", "client_id",
                                           MR_SANDBOX_CLIENT_ID, "refresh_token", token,
                                           "scope", scope, NULL),
                     expected_status);
}

/* The claims of @jwt, after checking its signature against the tenant's key set. */
static JsonObject *
verified_claims (Fixture    *fx,
                 const char *jwt)
{
  g_auto(GStrv) parts = g_strsplit (jwt, ".", -1);
  g_autofree char *kid = NULL;
  gnutls_pubkey_t pubkey = import_jwks_key (fx, &kid);
  g_autoptr(JsonObject) header = NULL;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  g_assert_cmpint (verify_jwt (pubkey, jwt), >=, 0);
  gnutls_pubkey_deinit (pubkey);
  header = decode_part (parts[0]);
  g_assert_cmpstr (json_object_get_string_member (header, "alg"), ==, "RS256");
  g_assert_cmpstr (json_object_get_string_member (header, "kid"), ==, kid);
  return decode_part (parts[1]);
}

static gboolean
has_role (JsonObject *claims,
          const char *role)
{
  JsonArray *roles;

  if (!json_object_has_member (claims, "roles"))
    return FALSE;
  roles = json_object_get_array_member (claims, "roles");
  for (guint i = 0; i < json_array_get_length (roles); i++)
    if (g_strcmp0 (json_array_get_string_element (roles, i), role) == 0)
      return TRUE;
  return FALSE;
}

static void
test_api_token (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(JsonObject) first = sign_in (fx, "jack.smith@example.org", "n");
  g_autoptr(JsonObject) id_claims = verified_claims (fx,
                                                     json_object_get_string_member (first, "id_token"));
  g_autoptr(JsonObject) api = refresh_for (fx, json_object_get_string_member (first,
                                                                             "refresh_token"),
                                           MR_SANDBOX_API_SCOPE " offline_access",
                                           SOUP_STATUS_OK);
  const char *token = json_object_get_string_member (api, "access_token");
  g_autoptr(JsonObject) claims = verified_claims (fx, token);
  const char *issuer = mr_sandbox_get_issuer (fx->sandbox);
  g_autoptr(JsonObject) graph = NULL;
  g_autoptr(JsonObject) refused = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpstr (json_object_get_string_member (api, "scope"), ==, MR_SANDBOX_API_SCOPE);
  g_assert_false (json_object_has_member (api, "id_token"));   /* openid was not asked for */
  g_assert_cmpstr (json_object_get_string_member (claims, "aud"), ==, MR_SANDBOX_CLIENT_ID);
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, issuer);
  g_assert_cmpstr (json_object_get_string_member (claims, "scp"), ==, "Refill.Submit");
  g_assert_cmpstr (json_object_get_string_member (claims, "tid"), ==, TID);
  g_assert_cmpstr (json_object_get_string_member (claims, "ver"), ==, "2.0");
  g_assert_cmpstr (json_object_get_string_member (claims, "azp"), ==, MR_SANDBOX_CLIENT_ID);
  g_assert_cmpstr (json_object_get_string_member (claims, "oid"), ==,
                   json_object_get_string_member (id_claims, "oid"));
  g_assert_cmpint (llabs (json_object_get_int_member (claims, "iat") - now), <=, 5);
  g_assert_cmpint (json_object_get_int_member (claims, "exp"), ==,
                   json_object_get_int_member (claims, "iat") + 3600);
  /* A patient has no app role, in either token. */
  g_assert_false (json_object_has_member (claims, "roles"));
  g_assert_false (json_object_has_member (id_claims, "roles"));

  /* Graph does not take a token for another resource. */
  refused = get_json (fx, "/v1.0/me", token, SOUP_STATUS_UNAUTHORIZED);
  /* The refresh token rotated, and the new one still gets Graph tokens. */
  graph = refresh (fx, json_object_get_string_member (api, "refresh_token"), SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (graph, "scope"), ==,
                   "openid profile offline_access User.Read User.ReadWrite");
}

/* Signs @email in asking for @scope; returns the query the sandbox redirects back with. */
static GHashTable *
sign_in_for_scope (Fixture    *fx,
                   const char *email,
                   const char *scope,
                   const char *challenge)
{
  g_autoptr(SoupMessage) msg = NULL;
  guint status = 0;
  g_autofree char *form = soup_form_encode ("client_id", MR_SANDBOX_CLIENT_ID,
                                            "response_type", "code", "redirect_uri",
                                            REDIRECT_URI, "scope", scope, "state", "st-2",
                                            "nonce", "n", "code_challenge", challenge,
                                            "code_challenge_method", "S256", "email", email,
                                            "password", MR_SANDBOX_PASSWORD, NULL);
  g_autofree char *body = http_post_form (fx, AUTHORIZE, g_steal_pointer (&form), &status, &msg);

  g_assert_cmpuint (status, ==, SOUP_STATUS_FOUND);
  return redirect_query (msg);
}

/* No refresh token without offline_access, as Entra: not for the code, not on a refresh, not
 * with the API token. */
static void
test_offline_access (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *verifier = new_verifier ();
  g_autofree char *challenge = s256 (verifier);
  g_autoptr(GHashTable) query = sign_in_for_scope (fx, "jack.smith@example.org",
                                                   "openid profile User.Read", challenge);
  g_autoptr(JsonObject) tokens = exchange (fx, g_hash_table_lookup (query, "code"), verifier,
                                           SOUP_STATUS_OK);
  g_autoptr(JsonObject) first = sign_in (fx, "jack.smith@example.org", "n");
  g_autoptr(JsonObject) plain = NULL;
  g_autoptr(JsonObject) api = NULL;
  g_autoptr(JsonObject) again = NULL;

  g_assert_true (json_object_has_member (tokens, "access_token"));
  g_assert_true (json_object_has_member (tokens, "id_token"));
  g_assert_false (json_object_has_member (tokens, "refresh_token"));
  g_assert_cmpstr (json_object_get_string_member (tokens, "scope"), ==,
                   "openid profile User.Read User.ReadWrite");

  /* A refresh that leaves offline_access out gets its tokens, and no new refresh token. */
  plain = refresh_for (fx, json_object_get_string_member (first, "refresh_token"),
                       "openid profile User.Read", SOUP_STATUS_OK);
  g_assert_true (json_object_has_member (plain, "access_token"));
  g_assert_false (json_object_has_member (plain, "refresh_token"));

  again = sign_in (fx, "jack.smith@example.org", "n");
  api = refresh_for (fx, json_object_get_string_member (again, "refresh_token"),
                     MR_SANDBOX_API_SCOPE, SOUP_STATUS_OK);
  g_assert_true (json_object_has_member (api, "access_token"));
  g_assert_false (json_object_has_member (api, "refresh_token"));
}

/* A Graph permission the account never consented to is refused, at sign-in and on a refresh
 * (AADSTS65001), and the refused refresh leaves the refresh token usable. */
static void
test_unconsented_permission (Fixture       *fx,
                             gconstpointer  data)
{
  g_autofree char *challenge = s256 ("x");
  g_autoptr(GHashTable) query = sign_in_for_scope (fx, "ana.garcia@example.org",
                                                   "openid offline_access User.ReadWrite",
                                                   challenge);
  g_autoptr(GHashTable) staff = sign_in_for_scope (fx, "staff@example.org",
                                                   "openid offline_access User.Read.All "
                                                   "https://graph.microsoft.com/User.ReadWrite.All",
                                                   challenge);
  g_autoptr(JsonObject) first = sign_in (fx, "jack.smith@example.org", "n");
  const char *refresh_token = json_object_get_string_member (first, "refresh_token");
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) kept = NULL;

  g_assert_cmpstr (g_hash_table_lookup (query, "error"), ==, "consent_required");
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (query, "error_description"),
                                   "AADSTS65001"));
  g_assert_nonnull (strstr (g_hash_table_lookup (query, "error_description"), "User.ReadWrite"));
  g_assert_null (g_hash_table_lookup (query, "code"));
  /* Consented permissions pass, by short name or under Graph's URI. */
  g_assert_null (g_hash_table_lookup (staff, "error"));
  g_assert_nonnull (g_hash_table_lookup (staff, "code"));

  refused = refresh_for (fx, refresh_token, "openid offline_access Application.Read.All",
                         SOUP_STATUS_BAD_REQUEST);
  assert_token_error (refused, "invalid_grant", "AADSTS65001", 65001);
  kept = refresh (fx, refresh_token, SOUP_STATUS_OK);
  g_assert_true (json_object_has_member (kept, "refresh_token"));
}

static void
test_api_token_staff (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(JsonObject) first = sign_in (fx, "staff@example.org", "n");
  g_autoptr(JsonObject) id_claims = verified_claims (fx,
                                                     json_object_get_string_member (first, "id_token"));
  g_autoptr(JsonObject) api = refresh_for (fx, json_object_get_string_member (first,
                                                                             "refresh_token"),
                                           MR_SANDBOX_API_SCOPE " openid offline_access",
                                           SOUP_STATUS_OK);
  g_autoptr(JsonObject) claims = verified_claims (fx,
                                                  json_object_get_string_member (api,
                                                                                 "access_token"));
  g_autoptr(JsonObject) refreshed_id = verified_claims (fx,
                                                        json_object_get_string_member (api,
                                                                                       "id_token"));

  g_assert_true (has_role (id_claims, MR_SANDBOX_STAFF_ROLE));
  g_assert_true (has_role (claims, MR_SANDBOX_STAFF_ROLE));
  g_assert_true (has_role (refreshed_id, MR_SANDBOX_STAFF_ROLE));
  g_assert_cmpstr (json_object_get_string_member (claims, "oid"), ==,
                   json_object_get_string_member (id_claims, "oid"));
}

/* The refresh answers a client must refuse, on demand: no ID token at all, or every token for
 * another account (a second staff member, whose ID token is signed as usual); then as usual. */
static void
test_refresh_faults (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) first = sign_in (fx, "staff@example.org", "n");
  g_autoptr(JsonObject) sam = verified_claims (fx, json_object_get_string_member (first,
                                                                                 "id_token"));
  g_autoptr(JsonObject) bare = NULL;
  g_autoptr(JsonObject) bare_api = NULL;
  g_autoptr(JsonObject) swapped = NULL;
  g_autoptr(JsonObject) swapped_claims = NULL;
  g_autoptr(JsonObject) usual = NULL;

  g_assert_false (mr_sandbox_set_refresh_fault (fx->sandbox, MR_SANDBOX_REFRESH_OTHER_ACCOUNT,
                                                "nobody@example.org"));
  g_assert_true (mr_sandbox_set_refresh_fault (fx->sandbox, MR_SANDBOX_REFRESH_NO_ID_TOKEN, NULL));
  bare = refresh (fx, json_object_get_string_member (first, "refresh_token"), SOUP_STATUS_OK);
  g_assert_true (json_object_has_member (bare, "access_token"));
  g_assert_false (json_object_has_member (bare, "id_token"));
  bare_api = refresh_for (fx, json_object_get_string_member (bare, "refresh_token"),
                          MR_SANDBOX_API_SCOPE " openid offline_access", SOUP_STATUS_OK);
  g_assert_false (json_object_has_member (bare_api, "id_token"));

  g_assert_true (mr_sandbox_set_refresh_fault (fx->sandbox, MR_SANDBOX_REFRESH_OTHER_ACCOUNT,
                                               "robin.reyes@example.org"));
  swapped = refresh (fx, json_object_get_string_member (bare_api, "refresh_token"),
                     SOUP_STATUS_OK);
  swapped_claims = verified_claims (fx, json_object_get_string_member (swapped, "id_token"));
  g_assert_cmpstr (json_object_get_string_member (swapped_claims, "name"), ==, "Robin Reyes");
  g_assert_cmpstr (json_object_get_string_member (swapped_claims, "oid"), !=,
                   json_object_get_string_member (sam, "oid"));
  g_assert_true (has_role (swapped_claims, MR_SANDBOX_STAFF_ROLE));

  g_assert_true (mr_sandbox_set_refresh_fault (fx->sandbox, MR_SANDBOX_REFRESH_AS_USUAL, NULL));
  usual = refresh (fx, json_object_get_string_member (swapped, "refresh_token"), SOUP_STATUS_OK);
  g_assert_true (json_object_has_member (usual, "id_token"));
}

static void
test_api_token_refusals (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) first = sign_in (fx, "zoe.nunez@example.org", "n");
  const char *refresh_token = json_object_get_string_member (first, "refresh_token");
  g_autoptr(JsonObject) mixed = NULL;
  g_autoptr(JsonObject) other = NULL;
  g_autoptr(JsonObject) still = NULL;

  /* One resource per token. */
  mixed = refresh_for (fx, refresh_token, MR_SANDBOX_API_SCOPE " User.Read offline_access",
                       SOUP_STATUS_BAD_REQUEST);
  assert_token_error (mixed, "invalid_scope", "AADSTS28000", 28000);
  other = refresh_for (fx, refresh_token, "api://11111111-2222-3333-4444-555555555555/Refill.Submit",
                       SOUP_STATUS_BAD_REQUEST);
  assert_token_error (other, "invalid_resource", "AADSTS500011", 500011);
  /* Neither refusal used the refresh token up. */
  still = refresh_for (fx, refresh_token, MR_SANDBOX_API_SCOPE, SOUP_STATUS_OK);
  g_assert_nonnull (json_object_get_string_member (still, "access_token"));
}

/* ---- Graph ------------------------------------------------------------------------------- */

static void
assert_graph_error (JsonObject *body,
                    const char *code)
{
  JsonObject *error = json_object_get_object_member (body, "error");
  JsonObject *inner = json_object_get_object_member (error, "innerError");

  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpuint (strlen (json_object_get_string_member (error, "message")), >, 0);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (inner, "request-id")));
  g_assert_nonnull (json_object_get_string_member (inner, "date"));
  g_assert_nonnull (json_object_get_string_member (inner, "client-request-id"));
}

static void
test_graph_unauthorized (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) none = get_json (fx, "/v1.0/me", NULL, SOUP_STATUS_UNAUTHORIZED);
  g_autoptr(JsonObject) bogus = get_json (fx, "/v1.0/me", "not-a-token",
                                          SOUP_STATUS_UNAUTHORIZED);

  assert_graph_error (none, "InvalidAuthenticationToken");
  assert_graph_error (bogus, "InvalidAuthenticationToken");
}

static JsonObject *
get_me (Fixture    *fx,
        const char *email,
        const char *select)
{
  g_autofree char *token = access_token_for (fx, email);
  g_autofree char *query = select ? soup_form_encode ("$select", select, NULL) : NULL;
  g_autofree char *path = g_strconcat ("/v1.0/me", query ? "?" : "", query, NULL);

  return get_json (fx, path, token, SOUP_STATUS_OK);
}

static void
assert_no_nulls (JsonObject *object)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    g_assert_false (json_object_get_null_member (object, l->data));
}

static void
test_graph_select_jack (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) me = get_me (fx, "jack.smith@example.org", SELECT_ALL);
  g_autofree char *context = g_strdup_printf ("%s/v1.0/$metadata#users(" SELECT_ALL ")/$entity",
                                              fx->base);
  g_autofree char *ext_dob = NULL;
  g_auto(GStrv) no_dashes = g_strsplit (MR_SANDBOX_EXTENSIONS_APP_ID, "-", -1);
  g_autofree char *joined = g_strjoinv ("", no_dashes);

  ext_dob = g_strdup_printf ("extension_%s_DateofBirth", joined);
  g_assert_cmpstr (json_object_get_string_member (me, "@odata.context"), ==, context);
  g_assert_cmpstr (json_object_get_string_member (me, ext_dob), ==, "2000-01-01");
  g_assert_cmpstr (json_object_get_string_member (me, EXT ("HospitalNumber")), ==, "HN11112");
  g_assert_cmpstr (json_object_get_string_member (me, EXT ("Gender")), ==, "Male");
  g_assert_cmpstr (json_object_get_string_member (me, "streetAddress"), ==, "12 Harbour Road");
  g_assert_cmpstr (json_object_get_string_member (me, "city"), ==, "Springfield");
  g_assert_cmpstr (json_object_get_string_member (me, "postalCode"), ==, "62701");
  g_assert_cmpstr (json_object_get_string_member (me, "jobTitle"), ==, "Patient");
  g_assert_cmpstr (json_object_get_string_member (me, "mobilePhone"), ==, "+1 555 0100");
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (me, "id")));
  /* Only what was selected (plus the context). */
  g_assert_cmpuint (json_object_get_size (me), ==, 16);
  g_assert_false (json_object_has_member (me, "userPrincipalName"));
}

static void
test_graph_select_ana (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) me = get_me (fx, "ana.garcia@example.org", SELECT_ALL);

  g_assert_cmpstr (json_object_get_string_member (me, "displayName"), ==, "Ana Garcia");
  g_assert_cmpstr (json_object_get_string_member (me, "mail"), ==, "ana.garcia@example.org");
  for (const char *const *m = (const char *const[]) { EXT ("DateofBirth"),
                                                      EXT ("HospitalNumber"), EXT ("Gender"),
                                                      "streetAddress", "city", "state",
                                                      "postalCode", "country", "jobTitle",
                                                      NULL }; *m; m++)
    g_assert_false (json_object_has_member (me, *m));
  assert_no_nulls (me);
}

/* A local account as people fill sign-up in: no mail (its address only in identities and the
 * ID token), custom attributes as typed, not canonical. */
static void
test_graph_untidy_local_account (Fixture       *fx,
                                 gconstpointer  data)
{
  g_autoptr(JsonObject) me = get_me (fx, "lee.okafor@example.org", SELECT_ALL ",identities");
  g_autoptr(JsonObject) tokens = sign_in (fx, "lee.okafor@example.org", "n");
  g_autoptr(JsonObject) claims = verified_claims (fx, json_object_get_string_member (tokens,
                                                                                     "id_token"));
  g_autoptr(JsonObject) plain = get_me (fx, "lee.okafor@example.org", NULL);
  JsonArray *identities = json_object_get_array_member (me, "identities");
  JsonObject *email;

  g_assert_false (json_object_has_member (me, "mail"));
  g_assert_true (json_object_get_null_member (plain, "mail"));
  g_assert_false (json_object_has_member (plain, "identities"));   /* only when $select'ed */
  g_assert_cmpuint (json_array_get_length (identities), ==, 2);
  email = json_array_get_object_element (identities, 0);
  g_assert_cmpstr (json_object_get_string_member (email, "signInType"), ==, "emailAddress");
  g_assert_cmpstr (json_object_get_string_member (email, "issuerAssignedId"), ==,
                   "lee.okafor@example.org");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (identities, 1),
                                                  "signInType"), ==, "userPrincipalName");
  g_assert_cmpstr (json_object_get_string_member (claims, "email"), ==, "lee.okafor@example.org");

  g_assert_cmpstr (json_object_get_string_member (me, EXT ("DateofBirth")), ==, "01/02/1990");
  g_assert_cmpstr (json_object_get_string_member (me, EXT ("Gender")), ==, "F");
  g_assert_cmpstr (json_object_get_string_member (me, EXT ("HospitalNumber")), ==, " HN30511 ");
  g_assert_cmpstr (json_object_get_string_member (me, "givenName"), ==, "  Lee ");
  g_assert_cmpstr (json_object_get_string_member (me, "displayName"), ==, "Lee Okafor\x07");
  g_assert_cmpint (g_utf8_strlen (json_object_get_string_member (me, "jobTitle"), -1), >, 128);
  assert_no_nulls (me);
}

static void
test_graph_default (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) me = get_me (fx, "jack.smith@example.org", NULL);
  g_autofree char *context = g_strdup_printf ("%s/v1.0/$metadata#users/$entity", fx->base);
  g_autoptr(GList) members = json_object_get_members (me);

  g_assert_cmpstr (json_object_get_string_member (me, "@odata.context"), ==, context);
  g_assert_cmpstr (json_object_get_string_member (me, "givenName"), ==, "Jack");
  g_assert_true (json_object_has_member (me, "businessPhones"));
  g_assert_true (json_object_has_member (me, "userPrincipalName"));
  g_assert_false (json_object_has_member (me, "streetAddress"));
  for (GList *l = members; l != NULL; l = l->next)
    g_assert_false (g_str_has_prefix (l->data, "extension_"));
  g_assert_cmpuint (json_object_get_size (me), ==, 12);
}

static void
test_graph_unknown_select (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *token = access_token_for (fx, "jack.smith@example.org");
  g_autoptr(JsonObject) body = get_json (fx, "/v1.0/me?$select=id,xyz", token,
                                         SOUP_STATUS_BAD_REQUEST);

  assert_graph_error (body, "Request_BadRequest");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "error"),
                                                  "message"), ==,
                   "Could not find a property named 'xyz' on type "
                   "'Microsoft.DirectoryServices.User'.");
}

static void
test_graph_utf8 (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) me = get_me (fx, "zoe.nunez@example.org", SELECT_ALL);

  g_assert_cmpstr (json_object_get_string_member (me, "givenName"), ==, "Zo\xc3\xab");
  g_assert_cmpstr (json_object_get_string_member (me, "surname"), ==,
                   "N\xc3\xba\xc3\xb1" "ez-\xc3\x98" "deg\xc3\xa5rd");
  g_assert_cmpstr (json_object_get_string_member (me, "displayName"), ==,
                   "Zo\xc3\xab N\xc3\xba\xc3\xb1" "ez-\xc3\x98" "deg\xc3\xa5rd");
  g_assert_cmpstr (json_object_get_string_member (me, "city"), ==, "Oslo");
  g_assert_cmpstr (json_object_get_string_member (me, EXT ("DateofBirth")), ==, "1987-06-15");
  g_assert_cmpstr (json_object_get_string_member (me, EXT ("HospitalNumber")), ==, "HN20457");
  g_assert_cmpstr (json_object_get_string_member (me, EXT ("Gender")), ==, "Female");
}

/* ---- workflow sink ----------------------------------------------------------------------- */

/* POSTs @json with Idempotency-Key @key and, when @token is set, "Authorization: Bearer". */
static JsonObject *
post_json (Fixture    *fx,
           const char *json,
           const char *idempotency_key,
           const char *token,
           guint       expected_status)
{
  g_autofree char *url = g_strconcat (fx->base, "/webhook/medication-refill", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  guint status = 0;
  g_autofree char *body = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Idempotency-Key",
                                idempotency_key);
  if (token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
    }
  body = send_message (fx, msg, &status);
  g_assert_cmpuint (status, ==, expected_status);
  return parse_object (body);
}

/* Jack's own kiosk request @request_id, with his token, as the app sends it. */
static JsonObject *
post_request (Fixture    *fx,
              const char *request_id,
              guint       expected_status)
{
  g_autofree char *token = mr_sandbox_mint_api_token (fx->sandbox, "jack.smith@example.org",
                                                      NULL);
  g_autofree char *json = mr_test_sink_body_text (request_id, "kiosk", MR_TEST_JACK_OID, NULL, 0);

  return post_json (fx, json, request_id, token, expected_status);
}

static void
assert_record (JsonNode   *node,
               const char *key,
               const char *request_id)
{
  JsonObject *record = json_node_get_object (node);
  JsonObject *headers = json_object_get_object_member (record, "headers");
  JsonObject *body = json_object_get_object_member (record, "body");

  g_assert_cmpstr (json_object_get_string_member (headers, "idempotency-key"), ==, key);
  g_assert_cmpstr (json_object_get_string_member (headers, "content-type"), ==,
                   "application/json");
  g_assert_cmpstr (json_object_get_string_member (body, "request_id"), ==, request_id);
}

#define REQUEST_1 "0b5e3c1a-0000-4000-8000-000000000001"
#define REQUEST_2 "0b5e3c1a-0000-4000-8000-000000000002"

static void
test_sink (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(JsonObject) first = post_request (fx, REQUEST_1, SOUP_STATUS_OK);
  g_autoptr(JsonObject) second = post_request (fx, REQUEST_2, SOUP_STATUS_OK);
  g_autoptr(JsonArray) received = mr_sandbox_dup_received (fx->sandbox);
  const char *ref = json_object_get_string_member (first, "reference");
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "received");
  g_assert_true (g_regex_match_simple ("^MR-[A-Z0-9]{6}$", ref, 0, 0));
  g_assert_cmpstr (json_object_get_string_member (second, "reference"), !=, ref);

  g_assert_cmpuint (json_array_get_length (received), ==, 2);
  assert_record (json_array_get_element (received, 0), REQUEST_1, REQUEST_1);
  assert_record (json_array_get_element (received, 1), REQUEST_2, REQUEST_2);

  g_file_get_contents (fx->sink_path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (contents, "\n"));
  /* No bearer token on disk: a JWT's header always begins "eyJ". */
  g_assert_null (strstr (contents, "eyJ"));
  g_assert_nonnull (strstr (contents, "\"authorization\":\"Bearer (left out)\""));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[2], ==, "");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      const char *id = i == 0 ? REQUEST_1 : REQUEST_2;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      assert_record (json_parser_get_root (parser), id, id);
    }
  g_assert_nonnull (strstr (lines[0], "Zoë"));
}

/* The API token for @email that its sign-in and a refresh for the clinic's API give, as the app
 * gets it. */
static char *
signed_in_api_token (Fixture    *fx,
                     const char *email)
{
  g_autoptr(JsonObject) first = sign_in (fx, email, "n");
  g_autoptr(JsonObject) api = refresh_for (fx, json_object_get_string_member (first,
                                                                             "refresh_token"),
                                           MR_SANDBOX_API_SCOPE " offline_access",
                                           SOUP_STATUS_OK);

  return g_strdup (json_object_get_string_member (api, "access_token"));
}

/* What the token endpoint issues after a real sign-in passes the sink: a patient's at a kiosk,
 * the staff member's at a desk; and the staff member's is refused as a patient's. */
static void
test_sink_signed_in_tokens (Fixture       *fx,
                            gconstpointer  data)
{
  g_autofree char *jack = signed_in_api_token (fx, "jack.smith@example.org");
  g_autofree char *staff = signed_in_api_token (fx, "staff@example.org");
  g_autofree char *kiosk = mr_test_sink_body_text (REQUEST_1, "kiosk", MR_TEST_JACK_OID, NULL, 0);
  g_autofree char *desk = mr_test_sink_body_text (REQUEST_2, "desk", MR_TEST_JACK_OID,
                                                  MR_TEST_STAFF_OID, 0);
  g_autofree char *impostor = mr_test_sink_body_text ("0b5e3c1a-0000-4000-8000-000000000003",
                                                      "kiosk", MR_TEST_JACK_OID, NULL, 0);
  g_autoptr(JsonObject) a = post_json (fx, kiosk, REQUEST_1, jack, SOUP_STATUS_OK);
  g_autoptr(JsonObject) b = post_json (fx, desk, REQUEST_2, staff, SOUP_STATUS_OK);
  g_autoptr(JsonObject) c = post_json (fx, impostor, "0b5e3c1a-0000-4000-8000-000000000003", staff,
                                       SOUP_STATUS_FORBIDDEN);

  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "received");
  g_assert_cmpstr (json_object_get_string_member (b, "status"), ==, "received");
  g_assert_cmpstr (json_object_get_string_member (c, "error"), ==, "forbidden");
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 2);
}

static void
test_sink_refusals (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) not_json = post_json (fx, "request_id=r-1", REQUEST_1, NULL,
                                              SOUP_STATUS_BAD_REQUEST);
  g_autoptr(JsonObject) get = get_json (fx, "/webhook/medication-refill", NULL,
                                        SOUP_STATUS_NOT_FOUND);
  g_autoptr(JsonArray) received = mr_sandbox_dup_received (fx->sandbox);

  g_assert_cmpint (json_object_get_int_member (not_json, "code"), ==, 400);
  g_assert_cmpint (json_object_get_int_member (get, "code"), ==, 404);
  g_assert_cmpstr (json_object_get_string_member (get, "message"), ==,
                   "This webhook is not registered for GET requests. Did you mean to make a "
                   "POST request?");
  g_assert_cmpuint (json_array_get_length (received), ==, 0);
  g_assert_false (g_file_test (fx->sink_path, G_FILE_TEST_EXISTS));
}

/* ---- the rest ---------------------------------------------------------------------------- */

/* A kiosk's long run forgets each visit's records: tokens stop working, the sink's record is
 * empty, its counters stay, and the tenant goes on serving new visits. */
static void
test_forget_records (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *token = access_token_for (fx, "jack.smith@example.org");
  g_autofree char *fresh = NULL;
  g_autoptr(JsonObject) me = get_json (fx, "/v1.0/me", token, SOUP_STATUS_OK);
  g_autoptr(JsonObject) first = post_request (fx, REQUEST_1, SOUP_STATUS_OK);
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) forgotten = NULL;
  g_autoptr(JsonObject) me_again = NULL;
  g_autoptr(JsonArray) empty = NULL;
  g_autoptr(JsonArray) received = NULL;

  mr_sandbox_forget_records (fx->sandbox);
  empty = mr_sandbox_dup_received (fx->sandbox);
  g_assert_cmpuint (json_array_get_length (empty), ==, 0);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 1);
  g_assert_cmpuint (mr_sandbox_get_key_count (fx->sandbox, REQUEST_1), ==, 0);

  forgotten = get_json (fx, "/v1.0/me", token, SOUP_STATUS_UNAUTHORIZED);
  again = post_request (fx, REQUEST_1, SOUP_STATUS_OK);
  received = mr_sandbox_dup_received (fx->sandbox);
  g_assert_cmpuint (json_array_get_length (received), ==, 1);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 2);

  fresh = access_token_for (fx, "jack.smith@example.org");
  me_again = get_json (fx, "/v1.0/me", fresh, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (me_again, "id"), ==,
                   json_object_get_string_member (me, "id"));
}

/* Every answer closes its connection: libsoup 3.2's server never closes a kept-alive connection
 * that the client closes while idle, and each would keep a file descriptor for good. */
static void
test_one_request_per_connection (Fixture       *fx,
                                 gconstpointer  data)
{
  g_autofree char *url = g_strconcat (fx->base, "/" MR_SANDBOX_TENANT_ID
                                      "/v2.0/.well-known/openid-configuration", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *body = NULL;
  guint status = 0;

  body = send_message (fx, msg, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Connection"), ==, "close");
}


static void
test_request_counts (Fixture       *fx,
                     gconstpointer  data)
{
  guint status = 0;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, NULL), ==, 0);
  a = http_get (fx, "/v1.0/me", NULL, &status);
  b = http_get (fx, "/v1.0/me?$select=id", NULL, &status);
  c = http_get (fx, "/nowhere", NULL, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, "/v1.0/me"), ==, 2);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, "/nowhere"), ==, 1);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, "/webhook/medication-refill"),
                    ==, 0);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, NULL), ==, 3);
}

static void
test_logout (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (fx, "jack.smith@example.org", "n");
  g_autoptr(JsonObject) other = sign_in (fx, "ana.garcia@example.org", "n");
  g_autofree char *query = soup_form_encode ("post_logout_redirect_uri", "http://localhost:5000/",
                                             "id_token_hint",
                                             json_object_get_string_member (tokens, "id_token"),
                                             NULL);
  g_autofree char *path = g_strconcat ("/" TID "/oauth2/v2.0/logout?", query, NULL);
  g_autofree char *url = g_strconcat (fx->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  guint status = 0;
  g_autofree char *body = send_message (fx, msg, &status);
  g_autofree char *page = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) kept = NULL;

  g_assert_cmpuint (status, ==, SOUP_STATUS_FOUND);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Location"), ==, "http://localhost:5000/");
  refused = refresh (fx, json_object_get_string_member (tokens, "refresh_token"),
                     SOUP_STATUS_BAD_REQUEST);
  assert_token_error (refused, "invalid_grant", "AADSTS70008", 70008);
  kept = refresh (fx, json_object_get_string_member (other, "refresh_token"), SOUP_STATUS_OK);

  page = http_get (fx, "/" TID "/oauth2/v2.0/logout", NULL, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (page, "Signed out"));
}

/* ---- the browser's session, as Entra keeps it ------------------------------------------- */

/* The value of the cookie @name that @msg's answer sets, with its attributes in *@attributes
 * (newly allocated, both), or NULL. */
static char *
set_cookie_value (SoupMessage  *msg,
                  const char   *name,
                  char        **attributes)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  g_autofree char *prefix = g_strconcat (name, "=", NULL);
  SoupMessageHeadersIter iter;
  const char *header, *value;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &header, &value))
    if (g_ascii_strcasecmp (header, "Set-Cookie") == 0 && g_str_has_prefix (value, prefix))
      {
        const char *end = strchr (value, ';');

        *attributes = g_strdup (end != NULL ? end : "");
        return g_strndup (value + strlen (prefix),
                          (end != NULL ? end : value + strlen (value)) - value - strlen (prefix));
      }
  return NULL;
}

static char *
authorize_with_cookie (Fixture     *fx,
                       const char  *extra,
                       const char  *cookie,
                       guint       *status,
                       SoupMessage **out_msg)
{
  g_autofree char *challenge = s256 ("v");
  g_autofree char *query = authorize_query (challenge, "st-2", "n-2");
  g_autofree char *url = g_strconcat (fx->base, AUTHORIZE "?", query, extra, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  char *body;

  if (cookie != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Cookie", cookie);
  body = send_message (fx, msg, status);
  if (out_msg != NULL)
    *out_msg = g_steal_pointer (&msg);
  return body;
}

/* A browser's sign-in (the page's form, with its kmsi_ask field) sets an HttpOnly session cookie
 * and asks "Stay signed in?"; Yes adds a persistent one. A browser that comes back with either is
 * offered the account without a password (or signed in silently with prompt=none, or asked the
 * password with the account filled in for prompt=login), and each such request is counted; a
 * browser without one gets the empty form. Signing out ends the session. */
static void
test_browser_session (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *verifier = new_verifier ();
  g_autofree char *challenge = s256 (verifier);
  g_autofree char *query = authorize_query (challenge, "st-1", "n-1");
  g_autofree char *creds = soup_form_encode ("email", "jack.smith@example.org",
                                             "password", MR_SANDBOX_PASSWORD, "kmsi_ask", "1",
                                             NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupMessage) kmsi_msg = NULL;
  g_autoptr(GHashTable) back = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  g_autofree char *attributes = NULL;
  g_autofree char *persistent_attributes = NULL;
  g_autofree char *session = NULL;
  g_autofree char *persistent = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *page = NULL;
  g_autofree char *flow = NULL;
  g_auto(GStrv) issued = NULL;
  const char *start;
  guint status = 0;

  page = http_post_form (fx, AUTHORIZE, g_strconcat (query, "&", creds, NULL), &status, &msg);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (page, "Stay signed in?"));
  g_assert_nonnull (strstr (page, "id=\"kmsi-yes\""));
  g_assert_nonnull (strstr (page, "id=\"kmsi-no\""));
  session = set_cookie_value (msg, "ESTSAUTH", &attributes);
  g_assert_nonnull (session);
  g_assert_cmpuint (strlen (session), >=, 32);
  g_assert_nonnull (strstr (attributes, "HttpOnly"));
  g_assert_nonnull (strstr (attributes, "Path=/"));
  g_assert_null (strstr (attributes, "Secure"));   /* http: a Secure cookie would never return */

  start = strstr (page, "name=\"flow_token\" value=\"");
  g_assert_nonnull (start);
  start += strlen ("name=\"flow_token\" value=\"");
  flow = g_strndup (start, strchr (start, '"') - start);
  page = (g_free (page), http_post_form (fx, AUTHORIZE,
                                         g_strconcat (query, "&flow_token=", flow, "&kmsi=yes",
                                                      NULL),
                                         &status, &kmsi_msg));
  g_assert_cmpuint (status, ==, SOUP_STATUS_FOUND);
  back = redirect_query (kmsi_msg);
  g_assert_nonnull (g_hash_table_lookup (back, "code"));
  persistent = set_cookie_value (kmsi_msg, "ESTSAUTHPERSISTENT", &persistent_attributes);
  g_assert_nonnull (persistent);
  g_assert_nonnull (strstr (persistent_attributes, "HttpOnly"));
  g_assert_nonnull (strstr (persistent_attributes, "Max-Age="));
  /* The flow token is good once. */
  page = (g_free (page), http_post_form (fx, AUTHORIZE,
                                         g_strconcat (query, "&flow_token=", flow, "&kmsi=yes",
                                                      NULL),
                                         &status, NULL));
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);

  /* What the app was given is on the sandbox's list of issued tokens. */
  tokens = exchange (fx, g_hash_table_lookup (back, "code"), verifier, SOUP_STATUS_OK);
  issued = mr_sandbox_dup_issued_tokens (fx->sandbox);
  g_assert_true (g_strv_contains ((const char * const *) issued,
                                  json_object_get_string_member (tokens, "access_token")));
  g_assert_true (g_strv_contains ((const char * const *) issued,
                                  json_object_get_string_member (tokens, "id_token")));
  g_assert_true (g_strv_contains ((const char * const *) issued,
                                  json_object_get_string_member (tokens, "refresh_token")));

  /* Coming back: the account is offered, no password asked. */
  g_assert_cmpuint (mr_sandbox_get_session_cookie_count (fx->sandbox), ==, 0);
  cookie = g_strconcat ("ESTSAUTHPERSISTENT=", persistent, NULL);
  page = (g_free (page), authorize_with_cookie (fx, "", cookie, &status, NULL));
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (page, "Pick an account"));
  g_assert_nonnull (strstr (page, "jack.smith@example.org"));
  g_assert_null (strstr (page, "type=\"password\""));
  g_assert_cmpuint (mr_sandbox_get_session_cookie_count (fx->sandbox), ==, 1);
  page = (g_free (page), authorize_with_cookie (fx, "&prompt=login", cookie, &status, NULL));
  g_assert_nonnull (strstr (page, "value=\"jack.smith@example.org\""));
  g_clear_object (&msg);
  page = (g_free (page), authorize_with_cookie (fx, "&prompt=none", cookie, &status, &msg));
  g_assert_cmpuint (status, ==, SOUP_STATUS_FOUND);
  g_clear_pointer (&back, g_hash_table_unref);
  back = redirect_query (msg);
  g_assert_nonnull (g_hash_table_lookup (back, "code"));
  g_assert_cmpuint (mr_sandbox_get_session_cookie_count (fx->sandbox), ==, 3);

  /* A browser without the cookie: the empty form, and nothing counted. */
  page = (g_free (page), authorize_with_cookie (fx, "", NULL, &status, NULL));
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (page, "id=\"email\""));
  g_assert_null (strstr (page, "jack.smith@example.org\""));
  g_assert_null (strstr (page, "Pick an account"));
  g_assert_cmpuint (mr_sandbox_get_session_cookie_count (fx->sandbox), ==, 3);

  /* Signed out: the cookie no longer signs anyone in (but it is still counted). */
  page = (g_free (page), http_get (fx, "/" TID "/oauth2/v2.0/logout?logout_hint="
                                   "jack.smith%40example.org", NULL, &status));
  page = (g_free (page), authorize_with_cookie (fx, "", cookie, &status, NULL));
  g_assert_null (strstr (page, "Pick an account"));
  g_assert_cmpuint (mr_sandbox_get_session_cookie_count (fx->sandbox), ==, 4);
}

static void
test_stop (Fixture       *fx,
           gconstpointer  data)
{
  g_autofree char *url = g_strconcat (fx->base, "/v1.0/me", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  mr_sandbox_stop (fx->sandbox);
  mr_sandbox_stop (fx->sandbox);
  bytes = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_port_in_use (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(MrSandbox) second = mr_sandbox_new ();
  g_autoptr(GUri) uri = g_uri_parse (fx->base, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) doc = NULL;

  g_assert_false (mr_sandbox_start (second, g_uri_get_port (uri), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  /* The first one is not disturbed. */
  doc = get_json (fx, "/" TID "/v2.0/.well-known/openid-configuration", NULL, SOUP_STATUS_OK);
  g_assert_true (json_object_has_member (doc, "issuer"));
}

static void
test_binary (void)
{
  g_autofree char *exe = g_build_filename (g_getenv ("MEDREFILL_BUILD_DIR"), "src", "sandbox",
                                           "medrefill-sandbox", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *base = NULL;
  g_autofree char *authority = NULL;
  g_autofree char *discovery = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *keys[] = { "authority=", "tenant-id=", "client-id=", "graph-url=",
                         "workflow-url=", "extensions-app-id=" };

  g_assert_nonnull (g_getenv ("MEDREFILL_BUILD_DIR"));
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, exe, "--port", "0", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));

  base = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_regex_match_simple ("^http://127\\.0\\.0\\.1:[0-9]+$", base, 0, 0));
  authority = g_strconcat (base, "/" TID, NULL);
  discovery = g_strconcat (authority, "/v2.0/.well-known/openid-configuration", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_assert_true (g_str_has_prefix (line, keys[i]));
      if (i == 0)
        g_assert_cmpstr (line + strlen (keys[0]), ==, authority);
    }

  /* It really serves what it printed. */
  session = soup_session_new ();
  msg = soup_message_new ("GET", discovery);
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/sandbox/pkce-vector", test_pkce_vector);
  ADD ("/sandbox/discovery", test_discovery);
  ADD ("/sandbox/settings", test_settings);
  ADD ("/sandbox/jwks", test_jwks);
  ADD ("/sandbox/authorize/page", test_authorize_page);
  ADD ("/sandbox/authorize/wrong-password", test_authorize_wrong_password);
  ADD ("/sandbox/authorize/redirect", test_authorize_redirect);
  ADD ("/sandbox/authorize/cancel", test_authorize_cancel);
  ADD ("/sandbox/authorize/bad-requests", test_authorize_bad_requests);
  ADD ("/sandbox/authorize/redirect-exact", test_authorize_redirect_exact);
  ADD ("/sandbox/token/missing-verifier", test_token_missing_verifier);
  ADD ("/sandbox/token/wrong-verifier", test_token_wrong_verifier);
  ADD ("/sandbox/token/success-and-reuse", test_token_success);
  ADD ("/sandbox/token/client-errors", test_token_client_errors);
  ADD ("/sandbox/token/refresh", test_token_refresh);
  ADD ("/sandbox/id-token", test_id_token);
  ADD ("/sandbox/api-token/patient", test_api_token);
  ADD ("/sandbox/api-token/staff", test_api_token_staff);
  ADD ("/sandbox/token/refresh-faults", test_refresh_faults);
  ADD ("/sandbox/api-token/refusals", test_api_token_refusals);
  ADD ("/sandbox/token/offline-access", test_offline_access);
  ADD ("/sandbox/token/unconsented-permission", test_unconsented_permission);
  ADD ("/sandbox/graph/unauthorized", test_graph_unauthorized);
  ADD ("/sandbox/graph/select-extensions", test_graph_select_jack);
  ADD ("/sandbox/graph/select-absent", test_graph_select_ana);
  ADD ("/sandbox/graph/default", test_graph_default);
  ADD ("/sandbox/graph/untidy-local-account", test_graph_untidy_local_account);
  ADD ("/sandbox/graph/unknown-select", test_graph_unknown_select);
  ADD ("/sandbox/graph/utf8", test_graph_utf8);
  ADD ("/sandbox/sink/records", test_sink);
  ADD ("/sandbox/sink/refusals", test_sink_refusals);
  ADD ("/sandbox/sink/signed-in-tokens", test_sink_signed_in_tokens);
  ADD ("/sandbox/forget-records", test_forget_records);
  ADD ("/sandbox/one-request-per-connection", test_one_request_per_connection);
  ADD ("/sandbox/request-counts", test_request_counts);
  ADD ("/sandbox/logout", test_logout);
  ADD ("/sandbox/authorize/browser-session", test_browser_session);
  ADD ("/sandbox/stop", test_stop);
  ADD ("/sandbox/port-in-use", test_port_in_use);
  g_test_add_func ("/sandbox/binary", test_binary);

  return g_test_run ();
}

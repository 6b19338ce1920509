/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr-oidc.c: PKCE, the auth request, discovery, the authorize and sign-out URLs, the callback. */
#include "mr-identity.h"

#include <string.h>

#include "mr-base.h"
#include "mr-test-oidc.h"

#define CLIENT_ID    MR_TEST_OIDC_CLIENT_ID
#define TENANT_ID    MR_TEST_OIDC_TENANT_ID
#define REDIRECT_URI MR_TEST_OIDC_REDIRECT_URI
#define STATE        "st4te-VALUE_123"

static GBytes *
bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* ---- PKCE, auth request, discovery ---------------------------------------------------------- */

static void
test_pkce_rfc7636 (void)
{
  g_autofree char *challenge =
    mr_pkce_challenge_s256 ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_auth_request (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 20; i++)
    {
      g_autoptr(MrAuthRequest) request = mr_auth_request_new ();
      g_autofree char *challenge = mr_pkce_challenge_s256 (request->code_verifier);

      g_assert_cmpuint (strlen (request->code_verifier), ==, 43);
      g_assert_cmpuint (strlen (request->state), >=, 22);
      g_assert_cmpuint (strlen (request->state), <=, 43);
      g_assert_cmpuint (strlen (request->nonce), >=, 22);
      g_assert_cmpstr (request->code_challenge, ==, challenge);
      g_assert_cmpstr (request->state, !=, request->nonce);
      for (const char *p = request->code_verifier; *p != '\0'; p++)
        g_assert_true (g_ascii_isalnum (*p) || strchr ("-._~", *p) != NULL);

      g_assert_false (g_hash_table_contains (seen, request->state));
      g_hash_table_add (seen, g_strdup (request->state));
      g_assert_false (g_hash_table_contains (seen, request->nonce));
      g_hash_table_add (seen, g_strdup (request->nonce));
      g_assert_false (g_hash_table_contains (seen, request->code_verifier));
      g_hash_table_add (seen, g_strdup (request->code_verifier));
    }
}

static void
test_discovery_url (void)
{
  static const struct {
    const char *authority;
    const char *url;
  } cases[] = {
    { "https://login.microsoftonline.com/" TENANT_ID,
      "https://login.microsoftonline.com/" TENANT_ID "/v2.0/.well-known/openid-configuration" },
    { "https://login.microsoftonline.com/" TENANT_ID "/",
      "https://login.microsoftonline.com/" TENANT_ID "/v2.0/.well-known/openid-configuration" },
    { "https://contoso.ciamlogin.com/" TENANT_ID "/v2.0",
      "https://contoso.ciamlogin.com/" TENANT_ID "/v2.0/.well-known/openid-configuration" },
    { "https://contoso.ciamlogin.com/" TENANT_ID "/v2.0//",
      "https://contoso.ciamlogin.com/" TENANT_ID "/v2.0/.well-known/openid-configuration" },
    { "https://t.b2clogin.com/t.onmicrosoft.com/B2C_1_signin",
      "https://t.b2clogin.com/t.onmicrosoft.com/B2C_1_signin/v2.0/.well-known/openid-configuration" },
    { "http://127.0.0.1:8080/tenant", "http://127.0.0.1:8080/tenant/v2.0/.well-known/openid-configuration" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) urls = mr_oidc_discovery_urls (cases[i].authority);

      g_assert_cmpstr (urls[0], ==, cases[i].url);
    }
}

/* Both orders: Microsoft hosts v2.0 only, loopback v2.0 then plain, other hosts plain then v2.0. */
static void
test_discovery_urls (void)
{
  static const struct {
    const char *authority;
    const char *first;
    const char *second;   /* NULL: one URL only */
  } cases[] = {
    { "https://contosoclinic.ciamlogin.com/" TENANT_ID,
      "https://contosoclinic.ciamlogin.com/" TENANT_ID "/v2.0/.well-known/openid-configuration",
      NULL },
    { "https://ContosoClinic.CIAMLOGIN.com/" TENANT_ID "/",
      "https://ContosoClinic.CIAMLOGIN.com/" TENANT_ID "/v2.0/.well-known/openid-configuration",
      NULL },
    { "https://login.microsoftonline.com/organizations/v2.0",
      "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
      NULL },
    { "https://login.microsoftonline.us/" TENANT_ID,
      "https://login.microsoftonline.us/" TENANT_ID "/v2.0/.well-known/openid-configuration",
      NULL },
    { "https://login.partner.microsoftonline.cn/" TENANT_ID,
      "https://login.partner.microsoftonline.cn/" TENANT_ID
      "/v2.0/.well-known/openid-configuration", NULL },
    { "https://testprodoh.b2clogin.com/testprodoh.onmicrosoft.com/B2C_1_signup_signin",
      "https://testprodoh.b2clogin.com/testprodoh.onmicrosoft.com/B2C_1_signup_signin"
      "/v2.0/.well-known/openid-configuration", NULL },
    /* B2C's query form: the policy stays in the query, after the path. */
    { "https://testprodoh.b2clogin.com/testprodoh.onmicrosoft.com?p=b2c_1_signup_signin",
      "https://testprodoh.b2clogin.com/testprodoh.onmicrosoft.com/v2.0/.well-known/"
      "openid-configuration?p=b2c_1_signup_signin", NULL },
    { "https://testprodoh.b2clogin.com/testprodoh.onmicrosoft.com/v2.0/?p=b2c_1_signup_signin",
      "https://testprodoh.b2clogin.com/testprodoh.onmicrosoft.com/v2.0/.well-known/"
      "openid-configuration?p=b2c_1_signup_signin", NULL },
    /* B2C on a custom domain is not a Microsoft host: plain first, then /v2.0. */
    { "https://login.fencing.club/fencing.club/b2c_1_signupsignin",
      "https://login.fencing.club/fencing.club/b2c_1_signupsignin/.well-known/"
      "openid-configuration",
      "https://login.fencing.club/fencing.club/b2c_1_signupsignin/v2.0/.well-known/"
      "openid-configuration" },
    /* A plain OpenID provider: the authority is its issuer. */
    { "https://idp.example.org", "https://idp.example.org/.well-known/openid-configuration",
      "https://idp.example.org/v2.0/.well-known/openid-configuration" },
    { "https://idp.example.org/realms/clinic/",
      "https://idp.example.org/realms/clinic/.well-known/openid-configuration",
      "https://idp.example.org/realms/clinic/v2.0/.well-known/openid-configuration" },
    { "https://idp.example.org/.well-known/openid-configuration",
      "https://idp.example.org/.well-known/openid-configuration", NULL },
    /* Loopback (the sandbox): /v2.0 first, so the sandbox costs one request. */
    { "http://127.0.0.1:8080/" TENANT_ID,
      "http://127.0.0.1:8080/" TENANT_ID "/v2.0/.well-known/openid-configuration",
      "http://127.0.0.1:8080/" TENANT_ID "/.well-known/openid-configuration" },
    { "http://localhost:3000", "http://localhost:3000/v2.0/.well-known/openid-configuration",
      "http://localhost:3000/.well-known/openid-configuration" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) urls = mr_oidc_discovery_urls (cases[i].authority);

      g_test_message ("authority %s", cases[i].authority);
      g_assert_cmpstr (urls[0], ==, cases[i].first);
      g_assert_cmpstr (urls[1], ==, cases[i].second);
    }
}

/* Discovery documents shaped like the published ones (spec/samples), trimmed to what we read. */
#define DISCOVERY(issuer, base, query) \
  "{\"issuer\":\"" issuer "\",\"authorization_endpoint\":\"" base "/oauth2/v2.0/authorize" query \
  "\",\"token_endpoint\":\"" base "/oauth2/v2.0/token" query "\",\"jwks_uri\":\"" base \
  "/discovery/v2.0/keys" query "\",\"end_session_endpoint\":\"" base "/oauth2/v2.0/logout" \
  query "\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}"
#define WORKFORCE_TID "88888888-8888-8888-8888-888888888888"
#define B2C_TID       "9c3a2992-458b-4d7b-b925-f70a6658e5ba"
#define FENCING_TID   "2570213d-1e98-4c4e-a812-009627feed82"
#define OTHER_TID     "00000000-1111-2222-3333-444444444444"

static const char workforce_doc[] =
  DISCOVERY ("https://login.microsoftonline.com/" WORKFORCE_TID "/v2.0",
             "https://login.microsoftonline.com/" WORKFORCE_TID, "");
static const char common_doc[] =
  DISCOVERY ("https://login.microsoftonline.com/{tenantid}/v2.0",
             "https://login.microsoftonline.com/common", "");
static const char organizations_doc[] =
  DISCOVERY ("https://login.microsoftonline.com/{tenantid}/v2.0",
             "https://login.microsoftonline.com/organizations", "");
static const char b2c_query_doc[] =
  DISCOVERY ("https://testprodoh.b2clogin.com/" B2C_TID "/v2.0/",
             "https://testprodoh.b2clogin.com/testprodoh.onmicrosoft.com",
             "?p=b2c_1_signup_signin");
static const char b2c_custom_doc[] =
  DISCOVERY ("https://login.fencing.club/" FENCING_TID "/v2.0/",
             "https://login.fencing.club/fencing.club/b2c_1_signupsignin", "");
static const char external_id_doc[] =
  DISCOVERY ("https://" TENANT_ID ".ciamlogin.com/" TENANT_ID "/v2.0",
             "https://contosoclinic.ciamlogin.com/" TENANT_ID, "");
static const char plain_doc[] =
  "{\"issuer\":\"https://idp.example.org\",\"authorization_endpoint\":"
  "\"https://idp.example.org/auth\",\"token_endpoint\":\"https://idp.example.org/token\","
  "\"jwks_uri\":\"https://idp.example.org/jwks\"}";

static void
test_claims_per_authority_kind (void)
{
  static const struct {
    const char *name;
    const char *document;
    const char *tenant_id;   /* configured */
    const char *iss;
    const char *tid;         /* NULL: no tid claim */
    gboolean    accepted;
  } cases[] = {
    { "workforce", workforce_doc, WORKFORCE_TID,
      "https://login.microsoftonline.com/" WORKFORCE_TID "/v2.0", WORKFORCE_TID, TRUE },
    { "workforce-other-tid", workforce_doc, WORKFORCE_TID,
      "https://login.microsoftonline.com/" WORKFORCE_TID "/v2.0", OTHER_TID, FALSE },
    { "common-templated", common_doc, WORKFORCE_TID,
      "https://login.microsoftonline.com/" WORKFORCE_TID "/v2.0", WORKFORCE_TID, TRUE },
    { "organizations-templated", organizations_doc, WORKFORCE_TID,
      "https://login.microsoftonline.com/" WORKFORCE_TID "/v2.0", WORKFORCE_TID, TRUE },
    { "templated-other-tenant", common_doc, WORKFORCE_TID,
      "https://login.microsoftonline.com/" OTHER_TID "/v2.0", OTHER_TID, FALSE },
    { "templated-any-tenant-when-unset", common_doc, "",
      "https://login.microsoftonline.com/" OTHER_TID "/v2.0", OTHER_TID, TRUE },
    { "templated-iss-and-tid-differ", common_doc, "",
      "https://login.microsoftonline.com/" OTHER_TID "/v2.0", WORKFORCE_TID, FALSE },
    { "templated-without-tid", common_doc, "",
      "https://login.microsoftonline.com/{tenantid}/v2.0", NULL, FALSE },
    { "templated-tid-not-a-guid", common_doc, "",
      "https://login.microsoftonline.com/x/../" OTHER_TID "/v2.0", "x/../" OTHER_TID, FALSE },
    { "b2c-query-no-tid", b2c_query_doc, B2C_TID,
      "https://testprodoh.b2clogin.com/" B2C_TID "/v2.0/", NULL, TRUE },
    { "b2c-iss-without-slash", b2c_query_doc, B2C_TID,
      "https://testprodoh.b2clogin.com/" B2C_TID "/v2.0", NULL, FALSE },
    { "b2c-other-configured-tenant", b2c_query_doc, OTHER_TID,
      "https://testprodoh.b2clogin.com/" B2C_TID "/v2.0/", NULL, FALSE },
    { "b2c-custom-domain", b2c_custom_doc, FENCING_TID,
      "https://login.fencing.club/" FENCING_TID "/v2.0/", NULL, TRUE },
    { "external-id", external_id_doc, TENANT_ID,
      "https://" TENANT_ID ".ciamlogin.com/" TENANT_ID "/v2.0", TENANT_ID, TRUE },
    /* An issuer built from the settings is not the document's issuer. */
    { "external-id-iss-from-settings", external_id_doc, TENANT_ID,
      "https://contosoclinic.ciamlogin.com/" TENANT_ID "/v2.0", TENANT_ID, FALSE },
    { "plain-provider", plain_doc, "", "https://idp.example.org", NULL, TRUE },
    { "plain-provider-tenant-configured", plain_doc, TENANT_ID, "https://idp.example.org",
      NULL, FALSE },
  };
  gint64 now = 1739607600;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = bytes (cases[i].document);
      g_autoptr(GError) error = NULL;
      g_autoptr(MrOidcDiscovery) discovery = mr_oidc_discovery_parse (body, &error);
      g_autoptr(MrConfig) config = mr_test_oidc_config ("https://unused.example.org");
      g_autoptr(JsonObject) claims = json_object_new ();
      gboolean ok;

      g_test_message ("authority kind %s", cases[i].name);
      g_assert_no_error (error);
      g_free (config->tenant_id);
      config->tenant_id = g_strdup (cases[i].tenant_id);
      json_object_set_string_member (claims, "iss", cases[i].iss);
      json_object_set_string_member (claims, "aud", CLIENT_ID);
      json_object_set_int_member (claims, "iat", now - 10);
      json_object_set_int_member (claims, "exp", now + 3600);
      json_object_set_string_member (claims, "nonce", "n");
      if (cases[i].tid != NULL)
        json_object_set_string_member (claims, "tid", cases[i].tid);
      ok = mr_oidc_check_id_token_claims (discovery, config, claims, "n", now, &error);
      g_assert_cmpint (ok, ==, cases[i].accepted);
      if (!ok)
        g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
    }
}

static void
test_end_session_url (void)
{
  g_autoptr(GBytes) b2c = bytes (b2c_query_doc);
  g_autoptr(GBytes) plain = bytes (plain_doc);
  g_autoptr(MrOidcDiscovery) with_end = mr_oidc_discovery_parse (b2c, NULL);
  g_autoptr(MrOidcDiscovery) without_end = mr_oidc_discovery_parse (plain, NULL);
  g_autofree char *full = NULL;
  g_autofree char *bare = NULL;
  g_autoptr(GHashTable) query = NULL;

  full = mr_oidc_build_end_session_url (with_end, "eyJ.hint.sig", REDIRECT_URI "?a=b&c=d");
  g_assert_true (g_str_has_prefix (full, "https://testprodoh.b2clogin.com/"
                                         "testprodoh.onmicrosoft.com/oauth2/v2.0/logout?"));
  query = soup_form_decode (strchr (full, '?') + 1);
  g_assert_cmpstr (g_hash_table_lookup (query, "p"), ==, "b2c_1_signup_signin");
  g_assert_cmpstr (g_hash_table_lookup (query, "id_token_hint"), ==, "eyJ.hint.sig");
  g_assert_cmpstr (g_hash_table_lookup (query, "post_logout_redirect_uri"), ==,
                   REDIRECT_URI "?a=b&c=d");
  g_assert_cmpuint (g_hash_table_size (query), ==, 3);

  bare = mr_oidc_build_end_session_url (with_end, NULL, "");
  g_assert_cmpstr (bare, ==, "https://testprodoh.b2clogin.com/testprodoh.onmicrosoft.com"
                             "/oauth2/v2.0/logout?p=b2c_1_signup_signin");
  g_assert_null (mr_oidc_build_end_session_url (without_end, "h", REDIRECT_URI));
}

/* The shape of Microsoft's B2C discovery document (policy in the query), trimmed. */
#define B2C_DISCOVERY \
  "{\"issuer\":\"https://contoso.b2clogin.com/" TENANT_ID "/v2.0/\"," \
  "\"authorization_endpoint\":\"https://contoso.b2clogin.com/contoso.onmicrosoft.com" \
  "/oauth2/v2.0/authorize?p=b2c_1_signup_signin\"," \
  "\"token_endpoint\":\"https://contoso.b2clogin.com/contoso.onmicrosoft.com" \
  "/oauth2/v2.0/token?p=b2c_1_signup_signin\"," \
  "\"end_session_endpoint\":\"https://contoso.b2clogin.com/contoso.onmicrosoft.com" \
  "/oauth2/v2.0/logout?p=b2c_1_signup_signin\"," \
  "\"jwks_uri\":\"https://contoso.b2clogin.com/contoso.onmicrosoft.com" \
  "/discovery/v2.0/keys?p=b2c_1_signup_signin\"," \
  "\"response_modes_supported\":[\"query\",\"fragment\",\"form_post\"]," \
  "\"id_token_signing_alg_values_supported\":[\"RS256\"],\"tenant_region_scope\":null}"

static void
test_discovery_parse (void)
{
  g_autoptr(GBytes) body = bytes (B2C_DISCOVERY);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrOidcDiscovery) discovery = mr_oidc_discovery_parse (body, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (discovery->issuer, ==, "https://contoso.b2clogin.com/" TENANT_ID "/v2.0/");
  g_assert_true (g_str_has_suffix (discovery->authorization_endpoint,
                                   "/oauth2/v2.0/authorize?p=b2c_1_signup_signin"));
  g_assert_true (g_str_has_suffix (discovery->token_endpoint,
                                   "/oauth2/v2.0/token?p=b2c_1_signup_signin"));
  g_assert_true (g_str_has_suffix (discovery->jwks_uri, "/discovery/v2.0/keys?p=b2c_1_signup_signin"));
  g_assert_true (g_str_has_suffix (discovery->end_session_endpoint, "/logout?p=b2c_1_signup_signin"));
}

static char *
discovery_without (const char *member,
                   const char *replacement)
{
  g_autoptr(JsonNode) node = json_from_string (B2C_DISCOVERY, NULL);
  JsonObject *object = json_node_get_object (node);

  json_object_remove_member (object, member);
  if (replacement != NULL)
    json_object_set_string_member (object, member, replacement);
  return mr_json_to_string (node);
}

static void
test_discovery_parse_errors (void)
{
  static const struct {
    const char *member;
    const char *replacement;
    const char *phrase;
  } cases[] = {
    { "issuer", NULL, "(no issuer)" },
    { "authorization_endpoint", NULL, "(no sign-in page)" },
    { "token_endpoint", NULL, "(no token endpoint)" },
    { "jwks_uri", NULL, "(no key list)" },
    { "token_endpoint", "/oauth2/v2.0/token", "(no token endpoint)" },
    { "jwks_uri", "keys", "(no key list)" },
    { "issuer", "", "(no issuer)" },
  };
  const char *bodies[] = { "", "<html><body>Not found</body></html>", "[]", "{\"issuer\":" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = discovery_without (cases[i].member, cases[i].replacement);
      g_autoptr(GBytes) body = bytes (text);
      g_autoptr(GError) error = NULL;
      g_autoptr(MrOidcDiscovery) discovery = mr_oidc_discovery_parse (body, &error);

      g_assert_null (discovery);
      g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE);
      g_assert_nonnull (strstr (error->message, cases[i].phrase));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) body = bytes (bodies[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(MrOidcDiscovery) discovery = mr_oidc_discovery_parse (body, &error);

      g_assert_null (discovery);
      g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE);
    }

  {
    g_autofree char *text = discovery_without ("end_session_endpoint", NULL);
    g_autoptr(GBytes) body = bytes (text);
    g_autoptr(GError) error = NULL;
    g_autoptr(MrOidcDiscovery) discovery = mr_oidc_discovery_parse (body, &error);

    g_assert_no_error (error);
    g_assert_null (discovery->end_session_endpoint);
  }
}

/* ---- Authorize URL -------------------------------------------------------------------------- */

static GHashTable *
query_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  GHashTable *params;

  g_assert_nonnull (uri);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_nonnull (params);
  return params;
}

static void
test_authorize_url (void)
{
  g_autoptr(GBytes) body = bytes (B2C_DISCOVERY);
  g_autoptr(MrOidcDiscovery) discovery = mr_oidc_discovery_parse (body, NULL);
  g_autoptr(MrConfig) config = mr_test_oidc_config (NULL);
  g_autoptr(MrAuthRequest) request = mr_auth_request_new ();
  g_autofree char *url = mr_oidc_build_authorize_url (discovery, config, request, "login",
                                                      "zoë+núñez@example.org");
  g_autoptr(GHashTable) params = query_of (url);

  g_assert_true (g_str_has_prefix (url, "https://contoso.b2clogin.com/contoso.onmicrosoft.com/"
                                        "oauth2/v2.0/authorize?p=b2c_1_signup_signin&"));
  g_assert_cmpstr (g_hash_table_lookup (params, "p"), ==, "b2c_1_signup_signin");
  g_assert_cmpstr (g_hash_table_lookup (params, "client_id"), ==, CLIENT_ID);
  g_assert_cmpstr (g_hash_table_lookup (params, "response_type"), ==, "code");
  g_assert_cmpstr (g_hash_table_lookup (params, "redirect_uri"), ==, REDIRECT_URI);
  g_assert_cmpstr (g_hash_table_lookup (params, "scope"), ==,
                   "openid profile offline_access User.Read");
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, request->state);
  g_assert_cmpstr (g_hash_table_lookup (params, "nonce"), ==, request->nonce);
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge"), ==, request->code_challenge);
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge_method"), ==, "S256");
  g_assert_cmpstr (g_hash_table_lookup (params, "prompt"), ==, "login");
  g_assert_cmpstr (g_hash_table_lookup (params, "login_hint"), ==, "zoë+núñez@example.org");
  g_assert_cmpuint (g_hash_table_size (params), ==, 11);
  g_assert_false (g_hash_table_contains (params, "client_secret"));
  g_assert_false (g_hash_table_contains (params, "response_mode"));

  /* Encoded as a form would be read by a strict server: no raw space, '+', ':' or '/'. */
  g_assert_nonnull (strstr (url, "&scope=openid%20profile%20offline_access%20User.Read&"));
  g_assert_nonnull (strstr (url, "&redirect_uri=http%3A%2F%2Flocalhost%3A5000%2Fauth%2Fcallback&"));
  g_assert_nonnull (strstr (url, "&login_hint=zo%C3%AB%2Bn%C3%BA%C3%B1ez%40example.org"));
}

static void
test_authorize_url_minimal (void)
{
  MrOidcDiscovery discovery = {
    .issuer = (char *) "https://login.example.org/t/v2.0",
    .authorization_endpoint = (char *) "https://login.example.org/t/oauth2/v2.0/authorize",
    .token_endpoint = (char *) "https://login.example.org/t/oauth2/v2.0/token",
    .jwks_uri = (char *) "https://login.example.org/t/discovery/v2.0/keys",
  };
  g_autoptr(MrConfig) config = mr_test_oidc_config (NULL);
  g_autoptr(MrAuthRequest) request = mr_auth_request_new ();
  g_autofree char *url = mr_oidc_build_authorize_url (&discovery, config, request, NULL, NULL);
  g_autoptr(GHashTable) params = query_of (url);

  g_assert_true (g_str_has_prefix (url, "https://login.example.org/t/oauth2/v2.0/authorize?"
                                        "client_id=" CLIENT_ID "&"));
  g_assert_cmpuint (g_hash_table_size (params), ==, 8);
  g_assert_false (g_hash_table_contains (params, "prompt"));
  g_assert_false (g_hash_table_contains (params, "login_hint"));
}

/* ---- Callback ------------------------------------------------------------------------------- */

static void
test_is_redirect (void)
{
  static const struct {
    const char *redirect;
    const char *uri;
    gboolean    expected;
  } cases[] = {
    { REDIRECT_URI, REDIRECT_URI, TRUE },
    { REDIRECT_URI, REDIRECT_URI "?code=x", TRUE },
    { REDIRECT_URI, "HTTP://LocalHost:5000/auth/callback?code=x", TRUE },
    { "https://app.example.org/cb", "https://app.example.org:443/cb", TRUE },
    { "http://app.example.org:80/cb", "http://app.example.org/cb", TRUE },
    { "http://localhost:5000", "http://localhost:5000/?code=x", TRUE },
    { "http://[::1]:5000/cb", "http://[::1]:5000/cb?code=x", TRUE },
    { REDIRECT_URI, "http://localhost.evil.com:5000/auth/callback", FALSE },
    { REDIRECT_URI, "http://127.0.0.1:5000/auth/callback", FALSE },
    { REDIRECT_URI, "http://localhost:5000/auth/callbackx", FALSE },
    { REDIRECT_URI, "http://localhost:5000/auth/callback/x", FALSE },
    { REDIRECT_URI, "http://localhost:5000/auth", FALSE },
    { REDIRECT_URI, "http://localhost:5000/Auth/callback", FALSE },
    /* RFC 3986 §6.2.2: an escaped unreserved character is the same URI, as the web view sees it. */
    { REDIRECT_URI, "http://localhost:5000/auth/%63allback", TRUE },
    { REDIRECT_URI, "http://localhost:5000/auth/callback%2Fx", FALSE },
    { REDIRECT_URI, "http://localhost:5001/auth/callback", FALSE },
    { REDIRECT_URI, "http://localhost/auth/callback", FALSE },
    { REDIRECT_URI, "https://localhost:5000/auth/callback", FALSE },
    { REDIRECT_URI, "http://user@localhost:5000/auth/callback", FALSE },
    { REDIRECT_URI, "http://localhost:5000@evil.com/auth/callback", FALSE },
    { REDIRECT_URI, "/auth/callback?code=x", FALSE },
    { REDIRECT_URI, "not a uri", FALSE },
    { REDIRECT_URI, "", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s vs %s", cases[i].redirect, cases[i].uri);
      g_assert_cmpint (mr_oidc_is_redirect (cases[i].redirect, cases[i].uri), ==,
                       cases[i].expected);
    }
}

static void
test_callback (void)
{
  static const struct {
    const char *uri;
    const char *code;       /* NULL: an error is expected */
    int         error_code;
  } cases[] = {
    { REDIRECT_URI "?code=C0DE&state=" STATE, "C0DE", 0 },
    { REDIRECT_URI "?state=" STATE "&code=a%2Bb+c%2F", "a+b c/", 0 },
    { "http://LOCALHOST:5000/auth/callback?code=C&state=" STATE "&session_state=x", "C", 0 },
    { REDIRECT_URI "?error=access_denied&error_description=the+user+canceled&state=" STATE,
      NULL, MR_OIDC_ERROR_CANCELLED },
    { REDIRECT_URI "?error=access_denied&error_description=AADB2C90091%3a+cancelled.",
      NULL, MR_OIDC_ERROR_CANCELLED },
    { REDIRECT_URI "?error=server_error&state=" STATE, NULL, MR_OIDC_ERROR_RETRY },
    { REDIRECT_URI "?error=invalid_request&state=" STATE, NULL, MR_OIDC_ERROR_PROVIDER },
    { REDIRECT_URI "?error=access_denied&state=WRONG", NULL, MR_OIDC_ERROR_STATE },
    { REDIRECT_URI "?code=C&state=WRONG", NULL, MR_OIDC_ERROR_STATE },
    { REDIRECT_URI "?code=C&state=" STATE "x", NULL, MR_OIDC_ERROR_STATE },
    { REDIRECT_URI "?code=C&state=", NULL, MR_OIDC_ERROR_STATE },
    { REDIRECT_URI "?code=C", NULL, MR_OIDC_ERROR_STATE },
    { REDIRECT_URI "#code=C&state=" STATE, NULL, MR_OIDC_ERROR_STATE },
    { REDIRECT_URI "?state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { REDIRECT_URI "?code=&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { REDIRECT_URI "?code=C&code=D&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { REDIRECT_URI "?code=C&state=" STATE "&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { REDIRECT_URI "?code=%zz&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { "http://localhost.evil.com:5000/auth/callback?code=C&state=" STATE, NULL,
      MR_OIDC_ERROR_CALLBACK },
    { "http://127.0.0.1:5000/auth/callback?code=C&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { "http://localhost:5000/auth/callbackx?code=C&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { "http://localhost:5000/auth/callback/x?code=C&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { "http://localhost:5000/auth?code=C&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { "http://localhost:5050/auth/callback?code=C&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { "https://localhost:5000/auth/callback?code=C&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
    { "http://me@localhost:5000/auth/callback?code=C&state=" STATE, NULL, MR_OIDC_ERROR_CALLBACK },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *code = mr_oidc_parse_callback (REDIRECT_URI, cases[i].uri, STATE, &error);

      g_test_message ("callback %s", cases[i].uri);
      if (cases[i].code != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (code, ==, cases[i].code);
        }
      else
        {
          g_assert_null (code);
          g_assert_error (error, MR_OIDC_ERROR, cases[i].error_code);
          g_assert_null (strstr (error->message, "C0DE"));
        }
    }
}

static void
test_callback_error_messages (void)
{
  g_autoptr(GError) cancelled = NULL;
  g_autoptr(GError) provider = NULL;
  g_autoptr(GError) state = NULL;
  g_autoptr(GError) long_text = NULL;
  g_autoptr(GString) uri = g_string_new (REDIRECT_URI "?error=invalid_request&error_description=");
  g_autofree char *code = NULL;

  code = mr_oidc_parse_callback (REDIRECT_URI, REDIRECT_URI "?error=access_denied&state=" STATE,
                                 STATE, &cancelled);
  g_assert_cmpstr (cancelled->message, ==, "Sign-in was cancelled.");

  /* An error the app has no sentence for keeps the provider's first line, cleaned. */
  code = mr_oidc_parse_callback (REDIRECT_URI, REDIRECT_URI "?error=invalid_request"
                                 "&error_description=AADSTS50000%3a+Something+%1b%5b31mbroke."
                                 "%0d%0aTrace+ID%3a+d59fb20b%0d%0aTimestamp%3a+2023-02-08"
                                 "&state=" STATE, STATE, &provider);
  g_assert_error (provider, MR_OIDC_ERROR, MR_OIDC_ERROR_PROVIDER);
  g_assert_nonnull (strstr (provider->message, "AADSTS50000: Something [31mbroke."));
  g_assert_null (strstr (provider->message, "Trace"));
  g_assert_null (strchr (provider->message, '\x1b'));

  code = mr_oidc_parse_callback (REDIRECT_URI, REDIRECT_URI "?code=C&state=other", STATE, &state);
  g_assert_cmpstr (state->message, ==,
                   "The sign-in answer did not match this sign-in; please try again.");

  for (int i = 0; i < 200; i++)
    g_string_append (uri, "%C3%B6bc+de+");
  g_string_append (uri, "&state=" STATE);
  code = mr_oidc_parse_callback (REDIRECT_URI, uri->str, STATE, &long_text);
  g_assert_error (long_text, MR_OIDC_ERROR, MR_OIDC_ERROR_PROVIDER);
  g_assert_true (g_utf8_validate (long_text->message, -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (long_text->message, -1), <, 400);
  g_assert_nonnull (strstr (long_text->message, "öbc de öbc"));
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/oidc/pkce/rfc7636", test_pkce_rfc7636);
  g_test_add_func ("/oidc/auth-request", test_auth_request);
  g_test_add_func ("/oidc/discovery/url", test_discovery_url);
  g_test_add_func ("/oidc/discovery/urls", test_discovery_urls);
  g_test_add_func ("/oidc/discovery/claims-per-authority-kind", test_claims_per_authority_kind);
  g_test_add_func ("/oidc/end-session-url", test_end_session_url);
  g_test_add_func ("/oidc/discovery/parse", test_discovery_parse);
  g_test_add_func ("/oidc/discovery/parse-errors", test_discovery_parse_errors);
  g_test_add_func ("/oidc/authorize-url/full", test_authorize_url);
  g_test_add_func ("/oidc/authorize-url/minimal", test_authorize_url_minimal);
  g_test_add_func ("/oidc/callback/is-redirect", test_is_redirect);
  g_test_add_func ("/oidc/callback/parse", test_callback);
  g_test_add_func ("/oidc/callback/messages", test_callback_error_messages);

  return g_test_run ();
}

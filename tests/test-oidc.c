/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-identity.h"

#include <string.h>

#include "mr-test-jwt.h"
#include "mr-test-server.h"
#include "mr-base.h"

#define CLIENT_ID    "877afb01-0000-0000-0000-000000000000"
#define TENANT_ID    "9a674bb7-0000-0000-0000-000000000000"
#define REDIRECT_URI "http://localhost:5000/auth/callback"
#define STATE        "st4te-VALUE_123"

static MrConfig *
test_config (const char *authority)
{
  MrConfig *config = mr_config_new ();
  const char *scopes[] = { "openid", "profile", "offline_access", "User.Read", NULL };

  g_free (config->authority);
  config->authority = g_strdup (authority != NULL ? authority : "");
  g_free (config->client_id);
  config->client_id = g_strdup (CLIENT_ID);
  g_free (config->tenant_id);
  config->tenant_id = g_strdup (TENANT_ID);
  g_free (config->redirect_uri);
  config->redirect_uri = g_strdup (REDIRECT_URI);
  g_strfreev (config->scopes);
  config->scopes = g_strdupv ((char **) scopes);
  return config;
}

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
      g_autoptr(MrConfig) config = test_config ("https://unused.example.org");
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
  g_autoptr(MrConfig) config = test_config (NULL);
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
  g_autoptr(MrConfig) config = test_config (NULL);
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

/* ---- Token response ------------------------------------------------------------------------- */

#define TOKEN_OK \
  "{\"token_type\":\"Bearer\",\"scope\":\"openid profile User.Read\",\"expires_in\":3599," \
  "\"ext_expires_in\":3599,\"access_token\":\"AT\",\"refresh_token\":\"RT\",\"id_token\":\"IDT\"}"

#define TOKEN_700082 \
  "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS700082: The refresh token has " \
  "expired due to inactivity.\\r\\nTrace ID: 624f7355\",\"error_codes\":[700082]," \
  "\"error_uri\":\"https://login.microsoftonline.com/error?code=700082\"}"

#define TOKEN_70008 \
  "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70008: The provided authorization " \
  "code or refresh token has expired due to inactivity.\\r\\nTrace ID: ed093f8f-fd6b\\r\\n" \
  "Correlation ID: 86bea907\\r\\nTimestamp: 2016-09-09 18:49:50Z\",\"error_codes\":[70008]," \
  "\"timestamp\":\"2016-09-09 18:49:50Z\",\"trace_id\":\"ed093f8f-fd6b\"}"

static void
test_token_response (void)
{
  g_autoptr(GBytes) body = bytes (TOKEN_OK);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (200, body, NULL, TRUE,
                                                                    &error);

  g_assert_no_error (error);
  g_assert_cmpstr (tokens->access_token, ==, "AT");
  g_assert_cmpstr (tokens->id_token, ==, "IDT");
  g_assert_cmpstr (tokens->refresh_token, ==, "RT");
  g_assert_cmpstr (tokens->token_type, ==, "Bearer");
  g_assert_cmpstr (tokens->scope, ==, "openid profile User.Read");
  g_assert_cmpint (tokens->expires_in, ==, 3599);
  g_assert_null (tokens->claims);
}

static void
test_token_response_variants (void)
{
  static const struct {
    const char *body;
    gint64      expires_in;
    gboolean    has_refresh;
  } cases[] = {
    { "{\"token_type\":\"bearer\",\"expires_in\":\"3600\",\"access_token\":\"A\",\"id_token\":\"I\"}",
      3600, FALSE },
    { "{\"token_type\":\"BEARER\",\"expires_in\":60,\"access_token\":\"A\",\"id_token\":\"I\","
      "\"refresh_token\":\"R\"}", 60, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = bytes (cases[i].body);
      g_autoptr(GError) error = NULL;
      g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (200, body, NULL, TRUE,
                                                                    &error);

      g_assert_no_error (error);
      g_assert_cmpint (tokens->expires_in, ==, cases[i].expires_in);
      g_assert_cmpint (tokens->refresh_token != NULL, ==, cases[i].has_refresh);
    }
}

static void
test_token_response_errors (void)
{
  static const struct {
    guint       status;
    const char *body;
    int         error_code;
  } cases[] = {
    { 400, TOKEN_70008, MR_OIDC_ERROR_EXPIRED },
    { 401, "{\"error\":\"invalid_client\"}", MR_OIDC_ERROR_PROVIDER },
    { 400, "Bad Request", MR_OIDC_ERROR_BAD_RESPONSE },
    { 500, "<html><body>Internal error</body></html>", MR_OIDC_ERROR_BAD_RESPONSE },
    { 502, "", MR_OIDC_ERROR_BAD_RESPONSE },
    { 400, "{\"message\":\"no\"}", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "<html><body>Sign in</body></html>", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"access_token\":", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "[\"access_token\"]", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"token_type\":\"Bearer\",\"expires_in\":1,\"access_token\":\"A\"}",
      MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"token_type\":\"Bearer\",\"expires_in\":1,\"id_token\":\"I\"}",
      MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"token_type\":\"MAC\",\"expires_in\":1,\"access_token\":\"A\",\"id_token\":\"I\"}",
      MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"expires_in\":1,\"access_token\":\"A\",\"id_token\":\"I\"}",
      MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"token_type\":\"Bearer\",\"expires_in\":\"soon\",\"access_token\":\"A\","
      "\"id_token\":\"I\"}", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"token_type\":\"Bearer\",\"expires_in\":1,\"access_token\":7,\"id_token\":\"I\"}",
      MR_OIDC_ERROR_BAD_RESPONSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = bytes (cases[i].body);
      g_autoptr(GError) error = NULL;
      g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (cases[i].status, body,
                                                                        NULL, TRUE, &error);

      g_test_message ("token case %" G_GSIZE_FORMAT, i);
      g_assert_null (tokens);
      g_assert_error (error, MR_OIDC_ERROR, cases[i].error_code);
    }
}

static void
test_token_error_message (void)
{
  g_autoptr(GBytes) body = bytes (TOKEN_70008);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (400, body, NULL, TRUE,
                                                                    &error);

  /* The number decides the sentence (mr-aadsts.c); the provider's words are not repeated. */
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_assert_cmpstr (error->message, ==,
                   "Your sign-in has expired because it was not used for a while. "
                   "Please sign in again.");
}

/* ---- ID token claims ------------------------------------------------------------------------ */

#define NOW    1739607600
#define ISSUER "https://login.example.org/" TENANT_ID "/v2.0"
#define NONCE  "n0nce-of-this-sign-in"

typedef struct {
  const char *category;   /* NULL: the claims pass */
  const char *member1;
  const char *value1;     /* JSON; NULL removes the member */
  const char *member2;
  const char *value2;
} ClaimsCase;

static JsonObject *
claims_for (const ClaimsCase *c)
{
  g_autofree char *text = g_strdup_printf (
    "{\"aud\":\"%s\",\"iss\":\"%s\",\"iat\":%d,\"nbf\":%d,\"exp\":%d,\"nonce\":\"%s\","
    "\"tid\":\"%s\",\"oid\":\"11112222-bbbb\",\"name\":\"Zoë Núñez-Ødegård\",\"ver\":\"2.0\"}",
    CLIENT_ID, ISSUER, NOW - 10, NOW - 10, NOW + 3600, NONCE, TENANT_ID);
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  JsonObject *claims = json_node_get_object (node);
  const char *members[] = { c->member1, c->member2 };
  const char *values[] = { c->value1, c->value2 };

  for (int i = 0; i < 2; i++)
    {
      if (members[i] == NULL)
        continue;
      json_object_remove_member (claims, members[i]);
      if (values[i] != NULL)
        json_object_set_member (claims, members[i], json_from_string (values[i], NULL));
    }
  return json_object_ref (claims);
}

static void
test_claims (void)
{
  static const ClaimsCase cases[] = {
    { NULL },
    { NULL, "aud", "[\"" CLIENT_ID "\"]" },
    { NULL, "aud", "[\"other\",\"" CLIENT_ID "\"]", "azp", "\"" CLIENT_ID "\"" },
    { NULL, "exp", "1739607400" },           /* expired 200 s ago: within the skew */
    { NULL, "iat", "1739607800" },           /* 200 s ahead: within the skew */
    { NULL, "nbf", NULL },
    { NULL, "exp", "1739611200.5" },         /* a NumericDate may have a fraction */
    { NULL, "tid", "\"9A674BB7-0000-0000-0000-000000000000\"" },
    { "iss", "iss", "\"https://login.example.org/other/v2.0\"" },
    { "iss", "iss", "\"" ISSUER "/\"" },
    { "iss", "iss", NULL },
    { "aud", "aud", "\"other-app\"" },
    { "aud", "aud", "[\"other\",\"" CLIENT_ID "\"]" },
    { "aud", "aud", "[\"other\",\"" CLIENT_ID "\"]", "azp", "\"other\"" },
    { "aud", "aud", "[]" },
    { "aud", "aud", NULL },
    { "exp", "exp", "1739607200" },
    { "exp-missing", "exp", NULL },
    { "exp-missing", "exp", "\"tomorrow\"" },
    /* Found by tests/fuzz: casting 1e300 to gint64 was undefined behaviour (read as "expired"). */
    { "exp-missing", "exp", "1e300" },
    { "iat-missing", "iat", "-1e300" },
    { "nbf", "nbf", "1739608000" },
    { "iat", "iat", "1739608000" },
    { "iat-missing", "iat", NULL },
    { "nonce", "nonce", "\"other-nonce\"" },
    { "nonce", "nonce", NULL },
    { "tid", "tid", "\"00000000-0000-0000-0000-000000000000\"" },
    { "tid", "tid", NULL },
  };
  MrIdTokenExpect expect = {
    .issuer = ISSUER, .client_id = CLIENT_ID, .nonce = NONCE, .tenant_id = TENANT_ID,
    .now = NOW, .skew = 300,
  };
  g_autoptr(GHashTable) messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) distinct = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) claims = claims_for (&cases[i]);
      g_autoptr(GError) error = NULL;
      gboolean ok = mr_id_token_check_claims (claims, &expect, &error);

      g_test_message ("claims case %" G_GSIZE_FORMAT " (%s)", i, cases[i].category);
      if (cases[i].category == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          continue;
        }
      g_assert_false (ok);
      g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
      g_assert_null (strstr (error->message, NONCE));
      g_assert_null (strstr (error->message, CLIENT_ID));
      g_hash_table_replace (messages, g_strdup (cases[i].category), g_strdup (error->message));
    }
  /* Every check explains itself differently. */
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, messages);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_hash_table_add (distinct, value);
  g_assert_cmpuint (g_hash_table_size (messages), ==, 9);
  g_assert_cmpuint (g_hash_table_size (distinct), ==, 9);
}

static void
test_claims_optional_checks (void)
{
  static const ClaimsCase other_tid = { NULL, "tid", "\"someone-else\"", "nonce", NULL };
  g_autoptr(JsonObject) claims = claims_for (&other_tid);
  MrIdTokenExpect expect = {
    .issuer = ISSUER, .client_id = CLIENT_ID, .nonce = NULL, .tenant_id = "",
    .now = NOW, .skew = 300,
  };
  g_autoptr(GError) error = NULL;

  /* No tenant configured and no nonce expected (a refreshed token): both checks are skipped. */
  g_assert_true (mr_id_token_check_claims (claims, &expect, &error));
  g_assert_no_error (error);
  expect.tenant_id = NULL;
  g_assert_true (mr_id_token_check_claims (claims, &expect, &error));
  expect.nonce = NONCE;
  g_assert_false (mr_id_token_check_claims (claims, &expect, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
}

/* ---- MrOidcClient against a provider on 127.0.0.1 ------------------------------------------- */

/* RSA keys: the shared test helpers (mr-test-jwt.h). */
static MrTestKey *
test_key (guint index)
{
  return mr_test_key_get (index);
}

static char *
sign_jwt (MrTestKey  *key,
          const char *kid,
          const char *payload)
{
  g_autofree char *header = g_strdup_printf ("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
                                             kid);

  return mr_test_jwt_sign (key, GNUTLS_SIGN_RSA_SHA256, header, payload);
}

typedef enum {
  PROVIDER_GOOD,
  PROVIDER_ROTATED_KEY,     /* tokens signed with k2, which only the second key list shows */
  PROVIDER_UNLISTED_KEY,    /* tokens signed with a key no key list shows */
  PROVIDER_TOKEN_400,
  PROVIDER_GARBAGE_DISCOVERY,
  PROVIDER_DISCOVERY_404,
  PROVIDER_REFRESH_NO_ID_TOKEN,   /* refresh answers without ID token and without rotation */
  PROVIDER_REFRESH_EXPIRED,       /* refresh answers AADSTS700082 */
  PROVIDER_PLAIN,                 /* a plain OpenID provider: discovery at /tenant/.well-known */
} ProviderMode;

typedef struct {
  GMutex        lock;
  ProviderMode  mode;
  char         *url;
  char         *nonce;           /* what the next ID token carries */
  GHashTable   *token_form;      /* the last token request's form */
  char         *token_query;     /* the last token request's query */
  int           discovery_hits;
  int           jwks_hits;
  int           token_hits;
  int           other_hits;
} Provider;

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *content_type,
         const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

static char *
provider_discovery (Provider *self)
{
  return g_strdup_printf (
    "{\"issuer\":\"%s/{tenantid}/v2.0\","
    "\"authorization_endpoint\":\"%s/tenant/oauth2/v2.0/authorize?p=pol\","
    "\"token_endpoint\":\"%s/tenant/oauth2/v2.0/token?p=pol\","
    "\"end_session_endpoint\":\"%s/tenant/oauth2/v2.0/logout\","
    "\"jwks_uri\":\"%s/tenant/discovery/v2.0/keys\","
    "\"id_token_signing_alg_values_supported\":[\"RS256\"]}",
    self->url, self->url, self->url, self->url, self->url);
}

static char *
jwk (guint       index,
     const char *kid)
{
  return g_strdup_printf ("{\"kty\":\"RSA\",\"use\":\"sig\",\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"}",
                          kid, test_key (index)->n, test_key (index)->e);
}

static char *
provider_jwks (Provider *self)
{
  g_autofree char *k1 = jwk (0, "k1");
  g_autofree char *k2 = jwk (1, "k2");

  if (self->mode == PROVIDER_ROTATED_KEY && self->jwks_hits > 1)
    return g_strdup_printf ("{\"keys\":[%s,%s]}", k1, k2);
  return g_strdup_printf ("{\"keys\":[{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":\"P-256\"},%s]}", k1);
}

/* A refreshed ID token has no nonce (@refresh). */
static char *
provider_tokens (Provider *self,
                 gboolean  refresh)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *nonce = refresh ? g_strdup ("") : g_strdup_printf (",\"nonce\":\"%s\"",
                                                                      self->nonce);
  g_autofree char *claims = g_strdup_printf (
    "{\"aud\":\"%s\",\"iss\":\"%s/%s/v2.0\",\"iat\":%" G_GINT64_FORMAT ",\"nbf\":%" G_GINT64_FORMAT
    ",\"exp\":%" G_GINT64_FORMAT "%s,\"tid\":\"%s\",\"oid\":\"11112222-bbbb\","
    "\"name\":\"Zoë Núñez-Ødegård\",\"ver\":\"2.0\"}",
    CLIENT_ID, self->url, TENANT_ID, now, now, now + 3600, nonce, TENANT_ID);
  g_autofree char *id_token = NULL;

  if (self->mode == PROVIDER_ROTATED_KEY)
    id_token = sign_jwt (test_key (1), "k2", claims);
  else if (self->mode == PROVIDER_UNLISTED_KEY)
    id_token = sign_jwt (test_key (1), "k9", claims);
  else
    id_token = sign_jwt (test_key (0), "k1", claims);
  if (refresh && self->mode == PROVIDER_REFRESH_NO_ID_TOKEN)
    return g_strdup ("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
                     "\"access_token\":\"ACCESS-2\"}");
  if (refresh)
    return g_strdup_printf ("{\"token_type\":\"Bearer\",\"scope\":\"openid profile User.Read\","
                            "\"expires_in\":3599,\"access_token\":\"ACCESS-2\",\"refresh_token\":"
                            "\"REFRESH-2\",\"id_token\":\"%s\"}", id_token);
  return g_strdup_printf ("{\"token_type\":\"Bearer\",\"scope\":\"openid profile User.Read\","
                          "\"expires_in\":3599,\"access_token\":\"ACCESS\",\"refresh_token\":"
                          "\"REFRESH\",\"id_token\":\"%s\"}", id_token);
}

static void
provider_token_request (Provider          *self,
                        SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autofree char *form = g_strndup (body->data, body->length);
  g_autofree char *answer = NULL;
  GUri *uri = soup_server_message_get_uri (msg);
  gboolean refresh;

  g_clear_pointer (&self->token_form, g_hash_table_unref);
  self->token_form = soup_form_decode (form);
  g_free (self->token_query);
  self->token_query = g_strdup (g_uri_get_query (uri));
  if (self->mode == PROVIDER_TOKEN_400)
    {
      respond (msg, 400, "application/json", TOKEN_70008);
      return;
    }
  refresh = g_strcmp0 (g_hash_table_lookup (self->token_form, "grant_type"), "refresh_token") == 0;
  if (refresh && self->mode == PROVIDER_REFRESH_EXPIRED)
    {
      respond (msg, 400, "application/json", TOKEN_700082);
      return;
    }
  answer = provider_tokens (self, refresh);
  respond (msg, 200, "application/json", answer);
}

static void
provider_handler (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  Provider *self = user_data;
  g_autofree char *answer = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (g_str_equal (path, self->mode == PROVIDER_PLAIN
                        ? "/tenant/.well-known/openid-configuration"
                        : "/tenant/v2.0/.well-known/openid-configuration"))
    {
      self->discovery_hits++;
      if (self->mode == PROVIDER_GARBAGE_DISCOVERY)
        respond (msg, 200, "text/html", "<html><body>Welcome to nginx!</body></html>");
      else if (self->mode == PROVIDER_DISCOVERY_404)
        respond (msg, 404, "application/json", "{\"error\":\"not_found\"}");
      else
        respond (msg, 200, "application/json", (answer = provider_discovery (self)));
    }
  else if (g_str_equal (path, "/tenant/discovery/v2.0/keys"))
    {
      self->jwks_hits++;
      respond (msg, 200, "application/json", (answer = provider_jwks (self)));
    }
  else if (g_str_equal (path, "/tenant/oauth2/v2.0/token")
           && g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      self->token_hits++;
      provider_token_request (self, msg);
    }
  else
    {
      self->other_hits++;
      respond (msg, 404, "text/plain", "not found");
    }
}

/* No proxy: every peer is on 127.0.0.1, and the isolated XDG dirs hide the proxy schemas. */
static SoupSession *
test_session_new (void)
{
  return soup_session_new_with_options ("proxy-resolver", NULL, NULL);
}

typedef struct {
  Provider          provider;
  MrTestServer     *server;
  SoupSession      *session;
  MrOidcClient     *client;
  MrAuthRequest    *request;
} ClientFixture;

static void
client_fixture_set_up (ClientFixture *fixture,
                       gconstpointer  data)
{
  g_autoptr(MrConfig) config = NULL;
  g_autofree char *authority = NULL;

  g_mutex_init (&fixture->provider.lock);
  fixture->provider.mode = GPOINTER_TO_INT (data);
  fixture->request = mr_auth_request_new ();
  fixture->provider.nonce = g_strdup (fixture->request->nonce);
  fixture->server = mr_test_server_new (provider_handler, &fixture->provider);
  g_mutex_lock (&fixture->provider.lock);
  fixture->provider.url = g_strdup (mr_test_server_get_url (fixture->server));
  g_mutex_unlock (&fixture->provider.lock);

  authority = g_strconcat (fixture->provider.url, "/tenant/", NULL);
  config = test_config (authority);
  fixture->session = test_session_new ();
  fixture->client = mr_oidc_client_new (fixture->session, config);
}

static void
client_fixture_tear_down (ClientFixture *fixture,
                          gconstpointer  data)
{
  g_assert_finalize_object (fixture->client);
  g_clear_object (&fixture->session);
  mr_test_server_free (fixture->server);
  g_clear_pointer (&fixture->request, mr_auth_request_free);
  g_clear_pointer (&fixture->provider.token_form, g_hash_table_unref);
  g_free (fixture->provider.token_query);
  g_free (fixture->provider.url);
  g_free (fixture->provider.nonce);
  g_mutex_clear (&fixture->provider.lock);
}

/* Requests the provider saw so far, as "discovery/jwks/token/other". */
static char *
hits (ClientFixture *fixture)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&fixture->provider.lock);

  return g_strdup_printf ("%d/%d/%d/%d", fixture->provider.discovery_hits,
                          fixture->provider.jwks_hits, fixture->provider.token_hits,
                          fixture->provider.other_hits);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_assert_nonnull (*slot);
  return *slot;
}

static gboolean
prefetch (ClientFixture  *fixture,
          GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_oidc_client_prefetch_async (fixture->client, NULL, store_result_cb, &result);
  wait_for_result (&result);
  return mr_oidc_client_prefetch_finish (fixture->client, result, error);
}

static MrTokenSet *
exchange (ClientFixture  *fixture,
          GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_oidc_client_exchange_code_async (fixture->client, fixture->request, "C0DE-from-callback",
                                      NULL, store_result_cb, &result);
  wait_for_result (&result);
  return mr_oidc_client_exchange_code_finish (fixture->client, result, error);
}

static void
assert_token_request (ClientFixture *fixture)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&fixture->provider.lock);
  GHashTable *form = fixture->provider.token_form;

  g_assert_nonnull (form);
  g_assert_cmpstr (fixture->provider.token_query, ==, "p=pol");
  g_assert_cmpstr (g_hash_table_lookup (form, "grant_type"), ==, "authorization_code");
  g_assert_cmpstr (g_hash_table_lookup (form, "client_id"), ==, CLIENT_ID);
  g_assert_cmpstr (g_hash_table_lookup (form, "code"), ==, "C0DE-from-callback");
  g_assert_cmpstr (g_hash_table_lookup (form, "redirect_uri"), ==, REDIRECT_URI);
  g_assert_cmpstr (g_hash_table_lookup (form, "code_verifier"), ==,
                   fixture->request->code_verifier);
  g_assert_cmpstr (g_hash_table_lookup (form, "scope"), ==,
                   "openid profile offline_access User.Read");
  g_assert_cmpuint (g_hash_table_size (form), ==, 6);
  g_assert_false (g_hash_table_contains (form, "client_secret"));
}

static void
test_client_prefetch_then_exchange (ClientFixture *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after_prefetch = NULL;
  g_autofree char *after_exchange = NULL;
  g_autofree char *after_second_prefetch = NULL;
  const MrOidcDiscovery *discovery;

  g_assert_null (mr_oidc_client_get_discovery (fixture->client));
  g_assert_true (prefetch (fixture, &error));
  g_assert_no_error (error);
  after_prefetch = hits (fixture);
  g_assert_cmpstr (after_prefetch, ==, "1/1/0/0");
  discovery = mr_oidc_client_get_discovery (fixture->client);
  g_assert_nonnull (discovery);
  g_assert_true (g_str_has_suffix (discovery->token_endpoint, "/tenant/oauth2/v2.0/token?p=pol"));

  tokens = exchange (fixture, &error);
  g_assert_no_error (error);
  after_exchange = hits (fixture);
  /* The critical path after the callback: exactly one request, the token POST. */
  g_assert_cmpstr (after_exchange, ==, "1/1/1/0");
  assert_token_request (fixture);
  g_assert_cmpstr (tokens->access_token, ==, "ACCESS");
  g_assert_cmpstr (tokens->refresh_token, ==, "REFRESH");
  g_assert_nonnull (tokens->claims);
  g_assert_cmpstr (mr_json_get_string (tokens->claims, "name"), ==, "Zoë Núñez-Ødegård");
  g_assert_cmpstr (mr_json_get_string (tokens->claims, "tid"), ==, TENANT_ID);

  g_assert_true (prefetch (fixture, &error));
  after_second_prefetch = hits (fixture);
  g_assert_cmpstr (after_second_prefetch, ==, "1/1/1/0");
}

static void
test_client_exchange_without_prefetch (ClientFixture *fixture,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = exchange (fixture, &error);
  g_autofree char *after = hits (fixture);

  g_assert_no_error (error);
  g_assert_nonnull (tokens->claims);
  g_assert_cmpstr (after, ==, "1/1/1/0");
  assert_token_request (fixture);
}

static void
test_client_rotated_key (ClientFixture *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after = NULL;

  g_assert_true (prefetch (fixture, &error));
  tokens = exchange (fixture, &error);
  after = hits (fixture);
  g_assert_no_error (error);
  g_assert_nonnull (tokens->claims);
  /* One extra key-list request, no more. */
  g_assert_cmpstr (after, ==, "1/2/1/0");
}

static void
test_client_unlisted_key (ClientFixture *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after = NULL;

  g_assert_true (prefetch (fixture, &error));
  tokens = exchange (fixture, &error);
  after = hits (fixture);
  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
  g_assert_cmpstr (after, ==, "1/2/1/0");
}

static void
test_client_wrong_nonce (ClientFixture *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;

  g_assert_true (prefetch (fixture, &error));
  g_mutex_lock (&fixture->provider.lock);
  g_free (fixture->provider.nonce);
  fixture->provider.nonce = g_strdup ("a-nonce-from-another-sign-in");
  g_mutex_unlock (&fixture->provider.lock);
  tokens = exchange (fixture, &error);
  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
  g_assert_null (strstr (error->message, "ACCESS"));
}

static void
test_client_token_400 (ClientFixture *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;

  g_assert_true (prefetch (fixture, &error));
  tokens = exchange (fixture, &error);
  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_assert_nonnull (strstr (error->message, "Please sign in again."));
  g_assert_null (strstr (error->message, "Trace ID"));
  g_assert_null (strstr (error->message, "C0DE"));
}

static void
test_client_bad_discovery (ClientFixture *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after = NULL;

  g_assert_false (prefetch (fixture, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE);
  g_assert_null (mr_oidc_client_get_discovery (fixture->client));
  g_clear_error (&error);

  /* The exchange tries the prefetch again and fails the same way, without a token request. */
  tokens = exchange (fixture, &error);
  after = hits (fixture);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE);
  /* A 404 on a loopback authority also tries {authority}/.well-known/… (a plain provider), which
   * this provider does not serve either ("other"); garbage is not a 404 and is not retried. */
  if (GPOINTER_TO_INT (data) == PROVIDER_DISCOVERY_404)
    g_assert_cmpstr (after, ==, "2/0/0/2");
  else
    g_assert_cmpstr (after, ==, "2/0/0/0");
}

static void
test_client_closed_port (void)
{
  MrTestServer *server = mr_test_server_new (provider_handler, NULL);
  g_autofree char *authority = g_strconcat (mr_test_server_get_url (server), "/tenant", NULL);
  g_autoptr(MrConfig) config = NULL;
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(MrOidcClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* The port was just ours and is now closed. */
  mr_test_server_free (server);
  config = test_config (authority);
  client = mr_oidc_client_new (session, config);
  mr_oidc_client_prefetch_async (client, NULL, store_result_cb, &result);
  wait_for_result (&result);
  g_assert_false (mr_oidc_client_prefetch_finish (client, result, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK);
}

static void
test_client_cancelled (ClientFixture *fixture,
                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  mr_oidc_client_prefetch_async (fixture->client, cancellable, store_result_cb, &result);
  wait_for_result (&result);
  g_assert_false (mr_oidc_client_prefetch_finish (fixture->client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The system browser signs in through a loopback listener: its redirect URI, not the config's,
 * goes in the authorize URL and in the exchange (they must match, or Entra says 50011). */
static void
test_client_loopback_redirect (ClientFixture *fixture,
                               gconstpointer  data)
{
  static const char loopback[] = "http://127.0.0.1:43111/auth/callback";
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *url = NULL;
  g_autofree char *escaped = g_uri_escape_string (loopback, NULL, FALSE);
  g_autoptr(MrConfig) config = test_config ("https://login.example/tenant");

  fixture->request->redirect_uri = g_strdup (loopback);
  g_assert_true (prefetch (fixture, &error));
  url = mr_oidc_build_authorize_url (mr_oidc_client_get_discovery (fixture->client), config,
                                     fixture->request, NULL, NULL);
  g_assert_nonnull (strstr (url, escaped));
  tokens = exchange (fixture, &error);
  g_assert_no_error (error);
  g_mutex_lock (&fixture->provider.lock);
  g_assert_cmpstr (g_hash_table_lookup (fixture->provider.token_form, "redirect_uri"), ==, loopback);
  g_mutex_unlock (&fixture->provider.lock);
}

/* The Welcome page's prefetch and an early tap on Sign in overlap: one set of requests serves
 * both, and a caller that gives up does not stop the other. */
static void
test_client_concurrent_prefetch (ClientFixture *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GAsyncResult) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  mr_oidc_client_prefetch_async (fixture->client, NULL, store_result_cb, &first);
  mr_oidc_client_prefetch_async (fixture->client, cancellable, store_result_cb, &second);
  mr_oidc_client_prefetch_async (fixture->client, NULL, store_result_cb, &third);
  g_cancellable_cancel (cancellable);
  wait_for_result (&first);
  wait_for_result (&second);
  wait_for_result (&third);
  g_assert_true (mr_oidc_client_prefetch_finish (fixture->client, first, &error));
  g_assert_no_error (error);
  g_assert_false (mr_oidc_client_prefetch_finish (fixture->client, second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (mr_oidc_client_prefetch_finish (fixture->client, third, &error));
  g_assert_no_error (error);
  after = hits (fixture);
  g_assert_cmpstr (after, ==, "1/1/0/0");
  g_assert_nonnull (mr_oidc_client_get_discovery (fixture->client));
}

static MrTokenSet *
refresh (ClientFixture  *fixture,
         const char     *refresh_token,
         GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_oidc_client_refresh_async (fixture->client, refresh_token, NULL, store_result_cb, &result);
  wait_for_result (&result);
  return mr_oidc_client_refresh_finish (fixture->client, result, error);
}

static void
assert_refresh_request (ClientFixture *fixture,
                        const char    *refresh_token)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&fixture->provider.lock);
  GHashTable *form = fixture->provider.token_form;

  g_assert_cmpstr (g_hash_table_lookup (form, "grant_type"), ==, "refresh_token");
  g_assert_cmpstr (g_hash_table_lookup (form, "client_id"), ==, CLIENT_ID);
  g_assert_cmpstr (g_hash_table_lookup (form, "refresh_token"), ==, refresh_token);
  g_assert_cmpstr (g_hash_table_lookup (form, "scope"), ==,
                   "openid profile offline_access User.Read");
  g_assert_cmpuint (g_hash_table_size (form), ==, 4);
}

/* The rotated refresh token comes back; the new ID token is checked without a nonce. */
static void
test_client_refresh (ClientFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after = NULL;

  tokens = refresh (fixture, "REFRESH-1", &error);
  after = hits (fixture);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, "1/1/1/0");
  assert_refresh_request (fixture, "REFRESH-1");
  g_assert_cmpstr (tokens->access_token, ==, "ACCESS-2");
  g_assert_cmpstr (tokens->refresh_token, ==, "REFRESH-2");
  g_assert_nonnull (tokens->claims);
  g_assert_false (json_object_has_member (tokens->claims, "nonce"));
  g_assert_cmpstr (mr_json_get_string (tokens->claims, "oid"), ==, "11112222-bbbb");
}

static void
test_client_refresh_without_id_token (ClientFixture *fixture,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = refresh (fixture, "REFRESH-1", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (tokens->access_token, ==, "ACCESS-2");
  /* Not rotated: the one presented stays the one to keep. */
  g_assert_cmpstr (tokens->refresh_token, ==, "REFRESH-1");
  g_assert_null (tokens->id_token);
  g_assert_null (tokens->claims);
}

/* A refreshed ID token signed with a key the provider never listed is refused, after one
 * refetch of the key set. */
static void
test_client_refresh_unlisted_key (ClientFixture *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = refresh (fixture, "REFRESH-1", &error);
  g_autofree char *after = hits (fixture);

  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
  g_assert_cmpstr (after, ==, "1/2/1/0");
}

static void
test_client_refresh_expired (ClientFixture *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = refresh (fixture, "REFRESH-1", &error);

  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_assert_null (strstr (error->message, "REFRESH-1"));
  g_assert_null (strstr (error->message, "Trace"));
}

/* A plain provider on loopback: /v2.0 answers 404, then {authority}/.well-known/… is used. */
static void
test_client_plain_provider (ClientFixture *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after_prefetch = NULL;

  g_assert_true (prefetch (fixture, &error));
  g_assert_no_error (error);
  after_prefetch = hits (fixture);
  g_assert_cmpstr (after_prefetch, ==, "1/1/0/1");
  tokens = exchange (fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens->claims);
}

static void
add_client_test (const char   *path,
                 ProviderMode  mode,
                 void        (*test) (ClientFixture *, gconstpointer))
{
  g_test_add (path, ClientFixture, GINT_TO_POINTER (mode), client_fixture_set_up, test,
              client_fixture_tear_down);
}

static void
add_client_tests (void)
{
  add_client_test ("/oidc/client/prefetch-then-exchange", PROVIDER_GOOD,
                   test_client_prefetch_then_exchange);
  add_client_test ("/oidc/client/exchange-without-prefetch", PROVIDER_GOOD,
                   test_client_exchange_without_prefetch);
  add_client_test ("/oidc/client/rotated-key", PROVIDER_ROTATED_KEY, test_client_rotated_key);
  add_client_test ("/oidc/client/unlisted-key", PROVIDER_UNLISTED_KEY, test_client_unlisted_key);
  add_client_test ("/oidc/client/wrong-nonce", PROVIDER_GOOD, test_client_wrong_nonce);
  add_client_test ("/oidc/client/token-400", PROVIDER_TOKEN_400, test_client_token_400);
  add_client_test ("/oidc/client/garbage-discovery", PROVIDER_GARBAGE_DISCOVERY,
                   test_client_bad_discovery);
  add_client_test ("/oidc/client/discovery-404", PROVIDER_DISCOVERY_404,
                   test_client_bad_discovery);
  add_client_test ("/oidc/client/cancelled", PROVIDER_GOOD, test_client_cancelled);
  add_client_test ("/oidc/client/concurrent-prefetch", PROVIDER_GOOD,
                   test_client_concurrent_prefetch);
  add_client_test ("/oidc/client/loopback-redirect", PROVIDER_GOOD, test_client_loopback_redirect);
  g_test_add_func ("/oidc/client/closed-port", test_client_closed_port);
  add_client_test ("/oidc/client/refresh", PROVIDER_GOOD, test_client_refresh);
  add_client_test ("/oidc/client/refresh-without-id-token", PROVIDER_REFRESH_NO_ID_TOKEN,
                   test_client_refresh_without_id_token);
  add_client_test ("/oidc/client/refresh-unlisted-key", PROVIDER_UNLISTED_KEY,
                   test_client_refresh_unlisted_key);
  add_client_test ("/oidc/client/refresh-expired", PROVIDER_REFRESH_EXPIRED,
                   test_client_refresh_expired);
  add_client_test ("/oidc/client/plain-provider", PROVIDER_PLAIN, test_client_plain_provider);
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
  g_test_add_func ("/oidc/token/good", test_token_response);
  g_test_add_func ("/oidc/token/variants", test_token_response_variants);
  g_test_add_func ("/oidc/token/errors", test_token_response_errors);
  g_test_add_func ("/oidc/token/error-message", test_token_error_message);
  g_test_add_func ("/oidc/claims/table", test_claims);
  g_test_add_func ("/oidc/claims/optional", test_claims_optional_checks);
  add_client_tests ();

  return g_test_run ();
}

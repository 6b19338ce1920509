/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An OpenID provider on 127.0.0.1 and an MrOidcClient pointed at it, for the client's tests. */
#include "mr-test-oidc.h"

#include <string.h>

#include "mr-base.h"
#include "mr-test-jwt.h"

#define CLIENT_ID    MR_TEST_OIDC_CLIENT_ID
#define TENANT_ID    MR_TEST_OIDC_TENANT_ID
#define REDIRECT_URI MR_TEST_OIDC_REDIRECT_URI

MrConfig *
mr_test_oidc_config (const char *authority)
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
provider_discovery (MrTestProvider *self)
{
  if (self->mode == MR_TEST_PROVIDER_DEVICE)
    return g_strdup_printf (
      "{\"issuer\":\"%s/{tenantid}/v2.0\","
      "\"authorization_endpoint\":\"%s/tenant/oauth2/v2.0/authorize\","
      "\"token_endpoint\":\"%s/tenant/oauth2/v2.0/token\","
      "\"device_authorization_endpoint\":\"%s/tenant/oauth2/v2.0/devicecode\","
      "\"jwks_uri\":\"%s/tenant/discovery/v2.0/keys\"}",
      self->url, self->url, self->url, self->url, self->url);
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
provider_jwks (MrTestProvider *self)
{
  g_autofree char *k1 = jwk (0, "k1");
  g_autofree char *k2 = jwk (1, "k2");

  if (self->mode == MR_TEST_PROVIDER_ROTATED_KEY && self->jwks_hits > 1)
    return g_strdup_printf ("{\"keys\":[%s,%s]}", k1, k2);
  return g_strdup_printf ("{\"keys\":[{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":\"P-256\"},%s]}", k1);
}

/* A refreshed ID token has no nonce (@refresh). */
static char *
provider_tokens (MrTestProvider *self,
                 gboolean        refresh)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  /* No nonce either when the test sets none (what a device-code token looks like). */
  g_autofree char *nonce = refresh || self->nonce == NULL
                           ? g_strdup ("") : g_strdup_printf (",\"nonce\":\"%s\"", self->nonce);
  g_autofree char *claims = g_strdup_printf (
    "{\"aud\":\"%s\",\"iss\":\"%s/%s/v2.0\",\"iat\":%" G_GINT64_FORMAT ",\"nbf\":%" G_GINT64_FORMAT
    ",\"exp\":%" G_GINT64_FORMAT "%s,\"tid\":\"%s\",\"oid\":\"11112222-bbbb\","
    "\"name\":\"Zoë Núñez-Ødegård\",\"ver\":\"2.0\"}",
    CLIENT_ID, self->url, TENANT_ID, now, now, now + 3600, nonce, TENANT_ID);
  g_autofree char *id_token = NULL;

  if (self->mode == MR_TEST_PROVIDER_ROTATED_KEY)
    id_token = sign_jwt (test_key (1), "k2", claims);
  else if (self->mode == MR_TEST_PROVIDER_UNLISTED_KEY)
    id_token = sign_jwt (test_key (1), "k9", claims);
  else
    id_token = sign_jwt (test_key (0), "k1", claims);
  if (refresh && self->mode == MR_TEST_PROVIDER_REFRESH_NO_ID_TOKEN)
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

/* Entra's error body for a device-code poll. */
static void
respond_device_error (SoupServerMessage *msg,
                      const char        *error,
                      guint              code)
{
  g_autofree char *body = g_strdup_printf ("{\"error\":\"%s\",\"error_description\":"
                                           "\"AADSTS%u: device flow.\\r\\nTrace ID: 1\","
                                           "\"error_codes\":[%u]}", error, code, code);

  respond (msg, 400, "application/json", body);
}

static void
provider_device_poll (MrTestProvider    *self,
                      SoupServerMessage *msg)
{
  guint n = self->device_script != NULL ? g_strv_length ((char **) self->device_script) : 0;
  const char *step = n > 0 ? self->device_script[MIN (self->device_polls, n - 1)] : "pending";
  g_autofree char *answer = NULL;

  self->device_polls++;
  if (g_str_equal (step, "pending"))
    respond_device_error (msg, "authorization_pending", 70016);
  else if (g_str_equal (step, "slow_down"))
    respond_device_error (msg, "slow_down", 70016);
  else if (g_str_equal (step, "declined"))
    respond_device_error (msg, "authorization_declined", 70017);
  else if (g_str_equal (step, "expired"))
    respond_device_error (msg, "expired_token", 70020);
  else if (g_str_equal (step, "bad"))
    respond_device_error (msg, "bad_verification_code", 70019);
  else if (g_str_equal (step, "503"))
    respond (msg, 503, "text/html", "<html><body>Service Unavailable</body></html>");
  else if (g_str_equal (step, "cut"))
    {
      GIOStream *stream = soup_server_message_steal_connection (msg);

      g_io_stream_close (stream, NULL, NULL);
      g_object_unref (stream);
    }
  else
    {
      MrTestProviderMode mode = self->mode;

      /* The device grant sends no nonce: its ID token is a refresh's, without one. */
      if (g_str_equal (step, "tokens-unlisted"))
        self->mode = MR_TEST_PROVIDER_UNLISTED_KEY;
      answer = provider_tokens (self, TRUE);
      self->mode = mode;
      respond (msg, 200, "application/json", answer);
    }
}

static const char device_answer[] =
  "{\"user_code\":\"BCDFGHJKL\",\"device_code\":\"DEVICE-CODE-1\","
  "\"verification_uri\":\"https://microsoft.com/devicelogin\",\"expires_in\":900,"
  "\"interval\":5,\"message\":\"To sign in, use a web browser to open the page "
  "https://microsoft.com/devicelogin and enter the code BCDFGHJKL to authenticate.\"}";

static void
provider_device_request (MrTestProvider    *self,
                         SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autofree char *form = g_strndup (body->data, body->length);

  g_clear_pointer (&self->device_form, g_hash_table_unref);
  self->device_form = soup_form_decode (form);
  respond (msg, 200, "application/json", self->device_answer ? self->device_answer
                                                             : device_answer);
}

static void
provider_token_request (MrTestProvider    *self,
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
  if (self->mode == MR_TEST_PROVIDER_TOKEN_400)
    {
      respond (msg, 400, "application/json", MR_TEST_OIDC_TOKEN_70008);
      return;
    }
  if (g_strcmp0 (g_hash_table_lookup (self->token_form, "grant_type"),
                 "urn:ietf:params:oauth:grant-type:device_code") == 0)
    {
      provider_device_poll (self, msg);
      return;
    }
  refresh = g_strcmp0 (g_hash_table_lookup (self->token_form, "grant_type"), "refresh_token") == 0;
  if (refresh && self->mode == MR_TEST_PROVIDER_REFRESH_EXPIRED)
    {
      respond (msg, 400, "application/json", MR_TEST_OIDC_TOKEN_700082);
      return;
    }
  answer = provider_tokens (self, refresh);
  respond (msg, 200, "application/json", answer);
}

void
mr_test_provider_handler (SoupServer        *server,
                          SoupServerMessage *msg,
                          const char        *path,
                          GHashTable        *query,
                          gpointer           user_data)
{
  MrTestProvider *self = user_data;
  g_autofree char *answer = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (g_str_equal (path, self->mode == MR_TEST_PROVIDER_PLAIN
                        ? "/tenant/.well-known/openid-configuration"
                        : "/tenant/v2.0/.well-known/openid-configuration"))
    {
      self->discovery_hits++;
      if (self->mode == MR_TEST_PROVIDER_GARBAGE_DISCOVERY)
        respond (msg, 200, "text/html", "<html><body>Welcome to nginx!</body></html>");
      else if (self->mode == MR_TEST_PROVIDER_DISCOVERY_404)
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
  else if (g_str_equal (path, "/tenant/oauth2/v2.0/devicecode")
           && self->mode == MR_TEST_PROVIDER_DEVICE
           && g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      self->other_hits++;
      provider_device_request (self, msg);
    }
  else
    {
      self->other_hits++;
      respond (msg, 404, "text/plain", "not found");
    }
}

/* No proxy: every peer is on 127.0.0.1, and the isolated XDG dirs hide the proxy schemas. */
SoupSession *
mr_test_oidc_session_new (void)
{
  return soup_session_new_with_options ("proxy-resolver", NULL, NULL);
}

static void
client_fixture_set_up (MrTestOidcFixture *fixture,
                       gconstpointer      data)
{
  g_autoptr(MrConfig) config = NULL;
  g_autofree char *authority = NULL;

  g_mutex_init (&fixture->provider.lock);
  fixture->provider.mode = GPOINTER_TO_INT (data);
  fixture->request = mr_auth_request_new ();
  fixture->provider.nonce = g_strdup (fixture->request->nonce);
  fixture->server = mr_test_server_new (mr_test_provider_handler, &fixture->provider);
  g_mutex_lock (&fixture->provider.lock);
  fixture->provider.url = g_strdup (mr_test_server_get_url (fixture->server));
  g_mutex_unlock (&fixture->provider.lock);

  authority = g_strconcat (fixture->provider.url, "/tenant/", NULL);
  config = mr_test_oidc_config (authority);
  fixture->session = mr_test_oidc_session_new ();
  fixture->client = mr_oidc_client_new (fixture->session, config);
}

static void
client_fixture_tear_down (MrTestOidcFixture *fixture,
                          gconstpointer      data)
{
  g_assert_finalize_object (fixture->client);
  g_clear_object (&fixture->session);
  mr_test_server_free (fixture->server);
  g_clear_pointer (&fixture->request, mr_auth_request_free);
  g_clear_pointer (&fixture->provider.token_form, g_hash_table_unref);
  g_clear_pointer (&fixture->provider.device_form, g_hash_table_unref);
  g_free (fixture->provider.token_query);
  g_free (fixture->provider.url);
  g_free (fixture->provider.nonce);
  g_mutex_clear (&fixture->provider.lock);
}

/* Requests the provider saw so far, as "discovery/jwks/token/other". */
char *
mr_test_oidc_hits (MrTestOidcFixture *fixture)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&fixture->provider.lock);

  return g_strdup_printf ("%d/%d/%d/%d", fixture->provider.discovery_hits,
                          fixture->provider.jwks_hits, fixture->provider.token_hits,
                          fixture->provider.other_hits);
}

void
mr_test_oidc_store_result_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
mr_test_oidc_wait_for_result (GAsyncResult **slot)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_assert_nonnull (*slot);
  return *slot;
}

gboolean
mr_test_oidc_prefetch (MrTestOidcFixture  *fixture,
                       GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_oidc_client_prefetch_async (fixture->client, NULL, mr_test_oidc_store_result_cb, &result);
  mr_test_oidc_wait_for_result (&result);
  return mr_oidc_client_prefetch_finish (fixture->client, result, error);
}

MrTokenSet *
mr_test_oidc_exchange (MrTestOidcFixture  *fixture,
                       GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_oidc_client_exchange_code_async (fixture->client, fixture->request, "C0DE-from-callback",
                                      NULL, mr_test_oidc_store_result_cb, &result);
  mr_test_oidc_wait_for_result (&result);
  return mr_oidc_client_exchange_code_finish (fixture->client, result, error);
}

void
mr_test_oidc_assert_token_request (MrTestOidcFixture *fixture)
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


MrTokenSet *
mr_test_oidc_refresh (MrTestOidcFixture  *fixture,
                      const char         *refresh_token,
                      GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_oidc_client_refresh_async (fixture->client, refresh_token, NULL, mr_test_oidc_store_result_cb,
                                &result);
  mr_test_oidc_wait_for_result (&result);
  return mr_oidc_client_refresh_finish (fixture->client, result, error);
}

void
mr_test_oidc_add (const char         *path,
                  MrTestProviderMode  mode,
                  MrTestOidcTestFunc  test)
{
  g_test_add (path, MrTestOidcFixture, GINT_TO_POINTER (mode), client_fixture_set_up, test,
              client_fixture_tear_down);
}

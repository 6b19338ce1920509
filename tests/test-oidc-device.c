/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr-oidc-device.c and the device-code poll of mr-oidc-client-token.c: the device authorization
 * endpoint's answer read strictly, where the endpoint is, what a poll's answer means, and the
 * requests against an OpenID provider on 127.0.0.1 (mr-test-oidc.h). */
#include "mr-identity.h"

#include <string.h>

#include "mr-oidc-private.h"
#include "mr-test-oidc.h"

#define GOOD_ANSWER \
  "{\"user_code\":\"BCDFGHJKL\",\"device_code\":\"DEVICE-1\"," \
  "\"verification_uri\":\"https://microsoft.com/devicelogin\",\"expires_in\":900," \
  "\"interval\":5,\"message\":\"To sign in, use a web browser.\"}"

static MrDeviceAuthorization *
parse (guint        status,
       const char  *text,
       GError     **error)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  return mr_oidc_parse_device_authorization (status, body, error);
}

static void
test_parse_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrDeviceAuthorization) a = parse (200, GOOD_ANSWER, &error);
  g_autoptr(MrDeviceAuthorization) b = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (a->user_code, ==, "BCDFGHJKL");
  g_assert_cmpstr (a->device_code, ==, "DEVICE-1");
  g_assert_cmpstr (a->verification_uri, ==, "https://microsoft.com/devicelogin");
  g_assert_null (a->verification_uri_complete);
  g_assert_cmpstr (a->message, ==, "To sign in, use a web browser.");
  g_assert_cmpuint (a->expires_in, ==, 900);
  g_assert_cmpuint (a->interval, ==, 5);

  /* RFC 8628 §3.2: interval and message are optional (interval then 5 s); a complete URI is
   * kept; the sandbox's plain http on loopback is a page. */
  b = parse (200, "{\"user_code\":\"WDJB-MJHT\",\"device_code\":\"GmRh\",\"expires_in\":1800,"
                  "\"verification_uri\":\"http://127.0.0.1:8080/t/oauth2/deviceauth\","
                  "\"verification_uri_complete\":\"https://example.com/device?user_code=WDJB-MJHT\"}",
             &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->interval, ==, 5);
  g_assert_null (b->message);
  g_assert_cmpstr (b->verification_uri_complete, ==,
                   "https://example.com/device?user_code=WDJB-MJHT");
}

/* Each of these is one sentence, never a half-read code on the screen. */
static const char * const malformed[] = {
  "",
  "not json",
  "[]",
  "{}",
  /* a member missing */
  "{\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\",\"expires_in\":900}",
  "{\"user_code\":\"U\",\"verification_uri\":\"https://a.example/d\",\"expires_in\":900}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"expires_in\":900}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\"}",
  /* the wrong type or an empty value */
  "{\"user_code\":7,\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":900}",
  "{\"user_code\":\"\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":900}",
  "{\"user_code\":\"U\",\"device_code\":\"\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":900}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":\"900\"}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":900.5}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":900,\"message\":null}",
  /* out of range */
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":0}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":-5}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":99999999999}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":900,\"interval\":0}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":900,\"interval\":3600}",
  /* a code nobody can type */
  "{\"user_code\":\"AB CD\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":900}",
  "{\"user_code\":\"AB\\nCD\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":900}",
  /* a page the phone must not be sent to */
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"http://evil.example/d\","
  "\"expires_in\":900}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"javascript:alert(1)\","
  "\"expires_in\":900}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"/devicelogin\","
  "\"expires_in\":900}",
  "{\"user_code\":\"U\",\"device_code\":\"D\",\"verification_uri\":\"https://a.example/d\","
  "\"expires_in\":900,\"verification_uri_complete\":\"http://evil.example/d?c=U\"}",
};

static void
test_parse_malformed (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MrDeviceAuthorization) a = parse (200, malformed[i], &error);

      if (a != NULL)
        g_error ("accepted: %s", malformed[i]);
      g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE);
      g_assert_cmpstr (error->message, ==, "The sign-in service sent a phone sign-in code the "
                                           "app cannot use. Please sign in on this screen "
                                           "instead.");
    }
}

/* The endpoint's errors are Entra's token errors: mapped to a sentence by number. */
static void
test_parse_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrDeviceAuthorization) a = NULL;

  a = parse (400, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS700016: "
                  "Application with identifier 'x' was not found in the directory 'y'.\","
                  "\"error_codes\":[700016]}", &error);
  g_assert_null (a);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CONFIG);
  g_clear_error (&error);
  a = parse (502, "<html>Bad gateway</html>", &error);
  g_assert_null (a);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE);
}

static void
test_classify (void)
{
  static const struct {
    guint        status;
    const char  *body;
    MrDevicePoll poll;
  } cases[] = {
    { 200, "{}", MR_DEVICE_POLL_DONE },
    { 400, "{\"error\":\"authorization_pending\"}", MR_DEVICE_POLL_PENDING },
    { 400, "{\"error\":\"slow_down\"}", MR_DEVICE_POLL_SLOW_DOWN },
    { 400, "{\"error\":\"authorization_declined\"}", MR_DEVICE_POLL_DECLINED },
    { 400, "{\"error\":\"access_denied\"}", MR_DEVICE_POLL_DECLINED },
    { 400, "{\"error\":\"expired_token\"}", MR_DEVICE_POLL_EXPIRED },
    { 400, "{\"error\":\"bad_verification_code\"}", MR_DEVICE_POLL_FAILED },
    { 400, "{\"error\":\"invalid_grant\"}", MR_DEVICE_POLL_FAILED },
    { 400, "not json", MR_DEVICE_POLL_FAILED },
    { 401, "{\"error\":[\"authorization_pending\"]}", MR_DEVICE_POLL_FAILED },
    { 500, "{\"error\":\"server_error\"}", MR_DEVICE_POLL_UNAVAILABLE },
    { 503, "<html>Service Unavailable</html>", MR_DEVICE_POLL_UNAVAILABLE },
    { 504, "", MR_DEVICE_POLL_UNAVAILABLE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new (cases[i].body, strlen (cases[i].body));

      g_assert_cmpint (mr_oidc_classify_device_poll (cases[i].status, body), ==, cases[i].poll);
    }
}

static MrOidcDiscovery *
discovery (const char *token_endpoint,
           const char *device_member)
{
  g_autofree char *text = g_strdup_printf ("{\"issuer\":\"https://login.example/t/v2.0\","
                                           "\"authorization_endpoint\":\"https://login.example/t/a\","
                                           "\"token_endpoint\":\"%s\","
                                           "\"jwks_uri\":\"https://login.example/t/keys\"%s}",
                                           token_endpoint, device_member ? device_member : "");
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  MrOidcDiscovery *d = mr_oidc_discovery_parse (body, &error);

  g_assert_no_error (error);
  return d;
}

/* The document's endpoint; else Entra's sibling of its token endpoint; else none. */
static void
test_discovery_endpoint (void)
{
  g_autoptr(MrOidcDiscovery) advertised = NULL;
  g_autoptr(MrOidcDiscovery) derived = NULL;
  g_autoptr(MrOidcDiscovery) b2c_query = NULL;
  g_autoptr(MrOidcDiscovery) plain = NULL;
  g_autoptr(MrOidcDiscovery) insecure = NULL;
  g_autoptr(GError) error = NULL;

  advertised = discovery ("https://login.microsoftonline.com/t/oauth2/v2.0/token",
                          ",\"device_authorization_endpoint\":"
                          "\"https://login.microsoftonline.com/t/oauth2/v2.0/devicecode\"");
  g_assert_cmpstr (advertised->device_authorization_endpoint, ==,
                   "https://login.microsoftonline.com/t/oauth2/v2.0/devicecode");
  derived = discovery ("https://contoso.ciamlogin.com/tid/oauth2/v2.0/token", NULL);
  g_assert_cmpstr (derived->device_authorization_endpoint, ==,
                   "https://contoso.ciamlogin.com/tid/oauth2/v2.0/devicecode");
  b2c_query = discovery ("https://c.b2clogin.com/c.onmicrosoft.com/oauth2/v2.0/token?p=b2c_1_susi",
                         NULL);
  g_assert_null (b2c_query->device_authorization_endpoint);
  plain = discovery ("https://idp.example/token", NULL);
  g_assert_null (plain->device_authorization_endpoint);

  /* Like every endpoint of the document, it may not move the sign-in to plain text. */
  insecure = discovery ("https://login.microsoftonline.com/t/oauth2/v2.0/token",
                        ",\"device_authorization_endpoint\":\"http://login.example/devicecode\"");
  g_assert_false (mr_oidc_discovery_check_endpoints (insecure, "https://login.example/t",
                                                     &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE);
}

/* ---- against a provider ------------------------------------------------------------------- */

static MrDeviceAuthorization *
request_code (MrTestOidcFixture  *fixture,
              GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_oidc_client_request_device_code_async (fixture->client, NULL, mr_test_oidc_store_result_cb,
                                            &result);
  mr_test_oidc_wait_for_result (&result);
  return mr_oidc_client_request_device_code_finish (fixture->client, result, error);
}

static MrDevicePoll
poll_once (MrTestOidcFixture  *fixture,
           MrTokenSet        **tokens,
           GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_oidc_client_poll_device_code_async (fixture->client, "DEVICE-CODE-1", NULL,
                                         mr_test_oidc_store_result_cb, &result);
  mr_test_oidc_wait_for_result (&result);
  return mr_oidc_client_poll_device_code_finish (fixture->client, result, tokens, error);
}

/* A public client's request: client_id and the sign-in scope, no secret. */
static void
test_request (MrTestOidcFixture *fixture,
              gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrDeviceAuthorization) a = request_code (fixture, &error);
  g_auto(GStrv) scopes = NULL;
  GHashTable *form;

  g_assert_no_error (error);
  g_assert_cmpstr (a->user_code, ==, "BCDFGHJKL");
  g_mutex_lock (&fixture->provider.lock);
  form = fixture->provider.device_form;
  g_assert_cmpstr (g_hash_table_lookup (form, "client_id"), ==, MR_TEST_OIDC_CLIENT_ID);
  scopes = g_strsplit (g_hash_table_lookup (form, "scope"), " ", -1);
  g_assert_true (g_strv_contains ((const char * const *) scopes, "openid"));
  g_assert_true (g_strv_contains ((const char * const *) scopes, "offline_access"));
  g_assert_false (g_hash_table_contains (form, "client_secret"));
  g_assert_false (g_hash_table_contains (form, "client_assertion"));
  g_assert_cmpuint (g_hash_table_size (form), ==, 2);
  g_mutex_unlock (&fixture->provider.lock);
}

/* A provider without the endpoint (the test provider's B2C-like ?p= token endpoint). */
static void
test_no_endpoint (MrTestOidcFixture *fixture,
                  gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrDeviceAuthorization) a = request_code (fixture, &error);
  g_autofree char *hits = NULL;

  g_assert_null (a);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CONFIG);
  hits = mr_test_oidc_hits (fixture);
  g_assert_cmpstr (hits, ==, "1/1/0/0");
}

static const char * const poll_script[] = {
  "pending", "slow_down", "503", "cut", "declined", "expired", "bad", "tokens", NULL
};

/* Every answer of RFC 8628 §3.5 in turn, then the tokens: ID token without nonce accepted here,
 * signature and claims still checked. */
static void
test_poll (MrTestOidcFixture *fixture,
           gconstpointer      data)
{
  static const MrDevicePoll expected[] = {
    MR_DEVICE_POLL_PENDING, MR_DEVICE_POLL_SLOW_DOWN, MR_DEVICE_POLL_UNAVAILABLE,
    MR_DEVICE_POLL_UNAVAILABLE, MR_DEVICE_POLL_DECLINED, MR_DEVICE_POLL_EXPIRED,
    MR_DEVICE_POLL_FAILED,
  };
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *form;

  fixture->provider.device_script = poll_script;
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_clear_error (&error);
      g_assert_cmpint (poll_once (fixture, &tokens, &error), ==, expected[i]);
      g_assert_null (tokens);
      if (expected[i] == MR_DEVICE_POLL_FAILED)
        g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_PROVIDER);
      else
        g_assert_no_error (error);
    }
  g_clear_error (&error);
  g_assert_cmpint (poll_once (fixture, &tokens, &error), ==, MR_DEVICE_POLL_DONE);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  g_assert_nonnull (tokens->claims);
  g_assert_false (json_object_has_member (tokens->claims, "nonce"));
  g_assert_cmpstr (tokens->refresh_token, ==, "REFRESH-2");

  g_mutex_lock (&fixture->provider.lock);
  form = fixture->provider.token_form;
  g_assert_cmpstr (g_hash_table_lookup (form, "grant_type"), ==,
                   "urn:ietf:params:oauth:grant-type:device_code");
  g_assert_cmpstr (g_hash_table_lookup (form, "device_code"), ==, "DEVICE-CODE-1");
  g_assert_cmpstr (g_hash_table_lookup (form, "client_id"), ==, MR_TEST_OIDC_CLIENT_ID);
  g_assert_false (g_hash_table_contains (form, "client_secret"));
  g_assert_false (g_hash_table_contains (form, "nonce"));
  g_mutex_unlock (&fixture->provider.lock);
}

static const char * const unlisted_script[] = { "tokens-unlisted", NULL };

/* The signature check is the code exchange's: a token signed with a key nobody lists fails. */
static void
test_poll_bad_signature (MrTestOidcFixture *fixture,
                         gconstpointer      data)
{
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autoptr(GError) error = NULL;

  fixture->provider.device_script = unlisted_script;
  g_assert_cmpint (poll_once (fixture, &tokens, &error), ==, MR_DEVICE_POLL_FAILED);
  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
}

/* The nonce is left out on the device path only: a code exchange whose ID token has none (what
 * a device token looks like) is still refused. */
static void
test_exchange_still_wants_nonce (MrTestOidcFixture *fixture,
                                 gconstpointer      data)
{
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_test_oidc_prefetch (fixture, &error));
  g_free (fixture->provider.nonce);
  fixture->provider.nonce = NULL;
  g_free (fixture->request->nonce);
  fixture->request->nonce = g_strdup ("the-nonce-this-sign-in-sent");
  tokens = mr_test_oidc_exchange (fixture, &error);
  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/oidc-device/parse/good", test_parse_good);
  g_test_add_func ("/oidc-device/parse/malformed", test_parse_malformed);
  g_test_add_func ("/oidc-device/parse/error", test_parse_error);
  g_test_add_func ("/oidc-device/classify", test_classify);
  g_test_add_func ("/oidc-device/discovery-endpoint", test_discovery_endpoint);
  mr_test_oidc_add ("/oidc-device/request", MR_TEST_PROVIDER_DEVICE, test_request);
  mr_test_oidc_add ("/oidc-device/no-endpoint", MR_TEST_PROVIDER_GOOD, test_no_endpoint);
  mr_test_oidc_add ("/oidc-device/poll", MR_TEST_PROVIDER_DEVICE, test_poll);
  mr_test_oidc_add ("/oidc-device/poll-bad-signature", MR_TEST_PROVIDER_DEVICE,
                    test_poll_bad_signature);
  mr_test_oidc_add ("/oidc-device/exchange-still-wants-nonce", MR_TEST_PROVIDER_DEVICE,
                    test_exchange_still_wants_nonce);
  return g_test_run ();
}

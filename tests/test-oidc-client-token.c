/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MrOidcClient's token requests (mr-oidc-client-token.c): the code exchange and the refresh,
 * against a provider on 127.0.0.1 (tests/support/mr-test-oidc.c). */
#include "mr-identity.h"

#include <string.h>

#include "mr-base.h"
#include "mr-test-oidc.h"

#define CLIENT_ID    MR_TEST_OIDC_CLIENT_ID
#define TENANT_ID    MR_TEST_OIDC_TENANT_ID
#define REDIRECT_URI MR_TEST_OIDC_REDIRECT_URI

static void
test_client_exchange_without_prefetch (MrTestOidcFixture *fixture,
                                       gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = mr_test_oidc_exchange (fixture, &error);
  g_autofree char *after = mr_test_oidc_hits (fixture);

  g_assert_no_error (error);
  g_assert_nonnull (tokens->claims);
  g_assert_cmpstr (after, ==, "1/1/1/0");
  mr_test_oidc_assert_token_request (fixture);
}

static void
test_client_wrong_nonce (MrTestOidcFixture *fixture,
                         gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;

  g_assert_true (mr_test_oidc_prefetch (fixture, &error));
  g_mutex_lock (&fixture->provider.lock);
  g_free (fixture->provider.nonce);
  fixture->provider.nonce = g_strdup ("a-nonce-from-another-sign-in");
  g_mutex_unlock (&fixture->provider.lock);
  tokens = mr_test_oidc_exchange (fixture, &error);
  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
  g_assert_null (strstr (error->message, "ACCESS"));
}

static void
test_client_token_400 (MrTestOidcFixture *fixture,
                       gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;

  g_assert_true (mr_test_oidc_prefetch (fixture, &error));
  tokens = mr_test_oidc_exchange (fixture, &error);
  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_assert_nonnull (strstr (error->message, "Please sign in again."));
  g_assert_null (strstr (error->message, "Trace ID"));
  g_assert_null (strstr (error->message, "C0DE"));
}

/* The system browser signs in through a loopback listener: its redirect URI, not the config's,
 * goes in the authorize URL and in the exchange (they must match, or Entra says 50011). */
static void
test_client_loopback_redirect (MrTestOidcFixture *fixture,
                               gconstpointer      data)
{
  static const char loopback[] = "http://127.0.0.1:43111/auth/callback";
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *url = NULL;
  g_autofree char *escaped = g_uri_escape_string (loopback, NULL, FALSE);
  g_autoptr(MrConfig) config = mr_test_oidc_config ("https://login.example/tenant");

  fixture->request->redirect_uri = g_strdup (loopback);
  g_assert_true (mr_test_oidc_prefetch (fixture, &error));
  url = mr_oidc_build_authorize_url (mr_oidc_client_get_discovery (fixture->client), config,
                                     fixture->request, NULL, NULL);
  g_assert_nonnull (strstr (url, escaped));
  tokens = mr_test_oidc_exchange (fixture, &error);
  g_assert_no_error (error);
  g_mutex_lock (&fixture->provider.lock);
  g_assert_cmpstr (g_hash_table_lookup (fixture->provider.token_form, "redirect_uri"), ==, loopback);
  g_mutex_unlock (&fixture->provider.lock);
}

static void
assert_refresh_request (MrTestOidcFixture *fixture,
                        const char        *refresh_token)
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
test_client_refresh (MrTestOidcFixture *fixture,
                     gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after = NULL;

  tokens = mr_test_oidc_refresh (fixture, "REFRESH-1", &error);
  after = mr_test_oidc_hits (fixture);
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
test_client_refresh_without_id_token (MrTestOidcFixture *fixture,
                                      gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = mr_test_oidc_refresh (fixture, "REFRESH-1", &error);

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
test_client_refresh_unlisted_key (MrTestOidcFixture *fixture,
                                  gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = mr_test_oidc_refresh (fixture, "REFRESH-1", &error);
  g_autofree char *after = mr_test_oidc_hits (fixture);

  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
  g_assert_cmpstr (after, ==, "1/2/1/0");
}

static void
test_client_refresh_expired (MrTestOidcFixture *fixture,
                             gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = mr_test_oidc_refresh (fixture, "REFRESH-1", &error);

  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_assert_null (strstr (error->message, "REFRESH-1"));
  g_assert_null (strstr (error->message, "Trace"));
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  mr_test_oidc_add ("/oidc/client/exchange-without-prefetch", MR_TEST_PROVIDER_GOOD,
                    test_client_exchange_without_prefetch);
  mr_test_oidc_add ("/oidc/client/wrong-nonce", MR_TEST_PROVIDER_GOOD, test_client_wrong_nonce);
  mr_test_oidc_add ("/oidc/client/token-400", MR_TEST_PROVIDER_TOKEN_400, test_client_token_400);
  mr_test_oidc_add ("/oidc/client/loopback-redirect", MR_TEST_PROVIDER_GOOD,
                    test_client_loopback_redirect);
  mr_test_oidc_add ("/oidc/client/refresh", MR_TEST_PROVIDER_GOOD, test_client_refresh);
  mr_test_oidc_add ("/oidc/client/refresh-without-id-token", MR_TEST_PROVIDER_REFRESH_NO_ID_TOKEN,
                    test_client_refresh_without_id_token);
  mr_test_oidc_add ("/oidc/client/refresh-unlisted-key", MR_TEST_PROVIDER_UNLISTED_KEY,
                    test_client_refresh_unlisted_key);
  mr_test_oidc_add ("/oidc/client/refresh-expired", MR_TEST_PROVIDER_REFRESH_EXPIRED,
                    test_client_refresh_expired);

  return g_test_run ();
}

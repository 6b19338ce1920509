/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MrOidcClient's requests (mr-oidc-client.c): discovery and the key set, fetched once and
 * cached, against a provider on 127.0.0.1 (tests/support/mr-test-oidc.c). */
#include "mr-identity.h"

#include <string.h>

#include "mr-base.h"
#include "mr-test-oidc.h"

#define CLIENT_ID    MR_TEST_OIDC_CLIENT_ID
#define TENANT_ID    MR_TEST_OIDC_TENANT_ID
#define REDIRECT_URI MR_TEST_OIDC_REDIRECT_URI

static void
test_client_prefetch_then_exchange (MrTestOidcFixture *fixture,
                                    gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after_prefetch = NULL;
  g_autofree char *after_exchange = NULL;
  g_autofree char *after_second_prefetch = NULL;
  const MrOidcDiscovery *discovery;

  g_assert_null (mr_oidc_client_get_discovery (fixture->client));
  g_assert_true (mr_test_oidc_prefetch (fixture, &error));
  g_assert_no_error (error);
  after_prefetch = mr_test_oidc_hits (fixture);
  g_assert_cmpstr (after_prefetch, ==, "1/1/0/0");
  discovery = mr_oidc_client_get_discovery (fixture->client);
  g_assert_nonnull (discovery);
  g_assert_true (g_str_has_suffix (discovery->token_endpoint, "/tenant/oauth2/v2.0/token?p=pol"));

  tokens = mr_test_oidc_exchange (fixture, &error);
  g_assert_no_error (error);
  after_exchange = mr_test_oidc_hits (fixture);
  /* The critical path after the callback: exactly one request, the token POST. */
  g_assert_cmpstr (after_exchange, ==, "1/1/1/0");
  mr_test_oidc_assert_token_request (fixture);
  g_assert_cmpstr (tokens->access_token, ==, "ACCESS");
  g_assert_cmpstr (tokens->refresh_token, ==, "REFRESH");
  g_assert_nonnull (tokens->claims);
  g_assert_cmpstr (mr_json_get_string (tokens->claims, "name"), ==, "Zoë Núñez-Ødegård");
  g_assert_cmpstr (mr_json_get_string (tokens->claims, "tid"), ==, TENANT_ID);

  g_assert_true (mr_test_oidc_prefetch (fixture, &error));
  after_second_prefetch = mr_test_oidc_hits (fixture);
  g_assert_cmpstr (after_second_prefetch, ==, "1/1/1/0");
}

static void
test_client_rotated_key (MrTestOidcFixture *fixture,
                         gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after = NULL;

  g_assert_true (mr_test_oidc_prefetch (fixture, &error));
  tokens = mr_test_oidc_exchange (fixture, &error);
  after = mr_test_oidc_hits (fixture);
  g_assert_no_error (error);
  g_assert_nonnull (tokens->claims);
  /* One extra key-list request, no more. */
  g_assert_cmpstr (after, ==, "1/2/1/0");
}

static void
test_client_unlisted_key (MrTestOidcFixture *fixture,
                          gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after = NULL;

  g_assert_true (mr_test_oidc_prefetch (fixture, &error));
  tokens = mr_test_oidc_exchange (fixture, &error);
  after = mr_test_oidc_hits (fixture);
  g_assert_null (tokens);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
  g_assert_cmpstr (after, ==, "1/2/1/0");
}

static void
test_client_bad_discovery (MrTestOidcFixture *fixture,
                           gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after = NULL;

  g_assert_false (mr_test_oidc_prefetch (fixture, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE);
  g_assert_null (mr_oidc_client_get_discovery (fixture->client));
  g_clear_error (&error);

  /* The exchange tries the prefetch again and fails the same way, without a token request. */
  tokens = mr_test_oidc_exchange (fixture, &error);
  after = mr_test_oidc_hits (fixture);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE);
  /* A 404 on a loopback authority also tries {authority}/.well-known/… (a plain provider), which
   * this provider does not serve either ("other"); garbage is not a 404 and is not retried. */
  if (GPOINTER_TO_INT (data) == MR_TEST_PROVIDER_DISCOVERY_404)
    g_assert_cmpstr (after, ==, "2/0/0/2");
  else
    g_assert_cmpstr (after, ==, "2/0/0/0");
}

static void
test_client_closed_port (void)
{
  MrTestServer *server = mr_test_server_new (mr_test_provider_handler, NULL);
  g_autofree char *authority = g_strconcat (mr_test_server_get_url (server), "/tenant", NULL);
  g_autoptr(MrConfig) config = NULL;
  g_autoptr(SoupSession) session = mr_test_oidc_session_new ();
  g_autoptr(MrOidcClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* The port was just ours and is now closed. */
  mr_test_server_free (server);
  config = mr_test_oidc_config (authority);
  client = mr_oidc_client_new (session, config);
  mr_oidc_client_prefetch_async (client, NULL, mr_test_oidc_store_result_cb, &result);
  mr_test_oidc_wait_for_result (&result);
  g_assert_false (mr_oidc_client_prefetch_finish (client, result, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK);
}

static void
test_client_cancelled (MrTestOidcFixture *fixture,
                       gconstpointer      data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  mr_oidc_client_prefetch_async (fixture->client, cancellable, mr_test_oidc_store_result_cb,
                                 &result);
  mr_test_oidc_wait_for_result (&result);
  g_assert_false (mr_oidc_client_prefetch_finish (fixture->client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The Welcome page's prefetch and an early tap on Sign in overlap: one set of requests serves
 * both, and a caller that gives up does not stop the other. */
static void
test_client_concurrent_prefetch (MrTestOidcFixture *fixture,
                                 gconstpointer      data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GAsyncResult) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  mr_oidc_client_prefetch_async (fixture->client, NULL, mr_test_oidc_store_result_cb, &first);
  mr_oidc_client_prefetch_async (fixture->client, cancellable, mr_test_oidc_store_result_cb,
                                 &second);
  mr_oidc_client_prefetch_async (fixture->client, NULL, mr_test_oidc_store_result_cb, &third);
  g_cancellable_cancel (cancellable);
  mr_test_oidc_wait_for_result (&first);
  mr_test_oidc_wait_for_result (&second);
  mr_test_oidc_wait_for_result (&third);
  g_assert_true (mr_oidc_client_prefetch_finish (fixture->client, first, &error));
  g_assert_no_error (error);
  g_assert_false (mr_oidc_client_prefetch_finish (fixture->client, second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (mr_oidc_client_prefetch_finish (fixture->client, third, &error));
  g_assert_no_error (error);
  after = mr_test_oidc_hits (fixture);
  g_assert_cmpstr (after, ==, "1/1/0/0");
  g_assert_nonnull (mr_oidc_client_get_discovery (fixture->client));
}

/* A plain provider on loopback: /v2.0 answers 404, then {authority}/.well-known/… is used. */
static void
test_client_plain_provider (MrTestOidcFixture *fixture,
                            gconstpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *after_prefetch = NULL;

  g_assert_true (mr_test_oidc_prefetch (fixture, &error));
  g_assert_no_error (error);
  after_prefetch = mr_test_oidc_hits (fixture);
  g_assert_cmpstr (after_prefetch, ==, "1/1/0/1");
  tokens = mr_test_oidc_exchange (fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens->claims);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  mr_test_oidc_add ("/oidc/client/prefetch-then-exchange", MR_TEST_PROVIDER_GOOD,
                    test_client_prefetch_then_exchange);
  mr_test_oidc_add ("/oidc/client/rotated-key", MR_TEST_PROVIDER_ROTATED_KEY,
                    test_client_rotated_key);
  mr_test_oidc_add ("/oidc/client/unlisted-key", MR_TEST_PROVIDER_UNLISTED_KEY,
                    test_client_unlisted_key);
  mr_test_oidc_add ("/oidc/client/garbage-discovery", MR_TEST_PROVIDER_GARBAGE_DISCOVERY,
                    test_client_bad_discovery);
  mr_test_oidc_add ("/oidc/client/discovery-404", MR_TEST_PROVIDER_DISCOVERY_404,
                    test_client_bad_discovery);
  mr_test_oidc_add ("/oidc/client/cancelled", MR_TEST_PROVIDER_GOOD, test_client_cancelled);
  mr_test_oidc_add ("/oidc/client/concurrent-prefetch", MR_TEST_PROVIDER_GOOD,
                    test_client_concurrent_prefetch);
  g_test_add_func ("/oidc/client/closed-port", test_client_closed_port);
  mr_test_oidc_add ("/oidc/client/plain-provider", MR_TEST_PROVIDER_PLAIN,
                    test_client_plain_provider);

  return g_test_run ();
}

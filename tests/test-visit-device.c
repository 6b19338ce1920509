/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The visit's sign-in with a phone (mr-visit-device.c) against the in-process sandbox tenant: the
 * phone's part is played over HTTP (the code entered on the sandbox's device page, the sign-in
 * form, Continue or Cancel), the rest is MrVisit's: the code, the polls, the one Graph call. The
 * sandbox's codes live a few seconds and are polled every second, so that the tests are quick. */
#include "mr-visit.h"

#include <string.h>

#include "mr-base.h"
#include "mr-identity.h"
#include "mr-sandbox.h"
#include "mr-test-oidc.h"
#include "mr-test-sandbox.h"
#include "mr-test-server.h"

#define TID             MR_SANDBOX_TENANT_ID
#define TOKEN_PATH      "/" TID "/oauth2/v2.0/token"
#define DEVICECODE_PATH "/" TID "/oauth2/v2.0/devicecode"
#define DEVICEAUTH_PATH "/" TID "/oauth2/deviceauth"
#define DISCOVERY_PATH  "/" TID "/v2.0/.well-known/openid-configuration"
#define KEYS_PATH       "/" TID "/discovery/v2.0/keys"
#define ME_PATH         "/v1.0/me"
#define EMAIL           "jack.smith@example.org"
#define OVERRIDE_URI    "https://contosoclinic.ciamlogin.com/common/oauth2/deviceauth"

typedef struct {
  MrSandbox   *sandbox;
  MrConfig    *config;
  SoupSession *phone;           /* the person's phone: the device page's requests */
  MrVisit     *visit;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *settings = NULL;

  fx->sandbox = mr_sandbox_new ();
  g_assert_true (mr_sandbox_start (fx->sandbox, 0, NULL, &error));
  g_assert_no_error (error);
  /* Codes live 30 s (a test's expiry sets its own) and are polled every second. */
  mr_sandbox_set_device_timing (fx->sandbox, 30, 1);
  settings = mr_sandbox_dup_settings_text (fx->sandbox);
  fx->config = mr_config_new ();
  g_assert_true (mr_config_apply_lines (fx->config, settings, &error));
  g_assert_no_error (error);
  fx->config->mode = MR_MODE_KIOSK;
  fx->config->device_sign_in = TRUE;
  fx->phone = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  if (fx->visit != NULL)
    {
      mr_visit_wipe (fx->visit);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_finalize_object (fx->visit);
    }
  g_clear_object (&fx->phone);
  mr_config_free (fx->config);
  g_assert_finalize_object (fx->sandbox);
}

/* The visit, with the fixture's config as it is now, prefetched as while Welcome is up. */
static void
start_visit (Fixture *fx)
{
  g_autoptr(GAsyncResult) prefetched = NULL;
  g_autoptr(GError) error = NULL;

  fx->visit = mr_visit_new ();
  mr_visit_set_config (fx->visit, fx->config);
  mr_visit_prefetch_async (fx->visit, mr_test_store_result_cb, &prefetched);
  mr_test_wait_for_result (&prefetched, 20000);
  g_assert_true (mr_visit_prefetch_finish (fx->visit, prefetched, &error));
  g_assert_no_error (error);
}

/* Tap "Sign in with your phone": the code for the screen, or NULL with @error. */
static MrDeviceCode *
begin (Fixture  *fx,
       GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_visit_begin_device_sign_in_async (fx->visit, "es-ES es", mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 20000);
  return mr_visit_begin_device_sign_in_finish (fx->visit, result, error);
}

/* Spins the main context for @ms milliseconds. */
static void
spin (guint ms)
{
  gboolean never = FALSE;

  mr_test_wait_for (&never, ms);
}

/* Waits until the visit has polled at least @n times (the sandbox counts the token path). */
static void
wait_for_polls (Fixture *fx,
                guint    before,
                guint    n)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH) < before + n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      spin (50);
    }
}

static void
test_success (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(MrDeviceCode) code = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;
  guint discovery, keys, tokens, me, total, devicecode, deviceauth;
  const MrPatient *p;

  start_visit (fx);
  discovery = mr_sandbox_get_request_count (fx->sandbox, DISCOVERY_PATH);
  keys = mr_sandbox_get_request_count (fx->sandbox, KEYS_PATH);
  me = mr_sandbox_get_request_count (fx->sandbox, ME_PATH);
  code = begin (fx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (code);
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_SIGNING_IN);
  g_assert_cmpuint (strlen (code->user_code), ==, 9);
  g_assert_true (g_str_has_prefix (code->verification_uri, mr_sandbox_get_base_url (fx->sandbox)));
  g_assert_true (g_str_has_suffix (code->verification_uri, DEVICEAUTH_PATH));
  g_assert_null (code->verification_uri_complete);
  g_assert_cmpuint (code->interval, ==, 1);
  g_assert_cmpint (code->expires_at, >, g_get_monotonic_time () + 25 * G_USEC_PER_SEC);
  g_assert_cmpint (code->expires_at, <=, g_get_monotonic_time () + 30 * G_USEC_PER_SEC);

  tokens = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  mr_visit_complete_device_sign_in_async (fx->visit, mr_test_store_result_cb, &result);
  /* The person takes a moment: the visit is told authorization_pending and keeps polling, at
   * the interval (the sandbox would say slow_down otherwise, which fails the sign-in's time). */
  wait_for_polls (fx, tokens, 2);
  g_assert_null (result);
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_SIGNING_IN);
  g_assert_false (mr_visit_is_signed_in (fx->visit));

  page = mr_test_sandbox_device_sign_in (fx->phone, code->verification_uri, code->user_code,
                                         EMAIL, TRUE);
  g_assert_nonnull (strstr (page, "signed in"));
  tokens = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  total = mr_sandbox_get_request_count (fx->sandbox, NULL);
  devicecode = mr_sandbox_get_request_count (fx->sandbox, DEVICECODE_PATH);
  deviceauth = mr_sandbox_get_request_count (fx->sandbox, DEVICEAUTH_PATH);
  mr_test_wait_for_result (&result, 20000);
  g_assert_true (mr_visit_complete_device_sign_in_finish (fx->visit, result, &error));
  g_assert_no_error (error);

  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_READY);
  g_assert_true (mr_visit_is_signed_in (fx->visit));
  p = mr_visit_get_patient (fx->visit);
  g_assert_nonnull (p);
  g_assert_cmpstr (p->given_name, ==, "Jack");
  g_assert_cmpstr (p->surname, ==, "Smith");
  g_assert_cmpstr (p->mail, ==, EMAIL);
  g_assert_cmpstr (p->hospital_number, ==, "HN11112");
  /* After the token, exactly one request: the Graph call. No discovery or key set again (the
   * prefetch has them), nothing else but the polls (and the clinic API's token, which a filled
   * form fetches, also on the token path). */
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, ME_PATH), ==, me + 1);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, DISCOVERY_PATH), ==, discovery);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, KEYS_PATH), ==, keys);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, NULL) - total, ==,
                    (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH) - tokens) + 1
                    + (mr_sandbox_get_request_count (fx->sandbox, DEVICECODE_PATH) - devicecode)
                    + (mr_sandbox_get_request_count (fx->sandbox, DEVICEAUTH_PATH) - deviceauth));

  /* Cancel after the form is filled changes nothing: the phone sign-in is over. */
  mr_visit_cancel_device_sign_in (fx->visit);
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_READY);
}

/* The person says no on the phone: one sentence, back to NONE, nothing held. */
static void
test_declined (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(MrDeviceCode) code = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;

  start_visit (fx);
  code = begin (fx, &error);
  g_assert_no_error (error);
  mr_visit_complete_device_sign_in_async (fx->visit, mr_test_store_result_cb, &result);
  page = mr_test_sandbox_device_sign_in (fx->phone, code->verification_uri, code->user_code,
                                         EMAIL, FALSE);
  g_assert_nonnull (strstr (page, "cancelled"));
  mr_test_wait_for_result (&result, 20000);
  g_assert_false (mr_visit_complete_device_sign_in_finish (fx->visit, result, &error));
  g_assert_error (error, MR_VISIT_ERROR, MR_VISIT_ERROR_DEVICE_DECLINED);
  g_assert_cmpstr (error->message, ==, "The sign-in was declined on the phone. Tap Sign in with "
                                       "your phone to try again.");
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);
  g_assert_false (mr_visit_is_signed_in (fx->visit));
  g_assert_null (mr_visit_get_patient (fx->visit));
}

/* Nobody enters the code: it runs out, and the visit says so. */
static void
test_expired (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(MrDeviceCode) code = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  mr_sandbox_set_device_timing (fx->sandbox, 2, 1);
  start_visit (fx);
  code = begin (fx, &error);
  g_assert_no_error (error);
  started = g_get_monotonic_time ();
  mr_visit_complete_device_sign_in_async (fx->visit, mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 20000);
  g_assert_false (mr_visit_complete_device_sign_in_finish (fx->visit, result, &error));
  g_assert_error (error, MR_VISIT_ERROR, MR_VISIT_ERROR_DEVICE_EXPIRED);
  g_assert_cmpstr (error->message, ==, "The code ran out before it was used. Tap Sign in with "
                                       "your phone to get a new one.");
  /* On time: not before the code's end, and not long after. */
  g_assert_cmpint (g_get_monotonic_time (), >=, code->expires_at - G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);
  g_assert_false (mr_visit_is_signed_in (fx->visit));

  /* The code cannot be used afterwards either (the phone's page refuses it). */
  {
    g_autofree char *page = mr_test_sandbox_post_page (fx->phone, code->verification_uri,
                                                       soup_form_encode ("otc", code->user_code,
                                                                         NULL));

    g_assert_nonnull (strstr (page, "not right, or it has run out"));
  }
}

/* Cancel on the screen, and the wipe: polling stops at once, with G_IO_ERROR_CANCELLED, and an
 * approval that comes later signs nobody in. */
static void
test_stopped (Fixture       *fx,
              gconstpointer  data)
{
  gboolean wipe = g_strcmp0 (data, "wipe") == 0;
  g_autoptr(MrDeviceCode) code = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;
  guint tokens;

  start_visit (fx);
  code = begin (fx, &error);
  g_assert_no_error (error);
  tokens = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  mr_visit_complete_device_sign_in_async (fx->visit, mr_test_store_result_cb, &result);
  wait_for_polls (fx, tokens, 1);
  if (wipe)
    mr_visit_wipe (fx->visit);
  else
    mr_visit_cancel_device_sign_in (fx->visit);
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);
  mr_test_wait_for_result (&result, 2000);
  g_assert_false (mr_visit_complete_device_sign_in_finish (fx->visit, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The phone finishes anyway: no more polls, nobody signed in here. */
  tokens = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  page = mr_test_sandbox_device_sign_in (fx->phone, code->verification_uri, code->user_code,
                                         EMAIL, TRUE);
  spin (2500);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), ==, tokens);
  g_assert_false (mr_visit_is_signed_in (fx->visit));
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);

  /* And no completion without a new code. */
  g_clear_object (&result);
  g_clear_error (&error);
  mr_visit_complete_device_sign_in_async (fx->visit, mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 2000);
  g_assert_false (mr_visit_complete_device_sign_in_finish (fx->visit, result, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_STATE);
}

/* External ID: the administrator's verification page replaces the provider's, and the screen
 * never gets a "complete" URI that names the provider's. */
static void
test_override_uri (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(MrDeviceCode) code = NULL;
  g_autoptr(GError) error = NULL;

  g_free (fx->config->device_verification_uri);
  fx->config->device_verification_uri = g_strdup (OVERRIDE_URI);
  start_visit (fx);
  code = begin (fx, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code->verification_uri, ==, OVERRIDE_URI);
  g_assert_null (code->verification_uri_complete);
  g_assert_cmpuint (strlen (code->user_code), ==, 9);
  mr_visit_cancel_device_sign_in (fx->visit);
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);
}

/* Off unless the administrator turns it on: no request is made. */
static void
test_turned_off (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(MrDeviceCode) code = NULL;
  g_autoptr(GError) error = NULL;

  fx->config->device_sign_in = FALSE;
  start_visit (fx);
  code = begin (fx, &error);
  g_assert_null (code);
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, DEVICECODE_PATH), ==, 0);
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);
}

/* ---- against a provider that misbehaves (mr-test-oidc.h) -------------------------------------- */

/* A visit of a kiosk pointed at the test provider in DEVICE mode, whose polls answer @script
 * and whose codes live @expires_in seconds, polled every second. */
typedef struct {
  MrTestProvider  provider;
  MrTestServer   *server;
  char           *answer;
  MrVisit        *visit;
} ProviderFixture;

static void
provider_set_up (ProviderFixture *fx,
                 guint            expires_in)
{
  g_autoptr(MrConfig) config = NULL;
  g_autoptr(GAsyncResult) prefetched = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *authority = NULL;

  g_mutex_init (&fx->provider.lock);
  fx->provider.mode = MR_TEST_PROVIDER_DEVICE;
  fx->answer = g_strdup_printf ("{\"user_code\":\"BCDFGHJKL\",\"device_code\":\"DEVICE-CODE-1\","
                                "\"verification_uri\":\"https://microsoft.com/devicelogin\","
                                "\"expires_in\":%u,\"interval\":1}", expires_in);
  fx->provider.device_answer = fx->answer;
  fx->server = mr_test_server_new (mr_test_provider_handler, &fx->provider);
  g_mutex_lock (&fx->provider.lock);
  fx->provider.url = g_strdup (mr_test_server_get_url (fx->server));
  g_mutex_unlock (&fx->provider.lock);
  authority = g_strconcat (fx->provider.url, "/tenant/", NULL);
  config = mr_test_oidc_config (authority);
  config->mode = MR_MODE_KIOSK;
  config->device_sign_in = TRUE;
  fx->visit = mr_visit_new ();
  mr_visit_set_config (fx->visit, config);
  mr_visit_prefetch_async (fx->visit, mr_test_store_result_cb, &prefetched);
  mr_test_wait_for_result (&prefetched, 20000);
  g_assert_true (mr_visit_prefetch_finish (fx->visit, prefetched, &error));
  g_assert_no_error (error);
}

static void
provider_tear_down (ProviderFixture *fx)
{
  mr_visit_wipe (fx->visit);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fx->visit);
  mr_test_server_free (fx->server);
  g_clear_pointer (&fx->provider.token_form, g_hash_table_unref);
  g_clear_pointer (&fx->provider.device_form, g_hash_table_unref);
  g_free (fx->provider.token_query);
  g_free (fx->provider.url);
  g_free (fx->answer);
  g_mutex_clear (&fx->provider.lock);
}

/* Begins and completes against the provider; the error, and the seconds it took in *@took. */
static GError *
provider_run (ProviderFixture *fx,
              double          *took)
{
  g_autoptr(GAsyncResult) begun = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MrDeviceCode) code = NULL;
  GError *error = NULL;
  gint64 started;

  mr_visit_begin_device_sign_in_async (fx->visit, NULL, mr_test_store_result_cb, &begun);
  mr_test_wait_for_result (&begun, 20000);
  code = mr_visit_begin_device_sign_in_finish (fx->visit, begun, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code->verification_uri, ==, "https://microsoft.com/devicelogin");
  started = g_get_monotonic_time ();
  mr_visit_complete_device_sign_in_async (fx->visit, mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 30000);
  g_assert_false (mr_visit_complete_device_sign_in_finish (fx->visit, result, &error));
  *took = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);
  g_assert_false (mr_visit_is_signed_in (fx->visit));
  return error;
}

static const char * const rides_out_script[] = { "503", "cut", "503", "declined", NULL };

/* A 503 or an answer cut off is a passing problem: the next tick asks again. */
static void
test_rides_out_outages (void)
{
  ProviderFixture fx = { 0 };
  g_autoptr(GError) error = NULL;
  double took = 0;

  provider_set_up (&fx, 60);
  fx.provider.device_script = rides_out_script;
  error = provider_run (&fx, &took);
  g_assert_error (error, MR_VISIT_ERROR, MR_VISIT_ERROR_DEVICE_DECLINED);
  g_mutex_lock (&fx.provider.lock);
  g_assert_cmpuint (fx.provider.device_polls, ==, 4);
  g_mutex_unlock (&fx.provider.lock);
  provider_tear_down (&fx);
}

static const char * const slow_down_script[] = { "slow_down", "declined", NULL };

/* slow_down: from then on, the interval is 5 s longer (1 s here, then 6 s). */
static void
test_slow_down (void)
{
  ProviderFixture fx = { 0 };
  g_autoptr(GError) error = NULL;
  double took = 0;

  provider_set_up (&fx, 60);
  fx.provider.device_script = slow_down_script;
  error = provider_run (&fx, &took);
  g_assert_error (error, MR_VISIT_ERROR, MR_VISIT_ERROR_DEVICE_DECLINED);
  g_assert_cmpfloat (took, >=, 7.0);
  g_assert_cmpfloat (took, <, 12.0);
  provider_tear_down (&fx);
}

static const char * const outage_script[] = { "503", NULL };

/* A provider that never answers again: the visit stops at the code's own expiry, on time, and
 * does not poll past it. */
static void
test_local_expiry (void)
{
  ProviderFixture fx = { 0 };
  g_autoptr(GError) error = NULL;
  double took = 0;

  provider_set_up (&fx, 3);
  fx.provider.device_script = outage_script;
  error = provider_run (&fx, &took);
  g_assert_error (error, MR_VISIT_ERROR, MR_VISIT_ERROR_DEVICE_EXPIRED);
  g_assert_cmpfloat (took, >=, 2.5);
  g_assert_cmpfloat (took, <, 5.0);
  g_mutex_lock (&fx.provider.lock);
  g_assert_cmpuint (fx.provider.device_polls, <=, 3);
  g_mutex_unlock (&fx.provider.lock);
  provider_tear_down (&fx);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add ("/visit-device/success", Fixture, NULL, fixture_set_up, test_success,
              fixture_tear_down);
  g_test_add ("/visit-device/declined", Fixture, NULL, fixture_set_up, test_declined,
              fixture_tear_down);
  g_test_add ("/visit-device/expired", Fixture, NULL, fixture_set_up, test_expired,
              fixture_tear_down);
  g_test_add ("/visit-device/cancel", Fixture, "cancel", fixture_set_up, test_stopped,
              fixture_tear_down);
  g_test_add ("/visit-device/wipe", Fixture, "wipe", fixture_set_up, test_stopped,
              fixture_tear_down);
  g_test_add ("/visit-device/override-uri", Fixture, NULL, fixture_set_up, test_override_uri,
              fixture_tear_down);
  g_test_add ("/visit-device/turned-off", Fixture, NULL, fixture_set_up, test_turned_off,
              fixture_tear_down);
  g_test_add_func ("/visit-device/rides-out-outages", test_rides_out_outages);
  g_test_add_func ("/visit-device/slow-down", test_slow_down);
  g_test_add_func ("/visit-device/local-expiry", test_local_expiry);
  return g_test_run ();
}

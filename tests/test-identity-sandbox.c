/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The OIDC client against the real sandbox tenant: one discovery request, sign-in, refresh with
 * rotation, replay of a used refresh token, sign-out through end_session_endpoint. */
#include "mr-sandbox.h"

#include <string.h>

#include "mr-identity.h"
#include "mr-base.h"
#include "mr-test-sandbox.h"
#include "mr-test-server.h"

#define TID       MR_SANDBOX_TENANT_ID
#define DISCOVERY "/" TID "/v2.0/.well-known/openid-configuration"
#define EMAIL     "jack.smith@example.org"

typedef struct {
  MrSandbox     *sandbox;
  SoupSession   *session;
  MrConfig      *config;
  MrOidcClient  *client;
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
  settings = mr_sandbox_dup_settings_text (fx->sandbox);
  fx->config = mr_config_new ();
  g_assert_true (mr_config_apply_lines (fx->config, settings, &error));
  fx->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  fx->client = mr_oidc_client_new (fx->session, fx->config);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_assert_finalize_object (fx->client);
  g_assert_finalize_object (fx->session);
  mr_config_free (fx->config);
  g_assert_finalize_object (fx->sandbox);
}

/* Sends @msg without following redirects; returns the Location of its answer. */
static char *
send_for_location (Fixture     *fx,
                   SoupMessage *msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  body = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_FOUND);
  return g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Location"));
}

/* The person's part, as the sign-in page would post it: the authorize parameters plus the
 * credentials. Returns the code from the redirect, parsed as the app parses it. */
static char *
sign_in_at_sandbox (Fixture       *fx,
                    MrAuthRequest *request,
                    const char    *email)
{
  const MrOidcDiscovery *discovery = mr_oidc_client_get_discovery (fx->client);
  g_autofree char *url = mr_oidc_build_authorize_url (discovery, fx->config, request, "login",
                                                      NULL);
  g_autofree char *endpoint = g_strndup (url, strchr (url, '?') - url);
  g_autofree char *credentials = soup_form_encode ("email", email,
                                                   "password", MR_SANDBOX_PASSWORD, NULL);
  g_autofree char *form = g_strconcat (strchr (url, '?') + 1, "&", credentials, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new_from_encoded_form ("POST", endpoint,
                                                                  g_steal_pointer (&form));
  g_autofree char *location = send_for_location (fx, msg);
  g_autoptr(GError) error = NULL;
  char *code = mr_oidc_parse_callback (fx->config->redirect_uri, location, request->state,
                                       &error);

  g_assert_no_error (error);
  return code;
}

static MrTokenSet *
sign_in_as (Fixture    *fx,
            const char *email)
{
  g_autoptr(MrAuthRequest) request = mr_auth_request_new ();
  g_autoptr(GAsyncResult) prefetched = NULL;
  g_autoptr(GAsyncResult) exchanged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  MrTokenSet *tokens;

  mr_oidc_client_prefetch_async (fx->client, NULL, mr_test_store_result_cb, &prefetched);
  mr_test_wait_for_result (&prefetched, 10000);
  g_assert_true (mr_oidc_client_prefetch_finish (fx->client, prefetched, &error));
  code = sign_in_at_sandbox (fx, request, email);
  mr_oidc_client_exchange_code_async (fx->client, request, code, NULL, mr_test_store_result_cb,
                                      &exchanged);
  mr_test_wait_for_result (&exchanged, 10000);
  tokens = mr_oidc_client_exchange_code_finish (fx->client, exchanged, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens->claims);
  g_assert_cmpstr (mr_json_get_string (tokens->claims, "nonce"), ==, request->nonce);
  return tokens;
}

static MrTokenSet *
sign_in (Fixture *fx)
{
  return sign_in_as (fx, EMAIL);
}

static MrTokenSet *
refresh (Fixture     *fx,
         const char  *refresh_token,
         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_oidc_client_refresh_async (fx->client, refresh_token, NULL, mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 10000);
  return mr_oidc_client_refresh_finish (fx->client, result, error);
}

static void
test_one_discovery_request (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(MrTokenSet) tokens = sign_in (fx);

  /* The sandbox's authority is loopback + /{tid}: /v2.0 comes first, and is there. */
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, DISCOVERY), ==, 1);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox,
                                                  "/" TID "/.well-known/openid-configuration"),
                    ==, 0);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, "/" TID "/discovery/v2.0/keys"),
                    ==, 1);
}

static void
test_refresh_rotates (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(MrTokenSet) first = sign_in (fx);
  g_autoptr(MrTokenSet) second = NULL;
  g_autoptr(MrTokenSet) replayed = NULL;
  g_autoptr(GError) error = NULL;

  second = refresh (fx, first->refresh_token, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second->refresh_token);
  g_assert_cmpstr (second->refresh_token, !=, first->refresh_token);
  g_assert_cmpstr (second->access_token, !=, first->access_token);
  /* The new ID token was checked, without a nonce, and names the same person. */
  g_assert_nonnull (second->claims);
  g_assert_false (json_object_has_member (second->claims, "nonce"));
  g_assert_cmpstr (mr_json_get_string (second->claims, "oid"), ==,
                   mr_json_get_string (first->claims, "oid"));

  /* The rotated-away token is spent: the person must sign in again. */
  replayed = refresh (fx, first->refresh_token, &error);
  g_assert_null (replayed);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_assert_null (strstr (error->message, first->refresh_token));
}

static void
test_sign_out (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(MrTokenSet) tokens = sign_in (fx);
  const MrOidcDiscovery *discovery = mr_oidc_client_get_discovery (fx->client);
  g_autofree char *url = mr_oidc_build_end_session_url (discovery, tokens->id_token,
                                                        "http://localhost:5000/");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *location = NULL;
  g_autoptr(MrTokenSet) after = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (url, discovery->end_session_endpoint));
  location = send_for_location (fx, msg);
  g_assert_cmpstr (location, ==, "http://localhost:5000/");
  /* Signing out ended the grant behind the refresh token. */
  after = refresh (fx, tokens->refresh_token, &error);
  g_assert_null (after);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
}

static gboolean
resume (MrStaffSession *session,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_staff_session_resume_async (session, NULL, mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 10000);
  return mr_staff_session_resume_finish (session, result, error);
}

/* A shift: sign in once, the refresh token goes to the keyring, the next start signs in without
 * asking, sign-out forgets it everywhere. */
static void
test_staff_session (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autoptr(MrStaffSession) session = NULL;
  g_autoptr(MrStaffSession) next_start = NULL;
  g_autoptr(MrStaffSession) after_sign_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *account = NULL;
  g_autofree char *sign_out_url = NULL;
  gboolean drained = FALSE;

  if (!mr_test_have_keyring ())
    return;
  tokens = sign_in_as (fx, "staff@example.org");
  session = mr_staff_session_new (fx->client, settings);
  mr_staff_session_set_staff_role (session, MR_SANDBOX_STAFF_ROLE);
  g_assert_true (mr_staff_session_begin (session, tokens, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mr_staff_session_get_name (session), ==, "Sam Staff");
  g_assert_cmpstr (mr_staff_session_get_id (session), ==,
                   mr_json_get_string (tokens->claims, "oid"));
  account = g_settings_get_string (settings, "desk-login-hint");
  g_assert_cmpstr (account, ==, "staff@example.org");
  mr_test_wait_for (&drained, 500);  /* the keyring write runs in the background */
  stored = mr_test_stored_refresh_token (fx->config);
  g_assert_cmpstr (stored, ==, tokens->refresh_token);

  /* The next start: nothing but the settings and the keyring, and no page to sign in on. */
  next_start = mr_staff_session_new (fx->client, settings);
  mr_staff_session_set_staff_role (next_start, MR_SANDBOX_STAFF_ROLE);
  g_assert_true (resume (next_start, &error));
  g_assert_no_error (error);
  g_assert_true (mr_staff_session_is_signed_in (next_start));
  g_assert_cmpstr (mr_staff_session_get_name (next_start), ==, "Sam Staff");
  g_assert_cmpstr (mr_staff_session_get_id (next_start), ==,
                   mr_json_get_string (tokens->claims, "oid"));
  g_clear_pointer (&stored, g_free);
  drained = FALSE;
  mr_test_wait_for (&drained, 500);
  stored = mr_test_stored_refresh_token (fx->config);
  /* The refresh rotated the token; the keyring holds the new one. */
  g_assert_cmpstr (stored, !=, tokens->refresh_token);

  sign_out_url = mr_staff_session_end (next_start);
  g_assert_nonnull (sign_out_url);
  g_assert_true (g_str_has_prefix (sign_out_url,
                                   mr_oidc_client_get_discovery (fx->client)->end_session_endpoint));
  g_assert_false (mr_staff_session_is_signed_in (next_start));
  drained = FALSE;
  mr_test_wait_for (&drained, 500);
  g_clear_pointer (&stored, g_free);
  stored = mr_test_stored_refresh_token (fx->config);
  g_assert_null (stored);
  after_sign_out = mr_staff_session_new (fx->client, settings);
  g_assert_false (resume (after_sign_out, &error));
  g_assert_no_error (error);
  g_clear_pointer (&account, g_free);
  account = g_settings_get_string (settings, "desk-login-hint");
  g_assert_cmpstr (account, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add ("/identity-sandbox/one-discovery-request", Fixture, NULL, fixture_set_up,
              test_one_discovery_request, fixture_tear_down);
  g_test_add ("/identity-sandbox/refresh-rotates", Fixture, NULL, fixture_set_up,
              test_refresh_rotates, fixture_tear_down);
  g_test_add ("/identity-sandbox/sign-out", Fixture, NULL, fixture_set_up, test_sign_out,
              fixture_tear_down);
  g_test_add ("/identity-sandbox/staff-session", Fixture, NULL, fixture_set_up, test_staff_session,
              fixture_tear_down);

  return g_test_run ();
}

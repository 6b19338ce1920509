/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Desk mode opens only for staff, proven by the app role in the verified ID token, against the
 * in-process sandbox tenant (where staff@example.org alone has FrontDesk): a patient's account is
 * refused and signed out (nothing kept, nothing in the keyring, the provider's session ended),
 * staff are let in, a malformed "roles" claim proves nothing, an unset staff role lets nobody in,
 * a session resumed from the keyring ends once the administrator has taken the role away, and
 * the idle lock leaves nothing for the next start to resume. */
#include "mr-visit.h"

#include <string.h>

#include "mr-base.h"
#include "mr-identity.h"
#include "mr-sandbox.h"
#include "mr-test-sandbox.h"
#include "mr-test-server.h"

#define TID          MR_SANDBOX_TENANT_ID
#define LOGOUT_PATH  "/" TID "/oauth2/v2.0/logout"
#define PATIENT      "jack.smith@example.org"
#define PATIENT_OID  "530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11"
#define STAFF        "staff@example.org"
#define NOT_STAFF_SENTENCE \
  "This account is not a front-desk account. Sign in with a staff account, or ask your " \
  "administrator to give this account the front-desk role."

typedef struct {
  MrSandbox   *sandbox;
  MrConfig    *config;
  GSettings   *settings;
  SoupSession *browser;         /* the person's browser: the sign-in page's requests */
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
  settings = mr_sandbox_dup_settings_text (fx->sandbox);
  fx->config = mr_config_new ();
  g_assert_true (mr_config_apply_lines (fx->config, settings, &error));
  g_assert_cmpint (fx->config->mode, ==, MR_MODE_DESK);
  g_assert_cmpstr (fx->config->staff_role, ==, MR_SANDBOX_STAFF_ROLE);
  fx->settings = g_settings_new ("io.github.medrefill.MedRefill");
  fx->browser = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
}

/* The visit goes; its session lets go once nothing is in flight. */
static void
drop_visit (Fixture *fx)
{
  if (fx->visit == NULL)
    return;
  mr_visit_wipe (fx->visit);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fx->visit);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  drop_visit (fx);
  g_settings_reset (fx->settings, "desk-account");
  g_settings_reset (fx->settings, "desk-account-name");
  g_clear_object (&fx->settings);
  g_clear_object (&fx->browser);
  mr_config_free (fx->config);
  g_assert_finalize_object (fx->sandbox);
}

/* A desk's visit on the fixture's config as it is now (an app start), discovery fetched. */
static MrDesk *
start_desk (Fixture *fx)
{
  g_autoptr(GAsyncResult) prefetched = NULL;
  g_autoptr(GError) error = NULL;
  MrDesk *desk;

  drop_visit (fx);
  fx->visit = mr_visit_new ();
  mr_visit_set_config (fx->visit, fx->config);
  desk = mr_visit_start_desk (fx->visit, fx->settings);
  mr_visit_prefetch_async (fx->visit, mr_test_store_result_cb, &prefetched);
  mr_test_wait_for_result (&prefetched, 20000);
  g_assert_true (mr_visit_prefetch_finish (fx->visit, prefetched, &error));
  g_assert_no_error (error);
  return desk;
}

/* Signs @email in at the desk, as the window does; FALSE with @error when the visit refused. */
static gboolean
desk_sign_in (Fixture     *fx,
              const char  *email,
              GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, &local);
  g_autofree char *callback = NULL;

  g_assert_no_error (local);
  callback = mr_test_sandbox_sign_in (fx->browser, url, email);
  mr_visit_complete_sign_in_async (fx->visit, callback, mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 20000);
  return mr_visit_complete_sign_in_finish (fx->visit, result, error);
}

static gboolean
resume (MrDesk  *desk,
        GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_desk_resume_async (desk, mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 20000);
  return mr_desk_resume_finish (desk, result, error);
}

/* Lets the keyring writes and clears that run in the background finish. */
static void
settle (void)
{
  gboolean never = FALSE;

  mr_test_wait_for (&never, 500);
}

/* ---- the keyring ------------------------------------------------------------------------- */

static void
store_refresh_token (const char *account,
                     const char *token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  mr_secret_store_async (MR_SECRET_REFRESH_TOKEN, account, "test", token, NULL,
                         mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 10000);
  g_assert_true (mr_secret_store_finish (result, &error));
  g_assert_no_error (error);
}

/* ---- the tests --------------------------------------------------------------------------- */

/* A patient at a desk (as a new user would try it): one sentence, and signed out everywhere. */
static void
test_patient_refused (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  MrDesk *desk = start_desk (fx);

  g_assert_false (desk_sign_in (fx, PATIENT, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF);
  g_assert_cmpstr (error->message, ==, NOT_STAFF_SENTENCE);
  g_assert_false (mr_desk_is_signed_in (desk));
  g_assert_null (mr_desk_get_staff_name (desk));
  g_assert_false (mr_visit_is_signed_in (fx->visit));
  g_assert_null (mr_visit_get_patient (fx->visit));
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);
  /* Not remembered for the next start. */
  account = g_settings_get_string (fx->settings, "desk-account");
  g_assert_cmpstr (account, ==, "");
  /* The provider's session ended too (its grant with it). */
  while (mr_sandbox_get_request_count (fx->sandbox, LOGOUT_PATH) == 0)
    g_main_context_iteration (NULL, TRUE);
  /* A request made for the desk now has no submitter. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GPtrArray) found = NULL;

    mr_desk_search_async (desk, MR_LOOKUP_HOSPITAL_NUMBER, "HN11112", mr_test_store_result_cb,
                          &result);
    mr_test_wait_for_result (&result, 20000);
    g_clear_error (&error);
    found = mr_desk_search_finish (desk, result, NULL, &error);
    g_assert_null (found);
    g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  }
}

/* A refused account's refresh token, stored when it was let in before (the role since removed, or
 * an older version that took any account), leaves the keyring, and the desk forgets the account. */
static void
test_refused_account_forgotten (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  g_autofree char *stored = NULL;

  if (!mr_test_have_keyring ())
    return;
  store_refresh_token (PATIENT_OID, "an-old-refresh-token");
  g_settings_set_string (fx->settings, "desk-account", PATIENT_OID);
  g_settings_set_string (fx->settings, "desk-account-name", "Jack Smith");
  start_desk (fx);
  g_assert_false (desk_sign_in (fx, PATIENT, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF);
  settle ();
  stored = mr_test_stored_refresh_token (PATIENT_OID);
  g_assert_null (stored);
  account = g_settings_get_string (fx->settings, "desk-account");
  g_assert_cmpstr (account, ==, "");
}

/* Staff are let in, and the desk works with their token. */
static void
test_staff_accepted (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *account = NULL;
  MrDesk *desk = start_desk (fx);

  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  g_assert_true (mr_desk_is_signed_in (desk));
  g_assert_cmpstr (mr_desk_get_staff_name (desk), ==, "Sam Staff");
  account = g_settings_get_string (fx->settings, "desk-account");
  g_assert_cmpuint (strlen (account), ==, 36);
  mr_desk_search_async (desk, MR_LOOKUP_HOSPITAL_NUMBER, "HN11112", mr_test_store_result_cb,
                        &result);
  mr_test_wait_for_result (&result, 20000);
  found = mr_desk_search_finish (desk, result, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, LOGOUT_PATH), ==, 0);
}

/* Another role name in the settings: Sam's FrontDesk no longer opens this desk. */
static void
test_other_role_refused (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  MrDesk *desk;

  g_free (fx->config->staff_role);
  fx->config->staff_role = g_strdup ("Pharmacist");
  desk = start_desk (fx);
  g_assert_false (desk_sign_in (fx, STAFF, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF);
  g_assert_false (mr_desk_is_signed_in (desk));
}

/* An empty staff-role setting is a mistake to fix, never "anyone". */
static void
test_no_staff_role_set (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  MrDesk *desk;

  g_free (fx->config->staff_role);
  fx->config->staff_role = g_strdup ("");
  desk = start_desk (fx);
  g_assert_false (desk_sign_in (fx, STAFF, &error));
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "administrator"));
  g_assert_false (mr_desk_is_signed_in (desk));
  g_clear_error (&error);
  g_assert_false (desk_sign_in (fx, PATIENT, &error));
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_MISSING);
  g_assert_false (mr_desk_is_signed_in (desk));
}

/* A set of tokens as the ID-token check hands them on, with @claims_json as the claims. */
static MrTokenSet *
tokens_with_claims (const char *claims_json)
{
  g_autoptr(JsonNode) node = json_from_string (claims_json, NULL);
  MrTokenSet *tokens = g_new0 (MrTokenSet, 1);

  g_assert_nonnull (node);
  tokens->access_token = g_strdup ("access");
  tokens->id_token = g_strdup ("id.token.here");
  tokens->refresh_token = g_strdup ("refresh");
  tokens->token_type = g_strdup ("Bearer");
  tokens->expires_in = 3599;
  tokens->claims = json_object_ref (json_node_get_object (node));
  return tokens;
}

/* The claim must be an array of strings: anything else proves no role, even with the word in
 * it. The staff session decides alone, so a provider's odd token cannot open the desk. */
static void
test_malformed_roles (Fixture       *fx,
                      gconstpointer  data)
{
  static const struct {
    const char *roles;
    gboolean    staff;
  } cases[] = {
    { "[\"FrontDesk\"]", TRUE },
    { "\"FrontDesk\"", FALSE },
    { "[\"FrontDesk\",7]", FALSE },
    { "[[\"FrontDesk\"]]", FALSE },
    { "{\"FrontDesk\":true}", FALSE },
    { "null", FALSE },
    { "true", FALSE },
  };
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(MrOidcClient) oidc = mr_oidc_client_new (session, fx->config);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrStaffSession) staff = mr_staff_session_new (oidc, fx->settings);
      g_autofree char *json = g_strdup_printf ("{\"oid\":\"b6d0f3e2-4c1a-4e8b-9f27-5a3c8d1e0f44\","
                                               "\"name\":\"Sam Staff\",\"roles\":%s}",
                                               cases[i].roles);
      g_autoptr(MrTokenSet) tokens = tokens_with_claims (json);
      g_autoptr(GError) error = NULL;
      g_autofree char *account = NULL;

      g_test_message ("roles: %s", cases[i].roles);
      mr_staff_session_set_staff_role (staff, MR_SANDBOX_STAFF_ROLE);
      g_assert_cmpint (mr_staff_session_begin (staff, tokens, &error), ==, cases[i].staff);
      g_assert_cmpint (mr_staff_session_is_signed_in (staff), ==, cases[i].staff);
      account = g_settings_get_string (fx->settings, "desk-account");
      if (cases[i].staff)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (account, ==, "b6d0f3e2-4c1a-4e8b-9f27-5a3c8d1e0f44");
          g_free (mr_staff_session_end (staff));
        }
      else
        {
          g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF);
          g_assert_cmpstr (account, ==, "");
          g_assert_null (mr_staff_session_get_id (staff));
        }
    }
  /* A session whose role was never set lets nobody in. */
  {
    g_autoptr(MrStaffSession) staff = mr_staff_session_new (oidc, fx->settings);
    g_autoptr(MrTokenSet) tokens = tokens_with_claims ("{\"oid\":\"o-1\",\"roles\":[\"\"]}");
    g_autoptr(GError) error = NULL;

    g_assert_false (mr_staff_session_begin (staff, tokens, &error));
    g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_MISSING);
    g_assert_false (mr_staff_session_is_signed_in (staff));
  }
  settle ();
}

/* The next start resumes from the keyring, and the refreshed ID token must show the role again:
 * once the administrator has removed it, the session ends there, keyring and settings included. */
static void
test_role_removed_on_resume (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *after = NULL;
  MrDesk *desk;

  if (!mr_test_have_keyring ())
    return;
  desk = start_desk (fx);
  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  account = g_settings_get_string (fx->settings, "desk-account");
  settle ();
  stored = mr_test_stored_refresh_token (account);
  g_assert_nonnull (stored);

  /* A restart with the role still there: the refreshed ID token carries it, the desk opens. */
  desk = start_desk (fx);
  g_assert_true (resume (desk, &error));
  g_assert_no_error (error);
  g_assert_true (mr_desk_is_signed_in (desk));
  settle ();

  /* The administrator removes Sam's assignment; the next start is refused. */
  g_assert_true (mr_sandbox_set_user_roles (fx->sandbox, STAFF, NULL));
  desk = start_desk (fx);
  g_assert_false (resume (desk, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF);
  g_assert_cmpstr (error->message, ==, NOT_STAFF_SENTENCE);
  g_assert_false (mr_desk_is_signed_in (desk));
  g_assert_null (mr_desk_get_staff_name (desk));
  settle ();
  after = mr_test_stored_refresh_token (account);
  g_assert_null (after);
  g_clear_pointer (&account, g_free);
  account = g_settings_get_string (fx->settings, "desk-account");
  g_assert_cmpstr (account, ==, "");

  /* And an interactive sign-in does not get round it. */
  g_clear_error (&error);
  g_assert_false (desk_sign_in (fx, STAFF, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF);
}

/* The idle lock outlasts the process: after it, neither the keyring nor the settings hold
 * anything a restart could resume, and the next start waits for an interactive sign-in. */
static void
test_lock_outlasts_restart (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *after = NULL;
  g_autofree char *setting = NULL;
  MrDesk *desk;

  if (!mr_test_have_keyring ())
    return;
  desk = start_desk (fx);
  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  account = g_settings_get_string (fx->settings, "desk-account");
  settle ();
  stored = mr_test_stored_refresh_token (account);
  g_assert_nonnull (stored);

  mr_desk_lock (desk);
  g_assert_false (mr_desk_is_signed_in (desk));
  settle ();
  after = mr_test_stored_refresh_token (account);
  g_assert_null (after);
  setting = g_settings_get_string (fx->settings, "desk-account");
  g_assert_cmpstr (setting, ==, "");

  /* Ctrl+Q and start again: nothing resumes. */
  desk = start_desk (fx);
  g_assert_false (resume (desk, &error));
  g_assert_no_error (error);
  g_assert_false (mr_desk_is_signed_in (desk));

  /* The staff member signs in again as usual, and is remembered for the next start again. */
  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  settle ();
  desk = start_desk (fx);
  g_assert_true (resume (desk, &error));
  g_assert_no_error (error);
}

typedef struct {
  MrDesk *desk;
  guint   locked;
} LockOnRefresh;

/* The refresh request is queued, so its answer is still to come: the lock comes now. */
static void
lock_on_refresh_cb (SoupSession   *session,
                    SoupMessage   *msg,
                    LockOnRefresh *lock)
{
  if (!g_str_has_suffix (g_uri_get_path (soup_message_get_uri (msg)), "/token"))
    return;
  mr_desk_lock (lock->desk);
  lock->locked++;
}

/* A lock that comes while the start's silent sign-in is waiting for the provider wins: the
 * answer that comes back afterwards signs nobody in and stores nothing (not even its rotated
 * refresh token). */
static void
test_lock_during_resume (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  g_autofree char *after = NULL;
  g_autofree char *setting = NULL;
  LockOnRefresh lock = { NULL, 0 };
  gulong handler;

  if (!mr_test_have_keyring ())
    return;
  start_desk (fx);
  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  account = g_settings_get_string (fx->settings, "desk-account");
  settle ();

  lock.desk = start_desk (fx);
  handler = g_signal_connect (mr_visit_get_session (fx->visit), "request-queued",
                              G_CALLBACK (lock_on_refresh_cb), &lock);
  g_assert_false (resume (lock.desk, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_signal_handler_disconnect (mr_visit_get_session (fx->visit), handler);
  g_assert_cmpuint (lock.locked, ==, 1);
  g_assert_false (mr_desk_is_signed_in (lock.desk));
  settle ();
  after = mr_test_stored_refresh_token (account);
  g_assert_null (after);
  setting = g_settings_get_string (fx->settings, "desk-account");
  g_assert_cmpstr (setting, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add ("/desk-role/patient-refused", Fixture, NULL, fixture_set_up, test_patient_refused,
              fixture_tear_down);
  g_test_add ("/desk-role/refused-account-forgotten", Fixture, NULL, fixture_set_up,
              test_refused_account_forgotten, fixture_tear_down);
  g_test_add ("/desk-role/staff-accepted", Fixture, NULL, fixture_set_up, test_staff_accepted,
              fixture_tear_down);
  g_test_add ("/desk-role/other-role-refused", Fixture, NULL, fixture_set_up,
              test_other_role_refused, fixture_tear_down);
  g_test_add ("/desk-role/no-staff-role-set", Fixture, NULL, fixture_set_up,
              test_no_staff_role_set, fixture_tear_down);
  g_test_add ("/desk-role/malformed-roles", Fixture, NULL, fixture_set_up, test_malformed_roles,
              fixture_tear_down);
  g_test_add ("/desk-role/role-removed-on-resume", Fixture, NULL, fixture_set_up,
              test_role_removed_on_resume, fixture_tear_down);
  g_test_add ("/desk-role/lock-outlasts-restart", Fixture, NULL, fixture_set_up,
              test_lock_outlasts_restart, fixture_tear_down);
  g_test_add ("/desk-role/lock-during-resume", Fixture, NULL, fixture_set_up,
              test_lock_during_resume, fixture_tear_down);
  return g_test_run ();
}

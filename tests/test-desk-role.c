/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Desk mode opens only for staff, proven by the app role in the verified ID token, against the
 * in-process sandbox tenant (where staff@example.org alone has FrontDesk): a patient's account is
 * refused and signed out (nothing kept, nothing in the keyring, the provider's session ended),
 * staff are let in, a malformed "roles" claim proves nothing, an unset staff role lets nobody in,
 * a session resumed from the keyring ends once the administrator has taken the role away, and
 * the idle lock leaves nothing for the next start to resume. A shared desk keeps one refresh
 * token, bound to the provider it came from; every refresh must show the same account in a
 * verified ID token; who is signed in never comes from the settings; and the sign-in after a lock
 * suggests the staff member locked out (login_hint), the one after Sign Out nobody. */
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
#define STAFF_OID    "b6d0f3e2-4c1a-4e8b-9f27-5a3c8d1e0f44"
#define ROBIN        "robin.reyes@example.org"
#define ROBIN_OID    "c3a9e5f1-6d2b-4f7a-8e14-2b9d0c7f5a88"
#define TOKEN_PATH   "/" TID "/oauth2/v2.0/token"
#define NO_ID_TOKEN_SENTENCE \
  "The sign-in service did not confirm who is signed in, so you were signed out. Please sign " \
  "in again."
#define OTHER_ACCOUNT_SENTENCE \
  "The sign-in service answered for another account, so you were signed out. Please sign in " \
  "again."
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
  g_settings_reset (fx->settings, "desk-login-hint");
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

/* An item as an older version stored it: account = the staff member's object id, unbound. */
static void
store_legacy_refresh_token (const char *account,
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

static char *
login_hint_setting (Fixture *fx)
{
  return g_settings_get_string (fx->settings, "desk-login-hint");
}

/* The login_hint of the next sign-in's authorize URL, as the window would open it; NULL for
 * none. Newly allocated. */
static char *
next_login_hint (Fixture *fx)
{
  g_autofree char *url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, NULL);
  g_autoptr(GHashTable) params = g_uri_parse_params (strchr (url, '?') + 1, -1, "&",
                                                     G_URI_PARAMS_NONE, NULL);

  g_assert_nonnull (params);
  return g_strdup (g_hash_table_lookup (params, "login_hint"));
}

/* ---- a staff session of its own, for refreshes on demand ---------------------------------- */

/* @email's tokens from an interactive sign-in through @oidc (prefetched here). With @expired,
 * their access token counts as expired at once, so that the next use refreshes. */
static MrTokenSet *
sign_in_tokens (Fixture      *fx,
                MrOidcClient *oidc,
                const char   *email,
                gboolean      expired)
{
  g_autoptr(GAsyncResult) prefetched = NULL;
  g_autoptr(GAsyncResult) exchanged = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MrAuthRequest) request = mr_auth_request_new ();
  g_autofree char *url = NULL;
  g_autofree char *callback = NULL;
  g_autofree char *code = NULL;
  MrTokenSet *tokens;

  mr_oidc_client_prefetch_async (oidc, NULL, mr_test_store_result_cb, &prefetched);
  mr_test_wait_for_result (&prefetched, 20000);
  g_assert_true (mr_oidc_client_prefetch_finish (oidc, prefetched, &error));
  url = mr_oidc_build_authorize_url (mr_oidc_client_get_discovery (oidc), fx->config, request,
                                     "login", NULL);
  callback = mr_test_sandbox_sign_in (fx->browser, url, email);
  code = mr_oidc_parse_callback (fx->config->redirect_uri, callback, request->state, &error);
  g_assert_no_error (error);
  mr_oidc_client_exchange_code_async (oidc, request, code, NULL, mr_test_store_result_cb,
                                      &exchanged);
  mr_test_wait_for_result (&exchanged, 20000);
  tokens = mr_oidc_client_exchange_code_finish (oidc, exchanged, &error);
  g_assert_no_error (error);
  if (expired)
    tokens->expires_in = 0;
  return tokens;
}

static MrStaffSession *
begin_staff_session (Fixture      *fx,
                     MrOidcClient *oidc,
                     gboolean      expired)
{
  g_autoptr(MrTokenSet) tokens = sign_in_tokens (fx, oidc, STAFF, expired);
  g_autoptr(GError) error = NULL;
  MrStaffSession *staff = mr_staff_session_new (oidc, fx->settings);

  mr_staff_session_set_staff_role (staff, MR_SANDBOX_STAFF_ROLE);
  g_assert_true (mr_staff_session_begin (staff, tokens, &error));
  g_assert_no_error (error);
  return staff;
}

static char *
get_token (MrStaffSession  *staff,
           gboolean         api,
           GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (api)
    {
      mr_staff_session_get_api_token_async (staff, MR_SANDBOX_API_SCOPE, NULL,
                                            mr_test_store_result_cb, &result);
      mr_test_wait_for_result (&result, 20000);
      return mr_staff_session_get_api_token_finish (staff, result, error);
    }
  mr_staff_session_get_token_async (staff, NULL, mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 20000);
  return mr_staff_session_get_token_finish (staff, result, error);
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
  /* Not remembered for the next start, not even as a hint. */
  account = login_hint_setting (fx);
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

/* A desk shared in turn keeps one refresh token: Robin's sign-in (here after a start whose silent
 * sign-in did not run, as when the network was down) replaces Sam's, and an item an older
 * version left (account = object id, unbound) goes too; the next start resumes as Robin. */
static void
test_shared_desk_one_item (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  MrDesk *desk;

  if (!mr_test_have_keyring ())
    return;
  store_legacy_refresh_token (PATIENT_OID, "an-old-refresh-token");
  start_desk (fx);
  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  settle ();
  g_assert_cmpuint (mr_test_count_refresh_tokens (), ==, 1);

  desk = start_desk (fx);
  g_assert_true (desk_sign_in (fx, ROBIN, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mr_desk_get_staff_name (desk), ==, "Robin Reyes");
  settle ();
  g_assert_cmpuint (mr_test_count_refresh_tokens (), ==, 1);
  stored = mr_test_stored_refresh_token (fx->config);
  g_assert_nonnull (stored);

  desk = start_desk (fx);
  g_assert_true (resume (desk, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mr_desk_get_staff_name (desk), ==, "Robin Reyes");
  mr_desk_sign_out (desk);
  settle ();
  g_assert_cmpuint (mr_test_count_refresh_tokens (), ==, 0);
}

/* The stored token is bound to the authority it came from. Another authority in the settings
 * (a second tenant stand-in on another port), whether changed while the app runs or before a
 * start, never receives it: not one token request reaches it. The token stays for its own
 * authority, and resumes there once the setting is back. */
static void
test_changed_authority (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(MrSandbox) other = mr_sandbox_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *other_settings = NULL;
  g_autofree char *stored = NULL;
  MrConfig *original = mr_config_copy (fx->config);
  MrDesk *desk;

  if (!mr_test_have_keyring ())
    {
      mr_config_free (original);
      return;
    }
  g_assert_true (mr_sandbox_start (other, 0, NULL, &error));
  other_settings = mr_sandbox_dup_settings_text (other);
  desk = start_desk (fx);
  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  settle ();

  /* Changed while signed in: the session in memory ends, nothing goes to the new authority. */
  g_assert_true (mr_config_apply_lines (fx->config, other_settings, &error));
  g_assert_cmpstr (fx->config->authority, !=, original->authority);
  mr_visit_set_config (fx->visit, fx->config);
  g_assert_false (mr_desk_is_signed_in (desk));
  mr_desk_search_async (desk, MR_LOOKUP_HOSPITAL_NUMBER, "HN11112", mr_test_store_result_cb,
                        &result);
  mr_test_wait_for_result (&result, 20000);
  found = mr_desk_search_finish (desk, result, NULL, &error);
  g_assert_null (found);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_clear_error (&error);

  /* A start with the new authority: nothing to resume, nothing sent. */
  desk = start_desk (fx);
  g_assert_false (resume (desk, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mr_sandbox_get_request_count (other, TOKEN_PATH), ==, 0);
  stored = mr_test_stored_refresh_token (fx->config);
  g_assert_null (stored);

  /* Back to the first authority: its token was kept for it. */
  mr_config_free (fx->config);
  fx->config = original;
  stored = mr_test_stored_refresh_token (fx->config);
  g_assert_nonnull (stored);
  desk = start_desk (fx);
  g_assert_true (resume (desk, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mr_sandbox_get_request_count (other, TOKEN_PATH), ==, 0);
  drop_visit (fx);
}

/* Who is signed in never comes from the settings: a start with the hint rewritten resumes as the
 * refresh's verified ID token says (Sam, his object id), and the hint is Sam's again. */
static void
test_identity_from_claims (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hint = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) found = NULL;
  MrDesk *desk;

  if (!mr_test_have_keyring ())
    return;
  start_desk (fx);
  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  settle ();
  g_settings_set_string (fx->settings, "desk-login-hint", ROBIN);

  desk = start_desk (fx);
  g_assert_true (resume (desk, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mr_desk_get_staff_name (desk), ==, "Sam Staff");
  hint = login_hint_setting (fx);
  g_assert_cmpstr (hint, ==, STAFF);
  /* And the desk works as Sam. */
  mr_desk_search_async (desk, MR_LOOKUP_HOSPITAL_NUMBER, "HN11112", mr_test_store_result_cb,
                        &result);
  mr_test_wait_for_result (&result, 20000);
  found = mr_desk_search_finish (desk, result, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
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
  /* The next sign-in's hint: Sam's sign-in name, from his verified ID token. */
  account = login_hint_setting (fx);
  g_assert_cmpstr (account, ==, STAFF);
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

      g_test_message ("roles: %s", cases[i].roles);
      mr_staff_session_set_staff_role (staff, MR_SANDBOX_STAFF_ROLE);
      g_assert_cmpint (mr_staff_session_begin (staff, tokens, &error), ==, cases[i].staff);
      g_assert_cmpint (mr_staff_session_is_signed_in (staff), ==, cases[i].staff);
      if (cases[i].staff)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (mr_staff_session_get_id (staff), ==, STAFF_OID);
          g_free (mr_staff_session_end (staff));
        }
      else
        {
          g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF);
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
  settle ();
  stored = mr_test_stored_refresh_token (fx->config);
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
  after = mr_test_stored_refresh_token (fx->config);
  g_assert_null (after);
  /* No longer staff: not suggested to the next sign-in either. */
  account = login_hint_setting (fx);
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
  g_autofree char *stored = NULL;
  g_autofree char *after = NULL;
  g_autofree char *setting = NULL;
  MrDesk *desk;

  if (!mr_test_have_keyring ())
    return;
  desk = start_desk (fx);
  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  settle ();
  stored = mr_test_stored_refresh_token (fx->config);
  g_assert_nonnull (stored);

  mr_desk_lock (desk);
  g_assert_false (mr_desk_is_signed_in (desk));
  g_assert_null (mr_desk_get_staff_name (desk));
  settle ();
  after = mr_test_stored_refresh_token (fx->config);
  g_assert_null (after);
  g_assert_cmpuint (mr_test_count_refresh_tokens (), ==, 0);
  /* Only the hint stays, for the staff member coming back. */
  setting = login_hint_setting (fx);
  g_assert_cmpstr (setting, ==, STAFF);

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
  after = mr_test_stored_refresh_token (fx->config);
  g_assert_null (after);
  g_assert_cmpuint (mr_test_count_refresh_tokens (), ==, 0);
}

/* OpenID Connect Core §12.2: a refresh (Graph's, or the clinic API's, which asks for openid too)
 * that brings no ID token, or one for another account, ends the session with a sentence: nothing
 * of it is kept, the stored token goes, and the hint stays (the same person signs in again). */
static void
check_refresh_refused (Fixture               *fx,
                       MrSandboxRefreshFault  fault,
                       gboolean               api,
                       const char            *sentence)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(MrOidcClient) oidc = mr_oidc_client_new (session, fx->config);
  g_autoptr(MrStaffSession) staff = begin_staff_session (fx, oidc, TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *hint = NULL;

  g_test_message ("fault %d, %s", fault, api ? "the API's token" : "Graph's token");
  settle ();
  g_assert_true (mr_sandbox_set_refresh_fault (fx->sandbox, fault, ROBIN));
  token = get_token (staff, api, &error);
  g_assert_null (token);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_IDENTITY);
  g_assert_cmpstr (error->message, ==, sentence);
  g_assert_false (mr_staff_session_is_signed_in (staff));
  g_assert_null (mr_staff_session_get_id (staff));
  g_assert_null (mr_staff_session_get_name (staff));
  settle ();
  stored = mr_test_stored_refresh_token (fx->config);
  g_assert_null (stored);
  hint = login_hint_setting (fx);
  g_assert_cmpstr (hint, ==, STAFF);
  g_assert_true (mr_sandbox_set_refresh_fault (fx->sandbox, MR_SANDBOX_REFRESH_AS_USUAL, NULL));
}

static void
test_refresh_without_id_token (Fixture       *fx,
                               gconstpointer  data)
{
  if (!mr_test_have_keyring ())
    return;
  check_refresh_refused (fx, MR_SANDBOX_REFRESH_NO_ID_TOKEN, FALSE, NO_ID_TOKEN_SENTENCE);
  check_refresh_refused (fx, MR_SANDBOX_REFRESH_NO_ID_TOKEN, TRUE, NO_ID_TOKEN_SENTENCE);
}

static void
test_refresh_other_account (Fixture       *fx,
                            gconstpointer  data)
{
  if (!mr_test_have_keyring ())
    return;
  check_refresh_refused (fx, MR_SANDBOX_REFRESH_OTHER_ACCOUNT, FALSE, OTHER_ACCOUNT_SENTENCE);
  check_refresh_refused (fx, MR_SANDBOX_REFRESH_OTHER_ACCOUNT, TRUE, OTHER_ACCOUNT_SENTENCE);
}

/* A start whose silent sign-in gets a refresh without an ID token: it does not resume (whose
 * session would it be?), says why, and the sign-in that follows suggests the staff member. */
static void
test_resume_without_id_token (Fixture       *fx,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hint = NULL;
  MrDesk *desk;

  if (!mr_test_have_keyring ())
    return;
  start_desk (fx);
  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  settle ();
  g_assert_true (mr_sandbox_set_refresh_fault (fx->sandbox, MR_SANDBOX_REFRESH_NO_ID_TOKEN, NULL));
  desk = start_desk (fx);
  g_assert_false (resume (desk, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_IDENTITY);
  g_assert_cmpstr (error->message, ==, NO_ID_TOKEN_SENTENCE);
  g_assert_false (mr_desk_is_signed_in (desk));
  g_assert_null (mr_desk_get_staff_name (desk));
  hint = next_login_hint (fx);
  g_assert_cmpstr (hint, ==, STAFF);
}

/* The authorize URL: no hint on a desk nobody signed in at; after a lock, the locked-out staff
 * member's sign-in name, in this run and after a restart; after a resume that failed, too; after
 * Sign Out, none. A kiosk never carries one. */
static void
test_login_hint (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  char *hint;
  MrDesk *desk;

  desk = start_desk (fx);
  hint = next_login_hint (fx);
  g_assert_null (hint);
  g_assert_true (desk_sign_in (fx, STAFF, &error));
  g_assert_no_error (error);
  mr_desk_lock (desk);
  hint = next_login_hint (fx);
  g_assert_cmpstr (hint, ==, STAFF);
  g_free (hint);

  /* Ctrl+Q after the lock: the hint stays for the next start. */
  desk = start_desk (fx);
  hint = next_login_hint (fx);
  g_assert_cmpstr (hint, ==, STAFF);
  g_free (hint);

  /* Robin takes the desk: the hint is hers now, and Sign Out forgets it. */
  g_assert_true (desk_sign_in (fx, ROBIN, &error));
  g_assert_no_error (error);
  mr_desk_sign_out (desk);
  hint = next_login_hint (fx);
  g_assert_null (hint);
  desk = start_desk (fx);
  hint = next_login_hint (fx);
  g_assert_null (hint);

  /* A start whose resume fails (the grant ended at the provider): Robin is suggested. */
  g_assert_true (desk_sign_in (fx, ROBIN, &error));
  g_assert_no_error (error);
  settle ();
  mr_sandbox_forget_records (fx->sandbox);
  desk = start_desk (fx);
  if (mr_test_have_keyring ())
    {
      g_assert_false (resume (desk, &error));
      g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
      g_clear_error (&error);
    }
  hint = next_login_hint (fx);
  g_assert_cmpstr (hint, ==, ROBIN);
  g_free (hint);

  /* A kiosk suggests nobody, whatever the settings say. */
  fx->config->mode = MR_MODE_KIOSK;
  drop_visit (fx);
  fx->visit = mr_visit_new ();
  mr_visit_set_config (fx->visit, fx->config);
  {
    g_autoptr(GAsyncResult) prefetched = NULL;

    mr_visit_prefetch_async (fx->visit, mr_test_store_result_cb, &prefetched);
    mr_test_wait_for_result (&prefetched, 20000);
    g_assert_true (mr_visit_prefetch_finish (fx->visit, prefetched, NULL));
  }
  hint = next_login_hint (fx);
  g_assert_null (hint);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add ("/desk-role/patient-refused", Fixture, NULL, fixture_set_up, test_patient_refused,
              fixture_tear_down);
  g_test_add ("/desk-role/shared-desk-one-item", Fixture, NULL, fixture_set_up,
              test_shared_desk_one_item, fixture_tear_down);
  g_test_add ("/desk-role/changed-authority", Fixture, NULL, fixture_set_up,
              test_changed_authority, fixture_tear_down);
  g_test_add ("/desk-role/identity-from-claims", Fixture, NULL, fixture_set_up,
              test_identity_from_claims, fixture_tear_down);
  g_test_add ("/desk-role/refresh-without-id-token", Fixture, NULL, fixture_set_up,
              test_refresh_without_id_token, fixture_tear_down);
  g_test_add ("/desk-role/refresh-other-account", Fixture, NULL, fixture_set_up,
              test_refresh_other_account, fixture_tear_down);
  g_test_add ("/desk-role/resume-without-id-token", Fixture, NULL, fixture_set_up,
              test_resume_without_id_token, fixture_tear_down);
  g_test_add ("/desk-role/login-hint", Fixture, NULL, fixture_set_up, test_login_hint,
              fixture_tear_down);
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

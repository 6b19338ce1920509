/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Desk mode: a staff member signs in once, looks a patient up by hospital number, submits on the
 * patient's behalf (submitted_by, patient_present), stays signed in for the next patient and at
 * the next start, and signs out; idle locks the app behind a new sign-in, which a restart does
 * not undo, and the sign-in after it suggests the staff member locked out (login_hint). Only staff
 * (the app role in the ID token) get in: a patient's account is turned back to Welcome with a
 * sentence. With the system browser, Sign Out opens the provider's sign-out address there. */
#include <adwaita.h>

#include "mr-config.h"
#include "mr-refill-form.h"
#include "mr-sandbox.h"
#include "mr-base.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"
#include "mr-window.h"

#define LOGOUT_PATH "/" MR_SANDBOX_TENANT_ID "/oauth2/v2.0/logout"

typedef struct {
  MrSandbox *sandbox;
  MrConfig  *config;
  MrWindow  *window;
} Fixture;

static MrWindow *
open_window (Fixture *fixture)
{
  MrWindow *window = mr_window_new (NULL);

  mr_window_set_config (window, fixture->config);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->sandbox = mr_ui_start_sandbox ();
  fixture->config = mr_ui_sandbox_config (fixture->sandbox, MR_MODE_DESK);
  fixture->window = open_window (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");

  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_settings_reset (settings, "desk-login-hint");
  mr_config_free (fixture->config);
  g_clear_object (&fixture->sandbox);
}

static const char *
field_text (MrWindow   *window,
            const char *id)
{
  return gtk_editable_get_text (GTK_EDITABLE (mr_ui_find_by_id (mr_window_get_form (window), id)));
}

static void
staff_sign_in (Fixture *fixture)
{
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  mr_ui_sign_in_as (fixture->window, "staff@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "lookup");
}

static void
fill_and_submit (MrWindow *window)
{
  GtkWidget *form = mr_window_get_form (window);

  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (form, "medication-name", 0)), "Atorvastatin");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (form, "medication-strength", 0)), "20 mg");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (form, "medication-quantity", 0)), "28");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (mr_ui_find_by_id (form, "consent")), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.submit", NULL);
  mr_ui_wait_for_page (window, "done");
}

static void
test_lookup_and_submit (Fixture       *fixture,
                        gconstpointer  data)
{
  GtkWidget *form;
  GtkWidget *page;
  g_autoptr(JsonArray) received = NULL;
  JsonObject *body, *by;

  staff_sign_in (fixture);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (mr_ui_find_by_name (GTK_WIDGET (fixture->window),
                                                                       "staff-label", 0))),
                   ==, "Signed in as Sam Staff");
  page = gtk_stack_get_visible_child (GTK_STACK (mr_ui_find_by_id (GTK_WIDGET (fixture->window), "stack")));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (mr_ui_find_by_name (page, "patient-present", 0)), TRUE);
  mr_ui_open_patient (fixture->window, "HN11112");
  mr_ui_wait_for_page (fixture->window, "form");
  form = mr_window_get_form (fixture->window);
  g_assert_nonnull (form);
  g_assert_cmpstr (field_text (fixture->window, "given_name"), ==, "Jack");
  g_assert_cmpstr (field_text (fixture->window, "hospital_number"), ==, "HN11112");
  g_assert_cmpstr (field_text (fixture->window, "date_of_birth"), ==, "2000-01-01");
  fill_and_submit (fixture->window);

  received = mr_sandbox_dup_received (fixture->sandbox);
  g_assert_cmpuint (json_array_get_length (received), ==, 1);
  body = json_object_get_object_member (json_array_get_object_element (received, 0), "body");
  g_assert_cmpstr (json_object_get_string_member (body, "mode"), ==, "desk");
  by = json_object_get_object_member (body, "submitted_by");
  g_assert_nonnull (by);
  g_assert_cmpstr (json_object_get_string_member (by, "name"), ==, "Sam Staff");
  g_assert_cmpuint (strlen (json_object_get_string_member (by, "id")), ==, 36);
  g_assert_true (json_object_get_boolean_member (body, "patient_present"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "patient"),
                                                  "given_name"), ==, "Jack");
  /* The lookup's record went out as the directory gave it; staff typed nothing about him. */
  g_assert_cmpstr (json_object_get_string_member (body, "schema"), ==, "refill-v2");
  g_assert_false (json_object_has_member (body, "patient_supplied"));

  /* The next patient: still signed in, straight back to the lookup. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start-over", NULL);
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "lookup");
}

static void
test_sign_out (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");
  g_autofree char *account = NULL;

  staff_sign_in (fixture);
  account = g_settings_get_string (settings, "desk-login-hint");
  g_assert_cmpstr (account, ==, "staff@example.org");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-out", NULL);
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "welcome");
  g_clear_pointer (&account, g_free);
  account = g_settings_get_string (settings, "desk-login-hint");
  g_assert_cmpstr (account, ==, "");
  /* The provider's session ended too. */
  while (mr_sandbox_get_request_count (fixture->sandbox, LOGOUT_PATH) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (gtk_widget_get_visible (mr_ui_find_by_name (GTK_WIDGET (fixture->window),
                                                              "staff-label", 0)));
}

static void
test_idle_locks (Fixture       *fixture,
                 gconstpointer  data)
{
  staff_sign_in (fixture);
  mr_ui_open_patient (fixture->window, "HN11112");
  mr_ui_wait_for_page (fixture->window, "form");
  mr_window_set_kiosk_timeouts (fixture->window, 300, 300, 600000);
  /* Nobody at the desk: the patient's details go, and the app wants a sign-in again. */
  mr_ui_wait_for_page (fixture->window, "welcome");
  g_assert_cmpstr (field_text (fixture->window, "hospital_number"), ==, "");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_page (fixture->window, "signin");
}

static void
test_next_start_resumes (Fixture       *fixture,
                         gconstpointer  data)
{
  staff_sign_in (fixture);
  if (g_getenv ("MEDREFILL_REQUIRE_KEYRING") == NULL)
    {
      g_test_skip ("needs the keyring that scripts/run-tests starts");
      return;
    }
  /* Let the keyring write finish, then "restart": a new window with the same settings. */
  {
    gboolean tick = FALSE;
    mr_test_wait_for (&tick, 1000);
  }
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = open_window (fixture);
  /* No sign-in page: the stored session resumes silently. */
  mr_ui_wait_for_page (fixture->window, "lookup");
  g_assert_null (mr_window_get_signin_helper (fixture->window));
  mr_ui_open_patient (fixture->window, "HN11112");
  mr_ui_wait_for_page (fixture->window, "form");
  g_assert_cmpstr (field_text (fixture->window, "given_name"), ==, "Jack");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-out", NULL);
}

static void
page_seen_cb (GtkStack   *stack,
              GParamSpec *pspec,
              gboolean   *lookup_seen)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "lookup") == 0)
    *lookup_seen = TRUE;
}

/* Idle locks the desk, then someone quits and starts the app again: the restart must not undo
 * the lock. Welcome stays, the staff label stays hidden, and Sign In asks for the password. */
static void
test_restart_after_lock_asks (Fixture       *fixture,
                              gconstpointer  data)
{
  gboolean lookup_seen = FALSE;
  gboolean tick = FALSE;

  staff_sign_in (fixture);
  if (g_getenv ("MEDREFILL_REQUIRE_KEYRING") == NULL)
    {
      g_test_skip ("needs the keyring that scripts/run-tests starts");
      return;
    }
  mr_test_wait_for (&tick, 1000);
  mr_window_set_kiosk_timeouts (fixture->window, 300, 300, 600000);
  mr_ui_wait_for_page (fixture->window, "welcome");
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = open_window (fixture);
  g_signal_connect (mr_ui_find_by_id (GTK_WIDGET (fixture->window), "stack"),
                    "notify::visible-child-name", G_CALLBACK (page_seen_cb), &lookup_seen);
  /* Time for a silent resume (a keyring lookup and one refresh) to have happened. */
  mr_test_wait_for (&tick, 3000);
  g_assert_false (lookup_seen);
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "welcome");
  g_assert_false (gtk_widget_get_visible (mr_ui_find_by_name (GTK_WIDGET (fixture->window),
                                                              "staff-label", 0)));
  staff_sign_in (fixture);
  g_assert_true (lookup_seen);
}

#define NOT_STAFF_SENTENCE \
  "This account is not a front-desk account. Sign in with a staff account, or ask your " \
  "administrator to give this account the front-desk role."

/* Spins the main loop until @window is on Welcome with a notice; returns the notice. Fails at
 * once on Find a Patient or the error page, where a refused account must never land. */
static const char *
wait_for_welcome_notice (MrWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;

  while (g_strcmp0 (mr_window_get_page (window), "welcome") != 0 ||
         mr_window_get_message (window) == NULL)
    {
      g_assert_cmpstr (mr_window_get_page (window), !=, "lookup");
      g_assert_cmpstr (mr_window_get_page (window), !=, "error");
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return mr_window_get_message (window);
}

/* A patient's account at a desk, as a new user would try it: back on Welcome with one sentence,
 * Find a Patient never shown, nothing remembered; then the staff member signs in as usual. */
static void
test_patient_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");
  g_autofree char *account = NULL;
  GtkWidget *stack = mr_ui_find_by_id (GTK_WIDGET (fixture->window), "stack");
  gboolean lookup_seen = FALSE;
  gulong handler = g_signal_connect (stack, "notify::visible-child-name",
                                     G_CALLBACK (page_seen_cb), &lookup_seen);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  mr_ui_sign_in_as (fixture->window, "jack.smith@example.org", MR_SANDBOX_PASSWORD);
  g_assert_cmpstr (wait_for_welcome_notice (fixture->window), ==, NOT_STAFF_SENTENCE);
  g_assert_true (gtk_widget_get_visible (mr_ui_find_by_name (GTK_WIDGET (fixture->window),
                                                             "welcome-notice", 0)));
  g_assert_false (lookup_seen);
  g_assert_false (gtk_widget_get_visible (mr_ui_find_by_name (GTK_WIDGET (fixture->window),
                                                              "staff-label", 0)));
  account = g_settings_get_string (settings, "desk-login-hint");
  g_assert_cmpstr (account, ==, "");
  /* Signed out at the provider too. */
  while (mr_sandbox_get_request_count (fixture->sandbox, LOGOUT_PATH) == 0)
    g_main_context_iteration (NULL, TRUE);

  /* The staff member still gets in, and the sentence is gone. */
  g_signal_handler_disconnect (stack, handler);
  staff_sign_in (fixture);
  g_assert_null (mr_window_get_message (fixture->window));
  g_assert_false (gtk_widget_get_visible (mr_ui_find_by_name (GTK_WIDGET (fixture->window),
                                                              "welcome-notice", 0)));
  g_assert_true (gtk_widget_get_visible (mr_ui_find_by_name (GTK_WIDGET (fixture->window),
                                                             "staff-label", 0)));
}

/* The administrator removed the staff member's role between two shifts: the next start does not
 * open Find a Patient, and Welcome says why. */
static void
test_role_removed_at_next_start (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");
  g_autofree char *account = NULL;
  gboolean lookup_seen = FALSE;

  staff_sign_in (fixture);
  if (g_getenv ("MEDREFILL_REQUIRE_KEYRING") == NULL)
    {
      g_test_skip ("needs the keyring that scripts/run-tests starts");
      return;
    }
  {
    gboolean tick = FALSE;
    mr_test_wait_for (&tick, 1000);
  }
  g_assert_true (mr_sandbox_set_user_roles (fixture->sandbox, "staff@example.org", NULL));
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = open_window (fixture);
  g_signal_connect (mr_ui_find_by_id (GTK_WIDGET (fixture->window), "stack"),
                    "notify::visible-child-name", G_CALLBACK (page_seen_cb), &lookup_seen);
  g_assert_cmpstr (wait_for_welcome_notice (fixture->window), ==, NOT_STAFF_SENTENCE);
  g_assert_false (lookup_seen);
  account = g_settings_get_string (settings, "desk-login-hint");
  g_assert_cmpstr (account, ==, "");
}

/* Stands in for the desktop's browser: keeps the last address the app opened there. */
static gboolean
open_uri_cb (MrWindow    *window,
             const char  *uri,
             char       **opened)
{
  g_free (*opened);
  *opened = g_strdup (uri);
  return TRUE;
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GBytes **) user_data = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
}

/* Sends @msg and spins the main loop (the app's loopback listener runs in it) until answered. */
static GBytes *
send (SoupSession *session,
      SoupMessage *msg)
{
  GBytes *body = NULL;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &body);
  while (body == NULL)
    g_main_context_iteration (NULL, TRUE);
  return body;
}

/* The administrator points the desk at another authority while a staff member is signed in:
 * the session ends at once (its tokens never go to the new authority) and Welcome is back. */
static void
test_changed_authority_signs_out (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(MrSandbox) other = mr_ui_start_sandbox ();
  MrConfig *moved = mr_ui_sandbox_config (other, MR_MODE_DESK);

  staff_sign_in (fixture);
  mr_window_set_config (fixture->window, moved);
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "welcome");
  g_assert_false (gtk_widget_get_visible (mr_ui_find_by_name (GTK_WIDGET (fixture->window),
                                                              "staff-label", 0)));
  g_assert_cmpuint (mr_sandbox_get_request_count (other, "/" MR_SANDBOX_TENANT_ID
                                                  "/oauth2/v2.0/token"), ==, 0);
  mr_config_free (moved);
}

/* A window whose sign-in goes through the system browser, the test standing in for the browser
 * (its last address in *@opened). */
static void
open_system_browser_window (Fixture  *fixture,
                            char    **opened)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->config->sign_in_browser = MR_SIGN_IN_SYSTEM_BROWSER;
  fixture->window = open_window (fixture);
  g_signal_connect (fixture->window, "open-uri", G_CALLBACK (open_uri_cb), opened);
}

/* Sign In, as a person does it in their browser: the app opens the authorize URL there
 * (returned, newly allocated), the person posts the sign-in form and the browser follows the
 * redirect to the app's loopback listener. */
static char *
browser_sign_in (Fixture     *fixture,
                 char       **opened,
                 const char  *email)
{
  g_autoptr(SoupSession) browser = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) post = NULL;
  g_autoptr(SoupMessage) callback = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GBytes) ignored = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *form = NULL;
  g_autofree char *credentials = NULL;
  const char *location;

  g_clear_pointer (opened, g_free);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_page (fixture->window, "browser");
  g_assert_nonnull (*opened);
  g_assert_null (mr_window_get_signin_helper (fixture->window));
  /* The redirect is the app's own listener on 127.0.0.1, not the configured URI. */
  g_assert_nonnull (strstr (*opened, "redirect_uri=http%3A%2F%2F127.0.0.1%3A"));

  endpoint = g_strndup (*opened, strchr (*opened, '?') - *opened);
  credentials = soup_form_encode ("email", email, "password", MR_SANDBOX_PASSWORD, NULL);
  form = g_strconcat (strchr (*opened, '?') + 1, "&", credentials, NULL);
  post = soup_message_new_from_encoded_form ("POST", endpoint, g_steal_pointer (&form));
  soup_message_add_flags (post, SOUP_MESSAGE_NO_REDIRECT);
  ignored = send (browser, post);
  g_assert_cmpuint (soup_message_get_status (post), ==, SOUP_STATUS_FOUND);
  location = soup_message_headers_get_one (soup_message_get_response_headers (post), "Location");
  g_assert_true (g_str_has_prefix (location, "http://127.0.0.1:"));
  callback = soup_message_new ("GET", location);
  page = send (browser, callback);
  g_assert_cmpuint (soup_message_get_status (callback), ==, SOUP_STATUS_OK);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (page, NULL), g_bytes_get_size (page),
                                  "You can close this tab"));
  /* The app takes it from there: the staff member is signed in. */
  mr_ui_wait_for_page (fixture->window, "lookup");
  return g_strdup (endpoint);
}

/* The query parameter @name of @url, or NULL. Newly allocated. */
static char *
url_param (const char *url,
           const char *name)
{
  g_autoptr(GHashTable) params = g_uri_parse_params (strchr (url, '?') + 1, -1, "&",
                                                     G_URI_PARAMS_NONE, NULL);

  return g_strdup (g_hash_table_lookup (params, name));
}

/* sign-in-browser = system: the app opens the authorize URL in "the browser" (here the test, as
 * a person's browser would: post the sign-in form, follow the redirect) and takes the callback on
 * its loopback listener; no web view is involved. */
static void
test_system_browser (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *opened = NULL;
  g_autofree char *endpoint = NULL;

  open_system_browser_window (fixture, &opened);
  endpoint = browser_sign_in (fixture, &opened, "staff@example.org");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-out", NULL);
}

/* Sign Out after a system-browser sign-in: the provider's session lives in that browser, so the
 * app opens the provider's sign-out address there (with id_token_hint, no post-logout address,
 * since none is registered), instead of a request of its own that could not end it; the
 * browser's visit ends it. */
static void
test_system_browser_sign_out (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(SoupSession) browser = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) visit = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *logout = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *post_logout = NULL;
  gboolean tick = FALSE;

  open_system_browser_window (fixture, &opened);
  endpoint = browser_sign_in (fixture, &opened, "staff@example.org");
  g_clear_pointer (&opened, g_free);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-out", NULL);
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "welcome");
  g_assert_nonnull (opened);
  logout = g_strconcat (mr_sandbox_get_base_url (fixture->sandbox), LOGOUT_PATH, "?", NULL);
  g_assert_true (g_str_has_prefix (opened, logout));
  hint = url_param (opened, "id_token_hint");
  g_assert_nonnull (hint);
  g_assert_nonnull (strchr (hint, '.'));
  post_logout = url_param (opened, "post_logout_redirect_uri");
  g_assert_null (post_logout);
  /* The app sent nothing of its own: the browser's visit is the sign-out. */
  mr_test_wait_for (&tick, 500);
  g_assert_cmpuint (mr_sandbox_get_request_count (fixture->sandbox, LOGOUT_PATH), ==, 0);
  visit = soup_message_new ("GET", opened);
  soup_message_add_flags (visit, SOUP_MESSAGE_NO_REDIRECT);
  page = send (browser, visit);
  g_assert_cmpuint (mr_sandbox_get_request_count (fixture->sandbox, LOGOUT_PATH), ==, 1);
  g_assert_false (gtk_widget_get_visible (mr_ui_find_by_name (GTK_WIDGET (fixture->window),
                                                              "staff-label", 0)));
}

/* After the idle lock the next sign-in suggests the staff member locked out (login_hint), in this
 * run and after a restart; after Sign Out it suggests nobody. */
static void
test_login_hint_after_lock (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *opened = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *hint = NULL;

  open_system_browser_window (fixture, &opened);
  endpoint = browser_sign_in (fixture, &opened, "staff@example.org");
  hint = url_param (opened, "login_hint");
  g_assert_null (hint);

  mr_window_set_kiosk_timeouts (fixture->window, 300, 300, 600000);
  mr_ui_wait_for_page (fixture->window, "welcome");
  mr_window_set_kiosk_timeouts (fixture->window, 600000, 300000, 600000);
  g_free (endpoint);
  endpoint = browser_sign_in (fixture, &opened, "staff@example.org");
  hint = url_param (opened, "login_hint");
  g_assert_cmpstr (hint, ==, "staff@example.org");
  g_clear_pointer (&hint, g_free);

  /* Locked again, and the app restarted: still suggested. */
  mr_window_set_kiosk_timeouts (fixture->window, 300, 300, 600000);
  mr_ui_wait_for_page (fixture->window, "welcome");
  open_system_browser_window (fixture, &opened);
  g_free (endpoint);
  endpoint = browser_sign_in (fixture, &opened, "staff@example.org");
  hint = url_param (opened, "login_hint");
  g_assert_cmpstr (hint, ==, "staff@example.org");
  g_clear_pointer (&hint, g_free);

  /* Sign Out: nobody is suggested. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-out", NULL);
  g_free (endpoint);
  endpoint = browser_sign_in (fixture, &opened, "staff@example.org");
  hint = url_param (opened, "login_hint");
  g_assert_null (hint);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-out", NULL);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/ui/desk/needs-display"))
    return g_test_run ();
  adw_init ();

  g_test_add ("/ui/desk/lookup-and-submit", Fixture, NULL, fixture_set_up, test_lookup_and_submit,
              fixture_tear_down);
  g_test_add ("/ui/desk/sign-out", Fixture, NULL, fixture_set_up, test_sign_out,
              fixture_tear_down);
  g_test_add ("/ui/desk/idle-locks", Fixture, NULL, fixture_set_up, test_idle_locks,
              fixture_tear_down);
  g_test_add ("/ui/desk/system-browser", Fixture, NULL, fixture_set_up, test_system_browser,
              fixture_tear_down);
  g_test_add ("/ui/desk/changed-authority-signs-out", Fixture, NULL, fixture_set_up,
              test_changed_authority_signs_out, fixture_tear_down);
  g_test_add ("/ui/desk/system-browser-sign-out", Fixture, NULL, fixture_set_up,
              test_system_browser_sign_out, fixture_tear_down);
  g_test_add ("/ui/desk/login-hint-after-lock", Fixture, NULL, fixture_set_up,
              test_login_hint_after_lock, fixture_tear_down);
  g_test_add ("/ui/desk/next-start-resumes", Fixture, NULL, fixture_set_up, test_next_start_resumes,
              fixture_tear_down);
  g_test_add ("/ui/desk/restart-after-lock-asks", Fixture, NULL, fixture_set_up,
              test_restart_after_lock_asks, fixture_tear_down);
  g_test_add ("/ui/desk/patient-refused", Fixture, NULL, fixture_set_up, test_patient_refused,
              fixture_tear_down);
  g_test_add ("/ui/desk/role-removed-at-next-start", Fixture, NULL, fixture_set_up,
              test_role_removed_at_next_start, fixture_tear_down);
  return g_test_run ();
}

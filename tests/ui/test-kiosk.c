/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kiosk mode: the idle guard warns and wipes, a finished visit returns to Welcome by itself, the
 * window cannot be closed from inside nor GTK's inspector opened, and nothing of a patient
 * survives into the next visit: not in the next person's network session (the sandbox keeps a
 * browser signed in with HttpOnly cookies, as Entra does), not on disk (GSettings on its keyfile
 * backend, see tests/ui/meson.build, so that settings really reach the disk). */
#define _GNU_SOURCE
#include <adwaita.h>
#include <string.h>

#include "config.h"
#include "mr-config.h"
#include "mr-delivery.h"
#include "mr-refill-form.h"
#include "mr-sandbox.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"
#include "mr-window.h"

typedef struct {
  MrSandbox *sandbox;
  MrWindow  *window;
} Fixture;

static const char *home_root;

/* The sandbox's settings written to GSettings, which the test runs on its keyfile backend: they
 * reach $XDG_CONFIG_HOME/glib-2.0/settings/keyfile as an administrator's would reach dconf, and
 * the disk scans below see whatever the app writes there. */
static GSettings *
settings_on_disk (MrSandbox *sandbox)
{
  g_autofree char *lines = mr_sandbox_dup_settings_text (sandbox);
  g_auto(GStrv) items = g_strsplit (lines, "\n", -1);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *keyfile = g_build_filename (g_get_user_config_dir (), "glib-2.0", "settings",
                                               "keyfile", NULL);

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (items[i], "=", 2);

      if (g_strv_length (pair) == 2)
        g_assert_true (g_settings_set_string (settings, pair[0], pair[1]));
    }
  g_assert_true (g_settings_set_string (settings, "mode", "kiosk"));
  g_settings_sync ();
  g_assert_true (g_file_test (keyfile, G_FILE_TEST_IS_REGULAR));
  return g_steal_pointer (&settings);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(MrConfig) config = NULL;

  fixture->sandbox = mr_ui_start_sandbox ();
  settings = settings_on_disk (fixture->sandbox);
  config = mr_config_new_from_settings (settings);
  g_assert_cmpint (config->mode, ==, MR_MODE_KIOSK);
  fixture->window = mr_window_new (NULL);
  mr_window_set_settings (fixture->window, settings);
  mr_window_set_config (fixture->window, config);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "welcome");
  /* The Done page's way back is quick; the idle timers are set short only by the tests that
   * wait for them, once the page they test is on screen (a slow sign-in must not be wiped). */
  mr_window_set_kiosk_timeouts (fixture->window, 600000, 600000, 400);
}

/* Short idle timings: the test waits on events, these only set how soon they come. */
static void
idle_soon (Fixture *fixture)
{
  mr_window_set_kiosk_timeouts (fixture->window, 1500, 1500, 400);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  MrOutbox *outbox = mr_window_get_outbox (fixture->window);
  g_autoptr(GPtrArray) items = outbox ? mr_outbox_list_items (outbox) : NULL;

  /* Leave no request behind for the next test (they share the test's data folder). */
  for (guint i = 0; items != NULL && i < items->len; i++)
    mr_outbox_discard (outbox, ((MrOutboxItem *) g_ptr_array_index (items, i))->request_id);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->sandbox);
}

static const char *
field_text (Fixture    *fixture,
            const char *id)
{
  GtkWidget *widget = mr_ui_find_by_id (mr_window_get_form (fixture->window), id);

  g_assert_nonnull (widget);
  return gtk_editable_get_text (GTK_EDITABLE (widget));
}

/* The sign-in page as the next person finds it: the empty form, no account offered, and no
 * request of this network session ever carried the sandbox's session cookie (HttpOnly, so no
 * script can look; the sandbox counts it). A network session kept from the last visit would show
 * "Pick an account" with the last patient on it. */
static void
assert_fresh_sign_in (Fixture *fixture)
{
  g_assert_true (mr_ui_run_signin_js (fixture->window,
                                      "document.getElementById('email').value === '' && "
                                      "document.getElementById('pick-account') === null && "
                                      "document.getElementById('account') === null"));
  g_assert_cmpuint (mr_sandbox_get_session_cookie_count (fixture->sandbox), ==, 0);
}

static void
sign_in_to_form (Fixture    *fixture,
                 const char *email)
{
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  /* The form, or the account picker a browser still signed in would get. */
  mr_ui_wait_for_signin (fixture->window,
                         "document.readyState === 'complete' && "
                         "(document.getElementById('email') !== null || "
                         "document.getElementById('pick-account') !== null)");
  assert_fresh_sign_in (fixture);
  mr_ui_submit_sign_in (fixture->window, email, MR_SANDBOX_PASSWORD);
  /* Yes to "Stay signed in?": the persistent cookie, what a shared screen must survive. */
  mr_ui_stay_signed_in (fixture->window, TRUE);
  mr_ui_wait_for_page (fixture->window, "form");
}

/* Spins until Welcome has the next person's sign-in page preloaded in a fresh helper. */
static void
wait_next_signin_ready (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;

  while (!mr_window_get_next_signin_ready (fixture->window))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
fill_and_submit (Fixture *fixture)
{
  GtkWidget *form = mr_window_get_form (fixture->window);

  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (form, "medication-name", 0)), "Metformin");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (form, "medication-strength", 0)), "500 mg");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (form, "medication-quantity", 0)), "60");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (mr_ui_find_by_id (form, "consent")), TRUE);
  g_assert_true (mr_refill_form_get_valid (MR_REFILL_FORM (form)));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.submit", NULL);
  mr_ui_wait_for_page (fixture->window, "done");
}

/* How many files under @dir (the test's private HOME and XDG directories, the outbox's folder
 * among them) hold @needle; each is named in the log with @what, never with the needle itself
 * (a token must not reach a log either). */
static guint
files_containing (const char *dir,
                  const char *needle,
                  const char *what)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint found = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        found += files_containing (path, needle, what);
      else if (g_file_get_contents (path, &contents, &length, NULL) &&
               memmem (contents, length, needle, strlen (needle)) != NULL)
        {
          g_test_message ("%s holds %s", path, what);
          found++;
        }
    }
  return found;
}

/* Fails the test, naming the file, when anything of the visit is on disk: each token the sandbox
 * issued (access, ID, refresh, the clinic API's), each base64url part of each (a JWT's header,
 * claims and signature separately: a part alone still identifies or proves), and the patient's
 * fields. @patient_fields ends with NULL. */
static void
assert_nothing_on_disk (Fixture           *fixture,
                        const char *const *patient_fields)
{
  g_auto(GStrv) tokens = mr_sandbox_dup_issued_tokens (fixture->sandbox);
  guint hits = 0;

  /* The visit got an ID token, Graph's and the API's access tokens, and refresh tokens. */
  g_assert_cmpuint (g_strv_length (tokens), >=, 4);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (tokens[i], ".", -1);
      g_autofree char *what = g_strdup_printf ("issued token %u", i);

      hits += files_containing (home_root, tokens[i], what);
      for (guint j = 0; parts[1] != NULL && parts[j] != NULL; j++)
        {
          g_autofree char *part = g_strdup_printf ("part %u of issued token %u", j, i);

          hits += files_containing (home_root, parts[j], part);
        }
    }
  for (guint i = 0; patient_fields[i] != NULL; i++)
    {
      g_autofree char *what = g_strdup_printf ("patient field %u", i);

      hits += files_containing (home_root, patient_fields[i], what);
    }
  g_assert_cmpuint (hits, ==, 0);
}

static const char *const jack_fields[] = {
  "jack.smith@example.org", "Jack Smith", "Smith", "HN11112", "2000-01-01", "12 Harbour Road",
  "530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11", NULL
};

static void
test_idle_wipe (Fixture       *fixture,
                gconstpointer  data)
{
  GtkWidget *notes;

  sign_in_to_form (fixture, "jack.smith@example.org");
  g_assert_cmpstr (field_text (fixture, "hospital_number"), ==, "HN11112");
  notes = mr_ui_find_by_id (mr_window_get_form (fixture->window), "notes");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (notes)), "Left at the kiosk", -1);

  /* Nobody touches the screen: first the warning, then the wipe. */
  idle_soon (fixture);
  while (!mr_window_get_idle_warning (fixture->window))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "form");
  mr_ui_wait_for_page (fixture->window, "welcome");
  g_assert_false (mr_window_get_idle_warning (fixture->window));
  g_assert_cmpstr (field_text (fixture, "hospital_number"), ==, "");
  g_assert_cmpstr (field_text (fixture, "given_name"), ==, "");
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (notes));
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_cmpstr (text, ==, "");
  }

  /* The scan reads the settings' file: the authority is there, as the settings reached disk. */
  g_assert_cmpuint (files_containing (home_root, "authority=", "the settings"), >=, 1);
  assert_nothing_on_disk (fixture, jack_fields);
  g_assert_cmpuint (files_containing (home_root, "Left at the kiosk", "the notes"), ==, 0);

  /* The next person starts clean: the empty form, no session cookie sent (sign_in_to_form). */
  mr_window_set_kiosk_timeouts (fixture->window, 600000, 600000, 400);
  sign_in_to_form (fixture, "ana.garcia@example.org");
  g_assert_cmpstr (field_text (fixture, "given_name"), ==, "Ana");
  g_assert_cmpstr (field_text (fixture, "hospital_number"), ==, "");
}

static GtkWidget *
find_idle_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        return GTK_WIDGET (window);
    }
  return NULL;
}

static void
test_still_here (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkWidget *dialog;

  sign_in_to_form (fixture, "jack.smith@example.org");
  idle_soon (fixture);
  while (!mr_window_get_idle_warning (fixture->window))
    g_main_context_iteration (NULL, TRUE);
  dialog = find_idle_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Still there?");
  /* The patient taps "I'm still here": nothing is lost. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  g_assert_false (mr_window_get_idle_warning (fixture->window));
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "form");
  g_assert_cmpstr (field_text (fixture, "hospital_number"), ==, "HN11112");
}

static void
test_done_returns_and_cannot_close (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_assert_false (gtk_window_get_deletable (GTK_WINDOW (fixture->window)));
  gtk_window_close (GTK_WINDOW (fixture->window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));

  sign_in_to_form (fixture, "zoe.nunez@example.org");
  fill_and_submit (fixture);
  /* The Done page goes back to Welcome by itself, wiped. */
  mr_ui_wait_for_page (fixture->window, "welcome");
  g_assert_cmpstr (field_text (fixture, "given_name"), ==, "");
  g_assert_cmpuint (files_containing (home_root, "zoe.nunez@example.org", "the email"), ==, 0);
  g_assert_cmpuint (files_containing (home_root, "HN20457", "the hospital number"), ==, 0);
}

/* A request the workflow refused (403: held for staff) stays in the outbox after the wipe,
 * encrypted: its file is there (the scan reads it: its header is found), and neither the token it
 * would be sent with nor the patient's details are readable in it. */
static void
test_held_request_encrypted (Fixture       *fixture,
                             gconstpointer  data)
{
  MrSinkFault forbidden = { MR_SINK_FAULT_FORBIDDEN, 0, 0 };
  MrOutbox *outbox = mr_window_get_outbox (fixture->window);
  g_autoptr(GPtrArray) items = NULL;

  mr_sandbox_set_sink_faults (fixture->sandbox, &forbidden, 1);
  sign_in_to_form (fixture, "jack.smith@example.org");
  fill_and_submit (fixture);
  mr_ui_wait_for_page (fixture->window, "welcome");
  items = mr_outbox_list_items (outbox);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpuint (files_containing (home_root, "MROX", "an outbox record"), ==, 1);
  assert_nothing_on_disk (fixture, jack_fields);
  g_assert_cmpuint (files_containing (home_root, "Metformin", "the medicine"), ==, 0);
}

/* Consecutive visits (MEDREFILL_KIOSK_SESSIONS, default 4; bench/kiosk-sessions.sh runs 200):
 * each signs in, fills, submits and is wiped; memory is reported after each wipe. Nothing may
 * pile up from one visit to the next: the open file descriptors after the last visit are those
 * after the first. The sandbox forgets each visit's records once checked (as a tenant's expiry
 * would), so that what is measured is the app. */
static void
test_sessions (Fixture       *fixture,
               gconstpointer  data)
{
  static const char *patients[] = {
    "jack.smith@example.org", "ana.garcia@example.org", "zoe.nunez@example.org",
  };
  const char *count = g_getenv ("MEDREFILL_KIOSK_SESSIONS");
  guint n = count ? (guint) g_ascii_strtoull (count, NULL, 10) : 4;
  guint fds_after_first = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *stage = g_strdup_printf ("after-wipe-%u", i + 1);
      g_autoptr(JsonArray) received = NULL;

      sign_in_to_form (fixture, patients[i % G_N_ELEMENTS (patients)]);
      fill_and_submit (fixture);
      mr_ui_wait_for_page (fixture->window, "welcome");
      received = mr_sandbox_dup_received (fixture->sandbox);
      g_assert_cmpuint (json_array_get_length (received), ==, 1);
      mr_sandbox_forget_records (fixture->sandbox);
      /* Measure with the next person's page preloaded in its spare helper, as the kiosk stands
       * between visits. */
      wait_next_signin_ready (fixture);
      mr_ui_report_memory (stage);
      if (i == 0)
        fds_after_first = mr_ui_count_fds ();
    }
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fixture->sandbox), ==, n);
  /* A leak grows with the visits; one descriptor fewer is a connection the HTTP session had not
   * closed yet after the first. */
  g_assert_cmpuint (mr_ui_count_fds (), <=, fds_after_first);
}

static void
count_cb (gpointer  instance,
          guint    *count)
{
  (*count)++;
}

/* A person using the sign-in page (the helper's window, which the app's idle guard cannot see)
 * is never "idle": the helper reports the input and "Still there?" does not come. When the input
 * stops, the warning and the wipe come as ever. */
static void
test_signin_page_activity (Fixture       *fixture,
                           gconstpointer  data)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (fixture->window));
  MrSigninHelper *helper;
  guint activity = 0;
  gint64 end;

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  helper = mr_window_get_signin_helper (fixture->window);
  g_assert_nonnull (helper);
  g_signal_connect (helper, "activity", G_CALLBACK (count_cb), &activity);
  idle_soon (fixture);
  /* Five seconds of pointer movement over the sign-in window, more than idle + warning (3 s). */
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (int i = 0; g_get_monotonic_time () < end; i++)
    {
      gboolean tick = FALSE;

      if (!mr_ui_move_pointer (display, 100 + (i % 2) * 40, 300))
        {
          g_test_skip ("no XTest");
          return;
        }
      mr_test_wait_for (&tick, 100);
      g_assert_false (mr_window_get_idle_warning (fixture->window));
    }
  g_test_message ("activity events from the sign-in page: %u", activity);
  g_assert_cmpuint (activity, >=, 3);
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "signin");
  /* Then nobody: the warning, then the wipe, which ends the sign-in page. */
  while (!mr_window_get_idle_warning (fixture->window))
    g_main_context_iteration (NULL, TRUE);
  mr_ui_wait_for_page (fixture->window, "welcome");
  g_assert_null (mr_window_get_signin_helper (fixture->window));
}

#define AUTHORIZE_PATH "/" MR_SANDBOX_TENANT_ID "/oauth2/v2.0/authorize"

/* Spins until exactly one sign-in helper process runs (another may still be ending), and returns
 * its pid. */
static int
wait_one_helper (void)
{
  gint64 deadline = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;

  for (;;)
    {
      g_autoptr(GArray) pids = mr_ui_signin_helper_pids ();
      gboolean tick = FALSE;

      if (pids->len == 1)
        return g_array_index (pids, int, 0);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      mr_test_wait_for (&tick, 50);
    }
}

static guint
authorize_count (Fixture *fixture)
{
  return mr_sandbox_get_request_count (fixture->sandbox, AUTHORIZE_PATH);
}

/* Tap Sign in on a Welcome whose next page is preloaded: the page shown is the preloaded one, in
 * the helper @pid, and nothing more was asked of the provider. */
static void
tap_preloaded (Fixture *fixture,
               int      pid)
{
  guint before = authorize_count (fixture);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  g_assert_cmpuint (authorize_count (fixture), ==, before);
  g_assert_cmpint (wait_one_helper (), ==, pid);
  /* Nobody's page: no email typed in, no account offered, no session cookie ever sent. */
  assert_fresh_sign_in (fixture);
}

/* A kiosk's turnaround (issue 14 item 6): the next person's page is preloaded in a fresh helper
 * while Welcome is up, and Sign in only shows it; the patient's helper is gone while they fill the
 * form; the next helper starts once they are done, in a process that was never anyone else's, and
 * outlives the wipe (it had loaded nothing); after the wipe it preloads a new attempt. Cancel
 * throws the shown attempt away with its process: the next page is a new attempt in a new one. */
static void
test_turnaround (Fixture       *fixture,
                 gconstpointer  data)
{
  int first, second, third;
  guint preloads, signed_in;

  wait_next_signin_ready (fixture);
  first = wait_one_helper ();
  preloads = authorize_count (fixture);
  g_assert_cmpuint (preloads, >=, 1);
  tap_preloaded (fixture, first);
  mr_ui_sign_in_as (fixture->window, "jack.smith@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "form");
  /* Nothing of the patient's sign-in is alive on the form, and no spare either. */
  g_assert_cmpuint (mr_ui_wait_webkit_gone (20000), ==, 0);
  g_assert_cmpstr (field_text (fixture, "given_name"), ==, "Jack");
  /* Jack's posts to the authorize path (the password, then "Stay signed in?"). */
  signed_in = authorize_count (fixture);
  g_assert_cmpuint (signed_in, >, preloads);

  /* Done stays until Start over: the next person's helper starts while it is up, a process of
   * its own. */
  mr_window_set_kiosk_timeouts (fixture->window, 600000, 600000, 600000);
  fill_and_submit (fixture);
  second = wait_one_helper ();
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "done");
  g_assert_cmpint (second, !=, first);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start-over", NULL);
  mr_ui_wait_for_page (fixture->window, "welcome");
  wait_next_signin_ready (fixture);
  /* The same helper, on a new attempt made after the wipe: one more authorize request. */
  g_assert_cmpint (wait_one_helper (), ==, second);
  g_assert_cmpuint (authorize_count (fixture), ==, signed_in + 1);
  tap_preloaded (fixture, second);

  /* Cancel: that attempt and its process go; Welcome preloads a new one in a new process. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.cancel-sign-in", NULL);
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "welcome");
  wait_next_signin_ready (fixture);
  third = wait_one_helper ();
  g_assert_cmpint (third, !=, second);
  g_assert_cmpint (third, !=, first);
  g_assert_cmpuint (authorize_count (fixture), ==, signed_in + 2);
  tap_preloaded (fixture, third);
  mr_ui_sign_in_as (fixture->window, "ana.garcia@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "form");
  g_assert_cmpstr (field_text (fixture, "given_name"), ==, "Ana");
}

/* A preloaded page nobody tapped for gets old (Entra's flow token expires): it is replaced by a
 * new attempt in a new helper, and that one is what Sign in shows. */
static void
test_preload_expires (Fixture       *fixture,
                      gconstpointer  data)
{
  int first, second;
  guint preloads;

  wait_next_signin_ready (fixture);
  first = wait_one_helper ();
  preloads = authorize_count (fixture);
  mr_window_set_signin_preload_max_age (fixture->window, 1500);
  while (authorize_count (fixture) == preloads || !mr_window_get_next_signin_ready (fixture->window))
    g_main_context_iteration (NULL, TRUE);
  second = wait_one_helper ();
  g_assert_cmpint (second, !=, first);
  mr_window_set_signin_preload_max_age (fixture->window, 600000);
  tap_preloaded (fixture, second);
}

static gboolean
inspector_open (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (g_str_equal (G_OBJECT_TYPE_NAME (window), "GtkInspectorWindow")
          && gtk_widget_get_visible (GTK_WIDGET (window)))
        return TRUE;
    }
  return FALSE;
}

/* GTK's inspector key (Ctrl+Shift+I or D, what GtkWindow::enable-debugging is bound to) opens
 * nothing at a kiosk: the window answers it itself. */
static void
test_no_inspector (Fixture       *fixture,
                   gconstpointer  data)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (fixture->window, "enable-debugging", TRUE, &handled);
  g_assert_true (handled);
  handled = FALSE;
  g_signal_emit_by_name (fixture->window, "enable-debugging", FALSE, &handled);
  g_assert_true (handled);
  g_assert_false (inspector_open ());
}

int
main (int   argc,
      char *argv[])
{
  home_root = mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/ui/kiosk/needs-display"))
    return g_test_run ();
  adw_init ();

  g_test_add ("/ui/kiosk/signin-page-activity", Fixture, NULL, fixture_set_up,
              test_signin_page_activity, fixture_tear_down);
  g_test_add ("/ui/kiosk/idle-wipe", Fixture, NULL, fixture_set_up, test_idle_wipe,
              fixture_tear_down);
  g_test_add ("/ui/kiosk/still-here", Fixture, NULL, fixture_set_up, test_still_here,
              fixture_tear_down);
  g_test_add ("/ui/kiosk/done-returns-and-cannot-close", Fixture, NULL, fixture_set_up,
              test_done_returns_and_cannot_close, fixture_tear_down);
  g_test_add ("/ui/kiosk/held-request-encrypted", Fixture, NULL, fixture_set_up,
              test_held_request_encrypted, fixture_tear_down);
  g_test_add ("/ui/kiosk/no-inspector", Fixture, NULL, fixture_set_up, test_no_inspector,
              fixture_tear_down);
  g_test_add ("/ui/kiosk/sessions", Fixture, NULL, fixture_set_up, test_sessions,
              fixture_tear_down);
  g_test_add ("/ui/kiosk/turnaround", Fixture, NULL, fixture_set_up, test_turnaround,
              fixture_tear_down);
  g_test_add ("/ui/kiosk/preload-expires", Fixture, NULL, fixture_set_up, test_preload_expires,
              fixture_tear_down);
  return g_test_run ();
}

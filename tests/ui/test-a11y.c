/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The refill form for everyone: every control has an accessible name (read back through AT-SPI
 * by a separate process, as a screen reader would), a patient completes a two-medicine request
 * with corrections with nothing but the keyboard (real key presses through the X server), touch
 * targets are at least 44 px in kiosk mode, and the form stays usable at 200 % text size. */
#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <unistd.h>

#include "mr-application.h"
#include "mr-config.h"
#include "mr-medication-row.h"
#include "mr-outbox-view.h"
#include "mr-preferences.h"
#include "mr-refill-form.h"
#include "mr-sandbox.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"
#include "mr-window.h"

#define FORM_NAME "Refill request"

typedef struct {
  MrSandbox *sandbox;
  MrWindow  *window;
} Fixture;

static void
settle (guint ms)
{
  gboolean never = FALSE;

  mr_test_wait_for (&never, ms);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autofree char *lines = NULL;

  fixture->sandbox = mr_sandbox_new ();
  g_assert_true (mr_sandbox_start (fixture->sandbox, 0, NULL, &error));
  g_assert_no_error (error);
  lines = mr_sandbox_dup_settings_text (fixture->sandbox);
  g_assert_true (mr_config_apply_lines (config, lines, &error));
  config->mode = GPOINTER_TO_INT (data);
  fixture->window = mr_window_new (NULL);
  mr_window_set_config (fixture->window, config);
  /* The kiosk's timers out of the way: these tests take their time. */
  mr_window_set_kiosk_timeouts (fixture->window, 600000, 600000, 600000);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1280, 1024);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");

  MrOutbox *outbox = mr_window_get_outbox (fixture->window);
  g_autoptr(GPtrArray) items = outbox ? mr_outbox_list_items (outbox) : NULL;

  /* Leave no request behind for the next test (they share the test's data folder). */
  for (guint i = 0; items != NULL && i < items->len; i++)
    mr_outbox_discard (outbox, ((MrOutboxItem *) g_ptr_array_index (items, i))->request_id);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  /* The desk remembers its staff account: forget it for the next test. */
  g_settings_reset (settings, "desk-login-hint");
  g_clear_object (&fixture->sandbox);
}

/* Kiosk: the patient signs in. Desk: the staff member signs in and opens the patient. */
static MrRefillForm *
sign_in (Fixture    *fixture,
         const char *email,
         MrMode      mode)
{
  MrRefillForm *form;

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  mr_ui_sign_in_as (fixture->window, email, MR_SANDBOX_PASSWORD);
  if (mode == MR_MODE_DESK)
    {
      mr_ui_wait_for_page (fixture->window, "lookup");
      mr_ui_open_patient (fixture->window, "HN11112");
    }
  mr_ui_wait_for_page (fixture->window, "form");
  form = MR_REFILL_FORM (mr_window_get_form (fixture->window));
  /* What the window does with its configured mode (harmless when it already has). */
  mr_refill_form_set_mode (form, mode);
  return form;
}

static GtkWidget *
by_id (MrRefillForm *form,
       const char   *id)
{
  GtkWidget *widget = mr_ui_find_by_id (GTK_WIDGET (form), id);

  g_assert_nonnull (widget);
  return widget;
}

/* AT-SPI */

typedef struct {
  gboolean  done;
  char     *out;
  char     *err;
  int       status;
  int       signal;   /* the checker was killed by this signal (0: it exited) */
} Checked;

static void
checker_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Checked *checked = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                                       &checked->out, &checked->err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_if_exited (G_SUBPROCESS (source)))
    checked->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  else
    checked->signal = g_subprocess_get_term_sig (G_SUBPROCESS (source));
  checked->done = TRUE;
}

/* Runs the checker on process @pid with @args (options, then the names of the objects to check:
 * see mr-a11y-check.c) and fails the test with its list. The main loop keeps running meanwhile:
 * the checker's questions are answered by it. */
static void
run_checker (int          pid,
             const char  *stage,
             GPtrArray   *args)
{
  const char *checker = g_getenv ("MEDREFILL_A11Y_CHECK");
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Checked checked = { 0 };
  guint roots = 0;

  g_assert_nonnull (checker);
  g_ptr_array_add (argv, g_strdup (checker));
  /* Options first, then the pid, then the roots. */
  for (guint i = 0; i < args->len; i++)
    if (g_str_has_prefix (args->pdata[i], "--"))
      {
        g_ptr_array_add (argv, g_strdup (args->pdata[i]));
        g_ptr_array_add (argv, g_strdup (args->pdata[++i]));
      }
  g_ptr_array_add (argv, g_strdup_printf ("%d", pid));
  for (guint i = 0; i < args->len; i++)
    if (g_str_has_prefix (args->pdata[i], "--"))
      i++;
    else
      {
        g_ptr_array_add (argv, g_strdup (args->pdata[i]));
        roots++;
      }
  g_assert_cmpuint (roots, >, 0);
  g_ptr_array_add (argv, NULL);
  /* The checker is a client of the accessibility bus: libatspi's warning that it could not
   * register itself as an application there (a reply that timed out under load) says nothing of
   * the app's tree, and with the tests' G_DEBUG=fatal-warnings it killed the checker (SIGTRAP) now
   * and then. So it runs without fatal warnings; a checker that still crashes is run once more,
   * and a second crash fails the test. A finding fails at once. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly", TRUE);
  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_clear_object (&process);
      g_clear_pointer (&checked.out, g_free);
      g_clear_pointer (&checked.err, g_free);
      checked = (Checked) { 0 };
      process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                              &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8_async (process, NULL, NULL, checker_done_cb, &checked);
      while (!checked.done)
        g_main_context_iteration (NULL, TRUE);
      if (checked.signal == 0)
        break;
      g_test_message ("%s: the checker was killed by signal %d (attempt %d); its errors: %s",
                      stage, checked.signal, attempt + 1, checked.err ? checked.err : "");
    }
  if (checked.signal != 0)
    g_error ("%s: the accessibility checker crashed twice (signal %d)", stage, checked.signal);
  g_free (checked.err);
  {
    g_auto(GStrv) lines = g_strsplit (g_strstrip (checked.out), "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      g_test_message ("%s: %s", stage, lines[i]);
  }
  if (checked.status != 0)
    g_error ("%s: controls without an accessible name, sharing one, or missing:\n%s", stage,
             checked.out);
  g_free (checked.out);
}

/* @first...: NULL-terminated roots and options ("--expect", NAME, "--absent", NAME). */
static void
assert_named_in (int         pid,
                 const char *stage,
                 const char *first,
                 ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  run_checker (pid, stage, args);
}

#define assert_all_named(stage, ...) \
  assert_named_in ((int) getpid (), (stage), FORM_NAME, ##__VA_ARGS__, NULL)

/* The main window as it is on screen: GTK 4.8 tells AT-SPI nothing of which page of a stack is
 * shown (every page is "visible" and in the tree; GTK 4.10 hides the others), so the test marks
 * the pages not shown as hidden while the checker reads the window, as a newer GTK would, and
 * takes the marks away after. The window's title names it. */
#define WINDOW_NAME "Medication Refill"

static void
hide_other_pages (MrWindow *window,
                  gboolean  hide)
{
  GtkStack *stack = GTK_STACK (mr_ui_find_by_id (GTK_WIDGET (window), "stack"));
  GtkWidget *shown = gtk_stack_get_visible_child (stack);

  for (GtkWidget *page = gtk_widget_get_first_child (GTK_WIDGET (stack)); page != NULL;
       page = gtk_widget_get_next_sibling (page))
    if (page != shown && hide)
      gtk_accessible_update_state (GTK_ACCESSIBLE (page), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
    else
      gtk_accessible_reset_state (GTK_ACCESSIBLE (page), GTK_ACCESSIBLE_STATE_HIDDEN);
}

static void
assert_window_named_v (MrWindow   *window,
                       const char *stage,
                       ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (char *) WINDOW_NAME);
  va_start (ap, stage);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  hide_other_pages (window, TRUE);
  run_checker ((int) getpid (), stage, args);
  hide_other_pages (window, FALSE);
}

#define assert_window_named(stage, ...) \
  assert_window_named_v (fixture->window, (stage), ##__VA_ARGS__, NULL)

static gboolean
have_a11y_bus (void)
{
  if (g_strcmp0 (g_getenv ("GTK_A11Y"), "atspi") != 0 || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs GTK_A11Y=atspi and a session bus (scripts/run-tests gives both)");
      return FALSE;
    }
  return TRUE;
}

static void
fill_valid (MrRefillForm *form)
{
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", 0)),
                         "Metformin");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-strength", 0)),
                         "500 mg");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-quantity", 0)),
                         "60");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (by_id (form, "consent")), TRUE);
  g_assert_true (mr_refill_form_get_valid (form));
}

static void
show_everything (MrRefillForm *form)
{
  for (guint i = 0; i < 3; i++)
    {
      const char *ids[] = { "date_of_birth", "hospital_number", "gender_display" };
      GtkWidget *toggle = mr_ui_find_by_name (by_id (form, ids[i]), "wrong-toggle", 0);

      g_assert_nonnull (toggle);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
    }
  gtk_widget_activate_action (GTK_WIDGET (form), "form.add-medication", NULL);
  adw_combo_row_set_selected (ADW_COMBO_ROW (by_id (form, "urgency")), 1);
}

static void
test_atspi_desk (Fixture       *fixture,
                 gconstpointer  data)
{
  MrRefillForm *form;

  if (!have_a11y_bus ())
    return;
  form = sign_in (fixture, "staff@example.org", MR_MODE_DESK);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (by_id (form, "hospital_number"))), ==,
                   "HN11112");
  fill_valid (form);
  mr_ui_save_screenshot (fixture->window, "form-desk");
  assert_all_named ("desk form");
}

static void
test_atspi_kiosk (Fixture       *fixture,
                  gconstpointer  data)
{
  MrRefillForm *form;

  if (!have_a11y_bus ())
    return;
  form = sign_in (fixture, "jack.smith@example.org", MR_MODE_KIOSK);
  fill_valid (form);
  assert_all_named ("kiosk form", "--expect", "Medicine 1, name", "--absent", "Name");
  show_everything (form);
  assert_all_named ("kiosk form, corrections open, two medicines",
                    "--expect", "Medicine 1, name", "--expect", "Medicine 2, quantity");
  adw_combo_row_set_selected (ADW_COMBO_ROW (by_id (form, "fulfilment")), 1);
  gtk_widget_activate_action (GTK_WIDGET (form), "form.review", NULL);
  g_assert_cmpstr (mr_refill_form_get_page (form), ==, "edit");   /* medicine 2 is empty */
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", 1)),
                         "Salbutamol");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-quantity", 1)),
                         "1");
  gtk_widget_activate_action (GTK_WIDGET (form), "form.review", NULL);
  g_assert_cmpstr (mr_refill_form_get_page (form), ==, "review");
  assert_all_named ("review page");
}

/* Every page and window */

/* The sign-in helper (medrefill-signin), a child of this process: its pid, or 0. */
static int
signin_helper_pid (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", entry, "stat", NULL);
      g_autofree char *stat = NULL;
      char *end;
      int ppid = 0;

      if (!g_ascii_isdigit (entry[0]) || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid …"; comm is cut to 15 characters. */
      end = strrchr (stat, ')');
      if (strstr (stat, "(medrefill-signi") != NULL && end != NULL
          && sscanf (end + 1, " %*c %d", &ppid) == 1 && ppid == (int) getpid ())
        return atoi (entry);
    }
  return 0;
}

static void
wait_for_toplevel (GType        type,
                   GtkWindow  **window)
{
  gint64 deadline = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;

  for (*window = NULL; *window == NULL; g_main_context_iteration (NULL, TRUE))
    {
      GListModel *toplevels = gtk_window_get_toplevels ();

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

          if (G_TYPE_CHECK_INSTANCE_TYPE (item, type) && gtk_widget_get_mapped (GTK_WIDGET (item)))
            *window = GTK_WINDOW (item);
        }
    }
}

static void
slow_sink (Fixture *fixture,
           guint    ms)
{
  MrSinkFault script = { MR_SINK_FAULT_SLOW, ms, 0 };

  mr_sandbox_set_sink_faults (fixture->sandbox, &script, 1);
}

/* Kiosk: Welcome, the sign-in page with the helper's own window, the form, busy while the
 * request goes out, and done. */
static void
test_atspi_kiosk_pages (Fixture       *fixture,
                        gconstpointer  data)
{
  MrRefillForm *form;
  int helper;

  if (!have_a11y_bus ())
    return;
  mr_ui_wait_for_page (fixture->window, "welcome");
  assert_window_named ("Welcome page");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  assert_window_named ("sign-in page");
  /* The helper is a second application on the bus: its window's title and Cancel are named. */
  helper = signin_helper_pid ();
  g_assert_cmpint (helper, >, 0);
  assert_named_in (helper, "sign-in window", "Sign In — Medication Refill", "--expect", "Cancel",
                   NULL);
  mr_ui_sign_in_as (fixture->window, "jack.smith@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "form");
  form = MR_REFILL_FORM (mr_window_get_form (fixture->window));
  fill_valid (form);
  /* The workflow takes its time: the busy page stays while the checker reads it. */
  slow_sink (fixture, 30000);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.submit", NULL);
  mr_ui_wait_for_page (fixture->window, "busy");
  assert_window_named ("busy page");
  mr_ui_wait_for_page (fixture->window, "done");
  /* The header bar's Start over and the page's own do the same: they may share the name. */
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (
                     mr_ui_find_by_id (GTK_WIDGET (fixture->window), "start_over_button"))), ==,
                   "win.start-over");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (
                     mr_ui_find_mapped (mr_ui_find_by_id (GTK_WIDGET (fixture->window),
                                                          "done_page"), GTK_TYPE_BUTTON))), ==,
                   "win.start-over");
  assert_window_named ("done page", "--allow-shared", "Start over");
}

/* Kiosk, sign in with a phone: Welcome's second button and the code's page (Cancel and the
 * header's Start over) are named; the QR code's name is checked in tests/ui/test-qr-code.c. */
static void
test_atspi_phone_page (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autofree char *lines = mr_sandbox_dup_settings_text (fixture->sandbox);

  if (!have_a11y_bus ())
    return;
  g_assert_true (mr_config_apply_lines (config, lines, &error));
  config->mode = MR_MODE_KIOSK;
  config->device_sign_in = TRUE;
  mr_window_set_config (fixture->window, config);
  mr_ui_wait_for_page (fixture->window, "welcome");
  assert_window_named ("Welcome page with phone sign-in", "--expect", "Sign in with your phone");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in-phone", NULL);
  mr_ui_wait_for_page (fixture->window, "phone");
  assert_window_named ("phone sign-in page", "--expect", "Cancel", "--expect", "Start over");
}

/* Desk: the lookup page, then the outbox window with a request waiting in it. */
static void
test_atspi_desk_pages (Fixture       *fixture,
                       gconstpointer  data)
{
  MrSinkFault fault = { MR_SINK_FAULT_ERROR_500, 0, 0 };
  GtkWindow *outbox = NULL;

  if (!have_a11y_bus ())
    return;
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  mr_ui_sign_in_as (fixture->window, "staff@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "lookup");
  assert_window_named ("lookup page");
  mr_ui_open_patient (fixture->window, "HN11112");
  mr_ui_wait_for_page (fixture->window, "form");
  fill_valid (MR_REFILL_FORM (mr_window_get_form (fixture->window)));
  mr_sandbox_set_sink_faults (fixture->sandbox, &fault, 1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.submit", NULL);
  mr_ui_wait_for_page (fixture->window, "done");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-outbox", NULL);
  wait_for_toplevel (MR_TYPE_OUTBOX_VIEW, &outbox);
  g_assert_cmpuint (mr_outbox_view_get_n_rows (MR_OUTBOX_VIEW (outbox)), ==, 1);
  assert_named_in ((int) getpid (), "outbox window", gtk_window_get_title (outbox), NULL);
  gtk_window_destroy (outbox);
}

/* The error page: the sign-in helper cannot be started (a broken install). */
static void
test_atspi_error_page (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *saved = g_strdup (g_getenv ("MEDREFILL_HELPER_DIR"));

  if (!have_a11y_bus ())
    return;
  g_setenv ("MEDREFILL_HELPER_DIR", "/nonexistent", TRUE);
  mr_ui_kill_signin_helpers ();
  mr_ui_wait_webkit_gone (20000);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_page (fixture->window, "error");
  g_setenv ("MEDREFILL_HELPER_DIR", saved, TRUE);
  assert_window_named ("error page");
}

static void
test_atspi_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");
  MrPreferences *preferences;
  const char *title;

  if (!have_a11y_bus ())
    return;
  preferences = mr_preferences_new (NULL, settings, NULL);
  gtk_window_present (GTK_WINDOW (preferences));
  title = gtk_window_get_title (GTK_WINDOW (preferences));
  g_assert_nonnull (title);
  /* Two of libadwaita 1.2's own controls have no name there: AdwPreferencesWindow's search entry
   * and AdwPasswordEntryRow's show-text button (an image in a button). */
  assert_named_in ((int) getpid (), "preferences window", title,
                   "--allow-type-name", "GtkSearchEntry", "--allow-type-name", "GtkImage",
                   "--expect", "Clinic API scope", "--expect", "Staff app role", NULL);
  gtk_window_destroy (GTK_WINDOW (preferences));
}

/* The keyboard, through the X server */

static void
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) "xdotool");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* Let the window take the events in. */
  settle (60);
}

static void
press (const char *keys)
{
  xdotool ("key", "--delay", "40", keys, NULL);
}

static void
type (const char *text)
{
  xdotool ("type", "--delay", "25", text, NULL);
}

static gboolean
focus_within (GtkWindow *window,
              GtkWidget *target)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == target || gtk_widget_is_ancestor (focus, target));
}

/* Presses Tab until the focus is in @target, as a person tabs until they reach a field. */
static void
tab_to (GtkWindow *window,
        GtkWidget *target)
{
  for (guint presses = 0; !focus_within (window, target); presses++)
    {
      if (presses > 120)
        g_error ("Tab never reached %s (focus is on %s)", G_OBJECT_TYPE_NAME (target),
                 G_OBJECT_TYPE_NAME (gtk_root_get_focus (GTK_ROOT (window))));
      press ("Tab");
    }
}

static void
focus_window (GtkWindow *window)
{
  g_autofree char *xid = NULL;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  xdotool ("windowfocus", "--sync", xid, NULL);
  while (!gtk_window_is_active (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_window_is_active (window));
}

static gboolean
is_flagged (JsonObject *body,
            const char *attribute)
{
  JsonArray *flagged = json_object_get_array_member (body, "flagged");

  for (guint i = 0; flagged && i < json_array_get_length (flagged); i++)
    if (g_strcmp0 (json_array_get_string_element (flagged, i), attribute) == 0)
      return TRUE;
  return FALSE;
}

/* The first message dialog on screen, once it is mapped and has the keyboard focus. */
static AdwMessageDialog *
wait_for_dialog (void)
{
  gint64 deadline = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;

  for (;;)
    {
      GListModel *toplevels = gtk_window_get_toplevels ();

      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

          if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_mapped (GTK_WIDGET (window)) &&
              gtk_window_is_active (GTK_WINDOW (window)))
            return ADW_MESSAGE_DIALOG (window);
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_keyboard_only (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWindow *window = GTK_WINDOW (fixture->window);
  g_autoptr(JsonArray) received = NULL;
  JsonObject *body, *patient, *supplied;
  AdwMessageDialog *confirm;
  JsonArray *medications;
  MrRefillForm *form;
  GtkWidget *toggle;

  if (g_find_program_in_path ("xdotool") == NULL
      || !GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("needs xdotool and an X11 display (scripts/install-deps, xvfb-run)");
      return;
    }
  form = sign_in (fixture, "jack.smith@example.org", MR_MODE_KIOSK);
  focus_window (window);

  /* The date of birth is wrong: flag it and say what it should be. */
  toggle = mr_ui_find_by_name (by_id (form, "date_of_birth"), "wrong-toggle", 0);
  tab_to (window, toggle);
  press ("space");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  tab_to (window, by_id (form, "date_of_birth_correction"));
  type ("2000-01-10");
  /* The hospital number is wrong too, and the patient does not know the right one. */
  toggle = mr_ui_find_by_name (by_id (form, "hospital_number"), "wrong-toggle", 0);
  tab_to (window, toggle);
  press ("space");
  mr_ui_save_screenshot (fixture->window, "form-kiosk");
  /* A built-in detail the patient corrects themselves. */
  tab_to (window, by_id (form, "job_title"));
  press ("ctrl+a");
  type ("Pharmacist");

  tab_to (window, mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", 0));
  type ("Metformin");
  tab_to (window, mr_ui_find_by_name (GTK_WIDGET (form), "medication-strength", 0));
  type ("500 mg");
  tab_to (window, mr_ui_find_by_name (GTK_WIDGET (form), "medication-quantity", 0));
  type ("60");
  tab_to (window, by_id (form, "add_medication_button"));
  press ("Return");
  /* The new medicine's name has the focus. */
  g_assert_true (focus_within (window, mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", 1)));
  type ("Salbutamol inhaler");
  tab_to (window, mr_ui_find_by_name (GTK_WIDGET (form), "medication-strength", 1));
  type ("100 micrograms");
  tab_to (window, mr_ui_find_by_name (GTK_WIDGET (form), "medication-quantity", 1));
  type ("1");
  tab_to (window, by_id (form, "consent"));
  press ("space");
  g_assert_true (mr_refill_form_get_valid (form));

  tab_to (window, by_id (form, "review_button"));
  press ("Return");
  g_assert_cmpstr (mr_refill_form_get_page (form), ==, "review");
  mr_ui_save_screenshot (fixture->window, "review");
  /* Send has the focus on the review page. */
  g_assert_true (focus_within (window, by_id (form, "send_button")));
  press ("Return");
  /* The job title changed: the app asks whether to update the clinic's directory too; Return
   * takes the default, "Update and Send". */
  confirm = wait_for_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), "Pharmacist"));
  press ("Return");
  mr_ui_wait_for_page (fixture->window, "done");
  g_assert_null (strstr (mr_window_get_message (fixture->window), "not updated"));
  /* The sign-in's GET /me, then the PATCH. */
  g_assert_cmpuint (mr_sandbox_get_request_count (fixture->sandbox, "/v1.0/me"), ==, 2);

  received = mr_sandbox_dup_received (fixture->sandbox);
  g_assert_cmpuint (json_array_get_length (received), ==, 1);
  body = json_object_get_object_member (json_array_get_object_element (received, 0), "body");
  g_assert_cmpstr (json_object_get_string_member (body, "mode"), ==, "kiosk");
  medications = json_object_get_array_member (body, "medications");
  g_assert_cmpuint (json_array_get_length (medications), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (medications, 0),
                                                  "name"), ==, "Metformin");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (medications, 1),
                                                  "strength"), ==, "100 micrograms");
  /* What the patient typed travels apart from the directory's record. */
  patient = json_object_get_object_member (body, "patient");
  supplied = json_object_get_object_member (body, "patient_supplied");
  g_assert_cmpstr (json_object_get_string_member (supplied, "job_title"), ==, "Pharmacist");
  g_assert_cmpstr (json_object_get_string_member (patient, "job_title"), !=, "Pharmacist");
  g_assert_true (is_flagged (body, "date_of_birth"));
  g_assert_cmpstr (json_object_get_string_member (supplied, "date_of_birth"), ==, "2000-01-10");
  g_assert_cmpstr (json_object_get_string_member (patient, "date_of_birth"), ==, "2000-01-01");
  g_assert_true (is_flagged (body, "hospital_number"));
  g_assert_false (json_object_has_member (supplied, "hospital_number"));
  g_assert_false (is_flagged (body, "gender"));
  g_assert_cmpuint (json_object_get_size (supplied), ==, 2);
  g_assert_true (json_object_get_boolean_member (body, "consent"));
}

/* Sizes */

static MrPatient *
patient (void)
{
  MrPatient *p = mr_patient_new ();

  p->id = g_strdup ("4b8a7c6e-1d2f-4e3a-9b5c-6d7e8f901234");
  p->given_name = g_strdup ("Jack");
  p->surname = g_strdup ("Smith");
  p->display_name = g_strdup ("Jack Smith");
  p->gender = g_strdup ("Male");
  p->date_of_birth = g_strdup ("2000-01-01");
  p->hospital_number = g_strdup ("HN11112");
  p->street_address = g_strdup ("12 Harbour Road");
  p->city = g_strdup ("Springfield");
  return p;
}

static GtkWidget *
form_window (gboolean kiosk)
{
  g_autoptr(MrPatient) p = patient ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *form = mr_refill_form_new ();

  /* The app's own style sheet, as the application loads it. */
  mr_application_add_style (gdk_display_get_default ());
  if (kiosk)
    gtk_widget_add_css_class (window, "kiosk");
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 1024);
  gtk_window_set_child (GTK_WINDOW (window), form);
  mr_refill_form_set_patient (MR_REFILL_FORM (form), p);
  mr_refill_form_set_mode (MR_REFILL_FORM (form), kiosk ? MR_MODE_KIOSK : MR_MODE_DESK);
  if (kiosk)
    show_everything (MR_REFILL_FORM (form));
  gtk_window_present (GTK_WINDOW (window));
  settle (500);
  return window;
}

static void
collect_small (GtkWidget *widget,
               GString   *small,
               guint     *measured)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gboolean target = GTK_IS_BUTTON (child) || GTK_IS_CHECK_BUTTON (child)
                        || GTK_IS_LIST_BOX_ROW (child) || GTK_IS_SPIN_BUTTON (child);

      if (!gtk_widget_get_mapped (child))
        continue;
      if (target)
        {
          int w = gtk_widget_get_width (child), h = gtk_widget_get_height (child);

          (*measured)++;
          /* Rows are as wide as the form; everything else must be 44 × 44 at least. */
          if (h < 44 || (!GTK_IS_LIST_BOX_ROW (child) && w < 44))
            g_string_append_printf (small, "%s %s: %d × %d\n", G_OBJECT_TYPE_NAME (child),
                                    gtk_widget_get_name (child), w, h);
        }
      collect_small (child, small, measured);
    }
}

static void
test_touch_targets (void)
{
  GtkWidget *window = form_window (TRUE);
  GtkWidget *desk = NULL;
  g_autoptr(GString) small = g_string_new (NULL);
  g_autoptr(GString) desk_small = g_string_new (NULL);
  guint measured = 0, desk_measured = 0;

  collect_small (window, small, &measured);
  g_test_message ("%u touch targets measured", measured);
  g_assert_cmpuint (measured, >=, 40);
  if (small->len > 0)
    g_error ("touch targets smaller than 44 px in kiosk mode:\n%s", small->str);
  /* The kiosk style is what makes them big enough: the desk has smaller ones. */
  desk = form_window (FALSE);
  collect_small (desk, desk_small, &desk_measured);
  g_assert_cmpuint (desk_small->len, >, 0);
  gtk_window_destroy (GTK_WINDOW (desk));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
collect_cut_labels (GtkWidget *widget,
                    GString   *cut,
                    guint     *labels)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_mapped (child))
        continue;
      if (GTK_IS_LABEL (child) && gtk_label_get_text (GTK_LABEL (child))[0] != '\0')
        {
          (*labels)++;
          if (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (child))))
            g_string_append_printf (cut, "\"%s\" (%d px wide)\n",
                                    gtk_label_get_text (GTK_LABEL (child)),
                                    gtk_widget_get_width (child));
        }
      collect_cut_labels (child, cut, labels);
    }
}

/* The height of a line of the form's text, as it lays text out now. */
static int
text_height (GtkWidget *widget)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, "Ag");
  int height = 0;

  pango_layout_get_pixel_size (layout, NULL, &height);
  return height;
}

static void
test_text_scaling (void)
{
  GtkSettings *settings = gtk_settings_get_default ();
  GtkWidget *window, *form, *consent;
  g_autoptr(GString) cut = g_string_new (NULL);
  int dpi = 0, normal_height, min_width = 0;
  guint labels = 0;

  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  g_object_set (settings, "gtk-xft-dpi", 96 * 1024, NULL);
  window = form_window (FALSE);
  form = gtk_window_get_child (GTK_WINDOW (window));
  consent = mr_ui_find_by_id (form, "consent_label");
  normal_height = text_height (form);

  g_object_set (settings, "gtk-xft-dpi", 2 * 96 * 1024, NULL);
  settle (800);
  /* The text really is twice as big... */
  g_test_message ("a line of text: %d px at 100 %%, %d px at 200 %%", normal_height,
                  text_height (form));
  g_assert_cmpint (text_height (form), >=, normal_height * 9 / 5);
  /* ...and the form still fits the 1280 px window without scrolling sideways... */
  gtk_widget_measure (form, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 1280);
  g_assert_cmpint (gtk_widget_get_width (window), ==, 1280);
  g_assert_cmpint (gtk_widget_get_width (form), <=, 1280);
  /* ...with no label cut short: every title, value and sentence is whole. */
  collect_cut_labels (form, cut, &labels);
  g_test_message ("%u labels checked", labels);
  g_assert_cmpuint (labels, >=, 30);
  g_assert_cmpint (gtk_widget_get_width (consent), >, 200);
  g_object_set (settings, "gtk-xft-dpi", dpi, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  if (cut->len > 0)
    g_error ("labels ellipsized at 200 %% text size:\n%s", cut->str);
}

/* Each medicine's fields are named for it, and renamed when medicines move or go: the name that
 * was "Medicine 1, name" is "Medicine 2, name" once its medicine moved down. */
static void
test_medicine_names (void)
{
  GtkWidget *window = form_window (FALSE);
  GtkWidget *form = gtk_window_get_child (GTK_WINDOW (window));
  GtkWidget *metformin, *row;

  metformin = mr_ui_find_by_name (form, "medication-name", 0);
  gtk_editable_set_text (GTK_EDITABLE (metformin), "Metformin");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (metformin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Medicine 1, name");
  gtk_widget_activate_action (form, "form.add-medication", NULL);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (mr_ui_find_by_name (form,
                                                                           "medication-quantity",
                                                                           1)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Medicine 2, quantity");
  row = gtk_widget_get_ancestor (metformin, MR_TYPE_MEDICATION_ROW);
  gtk_widget_activate_action (row, "medication.move-down", NULL);
  g_assert_true (mr_ui_find_by_name (form, "medication-name", 1) == metformin);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (metformin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Medicine 2, name");
  /* The medicine now first goes: Metformin is medicine 1 again. */
  row = gtk_widget_get_ancestor (mr_ui_find_by_name (form, "medication-name", 0),
                                 MR_TYPE_MEDICATION_ROW);
  gtk_widget_activate_action (row, "medication.remove", NULL);
  g_assert_true (mr_ui_find_by_name (form, "medication-name", 0) == metformin);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (metformin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Medicine 1, name");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/ui/a11y/needs-display"))
    return g_test_run ();
  adw_init ();

  g_test_add ("/ui/a11y/atspi-desk", Fixture, GINT_TO_POINTER (MR_MODE_DESK), fixture_set_up,
              test_atspi_desk, fixture_tear_down);
  g_test_add ("/ui/a11y/atspi-kiosk", Fixture, GINT_TO_POINTER (MR_MODE_KIOSK), fixture_set_up,
              test_atspi_kiosk, fixture_tear_down);
  g_test_add ("/ui/a11y/atspi-kiosk-pages", Fixture, GINT_TO_POINTER (MR_MODE_KIOSK),
              fixture_set_up, test_atspi_kiosk_pages, fixture_tear_down);
  g_test_add ("/ui/a11y/atspi-desk-pages", Fixture, GINT_TO_POINTER (MR_MODE_DESK),
              fixture_set_up, test_atspi_desk_pages, fixture_tear_down);
  g_test_add ("/ui/a11y/atspi-phone-page", Fixture, GINT_TO_POINTER (MR_MODE_KIOSK),
              fixture_set_up, test_atspi_phone_page, fixture_tear_down);
  g_test_add ("/ui/a11y/atspi-error-page", Fixture, GINT_TO_POINTER (MR_MODE_KIOSK),
              fixture_set_up, test_atspi_error_page, fixture_tear_down);
  g_test_add_func ("/ui/a11y/atspi-preferences", test_atspi_preferences);
  g_test_add ("/ui/a11y/keyboard-only", Fixture, GINT_TO_POINTER (MR_MODE_KIOSK), fixture_set_up,
              test_keyboard_only, fixture_tear_down);
  g_test_add_func ("/ui/a11y/medicine-names", test_medicine_names);
  g_test_add_func ("/ui/a11y/kiosk-touch-targets", test_touch_targets);
  g_test_add_func ("/ui/a11y/text-scaling", test_text_scaling);
  return g_test_run ();
}

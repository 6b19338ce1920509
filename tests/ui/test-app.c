/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The application as src/main.c runs it (MrApplication, not a window made by a test): how it
 * starts GTK and libadwaita for a quick first frame must not cost any of their styling. GTK's
 * default theme is skipped by naming libadwaita's empty one in GTK_THEME while the settings are
 * made, and the resource base path is not set, so the icon theme is loaded once (see
 * mr-application.c). This checks what the user would see go wrong: libadwaita's stylesheet, the
 * app's own stylesheet, the icons of the header bar, GTK_THEME left as it was. */
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <adwaita.h>

#include "mr-application.h"
#include "mr-preferences.h"
#include "mr-sandbox.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"
#include "mr-window.h"

#define WAIT_MS 20000

typedef struct {
  MrApplication *app;
  MrWindow      *window;
  gboolean       checked;
  guint          waited_ms;
} Run;

static GtkWidget *
find_visible_label (GtkWidget  *root,
                    const char *css_class)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (child) && gtk_widget_has_css_class (child, css_class) &&
          gtk_widget_get_visible (child))
        return child;
      if ((found = find_visible_label (child, css_class)) != NULL)
        return found;
    }
  return NULL;
}

static void
check_styles (Run *run)
{
  GtkWidget *window = GTK_WIDGET (run->window);
  GtkWidget *badge = find_visible_label (window, "sandbox-badge");
  g_autoptr(GtkWidget) plain = NULL;
  GtkSettings *settings = gtk_widget_get_settings (window);
  GtkIconTheme *icons = gtk_icon_theme_get_for_display (gtk_widget_get_display (window));
  g_auto(GStrv) icon_paths = gtk_icon_theme_get_resource_path (icons);
  g_autofree char *theme_name = NULL;
  GdkRGBA accent;
  int badge_width, plain_width;

  /* The variable was only there while GTK made its settings; a child process gets none. */
  g_assert_null (g_getenv ("GTK_THEME"));
  g_object_get (settings, "gtk-theme-name", &theme_name, NULL);
  g_assert_cmpstr (theme_name, ==, "Adwaita-empty");

  /* libadwaita's stylesheet is in effect: its named colours are defined for the window. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (window),
                                                 "accent_bg_color", &accent));
  G_GNUC_END_IGNORE_DEPRECATIONS

  /* The app's own stylesheet (resources/style.css) is in effect: the sandbox badge has its
   * 8 px of padding on each side, which a plain label with the same text does not have. */
  g_assert_nonnull (badge);
  plain = g_object_ref_sink (gtk_label_new (gtk_label_get_label (GTK_LABEL (badge))));
  gtk_widget_measure (badge, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &badge_width, NULL, NULL);
  gtk_widget_measure (plain, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &plain_width, NULL, NULL);
  g_assert_cmpint (badge_width, >=, plain_width + 16);

  /* The icon theme has GTK's and libadwaita's icons and nothing added after it began loading;
   * the header bar's icons are found. */
  g_assert_nonnull (icon_paths);
  g_assert_cmpuint (g_strv_length (icon_paths), ==, 2);
  g_assert_cmpstr (icon_paths[0], ==, "/org/gtk/libgtk/icons/");  /* GTK's own */
  g_assert_cmpstr (icon_paths[1], ==, "/org/gnome/Adwaita/icons");
  g_assert_true (gtk_icon_theme_has_icon (icons, "open-menu-symbolic"));
  g_assert_true (gtk_icon_theme_has_icon (icons, "window-close-symbolic"));
  run->checked = TRUE;
}

static gboolean
poll_cb (gpointer data)
{
  Run *run = data;
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  run->waited_ms += 50;
  if (active != NULL && MR_IS_WINDOW (active))
    {
      run->window = MR_WINDOW (active);
      /* The sandbox badge is shown once the window is configured, after the first frame. */
      if (find_visible_label (GTK_WIDGET (active), "sandbox-badge") != NULL)
        {
          check_styles (run);
          g_application_quit (G_APPLICATION (run->app));
          return G_SOURCE_REMOVE;
        }
    }
  if (run->waited_ms >= WAIT_MS)
    {
      g_application_quit (G_APPLICATION (run->app));
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
test_startup_styles (void)
{
  Run run = { 0 };
  char *argv[] = { (char *) "medrefill", (char *) "--sandbox", NULL };
  int status;

  g_assert_null (g_getenv ("GTK_THEME"));
  run.app = mr_application_new ();
  g_timeout_add (50, poll_cb, &run);
  status = g_application_run (G_APPLICATION (run.app), 2, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.checked);
  g_clear_object (&run.app);
}

/* A kiosk set up by the mode setting, not --kiosk: app.quit is refused as with --kiosk. */
static gboolean
quit_poll_cb (gpointer data)
{
  Run *run = data;
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  run->waited_ms += 50;
  if (active != NULL && MR_IS_WINDOW (active) && !run->checked)
    {
      g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
      run->checked = TRUE;
      run->waited_ms = WAIT_MS - 1000;   /* a second for a quit to take effect */
      return G_SOURCE_CONTINUE;
    }
  if (run->waited_ms >= WAIT_MS)
    {
      /* Still running: the quit was refused. */
      run->window = MR_WINDOW (active);
      g_application_quit (G_APPLICATION (run->app));
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
test_kiosk_setting_refuses_quit (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");
  Run run = { 0 };
  char *argv[] = { (char *) "medrefill", (char *) "--sandbox", NULL };

  g_settings_set_string (settings, "mode", "kiosk");
  run.app = mr_application_new ();
  g_timeout_add (50, quit_poll_cb, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (run.app), 2, argv), ==, 0);
  g_assert_true (run.checked);
  g_assert_nonnull (run.window);
  g_clear_object (&run.app);
  g_settings_reset (settings, "mode");
}

static guint
count_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      count += MR_IS_PREFERENCES (window);
    }
  return count;
}

static void
wait_ms (guint ms)
{
  gboolean never = FALSE;

  mr_test_wait_for (&never, ms);
}

/* --sandbox keeps its own state: the production settings never learn of the demo's staff member
 * (the app's are in memory), and its outbox is a folder of its own. */
static void
assert_sandbox_kept_apart (void)
{
  g_autoptr(GSettings) production = g_settings_new ("io.github.medrefill.MedRefill");
  g_autofree char *account = g_settings_get_string (production, "desk-login-hint");
  g_autofree char *outbox = g_build_filename (g_get_user_data_dir (), "io.github.medrefill.MedRefill",
                                              "outbox", NULL);
  g_autofree char *sandbox_outbox = g_build_filename (g_get_user_data_dir (),
                                                      "io.github.medrefill.MedRefill",
                                                      "sandbox-outbox", NULL);

  g_assert_cmpstr (account, ==, "");
  g_assert_false (g_file_test (outbox, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (sandbox_outbox, G_FILE_TEST_IS_DIR));
}

/* Drives the desk once its window is configured: Preferences refused (and greyed out) before a
 * staff sign-in, open after it, closed by the idle lock and refused again. */
static gboolean
preferences_poll_cb (gpointer data)
{
  Run *run = data;
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  GActionGroup *actions = G_ACTION_GROUP (run->app);

  if (active == NULL || !MR_IS_WINDOW (active) ||
      find_visible_label (GTK_WIDGET (active), "sandbox-badge") == NULL)
    return G_SOURCE_CONTINUE;
  run->window = MR_WINDOW (active);
  g_assert_false (g_action_group_get_action_enabled (actions, "preferences"));
  g_action_group_activate_action (actions, "preferences", NULL);
  wait_ms (200);
  g_assert_cmpuint (count_preferences (), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (run->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (run->window, MR_UI_EMAIL_FIELD_READY);
  mr_ui_sign_in_as (run->window, "staff@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (run->window, "lookup");
  assert_sandbox_kept_apart ();
  g_assert_true (g_action_group_get_action_enabled (actions, "preferences"));
  g_action_group_activate_action (actions, "preferences", NULL);
  g_assert_cmpuint (count_preferences (), ==, 1);

  mr_window_set_kiosk_timeouts (run->window, 300, 300, 600000);
  mr_ui_wait_for_page (run->window, "welcome");
  g_assert_cmpuint (count_preferences (), ==, 0);
  g_assert_false (g_action_group_get_action_enabled (actions, "preferences"));
  g_action_group_activate_action (actions, "preferences", NULL);
  g_assert_cmpuint (count_preferences (), ==, 0);
  run->checked = TRUE;
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

static void
test_preferences_need_staff (void)
{
  Run run = { 0 };
  char *argv[] = { (char *) "medrefill", (char *) "--sandbox", NULL };

  run.app = mr_application_new ();
  g_timeout_add (50, preferences_poll_cb, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (run.app), 2, argv), ==, 0);
  g_assert_true (run.checked);
  g_clear_object (&run.app);
}

static gboolean
inspector_poll_cb (gpointer data)
{
  Run *run = data;
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  GListModel *toplevels = gtk_window_get_toplevels ();

  run->waited_ms += 50;
  if (active == NULL || !MR_IS_WINDOW (active) ||
      find_visible_label (GTK_WIDGET (active), "sandbox-badge") == NULL)
    return G_SOURCE_CONTINUE;
  /* Configured: the inspector would be up by now. */
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      g_assert_false (g_str_equal (G_OBJECT_TYPE_NAME (window), "GtkInspectorWindow")
                      && gtk_widget_get_visible (GTK_WIDGET (window)));
    }
  g_assert_null (g_getenv ("GTK_DEBUG"));
  run->checked = TRUE;
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

/* GTK_DEBUG=interactive (GTK's inspector at start) is not honoured at a kiosk; the sign-in
 * helper inherits an environment without it. Run in a process of its own: GTK reads the
 * variable once, when the application starts it. */
static void
test_kiosk_no_inspector (void)
{
  if (g_test_subprocess ())
    {
      Run run = { 0 };
      char *argv[] = { (char *) "medrefill", (char *) "--kiosk", (char *) "--sandbox", NULL };

      g_setenv ("GTK_DEBUG", "interactive", TRUE);
      run.app = mr_application_new ();
      g_timeout_add (50, inspector_poll_cb, &run);
      g_assert_cmpint (g_application_run (G_APPLICATION (run.app), 3, argv), ==, 0);
      g_assert_true (run.checked);
      g_clear_object (&run.app);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* Settings as an administrator's dconf locks make them: the client id locked, nothing stored. */
#define LOCKED_TYPE_BACKEND (locked_backend_get_type ())
G_DECLARE_FINAL_TYPE (LockedBackend, locked_backend, LOCKED, BACKEND, GSettingsBackend)

struct _LockedBackend {
  GSettingsBackend parent_instance;
};

G_DEFINE_FINAL_TYPE (LockedBackend, locked_backend, G_TYPE_SETTINGS_BACKEND)

static GVariant *
locked_read (GSettingsBackend   *backend,
             const char         *key,
             const GVariantType *type,
             gboolean            default_value)
{
  return NULL;
}

static gboolean
locked_write (GSettingsBackend *backend,
              const char       *key,
              GVariant         *value,
              gpointer          origin_tag)
{
  g_variant_unref (g_variant_ref_sink (value));
  return FALSE;
}

static gboolean
locked_get_writable (GSettingsBackend *backend,
                     const char       *key)
{
  return !g_str_has_suffix (key, "/client-id");
}

static void
locked_reset (GSettingsBackend *backend,
              const char       *key,
              gpointer          origin_tag)
{
}

static void
locked_backend_class_init (LockedBackendClass *klass)
{
  GSettingsBackendClass *backend_class = G_SETTINGS_BACKEND_CLASS (klass);

  backend_class->read = locked_read;
  backend_class->write = locked_write;
  backend_class->get_writable = locked_get_writable;
  backend_class->reset = locked_reset;
}

static void
locked_backend_init (LockedBackend *self)
{
}

static gboolean
never_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_CONTINUE;
}

/* On a machine whose settings an administrator locked, --sandbox does not start: a demo there
 * would run beside the production queue and secrets. Run in a process of its own, whose default
 * settings backend is the locked one. */
static void
test_sandbox_refused_when_locked (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MrApplication) app = NULL;
      char *argv[] = { (char *) "medrefill", (char *) "--sandbox", NULL };
      gboolean ran = FALSE;

      /* A memory backend first: its type registers the extension point the locked one joins. */
      g_object_unref (g_memory_settings_backend_new ());
      g_io_extension_point_implement (G_SETTINGS_BACKEND_EXTENSION_POINT_NAME,
                                      LOCKED_TYPE_BACKEND, "medrefill-locked", 1000);
      g_setenv ("GSETTINGS_BACKEND", "medrefill-locked", TRUE);
      app = mr_application_new ();
      g_timeout_add (50, never_cb, &ran);
      g_assert_cmpint (g_application_run (G_APPLICATION (app), 2, argv), ==, 1);
      g_assert_false (ran);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*This computer's settings are locked by its administrator, so the "
                             "sandbox does not run here.*");
}

/* The administrator's settings file locks as dconf does (and works under Flatpak, where dconf's
 * locks do not reach): with one that sets any key, --sandbox does not start either. */
static void
test_sandbox_refused_with_settings_file (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MrApplication) app = NULL;
      g_autofree char *path = g_build_filename (g_get_user_config_dir (), "settings.ini", NULL);
      char *argv[] = { (char *) "medrefill", (char *) "--sandbox", NULL };
      gboolean ran = FALSE;

      g_mkdir_with_parents (g_get_user_config_dir (), 0700);
      g_assert_true (g_file_set_contents (path, "[io.github.medrefill.MedRefill]\n"
                                                "workflow-url='https://n8n.clinic.example/w'\n",
                                          -1, NULL));
      app = mr_application_new ();
      mr_application_set_settings_file (app, path);
      g_timeout_add (50, never_cb, &ran);
      g_assert_cmpint (g_application_run (G_APPLICATION (app), 2, argv), ==, 1);
      g_assert_false (ran);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*This computer's settings are locked by its administrator, so the "
                             "sandbox does not run here.*");
}

/* A settings file the app cannot use stops it with a sentence instead of running unlocked. */
static void
test_bad_settings_file (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MrApplication) app = NULL;
      g_autofree char *path = g_build_filename (g_get_user_config_dir (), "settings.ini", NULL);
      char *argv[] = { (char *) "medrefill", NULL };

      g_mkdir_with_parents (g_get_user_config_dir (), 0700);
      g_assert_true (g_file_set_contents (path, "[io.github.medrefill.MedRefill]\n"
                                                "mode='museum'\n", -1, NULL));
      app = mr_application_new ();
      mr_application_set_settings_file (app, path);
      g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 1);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*settings file*“mode”*");
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init_with_home (&argc, &argv);
  /* GTK is not started here: the application must be the one to start it. */
  if (!mr_ui_have_display ("/ui/app/needs-display"))
    return g_test_run ();
  g_test_add_func ("/ui/app/startup-styles", test_startup_styles);
  g_test_add_func ("/ui/app/kiosk-setting-refuses-quit", test_kiosk_setting_refuses_quit);
  g_test_add_func ("/ui/app/preferences-need-staff", test_preferences_need_staff);
  g_test_add_func ("/ui/app/kiosk-no-inspector", test_kiosk_no_inspector);
  g_test_add_func ("/ui/app/sandbox-refused-when-locked", test_sandbox_refused_when_locked);
  g_test_add_func ("/ui/app/sandbox-refused-with-settings-file",
                   test_sandbox_refused_with_settings_file);
  g_test_add_func ("/ui/app/bad-settings-file", test_bad_settings_file);
  return g_test_run ();
}

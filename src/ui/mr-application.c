/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-application.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>

#include "config.h"
#include "mr-config.h"
#include "mr-preferences.h"
#include "mr-sandbox.h"
#include "mr-window.h"
#include "mr-base.h"

struct _MrApplication {
  AdwApplication  parent_instance;

  GSettings      *settings;
  MrConfigLock   *lock;            /* the administrator's settings file: wins over settings */
  char           *lock_path;       /* NULL: mr_config_lock_default_path() */
  MrSandbox      *sandbox;
  gboolean        use_sandbox;
  gboolean        kiosk;
  gboolean        inspector_asked; /* GTK_DEBUG asked for the inspector at start */
};

G_DEFINE_FINAL_TYPE (MrApplication, mr_application, ADW_TYPE_APPLICATION)

static void update_preferences_action (MrApplication *self);

static const GOptionEntry options[] = {
  { "sandbox", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Use the built-in stand-in tenant on this computer (no Azure account needed)"), NULL },
  { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Run as a patient kiosk"), NULL },
  { "import-env", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Import the sign-in settings from a tutorial .env file and quit"), N_("FILE") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL },
  { NULL }
};

/* The settings an .env file can set, with their keys; a locked key (by dconf or by the
 * administrator's settings file) is left as the administrator locked it. */
static gboolean
store_imported (GSettings          *settings,
                const MrConfigLock *lock,
                const MrConfig     *config)
{
  const struct { const char *key; const char *value; } values[] = {
    { "authority",    config->authority },
    { "tenant-id",    config->tenant_id },
    { "client-id",    config->client_id },
    { "redirect-uri", config->redirect_uri },
  };
  gboolean all = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      if (!g_settings_is_writable (settings, values[i].key)
          || mr_config_lock_has_key (lock, values[i].key))
        {
          g_printerr (_("%s is locked by your administrator and was left as it is.\n"),
                      values[i].key);
          all = FALSE;
          continue;
        }
      g_settings_set_string (settings, values[i].key, values[i].value ? values[i].value : "");
      g_print ("%s=%s\n", values[i].key, values[i].value ? values[i].value : "");
    }
  g_settings_sync ();
  return all;
}

static int
import_env (const char         *path,
            const MrConfigLock *lock)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(MrConfig) config = mr_config_new_from_settings (settings);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) warnings = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      g_printerr (_("Could not read %s: %s\n"), path, error->message);
      return 1;
    }
  if (!mr_config_import_env (config, text, &warnings, &error))
    {
      g_printerr (_("Nothing was imported:\n%s\n"), error->message);
      return 1;
    }
  for (guint i = 0; warnings && warnings[i]; i++)
    g_printerr ("%s\n", warnings[i]);
  return store_imported (settings, lock, config) ? 0 : 1;
}

/* GTK parses its own default theme when it makes the display's settings, and libadwaita replaces
 * it at once with an empty one and its own stylesheet: a parse of about 100 KB of CSS before the
 * first frame for nothing. Unless the user chose a theme with GTK_THEME, the settings are made
 * here, before libadwaita starts, with libadwaita's empty theme named in GTK_THEME; the variable
 * is gone again before libadwaita looks at it, so its stylesheet is loaded as always. Done here,
 * before the application registers on the session bus, because that starts GDBus's thread and
 * changing the environment is only safe while the process has one thread. */
static gboolean
start_gtk_without_default_theme (void)
{
  gboolean opened;

  if (g_getenv ("GTK_THEME") != NULL)
    return gtk_init_check ();
  g_setenv ("GTK_THEME", "Adwaita-empty", TRUE);
  opened = gtk_init_check ();
  if (opened)
    gtk_settings_get_default ();
  g_unsetenv ("GTK_THEME");
  return opened;
}

/* GTK_DEBUG=interactive opens GTK's inspector at start, and it reads and changes anything in the
 * process: a way out of a kiosk (issue 13). Whether this start is a kiosk is known for certain
 * only from the settings, after the first frame, while the environment may change only now
 * (one thread): the flag is taken out of every start here, and a desk gets its inspector back
 * later (gtk_window_set_interactive_debugging). Returns whether it was asked for ("all"
 * included). */
static gboolean
take_inspector_flag (void)
{
  const char *value = g_getenv ("GTK_DEBUG");
  g_auto(GStrv) flags = NULL;
  g_autoptr(GStrvBuilder) kept = NULL;
  g_auto(GStrv) rest = NULL;
  g_autofree char *joined = NULL;
  gboolean asked = FALSE;

  if (value == NULL)
    return FALSE;
  flags = g_strsplit_set (value, ":;, \t", -1);
  kept = g_strv_builder_new ();
  for (guint i = 0; flags[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (flags[i], "interactive") == 0 || g_ascii_strcasecmp (flags[i], "all") == 0)
        asked = TRUE;
      else if (*flags[i] != '\0')
        g_strv_builder_add (kept, flags[i]);
    }
  if (!asked)
    return FALSE;
  rest = g_strv_builder_end (kept);
  joined = g_strjoinv (",", rest);
  if (*joined != '\0')
    g_setenv ("GTK_DEBUG", joined, TRUE);
  else
    g_unsetenv ("GTK_DEBUG");
  return TRUE;
}

/* --sandbox runs beside production, never in it: its settings in memory (a demo's Preferences
 * change nothing), its secrets in a keyring namespace of its own and its outbox in a folder of
 * its own (the window's). On a machine an administrator locked down it does not run at all. */
static gboolean
use_sandbox_state (MrApplication *self)
{
  g_autoptr(GSettings) real = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) memory = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (real, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  /* Locked by dconf, or by the administrator's settings file (the lock that works in Flatpak). */
  for (guint i = 0; keys[i] != NULL; i++)
    if (!g_settings_is_writable (real, keys[i]) || mr_config_lock_has_key (self->lock, keys[i]))
      {
        g_printerr ("%s\n", _("This computer's settings are locked by its administrator, so the "
                               "sandbox does not run here. Try it on a computer of your own."));
        return FALSE;
      }
  memory = g_memory_settings_backend_new ();
  g_clear_object (&self->settings);
  self->settings = g_settings_new_with_backend (APP_ID, memory);
  /* A machine set up as a kiosk stays one (no quitting, no Preferences), demo or not, and the
   * way the machine is set up to behave comes along; nothing that names a service, an account or
   * a secret does. */
  for (const char * const *key = (const char * const []) { "mode", "idle-timeout",
                                                             "sign-in-browser", "pickup-locations",
                                                             "payload-format", "formulary-path",
                                                             "consent-text", NULL };
       *key != NULL; key++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (real, *key);

      g_settings_set_value (self->settings, *key, value);
    }
  mr_secrets_set_namespace ("sandbox");
  return TRUE;
}

/* Reads the administrator's settings file once, before anything reads a setting. A file the app
 * cannot use stops it with a sentence: running unlocked would be the opposite of what the
 * administrator asked. */
static gboolean
load_lock (MrApplication *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  const char *path = self->lock_path != NULL ? self->lock_path : mr_config_lock_default_path ();

  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (), APP_ID, TRUE);
  g_clear_pointer (&self->lock, mr_config_lock_unref);
  self->lock = schema != NULL ? mr_config_lock_load (path, schema, &error) : mr_config_lock_new ();
  if (self->lock == NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

static int
mr_application_handle_local_options (GApplication *app,
                                     GVariantDict *dict)
{
  MrApplication *self = MR_APPLICATION (app);
  g_autofree char *env_path = NULL;

  if (g_variant_dict_contains (dict, "version"))
    {
      g_print ("medrefill %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (!load_lock (self))
    return 1;
  if (g_variant_dict_lookup (dict, "import-env", "^ay", &env_path))
    return import_env (env_path, self->lock);
  self->use_sandbox = g_variant_dict_contains (dict, "sandbox");
  self->kiosk = g_variant_dict_contains (dict, "kiosk");
  self->inspector_asked = take_inspector_flag ();
  /* Without a display GTK would only log criticals and the app would wait for nothing. */
  if (!start_gtk_without_default_theme ())
    {
      g_printerr ("%s\n", _("Medication Refill could not open the display. Start it in a desktop "
                             "session, or set DISPLAY or WAYLAND_DISPLAY."));
      return 1;
    }
  /* After GTK: the settings start threads, and the environment may no longer change then. */
  if (self->use_sandbox && !use_sandbox_state (self))
    return 1;
  return -1;
}

static MrConfig *
build_config (MrApplication *self)
{
  g_autoptr(MrConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  if (self->settings == NULL)
    self->settings = g_settings_new (APP_ID);
  config = mr_config_new_from_settings (self->settings);
  if (self->lock != NULL)
    mr_config_lock_apply (self->lock, config);
  if (self->kiosk)
    config->mode = MR_MODE_KIOSK;
  /* A patient never sees a keyring dialog (a fresh autologin kiosk has no login keyring yet). */
  mr_secrets_set_prompts_allowed (config->mode != MR_MODE_KIOSK);
  if (self->sandbox != NULL)
    {
      g_autofree char *lines = mr_sandbox_dup_settings_text (self->sandbox);

      if (!mr_config_apply_lines (config, lines, &error))
        g_critical ("the sandbox's settings do not apply: %s", error->message);
    }
  return g_steal_pointer (&config);
}

static void
settings_changed_cb (GSettings     *settings,
                     const char    *key,
                     MrApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(MrConfig) config = NULL;

  if (!MR_IS_WINDOW (window))
    return;
  config = build_config (self);
  mr_window_set_config (MR_WINDOW (window), config);
  update_preferences_action (self);
}

static gboolean
configure_window_cb (gpointer data)
{
  g_autoptr(MrWindow) window = data;
  MrApplication *self = MR_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  g_autoptr(MrConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  mr_trace_mark ("configure-window");
  if (self == NULL)
    return G_SOURCE_REMOVE;
  /* The stand-in tenant makes its signing key: done after the first frame, not before. */
  if (self->use_sandbox && self->sandbox == NULL)
    {
      self->sandbox = mr_sandbox_new ();
      if (!mr_sandbox_start (self->sandbox, 0, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          g_clear_object (&self->sandbox);
        }
    }
  config = build_config (self);
  if (config->mode != MR_MODE_KIOSK && self->inspector_asked)
    gtk_window_set_interactive_debugging (TRUE);
  mr_window_set_sandbox (window, self->use_sandbox);
  mr_window_set_settings (window, self->settings);
  mr_window_set_config (window, config);
  g_signal_connect (self->settings, "changed", G_CALLBACK (settings_changed_cb), self);
  g_signal_connect_object (window, "notify::staff-signed-in",
                           G_CALLBACK (update_preferences_action), self, G_CONNECT_SWAPPED);
  update_preferences_action (self);
  return G_SOURCE_REMOVE;
}

/* A kiosk by --kiosk or by the mode setting (how an administrator sets one up): either way the
 * person at it may not quit or open Preferences. */
static gboolean
is_kiosk (MrApplication *self)
{
  GVariant *locked = self->lock != NULL ? mr_config_lock_get_value (self->lock, "mode") : NULL;

  if (self->kiosk)
    return TRUE;
  if (locked != NULL)
    return g_str_equal (g_variant_get_string (locked, NULL), "kiosk");
  /* The settings are read after the first frame; a quit may come before. */
  if (self->settings == NULL)
    self->settings = g_settings_new (APP_ID);
  return g_settings_get_enum (self->settings, "mode") == MR_MODE_KIOSK;
}

/* Preferences say where the secrets and the queued requests go. A kiosk never opens them; a desk
 * only for a signed-in staff member (the window closes them at the lock), or for anyone while the
 * sign-in settings are incomplete: the first setup, when nobody can sign in yet. */
static gboolean
may_open_preferences (MrApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(MrConfig) config = NULL;

  if (is_kiosk (self))
    return FALSE;
  if (MR_IS_WINDOW (window) && mr_window_get_staff_signed_in (MR_WINDOW (window)))
    return TRUE;
  config = build_config (self);
  return !mr_config_validate (config, NULL);
}

/* The menu shows Preferences greyed out while they would be refused. */
static void
update_preferences_action (MrApplication *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "preferences");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), may_open_preferences (self));
}

static void
preferences_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  MrApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* Checked again here: a shortcut or D-Bus activation does not look at the menu. */
  if (!may_open_preferences (self))
    return;
  gtk_window_present (GTK_WINDOW (mr_preferences_new (window, self->settings, self->lock)));
}

static void
about_cb (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  adw_show_about_window (window,
                         "application-name", _("Medication Refill"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Medication Refill developers"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
quit_cb (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  MrApplication *self = user_data;

  /* Refused however it is reached (a shortcut, D-Bus activation of the action). */
  if (!is_kiosk (self))
    g_application_quit (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_cb },
  { "about", about_cb },
  { "quit", quit_cb },
};

void
mr_application_add_style (GdkDisplay *display)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  g_return_if_fail (GDK_IS_DISPLAY (display));

  gtk_css_provider_load_from_resource (css, "/io/github/medrefill/MedRefill/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
mr_application_startup (GApplication *app)
{
  MrApplication *self = MR_APPLICATION (app);
  const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (mr_application_parent_class)->startup (app);
  mr_trace_mark ("gtk-ready");
  /* Loaded here, not by AdwApplication from the resource base path: see mr_application_new(). */
  mr_application_add_style (gdk_display_get_default ());
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  if (!self->kiosk)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
mr_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window = GTK_WINDOW (mr_window_new (GTK_APPLICATION (app)));
      mr_trace_mark ("window-built");
      g_idle_add_full (G_PRIORITY_LOW, configure_window_cb, g_object_ref (window), NULL);
    }
  gtk_window_present (window);
  mr_trace_mark ("window-presented");
}

static void
mr_application_shutdown (GApplication *app)
{
  MrApplication *self = MR_APPLICATION (app);

  G_APPLICATION_CLASS (mr_application_parent_class)->shutdown (app);
  if (self->sandbox != NULL)
    mr_sandbox_stop (self->sandbox);
  g_clear_object (&self->sandbox);
  g_clear_object (&self->settings);
}

static void
mr_application_finalize (GObject *object)
{
  MrApplication *self = MR_APPLICATION (object);

  g_clear_pointer (&self->lock, mr_config_lock_unref);
  g_free (self->lock_path);
  G_OBJECT_CLASS (mr_application_parent_class)->finalize (object);
}

static void
mr_application_class_init (MrApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = mr_application_finalize;
  app_class->handle_local_options = mr_application_handle_local_options;
  app_class->startup = mr_application_startup;
  app_class->activate = mr_application_activate;
  app_class->shutdown = mr_application_shutdown;
}

static void
mr_application_init (MrApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

MrApplication *
mr_application_new (void)
{
  /* NON_UNIQUE: a kiosk and a sandbox demo must not hand their work to a running instance. */
  MrApplication *app = g_object_new (MR_TYPE_APPLICATION,
                                     "application-id", APP_ID,
                                     "flags", G_APPLICATION_NON_UNIQUE,
                                     NULL);

  /* No resource base path: with one, GtkApplication adds its icons/ to the icon theme after the
   * theme has started loading in a thread, which throws that load away and makes the first icon
   * of the first frame load the whole theme again on the main thread. The app's stylesheet is
   * loaded in startup instead, and the Welcome icon is a picture from the resources. */
  g_application_set_resource_base_path (G_APPLICATION (app), NULL);
  return app;
}

void
mr_application_set_settings_file (MrApplication *self,
                                  const char    *path)
{
  g_return_if_fail (MR_IS_APPLICATION (self));

  g_free (self->lock_path);
  self->lock_path = g_strdup (path);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The preferences window: values that cannot work are refused with a sentence and not stored,
 * good ones are stored, a choice follows its key both ways, and a key an administrator locked is
 * read-only. */
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <adwaita.h>

#include "mr-preferences.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"

/* A settings backend with two locked keys (a text and a choice), as dconf locks would make them. */
#define TEST_TYPE_BACKEND (test_backend_get_type ())
G_DECLARE_FINAL_TYPE (TestBackend, test_backend, TEST, BACKEND, GSettingsBackend)

struct _TestBackend {
  GSettingsBackend  parent_instance;
  GHashTable       *values;
};

G_DEFINE_FINAL_TYPE (TestBackend, test_backend, G_TYPE_SETTINGS_BACKEND)

#define LOCKED_KEY        "/io/github/medrefill/MedRefill/client-id"
#define LOCKED_CHOICE_KEY "/io/github/medrefill/MedRefill/sign-in-browser"

static gboolean
is_locked (const char *key)
{
  return g_str_equal (key, LOCKED_KEY) || g_str_equal (key, LOCKED_CHOICE_KEY);
}

static GVariant *
backend_read (GSettingsBackend   *backend,
              const char         *key,
              const GVariantType *type,
              gboolean            default_value)
{
  GVariant *value = default_value ? NULL : g_hash_table_lookup (TEST_BACKEND (backend)->values, key);

  return value ? g_variant_ref (value) : NULL;
}

static gboolean
backend_write (GSettingsBackend *backend,
               const char       *key,
               GVariant         *value,
               gpointer          origin_tag)
{
  if (is_locked (key))
    return FALSE;
  g_hash_table_insert (TEST_BACKEND (backend)->values, g_strdup (key), g_variant_ref_sink (value));
  g_settings_backend_changed (backend, key, origin_tag);
  return TRUE;
}

static gboolean
backend_get_writable (GSettingsBackend *backend,
                      const char       *key)
{
  return !is_locked (key);
}

static void
backend_reset (GSettingsBackend *backend,
               const char       *key,
               gpointer          origin_tag)
{
  g_hash_table_remove (TEST_BACKEND (backend)->values, key);
}

static void
test_backend_finalize (GObject *object)
{
  g_hash_table_unref (TEST_BACKEND (object)->values);
  G_OBJECT_CLASS (test_backend_parent_class)->finalize (object);
}

static void
test_backend_class_init (TestBackendClass *klass)
{
  GSettingsBackendClass *backend_class = G_SETTINGS_BACKEND_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_backend_finalize;
  backend_class->read = backend_read;
  backend_class->write = backend_write;
  backend_class->get_writable = backend_get_writable;
  backend_class->reset = backend_reset;
}

static void
test_backend_init (TestBackend *self)
{
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_variant_unref);
}

typedef struct {
  GSettings     *settings;
  MrPreferences *window;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GSettingsBackend) backend = g_object_new (TEST_TYPE_BACKEND, NULL);

  fixture->settings = g_settings_new_with_backend ("io.github.medrefill.MedRefill", backend);
  fixture->window = mr_preferences_new (NULL, fixture->settings, NULL);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->settings);
}

/* Types @text into @key's row and applies it, as Enter or the row's apply button does. */
static void
apply (Fixture    *fixture,
       const char *key,
       const char *text)
{
  GtkWidget *row = mr_preferences_get_row (fixture->window, key);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

static void
test_url_checked (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *stored = NULL;

  apply (fixture, "workflow-url", "http://n8n.clinic.example/webhook/medication-refill");
  g_assert_nonnull (strstr (mr_preferences_get_problem (fixture->window, "workflow-url"), "https://"));
  stored = g_settings_get_string (fixture->settings, "workflow-url");
  g_assert_cmpstr (stored, ==, "");
  g_clear_pointer (&stored, g_free);

  apply (fixture, "workflow-url", "not a url");
  g_assert_nonnull (mr_preferences_get_problem (fixture->window, "workflow-url"));

  apply (fixture, "workflow-url", "  https://n8n.clinic.example/webhook/medication-refill ");
  g_assert_null (mr_preferences_get_problem (fixture->window, "workflow-url"));
  stored = g_settings_get_string (fixture->settings, "workflow-url");
  g_assert_cmpstr (stored, ==, "https://n8n.clinic.example/webhook/medication-refill");
  g_clear_pointer (&stored, g_free);

  /* This computer may use plain http (the sandbox, a local n8n). */
  apply (fixture, "workflow-url", "http://127.0.0.1:5678/webhook/medication-refill");
  g_assert_null (mr_preferences_get_problem (fixture->window, "workflow-url"));
}

static void
test_ids_and_lists (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(GStrv) locations = NULL;
  g_autofree char *tenant = NULL;

  apply (fixture, "tenant-id", "contoso");
  g_assert_nonnull (mr_preferences_get_problem (fixture->window, "tenant-id"));
  apply (fixture, "tenant-id", "9a674bb7-0000-0000-0000-000000000000");
  g_assert_null (mr_preferences_get_problem (fixture->window, "tenant-id"));
  tenant = g_settings_get_string (fixture->settings, "tenant-id");
  g_assert_cmpstr (tenant, ==, "9a674bb7-0000-0000-0000-000000000000");

  apply (fixture, "pickup-locations", "Main pharmacy, Clínica Norte ,, ");
  locations = g_settings_get_strv (fixture->settings, "pickup-locations");
  g_assert_cmpuint (g_strv_length (locations), ==, 2);
  g_assert_cmpstr (locations[0], ==, "Main pharmacy");
  g_assert_cmpstr (locations[1], ==, "Clínica Norte");

  apply (fixture, "redirect-uri", "https://evil.example/callback");
  g_assert_null (mr_preferences_get_problem (fixture->window, "redirect-uri"));
  apply (fixture, "redirect-uri", "http://evil.example/callback");
  g_assert_nonnull (mr_preferences_get_problem (fixture->window, "redirect-uri"));
}

/* The clinic API's scope and the staff role sit with the other services; an empty role is refused
 * (it would open the desk to nobody), an empty scope is allowed (no token). */
static void
test_clinic_api (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *scope = NULL;
  g_autofree char *role = NULL;
  GtkWidget *row = mr_preferences_get_row (fixture->window, "staff-role");
  GtkWidget *group;

  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Staff app role");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "FrontDesk");
  group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)), ==, "Services");
  row = mr_preferences_get_row (fixture->window, "api-scope");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Clinic API scope");
  g_assert_true (gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP) == group);

  apply (fixture, "api-scope", "Refill.Submit");
  g_assert_nonnull (mr_preferences_get_problem (fixture->window, "api-scope"));
  apply (fixture, "api-scope", "api://877afb01-0000-0000-0000-000000000000/");
  g_assert_nonnull (mr_preferences_get_problem (fixture->window, "api-scope"));
  apply (fixture, "api-scope", " api://877afb01-0000-0000-0000-000000000000/Refill.Submit ");
  g_assert_null (mr_preferences_get_problem (fixture->window, "api-scope"));
  scope = g_settings_get_string (fixture->settings, "api-scope");
  g_assert_cmpstr (scope, ==, "api://877afb01-0000-0000-0000-000000000000/Refill.Submit");
  apply (fixture, "api-scope", "");
  g_assert_null (mr_preferences_get_problem (fixture->window, "api-scope"));

  apply (fixture, "staff-role", "");
  g_assert_nonnull (mr_preferences_get_problem (fixture->window, "staff-role"));
  g_assert_nonnull (strstr (mr_preferences_get_problem (fixture->window, "staff-role"),
                            "FrontDesk"));
  role = g_settings_get_string (fixture->settings, "staff-role");
  g_assert_cmpstr (role, ==, "FrontDesk");
  g_clear_pointer (&role, g_free);
  apply (fixture, "staff-role", "Front Desk");
  g_assert_nonnull (mr_preferences_get_problem (fixture->window, "staff-role"));
  apply (fixture, "staff-role", "Reception");
  g_assert_null (mr_preferences_get_problem (fixture->window, "staff-role"));
  role = g_settings_get_string (fixture->settings, "staff-role");
  g_assert_cmpstr (role, ==, "Reception");
}

static void
test_locked_key (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkWidget *row = mr_preferences_get_row (fixture->window, "client-id");

  g_assert_false (gtk_widget_get_sensitive (row));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==, "Locked by your administrator");
  g_assert_true (gtk_widget_get_sensitive (mr_preferences_get_row (fixture->window, "authority")));
}

/* A choice shows the key's value, also when it changes elsewhere, and stores a choice at once. */
static void
test_choice_follows_key (Fixture       *fixture,
                         gconstpointer  data)
{
  AdwComboRow *row = ADW_COMBO_ROW (mr_preferences_get_row (fixture->window, "mode"));
  g_autofree char *stored = NULL;

  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  g_settings_set_string (fixture->settings, "mode", "kiosk");
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);

  row = ADW_COMBO_ROW (mr_preferences_get_row (fixture->window, "payload-format"));
  adw_combo_row_set_selected (row, 1);
  stored = g_settings_get_string (fixture->settings, "payload-format");
  g_assert_cmpstr (stored, ==, "fhir-r4");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (row)));
}

/* A choice whose key is locked cannot be changed. */
static void
test_locked_choice (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *row = mr_preferences_get_row (fixture->window, "sign-in-browser");

  g_assert_nonnull (row);
  g_assert_false (gtk_widget_get_sensitive (row));
  g_assert_true (gtk_widget_get_sensitive (mr_preferences_get_row (fixture->window, "mode")));
}

/* Sign in with a phone: the switch stores the key at once and follows it; the page that
 * replaces the provider's must be https (or this computer) like every other address. */
static void
test_phone_sign_in (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *toggle = mr_preferences_get_row (fixture->window, "device-sign-in");
  g_autofree char *stored = NULL;

  g_assert_true (GTK_IS_SWITCH (toggle));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));
  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  g_assert_true (g_settings_get_boolean (fixture->settings, "device-sign-in"));
  g_settings_set_boolean (fixture->settings, "device-sign-in", FALSE);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));

  apply (fixture, "device-verification-uri", "http://contosoclinic.ciamlogin.com/device");
  g_assert_nonnull (mr_preferences_get_problem (fixture->window, "device-verification-uri"));
  stored = g_settings_get_string (fixture->settings, "device-verification-uri");
  g_assert_cmpstr (stored, ==, "");
  g_clear_pointer (&stored, g_free);
  apply (fixture, "device-verification-uri", "https://contosoclinic.ciamlogin.com/device");
  g_assert_null (mr_preferences_get_problem (fixture->window, "device-verification-uri"));
  stored = g_settings_get_string (fixture->settings, "device-verification-uri");
  g_assert_cmpstr (stored, ==, "https://contosoclinic.ciamlogin.com/device");
}

/* Microsoft Graph's own hosts or this computer only: the person's Graph token goes there. */
static void
test_graph_hosts (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *stored = NULL;
  const char *problem;

  apply (fixture, "graph-url", "https://graph.example.org/v1.0");
  problem = mr_preferences_get_problem (fixture->window, "graph-url");
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "Microsoft Graph"));
  stored = g_settings_get_string (fixture->settings, "graph-url");
  g_assert_cmpstr (stored, ==, "https://graph.microsoft.com/v1.0");
  apply (fixture, "graph-url", "https://graph.microsoft.us/v1.0");
  g_assert_null (mr_preferences_get_problem (fixture->window, "graph-url"));
  apply (fixture, "graph-url", "http://127.0.0.1:8400/v1.0");
  g_assert_null (mr_preferences_get_problem (fixture->window, "graph-url"));
}

/* ---- the administrator's settings file, and endpoints read-only ----------------------------- */

#define CLINIC_WORKFLOW "https://n8n.clinic.example/webhook/medication-refill"

/* Settings in memory, complete enough to sign in with (so no first setup), and a window on them
 * with @lock. */
static MrPreferences *
preferences_new (GSettings    *settings,
                 MrConfigLock *lock)
{
  MrPreferences *window;

  g_settings_set_string (settings, "authority",
                         "https://contosoclinic.ciamlogin.com/9a674bb7-0000-0000-0000-000000000000");
  g_settings_set_string (settings, "client-id", "877afb01-0000-0000-0000-000000000000");
  g_settings_set_string (settings, "workflow-url", "https://n8n.example.org/webhook/refill");
  window = mr_preferences_new (NULL, settings, lock);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static GSettings *
memory_settings (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();

  return g_settings_new_with_backend ("io.github.medrefill.MedRefill", backend);
}

static void
window_close (MrPreferences *window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The file's values win over the user's and their rows are read-only (a text, a list and a
 * choice); keys it leaves out stay the user's. */
static void
test_settings_file_wins (void)
{
  g_autoptr(GSettings) settings = memory_settings ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(MrConfigLock) lock = NULL;
  g_autoptr(GError) error = NULL;
  MrPreferences *window;
  GtkWidget *row;

  g_object_get (settings, "settings-schema", &schema, NULL);
  lock = mr_config_lock_load_data ("[io.github.medrefill.MedRefill]\n"
                                   "workflow-url='" CLINIC_WORKFLOW "'\n"
                                   "sign-in-hosts=['idp.clinic.example']\n"
                                   "sign-in-browser='system'\n"
                                   "endpoints-editable=true\n",
                                   "/etc/medrefill/settings.ini", schema, &error);
  g_assert_no_error (error);
  window = preferences_new (settings, lock);

  row = mr_preferences_get_row (window, "workflow-url");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, CLINIC_WORKFLOW);
  g_assert_false (gtk_widget_get_sensitive (row));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (row), "settings file"));
  row = mr_preferences_get_row (window, "sign-in-hosts");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "idp.clinic.example");
  g_assert_false (gtk_widget_get_sensitive (row));
  row = mr_preferences_get_row (window, "sign-in-browser");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 1);
  g_assert_false (gtk_widget_get_sensitive (row));
  /* The user's value under the file's is not shown, and a change to it does not show either. */
  g_settings_set_string (settings, "sign-in-browser", "embedded");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 1);

  /* The file unlocked the endpoints it leaves out. */
  g_assert_true (gtk_widget_get_sensitive (mr_preferences_get_row (window, "authority")));
  g_assert_true (gtk_widget_get_sensitive (mr_preferences_get_row (window, "mode")));
  window_close (window);
}

/* No file: the user's values, and the rows as without one. */
static void
test_no_settings_file (void)
{
  g_autoptr(GSettings) settings = memory_settings ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(MrConfigLock) lock = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "medrefill-none", "settings.ini",
                                            NULL);
  MrPreferences *window;
  GtkWidget *row;

  g_object_get (settings, "settings-schema", &schema, NULL);
  lock = mr_config_lock_load (path, schema, &error);
  g_assert_no_error (error);
  g_settings_set_boolean (settings, "endpoints-editable", TRUE);
  window = preferences_new (settings, lock);
  row = mr_preferences_get_row (window, "workflow-url");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==,
                   "https://n8n.example.org/webhook/refill");
  g_assert_true (gtk_widget_get_sensitive (row));
  g_assert_true (gtk_widget_get_sensitive (mr_preferences_get_row (window, "sign-in-browser")));
  window_close (window);
}

/* Once the app is set up, where sign-in, tokens, secrets and requests go is read-only unless an
 * administrator turned endpoints-editable on; the rest stays editable. */
static void
test_endpoints_read_only (void)
{
  static const char *endpoints[] = { "authority", "tenant-id", "client-id", "redirect-uri",
                                     "scopes", "extensions-app-id", "sign-in-hosts",
                                     "device-verification-uri", "graph-url",
                                     "workflow-url", "workflow-auth-header", "api-scope",
                                     "staff-role", NULL };
  g_autoptr(GSettings) settings = memory_settings ();
  MrPreferences *window = preferences_new (settings, NULL);

  for (guint i = 0; endpoints[i] != NULL; i++)
    {
      GtkWidget *row = mr_preferences_get_row (window, endpoints[i]);

      g_assert_false (gtk_widget_get_sensitive (row));
      g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (row), "administrator"));
    }
  g_assert_true (gtk_widget_get_sensitive (mr_preferences_get_row (window, "consent-text")));
  g_assert_true (gtk_widget_get_sensitive (mr_preferences_get_row (window, "mode")));
  window_close (window);

  g_settings_set_boolean (settings, "endpoints-editable", TRUE);
  window = preferences_new (settings, NULL);
  for (guint i = 0; endpoints[i] != NULL; i++)
    g_assert_true (gtk_widget_get_sensitive (mr_preferences_get_row (window, endpoints[i])));
  window_close (window);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/ui/preferences/needs-display"))
    return g_test_run ();
  adw_init ();

  g_test_add ("/ui/preferences/url-checked", Fixture, NULL, fixture_set_up, test_url_checked,
              fixture_tear_down);
  g_test_add ("/ui/preferences/ids-and-lists", Fixture, NULL, fixture_set_up, test_ids_and_lists,
              fixture_tear_down);
  g_test_add ("/ui/preferences/clinic-api", Fixture, NULL, fixture_set_up, test_clinic_api,
              fixture_tear_down);
  g_test_add ("/ui/preferences/locked-key", Fixture, NULL, fixture_set_up, test_locked_key,
              fixture_tear_down);
  g_test_add ("/ui/preferences/choice-follows-key", Fixture, NULL, fixture_set_up,
              test_choice_follows_key, fixture_tear_down);
  g_test_add ("/ui/preferences/locked-choice", Fixture, NULL, fixture_set_up, test_locked_choice,
              fixture_tear_down);
  g_test_add ("/ui/preferences/phone-sign-in", Fixture, NULL, fixture_set_up, test_phone_sign_in,
              fixture_tear_down);
  g_test_add ("/ui/preferences/graph-hosts", Fixture, NULL, fixture_set_up, test_graph_hosts,
              fixture_tear_down);
  g_test_add_func ("/ui/preferences/settings-file-wins", test_settings_file_wins);
  g_test_add_func ("/ui/preferences/no-settings-file", test_no_settings_file);
  g_test_add_func ("/ui/preferences/endpoints-read-only", test_endpoints_read_only);
  return g_test_run ();
}

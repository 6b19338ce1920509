/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-preferences.h"

#include <glib/gi18n.h>

#include "mr-config.h"
#include "mr-base.h"

typedef enum {
  KIND_URL,        /* absolute, https unless loopback */
  KIND_GRAPH,      /* a URL on Microsoft Graph's own hosts, or loopback */
  KIND_REDIRECT,   /* http(s) loopback or https */
  KIND_TEXT,
  KIND_GUID,       /* empty, or a GUID */
  KIND_LIST,       /* an "as" key edited as a comma-separated list */
  KIND_SCOPE,      /* empty, or one scope named by its resource: api://<id>/Refill.Submit */
  KIND_ROLE,       /* an app role's value: not empty, no spaces */
} Kind;

typedef struct {
  const char *key;
  const char *group;
  const char *title;
  Kind        kind;
  gboolean    endpoint;  /* says where sign-in, tokens, secrets or requests go */
} Field;

static const Field fields[] = {
  { "authority",            N_("Sign-in"),  N_("Authority (sign-in address)"),        KIND_URL, TRUE },
  { "tenant-id",            N_("Sign-in"),  N_("Tenant ID"),                          KIND_GUID, TRUE },
  { "client-id",            N_("Sign-in"),  N_("Client ID"),                          KIND_GUID, TRUE },
  { "redirect-uri",         N_("Sign-in"),  N_("Redirect URI"),                       KIND_REDIRECT, TRUE },
  { "scopes",               N_("Sign-in"),  N_("Scopes (comma-separated)"),           KIND_LIST, TRUE },
  { "extensions-app-id",    N_("Sign-in"),  N_("Extensions app ID (b2c-extensions-app)"), KIND_GUID, TRUE },
  { "sign-in-hosts",        N_("Sign-in"),  N_("More sign-in hosts (comma-separated)"), KIND_LIST, TRUE },
  { "device-verification-uri", N_("Sign-in"), N_("Phone sign-in page (empty: the provider's)"), KIND_URL, TRUE },
  { "graph-url",            N_("Services"), N_("Microsoft Graph address"),            KIND_GRAPH, TRUE },
  { "workflow-url",         N_("Services"), N_("Workflow address (n8n webhook)"),     KIND_URL, TRUE },
  { "workflow-auth-header", N_("Services"), N_("Workflow authentication header name"), KIND_TEXT, TRUE },
  { "api-scope",            N_("Services"), N_("Clinic API scope"),                   KIND_SCOPE, TRUE },
  { "staff-role",           N_("Services"), N_("Staff app role"),                     KIND_ROLE, TRUE },
  { "pickup-locations",     N_("Requests"), N_("Pickup locations (comma-separated)"), KIND_LIST, FALSE },
  { "formulary-path",       N_("Requests"), N_("Formulary file"),                     KIND_TEXT, FALSE },
  { "consent-text",         N_("Requests"), N_("Consent text"),                       KIND_TEXT, FALSE },
};

struct _MrPreferences {
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  MrConfigLock         *lock;      /* the administrator's settings file */
  gboolean              endpoints_editable;
  GHashTable           *rows;      /* key → row (borrowed) */
  GHashTable           *problems;  /* key → sentence */
  AdwPasswordEntryRow  *secret_row;
};

G_DEFINE_FINAL_TYPE (MrPreferences, mr_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
is_guid (const char *text)
{
  static const char pattern[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

  if (strlen (text) != sizeof pattern - 1)
    return FALSE;
  for (guint i = 0; pattern[i] != '\0'; i++)
    if (pattern[i] == '-' ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* NULL when @text may be stored under @field; otherwise the sentence that says why not. */
static const char *
check (const Field *field,
       const char  *text)
{
  g_autoptr(GUri) uri = NULL;

  switch (field->kind)
    {
    case KIND_URL:
      if (*text == '\0')
        return NULL;
      uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
      if (uri == NULL || g_uri_get_host (uri) == NULL)
        return _("This is not a web address. It should start with https://");
      if (!mr_url_is_secure_or_loopback (text))
        return _("Use https:// — plain http:// is only allowed for this computer (127.0.0.1 or ::1).");
      return NULL;
    case KIND_GRAPH:
      /* The person's Graph token goes here: Microsoft Graph itself, or this computer. */
      if (check (&(Field) { .kind = KIND_URL }, text) != NULL || *text == '\0')
        return check (&(Field) { .kind = KIND_URL }, text);
      if (!mr_config_graph_url_is_allowed (text))
        return _("Use Microsoft Graph's own address, such as https://graph.microsoft.com/v1.0 (or a national cloud's), or one on this computer (127.0.0.1 or ::1).");
      return NULL;
    case KIND_REDIRECT:
      uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
      if (uri == NULL || g_uri_get_host (uri) == NULL
          || !mr_redirect_uri_is_secure_or_loopback (text))
        return _("The redirect URI must be a loopback address such as http://localhost:5000/auth/callback, as registered in Entra.");
      return NULL;
    case KIND_GUID:
      if (*text != '\0' && !is_guid (text))
        return _("This should be an ID such as 9a674bb7-0000-0000-0000-000000000000, copied from the Entra admin center.");
      return NULL;
    case KIND_SCOPE:
      if (*text == '\0')
        return NULL;
      uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
      if (uri == NULL || g_uri_get_host (uri) == NULL || strpbrk (text, " \t") != NULL
          || g_str_has_suffix (text, "/") || strlen (g_uri_get_path (uri)) < 2)
        return _("This should be one scope of the clinic's API, such as api://877afb01-0000-0000-0000-000000000000/Refill.Submit.");
      return NULL;
    case KIND_ROLE:
      /* Empty would open the desk to nobody; Entra's role values have no spaces. */
      if (*text == '\0' || strpbrk (text, " \t") != NULL)
        return _("This should be the value of the staff app role on the app registration, such as FrontDesk.");
      return NULL;
    case KIND_TEXT:
    case KIND_LIST:
    default:
      return NULL;
    }
}

/* What @key holds: the administrator's file's value when it sets the key, else the settings'. */
static GVariant *
get_value (MrPreferences *self,
           const char    *key)
{
  GVariant *locked = mr_config_lock_get_value (self->lock, key);

  return locked != NULL ? g_variant_ref (locked) : g_settings_get_value (self->settings, key);
}

static char *
row_text (MrPreferences *self,
          const Field   *field)
{
  g_autoptr(GVariant) value = get_value (self, field->key);
  g_autofree const char **items = NULL;

  if (field->kind != KIND_LIST)
    return g_variant_dup_string (value, NULL);
  items = g_variant_get_strv (value, NULL);
  return g_strjoinv (", ", (char **) items);
}

/* Why the row of @key (an endpoint when @endpoint) cannot be edited, or NULL when it can. */
static const char *
read_only_reason (MrPreferences *self,
                  const char    *key,
                  gboolean       endpoint)
{
  if (mr_config_lock_has_key (self->lock, key))
    return _("Set by your administrator in the settings file");
  if (!g_settings_is_writable (self->settings, key))
    return _("Locked by your administrator");
  if (endpoint && !self->endpoints_editable)
    return _("Only your administrator can change where sign-in, secrets and requests go");
  return NULL;
}

static void
set_read_only (GtkWidget  *row,
               const char *reason)
{
  if (reason == NULL)
    return;
  gtk_widget_set_sensitive (row, FALSE);
  gtk_widget_set_tooltip_text (row, reason);
}

static void
store (MrPreferences *self,
       const Field   *field,
       const char    *text)
{
  if (field->kind == KIND_LIST)
    {
      g_auto(GStrv) parts = g_strsplit_set (text, ",", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) items = NULL;

      for (guint i = 0; parts[i] != NULL; i++)
        if (*g_strstrip (parts[i]) != '\0')
          g_strv_builder_add (builder, parts[i]);
      items = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, field->key, (const char * const *) items);
    }
  else
    g_settings_set_string (self->settings, field->key, text);
}

static void
apply_cb (AdwEntryRow   *row,
          MrPreferences *self)
{
  const Field *field = g_object_get_data (G_OBJECT (row), "mr-field");
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  const char *problem = check (field, text);

  if (problem != NULL)
    {
      g_hash_table_insert (self->problems, (gpointer) field->key, (gpointer) problem);
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (row), problem);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (problem));
      return;
    }
  g_hash_table_remove (self->problems, field->key);
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), NULL);
  store (self, field, text);
}

static GtkWidget *
make_row (MrPreferences *self,
          const Field   *field)
{
  GtkWidget *row = adw_entry_row_new ();
  g_autofree char *value = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(field->title));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  value = row_text (self, field);
  gtk_editable_set_text (GTK_EDITABLE (row), value);
  g_object_set_data (G_OBJECT (row), "mr-field", (gpointer) field);
  g_signal_connect (row, "apply", G_CALLBACK (apply_cb), self);
  set_read_only (row, read_only_reason (self, field->key, field->endpoint));
  g_hash_table_insert (self->rows, (gpointer) field->key, row);
  return row;
}

/* An enum key's nicks in the schema's order, which is the order of the choice's labels. */
static GStrv
enum_nicks (GSettings  *settings,
            const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;
  g_autoptr(GVariant) range = NULL;
  g_autoptr(GVariant) nicks = NULL;
  const char *type;

  g_object_get (settings, "settings-schema", &schema, NULL);
  schema_key = g_settings_schema_get_key (schema, key);
  range = g_settings_schema_key_get_range (schema_key);
  g_variant_get (range, "(&sv)", &type, &nicks);
  g_assert (g_str_equal (type, "enum"));
  return g_variant_dup_strv (nicks, NULL);
}

static gboolean
nick_to_selected (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
selected_to_nick (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[selected]);
}

/* A choice bound to an enum key: it follows the key (and its lock: a locked key's row is
 * insensitive), and a choice is stored at once, as any value of the enum is valid. */
static GtkWidget *
make_choice_row (MrPreferences      *self,
                 const char         *key,
                 const char         *title,
                 const char * const *labels)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new (labels);
  GStrv nicks = enum_nicks (self->settings, key);

  g_assert (g_strv_length (nicks) == g_strv_length ((char **) labels));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  if (mr_config_lock_has_key (self->lock, key))
    {
      /* The file's value, shown and kept: the user's setting under it does not count. */
      g_auto(GValue) selected = G_VALUE_INIT;

      g_value_init (&selected, G_TYPE_UINT);
      if (nick_to_selected (&selected, mr_config_lock_get_value (self->lock, key), nicks))
        adw_combo_row_set_selected (ADW_COMBO_ROW (row), g_value_get_uint (&selected));
      g_strfreev (nicks);
      set_read_only (row, read_only_reason (self, key, FALSE));
    }
  else
    g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                  nick_to_selected, selected_to_nick, nicks,
                                  (GDestroyNotify) g_strfreev);
  g_hash_table_insert (self->rows, (gpointer) key, row);
  return row;
}

static void
secret_stored_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(MrPreferences) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_secret_store_finish (result, &error))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
  else
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (_("Saved in the keyring.")));
}

static void
secret_apply_cb (AdwEntryRow   *row,
                 MrPreferences *self)
{
  g_autofree char *header = g_settings_get_string (self->settings, "workflow-auth-header");
  g_autofree char *url = g_settings_get_string (self->settings, "workflow-url");
  g_autofree char *origin = mr_url_origin (url);
  const char *value = gtk_editable_get_text (GTK_EDITABLE (row));

  if (*header == '\0')
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("Set the header name first.")));
      return;
    }
  if (origin == NULL)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("Set the workflow address first.")));
      return;
    }
  /* Bound to this workflow address: if the address changes, the value is not sent to the new one
   * until it is set again here (issue 13). */
  mr_secret_store_for_origin_async (MR_SECRET_WORKFLOW_AUTH, header, origin,
                                    _("Medication Refill workflow credential"), value, NULL,
                                    secret_stored_cb, g_object_ref (self));
  /* The value lives in the keyring only, never in this window longer than needed. */
  gtk_editable_set_text (GTK_EDITABLE (row), "");
}

/* A switch bound to a boolean key: stored at once, and insensitive while the key is locked
 * (g_settings_bind follows writability; the administrator's file is the other lock). */
static GtkWidget *
make_switch_row (MrPreferences *self,
                 const char    *key,
                 const char    *title,
                 const char    *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  if (mr_config_lock_has_key (self->lock, key))
    {
      /* The administrator's file decides, as for a choice. */
      gtk_switch_set_active (GTK_SWITCH (toggle),
                             g_variant_get_boolean (mr_config_lock_get_value (self->lock, key)));
      set_read_only (row, read_only_reason (self, key, FALSE));
    }
  else
    g_settings_bind (self->settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);
  /* The switch is what a test (and the lock) acts on. */
  g_hash_table_insert (self->rows, (gpointer) key, toggle);
  return row;
}

static void
build_pages (MrPreferences *self)
{
  static const char *modes[] = { N_("Front desk (staff)"), N_("Kiosk (patients)"), NULL };
  static const char *browsers[] = { N_("Built-in sign-in page"), N_("The system's web browser"), NULL };
  static const char *formats[] = { N_("refill-v2 (JSON)"), N_("FHIR R4 Task"), NULL };
  g_autofree const char **modes_t = NULL, **browsers_t = NULL, **formats_t = NULL;
  GtkWidget *page = adw_preferences_page_new ();
  GHashTable *groups = g_hash_table_new (g_str_hash, g_str_equal);
  GtkWidget *row, *group;

  modes_t = g_new0 (const char *, 3);
  browsers_t = g_new0 (const char *, 3);
  formats_t = g_new0 (const char *, 3);
  for (guint i = 0; i < 2; i++)
    {
      modes_t[i] = _(modes[i]);
      browsers_t[i] = _(browsers[i]);
      formats_t[i] = _(formats[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      group = g_hash_table_lookup (groups, fields[i].group);
      if (group == NULL)
        {
          group = adw_preferences_group_new ();
          adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _(fields[i].group));
          adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
          g_hash_table_insert (groups, (gpointer) fields[i].group, group);
        }
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), make_row (self, &fields[i]));
    }

  group = g_hash_table_lookup (groups, "Services");
  self->secret_row = ADW_PASSWORD_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->secret_row),
                                 _("Workflow authentication value (kept in the keyring)"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (self->secret_row), TRUE);
  g_signal_connect (self->secret_row, "apply", G_CALLBACK (secret_apply_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->secret_row));

  group = g_hash_table_lookup (groups, "Sign-in");
  row = make_choice_row (self, "sign-in-browser", _("Sign in with"), browsers_t);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  /* Off by default: Entra's device flow is not ready for every External ID tenant (issue 14). */
  row = make_switch_row (self, "device-sign-in", _("Sign in with a phone"),
                         _("Kiosk: patients may scan a QR code and sign in on their own phone"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);

  group = g_hash_table_lookup (groups, "Requests");
  row = make_choice_row (self, "payload-format", _("Request format"), formats_t);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  row = make_choice_row (self, "mode", _("This computer is a"), modes_t);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
  g_hash_table_unref (groups);
}

GtkWidget *
mr_preferences_get_row (MrPreferences *self,
                        const char    *key)
{
  g_return_val_if_fail (MR_IS_PREFERENCES (self), NULL);

  return g_hash_table_lookup (self->rows, key);
}

const char *
mr_preferences_get_problem (MrPreferences *self,
                            const char    *key)
{
  g_return_val_if_fail (MR_IS_PREFERENCES (self), NULL);

  return g_hash_table_lookup (self->problems, key);
}

static void
mr_preferences_finalize (GObject *object)
{
  MrPreferences *self = MR_PREFERENCES (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->lock, mr_config_lock_unref);
  g_hash_table_unref (self->rows);
  g_hash_table_unref (self->problems);
  G_OBJECT_CLASS (mr_preferences_parent_class)->finalize (object);
}

static void
mr_preferences_class_init (MrPreferencesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_preferences_finalize;
}

static void
mr_preferences_init (MrPreferences *self)
{
  self->rows = g_hash_table_new (g_str_hash, g_str_equal);
  self->problems = g_hash_table_new (g_str_hash, g_str_equal);
}

/* Endpoints are read-only unless an administrator said otherwise (endpoints-editable), or while
 * the sign-in settings are incomplete: the first setup, with nothing yet to send anywhere. */
static gboolean
endpoints_editable (MrPreferences *self)
{
  g_autoptr(GVariant) editable = get_value (self, "endpoints-editable");
  g_autoptr(MrConfig) config = NULL;

  if (g_variant_get_boolean (editable))
    return TRUE;
  config = mr_config_new_from_settings (self->settings);
  mr_config_lock_apply (self->lock, config);
  return !mr_config_validate (config, NULL);
}

MrPreferences *
mr_preferences_new (GtkWindow          *parent,
                    GSettings          *settings,
                    const MrConfigLock *lock)
{
  MrPreferences *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (MR_TYPE_PREFERENCES,
                       "transient-for", parent,
                       "modal", TRUE,
                       "search-enabled", FALSE,
                       NULL);
  self->settings = g_object_ref (settings);
  self->lock = lock != NULL ? mr_config_lock_ref ((MrConfigLock *) lock) : mr_config_lock_new ();
  self->endpoints_editable = endpoints_editable (self);
  build_pages (self);
  return self;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-util.h"

#define IDLE_TIMEOUT_MIN 15
#define IDLE_TIMEOUT_MAX 3600

G_DEFINE_QUARK (mr-config-error-quark, mr_config_error)

static const char * const default_scopes[] = {
  "openid", "profile", "offline_access", "User.Read", NULL
};

MrConfig *
mr_config_new (void)
{
  MrConfig *config = g_new0 (MrConfig, 1);

  config->authority = g_strdup ("");
  config->tenant_id = g_strdup ("");
  config->client_id = g_strdup ("");
  config->redirect_uri = g_strdup ("http://localhost:5000/auth/callback");
  config->scopes = g_strdupv ((char **) default_scopes);
  config->graph_url = g_strdup ("https://graph.microsoft.com/v1.0");
  config->extensions_app_id = g_strdup ("");
  config->workflow_url = g_strdup ("");
  config->workflow_auth_header = g_strdup ("");
  config->api_scope = g_strdup ("");
  config->staff_role = g_strdup ("FrontDesk");
  config->mode = MR_MODE_DESK;
  config->idle_timeout = 120;
  config->formulary_path = g_strdup ("");
  config->consent_text = g_strdup ("");
  config->sign_in_browser = MR_SIGN_IN_EMBEDDED;
  config->pickup_locations = g_new0 (char *, 1);
  config->payload_format = MR_PAYLOAD_REFILL_V2;
  config->sign_in_hosts = g_new0 (char *, 1);
  config->device_sign_in = FALSE;
  config->device_verification_uri = g_strdup ("");
  return config;
}

MrConfig *
mr_config_new_from_settings (GSettings *settings)
{
  MrConfig *config;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  config = g_new0 (MrConfig, 1);
  config->authority = g_settings_get_string (settings, "authority");
  config->tenant_id = g_settings_get_string (settings, "tenant-id");
  config->client_id = g_settings_get_string (settings, "client-id");
  config->redirect_uri = g_settings_get_string (settings, "redirect-uri");
  config->scopes = g_settings_get_strv (settings, "scopes");
  config->graph_url = g_settings_get_string (settings, "graph-url");
  config->extensions_app_id = g_settings_get_string (settings, "extensions-app-id");
  config->workflow_url = g_settings_get_string (settings, "workflow-url");
  config->workflow_auth_header = g_settings_get_string (settings, "workflow-auth-header");
  config->api_scope = g_settings_get_string (settings, "api-scope");
  config->staff_role = g_settings_get_string (settings, "staff-role");
  config->mode = g_settings_get_enum (settings, "mode") == 1 ? MR_MODE_KIOSK : MR_MODE_DESK;
  config->idle_timeout = g_settings_get_uint (settings, "idle-timeout");
  config->formulary_path = g_settings_get_string (settings, "formulary-path");
  config->consent_text = g_settings_get_string (settings, "consent-text");
  config->sign_in_browser = g_settings_get_enum (settings, "sign-in-browser");
  g_strfreev (config->pickup_locations);
  config->pickup_locations = g_settings_get_strv (settings, "pickup-locations");
  config->payload_format = g_settings_get_enum (settings, "payload-format");
  config->sign_in_hosts = g_settings_get_strv (settings, "sign-in-hosts");
  config->device_sign_in = g_settings_get_boolean (settings, "device-sign-in");
  config->device_verification_uri = g_settings_get_string (settings, "device-verification-uri");
  return config;
}

MrConfig *
mr_config_copy (const MrConfig *config)
{
  MrConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (MrConfig, 1);
  copy->authority = g_strdup (config->authority);
  copy->tenant_id = g_strdup (config->tenant_id);
  copy->client_id = g_strdup (config->client_id);
  copy->redirect_uri = g_strdup (config->redirect_uri);
  copy->scopes = g_strdupv (config->scopes);
  copy->graph_url = g_strdup (config->graph_url);
  copy->extensions_app_id = g_strdup (config->extensions_app_id);
  copy->workflow_url = g_strdup (config->workflow_url);
  copy->workflow_auth_header = g_strdup (config->workflow_auth_header);
  copy->api_scope = g_strdup (config->api_scope);
  copy->staff_role = g_strdup (config->staff_role);
  copy->mode = config->mode;
  copy->idle_timeout = config->idle_timeout;
  copy->formulary_path = g_strdup (config->formulary_path);
  copy->consent_text = g_strdup (config->consent_text);
  copy->sign_in_browser = config->sign_in_browser;
  copy->pickup_locations = g_strdupv (config->pickup_locations);
  copy->payload_format = config->payload_format;
  copy->sign_in_hosts = g_strdupv (config->sign_in_hosts);
  copy->device_sign_in = config->device_sign_in;
  copy->device_verification_uri = g_strdup (config->device_verification_uri);
  return copy;
}

void
mr_config_free (MrConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->authority);
  g_free (config->tenant_id);
  g_free (config->client_id);
  g_free (config->redirect_uri);
  g_strfreev (config->scopes);
  g_free (config->graph_url);
  g_free (config->extensions_app_id);
  g_free (config->workflow_url);
  g_free (config->workflow_auth_header);
  g_free (config->api_scope);
  g_free (config->staff_role);
  g_free (config->formulary_path);
  g_free (config->consent_text);
  g_strfreev (config->pickup_locations);
  g_strfreev (config->sign_in_hosts);
  g_free (config->device_verification_uri);
  g_free (config);
}

/* The string-valued keys, by GSettings name, and where each lives in MrConfig. */
static char **
string_field (MrConfig   *config,
              const char *key)
{
  static const struct {
    const char *key;
    gsize       offset;
  } fields[] = {
    { "authority", G_STRUCT_OFFSET (MrConfig, authority) },
    { "tenant-id", G_STRUCT_OFFSET (MrConfig, tenant_id) },
    { "client-id", G_STRUCT_OFFSET (MrConfig, client_id) },
    { "redirect-uri", G_STRUCT_OFFSET (MrConfig, redirect_uri) },
    { "graph-url", G_STRUCT_OFFSET (MrConfig, graph_url) },
    { "extensions-app-id", G_STRUCT_OFFSET (MrConfig, extensions_app_id) },
    { "workflow-url", G_STRUCT_OFFSET (MrConfig, workflow_url) },
    { "workflow-auth-header", G_STRUCT_OFFSET (MrConfig, workflow_auth_header) },
    { "api-scope", G_STRUCT_OFFSET (MrConfig, api_scope) },
    { "staff-role", G_STRUCT_OFFSET (MrConfig, staff_role) },
    { "formulary-path", G_STRUCT_OFFSET (MrConfig, formulary_path) },
    { "consent-text", G_STRUCT_OFFSET (MrConfig, consent_text) },
    { "device-verification-uri", G_STRUCT_OFFSET (MrConfig, device_verification_uri) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strcmp (fields[i].key, key) == 0)
      return G_STRUCT_MEMBER_P (config, fields[i].offset);
  return NULL;
}

static gboolean
set_mode (MrConfig   *config,
          const char *value,
          GError    **error)
{
  if (g_strcmp0 (value, "desk") == 0)
    config->mode = MR_MODE_DESK;
  else if (g_strcmp0 (value, "kiosk") == 0)
    config->mode = MR_MODE_KIOSK;
  else
    {
      g_set_error_literal (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID,
                           _("The mode must be “desk” or “kiosk”."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_idle_timeout (MrConfig   *config,
                  const char *value,
                  GError    **error)
{
  guint64 seconds = 0;

  if (!g_ascii_string_to_unsigned (value, 10, IDLE_TIMEOUT_MIN, IDLE_TIMEOUT_MAX, &seconds, NULL))
    {
      g_set_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID,
                   _("The idle timeout must be a number of seconds from %d to %d."),
                   IDLE_TIMEOUT_MIN, IDLE_TIMEOUT_MAX);
      return FALSE;
    }
  config->idle_timeout = (guint) seconds;
  return TRUE;
}

/* A comma-separated list; empty pieces are dropped. */
static gboolean
set_pickup_locations (MrConfig   *config,
                      const char *value)
{
  g_auto(GStrv) pieces = g_strsplit (value, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; pieces[i] != NULL; i++)
    if (*g_strstrip (pieces[i]) != '\0')
      g_strv_builder_add (builder, pieces[i]);
  g_strfreev (config->pickup_locations);
  config->pickup_locations = g_strv_builder_end (builder);
  return TRUE;
}

/* One of two nicks of a schema enum, stored as its index. */
static gboolean
set_choice (const char  *value,
            const char  *first,
            const char  *second,
            int         *out,
            const char  *message,
            GError     **error)
{
  if (g_strcmp0 (value, first) == 0)
    *out = 0;
  else if (g_strcmp0 (value, second) == 0)
    *out = 1;
  else
    {
      g_set_error_literal (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID, _(message));
      return FALSE;
    }
  return TRUE;
}

gboolean
mr_config_set (MrConfig    *config,
               const char  *key,
               const char  *value,
               GError     **error)
{
  char **field;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value == NULL)
    value = "";

  field = string_field (config, key);
  if (field != NULL)
    {
      g_free (*field);
      *field = g_strdup (value);
      return TRUE;
    }
  if (strcmp (key, "scopes") == 0)
    {
      g_strfreev (config->scopes);
      config->scopes = g_strsplit_set (value, " \t", -1);
      /* g_strsplit_set keeps empty pieces between repeated separators; drop them. */
      for (guint r = 0, w = 0; ; r++)
        {
          char *piece = config->scopes[r];

          if (piece != NULL && *piece == '\0')
            {
              g_free (piece);
              continue;
            }
          config->scopes[w++] = piece;
          if (piece == NULL)
            break;
        }
      return TRUE;
    }
  if (strcmp (key, "mode") == 0)
    return set_mode (config, value, error);
  if (strcmp (key, "idle-timeout") == 0)
    return set_idle_timeout (config, value, error);
  if (strcmp (key, "pickup-locations") == 0)
    return set_pickup_locations (config, value);
  if (strcmp (key, "sign-in-browser") == 0)
    return set_choice (value, "embedded", "system", (int *) &config->sign_in_browser,
                       N_("The sign-in browser must be “embedded” or “system”."), error);
  if (strcmp (key, "device-sign-in") == 0)
    return set_choice (value, "false", "true", (int *) &config->device_sign_in,
                       N_("Sign-in with a phone must be “true” or “false”."), error);
  if (strcmp (key, "payload-format") == 0)
    return set_choice (value, "refill-v2", "fhir-r4", (int *) &config->payload_format,
                       N_("The payload format must be “refill-v2” or “fhir-r4”."), error);

  g_set_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_UNKNOWN_KEY,
               _("“%s” is not a setting this app knows."), key);
  return FALSE;
}

void
mr_config_set_value (MrConfig   *config,
                     const char *key,
                     GVariant   *value)
{
  char **field;

  g_return_if_fail (config != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (value != NULL);

  field = string_field (config, key);
  if (field != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      g_free (*field);
      *field = g_variant_dup_string (value, NULL);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
    {
      char ***list = strcmp (key, "scopes") == 0 ? &config->scopes
                     : strcmp (key, "pickup-locations") == 0 ? &config->pickup_locations
                     : strcmp (key, "sign-in-hosts") == 0 ? &config->sign_in_hosts
                     : NULL;

      if (list != NULL)
        {
          g_strfreev (*list);
          *list = g_variant_dup_strv (value, NULL);
        }
    }
  else if (strcmp (key, "idle-timeout") == 0 && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    config->idle_timeout = CLAMP (g_variant_get_uint32 (value), IDLE_TIMEOUT_MIN, IDLE_TIMEOUT_MAX);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
           && (strcmp (key, "mode") == 0 || strcmp (key, "sign-in-browser") == 0
               || strcmp (key, "payload-format") == 0))
    /* The schema's range check has made the nick a valid one. */
    mr_config_set (config, key, g_variant_get_string (value, NULL), NULL);
}

gboolean
mr_config_apply_lines (MrConfig    *config,
                       const char  *text,
                       GError     **error)
{
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL)
    return TRUE;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq;

      if (*line == '\0' || *line == '#')
        continue;
      eq = strchr (line, '=');
      if (eq == NULL)
        continue;
      *eq = '\0';
      if (!mr_config_set (config, g_strstrip (line), g_strstrip (eq + 1), error))
        return FALSE;
    }
  return TRUE;
}

/* What is wrong with an address setting, each sentence whole (N_). */
typedef struct {
  const char *missing;
  const char *not_web;
  const char *not_https;
  gboolean    captured;   /* a redirect URI: never fetched, so "localhost" by name is fine */
} UrlMessages;

static const UrlMessages authority_messages = {
  N_("The sign-in authority is not set. Ask your administrator to set it in Preferences."),
  N_("The sign-in authority is not a web address starting with https://. Ask your administrator "
     "to correct it in Preferences."),
  N_("The sign-in authority must start with https:// (plain http is only allowed on this "
     "computer). Ask your administrator to correct it in Preferences."),
};
static const UrlMessages redirect_messages = {
  N_("The redirect URI is not set. Ask your administrator to set it in Preferences."),
  N_("The redirect URI is not a web address starting with https://. Ask your administrator to "
     "correct it in Preferences."),
  N_("The redirect URI must start with https:// (plain http is only allowed on this computer). "
     "Ask your administrator to correct it in Preferences."),
  TRUE,
};
static const UrlMessages graph_messages = {
  N_("The Microsoft Graph address is not set. Ask your administrator to set it in Preferences."),
  N_("The Microsoft Graph address is not a web address starting with https://. Ask your "
     "administrator to correct it in Preferences."),
  N_("The Microsoft Graph address must start with https:// (plain http is only allowed on this "
     "computer). Ask your administrator to correct it in Preferences."),
};
static const UrlMessages device_messages = {
  NULL,
  N_("The phone sign-in page is not a web address starting with https://. Ask your "
     "administrator to correct it in Preferences."),
  N_("The phone sign-in page must start with https:// (plain http is only allowed on this "
     "computer). Ask your administrator to correct it in Preferences."),
};
static const UrlMessages workflow_messages = {
  N_("The workflow address is not set. Ask your administrator to set it in Preferences."),
  N_("The workflow address is not a web address starting with https://. Ask your administrator "
     "to correct it in Preferences."),
  N_("The workflow address must start with https:// (plain http is only allowed on this "
     "computer). Ask your administrator to correct it in Preferences."),
};

/* @missing is the untranslated sentence (N_) for an empty setting. */
static gboolean
require (const char  *value,
         const char  *missing,
         GError     **error)
{
  if (value != NULL && *value != '\0')
    return TRUE;
  g_set_error_literal (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_MISSING, _(missing));
  return FALSE;
}

static gboolean
check_url (const char         *url,
           const UrlMessages  *messages,
           GError            **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (!require (url, messages->missing, error))
    return FALSE;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0))
    {
      g_set_error_literal (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID, _(messages->not_web));
      return FALSE;
    }
  if (messages->captured ? !mr_redirect_uri_is_secure_or_loopback (url)
                         : !mr_url_is_secure_or_loopback (url))
    {
      g_set_error_literal (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID,
                           _(messages->not_https));
      return FALSE;
    }
  return TRUE;
}

/* Microsoft Graph's service roots: the global service and the national clouds
 * (https://learn.microsoft.com/graph/deployments). The person's Graph token goes wherever
 * graph-url points, so nothing else is accepted but this computer (the sandbox, the tests). */
static const char * const graph_hosts[] = {
  "graph.microsoft.com",              /* global service */
  "graph.microsoft.us",               /* US Government L4 (GCC High) */
  "dod-graph.microsoft.us",           /* US Government L5 (DOD) */
  "microsoftgraph.chinacloudapi.cn",  /* China, operated by 21Vianet */
  NULL,
};

gboolean
mr_config_graph_url_is_allowed (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (!mr_url_is_secure_or_loopback (url))
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (mr_host_is_loopback (host))
    return TRUE;
  for (guint i = 0; graph_hosts[i] != NULL; i++)
    if (g_ascii_strcasecmp (host, graph_hosts[i]) == 0)
      return TRUE;
  return FALSE;
}

#define GRAPH_HOST_MESSAGE \
  N_("The Microsoft Graph address must be Microsoft Graph's own (graph.microsoft.com, or a " \
     "national cloud's: graph.microsoft.us, dod-graph.microsoft.us, " \
     "microsoftgraph.chinacloudapi.cn) or this computer (127.0.0.1 or ::1). Ask your " \
     "administrator to correct it in Preferences.")

gboolean
mr_config_validate (const MrConfig  *config,
                    GError         **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_url (config->authority, &authority_messages, error)
      || !require (config->client_id,
                   N_("The client ID is not set. Ask your administrator to set it in Preferences."),
                   error)
      || !check_url (config->redirect_uri, &redirect_messages, error)
      || !check_url (config->graph_url, &graph_messages, error)
      || !check_url (config->workflow_url, &workflow_messages, error))
    return FALSE;
  if (!mr_config_graph_url_is_allowed (config->graph_url))
    {
      g_set_error_literal (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID,
                           _(GRAPH_HOST_MESSAGE));
      return FALSE;
    }

  /* Empty means the provider's page; an address the person's phone is sent to must be https, as
   * the provider's own is. Unused while the phone sign-in is off, so it does not stop the app. */
  if (config->device_sign_in && config->device_verification_uri != NULL
      && *config->device_verification_uri != '\0'
      && !check_url (config->device_verification_uri, &device_messages, error))
    return FALSE;

  /* The role is what tells a staff member from a patient at a desk: without it, nobody is. */
  if (config->mode == MR_MODE_DESK &&
      !require (config->staff_role,
                N_("The staff app role is not set, so no account can open the front desk. "
                   "Ask your administrator to set it in Preferences."),
                error))
    return FALSE;

  if (config->scopes == NULL || !g_strv_contains ((const char * const *) config->scopes, "openid"))
    {
      g_set_error_literal (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID,
                           _("The sign-in scopes must include “openid”. "
                             "Ask your administrator to correct them in Preferences."));
      return FALSE;
    }
  return TRUE;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `medrefill --import-env FILE`: the tutorial's .env keys turned into settings. */
#include "mr-config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-util.h"

#define GUID_EXAMPLE "9a674bb7-0000-0000-0000-000000000000"

/* What one .env file said, before any of it is trusted. */
typedef struct {
  GHashTable *values;     /* key → value, both owned */
  GPtrArray  *warnings;   /* sentences */
  GPtrArray  *problems;   /* sentences; any problem refuses the whole import */
  gboolean    missing;    /* the first problem is a missing key */
} EnvImport;

static void env_import_clear (EnvImport *env);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EnvImport, env_import_clear)

static const char * const known_keys[] = {
  "TENANT_ID", "TENANT_NAME", "POLICY_NAME", "CLIENT_ID", "CLIENT_SECRET", "REDIRECT_URI", NULL
};

/* Overwrites a secret before it is freed, so that it does not linger in freed memory. */
static void
secret_free (gpointer data)
{
  volatile char *p = data;

  while (p != NULL && *p != '\0')
    *p++ = '\0';
  g_free (data);
}

static gboolean
is_key (const char *key)
{
  if (!g_ascii_isalpha (*key) && *key != '_')
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/* A double-quoted value: \" \\ \n are escapes. Returns NULL when the quote is never closed. */
static char *
read_double_quoted (const char  *p,
                    const char **end)
{
  GString *value = g_string_new (NULL);

  for (p++; *p != '\0' && *p != '"'; p++)
    {
      if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
        g_string_append_c (value, *++p);
      else if (*p == '\\' && p[1] == 'n')
        g_string_append_c (value, '\n'), p++;
      else
        g_string_append_c (value, *p);
    }
  if (*p != '"')
    {
      g_string_free (value, TRUE);
      return NULL;
    }
  *end = p + 1;
  return g_string_free (value, FALSE);
}

/* The value part of a line: quoted, or bare up to a " #" comment. NULL when a quote is open. */
static char *
read_value (const char *p)
{
  const char *end = NULL;
  char *value;

  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '"')
    value = read_double_quoted (p, &end);
  else if (*p == '\'')
    {
      const char *close = strchr (p + 1, '\'');

      value = close != NULL ? g_strndup (p + 1, close - p - 1) : NULL;
      end = close != NULL ? close + 1 : NULL;
    }
  else
    {
      const char *comment = p;

      while (*comment != '\0' && !(*comment == '#' && (comment == p || comment[-1] == ' '
                                                      || comment[-1] == '\t')))
        comment++;
      return g_strstrip (g_strndup (p, comment - p));
    }
  if (value == NULL)
    return NULL;
  /* After a closing quote only white space or a comment may follow. */
  while (*end == ' ' || *end == '\t')
    end++;
  if (*end != '\0' && *end != '#')
    g_clear_pointer (&value, secret_free);
  return value;
}

static void
add_problem (EnvImport  *env,
             gboolean    missing,
             const char *sentence)
{
  if (env->problems->len == 0)
    env->missing = missing;
  g_ptr_array_add (env->problems, g_strdup (sentence));
}

static void
parse_line (EnvImport  *env,
            char       *line,
            guint       number)
{
  char *eq, *key, *value;

  line = g_strstrip (line);
  if (*line == '\0' || *line == '#')
    return;
  if (g_str_has_prefix (line, "export") && (line[6] == ' ' || line[6] == '\t'))
    line = g_strchug (line + 6);
  eq = strchr (line, '=');
  if (eq == NULL)
    {
      g_ptr_array_add (env->warnings,
                       /* TRANSLATORS: %u is a line number; keep KEY=value as it is. */
                       g_strdup_printf (_("Line %u is not of the form KEY=value and was ignored."),
                                        number));
      return;
    }
  *eq = '\0';
  key = g_strstrip (line);
  if (!is_key (key))
    {
      g_ptr_array_add (env->warnings,
                       g_strdup_printf (_("Line %u does not start with a key name and was "
                                          "ignored."), number));
      return;
    }
  if ((value = read_value (eq + 1)) == NULL)
    {
      /* TRANSLATORS: %s is a key of the .env file (such as CLIENT_ID), %u its line number. */
      g_autofree char *sentence = g_strdup_printf (_("%s (line %u) has a quote that is not "
                                                     "closed."), key, number);

      add_problem (env, FALSE, sentence);
      return;
    }
  g_hash_table_replace (env->values, g_strdup (key), value);
}

static gboolean
is_guid (const char *text)
{
  static const int group_lengths[] = { 8, 4, 4, 4, 12 };
  const char *p = text;

  for (gsize g = 0; g < G_N_ELEMENTS (group_lengths); g++)
    {
      for (int i = 0; i < group_lengths[g]; i++, p++)
        if (!g_ascii_isxdigit (*p))
          return FALSE;
      if (g + 1 < G_N_ELEMENTS (group_lengths) && *p++ != '-')
        return FALSE;
    }
  return *p == '\0';
}

/* The value of @key, or NULL when absent or empty. */
static const char *
lookup (EnvImport  *env,
        const char *key)
{
  const char *value = g_hash_table_lookup (env->values, key);

  return value != NULL && *value != '\0' ? value : NULL;
}

/* @missing takes @key; @invalid takes @key and an example GUID. Both are translated. */
static void
check_guid (EnvImport  *env,
            const char *key,
            const char *missing,
            const char *invalid)
{
  const char *value = lookup (env, key);
  g_autofree char *sentence = NULL;

  if (value == NULL)
    sentence = g_strdup_printf (missing, key);
  else if (!is_guid (value))
    sentence = g_strdup_printf (invalid, key, GUID_EXAMPLE);
  if (sentence != NULL)
    add_problem (env, value == NULL, sentence);
}

/* The tenant's subdomain in lower case, without ".onmicrosoft.com"; NULL when not valid. */
static char *
tenant_subdomain (const char *value)
{
  g_autofree char *name = g_ascii_strdown (value, -1);
  gsize len;

  if (g_str_has_suffix (name, ".onmicrosoft.com"))
    name[strlen (name) - strlen (".onmicrosoft.com")] = '\0';
  len = strlen (name);
  if (len == 0 || len > 63 || name[0] == '-' || name[len - 1] == '-')
    return NULL;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return NULL;
  return g_steal_pointer (&name);
}

/* B2C user flows are named B2C_1_… and custom policies B2C_1A_…; External ID user flows are
 * linked to the app in the admin center and never appear in the authority. */
static gboolean
is_b2c_policy (const char *policy)
{
  return g_ascii_strncasecmp (policy, "B2C_1_", 6) == 0
         || g_ascii_strncasecmp (policy, "B2C_1A_", 7) == 0;
}

static gboolean
is_policy_name (const char *policy)
{
  if (strlen (policy) > 100)
    return FALSE;
  for (const char *p = policy; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
is_loopback_redirect (const char *value)
{
  g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_fragment (uri) != NULL
      || g_uri_get_userinfo (uri) != NULL)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  return (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
         && mr_host_is_loopback_or_localhost (g_uri_get_host (uri));
}

static char *
derive_authority (EnvImport  *env,
                  const char *tenant_id)
{
  const char *name_value = lookup (env, "TENANT_NAME");
  const char *policy = lookup (env, "POLICY_NAME");
  g_autofree char *name = NULL;

  if (name_value == NULL)
    {
      add_problem (env, TRUE, _("TENANT_NAME is missing: it must hold the tenant's subdomain "
                                "(the “contosoclinic” of contosoclinic.ciamlogin.com)."));
      return NULL;
    }
  if ((name = tenant_subdomain (name_value)) == NULL)
    {
      add_problem (env, FALSE, _("TENANT_NAME must be the tenant's subdomain (the "
                                 "“contosoclinic” of contosoclinic.ciamlogin.com): letters, "
                                 "digits and hyphens."));
      return NULL;
    }
  if (policy != NULL && !is_policy_name (policy))
    {
      add_problem (env, FALSE, _("POLICY_NAME must be the name of a user flow: letters, digits, "
                                 "“_” and “-”."));
      return NULL;
    }
  if (policy != NULL && is_b2c_policy (policy))
    return g_strdup_printf ("https://%s.b2clogin.com/%s.onmicrosoft.com/%s", name, name, policy);
  if (policy != NULL)
    g_ptr_array_add (env->warnings,
                     g_strdup (_("POLICY_NAME was not used: in Microsoft Entra External ID the "
                                 "user flow is linked to the app registration, not named at "
                                 "sign-in.")));
  return g_strdup_printf ("https://%s.ciamlogin.com/%s", name, tenant_id);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
warn_about_other_keys (EnvImport *env)
{
  GHashTableIter iter;
  gpointer key;
  g_autoptr(GPtrArray) unknown = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, env->values);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_strv_contains (known_keys, key))
      g_ptr_array_add (unknown, key);
  g_ptr_array_sort (unknown, compare_keys);
  for (guint i = 0; i < unknown->len; i++)
    g_ptr_array_add (env->warnings,
                     /* TRANSLATORS: %s is a key of the .env file. */
                     g_strdup_printf (_("%s is not a setting of this app and was ignored."),
                                      (const char *) unknown->pdata[i]));
  if (lookup (env, "CLIENT_SECRET") != NULL)
    g_ptr_array_add (env->warnings,
                     g_strdup (_("CLIENT_SECRET was ignored and not stored: this app is a public "
                                 "client, which signs in with PKCE and never uses a secret "
                                 "(anyone with the computer could read it). Delete CLIENT_SECRET "
                                 "from the file.")));
}

static void
env_import_clear (EnvImport *env)
{
  g_clear_pointer (&env->values, g_hash_table_unref);
  g_clear_pointer (&env->warnings, g_ptr_array_unref);
  g_clear_pointer (&env->problems, g_ptr_array_unref);
}

static void
read_lines (EnvImport  *env,
            const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      parse_line (env, lines[i], i + 1);
      /* The line may hold CLIENT_SECRET; do not leave it behind in freed memory. */
      memset (lines[i], 0, strlen (lines[i]));
    }
}

static void
refuse (EnvImport  *env,
        GError    **error)
{
  g_autofree char *message = NULL;

  g_ptr_array_add (env->problems, NULL);
  message = g_strjoinv ("\n", (char **) env->problems->pdata);
  g_set_error_literal (error, MR_CONFIG_ERROR,
                       env->missing ? MR_CONFIG_ERROR_MISSING : MR_CONFIG_ERROR_INVALID, message);
}

gboolean
mr_config_import_env (MrConfig    *config,
                      const char  *text,
                      GStrv       *warnings,
                      GError     **error)
{
  g_auto(EnvImport) env = { 0 };
  g_autofree char *authority = NULL;
  g_autofree char *tenant_id = NULL;
  const char *redirect;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  env.values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, secret_free);
  env.warnings = g_ptr_array_new_with_free_func (g_free);
  env.problems = g_ptr_array_new_with_free_func (g_free);
  read_lines (&env, text);

  /* TRANSLATORS: %s is TENANT_ID; keep the key as it is. */
  check_guid (&env, "TENANT_ID", _("%s is missing: it must hold the directory (tenant) ID."),
              /* TRANSLATORS: the first %s is TENANT_ID, the second an example GUID. */
              _("%s must be the directory (tenant) ID, a GUID such as %s."));
  tenant_id = g_ascii_strdown (lookup (&env, "TENANT_ID") ?: "", -1);
  authority = derive_authority (&env, tenant_id);
  /* TRANSLATORS: %s is CLIENT_ID; keep the key as it is. */
  check_guid (&env, "CLIENT_ID", _("%s is missing: it must hold the application (client) ID."),
              /* TRANSLATORS: the first %s is CLIENT_ID, the second an example GUID. */
              _("%s must be the application (client) ID, a GUID such as %s."));
  redirect = lookup (&env, "REDIRECT_URI");
  if (redirect != NULL && !is_loopback_redirect (redirect))
    add_problem (&env, FALSE, _("REDIRECT_URI must be an address on this computer, such as "
                                "http://localhost:5000/auth/callback: the app receives the "
                                "sign-in there itself."));
  warn_about_other_keys (&env);
  if (env.problems->len > 0)
    {
      refuse (&env, error);
      return FALSE;
    }

  g_free (config->authority);
  config->authority = g_steal_pointer (&authority);
  g_free (config->tenant_id);
  config->tenant_id = g_steal_pointer (&tenant_id);
  g_free (config->client_id);
  config->client_id = g_ascii_strdown (lookup (&env, "CLIENT_ID"), -1);
  if (redirect != NULL)
    {
      g_free (config->redirect_uri);
      config->redirect_uri = g_strdup (redirect);
    }
  if (warnings != NULL)
    {
      g_ptr_array_add (env.warnings, NULL);
      *warnings = (GStrv) g_ptr_array_steal (env.warnings, NULL);
    }
  return TRUE;
}

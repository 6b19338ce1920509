/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-config-lock.h"

#include <string.h>
#include <glib/gi18n-lib.h>

struct _MrConfigLock {
  char       *path;
  GHashTable *values;   /* key → GVariant */
};

static void
lock_clear (gpointer data)
{
  MrConfigLock *lock = data;

  g_free (lock->path);
  g_hash_table_unref (lock->values);
}

const char *
mr_config_lock_default_path (void)
{
  /* /etc inside the sandbox is the runtime's; the host's is mounted at /run/host/etc. */
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return "/run/host/etc/medrefill/settings.ini";
  return "/etc/medrefill/settings.ini";
}

MrConfigLock *
mr_config_lock_new (void)
{
  MrConfigLock *lock = g_atomic_rc_box_new0 (MrConfigLock);

  lock->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_variant_unref);
  return lock;
}

MrConfigLock *
mr_config_lock_ref (MrConfigLock *lock)
{
  g_return_val_if_fail (lock != NULL, NULL);

  return g_atomic_rc_box_acquire (lock);
}

void
mr_config_lock_unref (MrConfigLock *lock)
{
  if (lock != NULL)
    g_atomic_rc_box_release_full (lock, lock_clear);
}

static gpointer
invalid (GError    **error,
         const char *path,
         const char *key)
{
  if (key != NULL)
    g_set_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID,
                 _("The administrator's settings file %s has a value for “%s” that this app "
                   "cannot use, so the app does not start. Ask your administrator to correct it."),
                 path, key);
  else
    g_set_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID,
                 _("The administrator's settings file %s cannot be read, so the app does not "
                   "start. Ask your administrator to correct it."), path);
  return NULL;
}

/* Parses @text of @key as the schema types it, and checks its range (an enum's nicks, a number's
 * bounds). */
static GVariant *
parse_value (GSettingsSchema *schema,
             const char      *key,
             const char      *text)
{
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;
  g_autoptr(GVariant) value = NULL;

  if (!g_settings_schema_has_key (schema, key))
    return NULL;
  schema_key = g_settings_schema_get_key (schema, key);
  value = g_variant_parse (g_settings_schema_key_get_value_type (schema_key), text, NULL, NULL,
                           NULL);
  if (value == NULL || !g_settings_schema_key_range_check (schema_key, value))
    return NULL;
  /* g_variant_parse() gives a reference that is not floating. */
  return g_steal_pointer (&value);
}

MrConfigLock *
mr_config_lock_load_data (const char       *text,
                          const char       *path,
                          GSettingsSchema  *schema,
                          GError          **error)
{
  g_autoptr(MrConfigLock) lock = mr_config_lock_new ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (schema != NULL, NULL);

  lock->path = g_strdup (path);
  if (!g_key_file_load_from_data (file, text, -1, G_KEY_FILE_NONE, NULL))
    return invalid (error, path, NULL);
  /* Only the app's own group is read; a file with none locks nothing. */
  keys = g_key_file_get_keys (file, MR_CONFIG_LOCK_GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *raw = g_key_file_get_value (file, MR_CONFIG_LOCK_GROUP, keys[i], NULL);
      GVariant *value = raw != NULL ? parse_value (schema, keys[i], raw) : NULL;

      if (value == NULL)
        return invalid (error, path, keys[i]);
      g_hash_table_insert (lock->values, g_strdup (keys[i]), value);
    }
  return g_steal_pointer (&lock);
}

MrConfigLock *
mr_config_lock_load (const char       *path,
                     GSettingsSchema  *schema,
                     GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (schema != NULL, NULL);

  if (!g_file_get_contents (path, &text, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return mr_config_lock_new ();
      g_debug ("%s: %s", path, local_error->message);
      return invalid (error, path, NULL);
    }
  return mr_config_lock_load_data (text, path, schema, error);
}

gboolean
mr_config_lock_is_empty (const MrConfigLock *lock)
{
  g_return_val_if_fail (lock != NULL, TRUE);

  return g_hash_table_size (lock->values) == 0;
}

gboolean
mr_config_lock_has_key (const MrConfigLock *lock,
                        const char         *key)
{
  g_return_val_if_fail (lock != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return g_hash_table_contains (lock->values, key);
}

GVariant *
mr_config_lock_get_value (const MrConfigLock *lock,
                          const char         *key)
{
  g_return_val_if_fail (lock != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (lock->values, key);
}

const char *
mr_config_lock_get_path (const MrConfigLock *lock)
{
  g_return_val_if_fail (lock != NULL, NULL);

  return lock->path;
}

void
mr_config_lock_apply (const MrConfigLock *lock,
                      MrConfig           *config)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (lock != NULL);
  g_return_if_fail (config != NULL);

  g_hash_table_iter_init (&iter, lock->values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    mr_config_set_value (config, key, value);
}

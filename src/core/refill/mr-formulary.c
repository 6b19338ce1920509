/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-formulary.h"

#include "mr-util.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-rules.h"

/* A formulary is a list a clinic keeps by hand; anything far larger is not one. */
#define MAX_FILE_SIZE (8 * 1024 * 1024)

struct _MrFormulary {
  GPtrArray *entries;           /* of MrFormularyEntry */
  GPtrArray *keys;              /* folded names, parallel to entries */
};

G_DEFINE_QUARK (mr-formulary-error-quark, mr_formulary_error)

static void
entry_free (MrFormularyEntry *entry)
{
  g_free (entry->name);
  g_strfreev (entry->strengths);
  g_free (entry->form);
  g_free (entry);
}

void
mr_formulary_free (MrFormulary *formulary)
{
  if (formulary == NULL)
    return;

  g_ptr_array_unref (formulary->entries);
  g_ptr_array_unref (formulary->keys);
  g_free (formulary);
}

char *
mr_formulary_fold (const char *s)
{
  g_autofree char *valid = NULL;
  g_autofree char *nfd = NULL;
  g_autofree char *folded = NULL;
  GString *bare;

  if (s == NULL)
    return NULL;

  /* Decompose, drop the combining marks (the accents), then fold the case. */
  valid = g_utf8_make_valid (s, -1);
  nfd = g_utf8_normalize (valid, -1, G_NORMALIZE_NFKD);
  bare = g_string_new (NULL);
  for (const char *p = nfd; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_type (c) != G_UNICODE_NON_SPACING_MARK)
        g_string_append_unichar (bare, c);
    }
  folded = g_utf8_casefold (bare->str, -1);
  g_string_free (bare, TRUE);
  return g_utf8_normalize (folded, -1, G_NORMALIZE_NFC);
}

static gboolean
invalid (GError    **error,
         const char *path,
         guint       index)
{
  g_autofree char *base = g_path_get_basename (path);

  g_set_error (error, MR_FORMULARY_ERROR, MR_FORMULARY_ERROR_INVALID,
               _("The formulary file “%s” is not in the expected form (entry %u needs a “name” and "
                 "may have “strengths” and a “form”)."), base, index + 1);
  return FALSE;
}

/* A string member cleaned, or NULL when absent or empty; FALSE when of the wrong type. */
static gboolean
get_text (JsonObject  *object,
          const char  *member,
          MrField      field,
          char       **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *out = mr_rules_clean (field, json_node_get_string (node));
  if (**out == '\0')
    g_clear_pointer (out, g_free);
  return TRUE;
}

static gboolean
get_strengths (JsonObject *object,
               char     ***out)
{
  JsonNode *node = json_object_get_member (object, "strengths");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return FALSE;
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          g_autofree char *clean = NULL;

          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
            return FALSE;
          clean = mr_rules_clean (MR_FIELD_MEDICATION_STRENGTH, json_node_get_string (item));
          if (*clean != '\0')
            g_strv_builder_add (builder, clean);
        }
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

static MrFormularyEntry *
parse_entry (JsonNode *node)
{
  g_autofree char *name = NULL;
  g_autofree char *form = NULL;
  char **strengths = NULL;
  JsonObject *object;
  MrFormularyEntry *entry;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  if (!get_text (object, "name", MR_FIELD_MEDICATION_NAME, &name) || name == NULL
      || !get_text (object, "form", MR_FIELD_MEDICATION_FORM, &form)
      || !get_strengths (object, &strengths))
    return NULL;

  entry = g_new0 (MrFormularyEntry, 1);
  entry->name = g_steal_pointer (&name);
  entry->form = g_steal_pointer (&form);
  entry->strengths = strengths;
  return entry;
}

static gboolean
parse_entries (MrFormulary  *formulary,
               JsonNode     *root,
               const char   *path,
               GError      **error)
{
  JsonArray *array;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return invalid (error, path, 0);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      MrFormularyEntry *entry = parse_entry (json_array_get_element (array, i));

      if (entry == NULL)
        return invalid (error, path, i);
      g_ptr_array_add (formulary->entries, entry);
      g_ptr_array_add (formulary->keys, mr_formulary_fold (entry->name));
    }
  return TRUE;
}

MrFormulary *
mr_formulary_load (const char  *path,
                   GError     **error)
{
  g_autoptr(MrFormulary) formulary = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *contents = NULL;
  g_autofree char *base = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  base = g_path_get_basename (path);
  if (!g_file_get_contents (path, &contents, &length, NULL) || length > MAX_FILE_SIZE)
    {
      g_set_error (error, MR_FORMULARY_ERROR, MR_FORMULARY_ERROR_READ,
                   _("The formulary file “%s” could not be read. Check the path in Preferences."),
                   base);
      return NULL;
    }
  if (!mr_json_text_is_safe (contents, length) ||
      !json_parser_load_from_data (parser, contents, length, NULL))
    {
      g_set_error (error, MR_FORMULARY_ERROR, MR_FORMULARY_ERROR_INVALID,
                   _("The formulary file “%s” is not valid JSON."), base);
      return NULL;
    }

  formulary = g_new0 (MrFormulary, 1);
  formulary->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  formulary->keys = g_ptr_array_new_with_free_func (g_free);
  if (!parse_entries (formulary, json_parser_get_root (parser), path, error))
    return NULL;
  return g_steal_pointer (&formulary);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  MrFormulary *formulary = mr_formulary_load (task_data, &error);

  if (formulary == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, formulary, (GDestroyNotify) mr_formulary_free);
}

void
mr_formulary_load_async (const char          *path,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_formulary_load_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, load_thread);
}

MrFormulary *
mr_formulary_load_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_formulary_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

guint
mr_formulary_get_size (MrFormulary *formulary)
{
  g_return_val_if_fail (formulary != NULL, 0);

  return formulary->entries->len;
}

GPtrArray *
mr_formulary_complete (MrFormulary *formulary,
                       const char  *prefix,
                       guint        max)
{
  g_autofree char *clean = NULL;
  g_autofree char *key = NULL;
  GPtrArray *matches;
  gsize key_len;

  g_return_val_if_fail (formulary != NULL, NULL);

  matches = g_ptr_array_new ();
  clean = mr_rules_clean (MR_FIELD_MEDICATION_NAME, prefix);
  if (clean == NULL || *clean == '\0')
    return matches;
  key = mr_formulary_fold (clean);
  key_len = strlen (key);
  for (guint i = 0; i < formulary->entries->len; i++)
    {
      if (max > 0 && matches->len >= max)
        break;
      if (strncmp (g_ptr_array_index (formulary->keys, i), key, key_len) == 0)
        g_ptr_array_add (matches, g_ptr_array_index (formulary->entries, i));
    }
  return matches;
}

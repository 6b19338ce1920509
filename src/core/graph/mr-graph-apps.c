/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The extensions app id when the administrator did not configure it: found through Graph when the
 * token allows, else the custom attributes come from the ID token's claims. */
#include "mr-graph-profile.h"
#include "mr-graph-private.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-util.h"

#define MAX_BODY_SIZE (1024 * 1024)
#define EXTENSIONS_APP_PREFIX "b2c-extensions-app"

char *
mr_graph_extensions_app_url (const char *graph_url)
{
  g_autofree char *base = NULL;
  gsize len;

  g_return_val_if_fail (graph_url != NULL, NULL);

  base = g_strdup (graph_url);
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  /* "$filter" and "$select" stay literal, as Graph documents them. */
  return g_strconcat (base, "/applications?$filter=startswith(displayName,'"
                      EXTENSIONS_APP_PREFIX "')&$select=appId,displayName", NULL);
}

static const MrGraphStatusTexts apps_texts = {
  .forbidden = N_("The app may not look up the tenant's extensions app (that needs the "
                  "Application.Read.All permission); it uses the sign-in's own details instead."),
  .failed    = N_("Microsoft Graph could not list the tenant's applications (%u)."),
};

static gboolean
is_guid_text (const char *text)
{
  if (text == NULL || strlen (text) != 36)
    return FALSE;
  for (int i = 0; i < 36; i++)
    if ((i == 8 || i == 13 || i == 18 || i == 23) ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* The first listed application that really is the extensions app and has a usable appId. */
static const char *
find_app_id (JsonArray *apps)
{
  for (guint i = 0; i < json_array_get_length (apps); i++)
    {
      JsonNode *node = json_array_get_element (apps, i);
      JsonObject *app;
      const char *name, *app_id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      app = json_node_get_object (node);
      name = mr_json_get_string (app, "displayName");
      app_id = mr_json_get_string (app, "appId");
      if (name != NULL && g_str_has_prefix (name, EXTENSIONS_APP_PREFIX) && is_guid_text (app_id))
        return app_id;
    }
  return NULL;
}

char *
mr_graph_parse_extensions_app (guint    status,
                               GBytes  *body,
                               GError **error)
{
  g_autoptr(JsonObject) root = NULL;
  JsonArray *list;
  const char *app_id;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  list = mr_graph_parse_collection (status, body, MAX_BODY_SIZE, &apps_texts, &root, error);
  if (list == NULL)
    return NULL;
  if ((app_id = find_app_id (list)) == NULL)
    {
      g_set_error_literal (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NOT_FOUND,
                           _("The tenant has no b2c-extensions-app, so it keeps no custom patient "
                             "attributes."));
      return NULL;
    }
  return g_ascii_strdown (app_id, -1);
}

static void
find_app_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  char *app_id;

  if ((body = mr_graph_read_finish (task, source, result)) == NULL)
    return;
  app_id = mr_graph_parse_extensions_app (soup_message_get_status (msg), body, &error);
  if (app_id == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, app_id, g_free);
}

void
mr_graph_find_extensions_app_async (SoupSession         *session,
                                    const char          *graph_url,
                                    const char          *access_token,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;
  SoupMessage *msg;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (graph_url != NULL);
  g_return_if_fail (access_token != NULL);

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_graph_find_extensions_app_async);
  url = mr_graph_extensions_app_url (graph_url);
  if ((msg = soup_message_new (SOUP_METHOD_GET, url)) == NULL)
    {
      g_task_return_new_error (task, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NETWORK,
                               _("The Microsoft Graph address in Preferences is not valid."));
      return;
    }
  g_task_set_task_data (task, msg, g_object_unref);
  mr_graph_authorize (msg, access_token);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    find_app_cb, g_steal_pointer (&task));
}

char *
mr_graph_find_extensions_app_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == mr_graph_find_extensions_app_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

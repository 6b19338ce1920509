/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Corrections written back to the directory: PATCH {graph}/me (the patient's own built-in
 * attributes) or /users/{id} (staff, every attribute). Declared in mr-graph-profile.h. */
#include "mr-graph-profile.h"
#include "mr-graph-private.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-util.h"

#define MAX_RETRY_AFTER          3600

char *
mr_graph_patch_url (const char *graph_url,
                    const char *user_id)
{
  g_autofree char *base = NULL;
  g_autofree char *escaped = NULL;
  gsize len;

  g_return_val_if_fail (graph_url != NULL, NULL);

  base = g_strdup (graph_url);
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  if (user_id == NULL)
    return g_strconcat (base, "/me", NULL);
  escaped = g_uri_escape_string (user_id, "@", FALSE);
  return g_strconcat (base, "/users/", escaped, NULL);
}

/* Seconds from a Retry-After header (delta-seconds or an HTTP date); 0 when absent or unreadable. */
static guint
parse_retry_after (const char *value)
{
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint64 seconds = 0;
  GTimeSpan delta;

  if (value == NULL)
    return 0;
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT32, &seconds, NULL))
    return MIN (seconds, MAX_RETRY_AFTER);
  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return 0;
  now = g_date_time_new_now_utc ();
  delta = g_date_time_difference (when, now) / G_TIME_SPAN_SECOND;
  return delta <= 0 ? 0 : (guint) MIN (delta, MAX_RETRY_AFTER);
}

static GError *
patch_error (guint       status,
             GBytes     *body,
             gboolean    self,
             guint       retry_after)
{
  const MrGraphStatusTexts texts = {
    .forbidden        = self ? N_("Your account may not change these details in the directory. "
                                  "Ask the clinic's staff to correct them.")
                             : N_("Your account may not change this patient's details in the "
                                  "directory. Ask your administrator for the permission."),
    .not_found        = N_("Microsoft Graph could not find this profile (404)."),
    .failed_with_code = N_("Microsoft Graph refused the change (%u, %s)."),
    .failed           = N_("Microsoft Graph refused the change (%u)."),
  };

  /* A PATCH is retried by the person: say how long to wait when Graph said. */
  if (status == MR_GRAPH_STATUS_TOO_MANY_REQUESTS || status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    {
      if (retry_after > 0)
        return g_error_new (MR_GRAPH_ERROR, MR_GRAPH_ERROR_THROTTLED,
                            g_dngettext (GETTEXT_PACKAGE,
                                         "Microsoft Graph is busy. Please wait %u second and try "
                                         "again.",
                                         "Microsoft Graph is busy. Please wait %u seconds and try "
                                         "again.", retry_after),
                            retry_after);
      return g_error_new_literal (MR_GRAPH_ERROR, MR_GRAPH_ERROR_THROTTLED,
                                  _("Microsoft Graph is busy. Please wait a minute and try "
                                    "again."));
    }
  return mr_graph_status_error (status, body, &texts);
}

static void
patch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  guint status, retry_after;

  if ((body = mr_graph_read_finish (task, source, result)) == NULL)
    return;

  status = soup_message_get_status (msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  retry_after = parse_retry_after (
    soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
  g_object_set_data (G_OBJECT (task), "retry-after", GUINT_TO_POINTER (retry_after));
  g_task_return_error (task, patch_error (status, body,
                                          GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task),
                                                                              "self")),
                                          retry_after));
}

void
mr_graph_patch_profile_async (SoupSession         *session,
                              const char          *graph_url,
                              const char          *user_id,
                              JsonObject          *changes,
                              const char          *access_token,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  g_autofree char *json = NULL;
  gsize json_len;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (graph_url != NULL);
  g_return_if_fail (changes != NULL);
  g_return_if_fail (access_token != NULL);

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_graph_patch_profile_async);
  g_object_set_data (G_OBJECT (task), "self", GINT_TO_POINTER (user_id == NULL));

  url = mr_graph_patch_url (graph_url, user_id);
  msg = soup_message_new ("PATCH", url);    /* libsoup 3.2 names no SOUP_METHOD_PATCH */
  if (msg == NULL)
    {
      g_task_return_new_error (task, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NETWORK,
                               _("The Microsoft Graph address in Preferences is not valid."));
      return;
    }

  node = json_node_init_object (json_node_alloc (), changes);
  json = mr_json_to_string (node);
  json_len = strlen (json);
  body = g_bytes_new_take (g_steal_pointer (&json), json_len);
  mr_graph_authorize (msg, access_token);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);

  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    patch_cb, g_steal_pointer (&task));
}

gboolean
mr_graph_patch_profile_finish (GAsyncResult  *result,
                               guint         *retry_after,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_graph_patch_profile_async,
                        FALSE);

  if (retry_after != NULL)
    *retry_after = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "retry-after"));
  return g_task_propagate_boolean (G_TASK (result), error);
}

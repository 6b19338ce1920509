/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-loopback.h"

#include <libsoup/soup.h>

#include "mr-local-server.h"

#include <string.h>

typedef enum {
  LISTENER_WAITING,
  LISTENER_DONE,
  LISTENER_CANCELLED,
} ListenerState;

struct _MrLoopbackListener {
  GObject         parent_instance;

  SoupServer     *server;
  GSocketService *service;
  char           *path;
  char           *redirect_uri;
  ListenerState   state;
  GTask          *task;            /* the pending wait, or NULL */
  char           *expected_state;
  GSource        *cancel_source;
};

G_DEFINE_FINAL_TYPE (MrLoopbackListener, mr_loopback_listener, G_TYPE_OBJECT)

/* The page the browser shows. No script, no image, nothing loaded from anywhere. */
#define PAGE_TEMPLATE \
  "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" \
  "<meta name=\"viewport\" content=\"width=device-width\">" \
  "<title>Medication Refill</title></head>" \
  "<body style=\"font-family: sans-serif; margin: 3em auto; max-width: 32em;\">" \
  "<h1>%s</h1><p>%s</p></body></html>\n"

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *heading,
         const char        *text)
{
  g_autofree char *html = g_strdup_printf (PAGE_TEMPLATE, heading, text);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* The address bar holds the code: nothing may cache it or send it on as a referrer. */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Content-Security-Policy", "default-src 'none'; "
                                "style-src 'unsafe-inline'");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    html, strlen (html));
}

static gboolean
state_matches (const char *query,
               const char *expected)
{
  g_autoptr(GHashTable) params = NULL;
  const char *state;

  if (query == NULL)
    return FALSE;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL || (state = g_hash_table_lookup (params, "state")) == NULL)
    return FALSE;
  return g_str_equal (state, expected);
}

static void
clear_cancel_source (MrLoopbackListener *self)
{
  if (self->cancel_source == NULL)
    return;
  g_source_destroy (self->cancel_source);
  g_clear_pointer (&self->cancel_source, g_source_unref);
}

/* Finishes the wait from the main loop, after the browser's page has been queued: the caller may
 * drop the listener (and its server) in its callback, which must not happen inside the handler. */
static gboolean
return_callback_cb (gpointer data)
{
  GTask *task = data;   /* the source's destroy notify drops it */
  char *uri = g_task_get_task_data (task);

  g_task_return_pointer (task, g_strdup (uri), g_free);
  return G_SOURCE_REMOVE;
}

static void
accept_callback (MrLoopbackListener *self,
                 const char         *query)
{
  GTask *task = g_steal_pointer (&self->task);
  g_autoptr(GSource) idle = g_idle_source_new ();

  self->state = LISTENER_DONE;
  clear_cancel_source (self);
  g_task_set_task_data (task, g_strconcat (self->redirect_uri, "?", query, NULL), g_free);
  g_source_set_callback (idle, return_callback_cb, task, g_object_unref);
  g_source_set_static_name (idle, "[medrefill] loopback callback");
  g_source_attach (idle, g_task_get_context (task));
}

static void
handle_callback (MrLoopbackListener *self,
                 SoupServerMessage  *msg)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));

  if (self->state == LISTENER_DONE)
    respond (msg, SOUP_STATUS_CONFLICT, "This sign-in link was already used",
             "Medication Refill already has it. You can close this tab.");
  else if (self->state == LISTENER_CANCELLED)
    respond (msg, SOUP_STATUS_GONE, "This sign-in was cancelled",
             "Medication Refill stopped waiting for it. Close this tab and start again "
             "from the app.");
  else if (self->task == NULL || !state_matches (query, self->expected_state))
    respond (msg, SOUP_STATUS_BAD_REQUEST, "This is not the sign-in Medication Refill started",
             "Close this tab and use the sign-in page the app opened.");
  else
    {
      respond (msg, SOUP_STATUS_OK, "Sign-in is back with Medication Refill",
               "You can close this tab and go back to Medication Refill.");
      accept_callback (self, query);
    }
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  MrLoopbackListener *self = user_data;

  if (g_strcmp0 (path, self->path) != 0)
    respond (msg, SOUP_STATUS_NOT_FOUND, "Not found",
             "There is nothing here. You can close this tab.");
  else if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_GET) != 0)
    respond (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Not allowed",
             "The sign-in callback is a plain link. You can close this tab.");
  else
    handle_callback (self, msg);
}

static void
mr_loopback_listener_finalize (GObject *object)
{
  MrLoopbackListener *self = MR_LOOPBACK_LISTENER (object);

  /* A pending wait holds a reference to the listener, so none is left here. */
  g_assert (self->task == NULL);
  clear_cancel_source (self);
  if (self->server != NULL)
    mr_local_server_stop (g_steal_pointer (&self->service), self->server);
  g_clear_object (&self->server);
  g_free (self->path);
  g_free (self->redirect_uri);
  g_free (self->expected_state);
  G_OBJECT_CLASS (mr_loopback_listener_parent_class)->finalize (object);
}

static void
mr_loopback_listener_class_init (MrLoopbackListenerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_loopback_listener_finalize;
}

static void
mr_loopback_listener_init (MrLoopbackListener *self)
{
}

MrLoopbackListener *
mr_loopback_listener_new (const char  *path,
                          GError     **error)
{
  g_autoptr(MrLoopbackListener) self = NULL;
  guint port;

  g_return_val_if_fail (path != NULL && path[0] == '/', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (MR_TYPE_LOOPBACK_LISTENER, NULL);
  self->path = g_strdup (path);
  self->server = soup_server_new ("server-header", "", NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);
  /* 127.0.0.1 only, never the other interfaces: the code must not be reachable from the network. */
  self->service = mr_local_server_listen (self->server, 0, &port, error);
  if (self->service == NULL)
    return NULL;
  self->redirect_uri = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  return g_steal_pointer (&self);
}

const char *
mr_loopback_listener_get_redirect_uri (MrLoopbackListener *self)
{
  g_return_val_if_fail (MR_IS_LOOPBACK_LISTENER (self), NULL);

  return self->redirect_uri;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  MrLoopbackListener *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  self->state = LISTENER_CANCELLED;
  g_clear_pointer (&self->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

void
mr_loopback_listener_wait_async (MrLoopbackListener  *self,
                                 const char          *expected_state,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MR_IS_LOOPBACK_LISTENER (self));
  g_return_if_fail (expected_state != NULL && *expected_state != '\0');
  g_return_if_fail (self->task == NULL && self->state == LISTENER_WAITING);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_loopback_listener_wait_async);
  if (g_task_return_error_if_cancelled (task))
    {
      self->state = LISTENER_CANCELLED;
      return;
    }
  g_free (self->expected_state);
  self->expected_state = g_strdup (expected_state);
  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (cancelled_cb), self, NULL);
      g_source_attach (self->cancel_source, g_task_get_context (task));
    }
  self->task = g_steal_pointer (&task);
}

char *
mr_loopback_listener_wait_finish (MrLoopbackListener  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, mr_loopback_listener_wait_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

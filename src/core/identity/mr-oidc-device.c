/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The device authorization grant (RFC 8628), sign in with a phone: the device authorization
 * endpoint's answer, what a poll's answer means, and the request for a code. The poll itself goes
 * through the token pipeline of mr-oidc-client-token.c, so that its ID token is checked by the
 * same code as a code exchange's. */
#include "mr-oidc.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-aadsts.h"
#include "mr-oidc-private.h"
#include "mr-secure.h"
#include "mr-util.h"

#define DEFAULT_INTERVAL_S 5      /* RFC 8628 §3.2 */
#define MAX_INTERVAL_S     300
#define MAX_EXPIRES_IN_S   86400  /* Entra's is 900 s; a day is already more than anyone waits */
#define MAX_CODE_LENGTH    64     /* a code the person types; Entra's has 9 characters */
#define MAX_SECRET_LENGTH  8192

/* ---- The answer ----------------------------------------------------------------------------- */

void
mr_device_authorization_free (MrDeviceAuthorization *authorization)
{
  if (authorization == NULL)
    return;
  mr_secure_free_string (authorization->device_code);
  g_free (authorization->user_code);
  g_free (authorization->verification_uri);
  g_free (authorization->verification_uri_complete);
  g_free (authorization->message);
  g_free (authorization);
}

static gboolean
bad_device_answer (GError **error)
{
  g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                       _("The sign-in service sent a phone sign-in code the app cannot use. "
                         "Please sign in on this screen instead."));
  return FALSE;
}

/* A JSON integer member from @min to @max into @out; @fallback when absent (< 0: required). */
static gboolean
read_seconds (JsonObject *root,
              const char *member,
              gint64      fallback,
              gint64      max,
              guint      *out)
{
  JsonNode *node = json_object_get_member (root, member);
  gint64 value;

  if (node == NULL && fallback >= 0)
    {
      *out = (guint) fallback;
      return TRUE;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  value = json_node_get_int (node);
  if (value < 1 || value > max)
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

/* A string member: NULL when absent; *@ok FALSE when present but not a non-empty string. */
static const char *
read_string (JsonObject *root,
             const char *member,
             gboolean   *ok)
{
  JsonNode *node = json_object_get_member (root, member);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
      || *json_node_get_string (node) == '\0')
    {
      *ok = FALSE;
      return NULL;
    }
  return json_node_get_string (node);
}

/* What the person types: printable ASCII without spaces, short. */
static gboolean
is_typeable_code (const char *code)
{
  gsize len = code != NULL ? strlen (code) : 0;

  if (len == 0 || len > MAX_CODE_LENGTH)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isgraph (code[i]))
      return FALSE;
  return TRUE;
}

/* A page the person's phone opens: https, or http to a loopback address (the sandbox). */
static gboolean
is_page_url (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL) : NULL;

  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0'
         && mr_url_is_secure_or_loopback (url);
}

static gboolean
fill_device_authorization (MrDeviceAuthorization *out,
                           JsonObject            *root)
{
  gboolean ok = TRUE;
  const char *device_code = read_string (root, "device_code", &ok);
  const char *user_code = read_string (root, "user_code", &ok);
  const char *uri = read_string (root, "verification_uri", &ok);
  const char *complete = read_string (root, "verification_uri_complete", &ok);
  const char *message = read_string (root, "message", &ok);

  if (!ok || device_code == NULL || strlen (device_code) > MAX_SECRET_LENGTH
      || !is_typeable_code (user_code) || !is_page_url (uri)
      || (complete != NULL && !is_page_url (complete))
      || !read_seconds (root, "expires_in", -1, MAX_EXPIRES_IN_S, &out->expires_in)
      || !read_seconds (root, "interval", DEFAULT_INTERVAL_S, MAX_INTERVAL_S, &out->interval))
    return FALSE;
  out->device_code = g_strdup (device_code);
  out->user_code = g_strdup (user_code);
  out->verification_uri = g_strdup (uri);
  out->verification_uri_complete = g_strdup (complete);
  out->message = g_strdup (message);
  return TRUE;
}

MrDeviceAuthorization *
mr_oidc_parse_device_authorization (guint    status,
                                    GBytes  *body,
                                    GError **error)
{
  g_autoptr(MrDeviceAuthorization) authorization = NULL;
  g_autoptr(JsonObject) root = NULL;

  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      /* The same error shape as the token endpoint's (AADSTS700016, 65001, …). */
      g_autoptr(MrTokenSet) none = mr_oidc_parse_token_response_full (status, body, NULL, TRUE,
                                                                      error);
      g_assert (none == NULL);
      return NULL;
    }
  root = mr_json_parse_object (body, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                               "the sign-in service", NULL);
  authorization = g_new0 (MrDeviceAuthorization, 1);
  if (root == NULL || !fill_device_authorization (authorization, root))
    {
      bad_device_answer (error);
      return NULL;
    }
  return g_steal_pointer (&authorization);
}

/* ---- A poll's answer ------------------------------------------------------------------------ */

MrDevicePoll
mr_oidc_classify_device_poll (guint   status,
                              GBytes *body)
{
  static const struct {
    const char   *error;
    MrDevicePoll  poll;
  } states[] = {
    { "authorization_pending", MR_DEVICE_POLL_PENDING },
    { "slow_down", MR_DEVICE_POLL_SLOW_DOWN },
    { "authorization_declined", MR_DEVICE_POLL_DECLINED },
    /* RFC 8628 §3.5's name for a refusal; Entra says authorization_declined. */
    { "access_denied", MR_DEVICE_POLL_DECLINED },
    { "expired_token", MR_DEVICE_POLL_EXPIRED },
  };
  g_autoptr(JsonObject) root = NULL;
  const char *error_code;

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return MR_DEVICE_POLL_DONE;
  /* A passing problem at the provider (or a proxy's error page): the code is still good. */
  if (status >= 500 && status <= 599)
    return MR_DEVICE_POLL_UNAVAILABLE;
  root = body != NULL ? mr_json_parse_object (body, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                                              "the sign-in service", NULL) : NULL;
  error_code = root != NULL ? mr_json_get_string (root, "error") : NULL;
  for (gsize i = 0; error_code != NULL && i < G_N_ELEMENTS (states); i++)
    if (strcmp (error_code, states[i].error) == 0)
      return states[i].poll;
  return MR_DEVICE_POLL_FAILED;
}

/* ---- The request for a code ----------------------------------------------------------------- */

static void
device_post_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  MrDeviceAuthorization *authorization;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, mr_aadsts_transport_error_new (error));
      return;
    }
  authorization = mr_oidc_parse_device_authorization (soup_message_get_status (msg), body,
                                                      &error);
  if (authorization == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("Received a device code (valid %u s, interval %u s)", authorization->expires_in,
           authorization->interval);
  g_task_return_pointer (task, authorization, (GDestroyNotify) mr_device_authorization_free);
}

/* Takes the task's reference. */
static void
post_device_request (GTask *task)
{
  MrOidcClient *self = g_task_get_source_object (task);
  const char *endpoint = self->discovery->device_authorization_endpoint;
  g_autofree char *scope = mr_oidc_dup_sign_in_scope (self->config);
  SoupMessage *msg;

  if (endpoint == NULL)
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_CONFIG,
                               _("This sign-in service does not offer sign-in with a phone. Ask "
                                 "your administrator to turn the phone sign-in off."));
      g_object_unref (task);
      return;
    }
  /* A public client: no secret. ui_locales is not sent: Entra does not document it here, and the
   * pages the person sees are on their own phone, in its browser's language. */
  msg = soup_message_new_from_encoded_form (SOUP_METHOD_POST, endpoint,
                                            soup_form_encode ("client_id",
                                                              self->config->client_id,
                                                              "scope", scope, NULL));
  if (msg == NULL)
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                               _("The sign-in service's phone sign-in address is not valid."));
      g_object_unref (task);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  g_task_set_task_data (task, msg, g_object_unref);
  g_debug ("Asking for a device code");
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), device_post_cb, task);
}

static void
device_prefetch_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!mr_oidc_client_prefetch_finish (MR_OIDC_CLIENT (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  post_device_request (g_steal_pointer (&task));
}

void
mr_oidc_client_request_device_code_async (MrOidcClient        *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MR_IS_OIDC_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_oidc_client_request_device_code_async);
  /* Cached after the Welcome page's prefetch: then no extra request. */
  mr_oidc_client_prefetch_async (self, cancellable, device_prefetch_cb, g_steal_pointer (&task));
}

MrDeviceAuthorization *
mr_oidc_client_request_device_code_finish (MrOidcClient  *self,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == mr_oidc_client_request_device_code_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

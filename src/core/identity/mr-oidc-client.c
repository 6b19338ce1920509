/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-oidc.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-aadsts.h"
#include "mr-oidc-private.h"
#include "mr-util.h"

G_DEFINE_FINAL_TYPE (MrOidcClient, mr_oidc_client, G_TYPE_OBJECT)

static void
mr_oidc_client_finalize (GObject *object)
{
  MrOidcClient *self = MR_OIDC_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->config, mr_config_free);
  g_clear_pointer (&self->discovery, mr_oidc_discovery_free);
  g_clear_pointer (&self->jwks, mr_jwks_unref);
  g_assert (self->prefetch_waiters == NULL);

  G_OBJECT_CLASS (mr_oidc_client_parent_class)->finalize (object);
}

static void
mr_oidc_client_class_init (MrOidcClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_oidc_client_finalize;
}

static void
mr_oidc_client_init (MrOidcClient *self)
{
}

MrOidcClient *
mr_oidc_client_new (SoupSession    *session,
                    const MrConfig *config)
{
  MrOidcClient *self;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (MR_TYPE_OIDC_CLIENT, NULL);
  self->session = g_object_ref (session);
  self->config = mr_config_copy (config);
  return self;
}

const MrOidcDiscovery *
mr_oidc_client_get_discovery (MrOidcClient *self)
{
  g_return_val_if_fail (MR_IS_OIDC_CLIENT (self), NULL);

  return self->discovery;
}

/* ---- HTTP ----------------------------------------------------------------------------------- */

static void
get_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, mr_aadsts_transport_error_new (error));
      return;
    }
  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                               _("The sign-in service answered with an error (HTTP %u). Check the "
                                 "authority setting."), status);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) g_bytes_unref);
}

/* GETs @url and returns its body when the status is 2xx. */
static void
http_get_async (MrOidcClient        *self,
                const char          *url,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  SoupMessage *msg;

  g_task_set_source_tag (task, http_get_async);
  if ((msg = soup_message_new (SOUP_METHOD_GET, url)) == NULL)
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                               _("The sign-in service's address is not valid."));
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  g_task_set_task_data (task, msg, g_object_unref);
  g_debug ("Fetching %s", url);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    get_cb, g_steal_pointer (&task));
}

static GBytes *
http_get_finish (MrOidcClient  *self,
                 GAsyncResult  *result,
                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Key set -------------------------------------------------------------------------------- */

static void
jwks_get_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrOidcClient *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  MrJwks *jwks;

  if ((body = http_get_finish (self, result, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((jwks = mr_jwks_parse (body, &error)) == NULL)
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE, "%s",
                               error->message);
      return;
    }
  g_clear_pointer (&self->jwks, mr_jwks_unref);
  self->jwks = jwks;
  g_task_return_boolean (task, TRUE);
}

void
mr_oidc_client_fetch_jwks_async (MrOidcClient        *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, mr_oidc_client_fetch_jwks_async);
  g_assert (self->discovery != NULL);
  http_get_async (self, self->discovery->jwks_uri, cancellable, jwks_get_cb,
                  g_steal_pointer (&task));
}

gboolean
mr_oidc_client_fetch_jwks_finish (MrOidcClient  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Prefetch ------------------------------------------------------------------------------- */

static void
prefetch_jwks_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!mr_oidc_client_fetch_jwks_finish (MR_OIDC_CLIENT (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
prefetch_keys (GTask *task)
{
  MrOidcClient *self = g_task_get_source_object (task);

  if (self->jwks != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  mr_oidc_client_fetch_jwks_async (self, g_task_get_cancellable (task), prefetch_jwks_cb, task);
}

/* Where the discovery document may be, and which URL is being tried. */
typedef struct {
  char  **urls;
  guint   next;
} DiscoveryUrls;

static void
discovery_urls_free (DiscoveryUrls *urls)
{
  g_strfreev (urls->urls);
  g_free (urls);
}

static void discovery_get_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

/* Takes the task's reference. */
static void
fetch_next_discovery_url (GTask *task)
{
  MrOidcClient *self = g_task_get_source_object (task);
  DiscoveryUrls *urls = g_task_get_task_data (task);
  const char *url = urls->urls[urls->next++];

  http_get_async (self, url, NULL, discovery_get_cb, task);
}

static void
discovery_get_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrOidcClient *self = g_task_get_source_object (task);
  DiscoveryUrls *urls = g_task_get_task_data (task);
  SoupMessage *msg = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  MrOidcDiscovery *discovery;

  body = http_get_finish (self, result, &error);
  /* Only "not here" moves on to the other form of the address (mr_oidc_discovery_urls()). */
  if (body == NULL && msg != NULL && soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND
      && urls->urls[urls->next] != NULL)
    {
      g_debug ("No discovery document there; trying the other address");
      fetch_next_discovery_url (g_steal_pointer (&task));
      return;
    }
  if (body == NULL || (discovery = mr_oidc_discovery_parse (body, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!mr_oidc_discovery_check_endpoints (discovery, self->config->authority, &error))
    {
      mr_oidc_discovery_free (discovery);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&self->discovery, mr_oidc_discovery_free);
  self->discovery = discovery;
  prefetch_keys (g_steal_pointer (&task));
}

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  MrOidcClient *self = MR_OIDC_CLIENT (source);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->prefetch_waiters);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (ok)
        g_task_return_boolean (waiter, TRUE);
      else
        g_task_return_error (waiter, g_error_copy (error));
    }
}

/* The one fetch of discovery and keys. It has no cancellable of its own: a caller that cancels
 * stops waiting (GTask returns G_IO_ERROR_CANCELLED to it), the others still get the result. */
static void
start_fetch (MrOidcClient *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, fetch_done_cb, NULL);
  DiscoveryUrls *urls;

  g_task_set_source_tag (task, start_fetch);
  if (self->discovery != NULL)
    {
      prefetch_keys (g_steal_pointer (&task));
      return;
    }
  if (self->config->authority == NULL || *self->config->authority == '\0')
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                               _("No sign-in service is set up. Set the authority in "
                                 "Preferences."));
      return;
    }
  urls = g_new0 (DiscoveryUrls, 1);
  urls->urls = mr_oidc_discovery_urls (self->config->authority);
  g_task_set_task_data (task, urls, (GDestroyNotify) discovery_urls_free);
  fetch_next_discovery_url (g_steal_pointer (&task));
}

void
mr_oidc_client_prefetch_async (MrOidcClient        *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MR_IS_OIDC_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_oidc_client_prefetch_async);
  if (self->discovery != NULL && self->jwks != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->prefetch_waiters != NULL)
    {
      g_ptr_array_add (self->prefetch_waiters, g_steal_pointer (&task));
      return;
    }
  self->prefetch_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->prefetch_waiters, g_steal_pointer (&task));
  start_fetch (self);
}

gboolean
mr_oidc_client_prefetch_finish (MrOidcClient  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_oidc_client_prefetch_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

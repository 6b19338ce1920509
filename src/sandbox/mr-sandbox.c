/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox object: its server thread, and the router that hands each path to its handler.
 * Only the router calls the handlers; they share nothing with it but the object's fields. */
#include "mr-sandbox.h"

#include "mr-base.h"
#include "mr-sandbox-handlers.h"
#include "mr-sandbox-http.h"
#include "mr-sandbox-private.h"
#include "mr-sandbox-tenant.h"

G_DEFINE_FINAL_TYPE (MrSandbox, mr_sandbox, G_TYPE_OBJECT)

#define TENANT_PREFIX "/" MR_SANDBOX_TENANT_ID

/* ---- routing ----------------------------------------------------------------------------- */

static void
count_request (MrSandbox  *self,
               const char *path)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, path));
  g_hash_table_insert (self->counts, g_strdup (path), GUINT_TO_POINTER (n + 1));
  self->total_count++;
  g_mutex_unlock (&self->lock);
}

static void
respond_not_found (SoupServerMessage *msg)
{
  mr_sandbox_respond_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain; charset=utf-8",
                           "Not found: the sandbox serves no such page.\n");
}

static gboolean
route_tenant (MrSandbox         *self,
              SoupServerMessage *msg,
              const char        *rest,
              GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (rest, "/v2.0/.well-known/openid-configuration") && method == SOUP_METHOD_GET)
    mr_sandbox_handle_discovery (self, msg);
  else if (g_str_equal (rest, "/discovery/v2.0/keys") && method == SOUP_METHOD_GET)
    mr_sandbox_handle_keys (self, msg);
  else if (g_str_equal (rest, "/oauth2/v2.0/authorize"))
    mr_sandbox_handle_authorize (self, msg, query);
  else if (g_str_equal (rest, "/oauth2/v2.0/token"))
    mr_sandbox_handle_token (self, msg);
  else if (g_str_equal (rest, "/oauth2/v2.0/devicecode"))
    mr_sandbox_handle_devicecode (self, msg);
  else if (g_str_equal (rest, "/oauth2/deviceauth"))
    mr_sandbox_handle_deviceauth (self, msg);
  else if (g_str_equal (rest, "/oauth2/v2.0/logout"))
    mr_sandbox_handle_logout (self, msg, query);
  else
    return FALSE;
  return TRUE;
}

static void
route_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  MrSandbox *self = user_data;
  gboolean handled = FALSE;

  count_request (self, path);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");

  if (g_str_has_prefix (path, TENANT_PREFIX "/"))
    handled = route_tenant (self, msg, path + strlen (TENANT_PREFIX), query);
  else if (g_str_equal (path, "/v1.0/me"))
    {
      mr_sandbox_handle_me (self, msg, query);
      handled = TRUE;
    }
  else if (g_str_has_prefix (path, "/v1.0/"))  /* /users, /users/{id}, /applications */
    handled = mr_sandbox_handle_graph (self, msg, path, query);
  else if (g_str_equal (path, "/webhook/medication-refill"))
    {
      mr_sandbox_handle_sink (self, msg);
      handled = TRUE;
    }

  if (!handled)
    respond_not_found (msg);
}

/* ---- the server thread ------------------------------------------------------------------- */

static void
signal_started (MrSandbox *self,
                GError    *error)
{
  g_mutex_lock (&self->lock);
  self->start_error = error;
  self->started = TRUE;
  g_cond_signal (&self->ready);
  g_mutex_unlock (&self->lock);
}

static gboolean
listen_in_thread (MrSandbox  *self,
                  GError    **error)
{
  guint port;

  self->server = soup_server_new ("server-header", "medrefill-sandbox", NULL);
  soup_server_add_handler (self->server, NULL, route_cb, self, NULL);
  /* 127.0.0.1 only: the stand-in tenant must not be reachable from the network. */
  self->service = mr_local_server_listen (self->server, self->port, &port, error);
  if (self->service == NULL)
    return FALSE;
  self->base_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  /* External ID's issuer is not on the authority's host: tokens and discovery name
   * {tenant-id}.ciamlogin.com whichever host signed in. A client that compared the issuer with
   * the authority it was given would fail against a real tenant; here it fails too. */
  self->issuer = g_strdup_printf ("https://%s.ciamlogin.com/%s/v2.0", MR_SANDBOX_TENANT_ID,
                                  MR_SANDBOX_TENANT_ID);
  return TRUE;
}

static gpointer
server_thread (gpointer data)
{
  MrSandbox *self = data;
  GError *error = NULL;

  g_main_context_push_thread_default (self->context);
  if (listen_in_thread (self, &error))
    {
      signal_started (self, NULL);
      g_main_loop_run (self->loop);
    }
  else
    signal_started (self, error);

  mr_local_server_stop (g_steal_pointer (&self->service), self->server);
  g_clear_object (&self->server);
  /* Let the server's pending sources finish before the context goes away. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static void
join_thread (MrSandbox *self)
{
  g_thread_join (g_steal_pointer (&self->thread));
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->started = FALSE;
}

gboolean
mr_sandbox_start (MrSandbox   *self,
                  guint        port,
                  const char  *sink_path,
                  GError     **error)
{
  g_return_val_if_fail (MR_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!mr_sandbox_idp_init (self, error))
    return FALSE;

  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_free (self->sink_path);
  self->sink_path = g_strdup (sink_path);
  self->port = port;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("mr-sandbox", server_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->ready, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error != NULL)
    {
      join_thread (self);
      g_propagate_prefixed_error (error, g_steal_pointer (&self->start_error),
                                  "The sandbox cannot listen on 127.0.0.1 port %u: ", port);
      return FALSE;
    }
  return TRUE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
mr_sandbox_stop (MrSandbox *self)
{
  g_autoptr(GSource) source = NULL;

  g_return_if_fail (MR_IS_SANDBOX (self));

  if (self->thread == NULL)
    return;

  source = g_idle_source_new ();
  g_source_set_callback (source, quit_cb, self->loop, NULL);
  g_source_attach (source, self->context);
  join_thread (self);
}

typedef struct {
  MrSandbox *self;
  GMutex     lock;
  GCond      done_cond;
  gboolean   done;
} Forget;

/* The tables only the server thread touches. */
static gboolean
forget_in_thread_cb (gpointer data)
{
  Forget *forget = data;
  MrSandbox *self = forget->self;

  mr_sandbox_tenant_forget (&self->tenant);
  g_hash_table_remove_all (self->references);
  g_mutex_lock (&forget->lock);
  forget->done = TRUE;
  g_cond_signal (&forget->done_cond);
  g_mutex_unlock (&forget->lock);
  return G_SOURCE_REMOVE;
}

void
mr_sandbox_forget_records (MrSandbox *self)
{
  Forget forget = { self };

  g_return_if_fail (MR_IS_SANDBOX (self));
  g_return_if_fail (self->thread != NULL);

  g_mutex_init (&forget.lock);
  g_cond_init (&forget.done_cond);
  g_main_context_invoke (self->context, forget_in_thread_cb, &forget);
  g_mutex_lock (&forget.lock);
  while (!forget.done)
    g_cond_wait (&forget.done_cond, &forget.lock);
  g_mutex_unlock (&forget.lock);
  g_mutex_clear (&forget.lock);
  g_cond_clear (&forget.done_cond);

  g_mutex_lock (&self->lock);
  json_array_unref (self->received);
  self->received = json_array_new ();
  g_ptr_array_set_size (self->issued, 0);
  g_mutex_unlock (&self->lock);
  mr_sandbox_sink_forget (self);
}

/* ---- public accessors -------------------------------------------------------------------- */

const char *
mr_sandbox_get_base_url (MrSandbox *self)
{
  g_return_val_if_fail (MR_IS_SANDBOX (self), NULL);

  return self->base_url;
}

const char *
mr_sandbox_get_issuer (MrSandbox *self)
{
  g_return_val_if_fail (MR_IS_SANDBOX (self), NULL);

  return self->issuer;
}

char *
mr_sandbox_dup_settings_text (MrSandbox *self)
{
  g_return_val_if_fail (MR_IS_SANDBOX (self), NULL);
  g_return_val_if_fail (self->base_url != NULL, NULL);

  return g_strdup_printf ("authority=%s/%s\n"
                          "tenant-id=%s\n"
                          "client-id=%s\n"
                          "graph-url=%s/v1.0\n"
                          "workflow-url=%s/webhook/medication-refill\n"
                          "extensions-app-id=%s\n"
                          "api-scope=%s\n"
                          "staff-role=%s\n",
                          self->base_url, MR_SANDBOX_TENANT_ID,
                          MR_SANDBOX_TENANT_ID,
                          MR_SANDBOX_CLIENT_ID,
                          self->base_url,
                          self->base_url,
                          MR_SANDBOX_EXTENSIONS_APP_ID,
                          MR_SANDBOX_API_SCOPE,
                          MR_SANDBOX_STAFF_ROLE);
}

JsonArray *
mr_sandbox_dup_received (MrSandbox *self)
{
  JsonArray *copy;

  g_return_val_if_fail (MR_IS_SANDBOX (self), NULL);

  g_mutex_lock (&self->lock);
  copy = json_array_sized_new (json_array_get_length (self->received));
  for (guint i = 0; i < json_array_get_length (self->received); i++)
    json_array_add_element (copy, json_node_copy (json_array_get_element (self->received, i)));
  g_mutex_unlock (&self->lock);
  return copy;
}

gboolean
mr_sandbox_set_user_roles (MrSandbox  *self,
                           const char *email,
                           const char *roles)
{
  const MrSandboxUser *user;

  g_return_val_if_fail (MR_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (email != NULL, FALSE);

  user = mr_sandbox_find_user (email);
  if (user == NULL)
    return FALSE;
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->roles, g_strdup (user->id), g_strdup (roles));
  g_mutex_unlock (&self->lock);
  return TRUE;
}

gboolean
mr_sandbox_set_refresh_fault (MrSandbox             *self,
                              MrSandboxRefreshFault  fault,
                              const char            *other_email)
{
  const MrSandboxUser *other = NULL;

  g_return_val_if_fail (MR_IS_SANDBOX (self), FALSE);

  if (fault == MR_SANDBOX_REFRESH_OTHER_ACCOUNT
      && (other_email == NULL || (other = mr_sandbox_find_user (other_email)) == NULL))
    return FALSE;
  g_mutex_lock (&self->lock);
  self->refresh_fault = fault;
  self->refresh_other = other;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

guint
mr_sandbox_get_request_count (MrSandbox  *self,
                              const char *path)
{
  guint n;

  g_return_val_if_fail (MR_IS_SANDBOX (self), 0);

  g_mutex_lock (&self->lock);
  if (path == NULL)
    n = self->total_count;
  else
    n = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, path));
  g_mutex_unlock (&self->lock);
  return n;
}

guint
mr_sandbox_get_session_cookie_count (MrSandbox *self)
{
  guint n;

  g_return_val_if_fail (MR_IS_SANDBOX (self), 0);

  g_mutex_lock (&self->lock);
  n = self->session_authorizes;
  g_mutex_unlock (&self->lock);
  return n;
}

GStrv
mr_sandbox_dup_issued_tokens (MrSandbox *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv tokens;

  g_return_val_if_fail (MR_IS_SANDBOX (self), NULL);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->issued->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->issued, i));
  g_mutex_unlock (&self->lock);
  tokens = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return tokens;
}

/* ---- life cycle -------------------------------------------------------------------------- */

static void
mr_sandbox_finalize (GObject *object)
{
  MrSandbox *self = MR_SANDBOX (object);

  mr_sandbox_stop (self);
  mr_sandbox_idp_clear (self);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_clear_pointer (&self->sink_path, g_free);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_clear_pointer (&self->received, json_array_unref);
  g_clear_pointer (&self->roles, g_hash_table_unref);
  g_clear_pointer (&self->issued, g_ptr_array_unref);
  mr_sandbox_tenant_clear (&self->tenant);
  g_clear_pointer (&self->references, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->sign_lock);
  g_cond_clear (&self->ready);

  G_OBJECT_CLASS (mr_sandbox_parent_class)->finalize (object);
}

static void
mr_sandbox_class_init (MrSandboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_sandbox_finalize;
}

static void
mr_sandbox_init (MrSandbox *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->sign_lock);
  g_cond_init (&self->ready);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->received = json_array_new ();
  self->roles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->issued = g_ptr_array_new_with_free_func (g_free);
  mr_sandbox_tenant_init (&self->tenant);
  self->references = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

MrSandbox *
mr_sandbox_new (void)
{
  return g_object_new (MR_TYPE_SANDBOX, NULL);
}

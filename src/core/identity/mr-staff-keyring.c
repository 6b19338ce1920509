/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The desk's one stored staff refresh token: the writes, one at a time, and the lookup that
 * waits for them (see mr-staff-keyring.h). */
#include "mr-staff-keyring.h"

#include <glib/gi18n-lib.h>

#include "mr-secrets.h"

/* The keyring's one staff item: whoever signs in next replaces it. */
#define DESK_ACCOUNT "desk"

typedef struct {
  gboolean   busy;
  gboolean   pending;
  char      *secret;            /* the pending wish: the token to keep, or NULL for none */
  GStrv      binding;           /* and the settings it was got with */
  GPtrArray *idle_waiters;      /* GTask of lookup_async, waiting for the writes to end */
} KeyringQueue;

typedef struct {
  KeyringQueue *queue;
  char         *secret;
  GStrv         binding;
} KeyringWrite;

/* What an item is bound to: the provider, the app registration and the tenant of the settings
 * the token was got with. A lookup under other settings finds nothing, so a changed authority
 * (or client id, or tenant) never receives the old refresh token. Newly allocated. */
static GStrv
dup_binding (const MrConfig *config)
{
  const char *binding[] = {
    "authority", config->authority ? config->authority : "",
    "client-id", config->client_id ? config->client_id : "",
    "tenant", config->tenant_id ? config->tenant_id : "",
    NULL,
  };

  return g_strdupv ((char **) binding);
}

static KeyringQueue *
keyring_queue (void)
{
  static KeyringQueue *queue;

  if (queue == NULL)
    {
      queue = g_new0 (KeyringQueue, 1);
      queue->idle_waiters = g_ptr_array_new ();
    }
  return queue;
}

static void run (KeyringQueue *queue);
static void start_lookup (GTask *task);

static void
write_done (KeyringWrite *write)
{
  KeyringQueue *queue = write->queue;

  queue->busy = FALSE;
  mr_secret_free (write->secret);
  g_strfreev (write->binding);
  g_free (write);
  if (queue->pending)
    {
      run (queue);
      return;
    }
  while (queue->idle_waiters->len > 0)
    start_lookup (g_ptr_array_steal_index (queue->idle_waiters, 0));
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!mr_secret_store_finish (result, &error))
    g_debug ("the staff session was not stored: %s", error->message);
  write_done (user_data);
}

static void
cleared_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  KeyringWrite *write = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_secret_clear_finish (result, &error))
    g_debug ("the staff session was not cleared from the keyring: %s", error->message);
  /* A newer wish (a lock, another rotation) is waiting: this token is already out of date. */
  if (write->secret == NULL || write->queue->pending)
    {
      write_done (write);
      return;
    }
  mr_secret_store_bound_async (MR_SECRET_REFRESH_TOKEN, DESK_ACCOUNT,
                               (const char * const *) write->binding,
                               _("Medication Refill staff sign-in"), write->secret, NULL,
                               stored_cb, write);
}

static void
run (KeyringQueue *queue)
{
  KeyringWrite *write = g_new0 (KeyringWrite, 1);

  write->queue = queue;
  write->secret = g_steal_pointer (&queue->secret);
  write->binding = g_steal_pointer (&queue->binding);
  queue->busy = TRUE;
  queue->pending = FALSE;
  /* Every earlier item goes first, whoever's and wherever bound (an earlier staff member's, one
   * for another authority, one of an older version): a shared desk keeps one refresh token. */
  mr_secret_clear_kind_async (MR_SECRET_REFRESH_TOKEN, NULL, cleared_cb, write);
}

void
mr_staff_keyring_write (const char     *secret,
                        const MrConfig *config)
{
  KeyringQueue *queue = keyring_queue ();

  g_clear_pointer (&queue->secret, mr_secret_free);
  g_clear_pointer (&queue->binding, g_strfreev);
  queue->secret = g_strdup (secret);
  /* Bound now: the settings may change before the write runs. */
  queue->binding = dup_binding (config);
  queue->pending = TRUE;
  if (!queue->busy)
    run (queue);
}

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = mr_secret_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) mr_secret_free);
}

/* Takes @task. */
static void
start_lookup (GTask *task)
{
  mr_secret_lookup_bound_async (MR_SECRET_REFRESH_TOKEN, DESK_ACCOUNT,
                                g_task_get_task_data (task), g_task_get_cancellable (task),
                                looked_up_cb, task);
}

void
mr_staff_keyring_lookup_async (const MrConfig      *config,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  KeyringQueue *queue = keyring_queue ();
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, mr_staff_keyring_lookup_async);
  g_task_set_task_data (task, dup_binding (config), (GDestroyNotify) g_strfreev);
  /* A lock's removal still on its way must not be overtaken by this lookup. */
  if (queue->busy || queue->pending)
    {
      g_ptr_array_add (queue->idle_waiters, task);
      return;
    }
  start_lookup (task);
}

char *
mr_staff_keyring_lookup_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

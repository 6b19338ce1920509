/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outbox's queue: each request's way from saved, through attempts, to delivered or held. */
#include "mr-outbox.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-outbox-private.h"
#include "mr-retry.h"

/* How many requests may be on the wire at once: enough to drain a backlog quickly, few enough
 * not to flood a workflow that has just come back. */
#define MAX_IN_FLIGHT 4
/* The queue looks again at least this often, whatever it is waiting for. */
#define MAX_TIMER_MS (60 * 60 * 1000)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrOutboxEntry, mr_outbox_entry_unref)

/* ---- items ----------------------------------------------------------------------------------- */

static void
item_clear (gpointer data)
{
  MrOutboxEntry *item = data;

  g_assert (item->waiter == NULL);
  mr_outbox_record_free (item->record);
  g_clear_pointer (&item->payload, g_bytes_unref);
  g_clear_object (&item->cancellable);
}

static MrOutboxEntry *
item_new (MrOutboxRecord *record)
{
  MrOutboxEntry *item = g_rc_box_new0 (MrOutboxEntry);

  item->record = record;
  item->payload = g_bytes_new (record->payload, strlen (record->payload));
  return item;
}

MrOutboxEntry *
mr_outbox_entry_ref (MrOutboxEntry *item)
{
  return g_rc_box_acquire (item);
}

void
mr_outbox_entry_unref (MrOutboxEntry *item)
{
  g_rc_box_release_full (item, item_clear);
}

gint64
mr_outbox_now (MrOutbox *self)
{
  return self->clock != NULL ? self->clock (self->clock_data) : g_get_real_time ();
}

/* Tells whoever waits in mr_outbox_enqueue_async what became of the first attempt. */
void
mr_outbox_resolve_waiter (MrOutboxEntry   *item,
                          MrOutboxOutcome  outcome,
                          const char      *detail)
{
  g_autoptr(GTask) task = g_steal_pointer (&item->waiter);

  if (task == NULL)
    return;
  g_object_set_data_full (G_OBJECT (task), "detail", g_strdup (detail), g_free);
  g_task_return_int (task, outcome);
}

/* ---- saving ---------------------------------------------------------------------------------- */

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  MrOutbox *self = MR_OUTBOX (source);
  g_autoptr(MrOutboxEntry) item = user_data;
  g_autoptr(GError) error = NULL;

  item->writing = FALSE;
  if (!mr_outbox_disk_finish (self->disk, result, &error))
    mr_outbox_set_problem (self, error->message);
  if (item->gone)
    return;
  /* Without an address nothing will be tried yet; the request is saved, and that is the news. */
  if (self->workflow_url == NULL)
    mr_outbox_resolve_waiter (item, MR_OUTBOX_SAVED, NULL);
  mr_outbox_pump (self);
}

/* Writes @item's record, then carries on with the queue. In memory-only mode there is nothing to
 * write. */
static void
save (MrOutbox      *self,
      MrOutboxEntry *item)
{
  if (!self->persistent)
    {
      if (self->workflow_url == NULL)
        mr_outbox_resolve_waiter (item, MR_OUTBOX_SAVED, NULL);
      mr_outbox_pump (self);
      return;
    }
  item->writing = TRUE;
  mr_outbox_disk_save_async (self->disk, item->record, save_cb, mr_outbox_entry_ref (item));
}

static void
remove_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  MrOutbox *self = MR_OUTBOX (source);
  g_autoptr(GError) error = NULL;

  if (!mr_outbox_disk_finish (self->disk, result, &error))
    mr_outbox_set_problem (self, error->message);
}

/* Takes @item out of the queue for good (delivered or discarded) and deletes its file. */
void
mr_outbox_forget (MrOutbox      *self,
                  MrOutboxEntry *item)
{
  item->gone = TRUE;
  if (self->persistent)
    mr_outbox_disk_remove_async (self->disk, item->record->request_id, remove_cb, NULL);
  g_hash_table_remove (self->items, item->record->request_id);
}

/* ---- sending --------------------------------------------------------------------------------- */

static gboolean
is_worth_retrying (const GError *error)
{
  return g_error_matches (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_NETWORK)
         || g_error_matches (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_SERVER);
}

static void
attempt_failed (MrOutbox      *self,
                MrOutboxEntry *item,
                const GError  *error,
                const char    *retry_after)
{
  MrOutboxRecord *record = item->record;
  gint64 t = mr_outbox_now (self);

  record->attempts++;
  g_free (record->last_error);
  if (!is_worth_retrying (error))
    {
      record->state = MR_OUTBOX_STATE_HELD;
      record->last_error = g_strdup (error->message);
      mr_outbox_resolve_waiter (item, MR_OUTBOX_HELD, record->last_error);
    }
  else if (mr_retry_is_too_old (record->created_at, t))
    {
      record->state = MR_OUTBOX_STATE_HELD;
      record->last_error = g_strdup (_("The clinic's workflow could not be reached for 7 days, so "
                                       "the request was set aside. Check it, then retry or discard "
                                       "it."));
      mr_outbox_resolve_waiter (item, MR_OUTBOX_HELD, record->last_error);
    }
  else
    {
      record->last_error = g_strdup (error->message);
      record->next_attempt_at = mr_retry_next_attempt (record->attempts, retry_after, t,
                                                       self->rand);
      mr_outbox_resolve_waiter (item, MR_OUTBOX_SAVED, NULL);
    }
  mr_outbox_update_counts (self);
  save (self, item);
}

/* One attempt in flight: holds the outbox and the item until its answer. */
typedef struct {
  MrOutbox      *self;
  MrOutboxEntry *item;
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  g_object_unref (attempt->self);
  mr_outbox_entry_unref (attempt->item);
  g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attempt, attempt_free)

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  MrOutbox *self = attempt->self;
  MrOutboxEntry *item = attempt->item;
  g_autofree char *reference = NULL;
  g_autofree char *retry_after = NULL;
  g_autoptr(GError) error = NULL;

  reference = mr_delivery_post_finish (result, NULL, &retry_after, &error);
  item->in_flight = FALSE;
  g_clear_object (&item->cancellable);
  self->in_flight--;

  if (item->gone || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      mr_outbox_pump (self);
      return;
    }
  if (reference != NULL)
    {
      g_autofree char *id = g_strdup (item->record->request_id);

      mr_outbox_resolve_waiter (item, MR_OUTBOX_SENT, reference);
      mr_outbox_forget (self, item);
      mr_outbox_update_counts (self);
      mr_outbox_emit_delivered (self, id, reference);
      mr_outbox_pump (self);
      return;
    }
  attempt_failed (self, item, error, retry_after);
}

static void
send (MrOutbox      *self,
      MrOutboxEntry *item)
{
  Attempt *attempt = g_new0 (Attempt, 1);

  attempt->self = g_object_ref (self);
  attempt->item = mr_outbox_entry_ref (item);
  item->in_flight = TRUE;
  item->cancellable = g_cancellable_new ();
  self->in_flight++;
  mr_delivery_post_async (self->session, self->workflow_url, self->auth,
                          item->record->access_token, item->record->request_id, item->payload,
                          item->cancellable, send_cb, attempt);
}

/* ---- the queue ------------------------------------------------------------------------------- */

/* A request goes only to the workflow origin it was made for (it is in the file's authenticated
 * header): when workflow-url changes, the backlog stays behind instead of following it (issue 13),
 * and goes out if the address is set back. */
gboolean
mr_outbox_record_is_elsewhere (MrOutbox             *self,
                               const MrOutboxRecord *record)
{
  return record->origin != NULL && self->origin != NULL
         && !g_str_equal (record->origin, self->origin);
}

static gboolean
is_ready (MrOutboxEntry *item)
{
  return item->record->state == MR_OUTBOX_STATE_PENDING && !item->in_flight && !item->writing
         && !item->gone;
}

/* A record saved before it had an address (or by a version before records were bound) is bound
 * to the address in effect the first time the queue could send it, and written so: from then on
 * it is like any other. FALSE when @item is not ready to go to the current address yet. */
static gboolean
bind_to_origin (MrOutbox      *self,
                MrOutboxEntry *item)
{
  if (item->record->origin != NULL || self->origin == NULL)
    return !mr_outbox_record_is_elsewhere (self, item->record);
  item->record->origin = g_strdup (self->origin);
  if (!self->persistent)
    return TRUE;
  item->writing = TRUE;
  mr_outbox_disk_save_async (self->disk, item->record, save_cb, mr_outbox_entry_ref (item));
  return FALSE;
}

static int
compare_due (gconstpointer a,
             gconstpointer b)
{
  const MrOutboxEntry *x = *(MrOutboxEntry * const *) a;
  const MrOutboxEntry *y = *(MrOutboxEntry * const *) b;

  if (x->record->next_attempt_at != y->record->next_attempt_at)
    return x->record->next_attempt_at < y->record->next_attempt_at ? -1 : 1;
  if (x->record->created_at != y->record->created_at)
    return x->record->created_at < y->record->created_at ? -1 : 1;
  return 0;
}

static gboolean
timer_cb (gpointer data)
{
  MrOutbox *self = data;

  self->timer_id = 0;
  mr_outbox_pump (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (MrOutbox *self,
          gint64    due)
{
  gint64 wait_ms;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (due == G_MAXINT64)
    return;
  wait_ms = CLAMP ((due - mr_outbox_now (self)) / 1000 + 1, 1, MAX_TIMER_MS);
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) wait_ms, timer_cb, self, NULL);
}

/* Starts as many due attempts as may run, oldest due first, and sets the timer for the next. */
void
mr_outbox_pump (MrOutbox *self)
{
  g_autoptr(GPtrArray) ready = NULL;
  GHashTableIter iter;
  gpointer value;
  gint64 t, next_due = G_MAXINT64;

  if (!self->opened || self->shut_down || self->workflow_url == NULL)
    return;
  t = mr_outbox_now (self);
  ready = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (is_ready (value) && bind_to_origin (self, value))
      g_ptr_array_add (ready, value);
  g_ptr_array_sort (ready, compare_due);

  for (guint i = 0; i < ready->len; i++)
    {
      MrOutboxEntry *item = g_ptr_array_index (ready, i);

      if (item->record->next_attempt_at <= t && self->in_flight < MAX_IN_FLIGHT)
        send (self, item);
      else
        {
          next_due = MAX (item->record->next_attempt_at, t);
          break;
        }
    }
  schedule (self, next_due);
}

/* ---- opening --------------------------------------------------------------------------------- */

static void
adopt_record (MrOutbox       *self,
              MrOutboxRecord *record)
{
  if (g_hash_table_contains (self->items, record->request_id))
    {
      mr_outbox_record_free (record);
      return;
    }
  g_hash_table_insert (self->items, record->request_id, item_new (record));
}

void
mr_outbox_opened (MrOutbox  *self,
                  GPtrArray *records,
                  guint      n_damaged)
{
  g_autoptr(GPtrArray) deferred = g_steal_pointer (&self->deferred);

  self->opened = TRUE;
  self->n_damaged = n_damaged;
  for (guint i = 0; records != NULL && i < records->len; i++)
    adopt_record (self, g_steal_pointer (&g_ptr_array_index (records, i)));
  if (n_damaged > 0)
    mr_outbox_set_problem (self, _("Some saved requests could not be read and were set aside in "
                                   "the outbox's \"damaged\" folder. Ask your administrator to "
                                   "look at them."));
  mr_outbox_update_counts (self);
  for (guint i = 0; deferred != NULL && i < deferred->len; i++)
    mr_outbox_start_enqueue (self, g_ptr_array_index (deferred, i));
  mr_outbox_pump (self);
}

/* ---- enqueue --------------------------------------------------------------------------------- */

void
mr_outbox_start_enqueue (MrOutbox *self,
               GTask    *task)
{
  MrOutboxRecord *proto = g_task_get_task_data (task);
  g_autoptr(MrOutboxEntry) item = NULL;
  gint64 t = mr_outbox_now (self);

  if (self->shut_down)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The outbox has been closed."));
      return;
    }
  if (g_hash_table_contains (self->items, proto->request_id))
    {
      g_task_return_new_error (task, MR_OUTBOX_ERROR, MR_OUTBOX_ERROR_EXISTS,
                               _("This request is already waiting to be sent."));
      return;
    }
  item = item_new (mr_outbox_record_copy (proto));
  g_free (item->record->origin);
  item->record->origin = g_strdup (self->origin);
  item->record->created_at = t;
  item->record->next_attempt_at = t;
  item->waiter = g_object_ref (task);
  g_hash_table_insert (self->items, item->record->request_id, mr_outbox_entry_ref (item));
  mr_outbox_update_counts (self);
  save (self, item);
}


/* ---- for the Outbox view and for tests ------------------------------------------------------- */

static MrOutboxItem *
item_snapshot (MrOutbox             *self,
               const MrOutboxRecord *record)
{
  MrOutboxItem *item = g_new0 (MrOutboxItem, 1);

  item->request_id = g_strdup (record->request_id);
  item->patient = g_strdup (record->patient ? record->patient : "");
  item->medicines = g_strdupv (record->medicines);
  item->attempts = record->attempts;
  item->state = record->state;
  item->last_error = g_strdup (record->last_error);
  item->created_at = record->created_at;
  item->next_attempt_at = record->next_attempt_at;
  if (mr_outbox_record_is_elsewhere (self, record))
    {
      item->state = MR_OUTBOX_STATE_HELD;
      g_free (item->last_error);
      item->last_error = g_strdup_printf (_("This request was made for another workflow address "
                                            "(%s), so it is kept and not sent to the new one. It "
                                            "goes out when the workflow address is set back; "
                                            "otherwise discard it."), record->origin);
    }
  return item;
}

static int
compare_created (gconstpointer a,
                 gconstpointer b)
{
  const MrOutboxItem *x = *(MrOutboxItem * const *) a;
  const MrOutboxItem *y = *(MrOutboxItem * const *) b;

  if (x->created_at != y->created_at)
    return x->created_at < y->created_at ? -1 : 1;
  return g_strcmp0 (x->request_id, y->request_id);
}

GPtrArray *
mr_outbox_list_items (MrOutbox *self)
{
  GPtrArray *items;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (MR_IS_OUTBOX (self), NULL);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_outbox_item_free);
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (items, item_snapshot (self, ((MrOutboxEntry *) value)->record));
  g_ptr_array_sort (items, compare_created);
  return items;
}

gboolean
mr_outbox_retry_now (MrOutbox   *self,
                     const char *request_id)
{
  MrOutboxEntry *item;

  g_return_val_if_fail (MR_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (request_id != NULL, FALSE);

  item = g_hash_table_lookup (self->items, request_id);
  if (item == NULL)
    return FALSE;
  /* Held stays written as held until the attempt's outcome is saved: if the app stops before,
   * the request is still there for staff, as before. */
  item->record->state = MR_OUTBOX_STATE_PENDING;
  item->record->next_attempt_at = mr_outbox_now (self);
  mr_outbox_update_counts (self);
  mr_outbox_pump (self);
  return TRUE;
}

gboolean
mr_outbox_discard (MrOutbox   *self,
                   const char *request_id)
{
  g_autoptr(MrOutboxEntry) item = NULL;

  g_return_val_if_fail (MR_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (request_id != NULL, FALSE);

  item = g_hash_table_lookup (self->items, request_id);
  if (item == NULL)
    return FALSE;
  mr_outbox_entry_ref (item);
  if (item->cancellable != NULL)
    g_cancellable_cancel (item->cancellable);
  if (item->waiter != NULL)
    g_task_return_new_error (g_steal_pointer (&item->waiter), G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The request was discarded."));
  mr_outbox_forget (self, item);
  mr_outbox_update_counts (self);
  return TRUE;
}

void
mr_outbox_wake (MrOutbox *self)
{
  g_return_if_fail (MR_IS_OUTBOX (self));

  mr_outbox_pump (self);
}

void
mr_outbox_send_all_now (MrOutbox *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 t;

  g_return_if_fail (MR_IS_OUTBOX (self));

  t = mr_outbox_now (self);
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MrOutboxRecord *record = ((MrOutboxEntry *) value)->record;

      if (record->state == MR_OUTBOX_STATE_PENDING)
        record->next_attempt_at = MIN (record->next_attempt_at, t);
    }
  mr_outbox_pump (self);
}

void
mr_outbox_shutdown (MrOutbox *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (MR_IS_OUTBOX (self));

  self->shut_down = TRUE;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  for (guint i = 0; self->deferred != NULL && i < self->deferred->len; i++)
    g_task_return_new_error (g_ptr_array_index (self->deferred, i), G_IO_ERROR,
                             G_IO_ERROR_CANCELLED, _("The outbox has been closed."));
  if (self->deferred != NULL)
    g_ptr_array_set_size (self->deferred, 0);
  if (self->items == NULL)
    return;
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MrOutboxEntry *item = value;

      /* Saved before its first attempt: it goes out at the next start. */
      mr_outbox_resolve_waiter (item, MR_OUTBOX_SAVED, NULL);
      if (item->cancellable != NULL)
        g_cancellable_cancel (item->cancellable);
    }
}

void
mr_outbox_set_clock (MrOutbox      *self,
                     MrOutboxClock  clock,
                     gpointer       user_data)
{
  g_return_if_fail (MR_IS_OUTBOX (self));

  self->clock = clock;
  self->clock_data = user_data;
}

void
mr_outbox_set_seed (MrOutbox *self,
                    guint32   seed)
{
  g_return_if_fail (MR_IS_OUTBOX (self));

  g_rand_set_seed (self->rand, seed);
}

gint64
mr_outbox_get_next_due (MrOutbox *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 due = G_MAXINT64;

  g_return_val_if_fail (MR_IS_OUTBOX (self), G_MAXINT64);

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MrOutboxEntry *item = value;

      if (item->record->state == MR_OUTBOX_STATE_PENDING && !item->in_flight
          && !mr_outbox_record_is_elsewhere (self, item->record))
        due = MIN (due, item->record->next_attempt_at);
    }
  return due;
}

guint
mr_outbox_get_busy_count (MrOutbox *self)
{
  g_return_val_if_fail (MR_IS_OUTBOX (self), 0);

  return self->in_flight + mr_outbox_disk_get_pending (self->disk);
}

void
mr_outbox_item_free (MrOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->request_id);
  g_free (item->patient);
  g_strfreev (item->medicines);
  g_free (item->last_error);
  g_free (item);
}

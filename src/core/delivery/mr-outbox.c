/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-outbox.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-outbox-private.h"
#include "mr-util.h"

G_DEFINE_FINAL_TYPE (MrOutbox, mr_outbox, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIRECTORY,
  PROP_SESSION,
  PROP_PERSISTENT,
  PROP_PROBLEM,
  PROP_PENDING_COUNT,
  PROP_HELD_COUNT,
  N_PROPS
};

enum {
  CHANGED,
  DELIVERED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- for the queue (mr-outbox-queue.c) ------------------------------------------------------- */

void
mr_outbox_update_counts (MrOutbox *self)
{
  GHashTableIter iter;
  gpointer value;
  guint pending = 0, held = 0;

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MrOutboxEntry *item = value;

      if (item->record->state == MR_OUTBOX_STATE_HELD
          || mr_outbox_record_is_elsewhere (self, item->record))
        held++;
      else
        pending++;
    }
  if (pending != self->pending_count)
    {
      self->pending_count = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_COUNT]);
    }
  if (held != self->held_count)
    {
      self->held_count = held;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HELD_COUNT]);
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

void
mr_outbox_set_problem (MrOutbox   *self,
                       const char *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

void
mr_outbox_emit_delivered (MrOutbox   *self,
                          const char *request_id,
                          const char *reference)
{
  g_signal_emit (self, signals[DELIVERED], 0, request_id, reference);
}

void
mr_outbox_set_storage (MrOutbox   *self,
                       gboolean    persistent,
                       const char *problem)
{
  if (self->persistent != persistent)
    {
      self->persistent = persistent;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSISTENT]);
    }
  mr_outbox_set_problem (self, problem);
}

/* ---- public API ------------------------------------------------------------------------------ */

MrOutbox *
mr_outbox_new (const char  *directory,
               SoupSession *session)
{
  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);

  return g_object_new (MR_TYPE_OUTBOX, "directory", directory, "session", session, NULL);
}

MrOutbox *
mr_outbox_new_default (SoupSession *session)
{
  g_autofree char *directory = g_build_filename (g_get_user_data_dir (),
                                                 "io.github.medrefill.MedRefill", "outbox", NULL);

  return mr_outbox_new (directory, session);
}

MrOutbox *
mr_outbox_new_with_key (const char   *directory,
                        SoupSession  *session,
                        const guint8  key[MR_OUTBOX_KEY_SIZE])
{
  MrOutbox *self = mr_outbox_new (directory, session);

  g_return_val_if_fail (key != NULL, self);

  mr_outbox_disk_set_key (self->disk, key);
  return self;
}

void
mr_outbox_set_workflow (MrOutbox             *self,
                        const char           *workflow_url,
                        const MrDeliveryAuth *auth)
{
  g_return_if_fail (MR_IS_OUTBOX (self));

  g_free (self->workflow_url);
  self->workflow_url = workflow_url != NULL && *workflow_url != '\0' ? g_strdup (workflow_url)
                                                                     : NULL;
  g_free (self->origin);
  self->origin = mr_url_origin (self->workflow_url);
  g_clear_pointer (&self->auth, mr_delivery_auth_free);
  self->auth = auth != NULL ? mr_delivery_auth_copy (auth) : NULL;
  /* Requests bound to another address now show as needing attention, or go out again. */
  if (self->items != NULL)
    mr_outbox_update_counts (self);
  mr_outbox_pump (self);
}

/* The disk only says what it found; whether the outbox keeps requests on disk or in memory, and
 * what it tells a person, is decided here. */
static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrOutbox *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *problem = NULL;
  guint n_damaged = 0;
  GError *error = NULL;

  if (!mr_outbox_disk_open_finish (self->disk, result, &records, &n_damaged, &problem, &error))
    {
      self->opening = FALSE;
      g_task_return_error (task, error);
      return;
    }
  mr_outbox_set_storage (self, problem == NULL, problem);
  mr_outbox_opened (self, records, n_damaged);
  g_task_return_boolean (task, TRUE);
}

void
mr_outbox_open_async (MrOutbox            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MR_IS_OUTBOX (self));
  g_return_if_fail (!self->opening && !self->opened);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_outbox_open_async);
  self->opening = TRUE;
  mr_outbox_disk_open_async (self->disk, cancellable, open_cb, g_steal_pointer (&task));
}

gboolean
mr_outbox_open_finish (MrOutbox      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_outbox_open_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
mr_outbox_enqueue_async (MrOutbox            *self,
                         const char          *request_id,
                         JsonNode            *payload,
                         const char          *access_token,
                         const char          *patient,
                         const char * const  *medicines,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MrOutboxRecord *record;

  g_return_if_fail (MR_IS_OUTBOX (self));
  g_return_if_fail (payload != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_outbox_enqueue_async);
  if (!mr_outbox_id_is_valid (request_id))
    {
      g_task_return_new_error (task, MR_OUTBOX_ERROR, MR_OUTBOX_ERROR_INVALID,
                               _("The request has no valid id, so it cannot be sent."));
      return;
    }
  record = mr_outbox_record_new ();
  record->request_id = g_strdup (request_id);
  record->payload = mr_json_to_string (payload);
  if (access_token != NULL && *access_token != '\0')
    record->access_token = g_strdup (access_token);
  record->patient = g_strdup (patient != NULL ? patient : "");
  record->medicines = g_strdupv ((char **) medicines);
  if (record->medicines == NULL)
    record->medicines = g_new0 (char *, 1);
  g_task_set_task_data (task, record, (GDestroyNotify) mr_outbox_record_free);

  if (self->opened || self->shut_down)
    mr_outbox_start_enqueue (self, task);
  else
    g_ptr_array_add (self->deferred, g_steal_pointer (&task));
}

static char *
patient_name (const MrPatient *patient)
{
  if (patient->display_name != NULL && *patient->display_name != '\0')
    return g_strdup (patient->display_name);
  return g_strstrip (g_strdup_printf ("%s %s", patient->given_name ? patient->given_name : "",
                                      patient->surname ? patient->surname : ""));
}

void
mr_outbox_enqueue_request_async (MrOutbox              *self,
                                 const MrRefillRequest *request,
                                 const char            *access_token,
                                 GCancellable          *cancellable,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data)
{
  g_autoptr(JsonNode) payload = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) medicines = NULL;
  g_autofree char *patient = NULL;

  g_return_if_fail (request != NULL && request->patient != NULL);

  payload = mr_refill_request_to_json (request);
  for (guint i = 0; i < request->medications->len; i++)
    {
      MrMedication *medication = g_ptr_array_index (request->medications, i);

      g_strv_builder_add (names, medication->name ? medication->name : "");
    }
  medicines = g_strv_builder_end (names);
  patient = patient_name (request->patient);
  mr_outbox_enqueue_async (self, request->request_id, payload, access_token, patient,
                           (const char * const *) medicines, cancellable, callback, user_data);
}

MrOutboxOutcome
mr_outbox_enqueue_finish (MrOutbox      *self,
                          GAsyncResult  *result,
                          char         **out_detail,
                          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize outcome;

  g_return_val_if_fail (g_task_is_valid (result, self), MR_OUTBOX_SAVED);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_outbox_enqueue_async,
                        MR_OUTBOX_SAVED);

  outcome = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return MR_OUTBOX_SAVED;
    }
  if (out_detail != NULL)
    *out_detail = g_strdup (g_object_get_data (G_OBJECT (result), "detail"));
  return (MrOutboxOutcome) outcome;
}

gboolean
mr_outbox_get_persistent (MrOutbox *self)
{
  g_return_val_if_fail (MR_IS_OUTBOX (self), FALSE);

  return self->persistent;
}

const char *
mr_outbox_get_problem (MrOutbox *self)
{
  g_return_val_if_fail (MR_IS_OUTBOX (self), NULL);

  return self->problem;
}

guint
mr_outbox_get_pending_count (MrOutbox *self)
{
  g_return_val_if_fail (MR_IS_OUTBOX (self), 0);

  return self->pending_count;
}

guint
mr_outbox_get_held_count (MrOutbox *self)
{
  g_return_val_if_fail (MR_IS_OUTBOX (self), 0);

  return self->held_count;
}

guint
mr_outbox_get_damaged_count (MrOutbox *self)
{
  g_return_val_if_fail (MR_IS_OUTBOX (self), 0);

  return self->n_damaged;
}

/* ---- the object ------------------------------------------------------------------------------ */

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    MrOutbox        *self)
{
  /* Only a network coming back resets the backoff: GNetworkMonitor also reports route changes
   * while it stays up, and those must not make a struggling workflow take every request again. */
  if (available && !self->network_available)
    mr_outbox_send_all_now (self);
  self->network_available = available;
}

static void
mr_outbox_constructed (GObject *object)
{
  MrOutbox *self = MR_OUTBOX (object);
  GNetworkMonitor *monitor = g_network_monitor_get_default ();

  G_OBJECT_CLASS (mr_outbox_parent_class)->constructed (object);

  self->network_available = g_network_monitor_get_network_available (monitor);
  g_signal_connect_object (monitor, "network-changed", G_CALLBACK (network_changed_cb), self, 0);
}

static void
mr_outbox_dispose (GObject *object)
{
  MrOutbox *self = MR_OUTBOX (object);

  mr_outbox_shutdown (self);
  G_OBJECT_CLASS (mr_outbox_parent_class)->dispose (object);
}

static void
mr_outbox_finalize (GObject *object)
{
  MrOutbox *self = MR_OUTBOX (object);

  g_clear_pointer (&self->disk, mr_outbox_disk_free);
  g_clear_pointer (&self->items, g_hash_table_unref);
  g_clear_pointer (&self->deferred, g_ptr_array_unref);
  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->workflow_url, g_free);
  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->auth, mr_delivery_auth_free);
  g_clear_pointer (&self->problem, g_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (mr_outbox_parent_class)->finalize (object);
}

static void
mr_outbox_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MrOutbox *self = MR_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;
    case PROP_PERSISTENT:
      g_value_set_boolean (value, self->persistent);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    case PROP_PENDING_COUNT:
      g_value_set_uint (value, self->pending_count);
      break;
    case PROP_HELD_COUNT:
      g_value_set_uint (value, self->held_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_outbox_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  MrOutbox *self = MR_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      self->directory = g_value_dup_string (value);
      mr_outbox_disk_set_directory (self->disk, self->directory);
      break;
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_outbox_class_init (MrOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = mr_outbox_constructed;
  object_class->dispose = mr_outbox_dispose;
  object_class->finalize = mr_outbox_finalize;
  object_class->get_property = mr_outbox_get_property;
  object_class->set_property = mr_outbox_set_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* FALSE until opened, and when there is no keyring. */
  properties[PROP_PERSISTENT] =
    g_param_spec_boolean ("persistent", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING_COUNT] =
    g_param_spec_uint ("pending-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HELD_COUNT] =
    g_param_spec_uint ("held-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Anything the Outbox view shows may have changed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A request was accepted by the workflow: (request id, reference). */
  signals[DELIVERED] = g_signal_new ("delivered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 2,
                                     G_TYPE_STRING, G_TYPE_STRING);
}

static void
mr_outbox_init (MrOutbox *self)
{
  self->items = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) mr_outbox_entry_unref);
  self->deferred = g_ptr_array_new_with_free_func (g_object_unref);
  self->rand = g_rand_new ();
  self->disk = mr_outbox_disk_new (G_OBJECT (self));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sending a visit's request: the profile corrections the person confirmed are written back to
 * the directory first, then the request goes to the outbox. A correction that cannot be written
 * is said alongside the outcome; it never stops the refill. */
#include "mr-visit-private.h"

#include <glib/gi18n-lib.h>

#include "mr-base.h"
#include "mr-graph.h"

typedef struct {
  MrRefillRequest *request;
  char            *detail;
  char            *correction_problem;
  char            *api_token;   /* the clinic API's, for this request; NULL: none configured */
  MrOutboxOutcome  outcome;
} Send;

static void
send_free (Send *send)
{
  g_clear_pointer (&send->request, mr_refill_request_free);
  g_free (send->detail);
  g_free (send->correction_problem);
  mr_secure_free_string (send->api_token);
  g_free (send);
}

void
mr_visit_set_corrections (MrVisit    *self,
                          JsonObject *changes)
{
  g_return_if_fail (MR_IS_VISIT (self));

  g_clear_pointer (&self->pending_changes, json_object_unref);
  if (changes != NULL && json_object_get_size (changes) > 0)
    self->pending_changes = json_object_ref (changes);
}

static void
enqueued_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrVisit *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  send->outcome = mr_outbox_enqueue_finish (MR_OUTBOX (source), result, &send->detail, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      /* Not even kept: the patient stays, and the same request id goes out next time. */
      _mr_visit_set_state (self, MR_VISIT_STATE_READY);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Nothing of the patient stays in memory once the request is in the outbox. */
  g_clear_pointer (&self->tokens, _mr_visit_wipe_tokens);
  _mr_visit_api_forget (self);
  g_clear_pointer (&self->patient, mr_patient_free);
  _mr_visit_set_state (self, MR_VISIT_STATE_NONE);
  g_task_return_boolean (task, TRUE);
}

/* Takes @task. */
static void
enqueue_with_token (GTask *task)
{
  MrVisit *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  MrRefillRequest *request = send->request;
  g_autoptr(JsonNode) payload = NULL;
  g_autoptr(GPtrArray) names = NULL;

  if (self->config->payload_format != MR_PAYLOAD_FHIR_R4)
    {
      mr_outbox_enqueue_request_async (self->outbox, request, send->api_token,
                                       self->cancellable, enqueued_cb, task);
      return;
    }
  payload = mr_fhir_task_from_request (request);
  names = g_ptr_array_new ();
  for (guint i = 0; i < request->medications->len; i++)
    g_ptr_array_add (names, ((MrMedication *) g_ptr_array_index (request->medications, i))->name);
  g_ptr_array_add (names, NULL);
  mr_outbox_enqueue_async (self->outbox, request->request_id, payload, send->api_token,
                           request->patient->display_name, (const char * const *) names->pdata,
                           self->cancellable, enqueued_cb, task);
}

static void
api_token_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrVisit *self = MR_VISIT (source);
  Send *send = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  send->api_token = _mr_visit_get_api_token_finish (self, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      /* Without its proof the workflow would refuse the request, in the outbox or not: it is not
       * kept, the patient stays on the form, and sending again asks for the token again. */
      _mr_visit_set_state (self, MR_VISIT_STATE_READY);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  enqueue_with_token (g_steal_pointer (&task));
}

/* Takes @task: the clinic API's token (usually in hand since the form was filled), then the
 * outbox. */
static void
enqueue (GTask *task)
{
  MrVisit *self = g_task_get_source_object (task);

  _mr_visit_set_state (self, MR_VISIT_STATE_SENDING);
  _mr_visit_get_api_token_async (self, api_token_cb, task);
}

/* Either PATCH's end: the refill goes out whatever became of the corrections. */
static void
corrected (GTask        *task,
           const GError *error)
{
  Send *send = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }
  if (error != NULL)
    {
      g_free (send->correction_problem);
      send->correction_problem = g_strdup (error->message);
    }
  enqueue (g_object_ref (task));
}

static void
patched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (MR_IS_DESK (source))
    _mr_desk_patch_finish (MR_DESK (source), result, &error);
  else
    mr_graph_patch_profile_finish (result, NULL, &error);
  corrected (task, error);
}

static void
correct (MrVisit *self,
         GTask   *task)
{
  g_autoptr(JsonObject) changes = g_steal_pointer (&self->pending_changes);

  _mr_visit_set_state (self, MR_VISIT_STATE_CORRECTING);
  /* A patient corrects their own profile (/me); staff the patient's (/users/{id}). */
  if (self->config->mode != MR_MODE_KIOSK && self->desk != NULL)
    {
      _mr_desk_patch_async (self->desk, self->patient->id, changes, patched_cb, task);
      return;
    }
  mr_graph_patch_profile_async (self->session, self->config->graph_url, NULL, changes,
                                self->tokens ? self->tokens->access_token : "",
                                self->cancellable, patched_cb, task);
}

void
mr_visit_send_async (MrVisit             *self,
                     MrRefillRequest     *request,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Send *send;

  g_return_if_fail (MR_IS_VISIT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (self->outbox != NULL);

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_visit_send_async);
  if (self->patient == NULL)
    {
      mr_refill_request_free (request);
      g_task_return_new_error (task, MR_VISIT_ERROR, MR_VISIT_ERROR_NO_PATIENT,
                               _("No one is signed in: please sign in first."));
      return;
    }
  send = g_new0 (Send, 1);
  send->request = request;
  if (self->desk != NULL && self->config->mode != MR_MODE_KIOSK)
    _mr_desk_sign (self->desk, send->request);
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);
  if (self->pending_changes != NULL)
    correct (self, g_steal_pointer (&task));
  else
    enqueue (g_steal_pointer (&task));
}

MrOutboxOutcome
mr_visit_send_finish (MrVisit       *self,
                      GAsyncResult  *result,
                      char         **detail,
                      char         **correction_problem,
                      GError       **error)
{
  Send *send;

  g_return_val_if_fail (g_task_is_valid (result, self), MR_OUTBOX_HELD);

  send = g_task_get_task_data (G_TASK (result));
  if (correction_problem != NULL)
    *correction_problem = send ? g_strdup (send->correction_problem) : NULL;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return MR_OUTBOX_HELD;
  if (detail != NULL)
    *detail = g_steal_pointer (&send->detail);
  return send->outcome;
}

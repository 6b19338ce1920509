/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The visit's sign-in with a phone (the device authorization grant, RFC 8628): the code for the
 * screen, the polls, and then the same ending as the other ways in (_mr_visit_take_sign_in()).
 * No web view and no redirect: the person signs in on their own phone, so no password is typed
 * on the shared screen. */
#include "mr-visit-private.h"

#include <glib/gi18n-lib.h>

#include "mr-identity.h"

#define SLOW_DOWN_STEP_S 5   /* RFC 8628 §3.5 */

/* One phone sign-in attempt, from the request for a code to the filled form. */
struct _MrVisitDevice {
  guint                  id;             /* tells a stale callback from the current attempt */
  GCancellable          *cancellable;    /* cancelled by Cancel and by the wipe */
  MrDeviceAuthorization *authorization;  /* NULL until the code came, and again once used */
  gint64                 expires_at;     /* monotonic µs */
  guint                  interval;       /* seconds */
  GTask                 *waiting;        /* the complete task while the timer runs */
  guint                  timer_id;
  gboolean               completing;     /* mr_visit_complete_device_sign_in_async() is running */
};

void
mr_device_code_free (MrDeviceCode *code)
{
  if (code == NULL)
    return;
  g_free (code->user_code);
  g_free (code->verification_uri);
  g_free (code->verification_uri_complete);
  g_free (code);
}

static MrVisitDevice *
device_new (void)
{
  static guint last_id;
  MrVisitDevice *device = g_new0 (MrVisitDevice, 1);

  device->id = ++last_id;
  device->cancellable = g_cancellable_new ();
  return device;
}

void
_mr_visit_device_forget (MrVisit *self)
{
  MrVisitDevice *device = g_steal_pointer (&self->device);

  if (device == NULL)
    return;
  g_cancellable_cancel (device->cancellable);
  g_clear_handle_id (&device->timer_id, g_source_remove);
  if (device->waiting != NULL)
    {
      g_autoptr(GTask) waiting = g_steal_pointer (&device->waiting);

      g_task_return_new_error (waiting, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("The sign-in was cancelled."));
    }
  /* The device code is a credential until it expires: overwritten, like the tokens. */
  g_clear_pointer (&device->authorization, mr_device_authorization_free);
  g_clear_object (&device->cancellable);
  g_free (device);
}

/* The attempt @id is still the visit's. */
static MrVisitDevice *
current_device (MrVisit *self,
                GTask   *task)
{
  guint id = GPOINTER_TO_UINT (g_task_get_task_data (task));

  return self->device != NULL && self->device->id == id ? self->device : NULL;
}

/* ---- The code ------------------------------------------------------------------------------ */

/* What the screen shows: the administrator's verification page replaces the provider's (External
 * ID's microsoft.com/devicelogin fails with AADSTS500208, MSAL.NET #4666), and then the
 * provider's "complete" URI, which names its own page, is not shown either. */
static MrDeviceCode *
make_code (MrVisit       *self,
           MrVisitDevice *device)
{
  const char *override = self->config->device_verification_uri;
  gboolean overridden = override != NULL && *override != '\0';
  MrDeviceCode *code = g_new0 (MrDeviceCode, 1);

  code->user_code = g_strdup (device->authorization->user_code);
  code->verification_uri = g_strdup (overridden ? override
                                                : device->authorization->verification_uri);
  code->verification_uri_complete =
    overridden ? NULL : g_strdup (device->authorization->verification_uri_complete);
  code->expires_at = device->expires_at;
  code->interval = device->interval;
  return code;
}

static void
device_code_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrVisit *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrDeviceAuthorization) authorization = NULL;
  MrVisitDevice *device;

  authorization = mr_oidc_client_request_device_code_finish (MR_OIDC_CLIENT (source), result,
                                                             &error);
  device = current_device (self, task);
  if (authorization == NULL || device == NULL)
    {
      if (device != NULL)
        {
          _mr_visit_device_forget (self);
          _mr_visit_set_state (self, MR_VISIT_STATE_NONE);
        }
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The sign-in was cancelled."));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  device->authorization = g_steal_pointer (&authorization);
  device->interval = device->authorization->interval;
  device->expires_at = g_get_monotonic_time ()
                       + (gint64) device->authorization->expires_in * G_USEC_PER_SEC;
  g_task_return_pointer (task, make_code (self, device), (GDestroyNotify) mr_device_code_free);
}

void
mr_visit_begin_device_sign_in_async (MrVisit             *self,
                                     const char          *ui_locales,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MR_IS_VISIT (self));
  g_return_if_fail (mr_visit_is_prefetched (self));

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_visit_begin_device_sign_in_async);
  /* @ui_locales is not sent (mr-visit.h says why). */
  (void) ui_locales;
  if (!self->config->device_sign_in)
    {
      g_task_return_new_error (task, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID,
                               _("Sign-in with a phone is turned off. Ask your administrator to "
                                 "turn it on in Preferences."));
      return;
    }
  _mr_visit_device_forget (self);
  self->device = device_new ();
  g_task_set_task_data (task, GUINT_TO_POINTER (self->device->id), NULL);
  _mr_visit_set_state (self, MR_VISIT_STATE_SIGNING_IN);
  mr_oidc_client_request_device_code_async (self->oidc, self->device->cancellable,
                                            device_code_cb, g_steal_pointer (&task));
}

MrDeviceCode *
mr_visit_begin_device_sign_in_finish (MrVisit       *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- The polls ----------------------------------------------------------------------------- */

static void poll_now (MrVisit *self,
                      GTask   *task);

/* Ends the attempt with @code and its sentence; the visit goes back to NONE. Takes @task. */
static void
end_attempt (MrVisit      *self,
             GTask        *task,
             MrVisitError  code,
             const char   *message)
{
  _mr_visit_device_forget (self);
  _mr_visit_set_state (self, MR_VISIT_STATE_NONE);
  g_task_return_new_error (task, MR_VISIT_ERROR, code, "%s", message);
  g_object_unref (task);
}

static void
end_expired (MrVisit *self,
             GTask   *task)
{
  end_attempt (self, task, MR_VISIT_ERROR_DEVICE_EXPIRED,
               _("The code ran out before it was used. Tap Sign in with your phone to get a new "
                 "one."));
}

static gboolean
tick_cb (gpointer user_data)
{
  MrVisitDevice *device = user_data;
  GTask *task = g_steal_pointer (&device->waiting);
  MrVisit *self = g_task_get_source_object (task);

  device->timer_id = 0;
  if (g_get_monotonic_time () >= device->expires_at)
    end_expired (self, task);
  else
    poll_now (self, task);
  return G_SOURCE_REMOVE;
}

/* Waits an interval (no longer than the code lives), then polls. Takes @task. */
static void
wait_then_poll (MrVisit *self,
                GTask   *task)
{
  MrVisitDevice *device = self->device;
  gint64 left = device->expires_at - g_get_monotonic_time ();
  gint64 wait = MIN ((gint64) device->interval * G_USEC_PER_SEC, left);

  if (left <= 0)
    {
      end_expired (self, task);
      return;
    }
  g_assert (device->waiting == NULL && device->timer_id == 0);
  device->waiting = task;
  /* The timer holds the attempt, not the visit: _mr_visit_device_forget() removes it. */
  device->timer_id = g_timeout_add (MAX (wait / 1000, 1), tick_cb, device);
}

static void
signed_in_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrVisit *self = MR_VISIT (source);
  g_autoptr(GError) error = NULL;
  /* Read before the attempt goes: forgetting it cancels its cancellable, the inner task's. */
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (current_device (self, G_TASK (result)) != NULL)
    _mr_visit_device_forget (self);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* The person is signed in: the code is used up, and the rest is the other ways in's. */
static void
take_tokens (MrVisit    *self,
             GTask      *task,
             MrTokenSet *tokens)
{
  MrVisitDevice *device = self->device;
  GTask *inner;

  g_clear_pointer (&device->authorization, mr_device_authorization_free);
  _mr_visit_set_state (self, MR_VISIT_STATE_EXCHANGING);
  inner = g_task_new (self, device->cancellable, signed_in_cb, task);
  g_task_set_source_tag (inner, take_tokens);
  g_task_set_task_data (inner, GUINT_TO_POINTER (device->id), NULL);
  _mr_visit_take_sign_in (self, inner, tokens, device->cancellable);
}

static void
polled_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  MrVisit *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  MrTokenSet *tokens = NULL;
  MrDevicePoll poll;
  MrVisitDevice *device;

  poll = mr_oidc_client_poll_device_code_finish (MR_OIDC_CLIENT (source), result, &tokens,
                                                 &error);
  device = current_device (self, task);
  if (device == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Cancel or the wipe came first: nothing of this attempt may stay. */
      g_clear_pointer (&tokens, _mr_visit_wipe_tokens);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("The sign-in was cancelled."));
      g_object_unref (task);
      return;
    }
  switch (poll)
    {
    case MR_DEVICE_POLL_DONE:
      take_tokens (self, task, tokens);
      break;
    case MR_DEVICE_POLL_SLOW_DOWN:
      device->interval += SLOW_DOWN_STEP_S;
      g_debug ("Asked to slow down: polling every %u s", device->interval);
      wait_then_poll (self, task);
      break;
    case MR_DEVICE_POLL_PENDING:
    case MR_DEVICE_POLL_UNAVAILABLE:
      wait_then_poll (self, task);
      break;
    case MR_DEVICE_POLL_DECLINED:
      end_attempt (self, task, MR_VISIT_ERROR_DEVICE_DECLINED,
                   _("The sign-in was declined on the phone. Tap Sign in with your phone to try "
                     "again."));
      break;
    case MR_DEVICE_POLL_EXPIRED:
      end_expired (self, task);
      break;
    case MR_DEVICE_POLL_FAILED:
    default:
      _mr_visit_device_forget (self);
      _mr_visit_set_state (self, MR_VISIT_STATE_NONE);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      break;
    }
}

/* Takes @task. */
static void
poll_now (MrVisit *self,
          GTask   *task)
{
  MrVisitDevice *device = self->device;

  mr_oidc_client_poll_device_code_async (self->oidc, device->authorization->device_code,
                                         device->cancellable, polled_cb, task);
}

void
mr_visit_complete_device_sign_in_async (MrVisit             *self,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MR_IS_VISIT (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, mr_visit_complete_device_sign_in_async);
  if (self->device == NULL || self->device->authorization == NULL || self->device->completing)
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_STATE,
                               _("This sign-in is no longer under way. Please sign in again."));
      g_object_unref (task);
      return;
    }
  self->device->completing = TRUE;
  g_task_set_task_data (task, GUINT_TO_POINTER (self->device->id), NULL);
  /* RFC 8628 §3.4: the first poll waits an interval too; nobody is that quick on a phone. */
  wait_then_poll (self, task);
}

gboolean
mr_visit_complete_device_sign_in_finish (MrVisit       *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
mr_visit_cancel_device_sign_in (MrVisit *self)
{
  g_return_if_fail (MR_IS_VISIT (self));

  if (self->device == NULL)
    return;
  _mr_visit_device_forget (self);
  /* Cancelled between the token and the form: the tokens that came are this attempt's. */
  if (self->state == MR_VISIT_STATE_EXCHANGING)
    {
      g_clear_pointer (&self->tokens, _mr_visit_wipe_tokens);
      _mr_visit_api_forget (self);
    }
  _mr_visit_set_state (self, MR_VISIT_STATE_NONE);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinic API's access token, which every request carries so that the workflow can believe
 * who sent it (README "Requests the workflow can trust"). Entra issues one resource per token:
 * Graph's token fills the form, and this one comes from a refresh-token request of its own,
 * started once the form is filled (never on the redirect → form path) so that it is in hand by
 * the time the person sends. A kiosk drops the patient's refresh token as soon as it has it; a
 * desk asks the staff member's session, which keeps it until it nearly expires. */
#include "mr-visit-private.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-base.h"

/* One kiosk fetch: the waiters are sends that came before the token. */
struct _MrVisitApiFetch {
  MrVisit      *visit;          /* a reference */
  GCancellable *cancellable;    /* the visit's when it began: a wipe cancels it */
  GPtrArray    *waiters;        /* GTask */
};

static void
fetch_free (MrVisitApiFetch *fetch)
{
  g_object_unref (fetch->visit);
  g_object_unref (fetch->cancellable);
  g_ptr_array_unref (fetch->waiters);
  g_free (fetch);
}

static void
return_token (GTask      *task,
              const char *token)
{
  g_task_return_pointer (task, g_strdup (token), (GDestroyNotify) mr_secure_free_string);
}

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  MrVisitApiFetch *fetch = user_data;
  MrVisit *self = fetch->visit;
  MrTokenSet *tokens = NULL;
  g_autoptr(GError) error = NULL;

  tokens = mr_oidc_client_refresh_finish (MR_OIDC_CLIENT (source), result, &error);
  if (self->api_fetch != fetch)
    {
      /* The visit was wiped meanwhile: whatever came back belongs to nobody now. */
      g_clear_error (&error);
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The visit is over");
    }
  else
    {
      self->api_fetch = NULL;
      if (tokens != NULL)
        {
          g_clear_pointer (&self->api_token, mr_secure_free_string);
          self->api_token = g_strdup (tokens->access_token);
          /* Everything this visit still has to do needs Graph's access token (a correction) or
           * this one: the patient's refresh token has no further use on a kiosk, and is not kept
           * a moment longer than needed. */
          if (self->tokens != NULL)
            g_clear_pointer (&self->tokens->refresh_token, mr_secure_free_string);
        }
      else
        {
          /* The send tries again, and says what went wrong then. */
          g_debug ("The clinic API token could not be fetched: %s", error->message);
        }
    }
  for (guint i = 0; i < fetch->waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (fetch->waiters, i);

      if (error == NULL)
        return_token (waiter, self->api_token);
      else
        g_task_return_error (waiter, g_error_copy (error));
    }
  g_clear_pointer (&tokens, _mr_visit_wipe_tokens);
  fetch_free (fetch);
}

/* Starts a kiosk fetch (with @waiter, may be NULL). FALSE with an error when no fetch can be
 * made: the provider gave no refresh token, so the visit has nothing to ask with. */
static gboolean
start_fetch (MrVisit  *self,
             GTask    *waiter,
             GError  **error)
{
  MrVisitApiFetch *fetch;

  if (self->api_fetch != NULL)
    {
      if (waiter != NULL)
        g_ptr_array_add (self->api_fetch->waiters, g_object_ref (waiter));
      return TRUE;
    }
  if (self->tokens == NULL || self->tokens->refresh_token == NULL)
    {
      g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED,
                           _("This sign-in cannot be used to send the request: the sign-in "
                             "service gave no lasting sign-in (offline_access). Ask your "
                             "administrator to check the app's permissions."));
      return FALSE;
    }
  fetch = g_new0 (MrVisitApiFetch, 1);
  fetch->visit = g_object_ref (self);
  fetch->cancellable = g_object_ref (self->cancellable);
  fetch->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  if (waiter != NULL)
    g_ptr_array_add (fetch->waiters, g_object_ref (waiter));
  self->api_fetch = fetch;
  mr_oidc_client_refresh_for_scope_async (self->oidc, self->tokens->refresh_token,
                                          self->config->api_scope, fetch->cancellable,
                                          fetched_cb, fetch);
  return TRUE;
}

static gboolean
at_desk (MrVisit *self)
{
  return self->config->mode != MR_MODE_KIOSK && self->desk != NULL;
}

static gboolean
has_api (MrVisit *self)
{
  return self->config->api_scope != NULL && *self->config->api_scope != '\0';
}

static void
staff_token_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *token = mr_staff_session_get_api_token_finish (MR_STAFF_SESSION (source), result, &error);

  if (token == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, (GDestroyNotify) mr_secret_free);
}

static void
prefetched_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = mr_staff_session_get_api_token_finish (MR_STAFF_SESSION (source),
                                                                  result, &error);

  /* The send asks again, and says what went wrong then. */
  if (token != NULL)
    explicit_bzero (token, strlen (token));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("The staff member's clinic API token could not be fetched: %s", error->message);
}

void
_mr_visit_api_prefetch (MrVisit *self)
{
  g_autoptr(GError) error = NULL;

  if (!has_api (self))
    return;
  if (at_desk (self))
    {
      mr_staff_session_get_api_token_async (_mr_desk_get_staff (self->desk),
                                            self->config->api_scope, self->cancellable,
                                            prefetched_cb, NULL);
      return;
    }
  if (self->api_token != NULL)
    return;
  /* Without a refresh token there is nothing to fetch with; the send says so. */
  if (!start_fetch (self, NULL, &error))
    g_debug ("No clinic API token for this visit: %s", error->message);
}

void
_mr_visit_get_api_token_async (MrVisit             *self,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, _mr_visit_get_api_token_async);
  if (!has_api (self))
    {
      /* No clinic API configured: the request goes with the device's Header Auth only. */
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  if (at_desk (self))
    {
      mr_staff_session_get_api_token_async (_mr_desk_get_staff (self->desk),
                                            self->config->api_scope, self->cancellable,
                                            staff_token_cb, g_steal_pointer (&task));
      return;
    }
  if (self->api_token != NULL)
    {
      return_token (task, self->api_token);
      return;
    }
  /* Not yet in hand, or the fetch after the form failed (the network, say): one more try now,
   * which the send waits for. */
  if (!start_fetch (self, task, &error))
    g_task_return_error (task, error);
}

char *
_mr_visit_get_api_token_finish (MrVisit       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_mr_visit_api_forget (MrVisit *self)
{
  /* A fetch under way finds itself superseded when it ends (its cancellable is the wipe's). */
  self->api_fetch = NULL;
  g_clear_pointer (&self->api_token, mr_secure_free_string);
}

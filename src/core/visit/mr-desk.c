/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The front desk: the staff member's session and what is done with their token. Every operation
 * gets a valid token from the session (refreshed when it is about to expire) and uses it here;
 * the window passes a query or a user id and gets patients back. */
#include "mr-visit-private.h"

#include "mr-graph.h"
#include "mr-identity.h"

struct _MrDesk {
  GObject         parent_instance;

  MrVisit        *visit;        /* borrowed: the visit owns the desk; NULL once it is gone */
  MrStaffSession *staff;
  /* The b2c-extensions-app id Graph gave when the settings had none. */
  char           *found_extensions_app_id;
};

G_DEFINE_FINAL_TYPE (MrDesk, mr_desk, G_TYPE_OBJECT)

/* What an operation needs once it has the token. */
typedef void (*WithToken) (MrDesk     *self,
                           const char *token,
                           GTask      *task);

typedef struct {
  WithToken   then;
  MrLookupKind kind;
  char       *text;             /* the query, or the user id */
  JsonObject *changes;
  gboolean    truncated;
} Op;

static void
op_free (Op *op)
{
  g_free (op->text);
  g_clear_pointer (&op->changes, json_object_unref);
  g_free (op);
}

MrDesk *
_mr_desk_new (MrVisit   *visit,
              GSettings *settings)
{
  MrDesk *self = g_object_new (MR_TYPE_DESK, NULL);

  self->visit = visit;
  self->staff = mr_staff_session_new (visit->oidc, settings);
  mr_staff_session_set_staff_role (self->staff, visit->config->staff_role);
  return self;
}

void
_mr_desk_detach (MrDesk *self)
{
  self->visit = NULL;
}

MrStaffSession *
_mr_desk_get_staff (MrDesk *self)
{
  return self->staff;
}

const char *
_mr_desk_get_found_extensions_app_id (MrDesk *self)
{
  return self->found_extensions_app_id;
}

gboolean
mr_desk_is_signed_in (MrDesk *self)
{
  g_return_val_if_fail (MR_IS_DESK (self), FALSE);

  return mr_staff_session_is_signed_in (self->staff);
}

const char *
mr_desk_get_staff_name (MrDesk *self)
{
  g_return_val_if_fail (MR_IS_DESK (self), NULL);

  return mr_staff_session_get_name (self->staff);
}

void
mr_desk_lock (MrDesk *self)
{
  g_return_if_fail (MR_IS_DESK (self));

  mr_staff_session_lock (self->staff);
}

void
_mr_desk_sign (MrDesk          *self,
               MrRefillRequest *request)
{
  if (!mr_staff_session_is_signed_in (self->staff))
    return;
  g_free (request->submitted_by_id);
  request->submitted_by_id = g_strdup (mr_staff_session_get_id (self->staff));
  g_free (request->submitted_by_name);
  request->submitted_by_name = g_strdup (mr_staff_session_get_name (self->staff));
}

/* ---- With the staff member's token ------------------------------------------------------- */

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrDesk *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = mr_staff_session_get_token_finish (MR_STAFF_SESSION (source), result,
                                                              &error);

  if (token != NULL && self->visit == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The visit is over");
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  op->then (self, token, g_steal_pointer (&task));
}

/* Starts @task (taken, its data an Op) with a valid token. */
static void
with_token (MrDesk *self,
            GTask  *task)
{
  mr_staff_session_get_token_async (self->staff, g_task_get_cancellable (task), token_cb, task);
}

static GTask *
op_task (MrDesk              *self,
         WithToken            then,
         gpointer             source_tag,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  GTask *task = g_task_new (self, self->visit ? self->visit->cancellable : NULL, callback,
                            user_data);
  Op *op = g_new0 (Op, 1);

  op->then = then;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  return task;
}

static void
patched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_graph_patch_profile_finish (result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
patch_with (MrDesk     *self,
            const char *token,
            GTask      *task)
{
  Op *op = g_task_get_task_data (task);
  MrVisit *visit = self->visit;

  mr_graph_patch_profile_async (visit->session, visit->config->graph_url, op->text, op->changes,
                                token, g_task_get_cancellable (task), patched_cb, task);
}

void
_mr_desk_patch_async (MrDesk              *self,
                      const char          *user_id,
                      JsonObject          *changes,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = op_task (self, patch_with, _mr_desk_patch_async, callback, user_data);
  Op *op = g_task_get_task_data (task);

  op->text = g_strdup (user_id);
  op->changes = json_object_ref (changes);
  with_token (self, task);
}

gboolean
_mr_desk_patch_finish (MrDesk        *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GPtrArray *patients = mr_graph_search_users_finish (result, &op->truncated, &error);

  if (patients == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, patients, (GDestroyNotify) g_ptr_array_unref);
}

static void
search_with (MrDesk     *self,
             const char *token,
             GTask      *task)
{
  Op *op = g_task_get_task_data (task);
  MrVisit *visit = self->visit;

  mr_graph_search_users_async (visit->session, visit->config->graph_url,
                               mr_visit_get_extensions_app_id (visit), token, op->kind, op->text,
                               g_task_get_cancellable (task), searched_cb, task);
}

void
mr_desk_search_async (MrDesk              *self,
                      MrLookupKind         kind,
                      const char          *query,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;
  Op *op;

  g_return_if_fail (MR_IS_DESK (self));

  task = op_task (self, search_with, mr_desk_search_async, callback, user_data);
  op = g_task_get_task_data (task);
  op->kind = kind;
  op->text = g_strdup (query);
  with_token (self, task);
}

GPtrArray *
mr_desk_search_finish (MrDesk        *self,
                       GAsyncResult  *result,
                       gboolean      *truncated,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (truncated != NULL)
    *truncated = ((Op *) g_task_get_task_data (G_TASK (result)))->truncated;
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
patient_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrDesk *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  MrPatient *patient = mr_graph_get_user_finish (result, &error);

  if (patient != NULL && self->visit == NULL)
    {
      mr_patient_free (patient);
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The visit is over");
    }
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&self->visit->patient, mr_patient_free);
  self->visit->patient = patient;
  _mr_visit_set_state (self->visit, MR_VISIT_STATE_READY);
  /* While staff and patient go through the form. */
  _mr_visit_api_prefetch (self->visit);
  g_task_return_boolean (task, TRUE);
}

static void
read_with (MrDesk     *self,
           const char *token,
           GTask      *task)
{
  Op *op = g_task_get_task_data (task);
  MrVisit *visit = self->visit;

  mr_graph_get_user_async (visit->session, visit->config->graph_url,
                           mr_visit_get_extensions_app_id (visit), token, op->text,
                           g_task_get_cancellable (task), patient_read_cb, task);
}

void
mr_desk_open_patient_async (MrDesk              *self,
                            const char          *user_id,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MR_IS_DESK (self));
  g_return_if_fail (user_id != NULL);

  task = op_task (self, read_with, mr_desk_open_patient_async, callback, user_data);
  ((Op *) g_task_get_task_data (task))->text = g_strdup (user_id);
  with_token (self, task);
}

gboolean
mr_desk_open_patient_finish (MrDesk        *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- The session ------------------------------------------------------------------------- */

static void
extensions_found_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(MrDesk) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = mr_graph_find_extensions_app_finish (result, &error);

  /* Not allowed (no Application.Read.All) or not found: the ID token's claims remain. */
  if (app_id == NULL)
    {
      g_debug ("the extensions app was not found: %s", error ? error->message : "none");
      return;
    }
  g_free (self->found_extensions_app_id);
  self->found_extensions_app_id = g_steal_pointer (&app_id);
}

static void
extensions_token_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(MrDesk) self = user_data;
  g_autofree char *token = mr_staff_session_get_token_finish (MR_STAFF_SESSION (source), result,
                                                              NULL);

  if (token != NULL && self->visit != NULL)
    mr_graph_find_extensions_app_async (self->visit->session, self->visit->config->graph_url,
                                        token, self->visit->cancellable, extensions_found_cb,
                                        g_object_ref (self));
}

/* The extensions app id was not configured: ask Graph once per staff session (off the path of
 * any patient), so that lookups can select the custom attributes. */
static void
discover_extensions_app (MrDesk *self)
{
  if (mr_visit_get_extensions_app_id (self->visit) != NULL)
    return;
  mr_staff_session_get_token_async (self->staff, self->visit->cancellable, extensions_token_cb,
                                    g_object_ref (self));
}

static void signed_out_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data);

/* Ends the provider's session (@url: its sign-out address, taken), so that the next sign-in asks
 * for a password and the grant behind the refresh token ends. */
static void
end_at_provider (MrDesk *self,
                 char   *url)
{
  g_autofree char *owned = url;
  g_autoptr(SoupMessage) msg = NULL;

  if (owned == NULL || self->visit == NULL || (msg = soup_message_new ("GET", owned)) == NULL)
    return;
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_and_read_async (self->visit->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    signed_out_cb, NULL);
}

gboolean
_mr_desk_begin (MrDesk            *self,
                const MrTokenSet  *tokens,
                GError           **error)
{
  g_autoptr(GError) refused = NULL;
  const MrOidcDiscovery *discovery;

  /* The staff role as the settings say now: the administrator may have changed it. */
  mr_staff_session_set_staff_role (self->staff, self->visit->config->staff_role);
  if (mr_staff_session_begin (self->staff, tokens, &refused))
    {
      discover_extensions_app (self);
      return TRUE;
    }
  /* Not staff: signed out at the provider too, not only here. */
  discovery = mr_oidc_client_get_discovery (self->visit->oidc);
  if (g_error_matches (refused, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF) && discovery != NULL)
    end_at_provider (self, mr_oidc_build_end_session_url (discovery, tokens->id_token, NULL));
  g_propagate_error (error, g_steal_pointer (&refused));
  return FALSE;
}

static void
resumed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrDesk *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!mr_staff_session_resume_finish (MR_STAFF_SESSION (source), result, &error))
    {
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_boolean (task, FALSE);
      return;
    }
  if (self->visit != NULL)
    discover_extensions_app (self);
  g_task_return_boolean (task, TRUE);
}

void
mr_desk_resume_async (MrDesk              *self,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MR_IS_DESK (self));

  task = g_task_new (self, self->visit->cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_desk_resume_async);
  mr_staff_session_set_staff_role (self->staff, self->visit->config->staff_role);
  mr_staff_session_resume_async (self->staff, self->visit->cancellable, resumed_cb, task);
}

gboolean
mr_desk_resume_finish (MrDesk        *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
signed_out_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
}

void
mr_desk_sign_out (MrDesk *self)
{
  g_return_if_fail (MR_IS_DESK (self));

  end_at_provider (self, mr_staff_session_end (self->staff));
}

char *
mr_desk_sign_out_in_browser (MrDesk *self)
{
  g_return_val_if_fail (MR_IS_DESK (self), NULL);

  return mr_staff_session_end (self->staff);
}

static void
mr_desk_finalize (GObject *object)
{
  MrDesk *self = MR_DESK (object);

  g_clear_object (&self->staff);
  g_free (self->found_extensions_app_id);
  G_OBJECT_CLASS (mr_desk_parent_class)->finalize (object);
}

static void
mr_desk_class_init (MrDeskClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_desk_finalize;
}

static void
mr_desk_init (MrDesk *self)
{
}

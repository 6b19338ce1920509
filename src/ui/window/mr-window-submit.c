/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sending: Review's Send hands the request to the outbox, the Done page says what became of it,
 * and (desk) the header counts what still waits. */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "config.h"

#include "mr-delivery.h"
#include "mr-refill.h"
#include "mr-outbox-view.h"
#include "mr-refill-form.h"
#include "mr-visit.h"

/* What the Done page says. Never a patient's data: on a kiosk the next person may read it. */
void
_mr_window_submit_show_done (MrWindow        *self,
                             MrOutboxOutcome  outcome,
                             const char      *detail,
                             const char      *correction_problem)
{
  g_autofree char *description = NULL;
  /* No keyring (a kiosk never asks for one): the outbox keeps requests in memory only, and the
   * page must not promise what a restart would undo. */
  gboolean kept_on_disk = self->outbox == NULL || mr_outbox_get_persistent (self->outbox);

  switch (outcome)
    {
    case MR_OUTBOX_SENT:
      adw_status_page_set_title (self->done_page, _("Request Sent"));
      adw_status_page_set_icon_name (self->done_page, "emblem-ok-symbolic");
      description = g_strdup_printf (_("Your clinic received the request. Reference: %s"), detail);
      break;
    case MR_OUTBOX_SAVED:
      adw_status_page_set_icon_name (self->done_page, "document-save-symbolic");
      if (!kept_on_disk)
        {
          adw_status_page_set_title (self->done_page, _("Waiting to Be Sent"));
          description = g_strdup (_("The clinic's system cannot be reached right now. The request "
                                    "will be sent automatically while this computer stays on; if "
                                    "it is restarted first, the request is lost, so please tell "
                                    "the staff."));
          break;
        }
      adw_status_page_set_title (self->done_page, _("Saved on This Computer"));
      description = g_strdup (_("The clinic's system cannot be reached right now. The request will be "
                                "sent automatically; there is nothing more to do."));
      break;
    case MR_OUTBOX_HELD:
    default:
      adw_status_page_set_title (self->done_page, _("Saved for the Clinic's Staff"));
      adw_status_page_set_icon_name (self->done_page, "dialog-warning-symbolic");
      description = _mr_window_is_kiosk (self)
                    ? g_strdup (kept_on_disk
                                ? _("The clinic's system did not accept the request. It is saved on "
                                    "this computer and the staff will check it.")
                                : _("The clinic's system did not accept the request. Please tell the "
                                    "staff before you leave: this computer cannot keep it after a "
                                    "restart."))
                    : g_strdup_printf (_("The clinic's system did not accept the request: %s It is "
                                         "saved in the Outbox."), detail ? detail : "");
      break;
    }
  if (correction_problem != NULL)
    {
      g_autofree char *both = g_strdup_printf (_("%s Your details in the clinic's directory were "
                                                 "not updated: %s"), description,
                                               correction_problem);

      _mr_window_set_description (self->done_page, both);
      return;
    }
  _mr_window_set_description (self->done_page, description);
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  if (self->sending || mr_visit_get_patient (self->visit) == NULL)
    return;
  request = mr_refill_form_build_request (_mr_window_form (self), self->config->mode);
  if (!mr_refill_request_validate (request, &error))
    {
      mr_refill_form_set_problem (_mr_window_form (self), error->message);
      return;
    }
  self->sending = TRUE;
  gtk_widget_action_set_enabled (widget, "win.submit", FALSE);
  _mr_window_submit (self);
}

static void
outbox_changed_cb (MrWindow *self)
{
  guint waiting = mr_outbox_get_pending_count (self->outbox) + mr_outbox_get_held_count (self->outbox);
  g_autofree char *label = NULL;

  /* A kiosk shows no list of other patients' requests, not even their number; a desk only to
   * a signed-in staff member. */
  gtk_widget_set_visible (self->outbox_button, waiting > 0 && _mr_window_desk_is_signed_in (self)
                                               && !_mr_window_is_kiosk (self));
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Waiting", "%u Waiting", waiting), waiting);
  gtk_button_set_label (GTK_BUTTON (self->outbox_button), label);
}

static void
show_outbox_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);

  /* The Outbox lists patients and their medicines, and can discard: staff only, signed in. */
  if (_mr_window_is_kiosk (self) || self->outbox == NULL || !_mr_window_desk_is_signed_in (self))
    return;
  gtk_window_present (GTK_WINDOW (mr_outbox_view_new (GTK_WINDOW (self), self->outbox)));
}

static void
outbox_opened_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_outbox_open_finish (MR_OUTBOX (source), result, &error))
    g_debug ("the outbox did not open: %s", error->message);
  outbox_changed_cb (self);
}

static void
auth_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MrDeliveryAuth) auth = mr_delivery_auth_load_finish (result, &error);

  /* Newer settings came meanwhile: their own load sets the workflow. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Without a keyring there are no workflow credentials; a workflow that needs them will answer
   * 401/403 and the request is held with that reason. */
  if (error != NULL)
    g_debug ("workflow credentials not loaded: %s", error->message);
  if (self->outbox != NULL && self->config != NULL)
    mr_outbox_set_workflow (self->outbox, self->config->workflow_url, auth);
}

/* The outbox is made once, on the first settings, and opened in the background (it reads the
 * keyring and the saved requests): the first frame never waits for it. */
void
_mr_window_submit_configure (MrWindow *self)
{
  if (self->outbox == NULL)
    {
      if (self->sandbox)
        {
          /* The demo's requests never join the production queue, nor the other way round
           * (the sandbox's sink would take real requests, and they would be lost as sent). */
          g_autofree char *dir = g_build_filename (g_get_user_data_dir (), APP_ID,
                                                   "sandbox-outbox", NULL);

          self->outbox = mr_outbox_new (dir, mr_visit_get_session (self->visit));
        }
      else
        self->outbox = mr_outbox_new_default (mr_visit_get_session (self->visit));
      mr_visit_set_outbox (self->visit, self->outbox);
      g_signal_connect_swapped (self->outbox, "changed", G_CALLBACK (outbox_changed_cb), self);
      mr_outbox_open_async (self->outbox, NULL, outbox_opened_cb, g_object_ref (self));
    }
  /* No address until the credentials are read: a queued request sent before that would go
   * without the Header-Auth value, be refused (401/403) and be held for staff (issue 13). */
  mr_outbox_set_workflow (self->outbox, NULL, NULL);
  g_cancellable_cancel (self->auth_cancellable);
  g_clear_object (&self->auth_cancellable);
  self->auth_cancellable = g_cancellable_new ();
  /* Only the secrets saved for this workflow address come along (issue 13). */
  mr_delivery_auth_load_async (self->config->workflow_url, self->config->workflow_auth_header,
                               self->auth_cancellable, auth_loaded_cb, g_object_ref (self));
}

void
_mr_window_submit_staff_changed (MrWindow *self)
{
  if (self->outbox != NULL)
    outbox_changed_cb (self);
}

void
_mr_window_submit_dispose (MrWindow *self)
{
  g_cancellable_cancel (self->auth_cancellable);
  g_clear_object (&self->auth_cancellable);
  if (self->outbox == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->outbox, self);
  mr_outbox_shutdown (self->outbox);
  g_clear_object (&self->outbox);
}

void
_mr_window_submit_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.show-outbox", NULL, show_outbox_action);
  gtk_widget_class_install_action (widget_class, "win.submit", NULL, submit_action);
}

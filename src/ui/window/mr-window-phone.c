/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sign in with a phone (issue 14 item 4): the OAuth device authorization grant. The kiosk shows a
 * QR code of the provider's verification page and a short user code; the person signs in on
 * their own phone, so no password is typed on the shared screen and no web view (nor the sign-in
 * helper, nor any WebKit process) starts on this path at all. The visit polls the provider; once
 * the person has finished, the same prefilled form as the embedded path follows. */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "mr-base.h"
#include "mr-identity.h"
#include "mr-qr-code.h"
#include "mr-visit.h"

/* Nothing of the code may wait on the page (behind the form, or for the next person). */
static void
clear_page (MrWindow *self)
{
  g_clear_handle_id (&self->phone_tick_id, g_source_remove);
  self->phone_expires_at = 0;
  mr_qr_code_set_text (MR_QR_CODE (self->phone_qr), NULL);
  gtk_label_set_text (self->phone_code, "");
  gtk_label_set_text (self->phone_instruction, "");
  gtk_label_set_text (self->phone_countdown, "");
}

void
_mr_window_phone_stop (MrWindow *self)
{
  clear_page (self);
  if (self->visit != NULL)
    mr_visit_cancel_device_sign_in (self->visit);
}

void
_mr_window_phone_configure (MrWindow *self)
{
  gtk_widget_set_visible (self->phone_sign_in_button,
                          _mr_window_is_kiosk (self) && self->config->device_sign_in);
}

/* "Code expires in 14:32", once a second; at zero the visit's poll ends with "expired". */
static gboolean
tick_cb (gpointer data)
{
  MrWindow *self = data;
  gint64 left_us = self->phone_expires_at - g_get_monotonic_time ();
  guint left = left_us > 0 ? (guint) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
  g_autofree char *text = NULL;

  /* TRANSLATORS: minutes and seconds until the code shown for phone sign-in runs out. */
  text = g_strdup_printf (_("Code expires in %u:%02u"), left / 60, left % 60);
  gtk_label_set_text (self->phone_countdown, text);
  return G_SOURCE_CONTINUE;
}

/* Expired, declined or failed: back to Welcome with the one sentence that says so, everything of
 * the attempt gone. */
static void
back_to_welcome (MrWindow     *self,
                 const GError *error)
{
  _mr_window_wipe (self);
  /* A label's text, never markup: the sentence may carry the provider's words. */
  _mr_window_show_welcome_notice (self, error->message);
}

static void
completed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_visit_complete_device_sign_in_finish (MR_VISIT (source), result, &error))
    {
      /* Cancelled: Cancel, the wipe or the window's end has already moved on. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        back_to_welcome (self, error);
      return;
    }
  clear_page (self);
  mr_trace_mark ("phone-signed-in");
  _mr_window_show_patient (self);
  mr_trace_mark ("form-filled");
}

static void
show_code (MrWindow           *self,
           const MrDeviceCode *code)
{
  g_autofree char *instruction = NULL;

  /* The complete URI carries the code: a scan alone is enough. */
  mr_qr_code_set_text (MR_QR_CODE (self->phone_qr),
                       code->verification_uri_complete != NULL ? code->verification_uri_complete
                                                               : code->verification_uri);
  gtk_label_set_text (self->phone_code, code->user_code);
  instruction = g_strdup_printf (_("Scan the code with your phone’s camera, or go to %s and enter "
                                   "the code."), code->verification_uri);
  gtk_label_set_text (self->phone_instruction, instruction);
  self->phone_expires_at = code->expires_at;
  g_clear_handle_id (&self->phone_tick_id, g_source_remove);
  tick_cb (self);
  self->phone_tick_id = g_timeout_add_seconds (1, tick_cb, self);
  _mr_window_show_page (self, "phone");
}

static void
begun_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MrDeviceCode) code = NULL;

  code = mr_visit_begin_device_sign_in_finish (MR_VISIT (source), result, &error);
  if (code == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        back_to_welcome (self, error);
      return;
    }
  /* Someone tapped Cancel (Start over) while the code was being asked for. */
  if (g_strcmp0 (mr_window_get_page (self), "busy") != 0)
    {
      mr_visit_cancel_device_sign_in (self->visit);
      return;
    }
  show_code (self, code);
  mr_visit_complete_device_sign_in_async (self->visit, completed_cb, g_object_ref (self));
}

static void
begin (MrWindow *self)
{
  /* The provider's own pages are on the person's phone, in its language; passed along anyway. */
  g_autofree char *ui_locales = mr_oidc_ui_locales_from_names (g_get_language_names ());

  _mr_window_show_busy (self, _("Getting a sign-in code…"));
  mr_visit_begin_device_sign_in_async (self->visit, ui_locales, begun_cb, g_object_ref (self));
}

static void
prefetch_then_begin_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_visit_prefetch_finish (MR_VISIT (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        back_to_welcome (self, error);
      return;
    }
  if (g_strcmp0 (mr_window_get_page (self), "busy") == 0)
    begin (self);
}

static void
sign_in_phone_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  mr_trace_mark ("phone-signin-requested");
  if (self->config == NULL || !_mr_window_is_kiosk (self) || !self->config->device_sign_in)
    return;
  if (!mr_config_validate (self->config, &error))
    {
      _mr_window_show_error (self, error);
      return;
    }
  /* No web view on this path: the spare sign-in helper (and its web process) goes now, and a
   * fresh one is started when Welcome is back. */
  _mr_window_signin_drop_spare (self);
  if (mr_visit_is_prefetched (self->visit))
    {
      begin (self);
      return;
    }
  _mr_window_show_busy (self, _("Connecting to the clinic…"));
  mr_visit_prefetch_async (self->visit, prefetch_then_begin_cb, g_object_ref (self));
}

void
_mr_window_phone_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (MR_TYPE_QR_CODE);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, phone_sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, phone_qr);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, phone_code);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, phone_instruction);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, phone_countdown);
  gtk_widget_class_install_action (widget_class, "win.sign-in-phone", NULL, sign_in_phone_action);
}

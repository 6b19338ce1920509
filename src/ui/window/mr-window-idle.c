/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's idle spoke: after the idle timeout without input, "Still there?" with a countdown;
 * "I'm Still Here" keeps everything, the end of the countdown hands over to the hub
 * (_mr_window_idle_expired: a kiosk wipes, a desk locks). */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "config.h"

#include "mr-idle-guard.h"

static void
idle_dialog_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         MrWindow         *self)
{
  self->idle_dialog = NULL;
  if (g_strcmp0 (response, "continue") == 0)
    mr_idle_guard_poke (self->idle_guard);
}

static void
idle_warn_cb (MrIdleGuard *guard,
              guint        seconds,
              MrWindow    *self)
{
  g_autofree char *body = NULL;

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "For your privacy, this screen will be cleared in %u second.",
                                       "For your privacy, this screen will be cleared in %u seconds.",
                                       seconds), seconds);
  if (self->idle_dialog == NULL)
    {
      self->idle_dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                                      _("Still there?"), NULL));
      adw_message_dialog_add_response (self->idle_dialog, "continue", _("_I’m Still Here"));
      adw_message_dialog_set_default_response (self->idle_dialog, "continue");
      adw_message_dialog_set_close_response (self->idle_dialog, "continue");
      g_signal_connect (self->idle_dialog, "response", G_CALLBACK (idle_dialog_response_cb), self);
      gtk_window_present (GTK_WINDOW (self->idle_dialog));
      /* The wipe may come: the next person's helper starts now, so it is up by then. */
      _mr_window_ready_next (self);
    }
  adw_message_dialog_set_body (self->idle_dialog, body);
}

static void
idle_expired_cb (MrIdleGuard *guard,
                 MrWindow    *self)
{
  _mr_window_idle_expired (self);
}

void
_mr_window_idle_close_warning (MrWindow *self)
{
  GtkWindow *dialog;

  if (self->idle_dialog == NULL)
    return;
  /* A response alone leaves the dialog open: the next patient would find "Still there?" over
   * Welcome (seen on cage, tests/kiosk-wayland). */
  dialog = GTK_WINDOW (self->idle_dialog);
  adw_message_dialog_response (self->idle_dialog, "continue");
  gtk_window_destroy (dialog);
}

/* Input in the sign-in helper's window, which the guard does not see: "Still there?" waits, or
 * goes away. */
void
_mr_window_idle_poke (MrWindow *self)
{
  mr_idle_guard_poke (self->idle_guard);
}

void
_mr_window_idle_init (MrWindow *self)
{
  self->idle_guard = mr_idle_guard_new (GTK_WINDOW (self));
  g_signal_connect (self->idle_guard, "warn", G_CALLBACK (idle_warn_cb), self);
  g_signal_connect (self->idle_guard, "expired", G_CALLBACK (idle_expired_cb), self);
  /* Input during the warning (in either window) takes "Still there?" away. */
  g_signal_connect_swapped (self->idle_guard, "resumed",
                            G_CALLBACK (_mr_window_idle_close_warning), self);
}

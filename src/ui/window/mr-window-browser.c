/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sign-in in the system browser (sign-in-browser = system), as RFC 8252 prefers: for
 * workstations where passkeys, security keys or Conditional Access need a real browser. The
 * authorize URL opens in the default browser (through the OpenURI portal inside Flatpak) and the
 * redirect comes back to the visit's listener on 127.0.0.1. Sign Out opens the provider's
 * sign-out address there too: that browser holds the provider's session. */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "mr-identity.h"
#include "mr-visit.h"

enum {
  SIGNAL_OPEN_URI,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
callback_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  /* One callback per sign-in: the visit closes the port now. */
  uri = mr_visit_wait_for_browser_finish (MR_VISIT (source), result, &error);
  if (uri == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _mr_window_show_error (self, error);
      return;
    }
  gtk_window_present (GTK_WINDOW (self));
  _mr_window_complete_sign_in (self, uri);
}

static void
launched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autoptr(GError) shown = g_error_new (MR_OIDC_ERROR, MR_OIDC_ERROR_CONFIG,
                                             _("No web browser could be opened for the sign-in. "
                                               "Ask your administrator to install one, or to use the "
                                               "built-in sign-in page."));

      g_debug ("opening the browser failed: %s", error->message);
      mr_visit_stop_browser (self->visit);
      _mr_window_show_error (self, shown);
    }
}

/* The session here has ended anyway; the one in the browser is left to the person. */
static void
sign_out_launched_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_app_info_launch_default_for_uri_finish (result, &error))
    return;
  g_debug ("opening the browser to sign out failed: %s", error->message);
  if (g_strcmp0 (mr_window_get_page (self), "welcome") == 0)
    _mr_window_show_welcome_notice (self,
                                    _("The web browser could not be opened to end your sign-in "
                                      "there. Close every browser window before you leave the "
                                      "desk."));
}

/* The default handler of ::open-uri: the desktop's browser (through the OpenURI portal inside
 * Flatpak). GtkUriLauncher is newer than GTK 4.8. */
static gboolean
open_uri (MrWindow   *self,
          const char *uri)
{
  g_autoptr(GAppLaunchContext) context =
    G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self))));

  g_app_info_launch_default_for_uri_async (uri, context, NULL,
                                           self->browser_signing_out ? sign_out_launched_cb
                                                                     : launched_cb,
                                           g_object_ref (self));
  return TRUE;
}

/* The address holds the ID token as id_token_hint, as RP-initiated logout asks: it goes to the
 * browser and nowhere else (never to a log). */
void
_mr_window_browser_sign_out (MrWindow   *self,
                             const char *url)
{
  gboolean handled = FALSE;

  self->browser_signing_out = TRUE;
  g_signal_emit (self, signals[SIGNAL_OPEN_URI], 0, url, &handled);
  self->browser_signing_out = FALSE;
}

void
_mr_window_browser_open (MrWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ui_locales = mr_oidc_ui_locales_from_names (g_get_language_names ());
  g_autofree char *url = mr_visit_begin_sign_in (self->visit, TRUE, ui_locales, &error);
  gboolean handled = FALSE;

  if (url == NULL)
    {
      _mr_window_show_error (self, error);
      return;
    }
  mr_visit_wait_for_browser_async (self->visit, callback_cb, g_object_ref (self));
  /* Set here, not at start: see _mr_window_show_error(). */
  adw_status_page_set_icon_name (self->browser_page, "web-browser-symbolic");
  _mr_window_show_page (self, "browser");
  g_signal_emit (self, signals[SIGNAL_OPEN_URI], 0, url, &handled);
}

void
_mr_window_browser_class_init (MrWindowClass *klass)
{
  /* ::open-uri (uri) → handled: opens the sign-in address, or at Sign Out the provider's
   * sign-out address; the default handler uses the desktop's browser, a test can stand in for
   * it. */
  signals[SIGNAL_OPEN_URI] = g_signal_new_class_handler ("open-uri", G_TYPE_FROM_CLASS (klass),
                                                         G_SIGNAL_RUN_LAST, G_CALLBACK (open_uri),
                                                         g_signal_accumulator_true_handled, NULL,
                                                         NULL, G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
}

void
_mr_window_browser_init (MrWindow *self)
{
  GtkWidget *page = adw_status_page_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

  adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Continue in Your Web Browser"));
  _mr_window_set_description (ADW_STATUS_PAGE (page),
                              _("Sign in in the browser window that opened. This page moves on by "
                                "itself when you are done."));
  gtk_widget_set_halign (cancel, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (cancel, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "win.cancel-sign-in");
  adw_status_page_set_child (ADW_STATUS_PAGE (page), cancel);
  gtk_stack_add_named (self->stack, page, "browser");
  self->browser_page = ADW_STATUS_PAGE (page);
}

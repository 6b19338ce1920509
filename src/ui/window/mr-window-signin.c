/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sign-in page: the spare sign-in helper started while Welcome is up, the embedded page in
 * the helper's window and the captured redirect, which the hub hands to the visit. The system
 * browser's way in is mr-window-browser.c. */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "mr-base.h"
#include "mr-identity.h"
#include "mr-signin-helper.h"
#include "mr-visit.h"

/* Ends the helper in @slot (the one on screen or the spare), if any, and forgets it. */
static void
drop_helper (MrWindow        *self,
             MrSigninHelper **slot)
{
  if (*slot == NULL)
    return;
  g_signal_handlers_disconnect_by_data (*slot, self);
  mr_signin_helper_shutdown (*slot);
  g_clear_object (slot);
}

void
_mr_window_signin_drop_view (MrWindow *self)
{
  drop_helper (self, &self->signin);
}

void
_mr_window_signin_drop_spare (MrWindow *self)
{
  drop_helper (self, &self->spare);
}

/* A spare helper that ended by itself (it could not start, or died) is replaced when needed. */
static void
spare_failed_cb (MrSigninHelper *helper,
                 const char     *message,
                 MrWindow       *self)
{
  g_debug ("the spare sign-in helper ended: %s", message);
  _mr_window_signin_drop_spare (self);
}

void
_mr_window_signin_make_spare (MrWindow *self)
{
  if (self->spare != NULL || self->config == NULL || _mr_window_uses_system_browser (self))
    return;
  self->spare = mr_signin_helper_new (self->config->redirect_uri, _mr_window_is_kiosk (self));
  g_signal_connect (self->spare, "failed", G_CALLBACK (spare_failed_cb), self);
}

static void
prefetch_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A failure here is not shown: signing in retries and says what went wrong then. */
  if (!mr_visit_prefetch_finish (MR_VISIT (source), result, &error))
    g_debug ("prefetching the sign-in configuration failed: %s", error->message);
}

static void
redirect_cb (MrSigninHelper *helper,
             const char     *uri,
             MrWindow       *self)
{
  mr_trace_mark ("redirect-captured");
  /* The helper has done its job: it ends, and WebKit with it. */
  _mr_window_signin_drop_view (self);
  _mr_window_complete_sign_in (self, uri);
}

static void
signin_failed_cb (MrSigninHelper *helper,
                  const char     *message,
                  MrWindow       *self)
{
  _mr_window_signin_drop_view (self);
  /* The page's failures are loads that did not complete (network, TLS): worth another try. */
  _mr_window_show_error_message (self, MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK, message);
}

/* Cancel in the sign-in window: as Cancel on the main window's sign-in page. */
static void
signin_cancelled_cb (MrSigninHelper *helper,
                     MrWindow       *self)
{
  _mr_window_start_over (self);
}

/* A startup id (X11) or activation token (Wayland) from the window that has the focus, so that
 * the sign-in window, from another process, may take it over. NULL when the desktop has none. */
static char *
activation_token (MrWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  g_autoptr(GdkAppLaunchContext) context = gdk_display_get_app_launch_context (display);
  g_autoptr(GAppInfo) info = g_app_info_create_from_commandline ("medrefill-signin",
                                                                 _("Sign In — Medication Refill"),
                                                                 G_APP_INFO_CREATE_NONE, NULL);

  if (info == NULL)
    return NULL;
  return g_app_launch_context_get_startup_notify_id (G_APP_LAUNCH_CONTEXT (context), info, NULL);
}

/* The page may visit the provider's hosts and the administrator's list; nothing else. */
void
_mr_window_signin_open (MrWindow *self)
{
  /* The provider's page in the language the person reads the app in (issue 14 item 5). */
  g_autofree char *ui_locales = mr_oidc_ui_locales_from_names (g_get_language_names ());
  g_autofree char *url = mr_visit_begin_sign_in (self->visit, FALSE, ui_locales, NULL);
  g_auto(GStrv) hosts = mr_visit_dup_sign_in_hosts (self->visit);
  g_autofree char *token = NULL;

  _mr_window_signin_drop_view (self);
  _mr_window_signin_make_spare (self);
  g_signal_handlers_disconnect_by_data (self->spare, self);
  self->signin = g_steal_pointer (&self->spare);
  g_signal_connect (self->signin, "redirect", G_CALLBACK (redirect_cb), self);
  g_signal_connect (self->signin, "failed", G_CALLBACK (signin_failed_cb), self);
  g_signal_connect (self->signin, "cancelled", G_CALLBACK (signin_cancelled_cb), self);
  g_signal_connect_swapped (self->signin, "activity", G_CALLBACK (_mr_window_idle_poke), self);
  _mr_window_show_page (self, "signin");
  token = activation_token (self);
  mr_signin_helper_open (self->signin, url, (const char * const *) hosts, token);
}

static void
prefetch_then_sign_in_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_visit_prefetch_finish (MR_VISIT (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _mr_window_show_error (self, error);
      return;
    }
  _mr_window_open_sign_in (self);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  mr_trace_mark ("signin-requested");
  if (self->config == NULL)
    {
      _mr_window_show_error_message (self, MR_OIDC_ERROR, MR_OIDC_ERROR_RETRY,
                          _("The app is still starting. Try again in a moment."));
      return;
    }
  if (!mr_config_validate (self->config, &error))
    {
      _mr_window_show_error (self, error);
      return;
    }
  /* Normally the provider's configuration was fetched while Welcome was up: open at once. */
  if (mr_visit_is_prefetched (self->visit))
    {
      _mr_window_open_sign_in (self);
      return;
    }
  _mr_window_show_busy (self, _("Connecting to the clinic…"));
  mr_visit_prefetch_async (self->visit, prefetch_then_sign_in_cb, g_object_ref (self));
}

MrSigninHelper *
mr_window_get_signin_helper (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  return self->signin;
}

/* Everything the sign-in needs that can be had before the user taps Sign in: the provider's
 * configuration and keys, and a spare helper with its web process running. */
void
_mr_window_signin_configure (MrWindow *self)
{
  if (mr_config_validate (self->config, NULL))
    mr_visit_prefetch_async (self->visit, prefetch_cb, NULL);
  /* A kiosk's and a desk's helper windows differ (full screen or not): start afresh. */
  _mr_window_signin_drop_spare (self);
  if (g_strcmp0 (mr_window_get_page (self), "welcome") == 0)
    _mr_window_signin_make_spare (self);
}

void
_mr_window_signin_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_action);
}

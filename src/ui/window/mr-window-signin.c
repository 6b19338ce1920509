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

/* A kiosk's turnaround, and what of one person a sign-in helper may have seen.
 *
 * The helper that showed a patient's sign-in page ends when the redirect is captured (redirect_cb),
 * so nothing of theirs is alive while they fill the form, and no spare is kept there either (a
 * spare is a GTK process with WebKit's web and network processes: it would triple what the form
 * costs). The next person's spare is started when the visit is ending (the Done page, or "Still
 * there?" over the form: _mr_window_ready_next()), a fresh process with a fresh ephemeral network
 * session, after the patient's helper ended: it has seen nobody, only about:blank, so it survives
 * the wipe that follows and is ready when Welcome comes back.
 *
 * On Welcome a kiosk's spare then preloads the next person's page: a new sign-in attempt (state,
 * nonce, PKCE: per attempt, never per person) whose authorize URL loads with the window hidden, so
 * that tapping Sign in only maps a window whose page is already painted. Such a spare carries
 * that attempt, which is for whoever taps next and for nobody else: the wipe drops it with the
 * visit's attempt (_mr_window_signin_wipe), Cancel and every other way back to Welcome wipe, a
 * spare used once is never a spare again, and one left unused is replaced, process and all, after
 * MR_SIGNIN_PRELOAD_MAX_AGE_MS (Entra's page holds a flow token that expires within minutes).
 * Nothing of this at a desk: its spare stays on about:blank until Sign in. */

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

/* The spare is forgotten or promoted: whatever it preloaded goes with it. */
static void
forget_preload (MrWindow *self)
{
  g_clear_handle_id (&self->spare_refresh_id, g_source_remove);
  self->spare_preloaded = FALSE;
  self->spare_ready = FALSE;
}

void
_mr_window_signin_drop_spare (MrWindow *self)
{
  forget_preload (self);
  drop_helper (self, &self->spare);
}

void
_mr_window_signin_wipe (MrWindow *self)
{
  _mr_window_signin_drop_view (self);
  /* A preloaded page belongs to the attempt the wipe just dropped from the visit. A spare still on
   * about:blank has seen nobody and stays. */
  if (self->spare_preloaded)
    _mr_window_signin_drop_spare (self);
}

static gboolean
spare_retry_cb (gpointer data)
{
  MrWindow *self = data;

  self->spare_retry_id = 0;
  _mr_window_signin_prepare (self);
  return G_SOURCE_REMOVE;
}

/* A spare helper that ended by itself (it could not start, or died, or its preloaded page could
 * not load) is replaced, on Welcome, after a pause that doubles up to five minutes while it keeps
 * failing: not at once, which would start helper after helper while the network is down. Sign in
 * meanwhile starts one of its own and says what is wrong. */
static void
spare_failed_cb (MrSigninHelper *helper,
                 const char     *message,
                 MrWindow       *self)
{
  g_debug ("the spare sign-in helper ended: %s", message);
  _mr_window_signin_drop_spare (self);
  self->spare_retry_s = CLAMP (self->spare_retry_s * 2, 2, 300);
  g_clear_handle_id (&self->spare_retry_id, g_source_remove);
  self->spare_retry_id = g_timeout_add_seconds (self->spare_retry_s, spare_retry_cb, self);
}

/* The provider sent a preloaded page, which nobody has seen, straight to the redirect URI (an
 * error it reports that way): that answer is for nobody. The helper has ended; Sign in starts
 * afresh and shows whatever the provider says then. */
static void
spare_redirect_cb (MrSigninHelper *helper,
                   const char     *uri,
                   MrWindow       *self)
{
  g_debug ("a preloaded sign-in page ended at the redirect URI before anyone saw it");
  _mr_window_signin_drop_spare (self);
}

static void
spare_preloaded_cb (MrSigninHelper *helper,
                    MrWindow       *self)
{
  self->spare_ready = TRUE;
  self->spare_retry_s = 0;
  /* bench/kiosk-sessions.sh: the wipe → the next person's page ready. */
  if (g_strcmp0 (mr_window_get_page (self), "welcome") == 0)
    mr_trace_mark ("signin-spare-ready");
}

void
_mr_window_signin_make_spare (MrWindow *self)
{
  /* Never beside a helper on screen: the next person's is started only once the last one's
   * has ended. */
  if (self->spare != NULL || self->signin != NULL || self->config == NULL ||
      _mr_window_uses_system_browser (self))
    return;
  self->spare = mr_signin_helper_new (self->config->redirect_uri, _mr_window_is_kiosk (self));
  g_signal_connect (self->spare, "failed", G_CALLBACK (spare_failed_cb), self);
  g_signal_connect (self->spare, "redirect", G_CALLBACK (spare_redirect_cb), self);
  g_signal_connect (self->spare, "preloaded", G_CALLBACK (spare_preloaded_cb), self);
}

/* A new attempt's authorize URL, with the provider's page in the language the person reads the
 * app in (issue 14 item 5). */
static char *
begin_attempt (MrWindow *self)
{
  g_autofree char *ui_locales = mr_oidc_ui_locales_from_names (g_get_language_names ());

  return mr_visit_begin_sign_in (self->visit, FALSE, ui_locales, NULL);
}

static gboolean
preload_expired_cb (gpointer data)
{
  MrWindow *self = data;

  self->spare_refresh_id = 0;
  g_debug ("the preloaded sign-in page is too old: a new one in a new helper");
  _mr_window_signin_drop_spare (self);
  _mr_window_signin_prepare (self);
  return G_SOURCE_REMOVE;
}

void
_mr_window_signin_prepare (MrWindow *self)
{
  g_autofree char *url = NULL;
  g_auto(GStrv) hosts = NULL;

  if (g_strcmp0 (mr_window_get_page (self), "welcome") != 0)
    return;
  _mr_window_signin_make_spare (self);
  if (self->spare == NULL || self->spare_preloaded || !mr_signin_helper_is_running (self->spare)
      || !_mr_window_is_kiosk (self) || !mr_visit_is_prefetched (self->visit))
    return;
  url = begin_attempt (self);
  hosts = mr_visit_dup_sign_in_hosts (self->visit);
  mr_signin_helper_preload (self->spare, url, (const char * const *) hosts);
  self->spare_preloaded = TRUE;
  self->spare_preloaded_at = g_get_real_time ();
  self->spare_refresh_id = g_timeout_add (self->preload_max_age_ms, preload_expired_cb, self);
}

/* TRUE when the spare holds the visit's current attempt and it is young enough to be shown (the
 * timer replaces an old one, but a machine that slept may not have run it yet). */
static gboolean
preload_usable (MrWindow *self)
{
  return self->spare != NULL && self->spare_preloaded && mr_signin_helper_is_running (self->spare)
         && g_get_real_time () - self->spare_preloaded_at < (gint64) self->preload_max_age_ms * 1000;
}

static void
prefetch_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* A failure here is not shown: signing in retries and says what went wrong then. */
  if (!mr_visit_prefetch_finish (MR_VISIT (source), result, &error))
    {
      g_debug ("prefetching the sign-in configuration failed: %s", error->message);
      return;
    }
  _mr_window_signin_prepare (self);
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

/* The page may visit the provider's hosts and the administrator's list; nothing else. A kiosk's
 * preloaded page is only shown; otherwise a new attempt loads in the spare (started now if none
 * waits). */
void
_mr_window_signin_open (MrWindow *self)
{
  gboolean preloaded;
  g_autofree char *token = NULL;

  _mr_window_signin_drop_view (self);
  preloaded = preload_usable (self);
  if (!preloaded && self->spare_preloaded)
    _mr_window_signin_drop_spare (self);  /* too old, or its helper is gone */
  _mr_window_signin_make_spare (self);
  forget_preload (self);
  g_signal_handlers_disconnect_by_data (self->spare, self);
  self->signin = g_steal_pointer (&self->spare);
  g_signal_connect (self->signin, "redirect", G_CALLBACK (redirect_cb), self);
  g_signal_connect (self->signin, "failed", G_CALLBACK (signin_failed_cb), self);
  g_signal_connect (self->signin, "cancelled", G_CALLBACK (signin_cancelled_cb), self);
  g_signal_connect_swapped (self->signin, "activity", G_CALLBACK (_mr_window_idle_poke), self);
  _mr_window_show_page (self, "signin");
  token = activation_token (self);
  if (preloaded)
    {
      mr_signin_helper_show (self->signin, token);
    }
  else
    {
      g_autofree char *url = begin_attempt (self);
      g_auto(GStrv) hosts = mr_visit_dup_sign_in_hosts (self->visit);

      mr_signin_helper_open (self->signin, url, (const char * const *) hosts, token);
    }
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

gboolean
mr_window_get_next_signin_ready (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), FALSE);

  return self->spare_ready && g_strcmp0 (mr_window_get_page (self), "welcome") == 0;
}

void
mr_window_set_signin_preload_max_age (MrWindow *self,
                                      guint     max_age_ms)
{
  g_return_if_fail (MR_IS_WINDOW (self));
  g_return_if_fail (max_age_ms > 0);

  self->preload_max_age_ms = max_age_ms;
  /* The page waiting now gets the new lifetime too, from now. */
  if (self->spare_refresh_id != 0)
    {
      g_source_remove (self->spare_refresh_id);
      self->spare_preloaded_at = g_get_real_time ();
      self->spare_refresh_id = g_timeout_add (max_age_ms, preload_expired_cb, self);
    }
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
    mr_visit_prefetch_async (self->visit, prefetch_cb, g_object_ref (self));
  /* A kiosk's and a desk's helper windows differ (full screen or not), and a preloaded page was
   * made from the old settings: start afresh. */
  _mr_window_signin_drop_spare (self);
  _mr_window_signin_prepare (self);
}

void
_mr_window_signin_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_action);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sign-in of a visit: the spare sign-in helper started while Welcome is up, the embedded page
 * in the helper's window, the captured redirect, the code exchange and the one Graph call that
 * fills the form. The system browser's way in is mr-window-browser.c. */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "mr-graph.h"
#include "mr-identity.h"
#include "mr-signin-helper.h"
#include "mr-base.h"

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
mr_window_signin_drop_view (MrWindow *self)
{
  drop_helper (self, &self->signin);
}

void
mr_window_signin_drop_spare (MrWindow *self)
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
  mr_window_signin_drop_spare (self);
}

void
mr_window_signin_make_spare (MrWindow *self)
{
  if (self->spare != NULL || self->config == NULL || mr_window_uses_system_browser (self))
    return;
  self->spare = mr_signin_helper_new (self->config->redirect_uri, mr_window_is_kiosk (self));
  g_signal_connect (self->spare, "failed", G_CALLBACK (spare_failed_cb), self);
}

static void
prefetch_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A failure here is not shown: signing in retries and says what went wrong then. */
  if (!mr_oidc_client_prefetch_finish (MR_OIDC_CLIENT (source), result, &error))
    g_debug ("prefetching the sign-in configuration failed: %s", error->message);
}

static void
graph_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MrPatient) patient = mr_graph_get_me_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (patient == NULL)
    {
      mr_window_show_error (self, error);
      return;
    }
  /* Custom attributes Graph did not give (no extensions app id, or not selected) may still be
   * in the ID token's claims, if the administrator mapped them there. */
  if (self->tokens != NULL && self->tokens->claims != NULL)
    g_strfreev (mr_patient_fill_from_claims (patient, self->tokens->claims,
                                             mr_window_extensions_app_id (self)));
  self->patient = g_steal_pointer (&patient);
  mr_refill_form_set_patient (mr_window_form (self), self->patient);
  mr_window_show_page (self, "form");
  mr_trace_mark ("form-filled");
}

static void
exchange_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  MrTokenSet *tokens = mr_oidc_client_exchange_code_finish (MR_OIDC_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_pointer (&self->auth_request, mr_auth_request_free);
  if (tokens == NULL)
    {
      mr_window_show_error (self, error);
      return;
    }
  if (!mr_window_is_kiosk (self))
    {
      /* At a desk the one who signed in is the staff member, who now looks a patient up. */
      mr_window_desk_begin (self, tokens);
      mr_token_set_free (tokens);
      return;
    }
  self->tokens = tokens;
  mr_graph_get_me_async (self->session, self->config->graph_url, mr_window_extensions_app_id (self),
                         self->tokens->access_token, self->cancellable, graph_cb,
                         g_object_ref (self));
}

void
mr_window_complete_sign_in (MrWindow   *self,
                            const char *redirect_uri,
                            const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  code = mr_oidc_parse_callback (redirect_uri, uri, self->auth_request->state, &error);
  if (code == NULL)
    {
      if (g_error_matches (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CANCELLED))
        {
          mr_window_start_over (self);
        }
      else
        mr_window_show_error (self, error);
      return;
    }
  gtk_label_set_text (self->busy_label, _("Getting your details…"));
  mr_window_show_page (self, "busy");
  mr_oidc_client_exchange_code_async (self->oidc, self->auth_request, code, self->cancellable,
                                      exchange_cb, g_object_ref (self));
}

static void
redirect_cb (MrSigninHelper *helper,
             const char     *uri,
             MrWindow       *self)
{
  mr_trace_mark ("redirect-captured");
  /* The helper has done its job: it ends, and WebKit with it. */
  mr_window_signin_drop_view (self);
  mr_window_complete_sign_in (self, self->config->redirect_uri, uri);
}

static void
signin_failed_cb (MrSigninHelper *helper,
                  const char     *message,
                  MrWindow       *self)
{
  mr_window_signin_drop_view (self);
  /* The page's failures are loads that did not complete (network, TLS): worth another try. */
  mr_window_show_error_message (self, MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK, message);
}

/* Cancel in the sign-in window: as Cancel on the main window's sign-in page. */
static void
signin_cancelled_cb (MrSigninHelper *helper,
                     MrWindow       *self)
{
  mr_window_start_over (self);
}

/* The page may visit the provider's hosts (from its discovery document: sign-in, token, sign-out
 * and issuer may live on different hosts) and the administrator's list; nothing else. */
static GStrv
provider_hosts (MrWindow              *self,
                const MrOidcDiscovery *discovery)
{
  const char *urls[] = {
    discovery->authorization_endpoint, discovery->token_endpoint,
    discovery->end_session_endpoint, discovery->issuer,
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GUri) uri = urls[i] ? g_uri_parse (urls[i], G_URI_FLAGS_NONE, NULL) : NULL;

      if (uri != NULL && g_uri_get_host (uri) != NULL)
        g_strv_builder_add (builder, g_uri_get_host (uri));
    }
  g_strv_builder_addv (builder, (const char **) self->config->sign_in_hosts);
  return g_strv_builder_end (builder);
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

static void
open_signin_page (MrWindow *self)
{
  const MrOidcDiscovery *discovery = mr_oidc_client_get_discovery (self->oidc);
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *ui_locales = NULL;
  g_auto(GStrv) hosts = NULL;

  g_clear_pointer (&self->auth_request, mr_auth_request_free);
  self->auth_request = mr_auth_request_new ();
  if (mr_window_uses_system_browser (self))
    {
      mr_window_browser_open (self);
      return;
    }
  /* The provider's page in the language the patient reads the app in (issue 14 item 5). */
  ui_locales = mr_oidc_ui_locales_from_names (g_get_language_names ());
  url = mr_oidc_build_authorize_url_full (discovery, self->config, self->auth_request, "login",
                                          NULL, ui_locales);

  hosts = provider_hosts (self, discovery);

  mr_window_signin_drop_view (self);
  mr_window_signin_make_spare (self);
  g_signal_handlers_disconnect_by_data (self->spare, self);
  self->signin = g_steal_pointer (&self->spare);
  g_signal_connect (self->signin, "redirect", G_CALLBACK (redirect_cb), self);
  g_signal_connect (self->signin, "failed", G_CALLBACK (signin_failed_cb), self);
  g_signal_connect (self->signin, "cancelled", G_CALLBACK (signin_cancelled_cb), self);
  mr_window_show_page (self, "signin");
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

  if (!mr_oidc_client_prefetch_finish (MR_OIDC_CLIENT (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        mr_window_show_error (self, error);
      return;
    }
  open_signin_page (self);
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
      mr_window_show_error_message (self, MR_OIDC_ERROR, MR_OIDC_ERROR_RETRY,
                          _("The app is still starting. Try again in a moment."));
      return;
    }
  if (!mr_config_validate (self->config, &error))
    {
      mr_window_show_error (self, error);
      return;
    }
  /* Normally the provider's configuration was fetched while Welcome was up: open at once. */
  if (mr_oidc_client_get_discovery (self->oidc) != NULL)
    {
      open_signin_page (self);
      return;
    }
  gtk_label_set_text (self->busy_label, _("Connecting to the clinic…"));
  mr_window_show_page (self, "busy");
  mr_oidc_client_prefetch_async (self->oidc, self->cancellable, prefetch_then_sign_in_cb,
                                 g_object_ref (self));
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
mr_window_signin_configure (MrWindow *self)
{
  if (mr_config_validate (self->config, NULL))
    mr_oidc_client_prefetch_async (self->oidc, self->cancellable, prefetch_cb, NULL);
  /* A kiosk's and a desk's helper windows differ (full screen or not): start afresh. */
  mr_window_signin_drop_spare (self);
  if (g_strcmp0 (mr_window_get_page (self), "welcome") == 0)
    mr_window_signin_make_spare (self);
}

void
mr_window_signin_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_action);
}

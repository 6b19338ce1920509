/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "config.h"

#include "mr-delivery.h"
#include "mr-graph.h"
#include "mr-fhir.h"
#include "mr-idle-guard.h"
#include "mr-outbox.h"
#include "mr-outbox-view.h"
#include "mr-oidc.h"
#include "mr-refill-form.h"
#include "mr-signin-module.h"
#include "mr-trace.h"

G_DEFINE_FINAL_TYPE (MrWindow, mr_window, ADW_TYPE_APPLICATION_WINDOW)

const char *
mr_window_extensions_app_id (MrWindow *self)
{
  if (self->config != NULL && self->config->extensions_app_id != NULL &&
      *self->config->extensions_app_id != '\0')
    return self->config->extensions_app_id;
  return self->found_extensions_app_id;
}

gboolean
mr_window_is_kiosk (MrWindow *self)
{
  return self->config != NULL && self->config->mode == MR_MODE_KIOSK;
}

static gboolean done_return_cb (gpointer data);

void
mr_window_show_page (MrWindow   *self,
                     const char *name)
{
  gboolean in_visit = g_str_equal (name, "form") || g_str_equal (name, "busy");

  gtk_stack_set_visible_child_name (self->stack, name);
  /* A kiosk always shows the way out of a visit, even on the sign-in and error pages. */
  gtk_widget_set_visible (self->start_over_button,
                          in_visit || (mr_window_is_kiosk (self) && !g_str_equal (name, "welcome")));
  gtk_spinner_set_spinning (self->spinner, g_str_equal (name, "busy"));
  /* Someone may walk away from any page but Welcome; nothing of theirs may wait for the next (a
   * kiosk wipes, a desk locks behind a new sign-in). */
  mr_idle_guard_set_active (self->idle_guard,
                            !g_str_equal (name, "welcome") &&
                            (mr_window_is_kiosk (self) ||
                             (self->staff != NULL && mr_staff_session_is_signed_in (self->staff))));
  g_clear_handle_id (&self->done_return_id, g_source_remove);
  if (mr_window_is_kiosk (self) && g_str_equal (name, "done"))
    self->done_return_id = g_timeout_add (self->done_return_ms, done_return_cb, self);
}

typedef enum {
  RETRY_NONE,          /* someone must change the setup first */
  RETRY_TRY_AGAIN,     /* a passing problem */
  RETRY_SIGN_IN_AGAIN, /* this sign-in is over; a new one will do */
} RetryKind;

static RetryKind
retry_kind (const GError *error)
{
  if (error->domain == MR_OIDC_ERROR)
    switch ((MrOidcError) error->code)
      {
      case MR_OIDC_ERROR_CONFIG:
      case MR_OIDC_ERROR_ID_TOKEN:
        return RETRY_NONE;
      case MR_OIDC_ERROR_EXPIRED:
      case MR_OIDC_ERROR_INTERACTION:
      case MR_OIDC_ERROR_PASSWORD_RESET:
      case MR_OIDC_ERROR_STATE:
      case MR_OIDC_ERROR_CALLBACK:
      case MR_OIDC_ERROR_CANCELLED:
        return RETRY_SIGN_IN_AGAIN;
      default:
        return RETRY_TRY_AGAIN;
      }
  if (error->domain == MR_GRAPH_ERROR)
    switch ((MrGraphError) error->code)
      {
      case MR_GRAPH_ERROR_FORBIDDEN:
        return RETRY_NONE;
      case MR_GRAPH_ERROR_UNAUTHORIZED:
        return RETRY_SIGN_IN_AGAIN;
      default:
        return RETRY_TRY_AGAIN;
      }
  if (error->domain == MR_CONFIG_ERROR)
    return RETRY_NONE;
  return RETRY_TRY_AGAIN;
}

/* One sentence of what happened and what to do, and the one button that fits. */
void
mr_window_show_error (MrWindow     *self,
                      const GError *error)
{
  RetryKind kind = retry_kind (error);

  adw_status_page_set_title (self->error_page,
                             kind == RETRY_NONE ? _("The app cannot sign in yet")
                             : kind == RETRY_SIGN_IN_AGAIN ? _("Please sign in again")
                             : _("Something went wrong"));
  adw_status_page_set_description (self->error_page, error->message);
  /* Icons of pages not on screen are set when shown: a large symbolic icon is an SVG, and
   * loading the SVG renderer is work the first frame should not wait for. */
  adw_status_page_set_icon_name (self->error_page, "dialog-warning-symbolic");
  gtk_widget_set_visible (self->retry_button, kind != RETRY_NONE);
  gtk_button_set_label (GTK_BUTTON (self->retry_button),
                        kind == RETRY_SIGN_IN_AGAIN ? _("_Sign In Again") : _("_Try Again"));
  mr_window_show_page (self, "error");
}

static void
show_error_message (MrWindow   *self,
                    GQuark      domain,
                    int         code,
                    const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (domain, code, message);

  mr_window_show_error (self, error);
}

static void
drop_signin_view (MrWindow *self)
{
  if (self->signin_view == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->signin_view, self);
  mr_signin_module_get ()->view_shutdown (self->signin_view);
  gtk_box_remove (self->signin_box, self->signin_view);
  self->signin_view = NULL;
}

static void
drop_spare_view (MrWindow *self)
{
  if (self->spare_view == NULL)
    return;
  mr_signin_module_get ()->view_shutdown (self->spare_view);
  g_clear_object (&self->spare_view);
}

static void
make_spare_view (MrWindow *self)
{
  const MrSigninModule *module = mr_signin_module_get ();

  if (module == NULL || self->spare_view != NULL || self->config == NULL)
    return;
  self->spare_view = g_object_ref_sink (module->view_new (self->config->redirect_uri, NULL));
}

static void
show_welcome (MrWindow *self)
{
  if (mr_window_desk_show_home (self))
    return;
  mr_window_show_page (self, "welcome");
  mr_trace_mark ("welcome-shown");
  /* Ready for the next person: a fresh web process, nothing of the last one. */
  make_spare_view (self);
}

/* Text the last person copied out of the app must not be pasted by the next. */
static void
clear_clipboards (MrWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GdkClipboard *clipboards[] = {
    gdk_display_get_clipboard (display),
    gdk_display_get_primary_clipboard (display),
  };

  for (guint i = 0; i < G_N_ELEMENTS (clipboards); i++)
    if (gdk_clipboard_is_local (clipboards[i]))
      gdk_clipboard_set_content (clipboards[i], NULL);
}

/* Forgets everything of the person at the screen. */
void
mr_window_wipe (MrWindow *self)
{
  mr_trace_mark ("wipe");
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  drop_signin_view (self);
  mr_window_browser_stop (self);
  g_clear_pointer (&self->auth_request, mr_auth_request_free);
  g_clear_pointer (&self->tokens, mr_token_set_free);
  g_clear_pointer (&self->patient, mr_patient_free);
  mr_refill_form_clear (mr_window_form (self));
  self->sending = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit", FALSE);
  if (self->idle_dialog != NULL)
    adw_message_dialog_response (self->idle_dialog, "continue");
  clear_clipboards (self);
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
          mr_window_wipe (self);
          show_welcome (self);
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
redirect_cb (GtkWidget    *view,
             const char   *uri,
             MrWindow     *self)
{
  mr_trace_mark ("redirect-captured");
  /* The web view has done its job: end its processes now rather than in five minutes. */
  drop_signin_view (self);
  mr_window_complete_sign_in (self, self->config->redirect_uri, uri);
}

static void
signin_failed_cb (GtkWidget    *view,
                  const char   *message,
                  MrWindow     *self)
{
  drop_signin_view (self);
  /* The view's failures are loads that did not complete (network, TLS): worth another try. */
  show_error_message (self, MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK, message);
}

/* The page may visit the provider's hosts (from its discovery document: sign-in, token, sign-out
 * and issuer may live on different hosts) and the administrator's list; nothing else. */
static void
allow_provider_hosts (MrWindow              *self,
                      const MrOidcDiscovery *discovery)
{
  const char *urls[] = {
    discovery->authorization_endpoint, discovery->token_endpoint,
    discovery->end_session_endpoint, discovery->issuer,
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) hosts = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GUri) uri = urls[i] ? g_uri_parse (urls[i], G_URI_FLAGS_NONE, NULL) : NULL;

      if (uri != NULL && g_uri_get_host (uri) != NULL)
        g_strv_builder_add (builder, g_uri_get_host (uri));
    }
  g_strv_builder_addv (builder, (const char **) self->config->sign_in_hosts);
  hosts = g_strv_builder_end (builder);
  mr_signin_module_get ()->view_allow_hosts (self->signin_view, (const char * const *) hosts);
}

static void
open_signin_page (MrWindow *self)
{
  const MrOidcDiscovery *discovery = mr_oidc_client_get_discovery (self->oidc);
  g_autofree char *url = NULL;

  g_clear_pointer (&self->auth_request, mr_auth_request_free);
  self->auth_request = mr_auth_request_new ();
  if (mr_window_uses_system_browser (self))
    {
      mr_window_browser_open (self);
      return;
    }
  url = mr_oidc_build_authorize_url (discovery, self->config, self->auth_request, "login", NULL);

  drop_signin_view (self);
  make_spare_view (self);
  self->signin_view = g_steal_pointer (&self->spare_view);
  g_signal_connect (self->signin_view, "redirect", G_CALLBACK (redirect_cb), self);
  g_signal_connect (self->signin_view, "failed", G_CALLBACK (signin_failed_cb), self);
  gtk_widget_set_vexpand (self->signin_view, TRUE);
  gtk_box_append (self->signin_box, self->signin_view);
  g_object_unref (self->signin_view);
  allow_provider_hosts (self, discovery);
  mr_signin_module_get ()->view_load (self->signin_view, url);
  mr_window_show_page (self, "signin");
}

static void continue_sign_in (MrWindow *self);

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
  continue_sign_in (self);
}

static void
module_then_sign_in_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (mr_signin_module_load_finish (result, &error) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        mr_window_show_error (self, error);
      return;
    }
  continue_sign_in (self);
}

/* Opens the sign-in page once the provider's configuration and the sign-in module are there;
 * normally both were fetched while the Welcome page was up, and this opens it at once. */
static void
continue_sign_in (MrWindow *self)
{
  if (mr_signin_module_get () == NULL && !mr_window_uses_system_browser (self))
    {
      mr_signin_module_load_async (self->cancellable, module_then_sign_in_cb, g_object_ref (self));
      return;
    }
  if (mr_oidc_client_get_discovery (self->oidc) == NULL)
    {
      mr_oidc_client_prefetch_async (self->oidc, self->cancellable, prefetch_then_sign_in_cb,
                                     g_object_ref (self));
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
      show_error_message (self, MR_OIDC_ERROR, MR_OIDC_ERROR_RETRY,
                          _("The app is still starting. Try again in a moment."));
      return;
    }
  if (!mr_config_validate (self->config, &error))
    {
      mr_window_show_error (self, error);
      return;
    }
  if ((mr_signin_module_get () == NULL && !mr_window_uses_system_browser (self)) ||
      mr_oidc_client_get_discovery (self->oidc) == NULL)
    {
      gtk_label_set_text (self->busy_label, _("Connecting to the clinic…"));
      mr_window_show_page (self, "busy");
    }
  continue_sign_in (self);
}

static gboolean
done_return_cb (gpointer data)
{
  MrWindow *self = data;

  self->done_return_id = 0;
  mr_window_wipe (self);
  show_welcome (self);
  return G_SOURCE_REMOVE;
}

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
    }
  adw_message_dialog_set_body (self->idle_dialog, body);
}

static void
idle_expired_cb (MrIdleGuard *guard,
                 MrWindow    *self)
{
  if (!mr_window_is_kiosk (self))
    mr_window_desk_lock (self);
  mr_window_wipe (self);
  show_welcome (self);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);

  /* Whatever the failed attempt left is dropped; a new sign-in starts from nothing. */
  mr_window_wipe (self);
  gtk_widget_activate_action (widget, "win.sign-in", NULL);
}

/* win.cancel-sign-in and win.start-over: everything of this visit goes, and Welcome is back. */
static void
wipe_to_welcome_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);

  mr_window_wipe (self);
  show_welcome (self);
}

/* What the Done page says. Never a patient's data: on a kiosk the next person may read it. */
static void
show_done (MrWindow        *self,
           MrOutboxOutcome  outcome,
           const char      *detail)
{
  g_autofree char *description = NULL;

  switch (outcome)
    {
    case MR_OUTBOX_SENT:
      adw_status_page_set_title (self->done_page, _("Request Sent"));
      adw_status_page_set_icon_name (self->done_page, "emblem-ok-symbolic");
      description = g_strdup_printf (_("Your clinic received the request. Reference: %s"), detail);
      break;
    case MR_OUTBOX_SAVED:
      adw_status_page_set_title (self->done_page, _("Saved on This Computer"));
      adw_status_page_set_icon_name (self->done_page, "document-save-symbolic");
      description = g_strdup (_("The clinic's system cannot be reached right now. The request will be "
                                "sent automatically; there is nothing more to do."));
      break;
    case MR_OUTBOX_HELD:
    default:
      adw_status_page_set_title (self->done_page, _("Saved for the Clinic's Staff"));
      adw_status_page_set_icon_name (self->done_page, "dialog-warning-symbolic");
      description = mr_window_is_kiosk (self)
                    ? g_strdup (_("The clinic's system did not accept the request. It is saved on this "
                                  "computer and the staff will check it."))
                    : g_strdup_printf (_("The clinic's system did not accept the request: %s It is "
                                         "saved in the Outbox."), detail ? detail : "");
      break;
    }
  if (self->correction_problem != NULL)
    {
      g_autofree char *both = g_strdup_printf (_("%s Your details in the clinic's directory were "
                                                 "not updated: %s"), description,
                                               self->correction_problem);

      adw_status_page_set_description (self->done_page, both);
      g_clear_pointer (&self->correction_problem, g_free);
      return;
    }
  adw_status_page_set_description (self->done_page, description);
}

static void
submit_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  MrOutboxOutcome outcome;

  outcome = mr_outbox_enqueue_finish (MR_OUTBOX (source), result, &detail, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->sending = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit",
                                 mr_refill_form_get_valid (mr_window_form (self)));
  if (error != NULL)
    {
      /* Not even kept: the form keeps everything, and the same request id goes out next time. */
      mr_window_show_page (self, "form");
      mr_refill_form_set_problem (mr_window_form (self), error->message);
      return;
    }
  show_done (self, outcome, detail);
  /* Nothing of the patient stays on screen or in memory once the request is in the outbox. */
  g_clear_pointer (&self->tokens, mr_token_set_free);
  g_clear_pointer (&self->patient, mr_patient_free);
  mr_refill_form_clear (mr_window_form (self));
  mr_window_show_page (self, "done");
}

static void
enqueue (MrWindow        *self,
         MrRefillRequest *request)
{
  g_autoptr(JsonNode) payload = NULL;
  g_autoptr(GPtrArray) names = NULL;

  if (self->config->payload_format != MR_PAYLOAD_FHIR_R4)
    {
      mr_outbox_enqueue_request_async (self->outbox, request, self->cancellable, submit_cb,
                                       g_object_ref (self));
      return;
    }
  payload = mr_fhir_task_from_request (request);
  names = g_ptr_array_new ();
  for (guint i = 0; i < request->medications->len; i++)
    g_ptr_array_add (names, ((MrMedication *) g_ptr_array_index (request->medications, i))->name);
  g_ptr_array_add (names, NULL);
  mr_outbox_enqueue_async (self->outbox, request->request_id, payload,
                           request->patient->display_name, (const char * const *) names->pdata,
                           self->cancellable, submit_cb, g_object_ref (self));
}

void
mr_window_send (MrWindow *self)
{
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  request = mr_refill_form_build_request (mr_window_form (self), self->config->mode);
  if (!mr_refill_request_validate (request, &error))
    {
      self->sending = FALSE;
      mr_window_show_page (self, "form");
      mr_refill_form_set_problem (mr_window_form (self), error->message);
      return;
    }
  if (!mr_window_is_kiosk (self))
    mr_window_desk_sign (self, request);
  gtk_label_set_text (self->busy_label, _("Sending your request…"));
  mr_window_show_page (self, "busy");
  enqueue (self, request);
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  if (self->sending || self->patient == NULL)
    return;
  request = mr_refill_form_build_request (mr_window_form (self), self->config->mode);
  if (!mr_refill_request_validate (request, &error))
    {
      mr_refill_form_set_problem (mr_window_form (self), error->message);
      return;
    }
  self->sending = TRUE;
  gtk_widget_action_set_enabled (widget, "win.submit", FALSE);
  if (!mr_window_confirm_corrections (self))
    mr_window_send (self);
}

static void
outbox_changed_cb (MrWindow *self)
{
  guint waiting = mr_outbox_get_pending_count (self->outbox) + mr_outbox_get_held_count (self->outbox);
  g_autofree char *label = NULL;

  /* A kiosk shows no list of other patients' requests, not even their number. */
  gtk_widget_set_visible (self->outbox_button, waiting > 0 && !mr_window_is_kiosk (self));
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Waiting", "%u Waiting", waiting), waiting);
  gtk_button_set_label (GTK_BUTTON (self->outbox_button), label);
}

static void
show_outbox_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);

  if (mr_window_is_kiosk (self) || self->outbox == NULL)
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

  /* Without a keyring there are no workflow credentials; a workflow that needs them will answer
   * 401/403 and the request is held with that reason. */
  if (error != NULL)
    g_debug ("workflow credentials not loaded: %s", error->message);
  if (self->outbox != NULL && self->config != NULL)
    mr_outbox_set_workflow (self->outbox, self->config->workflow_url, auth);
}

/* The outbox is made once, on the first settings, and opened in the background (it reads the
 * keyring and the saved requests): the first frame never waits for it. */
static void
configure_outbox (MrWindow *self)
{
  if (self->outbox == NULL)
    {
      self->outbox = mr_outbox_new_default (self->session);
      g_signal_connect_swapped (self->outbox, "changed", G_CALLBACK (outbox_changed_cb), self);
      mr_outbox_open_async (self->outbox, NULL, outbox_opened_cb, g_object_ref (self));
    }
  mr_outbox_set_workflow (self->outbox, self->config->workflow_url, NULL);
  mr_delivery_auth_load_async (self->config->workflow_auth_header, NULL, auth_loaded_cb,
                               g_object_ref (self));
}

static void
form_valid_cb (MrWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit",
                                 !self->sending && mr_refill_form_get_valid (mr_window_form (self)));
}

/* The form is the biggest part of the window: it is built when the settings arrive (after the
 * first frame) or when something needs it, whichever comes first, never before the Welcome page
 * is on screen. */
MrRefillForm *
mr_window_form (MrWindow *self)
{
  if (self->form == NULL)
    {
      self->form = MR_REFILL_FORM (mr_refill_form_new ());
      gtk_stack_add_named (self->stack, GTK_WIDGET (self->form), "form");
      g_signal_connect_swapped (self->form, "notify::valid", G_CALLBACK (form_valid_cb), self);
    }
  return self->form;
}

static void
module_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->module_loading = FALSE;
  if (mr_signin_module_load_finish (result, &error) == NULL)
    {
      /* Said again, to the user, when they tap Sign in. */
      g_debug ("loading the sign-in module failed: %s", error->message);
      return;
    }
  if (g_strcmp0 (mr_window_get_page (self), "welcome") == 0)
    make_spare_view (self);
}

void
mr_window_set_config (MrWindow       *self,
                      const MrConfig *config)
{
  g_return_if_fail (MR_IS_WINDOW (self));
  g_return_if_fail (config != NULL);

  g_clear_pointer (&self->config, mr_config_free);
  self->config = mr_config_copy (config);
  g_clear_object (&self->oidc);
  self->oidc = mr_oidc_client_new (self->session, self->config);
  if (mr_window_is_kiosk (self))
    {
      /* Nothing that leaves the app: no title bar buttons, no closing from inside. */
      gtk_window_fullscreen (GTK_WINDOW (self));
      gtk_window_set_deletable (GTK_WINDOW (self), FALSE);
      adw_header_bar_set_show_end_title_buttons (self->header_bar, FALSE);
      adw_header_bar_set_show_start_title_buttons (self->header_bar, FALSE);
      gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");
      gtk_widget_set_visible (self->menu_button, FALSE);
    }
  mr_idle_guard_set_timeouts (self->idle_guard, self->config->idle_timeout * 1000,
                              MIN (MR_KIOSK_WARNING_MS, self->config->idle_timeout * 500));
  if (mr_config_validate (self->config, NULL))
    mr_oidc_client_prefetch_async (self->oidc, self->cancellable, prefetch_cb, NULL);
  configure_outbox (self);
  mr_window_configure_form (self);
  mr_window_desk_configure (self);
  if (!self->module_loading && mr_signin_module_get () == NULL)
    {
      self->module_loading = TRUE;
      mr_signin_module_load_async (self->cancellable, module_loaded_cb, g_object_ref (self));
    }
  else if (g_strcmp0 (mr_window_get_page (self), "welcome") == 0)
    make_spare_view (self);
}

void
mr_window_set_sandbox (MrWindow *self,
                       gboolean  sandbox)
{
  g_return_if_fail (MR_IS_WINDOW (self));

  gtk_widget_set_visible (self->sandbox_label, sandbox);
}

void
mr_window_set_kiosk_timeouts (MrWindow *self,
                              guint     idle_ms,
                              guint     warning_ms,
                              guint     done_return_ms)
{
  g_return_if_fail (MR_IS_WINDOW (self));

  mr_idle_guard_set_timeouts (self->idle_guard, idle_ms, warning_ms);
  self->done_return_ms = done_return_ms;
}

gboolean
mr_window_get_idle_warning (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), FALSE);

  return self->idle_dialog != NULL;
}

const char *
mr_window_get_page (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
mr_window_get_signin_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  return self->signin_view;
}

GtkWidget *
mr_window_get_signin_web_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  if (self->signin_view == NULL)
    return NULL;
  return mr_signin_module_get ()->view_get_web_view (self->signin_view);
}

MrOutbox *
mr_window_get_outbox (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  return self->outbox;
}

GtkWidget *
mr_window_get_form (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  return GTK_WIDGET (mr_window_form (self));
}

const char *
mr_window_get_message (MrWindow *self)
{
  const char *page;

  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  page = mr_window_get_page (self);
  if (g_strcmp0 (page, "done") == 0)
    return adw_status_page_get_description (self->done_page);
  if (g_strcmp0 (page, "error") == 0)
    return adw_status_page_get_description (self->error_page);
  return NULL;
}

static void
first_paint_cb (GdkFrameClock *clock,
                MrWindow      *self)
{
  mr_trace_mark ("first-frame");
  g_signal_handlers_disconnect_by_func (clock, first_paint_cb, self);
}

static void
mr_window_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (mr_window_parent_class)->realize (widget);
  g_signal_connect_after (gtk_widget_get_frame_clock (widget), "after-paint",
                          G_CALLBACK (first_paint_cb), widget);
}

static gboolean
mr_window_close_request (GtkWindow *window)
{
  MrWindow *self = MR_WINDOW (window);

  /* An administrator ends a kiosk from outside (its session); a patient cannot close it. */
  if (mr_window_is_kiosk (self))
    return TRUE;
  return GTK_WINDOW_CLASS (mr_window_parent_class)->close_request (window);
}

static void
mr_window_dispose (GObject *object)
{
  MrWindow *self = MR_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  drop_signin_view (self);
  drop_spare_view (self);
  g_clear_handle_id (&self->done_return_id, g_source_remove);
  g_clear_object (&self->idle_guard);
  mr_window_desk_dispose (self);
  mr_window_browser_stop (self);
  mr_window_corrections_dispose (self);
  if (self->outbox != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->outbox, self);
      mr_outbox_shutdown (self->outbox);
      g_clear_object (&self->outbox);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_WINDOW);
  G_OBJECT_CLASS (mr_window_parent_class)->dispose (object);
}

static void
mr_window_finalize (GObject *object)
{
  MrWindow *self = MR_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->oidc);
  g_clear_object (&self->session);
  g_clear_pointer (&self->config, mr_config_free);
  g_clear_pointer (&self->auth_request, mr_auth_request_free);
  g_clear_pointer (&self->tokens, mr_token_set_free);
  g_clear_pointer (&self->patient, mr_patient_free);
  g_free (self->found_extensions_app_id);
  G_OBJECT_CLASS (mr_window_parent_class)->finalize (object);
}

static void
mr_window_class_init (MrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_window_dispose;
  object_class->finalize = mr_window_finalize;
  widget_class->realize = mr_window_realize;
  GTK_WINDOW_CLASS (klass)->close_request = mr_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/medrefill/MedRefill/mr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MrWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, signin_box);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, start_over_button);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, sandbox_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, outbox_button);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, busy_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, done_page);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, error_page);

  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-sign-in", NULL, wipe_to_welcome_action);
  gtk_widget_class_install_action (widget_class, "win.start-over", NULL, wipe_to_welcome_action);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "win.show-outbox", NULL, show_outbox_action);
  mr_window_desk_class_init (widget_class);
  mr_window_browser_class_init (klass);
  gtk_widget_class_install_action (widget_class, "win.submit", NULL, submit_action);
}

static void
mr_window_init (MrWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->session = soup_session_new_with_options ("timeout", 30,
                                                 "user-agent", "medrefill/" PACKAGE_VERSION,
                                                 NULL);
  self->idle_guard = mr_idle_guard_new (GTK_WINDOW (self));
  mr_window_desk_init (self);
  mr_window_browser_init (self);
  self->done_return_ms = MR_KIOSK_DONE_RETURN_MS;
  g_signal_connect (self->idle_guard, "warn", G_CALLBACK (idle_warn_cb), self);
  g_signal_connect (self->idle_guard, "expired", G_CALLBACK (idle_expired_cb), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit", FALSE);
}

MrWindow *
mr_window_new (GtkApplication *application)
{
  return g_object_new (MR_TYPE_WINDOW, "application", application, NULL);
}

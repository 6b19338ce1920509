/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "config.h"

#include "mr-idle-guard.h"
#include "mr-delivery.h"
#include "mr-identity.h"
#include "mr-refill-form.h"
#include "mr-base.h"

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

void
mr_window_show_error_message (MrWindow   *self,
                              GQuark      domain,
                              int         code,
                              const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (domain, code, message);

  mr_window_show_error (self, error);
}

void
mr_window_show_welcome (MrWindow *self)
{
  if (mr_window_desk_show_home (self))
    return;
  mr_window_show_page (self, "welcome");
  mr_trace_mark ("welcome-shown");
  /* Ready for the next person: a fresh sign-in helper, nothing of the last one. */
  mr_window_signin_make_spare (self);
}

/* Start over: everything of this visit goes, and Welcome is back. */
void
mr_window_start_over (MrWindow *self)
{
  mr_window_wipe (self);
  mr_window_show_welcome (self);
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
  mr_window_signin_drop_view (self);
  mr_window_browser_stop (self);
  g_clear_pointer (&self->auth_request, mr_auth_request_free);
  g_clear_pointer (&self->tokens, mr_token_set_free);
  g_clear_pointer (&self->patient, mr_patient_free);
  if (self->form != NULL)  /* not built yet: nothing typed into it */
    mr_refill_form_clear (self->form);
  self->sending = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit", FALSE);
  if (self->idle_dialog != NULL)
    {
      /* A response alone leaves the dialog open: the next patient would find "Still there?"
       * over Welcome (seen on cage, tests/kiosk-wayland). */
      GtkWindow *dialog = GTK_WINDOW (self->idle_dialog);

      adw_message_dialog_response (self->idle_dialog, "continue");
      gtk_window_destroy (dialog);
    }
  clear_clipboards (self);
}

static gboolean
done_return_cb (gpointer data)
{
  MrWindow *self = data;

  self->done_return_id = 0;
  mr_window_start_over (self);
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
  mr_window_start_over (self);
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

  mr_window_start_over (self);
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
  mr_window_submit_configure (self);
  mr_window_configure_form (self);
  mr_window_desk_configure (self);
  mr_window_signin_configure (self);
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
  mr_window_signin_drop_view (self);
  mr_window_signin_drop_spare (self);
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
  gtk_widget_class_bind_template_child (widget_class, MrWindow, welcome_page);
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

  mr_window_signin_class_init (widget_class);
  gtk_widget_class_install_action (widget_class, "win.cancel-sign-in", NULL, wipe_to_welcome_action);
  gtk_widget_class_install_action (widget_class, "win.start-over", NULL, wipe_to_welcome_action);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  mr_window_desk_class_init (widget_class);
  mr_window_browser_class_init (klass);
  mr_window_submit_class_init (widget_class);
}

static void
mr_window_init (MrWindow *self)
{
  g_autoptr(GdkTexture) icon = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* A picture from the resources, not an icon name: see mr_application_new(). 256 px drawn at
   * 128, so it stays sharp at twice the scale. */
  icon = gdk_texture_new_from_resource ("/io/github/medrefill/MedRefill/icons/256x256/apps/"
                                        APP_ID ".png");
  adw_status_page_set_paintable (self->welcome_page, GDK_PAINTABLE (icon));
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

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "config.h"

#include "mr-base.h"
#include "mr-identity.h"
#include "mr-idle-guard.h"
#include "mr-outbox-view.h"
#include "mr-preferences.h"
#include "mr-refill-form.h"
#include "mr-visit.h"

G_DEFINE_FINAL_TYPE (MrWindow, mr_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STAFF_SIGNED_IN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
_mr_window_is_kiosk (MrWindow *self)
{
  return self->config != NULL && self->config->mode == MR_MODE_KIOSK;
}

gboolean
_mr_window_uses_system_browser (MrWindow *self)
{
  return self->config != NULL && self->config->sign_in_browser == MR_SIGN_IN_SYSTEM_BROWSER &&
         !_mr_window_is_kiosk (self);
}

static gboolean done_return_cb (gpointer data);

void
_mr_window_show_page (MrWindow   *self,
                     const char *name)
{
  gboolean in_visit = g_str_equal (name, "form") || g_str_equal (name, "busy");

  gtk_stack_set_visible_child_name (self->stack, name);
  if (!g_str_equal (name, "welcome"))
    gtk_widget_set_visible (GTK_WIDGET (self->welcome_notice), FALSE);
  /* A kiosk always shows the way out of a visit, even on the sign-in and error pages. */
  gtk_widget_set_visible (self->start_over_button,
                          in_visit || (_mr_window_is_kiosk (self) && !g_str_equal (name, "welcome")));
  gtk_spinner_set_spinning (self->spinner, g_str_equal (name, "busy"));
  /* Someone may walk away from any page but Welcome; nothing of theirs may wait for the next (a
   * kiosk wipes, a desk locks behind a new sign-in). The phone sign-in's page is the exception:
   * a patient scanning the code and signing in on their phone does not touch the kiosk for
   * minutes, so the code's own expiry governs it (its countdown on screen; the visit's poll ends
   * with "expired" and the page wipes itself back to Welcome). The page holds nothing of the
   * person but a code that works only until then. */
  mr_idle_guard_set_active (self->idle_guard,
                            !g_str_equal (name, "welcome") && !g_str_equal (name, "phone") &&
                            (_mr_window_is_kiosk (self) ||
                             _mr_window_desk_is_signed_in (self)));
  g_clear_handle_id (&self->done_return_id, g_source_remove);
  if (_mr_window_is_kiosk (self) && g_str_equal (name, "done"))
    {
      self->done_return_id = g_timeout_add (self->done_return_ms, done_return_cb, self);
      _mr_window_ready_next (self);
    }
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
      case MR_OIDC_ERROR_NOT_STAFF:
      case MR_OIDC_ERROR_IDENTITY:
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
/* A status page's description is Pango markup: a reference from the workflow or a sentence with an
 * identity provider's text in it must show as text (a <a href> would be a tappable way out of a
 * kiosk). Every description goes through here. */
void
_mr_window_set_description (AdwStatusPage *page,
                            const char    *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  adw_status_page_set_description (page, escaped);
}

void
_mr_window_show_error (MrWindow     *self,
                      const GError *error)
{
  RetryKind kind = retry_kind (error);

  adw_status_page_set_title (self->error_page,
                             kind == RETRY_NONE ? _("The app cannot sign in yet")
                             : kind == RETRY_SIGN_IN_AGAIN ? _("Please sign in again")
                             : _("Something went wrong"));
  _mr_window_set_description (self->error_page, error->message);
  /* Icons of pages not on screen are set when shown: a large symbolic icon is an SVG, and
   * loading the SVG renderer is work the first frame should not wait for. */
  adw_status_page_set_icon_name (self->error_page, "dialog-warning-symbolic");
  gtk_widget_set_visible (self->retry_button, kind != RETRY_NONE);
  gtk_button_set_label (GTK_BUTTON (self->retry_button),
                        kind == RETRY_SIGN_IN_AGAIN ? _("_Sign In Again") : _("_Try Again"));
  _mr_window_show_page (self, "error");
}

void
_mr_window_show_error_message (MrWindow   *self,
                              GQuark      domain,
                              int         code,
                              const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (domain, code, message);

  _mr_window_show_error (self, error);
}

void
_mr_window_show_welcome (MrWindow *self)
{
  if (_mr_window_desk_show_home (self))
    return;
  _mr_window_show_page (self, "welcome");
  mr_trace_mark ("welcome-shown");
  /* Ready for the next person: a fresh sign-in helper, nothing of the last one. */
  _mr_window_signin_prepare (self);
}

void
_mr_window_show_welcome_notice (MrWindow   *self,
                                const char *notice)
{
  _mr_window_show_welcome (self);
  if (g_strcmp0 (mr_window_get_page (self), "welcome") != 0)
    return;
  gtk_label_set_text (self->welcome_notice, notice);
  gtk_widget_set_visible (GTK_WIDGET (self->welcome_notice), TRUE);
}

/* Start over: everything of this visit goes, and Welcome is back. */
void
_mr_window_sign_out_in_browser (MrWindow   *self,
                                const char *url)
{
  _mr_window_browser_sign_out (self, url);
}

void
_mr_window_start_over (MrWindow *self)
{
  _mr_window_wipe (self);
  _mr_window_show_welcome (self);
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
/* The Outbox (patients, medicines, Discard) and Preferences (where secrets and requests go)
 * are the staff member's: nothing of them stays open for whoever comes next. */
static void
close_staff_windows (MrWindow *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i - 1);

      if ((MR_IS_OUTBOX_VIEW (window) || MR_IS_PREFERENCES (window))
          && gtk_window_get_transient_for (window) == GTK_WINDOW (self))
        gtk_window_destroy (window);
    }
}

void
_mr_window_staff_changed (MrWindow *self)
{
  if (!_mr_window_desk_is_signed_in (self))
    close_staff_windows (self);
  _mr_window_submit_staff_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAFF_SIGNED_IN]);
}

gboolean
mr_window_get_staff_signed_in (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), FALSE);

  return !_mr_window_is_kiosk (self) && _mr_window_desk_is_signed_in (self);
}

void
_mr_window_wipe (MrWindow *self)
{
  mr_trace_mark ("wipe");
  mr_visit_wipe (self->visit);
  gtk_widget_set_visible (GTK_WIDGET (self->welcome_notice), FALSE);
  _mr_window_signin_wipe (self);
  _mr_window_phone_stop (self);
  if (self->form != NULL)  /* not built yet: nothing typed into it */
    mr_refill_form_clear (self->form);
  self->sending = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit", FALSE);
  _mr_window_idle_close_warning (self);
  close_staff_windows (self);
  clear_clipboards (self);
}

/* The Done page, or "Still there?": whoever comes next will want the sign-in page soon, and the
 * patient's own helper ended with their sign-in (a helper on screen means the warning is over
 * the sign-in page: then nothing starts). Started now, the spare is up when the wipe comes; see
 * mr-window-signin.c for why it may outlive the wipe. */
void
_mr_window_ready_next (MrWindow *self)
{
  if (_mr_window_is_kiosk (self))
    _mr_window_signin_make_spare (self);
}

static gboolean
done_return_cb (gpointer data)
{
  MrWindow *self = data;

  self->done_return_id = 0;
  _mr_window_start_over (self);
  return G_SOURCE_REMOVE;
}

/* Nobody touched either window for the idle timeout and its warning: a kiosk forgets the person,
 * a desk also locks behind a new sign-in. */
void
_mr_window_idle_expired (MrWindow *self)
{
  if (!_mr_window_is_kiosk (self))
    _mr_window_desk_lock (self);
  _mr_window_start_over (self);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);

  /* Whatever the failed attempt left is dropped; a new sign-in starts from nothing. */
  _mr_window_wipe (self);
  gtk_widget_activate_action (widget, "win.sign-in", NULL);
}

/* win.cancel-sign-in and win.start-over: everything of this visit goes, and Welcome is back. */
static void
wipe_to_welcome_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);

  _mr_window_start_over (self);
}

static void
form_valid_cb (MrWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit",
                                 !self->sending && mr_refill_form_get_valid (_mr_window_form (self)));
}

/* The form is the biggest part of the window: it is built when the settings arrive (after the
 * first frame) or when something needs it, whichever comes first, never before the Welcome page
 * is on screen. */
MrRefillForm *
_mr_window_form (MrWindow *self)
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
_mr_window_show_busy (MrWindow   *self,
                      const char *label)
{
  gtk_label_set_text (self->busy_label, label);
  _mr_window_show_page (self, "busy");
}

/* The visit's steps that keep the person waiting. */
static void
visit_state_cb (MrWindow *self)
{
  switch (mr_visit_get_state (self->visit))
    {
    case MR_VISIT_STATE_EXCHANGING:
      _mr_window_show_busy (self, _("Getting your details…"));
      break;
    case MR_VISIT_STATE_CORRECTING:
      _mr_window_show_busy (self, _("Updating your details…"));
      break;
    case MR_VISIT_STATE_SENDING:
      _mr_window_show_busy (self, _("Sending your request…"));
      break;
    case MR_VISIT_STATE_NONE:
    case MR_VISIT_STATE_SIGNING_IN:
    case MR_VISIT_STATE_READY:
    default:
      break;
    }
}

void
_mr_window_show_patient (MrWindow *self)
{
  mr_refill_form_set_patient (_mr_window_form (self), mr_visit_get_patient (self->visit));
  _mr_window_show_page (self, "form");
}

void
_mr_window_open_sign_in (MrWindow *self)
{
  if (_mr_window_uses_system_browser (self))
    _mr_window_browser_open (self);
  else
    _mr_window_signin_open (self);
}

static void
signed_in_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_visit_complete_sign_in_finish (MR_VISIT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Cancel at the provider's page: as Cancel here. */
      if (g_error_matches (error, MR_VISIT_ERROR, MR_VISIT_ERROR_CANCELLED_AT_PROVIDER))
        _mr_window_start_over (self);
      else if (g_error_matches (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF))
        _mr_window_desk_refused (self, error);
      else
        _mr_window_show_error (self, error);
      return;
    }
  /* At a desk the one who signed in is the staff member, who now looks a patient up. */
  if (mr_visit_get_patient (self->visit) == NULL)
    {
      _mr_window_desk_signed_in (self);
      return;
    }
  _mr_window_show_patient (self);
  mr_trace_mark ("form-filled");
}

void
_mr_window_complete_sign_in (MrWindow   *self,
                             const char *uri)
{
  mr_visit_complete_sign_in_async (self->visit, uri, signed_in_cb, g_object_ref (self));
}

void
_mr_window_submit (MrWindow *self)
{
  if (!_mr_window_corrections_confirm (self))
    _mr_window_send (self);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *correction_problem = NULL;
  MrOutboxOutcome outcome;

  outcome = mr_visit_send_finish (MR_VISIT (source), result, &detail, &correction_problem, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->sending = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit",
                                 mr_refill_form_get_valid (_mr_window_form (self)));
  if (error != NULL)
    {
      /* Not even kept: the form keeps everything, and the same request id goes out next time. */
      _mr_window_show_page (self, "form");
      mr_refill_form_set_problem (_mr_window_form (self), error->message);
      return;
    }
  _mr_window_submit_show_done (self, outcome, detail, correction_problem);
  /* Nothing of the patient stays on screen (the visit dropped it) once the request is in the
   * outbox. */
  mr_refill_form_clear (_mr_window_form (self));
  _mr_window_show_page (self, "done");
}

void
_mr_window_send (MrWindow *self)
{
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(GError) error = NULL;

  request = mr_refill_form_build_request (_mr_window_form (self), self->config->mode);
  if (!mr_refill_request_validate (request, &error))
    {
      self->sending = FALSE;
      _mr_window_show_page (self, "form");
      mr_refill_form_set_problem (_mr_window_form (self), error->message);
      return;
    }
  if (!_mr_window_is_kiosk (self) && _mr_window_desk_is_signed_in (self))
    request->patient_present = _mr_window_desk_patient_present (self);
  mr_visit_send_async (self->visit, g_steal_pointer (&request), sent_cb, g_object_ref (self));
}

void
mr_window_set_config (MrWindow       *self,
                      const MrConfig *config)
{
  g_return_if_fail (MR_IS_WINDOW (self));
  g_return_if_fail (config != NULL);

  g_clear_pointer (&self->config, mr_config_free);
  self->config = mr_config_copy (config);
  mr_visit_set_config (self->visit, self->config);
  if (_mr_window_is_kiosk (self))
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
  _mr_window_submit_configure (self);
  _mr_window_corrections_configure (self);
  _mr_window_desk_configure (self);
  _mr_window_phone_configure (self);
  _mr_window_signin_configure (self);
}

void
mr_window_set_sandbox (MrWindow *self,
                       gboolean  sandbox)
{
  g_return_if_fail (MR_IS_WINDOW (self));
  /* The outbox is chosen with the first settings. */
  g_return_if_fail (self->outbox == NULL || self->sandbox == sandbox);

  self->sandbox = sandbox;
  gtk_widget_set_visible (self->sandbox_label, sandbox);
}

void
mr_window_set_settings (MrWindow  *self,
                        GSettings *settings)
{
  g_return_if_fail (MR_IS_WINDOW (self));
  g_return_if_fail (G_IS_SETTINGS (settings));
  /* The desk's session is made with the first settings, and keeps them. */
  g_return_if_fail (mr_visit_get_desk (self->visit) == NULL);

  g_set_object (&self->settings, settings);
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

MrVisit *
mr_window_get_visit (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  return self->visit;
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

  return GTK_WIDGET (_mr_window_form (self));
}

/* The label below @root whose text source is @markup, or NULL. */
static GtkLabel *
find_label (GtkWidget  *root,
            const char *markup)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (child)), markup) == 0)
        return GTK_LABEL (child);
      if ((found = find_label (child, markup)) != NULL)
        return found;
    }
  return NULL;
}

const char *
mr_window_get_message (MrWindow *self)
{
  const char *page;
  AdwStatusPage *status = NULL;
  GtkLabel *label;

  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  page = mr_window_get_page (self);
  if (g_strcmp0 (page, "done") == 0)
    status = self->done_page;
  else if (g_strcmp0 (page, "error") == 0)
    status = self->error_page;
  else if (g_strcmp0 (page, "welcome") == 0)
    return gtk_widget_get_visible (GTK_WIDGET (self->welcome_notice))
           ? gtk_label_get_text (self->welcome_notice) : NULL;
  if (status == NULL)
    return NULL;
  /* What the page shows: the text of the label that renders its description as markup. */
  label = find_label (GTK_WIDGET (status), adw_status_page_get_description (status));
  return label != NULL ? gtk_label_get_text (label) : NULL;
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
  if (_mr_window_is_kiosk (self))
    return TRUE;
  return GTK_WINDOW_CLASS (mr_window_parent_class)->close_request (window);
}

/* GTK's inspector (Ctrl+Shift+I or D, unless the user's GTK settings turn the keys off) reads
 * and changes anything in the process: never at a kiosk. The signal has no accumulator, so only
 * stopping it keeps GtkWindow's own handler from running. */
static gboolean
enable_debugging_cb (MrWindow *self,
                     gboolean  toggle)
{
  if (!_mr_window_is_kiosk (self))
    return FALSE;
  g_signal_stop_emission_by_name (self, "enable-debugging");
  return TRUE;
}

static void
mr_window_dispose (GObject *object)
{
  MrWindow *self = MR_WINDOW (object);

  if (self->visit != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->visit, self);
      mr_visit_wipe (self->visit);
    }
  _mr_window_signin_drop_view (self);
  _mr_window_signin_drop_spare (self);
  g_clear_handle_id (&self->spare_retry_id, g_source_remove);
  g_clear_handle_id (&self->done_return_id, g_source_remove);
  g_clear_handle_id (&self->phone_tick_id, g_source_remove);
  g_clear_object (&self->idle_guard);
  _mr_window_corrections_dispose (self);
  _mr_window_submit_dispose (self);
  g_clear_object (&self->visit);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_WINDOW);
  G_OBJECT_CLASS (mr_window_parent_class)->dispose (object);
}

static void
mr_window_finalize (GObject *object)
{
  MrWindow *self = MR_WINDOW (object);

  g_clear_pointer (&self->config, mr_config_free);
  G_OBJECT_CLASS (mr_window_parent_class)->finalize (object);
}

static void
mr_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_STAFF_SIGNED_IN:
      g_value_set_boolean (value, mr_window_get_staff_signed_in (MR_WINDOW (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_window_class_init (MrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_window_dispose;
  object_class->finalize = mr_window_finalize;
  object_class->get_property = mr_window_get_property;
  properties[PROP_STAFF_SIGNED_IN] =
    g_param_spec_boolean ("staff-signed-in", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  widget_class->realize = mr_window_realize;
  GTK_WINDOW_CLASS (klass)->close_request = mr_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/medrefill/MedRefill/mr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MrWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, welcome_notice);
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

  _mr_window_signin_class_init (widget_class);
  _mr_window_phone_class_init (widget_class);
  gtk_widget_class_install_action (widget_class, "win.cancel-sign-in", NULL, wipe_to_welcome_action);
  gtk_widget_class_install_action (widget_class, "win.start-over", NULL, wipe_to_welcome_action);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  _mr_window_desk_class_init (widget_class);
  _mr_window_browser_class_init (klass);
  _mr_window_submit_class_init (widget_class);
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
  self->visit = mr_visit_new ();
  g_signal_connect_swapped (self->visit, "notify::state", G_CALLBACK (visit_state_cb), self);
  _mr_window_idle_init (self);
  _mr_window_desk_init (self);
  _mr_window_browser_init (self);
  g_signal_connect (self, "enable-debugging", G_CALLBACK (enable_debugging_cb), NULL);
  self->done_return_ms = MR_KIOSK_DONE_RETURN_MS;
  self->preload_max_age_ms = MR_SIGNIN_PRELOAD_MAX_AGE_MS;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit", FALSE);
}

MrWindow *
mr_window_new (GtkApplication *application)
{
  return g_object_new (MR_TYPE_WINDOW, "application", application, NULL);
}

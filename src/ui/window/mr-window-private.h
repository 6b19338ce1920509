/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mr-window.h"

#include "mr-idle-guard.h"
#include "mr-refill.h"
#include "mr-lookup-page.h"
#include "mr-identity.h"
#include "mr-delivery.h"
#include "mr-refill-form.h"
#include "mr-signin-helper.h"

G_BEGIN_DECLS

/* Shared by mr-window.c (the visit: sign-in, form, done, kiosk) and mr-window-desk.c (the staff
 * member's session and the patient lookup). */
struct _MrWindow {
  AdwApplicationWindow  parent_instance;

  GtkStack       *stack;
  GtkBox         *signin_box;
  GtkWidget      *start_over_button;
  GtkWidget      *sandbox_label;
  GtkWidget      *retry_button;
  GtkWidget      *menu_button;
  GtkWidget      *outbox_button;
  AdwHeaderBar   *header_bar;
  GtkLabel       *busy_label;
  GtkSpinner     *spinner;
  MrRefillForm   *form;
  AdwStatusPage  *welcome_page;
  AdwStatusPage  *done_page;
  AdwStatusPage  *error_page;

  MrConfig       *config;
  SoupSession    *session;
  MrOidcClient   *oidc;
  /* Every request goes through it: saved before its first attempt, removed once delivered. */
  MrOutbox       *outbox;
  /* Cancelled on Start over and on close: everything of one person's visit hangs on it. */
  GCancellable   *cancellable;
  /* The sign-in helper process showing the page (mr-window-signin.c). */
  MrSigninHelper *signin;
  /* A helper started while the Welcome page is up, so its web process is already running when
   * the user taps Sign in. It has seen no page but about:blank. */
  MrSigninHelper *spare;
  MrAuthRequest  *auth_request;
  MrTokenSet     *tokens;
  MrPatient      *patient;
  gboolean        sending;

  /* Kiosk: the idle guard, its "Still there?" dialog, and the Done page's way back. */
  MrIdleGuard    *idle_guard;
  AdwMessageDialog *idle_dialog;
  guint           done_return_id;
  guint           done_return_ms;

  /* Desk mode (mr-window-desk.c). */
  GSettings      *settings;
  MrStaffSession *staff;
  MrLookupPage   *lookup_page;
  GtkWidget      *staff_label;

  /* The system browser (mr-window-browser.c). */
  MrLoopbackListener *listener;
  AdwStatusPage  *browser_page;

  /* Corrections and the form's settings (mr-window-corrections.c). */
  MrFormulary    *formulary;
  JsonObject     *pending_changes;
  char           *correction_problem;
  /* The b2c-extensions-app id Graph gave when the settings had none (desk). */
  char           *found_extensions_app_id;
};

#define MR_KIOSK_WARNING_MS     (30 * 1000)
#define MR_KIOSK_DONE_RETURN_MS (10 * 1000)

gboolean mr_window_is_kiosk        (MrWindow        *self);
void     mr_window_show_page       (MrWindow        *self,
                                    const char      *name);
void     mr_window_show_error      (MrWindow        *self,
                                    const GError    *error);
/* Forgets everything of the patient at the screen (not the staff member's session). */
void     mr_window_wipe            (MrWindow        *self);

/* Finishes a sign-in from the callback @uri that reached @redirect_uri (either way). */
void     mr_window_complete_sign_in (MrWindow       *self,
                                     const char     *redirect_uri,
                                     const char     *uri);

/* The extensions app id: the configured one, else the one found through Graph, else NULL. */
const char *mr_window_extensions_app_id (MrWindow   *self);
/* Hands the form's request to the outbox (after any corrections were written back). */
void     mr_window_send            (MrWindow        *self);
/* The refill form, built on first use (not before the first frame). */
MrRefillForm *mr_window_form       (MrWindow        *self);

/* mr-window-submit.c */
void     mr_window_submit_class_init (GtkWidgetClass *widget_class);
/* Makes the outbox on the first settings (opened in the background) and points it at the
 * workflow of the current ones. */
void     mr_window_submit_configure (MrWindow       *self);

/* mr-window-corrections.c */
void     mr_window_configure_form  (MrWindow        *self);

/* When the person changed profile details, asks whether to write them back, then sends; returns
 * FALSE (and does nothing) when nothing changed. */
gboolean mr_window_confirm_corrections (MrWindow    *self);
void     mr_window_corrections_dispose (MrWindow    *self);

/* Welcome (or, at a signed-in desk, Find a Patient), with a spare sign-in view for the next
 * person. */
void     mr_window_show_welcome    (MrWindow        *self);
/* mr_window_wipe(), then Welcome: Start over, Cancel, the kiosk's idle end. */
void     mr_window_start_over      (MrWindow        *self);
/* mr_window_show_error() for a message made here. */
void     mr_window_show_error_message (MrWindow     *self,
                                       GQuark        domain,
                                       int           code,
                                       const char   *message);

/* mr-window-signin.c */
void     mr_window_signin_class_init (GtkWidgetClass *widget_class);
/* Prefetches what signing in needs once the settings are there. */
void     mr_window_signin_configure (MrWindow       *self);
/* The spare view: made (when the module is loaded and none waits) and dropped. */
void     mr_window_signin_make_spare (MrWindow      *self);
void     mr_window_signin_drop_spare (MrWindow      *self);
/* Ends the sign-in view on screen and its web processes. */
void     mr_window_signin_drop_view (MrWindow       *self);

/* mr-window-browser.c */
void     mr_window_browser_class_init (MrWindowClass *klass);
void     mr_window_browser_init    (MrWindow        *self);
/* TRUE when sign-in goes through the system browser (desk only; a kiosk never opens one). */
gboolean mr_window_uses_system_browser (MrWindow    *self);
/* Opens the authorize URL in the default browser and waits on a loopback listener. */
void     mr_window_browser_open    (MrWindow        *self);
void     mr_window_browser_stop    (MrWindow        *self);

/* mr-window-desk.c */
void     mr_window_desk_class_init (GtkWidgetClass  *widget_class);
void     mr_window_desk_init       (MrWindow        *self);
/* After new settings: in desk mode, resumes the staff member's session silently. */
void     mr_window_desk_configure  (MrWindow        *self);
/* After an interactive sign-in in desk mode: starts the staff session and opens the lookup. */
void     mr_window_desk_begin      (MrWindow        *self,
                                    const MrTokenSet *tokens);
/* Where a visit ends: the lookup while a staff member is signed in, else Welcome. */
gboolean mr_window_desk_show_home  (MrWindow        *self);
/* Signs the request with the staff member and the patient's presence. */
void     mr_window_desk_sign       (MrWindow        *self,
                                    MrRefillRequest *request);
/* Idle: the staff member must sign in again. */
void     mr_window_desk_lock       (MrWindow        *self);
void     mr_window_desk_dispose    (MrWindow        *self);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mr-window.h"

#include "mr-delivery.h"
#include "mr-idle-guard.h"
#include "mr-lookup-page.h"
#include "mr-refill-form.h"
#include "mr-refill.h"
#include "mr-signin-helper.h"
#include "mr-visit.h"

G_BEGIN_DECLS

/* One class over several files, hub and spokes: mr-window.c (the hub) owns this struct and maps
 * the visit to pages; each spoke (-signin, -browser, -desk, -submit, -corrections) calls only the
 * hub's _mr_window_*() functions, never another spoke's. The window holds no token: the visit
 * (core/visit) does. */
struct _MrWindow {
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  GtkStack         *stack;
  GtkBox           *signin_box;
  GtkWidget        *start_over_button;
  GtkWidget        *sandbox_label;
  GtkWidget        *retry_button;
  GtkWidget        *menu_button;
  GtkWidget        *outbox_button;
  AdwHeaderBar     *header_bar;
  GtkLabel         *busy_label;
  GtkSpinner       *spinner;
  AdwStatusPage    *welcome_page;
  GtkLabel         *welcome_notice;
  AdwStatusPage    *done_page;
  AdwStatusPage    *error_page;
  GtkWidget        *phone_sign_in_button;
  GtkWidget        *phone_qr;
  GtkLabel         *phone_code;
  GtkLabel         *phone_instruction;
  GtkLabel         *phone_countdown;

  /* Owned references */
  MrConfig         *config;
  /* The person at the screen: sign-in, tokens, patient, corrections; wiped on Start over. */
  MrVisit          *visit;
  /* Every request goes through it: saved before its first attempt, removed once delivered. */
  MrOutbox         *outbox;
  MrIdleGuard      *idle_guard;
  GSettings        *settings;
  /* Against the built-in sandbox (--sandbox): an outbox of its own. */
  gboolean          sandbox;
  /* mr-window-submit.c: the workflow credentials being read for the current settings. */
  GCancellable     *auth_cancellable;

  /* Borrowed references (children of the stack, or dialogs that free themselves) */
  MrRefillForm     *form;
  AdwMessageDialog *idle_dialog;
  AdwStatusPage    *browser_page;
  MrLookupPage     *lookup_page;
  GtkWidget        *staff_label;

  /* Hub: the kiosk's way back from Done; a request on its way. */
  guint             done_return_id;
  guint             done_return_ms;
  gboolean          sending;

  /* mr-window-signin.c: the helper showing the page, and a spare for the next person (its web
   * process already running when they tap Sign in; it has seen nobody). At a kiosk's Welcome the
   * spare preloads the visit's current attempt: since when (real time, µs), whether it has
   * loaded, the timer that replaces it when it gets old, and how old it may get. See the comment
   * at the top of mr-window-signin.c. */
  MrSigninHelper   *signin;
  MrSigninHelper   *spare;
  gboolean          spare_preloaded;
  gboolean          spare_ready;
  gint64            spare_preloaded_at;
  guint             spare_refresh_id;
  guint             preload_max_age_ms;
  /* A spare that failed: the timer that makes another, and its pause (doubling). */
  guint             spare_retry_id;
  guint             spare_retry_s;

  /* mr-window-corrections.c */
  MrFormulary      *formulary;

  /* mr-window-phone.c: when the code on screen runs out, and the countdown's tick. */
  gint64            phone_expires_at;
  guint             phone_tick_id;
  /* mr-window-browser.c: the ::open-uri being emitted is Sign Out's, not a sign-in's. */
  gboolean          browser_signing_out;
};

#define MR_KIOSK_WARNING_MS     (30 * 1000)
#define MR_KIOSK_DONE_RETURN_MS (10 * 1000)
/* Entra's sign-in page carries a flow token that expires after some minutes: a preloaded page
 * nobody tapped for is replaced well before. */
#define MR_SIGNIN_PRELOAD_MAX_AGE_MS (10 * 60 * 1000)

/* ---- The hub (mr-window.c), for the spokes ---------------------------------------------- */

gboolean      _mr_window_is_kiosk          (MrWindow        *self);
/* TRUE when sign-in goes through the system browser (desk only; a kiosk never opens one). */
gboolean      _mr_window_uses_system_browser (MrWindow      *self);
/* Sets @page's description to @text as text, never as markup. */
void          _mr_window_set_description   (AdwStatusPage   *page,
                                            const char      *text);
void          _mr_window_show_page         (MrWindow        *self,
                                            const char      *name);
void          _mr_window_show_busy         (MrWindow        *self,
                                            const char      *label);
void          _mr_window_show_error        (MrWindow        *self,
                                            const GError    *error);
/* _mr_window_show_error() for a message made here. */
void          _mr_window_show_error_message (MrWindow       *self,
                                             GQuark          domain,
                                             int             code,
                                             const char     *message);
/* Welcome (or, at a signed-in desk, Find a Patient), with a spare sign-in view for the next
 * person. */
void          _mr_window_show_welcome      (MrWindow        *self);
/* Welcome with @notice above its Sign in button (why the last sign-in was turned away); it goes
 * when another page is shown or at the next wipe. */
void          _mr_window_show_welcome_notice (MrWindow      *self,
                                              const char    *notice);
/* Forgets everything of the patient at the screen (not the staff member's session). */
void          _mr_window_wipe              (MrWindow        *self);
/* The visit is ending (Done, "Still there?"): a kiosk starts the next person's sign-in helper. */
void          _mr_window_ready_next        (MrWindow        *self);
/* _mr_window_wipe(), then Welcome: Start over, Cancel, the kiosk's idle end. */
void          _mr_window_start_over        (MrWindow        *self);
/* The refill form, built on first use (not before the first frame). */
MrRefillForm *_mr_window_form              (MrWindow        *self);
/* The patient is in the visit: onto the form. */
void          _mr_window_show_patient      (MrWindow        *self);
/* Opens the sign-in the settings ask for: the sign-in page or the system browser. */
void          _mr_window_open_sign_in      (MrWindow        *self);
/* Where both sign-ins end: the callback @uri goes to the visit, the window follows. */
void          _mr_window_complete_sign_in  (MrWindow        *self,
                                            const char      *uri);
/* Review's Send: asks about corrections when there are any, then sends. */
void          _mr_window_submit            (MrWindow        *self);
/* Hands the form's request to the visit (after any corrections were confirmed or skipped). */
void          _mr_window_send              (MrWindow        *self);
/* The desk's staff member signed in, signed out or was locked out: the windows only they may
 * see (Outbox, Preferences) close when nobody is signed in, and "staff-signed-in" is notified. */
void          _mr_window_staff_changed     (MrWindow        *self);
/* The idle spoke's countdown ran out: a kiosk wipes, a desk locks and wipes. */
void          _mr_window_idle_expired      (MrWindow        *self);
/* Sign Out after a system-browser sign-in: the provider's sign-out address @url goes to the
 * browser that holds the provider's session. */
void          _mr_window_sign_out_in_browser (MrWindow      *self,
                                              const char    *url);

/* ---- The spokes, for the hub ------------------------------------------------------------ */

/* mr-window-signin.c */
void          _mr_window_signin_class_init (GtkWidgetClass  *widget_class);
/* Prefetches what signing in needs once the settings are there. */
void          _mr_window_signin_configure  (MrWindow        *self);
/* The spare view: made (when none waits and no helper is on screen) and dropped. */
void          _mr_window_signin_make_spare (MrWindow        *self);
void          _mr_window_signin_drop_spare (MrWindow        *self);
/* On Welcome: the spare, and at a kiosk the next person's page preloaded in it. */
void          _mr_window_signin_prepare    (MrWindow        *self);
/* Ends the sign-in view on screen and its web processes. */
void          _mr_window_signin_drop_view  (MrWindow        *self);
/* The wipe's part: the view on screen, and a spare that preloaded the attempt being dropped. */
void          _mr_window_signin_wipe       (MrWindow        *self);
/* Opens the authorize URL on the sign-in page. */
void          _mr_window_signin_open       (MrWindow        *self);

/* mr-window-idle.c: the guard and its "Still there?" dialog. */
void          _mr_window_idle_init         (MrWindow        *self);
/* Closes the dialog if it is up (the wipe: nothing of it may wait for the next person). */
void          _mr_window_idle_close_warning (MrWindow       *self);
void          _mr_window_idle_poke          (MrWindow       *self);

/* mr-window-phone.c: sign in with a phone (the device authorization grant). */
void          _mr_window_phone_class_init  (GtkWidgetClass  *widget_class);
/* Welcome's "Sign in with your phone" follows the settings (a kiosk with device-sign-in). */
void          _mr_window_phone_configure   (MrWindow        *self);
/* Stops the countdown and the polling (the wipe: Cancel, idle, Done). */
void          _mr_window_phone_stop        (MrWindow        *self);

/* mr-window-browser.c */
void          _mr_window_browser_class_init (MrWindowClass  *klass);
void          _mr_window_browser_init      (MrWindow        *self);
/* Opens the authorize URL in the default browser and waits on the visit's loopback listener. */
void          _mr_window_browser_open      (MrWindow        *self);
/* Opens the provider's sign-out address @url in the default browser (::open-uri). */
void          _mr_window_browser_sign_out  (MrWindow        *self,
                                            const char      *url);

/* mr-window-desk.c */
void          _mr_window_desk_class_init   (GtkWidgetClass  *widget_class);
void          _mr_window_desk_init         (MrWindow        *self);
/* After new settings: in desk mode, resumes the staff member's session silently. */
void          _mr_window_desk_configure    (MrWindow        *self);
/* After an interactive sign-in in desk mode: the staff member is signed in. */
void          _mr_window_desk_signed_in    (MrWindow        *self);
/* Where a visit ends: the lookup while a staff member is signed in, else FALSE. */
gboolean      _mr_window_desk_show_home    (MrWindow        *self);
/* TRUE while a staff member is signed in. */
gboolean      _mr_window_desk_is_signed_in (MrWindow        *self);
/* The lookup page's "patient is here". */
gboolean      _mr_window_desk_patient_present (MrWindow     *self);
/* Idle: the staff member must sign in again. */
void          _mr_window_desk_lock         (MrWindow        *self);
/* The account is not staff, or a refresh did not show the session was still theirs
 * (MR_OIDC_ERROR_NOT_STAFF, MR_OIDC_ERROR_IDENTITY; the desk has signed it out): everything of
 * the visit goes, and Welcome says why. */
void          _mr_window_desk_refused      (MrWindow        *self,
                                            const GError    *error);

/* mr-window-submit.c */
void          _mr_window_submit_class_init (GtkWidgetClass  *widget_class);
/* Makes the outbox on the first settings (opened in the background) and points it at the
 * workflow of the current ones. */
void          _mr_window_submit_configure  (MrWindow        *self);
/* What the Done page says; @correction_problem may be NULL. */
void          _mr_window_submit_show_done  (MrWindow        *self,
                                            MrOutboxOutcome  outcome,
                                            const char      *detail,
                                            const char      *correction_problem);
/* The staff member signed in or out (or was locked out): the Outbox button follows. */
void          _mr_window_submit_staff_changed (MrWindow     *self);
void          _mr_window_submit_dispose    (MrWindow        *self);

/* mr-window-corrections.c */
void          _mr_window_corrections_configure (MrWindow    *self);
/* When the person changed profile details, asks whether to write them back, then sends; returns
 * FALSE (and does nothing) when nothing changed. */
gboolean      _mr_window_corrections_confirm (MrWindow      *self);
void          _mr_window_corrections_dispose (MrWindow      *self);

G_END_DECLS

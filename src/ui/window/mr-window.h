/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "mr-config.h"
#include "mr-delivery.h"
#include "mr-signin-helper.h"
#include "mr-visit.h"

G_BEGIN_DECLS

/* The main window: Welcome → sign-in → details → form → done, and back. It owns the sign-in
 * session (tokens, profile) of the person at the screen and wipes it on Start over. */
#define MR_TYPE_WINDOW (mr_window_get_type ())
G_DECLARE_FINAL_TYPE (MrWindow, mr_window, MR, WINDOW, AdwApplicationWindow)

MrWindow   *mr_window_new             (GtkApplication *application);
/* Sets the settings to use (copied) and starts fetching the provider's configuration, so that
 * signing in later needs no extra round trip. */
void        mr_window_set_config      (MrWindow       *self,
                                       const MrConfig *config);
/* Against the built-in sandbox: the badge, and an outbox of its own (in
 * $XDG_DATA_HOME/io.github.medrefill.MedRefill/sandbox-outbox), so that a demo never sends or
 * keeps production requests. Before the first mr_window_set_config(). */
void        mr_window_set_sandbox     (MrWindow       *self,
                                       gboolean        sandbox);
/* The app's settings (the desk keeps desk-login-hint in them); without, the window opens
 * APP_ID's. Before the first mr_window_set_config(). */
void        mr_window_set_settings    (MrWindow       *self,
                                       GSettings      *settings);
/* Kiosk timings in milliseconds (the idle time otherwise comes from the idle-timeout setting). */
void        mr_window_set_kiosk_timeouts  (MrWindow   *self,
                                           guint       idle_ms,
                                           guint       warning_ms,
                                           guint       done_return_ms);
/* TRUE while the "Still there?" warning is shown. */
gboolean    mr_window_get_idle_warning    (MrWindow   *self);
/* The visible page: "welcome", "signin", "busy", "form", "done" or "error". */
const char *mr_window_get_page        (MrWindow       *self);
/* TRUE on a kiosk's Welcome once the next person's sign-in page has loaded, hidden, in a fresh
 * helper (for tests). */
gboolean    mr_window_get_next_signin_ready (MrWindow *self);
/* How long a preloaded sign-in page may wait before it is replaced (default 10 minutes; tests). */
void        mr_window_set_signin_preload_max_age (MrWindow *self,
                                                  guint     max_age_ms);
/* The sign-in helper while the sign-in page is shown, else NULL (for tests). */
MrSigninHelper *mr_window_get_signin_helper (MrWindow   *self);
/* The visit the window shows (its state, for tests that time what happens when). */
MrVisit    *mr_window_get_visit           (MrWindow   *self);
/* TRUE while a staff member is signed in at this desk (never at a kiosk): the Outbox and
 * Preferences are theirs only. Notified as "staff-signed-in". */
gboolean    mr_window_get_staff_signed_in (MrWindow   *self);
/* The outbox every request goes through (NULL before the first settings). */
MrOutbox   *mr_window_get_outbox          (MrWindow   *self);
GtkWidget  *mr_window_get_form        (MrWindow       *self);
/* The sentence on the error page or the done page as it is shown (its markup rendered), or
 * Welcome's notice (why a sign-in was turned away), for tests; NULL when there is none. Owned by
 * the page. */
const char *mr_window_get_message     (MrWindow       *self);

G_END_DECLS

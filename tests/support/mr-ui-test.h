/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "mr-sandbox.h"
#include "mr-window.h"

G_BEGIN_DECLS

/* How long a UI test waits for one step (a page, a load) before it fails: WebKit's first
 * process start on a loaded two-core machine is slow; the tests wait on events, not on time. */
#define MR_UI_WAIT_MS 90000

/* JavaScript that holds once the sandbox's sign-in page is ready for typing. */
#define MR_UI_EMAIL_FIELD_READY \
  "document.readyState === 'complete' && document.getElementById('email') !== null"

/* @root or the first widget below it (popovers included) that is a @type and is on screen
 * (mapped), or NULL. */
GtkWidget     *mr_ui_find_mapped       (GtkWidget  *root,
                                        GType       type);
/* A started sandbox tenant on 127.0.0.1 (fails the test when it cannot start). */
MrSandbox     *mr_ui_start_sandbox     (void);
/* The settings the sandbox prints, in @mode. Free with mr_config_free(). */
MrConfig      *mr_ui_sandbox_config    (MrSandbox  *sandbox,
                                        MrMode      mode);
/* A presented window on @sandbox in @mode, on its Welcome page; a kiosk's timers are set out of
 * the way (a test that needs them sets its own). */
MrWindow      *mr_ui_open_window       (MrSandbox  *sandbox,
                                        MrMode      mode);

/* The first widget below @root whose GtkBuilder id is @id, or NULL. */
GtkWidget     *mr_ui_find_by_id        (GtkWidget  *root,
                                        const char *id);
/* The @nth (0-based) widget below @root whose widget name is @name, or NULL. */
GtkWidget     *mr_ui_find_by_name      (GtkWidget  *root,
                                        const char *name,
                                        guint       nth);
/* Spins the main loop until @window shows @page; fails the test after MR_UI_WAIT_MS. */
void           mr_ui_wait_for_page     (MrWindow   *window,
                                        const char *page);
/* Runs @script in @web_view (a WebKitWebView in this process: the tests of the sign-in page
 * itself, which link it) and returns its value as a boolean (FALSE when a navigation replaced the
 * page while it ran). The support library does not link WebKit, so that the window tests' process
 * is like the app's; the functions are looked up in the library the test linked. */
gboolean       mr_ui_run_js            (GtkWidget  *web_view,
                                        const char *script);
/* The same for the window's sign-in page, which runs in the sign-in helper process: the script
 * goes there through the helper's protocol. Fails the test when the window shows no sign-in. */
gboolean       mr_ui_run_signin_js     (MrWindow   *window,
                                        const char *script);
/* Waits until the sign-in page is shown and @condition (JavaScript) holds in it. */
void           mr_ui_wait_for_signin   (MrWindow   *window,
                                        const char *condition);
/* JavaScript that holds once the sandbox's "Stay signed in?" page is ready for a tap. */
#define MR_UI_STAY_SIGNED_IN_READY \
  "document.readyState === 'complete' && document.getElementById('kmsi-yes') !== null"

/* Fills the sandbox's sign-in page and presses its button, as a person would; with the sandbox's
 * password, then answers Yes to "Stay signed in?" (as Entra asks after a password). */
void           mr_ui_sign_in_as        (MrWindow   *window,
                                        const char *email,
                                        const char *password);
/* Only the first half: fills the sign-in page and presses its button. */
void           mr_ui_submit_sign_in    (MrWindow   *window,
                                        const char *email,
                                        const char *password);
/* Waits for the sandbox's "Stay signed in?" page and taps Yes or No. */
void           mr_ui_stay_signed_in    (MrWindow   *window,
                                        gboolean    yes);
/* Desk mode, signed in as staff: waits for the lookup page, searches @hospital_number and opens
 * the one patient found. */
void           mr_ui_open_patient      (MrWindow   *window,
                                        const char *hospital_number);
/* When MEDREFILL_SCREENSHOT_DIR is set, saves what @window shows as NAME.png there. */
void           mr_ui_save_screenshot   (MrWindow   *window,
                                        const char *name);
/* When MEDREFILL_MEMORY_REPORT is set (bench/memory.sh), prints to stderr one line
 * "medrefill-memory: STAGE rss_kib=… pss_kib=… processes=N webkit=M app_pss_kib=… heap_kib=…
 * fds=…": RSS and PSS of this process and all of its descendants (the sign-in helper and
 * WebKit's web and network processes), read from /proc, M counting those three kinds; then this
 * process's own PSS, heap in use and open file descriptors. */
void           mr_ui_report_memory     (const char *stage);
/* This process's open file descriptors. */
guint          mr_ui_count_fds         (void);
/* Spins the main loop until no WebKit process (nor the sign-in helper that hosts them) descends
 * from this one, or @timeout_ms passes; returns how many are left. */
guint          mr_ui_wait_webkit_gone  (guint       timeout_ms);
/* The pids of the sign-in helper processes descending from this one (ints; free with
 * g_array_unref()). */
GArray        *mr_ui_signin_helper_pids (void);
/* Kills (SIGKILL) every sign-in helper process descending from this one, as a crash would;
 * returns how many. */
guint          mr_ui_kill_signin_helpers (void);
/* Spins the main loop until at least @count such processes descend from this one, or
 * @timeout_ms passes; returns how many there are. */
guint          mr_ui_wait_webkit_count (guint       count,
                                        guint       timeout_ms);

/* @web_view's WebKitSettings (owned by the view), looked up like mr_ui_run_js()'s functions. */
GObject       *mr_ui_web_view_settings (GtkWidget  *web_view);
/* Waits until @condition (JavaScript) holds in @web_view; fails the test after MR_UI_WAIT_MS. */
void           mr_ui_wait_for_js       (GtkWidget  *web_view,
                                        const char *condition);
/* Moves the pointer to (@root_x, @root_y) of the screen through XTest: input that reaches
 * whichever window is there, another process's too. FALSE when not X11 or no libXtst. */
gboolean       mr_ui_move_pointer      (GdkDisplay *display,
                                        int         root_x,
                                        int         root_y);
/* Presses and releases mouse @button (1 left, 3 right) at the centre of @widget through the X
 * server's XTest extension, so that the page gets a person's click (a user gesture, which script
 * cannot fake). FALSE when the display is not X11 or libXtst is missing. */
gboolean       mr_ui_click             (GtkWidget  *widget,
                                        guint       button);

/* A new self-signed certificate with its private key for 127.0.0.1, valid now (made with GnuTLS),
 * for a TLS server that no client should trust. */
GTlsCertificate      *mr_ui_self_signed_certificate (void);

/* For main(): TRUE when there is a display; otherwise registers one skipped test. */
gboolean       mr_ui_have_display      (const char *path);

G_END_DECLS

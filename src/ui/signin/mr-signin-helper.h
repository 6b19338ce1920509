/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The embedded sign-in page runs in a helper process (medrefill-signin, src/ui/signin/): WebKit's
 * libraries are loaded there and nowhere else, and they leave memory with that process when the
 * sign-in is over. This object starts the helper and speaks its protocol (one JSON object a line
 * on the helper's standard input and output, see mr-signin-helper.c in src/ui/signin/).
 *
 * Signals: ::redirect (uri) the provider sent the browser to the redirect URI; ::failed (message)
 * a sentence for the user (the page did not load, or the helper could not start or died);
 * ::cancelled the person pressed Cancel in the sign-in window; ::activity the person is using the
 * page; ::preloaded the page given to mr_signin_helper_preload() has loaded. */
#define MR_TYPE_SIGNIN_HELPER (mr_signin_helper_get_type ())
G_DECLARE_FINAL_TYPE (MrSigninHelper, mr_signin_helper, MR, SIGNIN_HELPER, GObject)

/* Starts the helper for @redirect_uri; its web process starts at once, its window stays hidden
 * until mr_signin_helper_open(). @fullscreen: a kiosk's window covers the screen. */
MrSigninHelper *mr_signin_helper_new           (const char          *redirect_uri,
                                                gboolean             fullscreen);
/* Shows the sign-in window on @authorize_url; the page may visit @hosts and the URL's own host.
 * @activation_token (X11 startup notification id or Wayland activation token, may be NULL) lets
 * the desktop give the new window the focus the app's window had. */
void            mr_signin_helper_open          (MrSigninHelper      *self,
                                                const char          *authorize_url,
                                                const char * const  *hosts,
                                                const char          *activation_token);
/* Loads @authorize_url (the page may visit @hosts and the URL's own host) with the window hidden,
 * for someone who has not tapped Sign in yet: mr_signin_helper_show() then only maps it. */
void            mr_signin_helper_preload       (MrSigninHelper      *self,
                                                const char          *authorize_url,
                                                const char * const  *hosts);
/* Shows the sign-in window on the preloaded page (@activation_token as for _open()). */
void            mr_signin_helper_show          (MrSigninHelper      *self,
                                                const char          *activation_token);
/* Ends the helper (its window, web process and WebKit with it). Idempotent; also on dispose. */
void            mr_signin_helper_shutdown      (MrSigninHelper      *self);
/* TRUE until the helper has ended or failed. */
gboolean        mr_signin_helper_is_running    (MrSigninHelper      *self);
/* Runs @script in the page and gives its result as a boolean (FALSE when the page changed while
 * it ran). For tests, which fill the page in as a person would: only in a build with
 * -Dtest_hooks=true (the helper of a release build has no such command). */
void            mr_signin_helper_run_js_async  (MrSigninHelper      *self,
                                                const char          *script,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean        mr_signin_helper_run_js_finish (MrSigninHelper      *self,
                                                GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The sign-in page lives in a loadable module (src/ui/signin/) so that WebKit's libraries are not
 * loaded, relocated and initialised before the first frame: the executable does not link WebKit.
 * The module is loaded in a worker thread while the Welcome page is on screen. */

#define MR_SIGNIN_MODULE_ABI 2

typedef struct {
  guint       abi;
  /* A new sign-in view (see mr-signin-view.h in the module) with ::redirect (uri) and
   * ::failed (message) signals. It starts its web process at once, so that the page appears
   * quickly when the user taps Sign in. */
  GtkWidget *(*view_new)          (const char         *redirect_uri,
                                   const char * const *allowed_hosts);
  void       (*view_load)         (GtkWidget          *view,
                                   const char         *authorize_url);
  void       (*view_shutdown)     (GtkWidget          *view);
  /* Adds hosts the page may visit (the provider's, from discovery; the administrator's list). */
  void       (*view_allow_hosts)  (GtkWidget          *view,
                                   const char * const *hosts);
  /* The WebKitWebView, as a GtkWidget (for tests). */
  GtkWidget *(*view_get_web_view) (GtkWidget          *view);
} MrSigninModule;

/* Loads the module (once; it stays resident) from $MEDREFILL_MODULE_DIR or the installed module
 * directory, in a worker thread. */
void                  mr_signin_module_load_async  (GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
const MrSigninModule *mr_signin_module_load_finish (GAsyncResult        *result,
                                                    GError             **error);
/* The loaded module, or NULL while it is not loaded yet. Main thread only. */
const MrSigninModule *mr_signin_module_get         (void);

G_END_DECLS

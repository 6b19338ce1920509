/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <webkit/webkit.h>

G_BEGIN_DECLS

/* The embedded sign-in page: a WebKitWebView on a fresh ephemeral network session, confined to
 * the identity provider's hosts, that captures the navigation to the redirect URI (never loading
 * it) and reports it with ::redirect. */
#define MR_TYPE_SIGNIN_VIEW (mr_signin_view_get_type ())
G_DECLARE_FINAL_TYPE (MrSigninView, mr_signin_view, MR, SIGNIN_VIEW, GtkWidget)

/* @allowed_hosts: hosts the page may navigate to (the authorize endpoint's host is always allowed). */
GtkWidget     *mr_signin_view_new          (const char          *redirect_uri,
                                            const char * const  *allowed_hosts);
void           mr_signin_view_load         (MrSigninView        *self,
                                            const char          *authorize_url);
/* Ends the web process and releases the view and its network session, so no WebKit process of
 * this sign-in outlives it. Idempotent; also done on dispose. */
/* Adds @hosts to those the page may visit. */
void           mr_signin_view_allow_hosts  (MrSigninView        *self,
                                            const char * const  *hosts);
void           mr_signin_view_shutdown     (MrSigninView        *self);
/* The web view, for tests (NULL after shutdown). */
WebKitWebView *mr_signin_view_get_web_view (MrSigninView        *self);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The redirect end of a sign-in in the system browser (RFC 8252 §7.3): a tiny HTTP server bound to
 * 127.0.0.1 on a port the kernel picks, in the caller's thread-default main context. The browser
 * arrives at http://127.0.0.1:PORT/PATH?code=…&state=… (or ?error=…); the listener answers with a
 * short "you can close this tab" page and hands the full callback URI to the caller, who checks it
 * with mr_oidc_parse_callback (redirect_uri, uri, state, …). A callback whose state is not the one
 * of this sign-in (a stray tab, another web page guessing the port) is refused with 400 and the
 * listener keeps waiting; after the first good callback every further one gets 409 ("already
 * used"), after a cancel 410. Other paths get 404. The port closes when the listener is freed.
 *
 * Entra note: Entra ignores the port of a loopback redirect URI registered under "Mobile and desktop
 * applications", so one registration serves every port. We bind and send the literal 127.0.0.1
 * rather than localhost, as RFC 8252 §8.3 recommends (no resolver, no IPv6/IPv4 ambiguity). */
#define MR_TYPE_LOOPBACK_LISTENER (mr_loopback_listener_get_type ())
G_DECLARE_FINAL_TYPE (MrLoopbackListener, mr_loopback_listener, MR, LOOPBACK_LISTENER, GObject)

/* Starts listening at once. @path starts with "/" (e.g. "/auth/callback"). Returns NULL with a
 * G_IO_ERROR when no loopback port can be bound. Does not block. */
MrLoopbackListener *mr_loopback_listener_new              (const char           *path,
                                                           GError              **error);
/* "http://127.0.0.1:PORT/PATH", to send as redirect_uri. Owned by the listener. */
const char         *mr_loopback_listener_get_redirect_uri (MrLoopbackListener   *self);
/* Waits (once per listener) for the browser's callback carrying @expected_state. Finishes with
 * the callback URI (newly allocated; the redirect URI plus the query the browser sent), or with
 * G_IO_ERROR_CANCELLED. */
void                mr_loopback_listener_wait_async       (MrLoopbackListener   *self,
                                                           const char           *expected_state,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
char               *mr_loopback_listener_wait_finish      (MrLoopbackListener   *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

G_END_DECLS

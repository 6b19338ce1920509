/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mr-config.h"

G_BEGIN_DECLS

/* The desk's one stored staff refresh token, for mr-staff-session.c: whoever signs in next
 * replaces it, and it is bound to the authority, client id and tenant it was got with. One queue
 * for the whole process (there is one item, whichever session wrote it); main thread only. */

/* The keyring is to hold @secret as the desk's only staff refresh token (NULL: none), bound to
 * @config as it is now. Writes run one at a time in the order wished, and only the last wish
 * still waiting is carried out, so a lock's removal can never be overtaken by the store of a
 * rotation that came before it; a write wished just before its session goes still runs. A
 * keyring that cannot be reached only means the next start asks again. */
void  mr_staff_keyring_write          (const char          *secret,
                                       const MrConfig      *config);
/* The token stored for @config's authority, client id and tenant, looked up once the writes
 * wished before this call are done. Finishes with it (newly allocated; mr_secret_free() it), or
 * NULL and no error when there is none. */
void  mr_staff_keyring_lookup_async   (const MrConfig      *config,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
char *mr_staff_keyring_lookup_finish  (GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS

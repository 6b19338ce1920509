/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Makes @server answer on 127.0.0.1:@port (0: a free port the kernel picks), never on another
 * interface, and stores the port in @bound_port. The connections are accepted here and handed
 * to @server, because libsoup 3.2's own listener (soup_server_listen*) keeps a reference to every
 * socket it accepts (fixed in 3.3); every answer closes its connection, because 3.2 also never
 * closes a kept-alive one that the client closes while idle. Returns the listening service (stop it with
 * mr_local_server_stop()), or NULL with @error set, e.g. when the port is taken. Call it in the
 * thread whose default main context @server runs in. */
GSocketService *mr_local_server_listen (SoupServer  *server,
                                        guint        port,
                                        guint       *bound_port,
                                        GError     **error);
/* Stops listening, closes every client connection of @server and frees @service. */
void            mr_local_server_stop   (GSocketService *service,
                                        SoupServer     *server);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the router (mr-sandbox.c) calls: each handler's entry points. A handler includes this
 * only for its own prototypes; handlers never call the router, and share code only through the
 * leaves (mr-sandbox-http.h, mr-sandbox-tenant.h) and mr-sandbox-page.h / -graph-private.h /
 * -filter.h / -faults.h. */
#pragma once

#include <libsoup/soup.h>

#include "mr-sandbox.h"
#include "mr-sandbox-tenant.h"

G_BEGIN_DECLS

/* mr-sandbox-idp.c: the OpenID provider (signing key, discovery, keys, token, sign-out) */
gboolean    mr_sandbox_idp_init         (MrSandbox         *self,
                                         GError           **error);
void        mr_sandbox_idp_clear        (MrSandbox         *self);
void        mr_sandbox_handle_discovery (MrSandbox         *self,
                                         SoupServerMessage *msg);
void        mr_sandbox_handle_keys      (MrSandbox         *self,
                                         SoupServerMessage *msg);
void        mr_sandbox_handle_token     (MrSandbox         *self,
                                         SoupServerMessage *msg);
void        mr_sandbox_handle_logout    (MrSandbox         *self,
                                         SoupServerMessage *msg,
                                         GHashTable        *query);

/* mr-sandbox-device.c: the device authorization grant (devicecode, the phone's deviceauth pages)
 * and, for the token endpoint, a device code's state: the account and the scope once approved
 * (single use; *@scope owned by the tenant), else NULL with the answer given. */
void        mr_sandbox_handle_devicecode (MrSandbox        *self,
                                          SoupServerMessage *msg);
void        mr_sandbox_handle_deviceauth (MrSandbox        *self,
                                          SoupServerMessage *msg);
const MrSandboxUser *mr_sandbox_redeem_device_code (MrSandbox         *self,
                                                    SoupServerMessage *msg,
                                                    GHashTable        *form,
                                                    const char       **scope);

/* mr-sandbox-authorize.c */
void        mr_sandbox_handle_authorize (MrSandbox         *self,
                                         SoupServerMessage *msg,
                                         GHashTable        *query);

/* mr-sandbox-graph.c: /v1.0/me */
void        mr_sandbox_handle_me        (MrSandbox         *self,
                                         SoupServerMessage *msg,
                                         GHashTable        *query);
/* mr-sandbox-directory.c: /v1.0/users[/{id}], /v1.0/applications; FALSE for another path */
gboolean    mr_sandbox_handle_graph     (MrSandbox         *self,
                                         SoupServerMessage *msg,
                                         const char        *path,
                                         GHashTable        *query);

/* mr-sandbox-sink.c */
void        mr_sandbox_handle_sink      (MrSandbox         *self,
                                         SoupServerMessage *msg);
/* The sink's part of mr_sandbox_forget_records(): attempts and accepted keys. Any thread. */
void        mr_sandbox_sink_forget      (MrSandbox         *self);

G_END_DECLS

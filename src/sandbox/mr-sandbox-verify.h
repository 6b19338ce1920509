/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The workflow sink's token check: the reference workflow's "Verify the token" node
 * (data/n8n/verify-token.js) in C, check for check, so that a request the sandbox takes in is one
 * the shipped workflow would take in, and a refusal is answered as it answers it. A helper of the
 * sink: it reads the object's signing key, kid and issuer, and nothing else of the sandbox. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mr-sandbox.h"

G_BEGIN_DECLS

/* How the workflow answers a request it refuses: @status with {"error","error_description"}. */
typedef struct {
  guint       status;
  const char *error;
  const char *description;
} MrSandboxRefusal;

/* Whether the request in @msg, whose body parsed as @body, carries a token the workflow accepts
 * for it; otherwise fills @refusal (static strings). Server thread; does not block. */
gboolean    mr_sandbox_verify_request     (MrSandbox         *self,
                                           SoupServerMessage *msg,
                                           JsonNode          *body,
                                           MrSandboxRefusal  *refusal);

G_END_DECLS

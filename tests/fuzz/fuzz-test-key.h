/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The kid under which the key set holds the test key with "alg":"RS256","use":"sig"; a second
 * entry ("k2") holds the same key without alg or use, and a third (EC) entry is skipped. */
#define FUZZ_TEST_KID "k1"

/* {"keys":[…]} with the TEST KEY's public half. Newly allocated. */
char *fuzz_test_jwks_json  (void);
/* header.payload.signature: @header_json and @payload_json base64url-encoded, signed RS256 with the
 * TEST KEY. Newly allocated. */
char *fuzz_test_jwt_sign   (const char *header_json,
                            const char *payload_json);

G_END_DECLS

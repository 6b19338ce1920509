/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* RSA test keys and hand-made JWTs, shared by the JWT, OIDC and ID-token tests. */

#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

G_BEGIN_DECLS

typedef struct {
  gnutls_privkey_t  key;
  char             *n;   /* base64url modulus */
  char             *e;   /* base64url exponent */
} MrTestKey;

#define MR_TEST_N_KEYS 3

/* One of MR_TEST_N_KEYS 2048-bit RSA keys, made once per run (generation is slow). Owned by the
 * helper. */
MrTestKey *mr_test_key_get      (guint          index);
/* A 1024-bit RSA test key, made once per run: too short for a key set to accept (the app asks
 * for 2048 bits). A test key only, never a real one. Owned by the helper. */
MrTestKey *mr_test_key_get_weak (void);

/* A JWK object for @key; @kid, @alg and @use are left out when NULL. Newly allocated. */
char      *mr_test_key_jwk      (MrTestKey     *key,
                                 const char    *kid,
                                 const char    *alg,
                                 const char    *use);
/* base64url of @text without padding. Newly allocated. */
char      *mr_test_b64          (const char    *text);

/* "header.payload.signature" with both segments base64url-encoded from @header and @payload.
 * @algorithm: GNUTLS_SIGN_RSA_SHA256 (RS256), _RSA_SHA512 (RS512), _RSA_PSS_SHA256 (PS256);
 * GNUTLS_SIGN_UNKNOWN with a NULL key gives an empty signature ("h.p."). Newly allocated. */
char      *mr_test_jwt_sign     (MrTestKey               *key,
                                 gnutls_sign_algorithm_t  algorithm,
                                 const char              *header,
                                 const char              *payload);
/* The same, HMAC-SHA256 with @secret as the key (the HS256 confusion attack). */
char      *mr_test_jwt_sign_hs256 (const char            *secret,
                                   const char            *header,
                                   const char            *payload);

/* The claims of @jwt, unverified (for tests that look at a token someone else checks). Asserts it
 * has three segments and a JSON object in the middle one. Newly allocated JSON text. */
char      *mr_test_jwt_claims_text (const char          *jwt);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define MR_JWT_ERROR (mr_jwt_error_quark ())

typedef enum {
  MR_JWT_ERROR_MALFORMED,     /* not three base64url segments of JSON objects, or oversized */
  MR_JWT_ERROR_ALGORITHM,     /* alg is not RS256 (none, HS*, …) or not what the key declares */
  MR_JWT_ERROR_UNKNOWN_KEY,   /* no key in the set has the token's kid */
  MR_JWT_ERROR_SIGNATURE,     /* the signature does not verify */
} MrJwtError;

/* A parsed compact JWS. Nothing in it is trusted until mr_jwt_verify() returned TRUE. */
typedef struct {
  JsonObject *header;
  JsonObject *payload;
  GBytes     *signing_input;  /* "<header>.<payload>" as received */
  GBytes     *signature;      /* decoded */
} MrJwt;

/* A JSON Web Key Set: the RSA public keys of an issuer. Opaque. */
typedef struct _MrJwks MrJwks;

GQuark      mr_jwt_error_quark (void);

/* Returns a new MrJwt or NULL with MR_JWT_ERROR_MALFORMED. Tokens over 16 KiB are refused. */
MrJwt      *mr_jwt_parse       (const char   *compact,
                                GError      **error);
void        mr_jwt_free        (MrJwt        *jwt);

/* Parses a JWKS document; keys that are not RSA or lack n/e are skipped. */
MrJwks     *mr_jwks_parse      (GBytes       *body,
                                GError      **error);
MrJwks     *mr_jwks_ref        (MrJwks       *jwks);
void        mr_jwks_unref      (MrJwks       *jwks);
gboolean    mr_jwks_has_kid    (MrJwks       *jwks,
                                const char   *kid);

/* Checks the RS256 signature of @jwt against the key of @jwks named by the header's kid.
 * Refuses alg none, HS*, and any alg the key does not declare. Does not look at claims. */
gboolean    mr_jwt_verify      (const MrJwt  *jwt,
                                MrJwks       *jwks,
                                GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrJwt, mr_jwt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrJwks, mr_jwks_unref)

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_jwt_parse(), mr_jwt_verify() against a fixed key set holding the TEST KEY (fuzz-test-key.c),
 * and mr_id_token_check_claims() on whatever payload parsed. Input: the compact token. */
#include "mr-identity.h"

#include <string.h>

#include "fuzz-common.h"
#include "fuzz-test-key.h"
#include "mr-base.h"

/* What the tokens in corpus/fuzz-jwt/ were made to match (see make-jwt-seeds.c). */
#define ISSUER    "https://login.microsoftonline.com/eeeeeeee-0000-1111-2222-ffffffffffff/v2.0"
#define CLIENT_ID "33334444-dddd-5555-eeee-6666ffff7777"
#define NONCE     "cuRc8VSD7VdAOHJjl_U1nCVvZojd-0bhPO5_IFm747c"
#define TENANT_ID "eeeeeeee-0000-1111-2222-ffffffffffff"
#define NOW       1756808400

static MrJwks *jwks;  /* lives for the whole process */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *json = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  json = fuzz_test_jwks_json ();
  body = g_bytes_new (json, strlen (json));
  jwks = mr_jwks_parse (body, &error);
  if (jwks == NULL || !mr_jwks_has_kid (jwks, FUZZ_TEST_KID) || mr_jwks_has_kid (jwks, "k3"))
    g_error ("The fuzz test key set did not parse as expected");
  return 0;
}

static void
check_claims (JsonObject *claims,
              gboolean    strict)
{
  g_autoptr(GError) error = NULL;
  MrIdTokenExpect expect = {
    .issuer = ISSUER,
    .client_id = CLIENT_ID,
    .nonce = strict ? NONCE : NULL,
    .tenant_id = strict ? TENANT_ID : "",
    .now = NOW,
    .skew = strict ? 300 : 0,
  };
  gboolean ok = mr_id_token_check_claims (claims, &expect, &error);

  fuzz_check (ok == (error == NULL));
  fuzz_check (ok || error->domain == MR_OIDC_ERROR);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *compact = g_strndup ((const char *) data, size);
  g_autoptr(MrJwt) jwt = NULL;
  g_autoptr(GError) error = NULL;
  gboolean verified;

  jwt = mr_jwt_parse (compact, &error);
  if (jwt == NULL)
    {
      fuzz_check (g_error_matches (error, MR_JWT_ERROR, MR_JWT_ERROR_MALFORMED));
      return 0;
    }
  fuzz_check (error == NULL && jwt->header != NULL && jwt->payload != NULL);
  fuzz_check (jwt->signing_input != NULL && jwt->signature != NULL);

  verified = mr_jwt_verify (jwt, jwks, &error);
  fuzz_check (verified == (error == NULL));
  fuzz_check (verified || error->domain == MR_JWT_ERROR);
  /* Only an RS256 signature by the 2048-bit TEST KEY may verify. */
  if (verified)
    {
      fuzz_check (g_strcmp0 (mr_json_get_string (jwt->header, "alg"), "RS256") == 0);
      fuzz_check (g_bytes_get_size (jwt->signature) == 256);
    }

  check_claims (jwt->payload, TRUE);
  check_claims (jwt->payload, FALSE);
  return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fuzz-test-key.h"

#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "mr-base.h"

/* THIS IS A TEST KEY, NOT A SECRET. The RSA key is derived deterministically (FIPS 186-4 provable
 * generation) from the public seed below, so that the tokens in corpus/fuzz-jwt/ verify on every
 * run and every machine. It signs nothing but fuzz inputs; never trust it anywhere. */
static const char test_key_seed[32] = "medrefill fuzz TEST KEY seed v1";

static gnutls_privkey_t
test_key (void)
{
  static gnutls_privkey_t key;
  gnutls_keygen_data_st seed = {
    GNUTLS_KEYGEN_SEED, (unsigned char *) test_key_seed, sizeof test_key_seed
  };

  if (key != NULL)
    return key;
  if (gnutls_privkey_init (&key) < 0
      || gnutls_privkey_generate2 (key, GNUTLS_PK_RSA, 2048, GNUTLS_PRIVKEY_FLAG_PROVABLE,
                                   &seed, 1) < 0)
    g_error ("Could not derive the fuzz test key");
  return key;
}

char *
fuzz_test_jwks_json (void)
{
  gnutls_pubkey_t pub;
  gnutls_datum_t m, e;
  g_autofree char *n_text = NULL;
  g_autofree char *e_text = NULL;

  if (gnutls_pubkey_init (&pub) < 0
      || gnutls_pubkey_import_privkey (pub, test_key (), 0, 0) < 0
      || gnutls_pubkey_export_rsa_raw2 (pub, &m, &e, GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
    g_error ("Could not export the fuzz test key");
  n_text = mr_base64url_encode (m.data, m.size);
  e_text = mr_base64url_encode (e.data, e.size);
  gnutls_free (m.data);
  gnutls_free (e.data);
  gnutls_pubkey_deinit (pub);

  return g_strdup_printf ("{\"keys\":["
                          "{\"kty\":\"RSA\",\"kid\":\"" FUZZ_TEST_KID "\",\"alg\":\"RS256\","
                          "\"use\":\"sig\",\"n\":\"%s\",\"e\":\"%s\"},"
                          "{\"kty\":\"RSA\",\"kid\":\"k2\",\"n\":\"%s\",\"e\":\"%s\"},"
                          "{\"kty\":\"EC\",\"kid\":\"k3\",\"crv\":\"P-256\","
                          "\"x\":\"AA\",\"y\":\"AA\"}"
                          "]}", n_text, e_text, n_text, e_text);
}

char *
fuzz_test_jwt_sign (const char *header_json,
                    const char *payload_json)
{
  g_autofree char *h = mr_base64url_encode ((const guchar *) header_json, strlen (header_json));
  g_autofree char *p = mr_base64url_encode ((const guchar *) payload_json, strlen (payload_json));
  g_autofree char *input = g_strconcat (h, ".", p, NULL);
  g_autofree char *sig = NULL;
  gnutls_datum_t data = { (unsigned char *) input, strlen (input) };
  gnutls_datum_t signature;

  if (gnutls_privkey_sign_data (test_key (), GNUTLS_DIG_SHA256, 0, &data, &signature) < 0)
    g_error ("Could not sign with the fuzz test key");
  sig = mr_base64url_encode (signature.data, signature.size);
  gnutls_free (signature.data);
  return g_strconcat (input, ".", sig, NULL);
}

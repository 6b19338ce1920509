/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-test-jwt.h"

#include <string.h>
#include <gnutls/crypto.h>

#include "mr-base.h"

static MrTestKey *
test_key_new (guint bits)
{
  MrTestKey *self = g_new0 (MrTestKey, 1);
  gnutls_pubkey_t pub;
  gnutls_datum_t m, e;

  g_assert_cmpint (gnutls_privkey_init (&self->key), ==, 0);
  g_assert_cmpint (gnutls_privkey_generate (self->key, GNUTLS_PK_RSA, bits, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&pub), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_privkey (pub, self->key, 0, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_export_rsa_raw2 (pub, &m, &e, GNUTLS_EXPORT_FLAG_NO_LZ), ==, 0);
  self->n = mr_base64url_encode (m.data, m.size);
  self->e = mr_base64url_encode (e.data, e.size);
  gnutls_free (m.data);
  gnutls_free (e.data);
  gnutls_pubkey_deinit (pub);
  return self;
}

MrTestKey *
mr_test_key_get (guint index)
{
  static MrTestKey *keys[MR_TEST_N_KEYS];

  g_assert_cmpuint (index, <, MR_TEST_N_KEYS);
  if (keys[index] == NULL)
    keys[index] = test_key_new (2048);
  return keys[index];
}

MrTestKey *
mr_test_key_get_weak (void)
{
  static MrTestKey *key;

  if (key == NULL)
    key = test_key_new (1024);
  return key;
}

char *
mr_test_key_jwk (MrTestKey  *key,
                 const char *kid,
                 const char *alg,
                 const char *use)
{
  GString *jwk = g_string_new ("{\"kty\":\"RSA\"");

  if (kid != NULL)
    g_string_append_printf (jwk, ",\"kid\":\"%s\"", kid);
  if (alg != NULL)
    g_string_append_printf (jwk, ",\"alg\":\"%s\"", alg);
  if (use != NULL)
    g_string_append_printf (jwk, ",\"use\":\"%s\"", use);
  g_string_append_printf (jwk, ",\"n\":\"%s\",\"e\":\"%s\"}", key->n, key->e);
  return g_string_free (jwk, FALSE);
}

char *
mr_test_b64 (const char *text)
{
  return mr_base64url_encode ((const guchar *) text, strlen (text));
}

char *
mr_test_jwt_sign (MrTestKey               *key,
                  gnutls_sign_algorithm_t  algorithm,
                  const char              *header,
                  const char              *payload)
{
  g_autofree char *h = mr_test_b64 (header);
  g_autofree char *p = mr_test_b64 (payload);
  g_autofree char *input = g_strconcat (h, ".", p, NULL);
  g_autofree char *sig = NULL;
  gnutls_datum_t data = { (guchar *) input, strlen (input) };
  gnutls_datum_t signature;

  if (key == NULL)
    return g_strconcat (input, ".", NULL);
  g_assert_cmpint (gnutls_privkey_sign_data2 (key->key, algorithm, 0, &data, &signature), ==, 0);
  sig = mr_base64url_encode (signature.data, signature.size);
  gnutls_free (signature.data);
  return g_strconcat (input, ".", sig, NULL);
}

char *
mr_test_jwt_sign_hs256 (const char *secret,
                        const char *header,
                        const char *payload)
{
  g_autofree char *h = mr_test_b64 (header);
  g_autofree char *p = mr_test_b64 (payload);
  g_autofree char *input = g_strconcat (h, ".", p, NULL);
  g_autofree char *sig = NULL;
  guint8 digest[32];

  g_assert_cmpint (gnutls_hmac_fast (GNUTLS_MAC_SHA256, secret, strlen (secret), input,
                                     strlen (input), digest), ==, 0);
  sig = mr_base64url_encode (digest, sizeof digest);
  return g_strconcat (input, ".", sig, NULL);
}

char *
mr_test_jwt_claims_text (const char *jwt)
{
  g_auto(GStrv) parts = g_strsplit (jwt, ".", -1);
  GString *b64;
  g_autofree guchar *json = NULL;
  gsize len = 0;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  b64 = g_string_new (parts[1]);
  for (gsize i = 0; i < b64->len; i++)
    b64->str[i] = b64->str[i] == '-' ? '+' : b64->str[i] == '_' ? '/' : b64->str[i];
  while (b64->len % 4 != 0)
    g_string_append_c (b64, '=');
  json = g_base64_decode (b64->str, &len);
  g_string_free (b64, TRUE);
  g_assert_true (len > 1 && json[0] == '{');
  return g_strndup ((const char *) json, len);
}

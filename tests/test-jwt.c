/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-identity.h"

#include <string.h>

#include "mr-test-jwt.h"
#include "mr-test-server.h"
#include "mr-base.h"

/* ---- Test keys and hand-made tokens (shared helpers: mr-test-jwt.h) ------------------------- */

/* One key for the whole run, and a second one for "wrong key"; RSA generation is slow. */
static MrTestKey *
primary_key (void)
{
  return mr_test_key_get (0);
}

static MrTestKey *
other_key (void)
{
  return mr_test_key_get (1);
}

static char *
make_jwt (const char *header,
          const char *payload)
{
  return mr_test_jwt_sign (primary_key (), GNUTLS_SIGN_RSA_SHA256, header, payload);
}

static MrJwks *
jwks_from (const char *keys_json)
{
  g_autofree char *text = g_strdup_printf ("{\"keys\":[%s]}", keys_json);
  g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&text), strlen (keys_json) + 11);
  g_autoptr(GError) error = NULL;
  MrJwks *jwks = mr_jwks_parse (body, &error);

  g_assert_no_error (error);
  g_assert_nonnull (jwks);
  return jwks;
}

static MrJwks *
primary_jwks (void)
{
  g_autofree char *jwk = mr_test_key_jwk (primary_key (), "k1", "RS256", "sig");

  return jwks_from (jwk);
}

#define GOOD_HEADER  "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"
#define GOOD_PAYLOAD "{\"sub\":\"abc\",\"name\":\"Zoë\"}"

/* Parses @compact (which must parse) and returns the error of verifying it against @jwks. */
static GError *
verify_error (const char *compact,
              MrJwks     *jwks)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrJwt) jwt = mr_jwt_parse (compact, &error);

  g_assert_no_error (error);
  g_assert_nonnull (jwt);
  if (mr_jwt_verify (jwt, jwks, &error))
    return NULL;
  g_assert_nonnull (error);
  return g_steal_pointer (&error);
}

/* ---- Verification --------------------------------------------------------------------------- */

static void
test_good_token (void)
{
  g_autofree char *token = make_jwt (GOOD_HEADER, GOOD_PAYLOAD);
  g_autoptr(MrJwks) jwks = primary_jwks ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MrJwt) jwt = mr_jwt_parse (token, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (mr_json_get_string (jwt->header, "kid"), ==, "k1");
  g_assert_cmpstr (mr_json_get_string (jwt->payload, "name"), ==, "Zoë");
  g_assert_cmpuint (g_bytes_get_size (jwt->signature), ==, 256);
  g_assert_cmpuint (g_bytes_get_size (jwt->signing_input), ==, strrchr (token, '.') - token);
  g_assert_true (mr_jwks_has_kid (jwks, "k1"));
  g_assert_true (mr_jwt_verify (jwt, jwks, &error));
  g_assert_no_error (error);
}

static void
test_key_without_declared_alg (void)
{
  g_autofree char *token = make_jwt (GOOD_HEADER, GOOD_PAYLOAD);
  g_autofree char *jwk = mr_test_key_jwk (primary_key (), "k1", NULL, NULL);
  g_autoptr(MrJwks) jwks = jwks_from (jwk);
  g_autoptr(GError) error = verify_error (token, jwks);

  g_assert_no_error (error);
}

static void
test_refused_algorithms (void)
{
  g_autofree char *rs512_jwk = mr_test_key_jwk (primary_key (), "k1", "RS256", "sig");
  g_autofree char *any_jwk = mr_test_key_jwk (primary_key (), "k1", NULL, NULL);
  g_autofree char *enc_jwk = mr_test_key_jwk (primary_key (), "k1", "RS256", "enc");
  g_autofree char *ps_jwk = mr_test_key_jwk (primary_key (), "k1", "PS256", NULL);
  g_autofree char *hs_token = NULL;
  struct {
    char       *token;
    const char *jwks;
  } cases[6];

  /* HS256 with the public modulus as the HMAC secret: the classic key-confusion attack. */
  hs_token = mr_test_jwt_sign_hs256 (primary_key ()->n, "{\"alg\":\"HS256\",\"kid\":\"k1\"}",
                                     GOOD_PAYLOAD);

  cases[0].token = mr_test_jwt_sign (NULL, GNUTLS_SIGN_UNKNOWN,
                                     "{\"alg\":\"none\",\"kid\":\"k1\"}", GOOD_PAYLOAD);
  cases[0].jwks = any_jwk;
  cases[1].token = g_strdup (hs_token);
  cases[1].jwks = any_jwk;
  cases[2].token = mr_test_jwt_sign (primary_key (), GNUTLS_SIGN_RSA_SHA512,
                                     "{\"alg\":\"RS512\",\"kid\":\"k1\"}", GOOD_PAYLOAD);
  cases[2].jwks = rs512_jwk;
  cases[3].token = make_jwt (GOOD_HEADER, GOOD_PAYLOAD);
  cases[3].jwks = enc_jwk;
  cases[4].token = make_jwt (GOOD_HEADER, GOOD_PAYLOAD);
  cases[4].jwks = ps_jwk;
  cases[5].token = make_jwt ("{\"kid\":\"k1\"}", GOOD_PAYLOAD);
  cases[5].jwks = any_jwk;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrJwks) jwks = jwks_from (cases[i].jwks);
      g_autoptr(GError) error = verify_error (cases[i].token, jwks);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_error (error, MR_JWT_ERROR, MR_JWT_ERROR_ALGORITHM);
      g_free (cases[i].token);
    }
}

static char *
replace_segment (const char *token,
                 guint       index,
                 const char *segment)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", -1);

  g_free (parts[index]);
  parts[index] = g_strdup (segment);
  return g_strjoinv (".", parts);
}

static void
test_bad_signatures (void)
{
  g_autofree char *good = make_jwt (GOOD_HEADER, GOOD_PAYLOAD);
  g_autofree char *stripped = replace_segment (good, 2, "");
  g_autofree char *flipped = g_strdup (good);
  g_autofree char *other_payload = mr_test_b64 ("{\"sub\":\"abd\",\"name\":\"Zoë\"}");
  g_autofree char *tampered = replace_segment (good, 1, other_payload);
  g_autofree char *short_sig = replace_segment (good, 2, "AAAA");
  g_autofree char *wrong_jwk = mr_test_key_jwk (other_key (), "k1", "RS256", "sig");
  g_autoptr(MrJwks) jwks = primary_jwks ();
  g_autoptr(MrJwks) wrong_jwks = jwks_from (wrong_jwk);
  char *last = strrchr (flipped, '.') + 20;
  const char *tokens[] = { stripped, flipped, tampered, short_sig };

  /* Changing one character of the signature changes its bits. */
  *last = *last == 'A' ? 'B' : 'A';
  for (gsize i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr(GError) error = verify_error (tokens[i], jwks);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_error (error, MR_JWT_ERROR, MR_JWT_ERROR_SIGNATURE);
    }

  {
    g_autoptr(GError) error = verify_error (good, wrong_jwks);

    g_assert_error (error, MR_JWT_ERROR, MR_JWT_ERROR_SIGNATURE);
  }
}

static void
test_unknown_kid (void)
{
  g_autofree char *token = make_jwt ("{\"alg\":\"RS256\",\"kid\":\"k2\"}", GOOD_PAYLOAD);
  g_autofree char *no_kid = make_jwt ("{\"alg\":\"RS256\"}", GOOD_PAYLOAD);
  g_autofree char *jwk1 = mr_test_key_jwk (primary_key (), "k1", "RS256", "sig");
  g_autofree char *jwk3 = mr_test_key_jwk (other_key (), "k3", "RS256", "sig");
  g_autofree char *two = g_strconcat (jwk1, ",", jwk3, NULL);
  g_autoptr(MrJwks) jwks = primary_jwks ();
  g_autoptr(MrJwks) two_keys = jwks_from (two);
  g_autoptr(GError) error = verify_error (token, jwks);
  g_autoptr(GError) no_kid_error = verify_error (no_kid, two_keys);

  g_assert_false (mr_jwks_has_kid (jwks, "k2"));
  g_assert_error (error, MR_JWT_ERROR, MR_JWT_ERROR_UNKNOWN_KEY);
  /* Without kid, several keys leave the token's key unknown. */
  g_assert_error (no_kid_error, MR_JWT_ERROR, MR_JWT_ERROR_UNKNOWN_KEY);
}

/* ---- Malformed tokens ----------------------------------------------------------------------- */

static void
test_malformed (void)
{
  g_autofree char *good = make_jwt (GOOD_HEADER, GOOD_PAYLOAD);
  g_autofree char *sig = g_strdup (strrchr (good, '.') + 1);
  g_autofree char *h = mr_test_b64 (GOOD_HEADER);
  g_autofree char *p = mr_test_b64 (GOOD_PAYLOAD);
  g_autofree char *not_json = mr_test_b64 ("{\"alg\":\"RS256\",");
  g_autofree char *array = mr_test_b64 ("[\"sub\",\"abc\"]");
  g_autofree char *two = g_strconcat (h, ".", p, NULL);
  g_autofree char *four = g_strconcat (good, ".", sig, NULL);
  g_autofree char *bad_b64 = g_strconcat (h, ".", p, "+x.", sig, NULL);
  g_autofree char *bad_sig = g_strconcat (h, ".", p, ".", sig, "*", NULL);
  g_autofree char *header_not_json = g_strconcat (not_json, ".", p, ".", sig, NULL);
  g_autofree char *payload_array = g_strconcat (h, ".", array, ".", sig, NULL);
  g_autofree char *empty_header = g_strconcat (".", p, ".", sig, NULL);
  const char *cases[] = {
    "", "abc", two, four, bad_b64, bad_sig, header_not_json, payload_array, empty_header,
    "..", "a.b.c",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MrJwt) jwt = mr_jwt_parse (cases[i], &error);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_null (jwt);
      g_assert_error (error, MR_JWT_ERROR, MR_JWT_ERROR_MALFORMED);
    }
}

static char *
token_with_claim_of (gsize size)
{
  g_autofree char *filler = g_strnfill (size, 'x');
  g_autofree char *payload = g_strdup_printf ("{\"sub\":\"abc\",\"pad\":\"%s\"}", filler);

  return make_jwt (GOOD_HEADER, payload);
}

static void
test_size_limit (void)
{
  g_autofree char *big = token_with_claim_of (12 * 1024);
  g_autofree char *just_fits = token_with_claim_of (11 * 1024);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrJwt) refused = NULL;
  g_autoptr(MrJwt) accepted = NULL;
  g_autoptr(MrJwks) jwks = primary_jwks ();

  g_assert_cmpuint (strlen (big), >, 16 * 1024);
  g_assert_cmpuint (strlen (just_fits), <=, 16 * 1024);
  refused = mr_jwt_parse (big, &error);
  g_assert_null (refused);
  g_assert_error (error, MR_JWT_ERROR, MR_JWT_ERROR_MALFORMED);
  g_clear_error (&error);

  accepted = mr_jwt_parse (just_fits, &error);
  g_assert_no_error (error);
  g_assert_true (mr_jwt_verify (accepted, jwks, &error));
}

/* ---- Key sets ------------------------------------------------------------------------------- */

static void
test_jwks_skips_unusable_keys (void)
{
  g_autofree char *rsa = mr_test_key_jwk (primary_key (), "k1", "RS256", "sig");
  g_autofree char *keys = g_strconcat (
    "{\"kty\":\"EC\",\"kid\":\"ec1\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"},"
    "{\"kty\":\"RSA\",\"kid\":\"no-n\",\"e\":\"AQAB\"},"
    "{\"kty\":\"RSA\",\"kid\":\"bad-n\",\"n\":\"not base64!\",\"e\":\"AQAB\"},"
    "\"not an object\",", rsa, NULL);
  g_autoptr(MrJwks) jwks = jwks_from (keys);
  g_autofree char *token = make_jwt (GOOD_HEADER, GOOD_PAYLOAD);
  g_autoptr(GError) error = verify_error (token, jwks);

  g_assert_false (mr_jwks_has_kid (jwks, "ec1"));
  g_assert_false (mr_jwks_has_kid (jwks, "no-n"));
  g_assert_false (mr_jwks_has_kid (jwks, "bad-n"));
  g_assert_true (mr_jwks_has_kid (jwks, "k1"));
  g_assert_no_error (error);
}

/* A 1024-bit modulus can be factored by a well-funded attacker: such a key, even one that
 * signed the token, is not in the set. */
static void
test_jwks_refuses_short_keys (void)
{
  g_autofree char *weak = mr_test_key_jwk (mr_test_key_get_weak (), "k1", "RS256", "sig");
  g_autoptr(MrJwks) jwks = jwks_from (weak);
  g_autofree char *token = mr_test_jwt_sign (mr_test_key_get_weak (), GNUTLS_SIGN_RSA_SHA256,
                                             GOOD_HEADER, GOOD_PAYLOAD);
  g_autoptr(GError) error = verify_error (token, jwks);

  g_assert_false (mr_jwks_has_kid (jwks, "k1"));
  g_assert_nonnull (error);
}

static void
test_jwks_garbage (void)
{
  const char *bodies[] = {
    "", "garbage", "<html>503</html>", "[]", "{}", "{\"keys\":\"k1\"}", "{\"keys\":{}}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (bodies[i], strlen (bodies[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(MrJwks) jwks = mr_jwks_parse (body, &error);

      g_test_message ("case %s", bodies[i]);
      g_assert_null (jwks);
      g_assert_error (error, MR_JWT_ERROR, MR_JWT_ERROR_MALFORMED);
    }
}

static void
test_jwks_ref (void)
{
  MrJwks *jwks = primary_jwks ();

  g_assert_true (mr_jwks_ref (jwks) == jwks);
  mr_jwks_unref (jwks);
  g_assert_true (mr_jwks_has_kid (jwks, "k1"));
  mr_jwks_unref (jwks);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/jwt/verify/good", test_good_token);
  g_test_add_func ("/jwt/verify/key-without-alg", test_key_without_declared_alg);
  g_test_add_func ("/jwt/verify/refused-algorithms", test_refused_algorithms);
  g_test_add_func ("/jwt/verify/bad-signatures", test_bad_signatures);
  g_test_add_func ("/jwt/verify/unknown-kid", test_unknown_kid);
  g_test_add_func ("/jwt/parse/malformed", test_malformed);
  g_test_add_func ("/jwt/parse/size-limit", test_size_limit);
  g_test_add_func ("/jwt/jwks/skips-unusable-keys", test_jwks_skips_unusable_keys);
  g_test_add_func ("/jwt/jwks/short-keys", test_jwks_refuses_short_keys);
  g_test_add_func ("/jwt/jwks/garbage", test_jwks_garbage);
  g_test_add_func ("/jwt/jwks/ref", test_jwks_ref);

  return g_test_run ();
}

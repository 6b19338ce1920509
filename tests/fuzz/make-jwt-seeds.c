/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writes the tokens of corpus/fuzz-jwt/, signed with the TEST KEY of fuzz-test-key.c, into the
 * first directory given, and the TEST KEY's key set into the second (corpus/fuzz-jwks/). The seed
 * corpora are checked in; run this only to remake them:
 *   ninja -C _build-fuzz tests/fuzz/make-jwt-seeds
 *   _build-fuzz/tests/fuzz/make-jwt-seeds tests/fuzz/corpus/fuzz-jwt tests/fuzz/corpus/fuzz-jwks */
#include <string.h>

#include "fuzz-test-key.h"
#include "mr-base.h"

#define HEADER    "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"
#define ISS       "\"iss\":\"https://login.microsoftonline.com/" \
                  "eeeeeeee-0000-1111-2222-ffffffffffff/v2.0\""
#define AUD       "\"aud\":\"33334444-dddd-5555-eeee-6666ffff7777\""
#define TIMES     "\"iat\":1756808324,\"nbf\":1756808324,\"exp\":1756812224"
#define NONCE     "\"nonce\":\"cuRc8VSD7VdAOHJjl_U1nCVvZojd-0bhPO5_IFm747c\""
#define TID       "\"tid\":\"eeeeeeee-0000-1111-2222-ffffffffffff\""
#define GOOD      "{" AUD "," ISS "," TIMES ",\"name\":\"Placeholder User\"," NONCE "," \
                  "\"oid\":\"44445555-eeee-6666-ffff-7777aaaa8888\"," \
                  "\"preferred_username\":\"user@contoso.example\"," TID ",\"ver\":\"2.0\"}"

static void
write_seed (const char *dir,
            const char *name,
            const char *token)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0755);
  if (!g_file_set_contents (path, token, -1, &error))
    g_error ("%s", error->message);
}

static void
write_signed (const char *dir,
              const char *name,
              const char *header,
              const char *payload)
{
  g_autofree char *token = fuzz_test_jwt_sign (header, payload);

  write_seed (dir, name, token);
}

static void
write_unsigned (const char *dir,
                const char *name,
                const char *header,
                const char *payload)
{
  g_autofree char *h = mr_base64url_encode ((const guchar *) header, strlen (header));
  g_autofree char *p = mr_base64url_encode ((const guchar *) payload, strlen (payload));
  g_autofree char *token = g_strconcat (h, ".", p, ".", NULL);

  write_seed (dir, name, token);
}

int
main (int    argc,
      char **argv)
{
  const char *dir = argc > 1 ? argv[1] : ".";
  g_autofree char *jwks = fuzz_test_jwks_json ();

  if (argc > 2)
    write_seed (argv[2], "test-key-set", jwks);

  write_signed (dir, "workforce-valid", HEADER, GOOD);
  write_signed (dir, "external-id-no-kid-key-k2",
                "{\"alg\":\"RS256\",\"kid\":\"k2\"}",
                "{\"aud\":[\"33334444-dddd-5555-eeee-6666ffff7777\",\"other\"],"
                "\"azp\":\"33334444-dddd-5555-eeee-6666ffff7777\"," ISS ","
                "\"iat\":1756808324.5,\"exp\":1756812224.0}");
  write_signed (dir, "expired", HEADER, "{" AUD "," ISS ",\"iat\":1,\"exp\":2," NONCE "}");
  write_signed (dir, "wrong-tenant-nbf-future", HEADER,
                "{" AUD "," ISS "," "\"iat\":1756808324,\"nbf\":1956808324,\"exp\":1756812224,"
                NONCE ",\"tid\":\"ffffffff-0000-1111-2222-eeeeeeeeeeee\"}");
  write_signed (dir, "unknown-kid", "{\"alg\":\"RS256\",\"kid\":\"nope\"}", GOOD);
  write_signed (dir, "crit-header", "{\"alg\":\"RS256\",\"kid\":\"k1\",\"crit\":[\"exp\"]}", GOOD);
  write_unsigned (dir, "alg-none", "{\"alg\":\"none\",\"typ\":\"JWT\"}", GOOD);
  write_unsigned (dir, "alg-hs256", "{\"alg\":\"HS256\",\"kid\":\"k1\"}", GOOD);
  return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_jwks_parse() on a key list as the sign-in service would send it. */
#include "mr-identity.h"

#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrJwks) jwks = mr_jwks_parse (body, &error);

  fuzz_check ((jwks == NULL) != (error == NULL));
  if (jwks == NULL)
    {
      fuzz_check (g_error_matches (error, MR_JWT_ERROR, MR_JWT_ERROR_MALFORMED));
      return 0;
    }
  /* Look-ups on whatever parsed, and a reference taken and dropped again. */
  (void) mr_jwks_has_kid (jwks, "k1");
  (void) mr_jwks_has_kid (jwks, NULL);
  mr_jwks_unref (mr_jwks_ref (jwks));
  return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_oidc_parse_callback() and mr_oidc_is_redirect() on the address the sign-in ended at.
 * Input: first line = the captured URI; an optional second line = another redirect URI to compare
 * with it both ways. */
#include "mr-identity.h"

#include <string.h>

#include "fuzz-common.h"

#define REDIRECT_URI "http://localhost:5000/auth/callback"
#define STATE        "fuzz-state-Qm9ZcGxhY2Vob2xkZXI"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_callback (const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = mr_oidc_parse_callback (REDIRECT_URI, uri, STATE, &error);

  /* Exactly one of a code and an error, and only our own domain's errors. */
  fuzz_check ((code == NULL) != (error == NULL));
  if (code != NULL)
    {
      fuzz_check (*code != '\0');
      fuzz_check (mr_oidc_is_redirect (REDIRECT_URI, uri));
    }
  else
    fuzz_check (error->domain == MR_OIDC_ERROR && error->message != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  char *other = strchr (text, '\n');

  if (other != NULL)
    *other++ = '\0';

  check_callback (text);
  (void) mr_oidc_is_redirect (REDIRECT_URI, text);
  if (other != NULL)
    {
      g_autofree char *code = NULL;

      other[strcspn (other, "\n")] = '\0';
      (void) mr_oidc_is_redirect (text, other);
      /* A code is only ever taken from an address that is the redirect URI. */
      code = mr_oidc_parse_callback (other, text, STATE, NULL);
      fuzz_check (code == NULL || mr_oidc_is_redirect (other, text));
    }
  return 0;
}

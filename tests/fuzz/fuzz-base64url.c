/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_base64url_encode() / mr_base64url_decode(): decode (encode (x)) == x for any bytes, and any
 * text that decodes re-encodes to text that decodes to the same bytes. */
#include "mr-base.h"

#include <string.h>

#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static gboolean
is_alphabet (const char *text)
{
  return strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
         == strlen (text);
}

static void
check_round_trip (const guchar *data,
                  gsize         size)
{
  g_autofree char *encoded = mr_base64url_encode (data, size);
  g_autofree guchar *decoded = NULL;
  gsize len = 1;

  fuzz_check (encoded != NULL && is_alphabet (encoded));
  fuzz_check (strlen (encoded) == (size * 4 + 2) / 3);  /* no padding */
  decoded = mr_base64url_decode (encoded, &len);
  fuzz_check (decoded != NULL && len == size);
  fuzz_check (memcmp (decoded, data, size) == 0 && decoded[len] == '\0');
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree guchar *decoded = NULL;
  gsize len = 1;

  check_round_trip (data, size);

  decoded = mr_base64url_decode (text, &len);
  if (decoded == NULL)
    {
      fuzz_check (len == 0);
      return 0;
    }
  fuzz_check (decoded[len] == '\0' && len <= strlen (text) * 3 / 4);
  check_round_trip (decoded, len);
  return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_delivery_parse_response() on the clinic workflow's answer. Input: one byte choosing the HTTP
 * status, then the body (a 2xx without a reference is an error now, so the byte's top bit that
 * once chose a fallback reference no longer matters). */
#include "mr-delivery.h"

#include "fuzz-common.h"

static const guint statuses[] = {
  200, 200, 200, 201, 202, 204, 301, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503,
  100,
};

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
  guint status = fuzz_take_status (&data, &size, statuses, G_N_ELEMENTS (statuses));
  g_autoptr(GBytes) body = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;

  reference = mr_delivery_parse_response (status, body, &error);
  fuzz_check ((reference == NULL) != (error == NULL));
  if (reference == NULL)
    {
      fuzz_check (error->domain == MR_DELIVERY_ERROR && error->message != NULL);
      return 0;
    }
  fuzz_check (status >= 200 && status <= 299);
  fuzz_check (*reference != '\0' && g_utf8_validate (reference, -1, NULL));
  /* No control characters may reach the screen or the history. */
  for (const char *p = reference; *p != '\0'; p++)
    fuzz_check ((guchar) *p >= 0x20 && *p != 0x7f);
  return 0;
}

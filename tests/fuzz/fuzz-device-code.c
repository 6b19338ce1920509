/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_oidc_parse_device_authorization() and mr_oidc_classify_device_poll(): the sign in with a
 * phone's two readers of the provider's answers. Input: one byte choosing the HTTP status (200,
 * 400 or 503), then the body. */
#include "mr-identity.h"

#include <string.h>

#include "fuzz-common.h"

static const guint statuses[] = { 200, 400, 503 };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_device_authorization (guint   status,
                            GBytes *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrDeviceAuthorization) a = mr_oidc_parse_device_authorization (status, body, &error);

  fuzz_check ((a == NULL) != (error == NULL));
  if (a == NULL)
    {
      fuzz_check (error->domain == MR_OIDC_ERROR && error->message != NULL);
      return;
    }
  /* What a successful parse promises the screen and the polls. */
  fuzz_check (status == 200);
  fuzz_check (a->device_code != NULL && *a->device_code != '\0');
  fuzz_check (a->user_code != NULL && *a->user_code != '\0' && strlen (a->user_code) <= 64);
  fuzz_check (strchr (a->user_code, ' ') == NULL);
  fuzz_check (a->verification_uri != NULL);
  fuzz_check (a->expires_in >= 1 && a->expires_in <= 86400);
  fuzz_check (a->interval >= 1 && a->interval <= 300);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint status = fuzz_take_status (&data, &size, statuses, G_N_ELEMENTS (statuses));
  g_autoptr(GBytes) body = g_bytes_new (data, size);
  MrDevicePoll poll;

  check_device_authorization (status, body);
  poll = mr_oidc_classify_device_poll (status, body);
  fuzz_check (poll >= MR_DEVICE_POLL_DONE && poll <= MR_DEVICE_POLL_FAILED);
  fuzz_check ((poll == MR_DEVICE_POLL_DONE) == (status == 200));
  fuzz_check (status != 503 || poll == MR_DEVICE_POLL_UNAVAILABLE);
  return 0;
}

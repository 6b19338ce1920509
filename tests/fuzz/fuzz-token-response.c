/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_oidc_parse_token_response_full() and mr_oidc_discovery_parse(). Input: one byte choosing the
 * HTTP status (200, 400 or 500), then the body. */
#include "mr-identity.h"

#include "fuzz-common.h"

static const guint statuses[] = { 200, 400, 500 };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_token_response (guint   status,
                      GBytes *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (status, body, NULL, TRUE,
                                                                      &error);

  fuzz_check ((tokens == NULL) != (error == NULL));
  if (tokens == NULL)
    {
      fuzz_check (error->domain == MR_OIDC_ERROR && error->message != NULL);
      return;
    }
  fuzz_check (status == 200);
  fuzz_check (tokens->access_token != NULL && *tokens->access_token != '\0');
  fuzz_check (tokens->id_token != NULL && *tokens->id_token != '\0');
  fuzz_check (tokens->token_type != NULL && tokens->expires_in >= 0);
  fuzz_check (tokens->claims == NULL);
}

static void
check_discovery (GBytes *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrOidcDiscovery) discovery = mr_oidc_discovery_parse (body, &error);

  fuzz_check ((discovery == NULL) != (error == NULL));
  if (discovery == NULL)
    {
      fuzz_check (error->domain == MR_OIDC_ERROR);
      return;
    }
  fuzz_check (discovery->issuer != NULL && discovery->authorization_endpoint != NULL);
  fuzz_check (discovery->token_endpoint != NULL && discovery->jwks_uri != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint status = fuzz_take_status (&data, &size, statuses, G_N_ELEMENTS (statuses));
  g_autoptr(GBytes) body = g_bytes_new (data, size);

  check_token_response (status, body);
  check_discovery (body);
  return 0;
}

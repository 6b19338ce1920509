/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_config_import_env() on the text of a tutorial .env file: never a crash, a failure leaves the
 * config untouched, a success gives settings that can work, and CLIENT_SECRET is never kept. */
#include <string.h>

#include "mr-base.h"
#include "mr-config.h"

#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static gboolean
same_settings (const MrConfig *a,
               const MrConfig *b)
{
  return g_strcmp0 (a->authority, b->authority) == 0 &&
         g_strcmp0 (a->tenant_id, b->tenant_id) == 0 &&
         g_strcmp0 (a->client_id, b->client_id) == 0 &&
         g_strcmp0 (a->redirect_uri, b->redirect_uri) == 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(MrConfig) before = mr_config_copy (config);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) warnings = NULL;
  gboolean imported;

  imported = mr_config_import_env (config, text, &warnings, &error);
  fuzz_check (imported == (error == NULL));
  if (!imported)
    {
      fuzz_check (error->domain == MR_CONFIG_ERROR);
      fuzz_check (g_utf8_validate (error->message, -1, NULL));
      fuzz_check (same_settings (config, before));
      return 0;
    }
  fuzz_check (warnings != NULL);
  for (guint i = 0; warnings[i] != NULL; i++)
    fuzz_check (g_utf8_validate (warnings[i], -1, NULL));
  /* What was imported is https (or loopback) and the redirect URI a loopback one. */
  fuzz_check (mr_url_is_secure_or_loopback (config->authority));
  fuzz_check (mr_redirect_uri_is_secure_or_loopback (config->redirect_uri));
  fuzz_check (config->client_id != NULL && *config->client_id != '\0');
  return 0;
}

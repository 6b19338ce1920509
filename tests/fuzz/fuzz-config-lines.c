/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_config_apply_lines() then mr_config_validate() on "key=value" lines, as medrefill-sandbox
 * prints them. (The .env importer gets its own target, fuzz-config-env.c, next to this one.) */
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

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(MrConfig) copy = NULL;
  g_autoptr(GError) error = NULL;
  gboolean applied, valid;

  applied = mr_config_apply_lines (config, text, &error);
  fuzz_check (applied == (error == NULL));
  fuzz_check (applied || error->domain == MR_CONFIG_ERROR);
  g_clear_error (&error);

  valid = mr_config_validate (config, &error);
  fuzz_check (valid == (error == NULL));
  fuzz_check (valid || error->domain == MR_CONFIG_ERROR);
  g_clear_error (&error);

  /* A copy must validate the same way; every field must survive copying and freeing. */
  copy = mr_config_copy (config);
  fuzz_check (mr_config_validate (copy, NULL) == valid);
  fuzz_check (copy->scopes != NULL || config->scopes == NULL);
  if (valid)
    fuzz_check (mr_url_is_secure_or_loopback (config->authority)
                && mr_url_is_secure_or_loopback (config->workflow_url));
  return 0;
}

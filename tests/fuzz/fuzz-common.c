/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fuzz-common.h"

#include <stdio.h>
#include <stdlib.h>

void
fuzz_init (void)
{
  /* GLib 2.74 still has the slice allocator, which hides use-after-free and leaks from ASan.
   * These must be set before GLib's first allocation of that kind, hence here. */
  g_setenv ("G_SLICE", "always-malloc", FALSE);
  g_setenv ("G_DEBUG", "gc-friendly", FALSE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", FALSE);
  /* Bad input must give a GError, never a warning or a critical (which would be our bug, or a
   * misuse of a library by us). Aborting turns them into crashes libFuzzer reports. */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

void
fuzz_fail (const char *where,
           const char *what)
{
  fprintf (stderr, "%s: contract broken: %s\n", where, what);
  fflush (stderr);
  abort ();
}

guint
fuzz_take_status (const uint8_t **data,
                  size_t         *size,
                  const guint    *table,
                  gsize           n_table)
{
  guint8 byte;

  if (*size == 0)
    return 200;
  byte = (*data)[0];
  *data += 1;
  *size -= 1;
  return table[byte % n_table];
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-trace.h"

#include <stdio.h>

void
mr_trace_mark (const char *what)
{
  static int enabled = -1;

  if (enabled < 0)
    enabled = g_getenv ("MEDREFILL_TRACE") != NULL;
  if (!enabled)
    return;
  fprintf (stderr, "medrefill-trace: %s %" G_GINT64_FORMAT "\n", what, g_get_real_time ());
  fflush (stderr);
}

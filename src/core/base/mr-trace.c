/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-trace.h"

#include <stdio.h>

/* A test hook (-Dtest_hooks=true): a release build reads no environment variable of ours. */
gboolean
mr_trace_enabled (void)
{
#ifdef MR_TEST_HOOKS
  static int enabled = -1;

  if (enabled < 0)
    enabled = g_getenv ("MEDREFILL_TRACE") != NULL;
  return enabled;
#else
  return FALSE;
#endif
}

void
mr_trace_mark (const char *what)
{
#ifdef MR_TEST_HOOKS
  if (!mr_trace_enabled ())
    return;
  fprintf (stderr, "medrefill-trace: %s %" G_GINT64_FORMAT "\n", what, g_get_real_time ());
  fflush (stderr);
#endif
}

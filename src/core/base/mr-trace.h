/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Benchmark marks. In a build with -Dtest_hooks=true, when MEDREFILL_TRACE is set in the
 * environment, prints "medrefill-trace: <what> <wall clock µs>" to stderr; otherwise (and always in
 * a release build) does nothing. The benchmark scripts (bench/) read these lines; the marks never
 * carry patient data. */
void     mr_trace_mark    (const char *what);
/* Whether marks are printed, for a mark that costs work to find out (always FALSE in a release
 * build). */
gboolean mr_trace_enabled (void);

G_END_DECLS

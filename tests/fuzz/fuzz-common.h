/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

/* The two entry points libFuzzer calls; every fuzz-*.c defines both. */
int     LLVMFuzzerInitialize   (int            *argc,
                                char         ***argv);
int     LLVMFuzzerTestOneInput (const uint8_t  *data,
                                size_t          size);

/* Once per process: GLib allocates with plain malloc (so ASan sees every block), no proxy
 * resolver, and a warning or critical from anyone aborts, so that libFuzzer records the input. */
void    fuzz_init              (void);

/* Stops the run when a contract of the core is broken (libFuzzer keeps the input). */
#define fuzz_check(expr) \
  G_STMT_START { if (G_UNLIKELY (!(expr))) fuzz_fail (G_STRLOC, #expr); } G_STMT_END
G_NORETURN void fuzz_fail      (const char     *where,
                                const char     *what);

/* The first byte picks an HTTP status from @table; *data and *size then skip it. 200 when empty. */
guint   fuzz_take_status       (const uint8_t **data,
                                size_t         *size,
                                const guint    *table,
                                gsize           n_table);

G_END_DECLS

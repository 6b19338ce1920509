/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Stops this process from writing a core dump (RLIMIT_CORE 0) and from being dumpable or ptrace-
 * attachable by other processes of the user (PR_SET_DUMPABLE 0): a crash would otherwise leave
 * tokens and patient details on disk. Call first thing in main(); never fails the program. */
void mr_process_harden      (void);

/* Overwrites @s (up to its NUL) with zeroes in a way the compiler may not drop. NULL is fine. */
void mr_str_wipe            (char *s);
/* mr_str_wipe(), then frees: for tokens, PKCE verifiers and the forms that carry them, whose
 * copies must not linger in freed heap memory. NULL is fine. */
void mr_secure_free_string  (char *s);

G_END_DECLS

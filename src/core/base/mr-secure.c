/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-secure.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "mr-secure-private.h"

static GDestroyNotify secure_free_func = g_free;

void
mr_process_harden (void)
{
  struct rlimit no_core = { 0, 0 };

  /* Both, because either alone can be undone: a core_pattern pipe ignores RLIMIT_CORE, and a
   * dumpable process can still be read through /proc/<pid>/mem by the same user. */
  if (setrlimit (RLIMIT_CORE, &no_core) != 0)
    g_warning ("Could not turn off core dumps: %s", g_strerror (errno));
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    g_warning ("Could not make the process non-dumpable: %s", g_strerror (errno));
}

void
mr_str_wipe (char *s)
{
  if (s != NULL)
    explicit_bzero (s, strlen (s));
}

void
mr_secure_free_string (char *s)
{
  if (s == NULL)
    return;
  mr_str_wipe (s);
  secure_free_func (s);
}

void
_mr_secure_set_free_func (GDestroyNotify free_func)
{
  secure_free_func = free_func != NULL ? free_func : g_free;
}

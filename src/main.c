/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>
#include <locale.h>

#include "config.h"
#include "mr-application.h"
#include "mr-secure.h"
#include "mr-trace.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MrApplication) app = NULL;
  const char *localedir = NULL;

  /* Before anything holds a token or a patient's details: no core dump may write them out. */
  mr_process_harden ();
  mr_trace_mark ("main");

  setlocale (LC_ALL, "");
#ifdef MR_TEST_HOOKS
  /* A test build's uninstalled run (tests, screenshots) points this at the build's compiled
   * catalogues; a release build reads only the installed ones. */
  localedir = g_getenv ("MEDREFILL_LOCALEDIR");
#endif
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = mr_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* medrefill-sandbox: runs the stand-in tenant alone until SIGINT or SIGTERM. */
#include "mr-sandbox.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* --fault MODE[:N][*COUNT] (repeatable) builds the sink's script; --fault random:PERCENT turns on
 * random faults, seeded by --fault-seed. */
static gboolean
apply_faults (MrSandbox  *sandbox,
              char      **faults,
              gint64      seed,
              GError    **error)
{
  g_autoptr(GArray) script = g_array_new (FALSE, FALSE, sizeof (MrSinkFault));

  for (char **f = faults; f != NULL && *f != NULL; f++)
    {
      MrSinkFault fault;
      guint64 percent;

      if (g_str_has_prefix (*f, "random:"))
        {
          if (!g_ascii_string_to_unsigned (*f + strlen ("random:"), 10, 0, 100, &percent, error))
            return FALSE;
          mr_sandbox_set_sink_random_faults (sandbox, (guint32) seed, (guint) percent, NULL, 0);
          continue;
        }
      if (!mr_sandbox_parse_fault (*f, &fault, error))
        return FALSE;
      g_array_append_val (script, fault);
    }
  mr_sandbox_set_sink_faults (sandbox, (const MrSinkFault *) (gpointer) script->data, script->len);
  return TRUE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  int port = 0;
  g_autofree char *sink = NULL;
  g_auto(GStrv) faults = NULL;
  gint64 fault_seed = 1;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (default: any free port)", "N" },
    { "sink", 's', 0, G_OPTION_ARG_FILENAME, &sink,
      "Append each request the workflow sink receives to FILE, one JSON object a line", "FILE" },
    { "fault", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &faults,
      "Make the workflow sink misbehave, in the order given, each for COUNT attempts (default: "
      "every one from then on): none, refuse, 500, 429[:SECONDS], 403, 404, hang, close, "
      "slow[:MS]; or random:PERCENT",
      "MODE[:N][*COUNT]" },
    { "fault-seed", 0, 0, G_OPTION_ARG_INT64, &fault_seed, "Seed for --fault random (default 1)",
      "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrSandbox) sandbox = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *settings = NULL;

  setlocale (LC_ALL, "");
  g_option_context_set_summary (context, "Runs the Medication Refill stand-in tenant (sign-in, "
                                "Graph and workflow) on 127.0.0.1 until interrupted.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (port < 0 || port > G_MAXUINT16)
    {
      g_printerr ("The port must be between 0 and 65535.\n");
      return 2;
    }

  sandbox = mr_sandbox_new ();
  if (!apply_faults (sandbox, faults, fault_seed, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!mr_sandbox_start (sandbox, (guint) port, sink, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  /* The handlers are in place before the settings are printed: whoever reads them may stop the
   * sandbox at once, and must get a clean exit, not the default action of SIGTERM. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);

  settings = mr_sandbox_dup_settings_text (sandbox);
  printf ("%s\n%s", mr_sandbox_get_base_url (sandbox), settings);
  fflush (stdout);
  g_main_loop_run (loop);

  mr_sandbox_stop (sandbox);
  return 0;
}

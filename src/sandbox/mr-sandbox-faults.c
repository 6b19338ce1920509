/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The workflow sink's faults by name: "500", "429:30*2", … (medrefill-sandbox --fault, tests). */
#include "mr-sandbox.h"
#include "mr-sandbox-private.h"

static const char * const fault_names[] = {
  "none", "refuse", "500", "429", "403", "404", "hang", "close", "slow",
};

const char *
mr_sandbox_fault_name (MrSinkFaultKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (fault_names), NULL);

  return fault_names[kind];
}

gboolean
mr_sandbox_parse_fault (const char   *text,
                        MrSinkFault  *fault,
                        GError      **error)
{
  g_auto(GStrv) count_split = NULL;
  g_auto(GStrv) param_split = NULL;
  MrSinkFault parsed = { MR_SINK_FAULT_NONE, 0, 0 };
  guint i;

  g_return_val_if_fail (text != NULL && fault != NULL, FALSE);

  count_split = g_strsplit (text, "*", 2);
  param_split = g_strsplit (count_split[0] ? count_split[0] : "", ":", 2);
  for (i = 0; i < G_N_ELEMENTS (fault_names); i++)
    if (param_split[0] != NULL && g_ascii_strcasecmp (param_split[0], fault_names[i]) == 0)
      break;
  if (i == G_N_ELEMENTS (fault_names)
      || (param_split[0] != NULL && param_split[1] != NULL
          && !mr_sandbox_parse_uint (param_split[1], 0, G_MAXUINT32, &parsed.param))
      || (count_split[1] != NULL && !mr_sandbox_parse_uint (count_split[1], 0, G_MAXUINT32, &parsed.count)))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "“%s” is not a fault. Use MODE[:N][*COUNT], where MODE is one of none, "
                   "refuse, "
                   "500, 429, 403, 404, hang, close, slow.", text);
      return FALSE;
    }
  parsed.kind = (MrSinkFaultKind) i;
  *fault = parsed;
  return TRUE;
}

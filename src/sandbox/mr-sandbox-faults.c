/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The workflow sink's faults: by name ("500", "429:30*2", … for medrefill-sandbox --fault and
 * tests), which one the next POST meets (a script, then at random), and the misbehaviours
 * themselves, as networks and workflows misbehave. */
#include "mr-sandbox-faults.h"

#include <string.h>

#include "mr-sandbox-http.h"
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
      || (count_split[1] != NULL
          && !mr_sandbox_parse_uint (count_split[1], 0, G_MAXUINT32, &parsed.count)))
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

/* ---- which fault comes next ----------------------------------------------------------------- */

typedef struct {
  GMutex      lock;
  GArray     *script;       /* of MrSinkFault */
  guint       position;
  guint       used;         /* attempts the current script entry has had */
  GRand      *rand;
  guint       percent;
  GArray     *choices;      /* of MrSinkFault */
  guint       faults;
  GPtrArray  *hung;         /* messages that will never be answered */
} FaultState;

static const MrSinkFault default_choices[] = {
  { MR_SINK_FAULT_REFUSE, 0, 1 },
  { MR_SINK_FAULT_ERROR_500, 0, 1 },
  { MR_SINK_FAULT_RATE_LIMIT, 1, 1 },
  { MR_SINK_FAULT_CLOSE_MID_RESPONSE, 0, 1 },
  { MR_SINK_FAULT_SLOW, 20, 1 },
};

static void
fault_state_free (gpointer data)
{
  FaultState *state = data;

  g_array_unref (state->script);
  g_array_unref (state->choices);
  g_clear_pointer (&state->rand, g_rand_free);
  g_ptr_array_unref (state->hung);
  g_mutex_clear (&state->lock);
  g_free (state);
}

/* Kept as object data (freed with the sandbox, after its thread has stopped), made on first use
 * from whichever thread comes first. */
static FaultState *
fault_state (MrSandbox *self)
{
  static GQuark quark;
  FaultState *state;

  if (quark == 0)
    quark = g_quark_from_static_string ("mr-sandbox-fault-state");
  g_mutex_lock (&self->lock);
  state = g_object_get_qdata (G_OBJECT (self), quark);
  if (state == NULL)
    {
      state = g_new0 (FaultState, 1);
      g_mutex_init (&state->lock);
      state->script = g_array_new (FALSE, FALSE, sizeof (MrSinkFault));
      state->choices = g_array_new (FALSE, FALSE, sizeof (MrSinkFault));
      state->hung = g_ptr_array_new_with_free_func (g_object_unref);
      g_object_set_qdata_full (G_OBJECT (self), quark, state, fault_state_free);
    }
  g_mutex_unlock (&self->lock);
  return state;
}

/* Behind state->lock. */
static MrSinkFault
pick_fault (FaultState *state)
{
  MrSinkFault none = { MR_SINK_FAULT_NONE, 0, 0 };

  if (state->position < state->script->len)
    {
      MrSinkFault fault = g_array_index (state->script, MrSinkFault, state->position);

      if (fault.count > 0 && ++state->used >= fault.count)
        {
          state->position++;
          state->used = 0;
        }
      return fault;
    }
  if (state->percent > 0 && state->rand != NULL
      && (guint) g_rand_int_range (state->rand, 0, 100) < state->percent)
    return g_array_index (state->choices, MrSinkFault,
                          g_rand_int_range (state->rand, 0, state->choices->len));
  return none;
}

MrSinkFault
mr_sandbox_faults_next (MrSandbox *self)
{
  FaultState *state = fault_state (self);
  MrSinkFault fault;

  g_mutex_lock (&state->lock);
  fault = pick_fault (state);
  if (fault.kind != MR_SINK_FAULT_NONE)
    state->faults++;
  g_mutex_unlock (&state->lock);
  return fault;
}

void
mr_sandbox_set_sink_faults (MrSandbox         *self,
                            const MrSinkFault *script,
                            guint              n_faults)
{
  FaultState *state;

  g_return_if_fail (MR_IS_SANDBOX (self));
  g_return_if_fail (script != NULL || n_faults == 0);

  state = fault_state (self);
  g_mutex_lock (&state->lock);
  g_array_set_size (state->script, 0);
  g_array_append_vals (state->script, script, n_faults);
  state->position = 0;
  state->used = 0;
  g_mutex_unlock (&state->lock);
}

void
mr_sandbox_set_sink_random_faults (MrSandbox         *self,
                                   guint32            seed,
                                   guint              percent,
                                   const MrSinkFault *choices,
                                   guint              n_choices)
{
  FaultState *state;

  g_return_if_fail (MR_IS_SANDBOX (self));
  g_return_if_fail (percent <= 100);

  if (choices == NULL || n_choices == 0)
    {
      choices = default_choices;
      n_choices = G_N_ELEMENTS (default_choices);
    }
  state = fault_state (self);
  g_mutex_lock (&state->lock);
  g_clear_pointer (&state->rand, g_rand_free);
  state->rand = g_rand_new_with_seed (seed);
  state->percent = percent;
  g_array_set_size (state->choices, 0);
  g_array_append_vals (state->choices, choices, n_choices);
  g_mutex_unlock (&state->lock);
}

guint
mr_sandbox_get_faults_injected (MrSandbox *self)
{
  g_return_val_if_fail (MR_IS_SANDBOX (self), 0);

  FaultState *state;
  guint n;

  state = fault_state (self);
  g_mutex_lock (&state->lock);
  n = state->faults;
  g_mutex_unlock (&state->lock);
  return n;
}

/* ---- the misbehaviours -------------------------------------------------------------------- */

/* Takes the connection from libsoup, writes @partial (may be NULL) and closes it: to the client,
 * a refused request or an answer cut off. */
static void
close_connection (SoupServerMessage *msg,
                  const char        *partial)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  if (stream == NULL)
    return;
  if (partial != NULL)
    g_output_stream_write_all (g_io_stream_get_output_stream (stream), partial, strlen (partial),
                               NULL, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

void
mr_sandbox_faults_hang (MrSandbox         *self,
                        SoupServerMessage *msg)
{
  FaultState *state = fault_state (self);

  soup_server_message_pause (msg);
  g_mutex_lock (&state->lock);
  g_ptr_array_add (state->hung, g_object_ref (msg));
  g_mutex_unlock (&state->lock);
}

static gboolean
unpause_cb (gpointer data)
{
  soup_server_message_unpause (data);
  return G_SOURCE_REMOVE;
}

void
mr_sandbox_faults_delay (SoupServerMessage *msg,
                         guint              ms)
{
  g_autoptr(GSource) source = g_timeout_source_new (ms);

  soup_server_message_pause (msg);
  g_source_set_callback (source, unpause_cb, g_object_ref (msg), g_object_unref);
  g_source_attach (source, g_main_context_get_thread_default ());
}

static void
respond_fault (SoupServerMessage *msg,
               const MrSinkFault *fault)
{
  g_autofree char *seconds = NULL;

  switch (fault->kind)
    {
    case MR_SINK_FAULT_ERROR_500:
      mr_sandbox_respond_n8n (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Error in workflow", NULL);
      break;
    case MR_SINK_FAULT_RATE_LIMIT:
      seconds = g_strdup_printf ("%u", fault->param > 0 ? fault->param : 1);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", seconds);
      mr_sandbox_respond_n8n (msg, 429, "Too many requests", NULL);
      break;
    case MR_SINK_FAULT_FORBIDDEN:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Basic realm=\"Webhook\"");
      mr_sandbox_respond_text (msg, SOUP_STATUS_FORBIDDEN, "text/plain; charset=utf-8",
                               "Authorization data is wrong!");
      break;
    case MR_SINK_FAULT_NOT_FOUND:
      mr_sandbox_respond_n8n (msg, SOUP_STATUS_NOT_FOUND,
                   "The requested webhook \"POST medication-refill\" is not registered.",
                   "The workflow must be active for a production URL to run successfully. You "
                   "can activate the workflow using the toggle in the top-right of the editor. "
                   "Note that unlike test URL calls, production URL calls aren't shown on the "
                   "canvas (only in the executions list)");
      break;
    default:
      g_assert_not_reached ();
    }
}

gboolean
mr_sandbox_faults_answer_error (SoupServerMessage *msg,
                                const MrSinkFault *fault)
{
  switch (fault->kind)
    {
    case MR_SINK_FAULT_ERROR_500:
    case MR_SINK_FAULT_RATE_LIMIT:
    case MR_SINK_FAULT_FORBIDDEN:
    case MR_SINK_FAULT_NOT_FOUND:
      respond_fault (msg, fault);
      return TRUE;
    default:
      return FALSE;
    }
}

void
mr_sandbox_faults_refuse (SoupServerMessage *msg)
{
  close_connection (msg, NULL);
}

void
mr_sandbox_faults_cut_off (SoupServerMessage *msg)
{
  close_connection (msg, "HTTP/1.1 200 OK\r\n"
                         "Content-Type: application/json; charset=utf-8\r\n"
                         "Content-Length: 64\r\n"
                         "\r\n"
                         "{\"status\":\"rec");
}

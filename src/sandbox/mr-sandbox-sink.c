/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The workflow sink: answers like an n8n Webhook node running the reference workflow
 * (data/n8n/): it takes a request in only when its bearer token passes the workflow's check
 * (mr-sandbox-verify.c), then once per Idempotency-Key, and remembers what it received. On
 * request it misbehaves; which fault comes next, and the misbehaviours, are in
 * mr-sandbox-faults.c. */
#include "mr-sandbox-handlers.h"

#include <string.h>

#include "mr-base.h"
#include "mr-sandbox-faults.h"
#include "mr-sandbox-http.h"
#include "mr-sandbox-private.h"
#include "mr-sandbox-verify.h"

/* No 0/O or 1/I, so a reference read aloud at the desk is unambiguous. */
static const char reference_alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

static void
add_header_cb (const char *name,
               const char *value,
               gpointer    user_data)
{
  JsonObject *headers = user_data;
  g_autofree char *key = g_ascii_strdown (name, -1);
  const char *before = json_object_get_string_member_with_default (headers, key, NULL);
  g_autofree char *joined = before ? g_strconcat (before, ", ", value, NULL) : NULL;

  json_object_set_string_member (headers, key, joined ? joined : value);
}

/* {"headers":{…},"body":…}; takes @body. */
static JsonNode *
build_record (SoupServerMessage *msg,
              JsonNode          *body)
{
  JsonObject *headers = json_object_new ();
  JsonObject *record = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  soup_message_headers_foreach (soup_server_message_get_request_headers (msg),
                                add_header_cb, headers);
  json_object_set_object_member (record, "headers", headers);
  json_object_set_member (record, "body", body);
  json_node_take_object (node, record);
  return node;
}

static JsonNode *
parse_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size = g_bytes_get_size (bytes);

  if (size == 0 || !g_utf8_validate (g_bytes_get_data (bytes, NULL), size, NULL))
    return NULL;
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), size, NULL))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

/* Appends @line and a newline to the sink file: opened, written and closed each time, so a
 * reader sees whole lines and nothing is lost if the sandbox is killed. */
static gboolean
append_line (const char  *path,
             const char  *line,
             GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) stream = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, error);
  g_autofree char *text = g_strconcat (line, "\n", NULL);

  if (stream == NULL)
    return FALSE;
  return g_output_stream_write_all (G_OUTPUT_STREAM (stream), text, strlen (text), NULL, NULL,
                                    error)
         && g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}

static char *
new_reference (MrSandbox *self)
{
  for (;;)
    {
      char reference[] = "MR-XXXXXX";
      guchar random[6];

      mr_random_bytes (random, sizeof random);
      for (guint i = 0; i < sizeof random; i++)
        reference[3 + i] = reference_alphabet[random[i] % (sizeof reference_alphabet - 1)];
      if (!g_hash_table_contains (self->references, reference))
        {
          g_hash_table_add (self->references, g_strdup (reference));
          return g_strdup (reference);
        }
    }
}

/* ---- what the sink took in and the record of attempts ------------------------------------- */

typedef struct {
  GMutex      lock;
  GHashTable *accepted;     /* Idempotency-Key → Accepted */
  guint       delivered;
  guint       duplicates;
  JsonArray  *attempts;
} SinkState;

typedef struct {
  char  *reference;
  guint  times;             /* 1 + duplicates */
} Accepted;

static void
accepted_free (gpointer data)
{
  Accepted *accepted = data;

  g_free (accepted->reference);
  g_free (accepted);
}

static void
sink_state_free (gpointer data)
{
  SinkState *state = data;

  g_hash_table_unref (state->accepted);
  json_array_unref (state->attempts);
  g_mutex_clear (&state->lock);
  g_free (state);
}

/* Kept as object data (freed with the sandbox, after its thread has stopped), made on first use
 * from whichever thread comes first. */
static SinkState *
sink_state (MrSandbox *self)
{
  static GQuark quark;
  SinkState *state;

  if (quark == 0)
    quark = g_quark_from_static_string ("mr-sandbox-sink-state");
  g_mutex_lock (&self->lock);
  state = g_object_get_qdata (G_OBJECT (self), quark);
  if (state == NULL)
    {
      state = g_new0 (SinkState, 1);
      g_mutex_init (&state->lock);
      state->accepted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, accepted_free);
      state->attempts = json_array_new ();
      g_object_set_qdata_full (G_OBJECT (self), quark, state, sink_state_free);
    }
  g_mutex_unlock (&self->lock);
  return state;
}

/* One line of the attempts record; @status 0 when no answer was given, @error the refusal's. */
static void
record_refusal (MrSandbox         *self,
                SoupServerMessage *msg,
                MrSinkFaultKind    kind,
                guint              status,
                const char        *error)
{
  SinkState *state = sink_state (self);
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "Idempotency-Key");
  JsonObject *attempt = json_object_new ();

  if (key != NULL)
    json_object_set_string_member (attempt, "key", key);
  else
    json_object_set_null_member (attempt, "key");
  json_object_set_string_member (attempt, "fault", mr_sandbox_fault_name (kind));
  json_object_set_int_member (attempt, "status", status);
  if (error != NULL)
    json_object_set_string_member (attempt, "error", error);
  g_mutex_lock (&state->lock);
  json_array_add_object_element (state->attempts, attempt);
  g_mutex_unlock (&state->lock);
}

static void
record_attempt (MrSandbox         *self,
                SoupServerMessage *msg,
                MrSinkFaultKind    kind,
                guint              status)
{
  record_refusal (self, msg, kind, status, NULL);
}

/* The reference given to @key before (newly allocated), counting a duplicate; or NULL. */
static char *
find_reference (MrSandbox  *self,
                const char *key)
{
  SinkState *state = sink_state (self);
  Accepted *accepted;
  char *reference = NULL;

  if (key == NULL)
    return NULL;
  g_mutex_lock (&state->lock);
  accepted = g_hash_table_lookup (state->accepted, key);
  if (accepted != NULL)
    {
      accepted->times++;
      state->duplicates++;
      reference = g_strdup (accepted->reference);
    }
  g_mutex_unlock (&state->lock);
  return reference;
}

static void
remember_reference (MrSandbox  *self,
                    const char *key,
                    const char *reference)
{
  SinkState *state = sink_state (self);

  Accepted *accepted = g_new0 (Accepted, 1);

  accepted->reference = g_strdup (reference);
  accepted->times = 1;
  g_mutex_lock (&state->lock);
  state->delivered++;
  if (key != NULL)
    g_hash_table_insert (state->accepted, g_strdup (key), accepted);
  else
    accepted_free (accepted);
  g_mutex_unlock (&state->lock);
}

static void
respond_received (SoupServerMessage *msg,
                  const char        *reference)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "status", "received");
  json_object_set_string_member (object, "reference", reference);
  json_node_take_object (node, object);
  mr_sandbox_respond_json (msg, SOUP_STATUS_OK, node);
}

/* {"error":…,"error_description":…}, as the reference workflow's Respond node sends it. */
static void
respond_refused (SoupServerMessage      *msg,
                 const MrSandboxRefusal *refusal)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "error", refusal->error);
  json_object_set_string_member (object, "error_description", refusal->description);
  json_node_take_object (node, object);
  mr_sandbox_respond_json (msg, refusal->status, node);
}

/* Takes the request in, once per Idempotency-Key: the reference to answer with, or NULL when the
 * sink file cannot be written (then the answer is n8n's 500, already set). */
static char *
take_in (MrSandbox         *self,
         SoupServerMessage *msg,
         JsonNode          *body)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "Idempotency-Key");
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  char *reference;

  reference = find_reference (self, key);
  if (reference != NULL)
    {
      json_node_unref (body);
      return reference;
    }

  record = build_record (msg, body);
  {
    /* The file outlives the run: its copy leaves the token out (the one in memory, for tests,
     * keeps it). */
    g_autofree char *text = json_to_string (record, FALSE);
    /* A deep copy: json_node_copy() would share the object. */
    g_autoptr(JsonNode) written = json_from_string (text, NULL);
    JsonObject *headers = json_object_get_object_member (json_node_get_object (written), "headers");

    if (json_object_has_member (headers, "authorization"))
      json_object_set_string_member (headers, "authorization", "Bearer (left out)");
    line = json_to_string (written, FALSE);
  }
  if (self->sink_path != NULL && !append_line (self->sink_path, line, &error))
    {
      g_message ("The sandbox could not write to its sink file: %s", error->message);
      mr_sandbox_respond_n8n (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Error in workflow", NULL);
      return NULL;
    }

  g_mutex_lock (&self->lock);
  json_array_add_element (self->received, g_steal_pointer (&record));
  g_mutex_unlock (&self->lock);

  reference = new_reference (self);
  remember_reference (self, key, reference);
  return reference;
}

/* A fault that needs no body: TRUE once it is done and recorded. The attempt is recorded before
 * the connection goes, so a client that sees it gone finds it in the record. */
static gboolean
misbehave_early (MrSandbox         *self,
                 SoupServerMessage *msg,
                 const MrSinkFault *fault)
{
  switch (fault->kind)
    {
    case MR_SINK_FAULT_REFUSE:
      record_attempt (self, msg, fault->kind, 0);
      mr_sandbox_faults_refuse (msg);
      return TRUE;
    case MR_SINK_FAULT_HANG:
      record_attempt (self, msg, fault->kind, 0);
      mr_sandbox_faults_hang (self, msg);
      return TRUE;
    default:
      if (!mr_sandbox_faults_answer_error (msg, fault))
        return FALSE;
      record_attempt (self, msg, fault->kind, soup_server_message_get_status (msg));
      return TRUE;
    }
}

void
mr_sandbox_handle_sink (MrSandbox         *self,
                        SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *reference = NULL;
  MrSandboxRefusal refusal;
  MrSinkFault fault;
  JsonNode *body;

  if (method != SOUP_METHOD_POST)
    {
      g_autofree char *text = g_strdup_printf ("This webhook is not registered for %s requests. "
                                               "Did you mean to make a POST request?", method);
      mr_sandbox_respond_n8n (msg, SOUP_STATUS_NOT_FOUND, text, NULL);
      return;
    }

  fault = mr_sandbox_faults_next (self);
  if (misbehave_early (self, msg, &fault))
    return;

  body = parse_body (msg);
  if (body == NULL)
    {
      mr_sandbox_respond_n8n (msg, SOUP_STATUS_BAD_REQUEST, "Failed to parse request body",
                              "The workflow expects a JSON body.");
      record_attempt (self, msg, fault.kind, SOUP_STATUS_BAD_REQUEST);
      return;
    }
  /* The workflow answers a refusal before it files anything, so no fault after this point (a
   * cut-off answer, a slow one) applies to it. */
  if (!mr_sandbox_verify_request (self, msg, body, &refusal))
    {
      respond_refused (msg, &refusal);
      record_refusal (self, msg, fault.kind, refusal.status, refusal.error);
      json_node_unref (body);
      return;
    }
  reference = take_in (self, msg, body);
  if (reference == NULL)
    record_attempt (self, msg, fault.kind, soup_server_message_get_status (msg));
  else if (fault.kind == MR_SINK_FAULT_CLOSE_MID_RESPONSE)
    {
      /* The workflow has the request; only its answer is lost on the way. */
      record_attempt (self, msg, fault.kind, 0);
      mr_sandbox_faults_cut_off (msg);
    }
  else
    {
      respond_received (msg, reference);
      record_attempt (self, msg, fault.kind, SOUP_STATUS_OK);
      if (fault.kind == MR_SINK_FAULT_SLOW)
        mr_sandbox_faults_delay (msg, fault.param > 0 ? fault.param : 1000);
    }
}

/* ---- the test API -------------------------------------------------------------------------- */

static guint
read_counter (MrSandbox *self,
              gsize      offset)
{
  SinkState *state = sink_state (self);
  guint n;

  g_mutex_lock (&state->lock);
  n = G_STRUCT_MEMBER (guint, state, offset);
  g_mutex_unlock (&state->lock);
  return n;
}

void
mr_sandbox_sink_forget (MrSandbox *self)
{
  SinkState *state = sink_state (self);

  g_mutex_lock (&state->lock);
  g_hash_table_remove_all (state->accepted);
  json_array_unref (state->attempts);
  state->attempts = json_array_new ();
  g_mutex_unlock (&state->lock);
}

guint
mr_sandbox_get_delivered_count (MrSandbox *self)
{
  g_return_val_if_fail (MR_IS_SANDBOX (self), 0);

  return read_counter (self, G_STRUCT_OFFSET (SinkState, delivered));
}

guint
mr_sandbox_get_duplicate_count (MrSandbox *self)
{
  g_return_val_if_fail (MR_IS_SANDBOX (self), 0);

  return read_counter (self, G_STRUCT_OFFSET (SinkState, duplicates));
}

guint
mr_sandbox_get_key_count (MrSandbox  *self,
                          const char *key)
{
  SinkState *state;
  Accepted *accepted;
  guint n;

  g_return_val_if_fail (MR_IS_SANDBOX (self), 0);
  g_return_val_if_fail (key != NULL, 0);

  state = sink_state (self);
  g_mutex_lock (&state->lock);
  accepted = g_hash_table_lookup (state->accepted, key);
  n = accepted != NULL ? accepted->times : 0;
  g_mutex_unlock (&state->lock);
  return n;
}

JsonArray *
mr_sandbox_dup_sink_attempts (MrSandbox *self)
{
  SinkState *state;
  JsonArray *copy;

  g_return_val_if_fail (MR_IS_SANDBOX (self), NULL);

  state = sink_state (self);
  g_mutex_lock (&state->lock);
  copy = json_array_sized_new (json_array_get_length (state->attempts));
  for (guint i = 0; i < json_array_get_length (state->attempts); i++)
    json_array_add_element (copy, json_node_copy (json_array_get_element (state->attempts, i)));
  g_mutex_unlock (&state->lock);
  return copy;
}

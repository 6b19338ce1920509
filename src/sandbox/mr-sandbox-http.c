/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every handler of the sandbox answers with (see mr-sandbox-http.h). */
#include "mr-sandbox-http.h"

#include "mr-base.h"
#include "mr-sandbox.h"

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

char *
mr_sandbox_random_uuid (void)
{
  guchar b[16];

  mr_random_bytes (b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

gboolean
mr_sandbox_parse_uint (const char *text,
                       guint       min,
                       guint       max,
                       guint      *out)
{
  guint64 n = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, min, max, &n, NULL))
    return FALSE;
  *out = (guint) n;
  return TRUE;
}

void
mr_sandbox_respond_text (SoupServerMessage *msg,
                         guint              status,
                         const char        *content_type,
                         const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, text, strlen (text));
}

void
mr_sandbox_respond_json (SoupServerMessage *msg,
                         guint              status,
                         JsonNode          *node)
{
  g_autoptr(JsonNode) owned = node;
  g_autofree char *text = mr_json_to_string (owned);

  mr_sandbox_respond_text (msg, status, "application/json; charset=utf-8", text);
}

GHashTable *
mr_sandbox_decode_body (SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autofree char *text = g_strndup (data != NULL ? data : "", size);

  return soup_form_decode (text);
}

/* ---- errors as the peers shape them ---------------------------------------------------- */

void
mr_sandbox_respond_entra_error (SoupServerMessage *msg,
                                const char        *error,
                                guint              code,
                                const char        *description)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%SZ");
  g_autofree char *trace = mr_sandbox_random_uuid ();
  g_autofree char *correlation = mr_sandbox_random_uuid ();
  g_autofree char *text = NULL;

  text = g_strdup_printf ("AADSTS%u: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
                          code, description, trace, correlation, timestamp);
  json_builder_begin_object (b);
  add_string (b, "error", error);
  add_string (b, "error_description", text);
  json_builder_set_member_name (b, "error_codes");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, code);
  json_builder_end_array (b);
  add_string (b, "timestamp", timestamp);
  add_string (b, "trace_id", trace);
  add_string (b, "correlation_id", correlation);
  json_builder_end_object (b);
  mr_sandbox_respond_json (msg, SOUP_STATUS_BAD_REQUEST, json_builder_get_root (b));
}

void
mr_sandbox_graph_error (SoupServerMessage *msg,
                        guint              status,
                        const char        *code,
                        const char        *message)
{
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  const char *client_id = soup_message_headers_get_one (request_headers, "client-request-id");
  g_autofree char *request_id = mr_sandbox_random_uuid ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  JsonObject *inner = json_object_new ();
  JsonObject *error = json_object_new ();
  JsonObject *root = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (inner, "date", date);
  json_object_set_string_member (inner, "request-id", request_id);
  json_object_set_string_member (inner, "client-request-id", client_id ? client_id : request_id);
  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (error, "innerError", inner);
  json_object_set_object_member (root, "error", error);
  json_node_take_object (node, root);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "request-id", request_id);
  mr_sandbox_respond_json (msg, status, node);
}

void
mr_sandbox_graph_deny (SoupServerMessage *msg)
{
  mr_sandbox_graph_error (msg, SOUP_STATUS_FORBIDDEN, "Authorization_RequestDenied",
                          "Insufficient privileges to complete the operation.");
}

void
mr_sandbox_respond_n8n (SoupServerMessage *msg,
                        guint              status,
                        const char        *message,
                        const char        *hint)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (status != SOUP_STATUS_INTERNAL_SERVER_ERROR)
    json_object_set_int_member (object, "code", status);
  json_object_set_string_member (object, "message", message);
  if (hint != NULL)
    json_object_set_string_member (object, "hint", hint);
  json_node_take_object (node, object);
  mr_sandbox_respond_json (msg, status, node);
}

void
mr_sandbox_respond_unknown_client (SoupServerMessage *msg,
                                   const char        *client_id,
                                   const char        *tenant_id)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf ("Application with identifier '%s' was not found in the directory '%s'. "
                          "This can happen if the application has not been installed by the "
                          "administrator of the tenant or consented to by any user in the "
                          "tenant. You might have sent your authentication request to the "
                          "wrong tenant.", client_id, tenant_id);
  mr_sandbox_respond_entra_error (msg, "invalid_client", 700016, text);
}

void
mr_sandbox_respond_missing (SoupServerMessage *msg,
                            const char        *parameter)
{
  g_autofree char *text = g_strdup_printf ("The request body must contain the following "
                                           "parameter: '%s'.", parameter);

  mr_sandbox_respond_entra_error (msg, "invalid_request", 900144, text);
}

GHashTable *
mr_sandbox_public_client_form (SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  const char *client_id;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      mr_sandbox_respond_entra_error (msg, "invalid_request", 900561,
                                      "The endpoint only accepts POST, OPTIONS requests.");
      return NULL;
    }
  form = mr_sandbox_decode_body (msg);
  client_id = g_hash_table_lookup (form, "client_id");
  if (client_id == NULL)
    mr_sandbox_respond_missing (msg, "client_id");
  else if (!g_str_equal (client_id, MR_SANDBOX_CLIENT_ID))
    mr_sandbox_respond_unknown_client (msg, client_id, MR_SANDBOX_TENANT_ID);
  else if (g_hash_table_contains (form, "client_secret")
           || g_hash_table_contains (form, "client_assertion"))
    mr_sandbox_respond_entra_error (msg, "invalid_client", 700025,
                                    "Client is public so neither 'client_assertion' nor "
                                    "'client_secret' should be presented.");
  else
    return g_steal_pointer (&form);
  return NULL;
}

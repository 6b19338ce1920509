/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox's sink and the reference workflow's token check decide alike: every pairing of a set
 * of tokens (good and bad, all signed by the sandbox but one) with a set of requests is posted to
 * the sink, then handed to data/n8n/verify-token.js itself (with jose, against the sandbox's own
 * key set, through verify-cases.mjs), and each answer must be the same: accepted by both, or
 * refused with the same status, error and description. */
#include "mr-sandbox.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>

#include "mr-test-jwt.h"
#include "mr-test-server.h"
#include "mr-test-sink.h"

#define JACK  "jack.smith@example.org"
#define STAFF "staff@example.org"
#define HOUR  3600
#define DAY   (24 * HOUR)

typedef struct {
  const char *mode;               /* NULL: kiosk */
  const char *patient;            /* NULL: Jack's */
  const char *submitter;          /* NULL: none */
  gint64      created_ago;        /* seconds before now */
  const char *key;                /* NULL: the request id */
} Request;

static const Request requests[] = {
  { 0 },
  { .patient = MR_TEST_ZOE_OID },
  { .submitter = MR_TEST_JACK_OID },
  { .mode = "desk", .patient = MR_TEST_ZOE_OID, .submitter = MR_TEST_STAFF_OID },
  { .mode = "desk", .patient = MR_TEST_ZOE_OID, .submitter = MR_TEST_JACK_OID },
  { .mode = "desk", .patient = MR_TEST_ZOE_OID },
  { .mode = "desk", .patient = "", .submitter = MR_TEST_STAFF_OID },
  { .patient = "" },
  { .mode = "lobby" },
  { .key = "r-1" },
  { .created_ago = 2 * HOUR },
  { .created_ago = 3 * DAY - 600 },
  { .created_ago = 8 * DAY - 60 },
  { .created_ago = -600 },
  { .created_ago = -200 },
};

/* The tokens, a new NULL-terminated array; @n_tokens counts the terminator too, which stands for
 * a request without a token. */
static char **
make_tokens (MrSandbox *sandbox,
             guint     *n_tokens)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *genuine = mr_sandbox_mint_api_token (sandbox, JACK, NULL);
  g_auto(GStrv) parts = g_strsplit (genuine, ".", -1);
  gsize len = 0;
  g_autofree guchar *header = mr_base64url_decode (parts[0], &len);
  g_autofree guchar *claims = mr_base64url_decode (parts[1], &len);
  const MrSandboxTokenOptions options[] = {
    { .audience = "00000003-0000-0000-c000-000000000000" },
    { .audience = "api://" MR_SANDBOX_CLIENT_ID },
    { .issuer = "https://login.microsoftonline.com/" MR_SANDBOX_TENANT_ID "/v2.0" },
    { .issued_at = now - 2 * HOUR },
    { .issued_at = now - HOUR - 240 },
    { .issued_at = now - HOUR - 360 },
    { .issued_at = now + 240 },
    { .issued_at = now + 360 },
    { .issued_at = now - 3 * DAY },
    { .issued_at = now - 8 * DAY },
    { .scope = "" },
    { .scope = "User.Read Refill.Submit" },
  };
  GPtrArray *tokens = g_ptr_array_new ();

  g_ptr_array_add (tokens, g_strdup (genuine));
  g_ptr_array_add (tokens, mr_sandbox_mint_api_token (sandbox, STAFF, NULL));
  g_ptr_array_add (tokens, mr_sandbox_mint_api_token (sandbox, STAFF, &(MrSandboxTokenOptions) {
                                                        .scope = "User.Read" }));
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    g_ptr_array_add (tokens, mr_sandbox_mint_api_token (sandbox, JACK, &options[i]));
  /* Jack's claims under another key, and under a secret. */
  g_ptr_array_add (tokens, mr_test_jwt_sign (mr_test_key_get (0), GNUTLS_SIGN_RSA_SHA256,
                                             (const char *) header, (const char *) claims));
  g_ptr_array_add (tokens, mr_test_jwt_sign_hs256 ("secret", "{\"alg\":\"HS256\"}",
                                                   (const char *) claims));
  g_ptr_array_add (tokens, g_strdup ("x.y.z"));
  *n_tokens = tokens->len + 1;   /* and no token at all */
  g_ptr_array_add (tokens, NULL);
  return (char **) g_ptr_array_free (tokens, FALSE);
}

typedef struct {
  guint       status;
  JsonObject *answer;
} Sunk;

static JsonObject *
parse_object (const char *data,
              gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, data, len, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* POSTs one case to the sink and adds it, as n8n's Webhook node would give it to the Code node,
 * to @cases. */
static Sunk
post_case (SoupSession   *session,
           const char    *url,
           const char    *token,
           const Request *request,
           JsonBuilder   *cases)
{
  g_autofree char *id = mr_request_id_new ();
  gint64 created = g_get_real_time () / G_USEC_PER_SEC - request->created_ago;
  g_autoptr(JsonNode) body = mr_test_sink_body (id, request->mode ? request->mode : "kiosk",
                                                request->patient ? request->patient
                                                                 : MR_TEST_JACK_OID,
                                                request->submitter, created);
  g_autofree char *json = mr_json_to_string (body);
  g_autofree char *authorization = token ? g_strconcat ("Bearer ", token, NULL) : NULL;
  const char *key = request->key ? request->key : id;
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  soup_message_headers_replace (headers, "Idempotency-Key", key);
  if (authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", authorization);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);

  json_builder_begin_object (cases);
  json_builder_set_member_name (cases, "headers");
  json_builder_begin_object (cases);
  json_builder_set_member_name (cases, "idempotency-key");
  json_builder_add_string_value (cases, key);
  if (authorization != NULL)
    {
      json_builder_set_member_name (cases, "authorization");
      json_builder_add_string_value (cases, authorization);
    }
  json_builder_end_object (cases);
  json_builder_set_member_name (cases, "body");
  json_builder_add_value (cases, json_node_copy (body));
  json_builder_end_object (cases);

  return (Sunk) { soup_message_get_status (msg),
                  parse_object (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer)) };
}

/* The reference workflow's Clinic settings for the sandbox tenant. */
static void
add_settings (JsonBuilder *b,
              MrSandbox   *sandbox)
{
  const char *base = mr_sandbox_get_base_url (sandbox);
  const char *issuer = mr_sandbox_get_issuer (sandbox);   /* on ciamlogin.com, not base */
  g_autofree char *jwks = g_strdup_printf ("%s/%s/discovery/v2.0/keys", base,
                                           MR_SANDBOX_TENANT_ID);

  json_builder_set_member_name (b, "settings");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "issuer");
  json_builder_add_string_value (b, issuer);
  json_builder_set_member_name (b, "jwks_uri");
  json_builder_add_string_value (b, jwks);
  json_builder_set_member_name (b, "audience");
  json_builder_add_string_value (b, MR_SANDBOX_CLIENT_ID);
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, "Refill.Submit");
  json_builder_set_member_name (b, "staff_role");
  json_builder_add_string_value (b, MR_SANDBOX_STAFF_ROLE);
  json_builder_set_member_name (b, "max_request_age_days");
  json_builder_add_int_value (b, 7);
  json_builder_set_member_name (b, "clock_skew_minutes");
  json_builder_add_int_value (b, 5);
  json_builder_end_object (b);
}

/* What verify-token.js decides for the cases in @path: a JSON array. */
static JsonArray *
run_workflow_check (const char *path)
{
  g_autofree char *script = g_build_filename (g_getenv ("MEDREFILL_SOURCE_DIR"), "tests",
                                              "workflow", "run-node-test.sh", NULL);
  const char *argv[] = { script, "verify-cases.mjs", path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               NULL, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, &error));
  g_assert_no_error (error);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

static gboolean
same_decision (JsonObject *workflow,
               const Sunk *sunk)
{
  JsonObject *response;

  if (json_object_get_boolean_member (workflow, "ok"))
    return sunk->status == SOUP_STATUS_OK;
  response = json_object_get_object_member (workflow, "response");
  return sunk->status == json_object_get_int_member (workflow, "status")
         && g_strcmp0 (json_object_get_string_member (response, "error"),
                       mr_json_get_string (sunk->answer, "error")) == 0
         && g_strcmp0 (json_object_get_string_member (response, "error_description"),
                       mr_json_get_string (sunk->answer, "error_description")) == 0;
}

static void
test_parity (void)
{
  g_autoptr(MrSandbox) sandbox = mr_sandbox_new ();
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GArray) sunk = g_array_new (FALSE, FALSE, sizeof (Sunk));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonArray) decisions = NULL;
  g_autofree char *url = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  char **tokens;
  guint n_tokens = 0, accepted = 0, differ = 0;
  int fd;

  g_assert_true (mr_sandbox_start (sandbox, 0, NULL, &error));
  g_assert_no_error (error);
  url = g_strconcat (mr_sandbox_get_base_url (sandbox), "/webhook/medication-refill", NULL);
  tokens = make_tokens (sandbox, &n_tokens);

  json_builder_begin_object (b);
  add_settings (b, sandbox);
  json_builder_set_member_name (b, "cases");
  json_builder_begin_array (b);
  for (guint t = 0; t < n_tokens; t++)
    for (guint r = 0; r < G_N_ELEMENTS (requests); r++)
      {
        Sunk one = post_case (session, url, tokens[t], &requests[r], b);

        g_array_append_val (sunk, one);
      }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = mr_json_to_string (root);
  fd = g_file_open_tmp ("medrefill-sink-parity-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);

  /* The sandbox still runs: the workflow's check fetches its key set from it. */
  decisions = run_workflow_check (path);
  g_unlink (path);
  g_assert_cmpuint (json_array_get_length (decisions), ==, sunk->len);
  for (guint i = 0; i < sunk->len; i++)
    {
      JsonObject *workflow = json_array_get_object_element (decisions, i);
      Sunk *one = &g_array_index (sunk, Sunk, i);

      accepted += one->status == SOUP_STATUS_OK;
      if (!same_decision (workflow, one))
        {
          differ++;
          g_test_message ("token %u, request %u: the sink answered %u \"%s\", the workflow %s",
                          i / (guint) G_N_ELEMENTS (requests), i % (guint) G_N_ELEMENTS (requests),
                          one->status, mr_json_get_string (one->answer, "error_description"),
                          json_object_get_boolean_member (workflow, "ok") ? "accepts" : "refuses");
        }
      json_object_unref (one->answer);
    }
  g_test_message ("%u cases, %u accepted, %u decided differently", sunk->len, accepted, differ);
  g_strfreev (tokens);
  g_assert_cmpuint (differ, ==, 0);
  /* Both kinds of answer were put to the test. */
  g_assert_cmpuint (accepted, >, 0);
  g_assert_cmpuint (accepted, <, sunk->len);
  mr_sandbox_stop (sandbox);
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);
  g_test_add_func ("/workflow/sink-parity", test_parity);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Corrections written back: mr_patient_diff() and PATCH /me or /users/{id} against a SoupServer
 * on 127.0.0.1 that records exactly what it received. */
#include "mr-graph.h"

#include <string.h>

#include "mr-test-refill.h"
#include "mr-test-server.h"

#define APP_ID "3888d42c-cd5f-4582-afa2-f9b641643fac"
#define EXT    "extension_3888d42ccd5f4582afa2f9b641643fac_"
#define TOKEN  "test-access-token"

/* mr_patient_diff */

static char *
diff_json (const MrPatient *before,
           const MrPatient *after,
           gboolean         include_custom,
           const char      *app_id)
{
  g_autoptr(JsonObject) changes = mr_patient_diff (before, after, include_custom, app_id);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), changes);

  return mr_json_to_string (node);
}

static void
test_diff_none (void)
{
  g_autoptr(MrPatient) before = mr_test_jack ();
  g_autoptr(MrPatient) after = mr_patient_copy (before);
  g_autofree char *json = NULL;

  /* White space, control characters and decomposed accents are not changes. */
  mr_test_replace (&after->given_name, "  Jack\x01 ");
  mr_test_replace (&after->gender, "male");
  json = diff_json (before, after, TRUE, APP_ID);
  g_assert_cmpstr (json, ==, "{}");
}

/* Self-service: only what Entra lets a user change, whatever else differs. */
static void
test_diff_self_service (void)
{
  g_autoptr(MrPatient) before = mr_test_jack ();
  g_autoptr(MrPatient) after = mr_patient_copy (before);
  g_autofree char *json = NULL;

  mr_test_replace (&after->given_name, "Zoe\xcc\x88");
  mr_test_replace (&after->surname, "Núñez-Ødegård");
  mr_test_replace (&after->display_name, "Zoë Núñez");
  mr_test_replace (&after->job_title, NULL);             /* emptied: null clears it */
  mr_test_replace (&after->city, "København");
  mr_test_replace (&after->postal_code, "1165");
  mr_test_replace (&after->mail, "other@example.org");   /* not self-editable */
  mr_test_replace (&after->mobile_phone, "+45 1234");    /* not in the form's write-back */
  mr_test_replace (&after->date_of_birth, "2000-08-01"); /* custom: flagged, not patched */
  json = diff_json (before, after, FALSE, APP_ID);
  g_assert_cmpstr (json, ==,
                   "{\"givenName\":\"Zo\xc3\xab\",\"surname\":\"Núñez-Ødegård\","
                   "\"displayName\":\"Zoë Núñez\",\"jobTitle\":null,\"city\":\"København\","
                   "\"postalCode\":\"1165\"}");
}

/* Staff: the custom attributes too, under their extension names, canonical. */
static void
test_diff_staff (void)
{
  g_autoptr(MrPatient) before = mr_test_jack ();
  g_autoptr(MrPatient) after = mr_patient_copy (before);
  g_autofree char *json = NULL;
  g_autofree char *without_app = NULL;

  mr_test_replace (&after->date_of_birth, "2000-08-01");
  mr_test_replace (&after->gender, " female ");
  mr_test_replace (&after->hospital_number, "");
  mr_test_replace (&after->display_name, "");            /* Graph cannot clear it: left out */
  mr_test_replace (&after->street_address, "2 High St");
  json = diff_json (before, after, TRUE, APP_ID);
  g_assert_cmpstr (json, ==,
                   "{\"streetAddress\":\"2 High St\","
                   "\"" EXT "DateofBirth\":\"2000-08-01\","
                   "\"" EXT "HospitalNumber\":null,"
                   "\"" EXT "Gender\":\"Female\"}");
  /* Without the extensions app id the custom attributes cannot be named: left out. */
  without_app = diff_json (before, after, TRUE, NULL);
  g_assert_cmpstr (without_app, ==, "{\"streetAddress\":\"2 High St\"}");
}

static void
test_patch_url (void)
{
  g_autofree char *me = mr_graph_patch_url ("https://graph.microsoft.com/v1.0/", NULL);
  g_autofree char *user = mr_graph_patch_url ("https://graph.microsoft.com/v1.0",
                                              "530772a4-0000-0000-0000-000000000001");
  g_autofree char *upn = mr_graph_patch_url ("http://127.0.0.1:1/v1.0", "a b/c@example.org");

  g_assert_cmpstr (me, ==, "https://graph.microsoft.com/v1.0/me");
  g_assert_cmpstr (user, ==,
                   "https://graph.microsoft.com/v1.0/users/530772a4-0000-0000-0000-000000000001");
  g_assert_cmpstr (upn, ==, "http://127.0.0.1:1/v1.0/users/a%20b%2Fc@example.org");
}

/* PATCH against a recording server */

typedef struct {
  /* what the server answers */
  guint       status;
  const char *body;
  const char *retry_after;
  /* what it received (written in the server thread, read after the call completed) */
  char       *method;
  char       *path;
  char       *content_type;
  char       *authorization;
  char       *request_body;
  guint       requests;
} Graph;

static void
graph_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Graph *graph = user_data;
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

  graph->requests++;
  g_free (graph->method);
  graph->method = g_strdup (soup_server_message_get_method (msg));
  g_free (graph->path);
  graph->path = g_strdup (path);
  g_free (graph->content_type);
  graph->content_type = g_strdup (soup_message_headers_get_one (in, "Content-Type"));
  g_free (graph->authorization);
  graph->authorization = g_strdup (soup_message_headers_get_one (in, "Authorization"));
  g_free (graph->request_body);
  graph->request_body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  if (graph->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                  graph->retry_after);
  if (graph->body != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, graph->body,
                                      strlen (graph->body));
  soup_server_message_set_status (msg, graph->status, NULL);
}

static void
graph_clear (Graph *graph)
{
  g_free (graph->method);
  g_free (graph->path);
  g_free (graph->content_type);
  g_free (graph->authorization);
  g_free (graph->request_body);
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  guint     retry_after;
  GError   *error;
} PatchResult;

static void
patch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  PatchResult *r = user_data;

  r->ok = mr_graph_patch_profile_finish (result, &r->retry_after, &r->error);
  r->done = TRUE;
}

/* PATCHes {"city":"København","postalCode":null} for @user_id against a server answering as
 * @graph says. */
static void
run_patch (Graph       *graph,
           const char  *user_id,
           PatchResult *r)
{
  g_autoptr(MrTestServer) server = mr_test_server_new (graph_handler, graph);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autofree char *graph_url = g_strconcat (mr_test_server_get_url (server), "/v1.0", NULL);

  json_object_set_string_member (changes, "city", "København");
  json_object_set_null_member (changes, "postalCode");
  mr_graph_patch_profile_async (session, graph_url, user_id, changes, TOKEN, NULL, patch_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 5000));
  g_assert_cmpuint (graph->requests, ==, 1);
}

static void
test_patch_me (void)
{
  Graph graph = { .status = 204 };
  PatchResult r = { 0 };

  run_patch (&graph, NULL, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpstr (graph.method, ==, "PATCH");
  g_assert_cmpstr (graph.path, ==, "/v1.0/me");
  g_assert_cmpstr (graph.content_type, ==, "application/json");
  g_assert_cmpstr (graph.authorization, ==, "Bearer " TOKEN);
  g_assert_cmpstr (graph.request_body, ==, "{\"city\":\"København\",\"postalCode\":null}");
  graph_clear (&graph);
}

static void
test_patch_user (void)
{
  Graph graph = { .status = 204 };
  PatchResult r = { 0 };

  run_patch (&graph, "530772a4-0000-0000-0000-000000000001", &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpstr (graph.method, ==, "PATCH");
  g_assert_cmpstr (graph.path, ==, "/v1.0/users/530772a4-0000-0000-0000-000000000001");
  g_assert_cmpstr (graph.request_body, ==, "{\"city\":\"København\",\"postalCode\":null}");
  graph_clear (&graph);
}

typedef struct {
  const char *name;
  guint       status;
  const char *body;
  const char *retry_after;
  gboolean    self;
  int         code;
  const char *message;
  guint       seconds;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "403-self", 403,
    "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges "
    "to complete the operation.\"}}", NULL, TRUE, MR_GRAPH_ERROR_FORBIDDEN,
    "Your account may not change these details in the directory. Ask the clinic's staff to "
    "correct them.", 0 },
  { "403-staff", 403, "{\"error\":{\"code\":\"Authorization_RequestDenied\"}}", NULL, FALSE,
    MR_GRAPH_ERROR_FORBIDDEN,
    "Your account may not change this patient's details in the directory. Ask your "
    "administrator for the permission.", 0 },
  { "429-retry-after", 429,
    "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Too many requests\"}}", "17", TRUE,
    MR_GRAPH_ERROR_THROTTLED, "Microsoft Graph is busy. Please wait 17 seconds and try again.",
    17 },
  { "429-no-retry-after", 429, NULL, NULL, TRUE, MR_GRAPH_ERROR_THROTTLED,
    "Microsoft Graph is busy. Please wait a minute and try again.", 0 },
  { "429-huge-retry-after", 429, NULL, "999999", TRUE, MR_GRAPH_ERROR_THROTTLED,
    "Microsoft Graph is busy. Please wait 3600 seconds and try again.", 3600 },
  { "503-retry-after", 503, NULL, "5", FALSE, MR_GRAPH_ERROR_THROTTLED,
    "Microsoft Graph is busy. Please wait 5 seconds and try again.", 5 },
  { "400-code", 400,
    "{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"Invalid value specified for "
    "property 'postalCode' of resource 'User'. jack@example.org\"}}", NULL, TRUE,
    MR_GRAPH_ERROR_FAILED, "Microsoft Graph refused the change (400, Request_BadRequest).", 0 },
  { "400-no-json", 400, "<html>bad</html>", NULL, TRUE, MR_GRAPH_ERROR_FAILED,
    "Microsoft Graph refused the change (400).", 0 },
  { "400-odd-code", 400, "{\"error\":{\"code\":\"has spaces <b>\"}}", NULL, TRUE,
    MR_GRAPH_ERROR_FAILED, "Microsoft Graph refused the change (400).", 0 },
  { "401", 401, NULL, NULL, TRUE, MR_GRAPH_ERROR_UNAUTHORIZED,
    "Your sign-in has expired. Please sign in again.", 0 },
  { "404", 404, NULL, NULL, FALSE, MR_GRAPH_ERROR_NOT_FOUND,
    "Microsoft Graph could not find this profile (404).", 0 },
};

static void
test_patch_error (gconstpointer data)
{
  const ErrorCase *c = data;
  Graph graph = { .status = c->status, .body = c->body, .retry_after = c->retry_after };
  PatchResult r = { 0 };

  run_patch (&graph, c->self ? NULL : "530772a4-0000-0000-0000-000000000001", &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, MR_GRAPH_ERROR, c->code);
  g_assert_cmpstr (r.error->message, ==, c->message);
  g_assert_cmpuint (r.retry_after, ==, c->seconds);
  /* Graph's own message is never shown: it may quote what was sent. */
  g_assert_null (strstr (r.error->message, "example.org"));
  g_assert_null (strstr (r.error->message, "Insufficient"));
  g_clear_error (&r.error);
  graph_clear (&graph);
}

static void
test_patch_unreachable (void)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autofree char *url = NULL;
  PatchResult r = { 0 };

  /* A port that was just free and has no listener. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u/v1.0",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  json_object_set_string_member (changes, "city", "Springfield");
  mr_graph_patch_profile_async (session, url, NULL, changes, TOKEN, NULL, patch_cb, &r);
  g_assert_true (mr_test_wait_for (&r.done, 5000));
  g_assert_false (r.ok);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NETWORK);
  g_clear_error (&r.error);
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/graph-patch/diff/none", test_diff_none);
  g_test_add_func ("/graph-patch/diff/self-service", test_diff_self_service);
  g_test_add_func ("/graph-patch/diff/staff", test_diff_staff);
  g_test_add_func ("/graph-patch/url", test_patch_url);
  g_test_add_func ("/graph-patch/me", test_patch_me);
  g_test_add_func ("/graph-patch/user", test_patch_user);
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/graph-patch/error/%s", error_cases[i].name);

      g_test_add_data_func (path, &error_cases[i], test_patch_error);
    }
  g_test_add_func ("/graph-patch/unreachable", test_patch_unreachable);
  return g_test_run ();
}

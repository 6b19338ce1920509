/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-delivery.h"

#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "mr-base.h"
#include "mr-test-server.h"

/* The workflow's side: what it received, and what it answers. */
typedef struct {
  GMutex       lock;
  guint        n_requests;
  char        *method;
  char        *path;
  char        *content_type;
  char        *accept;
  char        *idempotency_key;
  char        *auth;
  GBytes      *body;
  guint        status;
  const char  *response;
  const char  *response_type;
  const char  *location;      /* a Location to answer with, on any other path */
} Workflow;

static void
store (char       **field,
       const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static void
workflow_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Workflow *w = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) flat = soup_message_body_flatten (body);

  g_mutex_lock (&w->lock);
  w->n_requests++;
  store (&w->method, soup_server_message_get_method (msg));
  store (&w->path, path);
  store (&w->content_type, soup_message_headers_get_one (headers, "Content-Type"));
  store (&w->accept, soup_message_headers_get_one (headers, "Accept"));
  store (&w->idempotency_key, soup_message_headers_get_one (headers, "Idempotency-Key"));
  store (&w->auth, soup_message_headers_get_one (headers, "X-Clinic-Key"));
  g_clear_pointer (&w->body, g_bytes_unref);
  w->body = g_bytes_ref (flat);
  g_mutex_unlock (&w->lock);

  soup_server_message_set_status (msg, w->status, NULL);
  if (w->location != NULL && strcmp (path, w->location) != 0)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location",
                                  w->location);
  if (w->response != NULL)
    soup_server_message_set_response (msg, w->response_type ? w->response_type : "application/json",
                                      SOUP_MEMORY_STATIC, w->response, strlen (w->response));
}

static void
workflow_clear (Workflow *w)
{
  g_free (w->method);
  g_free (w->path);
  g_free (w->content_type);
  g_free (w->accept);
  g_free (w->idempotency_key);
  g_free (w->auth);
  g_clear_pointer (&w->body, g_bytes_unref);
  g_mutex_clear (&w->lock);
}

static MrRefillRequest *
request_new (void)
{
  g_autoptr(MrPatient) patient = mr_patient_new ();
  MrRefillRequest *request;

  patient->id = g_strdup ("530772a4-0000-0000-0000-000000000001");
  patient->given_name = g_strdup ("Zoë");
  patient->surname = g_strdup ("Núñez");
  request = mr_refill_request_new (patient, MR_MODE_KIOSK);
  g_ptr_array_add (request->medications, mr_medication_new ("Metformin", "500 mg", 60));
  request->pickup_location = g_strdup ("Main pharmacy");
  request->consent = TRUE;
  return request;
}

typedef struct {
  gboolean  done;
  char     *reference;
  GError   *error;
} Result;

static void
submit_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Result *r = user_data;

  r->reference = mr_delivery_post_finish (result, NULL, NULL, &r->error);
  r->done = TRUE;
}

/* What the outbox does with a request: its refill-v2 JSON, POSTed with its id as the key and
 * @auth_name / @auth_value as n8n Header Auth. */
static void
submit_request (SoupSession           *session,
                const char            *url,
                const char            *auth_name,
                const char            *auth_value,
                const MrRefillRequest *request,
                Result                *r)
{
  g_autofree char *origin = mr_url_origin (url);
  g_autoptr(MrDeliveryAuth) auth = mr_delivery_auth_new (origin, auth_name, auth_value, NULL);
  g_autoptr(JsonNode) payload = mr_refill_request_to_json (request);
  char *json = mr_json_to_string (payload);
  g_autoptr(GBytes) bytes = g_bytes_new_take (json, strlen (json));

  mr_delivery_post_async (session, url, auth, NULL, request->request_id, bytes, NULL, submit_cb, r);
}

static void
result_clear (Result *r)
{
  g_free (r->reference);
  g_clear_error (&r->error);
}

/* Submits @request to @url and waits for the answer. */
static void
submit (const char            *url,
        const char            *auth_name,
        const char            *auth_value,
        const MrRefillRequest *request,
        Result                *r)
{
  /* No proxy: every peer is on 127.0.0.1, and the isolated XDG dirs hide the proxy schemas. */
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);

  submit_request (session, url, auth_name, auth_value, request, r);
  g_assert_false (r->done);
  g_assert_true (mr_test_wait_for (&r->done, 10000));
}

/* Starts a workflow answering @status with @response, submits a fresh request to it. */
static MrRefillRequest *
run (Workflow   *w,
     const char *auth_name,
     const char *auth_value,
     Result     *r)
{
  g_autoptr(MrTestServer) server = NULL;
  g_autofree char *url = NULL;
  MrRefillRequest *request = request_new ();

  g_mutex_init (&w->lock);
  server = mr_test_server_new (workflow_cb, w);
  url = g_strconcat (mr_test_server_get_url (server), "/webhook/medication-refill", NULL);
  submit (url, auth_name, auth_value, request, r);
  return request;
}

static void
test_submit (void)
{
  Workflow w = { .status = 200, .response = "{\"reference\":\"RX-2026-0042\",\"ok\":true}" };
  Result r = { 0 };
  g_autoptr(MrRefillRequest) request = run (&w, "X-Clinic-Key", "s3cret", &r);
  g_autoptr(JsonNode) expected = mr_refill_request_to_json (request);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (r.error);
  g_assert_cmpstr (r.reference, ==, "RX-2026-0042");
  g_assert_cmpuint (w.n_requests, ==, 1);
  g_assert_cmpstr (w.method, ==, "POST");
  g_assert_cmpstr (w.path, ==, "/webhook/medication-refill");
  g_assert_cmpstr (w.content_type, ==, "application/json");
  g_assert_cmpstr (w.accept, ==, "application/json");
  g_assert_cmpstr (w.idempotency_key, ==, request->request_id);
  g_assert_cmpstr (w.auth, ==, "s3cret");
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (w.body, NULL),
                                             g_bytes_get_size (w.body), NULL));
  g_assert_true (json_node_equal (json_parser_get_root (parser), expected));
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (
                       json_node_get_object (json_parser_get_root (parser)), "patient"),
                     "given_name"), ==, "Zoë");
  result_clear (&r);
  workflow_clear (&w);
}

static void
test_submit_no_auth (void)
{
  Workflow w = { .status = 200, .response = "{\"reference\":\"R1\"}" };
  Result r = { 0 };
  g_autoptr(MrRefillRequest) request = run (&w, "X-Clinic-Key", NULL, &r);

  g_assert_cmpstr (r.reference, ==, "R1");
  g_assert_null (w.auth);
  result_clear (&r);
  workflow_clear (&w);
}

typedef struct {
  const char *name;
  guint       status;
  const char *response;
  const char *response_type;
  int         code;           /* -1: success */
  const char *words;          /* part of the message, or the expected reference ("=" for the id) */
} StatusCase;

static const StatusCase status_cases[] = {
  { "200-reference", 200, "{\"reference\":\"RX-1\"}", NULL, -1, "RX-1" },
  { "201-reference", 201, "{\"reference\":\"RX-2\"}", NULL, -1, "RX-2" },
  /* A 2xx without the workflow's reference proves nothing (n8n answers 200 with an empty body
   * while it shuts down, without running the workflow): sent again, which the workflow's
   * de-duplication makes safe. */
  { "200-empty", 200, NULL, NULL, MR_DELIVERY_ERROR_SERVER, "without a reference" },
  { "204", 204, NULL, NULL, MR_DELIVERY_ERROR_SERVER, "without a reference" },
  /* n8n's "Respond immediately" answer. */
  { "200-n8n-started", 200, "{\"message\":\"Workflow was started\"}", NULL,
    MR_DELIVERY_ERROR_SERVER, "without a reference" },
  { "200-plain-text", 200, "Workflow was started", "text/plain", MR_DELIVERY_ERROR_SERVER,
    "without a reference" },
  { "200-garbage-json", 200, "{\"reference\":", NULL, MR_DELIVERY_ERROR_SERVER,
    "without a reference" },
  { "200-reference-not-string", 200, "{\"reference\":42}", NULL, MR_DELIVERY_ERROR_SERVER,
    "without a reference" },
  { "200-reference-blank", 200, "{\"reference\":\" \\u0007 \"}", NULL,
    MR_DELIVERY_ERROR_SERVER, "without a reference" },
  /* The Idempotency-Key draft's "still in progress": asked again. */
  { "409", 409, "{\"error\":\"in_progress\"}", NULL, MR_DELIVERY_ERROR_SERVER, "(409)" },
  { "200-reference-control", 200, "{\"reference\":\"RX-\\u001b[2J9\"}", NULL, -1, "RX-[2J9" },
  { "500", 500, "{\"code\":0,\"message\":\"Error in workflow\"}", NULL, MR_DELIVERY_ERROR_SERVER,
    "(500)" },
  { "502", 502, NULL, NULL, MR_DELIVERY_ERROR_SERVER, "(502)" },
  { "503", 503, NULL, NULL, MR_DELIVERY_ERROR_SERVER, "again" },
  { "429", 429, NULL, NULL, MR_DELIVERY_ERROR_SERVER, "(429)" },
  { "408", 408, NULL, NULL, MR_DELIVERY_ERROR_SERVER, "(408)" },
  { "400", 400, NULL, NULL, MR_DELIVERY_ERROR_REJECTED, "(400)" },
  { "401", 401, "Authorization data is wrong!", "text/plain", MR_DELIVERY_ERROR_REJECTED,
    "The clinic's workflow refused the app's credentials." },
  { "403", 403, "Authorization data is wrong!", "text/plain", MR_DELIVERY_ERROR_REJECTED,
    "The clinic's workflow refused the app's credentials." },
  { "404", 404,
    "{\"code\":404,\"message\":\"The requested webhook \\\"POST medication-refill\\\" is not "
    "registered.\",\"hint\":\"The workflow must be active for a production URL to run.\"}",
    NULL, MR_DELIVERY_ERROR_REJECTED,
    "The clinic's workflow is not active (404). Ask your administrator to activate it." },
  { "413", 413, NULL, NULL, MR_DELIVERY_ERROR_REJECTED, "(413)" },
  { "422", 422, NULL, NULL, MR_DELIVERY_ERROR_REJECTED, "(422)" },
  { "302", 302, NULL, NULL, MR_DELIVERY_ERROR_REJECTED, "(302)" },
};

static void
test_status (gconstpointer data)
{
  const StatusCase *c = data;
  Workflow w = { .status = c->status, .response = c->response,
                 .response_type = c->response_type };
  Result r = { 0 };
  g_autoptr(MrRefillRequest) request = run (&w, NULL, NULL, &r);

  g_assert_cmpuint (w.n_requests, ==, 1);
  if (c->code < 0)
    {
      g_assert_no_error (r.error);
      g_assert_cmpstr (r.reference, ==, strcmp (c->words, "=") == 0 ? request->request_id
                                                                      : c->words);
    }
  else
    {
      g_assert_null (r.reference);
      g_assert_error (r.error, MR_DELIVERY_ERROR, c->code);
      g_assert_nonnull (strstr (r.error->message, c->words));
      /* The workflow's own words (which may quote the request) are never shown. */
      g_assert_null (strstr (r.error->message, "webhook"));
      g_assert_null (strstr (r.error->message, "Authorization data"));
    }
  result_clear (&r);
  workflow_clear (&w);
}

/* A 302 to another path of the same server: not followed, so the patient's details and the
 * workflow's key go nowhere else, and the person reads a sentence. */
static void
test_redirect_not_followed (void)
{
  Workflow w = { .status = 302, .location = "/elsewhere" };
  g_autoptr(MrRefillRequest) request = NULL;
  Result r = { 0 };

  request = run (&w, "X-Clinic-Key", "k-123", &r);
  g_assert_null (r.reference);
  g_assert_error (r.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
  g_assert_nonnull (strstr (r.error->message, "(302)"));
  g_assert_cmpuint (w.n_requests, ==, 1);
  g_assert_cmpstr (w.path, ==, "/webhook/medication-refill");
  result_clear (&r);
  workflow_clear (&w);
}

static void
test_parse_response (void)
{
  g_autoptr(GBytes) garbage = g_bytes_new_static ("<html>", 6);
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;

  /* A 2xx with no reference is not taken as filed. */
  g_assert_null (mr_delivery_parse_response (200, garbage, &error));
  g_assert_error (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_SERVER);
  g_clear_error (&error);
  reference = mr_delivery_parse_response (200, NULL, &error);
  g_assert_null (reference);
  g_assert_error (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_SERVER);
  g_clear_error (&error);
  g_assert_null (mr_delivery_parse_response (101, NULL, &error));
  g_assert_error (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_BAD_RESPONSE);
}

static void
test_network (void)
{
  Workflow w = { .status = 200 };
  g_autoptr(MrRefillRequest) request = request_new ();
  g_autofree char *url = NULL;
  MrTestServer *server;
  Result r = { 0 };

  g_mutex_init (&w.lock);
  server = mr_test_server_new (workflow_cb, &w);
  url = g_strconcat (mr_test_server_get_url (server), "/webhook/medication-refill", NULL);
  mr_test_server_free (server);
  submit (url, NULL, NULL, request, &r);

  g_assert_null (r.reference);
  g_assert_error (r.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_NETWORK);
  g_assert_true (g_str_has_prefix (r.error->message,
                                   "The clinic's system could not be reached."));
  g_assert_cmpuint (w.n_requests, ==, 0);
  result_clear (&r);
  workflow_clear (&w);
}

/* Refused before any I/O. The session sends everything through a proxy that is our own server,
 * so any attempt to reach the workflow, even the remote ones, would be counted there. */
static void
test_insecure (void)
{
  const char *urls[] = {
    "http://example.org/webhook/medication-refill",
    "http://10.0.0.5:5678/webhook/medication-refill",
    "http://localhost.example.org/webhook",
    "ftp://127.0.0.1/webhook",
    "not a url",
    "",
  };
  Workflow w = { .status = 200, .response = "{\"reference\":\"via-proxy\"}" };
  g_autoptr(MrTestServer) server = NULL;
  g_autoptr(GProxyResolver) resolver = NULL;
  g_autoptr(SoupSession) session = NULL;

  g_mutex_init (&w.lock);
  server = mr_test_server_new (workflow_cb, &w);
  resolver = g_simple_proxy_resolver_new (mr_test_server_get_url (server), NULL);
  session = soup_session_new_with_options ("proxy-resolver", resolver, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(MrRefillRequest) request = request_new ();
      Result r = { 0 };

      submit_request (session, urls[i], NULL, NULL, request, &r);
      g_assert_true (mr_test_wait_for (&r.done, 10000));
      g_assert_null (r.reference);
      g_assert_error (r.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_INSECURE);
      result_clear (&r);
    }
  g_clear_pointer (&server, mr_test_server_free);
  g_assert_cmpuint (w.n_requests, ==, 0);
  workflow_clear (&w);
}

/* The proxy above does see requests: without this, test_insecure could not fail. */
static void
test_proxy_sees_requests (void)
{
  Workflow w = { .status = 200, .response = "{\"reference\":\"via-proxy\"}" };
  g_autoptr(MrTestServer) server = NULL;
  g_autoptr(GProxyResolver) resolver = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(MrRefillRequest) request = request_new ();
  Result r = { 0 };

  g_mutex_init (&w.lock);
  server = mr_test_server_new (workflow_cb, &w);
  resolver = g_simple_proxy_resolver_new (mr_test_server_get_url (server), NULL);
  session = soup_session_new_with_options ("proxy-resolver", resolver, NULL);
  submit_request (session, "http://127.0.0.1:1/webhook", NULL, NULL, request, &r);
  g_assert_true (mr_test_wait_for (&r.done, 10000));
  g_clear_pointer (&server, mr_test_server_free);
  g_assert_cmpuint (w.n_requests, ==, 1);
  g_assert_cmpstr (r.reference, ==, "via-proxy");
  result_clear (&r);
  workflow_clear (&w);
}

static void
test_bad_auth_header (void)
{
  Workflow w = { .status = 200 };
  Result r = { 0 };
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(MrTestServer) server = NULL;
  g_autofree char *url = NULL;

  g_mutex_init (&w.lock);
  server = mr_test_server_new (workflow_cb, &w);
  url = g_strconcat (mr_test_server_get_url (server), "/webhook/medication-refill", NULL);
  request = request_new ();
  submit (url, "X-Clinic-Key", "line\r\nInjected: yes", request, &r);
  g_clear_pointer (&server, mr_test_server_free);

  g_assert_error (r.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
  g_assert_null (strstr (r.error->message, "Injected"));
  g_assert_cmpuint (w.n_requests, ==, 0);
  result_clear (&r);
  workflow_clear (&w);
}

/* The same request sent twice carries the same key: the workflow can drop the repeat. */
static void
test_idempotency_key_stable (void)
{
  Workflow w = { .status = 503 };
  g_autoptr(MrTestServer) server = NULL;
  g_autoptr(MrRefillRequest) request = request_new ();
  g_autofree char *url = NULL;
  g_autofree char *first_key = NULL;
  g_autoptr(GBytes) first_body = NULL;
  Result r1 = { 0 }, r2 = { 0 };

  g_mutex_init (&w.lock);
  server = mr_test_server_new (workflow_cb, &w);
  url = g_strconcat (mr_test_server_get_url (server), "/w", NULL);
  submit (url, NULL, NULL, request, &r1);
  g_mutex_lock (&w.lock);
  first_key = g_steal_pointer (&w.idempotency_key);
  first_body = g_steal_pointer (&w.body);
  w.status = 200;
  w.response = "{\"reference\":\"RX-9\"}";
  g_mutex_unlock (&w.lock);
  submit (url, NULL, NULL, request, &r2);
  g_clear_pointer (&server, mr_test_server_free);

  g_assert_error (r1.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_SERVER);
  g_assert_no_error (r2.error);
  g_assert_cmpuint (w.n_requests, ==, 2);
  g_assert_cmpstr (first_key, ==, request->request_id);
  g_assert_cmpstr (w.idempotency_key, ==, first_key);
  g_assert_true (g_bytes_equal (first_body, w.body));
  result_clear (&r1);
  result_clear (&r2);
  workflow_clear (&w);
}

/* ---- mr_delivery_post_async: what the outbox uses ------------------------------------------ */

#define PEER_ANSWER "{\"reference\":\"RX-77\"}"

typedef struct {
  GMutex  lock;
  guint   n_requests;
  guint   status;
  char   *retry_after;
  char   *authorization;
  char   *header_auth;
  char   *key;
  GBytes *body;
} Peer;

static void
peer_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Peer *p = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  g_mutex_lock (&p->lock);
  p->n_requests++;
  store (&p->authorization, soup_message_headers_get_one (headers, "Authorization"));
  store (&p->header_auth, soup_message_headers_get_one (headers, "X-N8n-Key"));
  store (&p->key, soup_message_headers_get_one (headers, "Idempotency-Key"));
  g_clear_pointer (&p->body, g_bytes_unref);
  p->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (p->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                  p->retry_after);
  soup_server_message_set_status (msg, p->status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, PEER_ANSWER,
                                    strlen (PEER_ANSWER));
  g_mutex_unlock (&p->lock);
}

static void
peer_clear (Peer *p)
{
  g_free (p->retry_after);
  g_free (p->authorization);
  g_free (p->header_auth);
  g_free (p->key);
  g_clear_pointer (&p->body, g_bytes_unref);
  g_mutex_clear (&p->lock);
}

typedef struct {
  gboolean  done;
  char     *reference;
  guint     status;
  char     *retry_after;
  GError   *error;
} Posted;

static void
post_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Posted *r = user_data;

  r->reference = mr_delivery_post_finish (result, &r->status, &r->retry_after, &r->error);
  r->done = TRUE;
}

static void
posted_clear (Posted *r)
{
  g_free (r->reference);
  g_free (r->retry_after);
  g_clear_error (&r->error);
}

static void
post (const char           *url,
      const MrDeliveryAuth *auth,
      GBytes               *payload,
      Posted               *r)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);

  mr_delivery_post_async (session, url, auth, NULL, "a1b2c3d4-0000-4000-8000-000000000001", payload,
                          NULL, post_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 10000));
}

static Peer *
peer_run (Peer                 *p,
          const MrDeliveryAuth *auth,
          GBytes               *payload,
          Posted               *r)
{
  g_autoptr(MrTestServer) server = NULL;
  g_autoptr(MrDeliveryAuth) bound = NULL;
  g_autofree char *url = NULL;

  g_mutex_init (&p->lock);
  server = mr_test_server_new (peer_cb, p);
  url = g_strconcat (mr_test_server_get_url (server), "/webhook/medication-refill", NULL);
  /* @auth as the keyring gives it for this peer's address. */
  if (auth != NULL)
    {
      bound = mr_delivery_auth_copy (auth);
      g_free (bound->origin);
      bound->origin = mr_url_origin (url);
    }
  post (url, bound, payload, r);
  return p;
}

/* The body goes out byte for byte as the outbox saved it; the status comes back with it. */
static void
test_post (void)
{
  static const char json[] = "{\"requestId\":\"a1b2c3d4\",\"name\":\"Zo\\u00eb\" }";
  g_autoptr(GBytes) payload = g_bytes_new_static (json, strlen (json));
  Peer p = { .status = 201 };
  Posted r = { 0 };

  peer_run (&p, NULL, payload, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.reference, ==, "RX-77");
  g_assert_cmpuint (r.status, ==, 201);
  g_assert_null (r.retry_after);
  g_assert_true (g_bytes_equal (p.body, payload));
  g_assert_cmpstr (p.key, ==, "a1b2c3d4-0000-4000-8000-000000000001");
  g_assert_null (p.authorization);
  posted_clear (&r);
  peer_clear (&p);
}

static void
test_post_retry_after (void)
{
  g_autoptr(GBytes) payload = g_bytes_new_static ("{}", 2);
  Peer p = { .status = 429, .retry_after = g_strdup ("17") };
  Posted r = { 0 };

  peer_run (&p, NULL, payload, &r);
  g_assert_error (r.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_SERVER);
  g_assert_null (r.reference);
  g_assert_cmpuint (r.status, ==, 429);
  g_assert_cmpstr (r.retry_after, ==, "17");
  posted_clear (&r);
  peer_clear (&p);
}

/* n8n's Basic Auth and Header Auth, from what the keyring gave. */
static void
test_post_auth (void)
{
  g_autoptr(GBytes) payload = g_bytes_new_static ("{}", 2);
  g_autoptr(MrDeliveryAuth) auth = mr_delivery_auth_new (NULL, "X-N8n-Key", "k-123",
                                                         "clinic:pa:ss wörd");
  g_autofree char *expected = NULL;
  g_autofree char *encoded = NULL;
  Peer p = { .status = 200 };
  Posted r = { 0 };

  peer_run (&p, auth, payload, &r);
  g_assert_no_error (r.error);
  encoded = g_base64_encode ((const guchar *) "clinic:pa:ss wörd", strlen ("clinic:pa:ss wörd"));
  expected = g_strconcat ("Basic ", encoded, NULL);
  g_assert_cmpstr (p.authorization, ==, expected);
  g_assert_cmpstr (p.header_auth, ==, "k-123");
  posted_clear (&r);
  peer_clear (&p);
}

static void
test_post_bad_basic (void)
{
  static const char *bad[] = { "no-colon-hunter2", "user:hunter2\r\nX-Injected: 1" };
  g_autoptr(GBytes) payload = g_bytes_new_static ("{}", 2);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(MrDeliveryAuth) auth = mr_delivery_auth_new (NULL, NULL, NULL, bad[i]);
      Peer p = { .status = 200 };
      Posted r = { 0 };

      peer_run (&p, auth, payload, &r);
      g_assert_error (r.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
      g_assert_null (strstr (r.error->message, "hunter2"));
      g_assert_cmpuint (p.n_requests, ==, 0);
      g_assert_cmpuint (r.status, ==, 0);
      posted_clear (&r);
      peer_clear (&p);
    }
}

/* A self-signed certificate for 127.0.0.1, made for this run only. */
static GTlsCertificate *
make_certificate (void)
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
  guchar serial[8];
  char key_pem[4096], crt_pem[4096];
  size_t key_len = sizeof key_pem, crt_len = sizeof crt_pem;
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;
  time_t now = time (NULL);

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                                 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  mr_random_bytes (serial, sizeof serial);
  serial[0] &= 0x7f;
  gnutls_x509_crt_set_version (crt, 3);
  gnutls_x509_crt_set_serial (crt, serial, sizeof serial);
  gnutls_x509_crt_set_activation_time (crt, now - 60);
  gnutls_x509_crt_set_expiration_time (crt, now + 3600);
  gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, "127.0.0.1", 9);
  gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                        (const guchar[]) { 127, 0, 0, 1 }, 4, GNUTLS_FSAN_SET);
  gnutls_x509_crt_set_key (crt, key);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export (crt, GNUTLS_X509_FMT_PEM, crt_pem, &crt_len), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_export_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                     GNUTLS_PKCS_PLAIN, key_pem, &key_len), ==, 0);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);

  pem = g_strdup_printf ("%.*s\n%.*s", (int) crt_len, crt_pem, (int) key_len, key_pem);
  certificate = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);
  return certificate;
}

/* A certificate the system does not trust: held for a person, never "try again". */
static void
test_tls_failure (void)
{
  g_autoptr(GTlsCertificate) certificate = make_certificate ();
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autoptr(GBytes) payload = g_bytes_new_static ("{}", 2);
  g_autofree char *url = NULL;
  Peer p = { .status = 200 };
  Posted r = { 0 };

  g_mutex_init (&p.lock);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, peer_cb, &p, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY
                                                      | SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("https://127.0.0.1:%d/webhook/medication-refill",
                         g_uri_get_port (uris->data));
  post (url, NULL, payload, &r);
  soup_server_disconnect (server);

  g_assert_error (r.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_TLS);
  g_assert_nonnull (strstr (r.error->message, "certificate"));
  g_assert_cmpuint (r.status, ==, 0);
  g_assert_cmpuint (p.n_requests, ==, 0);
  posted_clear (&r);
  peer_clear (&p);
}

typedef struct {
  gboolean        done;
  MrDeliveryAuth *auth;
  GError         *error;
} Loaded;

static void
auth_load_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Loaded *l = user_data;

  l->auth = mr_delivery_auth_load_finish (result, &l->error);
  l->done = TRUE;
}

static void
secret_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
load_auth (const char *url,
           const char *header_name,
           Loaded     *l)
{
  mr_delivery_auth_load_async (url, header_name, NULL, auth_load_cb, l);
  g_assert_true (mr_test_wait_for (&l->done, 20000));
}

static void
store_for (const char *account,
           const char *url,
           const char *value)
{
  g_autofree char *origin = mr_url_origin (url);
  gboolean stored = FALSE;

  mr_secret_store_for_origin_async (MR_SECRET_WORKFLOW_AUTH, account, origin, "test", value, NULL,
                                    secret_done_cb, &stored);
  g_assert_true (mr_test_wait_for (&stored, 20000));
}

static void
clear_secret (const char *account)
{
  gboolean cleared = FALSE;

  mr_secret_clear_async (MR_SECRET_WORKFLOW_AUTH, account, NULL, secret_done_cb, &cleared);
  g_assert_true (mr_test_wait_for (&cleared, 20000));
}

/* The header's value under its name, Basic Auth under "basic", each for the workflow address it
 * was saved for. Under the test keyring only: a desktop session's own "basic" secret is never
 * touched. */
static void
test_auth_load (void)
{
  g_autofree char *header = g_strdup_printf ("X-Medrefill-Test-%08x", g_random_int ());
  const char *url_a = "http://127.0.0.1:40001/webhook/medication-refill";
  const char *url_b = "http://127.0.0.1:40002/webhook/medication-refill";
  Loaded probe = { 0 }, l = { 0 }, other = { 0 };

  if (g_strcmp0 (g_getenv ("MEDREFILL_REQUIRE_KEYRING"), "1") != 0)
    {
      g_test_skip ("Only with the test keyring (MEDREFILL_REQUIRE_KEYRING=1, scripts/run-tests)");
      return;
    }
  load_auth (url_a, NULL, &probe);
  g_assert_no_error (probe.error);
  if (probe.auth->basic != NULL || probe.auth->basic_elsewhere)
    {
      g_test_skip ("This keyring already holds a workflow user name and password");
      mr_delivery_auth_free (probe.auth);
      return;
    }
  mr_delivery_auth_free (probe.auth);

  store_for (header, url_a, "v-42");
  store_for (MR_DELIVERY_BASIC_ACCOUNT, url_a, "u:p");

  load_auth (url_a, header, &l);
  g_assert_no_error (l.error);
  g_assert_cmpstr (l.auth->origin, ==, "http://127.0.0.1:40001");
  g_assert_cmpstr (l.auth->header_name, ==, header);
  g_assert_cmpstr (l.auth->header_value, ==, "v-42");
  g_assert_cmpstr (l.auth->basic, ==, "u:p");
  g_assert_false (l.auth->header_elsewhere);
  mr_delivery_auth_free (l.auth);

  /* Another port is another origin: nothing, but it is known that the values exist elsewhere. */
  load_auth (url_b, header, &other);
  g_assert_no_error (other.error);
  g_assert_null (other.auth->header_value);
  g_assert_null (other.auth->basic);
  g_assert_true (other.auth->header_elsewhere);
  g_assert_true (other.auth->basic_elsewhere);
  mr_delivery_auth_free (other.auth);

  clear_secret (header);
  clear_secret (MR_DELIVERY_BASIC_ACCOUNT);
}

/* The workflow URL changed from A to B (a second sink on another port): the Header-Auth value
 * saved for A never reaches B, and B gets no request without it either; the request is refused
 * here with the sentence that asks for the value again. A's own sink still gets it. */
static void
test_auth_bound_to_origin (void)
{
  const char *header = "X-N8n-Key";   /* the header the peer records */
  g_autoptr(GBytes) payload = g_bytes_new_static ("{}", 2);
  g_autoptr(MrTestServer) server_a = NULL;
  g_autoptr(MrTestServer) server_b = NULL;
  g_autofree char *url_a = NULL, *url_b = NULL;
  Peer a = { .status = 200 }, b = { .status = 200 };
  Loaded la = { 0 }, lb = { 0 };
  Posted ra = { 0 }, rb = { 0 };

  if (g_strcmp0 (g_getenv ("MEDREFILL_REQUIRE_KEYRING"), "1") != 0)
    {
      g_test_skip ("Only with the test keyring (MEDREFILL_REQUIRE_KEYRING=1, scripts/run-tests)");
      return;
    }
  g_mutex_init (&a.lock);
  g_mutex_init (&b.lock);
  server_a = mr_test_server_new (peer_cb, &a);
  server_b = mr_test_server_new (peer_cb, &b);
  url_a = g_strconcat (mr_test_server_get_url (server_a), "/webhook/medication-refill", NULL);
  url_b = g_strconcat (mr_test_server_get_url (server_b), "/webhook/medication-refill", NULL);
  store_for (header, url_a, "secret-for-a");

  load_auth (url_b, header, &lb);
  g_assert_no_error (lb.error);
  post (url_b, lb.auth, payload, &rb);
  g_assert_error (rb.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
  g_assert_nonnull (strstr (rb.error->message, "set the Header-Auth value again"));
  g_assert_cmpuint (b.n_requests, ==, 0);
  g_assert_null (b.header_auth);

  /* An auth loaded for A and handed a B address by mistake keeps its secret too. */
  load_auth (url_a, header, &la);
  posted_clear (&rb);
  rb = (Posted) { 0 };
  post (url_b, la.auth, payload, &rb);
  g_assert_error (rb.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
  g_assert_cmpuint (b.n_requests, ==, 0);

  post (url_a, la.auth, payload, &ra);
  g_assert_no_error (ra.error);
  g_assert_cmpstr (a.header_auth, ==, "secret-for-a");

  clear_secret (header);
  mr_delivery_auth_free (la.auth);
  mr_delivery_auth_free (lb.auth);
  posted_clear (&ra);
  posted_clear (&rb);
  peer_clear (&a);
  peer_clear (&b);
}

int
main (int    argc,
      char **argv)
{
  /* GSocketClient asks for the default proxy resolver even when given one; GLib's own "dummy"
   * keeps glib-networking's GNOME module (and its GSettings schema) out of the test. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  mr_test_init (&argc, &argv);

  g_test_add_func ("/delivery/submit", test_submit);
  g_test_add_func ("/delivery/submit/no-auth-value", test_submit_no_auth);
  for (gsize i = 0; i < G_N_ELEMENTS (status_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/delivery/status/%s", status_cases[i].name);

      g_test_add_data_func (path, &status_cases[i], test_status);
    }
  g_test_add_func ("/delivery/redirect-not-followed", test_redirect_not_followed);
  g_test_add_func ("/delivery/parse-response", test_parse_response);
  g_test_add_func ("/delivery/network", test_network);
  g_test_add_func ("/delivery/insecure", test_insecure);
  g_test_add_func ("/delivery/insecure/proxy-sees-requests", test_proxy_sees_requests);
  g_test_add_func ("/delivery/bad-auth-header", test_bad_auth_header);
  g_test_add_func ("/delivery/idempotency-key-stable", test_idempotency_key_stable);
  g_test_add_func ("/delivery/post", test_post);
  g_test_add_func ("/delivery/post/retry-after", test_post_retry_after);
  g_test_add_func ("/delivery/post/auth", test_post_auth);
  g_test_add_func ("/delivery/auth/bound-to-origin", test_auth_bound_to_origin);
  g_test_add_func ("/delivery/post/bad-basic", test_post_bad_basic);
  g_test_add_func ("/delivery/tls-failure", test_tls_failure);
  g_test_add_func ("/delivery/auth-load", test_auth_load);
  return g_test_run ();
}

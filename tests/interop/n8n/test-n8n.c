/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The app's delivery code and outbox against a real n8n (tests/interop/n8n/README.md), started by
 * scripts/test-n8n, which sets MEDREFILL_N8N_URL, MEDREFILL_N8N_HEADER_NAME and
 * MEDREFILL_N8N_HEADER_VALUE. MEDREFILL_N8N_PHASE says what state n8n is in: "active" (the
 * workflow published) or "inactive" (unpublished, n8n restarted). */
#include "mr-delivery.h"

#include <string.h>
#include <glib/gstdio.h>

#include "mr-test-refill.h"
#include "mr-test-server.h"
#include "mr-base.h"

/* Any key will do: the outbox of this test lives in a temporary directory. */
static const guint8 test_key[MR_OUTBOX_KEY_SIZE] = {
  9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12, 13, 14, 15, 16,
  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

static const char *n8n_url;
static const char *header_name;
static const char *header_value;

static char *
webhook_url (const char *path)
{
  return g_strconcat (n8n_url, "/webhook/", path, NULL);
}

static SoupSession *
session_new (void)
{
  return soup_session_new_with_options ("proxy-resolver", NULL, "timeout", 30, NULL);
}

/* ---- what the workflow recorded -------------------------------------------------------------- */

/* Asks the workflow's lookup webhook what it recorded for @key: {"found":false,"count":0} or
 * {"found":true,"count":N,"reference":"N8N-…","body":{…},"content_type":"…"}. */
static JsonObject *
recorded (const char *key)
{
  g_autoptr(SoupSession) session = session_new ();
  g_autofree char *base = webhook_url ("medication-refill-seen");
  g_autofree char *escaped = g_uri_escape_string (key, NULL, FALSE);
  g_autofree char *url = g_strconcat (base, "?key=", escaped, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), header_name, header_value);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gint64
recorded_count (const char *key)
{
  g_autoptr(JsonObject) entry = recorded (key);

  return json_object_get_int_member (entry, "count");
}

/* ---- one POST through mr_delivery_post_async ------------------------------------------------- */

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
  Posted *p = user_data;

  p->reference = mr_delivery_post_finish (result, &p->status, &p->retry_after, &p->error);
  p->done = TRUE;
}

static void
posted_clear (Posted *p)
{
  g_clear_pointer (&p->reference, g_free);
  g_clear_pointer (&p->retry_after, g_free);
  g_clear_error (&p->error);
  p->done = FALSE;
}

static GBytes *
payload_bytes (const MrRefillRequest *request)
{
  g_autoptr(JsonNode) node = mr_refill_request_to_json (request);
  char *json = mr_json_to_string (node);

  return g_bytes_new_take (json, strlen (json));
}

/* POSTs @request's refill-v2 payload to the refill webhook with @value in the Header Auth header,
 * as the outbox does, and waits for the answer. */
static void
post (const MrRefillRequest *request,
      const char            *value,
      Posted                *p)
{
  g_autoptr(SoupSession) session = session_new ();
  g_autoptr(MrDeliveryAuth) auth = mr_delivery_auth_new (header_name, value, NULL);
  g_autofree char *url = webhook_url ("medication-refill");
  g_autoptr(GBytes) payload = payload_bytes (request);

  mr_delivery_post_async (session, url, auth, NULL, request->request_id, payload, NULL, post_cb, p);
  g_assert_true (mr_test_wait_for (&p->done, 60000));
}

/* Asserts that the workflow recorded @request's payload exactly, under its request id. */
static void
assert_recorded_body (const MrRefillRequest *request,
                      JsonObject            *entry)
{
  g_autoptr(JsonNode) expected = mr_refill_request_to_json (request);

  g_assert_true (json_object_get_boolean_member (entry, "found"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (entry, "content_type"),
                                   "application/json"));
  g_assert_true (json_node_equal (json_object_get_member (entry, "body"), expected));
}

/* (1) A valid request with the right Header Auth: 200, n8n's reference, our Idempotency-Key. */
static void
test_delivered (void)
{
  g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
  g_autoptr(JsonObject) entry = NULL;
  Posted p = { 0 };

  g_assert_true (mr_refill_request_validate (request, NULL));
  g_assert_cmpint (recorded_count (request->request_id), ==, 0);
  post (request, header_value, &p);
  g_assert_no_error (p.error);
  g_assert_cmpuint (p.status, ==, 200);
  g_assert_true (g_str_has_prefix (p.reference, "N8N-"));
  g_assert_cmpuint (strlen (p.reference), >, strlen ("N8N-"));

  /* n8n saw the request id as the Idempotency-Key, with the payload byte for byte as JSON. */
  entry = recorded (request->request_id);
  g_assert_cmpint (json_object_get_int_member (entry, "count"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (entry, "reference"), ==, p.reference);
  assert_recorded_body (request, entry);
  posted_clear (&p);
}

/* (2) The same request id again (an answer lost, a re-send after a crash): n8n recognises the
 * key, records nothing new and answers with the first reference. */
static void
test_repeat (void)
{
  g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
  g_autoptr(MrRefillRequest) other = mr_test_valid_request ();
  g_autofree char *first = NULL;
  Posted p = { 0 };

  post (request, header_value, &p);
  g_assert_no_error (p.error);
  first = g_steal_pointer (&p.reference);
  posted_clear (&p);

  post (request, header_value, &p);
  g_assert_no_error (p.error);
  g_assert_cmpuint (p.status, ==, 200);
  g_assert_cmpstr (p.reference, ==, first);
  g_assert_cmpint (recorded_count (request->request_id), ==, 2);
  posted_clear (&p);

  /* A different request is not a repeat: a reference of its own. */
  g_assert_cmpstr (other->request_id, !=, request->request_id);
  post (other, header_value, &p);
  g_assert_no_error (p.error);
  g_assert_cmpstr (p.reference, !=, first);
  g_assert_cmpint (recorded_count (other->request_id), ==, 1);
  posted_clear (&p);
}

/* ---- through the outbox ---------------------------------------------------------------------- */

typedef struct {
  gboolean         done;
  MrOutboxOutcome  outcome;
  char            *detail;
  GError          *error;
} Enqueued;

static void
enqueue_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Enqueued *e = user_data;

  e->outcome = mr_outbox_enqueue_finish (MR_OUTBOX (source), result, &e->detail, &e->error);
  e->done = TRUE;
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_outbox_open_finish (MR_OUTBOX (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static gboolean
idle_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Shuts @outbox down, waits for its last writes and checks that nothing keeps it alive. */
static void
outbox_close (MrOutbox *outbox)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint id = g_timeout_add (10, idle_cb, NULL);

  mr_outbox_shutdown (outbox);
  while (mr_outbox_get_busy_count (outbox) > 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_assert_cmpuint (mr_outbox_get_busy_count (outbox), ==, 0);
  g_assert_finalize_object (outbox);
}

/* Sends @request through a new outbox in a temporary directory with @value as the Header Auth
 * value; returns the outcome and its detail (reference or reason). Asserts the outbox's counts
 * for that outcome before closing it. */
static MrOutboxOutcome
send_through_outbox (const MrRefillRequest *request,
                     const char            *value,
                     char                 **out_detail)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("medrefill-n8n-outbox-XXXXXX", &error);
  g_autoptr(SoupSession) session = session_new ();
  g_autoptr(MrDeliveryAuth) auth = mr_delivery_auth_new (header_name, value, NULL);
  g_autofree char *url = webhook_url ("medication-refill");
  MrOutbox *outbox;
  gboolean opened = FALSE;
  Enqueued e = { 0 };

  g_assert_no_error (error);
  outbox = mr_outbox_new_with_key (dir, session, test_key);
  mr_outbox_set_workflow (outbox, url, auth);
  mr_outbox_open_async (outbox, NULL, open_cb, &opened);
  g_assert_true (mr_test_wait_for (&opened, 20000));
  g_assert_true (mr_outbox_get_persistent (outbox));

  mr_outbox_enqueue_request_async (outbox, request, NULL, NULL, enqueue_cb, &e);
  g_assert_true (mr_test_wait_for (&e.done, 60000));
  g_assert_no_error (e.error);

  switch (e.outcome)
    {
    case MR_OUTBOX_SENT:
      g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 0);
      g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 0);
      break;
    case MR_OUTBOX_HELD:
      {
        g_autoptr(GPtrArray) items = mr_outbox_list_items (outbox);
        MrOutboxItem *item;

        g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 1);
        g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 0);
        g_assert_cmpuint (items->len, ==, 1);
        item = g_ptr_array_index (items, 0);
        g_assert_cmpstr (item->request_id, ==, request->request_id);
        g_assert_cmpint (item->state, ==, MR_OUTBOX_STATE_HELD);
        g_assert_cmpuint (item->attempts, ==, 1);
        g_assert_cmpstr (item->last_error, ==, e.detail);
        break;
      }
    case MR_OUTBOX_SAVED:
    default:
      break;
    }
  outbox_close (outbox);
  remove_tree (dir);
  *out_detail = e.detail;
  return e.outcome;
}

/* (3) A wrong Header Auth value: n8n answers 403 before the workflow runs; the outbox holds the
 * request with a sentence about credentials, and does not retry it. */
static void
test_wrong_key_held (void)
{
  g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
  g_autofree char *detail = NULL;
  Posted p = { 0 };

  post (request, "not-the-clinic-key", &p);
  g_assert_cmpuint (p.status, ==, 403);
  g_assert_error (p.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
  g_assert_null (p.reference);
  posted_clear (&p);

  /* No header at all is refused the same way. */
  post (request, NULL, &p);
  g_assert_cmpuint (p.status, ==, 403);
  g_assert_error (p.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
  posted_clear (&p);

  g_assert_cmpint (send_through_outbox (request, "not-the-clinic-key", &detail), ==,
                   MR_OUTBOX_HELD);
  g_assert_nonnull (strstr (detail, "refused the app's credentials"));
  g_assert_nonnull (strstr (detail, "authentication settings"));
  g_assert_null (strstr (detail, header_value));

  /* The workflow never ran for it. */
  g_assert_cmpint (recorded_count (request->request_id), ==, 0);
}

/* (5) The outbox with the right Header Auth: SENT with n8n's reference, recorded once. */
static void
test_outbox_sent (void)
{
  g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
  g_autoptr(JsonObject) entry = NULL;
  g_autofree char *detail = NULL;

  g_assert_cmpint (send_through_outbox (request, header_value, &detail), ==, MR_OUTBOX_SENT);
  g_assert_true (g_str_has_prefix (detail, "N8N-"));
  entry = recorded (request->request_id);
  g_assert_cmpint (json_object_get_int_member (entry, "count"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (entry, "reference"), ==, detail);
  assert_recorded_body (request, entry);
}

/* (4) The workflow unpublished: n8n answers 404 ("webhook not registered"); the outbox holds the
 * request with the "not active" sentence. */
static void
test_inactive_held (void)
{
  g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
  g_autofree char *detail = NULL;
  Posted p = { 0 };

  post (request, header_value, &p);
  g_assert_cmpuint (p.status, ==, 404);
  g_assert_error (p.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
  g_assert_nonnull (strstr (p.error->message, "not active"));
  posted_clear (&p);

  g_assert_cmpint (send_through_outbox (request, header_value, &detail), ==, MR_OUTBOX_HELD);
  g_assert_nonnull (strstr (detail, "not active"));
  g_assert_nonnull (strstr (detail, "activate it"));
}

static const char *
require_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run this suite with scripts/test-n8n", name);
  return value;
}

int
main (int argc, char **argv)
{
  const char *phase;

  mr_test_init (&argc, &argv);
  n8n_url = require_env ("MEDREFILL_N8N_URL");
  header_name = require_env ("MEDREFILL_N8N_HEADER_NAME");
  header_value = require_env ("MEDREFILL_N8N_HEADER_VALUE");
  phase = require_env ("MEDREFILL_N8N_PHASE");
  /* Only ever the n8n that scripts/test-n8n started on this computer. */
  g_assert_true (g_str_has_prefix (n8n_url, "http://127.0.0.1:"));

  if (g_str_equal (phase, "active"))
    {
      g_test_add_func ("/n8n/delivered", test_delivered);
      g_test_add_func ("/n8n/repeat", test_repeat);
      g_test_add_func ("/n8n/wrong-key-held", test_wrong_key_held);
      g_test_add_func ("/n8n/outbox-sent", test_outbox_sent);
    }
  else if (g_str_equal (phase, "inactive"))
    g_test_add_func ("/n8n/inactive-held", test_inactive_held);
  else
    g_error ("MEDREFILL_N8N_PHASE is “%s”, not “active” or “inactive”", phase);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox's workflow sink believes a request only as far as its bearer token goes, exactly as
 * the reference workflow's check (data/n8n/verify-token.js, tested with jose in tests/workflow):
 * the same cases, the same status codes and the same bodies, over real HTTP on 127.0.0.1, and
 * once end to end through the outbox. */
#include "mr-sandbox.h"

#include <string.h>
#include <gnutls/gnutls.h>

#include "mr-delivery.h"
#include "mr-test-jwt.h"
#include "mr-test-server.h"
#include "mr-test-sink.h"

#define JACK  "jack.smith@example.org"
#define STAFF "staff@example.org"
#define HOUR  3600
#define DAY   (24 * HOUR)

#define NO_TOKEN_TEXT  "The request carries no access token for the clinic API."
#define INVALID_TEXT   "The access token is not a valid token for this clinic."
#define WINDOW_TEXT    "The request is older than the clinic accepts, or from the future."
#define SCOPE_TEXT     "The access token does not allow sending refill requests."
#define PATIENT_TEXT   "The access token belongs to someone other than the patient."
#define STAFF_TEXT     "The access token is not a front-desk staff member's."
#define SUBMITTER_TEXT "The access token belongs to someone other than the submitter."

typedef struct {
  MrSandbox   *sandbox;
  SoupSession *session;
  char        *url;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->sandbox = mr_sandbox_new ();
  g_assert_true (mr_sandbox_start (fx->sandbox, 0, NULL, &error));
  g_assert_no_error (error);
  fx->url = g_strconcat (mr_sandbox_get_base_url (fx->sandbox), "/webhook/medication-refill",
                         NULL);
  fx->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_assert_finalize_object (fx->session);
  g_assert_finalize_object (fx->sandbox);
  g_free (fx->url);
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- one request -------------------------------------------------------------------------- */

typedef struct {
  const char *mode;               /* NULL: kiosk */
  const char *patient;            /* patient.object_id; NULL: Jack's */
  const char *submitter;          /* submitted_by.id; NULL: none (null) */
  gint64      created;            /* created_at, seconds since the epoch; 0: now */
  const char *key;                /* Idempotency-Key; NULL: the request id */
} Request;

typedef struct {
  guint       status;
  JsonObject *body;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->body, json_object_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

static JsonObject *
parse_object (GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                              &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* POSTs @request with "Authorization: @authorization" (NULL: none). */
static Answer
post_raw (Fixture       *fx,
          const char    *authorization,
          const Request *request)
{
  g_autofree char *id = mr_request_id_new ();
  g_autofree char *json = mr_test_sink_body_text (id, request->mode ? request->mode : "kiosk",
                                                  request->patient ? request->patient
                                                                   : MR_TEST_JACK_OID,
                                                  request->submitter, request->created);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", fx->url);
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  soup_message_headers_replace (headers, "Idempotency-Key", request->key ? request->key : id);
  if (authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", authorization);
  answer = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_no_error (error);
  return (Answer) { soup_message_get_status (msg), parse_object (answer) };
}

static Answer
post (Fixture       *fx,
      const char    *token,
      const Request *request)
{
  g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);

  return post_raw (fx, authorization, request);
}

static char *
mint (Fixture                     *fx,
      const char                  *email,
      const MrSandboxTokenOptions *options)
{
  char *token = mr_sandbox_mint_api_token (fx->sandbox, email, options);

  g_assert_nonnull (token);
  return token;
}

static void
assert_accepted (Fixture      *fx,
                 const Answer *answer)
{
  g_autoptr(JsonArray) attempts = mr_sandbox_dup_sink_attempts (fx->sandbox);
  JsonObject *last = json_array_get_object_element (attempts, json_array_get_length (attempts) - 1);

  g_assert_cmpuint (answer->status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (answer->body, "status"), ==, "received");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (answer->body, "reference"),
                                   "MR-"));
  g_assert_cmpint (json_object_get_int_member (last, "status"), ==, SOUP_STATUS_OK);
  g_assert_false (json_object_has_member (last, "error"));
}

/* The workflow's refusal, word for word, counted in the sink's attempts and not taken in. */
static void
assert_refused (Fixture      *fx,
                const Answer *answer,
                guint         status,
                const char   *error,
                const char   *description)
{
  g_autoptr(JsonArray) attempts = mr_sandbox_dup_sink_attempts (fx->sandbox);
  g_autoptr(JsonArray) received = mr_sandbox_dup_received (fx->sandbox);
  JsonObject *last = json_array_get_object_element (attempts, json_array_get_length (attempts) - 1);

  g_assert_cmpuint (answer->status, ==, status);
  g_assert_cmpuint (json_object_get_size (answer->body), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (answer->body, "error"), ==, error);
  g_assert_cmpstr (json_object_get_string_member (answer->body, "error_description"), ==,
                   description);
  g_assert_cmpint (json_object_get_int_member (last, "status"), ==, status);
  g_assert_cmpstr (json_object_get_string_member (last, "error"), ==, error);
  g_assert_cmpuint (json_array_get_length (received), ==, 0);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 0);
}

/* Posts @request with @token (NULL: none) and asserts the refusal. */
static void
assert_post_refused (Fixture       *fx,
                     const char    *token,
                     const Request *request,
                     guint          status,
                     const char    *error,
                     const char    *description)
{
  g_auto(Answer) answer = token != NULL ? post (fx, token, request)
                                        : post_raw (fx, NULL, request);

  assert_refused (fx, &answer, status, error, description);
}

/* ---- accepted ----------------------------------------------------------------------------- */

static void
test_kiosk (Fixture       *fx,
            gconstpointer  data)
{
  g_autofree char *token = mint (fx, JACK, NULL);
  g_auto(Answer) answer = post (fx, token, &(Request) { 0 });
  g_autoptr(JsonArray) received = NULL;
  JsonObject *headers;

  assert_accepted (fx, &answer);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 1);
  received = mr_sandbox_dup_received (fx->sandbox);
  g_assert_cmpuint (json_array_get_length (received), ==, 1);
  headers = json_object_get_object_member (json_array_get_object_element (received, 0),
                                           "headers");
  g_assert_cmpstr (json_object_get_string_member (headers, "authorization") + strlen ("Bearer "),
                   ==, token);
}

/* A staff member's request for someone else: the submitter is the token's oid. */
static void
test_desk (Fixture       *fx,
           gconstpointer  data)
{
  g_autofree char *token = mint (fx, STAFF, NULL);
  g_auto(Answer) answer = post (fx, token, &(Request) { .mode = "desk", .patient = MR_TEST_ZOE_OID,
                                                        .submitter = MR_TEST_STAFF_OID });

  assert_accepted (fx, &answer);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 1);
}

/* ---- refused: the token itself ------------------------------------------------------------ */

static void
test_no_token (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *token = mint (fx, JACK, NULL);
  g_autofree char *basic = g_strconcat ("Basic ", token, NULL);
  g_autofree char *two = g_strconcat ("Bearer ", token, ".x", NULL);
  const char *shapes[] = { NULL, "Bearer", "Bearer ", "bearer x.y.z", "Bearer x.y", "Bearer x..z",
                           "Bearer x.y.z=", basic, two };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_auto(Answer) answer = post_raw (fx, shapes[i], &(Request) { 0 });

      g_test_message ("Authorization header shape %u", i);   /* never the token itself */
      assert_refused (fx, &answer, SOUP_STATUS_UNAUTHORIZED, "invalid_token", NO_TOKEN_TEXT);
    }
}

/* Jack's claims, signed with a test key under the sandbox's own kid: only the signature fails. */
static void
test_other_key (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *genuine = mint (fx, JACK, NULL);
  g_auto(GStrv) parts = g_strsplit (genuine, ".", -1);
  gsize len = 0;
  g_autofree guchar *header = mr_base64url_decode (parts[0], &len);
  g_autofree guchar *claims = mr_base64url_decode (parts[1], &len);
  g_autofree char *forged = mr_test_jwt_sign (mr_test_key_get (0), GNUTLS_SIGN_RSA_SHA256,
                                              (const char *) header, (const char *) claims);
  g_auto(Answer) answer = post (fx, forged, &(Request) { 0 });

  assert_refused (fx, &answer, SOUP_STATUS_UNAUTHORIZED, "invalid_token", INVALID_TEXT);
  /* The genuine token still passes: the claims were not what made it fail. */
  {
    g_auto(Answer) accepted = post (fx, genuine, &(Request) { 0 });

    g_assert_cmpuint (accepted.status, ==, SOUP_STATUS_OK);
  }
}

/* HS256 (a secret, not the tenant's key), and an unknown kid. */
static void
test_other_algorithms (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *genuine = mint (fx, JACK, NULL);
  g_auto(GStrv) parts = g_strsplit (genuine, ".", -1);
  gsize len = 0;
  g_autofree guchar *claims = mr_base64url_decode (parts[1], &len);
  g_autofree char *hs256 = mr_test_jwt_sign_hs256 ("secret", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                                                   (const char *) claims);
  g_autofree char *unknown = mr_test_jwt_sign (mr_test_key_get (0), GNUTLS_SIGN_RSA_SHA256,
                                               "{\"alg\":\"RS256\",\"kid\":\"other\"}",
                                               (const char *) claims);
  const char *tokens[] = { hs256, unknown };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_auto(Answer) answer = post (fx, tokens[i], &(Request) { 0 });

      assert_refused (fx, &answer, SOUP_STATUS_UNAUTHORIZED, "invalid_token", INVALID_TEXT);
    }
}

static void
test_wrong_audience (Fixture       *fx,
                     gconstpointer  data)
{
  /* Graph's id, and the API's App ID URI (which only version 1 tokens carry as aud). */
  const char *audiences[] = { "00000003-0000-0000-c000-000000000000",
                              "api://" MR_SANDBOX_CLIENT_ID };

  for (guint i = 0; i < G_N_ELEMENTS (audiences); i++)
    {
      g_autofree char *token = mint (fx, JACK, &(MrSandboxTokenOptions) {
                                       .audience = audiences[i] });
      g_auto(Answer) answer = post (fx, token, &(Request) { 0 });

      assert_refused (fx, &answer, SOUP_STATUS_UNAUTHORIZED, "invalid_token", INVALID_TEXT);
    }
}

static void
test_wrong_issuer (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *v1 = g_strdup_printf ("%s/%s/", mr_sandbox_get_base_url (fx->sandbox),
                                         MR_SANDBOX_TENANT_ID);
  const char *issuers[] = { "https://login.microsoftonline.com/" MR_SANDBOX_TENANT_ID "/v2.0",
                            v1 };

  for (guint i = 0; i < G_N_ELEMENTS (issuers); i++)
    {
      g_autofree char *token = mint (fx, JACK, &(MrSandboxTokenOptions) {
                                       .issuer = issuers[i] });
      g_auto(Answer) answer = post (fx, token, &(Request) { 0 });

      assert_refused (fx, &answer, SOUP_STATUS_UNAUTHORIZED, "invalid_token", INVALID_TEXT);
    }
}

/* ---- the token as of created_at ----------------------------------------------------------- */

typedef struct {
  const char *name;
  gint64      issued_ago;       /* seconds before now */
  gint64      lifetime;
  gint64      created_ago;      /* created_at, seconds before now (negative: in the future) */
  gboolean    accepted;
  const char *description;      /* refused: why */
} TimeCase;

static const TimeCase time_cases[] = {
  /* Valid now, but made two hours before the token was issued. */
  { "valid-now-not-at-created-at", 0, HOUR, 2 * HOUR, FALSE, INVALID_TEXT },
  /* Expired an hour before the request was made. */
  { "expired-at-created-at", 2 * HOUR, HOUR, 0, FALSE, INVALID_TEXT },
  /* A request that waited three days in the outbox: its token expired long ago, but it was
   * valid when the request was made. */
  { "expired-now-valid-at-created-at", 3 * DAY, HOUR, 3 * DAY - 600, TRUE, NULL },
  /* The five minutes' skew, either side. */
  { "expired-within-skew", HOUR + 240, HOUR, 0, TRUE, NULL },
  { "expired-beyond-skew", HOUR + 360, HOUR, 0, FALSE, INVALID_TEXT },
  { "not-yet-valid-within-skew", 0, HOUR, 240, TRUE, NULL },
  { "not-yet-valid-beyond-skew", 0, HOUR, 360, FALSE, INVALID_TEXT },
  /* Valid when it was made, but made more than seven days ago. */
  { "older-than-seven-days", 8 * DAY, HOUR, 8 * DAY - 60, FALSE, WINDOW_TEXT },
  { "just-within-seven-days", 7 * DAY - 120, HOUR, 7 * DAY - 180, TRUE, NULL },
  { "from-the-future", -600, HOUR, -600, FALSE, WINDOW_TEXT },
};

static void
test_time (Fixture       *fx,
           gconstpointer  data)
{
  const TimeCase *c = data;
  gint64 now = now_s ();
  g_autofree char *token = mint (fx, JACK, &(MrSandboxTokenOptions) {
                                   .issued_at = now - c->issued_ago, .lifetime = c->lifetime });
  g_auto(Answer) answer = post (fx, token, &(Request) { .created = now - c->created_ago });

  if (c->accepted)
    assert_accepted (fx, &answer);
  else
    assert_refused (fx, &answer, SOUP_STATUS_UNAUTHORIZED, "invalid_token", c->description);
}

/* ---- refused: who the token belongs to ---------------------------------------------------- */

static void
test_missing_scope (Fixture       *fx,
                    gconstpointer  data)
{
  const char *scopes[] = { "", "User.Read", "Refill.Read Refill.Submitter" };

  for (guint i = 0; i < G_N_ELEMENTS (scopes); i++)
    {
      g_autofree char *token = mint (fx, JACK, &(MrSandboxTokenOptions) { .scope = scopes[i] });
      g_auto(Answer) answer = post (fx, token, &(Request) { 0 });

      assert_refused (fx, &answer, SOUP_STATUS_FORBIDDEN, "insufficient_scope", SCOPE_TEXT);
    }
  /* Refill.Submit among other scopes is enough. */
  {
    g_autofree char *token = mint (fx, JACK, &(MrSandboxTokenOptions) {
                                     .scope = "User.Read Refill.Submit" });
    g_auto(Answer) answer = post (fx, token, &(Request) { 0 });

    assert_accepted (fx, &answer);
  }
}

static void
test_kiosk_other_patient (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *token = mint (fx, JACK, NULL);
  g_autofree char *staff = mint (fx, STAFF, NULL);

  assert_post_refused (fx, token, &(Request) { .patient = MR_TEST_ZOE_OID },
                       SOUP_STATUS_FORBIDDEN, "forbidden", PATIENT_TEXT);
  /* A kiosk request claiming a submitter, even the patient. */
  assert_post_refused (fx, token, &(Request) { .submitter = MR_TEST_JACK_OID },
                       SOUP_STATUS_FORBIDDEN, "forbidden", PATIENT_TEXT);
  /* A staff token is not a patient's, even at a kiosk. */
  assert_post_refused (fx, staff, &(Request) { 0 },
                       SOUP_STATUS_FORBIDDEN, "forbidden", PATIENT_TEXT);
}

static void
test_desk_not_staff (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *patient = mint (fx, JACK, NULL);
  g_autofree char *staff = mint (fx, STAFF, NULL);

  assert_post_refused (fx, patient, &(Request) { .mode = "desk", .patient = MR_TEST_ZOE_OID,
                                                 .submitter = MR_TEST_JACK_OID },
                       SOUP_STATUS_FORBIDDEN, "forbidden", STAFF_TEXT);
  assert_post_refused (fx, staff, &(Request) { .mode = "desk", .patient = MR_TEST_ZOE_OID,
                                               .submitter = MR_TEST_JACK_OID },
                       SOUP_STATUS_FORBIDDEN, "forbidden", SUBMITTER_TEXT);
  assert_post_refused (fx, staff, &(Request) { .mode = "desk", .patient = MR_TEST_ZOE_OID },
                       SOUP_STATUS_FORBIDDEN, "forbidden", SUBMITTER_TEXT);
}

/* ---- refused: the request's shape, and the order of the checks ---------------------------- */

static void
test_bad_requests (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *token = mint (fx, JACK, NULL);
  g_autofree char *staff = mint (fx, STAFF, NULL);
  g_autofree char *other_id = mr_request_id_new ();

  assert_post_refused (fx, token, &(Request) { .key = "r-1" },
                       SOUP_STATUS_BAD_REQUEST, "invalid_request",
                       "The request has no valid Idempotency-Key.");
  assert_post_refused (fx, token, &(Request) { .key = "0b5e3c1a-0000-0000-8000-000000000001" },
                       SOUP_STATUS_BAD_REQUEST, "invalid_request",
                       "The request has no valid Idempotency-Key.");
  assert_post_refused (fx, token, &(Request) { .key = other_id },
                       SOUP_STATUS_BAD_REQUEST, "invalid_request",
                       "The Idempotency-Key is not the request id.");
  assert_post_refused (fx, token, &(Request) { .mode = "lobby" },
                       SOUP_STATUS_BAD_REQUEST, "invalid_request",
                       "The request names no mode (kiosk or desk).");
  assert_post_refused (fx, staff, &(Request) { .mode = "desk", .patient = "",
                                               .submitter = MR_TEST_STAFF_OID },
                       SOUP_STATUS_BAD_REQUEST, "invalid_request",
                       "The request names no patient.");
}

/* Each check comes where the workflow makes it: a request that fails two is refused for the
 * first. */
static void
test_order (Fixture       *fx,
            gconstpointer  data)
{
  gint64 long_ago = now_s () - 9 * DAY;
  g_autofree char *token = mint (fx, JACK, NULL);
  g_autofree char *unscoped = mint (fx, JACK, &(MrSandboxTokenOptions) { .scope = "" });
  g_autofree char *unscoped_expired = mint (fx, JACK, &(MrSandboxTokenOptions) {
                                              .scope = "", .issued_at = now_s () - 2 * DAY });

  /* No token before a bad key. */
  assert_post_refused (fx, NULL, &(Request) { .key = "r-1" },
                       SOUP_STATUS_UNAUTHORIZED, "invalid_token", NO_TOKEN_TEXT);
  /* A bad key before a request that is too old. */
  assert_post_refused (fx, token, &(Request) { .key = "r-1", .created = long_ago },
                       SOUP_STATUS_BAD_REQUEST, "invalid_request",
                       "The request has no valid Idempotency-Key.");
  /* Too old before a token that is not valid. */
  assert_post_refused (fx, "x.y.z", &(Request) { .created = long_ago },
                       SOUP_STATUS_UNAUTHORIZED, "invalid_token", WINDOW_TEXT);
  /* A token that is not valid before a missing scope. */
  assert_post_refused (fx, unscoped_expired, &(Request) { 0 },
                       SOUP_STATUS_UNAUTHORIZED, "invalid_token", INVALID_TEXT);
  /* A missing scope before the wrong patient. */
  assert_post_refused (fx, unscoped, &(Request) { .patient = MR_TEST_ZOE_OID },
                       SOUP_STATUS_FORBIDDEN, "insufficient_scope", SCOPE_TEXT);
  /* A patient's token at a desk before a request that names no patient. */
  assert_post_refused (fx, token, &(Request) { .mode = "desk", .patient = "",
                                               .submitter = MR_TEST_JACK_OID },
                       SOUP_STATUS_FORBIDDEN, "forbidden", STAFF_TEXT);
}

/* ---- end to end through the outbox ------------------------------------------------------- */

static const guint8 outbox_key[MR_OUTBOX_KEY_SIZE] = { 0x53, 0x69, 0x6e, 0x6b };

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_assert_true (mr_outbox_open_finish (MR_OUTBOX (source), result, NULL));
  *(gboolean *) user_data = TRUE;
}

static MrOutbox *
open_outbox (Fixture *fx)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "sink-outbox", NULL);
  MrOutbox *outbox = mr_outbox_new_with_key (dir, fx->session, outbox_key);
  gboolean opened = FALSE;

  mr_outbox_set_workflow (outbox, fx->url, NULL);
  mr_outbox_open_async (outbox, NULL, opened_cb, &opened);
  g_assert_true (mr_test_wait_for (&opened, 20000));
  return outbox;
}

static void
close_outbox (MrOutbox *outbox)
{
  mr_outbox_shutdown (outbox);
  while (mr_outbox_get_busy_count (outbox) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (outbox);
}

/* Enqueues Jack's kiosk request @id with @token; the first attempt's outcome and detail. */
static MrOutboxOutcome
enqueue (MrOutbox    *outbox,
         const char  *id,
         const char  *token,
         char       **detail)
{
  g_autoptr(JsonNode) payload = mr_test_sink_body (id, "kiosk", MR_TEST_JACK_OID, NULL, 0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MrOutboxOutcome outcome;

  mr_outbox_enqueue_async (outbox, id, payload, token, "Jack Smith",
                           (const char *[]) { "Metformin", NULL }, NULL, mr_test_store_result_cb,
                           &result);
  mr_test_wait_for_result (&result, 20000);
  outcome = mr_outbox_enqueue_finish (outbox, result, detail, &error);
  g_assert_no_error (error);
  return outcome;
}

/* The answer to the first attempt is lost on the way, so the outbox sends the request again,
 * token and all: the workflow has it once, and the second attempt gets the first reference. */
static void
test_outbox_twice_is_once (Fixture       *fx,
                           gconstpointer  data)
{
  static const MrSinkFault cut = { MR_SINK_FAULT_CLOSE_MID_RESPONSE, 0, 1 };
  g_autofree char *token = mint (fx, JACK, NULL);
  g_autofree char *id = mr_request_id_new ();
  g_autofree char *detail = NULL;
  g_autoptr(JsonArray) received = NULL;
  g_autoptr(JsonArray) attempts = NULL;
  MrOutbox *outbox = open_outbox (fx);
  gint64 deadline;

  mr_sandbox_set_sink_faults (fx->sandbox, &cut, 1);
  g_assert_cmpint (enqueue (outbox, id, token, &detail), ==, MR_OUTBOX_SAVED);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  mr_outbox_send_all_now (outbox);
  while (mr_outbox_get_pending_count (outbox) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 0);

  attempts = mr_sandbox_dup_sink_attempts (fx->sandbox);
  g_assert_cmpuint (json_array_get_length (attempts), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_false (json_object_has_member (json_array_get_object_element (attempts, i),
                                            "error"));
  received = mr_sandbox_dup_received (fx->sandbox);
  g_assert_cmpuint (json_array_get_length (received), ==, 1);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 1);
  g_assert_cmpuint (mr_sandbox_get_key_count (fx->sandbox, id), ==, 2);
  g_assert_cmpuint (mr_sandbox_get_duplicate_count (fx->sandbox), ==, 1);
  close_outbox (outbox);
}

/* A request without a token is held for staff with the sentence for a refused sign-in. */
static void
test_outbox_no_token_held (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *id = mr_request_id_new ();
  g_autofree char *detail = NULL;
  MrOutbox *outbox = open_outbox (fx);

  g_assert_cmpint (enqueue (outbox, id, NULL, &detail), ==, MR_OUTBOX_HELD);
  g_assert_nonnull (strstr (detail, "did not accept the sign-in that came with the request"));
  g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 1);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 0);
  close_outbox (outbox);
}

/* The app's own payload (core/refill), not a hand-made one: what the workflow reads of it
 * (request_id, created_at, mode, submitted_by, patient.object_id) is where and as it expects. */
static void
test_outbox_refill_request (Fixture       *fx,
                            gconstpointer  data)
{
  gboolean desk = GPOINTER_TO_INT (data);
  g_autofree char *token = mint (fx, desk ? STAFF : JACK, NULL);
  g_autoptr(MrPatient) patient = mr_patient_new ();
  MrRefillRequest *request;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  MrOutbox *outbox = open_outbox (fx);

  patient->id = g_strdup (desk ? MR_TEST_ZOE_OID : MR_TEST_JACK_OID);
  patient->display_name = g_strdup (desk ? "Zoe Nunez" : "Jack Smith");
  patient->given_name = g_strdup (desk ? "Zoe" : "Jack");
  patient->surname = g_strdup (desk ? "Nunez" : "Smith");
  request = mr_refill_request_new (patient, desk ? MR_MODE_DESK : MR_MODE_KIOSK);
  g_ptr_array_add (request->medications, mr_medication_new ("Metformin", "500 mg", 60));
  request->pickup_location = g_strdup ("Main pharmacy");
  request->consent = TRUE;
  if (desk)
    {
      request->submitted_by_id = g_strdup (MR_TEST_STAFF_OID);
      request->submitted_by_name = g_strdup ("Sam Staff");
      request->patient_present = TRUE;
    }

  mr_outbox_enqueue_request_async (outbox, request, token, NULL, mr_test_store_result_cb,
                                   &result);
  mr_test_wait_for_result (&result, 20000);
  g_assert_cmpint (mr_outbox_enqueue_finish (outbox, result, &detail, &error), ==,
                   MR_OUTBOX_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (mr_sandbox_get_key_count (fx->sandbox, request->request_id), ==, 1);
  mr_refill_request_free (request);
  g_clear_object (&result);   /* its task holds the outbox */
  close_outbox (outbox);
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/sandbox-sink/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("accepted/kiosk", test_kiosk);
  ADD ("accepted/desk", test_desk);
  ADD ("token/none", test_no_token);
  ADD ("token/other-key", test_other_key);
  ADD ("token/other-algorithms", test_other_algorithms);
  ADD ("token/wrong-audience", test_wrong_audience);
  ADD ("token/wrong-issuer", test_wrong_issuer);
  for (guint i = 0; i < G_N_ELEMENTS (time_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/sandbox-sink/time/", time_cases[i].name, NULL);

      g_test_add (path, Fixture, &time_cases[i], fixture_set_up, test_time, fixture_tear_down);
    }
  ADD ("who/missing-scope", test_missing_scope);
  ADD ("who/kiosk-other-patient", test_kiosk_other_patient);
  ADD ("who/desk-not-staff", test_desk_not_staff);
  ADD ("request/bad", test_bad_requests);
  ADD ("request/order", test_order);
  ADD ("outbox/twice-is-once", test_outbox_twice_is_once);
  ADD ("outbox/no-token-held", test_outbox_no_token_held);
  g_test_add ("/sandbox-sink/outbox/refill-request/kiosk", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_outbox_refill_request, fixture_tear_down);
  g_test_add ("/sandbox-sink/outbox/refill-request/desk", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_outbox_refill_request, fixture_tear_down);
#undef ADD

  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The app's delivery code and outbox against the SHIPPED workflow (data/n8n/medication-refill.json)
 * in a real n8n on PostgreSQL (tests/interop/n8n/README.md), started by scripts/test-n8n, which
 * sets MEDREFILL_N8N_* and PG* (run-n8n.sh writes them). The test is the token issuer: it writes
 * the JWKS of its keys where the workflow's jwks_uri points, mints every token itself, and reads
 * what the workflow filed from PostgreSQL. It stops and restarts n8n itself (run-n8n.sh) for the
 * "n8n was down" and "workflow unpublished" cases, which therefore run last. */
#include "mr-delivery.h"

#include <string.h>
#include <glib/gstdio.h>

#include "mr-test-jwt.h"
#include "mr-test-refill.h"
#include "mr-test-server.h"
#include "mr-base.h"

/* Any key will do: the outbox of this test lives in a temporary directory. */
static const guint8 test_key[MR_OUTBOX_KEY_SIZE] = {
  9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12, 13, 14, 15, 16,
  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

#define CLINIC_KID "clinic-test-1"
#define STAFF_OID "5aff0000-0000-4000-8000-00000000d35c"
#define STRANGER_OID "0ff1ce00-0000-4000-8000-000000000bad"

static const char *n8n_url;
static const char *issuer;
static const char *audience;

static SoupSession *
session_new (void)
{
  return soup_session_new_with_options ("proxy-resolver", NULL, "timeout", 30, NULL);
}

static char *
workflow_url (void)
{
  return g_strconcat (n8n_url, "/webhook/medication-refill", NULL);
}

/* ---- tokens ---------------------------------------------------------------------------------- */

/* What a token says; the defaults (token_for) are a valid one for the request's signer. */
typedef struct {
  MrTestKey   *key;         /* the signer: mr_test_key_get (0) is the clinic's, 1 a stranger's */
  const char  *iss;
  const char  *aud;
  const char  *scp;
  const char  *oid;
  const char  *role;        /* NULL: no roles claim */
  gint64       iat;         /* s since the epoch */
  gint64       exp;
} Claims;

/* A valid token's claims for @request: issued a minute before it was made, valid for an hour,
 * for the patient (kiosk) or for the submitting staff member with the staff role (desk). */
static Claims
claims_for (const MrRefillRequest *request)
{
  gint64 made = g_date_time_to_unix (request->created_at);
  Claims c = {
    .key = mr_test_key_get (0), .iss = issuer, .aud = audience, .scp = "openid Refill.Submit",
    .iat = made - 60, .exp = made + 3600,
  };

  if (request->mode == MR_MODE_KIOSK)
    c.oid = request->patient->id;
  else
    {
      c.oid = request->submitted_by_id;
      c.role = "FrontDesk";
    }
  return c;
}

static char *
token_sign (const Claims *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *payload = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "iss");
  json_builder_add_string_value (b, c->iss);
  json_builder_set_member_name (b, "aud");
  json_builder_add_string_value (b, c->aud);
  json_builder_set_member_name (b, "tid");
  json_builder_add_string_value (b, "test-tenant");
  json_builder_set_member_name (b, "oid");
  json_builder_add_string_value (b, c->oid);
  json_builder_set_member_name (b, "sub");
  json_builder_add_string_value (b, c->oid);
  if (c->scp != NULL)
    {
      json_builder_set_member_name (b, "scp");
      json_builder_add_string_value (b, c->scp);
    }
  if (c->role != NULL)
    {
      json_builder_set_member_name (b, "roles");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, c->role);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "iat");
  json_builder_add_int_value (b, c->iat);
  json_builder_set_member_name (b, "nbf");
  json_builder_add_int_value (b, c->iat);
  json_builder_set_member_name (b, "exp");
  json_builder_add_int_value (b, c->exp);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  payload = mr_json_to_string (node);
  /* Always the clinic key's kid: a stranger's key claims to be the clinic's. */
  return mr_test_jwt_sign (c->key, GNUTLS_SIGN_RSA_SHA256,
                           "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" CLINIC_KID "\"}",
                           payload);
}

static char *
valid_token (const MrRefillRequest *request)
{
  Claims c = claims_for (request);

  return token_sign (&c);
}

/* The issuer's keys, where the static server of run-n8n.sh serves the workflow's jwks_uri. */
static void
write_jwks (const char *path)
{
  g_autofree char *jwk = mr_test_key_jwk (mr_test_key_get (0), CLINIC_KID, "RS256", "sig");
  g_autofree char *jwks = g_strdup_printf ("{\"keys\":[%s]}", jwk);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, jwks, -1, &error);
  g_assert_no_error (error);
}

/* ---- requests -------------------------------------------------------------------------------- */

static MrRefillRequest *
kiosk_request (void)
{
  MrRefillRequest *request = mr_test_valid_request ();

  g_assert_true (mr_refill_request_validate (request, NULL));
  return request;
}

/* Jack's request made at the desk by a member of staff. */
static MrRefillRequest *
desk_request (void)
{
  g_autoptr(MrPatient) patient = mr_test_jack ();
  MrRefillRequest *request = mr_refill_request_new (patient, MR_MODE_DESK);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (request->medications, mr_medication_new ("Metformin", "500 mg", 60));
  request->pickup_location = g_strdup ("Main pharmacy");
  request->consent = TRUE;
  request->patient_present = TRUE;
  request->submitted_by_id = g_strdup (STAFF_OID);
  request->submitted_by_name = g_strdup ("Dana Desk");
  g_assert_true (mr_refill_request_validate (request, &error));
  g_assert_no_error (error);
  return request;
}

/* ---- what the workflow filed (PostgreSQL) ---------------------------------------------------- */

/* One psql query on the workflow's database; its unaligned output without the last newline. */
static char *
sql (const char *query)
{
  g_autofree char *psql = g_build_filename (g_getenv ("MEDREFILL_PG_BIN"), "psql", NULL);
  const char *argv[] = {
    psql, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", "medrefill", "-c", query, NULL
  };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("psql failed: %s", err);
  g_strchomp (out);
  return g_steal_pointer (&out);
}

/* Rows in refill_requests for @request's Idempotency-Key (its request id, a UUID: safe in SQL). */
static int
rows_for (const MrRefillRequest *request)
{
  g_autofree char *query = NULL;
  g_autofree char *count = NULL;

  g_assert_true (g_uuid_string_is_valid (request->request_id));
  query = g_strdup_printf ("SELECT count(*) FROM refill_requests WHERE idempotency_key = '%s'",
                           request->request_id);
  count = sql (query);
  return atoi (count);
}

/* Asserts the one row filed for @request: its reference, who the token said sent it, and the
 * body equal to the app's payload. */
static void
assert_filed (const MrRefillRequest *request,
              const char            *reference)
{
  g_autoptr(JsonNode) expected = mr_refill_request_to_json (request);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *query = NULL;
  g_autofree char *who = NULL;
  g_autofree char *body = NULL;
  g_autofree char *want = NULL;

  g_assert_cmpint (rows_for (request), ==, 1);
  query = g_strdup_printf ("SELECT reference || '|' || mode || '|' || patient_oid || '|' || "
                           "coalesce(submitted_by_oid, '-') FROM refill_requests "
                           "WHERE idempotency_key = '%s'", request->request_id);
  who = sql (query);
  want = g_strdup_printf ("%s|%s|%s|%s", reference,
                          request->mode == MR_MODE_KIOSK ? "kiosk" : "desk", request->patient->id,
                          request->submitted_by_id != NULL ? request->submitted_by_id : "-");
  g_assert_cmpstr (who, ==, want);

  g_free (query);
  query = g_strdup_printf ("SELECT body FROM refill_requests WHERE idempotency_key = '%s'",
                           request->request_id);
  body = sql (query);
  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  g_assert_no_error (error);
  g_assert_true (json_node_equal (json_parser_get_root (parser), expected));
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

/* POSTs @request's payload to the workflow with @token as its bearer token (NULL: none), as the
 * outbox does, and waits for the answer. */
static void
post (const MrRefillRequest *request,
      const char            *token,
      Posted                *p)
{
  g_autoptr(SoupSession) session = session_new ();
  g_autofree char *url = workflow_url ();
  g_autoptr(GBytes) payload = payload_bytes (request);

  mr_delivery_post_async (session, url, NULL, token, request->request_id, payload, NULL, post_cb,
                          p);
  g_assert_true (mr_test_wait_for (&p->done, 60000));
}

/* Asserts that @token on @request is refused with @status and the sentence containing @words,
 * and that nothing was filed. */
static void
assert_refused (const MrRefillRequest *request,
                const char            *token,
                guint                  status,
                const char            *words)
{
  Posted p = { 0 };

  post (request, token, &p);
  g_assert_cmpuint (p.status, ==, status);
  g_assert_error (p.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
  g_assert_null (p.reference);
  if (strstr (p.error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", p.error->message, words);
  posted_clear (&p);
  g_assert_cmpint (rows_for (request), ==, 0);
}

#define SENTENCE_INVALID_TOKEN "did not accept the sign-in"
#define SENTENCE_SCOPE "does not allow sending refill requests"
#define SENTENCE_FORBIDDEN "does not match the account that signed in"

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

typedef struct {
  MrOutbox *outbox;
  char     *dir;
} TestOutbox;

/* A new outbox in a temporary directory, open, sending to the workflow. */
static void
outbox_open (TestOutbox *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = session_new ();
  g_autofree char *url = workflow_url ();
  gboolean opened = FALSE;

  t->dir = g_dir_make_tmp ("medrefill-n8n-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  t->outbox = mr_outbox_new_with_key (t->dir, session, test_key);
  mr_outbox_set_workflow (t->outbox, url, NULL);
  mr_outbox_open_async (t->outbox, NULL, open_cb, &opened);
  g_assert_true (mr_test_wait_for (&opened, 20000));
  g_assert_true (mr_outbox_get_persistent (t->outbox));
}

/* Shuts the outbox down, waits for its last writes and checks that nothing keeps it alive. */
static void
outbox_close (TestOutbox *t)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint id = g_timeout_add (10, idle_cb, NULL);

  mr_outbox_shutdown (t->outbox);
  while (mr_outbox_get_busy_count (t->outbox) > 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_assert_cmpuint (mr_outbox_get_busy_count (t->outbox), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&t->outbox));
  remove_tree (t->dir);
  g_clear_pointer (&t->dir, g_free);
}

static MrOutboxOutcome
enqueue (TestOutbox            *t,
         const MrRefillRequest *request,
         const char            *token,
         char                 **out_detail)
{
  Enqueued e = { 0 };

  mr_outbox_enqueue_request_async (t->outbox, request, token, NULL, enqueue_cb, &e);
  g_assert_true (mr_test_wait_for (&e.done, 60000));
  g_assert_no_error (e.error);
  *out_detail = e.detail;
  return e.outcome;
}

/* Sends @request with @token through a new outbox; returns the outcome and its detail (reference
 * or reason). Asserts the outbox's counts for that outcome before closing it. */
static MrOutboxOutcome
send_through_outbox (const MrRefillRequest *request,
                     const char            *token,
                     char                 **out_detail)
{
  TestOutbox t = { 0 };
  MrOutboxOutcome outcome;

  outbox_open (&t);
  outcome = enqueue (&t, request, token, out_detail);
  switch (outcome)
    {
    case MR_OUTBOX_SENT:
      g_assert_cmpuint (mr_outbox_get_pending_count (t.outbox), ==, 0);
      g_assert_cmpuint (mr_outbox_get_held_count (t.outbox), ==, 0);
      break;
    case MR_OUTBOX_HELD:
      {
        g_autoptr(GPtrArray) items = mr_outbox_list_items (t.outbox);
        MrOutboxItem *item;

        g_assert_cmpuint (mr_outbox_get_held_count (t.outbox), ==, 1);
        g_assert_cmpuint (mr_outbox_get_pending_count (t.outbox), ==, 0);
        g_assert_cmpuint (items->len, ==, 1);
        item = g_ptr_array_index (items, 0);
        g_assert_cmpstr (item->request_id, ==, request->request_id);
        g_assert_cmpint (item->state, ==, MR_OUTBOX_STATE_HELD);
        g_assert_cmpuint (item->attempts, ==, 1);
        g_assert_cmpstr (item->last_error, ==, *out_detail);
        break;
      }
    case MR_OUTBOX_SAVED:
    default:
      break;
    }
  outbox_close (&t);
  return outcome;
}

/* ---- n8n itself ------------------------------------------------------------------------------ */

/* run-n8n.sh @command for this suite's n8n (stop, restart, deactivate); bounded there. */
static void
control_n8n (const char *command)
{
  const char *argv[] = {
    g_getenv ("MEDREFILL_N8N_CONTROL"), command, g_getenv ("MEDREFILL_N8N_STATE"), NULL
  };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_test_message ("run-n8n.sh %s", command);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_CHILD_INHERITS_STDIN,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("run-n8n.sh %s failed: %s", command, error->message);
}

/* ---- the cases ------------------------------------------------------------------------------- */

/* A kiosk request with the patient's valid token: 200, the workflow's MR- reference, one row with
 * the payload as sent and the token's oid as the patient. */
static void
test_kiosk_accepted (void)
{
  g_autoptr(MrRefillRequest) request = kiosk_request ();
  g_autofree char *token = valid_token (request);
  Posted p = { 0 };

  g_assert_cmpint (rows_for (request), ==, 0);
  post (request, token, &p);
  g_assert_no_error (p.error);
  g_assert_cmpuint (p.status, ==, 200);
  g_assert_true (g_str_has_prefix (p.reference, "MR-"));
  g_assert_cmpuint (strlen (p.reference), >, strlen ("MR-"));
  assert_filed (request, p.reference);
  posted_clear (&p);
}

/* A desk request with the staff member's token (the FrontDesk role, oid = submitted_by.id). */
static void
test_desk_accepted (void)
{
  g_autoptr(MrRefillRequest) request = desk_request ();
  g_autofree char *token = valid_token (request);
  Posted p = { 0 };

  post (request, token, &p);
  g_assert_no_error (p.error);
  g_assert_cmpuint (p.status, ==, 200);
  g_assert_true (g_str_has_prefix (p.reference, "MR-"));
  assert_filed (request, p.reference);
  posted_clear (&p);
}

/* No token: 401 invalid_token, its own sentence; through the outbox HELD with that sentence after
 * one attempt, and nothing filed. */
static void
test_no_token_held (void)
{
  g_autoptr(MrRefillRequest) request = kiosk_request ();
  g_autofree char *detail = NULL;

  assert_refused (request, NULL, 401, SENTENCE_INVALID_TOKEN);
  g_assert_cmpint (send_through_outbox (request, NULL, &detail), ==, MR_OUTBOX_HELD);
  g_assert_nonnull (strstr (detail, SENTENCE_INVALID_TOKEN));
  g_assert_cmpint (rows_for (request), ==, 0);
}

/* Tokens that are not the clinic's, or not for this API, or not valid when the request was made:
 * 401 invalid_token each, nothing filed. */
static void
test_bad_tokens_refused (void)
{
  g_autoptr(MrRefillRequest) request = kiosk_request ();
  gint64 made = g_date_time_to_unix (request->created_at);
  struct {
    const char *what;
    Claims      claims;
  } cases[5];
  guint n = 0;

  cases[n].what = "signed by another key with the clinic key's kid";
  cases[n].claims = claims_for (request);
  cases[n++].claims.key = mr_test_key_get (1);
  cases[n].what = "for another API (aud)";
  cases[n].claims = claims_for (request);
  cases[n++].claims.aud = "api://another-app";
  cases[n].what = "from another issuer";
  cases[n].claims = claims_for (request);
  cases[n++].claims.iss = "https://login.example.org/other-tenant/v2.0";
  cases[n].what = "expired before the request was made (beyond the clock skew)";
  cases[n].claims = claims_for (request);
  cases[n].claims.iat = made - 2 * 3600;
  cases[n++].claims.exp = made - 10 * 60;
  cases[n].what = "not valid yet when the request was made";
  cases[n].claims = claims_for (request);
  cases[n].claims.iat = made + 30 * 60;
  cases[n++].claims.exp = made + 2 * 3600;
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (cases));

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *token = token_sign (&cases[i].claims);

      g_test_message ("a token %s", cases[i].what);
      assert_refused (request, token, 401, SENTENCE_INVALID_TOKEN);
    }
}

/* A valid token without Refill.Submit: 403 insufficient_scope. */
static void
test_missing_scope_refused (void)
{
  g_autoptr(MrRefillRequest) request = kiosk_request ();
  Claims c = claims_for (request);
  g_autofree char *without = NULL;
  g_autofree char *other = NULL;

  c.scp = NULL;
  without = token_sign (&c);
  assert_refused (request, without, 403, SENTENCE_SCOPE);
  c.scp = "openid Refill.Read";
  other = token_sign (&c);
  assert_refused (request, other, 403, SENTENCE_SCOPE);
}

/* A kiosk request whose patient is not the token's oid: 403 forbidden. */
static void
test_kiosk_other_patient_refused (void)
{
  g_autoptr(MrRefillRequest) request = kiosk_request ();
  Claims c = claims_for (request);
  g_autofree char *token = NULL;

  c.oid = STRANGER_OID;
  token = token_sign (&c);
  assert_refused (request, token, 403, SENTENCE_FORBIDDEN);
}

/* Desk requests with a token that is not the submitting staff member's: the patient's own (no
 * role, the patient's oid), one naming the submitter without the role, and a staff member's that
 * is not the submitter. 403 forbidden each. */
static void
test_desk_not_staff_refused (void)
{
  g_autoptr(MrRefillRequest) request = desk_request ();
  Claims patient = claims_for (request);
  Claims no_role = claims_for (request);
  Claims other_staff = claims_for (request);
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;

  patient.oid = request->patient->id;
  patient.role = NULL;
  t1 = token_sign (&patient);
  assert_refused (request, t1, 403, SENTENCE_FORBIDDEN);
  no_role.role = NULL;
  t2 = token_sign (&no_role);
  assert_refused (request, t2, 403, SENTENCE_FORBIDDEN);
  other_staff.oid = STRANGER_OID;
  t3 = token_sign (&other_staff);
  assert_refused (request, t3, 403, SENTENCE_FORBIDDEN);
}

/* The same request id twice (an answer lost, a re-send after a crash): the first reference, one
 * row. The same id with another body: 422, and the first row stays as it was. */
static void
test_repeat_and_reuse (void)
{
  g_autoptr(MrRefillRequest) request = kiosk_request ();
  g_autofree char *token = valid_token (request);
  g_autofree char *first = NULL;
  Posted p = { 0 };

  post (request, token, &p);
  g_assert_no_error (p.error);
  first = g_steal_pointer (&p.reference);
  posted_clear (&p);

  post (request, token, &p);
  g_assert_no_error (p.error);
  g_assert_cmpuint (p.status, ==, 200);
  g_assert_cmpstr (p.reference, ==, first);
  posted_clear (&p);
  assert_filed (request, first);

  {
    g_autoptr(MrRefillRequest) changed = kiosk_request ();

    /* Another body under the first one's key (and created_at, which the token is judged by). */
    mr_test_replace (&changed->request_id, request->request_id);
    g_date_time_unref (changed->created_at);
    changed->created_at = g_date_time_ref (request->created_at);
    mr_test_medication (changed, 0)->quantity = 30;
    post (changed, token, &p);
    g_assert_cmpuint (p.status, ==, 422);
    g_assert_error (p.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
    g_assert_null (p.reference);
    posted_clear (&p);
  }
  assert_filed (request, first);
}

/* Through the outbox with a valid token: SENT with the workflow's reference, filed once. */
static void
test_outbox_sent (void)
{
  g_autoptr(MrRefillRequest) request = kiosk_request ();
  g_autofree char *token = valid_token (request);
  g_autofree char *detail = NULL;

  g_assert_cmpint (send_through_outbox (request, token, &detail), ==, MR_OUTBOX_SENT);
  g_assert_true (g_str_has_prefix (detail, "MR-"));
  assert_filed (request, detail);
}

static void
delivered_cb (MrOutbox   *outbox,
              const char *request_id,
              const char *reference,
              gpointer    user_data)
{
  char **slot = user_data;

  g_assert_null (*slot);
  *slot = g_strdup (reference);
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* n8n down: the outbox keeps the request (SAVED, pending); n8n back: the outbox sends it with the
 * token it kept, and it is filed once. */
static void
test_queued_while_down (void)
{
  g_autoptr(MrRefillRequest) request = kiosk_request ();
  g_autofree char *token = valid_token (request);
  g_autofree char *detail = NULL;
  g_autofree char *reference = NULL;
  TestOutbox t = { 0 };
  gboolean late = FALSE;
  guint timeout;

  control_n8n ("stop");
  outbox_open (&t);
  g_signal_connect (t.outbox, "delivered", G_CALLBACK (delivered_cb), &reference);
  g_assert_cmpint (enqueue (&t, request, token, &detail), ==, MR_OUTBOX_SAVED);
  g_assert_cmpuint (mr_outbox_get_pending_count (t.outbox), ==, 1);
  g_assert_null (reference);

  control_n8n ("restart");
  g_assert_cmpint (rows_for (request), ==, 0);
  /* What the network coming back does; the outbox's own backoff would get there too, later. */
  mr_outbox_send_all_now (t.outbox);
  timeout = g_timeout_add_seconds (60, set_flag, &late);
  while (reference == NULL && !late)
    g_main_context_iteration (NULL, TRUE);
  if (!late)
    g_source_remove (timeout);
  g_assert_nonnull (reference);
  g_assert_true (g_str_has_prefix (reference, "MR-"));
  g_assert_cmpuint (mr_outbox_get_pending_count (t.outbox), ==, 0);
  g_assert_cmpuint (mr_outbox_get_held_count (t.outbox), ==, 0);
  outbox_close (&t);
  assert_filed (request, reference);
}

/* The workflow unpublished: n8n answers 404; the outbox holds the request with the "not active"
 * sentence. Last: n8n stays that way. */
static void
test_inactive_held (void)
{
  g_autoptr(MrRefillRequest) request = kiosk_request ();
  g_autofree char *token = valid_token (request);
  g_autofree char *detail = NULL;
  Posted p = { 0 };

  control_n8n ("deactivate");
  post (request, token, &p);
  g_assert_cmpuint (p.status, ==, 404);
  g_assert_error (p.error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED);
  g_assert_nonnull (strstr (p.error->message, "not active"));
  posted_clear (&p);

  g_assert_cmpint (send_through_outbox (request, token, &detail), ==, MR_OUTBOX_HELD);
  g_assert_nonnull (strstr (detail, "not active"));
  g_assert_cmpint (rows_for (request), ==, 0);
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
  mr_test_init (&argc, &argv);
  n8n_url = require_env ("MEDREFILL_N8N_URL");
  issuer = require_env ("MEDREFILL_N8N_ISSUER");
  audience = require_env ("MEDREFILL_N8N_AUDIENCE");
  require_env ("MEDREFILL_N8N_CONTROL");
  require_env ("MEDREFILL_N8N_STATE");
  require_env ("MEDREFILL_PG_BIN");
  require_env ("PGHOST");
  /* Only ever the n8n and PostgreSQL that scripts/test-n8n started on this computer. */
  g_assert_true (g_str_has_prefix (n8n_url, "http://127.0.0.1:"));
  g_assert_cmpstr (g_getenv ("PGHOST"), ==, "127.0.0.1");
  write_jwks (require_env ("MEDREFILL_N8N_JWKS_FILE"));

  g_test_add_func ("/n8n/kiosk-accepted", test_kiosk_accepted);
  g_test_add_func ("/n8n/desk-accepted", test_desk_accepted);
  g_test_add_func ("/n8n/no-token-held", test_no_token_held);
  g_test_add_func ("/n8n/bad-tokens-refused", test_bad_tokens_refused);
  g_test_add_func ("/n8n/missing-scope-refused", test_missing_scope_refused);
  g_test_add_func ("/n8n/kiosk-other-patient-refused", test_kiosk_other_patient_refused);
  g_test_add_func ("/n8n/desk-not-staff-refused", test_desk_not_staff_refused);
  g_test_add_func ("/n8n/repeat-and-reuse", test_repeat_and_reuse);
  g_test_add_func ("/n8n/outbox-sent", test_outbox_sent);
  /* These two stop n8n: last. */
  g_test_add_func ("/n8n/queued-while-down", test_queued_while_down);
  g_test_add_func ("/n8n/inactive-held", test_inactive_held);
  return g_test_run ();
}

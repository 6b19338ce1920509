/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One person's visit without a display, against the in-process sandbox tenant: the sign-in page's
 * part is played over HTTP (the credentials posted to the authorize endpoint, its redirect taken
 * as the callback), the rest is MrVisit's: the code exchange, the one Graph call, the send through
 * the outbox, the wipe. */
#include "mr-visit.h"

#include <string.h>

#include "mr-base.h"
#include "mr-identity.h"
#include "mr-sandbox.h"
#include "mr-test-jwt.h"
#include "mr-test-sandbox.h"
#include "mr-test-server.h"

#define TID        MR_SANDBOX_TENANT_ID
#define TOKEN_PATH "/" TID "/oauth2/v2.0/token"
#define ME_PATH    "/v1.0/me"
#define EMAIL      "jack.smith@example.org"

/* The outbox's key in these tests: no keyring needed. */
static const guint8 test_key[MR_OUTBOX_KEY_SIZE] = { 7, 1, 2, 3 };

typedef struct {
  MrSandbox   *sandbox;
  MrConfig    *config;
  SoupSession *browser;         /* the person's browser: the sign-in page's requests */
  MrOutbox    *outbox;
  MrVisit     *visit;
} Fixture;

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_assert_true (mr_outbox_open_finish (MR_OUTBOX (source), result, NULL));
  *(gboolean *) user_data = TRUE;
}

/* The visit is made with the fixture's config as it is then: a test that changes the config
 * does so first, then calls this. */
static void
start_visit (Fixture *fx)
{
  g_autoptr(GAsyncResult) prefetched = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "visit-outbox", NULL);
  gboolean opened = FALSE;

  fx->visit = mr_visit_new ();
  mr_visit_set_config (fx->visit, fx->config);
  fx->outbox = mr_outbox_new_with_key (dir, mr_visit_get_session (fx->visit), test_key);
  mr_outbox_set_workflow (fx->outbox, fx->config->workflow_url, NULL);
  mr_outbox_open_async (fx->outbox, NULL, opened_cb, &opened);
  g_assert_true (mr_test_wait_for (&opened, 20000));
  mr_visit_set_outbox (fx->visit, fx->outbox);

  /* While Welcome would be up: discovery and keys. */
  mr_visit_prefetch_async (fx->visit, mr_test_store_result_cb, &prefetched);
  mr_test_wait_for_result (&prefetched, 20000);
  g_assert_true (mr_visit_prefetch_finish (fx->visit, prefetched, &error));
  g_assert_no_error (error);
  g_assert_true (mr_visit_is_prefetched (fx->visit));
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *settings = NULL;

  fx->sandbox = mr_sandbox_new ();
  g_assert_true (mr_sandbox_start (fx->sandbox, 0, NULL, &error));
  g_assert_no_error (error);
  settings = mr_sandbox_dup_settings_text (fx->sandbox);
  fx->config = mr_config_new ();
  g_assert_true (mr_config_apply_lines (fx->config, settings, &error));
  fx->config->mode = MR_MODE_KIOSK;
  fx->browser = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  if (fx->visit != NULL)
    {
      mr_visit_wipe (fx->visit);
      mr_outbox_shutdown (fx->outbox);
      /* The outbox and the visit's session let go of each other once nothing is in flight. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_clear_object (&fx->visit);
      g_clear_object (&fx->outbox);
    }
  g_clear_object (&fx->browser);
  mr_config_free (fx->config);
  g_assert_finalize_object (fx->sandbox);
}

/* Completes the sign-in with @uri; FALSE with @error when the visit refused it. */
static gboolean
complete (Fixture     *fx,
          const char  *uri,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_visit_complete_sign_in_async (fx->visit, uri, mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 20000);
  return mr_visit_complete_sign_in_finish (fx->visit, result, error);
}

/* Begin, sign in at the provider, complete: the patient is there. */
static void
sign_in (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, &error);
  g_autofree char *callback = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_SIGNING_IN);
  callback = mr_test_sandbox_sign_in (fx->browser, url, EMAIL);
  g_assert_true (complete (fx, callback, &error));
  g_assert_no_error (error);
}

static MrRefillRequest *
new_request (const MrPatient *patient)
{
  MrRefillRequest *request = mr_refill_request_new (patient, MR_MODE_KIOSK);
  MrMedication *medication = mr_refill_request_add_medication (request);

  g_free (medication->name);
  medication->name = g_strdup ("Atorvastatin");
  g_free (medication->strength);
  medication->strength = g_strdup ("20 mg");
  medication->quantity = 28;
  request->consent = TRUE;
  return request;
}

/* Sends @request (taken); the outcome, *@detail its reference or reason. */
static MrOutboxOutcome
send (Fixture          *fx,
      MrRefillRequest  *request,
      char            **detail,
      GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mr_visit_send_async (fx->visit, request, mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 20000);
  return mr_visit_send_finish (fx->visit, result, detail, NULL, error);
}

static void
test_whole_visit (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(JsonArray) received = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *request_id = NULL;
  JsonObject *record, *headers, *patient;
  const MrPatient *p;
  guint tokens_before, me_before;

  start_visit (fx);
  g_assert_false (mr_visit_is_signed_in (fx->visit));
  tokens_before = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  me_before = mr_sandbox_get_request_count (fx->sandbox, ME_PATH);
  sign_in (fx);

  /* After the redirect, exactly two requests: the code exchange and the one Graph call. */
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), ==, tokens_before + 1);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, ME_PATH), ==, me_before + 1);
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_READY);
  g_assert_true (mr_visit_is_signed_in (fx->visit));
  p = mr_visit_get_patient (fx->visit);
  g_assert_nonnull (p);
  g_assert_cmpstr (p->id, ==, "530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11");
  g_assert_cmpstr (p->given_name, ==, "Jack");
  g_assert_cmpstr (p->surname, ==, "Smith");
  g_assert_cmpstr (p->mail, ==, EMAIL);
  g_assert_cmpstr (p->date_of_birth, ==, "2000-01-01");
  g_assert_cmpstr (p->hospital_number, ==, "HN11112");

  {
    MrRefillRequest *request = new_request (p);

    request_id = g_strdup (request->request_id);
    g_assert_cmpint (send (fx, request, &detail, &error), ==, MR_OUTBOX_SENT);
    g_assert_no_error (error);
  }
  g_assert_nonnull (detail);

  received = mr_sandbox_dup_received (fx->sandbox);
  g_assert_cmpuint (json_array_get_length (received), ==, 1);
  record = json_array_get_object_element (received, 0);
  /* The sink keeps header names in lower case. */
  headers = json_object_get_object_member (record, "headers");
  g_assert_cmpstr (json_object_get_string_member (headers, "idempotency-key"), ==, request_id);
  patient = json_object_get_object_member (json_object_get_object_member (record, "body"),
                                           "patient");
  g_assert_cmpstr (json_object_get_string_member (patient, "given_name"), ==, "Jack");
  g_assert_cmpstr (json_object_get_string_member (patient, "hospital_number"), ==, "HN11112");

  /* Once the outbox has the request, the visit holds nothing of the person. */
  g_assert_false (mr_visit_is_signed_in (fx->visit));
  g_assert_null (mr_visit_get_patient (fx->visit));
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);
}

static void
test_wipe (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) received = NULL;
  g_autofree char *url = NULL;
  g_autofree char *callback = NULL;
  g_autofree char *detail = NULL;
  const MrPatient *p;

  start_visit (fx);
  sign_in (fx);
  p = mr_visit_get_patient (fx->visit);
  g_assert_nonnull (p);
  {
    /* The request the next person's screen might still hold. */
    MrRefillRequest *request = new_request (p);

    mr_visit_wipe (fx->visit);
    g_assert_false (mr_visit_is_signed_in (fx->visit));
    g_assert_null (mr_visit_get_patient (fx->visit));
    g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);
    g_assert_cmpint (send (fx, request, &detail, &error), ==, MR_OUTBOX_HELD);
    g_assert_error (error, MR_VISIT_ERROR, MR_VISIT_ERROR_NO_PATIENT);
    g_clear_error (&error);
  }
  received = mr_sandbox_dup_received (fx->sandbox);
  g_assert_cmpuint (json_array_get_length (received), ==, 0);

  /* A sign-in begun before the wipe cannot be finished after it. */
  url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, &error);
  g_assert_no_error (error);
  callback = mr_test_sandbox_sign_in (fx->browser, url, EMAIL);
  mr_visit_wipe (fx->visit);
  g_assert_false (complete (fx, callback, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_STATE);
  g_assert_false (mr_visit_is_signed_in (fx->visit));
}

/* A callback that is not this attempt's (another tab's, a replay): refused before any request. */
static void
test_wrong_state (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *callback = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autofree char *forged_query = NULL;
  g_autofree char *forged = NULL;
  guint tokens_before;

  start_visit (fx);
  url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, &error);
  g_assert_no_error (error);
  callback = mr_test_sandbox_sign_in (fx->browser, url, EMAIL);
  uri = g_uri_parse (callback, G_URI_FLAGS_ENCODED_QUERY, &error);
  g_assert_no_error (error);
  query = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_no_error (error);
  forged_query = soup_form_encode ("code", g_hash_table_lookup (query, "code"),
                                   "state", "not-this-attempt", NULL);
  forged = g_strconcat (fx->config->redirect_uri, "?", forged_query, NULL);

  tokens_before = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  g_assert_false (complete (fx, forged, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_STATE);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), ==, tokens_before);
  g_assert_false (mr_visit_is_signed_in (fx->visit));
  g_assert_null (mr_visit_get_patient (fx->visit));
}

/* The person cancelled at the provider's page: its callback is a way back (the window shows
 * Welcome), told apart from a cancel the token endpoint reports, and nothing is exchanged. */
static void
test_cancelled_at_provider (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *callback_query = NULL;
  g_autofree char *callback = NULL;
  g_autoptr(GHashTable) query = NULL;
  guint tokens_before;

  start_visit (fx);
  url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, &error);
  g_assert_no_error (error);
  query = g_uri_parse_params (strchr (url, '?') + 1, -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_no_error (error);
  callback_query = soup_form_encode ("error", "access_denied",
                                     "error_description", "AADB2C90091: The user has cancelled "
                                     "entering self-asserted information.",
                                     "state", g_hash_table_lookup (query, "state"), NULL);
  callback = g_strconcat (fx->config->redirect_uri, "?", callback_query, NULL);

  tokens_before = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  g_assert_false (complete (fx, callback, &error));
  g_assert_error (error, MR_VISIT_ERROR, MR_VISIT_ERROR_CANCELLED_AT_PROVIDER);
  g_assert_cmpstr (error->message, ==, "Sign-in was cancelled before your details were entered.");
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), ==, tokens_before);
  g_assert_false (mr_visit_is_signed_in (fx->visit));
}

/* Graph cannot give the profile: the person is told in a sentence, and nothing is kept. */
static void
test_graph_failure (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *callback = NULL;

  /* Graph at an address of the sandbox that serves nothing: its /v1.0/me answers 404. */
  g_free (fx->config->graph_url);
  fx->config->graph_url = g_strconcat (mr_sandbox_get_base_url (fx->sandbox), "/nowhere", NULL);
  start_visit (fx);
  url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, &error);
  g_assert_no_error (error);
  callback = mr_test_sandbox_sign_in (fx->browser, url, EMAIL);
  g_assert_false (complete (fx, callback, &error));
  g_assert_error (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "Microsoft Graph could not find your profile (404).");
  g_assert_null (mr_visit_get_patient (fx->visit));
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_NONE);
}

/* ---- The clinic API's token ----------------------------------------------------------------- */

/* Waits until the sandbox has answered @n token requests in all. */
static void
wait_for_token_requests (Fixture *fx,
                         guint    n)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH) < n
         && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), ==, n);
  /* …and the answer has been taken in. */
  for (int i = 0; i < 50; i++)
    {
      g_usleep (2000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

/* The only request the sink received: its headers and body. */
static JsonObject *
only_received (Fixture *fx)
{
  g_autoptr(JsonArray) received = mr_sandbox_dup_received (fx->sandbox);

  g_assert_cmpuint (json_array_get_length (received), ==, 1);
  return json_object_ref (json_array_get_object_element (received, 0));
}

static JsonObject *
bearer_claims (JsonObject *record)
{
  JsonObject *headers = json_object_get_object_member (record, "headers");
  const char *authorization = json_object_get_string_member_with_default (headers,
                                                                          "authorization", "");
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (g_str_has_prefix (authorization, "Bearer "));
  text = mr_test_jwt_claims_text (authorization + strlen ("Bearer "));
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A kiosk: the API token comes from a token request of its own after the form is filled, the
 * patient's refresh token goes as soon as it is in hand, and the request carries the token. */
static void
test_api_token_kiosk (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  guint tokens_before;

  start_visit (fx);
  tokens_before = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  sign_in (fx);
  wait_for_token_requests (fx, tokens_before + 2);
  g_assert_false (mr_visit_holds_refresh_token (fx->visit));
  g_assert_true (mr_visit_is_signed_in (fx->visit));

  g_assert_cmpint (send (fx, new_request (mr_visit_get_patient (fx->visit)), &detail, &error), ==,
                   MR_OUTBOX_SENT);
  g_assert_no_error (error);
  /* The send found the token in hand: no further token request. */
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), ==, tokens_before + 2);
  record = only_received (fx);
  claims = bearer_claims (record);
  g_assert_cmpstr (json_object_get_string_member (claims, "aud"), ==, MR_SANDBOX_CLIENT_ID);
  g_assert_cmpstr (json_object_get_string_member (claims, "scp"), ==, "Refill.Submit");
  g_assert_cmpstr (json_object_get_string_member (claims, "oid"), ==,
                   "530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11");
  g_assert_false (json_object_has_member (claims, "roles"));
}

/* A local account without mail and with custom attributes as people typed them: the visit's
 * patient has the sign-in name as email, the unambiguous values canonical and the ambiguous date
 * as typed (the form asks about it), and the request goes out with nothing lost. */
static void
test_untidy_local_account (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *callback = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *p_job_title = NULL;
  const MrPatient *p;
  JsonObject *patient;

  start_visit (fx);
  url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, &error);
  g_assert_no_error (error);
  callback = mr_test_sandbox_sign_in (fx->browser, url, "lee.okafor@example.org");
  g_assert_true (complete (fx, callback, &error));
  g_assert_no_error (error);
  p = mr_visit_get_patient (fx->visit);
  p_job_title = g_strdup (p->job_title);
  g_assert_cmpint (g_utf8_strlen (p_job_title, -1), >, 128);
  g_assert_cmpstr (p->mail, ==, "lee.okafor@example.org");
  g_assert_cmpstr (p->gender, ==, "Female");
  g_assert_cmpstr (p->hospital_number, ==, "HN30511");
  g_assert_cmpstr (p->date_of_birth, ==, "01/02/1990");

  g_assert_cmpint (send (fx, new_request (p), &detail, &error), ==, MR_OUTBOX_SENT);
  g_assert_no_error (error);
  record = only_received (fx);
  patient = json_object_get_object_member (json_object_get_object_member (record, "body"),
                                           "patient");
  g_assert_cmpstr (json_object_get_string_member (patient, "email"), ==,
                   "lee.okafor@example.org");
  g_assert_cmpstr (json_object_get_string_member (patient, "given_name"), ==, "Lee");
  g_assert_cmpstr (json_object_get_string_member (patient, "display_name"), ==, "Lee Okafor");
  g_assert_cmpstr (json_object_get_string_member (patient, "gender"), ==, "Female");
  g_assert_cmpstr (json_object_get_string_member (patient, "date_of_birth"), ==, "01/02/1990");
  /* Longer than the form's limit, and sent whole: the directory's record is not cut. */
  g_assert_cmpstr (json_object_get_string_member (patient, "job_title"), ==, p_job_title);
}

/* The administrator's scopes left offline_access out: a provider as strict as Entra then gives
 * no refresh token, and no request could carry the clinic API's token. The app asks for it
 * anyway, and the visit goes through. */
static void
test_scopes_without_offline_access (Fixture       *fx,
                                    gconstpointer  data)
{
  const char * const scopes[] = { "openid", "profile", "User.Read", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *callback = NULL;

  g_strfreev (fx->config->scopes);
  fx->config->scopes = g_strdupv ((char **) scopes);
  start_visit (fx);
  url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (url, "scope=openid%20profile%20User.Read%20offline_access&"));
  callback = mr_test_sandbox_sign_in (fx->browser, url, EMAIL);
  g_assert_true (complete (fx, callback, &error));
  g_assert_no_error (error);

  g_assert_cmpint (send (fx, new_request (mr_visit_get_patient (fx->visit)), &detail, &error), ==,
                   MR_OUTBOX_SENT);
  g_assert_no_error (error);
  record = only_received (fx);
  claims = bearer_claims (record);
  g_assert_cmpstr (json_object_get_string_member (claims, "scp"), ==, "Refill.Submit");
}

/* A Graph permission the patient never consented to (a scope meant for staff, set on a kiosk):
 * the provider refuses the sign-in, and the person reads what to ask for, not a code. */
static void
test_unconsented_scope (Fixture       *fx,
                        gconstpointer  data)
{
  const char * const scopes[] = { "openid", "profile", "offline_access", "User.Read.All", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *callback = NULL;

  g_strfreev (fx->config->scopes);
  fx->config->scopes = g_strdupv ((char **) scopes);
  start_visit (fx);
  url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, &error);
  g_assert_no_error (error);
  callback = mr_test_sandbox_sign_in (fx->browser, url, EMAIL);
  g_assert_false (complete (fx, callback, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "grant admin consent"));
  g_assert_null (strstr (error->message, "AADSTS"));
  g_assert_false (mr_visit_is_signed_in (fx->visit));
}

/* A send that comes before the token waits for the fetch already under way; it does not start
 * another. */
static void
test_api_token_send_waits (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  guint tokens_before;

  start_visit (fx);
  tokens_before = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  sign_in (fx);
  g_assert_cmpint (send (fx, new_request (mr_visit_get_patient (fx->visit)), &detail, &error), ==,
                   MR_OUTBOX_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), ==, tokens_before + 2);
  record = only_received (fx);
  claims = bearer_claims (record);
  g_assert_cmpstr (json_object_get_string_member (claims, "scp"), ==, "Refill.Submit");
}

/* No api-scope: no token request, and the request goes without a token; a workflow that checks
 * tokens (the sandbox's sink, as the reference workflow) refuses it, and it is held with the
 * invalid_token sentence. */
static void
test_api_token_not_configured (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(JsonArray) received = NULL;
  g_autoptr(JsonArray) attempts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  guint tokens_before;

  g_free (fx->config->api_scope);
  fx->config->api_scope = g_strdup ("");
  start_visit (fx);
  tokens_before = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  sign_in (fx);
  g_assert_cmpint (send (fx, new_request (mr_visit_get_patient (fx->visit)), &detail, &error), ==,
                   MR_OUTBOX_HELD);
  g_assert_no_error (error);
  g_assert_cmpstr (detail, ==, "The clinic's workflow did not accept the sign-in that came with "
                               "the request. Ask your administrator to check the app's clinic API "
                               "settings.");
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), ==, tokens_before + 1);
  received = mr_sandbox_dup_received (fx->sandbox);
  g_assert_cmpuint (json_array_get_length (received), ==, 0);
  attempts = mr_sandbox_dup_sink_attempts (fx->sandbox);
  g_assert_cmpuint (json_array_get_length (attempts), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (attempts, 0),
                                                  "error"), ==, "invalid_token");
}

/* The provider refuses the API (not on the registration: AADSTS500011): the send says so, keeps
 * nothing (the workflow would refuse it anyway), and the patient stays on the form. */
static void
test_api_token_refused (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(JsonArray) received = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  guint tokens_before;

  g_free (fx->config->api_scope);
  fx->config->api_scope = g_strdup ("api://00000000-0000-0000-0000-00000000beef/Refill.Submit");
  start_visit (fx);
  tokens_before = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  sign_in (fx);
  wait_for_token_requests (fx, tokens_before + 2);
  /* The fetch failed: the refresh token stays for the send's own try. */
  g_assert_true (mr_visit_holds_refresh_token (fx->visit));
  g_assert_cmpint (send (fx, new_request (mr_visit_get_patient (fx->visit)), &detail, &error), ==,
                   MR_OUTBOX_HELD);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strchr (error->message, '.'));
  g_assert_null (strstr (error->message, "AADSTS"));
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), ==, tokens_before + 3);
  received = mr_sandbox_dup_received (fx->sandbox);
  g_assert_cmpuint (json_array_get_length (received), ==, 0);
  items = mr_outbox_list_items (fx->outbox);
  g_assert_cmpuint (items->len, ==, 0);
  g_assert_cmpint (mr_visit_get_state (fx->visit), ==, MR_VISIT_STATE_READY);
  g_assert_nonnull (mr_visit_get_patient (fx->visit));
}

/* A wipe while the token is on its way: it is dropped when it comes, and nothing is sent. */
static void
test_api_token_wipe_during_fetch (Fixture       *fx,
                                  gconstpointer  data)
{
  guint tokens_before;

  start_visit (fx);
  tokens_before = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  sign_in (fx);
  mr_visit_wipe (fx->visit);
  g_assert_false (mr_visit_is_signed_in (fx->visit));
  g_assert_false (mr_visit_holds_refresh_token (fx->visit));
  for (int i = 0; i < 100; i++)
    {
      g_usleep (2000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), <=, tokens_before + 2);
  g_assert_false (mr_visit_is_signed_in (fx->visit));
  g_assert_null (mr_visit_get_patient (fx->visit));
}

/* A desk: the staff member's session gets the API token (cached there), and the request carries
 * it: the staff member's oid and role, and submitted_by the same. */
static void
test_api_token_desk (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *callback = NULL;
  g_autofree char *detail = NULL;
  JsonObject *body, *submitted_by;
  JsonArray *roles;
  MrDesk *desk;
  guint tokens_before;

  fx->config->mode = MR_MODE_DESK;
  start_visit (fx);
  desk = mr_visit_start_desk (fx->visit, settings);
  tokens_before = mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH);
  url = mr_visit_begin_sign_in (fx->visit, FALSE, NULL, &error);
  g_assert_no_error (error);
  callback = mr_test_sandbox_sign_in (fx->browser, url, "staff@example.org");
  g_assert_true (complete (fx, callback, &error));
  g_assert_no_error (error);
  g_assert_true (mr_desk_is_signed_in (desk));

  mr_desk_open_patient_async (desk, "530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11",
                              mr_test_store_result_cb, &opened);
  mr_test_wait_for_result (&opened, 20000);
  g_assert_true (mr_desk_open_patient_finish (desk, opened, &error));
  g_assert_no_error (error);
  /* The code exchange, then the API token while the form is read; or, with @data, a send at once,
   * whose token request must wait for that one (the sandbox, like Entra, rotates the refresh
   * token: a second request made with the same one would end the staff member's session). */
  if (data == NULL)
    wait_for_token_requests (fx, tokens_before + 2);

  {
    MrRefillRequest *request = new_request (mr_visit_get_patient (fx->visit));

    request->mode = MR_MODE_DESK;
    g_assert_cmpint (send (fx, request, &detail, &error), ==, MR_OUTBOX_SENT);
    g_assert_no_error (error);
  }
  /* The staff session had it in hand. */
  g_assert_cmpuint (mr_sandbox_get_request_count (fx->sandbox, TOKEN_PATH), ==, tokens_before + 2);
  record = only_received (fx);
  claims = bearer_claims (record);
  g_assert_cmpstr (json_object_get_string_member (claims, "scp"), ==, "Refill.Submit");
  g_assert_cmpstr (json_object_get_string_member (claims, "oid"), ==,
                   "b6d0f3e2-4c1a-4e8b-9f27-5a3c8d1e0f44");
  roles = json_object_get_array_member (claims, "roles");
  g_assert_nonnull (roles);
  g_assert_cmpstr (json_array_get_string_element (roles, 0), ==, MR_SANDBOX_STAFF_ROLE);
  body = json_object_get_object_member (record, "body");
  g_assert_cmpstr (json_object_get_string_member (body, "mode"), ==, "desk");
  submitted_by = json_object_get_object_member (body, "submitted_by");
  g_assert_cmpstr (json_object_get_string_member (submitted_by, "id"), ==,
                   json_object_get_string_member (claims, "oid"));
  mr_desk_sign_out (desk);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add ("/visit/whole-visit", Fixture, NULL, fixture_set_up, test_whole_visit,
              fixture_tear_down);
  g_test_add ("/visit/wipe", Fixture, NULL, fixture_set_up, test_wipe, fixture_tear_down);
  g_test_add ("/visit/wrong-state", Fixture, NULL, fixture_set_up, test_wrong_state,
              fixture_tear_down);
  g_test_add ("/visit/cancelled-at-provider", Fixture, NULL, fixture_set_up,
              test_cancelled_at_provider, fixture_tear_down);
  g_test_add ("/visit/graph-failure", Fixture, NULL, fixture_set_up, test_graph_failure,
              fixture_tear_down);
  g_test_add ("/visit/untidy-local-account", Fixture, NULL, fixture_set_up,
              test_untidy_local_account, fixture_tear_down);
  g_test_add ("/visit/scopes-without-offline-access", Fixture, NULL, fixture_set_up,
              test_scopes_without_offline_access, fixture_tear_down);
  g_test_add ("/visit/unconsented-scope", Fixture, NULL, fixture_set_up, test_unconsented_scope,
              fixture_tear_down);
  g_test_add ("/visit/api-token/kiosk", Fixture, NULL, fixture_set_up, test_api_token_kiosk,
              fixture_tear_down);
  g_test_add ("/visit/api-token/send-waits", Fixture, NULL, fixture_set_up,
              test_api_token_send_waits, fixture_tear_down);
  g_test_add ("/visit/api-token/not-configured", Fixture, NULL, fixture_set_up,
              test_api_token_not_configured, fixture_tear_down);
  g_test_add ("/visit/api-token/refused", Fixture, NULL, fixture_set_up, test_api_token_refused,
              fixture_tear_down);
  g_test_add ("/visit/api-token/wipe-during-fetch", Fixture, NULL, fixture_set_up,
              test_api_token_wipe_during_fetch, fixture_tear_down);
  g_test_add ("/visit/api-token/desk", Fixture, NULL, fixture_set_up, test_api_token_desk,
              fixture_tear_down);
  g_test_add ("/visit/api-token/desk-send-at-once", Fixture, "at once", fixture_set_up,
              test_api_token_desk, fixture_tear_down);
  return g_test_run ();
}

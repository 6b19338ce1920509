/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox's Graph as desk mode uses it, over real HTTP on 127.0.0.1: the staff account's
 * patient lookup through the core client (mr-graph-users.h), the advanced-query errors Graph
 * gives, /users/{id}, PATCH of /me and /users/{id} (through mr_graph_patch_profile_async), and
 * the extensions app lookup. Tokens come from the sandbox's own authorize and token endpoints,
 * driven without a browser. */
#include "mr-sandbox.h"

#include <gnutls/crypto.h>
#include <string.h>

#include "mr-graph.h"
#include "mr-test-server.h"
#include "mr-base.h"

#define TID          MR_SANDBOX_TENANT_ID
#define AUTHORIZE    "/" TID "/oauth2/v2.0/authorize"
#define TOKEN        "/" TID "/oauth2/v2.0/token"
#define REDIRECT_URI "http://localhost:5000/auth/callback"
#define EXT(name)    "extension_3888d42ccd5f4582afa2f9b641643fac_" name
#define STAFF        "staff@example.org"
#define JACK         "jack.smith@example.org"
#define ANA          "ana.garcia@example.org"
#define ZOE_ID       "e41b5a7d-8c93-4f26-a0d4-3b7e15c9f633"
#define JACK_ID      "530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11"

typedef struct
{
  MrSandbox   *sandbox;
  SoupSession *session;
  const char  *base;
  char        *graph_url;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->sandbox = mr_sandbox_new ();
  g_assert_true (mr_sandbox_start (fx->sandbox, 0, NULL, &error));
  g_assert_no_error (error);
  fx->base = mr_sandbox_get_base_url (fx->sandbox);
  fx->graph_url = g_strconcat (fx->base, "/v1.0", NULL);
  fx->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_assert_finalize_object (fx->session);
  g_assert_finalize_object (fx->sandbox);
  g_free (fx->graph_url);
}

/* ---- HTTP -------------------------------------------------------------------------------- */

/* Sends @msg (no redirects followed); returns the body as text and the status. */
static char *
send_message (Fixture     *fx,
              SoupMessage *msg,
              guint       *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  bytes = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A Graph request with @token; @eventual adds ConsistencyLevel: eventual; @body (JSON) makes it
 * a PATCH. Returns the parsed answer, or NULL for an empty one. */
static JsonObject *
graph_request (Fixture    *fx,
               const char *path_and_query,
               const char *token,
               gboolean    eventual,
               const char *body,
               guint       expected_status)
{
  g_autofree char *url = g_strconcat (fx->base, path_and_query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (body != NULL ? "PATCH" : "GET", url);
  g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);
  SoupMessageHeaders *headers;
  g_autofree char *answer = NULL;
  guint status = 0;

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Authorization", authorization);
  if (eventual)
    soup_message_headers_replace (headers, "ConsistencyLevel", "eventual");
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = send_message (fx, msg, &status);
  g_assert_cmpuint (status, ==, expected_status);
  return *answer != '\0' ? parse_object (answer) : NULL;
}

static JsonObject *
get (Fixture    *fx,
     const char *path_and_query,
     const char *token,
     guint       expected_status)
{
  return graph_request (fx, path_and_query, token, FALSE, NULL, expected_status);
}

/* Graph's error shape with @code (and @message, when set). */
static void
assert_graph_error (JsonObject *body,
                    const char *code,
                    const char *message)
{
  JsonObject *error = json_object_get_object_member (body, "error");

  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  if (message != NULL)
    g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, message);
  g_assert_true (json_object_has_member (error, "innerError"));
}

/* ---- tokens without a browser: the sign-in form's POST, then the code exchange ------------ */

static char *
b64url (const guchar *data,
        gsize         len)
{
  char *text = g_base64_encode (data, len);

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  text[strcspn (text, "=")] = '\0';
  return text;
}

static char *
access_token_for (Fixture    *fx,
                  const char *email)
{
  g_autofree char *verifier = g_strdup ("sandbox-graph-test-verifier-0123456789-abcdefghijk");
  guchar digest[32];
  g_autofree char *challenge = NULL;
  g_autofree char *url = g_strconcat (fx->base, AUTHORIZE, NULL);
  g_autofree char *token_url = g_strconcat (fx->base, TOKEN, NULL);
  g_autoptr(SoupMessage) authorize = NULL;
  g_autoptr(SoupMessage) exchange = NULL;
  g_autoptr(GUri) location = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  g_assert_cmpint (gnutls_hash_fast (GNUTLS_DIG_SHA256, verifier, strlen (verifier), digest),
                   ==, 0);
  challenge = b64url (digest, sizeof digest);
  authorize = soup_message_new_from_encoded_form (
    "POST", url,
    soup_form_encode ("client_id", MR_SANDBOX_CLIENT_ID, "response_type", "code",
                      "redirect_uri", REDIRECT_URI,
                      "scope", "openid profile offline_access User.Read", "state", "s",
                      "nonce", "n", "code_challenge", challenge,
                      "code_challenge_method", "S256", "email", email,
                      "password", MR_SANDBOX_PASSWORD, NULL));
  g_free (send_message (fx, authorize, &status));
  g_assert_cmpuint (status, ==, SOUP_STATUS_FOUND);
  location = g_uri_parse (soup_message_headers_get_one (
                            soup_message_get_response_headers (authorize), "Location"),
                          G_URI_FLAGS_ENCODED, NULL);
  g_assert_nonnull (location);
  query = soup_form_decode (g_uri_get_query (location));
  g_assert_nonnull (g_hash_table_lookup (query, "code"));

  exchange = soup_message_new_from_encoded_form (
    "POST", token_url,
    soup_form_encode ("grant_type", "authorization_code", "client_id", MR_SANDBOX_CLIENT_ID,
                      "code", g_hash_table_lookup (query, "code"),
                      "redirect_uri", REDIRECT_URI, "code_verifier", verifier, NULL));
  body = send_message (fx, exchange, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  tokens = parse_object (body);
  return g_strdup (json_object_get_string_member (tokens, "access_token"));
}

/* ---- the core clients, run to completion --------------------------------------------------- */

typedef struct {
  gboolean   done;
  gboolean   truncated;
  gboolean   ok;
  GPtrArray *patients;
  MrPatient *patient;
  char      *app_id;
  GError    *error;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->patients, g_ptr_array_unref);
  g_clear_pointer (&r->patient, mr_patient_free);
  g_clear_pointer (&r->app_id, g_free);
  g_clear_error (&r->error);
  r->done = FALSE;
}

static void
search_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Result *r = user_data;

  r->patients = mr_graph_search_users_finish (result, &r->truncated, &r->error);
  r->done = TRUE;
}

static void
search (Fixture      *fx,
        const char   *token,
        MrLookupKind  kind,
        const char   *query,
        Result       *r)
{
  result_clear (r);
  mr_graph_search_users_async (fx->session, fx->graph_url, MR_SANDBOX_EXTENSIONS_APP_ID, token,
                               kind, query, NULL, search_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 5000));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* The display names found, sorted, joined with "|". */
static char *
found_names (Result *r)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  g_assert_no_error (r->error);
  g_assert_nonnull (r->patients);
  for (guint i = 0; i < r->patients->len; i++)
    g_ptr_array_add (names, ((MrPatient *) r->patients->pdata[i])->display_name);
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("|", (char **) names->pdata);
}

static void
get_user_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Result *r = user_data;

  r->patient = mr_graph_get_user_finish (result, &r->error);
  r->done = TRUE;
}

static void
get_me_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Result *r = user_data;

  r->patient = mr_graph_get_me_finish (result, &r->error);
  r->done = TRUE;
}

static void
patch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Result *r = user_data;

  r->ok = mr_graph_patch_profile_finish (result, NULL, &r->error);
  r->done = TRUE;
}

static void
apps_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Result *r = user_data;

  r->app_id = mr_graph_find_extensions_app_finish (result, &r->error);
  r->done = TRUE;
}

static MrPatient *
me (Fixture    *fx,
    const char *token)
{
  Result r = { 0 };

  mr_graph_get_me_async (fx->session, fx->graph_url, MR_SANDBOX_EXTENSIONS_APP_ID, token, NULL,
                         get_me_cb, &r);
  g_assert_true (mr_test_wait_for (&r.done, 5000));
  g_assert_no_error (r.error);
  return g_steal_pointer (&r.patient);
}

/* PATCHes @json (an object) for @user_id (NULL: /me) through the core client. */
static void
patch (Fixture    *fx,
       const char *token,
       const char *user_id,
       const char *json,
       Result     *r)
{
  g_autoptr(JsonObject) changes = parse_object (json);

  result_clear (r);
  mr_graph_patch_profile_async (fx->session, fx->graph_url, user_id, changes, token, NULL,
                                patch_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 5000));
}

/* ---- lookup through the core client ------------------------------------------------------ */

static void
test_lookup_hospital_number (Fixture       *fx,
                             gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  Result r = { 0 };
  MrPatient *zoe;

  search (fx, staff, MR_LOOKUP_HOSPITAL_NUMBER, "HN20457", &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.patients->len, ==, 1);
  g_assert_false (r.truncated);
  zoe = r.patients->pdata[0];
  g_assert_cmpstr (zoe->id, ==, ZOE_ID);
  g_assert_cmpstr (zoe->display_name, ==, "Zoë Núñez-Ødegård");
  g_assert_cmpstr (zoe->date_of_birth, ==, "1987-06-15");
  g_assert_cmpstr (zoe->gender, ==, "Female");
  g_assert_cmpstr (zoe->city, ==, "Oslo");
  /* Graph compares without regard to case. */
  search (fx, staff, MR_LOOKUP_HOSPITAL_NUMBER, "hn11112", &r);
  g_assert_cmpuint (r.patients->len, ==, 1);
  g_assert_cmpstr (((MrPatient *) r.patients->pdata[0])->id, ==, JACK_ID);
  result_clear (&r);
}

static void
test_lookup_email (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  g_autofree char *whole = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *domain_part = NULL;
  Result r = { 0 };

  search (fx, staff, MR_LOOKUP_EMAIL, "Jack.Smith@example.org", &r);
  whole = found_names (&r);
  g_assert_cmpstr (whole, ==, "Jack Smith");
  search (fx, staff, MR_LOOKUP_EMAIL, "ana", &r);
  prefix = found_names (&r);
  g_assert_cmpstr (prefix, ==, "Ana Garcia");
  /* A whole address matches exactly, not as a prefix. */
  search (fx, staff, MR_LOOKUP_EMAIL, "jack.smith@example.or", &r);
  domain_part = found_names (&r);
  g_assert_cmpstr (domain_part, ==, "");
  search (fx, staff, MR_LOOKUP_EMAIL, "ack.smith@example.org", &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.patients->len, ==, 0);
  result_clear (&r);
}

static void
test_lookup_name (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  const struct {
    const char *query;
    const char *names;
  } cases[] = {
    { "Zo", "Zoë Núñez-Ødegård" },
    { "zoË", "Zoë Núñez-Ødegård" },
    { "Nú", "Zoë Núñez-Ødegård" },                     /* surname */
    { "nÚñez", "Zoë Núñez-Ødegård" },
    { "Nu", "" },                                     /* accents count */
    { "S", "Jack Smith|Sam Staff" },                   /* surname Smith; staff are users too */
    { "Ana Gar", "Ana Garcia" },                       /* displayName */
    { "Garcia", "Ana Garcia" },
    { "arcia", "" },                                  /* starts with, not contains */
    { "Nobody", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Result r = { 0 };
      g_autofree char *names = NULL;

      g_test_message ("query %s", cases[i].query);
      search (fx, staff, MR_LOOKUP_NAME, cases[i].query, &r);
      names = found_names (&r);
      g_assert_cmpstr (names, ==, cases[i].names);
      g_assert_false (r.truncated);
      result_clear (&r);
    }
}

static void
test_lookup_patient_forbidden (Fixture       *fx,
                               gconstpointer  data)
{
  g_autofree char *jack = access_token_for (fx, JACK);
  g_autoptr(JsonObject) raw = NULL;
  g_autoptr(JsonObject) other = NULL;
  Result r = { 0 };

  search (fx, jack, MR_LOOKUP_NAME, "Zo", &r);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FORBIDDEN);
  g_assert_cmpstr (r.error->message, ==,
                   "Your account may not look up patients. Ask your administrator to grant it "
                   "permission to read the directory (User.Read.All).");
  g_assert_null (r.patients);
  raw = get (fx, "/v1.0/users?$filter=startswith(displayName,'Zo')", jack,
             SOUP_STATUS_FORBIDDEN);
  assert_graph_error (raw, "Authorization_RequestDenied",
                      "Insufficient privileges to complete the operation.");
  /* Another patient's profile is out of reach too. */
  other = get (fx, "/v1.0/users/" ZOE_ID, jack, SOUP_STATUS_FORBIDDEN);
  assert_graph_error (other, "Authorization_RequestDenied", NULL);
  result_clear (&r);
}

/* ---- the query rules Graph applies -------------------------------------------------------- */

#define ENDSWITH_MESSAGE "Operator 'endsWith' is not supported because the required parameters " \
                         "might be missing. Try adding $count=true query parameter and " \
                         "ConsistencyLevel:eventual header. Refer to " \
                         "https://aka.ms/graph-docs/advanced-queries for more information"

static void
test_query_advanced (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  g_autoptr(JsonObject) plain = NULL;
  g_autoptr(JsonObject) header_only = NULL;
  g_autoptr(JsonObject) advanced = NULL;
  g_autoptr(JsonObject) count_alone = NULL;
  g_autoptr(JsonObject) hn_standard = NULL;
  g_autoptr(JsonObject) hn_advanced = NULL;

  plain = get (fx, "/v1.0/users?$filter=endswith(mail,'@example.org')", staff,
               SOUP_STATUS_BAD_REQUEST);
  assert_graph_error (plain, "Request_UnsupportedQuery", ENDSWITH_MESSAGE);
  header_only = graph_request (fx, "/v1.0/users?$filter=endswith(mail,'@example.org')", staff,
                               TRUE, NULL, SOUP_STATUS_BAD_REQUEST);
  assert_graph_error (header_only, "Request_UnsupportedQuery", ENDSWITH_MESSAGE);
  advanced = graph_request (fx, "/v1.0/users?$filter=endswith(mail,'@EXAMPLE.org')&$count=true"
                            "&$select=id", staff, TRUE, NULL, SOUP_STATUS_OK);
  /* Every account with a mail (Lee Okafor has none): three patients and two staff. */
  g_assert_cmpint (json_object_get_int_member (advanced, "@odata.count"), ==, 5);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (advanced, "value")),
                    ==, 5);

  count_alone = get (fx, "/v1.0/users?$filter=startswith(surname,'S')&$count=true", staff,
                     SOUP_STATUS_BAD_REQUEST);
  assert_graph_error (count_alone, "Request_BadRequest", "$count is not currently supported.");

  /* eq on a directory extension is a standard query in Graph: with or without the advanced
   * parameters. Only the advanced form reports @odata.count. */
  hn_standard = get (fx, "/v1.0/users?$filter=" EXT ("HospitalNumber") "%20eq%20'HN11112'"
                     "&$select=id", staff, SOUP_STATUS_OK);
  g_assert_false (json_object_has_member (hn_standard, "@odata.count"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (hn_standard, "value")),
                    ==, 1);
  hn_advanced = graph_request (fx, "/v1.0/users?$filter=" EXT ("HospitalNumber")
                               "%20eq%20'HN11112'&$select=id&$count=true", staff, TRUE, NULL,
                               SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (hn_advanced, "@odata.count"), ==, 1);
}

static void
test_query_errors (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  const struct {
    const char *query;
    const char *code;
  } cases[] = {
    { "$filter=favouriteColour%20eq%20'red'", "Request_BadRequest" },
    { "$filter=startswith(" EXT ("HospitalNumber") ",'HN')", "Request_UnsupportedQuery" },
    { "$filter=startswith(city,'Os')", "Request_UnsupportedQuery" },
    { "$filter=contains(displayName,'a')", "Request_UnsupportedQuery" },
    { "$filter=displayName%20ne%20'a'", "Request_UnsupportedQuery" },
    { "$filter=startswith(displayName,'a'", "BadRequest" },
    { "$filter=displayName%20eq%20'unterminated", "BadRequest" },
    { "$filter=startswith(displayName,'a')%20and%20startswith(surname,'b')",
      "Request_UnsupportedQuery" },
    { "$select=id,favouriteColour", "Request_BadRequest" },
    { "$top=0", "Request_BadRequest" },
    { "$top=1000", "Request_BadRequest" },
    { "$search=%22displayName:Zo%22", "Request_UnsupportedQuery" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/v1.0/users?", cases[i].query, NULL);
      g_autoptr(JsonObject) answer = NULL;

      g_test_message ("%s", cases[i].query);
      answer = get (fx, path, staff, SOUP_STATUS_BAD_REQUEST);
      assert_graph_error (answer, cases[i].code, NULL);
    }
}

/* Quotes doubled in the literal, and $select honoured as on /me. */
static void
test_query_select_and_quotes (Fixture       *fx,
                              gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  g_autoptr(JsonObject) quoted = NULL;
  g_autoptr(JsonObject) selected = NULL;
  g_autoptr(JsonObject) defaults = NULL;
  JsonArray *value;
  JsonObject *first;

  quoted = get (fx, "/v1.0/users?$filter=startswith(displayName,'O''Br')", staff,
                SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (quoted, "value")),
                    ==, 0);

  selected = get (fx, "/v1.0/users?$filter=startswith(givenName,'A')%20or%20startswith(givenName"
                  ",'J')&$select=id,displayName," EXT ("HospitalNumber"), staff, SOUP_STATUS_OK);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (selected, "@odata.context"),
                                   "/v1.0/$metadata#users(id,displayName,"
                                   EXT ("HospitalNumber") ")"));
  value = json_object_get_array_member (selected, "value");
  g_assert_cmpuint (json_array_get_length (value), ==, 2);
  first = json_array_get_object_element (value, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "displayName"), ==, "Jack Smith");
  g_assert_cmpstr (json_object_get_string_member (first, EXT ("HospitalNumber")), ==, "HN11112");
  g_assert_cmpuint (json_object_get_size (first), ==, 3);
  /* Ana has no hospital number: absent, not null. */
  g_assert_cmpuint (json_object_get_size (json_array_get_object_element (value, 1)), ==, 2);

  /* Without $select: Graph's default set, unset ones null, no extensions. */
  defaults = get (fx, "/v1.0/users?$filter=mail%20eq%20'ana.garcia@example.org'", staff,
                  SOUP_STATUS_OK);
  first = json_array_get_object_element (json_object_get_array_member (defaults, "value"), 0);
  g_assert_true (json_object_get_null_member (first, "jobTitle"));
  g_assert_false (json_object_has_member (first, EXT ("HospitalNumber")));
  g_assert_false (json_object_has_member (first, "city"));
}

static void
test_query_paging (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  g_autoptr(JsonObject) page1 = get (fx, "/v1.0/users?$select=id&$top=3", staff, SOUP_STATUS_OK);
  g_autoptr(JsonObject) page2 = NULL;
  const char *next = json_object_get_string_member (page1, "@odata.nextLink");

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page1, "value")), ==, 3);
  g_assert_nonnull (next);
  g_assert_true (g_str_has_prefix (next, fx->base));
  page2 = get (fx, next + strlen (fx->base), staff, SOUP_STATUS_OK);
  /* Six demo accounts: three, then three. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page2, "value")), ==, 3);
  g_assert_false (json_object_has_member (page2, "@odata.nextLink"));
}

/* ---- /users/{id} --------------------------------------------------------------------------- */

static void
test_get_user (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  g_autofree char *jack = access_token_for (fx, JACK);
  g_autoptr(JsonObject) missing = NULL;
  g_autoptr(JsonObject) own = NULL;
  g_autoptr(JsonObject) by_upn = NULL;
  Result r = { 0 };

  mr_graph_get_user_async (fx->session, fx->graph_url, MR_SANDBOX_EXTENSIONS_APP_ID, staff,
                           ZOE_ID, NULL, get_user_cb, &r);
  g_assert_true (mr_test_wait_for (&r.done, 5000));
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.patient->hospital_number, ==, "HN20457");
  g_assert_cmpstr (r.patient->street_address, ==, "Karl Johans gate 22");
  result_clear (&r);

  mr_graph_get_user_async (fx->session, fx->graph_url, MR_SANDBOX_EXTENSIONS_APP_ID, staff,
                           "00000000-0000-0000-0000-000000000000", NULL, get_user_cb, &r);
  g_assert_true (mr_test_wait_for (&r.done, 5000));
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NOT_FOUND);
  result_clear (&r);

  missing = get (fx, "/v1.0/users/00000000-0000-0000-0000-000000000000", staff,
                 SOUP_STATUS_NOT_FOUND);
  assert_graph_error (missing, "Request_ResourceNotFound",
                      "Resource '00000000-0000-0000-0000-000000000000' does not exist or one of "
                      "its queried reference-property objects are not present.");
  /* One's own profile by id needs no directory permission. */
  own = get (fx, "/v1.0/users/" JACK_ID "?$select=displayName", jack, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (own, "displayName"), ==, "Jack Smith");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (own, "@odata.context"),
                                   "#users(displayName)/$entity"));
  by_upn = get (fx, "/v1.0/users/" ZOE_ID "@medrefillsandbox.onmicrosoft.com?$select=id", staff,
                SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (by_upn, "id"), ==, ZOE_ID);
}

/* ---- PATCH --------------------------------------------------------------------------------- */

static void
test_patch_me (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *jack = access_token_for (fx, JACK);
  g_autoptr(MrPatient) before = me (fx, jack);
  g_autoptr(MrPatient) after = NULL;
  Result r = { 0 };

  g_assert_cmpstr (before->postal_code, ==, "62701");
  patch (fx, jack, NULL, "{\"givenName\":\"Jacques\",\"displayName\":\"Jacques Smith\","
         "\"city\":\"København\",\"postalCode\":null,\"streetAddress\":\"2 High St\","
         "\"jobTitle\":\"Retired\",\"country\":\"Denmark\",\"state\":\"Hovedstaden\","
         "\"surname\":\"Smith-Jones\"}", &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  after = me (fx, jack);
  g_assert_cmpstr (after->given_name, ==, "Jacques");
  g_assert_cmpstr (after->surname, ==, "Smith-Jones");
  g_assert_cmpstr (after->display_name, ==, "Jacques Smith");
  g_assert_cmpstr (after->city, ==, "København");
  g_assert_null (after->postal_code);
  g_assert_cmpstr (after->street_address, ==, "2 High St");
  g_assert_cmpstr (after->job_title, ==, "Retired");
  g_assert_cmpstr (after->country, ==, "Denmark");
  g_assert_cmpstr (after->state, ==, "Hovedstaden");
  g_assert_cmpstr (after->hospital_number, ==, "HN11112");
  result_clear (&r);
}

static void
test_patch_me_custom_denied (Fixture       *fx,
                             gconstpointer  data)
{
  g_autofree char *jack = access_token_for (fx, JACK);
  g_autoptr(MrPatient) after = NULL;
  g_autoptr(JsonObject) raw = NULL;
  Result r = { 0 };

  patch (fx, jack, NULL, "{\"city\":\"Elsewhere\",\"" EXT ("DateofBirth") "\":\"2000-08-01\"}",
         &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FORBIDDEN);
  raw = graph_request (fx, "/v1.0/me", jack, FALSE, "{\"" EXT ("Gender") "\":\"Female\"}",
                       SOUP_STATUS_FORBIDDEN);
  assert_graph_error (raw, "Authorization_RequestDenied",
                      "Insufficient privileges to complete the operation.");
  /* All or nothing: the allowed member of the refused PATCH did not land either. */
  after = me (fx, jack);
  g_assert_cmpstr (after->city, ==, "Springfield");
  g_assert_cmpstr (after->date_of_birth, ==, "2000-01-01");
  g_assert_cmpstr (after->gender, ==, "Male");
  result_clear (&r);
}

/* Like Graph, PATCH /me needs User.ReadWrite: Ana's account has User.Read alone. */
static void
test_patch_me_without_readwrite (Fixture       *fx,
                                 gconstpointer  data)
{
  g_autofree char *ana = access_token_for (fx, ANA);
  g_autoptr(MrPatient) after = NULL;
  Result r = { 0 };

  patch (fx, ana, NULL, "{\"city\":\"Elsewhere\"}", &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FORBIDDEN);
  g_assert_cmpstr (r.error->message, ==, "Your account may not change these details in the "
                   "directory. Ask the clinic's staff to correct them.");
  after = me (fx, ana);
  g_assert_null (after->city);
  result_clear (&r);
}

static void
test_patch_bad_requests (Fixture       *fx,
                         gconstpointer  data)
{
  g_autofree char *jack = access_token_for (fx, JACK);
  const struct {
    const char *body;
    const char *code;
  } cases[] = {
    { "{\"city\":", "BadRequest" },
    { "[\"city\"]", "BadRequest" },
    { "{\"favouriteColour\":\"red\"}", "Request_BadRequest" },
    { "{\"extension_0000_HospitalNumber\":\"x\"}", "Request_BadRequest" },
    { "{\"id\":\"other\"}", "Request_BadRequest" },
    { "{\"city\":42}", "Request_BadRequest" },
    { "{\"displayName\":null}", "Request_BadRequest" },
    { "{\"displayName\":\"\"}", "Request_BadRequest" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) answer = NULL;

      g_test_message ("%s", cases[i].body);
      answer = graph_request (fx, "/v1.0/me", jack, FALSE, cases[i].body,
                              SOUP_STATUS_BAD_REQUEST);
      assert_graph_error (answer, cases[i].code, NULL);
    }
}

static void
test_patch_user_staff (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  g_autofree char *jack = access_token_for (fx, JACK);
  g_autoptr(MrPatient) seen_by_jack = NULL;
  g_autoptr(JsonObject) denied = NULL;
  g_autofree char *names = NULL;
  Result r = { 0 };

  patch (fx, staff, JACK_ID, "{\"" EXT ("HospitalNumber") "\":\"HN99999\",\"" EXT ("DateofBirth")
         "\":\"2000-08-01\",\"city\":\"Shelbyville\"}", &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  /* Visible to later reads: the lookup, and the patient's own /me. */
  search (fx, staff, MR_LOOKUP_HOSPITAL_NUMBER, "HN11112", &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.patients->len, ==, 0);
  search (fx, staff, MR_LOOKUP_HOSPITAL_NUMBER, "HN99999", &r);
  names = found_names (&r);
  g_assert_cmpstr (names, ==, "Jack Smith");
  seen_by_jack = me (fx, jack);
  g_assert_cmpstr (seen_by_jack->hospital_number, ==, "HN99999");
  g_assert_cmpstr (seen_by_jack->date_of_birth, ==, "2000-08-01");
  g_assert_cmpstr (seen_by_jack->city, ==, "Shelbyville");

  /* A patient may not PATCH someone else. */
  denied = graph_request (fx, "/v1.0/users/" ZOE_ID, jack, FALSE, "{\"city\":\"X\"}",
                          SOUP_STATUS_FORBIDDEN);
  assert_graph_error (denied, "Authorization_RequestDenied", NULL);
  patch (fx, staff, "00000000-0000-0000-0000-000000000000", "{\"city\":\"X\"}", &r);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NOT_FOUND);
  result_clear (&r);
}

/* Each sandbox starts from the demo table: edits do not outlive it. */
static void
test_patch_not_shared (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *jack = access_token_for (fx, JACK);
  g_autoptr(MrPatient) fresh = me (fx, jack);

  g_assert_cmpstr (fresh->given_name, ==, "Jack");
  g_assert_cmpstr (fresh->hospital_number, ==, "HN11112");
}

/* ---- the extensions app, and the staff account itself ------------------------------------ */

static void
test_applications (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  g_autofree char *jack = access_token_for (fx, JACK);
  g_autoptr(JsonObject) raw = NULL;
  g_autoptr(JsonObject) none = NULL;
  g_autoptr(JsonObject) denied = NULL;
  JsonObject *app;
  Result r = { 0 };

  mr_graph_find_extensions_app_async (fx->session, fx->graph_url, staff, NULL, apps_cb, &r);
  g_assert_true (mr_test_wait_for (&r.done, 5000));
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.app_id, ==, MR_SANDBOX_EXTENSIONS_APP_ID);
  result_clear (&r);

  mr_graph_find_extensions_app_async (fx->session, fx->graph_url, jack, NULL, apps_cb, &r);
  g_assert_true (mr_test_wait_for (&r.done, 5000));
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FORBIDDEN);
  result_clear (&r);

  raw = get (fx, "/v1.0/applications?$filter=startswith(displayName,'b2c-extensions-app')",
             staff, SOUP_STATUS_OK);
  app = json_array_get_object_element (json_object_get_array_member (raw, "value"), 0);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (app, "id")));
  g_assert_cmpstr (json_object_get_string_member (app, "appId"), ==,
                   MR_SANDBOX_EXTENSIONS_APP_ID);
  g_assert_cmpstr (json_object_get_string_member (app, "displayName"), ==,
                   "b2c-extensions-app. Do not modify. Used by AADB2C for storing user data.");
  none = get (fx, "/v1.0/applications?$filter=startswith(displayName,'other')", staff,
              SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (none, "value")), ==, 0);
  denied = get (fx, "/v1.0/applications", jack, SOUP_STATUS_FORBIDDEN);
  assert_graph_error (denied, "Authorization_RequestDenied", NULL);
}

static void
test_staff_account (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *staff = access_token_for (fx, STAFF);
  g_autoptr(JsonObject) profile = get (fx, "/v1.0/me?$select=displayName,jobTitle,"
                                       EXT ("HospitalNumber"), staff, SOUP_STATUS_OK);
  g_autofree char *query = soup_form_encode ("client_id", MR_SANDBOX_CLIENT_ID,
                                             "response_type", "code",
                                             "redirect_uri", REDIRECT_URI, "scope", "openid",
                                             "state", "s", "nonce", "n",
                                             "code_challenge",
                                             "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
                                             "code_challenge_method", "S256", NULL);
  g_autofree char *url = g_strconcat (fx->base, AUTHORIZE "?", query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *html = NULL;
  guint status = 0;

  g_assert_cmpstr (json_object_get_string_member (profile, "displayName"), ==, "Sam Staff");
  g_assert_cmpstr (json_object_get_string_member (profile, "jobTitle"), ==, "Front desk");
  g_assert_false (json_object_has_member (profile, EXT ("HospitalNumber")));
  /* The sign-in page lists it, marked, and the patients unmarked. */
  html = send_message (fx, msg, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (html, "Sam Staff (staff) — <code>staff@example.org</code>"));
  g_assert_nonnull (strstr (html, "Jack Smith — <code>jack.smith@example.org</code>"));
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  ADD ("/sandbox-graph/lookup/hospital-number", test_lookup_hospital_number);
  ADD ("/sandbox-graph/lookup/email", test_lookup_email);
  ADD ("/sandbox-graph/lookup/name", test_lookup_name);
  ADD ("/sandbox-graph/lookup/patient-forbidden", test_lookup_patient_forbidden);
  ADD ("/sandbox-graph/query/advanced", test_query_advanced);
  ADD ("/sandbox-graph/query/errors", test_query_errors);
  ADD ("/sandbox-graph/query/select-and-quotes", test_query_select_and_quotes);
  ADD ("/sandbox-graph/query/paging", test_query_paging);
  ADD ("/sandbox-graph/users/get", test_get_user);
  ADD ("/sandbox-graph/patch/me", test_patch_me);
  ADD ("/sandbox-graph/patch/me-custom-denied", test_patch_me_custom_denied);
  ADD ("/sandbox-graph/patch/me-without-readwrite", test_patch_me_without_readwrite);
  ADD ("/sandbox-graph/patch/bad-requests", test_patch_bad_requests);
  ADD ("/sandbox-graph/patch/user-staff", test_patch_user_staff);
  ADD ("/sandbox-graph/patch/not-shared", test_patch_not_shared);
  ADD ("/sandbox-graph/applications", test_applications);
  ADD ("/sandbox-graph/staff-account", test_staff_account);

  return g_test_run ();
}

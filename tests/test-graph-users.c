/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Patient lookup: the $filter each kind of search builds, Graph's list answers and errors, and
 * the requests a SoupServer on 127.0.0.1 receives (method, path, exact $filter, and the
 * ConsistencyLevel header exactly when Graph needs it). */
#include "mr-graph.h"

#include <string.h>

#include "mr-test-server.h"
#include "mr-base.h"

#define APP_ID     "3888d42c-cd5f-4582-afa2-f9b641643fac"
#define EXT        "extension_3888d42ccd5f4582afa2f9b641643fac_"
#define GRAPH      "https://graph.microsoft.com/v1.0"
#define TOKEN      "test-access-token"
#define SELECT     "id,displayName,givenName,surname,mail,jobTitle,streetAddress,city,state," \
                   "postalCode,country,mobilePhone,identities," EXT "DateofBirth," \
                   EXT "HospitalNumber," EXT "Gender"
#define FORBIDDEN  "Your account may not look up patients. Ask your administrator to grant it " \
                   "permission to read the directory (User.Read.All)."

/* ---- URLs -------------------------------------------------------------------------------- */

/* The decoded query parameters of @url. */
static GHashTable *
url_query (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  g_assert_nonnull (uri);
  g_assert_nonnull (g_uri_get_query (uri));
  return soup_form_decode (g_uri_get_query (uri));
}

typedef struct {
  MrLookupKind  kind;
  const char   *query;
  const char   *filter;      /* decoded */
  gboolean      eventual;
} UrlCase;

static const UrlCase url_cases[] = {
  { MR_LOOKUP_HOSPITAL_NUMBER, "HN11112", EXT "HospitalNumber eq 'HN11112'", TRUE },
  { MR_LOOKUP_HOSPITAL_NUMBER, "  HN 7'1\t", EXT "HospitalNumber eq 'HN 7''1'", TRUE },
  { MR_LOOKUP_EMAIL, "jack.smith@example.org", "mail eq 'jack.smith@example.org'", FALSE },
  { MR_LOOKUP_EMAIL, "o'brien@example.ie", "mail eq 'o''brien@example.ie'", FALSE },
  { MR_LOOKUP_EMAIL, "jack", "startswith(mail,'jack')", FALSE },
  { MR_LOOKUP_EMAIL, "jack@example", "startswith(mail,'jack@example')", FALSE },
  { MR_LOOKUP_EMAIL, "@example.org", "startswith(mail,'@example.org')", FALSE },
  { MR_LOOKUP_NAME, "Zo",
    "startswith(displayName,'Zo') or startswith(givenName,'Zo') or startswith(surname,'Zo')",
    FALSE },
  { MR_LOOKUP_NAME, "O'Brien",
    "startswith(displayName,'O''Brien') or startswith(givenName,'O''Brien') "
    "or startswith(surname,'O''Brien')", FALSE },
  { MR_LOOKUP_NAME, "Núñez-Ødegård",
    "startswith(displayName,'Núñez-Ødegård') or startswith(givenName,'Núñez-Ødegård') "
    "or startswith(surname,'Núñez-Ødegård')", FALSE },
  { MR_LOOKUP_NAME, "A&B+C #1 100%",
    "startswith(displayName,'A&B+C #1 100%') or startswith(givenName,'A&B+C #1 100%') "
    "or startswith(surname,'A&B+C #1 100%')", FALSE },
  { MR_LOOKUP_NAME, "''", "startswith(displayName,'''''') or startswith(givenName,'''''') "
    "or startswith(surname,'''''')", FALSE },
};

static void
test_search_url_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (url_cases); i++)
    {
      const UrlCase *c = &url_cases[i];
      gboolean eventual = !c->eventual;
      g_autofree char *url = mr_graph_users_search_url (GRAPH "/", APP_ID, c->kind, c->query,
                                                        &eventual);
      g_autoptr(GHashTable) query = NULL;

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, c->filter);
      g_assert_nonnull (url);
      g_assert_true (g_str_has_prefix (url, GRAPH "/users?$filter="));
      /* Nothing that would end or split the query is left raw. */
      g_assert_null (strpbrk (url + strlen (GRAPH "/users?"), " #+\t\""));
      query = url_query (url);
      g_assert_cmpstr (g_hash_table_lookup (query, "$filter"), ==, c->filter);
      g_assert_cmpstr (g_hash_table_lookup (query, "$select"), ==, SELECT);
      g_assert_cmpstr (g_hash_table_lookup (query, "$top"), ==, "25");
      g_assert_cmpstr (g_hash_table_lookup (query, "$count"), ==, c->eventual ? "true" : NULL);
      g_assert_cmpuint (g_hash_table_size (query), ==, c->eventual ? 4 : 3);
      g_assert_cmpint (eventual, ==, c->eventual);
    }
}

static void
test_search_url_exact (void)
{
  g_autofree char *hn = mr_graph_users_search_url (GRAPH, APP_ID, MR_LOOKUP_HOSPITAL_NUMBER,
                                                   "HN11112", NULL);
  g_autofree char *name = mr_graph_users_search_url (GRAPH, NULL, MR_LOOKUP_NAME, "Zoë", NULL);

  g_assert_cmpstr (hn, ==, GRAPH "/users?$filter=" EXT "HospitalNumber%20eq%20'HN11112'"
                   "&$select=" SELECT "&$top=25&$count=true");
  /* Without the extensions app the custom attributes are not selected. */
  g_assert_cmpstr (name, ==, GRAPH "/users?$filter=startswith(displayName,'Zo%C3%AB')%20or%20"
                   "startswith(givenName,'Zo%C3%AB')%20or%20startswith(surname,'Zo%C3%AB')"
                   "&$select=id,displayName,givenName,surname,mail,jobTitle,streetAddress,city,"
                   "state,postalCode,country,mobilePhone,identities&$top=25");
}

static void
test_user_url (void)
{
  g_autofree char *url = mr_graph_user_url (GRAPH "//", APP_ID,
                                            "e41b5a7d-8c93-4f26-a0d4-3b7e15c9f633");
  g_autofree char *odd = mr_graph_user_url (GRAPH, NULL, "a b/c?d@example.org");

  g_assert_cmpstr (url, ==, GRAPH "/users/e41b5a7d-8c93-4f26-a0d4-3b7e15c9f633?$select="
                   SELECT);
  g_assert_true (g_str_has_prefix (odd, GRAPH "/users/a%20b%2Fc%3Fd@example.org?$select=id,"));
}

typedef struct {
  MrLookupKind  kind;
  const char   *query;
  const char   *app_id;
  const char   *message;
} RejectCase;

#define TOO_LONG "The search text is too long: use at most 100 characters."
#define CONTROL  "The search text contains characters that cannot be searched for."
#define EMPTY    "Type a hospital number, an email address or a name to search for."

static void
test_query_rejected (void)
{
  g_autofree char *long_text = g_strnfill (101, 'a');
  g_autoptr(GString) long_unicode = g_string_new (NULL);
  const RejectCase cases[] = {
    { MR_LOOKUP_NAME, "", APP_ID, EMPTY },
    { MR_LOOKUP_NAME, " \t\n ", APP_ID, EMPTY },
    { MR_LOOKUP_NAME, NULL, APP_ID, EMPTY },
    { MR_LOOKUP_EMAIL, long_text, APP_ID, TOO_LONG },
    { MR_LOOKUP_NAME, "Ja\x01ck", APP_ID, CONTROL },
    { MR_LOOKUP_NAME, "Ja\tck", APP_ID, CONTROL },
    { MR_LOOKUP_NAME, "Ja\xc2\x85" "ck", APP_ID, CONTROL },   /* U+0085 NEL */
    { MR_LOOKUP_NAME, "Ja\xe2\x80\xa8" "ck", APP_ID, CONTROL },  /* U+2028 */
    { MR_LOOKUP_NAME, "Ja\xff" "ck", APP_ID, CONTROL },        /* not UTF-8 */
    { MR_LOOKUP_HOSPITAL_NUMBER, "HN11112", NULL,
      "Patients cannot be found by hospital number because the extensions app id is not set in "
      "Preferences. Search by name or email instead." },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = mr_lookup_check_query (cases[i].kind, cases[i].query,
                                                     cases[i].app_id, &error);
      g_autofree char *url = mr_graph_users_search_url (GRAPH, cases[i].app_id, cases[i].kind,
                                                        cases[i].query, NULL);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_null (text);
      g_assert_null (url);
      g_assert_error (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  /* The limit counts characters, not bytes: 100 × "é" (200 bytes) is fine. */
  for (int i = 0; i < 100; i++)
    g_string_append (long_unicode, "é");
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *text = mr_lookup_check_query (MR_LOOKUP_NAME, long_unicode->str, NULL,
                                                   &error);

    g_assert_no_error (error);
    g_assert_cmpstr (text, ==, long_unicode->str);
  }
}

/* ---- answers ----------------------------------------------------------------------------- */

static GPtrArray *
parse (guint       status,
       const char *body,
       gboolean   *truncated,
       GError    **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  return mr_graph_parse_users (status, bytes, APP_ID, truncated, error);
}

/* Shaped like graph-users-filter-list.json (with @odata.count, after an advanced query) and
 * graph-users-select-extensions.json (extension attributes when selected, unset ones absent). */
static const char list_body[] =
  "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users(id,displayName)\","
  "\"@odata.count\":2,"
  "\"value\":["
  "{\"id\":\"530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11\",\"displayName\":\"Jack Smith\","
  "\"givenName\":\"Jack\",\"surname\":\"Smith\",\"mail\":\"jack.smith@example.org\","
  "\"" EXT "HospitalNumber\":\"HN11112\",\"" EXT "DateofBirth\":\"2000-01-01\","
  "\"" EXT "Gender\":\"Male\",\"city\":\"Springfield\"},"
  "{\"id\":\"7c2e9f14-3a6b-4d08-b5e1-92f4c0d8a322\",\"displayName\":\"Ana Garcia\","
  "\"mail\":\"ana.garcia@example.org\",\"jobTitle\":null}"
  "]}";

static void
test_parse_list (void)
{
  g_autoptr(GError) error = NULL;
  gboolean truncated = TRUE;
  g_autoptr(GPtrArray) patients = parse (200, list_body, &truncated, &error);
  MrPatient *jack, *ana;

  g_assert_no_error (error);
  g_assert_false (truncated);
  g_assert_cmpuint (patients->len, ==, 2);
  jack = patients->pdata[0];
  ana = patients->pdata[1];
  g_assert_cmpstr (jack->id, ==, "530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11");
  g_assert_cmpstr (jack->display_name, ==, "Jack Smith");
  g_assert_cmpstr (jack->hospital_number, ==, "HN11112");
  g_assert_cmpstr (jack->date_of_birth, ==, "2000-01-01");
  g_assert_cmpstr (jack->gender, ==, "Male");
  g_assert_cmpstr (jack->city, ==, "Springfield");
  g_assert_cmpstr (ana->mail, ==, "ana.garcia@example.org");
  g_assert_null (ana->job_title);
  g_assert_null (ana->hospital_number);
}

static void
test_parse_skips_and_limits (void)
{
  g_autoptr(GString) many = g_string_new ("{\"value\":[7,{\"displayName\":\"no id\"},");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  gboolean truncated = FALSE;

  for (int i = 0; i < 30; i++)
    g_string_append_printf (many, "%s{\"id\":\"id-%02d\"}", i > 0 ? "," : "", i);
  g_string_append (many, "]}");
  patients = parse (200, many->str, &truncated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (patients->len, ==, MR_LOOKUP_MAX_RESULTS);
  g_assert_cmpstr (((MrPatient *) patients->pdata[0])->id, ==, "id-00");
  g_assert_cmpstr (((MrPatient *) patients->pdata[24])->id, ==, "id-24");
  g_assert_true (truncated);
}

static void
test_parse_truncated (void)
{
  const char *more[] = {
    "{\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/users?$skiptoken=X\","
    "\"value\":[{\"id\":\"a\"}]}",
    "{\"@odata.count\":40,\"value\":[{\"id\":\"a\"}]}",
  };
  const char *complete[] = {
    "{\"value\":[]}",
    "{\"@odata.count\":1,\"value\":[{\"id\":\"a\"}]}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (more); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean truncated = FALSE;
      g_autoptr(GPtrArray) patients = parse (200, more[i], &truncated, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (patients->len, ==, 1);
      g_assert_true (truncated);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (complete); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean truncated = TRUE;
      g_autoptr(GPtrArray) patients = parse (200, complete[i], &truncated, &error);

      g_assert_no_error (error);
      g_assert_nonnull (patients);
      g_assert_false (truncated);
    }
}

typedef struct {
  guint       status;
  const char *body;
  int         code;
  const char *message;
} ErrorCase;

static const ErrorCase error_cases[] = {
  /* graph-error-403-authorization-request-denied.json */
  { 403, "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient "
    "privileges to complete the operation.\",\"innerError\":{\"request-id\":\"d3d91569-9702-478e-"
    "90bc-21baa7b31591\",\"date\":\"2020-01-27T19:20:20\"}}}", MR_GRAPH_ERROR_FORBIDDEN,
    FORBIDDEN },
  /* graph-error-400-advanced-query-endswith.json: the code, never Graph's message */
  { 400, "{\"error\":{\"code\":\"Request_UnsupportedQuery\",\"message\":\"Operator 'endsWith' is "
    "not supported because the required parameters might be missing.\"}}",
    MR_GRAPH_ERROR_FAILED,
    "Microsoft Graph could not search the directory (400, Request_UnsupportedQuery)." },
  { 400, "{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"$count is not currently "
    "supported.\"}}", MR_GRAPH_ERROR_FAILED,
    "Microsoft Graph could not search the directory (400, Request_BadRequest)." },
  { 400, "{\"error\":{\"code\":\"<script>\"}}", MR_GRAPH_ERROR_FAILED,
    "Microsoft Graph could not search the directory (400)." },
  { 401, "{\"error\":{\"code\":\"InvalidAuthenticationToken\"}}", MR_GRAPH_ERROR_UNAUTHORIZED,
    "Your sign-in has expired. Please sign in again." },
  { 429, "{\"error\":{\"code\":\"TooManyRequests\"}}", MR_GRAPH_ERROR_THROTTLED,
    "Microsoft Graph is busy (429). Please wait a minute and try again." },
  { 500, "oops", MR_GRAPH_ERROR_FAILED, "Microsoft Graph could not search the directory (500)." },
  { 200, "not json", MR_GRAPH_ERROR_BAD_RESPONSE,
    "Microsoft Graph sent an answer the app cannot read." },
  { 200, "{\"value\":{}}", MR_GRAPH_ERROR_BAD_RESPONSE,
    "Microsoft Graph sent an answer the app cannot read." },
  { 200, "[]", MR_GRAPH_ERROR_BAD_RESPONSE,
    "Microsoft Graph sent an answer the app cannot read." },
};

static void
test_parse_errors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean truncated = TRUE;
      g_autoptr(GPtrArray) patients = parse (error_cases[i].status, error_cases[i].body,
                                             &truncated, &error);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_null (patients);
      g_assert_false (truncated);
      g_assert_error (error, MR_GRAPH_ERROR, error_cases[i].code);
      g_assert_cmpstr (error->message, ==, error_cases[i].message);
    }
}

/* ---- requests against a recording server ------------------------------------------------- */

typedef struct {
  guint       status;
  const char *body;
  /* received, written in the server thread and read once the call has completed */
  guint       requests;
  char       *method;
  char       *path;
  char       *authorization;
  char       *consistency;
  GHashTable *query;
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

  graph->requests++;
  graph->method = g_strdup (soup_server_message_get_method (msg));
  graph->path = g_strdup (path);
  graph->authorization = g_strdup (soup_message_headers_get_one (in, "Authorization"));
  graph->consistency = g_strdup (soup_message_headers_get_one (in, "ConsistencyLevel"));
  graph->query = query != NULL ? g_hash_table_ref (query) : NULL;
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, graph->body,
                                    strlen (graph->body));
  soup_server_message_set_status (msg, graph->status, NULL);
}

static void
graph_clear (Graph *graph)
{
  g_free (graph->method);
  g_free (graph->path);
  g_free (graph->authorization);
  g_free (graph->consistency);
  g_clear_pointer (&graph->query, g_hash_table_unref);
}

typedef struct {
  gboolean   done;
  gboolean   truncated;
  GPtrArray *patients;
  MrPatient *patient;
  GError    *error;
} Result;

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
get_user_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Result *r = user_data;

  r->patient = mr_graph_get_user_finish (result, &r->error);
  r->done = TRUE;
}

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->patients, g_ptr_array_unref);
  g_clear_pointer (&r->patient, mr_patient_free);
  g_clear_error (&r->error);
}

static void
run_search (Graph        *graph,
            MrLookupKind  kind,
            const char   *query,
            Result       *r)
{
  g_autoptr(MrTestServer) server = mr_test_server_new (graph_handler, graph);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autofree char *graph_url = g_strconcat (mr_test_server_get_url (server), "/v1.0", NULL);

  mr_graph_search_users_async (session, graph_url, APP_ID, TOKEN, kind, query, NULL, search_cb,
                               r);
  g_assert_true (mr_test_wait_for (&r->done, 5000));
}

static void
test_request_hospital_number (void)
{
  Graph graph = { .status = 200, .body = list_body };
  Result r = { 0 };

  run_search (&graph, MR_LOOKUP_HOSPITAL_NUMBER, " HN11112 ", &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (graph.requests, ==, 1);
  g_assert_cmpstr (graph.method, ==, "GET");
  g_assert_cmpstr (graph.path, ==, "/v1.0/users");
  g_assert_cmpstr (graph.authorization, ==, "Bearer " TOKEN);
  g_assert_cmpstr (graph.consistency, ==, "eventual");
  g_assert_cmpstr (g_hash_table_lookup (graph.query, "$filter"), ==,
                   EXT "HospitalNumber eq 'HN11112'");
  g_assert_cmpstr (g_hash_table_lookup (graph.query, "$count"), ==, "true");
  g_assert_cmpstr (g_hash_table_lookup (graph.query, "$select"), ==, SELECT);
  g_assert_cmpuint (r.patients->len, ==, 2);
  g_assert_cmpstr (((MrPatient *) r.patients->pdata[0])->hospital_number, ==, "HN11112");
  g_assert_false (r.truncated);
  result_clear (&r);
  graph_clear (&graph);
}

/* Name and email searches are standard queries: no ConsistencyLevel, no $count. */
static void
test_request_standard (void)
{
  const struct {
    MrLookupKind  kind;
    const char   *query;
    const char   *filter;
  } cases[] = {
    { MR_LOOKUP_NAME, "Nú", "startswith(displayName,'Nú') or startswith(givenName,'Nú') "
      "or startswith(surname,'Nú')" },
    { MR_LOOKUP_EMAIL, "ZOE.nunez@example.org", "mail eq 'ZOE.nunez@example.org'" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Graph graph = { .status = 200, .body = "{\"@odata.nextLink\":\"x\",\"value\":[]}" };
      Result r = { 0 };

      run_search (&graph, cases[i].kind, cases[i].query, &r);
      g_assert_no_error (r.error);
      g_assert_cmpuint (r.patients->len, ==, 0);
      g_assert_true (r.truncated);
      g_assert_cmpstr (graph.path, ==, "/v1.0/users");
      g_assert_null (graph.consistency);
      g_assert_null (g_hash_table_lookup (graph.query, "$count"));
      g_assert_cmpstr (g_hash_table_lookup (graph.query, "$filter"), ==, cases[i].filter);
      result_clear (&r);
      graph_clear (&graph);
    }
}

static void
test_request_rejected_locally (void)
{
  Graph graph = { .status = 200, .body = "{\"value\":[]}" };
  Result r = { 0 };

  run_search (&graph, MR_LOOKUP_NAME, "  ", &r);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED);
  g_assert_cmpstr (r.error->message, ==, EMPTY);
  g_assert_null (r.patients);
  g_assert_cmpuint (graph.requests, ==, 0);
  result_clear (&r);
  graph_clear (&graph);
}

static void
test_request_forbidden (void)
{
  Graph graph = { .status = 403, .body = error_cases[0].body };
  Result r = { 0 };

  run_search (&graph, MR_LOOKUP_NAME, "Jack", &r);
  g_assert_cmpuint (graph.requests, ==, 1);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FORBIDDEN);
  g_assert_cmpstr (r.error->message, ==, FORBIDDEN);
  g_assert_null (r.patients);
  result_clear (&r);
  graph_clear (&graph);
}

static void
run_get_user (Graph  *graph,
              Result *r)
{
  g_autoptr(MrTestServer) server = mr_test_server_new (graph_handler, graph);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autofree char *graph_url = g_strconcat (mr_test_server_get_url (server), "/v1.0", NULL);

  mr_graph_get_user_async (session, graph_url, APP_ID, TOKEN,
                           "e41b5a7d-8c93-4f26-a0d4-3b7e15c9f633", NULL, get_user_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 5000));
  g_assert_cmpuint (graph->requests, ==, 1);
  g_assert_cmpstr (graph->method, ==, "GET");
  g_assert_cmpstr (graph->path, ==, "/v1.0/users/e41b5a7d-8c93-4f26-a0d4-3b7e15c9f633");
  g_assert_null (graph->consistency);
  g_assert_cmpstr (g_hash_table_lookup (graph->query, "$select"), ==, SELECT);
}

static void
test_get_user (void)
{
  Graph graph = { .status = 200,
                  .body = "{\"@odata.context\":\"x/$entity\",\"id\":\"e41b5a7d-8c93-4f26-a0d4-"
                          "3b7e15c9f633\",\"givenName\":\"Zoë\",\"" EXT "HospitalNumber\":"
                          "\"HN20457\"}" };
  Result r = { 0 };

  run_get_user (&graph, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.patient->given_name, ==, "Zoë");
  g_assert_cmpstr (r.patient->hospital_number, ==, "HN20457");
  result_clear (&r);
  graph_clear (&graph);
}

static void
test_get_user_not_found (void)
{
  /* graph-error-404-request-resource-not-found.json */
  Graph graph = { .status = 404,
                  .body = "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":"
                          "\"Resource 'e41b5a7d' does not exist or one of its queried "
                          "reference-property objects are not present.\"}}" };
  Result r = { 0 };

  run_get_user (&graph, &r);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NOT_FOUND);
  g_assert_cmpstr (r.error->message, ==, "This patient is no longer in the directory.");
  g_assert_null (r.patient);
  result_clear (&r);
  graph_clear (&graph);
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/graph-users/url/search-table", test_search_url_table);
  g_test_add_func ("/graph-users/url/search-exact", test_search_url_exact);
  g_test_add_func ("/graph-users/url/user", test_user_url);
  g_test_add_func ("/graph-users/url/rejected", test_query_rejected);
  g_test_add_func ("/graph-users/parse/list", test_parse_list);
  g_test_add_func ("/graph-users/parse/skips-and-limits", test_parse_skips_and_limits);
  g_test_add_func ("/graph-users/parse/truncated", test_parse_truncated);
  g_test_add_func ("/graph-users/parse/errors", test_parse_errors);
  g_test_add_func ("/graph-users/request/hospital-number", test_request_hospital_number);
  g_test_add_func ("/graph-users/request/standard", test_request_standard);
  g_test_add_func ("/graph-users/request/rejected-locally", test_request_rejected_locally);
  g_test_add_func ("/graph-users/request/forbidden", test_request_forbidden);
  g_test_add_func ("/graph-users/request/get-user", test_get_user);
  g_test_add_func ("/graph-users/request/get-user-not-found", test_get_user_not_found);

  return g_test_run ();
}

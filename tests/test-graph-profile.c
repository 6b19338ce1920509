/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-graph.h"

#include <string.h>

#include "mr-test-server.h"

#define APP_ID   "3888d42c-cd5f-4582-afa2-f9b641643fac"
#define EXT      "extension_3888d42ccd5f4582afa2f9b641643fac_"
#define BUILTIN  "id,displayName,givenName,surname,mail,jobTitle,streetAddress,city,state," \
                 "postalCode,country,mobilePhone,identities"
#define SELECT_EXT BUILTIN "," EXT "DateofBirth," EXT "HospitalNumber," EXT "Gender"

/* The shape of the spec's /me answer with custom attributes (identity-and-graph.md). */
static const char profile_json[] =
  "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users/$entity\","
  "\"businessPhones\":[\"+1 425 555 0109\"],"
  "\"id\":\"530772a4-0000-0000-0000-000000000001\",\"displayName\":\"Jack\","
  "\"givenName\":\"Jack\",\"surname\":\"Smith\",\"mail\":\"jack@example.org\","
  "\"jobTitle\":\"Patient\",\"streetAddress\":\"1 Main Street\",\"city\":\"Springfield\","
  "\"state\":\"IL\",\"postalCode\":\"62701\",\"country\":\"US\",\"mobilePhone\":null,"
  "\"" EXT "DateofBirth\":\"2000-01-01\",\"" EXT "HospitalNumber\":\"HN11112\","
  "\"" EXT "Gender\":\"Male\"}";

static GBytes *
bytes (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

static void
test_extension_name (void)
{
  g_autofree char *name = mr_graph_extension_name (APP_ID, "Gender");

  g_assert_cmpstr (name, ==, EXT "Gender");
  g_assert_null (mr_graph_extension_name (NULL, "Gender"));
  g_assert_null (mr_graph_extension_name ("", "Gender"));
}

static void
test_me_url (void)
{
  struct {
    const char *graph_url;
    const char *app_id;
    const char *expected;
  } cases[] = {
    { "https://graph.microsoft.com/v1.0", NULL,
      "https://graph.microsoft.com/v1.0/me?$select=" BUILTIN },
    { "https://graph.microsoft.com/v1.0/", "",
      "https://graph.microsoft.com/v1.0/me?$select=" BUILTIN },
    { "https://graph.microsoft.com/v1.0//", APP_ID,
      "https://graph.microsoft.com/v1.0/me?$select=" SELECT_EXT },
    { "http://127.0.0.1:8080/v1.0", APP_ID, "http://127.0.0.1:8080/v1.0/me?$select=" SELECT_EXT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = mr_graph_me_url (cases[i].graph_url, cases[i].app_id);

      g_assert_cmpstr (url, ==, cases[i].expected);
    }
}

static void
test_parse_profile (void)
{
  g_autoptr(GBytes) body = bytes (profile_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrPatient) patient = mr_graph_parse_profile (200, body, APP_ID, &error);

  g_assert_no_error (error);
  g_assert_nonnull (patient);
  g_assert_cmpstr (patient->id, ==, "530772a4-0000-0000-0000-000000000001");
  g_assert_cmpstr (patient->display_name, ==, "Jack");
  g_assert_cmpstr (patient->given_name, ==, "Jack");
  g_assert_cmpstr (patient->surname, ==, "Smith");
  g_assert_cmpstr (patient->mail, ==, "jack@example.org");
  g_assert_cmpstr (patient->job_title, ==, "Patient");
  g_assert_cmpstr (patient->street_address, ==, "1 Main Street");
  g_assert_cmpstr (patient->city, ==, "Springfield");
  g_assert_cmpstr (patient->state, ==, "IL");
  g_assert_cmpstr (patient->postal_code, ==, "62701");
  g_assert_cmpstr (patient->country, ==, "US");
  g_assert_null (patient->mobile_phone);
  g_assert_cmpstr (patient->date_of_birth, ==, "2000-01-01");
  g_assert_cmpstr (patient->hospital_number, ==, "HN11112");
  g_assert_cmpstr (patient->gender, ==, "Male");
}

/* Without the extensions app id the custom attributes are not read, even when present. */
static void
test_parse_profile_no_ext (void)
{
  g_autoptr(GBytes) body = bytes (profile_json);
  g_autoptr(MrPatient) patient = mr_graph_parse_profile (200, body, NULL, NULL);
  g_autoptr(MrPatient) other = NULL;

  g_assert_nonnull (patient);
  g_assert_cmpstr (patient->surname, ==, "Smith");
  g_assert_null (patient->date_of_birth);
  g_assert_null (patient->hospital_number);
  g_assert_null (patient->gender);

  /* Nor under another app's id. */
  other = mr_graph_parse_profile (200, body, "00000000-0000-0000-0000-000000000000", NULL);
  g_assert_nonnull (other);
  g_assert_null (other->gender);
}

/* Ana: the attributes never set are absent. */
static void
test_parse_profile_missing (void)
{
  g_autoptr(GBytes) body = bytes ("{\"id\":\"ana-1\",\"givenName\":\"Ana\"}");
  g_autoptr(MrPatient) patient = mr_graph_parse_profile (200, body, APP_ID, NULL);

  g_assert_nonnull (patient);
  g_assert_cmpstr (patient->id, ==, "ana-1");
  g_assert_cmpstr (patient->given_name, ==, "Ana");
  g_assert_null (patient->display_name);
  g_assert_null (patient->surname);
  g_assert_null (patient->mail);
  g_assert_null (patient->street_address);
  g_assert_null (patient->city);
  g_assert_null (patient->date_of_birth);
  g_assert_null (patient->hospital_number);
}

/* A local account as people fill sign-up in: no mail but its sign-in name in identities, and
 * custom attributes as typed: the unambiguous ones made canonical, the rest kept as typed. */
static void
test_parse_profile_untidy (void)
{
  g_autoptr(GBytes) body = bytes (
    "{\"id\":\"lee-1\",\"mail\":null,\"identities\":["
    "{\"signInType\":\"userPrincipalName\",\"issuer\":\"t.onmicrosoft.com\","
    "\"issuerAssignedId\":\"lee-1@t.onmicrosoft.com\"},"
    "{\"signInType\":\"emailAddress\",\"issuer\":\"t.onmicrosoft.com\","
    "\"issuerAssignedId\":\"lee@example.org\"}],"
    "\"" EXT "DateofBirth\":\"2 Jan 1990\",\"" EXT "HospitalNumber\":\" HN30511\\u0007 \","
    "\"" EXT "Gender\":\"F\"}");
  g_autoptr(GBytes) ambiguous = bytes (
    "{\"id\":\"lee-2\",\"identities\":[{\"signInType\":\"userName\","
    "\"issuerAssignedId\":\"lee\"}],"
    "\"" EXT "DateofBirth\":\"01/02/1990\",\"" EXT "Gender\":\"male\"}");
  g_autoptr(MrPatient) patient = mr_graph_parse_profile (200, body, APP_ID, NULL);
  g_autoptr(MrPatient) other = mr_graph_parse_profile (200, ambiguous, APP_ID, NULL);

  g_assert_cmpstr (patient->mail, ==, "lee@example.org");
  g_assert_cmpstr (patient->date_of_birth, ==, "1990-01-02");
  g_assert_cmpstr (patient->hospital_number, ==, "HN30511");
  g_assert_cmpstr (patient->gender, ==, "Female");

  /* No email sign-in name: no mail (the ID token's email claim may still give one). */
  g_assert_null (other->mail);
  g_assert_cmpstr (other->date_of_birth, ==, "01/02/1990");
  g_assert_cmpstr (other->gender, ==, "Male");
}

static void
test_parse_profile_wrong_types (void)
{
  g_autoptr(GBytes) body = bytes (
    "{\"id\":\"x-1\",\"givenName\":42,\"surname\":null,\"displayName\":{\"a\":\"b\"},"
    "\"mail\":[\"a@example.org\"],\"city\":true,\"country\":\"NO\",\"postalCode\":1.5,"
    "\"" EXT "Gender\":{\"value\":\"Male\"},\"" EXT "HospitalNumber\":11112,"
    "\"" EXT "DateofBirth\":\"1990-05-17\"}");
  g_autoptr(MrPatient) patient = mr_graph_parse_profile (200, body, APP_ID, NULL);

  g_assert_nonnull (patient);
  g_assert_null (patient->given_name);
  g_assert_null (patient->surname);
  g_assert_null (patient->display_name);
  g_assert_null (patient->mail);
  g_assert_null (patient->city);
  g_assert_null (patient->postal_code);
  g_assert_null (patient->gender);
  g_assert_null (patient->hospital_number);
  g_assert_cmpstr (patient->country, ==, "NO");
  g_assert_cmpstr (patient->date_of_birth, ==, "1990-05-17");
}

static void
test_parse_profile_unicode (void)
{
  g_autoptr(GBytes) body = bytes ("{\"id\":\"z\",\"givenName\":\"Zo\\u00eb\","
                                  "\"surname\":\"Núñez-Ødegård\"}");
  g_autoptr(MrPatient) patient = mr_graph_parse_profile (200, body, APP_ID, NULL);

  g_assert_cmpstr (patient->given_name, ==, "Zoë");
  g_assert_cmpstr (patient->surname, ==, "Núñez-Ødegård");
}

typedef struct {
  const char *name;
  guint       status;
  const char *body;           /* NULL: no body at all */
  int         code;
  const char *words;          /* a part of the message */
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "not-json", 200, "id=530772a4", MR_GRAPH_ERROR_BAD_RESPONSE,
    "Microsoft Graph sent an answer the app cannot read." },
  { "html", 200, "<!DOCTYPE html><html><body>Sign in</body></html>",
    MR_GRAPH_ERROR_BAD_RESPONSE, "cannot read" },
  { "array", 200, "[{\"id\":\"a\"}]", MR_GRAPH_ERROR_BAD_RESPONSE, "cannot read" },
  { "string", 200, "\"id\"", MR_GRAPH_ERROR_BAD_RESPONSE, "cannot read" },
  { "empty", 200, "", MR_GRAPH_ERROR_BAD_RESPONSE, "cannot read" },
  { "no-body", 200, NULL, MR_GRAPH_ERROR_BAD_RESPONSE, "cannot read" },
  { "truncated", 200, "{\"id\":\"a\",", MR_GRAPH_ERROR_BAD_RESPONSE, "cannot read" },
  { "missing-id", 200, "{\"givenName\":\"Jack\"}", MR_GRAPH_ERROR_BAD_RESPONSE, "cannot read" },
  { "numeric-id", 200, "{\"id\":5,\"givenName\":\"Jack\"}", MR_GRAPH_ERROR_BAD_RESPONSE,
    "cannot read" },
  { "empty-id", 200, "{\"id\":\"\"}", MR_GRAPH_ERROR_BAD_RESPONSE, "cannot read" },
  { "401", 401,
    "{\"error\":{\"code\":\"InvalidAuthenticationToken\","
    "\"message\":\"Access token has expired.\"}}",
    MR_GRAPH_ERROR_UNAUTHORIZED, "Your sign-in has expired. Please sign in again." },
  { "403", 403,
    "{\"error\":{\"code\":\"Authorization_RequestDenied\","
    "\"message\":\"Insufficient privileges to complete the operation.\"}}",
    MR_GRAPH_ERROR_FORBIDDEN, "User.Read" },
  { "404", 404,
    "{\"error\":{\"code\":\"Request_ResourceNotFound\","
    "\"message\":\"Resource 'x' does not exist\"}}",
    MR_GRAPH_ERROR_NOT_FOUND, "404" },
  { "429", 429,
    "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Too many requests.\"}}",
    MR_GRAPH_ERROR_THROTTLED, "wait" },
  { "503", 503, "", MR_GRAPH_ERROR_THROTTLED, "wait" },
  { "500-graph-error", 500,
    "{\"error\":{\"code\":\"generalException\",\"message\":\"jack@example.org HN11112\"}}",
    MR_GRAPH_ERROR_FAILED, "(500, generalException)" },
  { "400-graph-error", 400,
    "{\"error\":{\"code\":\"Request_UnsupportedQuery\",\"message\":\"Unsupported query.\"}}",
    MR_GRAPH_ERROR_FAILED, "Request_UnsupportedQuery" },
  { "500-html", 500, "<html>oops</html>", MR_GRAPH_ERROR_FAILED, "(500)" },
  { "502-code-with-data", 502,
    "{\"error\":{\"code\":\"bad code with jack@example.org\",\"message\":\"m\"}}",
    MR_GRAPH_ERROR_FAILED, "(502)" },
};

static void
test_parse_error (gconstpointer data)
{
  const ErrorCase *c = data;
  g_autoptr(GBytes) body = c->body != NULL ? bytes (c->body) : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MrPatient) patient = mr_graph_parse_profile (c->status, body, APP_ID, &error);

  g_assert_null (patient);
  g_assert_error (error, MR_GRAPH_ERROR, c->code);
  g_assert_nonnull (strstr (error->message, c->words));
  /* Nothing the answer said about the user reaches the message. */
  g_assert_null (strstr (error->message, "example.org"));
  g_assert_null (strstr (error->message, "HN11112"));
  g_assert_null (strstr (error->message, "Insufficient privileges"));
}

static void
test_parse_too_large (void)
{
  GString *s = g_string_new ("{\"id\":\"a\",\"jobTitle\":\"");
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MrPatient) patient = NULL;

  while (s->len < 1024 * 1024 + 16)
    g_string_append (s, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  g_string_append (s, "\"}");
  body = g_string_free_to_bytes (s);
  patient = mr_graph_parse_profile (200, body, NULL, &error);
  g_assert_null (patient);
  g_assert_error (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_BAD_RESPONSE);
}

/* GET /me against a local server */

typedef struct {
  GMutex      lock;
  guint       n_requests;
  char       *method;
  char       *path;
  char       *query;
  char       *authorization;
  char       *accept;
  guint       status;
  const char *body;
} Server;

static void
server_cb (SoupServer        *soup_server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Server *server = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);

  g_mutex_lock (&server->lock);
  server->n_requests++;
  g_free (server->method);
  server->method = g_strdup (soup_server_message_get_method (msg));
  g_free (server->path);
  server->path = g_strdup (path);
  g_free (server->query);
  server->query = g_strdup (g_uri_get_query (uri));
  g_free (server->authorization);
  server->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_free (server->accept);
  server->accept = g_strdup (soup_message_headers_get_one (headers, "Accept"));
  g_mutex_unlock (&server->lock);

  soup_server_message_set_status (msg, server->status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    server->body, strlen (server->body));
}

static void
server_clear (Server *server)
{
  g_free (server->method);
  g_free (server->path);
  g_free (server->query);
  g_free (server->authorization);
  g_free (server->accept);
  g_mutex_clear (&server->lock);
}

typedef struct {
  gboolean   done;
  MrPatient *patient;
  GError    *error;
} Result;

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
get_me (const char *graph_url,
        Result     *r)
{
  /* No proxy: every peer is on 127.0.0.1, and the isolated XDG dirs hide the proxy schemas. */
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);

  mr_graph_get_me_async (session, graph_url, APP_ID, "tok.en-123", NULL, get_me_cb, r);
  /* The call does not block: nothing is done before the main loop runs. */
  g_assert_false (r->done);
  g_assert_true (mr_test_wait_for (&r->done, 10000));
}

static void
test_get_me (void)
{
  Server server = { .status = 200, .body = profile_json };
  g_autoptr(MrTestServer) test_server = NULL;
  g_autofree char *graph_url = NULL;
  Result r = { 0 };

  g_mutex_init (&server.lock);
  test_server = mr_test_server_new (server_cb, &server);
  graph_url = g_strconcat (mr_test_server_get_url (test_server), "/v1.0/", NULL);
  get_me (graph_url, &r);
  g_clear_pointer (&test_server, mr_test_server_free);

  g_assert_no_error (r.error);
  g_assert_nonnull (r.patient);
  g_assert_cmpstr (r.patient->hospital_number, ==, "HN11112");
  g_assert_cmpuint (server.n_requests, ==, 1);
  g_assert_cmpstr (server.method, ==, "GET");
  g_assert_cmpstr (server.path, ==, "/v1.0/me");
  g_assert_cmpstr (server.query, ==, "$select=" SELECT_EXT);
  g_assert_cmpstr (server.authorization, ==, "Bearer tok.en-123");
  g_assert_cmpstr (server.accept, ==, "application/json");
  mr_patient_free (r.patient);
  server_clear (&server);
}

static void
test_get_me_unauthorized (void)
{
  Server server = {
    .status = 401,
    .body = "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"expired\"}}"
  };
  g_autoptr(MrTestServer) test_server = NULL;
  g_autofree char *graph_url = NULL;
  Result r = { 0 };

  g_mutex_init (&server.lock);
  test_server = mr_test_server_new (server_cb, &server);
  graph_url = g_strconcat (mr_test_server_get_url (test_server), "/v1.0", NULL);
  get_me (graph_url, &r);
  g_clear_pointer (&test_server, mr_test_server_free);

  g_assert_null (r.patient);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_UNAUTHORIZED);
  /* No retry behind the caller's back: refreshing the token is the caller's decision. */
  g_assert_cmpuint (server.n_requests, ==, 1);
  g_clear_error (&r.error);
  server_clear (&server);
}

/* A port nobody listens on: take one from a server, then stop it. */
static void
test_get_me_network (void)
{
  Server server = { .status = 200, .body = profile_json };
  g_autofree char *graph_url = NULL;
  MrTestServer *test_server;
  Result r = { 0 };

  g_mutex_init (&server.lock);
  test_server = mr_test_server_new (server_cb, &server);
  graph_url = g_strconcat (mr_test_server_get_url (test_server), "/v1.0", NULL);
  mr_test_server_free (test_server);
  get_me (graph_url, &r);

  g_assert_null (r.patient);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NETWORK);
  g_assert_cmpuint (server.n_requests, ==, 0);
  g_clear_error (&r.error);
  server_clear (&server);
}

/* ---- The extensions app, and custom attributes from the ID token ---------------------------- */

#define APPS_FILTER "$filter=startswith(displayName,'b2c-extensions-app')&$select=appId,displayName"

/* Shaped like the spec's /applications answer. */
static const char apps_json[] =
  "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#applications(appId,"
  "displayName)\",\"value\":[{\"appId\":\"" APP_ID "\",\"displayName\":\"b2c-extensions-app. "
  "Do not modify. Used by AADB2C for storing user data.\"}]}";

static void
test_extensions_app_url (void)
{
  g_autofree char *url = mr_graph_extensions_app_url ("https://graph.microsoft.com/v1.0/");

  g_assert_cmpstr (url, ==, "https://graph.microsoft.com/v1.0/applications?" APPS_FILTER);
}

static void
test_parse_extensions_app (void)
{
  static const struct {
    guint       status;
    const char *body;
    const char *app_id;   /* NULL: an error */
    int         error_code;
  } cases[] = {
    { 200, apps_json, APP_ID, 0 },
    { 200, "{\"value\":[{\"appId\":\"3888D42C-CD5F-4582-AFA2-F9B641643FAC\","
      "\"displayName\":\"b2c-extensions-app\"}]}", APP_ID, 0 },
    { 200, "{\"value\":[{\"appId\":\"not-a-guid\",\"displayName\":\"b2c-extensions-app\"},"
      "{\"appId\":\"" APP_ID "\",\"displayName\":\"b2c-extensions-app. Do not modify.\"}]}",
      APP_ID, 0 },
    { 200, "{\"value\":[]}", NULL, MR_GRAPH_ERROR_NOT_FOUND },
    { 200, "{\"value\":[{\"appId\":\"" APP_ID "\",\"displayName\":\"Medication Refill\"}]}",
      NULL, MR_GRAPH_ERROR_NOT_FOUND },
    { 200, "{\"value\":[{\"displayName\":\"b2c-extensions-app\"}]}", NULL,
      MR_GRAPH_ERROR_NOT_FOUND },
    { 200, "{\"value\":{}}", NULL, MR_GRAPH_ERROR_BAD_RESPONSE },
    { 200, "<html></html>", NULL, MR_GRAPH_ERROR_BAD_RESPONSE },
    { 403, "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient "
      "privileges to complete the operation.\",\"innerError\":{\"request-id\":\"c1a4\","
      "\"date\":\"2020-06-01T00:00:00\"}}}", NULL, MR_GRAPH_ERROR_FORBIDDEN },
    { 401, "{\"error\":{\"code\":\"InvalidAuthenticationToken\"}}", NULL,
      MR_GRAPH_ERROR_UNAUTHORIZED },
    { 429, "{\"error\":{\"code\":\"TooManyRequests\"}}", NULL, MR_GRAPH_ERROR_THROTTLED },
    { 500, "", NULL, MR_GRAPH_ERROR_FAILED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = bytes (cases[i].body);
      g_autoptr(GError) error = NULL;
      g_autofree char *app_id = mr_graph_parse_extensions_app (cases[i].status, body, &error);

      g_test_message ("applications case %" G_GSIZE_FORMAT, i);
      if (cases[i].app_id != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (app_id, ==, cases[i].app_id);
        }
      else
        {
          g_assert_null (app_id);
          g_assert_error (error, MR_GRAPH_ERROR, cases[i].error_code);
          g_assert_null (strstr (error->message, "Insufficient"));
        }
    }
}

typedef struct {
  gboolean  done;
  char     *app_id;
  GError   *error;
} AppResult;

static void
find_app_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AppResult *r = user_data;

  r->app_id = mr_graph_find_extensions_app_finish (result, &r->error);
  r->done = TRUE;
}

static void
find_app (guint       status,
          const char *body,
          AppResult  *r,
          Server     *server)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(MrTestServer) test_server = NULL;
  g_autofree char *graph_url = NULL;

  server->status = status;
  server->body = body;
  g_mutex_init (&server->lock);
  test_server = mr_test_server_new (server_cb, server);
  graph_url = g_strconcat (mr_test_server_get_url (test_server), "/v1.0", NULL);
  mr_graph_find_extensions_app_async (session, graph_url, "tok.en-123", NULL, find_app_cb, r);
  g_assert_false (r->done);
  g_assert_true (mr_test_wait_for (&r->done, 10000));
}

static void
test_find_extensions_app (void)
{
  Server server = { 0 };
  AppResult r = { 0 };

  find_app (200, apps_json, &r, &server);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.app_id, ==, APP_ID);
  g_assert_cmpuint (server.n_requests, ==, 1);
  g_assert_cmpstr (server.method, ==, "GET");
  g_assert_cmpstr (server.path, ==, "/v1.0/applications");
  g_assert_cmpstr (server.query, ==, APPS_FILTER);
  g_assert_cmpstr (server.authorization, ==, "Bearer tok.en-123");
  g_free (r.app_id);
  server_clear (&server);
}

/* Without Application.Read.All, Graph says 403: the caller falls back to the token's claims. */
static void
test_find_extensions_app_forbidden (void)
{
  Server server = { 0 };
  AppResult r = { 0 };

  find_app (403, "{\"error\":{\"code\":\"Authorization_RequestDenied\"}}", &r, &server);
  g_assert_null (r.app_id);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (r.error->message, "Application.Read.All"));
  g_clear_error (&r.error);
  server_clear (&server);
}

static void
test_fill_from_claims (void)
{
  static const struct {
    const char *name;
    const char *claims;       /* JSON object or NULL */
    const char *ext_app_id;
    gboolean    graph_had_dob;
    const char *dob;
    const char *hn;
    const char *gender;
    const char *missing;      /* space-separated */
  } cases[] = {
    { "short-names", "{\"DOB\":\"2000-01-01\",\"HN\":\"HN11112\",\"Gender\":\"Male\"}", NULL,
      FALSE, "2000-01-01", "HN11112", "Male", "" },
    { "extension-short-names", "{\"extension_DOB\":\"2000-01-01\",\"extension_HN\":\"HN1\","
      "\"extension_Gender\":\"Female\"}", APP_ID, FALSE, "2000-01-01", "HN1", "Female", "" },
    { "extension-app-names-win", "{\"" EXT "DateofBirth\":\"1999-12-31\",\"DOB\":\"2000-01-01\","
      "\"" EXT "HospitalNumber\":\"HN2\",\"" EXT "Gender\":\"Other\"}", APP_ID, FALSE,
      "1999-12-31", "HN2", "Other", "" },
    { "app-names-need-the-app-id", "{\"" EXT "DateofBirth\":\"1999-12-31\"}", NULL, FALSE, NULL,
      NULL, NULL, "DateofBirth HospitalNumber Gender" },
    { "graph-value-kept", "{\"DOB\":\"2000-01-01\",\"HN\":\"HN3\"}", NULL, TRUE, "1980-05-05",
      "HN3", NULL, "Gender" },
    { "wrong-types-and-empty", "{\"DOB\":20000101,\"HN\":\"\",\"Gender\":[\"Male\"]}", NULL,
      FALSE, NULL, NULL, NULL, "DateofBirth HospitalNumber Gender" },
    { "no-claims", NULL, APP_ID, FALSE, NULL, NULL, NULL, "DateofBirth HospitalNumber Gender" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrPatient) patient = mr_patient_new ();
      g_autoptr(JsonNode) node = cases[i].claims != NULL
                                 ? json_from_string (cases[i].claims, NULL) : NULL;
      g_auto(GStrv) missing = NULL;
      g_autofree char *joined = NULL;

      g_test_message ("claims case %s", cases[i].name);
      if (cases[i].graph_had_dob)
        patient->date_of_birth = g_strdup ("1980-05-05");
      missing = mr_patient_fill_from_claims (patient,
                                             node != NULL ? json_node_get_object (node) : NULL,
                                             cases[i].ext_app_id);
      joined = g_strjoinv (" ", missing);
      g_assert_cmpstr (patient->date_of_birth, ==, cases[i].dob);
      g_assert_cmpstr (patient->hospital_number, ==, cases[i].hn);
      g_assert_cmpstr (patient->gender, ==, cases[i].gender);
      g_assert_cmpstr (joined, ==, cases[i].missing);
    }
}

/* No mail in Graph: the ID token's email claim, the address the account signs in with. A mail
 * Graph gave is kept. Custom attributes from claims are tidied as Graph's are. */
static void
test_claims_email_fallback (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(MrPatient) patient = mr_patient_new ();
  g_autoptr(MrPatient) with_mail = mr_patient_new ();
  g_auto(GStrv) missing = NULL;
  g_auto(GStrv) again = NULL;
  JsonObject *claims;

  g_assert_true (json_parser_load_from_data (parser, "{\"email\":\" lee@example.org \","
                                             "\"extension_DOB\":\"January 2, 1990\"}",
                                             -1, NULL));
  claims = json_node_get_object (json_parser_get_root (parser));
  missing = mr_patient_fill_from_claims (patient, claims, NULL);
  g_assert_cmpstr (patient->mail, ==, "lee@example.org");
  g_assert_cmpstr (patient->date_of_birth, ==, "1990-01-02");

  with_mail->mail = g_strdup ("lee.graph@example.org");
  again = mr_patient_fill_from_claims (with_mail, claims, NULL);
  g_assert_cmpstr (with_mail->mail, ==, "lee.graph@example.org");
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/graph/extension-name", test_extension_name);
  g_test_add_func ("/graph/me-url", test_me_url);
  g_test_add_func ("/graph/parse/profile", test_parse_profile);
  g_test_add_func ("/graph/parse/no-extensions-app", test_parse_profile_no_ext);
  g_test_add_func ("/graph/parse/missing", test_parse_profile_missing);
  g_test_add_func ("/graph/parse/untidy-local-account", test_parse_profile_untidy);
  g_test_add_func ("/graph/claims/email-fallback", test_claims_email_fallback);
  g_test_add_func ("/graph/parse/wrong-types", test_parse_profile_wrong_types);
  g_test_add_func ("/graph/parse/unicode", test_parse_profile_unicode);
  g_test_add_func ("/graph/parse/too-large", test_parse_too_large);
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/graph/parse/error/%s", error_cases[i].name);

      g_test_add_data_func (path, &error_cases[i], test_parse_error);
    }
  g_test_add_func ("/graph/get-me", test_get_me);
  g_test_add_func ("/graph/get-me/unauthorized", test_get_me_unauthorized);
  g_test_add_func ("/graph/get-me/network", test_get_me_network);
  g_test_add_func ("/graph/extensions-app/url", test_extensions_app_url);
  g_test_add_func ("/graph/extensions-app/parse", test_parse_extensions_app);
  g_test_add_func ("/graph/extensions-app/find", test_find_extensions_app);
  g_test_add_func ("/graph/extensions-app/forbidden", test_find_extensions_app_forbidden);
  g_test_add_func ("/graph/fill-from-claims", test_fill_from_claims);
  return g_test_run ();
}

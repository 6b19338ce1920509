/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every Graph call carries the person's token: a redirect, even to another path of the same
 * server, is never followed (the token would go with it), and ends the call with a sentence. */
#include "mr-graph.h"

#include <string.h>

#include "mr-test-server.h"

#define APP_ID    "b2c0ffee-0000-0000-0000-000000000000"
#define TOKEN     "tok.en-123"
#define ELSEWHERE "/elsewhere"

typedef struct {
  GMutex  lock;
  guint   n_requests;
  guint   n_elsewhere;
  char   *elsewhere_authorization;
} Server;

/* Answers 302 to ELSEWHERE on the same server; ELSEWHERE itself answers 200 with an empty object
 * and notes the Authorization it was sent. */
static void
server_cb (SoupServer        *soup_server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Server *server = user_data;
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);

  g_mutex_lock (&server->lock);
  server->n_requests++;
  if (strcmp (path, ELSEWHERE) == 0)
    {
      server->n_elsewhere++;
      g_free (server->elsewhere_authorization);
      server->elsewhere_authorization = g_strdup (soup_message_headers_get_one (in,
                                                                               "Authorization"));
      g_mutex_unlock (&server->lock);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
      return;
    }
  g_mutex_unlock (&server->lock);
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, ELSEWHERE);
}

typedef struct {
  gboolean  done;
  gpointer  value;
  GError   *error;
} Result;

static void
get_me_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->value = mr_graph_get_me_finish (result, &r->error);
  r->done = TRUE;
}

static void
get_user_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->value = mr_graph_get_user_finish (result, &r->error);
  r->done = TRUE;
}

static void
search_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->value = mr_graph_search_users_finish (result, NULL, &r->error);
  r->done = TRUE;
}

static void
find_app_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->value = mr_graph_find_extensions_app_finish (result, &r->error);
  r->done = TRUE;
}

static void
patch_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->value = GINT_TO_POINTER (mr_graph_patch_profile_finish (result, NULL, &r->error));
  r->done = TRUE;
}

typedef enum { CALL_ME, CALL_USER, CALL_SEARCH, CALL_APP, CALL_PATCH } Call;

static void
start (Call         call,
       SoupSession *session,
       const char  *graph_url,
       Result      *r)
{
  g_autoptr(JsonObject) changes = json_object_new ();

  json_object_set_string_member (changes, "city", "København");
  switch (call)
    {
    case CALL_ME:
      mr_graph_get_me_async (session, graph_url, APP_ID, TOKEN, NULL, get_me_cb, r);
      break;
    case CALL_USER:
      mr_graph_get_user_async (session, graph_url, APP_ID, TOKEN,
                               "530772a4-0000-0000-0000-000000000001", NULL, get_user_cb, r);
      break;
    case CALL_SEARCH:
      mr_graph_search_users_async (session, graph_url, APP_ID, TOKEN, MR_LOOKUP_NAME, "Zo", NULL,
                                   search_cb, r);
      break;
    case CALL_APP:
      mr_graph_find_extensions_app_async (session, graph_url, TOKEN, NULL, find_app_cb, r);
      break;
    case CALL_PATCH:
    default:
      mr_graph_patch_profile_async (session, graph_url, NULL, changes, TOKEN, NULL, patch_cb, r);
      break;
    }
}

static void
test_redirect (gconstpointer data)
{
  Call call = GPOINTER_TO_INT (data);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(MrTestServer) test_server = NULL;
  g_autofree char *graph_url = NULL;
  Server server = { 0 };
  Result r = { 0 };

  g_mutex_init (&server.lock);
  test_server = mr_test_server_new (server_cb, &server);
  graph_url = g_strconcat (mr_test_server_get_url (test_server), "/v1.0", NULL);
  start (call, session, graph_url, &r);
  g_assert_true (mr_test_wait_for (&r.done, 10000));
  g_clear_pointer (&test_server, mr_test_server_free);

  g_assert_cmpuint (server.n_elsewhere, ==, 0);
  g_assert_null (server.elsewhere_authorization);
  g_assert_cmpuint (server.n_requests, ==, 1);
  g_assert_error (r.error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED);
  g_assert_nonnull (strstr (r.error->message, "another address (302)"));
  g_assert_true (r.value == NULL || r.value == GINT_TO_POINTER (FALSE));
  g_clear_error (&r.error);
  g_mutex_clear (&server.lock);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);
  g_test_add_data_func ("/graph-redirect/me", GINT_TO_POINTER (CALL_ME), test_redirect);
  g_test_add_data_func ("/graph-redirect/user", GINT_TO_POINTER (CALL_USER), test_redirect);
  g_test_add_data_func ("/graph-redirect/search", GINT_TO_POINTER (CALL_SEARCH), test_redirect);
  g_test_add_data_func ("/graph-redirect/extensions-app", GINT_TO_POINTER (CALL_APP),
                        test_redirect);
  g_test_add_data_func ("/graph-redirect/patch", GINT_TO_POINTER (CALL_PATCH), test_redirect);
  return g_test_run ();
}

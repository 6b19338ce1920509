/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The system-browser sign-in's loopback listener (RFC 8252), driven by a scripted HTTP client that
 * stands in for the browser. */
#include "mr-identity.h"

#include "mr-test-server.h"

#define WAIT_MS 10000
#define CLOSE_TAB "You can close this tab and go back to Medication Refill."

typedef struct {
  SoupSession        *session;
  MrLoopbackListener *listener;
  GCancellable       *cancellable;
  gboolean            finished;
  char               *callback_uri;
  GError             *error;
} Fixture;

typedef struct {
  gboolean  done;
  guint     status;
  char     *content_type;
  char     *body;
  GError   *error;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_free (reply->content_type);
  g_free (reply->body);
  g_clear_error (&reply->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  fixture->listener = mr_loopback_listener_new ("/auth/callback", &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->listener);
  fixture->cancellable = g_cancellable_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->session);
  if (fixture->listener != NULL)
    g_assert_finalize_object (fixture->listener);
  g_clear_object (&fixture->cancellable);
  g_free (fixture->callback_uri);
  g_clear_error (&fixture->error);
}

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->callback_uri = mr_loopback_listener_wait_finish (MR_LOOPBACK_LISTENER (source), result,
                                                            &fixture->error);
  fixture->finished = TRUE;
}

static void
start_wait (Fixture    *fixture,
            const char *state)
{
  mr_loopback_listener_wait_async (fixture->listener, state, fixture->cancellable, wait_done_cb,
                                   fixture);
}

static void
send_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Reply *reply = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              &reply->error);

  if (body != NULL)
    {
      reply->status = soup_message_get_status (msg);
      reply->content_type = g_strdup (soup_message_headers_get_one (
          soup_message_get_response_headers (msg), "Content-Type"));
      reply->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
    }
  reply->done = TRUE;
}

/* What the browser does: one request, and the page it gets back. */
static void
browse (Fixture    *fixture,
        const char *method,
        const char *uri,
        Reply      *reply)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);

  g_assert_nonnull (msg);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    send_done_cb, reply);
  g_assert_true (mr_test_wait_for (&reply->done, WAIT_MS));
}

static char *
callback_url (Fixture    *fixture,
              const char *suffix)
{
  return g_strconcat (mr_loopback_listener_get_redirect_uri (fixture->listener), suffix, NULL);
}

static void
spin_a_little (void)
{
  gboolean never = FALSE;

  mr_test_wait_for (&never, 100);
}

static void
test_redirect_uri_is_loopback_literal (Fixture       *fixture,
                                       gconstpointer  data)
{
  const char *redirect = mr_loopback_listener_get_redirect_uri (fixture->listener);
  g_autoptr(GUri) uri = g_uri_parse (redirect, G_URI_FLAGS_NONE, NULL);
  g_autofree char *other = NULL;
  g_auto(Reply) reply = { 0 };

  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "http");
  g_assert_cmpstr (g_uri_get_host (uri), ==, "127.0.0.1");
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/auth/callback");
  g_assert_null (g_uri_get_query (uri));

  /* Bound to 127.0.0.1 itself, not to every address: the same port elsewhere on the loopback
   * network (and so on any other interface) has nobody listening. */
  other = g_strdup_printf ("http://127.0.0.2:%d/auth/callback", g_uri_get_port (uri));
  browse (fixture, "GET", other, &reply);
  g_assert_error (reply.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_good_callback (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *url = callback_url (fixture, "?code=c0de-%2F-1&state=st4te&session_state=x");
  const char *redirect = mr_loopback_listener_get_redirect_uri (fixture->listener);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_auto(Reply) reply = { 0 };

  start_wait (fixture, "st4te");
  spin_a_little ();
  g_assert_false (fixture->finished);

  browse (fixture, "GET", url, &reply);
  g_assert_no_error (reply.error);
  g_assert_cmpuint (reply.status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (reply.content_type, ==, "text/html; charset=utf-8");
  g_assert_nonnull (strstr (reply.body, "<meta charset=\"utf-8\">"));
  g_assert_nonnull (strstr (reply.body, CLOSE_TAB));
  /* The page does not echo the code back. */
  g_assert_null (strstr (reply.body, "c0de"));

  g_assert_true (mr_test_wait_for (&fixture->finished, WAIT_MS));
  g_assert_no_error (fixture->error);
  g_assert_cmpstr (fixture->callback_uri, ==, url);

  code = mr_oidc_parse_callback (redirect, fixture->callback_uri, "st4te", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, "c0de-/-1");
}

static void
test_error_callback_passed_through (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autofree char *url = callback_url (fixture, "?error=access_denied"
                                       "&error_description=AADSTS65004%3A+User+declined&state=s1");
  const char *redirect = mr_loopback_listener_get_redirect_uri (fixture->listener);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_auto(Reply) reply = { 0 };

  start_wait (fixture, "s1");
  browse (fixture, "GET", url, &reply);
  g_assert_cmpuint (reply.status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (reply.body, CLOSE_TAB));

  g_assert_true (mr_test_wait_for (&fixture->finished, WAIT_MS));
  g_assert_no_error (fixture->error);
  g_assert_cmpstr (fixture->callback_uri, ==, url);
  code = mr_oidc_parse_callback (redirect, fixture->callback_uri, "s1", &error);
  g_assert_null (code);
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CANCELLED);
}

static void
test_wrong_path_and_method (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GUri) redirect = g_uri_parse (mr_loopback_listener_get_redirect_uri (fixture->listener),
                                          G_URI_FLAGS_NONE, NULL);
  g_autofree char *wrong = g_strdup_printf ("http://127.0.0.1:%d/auth/callbackx?code=a&state=s",
                                            g_uri_get_port (redirect));
  g_autofree char *root = g_strdup_printf ("http://127.0.0.1:%d/?code=a&state=s",
                                           g_uri_get_port (redirect));
  g_autofree char *good = callback_url (fixture, "?code=a&state=s");
  g_auto(Reply) not_found = { 0 };
  g_auto(Reply) at_root = { 0 };
  g_auto(Reply) posted = { 0 };
  g_auto(Reply) reply = { 0 };

  start_wait (fixture, "s");
  browse (fixture, "GET", wrong, &not_found);
  browse (fixture, "GET", root, &at_root);
  browse (fixture, "POST", good, &posted);
  g_assert_cmpuint (not_found.status, ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (at_root.status, ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (posted.status, ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  spin_a_little ();
  g_assert_false (fixture->finished);

  /* Still waiting: the real callback gets through. */
  browse (fixture, "GET", good, &reply);
  g_assert_cmpuint (reply.status, ==, SOUP_STATUS_OK);
  g_assert_true (mr_test_wait_for (&fixture->finished, WAIT_MS));
  g_assert_cmpstr (fixture->callback_uri, ==, good);
}

static void
test_foreign_state_refused (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *forged = callback_url (fixture, "?code=evil&state=guess");
  g_autofree char *stateless = callback_url (fixture, "?code=evil");
  g_autofree char *good = callback_url (fixture, "?code=mine&state=real");
  g_auto(Reply) first = { 0 };
  g_auto(Reply) second = { 0 };
  g_auto(Reply) reply = { 0 };

  start_wait (fixture, "real");
  browse (fixture, "GET", forged, &first);
  browse (fixture, "GET", stateless, &second);
  g_assert_cmpuint (first.status, ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (second.status, ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_null (strstr (first.body, CLOSE_TAB));
  spin_a_little ();
  g_assert_false (fixture->finished);

  browse (fixture, "GET", good, &reply);
  g_assert_cmpuint (reply.status, ==, SOUP_STATUS_OK);
  g_assert_true (mr_test_wait_for (&fixture->finished, WAIT_MS));
  g_assert_cmpstr (fixture->callback_uri, ==, good);
}

static void
test_second_callback_refused (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *url = callback_url (fixture, "?code=one&state=s");
  g_autofree char *again = callback_url (fixture, "?code=two&state=s");
  g_auto(Reply) first = { 0 };
  g_auto(Reply) second = { 0 };
  g_auto(Reply) after_free = { 0 };

  start_wait (fixture, "s");
  browse (fixture, "GET", url, &first);
  g_assert_true (mr_test_wait_for (&fixture->finished, WAIT_MS));
  g_assert_cmpstr (fixture->callback_uri, ==, url);

  browse (fixture, "GET", again, &second);
  g_assert_cmpuint (second.status, ==, SOUP_STATUS_CONFLICT);
  g_assert_nonnull (strstr (second.body, "already used"));
  g_assert_cmpstr (fixture->callback_uri, ==, url);

  /* Once the app lets go of the listener, its port is closed. */
  g_assert_finalize_object (g_steal_pointer (&fixture->listener));
  g_clear_object (&fixture->session);
  fixture->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  browse (fixture, "GET", url, &after_free);
  g_assert_error (after_free.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *url = callback_url (fixture, "?code=late&state=s");
  g_auto(Reply) reply = { 0 };

  start_wait (fixture, "s");
  spin_a_little ();
  g_cancellable_cancel (fixture->cancellable);
  g_assert_true (mr_test_wait_for (&fixture->finished, WAIT_MS));
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (fixture->callback_uri);

  /* A browser that comes back late is told the sign-in is over. */
  browse (fixture, "GET", url, &reply);
  g_assert_cmpuint (reply.status, ==, SOUP_STATUS_GONE);
  g_assert_nonnull (strstr (reply.body, "cancelled"));
}

static void
test_cancelled_before_wait (Fixture       *fixture,
                            gconstpointer  data)
{
  g_cancellable_cancel (fixture->cancellable);
  start_wait (fixture, "s");
  g_assert_true (mr_test_wait_for (&fixture->finished, WAIT_MS));
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_two_listeners_two_ports (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrLoopbackListener) a = mr_loopback_listener_new ("/cb", &error);
  g_autoptr(MrLoopbackListener) b = mr_loopback_listener_new ("/cb", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (mr_loopback_listener_get_redirect_uri (a), !=,
                   mr_loopback_listener_get_redirect_uri (b));
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/loopback/redirect-uri-is-loopback-literal", test_redirect_uri_is_loopback_literal);
  ADD ("/loopback/good-callback", test_good_callback);
  ADD ("/loopback/error-callback-passed-through", test_error_callback_passed_through);
  ADD ("/loopback/wrong-path-and-method", test_wrong_path_and_method);
  ADD ("/loopback/foreign-state-refused", test_foreign_state_refused);
  ADD ("/loopback/second-callback-refused", test_second_callback_refused);
  ADD ("/loopback/cancel", test_cancel);
  ADD ("/loopback/cancelled-before-wait", test_cancelled_before_wait);
#undef ADD
  g_test_add_func ("/loopback/two-listeners-two-ports", test_two_listeners_two_ports);

  return g_test_run ();
}

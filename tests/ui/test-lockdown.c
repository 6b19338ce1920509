/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The locked-down sign-in view, proved by what happens: pages served by servers on 127.0.0.1 try
 * each thing the view must refuse, and the test watches the servers' logs, the window list, the
 * disk and the page itself. The view is the one the sign-in helper shows, in this process. */
#include <adwaita.h>

#include "mr-test-server.h"
#include "mr-signin-view.h"
#include "mr-ui-test.h"

#define QUIET_MS 1500   /* how long "nothing happened" is watched for */
#define PAYLOAD  "MEDREFILL-DOWNLOAD-PAYLOAD"
#define EXTRA_HOST "idp.medrefill.test"   /* an allowed, non-loopback host: never contacted */

static const char *home_root;

typedef struct {
  GMutex     lock;
  GPtrArray *paths;        /* every request's path, in order */
  char      *redirect_to;  /* where /authorize sends the browser */
} Served;

typedef struct {
  Served        idp;
  Served        callback;
  MrTestServer *idp_server;
  MrTestServer *callback_server;  /* listens on the redirect URI's port */
  char         *redirect_uri;
  GtkWidget    *window;
  GtkWidget    *view;
  GtkWidget    *web_view;
  GPtrArray    *redirects;
  GPtrArray    *failures;
} Fixture;

static const struct {
  const char *path;
  const char *html;
} pages[] = {
  { "/a", "<title>a</title><a id='foreign'>x</a> <a id='ok' href='/a-ok'>ok</a>"
          "<form id='form' method='post'><input name='x' value='1'></form><script>"
          "window.marker = 42; var other = 'http://localhost:' + location.port;"
          "document.getElementById('foreign').href = other + '/foreign-link';"
          "document.getElementById('form').action = other + '/foreign-form';</script>" },
  { "/b", "<title>b</title><a id='blank' target='_blank' href='/popup-link' "
          "style='position:fixed;left:0;top:0;width:100%;height:100%;display:block' "
          "onclick=\"document.title = 'clicked'\">new window</a><script>window.marker = 42;"
          "function tryOpen () { var w = window.open ('/popup-js');"
          "document.title = w === null ? 'open-null' : 'open-window'; }</script>" },
  { "/c", "<title>c</title><a id='dl' href='/download/medrefill-payload.bin'>dl</a>"
          "<script>window.marker = 42;</script>" },
  { "/d", "<title>d</title><input id='f' type='file' "
          "style='position:fixed;left:0;top:0;width:100%;height:100%' "
          "onclick=\"document.title = 'clicked'\"><script>window.marker = 42;</script>" },
  { "/e", "<title>e</title><script>window.results = {};"
          "function done (k, v) { results[k] = v; }"
          "if (navigator.geolocation) navigator.geolocation.getCurrentPosition ("
          "  function () { done ('geo', 'granted'); },"
          "  function (e) { done ('geo', e.code === 1 ? 'denied' : 'error ' + e.code); });"
          "else done ('geo', 'absent');"
          "if (window.Notification) Notification.requestPermission ().then ("
          "  function (p) { done ('notify', p); }, function (e) { done ('notify', e.name); });"
          "else done ('notify', 'absent');"
          "if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia)"
          "  navigator.mediaDevices.getUserMedia ({ audio: true, video: true }).then ("
          "    function () { done ('media', 'granted'); }, function (e) { done ('media', e.name); });"
          "else done ('media', 'absent');</script>" },
  { "/f", "<title>f</title><a id='file' href='file:///etc/passwd'>file</a>"
          "<a id='data' href='data:text/html,%3Ctitle%3Edata%3C/title%3E'>data</a>"
          "<a id='js' href=\"javascript:'%3Ctitle%3Ereplaced%3C/title%3E'\">js</a>"
          "<a id='ftp'>ftp</a><a id='plain' href='http://" EXTRA_HOST "/plain'>http</a>"
          "<a id='ok' href='/f-ok'>ok</a><script>window.marker = 42;"
          "document.getElementById('ftp').href = 'ftp://127.0.0.1:' + location.port + '/ftp';"
          "</script>" },
  { "/i", "<title>i</title><div style='position:fixed;left:0;top:0;width:100%;height:100%' "
          "oncontextmenu=\"document.title = 'menu-event'\">right-click me</div>" },
  { "/p", "<title>p</title><p>print me</p>" },
  /* Every kind of subresource, from the origin in ?o= (this page's own when none). */
  { "/s", "<title>s</title><script>window.marker = 42; window.results = {};"
          "var base = new URLSearchParams (location.search).get ('o') || location.origin;"
          "function done (k, v) { results[k] = v; }"
          "var img = new Image ();"
          "img.onload = function () { done ('img', 'loaded'); };"
          "img.onerror = function () { done ('img', 'error'); };"
          "img.src = base + '/sub/img';"
          "var s = document.createElement ('script');"
          "s.onload = function () { done ('script', 'loaded'); };"
          "s.onerror = function () { done ('script', 'error'); };"
          "s.src = base + '/sub/script'; document.head.appendChild (s);"
          "fetch (base + '/sub/fetch').then (function () { done ('fetch', 'ok'); },"
          "                                  function () { done ('fetch', 'error'); });"
          "var x = new XMLHttpRequest ();"
          "x.onload = function () { done ('xhr', 'ok'); };"
          "x.onerror = function () { done ('xhr', 'error'); };"
          "x.open ('GET', base + '/sub/xhr'); x.send ();"
          "try { var ws = new WebSocket (base.replace (/^http/, 'ws') + '/sub/ws');"
          "  ws.onopen = function () { done ('ws', 'open'); };"
          "  ws.onerror = function () { done ('ws', 'error'); };"
          "} catch (e) { done ('ws', 'thrown'); }</script>" },
  { "/g", "<title>g</title><a id='dl' download href='/attribute/medrefill-payload.txt'>dl</a>"
          "<script>window.marker = 42;</script>" },
  { "/a-ok", "<title>a-ok</title>" },
  { "/f-ok", "<title>f-ok</title>" },
};

static void
served_init (Served *served)
{
  g_mutex_init (&served->lock);
  served->paths = g_ptr_array_new_with_free_func (g_free);
}

static void
served_clear (Served *served)
{
  g_clear_pointer (&served->paths, g_ptr_array_unref);
  g_clear_pointer (&served->redirect_to, g_free);
  g_mutex_clear (&served->lock);
}

/* How many requests so far had a path starting with @prefix. */
static guint
served_count (Served     *served,
              const char *prefix)
{
  guint n = 0;

  g_mutex_lock (&served->lock);
  for (guint i = 0; i < served->paths->len; i++)
    n += g_str_has_prefix (served->paths->pdata[i], prefix);
  g_mutex_unlock (&served->lock);
  return n;
}

/* Runs in the server's thread. */
static void
idp_cb (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Served *served = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  g_mutex_lock (&served->lock);
  g_ptr_array_add (served->paths, g_strdup (path));
  g_mutex_unlock (&served->lock);

  if (g_str_equal (path, "/authorize") && served->redirect_to != NULL)
    {
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, served->redirect_to);
      return;
    }
  if (g_str_equal (path, "/redirect-foreign"))
    {
      g_autofree char *to = g_strdup_printf ("http://localhost:%d/foreign-302",
                                             g_uri_get_port (soup_server_message_get_uri (msg)));

      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, to);
      return;
    }
  if (g_str_has_prefix (path, "/sub/script"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/javascript", SOUP_MEMORY_STATIC, "1;", 2);
      return;
    }
  if (g_str_has_prefix (path, "/sub/") || g_str_has_prefix (path, "/attribute/"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, PAYLOAD "\n",
                                        strlen (PAYLOAD) + 1);
      return;
    }
  if (g_str_has_prefix (path, "/download/"))
    {
      soup_message_headers_replace (headers, "Content-Disposition",
                                    "attachment; filename=\"medrefill-payload.bin\"");
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_STATIC,
                                        PAYLOAD "\n", strlen (PAYLOAD) + 1);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    if (g_str_equal (path, pages[i].path))
      {
        g_autofree char *html = g_strconcat ("<!DOCTYPE html><meta charset='utf-8'>",
                                             pages[i].html, NULL);

        soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
        soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                          html, strlen (html));
        return;
      }
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
redirect_cb (GtkWidget  *view,
             const char *uri,
             Fixture    *fixture)
{
  g_ptr_array_add (fixture->redirects, g_strdup (uri));
}

static void
failed_cb (GtkWidget  *view,
           const char *message,
           Fixture    *fixture)
{
  g_ptr_array_add (fixture->failures, g_strdup (message));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *hosts[] = { EXTRA_HOST, NULL };

  served_init (&fixture->idp);
  served_init (&fixture->callback);
  fixture->callback_server = mr_test_server_new (idp_cb, &fixture->callback);
  fixture->redirect_uri = g_strconcat (mr_test_server_get_url (fixture->callback_server),
                                       "/auth/callback", NULL);
  fixture->idp.redirect_to = g_strconcat (fixture->redirect_uri, "?code=abc&state=xyz", NULL);
  fixture->idp_server = mr_test_server_new (idp_cb, &fixture->idp);
  fixture->redirects = g_ptr_array_new_with_free_func (g_free);
  fixture->failures = g_ptr_array_new_with_free_func (g_free);

  fixture->view = g_object_ref_sink (mr_signin_view_new (fixture->redirect_uri, hosts));
  fixture->web_view = GTK_WIDGET (mr_signin_view_get_web_view (MR_SIGNIN_VIEW (fixture->view)));
  g_signal_connect (fixture->view, "redirect", G_CALLBACK (redirect_cb), fixture);
  g_signal_connect (fixture->view, "failed", G_CALLBACK (failed_cb), fixture);
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 640, 480);
  gtk_window_set_child (GTK_WINDOW (fixture->window), fixture->view);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  mr_signin_view_shutdown (MR_SIGNIN_VIEW (fixture->view));
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_finalize_object (g_steal_pointer (&fixture->view));
  g_clear_pointer (&fixture->idp_server, mr_test_server_free);
  g_clear_pointer (&fixture->callback_server, mr_test_server_free);
  served_clear (&fixture->idp);
  served_clear (&fixture->callback);
  g_free (fixture->redirect_uri);
  g_ptr_array_unref (fixture->redirects);
  g_ptr_array_unref (fixture->failures);
}

static void
spin (guint ms)
{
  gboolean never = FALSE;

  mr_test_wait_for (&never, ms);
}

/* Spins the main loop until @cond holds; fails the test after MR_UI_WAIT_MS. */
#define WAIT_UNTIL(cond) G_STMT_START {                                   \
    gint64 deadline_ = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;    \
    while (!(cond))                                                       \
      {                                                                   \
        if (g_get_monotonic_time () > deadline_)                          \
          g_error ("waited in vain for %s", #cond);                       \
        spin (20);                                                        \
      }                                                                   \
  } G_STMT_END

static char *
idp_url (Fixture    *fixture,
         const char *path)
{
  return g_strconcat (mr_test_server_get_url (fixture->idp_server), path, NULL);
}

static char *
view_uri (Fixture *fixture)
{
  char *uri = NULL;

  g_object_get (fixture->web_view, "uri", &uri, NULL);
  return uri;
}

/* Loads @path of the identity provider's server and waits until its title is @path without "/". */
static void
load_page (Fixture    *fixture,
           const char *path)
{
  g_autofree char *url = idp_url (fixture, path);
  g_autofree char *ready = g_strdup_printf ("document.readyState === 'complete' && "
                                            "document.title === '%s'", path + 1);

  mr_signin_view_load (MR_SIGNIN_VIEW (fixture->view), url);
  mr_ui_wait_for_js (fixture->web_view, ready);
}

static void
js (Fixture    *fixture,
    const char *script)
{
  g_autofree char *statement = g_strconcat (script, "; true", NULL);

  g_assert_true (mr_ui_run_js (fixture->web_view, statement));
}

/* The page @path is still the one on screen: same address, same document (its script's marker). */
static void
assert_still_on (Fixture    *fixture,
                 const char *path)
{
  g_autofree char *expected = idp_url (fixture, path);
  g_autofree char *uri = view_uri (fixture);

  g_assert_cmpstr (uri, ==, expected);
  g_assert_true (mr_ui_run_js (fixture->web_view, "window.marker === 42"));
}

static void
assert_nothing_signalled (Fixture *fixture)
{
  g_assert_cmpuint (fixture->redirects->len, ==, 0);
  g_assert_cmpuint (fixture->failures->len, ==, 0);
}

static guint
n_toplevels (void)
{
  return g_list_model_get_n_items (gtk_window_get_toplevels ());
}

/* (a) Main-frame navigation leaves the identity provider's hosts by no road: link, script, form,
 * server redirect. "localhost" is the same server under another name, so a request that got out
 * would be in its log. */
static void
test_foreign_host_navigation (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) probe = NULL;
  g_autofree char *probe_url = NULL;
  g_autoptr(GBytes) body = NULL;

  /* The other name does reach the server: a refusal below is the view's, not the network's. */
  probe_url = g_strdup_printf ("http://localhost:%s/probe-localhost",
                               strrchr (mr_test_server_get_url (fixture->idp_server), ':') + 1);
  probe = soup_message_new ("GET", probe_url);
  body = soup_session_send_and_read (session, probe, NULL, NULL);
  g_assert_cmpuint (served_count (&fixture->idp, "/probe-localhost"), ==, 1);

  load_page (fixture, "/a");
  js (fixture, "document.getElementById ('foreign').click ()");
  spin (QUIET_MS);
  js (fixture, "location.assign (other + '/foreign-js')");
  spin (QUIET_MS);
  js (fixture, "document.getElementById ('form').submit ()");
  spin (QUIET_MS);
  js (fixture, "location.href = '/redirect-foreign'");
  WAIT_UNTIL (served_count (&fixture->idp, "/redirect-foreign") == 1);
  spin (QUIET_MS);

  g_assert_cmpuint (served_count (&fixture->idp, "/foreign"), ==, 0);
  assert_still_on (fixture, "/a");

  /* The same kind of click to an allowed host goes through. */
  js (fixture, "document.getElementById ('ok').click ()");
  mr_ui_wait_for_js (fixture->web_view, "document.title === 'a-ok'");
  g_assert_cmpuint (served_count (&fixture->idp, "/a-ok"), ==, 1);
  assert_nothing_signalled (fixture);

  /* An administrator's extra host (the sign-in-hosts setting) is let through, and only that. */
  {
    const char *extra[] = { "localhost", NULL };

    mr_signin_view_allow_hosts (MR_SIGNIN_VIEW (fixture->view), extra);
    load_page (fixture, "/a");
    js (fixture, "location.assign (other + '/foreign-js')");
    WAIT_UNTIL (served_count (&fixture->idp, "/foreign-js") == 1);
  }
}

/* (b) No new window: not by script, not even with WebKit's popup blocker off, not by a person's
 * click on a target=_blank link. */
static void
test_new_windows (Fixture       *fixture,
                  gconstpointer  data)
{
  guint windows = n_toplevels ();
  GObject *settings = mr_ui_web_view_settings (fixture->web_view);

  load_page (fixture, "/b");
  js (fixture, "tryOpen ()");
  g_assert_true (mr_ui_run_js (fixture->web_view, "document.title === 'open-null'"));

  g_object_set (settings, "javascript-can-open-windows-automatically", TRUE, NULL);
  js (fixture, "document.title = 'b'; tryOpen ()");
  g_assert_true (mr_ui_run_js (fixture->web_view, "document.title === 'open-null'"));

  if (mr_ui_click (fixture->web_view, 1))
    mr_ui_wait_for_js (fixture->web_view, "document.title === 'clicked'");
  else
    g_test_message ("no XTest: the target=_blank link was not clicked by a person");
  spin (QUIET_MS);

  g_assert_cmpuint (served_count (&fixture->idp, "/popup"), ==, 0);
  g_assert_cmpuint (n_toplevels (), ==, windows);
  assert_still_on (fixture, "/b");
  assert_nothing_signalled (fixture);
}

/* Every file below @dir whose name or (small) content gives the payload away. */
static guint
count_payload_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint found = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        found += count_payload_files (path);
      else if (strstr (name, "medrefill-payload") != NULL)
        found++;
      else if (g_file_get_contents (path, &contents, &length, NULL) && length < 1024 * 1024
               && g_strstr_len (contents, length, PAYLOAD) != NULL)
        found++;
    }
  return found;
}

/* (c) An attachment is fetched (the server sees it) but never saved, and the page stays. */
static void
test_downloads (Fixture       *fixture,
                gconstpointer  data)
{
  load_page (fixture, "/c");
  js (fixture, "document.getElementById ('dl').click ()");
  WAIT_UNTIL (served_count (&fixture->idp, "/download/") == 1);
  spin (QUIET_MS);
  js (fixture, "location.href = '/download/second.bin'");
  WAIT_UNTIL (served_count (&fixture->idp, "/download/") == 2);
  spin (QUIET_MS);

  assert_still_on (fixture, "/c");
  g_assert_cmpuint (count_payload_files (home_root), ==, 0);
  g_assert_cmpuint (count_payload_files (g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD)
                                         ? g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD)
                                         : g_get_home_dir ()), ==, 0);
  assert_nothing_signalled (fixture);
}

/* (d) A person's click on a file input opens no file chooser. */
static void
test_file_chooser (Fixture       *fixture,
                   gconstpointer  data)
{
  guint windows = n_toplevels ();

  load_page (fixture, "/d");
  if (!mr_ui_click (fixture->web_view, 1))
    {
      g_test_skip ("needs an X11 display with XTest to click as a person does");
      return;
    }
  mr_ui_wait_for_js (fixture->web_view, "document.title === 'clicked'");
  spin (QUIET_MS);

  g_assert_cmpuint (n_toplevels (), ==, windows);
  g_assert_null (mr_ui_find_mapped (fixture->window, GTK_TYPE_FILE_CHOOSER_WIDGET));
  assert_nothing_signalled (fixture);
}

/* (e) Location, notifications, camera and microphone: the page is told no. WebKit's media switch
 * and its mock camera and microphone are turned on first, so that a getUserMedia() request has
 * devices to ask for and reaches the view's permission handler (without devices it would end in
 * OverconstrainedError before any permission is asked). */
static void
test_permissions (Fixture       *fixture,
                  gconstpointer  data)
{
  GObject *settings = mr_ui_web_view_settings (fixture->web_view);

  g_object_set (settings, "enable-media-stream", TRUE, "enable-mock-capture-devices", TRUE, NULL);
  load_page (fixture, "/e");
  mr_ui_wait_for_js (fixture->web_view, "'geo' in results && 'notify' in results && "
                                        "'media' in results");

  g_assert_true (mr_ui_run_js (fixture->web_view, "results.geo === 'denied'"));
  g_assert_true (mr_ui_run_js (fixture->web_view, "results.notify === 'denied'"));
  g_assert_true (mr_ui_run_js (fixture->web_view, "results.media === 'NotAllowedError'"));
  assert_nothing_signalled (fixture);
}

/* (f) Only https (and http to this machine): file:, data:, javascript:, ftp: and plain http to an
 * allowed but remote host are all refused. Had the http one been let through, its load would
 * fail (the host does not exist) and the view would emit ::failed. */
static void
test_schemes (Fixture       *fixture,
              gconstpointer  data)
{
  static const char *links[] = { "file", "data", "js", "ftp", "plain" };

  load_page (fixture, "/f");
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *click = g_strdup_printf ("document.getElementById ('%s').click ()",
                                                links[i]);

      js (fixture, click);
      spin (QUIET_MS / 2);
      assert_still_on (fixture, "/f");
      g_assert_true (mr_ui_run_js (fixture->web_view, "document.title === 'f'"));
    }
  js (fixture, "location.href = 'data:text/html,<title>data</title>'");
  spin (QUIET_MS / 2);
  assert_still_on (fixture, "/f");
  g_assert_cmpuint (served_count (&fixture->idp, "/ftp"), ==, 0);
  assert_nothing_signalled (fixture);

  js (fixture, "document.getElementById ('ok').click ()");
  mr_ui_wait_for_js (fixture->web_view, "document.title === 'f-ok'");
}

static void
tls_page_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  (*(guint *) user_data)++;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC,
                                    "<title>tls-page</title>", 23);
}

static gboolean
accept_any_cb (SoupMessage          *msg,
               GTlsCertificate      *certificate,
               GTlsCertificateFlags  errors)
{
  return TRUE;
}

/* (g) A certificate nobody vouches for: the view fails closed with the sentence, the page is
 * never requested, and the view does not show it. */
static void
test_tls_error (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = mr_ui_self_signed_certificate ();
  g_autoptr(SoupServer) server = soup_server_new ("tls-certificate", certificate, NULL);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) control = NULL;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *url = NULL;
  g_autofree char *uri = NULL;
  guint requests = 0;

  soup_server_add_handler (server, NULL, tls_page_cb, &requests, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY |
                                           SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("https://127.0.0.1:%d/tls-page", g_uri_get_port (uris->data));

  mr_signin_view_load (MR_SIGNIN_VIEW (fixture->view), url);
  WAIT_UNTIL (fixture->failures->len > 0);
  spin (QUIET_MS);

  g_assert_cmpuint (fixture->failures->len, ==, 1);
  g_assert_nonnull (strstr (fixture->failures->pdata[0], "security certificate is not valid"));
  g_assert_cmpuint (requests, ==, 0);
  g_assert_false (mr_ui_run_js (fixture->web_view, "document.title === 'tls-page'"));
  g_assert_cmpuint (fixture->redirects->len, ==, 0);

  /* The server does serve the page to a client that ignores the certificate: only trust failed. */
  control = soup_message_new ("GET", url);
  g_signal_connect (control, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
  soup_session_send_and_read_async (session, control, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  WAIT_UNTIL (requests > 0);
  soup_server_disconnect (server);
}

/* (h) The redirect URI, reached through the provider's 302, ends the sign-in and is never
 * requested: the server listening on its port logs nothing. */
static void
test_redirect_never_requested (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *authorize = idp_url (fixture, "/authorize");
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) control = NULL;
  g_autoptr(GBytes) body = NULL;

  mr_signin_view_load (MR_SIGNIN_VIEW (fixture->view), authorize);
  WAIT_UNTIL (fixture->redirects->len > 0);
  spin (QUIET_MS);

  g_assert_cmpuint (fixture->redirects->len, ==, 1);
  g_assert_cmpstr (fixture->redirects->pdata[0], ==, fixture->idp.redirect_to);
  g_assert_cmpuint (served_count (&fixture->idp, "/authorize"), ==, 1);
  g_assert_cmpuint (served_count (&fixture->callback, "/"), ==, 0);
  g_assert_cmpuint (fixture->failures->len, ==, 0);

  /* Anyone else's request to it does arrive. */
  control = soup_message_new ("GET", fixture->redirect_uri);
  body = soup_session_send_and_read (session, control, NULL, NULL);
  g_assert_cmpuint (served_count (&fixture->callback, "/auth/callback"), ==, 1);
}

/* (i) No developer tools, no context menu (the page gets its right click, WebKit shows no menu). */
static void
test_developer_tools_and_context_menu (Fixture       *fixture,
                                       gconstpointer  data)
{
  GObject *settings = mr_ui_web_view_settings (fixture->web_view);
  gboolean extras = TRUE;
  guint windows = n_toplevels ();

  g_object_get (settings, "enable-developer-extras", &extras, NULL);
  g_assert_false (extras);

  load_page (fixture, "/i");
  if (!mr_ui_click (fixture->web_view, 3))
    {
      g_test_skip ("needs an X11 display with XTest to right-click as a person does");
      return;
    }
  mr_ui_wait_for_js (fixture->web_view, "document.title === 'menu-event'");
  spin (QUIET_MS);
  g_assert_null (mr_ui_find_mapped (fixture->web_view, GTK_TYPE_POPOVER));
  g_assert_cmpuint (n_toplevels (), ==, windows);
  assert_nothing_signalled (fixture);
}

/* (j) window.print () opens no print dialog (nor its "Print to File" chooser): the page goes on
 * at once, as when printing is cancelled. */
static void
test_print (Fixture       *fixture,
            gconstpointer  data)
{
  guint windows = n_toplevels ();

  load_page (fixture, "/p");
  js (fixture, "setTimeout (function () { window.print (); document.title = 'printed'; }, 0)");
  mr_ui_wait_for_js (fixture->web_view, "document.title === 'printed'");
  spin (QUIET_MS);
  g_assert_cmpuint (n_toplevels (), ==, windows);
  assert_nothing_signalled (fixture);
}

/* Loads /s with @origin in its query (a new document each time) and waits until each of its
 * five subresources has either loaded or failed. */
static void
load_subresources (Fixture    *fixture,
                   const char *origin)
{
  g_autofree char *url = g_strdup_printf ("%s/s?o=%s", mr_test_server_get_url (fixture->idp_server),
                                          origin ? origin : "");

  mr_signin_view_load (MR_SIGNIN_VIEW (fixture->view), url);
  mr_ui_wait_for_js (fixture->web_view, "document.title === 's' && window.results !== undefined "
                                        "&& Object.keys (results).length === 5");
  spin (QUIET_MS);
}

static const char *const subresources[] = { "img", "script", "fetch", "xhr", "ws" };

/* (k) Subresources come from the identity provider's hosts only: an image, a script, fetch(),
 * XMLHttpRequest and a WebSocket to another host never reach it (its server's log stays empty),
 * while the same from the page's own host do. */
static void
test_foreign_subresources (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) probe = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *foreign_origin = NULL;
  g_autofree char *probe_url = NULL;
  MrTestServer *foreign_server;
  Served foreign = { 0 };

  served_init (&foreign);
  foreign_server = mr_test_server_new (idp_cb, &foreign);
  /* "localhost" is not on the allowed list; 127.0.0.1 (the page's own host) is. */
  foreign_origin = g_strdup_printf ("http://localhost:%s",
                                    strrchr (mr_test_server_get_url (foreign_server), ':') + 1);
  /* The foreign server is reachable under that name: a silence below is the view's doing. */
  probe_url = g_strconcat (foreign_origin, "/probe", NULL);
  probe = soup_message_new ("GET", probe_url);
  body = soup_session_send_and_read (session, probe, NULL, NULL);
  g_assert_cmpuint (served_count (&foreign, "/probe"), ==, 1);

  load_subresources (fixture, foreign_origin);
  for (guint i = 0; i < G_N_ELEMENTS (subresources); i++)
    {
      g_autofree char *failed = g_strdup_printf ("results['%s'] !== 'loaded' && "
                                                 "results['%s'] !== 'ok' && "
                                                 "results['%s'] !== 'open'", subresources[i],
                                                 subresources[i], subresources[i]);

      g_assert_true (mr_ui_run_js (fixture->web_view, failed));
    }
  g_assert_cmpuint (served_count (&foreign, "/sub/"), ==, 0);
  g_assert_cmpuint (served_count (&foreign, "/"), ==, 1);   /* the probe alone */

  /* The same page with its own host: every one of them gets there. */
  load_subresources (fixture, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (subresources); i++)
    {
      g_autofree char *sub = g_strconcat ("/sub/", subresources[i], NULL);

      g_assert_cmpuint (served_count (&fixture->idp, sub), ==, 1);
    }
  g_assert_true (mr_ui_run_js (fixture->web_view, "results['img'] === 'error' "
                                                  "&& results['script'] === 'loaded' "
                                                  "&& results['fetch'] === 'ok' "
                                                  "&& results['xhr'] === 'ok'"));
  assert_nothing_signalled (fixture);
  mr_test_server_free (foreign_server);
  served_clear (&foreign);
}

typedef struct {
  guint started;
  guint failed;
  guint finished;
} Downloads;

static void
download_failed_cb (WebKitDownload *download,
                    GError         *error,
                    Downloads      *downloads)
{
  downloads->failed++;
}

static void
download_finished_cb (WebKitDownload *download,
                      Downloads      *downloads)
{
  downloads->finished++;
}

static void
download_started_cb (WebKitNetworkSession *session,
                     WebKitDownload       *download,
                     Downloads            *downloads)
{
  downloads->started++;
  g_signal_connect (download, "failed", G_CALLBACK (download_failed_cb), downloads);
  g_signal_connect (download, "finished", G_CALLBACK (download_finished_cb), downloads);
}

/* (l) <a download> on an allowed host saves nothing: a download WebKit starts for it is
 * cancelled (it fails), and no file appears. */
static void
test_download_attribute (Fixture       *fixture,
                         gconstpointer  data)
{
  WebKitNetworkSession *session = webkit_web_view_get_network_session (
      WEBKIT_WEB_VIEW (fixture->web_view));
  const char *dir = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  Downloads downloads = { 0 };
  gulong handler;

  handler = g_signal_connect (session, "download-started", G_CALLBACK (download_started_cb),
                              &downloads);
  load_page (fixture, "/g");
  js (fixture, "document.getElementById ('dl').click ()");
  spin (QUIET_MS * 2);
  /* "finished" ends every download, after "failed" when it did not succeed. */
  WAIT_UNTIL (downloads.finished == downloads.started);
  g_signal_handler_disconnect (session, handler);

  assert_still_on (fixture, "/g");
  g_assert_cmpuint (count_payload_files (home_root), ==, 0);
  g_assert_cmpuint (count_payload_files (dir ? dir : g_get_home_dir ()), ==, 0);
  g_assert_cmpuint (downloads.failed, ==, downloads.started);
  assert_nothing_signalled (fixture);
}

int
main (int   argc,
      char *argv[])
{
  home_root = mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/lockdown/no-display"))
    return g_test_run ();
  adw_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/lockdown/foreign-host-navigation", test_foreign_host_navigation);
  ADD ("/lockdown/new-windows", test_new_windows);
  ADD ("/lockdown/downloads", test_downloads);
  ADD ("/lockdown/download-attribute", test_download_attribute);
  ADD ("/lockdown/foreign-subresources", test_foreign_subresources);
  ADD ("/lockdown/file-chooser", test_file_chooser);
  ADD ("/lockdown/permissions", test_permissions);
  ADD ("/lockdown/schemes", test_schemes);
  ADD ("/lockdown/tls-error", test_tls_error);
  ADD ("/lockdown/redirect-uri-never-requested", test_redirect_never_requested);
  ADD ("/lockdown/developer-tools-and-context-menu", test_developer_tools_and_context_menu);
  ADD ("/lockdown/print", test_print);
#undef ADD

  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Interop with a real, OpenID-certified provider: tests/interop/oidc-provider runs the npm package
 * oidc-provider on 127.0.0.1 (public native client, PKCE required, no secret). The app's code signs
 * in through the real WebKit sign-in view (its development login and consent pages), checks the ID
 * token's RS256 signature against the provider's key set, and redeems the refresh token. */
#include <adwaita.h>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "mr-identity.h"
#include "mr-test-server.h"
#include "mr-signin-view.h"
#include "mr-ui-test.h"

#define CLIENT_ID     "877afb01-0000-0000-0000-000000000000"
#define REDIRECT_URI  "http://localhost:5000/auth/callback"
#define NPM_CI_MS     (5 * 60 * 1000)
#define PROVIDER_MS   30000
#define LOGIN_READY   "document.readyState === 'complete' && " \
                      "document.querySelector ('input[name=login]') !== null"
#define CONSENT_READY "document.readyState === 'complete' && " \
                      "document.querySelector ('input[name=prompt][value=consent]') !== null"

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

/* Waits for @wait's result; FALSE after @timeout_ms (the caller cancels). */
static gboolean
wait_result (Wait  *wait,
             guint  timeout_ms)
{
  return mr_test_wait_for (&wait->done, timeout_ms);
}

static char *
provider_dir (void)
{
  const char *source = g_getenv ("MEDREFILL_SOURCE_DIR");

  g_assert_nonnull (source);
  return g_build_filename (source, "tests", "interop", "oidc-provider", NULL);
}

/* Runs `npm ci` when node_modules is missing (a fresh clone); bounded in time. */
static gboolean
ensure_node_modules (const char *dir)
{
  g_autofree char *installed = g_build_filename (dir, "node_modules", "oidc-provider",
                                                 "package.json", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) npm = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { FALSE, NULL };

  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    return TRUE;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_cwd (launcher, dir);
  /* npm's progress goes to stderr: stdout is the TAP stream. */
  g_subprocess_launcher_take_stdout_fd (launcher, dup (STDERR_FILENO));
  npm = g_subprocess_launcher_spawn (launcher, &error, "npm", "ci", "--no-audit", "--no-fund",
                                     NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (npm, NULL, wait_cb, &wait);
  if (!wait_result (&wait, NPM_CI_MS))
    {
      g_subprocess_force_exit (npm);
      g_test_fail_printf ("`npm ci` in %s took more than %d s", dir, NPM_CI_MS / 1000);
      wait_result (&wait, PROVIDER_MS);
      g_clear_object (&wait.result);
      return FALSE;
    }
  g_clear_object (&wait.result);
  if (!g_subprocess_get_successful (npm))
    {
      g_test_fail_printf ("`npm ci` failed in %s (see its output above)", dir);
      return FALSE;
    }
  return TRUE;
}

/* The provider must not outlive a test that aborts half-way. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts `node provider.mjs` and returns it; *@issuer gets the issuer it prints. */
static GSubprocess *
start_provider (const char  *dir,
                char       **issuer)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocess) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Wait wait = { FALSE, NULL };

  g_subprocess_launcher_set_cwd (launcher, dir);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  node = g_subprocess_launcher_spawn (launcher, &error, "node", "provider.mjs", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (node));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, wait_cb, &wait);
  if (!wait_result (&wait, PROVIDER_MS))
    g_error ("oidc-provider did not say READY within %d s", PROVIDER_MS / 1000);
  line = g_data_input_stream_read_line_finish_utf8 (out, wait.result, NULL, &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "READY http://127.0.0.1:"));
  *issuer = g_strdup (line + strlen ("READY "));
  /* Keep its stdout open while it runs: a closed pipe would kill it at its next line of output. */
  g_object_set_data_full (G_OBJECT (node), "medrefill-stdout", g_steal_pointer (&out),
                          g_object_unref);
  return g_steal_pointer (&node);
}

static void
stop_provider (GSubprocess *node)
{
  Wait wait = { FALSE, NULL };

  g_subprocess_send_signal (node, SIGTERM);
  g_subprocess_wait_async (node, NULL, wait_cb, &wait);
  g_assert_true (wait_result (&wait, PROVIDER_MS));
  g_clear_object (&wait.result);
  g_assert_true (g_subprocess_get_if_exited (node));
  g_assert_cmpint (g_subprocess_get_exit_status (node), ==, 0);
}

static MrConfig *
provider_config (const char *issuer)
{
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(GError) error = NULL;

  /* A plain OpenID provider: no Graph scope, no tenant. */
  mr_config_set (config, "authority", issuer, &error);
  mr_config_set (config, "client-id", CLIENT_ID, &error);
  mr_config_set (config, "redirect-uri", REDIRECT_URI, &error);
  mr_config_set (config, "scopes", "openid profile email offline_access", &error);
  mr_config_set (config, "tenant-id", "", &error);
  g_assert_no_error (error);
  return g_steal_pointer (&config);
}

static void
redirect_cb (GtkWidget  *view,
             const char *uri,
             char      **captured)
{
  g_assert_null (*captured);
  *captured = g_strdup (uri);
}

static void
failed_cb (GtkWidget  *view,
           const char *message,
           gpointer    data)
{
  g_error ("the sign-in view failed: %s", message);
}

/* Signs in through the provider's own pages in the app's sign-in view; returns the callback URI. */
static char *
sign_in_in_view (const char *authorize_url)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = g_object_ref_sink (mr_signin_view_new (REDIRECT_URI, NULL));
  GtkWidget *web_view = GTK_WIDGET (mr_signin_view_get_web_view (MR_SIGNIN_VIEW (view)));
  gint64 deadline = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;
  char *captured = NULL;

  g_signal_connect (view, "redirect", G_CALLBACK (redirect_cb), &captured);
  g_signal_connect (view, "failed", G_CALLBACK (failed_cb), NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 480);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  mr_signin_view_load (MR_SIGNIN_VIEW (view), authorize_url);

  mr_ui_wait_for_js (web_view, LOGIN_READY);
  g_assert_true (mr_ui_run_js (web_view,
                               "document.querySelector ('input[name=login]').value = 'alice';"
                               "document.querySelector ('input[name=password]').value = 'pw';"
                               "document.querySelector ('button[type=submit]').click (); true"));
  mr_ui_wait_for_js (web_view, CONSENT_READY);
  g_assert_true (mr_ui_run_js (web_view,
                               "document.querySelector ('button[type=submit]').click (); true"));
  while (captured == NULL)
    {
      gboolean tick = FALSE;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      mr_test_wait_for (&tick, 20);
    }

  mr_signin_view_shutdown (MR_SIGNIN_VIEW (view));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
  return captured;
}

static void
prefetch (MrOidcClient *client)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { FALSE, NULL };

  mr_oidc_client_prefetch_async (client, NULL, wait_cb, &wait);
  g_assert_true (wait_result (&wait, PROVIDER_MS));
  g_assert_true (mr_oidc_client_prefetch_finish (client, wait.result, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
}

static MrTokenSet *
exchange (MrOidcClient  *client,
          MrAuthRequest *request,
          const char    *code)
{
  g_autoptr(GError) error = NULL;
  MrTokenSet *tokens;
  Wait wait = { FALSE, NULL };

  mr_oidc_client_exchange_code_async (client, request, code, NULL, wait_cb, &wait);
  g_assert_true (wait_result (&wait, PROVIDER_MS));
  tokens = mr_oidc_client_exchange_code_finish (client, wait.result, &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  return tokens;
}

static MrTokenSet *
refresh (MrOidcClient *client,
         const char   *refresh_token)
{
  g_autoptr(GError) error = NULL;
  MrTokenSet *tokens;
  Wait wait = { FALSE, NULL };

  mr_oidc_client_refresh_async (client, refresh_token, NULL, wait_cb, &wait);
  g_assert_true (wait_result (&wait, PROVIDER_MS));
  tokens = mr_oidc_client_refresh_finish (client, wait.result, &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  return tokens;
}

static void
assert_claims (JsonObject *claims,
               const char *issuer)
{
  g_assert_nonnull (claims);
  g_assert_cmpstr (json_object_get_string_member (claims, "sub"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, issuer);
  g_assert_cmpstr (json_object_get_string_member (claims, "aud"), ==, CLIENT_ID);
}

static void
test_sign_in_and_refresh (void)
{
  g_autofree char *dir = provider_dir ();
  g_autofree char *node_path = g_find_program_in_path ("node");
  g_autofree char *npm_path = g_find_program_in_path ("npm");
  g_autoptr(GSubprocess) node = NULL;
  g_autofree char *issuer = NULL;
  g_autoptr(MrConfig) config = NULL;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(MrOidcClient) client = NULL;
  g_autoptr(MrAuthRequest) request = mr_auth_request_new ();
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autoptr(MrTokenSet) refreshed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *authorize = NULL;
  g_autofree char *callback = NULL;
  g_autofree char *code = NULL;
  gint64 start;

  if (node_path == NULL || npm_path == NULL)
    {
      g_test_fail_printf ("node and npm are needed to run oidc-provider (Debian: apt install "
                          "nodejs npm; scripts/install-deps does it)");
      return;
    }
  if (!ensure_node_modules (dir))
    return;

  start = g_get_monotonic_time ();
  node = start_provider (dir, &issuer);
  config = provider_config (issuer);
  client = mr_oidc_client_new (session, config);
  prefetch (client);
  g_assert_cmpstr (mr_oidc_client_get_discovery (client)->issuer, ==, issuer);

  /* oidc-provider drops offline_access (so issues no refresh token) unless prompt has consent,
   * as OpenID Connect Core §11 allows. */
  authorize = mr_oidc_build_authorize_url (mr_oidc_client_get_discovery (client), config,
                                           request, "consent", NULL);
  callback = sign_in_in_view (authorize);
  code = mr_oidc_parse_callback (REDIRECT_URI, callback, request->state, &error);
  g_assert_no_error (error);

  tokens = exchange (client, request, code);
  assert_claims (tokens->claims, issuer);
  g_assert_cmpstr (json_object_get_string_member (tokens->claims, "nonce"), ==, request->nonce);
  g_assert_nonnull (tokens->access_token);
  g_assert_nonnull (tokens->refresh_token);

  refreshed = refresh (client, tokens->refresh_token);
  g_assert_nonnull (refreshed->access_token);
  g_assert_cmpstr (refreshed->access_token, !=, tokens->access_token);
  g_assert_nonnull (refreshed->refresh_token);
  if (refreshed->claims != NULL)
    assert_claims (refreshed->claims, issuer);

  stop_provider (node);
  g_test_message ("oidc-provider sign-in, exchange and refresh took %.1f s",
                  (g_get_monotonic_time () - start) / 1e6);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/interop/no-display"))
    return g_test_run ();
  adw_init ();

  g_test_add_func ("/interop/oidc-provider/sign-in-and-refresh", test_sign_in_and_refresh);
  return g_test_run ();
}

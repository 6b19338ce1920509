/* SPDX-License-Identifier: GPL-3.0-or-later */
/* medrefill-signin: the embedded sign-in page in a process of its own.
 *
 * The app starts it while the Welcome page is up (so the web process is running when the user
 * taps Sign in) and talks to it over its standard input and output, one JSON object a line:
 *
 *   app → helper   {"op":"open","url":AUTHORIZE_URL,"hosts":[HOST…],"token":T}
 *                                                    show the page (T: the desktop's activation
 *                                                    token or startup id, optional)
 *                  {"op":"preload","url":AUTHORIZE_URL,"hosts":[HOST…]}
 *                                                    load the page with the window hidden (a
 *                                                    kiosk's next person: see mr-window-signin.c)
 *                  {"op":"show","token":T}           show the window on the preloaded page
 *                  {"op":"js","id":N,"script":SCRIPT}                  run a script (tests;
 *                                                    only with -Dtest_hooks=true)
 *                  end of input                                         quit
 *   helper → app   {"event":"ready"}                 the web process is up
 *                  {"event":"preloaded"}             the preloaded page finished loading
 *                  {"event":"redirect","uri":URI}    the provider sent the browser to the
 *                                                    redirect URI (never loaded); then it quits
 *                  {"event":"failed","message":TEXT} the page could not be loaded (a sentence)
 *                  {"event":"cancel"}                the person pressed Cancel
 *                  {"event":"js","id":N,"value":B}   the script's result as a boolean (tests)
 *                  {"event":"activity"}              the person is using the page (pointer,
 *                                                    touch, keys); at most once a second
 *
 * WebKit's libraries live only here: when the sign-in is over this process ends and they are
 * gone from memory, and the app itself never loads them. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <unistd.h>

#include <adwaita.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "config.h"
#include "mr-signin-view.h"
#include "mr-base.h"

typedef struct {
  GtkWindow        *window;
  GtkWidget        *view;
  GDataInputStream *in;
  GOutputStream    *out;
  GMainLoop        *loop;
  GCancellable     *cancellable;
  gint64            last_activity;  /* monotonic µs of the last "activity" sent */
  /* The page of the attempt (not the first about:blank) finished loading; the window is on
   * screen; "preloaded" was sent; the paint was traced. */
  gboolean          page_loaded;
  gboolean          shown;
  gboolean          preloading;
  gboolean          paint_traced;
} Helper;

static void
send (Helper     *h,
      JsonNode   *node)
{
  /* A dead reader (the app is gone) ends this process: nobody is left to sign in for. */
  if (!mr_json_write_line (h->out, node, NULL))
    g_main_loop_quit (h->loop);
}

static void
send_event (Helper     *h,
            const char *event,
            const char *key,
            const char *value)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, event);
  if (key != NULL)
    {
      json_builder_set_member_name (b, key);
      json_builder_add_string_value (b, value);
    }
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  send (h, node);
}

static void
quit (Helper *h)
{
  if (h->view != NULL)
    mr_signin_view_shutdown (MR_SIGNIN_VIEW (h->view));
  gtk_widget_set_visible (GTK_WIDGET (h->window), FALSE);
  g_main_loop_quit (h->loop);
}

static void
redirect_cb (GtkWidget  *view,
             const char *uri,
             Helper     *h)
{
  send_event (h, "redirect", "uri", uri);
  /* Done: the web process goes with this process. */
  quit (h);
}

static void
failed_cb (GtkWidget  *view,
           const char *message,
           Helper     *h)
{
  gtk_widget_set_visible (GTK_WIDGET (h->window), FALSE);
  send_event (h, "failed", "message", message);
}

static void
cancel_cb (Helper *h)
{
  gtk_widget_set_visible (GTK_WIDGET (h->window), FALSE);
  send_event (h, "cancel", NULL, NULL);
}

static gboolean
close_request_cb (GtkWindow *window,
                  Helper    *h)
{
  cancel_cb (h);
  return TRUE;
}

#ifdef MR_TEST_HOOKS
/* The js command: a test build's way to fill the page in as a person would. A release build has
 * none, so nothing that writes to this process's input can run script in the identity provider's
 * page (RFC 8252 §8.12). */
typedef struct {
  Helper *h;
  gint64  id;
} JsCall;

static void
js_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autofree JsCall *call = user_data;
  g_autoptr(JSCValue) value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source),
                                                                          result, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, "js");
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, call->id);
  json_builder_set_member_name (b, "value");
  /* A navigation may replace the page while the script runs: that reads as false. */
  json_builder_add_boolean_value (b, value != NULL && jsc_value_to_boolean (value));
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  send (call->h, node);
}

#endif

#ifdef MR_TEST_HOOKS
/* Test builds only (-Dtest_hooks=true; the Flatpak builds without): the page on screen runs the
 * script in the file MEDREFILL_TEST_SIGNIN_SCRIPT_FILE names, if it exists by then: each page that
 * finishes loading while the window is shown, and a preloaded page when "show" maps it (a page
 * loaded with the window hidden is nobody's yet: nothing types into it). tests/kiosk-wayland
 * signs in this way, from outside the app: on cage 0.1.4 nothing can type (no virtual keyboard)
 * and WebKitGTK on GTK 4.8 shows AT-SPI no page. */
static void
test_hook_run (Helper *h)
{
  const char *path = g_getenv ("MEDREFILL_TEST_SIGNIN_SCRIPT_FILE");
  g_autofree char *script = NULL;

  if (!h->shown || h->view == NULL || path == NULL
      || !g_file_get_contents (path, &script, NULL, NULL))
    return;
  webkit_web_view_evaluate_javascript (mr_signin_view_get_web_view (MR_SIGNIN_VIEW (h->view)),
                                       script, -1, NULL, NULL, NULL, NULL, NULL);
}

static void
test_hook_load_cb (WebKitWebView   *web_view,
                   WebKitLoadEvent  event,
                   Helper          *h)
{
  if (event == WEBKIT_LOAD_FINISHED)
    test_hook_run (h);
}
#endif

/* The page's hosts from an "open" or "preload" command, then the load. */
static gboolean
load_page (Helper     *h,
           JsonObject *command)
{
  const char *url = mr_json_get_string (command, "url");
  JsonNode *hosts_node = json_object_get_member (command, "hosts");
  g_autoptr(GStrvBuilder) hosts = g_strv_builder_new ();
  g_auto(GStrv) allowed = NULL;

  if (url == NULL || h->view == NULL)
    return FALSE;
  if (hosts_node != NULL && JSON_NODE_HOLDS_ARRAY (hosts_node))
    {
      JsonArray *array = json_node_get_array (hosts_node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (hosts, json_node_get_string (element));
        }
    }
  allowed = g_strv_builder_end (hosts);
  h->page_loaded = FALSE;
  mr_signin_view_allow_hosts (MR_SIGNIN_VIEW (h->view), (const char * const *) allowed);
  mr_signin_view_load (MR_SIGNIN_VIEW (h->view), url);
  return TRUE;
}

static void trace_paint (Helper *h);

static void
show_window (Helper     *h,
             JsonObject *command)
{
  /* The app's window had the focus (the person just tapped Sign in): with its token the desktop
   * lets this new window take it, instead of announcing it as "ready". */
  if (mr_json_get_string (command, "token") != NULL)
    gtk_window_set_startup_id (h->window, mr_json_get_string (command, "token"));
  h->preloading = FALSE;
  h->shown = TRUE;
  gtk_window_present (h->window);
  trace_paint (h);
#ifdef MR_TEST_HOOKS
  if (h->page_loaded)
    test_hook_run (h);
#endif
}

static void
open_page (Helper     *h,
           JsonObject *command)
{
  if (load_page (h, command))
    show_window (h, command);
}

/* The next person's page, loaded while nobody looks: "show" then only maps a window whose page
 * is ready. The window stays unmapped until then, so nothing can be typed into it. */
static void
preload_page (Helper     *h,
              JsonObject *command)
{
  if (h->shown)
    return;
  h->preloading = load_page (h, command);
}

#ifdef MR_TEST_HOOKS
static void
run_script (Helper     *h,
            JsonObject *command)
{
  const char *script = mr_json_get_string (command, "script");
  JsCall *call;

  if (script == NULL || h->view == NULL)
    return;
  call = g_new0 (JsCall, 1);
  call->h = h;
  call->id = json_object_get_int_member_with_default (command, "id", 0);
  webkit_web_view_evaluate_javascript (mr_signin_view_get_web_view (MR_SIGNIN_VIEW (h->view)),
                                       script, -1, NULL, NULL, NULL, js_done_cb, call);
}
#endif

/* Tracing (MEDREFILL_TRACE, bench/signin.sh): "signin-page-painted" once the page of the attempt
 * is on screen, i.e. the web process has drawn it twice since the window was shown (a second
 * animation frame begins only after the first was painted and handed over) and this window has
 * drawn a frame after that. Measured, not guessed from the load: a preloaded page was loaded
 * long before. Nothing of this runs without tracing. */
static void
painted_frame_cb (GdkFrameClock *clock,
                  Helper        *h)
{
  g_signal_handlers_disconnect_by_func (clock, painted_frame_cb, h);
  mr_trace_mark ("signin-page-painted");
}

static void
painted_js_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Helper *h = user_data;
  g_autoptr(JSCValue) value = webkit_web_view_call_async_javascript_function_finish (
      WEBKIT_WEB_VIEW (source), result, NULL);
  GdkFrameClock *clock;

  /* The page went (a navigation, the end): nothing to trace. */
  if (value == NULL || g_cancellable_is_cancelled (h->cancellable) ||
      (clock = gtk_widget_get_frame_clock (GTK_WIDGET (h->window))) == NULL)
    return;
  g_signal_connect (clock, "after-paint", G_CALLBACK (painted_frame_cb), h);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
}

static void
trace_paint (Helper *h)
{
  static const char two_frames[] =
    "return new Promise (r => requestAnimationFrame (() => requestAnimationFrame (() => r (true))));";

  if (!mr_trace_enabled () || h->paint_traced || !h->shown || !h->page_loaded
      || h->view == NULL)
    return;
  h->paint_traced = TRUE;
  /* In a world of its own: the page's scripts neither see nor disturb it. */
  webkit_web_view_call_async_javascript_function (mr_signin_view_get_web_view (MR_SIGNIN_VIEW (h->view)),
                                                  two_frames, -1, NULL, "medrefill-trace", NULL,
                                                  h->cancellable, painted_js_cb, h);
}

/* The page of the attempt (not the about:blank that started the web process) has loaded: a
 * preloaded one is ready for "show". */
static void
page_load_cb (WebKitWebView   *web_view,
              WebKitLoadEvent  event,
              Helper          *h)
{
  const char *uri = webkit_web_view_get_uri (web_view);

  if (event != WEBKIT_LOAD_FINISHED || uri == NULL || g_str_equal (uri, "about:blank"))
    return;
  h->page_loaded = TRUE;
  if (h->preloading)
    {
      h->preloading = FALSE;
      send_event (h, "preloaded", NULL, NULL);
    }
  trace_paint (h);
}

static void read_command (Helper *h);


static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Helper *h = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (h->in, result, NULL, &error);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *command;
  const char *op;

  if (line == NULL)
    {
      /* The app closed our input (it is done with us, or gone). */
      quit (h);
      return;
    }
  node = json_from_string (line, NULL);
  command = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  op = command != NULL ? mr_json_get_string (command, "op") : NULL;
  if (g_strcmp0 (op, "open") == 0)
    open_page (h, command);
  else if (g_strcmp0 (op, "preload") == 0)
    preload_page (h, command);
  else if (g_strcmp0 (op, "show") == 0 && h->view != NULL)
    show_window (h, command);
#ifdef MR_TEST_HOOKS
  else if (g_strcmp0 (op, "js") == 0)
    run_script (h, command);
#endif
  else
    g_debug ("ignored a command the helper does not know");
  read_command (h);
}

static void
read_command (Helper *h)
{
  g_data_input_stream_read_line_async (h->in, G_PRIORITY_DEFAULT, h->cancellable, line_cb, h);
}

/* Someone is using the page: the app's idle guard, which sees only the app's own window, is told
 * (at most once a second), so that a person typing an email or a sign-up code slowly is never
 * "idle". Seen in the capture phase, before the web view takes the event; never consumed. */
#define ACTIVITY_INTERVAL_US G_USEC_PER_SEC

static gboolean
input_cb (GtkEventControllerLegacy *controller,
          GdkEvent                 *event,
          Helper                   *h)
{
  gint64 now;

  switch (gdk_event_get_event_type (event))
    {
    case GDK_MOTION_NOTIFY:
    case GDK_BUTTON_PRESS:
    case GDK_BUTTON_RELEASE:
    case GDK_KEY_PRESS:
    case GDK_KEY_RELEASE:
    case GDK_SCROLL:
    case GDK_TOUCH_BEGIN:
    case GDK_TOUCH_UPDATE:
    case GDK_TOUCH_END:
      break;
    default:
      return FALSE;
    }
  now = g_get_monotonic_time ();
  if (h->last_activity != 0 && now - h->last_activity < ACTIVITY_INTERVAL_US)
    return FALSE;
  h->last_activity = now;
  send_event (h, "activity", NULL, NULL);
  return FALSE;
}

/* A kiosk's sign-in window never opens GTK's inspector (Ctrl+Shift+I or D, unless the user's GTK
 * settings turn the keys off). The signal has no accumulator: only stopping it keeps GtkWindow's
 * own handler from running. */
static gboolean
refuse_debugging_cb (GtkWindow *window)
{
  g_signal_stop_emission_by_name (window, "enable-debugging");
  return TRUE;
}

static GtkWindow *
build_window (Helper   *h,
              gboolean  fullscreen)
{
  GtkWindow *window = GTK_WINDOW (adw_window_new ());
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

  gtk_window_set_title (window, _("Sign In — Medication Refill"));
  gtk_window_set_default_size (window, 560, 720);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (cancel_cb), h);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  if (fullscreen)
    {
      /* A kiosk: nothing that leaves the app, and the whole screen. */
      adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
      adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
      gtk_window_set_deletable (window, FALSE);
      gtk_window_fullscreen (window);
      g_signal_connect (window, "enable-debugging", G_CALLBACK (refuse_debugging_cb), NULL);
    }
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_vexpand (h->view, TRUE);
  gtk_box_append (GTK_BOX (box), h->view);
  adw_window_set_content (ADW_WINDOW (window), box);
  g_signal_connect (window, "close-request", G_CALLBACK (close_request_cb), h);
  {
    GtkEventController *input = gtk_event_controller_legacy_new ();

    gtk_event_controller_set_propagation_phase (input, GTK_PHASE_CAPTURE);
    g_signal_connect (input, "event", G_CALLBACK (input_cb), h);
    gtk_widget_add_controller (GTK_WIDGET (window), input);
  }
  return window;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *redirect_uri = NULL;
  gboolean fullscreen = FALSE;
  const GOptionEntry options[] = {
    { "redirect-uri", 0, 0, G_OPTION_ARG_STRING, &redirect_uri, "The redirect URI to capture", "URI" },
    { "fullscreen", 0, 0, G_OPTION_ARG_NONE, &fullscreen, "Cover the screen (kiosk)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *localedir = NULL;
  Helper h = { 0 };
  int protocol_fd;

  /* This process holds the authorization code and sees the sign-in page's password field. */
  mr_process_harden ();
  /* An app that went away makes our writes fail (and we quit), rather than kill us mid-way. */
  signal (SIGPIPE, SIG_IGN);
  setlocale (LC_ALL, "");
#ifdef MR_TEST_HOOKS
  localedir = g_getenv ("MEDREFILL_LOCALEDIR");   /* the build's catalogues, for the tests */
#endif
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || redirect_uri == NULL)
    {
      g_printerr ("medrefill-signin: %s\n", error ? error->message : "--redirect-uri is required");
      return 2;
    }
  /* The protocol owns standard output; anything a library prints goes to standard error. */
  /* Close-on-exec: WebKit's processes must not hold the app's pipe open after this one ends. */
  protocol_fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (protocol_fd < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    {
      g_printerr ("medrefill-signin: %s\n", g_strerror (errno));
      return 1;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("medrefill-signin: no display\n");
      return 1;
    }
  adw_init ();

  h.loop = g_main_loop_new (NULL, FALSE);
  h.cancellable = g_cancellable_new ();
  {
    g_autoptr(GInputStream) stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);

    h.in = g_data_input_stream_new (stdin_stream);
  }
  h.out = g_unix_output_stream_new (protocol_fd, TRUE);
  h.view = g_object_ref_sink (mr_signin_view_new (redirect_uri, NULL));
  g_signal_connect (h.view, "redirect", G_CALLBACK (redirect_cb), &h);
  g_signal_connect (h.view, "failed", G_CALLBACK (failed_cb), &h);
  g_signal_connect (mr_signin_view_get_web_view (MR_SIGNIN_VIEW (h.view)), "load-changed",
                    G_CALLBACK (page_load_cb), &h);
#ifdef MR_TEST_HOOKS
  g_signal_connect (mr_signin_view_get_web_view (MR_SIGNIN_VIEW (h.view)), "load-changed",
                    G_CALLBACK (test_hook_load_cb), &h);
#endif
  h.window = build_window (&h, fullscreen);

  send_event (&h, "ready", NULL, NULL);
  read_command (&h);
  g_main_loop_run (h.loop);

  g_cancellable_cancel (h.cancellable);
  mr_signin_view_shutdown (MR_SIGNIN_VIEW (h.view));
  gtk_window_destroy (h.window);
  g_clear_object (&h.view);
  g_clear_object (&h.in);
  g_clear_object (&h.out);
  g_clear_object (&h.cancellable);
  g_main_loop_unref (h.loop);
  return 0;
}

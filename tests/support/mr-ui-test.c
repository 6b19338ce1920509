/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-ui-test.h"

#include "mr-lookup-page.h"
#include "mr-test-server.h"
#include "mr-base.h"

#include <gmodule.h>
#include <signal.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

MrSandbox *
mr_ui_start_sandbox (void)
{
  g_autoptr(GError) error = NULL;
  MrSandbox *sandbox = mr_sandbox_new ();

  g_assert_true (mr_sandbox_start (sandbox, 0, NULL, &error));
  g_assert_no_error (error);
  return sandbox;
}

MrConfig *
mr_ui_sandbox_config (MrSandbox *sandbox,
                      MrMode     mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lines = mr_sandbox_dup_settings_text (sandbox);
  MrConfig *config = mr_config_new ();

  g_assert_true (mr_config_apply_lines (config, lines, &error));
  g_assert_no_error (error);
  config->mode = mode;
  return config;
}

MrWindow *
mr_ui_open_window (MrSandbox *sandbox,
                   MrMode     mode)
{
  g_autoptr(MrConfig) config = mr_ui_sandbox_config (sandbox, mode);
  MrWindow *window = mr_window_new (NULL);

  mr_window_set_config (window, config);
  mr_window_set_kiosk_timeouts (window, 600000, 600000, 600000);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (mr_window_get_page (window), ==, "welcome");
  return window;
}

GtkWidget *
mr_ui_find_by_id (GtkWidget  *root,
                  const char *id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (child)), id) == 0)
        return child;
      if ((found = mr_ui_find_by_id (child, id)) != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
mr_ui_find_mapped (GtkWidget *root,
                   GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = mr_ui_find_mapped (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_nth_by_name (GtkWidget  *root,
                  const char *name,
                  guint      *nth)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (gtk_widget_get_name (child), name) == 0 && (*nth)-- == 0)
        return child;
      if ((found = find_nth_by_name (child, name, nth)) != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
mr_ui_find_by_name (GtkWidget  *root,
                    const char *name,
                    guint       nth)
{
  return find_nth_by_name (root, name, &nth);
}

void
mr_ui_wait_for_page (MrWindow   *window,
                     const char *page)
{
  gint64 deadline = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;

  while (g_strcmp0 (mr_window_get_page (window), page) != 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("waited for page %s; the window shows %s (%s)", page,
                 mr_window_get_page (window),
                 mr_window_get_message (window) ? mr_window_get_message (window) : "");
      g_main_context_iteration (NULL, TRUE);
    }
}

typedef struct {
  gboolean done;
  gboolean value;
} JsResult;

typedef void      (*EvaluateFunc) (GtkWidget *, const char *, gssize, const char *, const char *,
                                   GCancellable *, GAsyncReadyCallback, gpointer);
typedef gpointer  (*EvaluateFinishFunc) (GtkWidget *, GAsyncResult *, GError **);
typedef gboolean  (*ToBooleanFunc) (gpointer);

static EvaluateFunc       evaluate;
static EvaluateFinishFunc evaluate_finish;
static ToBooleanFunc      to_boolean;

static void
resolve_webkit (void)
{
  GModule *webkit, *jsc;

  if (evaluate != NULL)
    return;
  /* Linked by the tests of the sign-in page: this only finds it. */
  webkit = g_module_open ("libwebkitgtk-6.0.so.4", G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  jsc = g_module_open ("libjavascriptcoregtk-6.0.so.1", G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  g_assert_nonnull (webkit);
  g_assert_nonnull (jsc);
  g_assert_true (g_module_symbol (webkit, "webkit_web_view_evaluate_javascript", (gpointer *) &evaluate));
  g_assert_true (g_module_symbol (webkit, "webkit_web_view_evaluate_javascript_finish",
                                  (gpointer *) &evaluate_finish));
  g_assert_true (g_module_symbol (jsc, "jsc_value_to_boolean", (gpointer *) &to_boolean));
}

static void
js_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  JsResult *js = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) value = evaluate_finish (GTK_WIDGET (source), result, &error);

  /* A navigation may replace the page while the script runs: that is "not yet", not a failure. */
  js->value = value != NULL && to_boolean (value);
  js->done = TRUE;
}

gboolean
mr_ui_run_js (GtkWidget  *web_view,
              const char *script)
{
  JsResult js = { FALSE, FALSE };

  resolve_webkit ();
  evaluate (web_view, script, -1, NULL, NULL, NULL, js_done_cb, &js);
  g_assert_true (mr_test_wait_for (&js.done, MR_UI_WAIT_MS));
  return js.value;
}

static void
signin_js_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  JsResult *js = user_data;

  /* The page gone (the helper ended) reads as "not satisfied", like a replaced page. */
  js->value = mr_signin_helper_run_js_finish (MR_SIGNIN_HELPER (source), result, NULL);
  js->done = TRUE;
}

gboolean
mr_ui_run_signin_js (MrWindow   *window,
                     const char *script)
{
  MrSigninHelper *helper = mr_window_get_signin_helper (window);
  JsResult js = { FALSE, FALSE };

  g_assert_nonnull (helper);
  mr_signin_helper_run_js_async (helper, script, signin_js_cb, &js);
  g_assert_true (mr_test_wait_for (&js.done, MR_UI_WAIT_MS));
  return js.value;
}

void
mr_ui_wait_for_signin (MrWindow   *window,
                       const char *condition)
{
  gint64 deadline = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;

  mr_ui_wait_for_page (window, "signin");
  while (!mr_ui_run_signin_js (window, condition))
    {
      gboolean tick = FALSE;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      mr_test_wait_for (&tick, 100);
    }
}

void
mr_ui_submit_sign_in (MrWindow   *window,
                      const char *email,
                      const char *password)
{
  g_autofree char *script = NULL;

  script = g_strdup_printf ("document.getElementById('email').value = '%s';"
                            "document.getElementById('password').value = '%s';"
                            "document.getElementById('submit').click(); true;",
                            email, password);
  g_assert_true (mr_ui_run_signin_js (window, script));
}

void
mr_ui_stay_signed_in (MrWindow *window,
                      gboolean  yes)
{
  mr_ui_wait_for_signin (window, MR_UI_STAY_SIGNED_IN_READY);
  g_assert_true (mr_ui_run_signin_js (window, yes ? "document.getElementById('kmsi-yes').click(); true"
                                                  : "document.getElementById('kmsi-no').click(); true"));
}

void
mr_ui_sign_in_as (MrWindow   *window,
                  const char *email,
                  const char *password)
{
  mr_ui_submit_sign_in (window, email, password);
  /* Yes: what keeps a browser signed in longest, the case a kiosk must survive. */
  if (g_strcmp0 (password, MR_SANDBOX_PASSWORD) == 0)
    mr_ui_stay_signed_in (window, TRUE);
}

void
mr_ui_open_patient (MrWindow   *window,
                    const char *hospital_number)
{
  GtkWidget *page;
  gint64 deadline = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;

  mr_ui_wait_for_page (window, "lookup");
  page = gtk_stack_get_visible_child (GTK_STACK (mr_ui_find_by_id (GTK_WIDGET (window), "stack")));
  g_assert_true (MR_IS_LOOKUP_PAGE (page));
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (page, "lookup-query", 0)), hospital_number);
  g_signal_emit_by_name (mr_ui_find_by_name (page, "lookup-query", 0), "entry-activated");
  while (mr_lookup_page_get_n_results (MR_LOOKUP_PAGE (page)) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (mr_lookup_page_get_n_results (MR_LOOKUP_PAGE (page)), ==, 1);
  mr_lookup_page_choose (MR_LOOKUP_PAGE (page), 0);
}

void
mr_ui_save_screenshot (MrWindow   *window,
                       const char *name)
{
  const char *dir = g_getenv ("MEDREFILL_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  gboolean drawn = FALSE;

  if (dir == NULL)
    return;
  /* Let the window lay out and draw the page it just switched to. */
  mr_test_wait_for (&drawn, 700);
  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (GTK_WIDGET (window)),
                          gtk_widget_get_height (GTK_WIDGET (window)));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node, NULL);
  file = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, file));
}

static void
skip_without_display (void)
{
  g_test_skip ("no display: run under xvfb-run (as scripts/run-tests does)");
}

gboolean
mr_ui_have_display (const char *path)
{
  if (g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL)
    return TRUE;
  g_test_add_func (path, skip_without_display);
  return FALSE;
}

/* The pids of this process's descendants, from /proc/<pid>/stat's parent field. */
static GArray *
descendants (void)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) parents = g_array_new (FALSE, FALSE, sizeof (int));
  GArray *found = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  gboolean grew = TRUE;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      const char *close_paren;
      int pid = atoi (name), ppid = 0;

      if (pid <= 0 || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      if ((close_paren = strrchr (stat, ')')) == NULL ||
          sscanf (close_paren + 2, "%*c %d", &ppid) != 1)
        continue;
      g_array_append_val (all, pid);
      g_array_append_val (parents, ppid);
    }
  {
    int self = getpid ();
    g_array_append_val (found, self);
  }
  while (grew)
    {
      grew = FALSE;
      for (guint i = 0; i < all->len; i++)
        {
          int pid = g_array_index (all, int, i), ppid = g_array_index (parents, int, i);
          gboolean have_parent = FALSE, have_pid = FALSE;

          for (guint j = 0; j < found->len; j++)
            {
              have_parent |= g_array_index (found, int, j) == ppid;
              have_pid |= g_array_index (found, int, j) == pid;
            }
          if (have_parent && !have_pid)
            {
              g_array_append_val (found, pid);
              grew = TRUE;
            }
        }
    }
  return found;
}

static guint64
status_kib (int         pid,
            const char *file,
            const char *key)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", pid, file);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, key)) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (key), NULL, 10);
}

static gboolean
is_webkit (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/comm", pid);
  g_autofree char *comm = NULL;

  /* WebKit's web and network processes, and the sign-in helper that hosts them. */
  return g_file_get_contents (path, &comm, NULL, NULL) &&
         (g_str_has_prefix (comm, "WebKit") || g_str_has_prefix (comm, "medrefill-signi"));
}

guint
mr_ui_count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n - 1;  /* the directory's own */
}

void
mr_ui_report_memory (const char *stage)
{
  g_autoptr(GArray) pids = NULL;
  guint64 rss = 0, pss = 0;
  guint webkit = 0;
  const char *smaps_dir = g_getenv ("MEDREFILL_MEMORY_SMAPS");

  if (g_getenv ("MEDREFILL_MEMORY_REPORT") == NULL)
    return;
  pids = descendants ();
  for (guint i = 0; i < pids->len; i++)
    {
      int pid = g_array_index (pids, int, i);

      rss += status_kib (pid, "smaps_rollup", "\nRss:");
      pss += status_kib (pid, "smaps_rollup", "\nPss:");
      webkit += is_webkit (pid);
      if (smaps_dir != NULL)
        {
          /* bench/memory.sh --detail: every mapping, to see where the memory is. */
          g_autofree char *from = g_strdup_printf ("/proc/%d/smaps", pid);
          g_autofree char *to = g_strdup_printf ("%s/%s-%d.smaps", smaps_dir, stage, pid);
          g_autofree char *text = NULL;
          gsize len;

          if (g_file_get_contents (from, &text, &len, NULL))
            g_file_set_contents (to, text, len, NULL);
        }
    }
  /* The whole (this process, the helper, WebKit), then this process alone: the app and, in the
   * tests, the sandbox tenant; the heap it has in use (malloc's count, without the freed pages it
   * keeps) and its open file descriptors. */
  g_printerr ("medrefill-memory: %s rss_kib=%" G_GUINT64_FORMAT " pss_kib=%" G_GUINT64_FORMAT
              " processes=%u webkit=%u app_pss_kib=%" G_GUINT64_FORMAT " heap_kib=%zu fds=%u\n",
              stage, rss, pss, pids->len, webkit,
              status_kib (getpid (), "smaps_rollup", "\nPss:"), mallinfo2 ().uordblks / 1024,
              mr_ui_count_fds ());
}

static guint
count_webkit (void)
{
  g_autoptr(GArray) pids = descendants ();
  guint webkit = 0;

  for (guint i = 0; i < pids->len; i++)
    webkit += is_webkit (g_array_index (pids, int, i));
  return webkit;
}

static guint
wait_webkit (gboolean (*done) (guint webkit, guint count),
             guint     count,
             guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      guint webkit = count_webkit ();
      gboolean tick = FALSE;

      if (done (webkit, count) || g_get_monotonic_time () > deadline)
        return webkit;
      mr_test_wait_for (&tick, 50);
    }
}

static gboolean
none_left (guint webkit,
           guint count)
{
  return webkit == 0;
}

static gboolean
at_least (guint webkit,
          guint count)
{
  return webkit >= count;
}

static gboolean
is_signin_helper (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/comm", pid);
  g_autofree char *comm = NULL;

  return g_file_get_contents (path, &comm, NULL, NULL) && g_str_has_prefix (comm, "medrefill-signi");
}

GArray *
mr_ui_signin_helper_pids (void)
{
  g_autoptr(GArray) pids = descendants ();
  GArray *helpers = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; i < pids->len; i++)
    if (is_signin_helper (g_array_index (pids, int, i)))
      g_array_append_val (helpers, g_array_index (pids, int, i));
  return helpers;
}

guint
mr_ui_kill_signin_helpers (void)
{
  g_autoptr(GArray) pids = descendants ();
  guint killed = 0;

  for (guint i = 0; i < pids->len; i++)
    {
      int pid = g_array_index (pids, int, i);
      g_autofree char *path = g_strdup_printf ("/proc/%d/comm", pid);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_has_prefix (comm, "medrefill-signi")
          && kill (pid, SIGKILL) == 0)
        killed++;
    }
  return killed;
}

guint
mr_ui_wait_webkit_gone (guint timeout_ms)
{
  return wait_webkit (none_left, 0, timeout_ms);
}

guint
mr_ui_wait_webkit_count (guint count,
                         guint timeout_ms)
{
  return wait_webkit (at_least, count, timeout_ms);
}

GObject *
mr_ui_web_view_settings (GtkWidget *web_view)
{
  static GObject *(*get_settings) (GtkWidget *);
  GModule *webkit;

  if (get_settings == NULL)
    {
      webkit = g_module_open ("libwebkitgtk-6.0.so.4", G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
      g_assert_nonnull (webkit);
      g_assert_true (g_module_symbol (webkit, "webkit_web_view_get_settings",
                                      (gpointer *) &get_settings));
    }
  return get_settings (web_view);
}

void
mr_ui_wait_for_js (GtkWidget  *web_view,
                   const char *condition)
{
  gint64 deadline = g_get_monotonic_time () + MR_UI_WAIT_MS * 1000;

  while (!mr_ui_run_js (web_view, condition))
    {
      gboolean tick = FALSE;

      if (g_get_monotonic_time () > deadline)
        g_error ("waited for the page to satisfy: %s", condition);
      mr_test_wait_for (&tick, 50);
    }
}

/* Xlib and XTest, looked up at run time so that the tests need neither's headers. */
typedef gpointer (*GetXDisplayFunc) (GdkDisplay *);
typedef gulong   (*GetXidFunc)      (GdkSurface *);
typedef gulong   (*RootWindowFunc)  (gpointer);
typedef int      (*TranslateFunc)   (gpointer, gulong, gulong, int, int, int *, int *, gulong *);
typedef int      (*FakeMotionFunc)  (gpointer, int, int, int, gulong);
typedef int      (*FakeButtonFunc)  (gpointer, guint, int, gulong);
typedef int      (*FlushFunc)       (gpointer);

typedef struct {
  GetXDisplayFunc get_xdisplay;
  GetXidFunc      get_xid;
  RootWindowFunc  root_window;
  TranslateFunc   translate;
  FakeMotionFunc  fake_motion;
  FakeButtonFunc  fake_button;
  FlushFunc       flush;
} XTest;

static gboolean
resolve_xtest (XTest *x)
{
  GModule *self = g_module_open (NULL, G_MODULE_BIND_LAZY);
  GModule *xlib = g_module_open ("libX11.so.6", G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  GModule *xtst = g_module_open ("libXtst.so.6", G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);

  return self != NULL && xlib != NULL && xtst != NULL
         && g_module_symbol (self, "gdk_x11_display_get_xdisplay", (gpointer *) &x->get_xdisplay)
         && g_module_symbol (self, "gdk_x11_surface_get_xid", (gpointer *) &x->get_xid)
         && g_module_symbol (xlib, "XDefaultRootWindow", (gpointer *) &x->root_window)
         && g_module_symbol (xlib, "XTranslateCoordinates", (gpointer *) &x->translate)
         && g_module_symbol (xlib, "XFlush", (gpointer *) &x->flush)
         && g_module_symbol (xtst, "XTestFakeMotionEvent", (gpointer *) &x->fake_motion)
         && g_module_symbol (xtst, "XTestFakeButtonEvent", (gpointer *) &x->fake_button);
}

gboolean
mr_ui_click (GtkWidget *widget,
             guint      button)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GdkDisplay *display = gtk_widget_get_display (widget);
  graphene_point_t centre, in_native;
  double dx, dy;
  int root_x, root_y;
  gulong child;
  gpointer xdisplay;
  XTest x;

  if (native == NULL || g_strcmp0 (G_OBJECT_TYPE_NAME (display), "GdkX11Display") != 0
      || !resolve_xtest (&x))
    return FALSE;
  centre = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.f,
                                gtk_widget_get_height (widget) / 2.f);
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &centre, &in_native));
  gtk_native_get_surface_transform (native, &dx, &dy);
  xdisplay = x.get_xdisplay (display);
  x.translate (xdisplay, x.get_xid (gtk_native_get_surface (native)), x.root_window (xdisplay),
               (int) (in_native.x + dx), (int) (in_native.y + dy), &root_x, &root_y, &child);
  x.fake_motion (xdisplay, -1, root_x, root_y, 0);
  x.fake_button (xdisplay, button, TRUE, 0);
  x.fake_button (xdisplay, button, FALSE, 0);
  x.flush (xdisplay);
  return TRUE;
}

gboolean
mr_ui_move_pointer (GdkDisplay *display,
                    int         root_x,
                    int         root_y)
{
  gpointer xdisplay;
  XTest x;

  if (g_strcmp0 (G_OBJECT_TYPE_NAME (display), "GdkX11Display") != 0 || !resolve_xtest (&x))
    return FALSE;
  xdisplay = x.get_xdisplay (display);
  x.fake_motion (xdisplay, -1, root_x, root_y, 0);
  x.flush (xdisplay);
  return TRUE;
}

static char *
export_pem (int             (*export) (gpointer, gnutls_x509_crt_fmt_t, gnutls_datum_t *),
            gpointer          object)
{
  gnutls_datum_t datum = { NULL, 0 };
  char *pem;

  g_assert_cmpint (export (object, GNUTLS_X509_FMT_PEM, &datum), ==, 0);
  pem = g_strndup ((const char *) datum.data, datum.size);
  gnutls_free (datum.data);
  return pem;
}

static int
export_key (gpointer               key,
            gnutls_x509_crt_fmt_t  format,
            gnutls_datum_t        *out)
{
  return gnutls_x509_privkey_export2_pkcs8 (key, format, NULL, GNUTLS_PKCS_PLAIN, out);
}

static int
export_crt (gpointer               crt,
            gnutls_x509_crt_fmt_t  format,
            gnutls_datum_t        *out)
{
  return gnutls_x509_crt_export2 (crt, format, out);
}

GTlsCertificate *
mr_ui_self_signed_certificate (void)
{
  static const guchar loopback[4] = { 127, 0, 0, 1 };
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
  guchar serial[8];
  g_autofree char *crt_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *both = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;
  time_t now = time (NULL);

  mr_random_bytes (serial, sizeof serial);
  serial[0] &= 0x7f;  /* a positive serial number */
  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                                 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_version (crt, 3), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_activation_time (crt, now - 3600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_expiration_time (crt, now + 24 * 3600), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                  "127.0.0.1", 9), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, loopback,
                                                         sizeof loopback, GNUTLS_FSAN_SET), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_set_key (crt, key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  crt_pem = export_pem (export_crt, crt);
  key_pem = export_pem (export_key, key);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);

  both = g_strconcat (crt_pem, key_pem, NULL);
  certificate = g_tls_certificate_new_from_pem (both, -1, &error);
  g_assert_no_error (error);
  return certificate;
}

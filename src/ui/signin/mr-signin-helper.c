/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-signin-helper.h"

#include <signal.h>
#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "config.h"
#include "mr-base.h"

struct _MrSigninHelper {
  GObject           parent_instance;

  GSubprocess      *process;
  GOutputStream    *to_helper;
  GDataInputStream *from_helper;
  GCancellable     *cancellable;
  /* Scripts waiting for their result: id → GTask. */
  GHashTable       *scripts;
  gint64            next_script;
  /* FALSE once the helper ended, failed, or was shut down. */
  gboolean          running;
  /* The helper reported the redirect: its ending is expected. */
  gboolean          finished;
};

G_DEFINE_FINAL_TYPE (MrSigninHelper, mr_signin_helper, G_TYPE_OBJECT)

enum {
  SIGNAL_REDIRECT,
  SIGNAL_FAILED,
  SIGNAL_CANCELLED,
  SIGNAL_ACTIVITY,
  SIGNAL_PRELOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The helper beside the running executable as the build tree lays them out (src/medrefill and
 * src/ui/signin/medrefill-signin), or NULL: an uninstalled build started by hand, without
 * $MEDREFILL_HELPER_DIR, must not fall back to an installed helper that may not exist or may
 * speak an older protocol. An installed app has no such file beside it. */
static char *
build_tree_helper_path (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (exe == NULL)
    return NULL;
  dir = g_path_get_dirname (exe);
  path = g_build_filename (dir, "ui", "signin", "medrefill-signin", NULL);
  return g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) ? g_steal_pointer (&path) : NULL;
}

/* $MEDREFILL_HELPER_DIR (a test build's tests and benchmarks only: a release build never lets
 * the environment choose the program that sees the password), the build tree's helper, or the
 * installed helper directory. Newly allocated. */
static char *
helper_path (void)
{
  char *path;

#ifdef MR_TEST_HOOKS
  const char *dir = g_getenv ("MEDREFILL_HELPER_DIR");

  if (dir != NULL && *dir != '\0')
    return g_build_filename (dir, "medrefill-signin", NULL);
#endif
  if ((path = build_tree_helper_path ()) != NULL)
    return path;
  return g_build_filename (HELPERDIR, "medrefill-signin", NULL);
}

static void
fail_scripts (MrSigninHelper *self)
{
  GHashTableIter iter;
  gpointer task;

  g_hash_table_iter_init (&iter, self->scripts);
  while (g_hash_table_iter_next (&iter, NULL, &task))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "the sign-in page is gone");
      g_hash_table_iter_remove (&iter);
    }
}

static void
stop (MrSigninHelper *self)
{
  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
  fail_scripts (self);
  if (self->to_helper != NULL)
    g_output_stream_close (self->to_helper, NULL, NULL);
  /* The helper quits when its input closes; a signal makes sure it does not linger (its web
   * processes end with it), which a kiosk's wipe relies on. */
  if (self->process != NULL && !self->finished)
    g_subprocess_send_signal (self->process, SIGTERM);
  g_clear_object (&self->to_helper);
  g_clear_object (&self->from_helper);
}

static void
emit_failed (MrSigninHelper *self,
             const char     *message)
{
  g_object_ref (self);
  stop (self);
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, message);
  g_object_unref (self);
}

static void
send (MrSigninHelper *self,
      JsonBuilder    *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);
  g_autoptr(GError) error = NULL;

  if (!self->running || self->to_helper == NULL)
    return;
  /* Small messages on a pipe the helper reads at once: written in one go. */
  if (!mr_json_write_line (self->to_helper, node, &error))
    g_debug ("the sign-in helper does not read: %s", error->message);
}

static void
script_result (MrSigninHelper *self,
               JsonObject     *event)
{
  gint64 id = json_object_get_int_member_with_default (event, "id", 0);
  GTask *task = g_hash_table_lookup (self->scripts, &id);

  if (task == NULL)
    return;
  g_task_return_boolean (task, json_object_get_boolean_member_with_default (event, "value", FALSE));
  g_hash_table_remove (self->scripts, &id);
}

static void read_event (MrSigninHelper *self);

static void
event_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(MrSigninHelper) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                     result, NULL, &error);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *event;
  const char *name;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->running)
    return;
  if (line == NULL)
    {
      if (!self->finished)
        emit_failed (self, _("The sign-in window closed unexpectedly. Please try again."));
      return;
    }
  node = json_from_string (line, NULL);
  event = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  name = event != NULL ? mr_json_get_string (event, "event") : NULL;
  if (g_strcmp0 (name, "redirect") == 0 && mr_json_get_string (event, "uri") != NULL)
    {
      g_autofree char *uri = g_strdup (mr_json_get_string (event, "uri"));

      self->finished = TRUE;
      stop (self);
      g_signal_emit (self, signals[SIGNAL_REDIRECT], 0, uri);
      return;
    }
  if (g_strcmp0 (name, "failed") == 0)
    {
      const char *message = mr_json_get_string (event, "message");

      emit_failed (self, message != NULL ? message
                   : _("The sign-in page could not be loaded. Check the network connection and try again."));
      return;
    }
  if (g_strcmp0 (name, "cancel") == 0)
    {
      stop (self);
      g_signal_emit (self, signals[SIGNAL_CANCELLED], 0);
      return;
    }
  if (g_strcmp0 (name, "activity") == 0)
    g_signal_emit (self, signals[SIGNAL_ACTIVITY], 0);
  else if (g_strcmp0 (name, "preloaded") == 0)
    g_signal_emit (self, signals[SIGNAL_PRELOADED], 0);
  else if (g_strcmp0 (name, "js") == 0)
    script_result (self, event);
  else if (g_strcmp0 (name, "ready") == 0)
    mr_trace_mark ("signin-helper-ready");
  read_event (self);
}

static void
read_event (MrSigninHelper *self)
{
  g_data_input_stream_read_line_async (self->from_helper, G_PRIORITY_DEFAULT, self->cancellable,
                                       event_cb, g_object_ref (self));
}

static gboolean
report_spawn_failure (gpointer data)
{
  g_autoptr(MrSigninHelper) self = data;

  g_signal_emit (self, signals[SIGNAL_FAILED], 0,
                 _("The sign-in component of the app is missing. Reinstall the app."));
  return G_SOURCE_REMOVE;
}

MrSigninHelper *
mr_signin_helper_new (const char *redirect_uri,
                      gboolean    fullscreen)
{
  g_autoptr(MrSigninHelper) self = g_object_new (MR_TYPE_SIGNIN_HELPER, NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *path = helper_path ();
  g_autoptr(GError) error = NULL;
  const char *argv[] = { path, "--redirect-uri", redirect_uri, fullscreen ? "--fullscreen" : NULL,
                         NULL };

  g_return_val_if_fail (redirect_uri != NULL, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* GTK_DEBUG=interactive would open GTK's inspector over a kiosk's sign-in page. */
  if (fullscreen)
    g_subprocess_launcher_unsetenv (launcher, "GTK_DEBUG");
  self->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (self->process == NULL)
    {
      g_debug ("cannot start %s: %s", path, error->message);
      g_idle_add (report_spawn_failure, g_object_ref (self));
      return g_steal_pointer (&self);
    }
  self->running = TRUE;
  self->to_helper = g_object_ref (g_subprocess_get_stdin_pipe (self->process));
  self->from_helper = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  read_event (self);
  return g_steal_pointer (&self);
}

/* {"op":OP,"url":URL,"hosts":[…],"token":T}, the members that are not NULL. */
static void
send_page_command (MrSigninHelper     *self,
                   const char         *op,
                   const char         *url,
                   const char * const *hosts,
                   const char         *token)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, op);
  if (url != NULL)
    {
      json_builder_set_member_name (b, "url");
      json_builder_add_string_value (b, url);
      json_builder_set_member_name (b, "hosts");
      json_builder_begin_array (b);
      for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
        json_builder_add_string_value (b, hosts[i]);
      json_builder_end_array (b);
    }
  if (token != NULL)
    {
      json_builder_set_member_name (b, "token");
      json_builder_add_string_value (b, token);
    }
  json_builder_end_object (b);
  send (self, b);
}

void
mr_signin_helper_open (MrSigninHelper     *self,
                       const char         *authorize_url,
                       const char * const *hosts,
                       const char         *activation_token)
{
  g_return_if_fail (MR_IS_SIGNIN_HELPER (self));
  g_return_if_fail (authorize_url != NULL);

  send_page_command (self, "open", authorize_url, hosts, activation_token);
}

void
mr_signin_helper_preload (MrSigninHelper     *self,
                          const char         *authorize_url,
                          const char * const *hosts)
{
  g_return_if_fail (MR_IS_SIGNIN_HELPER (self));
  g_return_if_fail (authorize_url != NULL);

  send_page_command (self, "preload", authorize_url, hosts, NULL);
}

void
mr_signin_helper_show (MrSigninHelper *self,
                       const char     *activation_token)
{
  g_return_if_fail (MR_IS_SIGNIN_HELPER (self));

  send_page_command (self, "show", NULL, NULL, activation_token);
}

void
mr_signin_helper_shutdown (MrSigninHelper *self)
{
  g_return_if_fail (MR_IS_SIGNIN_HELPER (self));

  stop (self);
}

gboolean
mr_signin_helper_is_running (MrSigninHelper *self)
{
  g_return_val_if_fail (MR_IS_SIGNIN_HELPER (self), FALSE);

  return self->running;
}

#ifdef MR_TEST_HOOKS
void
mr_signin_helper_run_js_async (MrSigninHelper      *self,
                               const char          *script,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  gint64 *id;

  g_return_if_fail (MR_IS_SIGNIN_HELPER (self));
  g_return_if_fail (script != NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, mr_signin_helper_run_js_async);
  if (!self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "the sign-in page is gone");
      return;
    }
  id = g_new (gint64, 1);
  *id = ++self->next_script;
  g_hash_table_insert (self->scripts, id, g_object_ref (task));
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, "js");
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, *id);
  json_builder_set_member_name (b, "script");
  json_builder_add_string_value (b, script);
  json_builder_end_object (b);
  send (self, b);
}

gboolean
mr_signin_helper_run_js_finish (MrSigninHelper  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
#endif

static void
mr_signin_helper_dispose (GObject *object)
{
  MrSigninHelper *self = MR_SIGNIN_HELPER (object);

  stop (self);
  g_clear_object (&self->process);
  G_OBJECT_CLASS (mr_signin_helper_parent_class)->dispose (object);
}

static void
mr_signin_helper_finalize (GObject *object)
{
  MrSigninHelper *self = MR_SIGNIN_HELPER (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->scripts);
  G_OBJECT_CLASS (mr_signin_helper_parent_class)->finalize (object);
}

static void
mr_signin_helper_class_init (MrSigninHelperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_signin_helper_dispose;
  object_class->finalize = mr_signin_helper_finalize;
  /* The app writes to the helper's input: a helper that died must make that write fail (and its
   * end be read as "the sign-in window closed"), not kill the app with SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);

  signals[SIGNAL_REDIRECT] = g_signal_new ("redirect", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);
  /* The person is using the sign-in page (at most once a second). */
  signals[SIGNAL_ACTIVITY] = g_signal_new ("activity", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
  /* The page given to mr_signin_helper_preload() has loaded (its window still hidden). */
  signals[SIGNAL_PRELOADED] = g_signal_new ("preloaded", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);
}

static void
mr_signin_helper_init (MrSigninHelper *self)
{
  self->cancellable = g_cancellable_new ();
  self->scripts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

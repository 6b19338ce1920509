/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-test-server.h"

#include "mr-base.h"

struct _MrTestServer {
  GThread            *thread;
  GMainContext       *context;
  GMainLoop          *loop;
  SoupServer         *server;
  GSocketService     *service;
  SoupServerCallback  handler;
  gpointer            user_data;
  char               *url;
  GMutex              lock;
  GCond               ready;
  gboolean            started;
};

static gpointer
server_thread (gpointer data)
{
  MrTestServer *self = data;
  g_autoptr(GError) error = NULL;
  guint port;

  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("server-header", "mr-test-server", NULL);
  soup_server_add_handler (self->server, NULL, self->handler, self->user_data, NULL);
  self->service = mr_local_server_listen (self->server, 0, &port, &error);
  if (self->service == NULL)
    g_error ("test server cannot listen: %s", error->message);
  self->url = g_strdup_printf ("http://127.0.0.1:%u", port);

  g_mutex_lock (&self->lock);
  self->started = TRUE;
  g_cond_signal (&self->ready);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

  mr_local_server_stop (g_steal_pointer (&self->service), self->server);
  g_clear_object (&self->server);
  /* Let pending sources of the server finish before the context goes. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

MrTestServer *
mr_test_server_new (SoupServerCallback handler,
                    gpointer           user_data)
{
  MrTestServer *self = g_new0 (MrTestServer, 1);

  self->handler = handler;
  self->user_data = user_data;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  g_mutex_init (&self->lock);
  g_cond_init (&self->ready);
  self->thread = g_thread_new ("mr-test-server", server_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->ready, &self->lock);
  g_mutex_unlock (&self->lock);
  return self;
}

const char *
mr_test_server_get_url (MrTestServer *self)
{
  return self->url;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
mr_test_server_free (MrTestServer *self)
{
  g_main_context_invoke (self->context, quit_cb, self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->ready);
  g_free (self->url);
  g_free (self);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
mr_test_wait_for (gboolean *flag,
                  guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *flag;
}

void
mr_test_store_result_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
mr_test_wait_for_result (GAsyncResult **slot,
                         guint          timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (*slot);
}

void
mr_test_init (int    *argc,
              char ***argv)
{
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}

const char *
mr_test_init_with_home (int    *argc,
                        char ***argv)
{
  static const char *homes[][2] = {
    { "HOME", "home" }, { "XDG_CONFIG_HOME", "config" }, { "XDG_DATA_HOME", "data" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_STATE_HOME", "state" }, { "XDG_RUNTIME_DIR", "runtime" },
  };
  g_autoptr(GError) error = NULL;
  static char *root;

  root = g_dir_make_tmp ("medrefill-test-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (homes); i++)
    {
      g_autofree char *dir = g_build_filename (root, homes[i][1], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (homes[i][0], dir, TRUE);
    }
  g_test_init (argc, argv, NULL);
  return root;
}

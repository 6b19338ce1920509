/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* A SoupServer on 127.0.0.1, port 0, running in a thread of its own with its own main context, so
 * that the test's main loop can block in the client code while the server answers. The handler
 * runs in the server thread. */
typedef struct _MrTestServer MrTestServer;

MrTestServer *mr_test_server_new     (SoupServerCallback  handler,
                                      gpointer            user_data);
/* "http://127.0.0.1:PORT" — owned by the server. */
const char   *mr_test_server_get_url (MrTestServer       *server);
/* Stops the server and joins its thread. */
void          mr_test_server_free    (MrTestServer       *server);

/* Spins the thread-default main context until *@flag is TRUE or @timeout_ms passes; returns *flag. */
gboolean      mr_test_wait_for       (gboolean           *flag,
                                      guint               timeout_ms);

/* A GAsyncReadyCallback that keeps a reference to the result in the GAsyncResult * slot @user_data
 * points to; mr_test_wait_for_result() then spins until it is there (at most @timeout_ms) and
 * asserts that it came. */
void          mr_test_store_result_cb (GObject           *source,
                                       GAsyncResult      *result,
                                       gpointer           user_data);
void          mr_test_wait_for_result (GAsyncResult     **slot,
                                       guint              timeout_ms);

/* Common test set-up: g_test_init with isolated XDG directories. */
void          mr_test_init           (int                *argc,
                                      char             ***argv);

/* For tests of the real window: private HOME and XDG_*_HOME directories in a new temporary
 * directory, but the system's XDG_DATA_DIRS kept (GTK and WebKit need the MIME database, icons and
 * fonts from there, which G_TEST_OPTION_ISOLATE_DIRS hides). Returns the temporary directory. */
const char   *mr_test_init_with_home (int                *argc,
                                      char             ***argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrTestServer, mr_test_server_free)

G_END_DECLS

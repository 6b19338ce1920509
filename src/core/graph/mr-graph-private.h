/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mr-graph-profile.h"

G_BEGIN_DECLS

/* 429 has no name in libsoup 3.2. */
#define MR_GRAPH_STATUS_TOO_MANY_REQUESTS 429

/* The sentences one Graph call says for the statuses that differ from call to call (already
 * translated, or N_() marked and translated here: pass them through _()). */
typedef struct {
  const char *forbidden;          /* 403 */
  const char *not_found;          /* 404; NULL: as any other failure */
  const char *failed_with_code;   /* a format with %u (status) and %s (Graph's error code); NULL:
                                   * the code is not said */
  const char *failed;             /* a format with %u (status) */
} MrGraphStatusTexts;

/* The GError for a Graph answer with a status other than 2xx: 401 is "sign in again" and
 * 429/503 "busy, wait" for every call; the rest say @texts. Graph's own message is never used
 * (it may quote what was sent); its error code is, when it is a plain identifier. */
GError *mr_graph_status_error (guint                     status,
                               GBytes                   *body,
                               const MrGraphStatusTexts *texts);
/* The "value" list of a Graph collection answer (GET /users, /applications), kept alive by
 * @root (set to a new reference); NULL with @error from the status and @texts, or saying the
 * answer could not be read (not JSON, larger than @max_size, no "value" list). */
JsonArray *mr_graph_parse_collection (guint                     status,
                                      GBytes                   *body,
                                      gsize                     max_size,
                                      const MrGraphStatusTexts *texts,
                                      JsonObject              **root,
                                      GError                  **error);
/* Finishes soup_session_send_and_read_async() for @task: the body, or NULL once @task has been
 * returned its error (cancelled as is, anything else "Graph could not be reached"). */
GBytes *mr_graph_read_finish  (GTask                    *task,
                               GObject                  *source,
                               GAsyncResult             *result);
/* Puts @access_token on @msg as a bearer token, asks for JSON, and turns off libsoup's redirect
 * following: a 3xx (from Graph or from anything between) must not carry the token to another
 * address; it ends the call with mr_graph_status_error()'s sentence. */
void    mr_graph_authorize    (SoupMessage              *msg,
                               const char               *access_token);
/* Graph's error code ("Request_BadRequest") when @body has Graph's error shape and the code is a
 * plain identifier, else NULL. Newly allocated. */
char   *mr_graph_error_code   (GBytes                   *body);

G_END_DECLS

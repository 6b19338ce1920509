/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "mr-refill-model.h"

G_BEGIN_DECLS

#define MR_GRAPH_ERROR (mr_graph_error_quark ())

typedef enum {
  MR_GRAPH_ERROR_NETWORK,
  MR_GRAPH_ERROR_UNAUTHORIZED,  /* 401: the sign-in expired */
  MR_GRAPH_ERROR_FORBIDDEN,     /* 403: a permission is missing */
  MR_GRAPH_ERROR_NOT_FOUND,
  MR_GRAPH_ERROR_THROTTLED,     /* 429 / 503 */
  MR_GRAPH_ERROR_BAD_RESPONSE,  /* not the JSON Graph documents */
  MR_GRAPH_ERROR_FAILED,        /* any other error status */
} MrGraphError;

GQuark     mr_graph_error_quark     (void);

/* ---- The profile read (mr-graph-profile.c) --------------------------------------------------- */

/* The extension attribute's property name: extension_<app id without dashes>_<name>.
 * Returns NULL when @app_id is NULL or empty. */
char      *mr_graph_extension_name  (const char           *app_id,
                                     const char           *name);
/* {graph_url}/me?$select=… with every built-in property the form uses and, when @ext_app_id is
 * set, the three custom attributes (DateofBirth, HospitalNumber, Gender). */
char      *mr_graph_me_url          (const char           *graph_url,
                                     const char           *ext_app_id);
/* Maps a Graph answer (any status) to a patient, or to an error a person understands. Properties
 * of the wrong JSON type are treated as absent. */
MrPatient *mr_graph_parse_profile   (guint                 status,
                                     GBytes               *body,
                                     const char           *ext_app_id,
                                     GError              **error);

/* GET /me in one request. Does not block. */
void       mr_graph_get_me_async    (SoupSession          *session,
                                     const char           *graph_url,
                                     const char           *ext_app_id,
                                     const char           *access_token,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
MrPatient *mr_graph_get_me_finish   (GAsyncResult         *result,
                                     GError              **error);

/* ---- The extensions app id when it is not configured (mr-graph-apps.c) ----------------------- */

/* {graph_url}/applications?$filter=startswith(displayName,'b2c-extensions-app')
 * &$select=appId,displayName. Newly allocated. */
char      *mr_graph_extensions_app_url          (const char           *graph_url);
/* The b2c-extensions-app's appId (newly allocated) from a Graph answer (any status), or an error:
 * MR_GRAPH_ERROR_FORBIDDEN on 403 — the token may not read applications (Application.Read.All):
 * fall back to the ID token's claims — _NOT_FOUND when the tenant has no such app,
 * _UNAUTHORIZED, _THROTTLED, _BAD_RESPONSE, _FAILED as for the profile. */
char      *mr_graph_parse_extensions_app        (guint                 status,
                                                 GBytes               *body,
                                                 GError              **error);
/* GET of mr_graph_extensions_app_url(). Does not block. */
void       mr_graph_find_extensions_app_async   (SoupSession          *session,
                                                 const char           *graph_url,
                                                 const char           *access_token,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
char      *mr_graph_find_extensions_app_finish  (GAsyncResult         *result,
                                                 GError              **error);

/* ---- Corrections written back (mr-graph-patch.c) --------------------------------------------- */

/* {graph_url}/me when @user_id is NULL, else {graph_url}/users/{user_id}. Newly allocated. */
char      *mr_graph_patch_url                   (const char           *graph_url,
                                                 const char           *user_id);
/* PATCH mr_graph_patch_url() with @changes as JSON (Content-Type: application/json). 2xx (Graph
 * answers 204) is success; otherwise MR_GRAPH_ERROR_FORBIDDEN (403: the account may not change
 * that detail), _THROTTLED (429/503), _UNAUTHORIZED, _NOT_FOUND, _FAILED (naming Graph's error
 * code, e.g. 400 Request_BadRequest) or _NETWORK. Does not block. */
void       mr_graph_patch_profile_async         (SoupSession          *session,
                                                 const char           *graph_url,
                                                 const char           *user_id,
                                                 JsonObject           *changes,
                                                 const char           *access_token,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
/* *@retry_after (when not NULL) gets Graph's Retry-After in seconds (at most 3600) for a failed
 * request, 0 when it gave none. */
gboolean   mr_graph_patch_profile_finish        (GAsyncResult         *result,
                                                 guint                *retry_after,
                                                 GError              **error);

G_END_DECLS

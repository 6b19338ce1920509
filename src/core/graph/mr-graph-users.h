/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Desk mode: staff look patients up in the directory (GET /users?$filter=…), read one patient's
 * profile (GET /users/{id}), and sign requests with their own identity (submitted_by). */
#pragma once

#include "mr-graph-profile.h"

G_BEGIN_DECLS

typedef enum {
  MR_LOOKUP_HOSPITAL_NUMBER,    /* extension_<app>_HospitalNumber eq '…' */
  MR_LOOKUP_EMAIL,              /* mail eq '…' for a whole address, else startswith(mail,'…') */
  MR_LOOKUP_NAME,               /* startswith on displayName, givenName or surname */
} MrLookupKind;

#define MR_LOOKUP_MAX_RESULTS 25    /* one page; Graph's @odata.nextLink is not followed */
#define MR_LOOKUP_MAX_LENGTH  100   /* characters of search text */

/* Checks what the staff member typed: not empty (after trimming white space), at most
 * MR_LOOKUP_MAX_LENGTH characters, valid UTF-8 without control characters, and for
 * MR_LOOKUP_HOSPITAL_NUMBER an @ext_app_id to name the attribute with. Returns the trimmed text
 * (newly allocated), or NULL and MR_GRAPH_ERROR_FAILED with a sentence for the staff member. */
char      *mr_lookup_check_query          (MrLookupKind          kind,
                                           const char           *query,
                                           const char           *ext_app_id,
                                           GError              **error);

/* {graph_url}/users?$filter=…&$select=…&$top=25, with the same $select as mr_graph_me_url() and
 * quotes in @query doubled as OData wants; for MR_LOOKUP_HOSPITAL_NUMBER also $count=true.
 * *@needs_eventual (may be NULL) says whether the request must carry ConsistencyLevel: eventual.
 * Returns NULL when mr_lookup_check_query() rejects @query. Newly allocated; pure. */
char      *mr_graph_users_search_url      (const char           *graph_url,
                                           const char           *ext_app_id,
                                           MrLookupKind          kind,
                                           const char           *query,
                                           gboolean             *needs_eventual);
/* {graph_url}/users/{user_id}?$select=… (the id escaped). Newly allocated; pure. */
char      *mr_graph_user_url              (const char           *graph_url,
                                           const char           *ext_app_id,
                                           const char           *user_id);

/* Maps a Graph answer to /users (any status) to a new array of MrPatient (at most
 * MR_LOOKUP_MAX_RESULTS, entries without an id skipped), possibly empty. *@truncated (may be
 * NULL) is TRUE when Graph had more (an @odata.nextLink, a larger @odata.count or a longer
 * page). Errors: MR_GRAPH_ERROR_FORBIDDEN (403: the account may not read the directory),
 * _UNAUTHORIZED, _THROTTLED, _BAD_RESPONSE, _FAILED naming Graph's error code (e.g. 400
 * Request_UnsupportedQuery). */
GPtrArray *mr_graph_parse_users           (guint                 status,
                                           GBytes               *body,
                                           const char           *ext_app_id,
                                           gboolean             *truncated,
                                           GError              **error);

/* Checks @query (no request when it is rejected), then GETs mr_graph_users_search_url() with
 * ConsistencyLevel: eventual when it is needed. Does not block. */
void       mr_graph_search_users_async    (SoupSession          *session,
                                           const char           *graph_url,
                                           const char           *ext_app_id,
                                           const char           *access_token,
                                           MrLookupKind          kind,
                                           const char           *query,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
/* A new array of MrPatient (owned by the caller, frees its elements), possibly empty. */
GPtrArray *mr_graph_search_users_finish   (GAsyncResult         *result,
                                           gboolean             *truncated,
                                           GError              **error);

/* GET mr_graph_user_url(): one patient's whole profile, to prefill the form. Errors as for the
 * search, and MR_GRAPH_ERROR_NOT_FOUND when the patient is no longer in the directory. Does not
 * block. */
void       mr_graph_get_user_async        (SoupSession          *session,
                                           const char           *graph_url,
                                           const char           *ext_app_id,
                                           const char           *access_token,
                                           const char           *user_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
MrPatient *mr_graph_get_user_finish       (GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mr-graph.h"

G_BEGIN_DECLS

/* A front desk: the staff member's session (MrStaffSession) and the Graph operations made with
 * their token — patient search, reading a patient, the extensions app. Callers pass plain data
 * (a query, a user id); the token never leaves. Owned by the visit (mr_visit_start_desk()).
 * Only an account whose verified ID token's "roles" holds the config's staff_role is staff: any
 * other is signed out with MR_OIDC_ERROR_NOT_STAFF, at sign-in, at resume or at a refresh; a
 * refresh without an ID token, or with another account's, ends the session with
 * MR_OIDC_ERROR_IDENTITY.
 * Errors of the staff member's sign-in (it is over) are MR_OIDC_ERROR; errors of the directory
 * are MR_GRAPH_ERROR. */
#define MR_TYPE_DESK (mr_desk_get_type ())
G_DECLARE_FINAL_TYPE (MrDesk, mr_desk, MR, DESK, GObject)

/* Resumes the stored session silently; finishes TRUE when signed in, FALSE (no error) when
 * nothing was stored. Then looks the extensions app up when none is configured. The refreshed
 * ID token must still carry the staff role (config staff_role): when it does not, the session
 * ends (keyring included) with MR_OIDC_ERROR_NOT_STAFF, and with MR_OIDC_ERROR_IDENTITY when the
 * refresh brings no ID token. The staff member's id and name come from that ID token only. */
void        mr_desk_resume_async         (MrDesk               *self,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean    mr_desk_resume_finish        (MrDesk               *self,
                                          GAsyncResult         *result,
                                          GError              **error);
gboolean    mr_desk_is_signed_in         (MrDesk               *self);
/* The staff member's name, or NULL. Owned by the desk. */
const char *mr_desk_get_staff_name       (MrDesk               *self);
/* Idle: the staff member must sign in again, after a restart too (see mr_staff_session_lock()). */
void        mr_desk_lock                 (MrDesk               *self);
/* Ends the session here and at the provider (so the next sign-in asks for a password). */
void        mr_desk_sign_out             (MrDesk               *self);
/* Sign Out when the sign-in ran in the system browser: ends the session here and returns the
 * provider's sign-out address (end_session_endpoint with id_token_hint, as mr_desk_sign_out()
 * visits it; no post_logout_redirect_uri, since the app has none registered) for that browser to
 * open, because the provider's session lives in its cookies, where no request of the app's
 * reaches. NULL when the provider has no sign-out address. Newly allocated. */
char       *mr_desk_sign_out_in_browser  (MrDesk               *self);
/* Looks patients up (see mr_graph_search_users_async()). */
void        mr_desk_search_async         (MrDesk               *self,
                                          MrLookupKind          kind,
                                          const char           *query,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
/* A new array of MrPatient, possibly empty. */
GPtrArray  *mr_desk_search_finish        (MrDesk               *self,
                                          GAsyncResult         *result,
                                          gboolean             *truncated,
                                          GError              **error);
/* Reads the patient @user_id's whole profile; it becomes the visit's patient. */
void        mr_desk_open_patient_async   (MrDesk               *self,
                                          const char           *user_id,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean    mr_desk_open_patient_finish  (MrDesk               *self,
                                          GAsyncResult         *result,
                                          GError              **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mr-oidc.h"

G_BEGIN_DECLS

/* A front-desk staff member's session, once per shift: the tokens in memory, the refresh token
 * in the keyring (account = the staff member's object id) and the account's id and name in the
 * desk-account settings, so the next start signs in silently (unless the session was locked). Access tokens are refreshed before
 * they expire; a rotated refresh token replaces the old one. Kiosks never use this: a patient's
 * token is never written anywhere. */
#define MR_TYPE_STAFF_SESSION (mr_staff_session_get_type ())
G_DECLARE_FINAL_TYPE (MrStaffSession, mr_staff_session, MR, STAFF_SESSION, GObject)

/* @settings: the app's settings (desk-account, desk-account-name). */
MrStaffSession *mr_staff_session_new               (MrOidcClient        *oidc,
                                                    GSettings           *settings);
/* The app role (config staff_role) whose presence in the verified ID token's "roles" makes an
 * account staff. Until it is set, or when it is empty, no account is (MR_CONFIG_ERROR_MISSING). */
void            mr_staff_session_set_staff_role    (MrStaffSession      *self,
                                                    const char          *staff_role);
/* After an interactive sign-in: keeps @tokens (copied) and stores the refresh token. FALSE, with
 * nothing kept, when the ID token has no object id (MR_OIDC_ERROR_ID_TOKEN), when its "roles"
 * lack the staff role (MR_OIDC_ERROR_NOT_STAFF: a refresh token stored for that account is
 * removed from the keyring too) or when no staff role is set (MR_CONFIG_ERROR_MISSING). Storing
 * in the keyring runs in the background; a keyring that cannot be reached only means the next
 * start asks again. */
gboolean        mr_staff_session_begin             (MrStaffSession      *self,
                                                    const MrTokenSet    *tokens,
                                                    GError             **error);
/* Signs in silently with the stored refresh token. Finishes TRUE when signed in, FALSE (no
 * error) when there is nothing stored, or an error when the stored session is no longer good
 * (it is then forgotten): MR_OIDC_ERROR_NOT_STAFF when the refreshed ID token lacks the staff
 * role, or brings no ID token to show it. Does not block. */
void            mr_staff_session_resume_async      (MrStaffSession      *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean        mr_staff_session_resume_finish     (MrStaffSession      *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* A valid access token: the one in memory, or a refreshed one when it expires within a minute.
 * A refreshed ID token without the staff role ends the session (MR_OIDC_ERROR_NOT_STAFF). */
void            mr_staff_session_get_token_async   (MrStaffSession      *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* Newly allocated. */
char           *mr_staff_session_get_token_finish  (MrStaffSession      *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* An access token for the clinic's API (@scope, e.g. api://<id>/Refill.Submit), which the desk's
 * requests carry: the one in memory, or one from a refresh-token request of its own (one resource
 * per token) when it expires within a minute; the rotated refresh token replaces the stored one.
 * Newly allocated; free with mr_secret_free(). */
void            mr_staff_session_get_api_token_async  (MrStaffSession      *self,
                                                       const char          *scope,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char           *mr_staff_session_get_api_token_finish (MrStaffSession      *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
/* Forgets the tokens here, in the keyring and in the settings. Returns the provider's sign-out
 * address (with id_token_hint) for the caller to visit, or NULL. Newly allocated. */
char           *mr_staff_session_end               (MrStaffSession      *self);
/* Idle lock: forgets the tokens in memory, and the stored refresh token and desk-account
 * settings too, so that the next use, in this run or after a restart, needs an interactive
 * sign-in (which may be the same person coming back). A refresh under way when it comes is
 * thrown away. */
void            mr_staff_session_lock              (MrStaffSession      *self);
gboolean        mr_staff_session_is_signed_in      (MrStaffSession      *self);
/* The staff member (object id and name), or NULL. Owned by the session. */
const char     *mr_staff_session_get_id            (MrStaffSession      *self);
const char     *mr_staff_session_get_name          (MrStaffSession      *self);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mr-oidc.h"

G_BEGIN_DECLS

/* A front-desk staff member's session, once per shift: the tokens in memory and the refresh token
 * in the keyring, so the next start signs in silently (unless the session was locked). The
 * keyring holds one staff refresh token at most, whoever's it is (the next staff member's sign-in
 * replaces it), bound to the authority, client id and tenant it was got with. Who is signed in
 * comes only from verified ID tokens: every refresh must bring one, for the same account.
 * Access tokens are refreshed before they expire; a rotated refresh token replaces the old one.
 * Kiosks never use this: a patient's token is never written anywhere. */
#define MR_TYPE_STAFF_SESSION (mr_staff_session_get_type ())
G_DECLARE_FINAL_TYPE (MrStaffSession, mr_staff_session, MR, STAFF_SESSION, GObject)

/* @settings: the app's settings (desk-login-hint). */
MrStaffSession *mr_staff_session_new               (MrOidcClient        *oidc,
                                                    GSettings           *settings);
/* The app role (config staff_role) whose presence in the verified ID token's "roles" makes an
 * account staff. Until it is set, or when it is empty, no account is (MR_CONFIG_ERROR_MISSING). */
void            mr_staff_session_set_staff_role    (MrStaffSession      *self,
                                                    const char          *staff_role);
/* After an interactive sign-in: keeps @tokens (copied) and stores the refresh token in place of
 * any stored before. FALSE, with nothing kept, when the ID token has no object id
 * (MR_OIDC_ERROR_ID_TOKEN), when its "roles" lack the staff role (MR_OIDC_ERROR_NOT_STAFF: when
 * that account is the one signed in, its session ends) or when no staff role is set
 * (MR_CONFIG_ERROR_MISSING). Storing in the keyring runs in the background; a keyring that cannot
 * be reached only means the next start asks again. */
gboolean        mr_staff_session_begin             (MrStaffSession      *self,
                                                    const MrTokenSet    *tokens,
                                                    GError             **error);
/* Signs in silently with the refresh token stored for the client's authority, client id and
 * tenant; who it is (id and name) comes from the refresh's verified ID token. Finishes TRUE when
 * signed in, FALSE (no error) when there is nothing stored, or an error when the stored session
 * is no longer good (it is then forgotten): MR_OIDC_ERROR_NOT_STAFF when the refreshed ID token
 * lacks the staff role, MR_OIDC_ERROR_IDENTITY when the refresh brings no ID token. Does not
 * block. */
void            mr_staff_session_resume_async      (MrStaffSession      *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean        mr_staff_session_resume_finish     (MrStaffSession      *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* A valid access token: the one in memory, or a refreshed one when it expires within a minute.
 * A refresh ends the session when it brings no ID token or one for another account
 * (MR_OIDC_ERROR_IDENTITY), or one without the staff role (MR_OIDC_ERROR_NOT_STAFF). */
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
 * per token, openid asked for too) when it expires within a minute; its ID token is held to the
 * session's account as for get_token, and the rotated refresh token replaces the stored one.
 * Newly allocated; free with mr_secret_free(). */
void            mr_staff_session_get_api_token_async  (MrStaffSession      *self,
                                                       const char          *scope,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char           *mr_staff_session_get_api_token_finish (MrStaffSession      *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
/* Sign Out: forgets the tokens here and in the keyring, and the next sign-in's hint. Returns the
 * provider's sign-out address (with id_token_hint) for the caller to visit, or NULL. Newly
 * allocated. */
char           *mr_staff_session_end               (MrStaffSession      *self);
/* Idle lock: forgets the tokens in memory, and the stored refresh token too, so that the next
 * use, in this run or after a restart, needs an interactive sign-in (which may be the same person
 * coming back: the hint stays). A refresh under way when it comes is thrown away. */
void            mr_staff_session_lock              (MrStaffSession      *self);
/* The login_hint for the next interactive sign-in: the sign-in name (preferred_username) of the
 * staff member last signed in here, from their verified ID token, or from the desk-login-hint
 * setting after a restart; NULL after Sign Out or when nobody signed in here yet. Only a hint:
 * anyone may have written the setting, and the sign-in that follows decides who it is. Newly
 * allocated. */
char           *mr_staff_session_dup_login_hint    (MrStaffSession      *self);
/* New settings (a new OIDC client): when the authority, client id or tenant differ, the session
 * in memory ends, so that no token goes to a provider it was not issued by. */
void            mr_staff_session_set_client        (MrStaffSession      *self,
                                                    MrOidcClient        *oidc);
gboolean        mr_staff_session_is_signed_in      (MrStaffSession      *self);
/* The staff member (object id and name, from verified ID tokens only), or NULL. Owned by the
 * session. */
const char     *mr_staff_session_get_id            (MrStaffSession      *self);
const char     *mr_staff_session_get_name          (MrStaffSession      *self);

G_END_DECLS

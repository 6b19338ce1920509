/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mr-visit.h"

#include "mr-identity.h"

G_BEGIN_DECLS

typedef struct _MrVisitApiFetch MrVisitApiFetch;
typedef struct _MrVisitDevice MrVisitDevice;

/* Shared by mr-visit.c (sign-in, wipe), mr-visit-send.c (corrections and the outbox) and
 * mr-desk.c (the staff member's operations). */
struct _MrVisit {
  GObject             parent_instance;

  /* owned, for the app's lifetime */
  SoupSession        *session;
  MrConfig           *config;
  MrOidcClient       *oidc;
  MrOutbox           *outbox;
  MrDesk             *desk;

  /* this person's, dropped by mr_visit_wipe() */
  GCancellable       *cancellable;
  MrAuthRequest      *auth_request;
  MrLoopbackListener *listener;
  MrTokenSet         *tokens;
  char               *api_token;      /* the clinic API's access token for this person's request */
  MrVisitApiFetch    *api_fetch;      /* a kiosk's fetch of it, under way */
  MrVisitDevice      *device;         /* a sign-in with a phone, under way (mr-visit-device.c) */
  MrPatient          *patient;
  JsonObject         *pending_changes;
  MrVisitState        state;
};

void      _mr_visit_set_state     (MrVisit             *self,
                                   MrVisitState         state);
/* Frees the tokens after overwriting their strings. */
void      _mr_visit_wipe_tokens   (MrTokenSet          *tokens);

/* mr-visit.c: the tokens of an interactive sign-in (either way in) are here: a desk begins the
 * staff session, a kiosk keeps them and makes the one Graph request (on @cancellable) for the
 * patient, then READY. Takes @task and @tokens. */
void      _mr_visit_take_sign_in  (MrVisit             *self,
                                   GTask               *task,
                                   MrTokenSet          *tokens,
                                   GCancellable        *cancellable);

/* mr-visit-device.c: stops a phone sign-in, wiping its device code; its waiting task (if any)
 * finishes with G_IO_ERROR_CANCELLED. The state is the caller's. */
void      _mr_visit_device_forget (MrVisit             *self);

/* mr-visit-api.c: the clinic API's token. Prefetch: once the form is filled (a kiosk's own
 * fetch; at a desk the staff session's, cached there). Get: the token for a send, NULL without
 * an error when no api-scope is set (newly allocated; wipe it). Forget: on a wipe. */
void      _mr_visit_api_prefetch          (MrVisit             *self);
void      _mr_visit_get_api_token_async   (MrVisit             *self,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
char     *_mr_visit_get_api_token_finish  (MrVisit             *self,
                                           GAsyncResult        *result,
                                           GError             **error);
void      _mr_visit_api_forget            (MrVisit             *self);

/* mr-desk.c */
MrStaffSession *_mr_desk_get_staff (MrDesk             *self);
MrDesk   *_mr_desk_new            (MrVisit             *visit,
                                   GSettings           *settings);
/* The visit is going: the desk's callbacks must not reach it any more. */
void      _mr_desk_detach         (MrDesk              *self);
/* After an interactive sign-in: the staff session keeps (a copy of) @tokens. FALSE with
 * MR_OIDC_ERROR_ID_TOKEN when the ID token names nobody, MR_OIDC_ERROR_NOT_STAFF when it lacks
 * the staff role (signed out here and at the provider), MR_CONFIG_ERROR_MISSING when no staff
 * role is set. */
gboolean  _mr_desk_begin          (MrDesk              *self,
                                   const MrTokenSet    *tokens,
                                   GError             **error);
const char *_mr_desk_get_found_extensions_app_id (MrDesk *self);
/* Signs @request with the staff member (submitted_by). */
void      _mr_desk_sign           (MrDesk              *self,
                                   MrRefillRequest     *request);
/* PATCHes @changes to /users/@user_id with the staff member's token. */
void      _mr_desk_patch_async    (MrDesk              *self,
                                   const char          *user_id,
                                   JsonObject          *changes,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
gboolean  _mr_desk_patch_finish   (MrDesk              *self,
                                   GAsyncResult        *result,
                                   GError             **error);

G_END_DECLS

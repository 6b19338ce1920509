/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core/visit, its front door: code outside the folder includes this header only. */
#pragma once

#include <libsoup/soup.h>

#include "mr-config.h"
#include "mr-delivery.h"
#include "mr-desk.h"
#include "mr-refill.h"

G_BEGIN_DECLS

/* One person's visit, without a screen: the HTTP session, the OIDC client, the sign-in attempt,
 * every token, the patient, the corrections waiting to be written back and the cancellable all
 * of it hangs on. The window only ever sees plain data (a URL, a patient, an outcome); the
 * tokens never leave this object (and, at a desk, the MrDesk it owns). */
#define MR_TYPE_VISIT (mr_visit_get_type ())
G_DECLARE_FINAL_TYPE (MrVisit, mr_visit, MR, VISIT, GObject)

/* Where a visit is; the "state" property, which the window maps to its pages. */
typedef enum {
  MR_VISIT_STATE_NONE,          /* nobody signed in (at a desk: no patient opened) */
  MR_VISIT_STATE_SIGNING_IN,    /* the authorize URL is out; waiting for the callback */
  MR_VISIT_STATE_EXCHANGING,    /* callback taken: the code exchange and the one Graph call */
  MR_VISIT_STATE_READY,         /* the patient is here */
  MR_VISIT_STATE_CORRECTING,    /* sending: the corrections go to the directory first */
  MR_VISIT_STATE_SENDING,       /* sending: the request goes to the outbox */
} MrVisitState;

GType           mr_visit_state_get_type          (void) G_GNUC_CONST;
#define MR_TYPE_VISIT_STATE (mr_visit_state_get_type ())

MrVisit        *mr_visit_new                     (void);
/* Uses @config (copied) from now on, with a new OIDC client (nothing fetched yet). */
void            mr_visit_set_config              (MrVisit              *self,
                                                  const MrConfig       *config);
/* The session every request of the app goes through (the outbox's too). Owned by the visit. */
SoupSession    *mr_visit_get_session             (MrVisit              *self);
/* Cancelled (and replaced) by mr_visit_wipe(): work of this visit that the caller starts itself
 * hangs on it. Owned by the visit. */
GCancellable   *mr_visit_get_cancellable         (MrVisit              *self);
/* Where mr_visit_send_async() hands requests (a reference is kept). */
void            mr_visit_set_outbox              (MrVisit              *self,
                                                  MrOutbox             *outbox);
/* At a desk: the staff member's session, kept across visits (mr_visit_wipe() leaves it).
 * @settings are the app's (desk-login-hint). Made once; later calls return the same desk. Owned by
 * the visit. */
MrDesk         *mr_visit_start_desk              (MrVisit              *self,
                                                  GSettings            *settings);
/* The desk, or NULL (a kiosk, or before mr_visit_start_desk()). Owned by the visit. */
MrDesk         *mr_visit_get_desk                (MrVisit              *self);

/* Fetches the provider's discovery and keys (once), so that the callback path needs no extra
 * request. Meant for while Welcome is up. Does not block. */
void            mr_visit_prefetch_async          (MrVisit              *self,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean        mr_visit_prefetch_finish         (MrVisit              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* TRUE once a prefetch has succeeded: a sign-in may begin at once. */
gboolean        mr_visit_is_prefetched           (MrVisit              *self);
/* The hosts the sign-in page may visit: the provider's (from its discovery document) and the
 * administrator's list. Newly allocated; needs a finished prefetch. */
GStrv           mr_visit_dup_sign_in_hosts       (MrVisit              *self);

/* A new sign-in attempt (fresh state, nonce and PKCE verifier): returns its authorize URL (newly
 * allocated) for the sign-in page, or with @system_browser for the default browser, the
 * redirect then being a loopback listener on 127.0.0.1 (see mr_visit_wait_for_browser_async()).
 * @ui_locales (may be NULL) asks the provider for its pages in those languages (space-separated
 * tags, see mr_oidc_ui_locales_from_names()). At a desk the URL carries the last staff member's
 * sign-in name as login_hint (see mr_staff_session_dup_login_hint()), none after Sign Out. NULL
 * with an error when no loopback port can be bound. Needs a finished prefetch. */
char           *mr_visit_begin_sign_in           (MrVisit              *self,
                                                  gboolean              system_browser,
                                                  const char           *ui_locales,
                                                  GError              **error);
/* Waits for the system browser's callback at the loopback listener; finishes with the callback
 * URI (newly allocated) for mr_visit_complete_sign_in_async(). The port closes then. */
void            mr_visit_wait_for_browser_async  (MrVisit              *self,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char           *mr_visit_wait_for_browser_finish (MrVisit              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* Closes the loopback listener, if any. */
void            mr_visit_stop_browser            (MrVisit              *self);
/* Ends the sign-in from the callback @uri (either way in): checks it against this attempt, then
 * exchanges the code and makes the one Graph request for the patient (a kiosk; claims fill in
 * what Graph did not give), or begins the staff member's session (a desk: no patient yet).
 * MR_VISIT_ERROR_CANCELLED_AT_PROVIDER when the callback says the person cancelled at the
 * provider's page (nothing was exchanged; the attempt stays). Cancelled by mr_visit_wipe(). */
void            mr_visit_complete_sign_in_async  (MrVisit              *self,
                                                  const char           *uri,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean        mr_visit_complete_sign_in_finish (MrVisit              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* ---- Sign in with a phone (the device authorization grant, RFC 8628) ----------------------- */

/* A code the person enters on their phone (RFC 8628 §3.2). */
typedef struct {
  char   *user_code;
  char   *verification_uri;   /* the device-verification-uri setting when set, else the provider's */
  char   *verification_uri_complete; /* NULL unless the provider gave one and no override is set */
  gint64  expires_at;         /* g_get_monotonic_time() microseconds */
  guint   interval;           /* seconds */
} MrDeviceCode;

void            mr_device_code_free              (MrDeviceCode         *code);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDeviceCode, mr_device_code_free)

/* Asks the provider for a code (any earlier phone sign-in is stopped first); finishes with it
 * (newly allocated), for the screen. @ui_locales is accepted for symmetry with
 * mr_visit_begin_sign_in() but not sent: Entra does not document it on the device endpoint, and
 * the pages the person sees are on their own phone, in its language. Needs a finished prefetch.
 * State becomes MR_VISIT_STATE_SIGNING_IN (back to NONE on failure). The device code itself stays
 * in the visit. */
void            mr_visit_begin_device_sign_in_async    (MrVisit              *self,
                                                        const char           *ui_locales,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
MrDeviceCode   *mr_visit_begin_device_sign_in_finish   (MrVisit              *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
/* Polls until the person has finished on the phone, then does what
 * mr_visit_complete_sign_in_async does at a kiosk (EXCHANGING, ID token checked, the one Graph
 * request, READY). MR_VISIT_ERROR_DEVICE_EXPIRED / MR_VISIT_ERROR_DEVICE_DECLINED (new codes)
 * with a user sentence in ->message; G_IO_ERROR_CANCELLED after mr_visit_wipe() or
 * mr_visit_cancel_device_sign_in(). Polls every interval (5 s more after each slow_down), rides
 * out HTTP 5xx and lost answers until the code expires, and stops at the code's expiry even if
 * the provider never says so. */
void            mr_visit_complete_device_sign_in_async (MrVisit              *self,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean        mr_visit_complete_device_sign_in_finish(MrVisit              *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
/* Stops polling (Cancel on screen); the visit goes back to NONE. Does nothing when no phone
 * sign-in is under way. */
void            mr_visit_cancel_device_sign_in         (MrVisit              *self);

MrVisitState    mr_visit_get_state               (MrVisit              *self);
/* TRUE while the visit holds a refresh token of the patient's (a kiosk drops it as soon as the
 * clinic API's token is in hand). */
gboolean        mr_visit_holds_refresh_token     (MrVisit              *self);
/* TRUE while the visit holds a patient's tokens. */
gboolean        mr_visit_is_signed_in            (MrVisit              *self);
/* The patient, or NULL. Owned by the visit. */
const MrPatient *mr_visit_get_patient            (MrVisit              *self);
/* The extensions app id: the configured one, else the one the desk found, else NULL. */
const char     *mr_visit_get_extensions_app_id   (MrVisit              *self);

/* The profile corrections to write back before the next send (a reference is kept), or NULL
 * for none. */
void            mr_visit_set_corrections         (MrVisit              *self,
                                                  JsonObject           *changes);
/* Sends @request (taken): any corrections are PATCHed first (the patient's own /me at a kiosk, the
 * patient's /users/{id} with the staff member's token at a desk, who also signs the request),
 * then the request goes to the outbox. A correction that fails does not stop the request: its
 * sentence comes back in *@correction_problem. Once the outbox has the request, the patient and
 * the tokens are dropped. Refused (MR_VISIT_ERROR_NO_PATIENT) without a patient. */
void            mr_visit_send_async              (MrVisit              *self,
                                                  MrRefillRequest      *request,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
/* The outbox's outcome, and in @detail its reference or reason (see mr_outbox_enqueue_finish()). */
MrOutboxOutcome mr_visit_send_finish             (MrVisit              *self,
                                                  GAsyncResult         *result,
                                                  char                **detail,
                                                  char                **correction_problem,
                                                  GError              **error);

/* Forgets everything of the person: cancels what is under way, drops the sign-in attempt, the
 * loopback listener, every token (their memory wiped), the patient and the corrections. The
 * desk's staff session stays. */
void            mr_visit_wipe                    (MrVisit              *self);

#define MR_VISIT_ERROR (mr_visit_error_quark ())
typedef enum {
  MR_VISIT_ERROR_NO_PATIENT,    /* nothing to send: no one is signed in */
  MR_VISIT_ERROR_CANCELLED_AT_PROVIDER, /* the callback: the person cancelled at the provider */
  MR_VISIT_ERROR_DEVICE_EXPIRED, /* sign in with a phone: the code ran out before it was used */
  MR_VISIT_ERROR_DEVICE_DECLINED, /* sign in with a phone: the person said no on the phone */
} MrVisitError;
GQuark          mr_visit_error_quark             (void);

G_END_DECLS

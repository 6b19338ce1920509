/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "mr-delivery-post.h"
#include "mr-outbox-record.h"
#include "mr-refill-model.h"

G_BEGIN_DECLS

/* The durable outbox: every request is saved (encrypted, atomically) before its first attempt and
 * removed only when the workflow answers 2xx. Network failures, timeouts, 5xx, 408 and 429 are
 * retried with backoff and jitter, honouring Retry-After, for up to 7 days; other answers (4xx,
 * TLS, an insecure address) hold the request for a person. Every attempt carries the same
 * Idempotency-Key (the request id), so a re-send after a crash or a lost answer is dropped by the
 * workflow. Lives on the main thread; the files are read and written in a thread of its own. */
#define MR_TYPE_OUTBOX (mr_outbox_get_type ())
G_DECLARE_FINAL_TYPE (MrOutbox, mr_outbox, MR, OUTBOX, GObject)

/* What became of a request handed to mr_outbox_enqueue_async (what the Done page says). */
typedef enum {
  MR_OUTBOX_SENT,               /* the workflow accepted it: here is its reference */
  MR_OUTBOX_SAVED,              /* kept (on disk, or in memory when not persistent); sent later */
  MR_OUTBOX_HELD,               /* the workflow refused it: kept for staff to review */
} MrOutboxOutcome;

/* A snapshot of one request for the Outbox view. */
typedef struct {
  char          *request_id;
  char          *patient;           /* display name, may be empty */
  char         **medicines;         /* names */
  guint          attempts;
  MrOutboxState  state;
  char          *last_error;        /* plain words, NULL before the first failure */
  gint64         created_at;        /* µs since the epoch */
  gint64         next_attempt_at;   /* µs since the epoch (pending only) */
} MrOutboxItem;

/* A clock for tests: returns µs since the epoch. */
typedef gint64 (*MrOutboxClock) (gpointer user_data);

#define MR_OUTBOX_NO_KEYRING_MESSAGE \
  "This computer's keyring is not available, so requests that cannot be sent now are kept only " \
  "until the app closes."

/* An outbox in @directory (made on open, mode 0700), sending with @session. Its key lives in the
 * keyring under MR_SECRET_OUTBOX_KEY, account "outbox" for the default directory and
 * "outbox:DIRECTORY" for any other, so that a test's outbox never touches the app's key. */
MrOutbox     *mr_outbox_new               (const char            *directory,
                                           SoupSession           *session);
/* The same in $XDG_DATA_HOME/io.github.medrefill.MedRefill/outbox. */
MrOutbox     *mr_outbox_new_default       (SoupSession           *session);
/* For tests and tools: an outbox that uses @key instead of the keyring's. */
MrOutbox     *mr_outbox_new_with_key      (const char            *directory,
                                           SoupSession           *session,
                                           const guint8           key[MR_OUTBOX_KEY_SIZE]);

/* Where to send, and how to authenticate (@auth may be NULL; copied). Requests wait until an
 * address is set. */
void          mr_outbox_set_workflow      (MrOutbox              *self,
                                           const char            *workflow_url,
                                           const MrDeliveryAuth  *auth);

/* Gets the key (from the keyring, made there on first use), loads the saved requests and starts
 * sending them. Finishes TRUE also when the outbox has to work in memory only: see
 * mr_outbox_get_persistent. Does not block. */
void          mr_outbox_open_async        (MrOutbox              *self,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
gboolean      mr_outbox_open_finish       (MrOutbox              *self,
                                           GAsyncResult          *result,
                                           GError               **error);

/* Saves the request and makes the first attempt. Finishes once that attempt is decided (or, when
 * the outbox is not yet open, once it opens and then decides): the outcome, and in @out_detail the
 * reference (SENT) or the reason in plain words (HELD). Fails only when the request cannot be
 * kept at all (a duplicate id, an invalid payload). @payload is the workflow JSON (copied);
 * @access_token (may be NULL) the clinic API's token, kept in the encrypted record and sent with
 * every attempt (the workflow judges it as of the request's created_at, see README "Requests
 * that wait"); @patient and @medicines are the summary for staff. Does not block. */
void          mr_outbox_enqueue_async     (MrOutbox              *self,
                                           const char            *request_id,
                                           JsonNode              *payload,
                                           const char            *access_token,
                                           const char            *patient,
                                           const char * const    *medicines,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
/* The same for a refill request (its refill-v2 payload, its patient and medicine names). */
void          mr_outbox_enqueue_request_async (MrOutbox              *self,
                                               const MrRefillRequest *request,
                                               const char            *access_token,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);
MrOutboxOutcome mr_outbox_enqueue_finish  (MrOutbox              *self,
                                           GAsyncResult          *result,
                                           char                 **out_detail,
                                           GError               **error);

/* FALSE when there is no key (no keyring) and requests live only in memory. */
gboolean      mr_outbox_get_persistent    (MrOutbox              *self);
/* A sentence for people when something is wrong with the outbox itself (no keyring, a folder
 * that cannot be written, damaged files set aside), or NULL. Owned by the outbox. */
const char   *mr_outbox_get_problem       (MrOutbox              *self);
guint         mr_outbox_get_pending_count (MrOutbox              *self);
guint         mr_outbox_get_held_count    (MrOutbox              *self);
/* Files that could not be read at open and were moved to the "damaged" folder. */
guint         mr_outbox_get_damaged_count (MrOutbox              *self);
/* A new array of MrOutboxItem, oldest first. */
GPtrArray    *mr_outbox_list_items        (MrOutbox              *self);

/* Sends a pending or held request now. FALSE when there is no such request. */
gboolean      mr_outbox_retry_now         (MrOutbox              *self,
                                           const char            *request_id);
/* Forgets the request (and deletes its file). FALSE when there is no such request. */
gboolean      mr_outbox_discard           (MrOutbox              *self,
                                           const char            *request_id);
/* Sends the pending requests that are due now (the queue does this itself on its timer; tests on
 * a virtual clock call it). */
void          mr_outbox_wake              (MrOutbox              *self);
/* Sends every pending request now, whatever its backoff: what the network coming back does. */
void          mr_outbox_send_all_now      (MrOutbox              *self);
/* Stops sending: cancels attempts in flight and timers. Files stay. Also done on dispose. */
void          mr_outbox_shutdown          (MrOutbox              *self);

/* For tests: a clock and a seed for the jitter, so that backoff can be run on virtual time. */
void          mr_outbox_set_clock         (MrOutbox              *self,
                                           MrOutboxClock          clock,
                                           gpointer               user_data);
void          mr_outbox_set_seed          (MrOutbox              *self,
                                           guint32                seed);
/* The earliest next_attempt_at of a pending request not in flight, or G_MAXINT64. */
gint64        mr_outbox_get_next_due      (MrOutbox              *self);
/* Attempts in flight plus file writes not yet done: 0 when the outbox is idle. */
guint         mr_outbox_get_busy_count    (MrOutbox              *self);

void          mr_outbox_item_free         (MrOutboxItem          *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrOutboxItem, mr_outbox_item_free)

G_END_DECLS

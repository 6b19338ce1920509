/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The record the outbox keeps for a request, and the format of its file: one encrypted file per
 * request. Pure: nothing here does I/O or knows about HTTP or the main loop; the files themselves
 * are read and written by mr-outbox-disk.c. */

#define MR_OUTBOX_KEY_SIZE      32
/* The largest file the format allows: a bigger one is damaged, and not read. */
#define MR_OUTBOX_MAX_FILE_SIZE (4 * 1024 * 1024)
/* The longest origin a record can be bound to. */
#define MR_OUTBOX_MAX_ORIGIN_LEN 255

#define MR_OUTBOX_ERROR (mr_outbox_error_quark ())

typedef enum {
  MR_OUTBOX_ERROR_DAMAGED,      /* not an outbox file, or altered, or made with another key */
  MR_OUTBOX_ERROR_STORAGE,      /* the outbox folder cannot be written */
  MR_OUTBOX_ERROR_EXISTS,       /* a request with this id is already in the outbox */
  MR_OUTBOX_ERROR_INVALID,      /* a request id or payload the outbox cannot take */
} MrOutboxError;

typedef enum {
  MR_OUTBOX_STATE_PENDING,      /* will be sent when due */
  MR_OUTBOX_STATE_HELD,         /* needs a person: see last_error */
} MrOutboxState;

/* What the outbox keeps about one request. */
typedef struct {
  char          *request_id;        /* also the Idempotency-Key and the file's name */
  char          *origin;            /* the workflow's origin (scheme://host:port) it goes to and
                                     * nowhere else; authenticated with the file. NULL: not bound
                                     * yet (saved before there was a workflow address, or by a
                                     * version before records were bound) */
  gint64         created_at;        /* µs since the epoch */
  char          *payload;           /* the JSON text sent to the workflow, byte for byte */
  char          *access_token;      /* the clinic API's token it is sent with, or NULL: the
                                     * proof of who made the request, kept with it (encrypted)
                                     * for as long as it waits */
  guint          attempts;          /* failed attempts so far */
  gint64         next_attempt_at;   /* µs since the epoch */
  MrOutboxState  state;
  char          *last_error;        /* plain words, never patient data; NULL before a failure */
  char          *patient;           /* summary for staff: the patient's display name */
  char         **medicines;         /* summary for staff: medicine names */
} MrOutboxRecord;

MrOutboxRecord *mr_outbox_record_new      (void);
MrOutboxRecord *mr_outbox_record_copy     (const MrOutboxRecord *record);
void            mr_outbox_record_free     (MrOutboxRecord       *record);

/* TRUE for an id that is safe as a file name: 1–64 of [A-Za-z0-9-]. */
gboolean        mr_outbox_id_is_valid     (const char           *request_id);

GQuark          mr_outbox_error_quark     (void);

/* Encrypts @record with AES-256-GCM under @key and a fresh random nonce: the whole file's bytes.
 * Its origin is in the file's authenticated header: a file whose origin was edited does not
 * decrypt. */
GBytes         *mr_outbox_encode_file     (const MrOutboxRecord *record,
                                           const guint8          key[MR_OUTBOX_KEY_SIZE]);

/* Decrypts and parses one outbox file (this version's, or version 1's, which has no origin: its
 * record's origin is NULL). Pure (no I/O, no global state) and safe on any bytes: every
 * malformed, truncated, altered or foreign input is MR_OUTBOX_ERROR_DAMAGED. A new record. */
MrOutboxRecord *mr_outbox_decode_file     (const guint8         *data,
                                           gsize                 len,
                                           const guint8          key[MR_OUTBOX_KEY_SIZE],
                                           GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrOutboxRecord, mr_outbox_record_free)

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mr-outbox.h"
#include "mr-outbox-disk.h"

G_BEGIN_DECLS

/* One request in the queue (main thread only). Reference-counted (g_rc_box) because an attempt in
 * flight and a write in progress each hold it past a discard. */
typedef struct {
  MrOutboxRecord *record;
  GBytes         *payload;      /* record->payload as bytes: the same body on every attempt */
  gboolean        in_flight;
  gboolean        writing;
  gboolean        gone;         /* delivered or discarded: late callbacks leave it alone */
  GCancellable   *cancellable;  /* of the attempt in flight */
  GTask          *waiter;       /* mr_outbox_enqueue_async waiting for the first outcome */
} MrOutboxEntry;

struct _MrOutbox
{
  GObject          parent_instance;

  char            *directory;
  SoupSession     *session;
  char            *workflow_url;
  char            *origin;        /* workflow_url's: the only records sent are bound to it */
  MrDeliveryAuth  *auth;

  MrOutboxDisk    *disk;          /* the folder, the key and the I/O thread */
  gboolean         persistent;
  gboolean         opening;
  gboolean         opened;
  gboolean         shut_down;
  char            *problem;
  guint            n_damaged;

  GHashTable      *items;         /* request id → MrOutboxEntry */
  GPtrArray       *deferred;      /* enqueue tasks that came before the outbox opened */
  guint            pending_count;
  guint            held_count;
  guint            in_flight;
  guint            timer_id;
  gboolean         network_available;

  MrOutboxClock    clock;
  gpointer         clock_data;
  GRand           *rand;
};

/* mr-outbox.c: properties and signals */
void      mr_outbox_update_counts     (MrOutbox            *self);
void      mr_outbox_set_problem       (MrOutbox            *self,
                                       const char          *problem);
void      mr_outbox_emit_delivered    (MrOutbox            *self,
                                       const char          *request_id,
                                       const char          *reference);

/* mr-outbox-queue.c */
MrOutboxEntry *mr_outbox_entry_ref    (MrOutboxEntry       *item);
/* TRUE when @record is bound to another workflow origin than the one set now: it is kept, never
 * sent here, and shown as needing attention. */
gboolean  mr_outbox_record_is_elsewhere (MrOutbox             *self,
                                         const MrOutboxRecord *record);
void      mr_outbox_entry_unref       (MrOutboxEntry       *item);
gint64    mr_outbox_now               (MrOutbox            *self);
/* Tells whoever waits in mr_outbox_enqueue_async what became of the first attempt. */
void      mr_outbox_resolve_waiter    (MrOutboxEntry       *item,
                                       MrOutboxOutcome      outcome,
                                       const char          *detail);
/* Takes @item out of the queue for good (delivered or discarded) and deletes its file. */
void      mr_outbox_forget            (MrOutbox            *self,
                                       MrOutboxEntry       *item);
/* Starts the attempts that are due and sets the timer for the next. */
void      mr_outbox_pump              (MrOutbox            *self);
/* Adds the request that @task (of mr_outbox_enqueue_async) carries, saves it, then sends it. */
void      mr_outbox_start_enqueue     (MrOutbox            *self,
                                       GTask               *task);
/* Takes what opening the disk found: the requests saved before, and how many files were set
 * aside as damaged. */
void      mr_outbox_opened            (MrOutbox            *self,
                                       GPtrArray           *records,
                                       guint                n_damaged);
/* Whether requests reach the disk, and the sentence to show when they do not (or NULL). */
void      mr_outbox_set_storage       (MrOutbox            *self,
                                       gboolean             persistent,
                                       const char          *problem);

G_END_DECLS

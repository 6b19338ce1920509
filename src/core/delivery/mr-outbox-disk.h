/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outbox's disk (mr-outbox-disk.c): its folder, the key in the keyring, and one I/O thread,
 * so that a request's writes and its removal reach the disk in the order they were asked for and
 * the main thread never waits for fsync. A leaf of the outbox: it reports what it found through
 * its _finish functions and leaves deciding what to do to the outbox (mr-outbox.c, -queue.c).
 * Main thread only. */
#pragma once

#include "mr-outbox-record.h"

G_BEGIN_DECLS

typedef struct _MrOutboxDisk MrOutboxDisk;

/* @owner (borrowed: it owns the disk) is the source object of every result, so that it is let go
 * of on the main context, never by the I/O thread. */
MrOutboxDisk *mr_outbox_disk_new            (GObject             *owner);
/* Waits for the jobs still queued: a request's file must not be left half-handled. */
void          mr_outbox_disk_free           (MrOutboxDisk        *disk);
void          mr_outbox_disk_set_directory  (MrOutboxDisk        *disk,
                                             const char          *directory);
/* A key given by the caller (tests, tools): the keyring is then left alone. */
void          mr_outbox_disk_set_key        (MrOutboxDisk        *disk,
                                             const guint8         key[MR_OUTBOX_KEY_SIZE]);
/* Jobs queued or running. */
guint         mr_outbox_disk_get_pending    (MrOutboxDisk        *disk);

/* Gets the key (or learns there is none) and reads the folder. Finishes with FALSE only when
 * cancelled; otherwise with the records found (a new array of MrOutboxRecord), how many files
 * were damaged and set aside in damaged/, and @problem: NULL when requests reach the disk, or the
 * sentence to show when they cannot (no keyring, a damaged key, a folder that cannot be read),
 * and then no records. */
void          mr_outbox_disk_open_async     (MrOutboxDisk        *disk,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      mr_outbox_disk_open_finish    (MrOutboxDisk        *disk,
                                             GAsyncResult        *result,
                                             GPtrArray          **records,
                                             guint               *n_damaged,
                                             char               **problem,
                                             GError             **error);

/* Seals @record with the key and writes it to its file, atomically and durably. */
void          mr_outbox_disk_save_async     (MrOutboxDisk        *disk,
                                             const MrOutboxRecord *record,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Removes the file of @request_id; also fine when it is already gone. */
void          mr_outbox_disk_remove_async   (MrOutboxDisk        *disk,
                                             const char          *request_id,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* For both save and remove: FALSE with MR_OUTBOX_ERROR_STORAGE when the disk refused. */
gboolean      mr_outbox_disk_finish         (MrOutboxDisk        *disk,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS

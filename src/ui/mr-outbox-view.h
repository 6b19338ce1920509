/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "mr-delivery.h"

G_BEGIN_DECLS

/* Desk mode's Outbox: the requests still waiting to be delivered and those the workflow refused,
 * each with its patient, medicines, attempts and last error in plain words, with Retry now and
 * Discard (after a confirmation). Follows the outbox's ::changed. */
#define MR_TYPE_OUTBOX_VIEW (mr_outbox_view_get_type ())
G_DECLARE_FINAL_TYPE (MrOutboxView, mr_outbox_view, MR, OUTBOX_VIEW, AdwWindow)

MrOutboxView *mr_outbox_view_new        (GtkWindow    *parent,
                                         MrOutbox     *outbox);
/* The rows shown, one per request (for tests). */
guint         mr_outbox_view_get_n_rows (MrOutboxView *self);

G_END_DECLS

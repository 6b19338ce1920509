/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The outbox's retry schedule, kept apart from any I/O so that it can be tested (and reasoned
 * about) alone. Times are microseconds on the outbox's clock (real time since the epoch, unless a
 * test gives it another clock). */

#define MR_RETRY_BASE_US        ((gint64) 2 * G_USEC_PER_SEC)
#define MR_RETRY_CAP_US         ((gint64) 10 * 60 * G_USEC_PER_SEC)
/* A Retry-After longer than this is taken as this: a misconfigured proxy must not park a
 * patient's request for a day. */
#define MR_RETRY_AFTER_CAP_US   ((gint64) 60 * 60 * G_USEC_PER_SEC)
/* After this long a request that still could not be delivered is held for staff to look at. */
#define MR_RETRY_MAX_AGE_US     ((gint64) 7 * 24 * 60 * 60 * G_USEC_PER_SEC)

/* The wait before attempt @attempts + 1, after @attempts failed ones (≥ 1): "full jitter", a
 * uniform draw from [1 s, min (cap, base · 2^(attempts − 1))], from @rand. */
gint64    mr_retry_backoff_us     (guint         attempts,
                                   GRand        *rand);

/* The wait a Retry-After header asks for: delta-seconds or an HTTP date (IMF-fixdate, RFC 850
 * or asctime), relative to @now_us and capped at MR_RETRY_AFTER_CAP_US; a date in the past is 0.
 * -1 when @value is NULL or cannot be read. */
gint64    mr_retry_after_us       (const char   *value,
                                   gint64        now_us);

/* When to try again: the backoff, but never sooner than the Retry-After (when there is one). */
gint64    mr_retry_next_attempt   (guint         attempts,
                                   const char   *retry_after,
                                   gint64        now_us,
                                   GRand        *rand);

/* TRUE when a request created at @created_us is too old to keep retrying at @now_us. */
gboolean  mr_retry_is_too_old     (gint64        created_us,
                                   gint64        now_us);

G_END_DECLS

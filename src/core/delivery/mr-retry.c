/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-retry.h"

#include <libsoup/soup.h>

gint64
mr_retry_backoff_us (guint  attempts,
                     GRand *rand)
{
  gint64 ceiling = MR_RETRY_BASE_US;

  g_return_val_if_fail (rand != NULL, MR_RETRY_BASE_US);

  for (guint i = 1; i < attempts && ceiling < MR_RETRY_CAP_US; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, MR_RETRY_CAP_US);
  /* Never sooner than a second: a workflow that fails instantly must not be hammered. */
  if (ceiling <= G_USEC_PER_SEC)
    return G_USEC_PER_SEC;
  return (gint64) g_rand_double_range (rand, G_USEC_PER_SEC, (double) ceiling);
}

static gint64
delta_seconds_us (const char *value)
{
  guint64 seconds = 0;

  for (const char *p = value; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return -1;
      /* Saturate: anything past the cap is the cap. */
      if (seconds < G_MAXINT32)
        seconds = seconds * 10 + (guint64) (*p - '0');
    }
  return (gint64) MIN (seconds, (guint64) G_MAXINT32) * G_USEC_PER_SEC;
}

gint64
mr_retry_after_us (const char *value,
                   gint64      now_us)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) date = NULL;
  gint64 wait;

  if (value == NULL)
    return -1;
  text = g_strstrip (g_strdup (value));
  if (*text == '\0')
    return -1;

  if (g_ascii_isdigit (*text))
    wait = delta_seconds_us (text);
  else
    {
      date = soup_date_time_new_from_http_string (text);
      if (date == NULL)
        return -1;
      wait = MAX (0, g_date_time_to_unix (date) * G_USEC_PER_SEC - now_us);
    }
  if (wait < 0)
    return -1;
  return MIN (wait, MR_RETRY_AFTER_CAP_US);
}

gint64
mr_retry_next_attempt (guint       attempts,
                       const char *retry_after,
                       gint64      now_us,
                       GRand      *rand)
{
  gint64 wait = mr_retry_backoff_us (attempts, rand);
  gint64 asked = mr_retry_after_us (retry_after, now_us);

  return now_us + MAX (wait, asked);
}

gboolean
mr_retry_is_too_old (gint64 created_us,
                     gint64 now_us)
{
  return now_us - created_us > MR_RETRY_MAX_AGE_US;
}

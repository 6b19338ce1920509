/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a capture of the kiosk's output shows, judged by colour: the pages are told apart by the
 * colours only they paint, the compositor's own background (black) must not show at any edge of
 * the output, and GTK 3's Adwaita window colour (gcr's prompter, the only other GUI client a
 * session here could start) must not cover a window's worth of it. */
#include "mr-kiosk-screen.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

typedef struct {
  guint8 r, g, b;
} Rgb;

static const Rgb cage_background  = { 0, 0, 0 };
static const Rgb app_background   = { 0xfa, 0xfa, 0xfa }; /* libadwaita 1.2's window */
static const Rgb app_accent       = { 0x35, 0x84, 0xe4 }; /* the suggested-action Sign in */
static const Rgb page_background  = { 0xf3, 0xf2, 0xf1 }; /* src/sandbox/mr-sandbox-page.c */
static const Rgb page_banner      = { 0xb3, 0x26, 0x1e };
static const Rgb gtk3_background  = { 0xf6, 0xf5, 0xf4 }; /* GTK 3's Adwaita window */

typedef struct {
  guint width, height;
  guint edge_background;      /* the compositor's background on the output's edges */
  guint app, accent, page, banner, gtk3;
} Counts;

gboolean
mr_kiosk_capture (const char  *path,
                  GError     **error)
{
  const char *argv[] = { "timeout", "10", "grim", path, NULL };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     &status, error))
    return FALSE;
  return g_spawn_check_wait_status (status, error);
}

static gboolean
near (const guint8 *p,
      const Rgb    *c)
{
  return ABS (p[0] - c->r) <= 2 && ABS (p[1] - c->g) <= 2 && ABS (p[2] - c->b) <= 2;
}

static void
count_pixel (Counts       *counts,
             const guint8 *p,
             gboolean      on_edge)
{
  if (on_edge && p[0] == cage_background.r && p[1] == cage_background.g &&
      p[2] == cage_background.b)
    counts->edge_background++;
  counts->app += near (p, &app_background);
  counts->accent += near (p, &app_accent);
  counts->page += near (p, &page_background);
  counts->banner += near (p, &page_banner);
  counts->gtk3 += near (p, &gtk3_background);
}

static gboolean
count_colours (const char  *path,
               Counts      *counts,
               GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, error);
  const guint8 *pixels;
  int stride, channels;

  if (pixbuf == NULL)
    return FALSE;
  counts->width = gdk_pixbuf_get_width (pixbuf);
  counts->height = gdk_pixbuf_get_height (pixbuf);
  pixels = gdk_pixbuf_read_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  channels = gdk_pixbuf_get_n_channels (pixbuf);
  for (guint y = 0; y < counts->height; y++)
    for (guint x = 0; x < counts->width; x++)
      count_pixel (counts, pixels + y * stride + x * channels,
                   x == 0 || y == 0 || x == counts->width - 1 || y == counts->height - 1);
  return TRUE;
}

static MrKioskVerdict
judge_counts (const Counts *c,
              MrKioskPage   page)
{
  guint total = c->width * c->height;

  /* A dialog-sized GTK 3 window (gcr's prompt is about 400 × 200) over a page that never paints
   * that colour (the form's rows come close to it: there the AT-SPI check has to do). */
  if (c->gtk3 > 20000 && page != MR_KIOSK_APP)
    return MR_KIOSK_FOREIGN;
  /* Some of the compositor's background shows: the window does not cover the output. */
  if (c->edge_background > 0)
    return MR_KIOSK_NO_MATCH;
  switch (page)
    {
    case MR_KIOSK_WELCOME:
      return c->app > total / 2 && c->accent > 3000 && c->banner == 0 ? MR_KIOSK_MATCH
                                                                      : MR_KIOSK_NO_MATCH;
    case MR_KIOSK_SIGNIN:
      return c->page > total / 3 && c->banner > 2000 && c->app < total / 10 ? MR_KIOSK_MATCH
                                                                            : MR_KIOSK_NO_MATCH;
    case MR_KIOSK_APP:
      /* The form's white rows cover much of it: 47 % of the screen was the app's background
       * once the form gained its flagged-attribute rows, so two fifths is the bar (the sign-in
       * page's colour and banner, the compositor's background and a foreign window are what
       * tell another screen apart). */
      return c->app > total / 5 * 2 && c->banner == 0 && c->page < total / 10 ? MR_KIOSK_MATCH
                                                                              : MR_KIOSK_NO_MATCH;
    default:
      g_assert_not_reached ();
    }
}

MrKioskVerdict
mr_kiosk_judge (const char   *path,
                MrKioskPage   page,
                char        **why)
{
  g_autoptr(GError) error = NULL;
  Counts counts = { 0, };
  MrKioskVerdict verdict;

  if (!count_colours (path, &counts, &error))
    {
      g_free (*why);
      *why = g_strdup_printf ("%s does not load: %s", path, error->message);
      return MR_KIOSK_NO_MATCH;
    }
  verdict = judge_counts (&counts, page);
  g_free (*why);
  *why = g_strdup_printf ("%s: %u×%u, %u px of the compositor's background on the edges; app "
                          "background %u, accent %u, sign-in page %u, its banner %u, GTK 3 "
                          "window %u", path, counts.width, counts.height, counts.edge_background,
                          counts.app, counts.accent, counts.page, counts.banner, counts.gtk3);
  return verdict;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LD_PRELOAD probe for bench/first-frame.sh: prints "medrefill-trace: first-frame <µs>" (wall
 * clock) to stderr after the first frame any GTK 4 window paints. The same probe is used for our
 * app and for the app we compare with, so both are measured the same way. Not part of the app. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <gtk/gtk.h>

static gboolean reported;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  if (reported)
    return;
  reported = TRUE;
  fprintf (stderr, "medrefill-trace: first-frame %" G_GINT64_FORMAT "\n", g_get_real_time ());
  fflush (stderr);
}

static void
realize_cb (GtkWidget *widget,
            gpointer   data)
{
  g_signal_connect_after (gtk_widget_get_frame_clock (widget), "after-paint",
                          G_CALLBACK (after_paint_cb), NULL);
}

static void
watch (GtkWindow *window)
{
  if (gtk_widget_get_realized (GTK_WIDGET (window)))
    realize_cb (GTK_WIDGET (window), NULL);
  else
    g_signal_connect (window, "realize", G_CALLBACK (realize_cb), NULL);
}

void
gtk_window_present (GtkWindow *window)
{
  static void (*real) (GtkWindow *);

  if (real == NULL)
    real = dlsym (RTLD_NEXT, "gtk_window_present");
  watch (window);
  real (window);
}

void
gtk_window_present_with_time (GtkWindow *window,
                              guint32    timestamp)
{
  static void (*real) (GtkWindow *, guint32);

  if (real == NULL)
    real = dlsym (RTLD_NEXT, "gtk_window_present_with_time");
  watch (window);
  real (window, timestamp);
}

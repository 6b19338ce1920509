/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-idle-guard.h"

struct _MrIdleGuard {
  GObject             parent_instance;

  GtkWindow          *window;      /* weak */
  GtkEventController *controller;
  guint               idle_ms;
  guint               warning_ms;
  guint               idle_id;
  guint               tick_id;
  gint64              warning_ends;
  gboolean            active;
};

G_DEFINE_FINAL_TYPE (MrIdleGuard, mr_idle_guard, G_TYPE_OBJECT)

enum {
  SIGNAL_WARN,
  SIGNAL_EXPIRED,
  SIGNAL_RESUMED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void arm (MrIdleGuard *self);

static guint
seconds_left (MrIdleGuard *self)
{
  gint64 left_us = self->warning_ends - g_get_monotonic_time ();

  return left_us <= 0 ? 0 : (guint) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

static gboolean
tick_cb (gpointer data)
{
  MrIdleGuard *self = data;
  guint left = seconds_left (self);

  if (left == 0)
    {
      self->tick_id = 0;
      self->warning_ends = 0;
      g_signal_emit (self, signals[SIGNAL_EXPIRED], 0);
      return G_SOURCE_REMOVE;
    }
  g_signal_emit (self, signals[SIGNAL_WARN], 0, left);
  return G_SOURCE_CONTINUE;
}

static gboolean
idle_cb (gpointer data)
{
  MrIdleGuard *self = data;

  self->idle_id = 0;
  self->warning_ends = g_get_monotonic_time () + (gint64) self->warning_ms * 1000;
  /* Ticks every second for the countdown; a short test warning still ends on time. */
  self->tick_id = g_timeout_add (MIN (1000, MAX (self->warning_ms / 4, 10)), tick_cb, self);
  g_signal_emit (self, signals[SIGNAL_WARN], 0, seconds_left (self));
  return G_SOURCE_REMOVE;
}

static void
disarm (MrIdleGuard *self)
{
  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
arm (MrIdleGuard *self)
{
  gboolean was_warning = self->warning_ends != 0;

  disarm (self);
  self->warning_ends = 0;
  if (self->active)
    self->idle_id = g_timeout_add (self->idle_ms, idle_cb, self);
  if (was_warning)
    g_signal_emit (self, signals[SIGNAL_RESUMED], 0);
}

void
mr_idle_guard_poke (MrIdleGuard *self)
{
  g_return_if_fail (MR_IS_IDLE_GUARD (self));

  if (self->active)
    arm (self);
}

static gboolean
event_cb (GtkEventControllerLegacy *controller,
          GdkEvent                 *event,
          MrIdleGuard              *self)
{
  switch (gdk_event_get_event_type (event))
    {
    case GDK_MOTION_NOTIFY:
    case GDK_BUTTON_PRESS:
    case GDK_BUTTON_RELEASE:
    case GDK_KEY_PRESS:
    case GDK_KEY_RELEASE:
    case GDK_SCROLL:
    case GDK_TOUCH_BEGIN:
    case GDK_TOUCH_UPDATE:
    case GDK_TOUCH_END:
    case GDK_TOUCHPAD_SWIPE:
    case GDK_TOUCHPAD_PINCH:
      if (self->active)
        arm (self);
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

void
mr_idle_guard_set_timeouts (MrIdleGuard *self,
                            guint        idle_ms,
                            guint        warning_ms)
{
  g_return_if_fail (MR_IS_IDLE_GUARD (self));

  self->idle_ms = MAX (idle_ms, 1);
  self->warning_ms = MAX (warning_ms, 1);
  if (self->active && self->warning_ends == 0)
    arm (self);
}

void
mr_idle_guard_set_active (MrIdleGuard *self,
                          gboolean     active)
{
  g_return_if_fail (MR_IS_IDLE_GUARD (self));

  if (self->active == active)
    return;
  self->active = active;
  if (active)
    arm (self);
  else
    {
      disarm (self);
      self->warning_ends = 0;
    }
}

gboolean
mr_idle_guard_get_warning (MrIdleGuard *self)
{
  g_return_val_if_fail (MR_IS_IDLE_GUARD (self), FALSE);

  return self->warning_ends != 0;
}

static void
mr_idle_guard_dispose (GObject *object)
{
  MrIdleGuard *self = MR_IDLE_GUARD (object);

  disarm (self);
  if (self->window != NULL && self->controller != NULL)
    gtk_widget_remove_controller (GTK_WIDGET (self->window), self->controller);
  self->controller = NULL;
  g_clear_weak_pointer (&self->window);
  G_OBJECT_CLASS (mr_idle_guard_parent_class)->dispose (object);
}

static void
mr_idle_guard_class_init (MrIdleGuardClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mr_idle_guard_dispose;

  signals[SIGNAL_WARN] = g_signal_new ("warn", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_EXPIRED] = g_signal_new ("expired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_RESUMED] = g_signal_new ("resumed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mr_idle_guard_init (MrIdleGuard *self)
{
  self->idle_ms = 120 * 1000;
  self->warning_ms = 30 * 1000;
}

MrIdleGuard *
mr_idle_guard_new (GtkWindow *window)
{
  MrIdleGuard *self;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);

  self = g_object_new (MR_TYPE_IDLE_GUARD, NULL);
  g_set_weak_pointer (&self->window, window);
  self->controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (self->controller, GTK_PHASE_CAPTURE);
  g_signal_connect (self->controller, "event", G_CALLBACK (event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (window), self->controller);
  return self;
}

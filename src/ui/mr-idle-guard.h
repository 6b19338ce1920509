/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Watches a window for input. After the idle time without any, it emits ::warn (seconds left)
 * every second of the warning time, then ::expired; any input (or mr_idle_guard_poke) during the
 * warning emits ::resumed and starts over. Inactive until mr_idle_guard_set_active (TRUE). */
#define MR_TYPE_IDLE_GUARD (mr_idle_guard_get_type ())
G_DECLARE_FINAL_TYPE (MrIdleGuard, mr_idle_guard, MR, IDLE_GUARD, GObject)

MrIdleGuard *mr_idle_guard_new          (GtkWindow   *window);
/* @idle_ms of no input before the warning, then @warning_ms of warning before ::expired. */
void         mr_idle_guard_set_timeouts (MrIdleGuard *self,
                                         guint        idle_ms,
                                         guint        warning_ms);
void         mr_idle_guard_set_active   (MrIdleGuard *self,
                                         gboolean     active);
gboolean     mr_idle_guard_get_warning  (MrIdleGuard *self);
/* Counts as input: restarts the idle time (and ends a warning). */
void         mr_idle_guard_poke         (MrIdleGuard *self);

G_END_DECLS

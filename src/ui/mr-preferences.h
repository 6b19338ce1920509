/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "mr-config.h"

G_BEGIN_DECLS

/* The administrator's settings (design.md), each row read-only where the key is locked (by dconf,
 * or by the administrator's settings file @lock, whose value it shows). The endpoints (where
 * sign-in, tokens, secrets and requests go) are read-only too unless the key endpoints-editable is
 * on or the sign-in settings are incomplete (the first setup). A value is checked when it is
 * applied (Enter or the row's apply button) and kept only when it can work; otherwise the row says
 * why. The workflow's auth header value goes to the keyring, bound to the workflow address. */
#define MR_TYPE_PREFERENCES (mr_preferences_get_type ())
G_DECLARE_FINAL_TYPE (MrPreferences, mr_preferences, MR, PREFERENCES, AdwPreferencesWindow)

/* @lock may be NULL (nothing locked by a file); it is referenced. */
MrPreferences *mr_preferences_new       (GtkWindow          *parent,
                                         GSettings          *settings,
                                         const MrConfigLock *lock);
/* The row showing @key (for tests); for a boolean key, its switch. */
GtkWidget     *mr_preferences_get_row   (MrPreferences *self,
                                         const char    *key);
/* The sentence shown under @key's row after a refused value, or NULL. */
const char    *mr_preferences_get_problem (MrPreferences *self,
                                           const char    *key);

G_END_DECLS

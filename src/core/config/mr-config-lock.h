/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mr-config.h"

G_BEGIN_DECLS

/* The administrator's settings file, a lock that works where dconf's does not: inside the Flatpak
 * the app has no dconf access (its GSettings are a keyfile in the user's own folder), so a dconf
 * lock changes nothing there. The file is a key file, readable by everyone and writable only by
 * root, whose group [io.github.medrefill.MedRefill] holds GSettings keys with values in GVariant
 * text, as a dconf keyfile has them:
 *
 *   [io.github.medrefill.MedRefill]
 *   workflow-url='https://n8n.clinic.example/webhook/medication-refill'
 *   mode='kiosk'
 *
 * Each key in it overrides the user's value and is read-only in Preferences; a missing file
 * changes nothing. */
typedef struct _MrConfigLock MrConfigLock;

#define MR_CONFIG_LOCK_GROUP "io.github.medrefill.MedRefill"

/* /etc/medrefill/settings.ini; inside Flatpak the host's copy of it,
 * /run/host/etc/medrefill/settings.ini (the manifest's --filesystem=host-etc:ro). Owned by the
 * library. */
const char   *mr_config_lock_default_path (void);
/* A lock with no key. */
MrConfigLock *mr_config_lock_new          (void);
/* Reads @path (blocks: a small local file, read once at start) and checks every key and value
 * against @schema. A missing file is an empty lock. A file that cannot be read or holds a key or
 * value the schema does not take is MR_CONFIG_ERROR_INVALID, with a sentence naming the file and
 * the key: the app then does not start, rather than run unlocked. */
MrConfigLock *mr_config_lock_load         (const char           *path,
                                           GSettingsSchema      *schema,
                                           GError              **error);
/* The same from the file's text (for tests and tools). */
MrConfigLock *mr_config_lock_load_data    (const char           *text,
                                           const char           *path,
                                           GSettingsSchema      *schema,
                                           GError              **error);
MrConfigLock *mr_config_lock_ref          (MrConfigLock         *lock);
void          mr_config_lock_unref        (MrConfigLock         *lock);

gboolean      mr_config_lock_is_empty     (const MrConfigLock   *lock);
gboolean      mr_config_lock_has_key      (const MrConfigLock   *lock,
                                           const char           *key);
/* The value @key is locked to, or NULL. Owned by the lock. */
GVariant     *mr_config_lock_get_value    (const MrConfigLock   *lock,
                                           const char           *key);
/* The file it came from (NULL for mr_config_lock_new()). */
const char   *mr_config_lock_get_path     (const MrConfigLock   *lock);
/* Puts the locked values into @config: what the app reads always goes through this after
 * mr_config_new_from_settings(). */
void          mr_config_lock_apply        (const MrConfigLock   *lock,
                                           MrConfig             *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrConfigLock, mr_config_lock_unref)

G_END_DECLS

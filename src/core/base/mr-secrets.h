/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MR_SECRETS_ERROR (mr_secrets_error_quark ())

typedef enum {
  MR_SECRETS_ERROR_UNAVAILABLE,  /* no Secret Service (no keyring running, locked and refused) */
} MrSecretsError;

/* What a secret is for. Each kind is one value of the schema's "kind" attribute. */
typedef enum {
  MR_SECRET_REFRESH_TOKEN,       /* a staff member's refresh token; account = object id */
  MR_SECRET_OUTBOX_KEY,          /* the outbox's AES-256 key (base64); account = "outbox" */
  MR_SECRET_WORKFLOW_AUTH,       /* the value of the workflow's auth header; account = header name;
                                  * bound to the workflow URL's origin */
} MrSecretKind;

GQuark    mr_secrets_error_quark   (void);

/* Secrets live only in the Secret Service (gnome-keyring, or the secret portal inside Flatpak),
 * under one static schema "io.github.medrefill.MedRefill.Secret" with the attributes "kind",
 * "account" and, for secrets bound to where they are sent, "origin". Nothing here blocks. */
void      mr_secret_store_async    (MrSecretKind          kind,
                                    const char           *account,
                                    const char           *label,
                                    const char           *secret,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean  mr_secret_store_finish   (GAsyncResult         *result,
                                    GError              **error);
/* Finishes with the secret (newly allocated; g_free it after wiping with memset or use
 * mr_secret_free), or NULL and no error when there is none. */
void      mr_secret_lookup_async   (MrSecretKind          kind,
                                    const char           *account,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
char     *mr_secret_lookup_finish  (GAsyncResult         *result,
                                    GError              **error);
/* Secrets bound to where they may go. A secret that is sent somewhere (the workflow's Header-Auth
 * value, its Basic Auth) is stored with the @origin it is for (mr_url_origin(): scheme://host:port,
 * or any fixed string that names what the secret is bound to) as the item's "origin" attribute,
 * and looked up for one origin: a lookup for another origin, or an item saved without one, finds
 * nothing. So when a setting that says where the secret goes changes, the secret stays behind.
 * They finish with mr_secret_store_finish() and mr_secret_lookup_finish(). Beware: the lookup
 * above, without an origin, finds an item of any origin; use it for such secrets only to learn
 * whether one exists at all. mr_secret_clear_async() removes the items of every origin. */
void      mr_secret_store_for_origin_async  (MrSecretKind          kind,
                                             const char           *account,
                                             const char           *origin,
                                             const char           *label,
                                             const char           *secret,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
void      mr_secret_lookup_for_origin_async (MrSecretKind          kind,
                                             const char           *account,
                                             const char           *origin,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* Removes the secret (of every origin); finishing TRUE also when there was none. */
void      mr_secret_clear_async    (MrSecretKind          kind,
                                    const char           *account,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean  mr_secret_clear_finish   (GAsyncResult         *result,
                                    GError              **error);
/* FALSE on a kiosk: no call may make the keyring ask anything on screen (create a login keyring,
 * unlock one). Each call first checks that the default keyring exists and is unlocked, and fails
 * with MR_SECRETS_ERROR_UNAVAILABLE otherwise. TRUE (the default) at a desk. */
void      mr_secrets_set_prompts_allowed (gboolean         allowed);
/* From now on every secret is stored, looked up and cleared in the namespace @name (NULL: the
 * app's own): its account becomes "@name:account". The built-in sandbox (--sandbox) uses one of
 * its own, so that a demo never reads, replaces or removes a production secret. Call before the
 * first secret call, from the main thread. */
void      mr_secrets_set_namespace (const char           *name);
/* Overwrites and frees a secret string. NULL is fine. */
void      mr_secret_free           (char                 *secret);

G_END_DECLS

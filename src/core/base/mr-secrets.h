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
  MR_SECRET_REFRESH_TOKEN,       /* the desk's one staff refresh token; account = "desk", bound
                                  * to authority, client id and tenant */
  MR_SECRET_OUTBOX_KEY,          /* the outbox's AES-256 key (base64); account = "outbox" */
  MR_SECRET_WORKFLOW_AUTH,       /* the value of the workflow's auth header; account = header name;
                                  * bound to the workflow URL's origin */
} MrSecretKind;

GQuark    mr_secrets_error_quark   (void);

/* Secrets live only in the Secret Service (gnome-keyring, or the secret portal inside Flatpak),
 * under one static schema "io.github.medrefill.MedRefill.Secret" with the attributes "kind",
 * "account" and, on bound items, "authority", "client-id", "tenant" or "origin". Nothing here
 * blocks. */
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
/* The same, for an item bound to where it may be used: @binding is a NULL-terminated list of
 * attribute names and values ("authority", "client-id", "tenant" and "origin" are the schema's
 * binding attributes), stored on the item and matched by the lookup, so that a lookup with another value
 * for any of them finds nothing. A plain lookup (no binding) matches bound items too: a kind that
 * is stored bound must always be looked up bound. Finish with mr_secret_store_finish() and
 * mr_secret_lookup_finish(). */
void      mr_secret_store_bound_async  (MrSecretKind          kind,
                                        const char           *account,
                                        const char * const   *binding,
                                        const char           *label,
                                        const char           *secret,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
void      mr_secret_lookup_bound_async (MrSecretKind          kind,
                                        const char           *account,
                                        const char * const   *binding,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
/* Secrets bound to where they may go: a bound item (above) whose binding is "origin". A secret
 * that is sent somewhere (the workflow's Header-Auth value, its Basic Auth) is stored with the
 * @origin it is for (mr_url_origin(): scheme://host:port, or any fixed string that names what the
 * secret is bound to) and looked up for one origin: a lookup for another origin, or an item saved
 * without one, finds nothing. So when a setting that says where the secret goes changes, the
 * secret stays behind. They finish with mr_secret_store_finish() and mr_secret_lookup_finish().
 * Beware: the plain lookup finds an item of any origin; use it for such secrets only to learn
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
/* Removes the secret (of every binding); finishing TRUE also when there was none. */
void      mr_secret_clear_async    (MrSecretKind          kind,
                                    const char           *account,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean  mr_secret_clear_finish   (GAsyncResult         *result,
                                    GError              **error);
/* Removes every item of @kind in the current namespace, whatever its account and binding (items
 * of an older format included); finish with mr_secret_clear_finish(). The app's own accounts
 * never hold a ':' (object ids, header names, fixed words), a namespace's always start with
 * "name:". */
void      mr_secret_clear_kind_async (MrSecretKind        kind,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
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

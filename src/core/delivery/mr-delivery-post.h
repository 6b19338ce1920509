/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "mr-refill-model.h"

G_BEGIN_DECLS

#define MR_DELIVERY_ERROR (mr_delivery_error_quark ())

typedef enum {
  MR_DELIVERY_ERROR_NETWORK,    /* could not reach the workflow; worth retrying */
  MR_DELIVERY_ERROR_SERVER,     /* 5xx, 408, 429: worth retrying */
  MR_DELIVERY_ERROR_REJECTED,   /* other 4xx: needs a person */
  MR_DELIVERY_ERROR_BAD_RESPONSE,
  MR_DELIVERY_ERROR_INSECURE,   /* http to a host that is not loopback */
  MR_DELIVERY_ERROR_TLS,        /* the workflow's certificate or TLS failed: needs a person */
} MrDeliveryError;

/* The keyring account under MR_SECRET_WORKFLOW_AUTH that holds n8n Basic Auth's "user:password". */
#define MR_DELIVERY_BASIC_ACCOUNT "basic"

/* How the app proves itself to the workflow: n8n Header Auth (header name from the settings, its
 * value from the keyring under MR_SECRET_WORKFLOW_AUTH / header name) and/or n8n Basic Auth
 * ("user:password" from the keyring under MR_SECRET_WORKFLOW_AUTH / "basic"). Both secrets are
 * bound to @origin (mr_url_origin() of the workflow URL they were saved for) and are only ever
 * sent to a workflow URL of that origin. *_elsewhere says that a secret exists in the keyring but
 * not for @origin (saved for another workflow address, or before secrets were bound): a request
 * that needs it is held for the administrator instead of going out without it. Any field may be
 * NULL. */
typedef struct {
  char     *origin;
  char     *header_name;
  char     *header_value;
  char     *basic;
  gboolean  header_elsewhere;
  gboolean  basic_elsewhere;
} MrDeliveryAuth;

GQuark  mr_delivery_error_quark     (void);

/* The workflow's reference from a 2xx answer ({"reference":"…"}); a 2xx without one, 409, 408, 429
 * and 5xx are MR_DELIVERY_ERROR_SERVER (sent again: the workflow de-duplicates), other answers
 * REJECTED or BAD_RESPONSE. Newly allocated. */
char   *mr_delivery_parse_response  (guint                  status,
                                     GBytes                *body,
                                     GError               **error);

MrDeliveryAuth *mr_delivery_auth_new         (const char           *origin,
                                              const char           *header_name,
                                              const char           *header_value,
                                              const char           *basic);
MrDeliveryAuth *mr_delivery_auth_copy        (const MrDeliveryAuth *auth);
/* Wipes the secrets and frees. NULL is fine. */
void            mr_delivery_auth_free        (MrDeliveryAuth       *auth);
/* Reads the secrets for @header_name (may be NULL or empty: no Header Auth) and Basic Auth that
 * the keyring holds for @workflow_url's origin. Finishes with an auth whose missing secrets are
 * NULL (all of them for a URL without an origin), or MR_SECRETS_ERROR when the keyring cannot be
 * reached. Does not block. */
void            mr_delivery_auth_load_async  (const char           *workflow_url,
                                              const char           *header_name,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
MrDeliveryAuth *mr_delivery_auth_load_finish (GAsyncResult         *result,
                                              GError              **error);

/* What the outbox uses: POSTs @payload (JSON text, sent byte for byte) as application/json with
 * Idempotency-Key = @request_id, @access_token (the clinic API's, may be NULL) as
 * "Authorization: Bearer", and @auth (may be NULL; its Basic Auth is left out when there is a
 * token). @auth's secrets go only to its own origin: for another one, or when a secret the request
 * needs is only saved elsewhere, nothing is sent and the error (MR_DELIVERY_ERROR_REJECTED) asks
 * for the value to be set again. http to a host that is not loopback is MR_DELIVERY_ERROR_INSECURE, and a G_TLS_ERROR
 * becomes MR_DELIVERY_ERROR_TLS. A 401/403 whose body names an OAuth error (invalid_token,
 * insufficient_scope, forbidden) gets that error's sentence. Does not block. */
void    mr_delivery_post_async      (SoupSession           *session,
                                     const char            *workflow_url,
                                     const MrDeliveryAuth  *auth,
                                     const char            *access_token,
                                     const char            *request_id,
                                     GBytes                *payload,
                                     GCancellable          *cancellable,
                                     GAsyncReadyCallback    callback,
                                     gpointer               user_data);
/* Returns the workflow's reference (newly allocated). Whatever the outcome, *@out_status is
 * the HTTP status (0 when no answer came) and *@out_retry_after the answer's Retry-After header
 * (newly allocated, or NULL). */
char   *mr_delivery_post_finish     (GAsyncResult          *result,
                                     guint                 *out_status,
                                     char                 **out_retry_after,
                                     GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDeliveryAuth, mr_delivery_auth_free)

G_END_DECLS

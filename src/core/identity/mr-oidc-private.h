/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by mr-oidc.c, mr-oidc-token.c, mr-oidc-client.c and mr-oidc-client-token.c; not part
 * of the contract between engineers. */

#include "mr-oidc.h"

G_BEGIN_DECLS

/* Seconds of clock difference allowed on exp / nbf / iat. */
#define MR_ID_TOKEN_SKEW 300

/* Compares without leaking through timing how much of a guessed secret matched. */
gboolean mr_oidc_secret_equal (const char *a,
                               const char *b);

/* FALSE with MR_OIDC_ERROR_BAD_RESPONSE when an endpoint of @discovery (sign-in page, token, key
 * list, sign-out) is not https: plain http only to a loopback IP literal, and only when
 * @authority is itself plain http to one (the sandbox, tests). A discovery document is the
 * provider's word, not the administrator's: it must not move the sign-in to plain text. */
gboolean mr_oidc_discovery_check_endpoints (const MrOidcDiscovery  *discovery,
                                            const char             *authority,
                                            GError                **error);

/* The scope the app asks for at sign-in and at the code exchange: the configured scopes, with
 * offline_access added when they lack it. Every request to the workflow carries a token got with
 * the refresh token, and a provider gives none without offline_access. Newly allocated. */
char    *mr_oidc_dup_sign_in_scope (const MrConfig *config);

struct _MrOidcClient
{
  GObject          parent_instance;

  SoupSession     *session;
  MrConfig        *config;
  MrOidcDiscovery *discovery;   /* NULL until fetched */
  MrJwks          *jwks;        /* NULL until fetched */
  /* Callers of prefetch_async waiting for the one fetch under way (NULL: none under way), so
   * that the Welcome page's prefetch and an early tap on Sign in make one set of requests. */
  GPtrArray       *prefetch_waiters;
};

/* Fetches the key set named by the cached discovery and caches it, replacing an older one. */
void     mr_oidc_client_fetch_jwks_async  (MrOidcClient        *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean mr_oidc_client_fetch_jwks_finish (MrOidcClient        *self,
                                           GAsyncResult        *result,
                                           GError             **error);

G_END_DECLS

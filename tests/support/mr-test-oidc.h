/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the OIDC tests share: the app registration they sign in to, Entra's token errors, and an
 * OpenID provider on 127.0.0.1 (discovery, key set, token endpoint) with an MrOidcClient pointed
 * at it, set up and torn down as a GTest fixture. */

#include "mr-identity.h"
#include "mr-test-server.h"

G_BEGIN_DECLS

#define MR_TEST_OIDC_CLIENT_ID    "877afb01-0000-0000-0000-000000000000"
#define MR_TEST_OIDC_TENANT_ID    "9a674bb7-0000-0000-0000-000000000000"
#define MR_TEST_OIDC_REDIRECT_URI "http://localhost:5000/auth/callback"

#define MR_TEST_OIDC_TOKEN_700082 \
  "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS700082: The refresh token has " \
  "expired due to inactivity.\\r\\nTrace ID: 624f7355\",\"error_codes\":[700082]," \
  "\"error_uri\":\"https://login.microsoftonline.com/error?code=700082\"}"

#define MR_TEST_OIDC_TOKEN_70008 \
  "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70008: The provided authorization " \
  "code or refresh token has expired due to inactivity.\\r\\nTrace ID: ed093f8f-fd6b\\r\\n" \
  "Correlation ID: 86bea907\\r\\nTimestamp: 2016-09-09 18:49:50Z\",\"error_codes\":[70008]," \
  "\"timestamp\":\"2016-09-09 18:49:50Z\",\"trace_id\":\"ed093f8f-fd6b\"}"

/* A configuration for @authority (NULL: empty) with the client id, tenant id, redirect URI and
 * scopes above. Newly allocated. */
MrConfig *mr_test_oidc_config (const char *authority);

typedef enum {
  MR_TEST_PROVIDER_GOOD,
  /* tokens signed with k2, which only the second key list shows */
  MR_TEST_PROVIDER_ROTATED_KEY,
  MR_TEST_PROVIDER_UNLISTED_KEY,        /* tokens signed with a key no key list shows */
  MR_TEST_PROVIDER_TOKEN_400,
  MR_TEST_PROVIDER_GARBAGE_DISCOVERY,
  MR_TEST_PROVIDER_DISCOVERY_404,
  MR_TEST_PROVIDER_REFRESH_NO_ID_TOKEN, /* refresh answers without ID token and without rotation */
  MR_TEST_PROVIDER_REFRESH_EXPIRED,     /* refresh answers AADSTS700082 */
  /* a plain OpenID provider: discovery at /tenant/.well-known */
  MR_TEST_PROVIDER_PLAIN,
  /* discovery names /tenant/oauth2/v2.0/devicecode, which answers device_answer; device-code
   * polls answer from device_script */
  MR_TEST_PROVIDER_DEVICE,
} MrTestProviderMode;

typedef struct {
  GMutex              lock;
  MrTestProviderMode  mode;
  char               *url;
  char               *nonce;           /* what the next ID token carries */
  GHashTable         *token_form;      /* the last token request's form */
  GHashTable         *device_form;     /* the last device code request's form */
  const char         *device_answer;   /* the device code endpoint's 200 body (NULL: a good one) */
  /* What each device-code poll gets, in turn (the last one stays): "pending", "slow_down",
   * "declined", "expired", "bad" (bad_verification_code), "503", "cut" (connection closed),
   * "tokens" (an ID token without nonce), "tokens-unlisted" (signed with an unknown key). */
  const char * const *device_script;
  guint               device_polls;
  char               *token_query;     /* the last token request's query */
  int                 discovery_hits;
  int                 jwks_hits;
  int                 token_hits;
  int                 other_hits;
} MrTestProvider;

/* The provider's SoupServer handler; @user_data is an MrTestProvider (NULL: never called). */
void          mr_test_provider_handler          (SoupServer        *server,
                                                 SoupServerMessage *msg,
                                                 const char        *path,
                                                 GHashTable        *query,
                                                 gpointer           user_data);

typedef struct {
  MrTestProvider  provider;
  MrTestServer   *server;
  SoupSession    *session;
  MrOidcClient   *client;
  MrAuthRequest  *request;
} MrTestOidcFixture;

typedef void (*MrTestOidcTestFunc) (MrTestOidcFixture *fixture,
                                    gconstpointer      data);

/* Adds @test with a fixture whose provider runs in @mode. */
void          mr_test_oidc_add                  (const char          *path,
                                                 MrTestProviderMode   mode,
                                                 MrTestOidcTestFunc   test);
/* A session without proxy. Newly allocated. */
SoupSession  *mr_test_oidc_session_new          (void);
/* Requests the provider saw so far, as "discovery/jwks/token/other". Newly allocated. */
char         *mr_test_oidc_hits                 (MrTestOidcFixture  *fixture);
/* A GAsyncReadyCallback storing a reference to the result in *@user_data (a GAsyncResult **). */
void          mr_test_oidc_store_result_cb      (GObject            *source,
                                                 GAsyncResult       *result,
                                                 gpointer            user_data);
/* Iterates the thread-default context until *@slot is set (at most 10 s). Returns *@slot. */
GAsyncResult *mr_test_oidc_wait_for_result      (GAsyncResult      **slot);
/* The client's prefetch, exchange of "C0DE-from-callback" and refresh, run to the end. */
gboolean      mr_test_oidc_prefetch             (MrTestOidcFixture  *fixture,
                                                 GError            **error);
MrTokenSet   *mr_test_oidc_exchange             (MrTestOidcFixture  *fixture,
                                                 GError            **error);
MrTokenSet   *mr_test_oidc_refresh              (MrTestOidcFixture  *fixture,
                                                 const char         *refresh_token,
                                                 GError            **error);
/* The last token request was the code exchange the app sends (PKCE, no secret). */
void          mr_test_oidc_assert_token_request (MrTestOidcFixture  *fixture);

G_END_DECLS

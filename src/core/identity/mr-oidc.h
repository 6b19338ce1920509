/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "mr-config.h"
#include "mr-jwt.h"

G_BEGIN_DECLS

#define MR_OIDC_ERROR (mr_oidc_error_quark ())

typedef enum {
  MR_OIDC_ERROR_NETWORK,        /* could not reach the identity provider */
  MR_OIDC_ERROR_BAD_RESPONSE,   /* a response that is not what OpenID Connect says */
  MR_OIDC_ERROR_STATE,          /* callback state differs from the one we sent */
  MR_OIDC_ERROR_CALLBACK,       /* callback without code, or not our redirect URI */
  MR_OIDC_ERROR_CANCELLED,      /* the user cancelled (error=access_denied) */
  MR_OIDC_ERROR_PROVIDER,       /* the provider answered with an OAuth error (callback or token) */
  MR_OIDC_ERROR_ID_TOKEN,       /* the ID token failed a check */
  /* Errors a person can act on (mr-aadsts.h); each says which button fits. */
  MR_OIDC_ERROR_EXPIRED,        /* this sign-in (session, grant, code) is over: "Sign in again" */
  MR_OIDC_ERROR_CONFIG,         /* the app registration or tenant needs a fix: "Ask your
                                 * administrator" */
  MR_OIDC_ERROR_RETRY,          /* a passing problem at the provider: "Try again" */
  MR_OIDC_ERROR_INTERACTION,    /* silent sign-in impossible (MFA, consent, login required):
                                 * "Sign in again" with the sign-in page */
  MR_OIDC_ERROR_PASSWORD_RESET, /* B2C AADB2C90118: the person asked to reset their password */
  MR_OIDC_ERROR_NOT_STAFF,      /* desk mode: the verified ID token lacks the staff app role; the
                                 * account is signed out: "Sign in with a staff account" */
  MR_OIDC_ERROR_IDENTITY,       /* desk mode: a refresh brought no ID token, or one for another
                                 * account (OIDC Core 12.2); the session ended: "Sign in again" */
} MrOidcError;

typedef struct {
  char *issuer;
  char *authorization_endpoint;
  char *token_endpoint;
  char *jwks_uri;
  char *end_session_endpoint;   /* may be NULL */
  char *device_authorization_endpoint; /* NULL: no sign-in with a phone (see
                                        * mr_oidc_discovery_parse()) */
} MrOidcDiscovery;

/* What one sign-in attempt must remember between the authorize URL and the callback. */
typedef struct {
  char *state;
  char *nonce;
  char *code_verifier;
  char *code_challenge;         /* S256 of code_verifier */
  char *redirect_uri;           /* NULL: the config's; else this one (the system browser's
                                 * loopback listener), in the authorize URL and the exchange */
} MrAuthRequest;

typedef struct {
  char       *access_token;
  char       *id_token;
  char       *refresh_token;    /* may be NULL */
  char       *token_type;
  char       *scope;
  gint64      expires_in;
  JsonObject *claims;           /* the checked ID token's payload; NULL until checked */
} MrTokenSet;

/* What an ID token must match. now == 0 means the current time. */
typedef struct {
  const char *issuer;
  const char *client_id;
  const char *nonce;
  const char *tenant_id;        /* NULL or "" skips the tid check */
  gint64      now;
  gint64      skew;             /* seconds allowed on exp / nbf / iat */
} MrIdTokenExpect;

GQuark           mr_oidc_error_quark            (void);

/* ---- Discovery ------------------------------------------------------------------------------- */

/* Where discovery documents may live for @authority, in the order to try them (newly allocated,
 * 1 or 2 URLs). Microsoft hosts: {authority}/v2.0/.well-known/… only. Loopback (the sandbox):
 * that first, then {authority}/.well-known/…. Any other host is a plain OpenID provider (issuer
 * URL): {authority}/.well-known/… first, then the /v2.0 form (B2C on a custom domain). An
 * authority ending in /v2.0 or naming the document itself has one URL. A query (B2C ?p=) is
 * kept. */
char           **mr_oidc_discovery_urls         (const char            *authority);

/* The document's endpoints; device_authorization_endpoint is the document's, else
 * {…}/oauth2/v2.0/devicecode when the token endpoint is Entra's {…}/oauth2/v2.0/token, else NULL. */
MrOidcDiscovery *mr_oidc_discovery_parse        (GBytes                *body,
                                                 GError               **error);
void             mr_oidc_discovery_free         (MrOidcDiscovery       *discovery);

/* ---- Sign-in request: PKCE, state, nonce, authorize URL -------------------------------------- */

/* RFC 7636 S256: base64url(SHA-256(verifier)). */
char            *mr_pkce_challenge_s256         (const char            *verifier);
/* A fresh state, nonce and 43-character verifier from the cryptographic random source. */
MrAuthRequest   *mr_auth_request_new            (void);
void             mr_auth_request_free           (MrAuthRequest         *request);

/* The authorize URL with client_id, response_type=code, redirect_uri, scope, state, nonce,
 * code_challenge and code_challenge_method=S256; @prompt and @login_hint may be NULL. */
char            *mr_oidc_build_authorize_url    (const MrOidcDiscovery *discovery,
                                                 const MrConfig        *config,
                                                 const MrAuthRequest   *request,
                                                 const char            *prompt,
                                                 const char            *login_hint);
/* The same with ui_locales=@ui_locales (NULL or "": none), so that the provider shows its sign-in
 * page in the patient's language: a space-separated list of BCP 47 tags, most preferred first. */
char            *mr_oidc_build_authorize_url_full (const MrOidcDiscovery *discovery,
                                                   const MrConfig        *config,
                                                   const MrAuthRequest   *request,
                                                   const char            *prompt,
                                                   const char            *login_hint,
                                                   const char            *ui_locales);
/* @names as g_get_language_names() lists them ("es_ES.UTF-8", "es_ES", "es", "C") as a
 * ui_locales value ("es-ES es"): codesets and modifiers dropped, duplicates and the C locale
 * left out, order kept. NULL when nothing is left. Newly allocated; the caller (the UI) supplies
 * the names, so that the core never asks the toolkit for the language. */
char            *mr_oidc_ui_locales_from_names  (const char * const    *names);

/* ---- Callback -------------------------------------------------------------------------------- */

/* TRUE when @uri has exactly the scheme, host, port and path of @redirect_uri (query ignored). */
gboolean         mr_oidc_is_redirect            (const char            *redirect_uri,
                                                 const char            *uri);
/* Parses the captured callback. Returns the code (newly allocated) or NULL with an error:
 * _STATE, _CALLBACK, or for error=… the mapping of mr-aadsts.h (MR_OIDC_ERROR_CANCELLED for a
 * plain access_denied, _EXPIRED / _CONFIG / _RETRY / … by AADSTS number, else _PROVIDER). */
char            *mr_oidc_parse_callback         (const char            *redirect_uri,
                                                 const char            *uri,
                                                 const char            *expected_state,
                                                 GError               **error);

/* ---- Sign-out URL ---------------------------------------------------------------------------- */

/* The sign-out URL: end_session_endpoint with id_token_hint and post_logout_redirect_uri (either
 * may be NULL), keeping the endpoint's own query. NULL when the discovery has no end_session
 * endpoint. Newly allocated. */
char            *mr_oidc_build_end_session_url  (const MrOidcDiscovery *discovery,
                                                 const char            *id_token_hint,
                                                 const char            *post_logout_redirect_uri);

/* ---- Token response and ID token claims ------------------------------------------------------ */

/* Parses a token endpoint answer (any status). Errors are mapped by mr-aadsts.h (a sentence per
 * OAuth error / AADSTS number; the provider's first line only for errors it does not know); an
 * error names @redirect_uri (the one the app sent; may be NULL) where that helps (AADSTS50011),
 * and a success may lack an ID token unless @need_id_token (refresh answers may omit it). */
MrTokenSet      *mr_oidc_parse_token_response_full (guint              status,
                                                    GBytes            *body,
                                                    const char        *redirect_uri,
                                                    gboolean           need_id_token,
                                                    GError           **error);
void             mr_token_set_free              (MrTokenSet            *tokens);

/* Checks iss, aud, exp/nbf/iat, nonce and tid of an already parsed ID token (no signature). */
gboolean         mr_id_token_check_claims       (JsonObject            *claims,
                                                 const MrIdTokenExpect *expect,
                                                 GError               **error);

/* Checks an ID token's claims against what @discovery and @config promise: iss equals the
 * document's issuer (its {tenantid} replaced by the token's tid, which must then equal the
 * configured tenant id when one is set), aud, times, @nonce (NULL for a refreshed token) and tid.
 * A token without tid passes the tenant check only when the (non-templated) issuer names the
 * configured tenant id as a path segment, as B2C issuers do. @now 0 means the current time. */
gboolean         mr_oidc_check_id_token_claims  (const MrOidcDiscovery *discovery,
                                                 const MrConfig        *config,
                                                 JsonObject            *claims,
                                                 const char            *nonce,
                                                 gint64                 now,
                                                 GError               **error);

/* ---- The client: prefetch, code exchange, refresh -------------------------------------------- */

/* The OIDC client: caches discovery and the key set for its lifetime. */
#define MR_TYPE_OIDC_CLIENT (mr_oidc_client_get_type ())
G_DECLARE_FINAL_TYPE (MrOidcClient, mr_oidc_client, MR, OIDC_CLIENT, GObject)

MrOidcClient    *mr_oidc_client_new             (SoupSession           *session,
                                                 const MrConfig        *config);
/* Fetches discovery, then the key set, unless already cached. Meant to run while the user reads
 * the Welcome page or types their password, so that the callback path needs no extra request. */
void             mr_oidc_client_prefetch_async  (MrOidcClient          *self,
                                                 GCancellable          *cancellable,
                                                 GAsyncReadyCallback    callback,
                                                 gpointer               user_data);
gboolean         mr_oidc_client_prefetch_finish (MrOidcClient          *self,
                                                 GAsyncResult          *result,
                                                 GError               **error);
/* NULL until a prefetch has succeeded. Owned by the client. */
const MrOidcDiscovery *mr_oidc_client_get_discovery (MrOidcClient      *self);
/* Exchanges @code (POST to the token endpoint with the PKCE verifier, no secret), then checks the
 * ID token's signature with the cached keys (one key-set refetch on an unknown kid) and its claims.
 * Needs a finished prefetch. */
void             mr_oidc_client_exchange_code_async  (MrOidcClient        *self,
                                                      const MrAuthRequest *request,
                                                      const char          *code,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
MrTokenSet      *mr_oidc_client_exchange_code_finish (MrOidcClient        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Redeems @refresh_token (grant_type=refresh_token, client_id, refresh_token, scope; no secret).
 * The returned set holds the rotated refresh token, or @refresh_token again when the provider
 * did not rotate it. A new ID token, when sent, is signature-checked (one key-set refetch on an
 * unknown kid) and claims-checked without nonce; claims is NULL when none was sent. Errors are
 * those of mr-aadsts.h (e.g. MR_OIDC_ERROR_EXPIRED for AADSTS700082). Never logs the tokens. */
void             mr_oidc_client_refresh_async   (MrOidcClient          *self,
                                                 const char            *refresh_token,
                                                 GCancellable          *cancellable,
                                                 GAsyncReadyCallback    callback,
                                                 gpointer               user_data);
/* The same for another resource: @scope instead of the configured scopes, e.g. the clinic API's
 * "api://<id>/Refill.Submit" (Entra issues one resource per token, so Graph's and the API's come
 * from separate requests). Finish with mr_oidc_client_refresh_finish(); the access token is the
 * API's, opaque to the app. */
void             mr_oidc_client_refresh_for_scope_async (MrOidcClient  *self,
                                                 const char            *refresh_token,
                                                 const char            *scope,
                                                 GCancellable          *cancellable,
                                                 GAsyncReadyCallback    callback,
                                                 gpointer               user_data);
MrTokenSet      *mr_oidc_client_refresh_finish  (MrOidcClient          *self,
                                                 GAsyncResult          *result,
                                                 GError               **error);

/* ---- The device authorization grant (RFC 8628): sign in with a phone ------------------------ */

/* The device authorization endpoint's answer (RFC 8628 §3.2). */
typedef struct {
  char   *device_code;                /* a secret: polled with, never shown, never logged */
  char   *user_code;                  /* what the person types on their phone */
  char   *verification_uri;           /* where they type it */
  char   *verification_uri_complete;  /* the same with the code in it; NULL when not given */
  char   *message;                    /* the provider's sentence; NULL when not given */
  guint   expires_in;                 /* seconds */
  guint   interval;                   /* seconds between polls; 5 when not given */
} MrDeviceAuthorization;

/* Parses the device authorization endpoint's answer (any status): a 2xx must carry device_code,
 * user_code, verification_uri (https, or http to a loopback address) and expires_in, may carry
 * interval (default 5), verification_uri_complete and message; anything missing or malformed is
 * one sentence (MR_OIDC_ERROR_BAD_RESPONSE). An error answer is mapped by mr-aadsts.h. */
MrDeviceAuthorization *mr_oidc_parse_device_authorization (guint        status,
                                                           GBytes      *body,
                                                           GError     **error);
/* Overwrites the device code before freeing it. */
void             mr_device_authorization_free   (MrDeviceAuthorization *authorization);

/* What one poll of the token endpoint with a device code said. */
typedef enum {
  MR_DEVICE_POLL_DONE,          /* tokens, the ID token checked */
  MR_DEVICE_POLL_PENDING,       /* authorization_pending: ask again after the interval */
  MR_DEVICE_POLL_SLOW_DOWN,     /* slow_down: ask again, the interval 5 s longer from now on */
  MR_DEVICE_POLL_UNAVAILABLE,   /* HTTP 5xx or no answer: ask again on the next tick */
  MR_DEVICE_POLL_DECLINED,      /* authorization_declined (or access_denied): the person said no */
  MR_DEVICE_POLL_EXPIRED,       /* expired_token: the code is over */
  MR_DEVICE_POLL_FAILED,        /* anything else: an error says what */
} MrDevicePoll;

/* Which of the states above an answer of the token endpoint to a device-code poll is; DONE for a
 * 2xx (whose tokens are still to be read and checked), FAILED for an error that is none of the
 * others (read it with mr_oidc_parse_token_response_full()). */
MrDevicePoll     mr_oidc_classify_device_poll   (guint                  status,
                                                 GBytes                *body);

/* Asks the device authorization endpoint for a code: client_id and the sign-in scope (the
 * configured scopes with offline_access, as the authorize URL asks), no secret (a public
 * client). Needs a finished prefetch; MR_OIDC_ERROR_CONFIG when the provider has no device
 * endpoint. Never logs the device code. */
void             mr_oidc_client_request_device_code_async  (MrOidcClient        *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
MrDeviceAuthorization *mr_oidc_client_request_device_code_finish (MrOidcClient  *self,
                                                                  GAsyncResult  *result,
                                                                  GError       **error);
/* One poll of the token endpoint (grant_type=urn:ietf:params:oauth:grant-type:device_code,
 * device_code, client_id; no secret). On MR_DEVICE_POLL_DONE *@tokens gets the tokens, the ID
 * token checked exactly as after a code exchange (signature with one key-set refetch on an
 * unknown kid, iss, aud, times, tid) except for the nonce: the device grant sends none, so the
 * provider's ID token has none, and this path alone checks without one. The code exchange still
 * demands the nonce it sent. MR_DEVICE_POLL_FAILED sets @error (G_IO_ERROR_CANCELLED included);
 * the other outcomes set neither. */
void             mr_oidc_client_poll_device_code_async   (MrOidcClient        *self,
                                                          const char          *device_code,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
MrDevicePoll     mr_oidc_client_poll_device_code_finish  (MrOidcClient        *self,
                                                          GAsyncResult        *result,
                                                          MrTokenSet         **tokens,
                                                          GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDeviceAuthorization, mr_device_authorization_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrOidcDiscovery, mr_oidc_discovery_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrAuthRequest, mr_auth_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrTokenSet, mr_token_set_free)

G_END_DECLS

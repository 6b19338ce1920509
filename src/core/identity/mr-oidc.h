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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrOidcDiscovery, mr_oidc_discovery_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrAuthRequest, mr_auth_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrTokenSet, mr_token_set_free)

G_END_DECLS

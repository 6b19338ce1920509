/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The built-in stand-in tenant: OpenID provider, Graph and workflow sink on 127.0.0.1. It runs a
 * SoupServer in a thread of its own with its own GMainContext, so it answers even while the
 * caller's main loop is blocked, and the same code serves --sandbox, medrefill-sandbox and tests. */
#define MR_TYPE_SANDBOX (mr_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (MrSandbox, mr_sandbox, MR, SANDBOX, GObject)

/* Fixed identifiers of the stand-in tenant (the spec's placeholders). */
#define MR_SANDBOX_TENANT_ID         "9a674bb7-0000-0000-0000-000000000000"
#define MR_SANDBOX_CLIENT_ID         "877afb01-0000-0000-0000-000000000000"
#define MR_SANDBOX_EXTENSIONS_APP_ID "3888d42c-cd5f-4582-afa2-f9b641643fac"
#define MR_SANDBOX_PASSWORD          "sandbox"
/* The clinic's own API on the app's registration (Application ID URI api://<client id>), its
 * delegated scope, and the app role that makes an account front-desk staff. */
#define MR_SANDBOX_API_SCOPE         "api://" MR_SANDBOX_CLIENT_ID "/Refill.Submit"
#define MR_SANDBOX_STAFF_ROLE        "FrontDesk"

MrSandbox  *mr_sandbox_new                (void);
/* Makes the signing key and starts listening on 127.0.0.1:@port (0: any free port). When
 * @sink_path is set, each request the workflow sink receives is appended to it as one JSON line
 * {"headers":{…},"body":{…}}. Blocks until the server listens (key generation: tens of ms). */
gboolean    mr_sandbox_start              (MrSandbox   *self,
                                           guint        port,
                                           const char  *sink_path,
                                           GError     **error);
/* Stops the server and joins its thread. Also done on finalize. */
void        mr_sandbox_stop               (MrSandbox   *self);

/* "http://127.0.0.1:PORT" (no trailing slash). Owned by the sandbox. */
const char *mr_sandbox_get_base_url       (MrSandbox   *self);
/* The issuer its discovery document and tokens name: External ID's form,
 * "https://{tenant-id}.ciamlogin.com/{tenant-id}/v2.0", on another host than the base URL. Owned
 * by the sandbox; NULL before start. */
const char *mr_sandbox_get_issuer         (MrSandbox   *self);
/* The settings a client needs, one "key=value" a line, in this order: authority, tenant-id,
 * client-id, graph-url, workflow-url, extensions-app-id. Newly allocated. */
char       *mr_sandbox_dup_settings_text  (MrSandbox   *self);

/* What the workflow sink has received so far: a new array of {"headers":{…},"body":{…}} objects
 * (copies, safe to use from any thread). */
JsonArray  *mr_sandbox_dup_received       (MrSandbox   *self);
/* Forgets the records of finished visits, as a real tenant's expiry would: authorization codes,
 * access and refresh tokens, browser sessions, the list of issued tokens, the sink's references, received requests, attempts and accepted
 * Idempotency-Keys (the counters stay). For long runs (bench/kiosk-sessions.sh) that measure the
 * app's memory, not the stand-in's records. Blocks until the server thread has done its part;
 * call it with no request in flight. */
void        mr_sandbox_forget_records     (MrSandbox   *self);
/* From now on @email's account has the app roles @roles (space separated; NULL: none), as when
 * an administrator changes its assignments in the enterprise application: tokens issued after
 * this (a refresh included) carry them. FALSE when there is no such account. Safe from any
 * thread. */
gboolean    mr_sandbox_set_user_roles     (MrSandbox   *self,
                                           const char  *email,
                                           const char  *roles);
/* Device codes issued from now on live @expires_s seconds and ask to be polled every @interval_s
 * seconds (0: Entra's 900 s and 5 s, which the standalone sandbox keeps), so that a test of the
 * phone sign-in is quick. Safe from any thread. */
void        mr_sandbox_set_device_timing  (MrSandbox   *self,
                                           guint        expires_s,
                                           guint        interval_s);
/* How the token endpoint answers a refresh-token request, so that a test can make the answers
 * a client must refuse (OpenID Connect Core §12.2). */
typedef enum {
  MR_SANDBOX_REFRESH_AS_USUAL,      /* as Entra answers */
  MR_SANDBOX_REFRESH_NO_ID_TOKEN,   /* tokens without an ID token, which §12.2 allows */
  MR_SANDBOX_REFRESH_OTHER_ACCOUNT, /* tokens for another account, its ID token signed as usual
                                     * (a provider's mix-up, or a refresh token swapped under the
                                     * app) */
} MrSandboxRefreshFault;

/* From now on every refresh-token request is answered as @fault says; @other_email names the
 * account MR_SANDBOX_REFRESH_OTHER_ACCOUNT answers for (ignored otherwise). FALSE when there is
 * no such account. Safe from any thread. */
gboolean    mr_sandbox_set_refresh_fault  (MrSandbox             *self,
                                           MrSandboxRefreshFault  fault,
                                           const char            *other_email);
/* How many HTTP requests the server has answered for @path (e.g. "/v1.0/me"); NULL counts all. */
guint       mr_sandbox_get_request_count  (MrSandbox   *self,
                                           const char  *path);

/* ---- what a browser and the token endpoint were given, for tests ----------------------------- */

/* How many sign-ins began (a GET of the authorize endpoint) carrying one of the sandbox's
 * browser-session cookies (ESTSAUTH, ESTSAUTHPERSISTENT), whether or not the session was still
 * known: a browser that sends one was signed in before. Safe from any thread. */
guint       mr_sandbox_get_session_cookie_count (MrSandbox *self);
/* Every access, ID and refresh token the token endpoint issued since the start (or the last
 * mr_sandbox_forget_records()), in order: a new NULL-terminated array, so that a test can look
 * for them where they must not be. Never print them. Safe from any thread. */
GStrv       mr_sandbox_dup_issued_tokens  (MrSandbox   *self);

/* ---- clinic API tokens without a sign-in, for tests and tools ------------------------------- */

/* How mr_sandbox_mint_api_token() departs from the token its token endpoint issues, so that a
 * test can make the tokens the sink must refuse. A zero field keeps the endpoint's value. */
typedef struct {
  gint64      issued_at;            /* iat and nbf, seconds since the epoch; 0: now */
  gint64      lifetime;             /* exp - iat, seconds; 0: an hour */
  const char *audience;             /* aud; NULL: MR_SANDBOX_CLIENT_ID */
  const char *issuer;               /* iss; NULL: the sandbox's issuer */
  const char *scope;                /* scp; NULL: "Refill.Submit"; "": no scp claim */
} MrSandboxTokenOptions;

/* A version 2 access token for the clinic's API (MR_SANDBOX_API_SCOPE) for the demo account
 * @email, with the claims and signature (the sandbox's key and kid) of the one its token endpoint
 * issues after a sign-in; @options may be NULL. NULL for an account the sandbox does not have.
 * Newly allocated; the sandbox must be started. Any thread; does not block. */
char       *mr_sandbox_mint_api_token     (MrSandbox                   *self,
                                           const char                  *email,
                                           const MrSandboxTokenOptions *options);

/* ---- faults of the workflow sink, for tests and demos ---------------------------------------- */

typedef enum {
  MR_SINK_FAULT_NONE,               /* answer as usual */
  MR_SINK_FAULT_REFUSE,             /* close the connection without an answer */
  MR_SINK_FAULT_ERROR_500,          /* n8n's 500 "Error in workflow" */
  MR_SINK_FAULT_RATE_LIMIT,         /* 429 with Retry-After: param seconds */
  MR_SINK_FAULT_FORBIDDEN,          /* n8n Header Auth's 403 "Authorization data is wrong!" */
  MR_SINK_FAULT_NOT_FOUND,          /* n8n's 404 for a workflow that is not active */
  MR_SINK_FAULT_HANG,               /* never answer (until the sandbox stops) */
  MR_SINK_FAULT_CLOSE_MID_RESPONSE, /* take the request, then cut the answer off after its start */
  MR_SINK_FAULT_SLOW,               /* take the request, answer after param milliseconds */
} MrSinkFaultKind;

typedef struct {
  MrSinkFaultKind kind;
  guint           param;            /* seconds (429) or milliseconds (slow); 0: 1 s / 1000 ms */
  guint           count;            /* how many attempts it applies to; 0: every one from then on */
} MrSinkFault;

/* The sink applies @script to the POSTs it receives, in order, then answers as usual. Replaces
 * any earlier script; @n_faults 0 clears it. Safe from any thread. */
void        mr_sandbox_set_sink_faults        (MrSandbox         *self,
                                               const MrSinkFault *script,
                                               guint              n_faults);
/* After the script, each POST meets a fault with probability @percent %, chosen uniformly (from
 * a GRand seeded with @seed) from @choices, or when @choices is NULL from the faults a client
 * should ride out: refuse, 500, 429 (Retry-After 1), close mid-response, slow (20 ms). @percent
 * 0 turns it off. */
void        mr_sandbox_set_sink_random_faults (MrSandbox         *self,
                                               guint32            seed,
                                               guint              percent,
                                               const MrSinkFault *choices,
                                               guint              n_choices);
/* "MODE[:N][*COUNT]" as --fault takes it: MODE is none, refuse, 500, 429, 403, 404, hang, close or
 * slow; N the param; COUNT the count (absent: 0, every attempt). */
gboolean    mr_sandbox_parse_fault            (const char        *text,
                                               MrSinkFault       *fault,
                                               GError           **error);
const char *mr_sandbox_fault_name             (MrSinkFaultKind    kind);

/* Requests the sink took in (answered 2xx, or taken and then cut off), counted once per
 * Idempotency-Key: a key seen again is a duplicate, answered with the first reference and not
 * recorded again, as a workflow that drops repeats would. */
guint       mr_sandbox_get_delivered_count    (MrSandbox         *self);
guint       mr_sandbox_get_duplicate_count    (MrSandbox         *self);
/* How many times the sink took in @key (1 + its duplicates), 0 if never. */
guint       mr_sandbox_get_key_count          (MrSandbox         *self,
                                               const char        *key);
/* Every POST the sink saw, in order: a new array of {"key":…, "fault":…, "status":N} (status 0
 * when no answer was given: refused, hung, cut off), with "error" (invalid_token,
 * insufficient_scope, forbidden, invalid_request) when the sink refused the request as the
 * reference workflow's token check does (data/n8n/verify-token.js: every POST must carry
 * "Authorization: Bearer" with a token from mr_sandbox_mint_api_token() or the token endpoint,
 * valid at the body's created_at, whose oid is the kiosk patient or the desk submitter). */
JsonArray  *mr_sandbox_dup_sink_attempts      (MrSandbox         *self);
guint       mr_sandbox_get_faults_injected    (MrSandbox         *self);

G_END_DECLS

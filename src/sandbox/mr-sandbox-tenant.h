/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stand-in tenant's data: its demo accounts and what they consented to, and what it issued
 * (one-time codes, access and refresh tokens). A leaf: no HTTP, no handler. Server thread only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A demo account (patients, and one staff member). Fields left NULL are "never set" and so
 * absent from Graph answers. */
typedef struct
{
  const char *id;
  /* NULL for a local account that never had one: Graph's mail is then absent, and the sign-in
   * name is only in identities (and the ID token's email claim). */
  const char *mail;
  /* The email address the account signs in with, when it is not mail. */
  const char *sign_in_name;
  const char *given_name;
  const char *surname;
  const char *display_name;
  const char *job_title;
  const char *street_address;
  const char *city;
  const char *state;
  const char *postal_code;
  const char *country;
  const char *mobile_phone;
  const char *preferred_language;
  const char *date_of_birth;
  const char *hospital_number;
  const char *gender;
  /* Delegated Graph permissions consented for the account, space separated: its tokens carry
   * them all (Entra puts every consented permission of the resource in a token, not only the
   * requested ones) and the token response lists them. NULL: User.Read alone. Patients who may
   * correct their own details have User.ReadWrite; staff have User.ReadWrite.All (issue 7). */
  const char *permissions;
  /* App roles assigned to the account in the enterprise application, space separated (NULL:
   * none): its ID tokens and API access tokens carry them as "roles". */
  const char *roles;
} MrSandboxUser;

/* What an access or refresh token stands for. */
typedef struct
{
  const MrSandboxUser *user;
  char                *scope;
  gint64               expires;   /* g_get_real_time () µs */
} MrSandboxGrant;

/* An authorization code and what it was issued for. */
typedef struct
{
  const MrSandboxUser *user;
  char                *client_id;
  char                *redirect_uri;
  char                *code_challenge;
  char                *nonce;
  char                *scope;
  gint64               expires;   /* g_get_real_time () µs */
  gboolean             redeemed;
} MrSandboxCode;

/* Where a device code (RFC 8628) is: the person on their phone moves it along. */
typedef enum
{
  MR_SANDBOX_DEVICE_PENDING,      /* nobody has entered the user code yet */
  MR_SANDBOX_DEVICE_SIGNED_IN,    /* entered and signed in; Approve / Decline still to press */
  MR_SANDBOX_DEVICE_APPROVED,
  MR_SANDBOX_DEVICE_DECLINED,
  MR_SANDBOX_DEVICE_UNCONSENTED,  /* signed in, but a permission asked for was never consented */
  MR_SANDBOX_DEVICE_REDEEMED,     /* tokens issued: single use */
} MrSandboxDeviceState;

/* A device code and what it was issued for. */
typedef struct
{
  char                 *user_code;
  char                 *client_id;
  char                 *scope;
  char                 *session;      /* the phone's approval form's secret, once signed in */
  char                 *unconsented;  /* the permission, in MR_SANDBOX_DEVICE_UNCONSENTED */
  const MrSandboxUser  *user;         /* once signed in */
  gint64                expires;      /* g_get_real_time () µs */
  gint64                last_poll;    /* g_get_monotonic_time () µs; 0: never polled */
  guint                 interval;     /* seconds; 5 more after each slow_down */
  MrSandboxDeviceState  state;
} MrSandboxDeviceCode;

/* What the tenant has issued. */
typedef struct
{
  GHashTable *codes;            /* code → MrSandboxCode */
  GHashTable *device_codes;     /* device code → MrSandboxDeviceCode */
  GHashTable *access_tokens;    /* token → MrSandboxGrant */
  GHashTable *refresh_tokens;   /* token → MrSandboxGrant */
  /* Browser sessions, as Entra's ESTSAUTH / ESTSAUTHPERSISTENT cookies name them: cookie value →
   * MrSandboxGrant (no scope). A browser that comes back with one is not asked for a password. */
  GHashTable *sessions;
  /* Sign-ins waiting on the "Stay signed in?" page: one-time flow token → MrSandboxGrant. */
  GHashTable *flows;
} MrSandboxTenant;

void                 mr_sandbox_tenant_init        (MrSandboxTenant     *tenant);
void                 mr_sandbox_tenant_clear       (MrSandboxTenant     *tenant);
/* Forgets every code and token, as a real tenant's expiry would. */
void                 mr_sandbox_tenant_forget      (MrSandboxTenant     *tenant);
/* Keeps @code (taken) under a new random text, which it returns (newly allocated); codes that
 * have expired are dropped on the way. */
char                *mr_sandbox_tenant_add_code    (MrSandboxTenant     *tenant,
                                                    MrSandboxCode       *code);

/* The demo accounts: a static table, never freed. */
const MrSandboxUser *mr_sandbox_get_users          (guint               *n_users);
const MrSandboxUser *mr_sandbox_find_user          (const char          *email);
const MrSandboxUser *mr_sandbox_find_user_by_id    (const char          *id);
/* The email address @user signs in with: sign_in_name, or else mail. Static. */
const char          *mr_sandbox_user_sign_in_name  (const MrSandboxUser *user);
/* Whether @user's tokens carry @permission. */
gboolean             mr_sandbox_user_may           (const MrSandboxUser *user,
                                                    const char          *permission);
/* The first Graph permission in the space-separated @scope that was not consented for @user
 * (newly allocated), or NULL when every one was: the OpenID scopes, ".default" and the clinic's
 * API need no consent of the account's. */
char                *mr_sandbox_first_unconsented  (const MrSandboxUser *user,
                                                    const char          *scope);

MrSandboxGrant      *mr_sandbox_grant_new          (const MrSandboxUser *user,
                                                    const char          *scope,
                                                    gint64               lifetime_s);
void                 mr_sandbox_grant_free         (MrSandboxGrant      *grant);
void                 mr_sandbox_code_free          (MrSandboxCode       *code);
void                 mr_sandbox_device_code_free   (MrSandboxDeviceCode *code);
/* Keeps @code (taken) under a new random device code, which it returns (newly allocated), and
 * gives it a user code as Entra's look (9 letters from an alphabet without look-alikes); codes
 * that have expired are dropped on the way. */
char                *mr_sandbox_tenant_add_device_code (MrSandboxTenant     *tenant,
                                                        MrSandboxDeviceCode *code);
/* The unexpired device code whose user code is @user_code (case, spaces and dashes aside), or
 * NULL. Owned by the tenant. */
MrSandboxDeviceCode *mr_sandbox_tenant_find_user_code  (MrSandboxTenant     *tenant,
                                                        const char          *user_code);

/* Whether the app registration accepts @uri as a post-logout URI: any loopback address. */
gboolean             mr_sandbox_redirect_uri_is_usable (const char      *uri);
/* Whether @uri is one of the registration's redirect URIs, as Entra matches them (exactly; the
 * port of a loopback address aside). */
gboolean             mr_sandbox_redirect_uri_is_registered (const char  *uri);

G_END_DECLS

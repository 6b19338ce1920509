/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gnutls/abstract.h>
#include <libsoup/soup.h>

#include "mr-sandbox.h"
#include "mr-base.h"

G_BEGIN_DECLS

/* A demo account (patients, and one staff member). Fields left NULL are "never set" and so absent from Graph answers. */
typedef struct
{
  const char *id;
  const char *mail;
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

struct _MrSandbox
{
  GObject             parent_instance;

  /* Set by start before the thread runs, read-only while it runs. */
  GThread            *thread;
  GMainContext       *context;
  GMainLoop          *loop;
  guint               port;
  char               *sink_path;
  char               *base_url;
  char               *issuer;
  gnutls_privkey_t    key;
  char               *kid;
  char               *jwks_json;

  /* Start-up hand-shake. */
  GMutex              lock;
  GCond               ready;
  gboolean            started;
  GError             *start_error;

  /* Behind lock: read from any thread. */
  GHashTable         *counts;          /* path → GUINT_TO_POINTER (n) */
  guint               total_count;
  JsonArray          *received;

  /* Server thread only. */
  SoupServer         *server;
  GSocketService     *service;
  GHashTable         *codes;           /* code → MrSandboxCode */
  GHashTable         *access_tokens;   /* token → MrSandboxGrant */
  GHashTable         *refresh_tokens;  /* token → MrSandboxGrant */
  GHashTable         *references;      /* issued sink references (a set) */
};

/* mr-sandbox.c: shared helpers */
char       *mr_sandbox_s256           (const char        *verifier);
char       *mr_sandbox_random_uuid    (void);
void        mr_sandbox_respond_json   (SoupServerMessage *msg,
                                       guint              status,
                                       JsonNode          *node);
void        mr_sandbox_respond_text   (SoupServerMessage *msg,
                                       guint              status,
                                       const char        *content_type,
                                       const char        *text);
GHashTable *mr_sandbox_decode_body    (SoupServerMessage *msg);
MrSandboxGrant *mr_sandbox_grant_new  (const MrSandboxUser *user,
                                       const char        *scope,
                                       gint64             lifetime_s);
void        mr_sandbox_grant_free     (MrSandboxGrant    *grant);

/* mr-sandbox-idp.c */
gboolean    mr_sandbox_idp_init       (MrSandbox         *self,
                                       GError           **error);
void        mr_sandbox_idp_clear      (MrSandbox         *self);
void        mr_sandbox_handle_discovery (MrSandbox       *self,
                                         SoupServerMessage *msg);
void        mr_sandbox_handle_keys    (MrSandbox         *self,
                                       SoupServerMessage *msg);
void        mr_sandbox_handle_token   (MrSandbox         *self,
                                       SoupServerMessage *msg);
void        mr_sandbox_handle_logout  (MrSandbox         *self,
                                       SoupServerMessage *msg,
                                       GHashTable        *query);
char       *mr_sandbox_sign_id_token  (MrSandbox         *self,
                                       const MrSandboxUser *user,
                                       const char        *nonce);

/* mr-sandbox-authorize.c */
void        mr_sandbox_handle_authorize (MrSandbox       *self,
                                         SoupServerMessage *msg,
                                         GHashTable      *query);
gboolean    mr_sandbox_redirect_uri_is_usable (const char *uri);
void        mr_sandbox_code_free      (MrSandboxCode     *code);

/* mr-sandbox-page.c: the sign-in page */
char       *mr_sandbox_page_sign_in   (GHashTable        *params,
                                       const char        *email,
                                       const char        *error_text);
char       *mr_sandbox_page_message   (const char        *title,
                                       const char        *text);

/* mr-sandbox-graph.c */
const MrSandboxUser *mr_sandbox_find_user (const char    *email);
const MrSandboxUser *mr_sandbox_find_user_by_id (const char *id);
const MrSandboxUser *mr_sandbox_get_users (guint         *n_users);
void        mr_sandbox_handle_me      (MrSandbox         *self,
                                       SoupServerMessage *msg,
                                       GHashTable        *query);
gboolean    mr_sandbox_user_may       (const MrSandboxUser *user,
                                       const char        *permission);
/* mr-sandbox-directory.c: /v1.0/users[/{id}], /v1.0/applications; FALSE for another path */
gboolean    mr_sandbox_handle_graph   (MrSandbox         *self,
                                       SoupServerMessage *msg,
                                       const char        *path,
                                       GHashTable        *query);

/* A decimal number from @min to @max into @out; FALSE (and @out untouched) for anything else,
 * NULL included. */
gboolean    mr_sandbox_parse_uint     (const char        *text,
                                       guint              min,
                                       guint              max,
                                       guint             *out);

/* mr-sandbox-sink.c */
void        mr_sandbox_handle_sink    (MrSandbox         *self,
                                       SoupServerMessage *msg);
/* The sink's part of mr_sandbox_forget_records(): attempts and accepted keys. Any thread. */
void        mr_sandbox_sink_forget    (MrSandbox         *self);

G_END_DECLS

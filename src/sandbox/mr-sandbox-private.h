/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox object's fields, for the router (mr-sandbox.c) that owns them and the handlers that
 * read them. Data only: the functions are in mr-sandbox-handlers.h and the leaves' headers. */
#pragma once

#include <gnutls/abstract.h>
#include <libsoup/soup.h>

#include "mr-sandbox.h"
#include "mr-sandbox-tenant.h"

G_BEGIN_DECLS

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
  gnutls_pubkey_t     pubkey;          /* the same key's public half, for the sink's check */
  char               *kid;
  char               *jwks_json;

  /* Start-up hand-shake. */
  GMutex              lock;
  GCond               ready;
  gboolean            started;
  GError             *start_error;

  /* Signing with key: the server thread and mr_sandbox_mint_api_token()'s callers (a GnuTLS
   * object is used by one thread at a time). */
  GMutex              sign_lock;

  /* Behind lock: read from any thread. */
  GHashTable         *counts;          /* path → GUINT_TO_POINTER (n) */
  guint               total_count;
  JsonArray          *received;
  GHashTable         *roles;           /* user id → app roles the administrator changed to
                                        * (space separated; NULL: none) */
  guint               device_expires_s;   /* a device code's lifetime; 0: Entra's 900 s */
  guint               device_interval_s;  /* its polling interval; 0: Entra's 5 s */
  MrSandboxRefreshFault refresh_fault;
  const MrSandboxUser *refresh_other;  /* whom MR_SANDBOX_REFRESH_OTHER_ACCOUNT answers for */
  guint               session_authorizes; /* authorize requests that came with a session cookie */
  GPtrArray          *issued;          /* every token text the token endpoint handed out */

  /* Server thread only. */
  SoupServer         *server;
  GSocketService     *service;
  MrSandboxTenant     tenant;          /* codes and tokens issued */
  GHashTable         *references;      /* issued sink references (a set) */
};

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox's HTTP helpers, shared by every handler: answers, form bodies, and errors in the
 * shapes Entra, Graph and n8n give them. A leaf: it knows libsoup and json-glib, not the
 * sandbox's object or its handlers. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char       *mr_sandbox_random_uuid        (void);
/* A decimal number from @min to @max into @out; FALSE (and @out untouched) for anything else,
 * NULL included. */
gboolean    mr_sandbox_parse_uint         (const char        *text,
                                           guint              min,
                                           guint              max,
                                           guint             *out);

void        mr_sandbox_respond_text       (SoupServerMessage *msg,
                                           guint              status,
                                           const char        *content_type,
                                           const char        *text);
/* Takes @node. */
void        mr_sandbox_respond_json       (SoupServerMessage *msg,
                                           guint              status,
                                           JsonNode          *node);
/* The request body decoded as a form, or an empty table. */
GHashTable *mr_sandbox_decode_body        (SoupServerMessage *msg);

/* Entra's token-endpoint error (400): the description ends with trace, correlation and time. */
void        mr_sandbox_respond_entra_error (SoupServerMessage *msg,
                                            const char        *error,
                                            guint              code,
                                            const char        *description);
/* AADSTS700016: no application @client_id in the tenant @tenant_id (token and device code
 * endpoints). */
void        mr_sandbox_respond_unknown_client (SoupServerMessage *msg,
                                               const char        *client_id,
                                               const char        *tenant_id);
/* AADSTS900144: the request body lacks @parameter. */
void        mr_sandbox_respond_missing    (SoupServerMessage *msg,
                                           const char        *parameter);
/* What Entra's token and device-code endpoints check first: a POST, this app's client_id, and
 * neither a secret nor an assertion (a public client). The form, or NULL once the error has
 * been answered. */
GHashTable *mr_sandbox_public_client_form (SoupServerMessage *msg);
/* Graph's error shape {"error":{"code","message","innerError":{…}}}. */
void        mr_sandbox_graph_error        (SoupServerMessage *msg,
                                           guint              status,
                                           const char        *code,
                                           const char        *message);
/* 403 Authorization_RequestDenied, as Graph answers a token without the permission. */
void        mr_sandbox_graph_deny         (SoupServerMessage *msg);
/* An n8n Webhook node's error {"code":N,"message":…,"hint":…} (no "code" for a 500). */
void        mr_sandbox_respond_n8n        (SoupServerMessage *msg,
                                           guint              status,
                                           const char        *message,
                                           const char        *hint);

G_END_DECLS

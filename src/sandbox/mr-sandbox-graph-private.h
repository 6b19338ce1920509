/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Graph user model of mr-sandbox-graph.c (properties, values after PATCHes, the JSON of a
 * user), shared with mr-sandbox-directory.c (/users, /applications). Server thread only. */
#pragma once

#include <libsoup/soup.h>

#include "mr-sandbox.h"
#include "mr-sandbox-filter.h"
#include "mr-sandbox-tenant.h"

G_BEGIN_DECLS

/* "extension_" + MR_SANDBOX_EXTENSIONS_APP_ID without dashes + "_" (a static table needs it
 * spelled out; the tests build the names from the macro). */
#define MR_SANDBOX_EXTENSION_PREFIX "extension_3888d42ccd5f4582afa2f9b641643fac_"

/* ---- properties of Microsoft.DirectoryServices.User (mr-sandbox-graph.c) ------------------ */

typedef enum {
  MR_PROPERTY_FIELD,      /* a string member of MrSandboxUser */
  MR_PROPERTY_UPN,        /* computed from the object id */
  MR_PROPERTY_PHONES,     /* businessPhones: a collection, [] when empty */
  MR_PROPERTY_IDENTITIES, /* identities: the sign-in names, a collection of objects */
  MR_PROPERTY_UNSET,      /* a property Graph knows that no demo account has */
} MrPropertyKind;

typedef enum {
  MR_PATCH_NO,            /* not writable in the sandbox */
  MR_PATCH_SELF,          /* a user may change it on their own profile */
  MR_PATCH_STAFF,         /* only with User.ReadWrite.All: the custom attributes */
} MrPatchRule;

typedef struct {
  const char     *name;
  MrPropertyKind  kind;
  gssize          offset;
  gboolean        in_default;
  guint           filters;   /* MrFilterOp flags */
  MrPatchRule     patch;
} MrProperty;

/* Graph matches property names without regard to case. NULL when Graph has no such property. */
const MrProperty *mr_sandbox_graph_find_property (const char          *name);
/* The current value (after PATCHes) of @property for @user; NULL when unset. Newly allocated. */
char             *mr_sandbox_graph_dup_value     (MrSandbox           *self,
                                                  const MrSandboxUser *user,
                                                  const MrProperty    *property);
/* The grant behind the request's bearer token, or NULL after answering 401. */
const MrSandboxGrant *mr_sandbox_graph_authenticate (MrSandbox        *self,
                                                     SoupServerMessage *msg);
/* The properties $select names (of MrProperty, borrowed), or NULL after answering 400. */
GPtrArray        *mr_sandbox_graph_parse_select  (SoupServerMessage   *msg,
                                                  const char          *select);
/* "{base}/v1.0/$metadata#users[(a,b)]". Newly allocated. */
char             *mr_sandbox_graph_context       (MrSandbox           *self,
                                                  GPtrArray           *chosen);
/* @user as Graph shows it: "@odata.context" first when @context is set, then the $select'ed
 * properties (unset ones absent), or with @chosen NULL or empty the default set (unset ones
 * null). New object. */
JsonObject       *mr_sandbox_graph_user_object   (MrSandbox           *self,
                                                  const MrSandboxUser *user,
                                                  GPtrArray           *chosen,
                                                  const char          *context);
/* The JSON body of a PATCH applied to @target by @grant's user: 204, or 400/403 and no change. */
void              mr_sandbox_graph_patch_user    (MrSandbox           *self,
                                                  SoupServerMessage   *msg,
                                                  const MrSandboxGrant *grant,
                                                  const MrSandboxUser *target);

G_END_DECLS

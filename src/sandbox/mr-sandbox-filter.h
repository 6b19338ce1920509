/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The part of OData $filter the sandbox's Graph understands (mr-sandbox-filter.c): a leaf, for
 * mr-sandbox-directory.c, and its operators for the property table of mr-sandbox-graph.c. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What $filter may do with a property without advanced query parameters (ENDS_WITH needs them). */
typedef enum {
  MR_FILTER_EQ          = 1 << 0,
  MR_FILTER_STARTS_WITH = 1 << 1,
  MR_FILTER_ENDS_WITH   = 1 << 2,
} MrFilterOp;

#define MR_SANDBOX_FILTER_ERROR (mr_sandbox_filter_error_quark ())

typedef enum {
  MR_SANDBOX_FILTER_ERROR_SYNTAX,       /* Graph: 400 BadRequest */
  MR_SANDBOX_FILTER_ERROR_UNSUPPORTED,  /* Graph: 400 Request_UnsupportedQuery */
} MrSandboxFilterError;

typedef struct {
  MrFilterOp  op;
  char       *property;   /* as written */
  char       *value;      /* unquoted: '' is ' again */
} MrFilterTerm;

GQuark     mr_sandbox_filter_error_quark (void);
/* Terms joined with "or" (at most 4): "prop eq 'v'", "startswith(prop,'v')", "endswith(…)".
 * Returns a new array of MrFilterTerm, or NULL with an error whose message Graph would give. */
GPtrArray *mr_sandbox_filter_parse       (const char  *text,
                                          GError     **error);
/* Graph's comparison: case-insensitive, after NFC normalisation. A NULL @value never matches. */
gboolean   mr_sandbox_filter_match       (MrFilterOp   op,
                                          const char  *value,
                                          const char  *wanted);

G_END_DECLS

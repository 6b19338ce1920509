/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Who is signed in, for a request's submitted_by: the ID token's "oid" (object id) into *@id and
 * its "name" (else "given_name family_name", else "preferred_username", else NULL) into *@name,
 * newly allocated and cleaned (mr_text_clean). Returns FALSE (and sets nothing) when @claims has
 * no usable oid. */
gboolean   mr_claims_dup_submitter        (JsonObject           *claims,
                                           char                **id,
                                           char                **name);
/* The name the account signs in with, for the next sign-in's login_hint: "preferred_username",
 * else "email", cleaned (mr_text_clean), or NULL when neither is there, either is longer than
 * 256 characters or holds a space. Newly allocated. */
char      *mr_claims_dup_login_name       (JsonObject           *claims);
/* Whether the verified ID token's "roles" (the app roles assigned to the account in the
 * enterprise application) holds @role. A "roles" that is not an array of strings counts as no
 * role at all, and an empty or NULL @role is held by nobody: an unset staff role never means
 * "anyone". */
gboolean   mr_claims_has_role             (JsonObject           *claims,
                                           const char           *role);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTML pages of the sandbox (mr-sandbox-page.c), for the authorize and sign-out handlers. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The sign-in page for the request @params, with @email filled in and @error_text shown if set.
 * Newly allocated. */
char       *mr_sandbox_page_sign_in   (GHashTable        *params,
                                       const char        *email,
                                       const char        *error_text);
/* A page with a heading and a sentence. Newly allocated. */
char       *mr_sandbox_page_message   (const char        *title,
                                       const char        *text);

G_END_DECLS

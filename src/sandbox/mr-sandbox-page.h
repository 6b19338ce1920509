/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTML pages of the sandbox (mr-sandbox-page.c), for the authorize and sign-out handlers. */
#pragma once

#include <glib.h>

#include "mr-sandbox-tenant.h"

G_BEGIN_DECLS

/* The sign-in page for the request @params, with @email filled in and @error_text shown if set.
 * Newly allocated. */
char       *mr_sandbox_page_sign_in   (GHashTable        *params,
                                       const char        *email,
                                       const char        *error_text);
/* The phone's pages of the device authorization grant, each newly allocated: the form for the
 * user code (@error_text shown if set); the sign-in form that carries @user_code; the question
 * whether @account is signing in, with Continue / Cancel, carrying @user_code and @session. */
char       *mr_sandbox_page_device_code    (const char        *error_text);
char       *mr_sandbox_page_device_sign_in (const char        *user_code,
                                            const char        *email,
                                            const char        *error_text);
char       *mr_sandbox_page_device_approve (const char        *user_code,
                                            const char        *session,
                                            const char        *account);
/* Entra's "Stay signed in?" (KMSI) page after a password was accepted, for the request @params;
 * @flow_token names the sign-in it finishes. Newly allocated. */
char       *mr_sandbox_page_stay_signed_in (GHashTable          *params,
                                            const char          *email,
                                            const char          *flow_token);
/* Entra's "Pick an account" for a browser that is still signed in as @user: one tap signs in
 * again, without a password. Newly allocated. */
char       *mr_sandbox_page_pick_account   (GHashTable          *params,
                                            const MrSandboxUser *user);
/* A page with a heading and a sentence. Newly allocated. */
char       *mr_sandbox_page_message   (const char        *title,
                                       const char        *text);

G_END_DECLS

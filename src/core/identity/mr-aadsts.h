/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Errors a person can act on: the one place that turns an OAuth error (from the sign-in callback
 * or the token endpoint) or a transport failure into a GError in MR_OIDC_ERROR (mr-oidc.h) with a
 * sentence that says what to do. It branches on the OAuth `error` and on the AADSTS / AADB2C
 * numbers, never on the provider's wording. No message ever contains a token or a code. */

/* The provider's error numbers, in order, as "AADSTS54005" / "AADB2C90118": those of
 * @error_codes (may be NULL; the token endpoint's integers), else every "AADSTSnnnn:" /
 * "AADB2Cnnnn:" in the first line of @description (may be NULL). Newly allocated, never NULL. */
char   **mr_aadsts_codes           (const char   *description,
                                    JsonArray    *error_codes);

/* A new GError for an OAuth error. @oauth_error is the `error` field (may be NULL when only a
 * number is known); @redirect_uri is the one the app sent, shown for a redirect mismatch (may be
 * NULL). Unknown errors keep the provider's first line of text, cleaned and shortened
 * (MR_OIDC_ERROR_PROVIDER). */
GError  *mr_aadsts_error_new       (const char   *oauth_error,
                                    const char   *description,
                                    JsonArray    *error_codes,
                                    const char   *redirect_uri);

/* A new GError for a failed HTTP exchange with the sign-in service: MR_OIDC_ERROR_NETWORK with a
 * sentence suggesting to try again (a TLS failure says the certificate is not valid).
 * Cancellation is returned as a copy of @error (G_IO_ERROR_CANCELLED). */
GError  *mr_aadsts_transport_error_new (const GError *error);

G_END_DECLS

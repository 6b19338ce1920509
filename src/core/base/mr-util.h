/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* base64url without padding (RFC 4648 §5), as JWTs and PKCE use it. Returns newly allocated text. */
char       *mr_base64url_encode  (const guchar *data,
                                  gsize         len);
/* Decodes base64url with or without padding; returns NULL (and sets *out_len to 0) on any byte that
 * is not in the alphabet. The result is NUL-terminated for convenience; *out_len excludes the NUL. */
guchar     *mr_base64url_decode  (const char   *text,
                                  gsize        *out_len);

/* Fills @buf with bytes from the kernel's cryptographic random source (GnuTLS). Never g_random_*. */
void        mr_random_bytes      (guchar       *buf,
                                  gsize         len);
/* @n_bytes random bytes, base64url-encoded. */
char       *mr_random_token      (gsize         n_bytes);
/* A random RFC 4122 version-4 UUID in lower case ("xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx"), from
 * GnuTLS's random source: a refill request's id, which the workflow deduplicates on, so it must
 * not be guessable (GLib's g_uuid_string_random() uses GRand). Newly allocated. */
char       *mr_request_id_new    (void);

/* Parses @body as a JSON object. A body that is not JSON, or JSON that is not an object, gives
 * @domain/@code with @what ("the sign-in service", …) named in a sentence a person understands. */
JsonObject *mr_json_parse_object (GBytes       *body,
                                  GQuark        domain,
                                  int           code,
                                  const char   *what,
                                  GError      **error);
/* FALSE for JSON text that json-glib 1.6 (Debian 12) mishandles (leaks, crashes): several
 * top-level values, broken surrogate escapes, comments, or nesting deeper than 64 (a stack
 * overflow). Every parse of text from outside (a server, a file) checks this first. */
gboolean    mr_json_text_is_safe (const char   *data,
                                  gsize         len);
/* A string member or NULL when absent, null, or not a string. */
const char *mr_json_get_string   (JsonObject   *object,
                                  const char   *member);
/* Serialises @node compactly; returns newly allocated text. */
char       *mr_json_to_string    (JsonNode     *node);
/* Writes @node compactly as one line (the sign-in helper's protocol) and flushes @stream. */
gboolean    mr_json_write_line   (GOutputStream *stream,
                                  JsonNode      *node,
                                  GError       **error);

/* TRUE for the IP literals 127.0.0.0/8 and ::1 (bracketed or not), never for a name: a name such
 * as "localhost" is looked up, and the answer can point elsewhere (RFC 8252 §8.3). The rule for
 * an address the app fetches over plain http. */
gboolean    mr_host_is_loopback  (const char   *host);
/* mr_host_is_loopback(), or the name "localhost": only for a redirect URI, which the app captures
 * and never fetches (Entra registers http://localhost:PORT/… for desktop apps). */
gboolean    mr_host_is_loopback_or_localhost (const char *host);
/* TRUE when @url is https, or http to a loopback IP literal (mr_host_is_loopback()). */
gboolean    mr_url_is_secure_or_loopback (const char *url);
/* The same for a redirect URI: http to "localhost" by name is fine too. */
gboolean    mr_redirect_uri_is_secure_or_loopback (const char *url);
/* The origin of an http(s) @url as RFC 6454 compares them: "scheme://host:port", scheme and host
 * in lower case, the port always written (443, 80 when the URL leaves it out), an IPv6 literal in
 * brackets. What a secret or a queued request is bound to. Newly allocated; NULL for anything else
 * (NULL, not http(s), no host). */
char       *mr_url_origin        (const char   *url);

/* A copy of @s with ASCII control characters (except none) removed and surrounding white space
 * stripped; NULL stays NULL. Valid UTF-8 is kept intact; invalid UTF-8 is replaced. */
char       *mr_text_clean        (const char   *s);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-util.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

static const char b64url_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
mr_base64url_encode (const guchar *data,
                     gsize         len)
{
  GString *out = g_string_sized_new ((len + 2) / 3 * 4 + 1);
  gsize i;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  for (i = 0; i + 2 < len; i += 3)
    {
      guint32 v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];

      g_string_append_c (out, b64url_alphabet[(v >> 18) & 63]);
      g_string_append_c (out, b64url_alphabet[(v >> 12) & 63]);
      g_string_append_c (out, b64url_alphabet[(v >> 6) & 63]);
      g_string_append_c (out, b64url_alphabet[v & 63]);
    }
  if (len - i == 1)
    {
      guint32 v = data[i] << 16;

      g_string_append_c (out, b64url_alphabet[(v >> 18) & 63]);
      g_string_append_c (out, b64url_alphabet[(v >> 12) & 63]);
    }
  else if (len - i == 2)
    {
      guint32 v = (data[i] << 16) | (data[i + 1] << 8);

      g_string_append_c (out, b64url_alphabet[(v >> 18) & 63]);
      g_string_append_c (out, b64url_alphabet[(v >> 12) & 63]);
      g_string_append_c (out, b64url_alphabet[(v >> 6) & 63]);
    }
  return g_string_free (out, FALSE);
}

static int
b64url_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

/* Length of @text without its trailing '=' padding, or -1 when the padding is malformed. */
static gssize
b64url_data_length (const char *text)
{
  gsize len = strlen (text);
  gsize n_pad = 0;

  while (n_pad < len && text[len - 1 - n_pad] == '=')
    n_pad++;
  if (n_pad > 2 || (n_pad > 0 && len % 4 != 0))
    return -1;
  len -= n_pad;
  if (len % 4 == 1)
    return -1;
  return (gssize) len;
}

guchar *
mr_base64url_decode (const char *text,
                     gsize      *out_len)
{
  g_autofree guchar *out = NULL;
  gssize len;
  gsize n = 0;
  guint32 acc = 0;
  int bits = 0;

  g_return_val_if_fail (out_len != NULL, NULL);
  *out_len = 0;
  g_return_val_if_fail (text != NULL, NULL);

  len = b64url_data_length (text);
  if (len < 0)
    return NULL;

  out = g_malloc (len / 4 * 3 + 3 + 1);
  for (gssize i = 0; i < len; i++)
    {
      int v = b64url_value (text[i]);

      if (v < 0)
        return NULL;
      acc = (acc << 6) | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[n++] = (acc >> bits) & 0xff;
        }
    }
  out[n] = '\0';
  *out_len = n;
  return g_steal_pointer (&out);
}

void
mr_random_bytes (guchar *buf,
                 gsize   len)
{
  g_return_if_fail (buf != NULL || len == 0);

  /* Without a working random source no sign-in can be safe; there is nothing to fall back to. */
  if (gnutls_rnd (GNUTLS_RND_KEY, buf, len) != 0)
    g_error ("The system's random number source failed");
}

char *
mr_random_token (gsize n_bytes)
{
  g_autofree guchar *buf = g_malloc (MAX (n_bytes, 1));
  char *token;

  mr_random_bytes (buf, n_bytes);
  token = mr_base64url_encode (buf, n_bytes);
  memset (buf, 0, n_bytes);
  return token;
}

char *
mr_request_id_new (void)
{
  guint8 b[16];

  /* GNUTLS_RND_RANDOM, not _KEY: an id is public once sent, it needs only to be unpredictable. */
  if (gnutls_rnd (GNUTLS_RND_RANDOM, b, sizeof b) != 0)
    g_error ("The system's random number source failed");
  b[6] = (b[6] & 0x0f) | 0x40;  /* version 4 */
  b[8] = (b[8] & 0x3f) | 0x80;  /* variant 10xx: RFC 4122 */
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                          b[12], b[13], b[14], b[15]);
}

/* ---- Text json-glib 1.6 must not see ------------------------------------------------------- */

/* json-glib 1.6 (the Debian 12 floor) recurses once per nesting level with no limit, so a deep
 * enough answer overflows the stack; it keeps only the last of several top-level values and leaks
 * the others; it leaks on a broken UTF-16 surrogate escape, or turns a lone surrogate into
 * invalid UTF-8; and it reads octal escapes (\345) into bytes that are not UTF-8. Answers that
 * would do any of this are refused before they reach the parser. */
#define MR_JSON_MAX_DEPTH 64

/* The value of the four hex digits at @p (which has @left bytes), or -1. */
static int
json_hex4 (const char *p,
           gsize       left)
{
  int value = 0;

  if (left < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* Skips the string opening at data[*i] (" with escapes, or json-glib's ' without); FALSE when it
 * is unterminated or holds a \u escape that is not a whole character. */
static gboolean
json_skip_string (const char *data,
                  gsize       len,
                  gsize      *i)
{
  char quote = data[*i];

  for (gsize j = *i + 1; j < len; j++)
    {
      int unit;

      if (data[j] == quote)
        {
          *i = j + 1;
          return TRUE;
        }
      if (data[j] != '\\' || quote != '"')
        continue;
      /* Only JSON's escapes: json-glib 1.6 (GScanner) also reads octal ones such as \345, which
       * make a single byte that is not UTF-8. */
      if (++j >= len || data[j] == '\0' || strchr ("\"\\/bfnrtu", data[j]) == NULL)
        return FALSE;
      if (data[j] == 'u')
        {
          unit = json_hex4 (data + j + 1, len - j - 1);
          if (unit < 0 || (unit >= 0xdc00 && unit <= 0xdfff))
            return FALSE;
          j += 4;
          if (unit >= 0xd800 && unit <= 0xdbff)
            {
              int low = j + 2 < len && data[j + 1] == '\\' && data[j + 2] == 'u'
                        ? json_hex4 (data + j + 3, len - j - 3) : -1;

              if (low < 0xdc00 || low > 0xdfff)
                return FALSE;
              j += 6;
            }
        }
    }
  return FALSE;
}

/* TRUE when @data has at most one top-level value, nests at most MR_JSON_MAX_DEPTH deep, has no
 * comments and no broken \u escapes. Errs on the side of refusing: none of this is real JSON. */
gboolean
mr_json_text_is_safe (const char *data,
                      gsize       len)
{
  gboolean started = FALSE, closed = FALSE;
  guint depth = 0;
  gsize i = 0;

  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;  /* json-glib skips a byte order mark */
  while (i < len)
    {
      char c = data[i];

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          i++;
          continue;
        }
      if (closed || c == '/')
        return FALSE;
      if (c == '"' || c == '\'')
        {
          if (!json_skip_string (data, len, &i))
            return FALSE;
          started = TRUE;
          continue;
        }
      if (c == '[' || c == '{')
        {
          if ((depth == 0 && started) || ++depth > MR_JSON_MAX_DEPTH)
            return FALSE;
        }
      else if (c == ']' || c == '}')
        {
          if (depth == 0)
            return FALSE;
          closed = --depth == 0;
        }
      started = TRUE;
      i++;
    }
  return TRUE;
}

/* The sentences of mr_json_parse_object() for the peers the app knows, each whole (N_): a
 * translation must agree with the peer's noun. Other values of @what get the generic ones. */
typedef struct {
  const char *what;
  const char *empty;
  const char *unreadable;
  const char *unexpected;
} AnswerMessages;

static const AnswerMessages answer_messages[] = {
  { "the sign-in service",
    N_("The answer from the sign-in service was empty."),
    N_("The answer from the sign-in service could not be read."),
    N_("The answer from the sign-in service was not in the expected form.") },
  { "the sign-in service's key list",
    N_("The answer from the sign-in service's key list was empty."),
    N_("The answer from the sign-in service's key list could not be read."),
    N_("The answer from the sign-in service's key list was not in the expected form.") },
  { "Microsoft Graph",
    N_("The answer from Microsoft Graph was empty."),
    N_("The answer from Microsoft Graph could not be read."),
    N_("The answer from Microsoft Graph was not in the expected form.") },
  { "the clinic's workflow",
    N_("The answer from the clinic's workflow was empty."),
    N_("The answer from the clinic's workflow could not be read."),
    N_("The answer from the clinic's workflow was not in the expected form.") },
  { "the server",
    N_("The answer from the server was empty."),
    N_("The answer from the server could not be read."),
    N_("The answer from the server was not in the expected form.") },
};

/* @which is one of the AnswerMessages sentences, by offset. */
static void
set_answer_error (GError     **error,
                  GQuark       domain,
                  int          code,
                  const char  *what,
                  gsize        which)
{
  for (gsize i = 0; i < G_N_ELEMENTS (answer_messages); i++)
    if (strcmp (answer_messages[i].what, what) == 0)
      {
        const char *message = G_STRUCT_MEMBER (const char *, &answer_messages[i], which);

        g_set_error_literal (error, domain, code, _(message));
        return;
      }
  if (which == G_STRUCT_OFFSET (AnswerMessages, empty))
    /* TRANSLATORS: %s names who answered, such as “the server”. */
    g_set_error (error, domain, code, _("The answer from %s was empty."), what);
  else if (which == G_STRUCT_OFFSET (AnswerMessages, unreadable))
    g_set_error (error, domain, code, _("The answer from %s could not be read."), what);
  else
    g_set_error (error, domain, code, _("The answer from %s was not in the expected form."), what);
}

JsonObject *
mr_json_parse_object (GBytes      *body,
                      GQuark       domain,
                      int          code,
                      const char  *what,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  const char *data;
  gsize len = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (what == NULL)
    what = "the server";
  data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  if (data == NULL || len == 0)
    {
      set_answer_error (error, domain, code, what, G_STRUCT_OFFSET (AnswerMessages, empty));
      return NULL;
    }

  parser = json_parser_new ();
  if (!mr_json_text_is_safe (data, len)
      || !json_parser_load_from_data (parser, data, (gssize) len, NULL))
    {
      g_debug ("Could not parse the JSON answer from %s", what);
      set_answer_error (error, domain, code, what, G_STRUCT_OFFSET (AnswerMessages, unreadable));
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_answer_error (error, domain, code, what, G_STRUCT_OFFSET (AnswerMessages, unexpected));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

const char *
mr_json_get_string (JsonObject *object,
                    const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

char *
mr_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = NULL;

  g_return_val_if_fail (node != NULL, NULL);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, FALSE);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

gboolean
mr_json_write_line (GOutputStream  *stream,
                    JsonNode       *node,
                    GError        **error)
{
  g_autofree char *text = mr_json_to_string (node);
  g_autofree char *line = g_strconcat (text, "\n", NULL);

  return g_output_stream_write_all (stream, line, strlen (line), NULL, NULL, error) &&
         g_output_stream_flush (stream, NULL, error);
}

gboolean
mr_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;
  gsize len;

  if (host == NULL || *host == '\0')
    return FALSE;

  len = strlen (host);
  if (host[0] == '[' && len > 2 && host[len - 1] == ']')
    bare = g_strndup (host + 1, len - 2);
  else
    bare = g_strdup (host);

  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
mr_host_is_loopback_or_localhost (const char *host)
{
  return (host != NULL && g_ascii_strcasecmp (host, "localhost") == 0)
         || mr_host_is_loopback (host);
}

/* https, or http to a host @is_loopback accepts. */
static gboolean
url_is_secure_or (const char *url,
                  gboolean  (*is_loopback) (const char *host))
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (url == NULL || *url == '\0')
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  return g_ascii_strcasecmp (scheme, "http") == 0 && is_loopback (host);
}

gboolean
mr_url_is_secure_or_loopback (const char *url)
{
  return url_is_secure_or (url, mr_host_is_loopback);
}

gboolean
mr_redirect_uri_is_secure_or_loopback (const char *url)
{
  return url_is_secure_or (url, mr_host_is_loopback_or_localhost);
}

char *
mr_url_origin (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  int port;

  if (url == NULL || *url == '\0')
    return NULL;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;
  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  if (!g_str_equal (scheme, "https") && !g_str_equal (scheme, "http"))
    return NULL;
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  if (port <= 0)
    port = g_str_equal (scheme, "https") ? 443 : 80;
  /* GUri gives an IPv6 literal without its brackets. */
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("%s://[%s]:%d", scheme, host, port);
  return g_strdup_printf ("%s://%s:%d", scheme, host, port);
}

char *
mr_text_clean (const char *s)
{
  g_autofree char *valid = NULL;
  GString *out;

  if (s == NULL)
    return NULL;

  valid = g_utf8_make_valid (s, -1);
  out = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      /* Bytes >= 0x80 belong to multi-byte characters and are kept as they are. */
      if (c < 0x20 || c == 0x7f)
        continue;
      g_string_append_c (out, *p);
    }
  g_strstrip (out->str);
  out->len = strlen (out->str);
  return g_string_free (out, FALSE);
}

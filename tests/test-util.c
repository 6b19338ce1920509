/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-base.h"

#include <string.h>

#include "mr-test-server.h"

/* RFC 4648 §10 vectors; base64url differs from base64 only in '-' and '_' and the padding. */
static const struct {
  const char *plain;
  const char *encoded;
} rfc4648_vectors[] = {
  { "", "" },
  { "f", "Zg" },
  { "fo", "Zm8" },
  { "foo", "Zm9v" },
  { "foob", "Zm9vYg" },
  { "fooba", "Zm9vYmE" },
  { "foobar", "Zm9vYmFy" },
};

static void
test_base64url_vectors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rfc4648_vectors); i++)
    {
      const char *plain = rfc4648_vectors[i].plain;
      g_autofree char *encoded = mr_base64url_encode ((const guchar *) plain, strlen (plain));
      g_autofree guchar *decoded = NULL;
      gsize len = 99;

      g_assert_cmpstr (encoded, ==, rfc4648_vectors[i].encoded);
      decoded = mr_base64url_decode (rfc4648_vectors[i].encoded, &len);
      g_assert_nonnull (decoded);
      g_assert_cmpuint (len, ==, strlen (plain));
      g_assert_cmpstr ((char *) decoded, ==, plain);
    }
}

static void
test_base64url_alphabet (void)
{
  /* These bytes encode to "+++++/+/" in base64 and "-----_-_" in base64url. */
  const guchar data[] = { 0xfb, 0xef, 0xbe, 0xfb, 0xff, 0xbf };
  g_autofree char *encoded = mr_base64url_encode (data, sizeof data);
  g_autofree guchar *decoded = NULL;
  gsize len = 0;

  g_assert_cmpstr (encoded, ==, "-----_-_");
  decoded = mr_base64url_decode (encoded, &len);
  g_assert_cmpmem (decoded, len, data, sizeof data);
}

static void
test_base64url_round_trip (void)
{
  for (gsize n = 0; n < 70; n++)
    {
      g_autofree guchar *data = g_malloc (n + 1);
      g_autofree char *encoded = NULL;
      g_autofree guchar *decoded = NULL;
      gsize len = 0;

      for (gsize i = 0; i < n; i++)
        data[i] = (guchar) (i * 37 + n);
      encoded = mr_base64url_encode (data, n);
      g_assert_null (strchr (encoded, '='));
      g_assert_null (strchr (encoded, '+'));
      g_assert_null (strchr (encoded, '/'));
      decoded = mr_base64url_decode (encoded, &len);
      g_assert_nonnull (decoded);
      g_assert_cmpmem (decoded, len, data, n);
    }
}

static void
test_base64url_padding (void)
{
  g_autofree guchar *one = NULL;
  g_autofree guchar *two = NULL;
  gsize len = 0;

  one = mr_base64url_decode ("Zg==", &len);
  g_assert_cmpmem (one, len, "f", 1);
  two = mr_base64url_decode ("Zm8=", &len);
  g_assert_cmpmem (two, len, "fo", 2);
}

static void
test_base64url_invalid (void)
{
  const char *invalid[] = {
    "Zm9v+mFy", "Zm9v/mFy", "Zm 9v", "Zm9v\n", "Zm9v.", "Z", "Zm9vY", "Zg===", "Z=g=", "Zm=9",
    "Zm9vYmFy====", "é",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      gsize len = 42;
      g_autofree guchar *decoded = mr_base64url_decode (invalid[i], &len);

      g_test_message ("invalid input %s", invalid[i]);
      g_assert_null (decoded);
      g_assert_cmpuint (len, ==, 0);
    }
}

static void
test_random_tokens (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guchar a[32] = { 0 }, b[32] = { 0 };

  for (gsize n = 1; n <= 48; n++)
    {
      char *token = mr_random_token (n);

      g_assert_cmpuint (strlen (token), ==, (n * 4 + 2) / 3);
      for (const char *p = token; *p != '\0'; p++)
        g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
      if (n >= 16)
        g_assert_false (g_hash_table_contains (seen, token));
      g_hash_table_add (seen, token);
    }
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *token = mr_random_token (32);

      g_assert_cmpuint (strlen (token), ==, 43);
      g_assert_false (g_hash_table_contains (seen, token));
      g_hash_table_add (seen, g_steal_pointer (&token));
    }

  mr_random_bytes (a, sizeof a);
  mr_random_bytes (b, sizeof b);
  g_assert_true (memcmp (a, b, sizeof a) != 0);
}

static void
test_text_clean (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "Zoë Núñez-Ødegård", "Zoë Núñez-Ødegård" },
    { "  Zoë\tNúñez\r\n", "ZoëNúñez" },
    { "a\x01" "b\x1b[31mc\x7f", "ab[31mc" },
    { "日本語 テキスト", "日本語 テキスト" },
    { "", "" },
    { " \n ", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *clean = mr_text_clean (cases[i].in);

      g_assert_cmpstr (clean, ==, cases[i].out);
    }
  g_assert_null (mr_text_clean (NULL));
}

static void
test_text_clean_invalid_utf8 (void)
{
  g_autofree char *clean = mr_text_clean ("ab\xff\xfe" "cd\xc3");

  g_assert_true (g_utf8_validate (clean, -1, NULL));
  g_assert_true (g_str_has_prefix (clean, "ab"));
  g_assert_nonnull (strstr (clean, "cd"));
  g_assert_null (strchr (clean, '\xff'));
}

static void
test_loopback (void)
{
  static const struct {
    const char *host;
    gboolean    loopback;
  } cases[] = {
    { "127.0.0.1", TRUE },
    { "127.5.0.1", TRUE },
    { "127.255.255.254", TRUE },
    { "::1", TRUE },
    { "[::1]", TRUE },
    /* A name, looked up: it can point anywhere (RFC 8252 §8.3). */
    { "localhost", FALSE },
    { "LOCALHOST", FALSE },
    { "localhost.", FALSE },
    { "localhost.evil.com", FALSE },
    { "evil.localhost.com", FALSE },
    { "128.0.0.1", FALSE },
    { "10.0.0.1", FALSE },
    { "0.0.0.0", FALSE },
    { "::", FALSE },
    { "[::1", FALSE },
    { "127.0.0.1.evil.com", FALSE },
    { "example.org", FALSE },
    { "", FALSE },
    { NULL, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("host %s", cases[i].host);
      g_assert_cmpint (mr_host_is_loopback (cases[i].host), ==, cases[i].loopback);
      /* A redirect URI's rule adds the name "localhost" and nothing else. */
      if (cases[i].host == NULL || g_ascii_strcasecmp (cases[i].host, "localhost") != 0)
        g_assert_cmpint (mr_host_is_loopback_or_localhost (cases[i].host), ==,
                         cases[i].loopback);
    }
  g_assert_true (mr_host_is_loopback_or_localhost ("localhost"));
  g_assert_true (mr_host_is_loopback_or_localhost ("LocalHost"));
}

static void
test_json_parse_object (void)
{
  const char *text = "{\"a\":\"b\",\"n\":3,\"z\":null}";
  g_autoptr(GBytes) good = g_bytes_new_static (text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;

  object = mr_json_parse_object (good, G_IO_ERROR, G_IO_ERROR_FAILED, "the test", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mr_json_get_string (object, "a"), ==, "b");
  g_assert_null (mr_json_get_string (object, "n"));
  g_assert_null (mr_json_get_string (object, "z"));
  g_assert_null (mr_json_get_string (object, "missing"));
}

static void
test_json_parse_errors (void)
{
  const char *bodies[] = { "", "not json", "[1,2,3]", "\"text\"", "42", "{\"a\":", "<html></html>" };

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (bodies[i], strlen (bodies[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = NULL;

      object = mr_json_parse_object (body, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                     "the test peer", &error);
      g_assert_null (object);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "the test peer"));
    }
}

/* Found by tests/fuzz: json-glib 1.6 overflows the stack on deep nesting, keeps the last of several
 * top-level values (leaking the others), leaks on a broken surrogate escape and reads octal
 * escapes into bytes that are not UTF-8. All are refused. */
static JsonObject *
parse_text (const char  *text,
            gsize        len,
            GError     **error)
{
  g_autoptr(GBytes) body = g_bytes_new (text, len);

  return mr_json_parse_object (body, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the test peer", error);
}

static void
test_json_hostile (void)
{
  const char *refused[] = {
    "{\"a\":1}{\"id\":\"second\"}", "\"x\"{\"a\":1}", "[]{}", "{} x", "/*\"*/{}{}/*\"*/",
    "{\"a\":\"\\ud800\"}", "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\u12\"}",
    "{\"a\":\"unterminated}",
    /* Octal escapes (json-glib 1.6 makes the byte 0xe5 of this one) and other non-JSON escapes. */
    "{\"a\":\"H12\\34567\"}", "{\"a\":\"\\0\"}", "{\"a\":\"\\x41\"}", "{\"a\":\"\\q\"}",
  };
  const char *all_escapes = "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}";
  const char *bom_text = "\xef\xbb\xbf {\"a\":\"\\ud83d\\ude00\",\"b\":'x\"{'} ";
  g_autoptr(GString) deep = g_string_new ("{\"a\":");
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonObject) refused_object = parse_text (refused[i], strlen (refused[i]),
                                                         &local_error);

      g_test_message ("body %s", refused[i]);
      g_assert_null (refused_object);
      g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }

  /* 200 000 levels overflowed the stack before; 63 more levels inside the object are fine. */
  for (int i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  g_assert_null (parse_text (deep->str, deep->len, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_string_truncate (deep, 5 + 63);
  for (int i = 0; i < 63; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  object = parse_text (deep->str, deep->len, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (object, "a"));
  g_clear_pointer (&object, json_object_unref);

  /* A surrogate pair, a byte order mark and single-quoted strings still parse, and so does every
   * escape JSON has. */
  object = parse_text (all_escapes, strlen (all_escapes), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mr_json_get_string (object, "a"), ==, "\"\\/\b\f\n\r\t\xc3\xa9");
  g_clear_pointer (&object, json_object_unref);
  object = parse_text (bom_text, strlen (bom_text), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mr_json_get_string (object, "a"), ==, "\xf0\x9f\x98\x80");
  g_assert_cmpstr (mr_json_get_string (object, "b"), ==, "x\"{");
}

/* The sign-in helper's protocol: one compact object a line. */
static void
test_json_write_line (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonNode) node = json_from_string ("{ \"event\" : \"redirect\", \"uri\" : \"x\ny\" }", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (mr_json_write_line (stream, node, &error));
  g_assert_no_error (error);
  g_assert_true (mr_json_write_line (stream, node, &error));
  g_assert_true (g_output_stream_close (stream, NULL, NULL));
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)));
  /* A newline inside a string is escaped: it cannot end the line early. */
  g_assert_cmpstr (text, ==, "{\"event\":\"redirect\",\"uri\":\"x\\ny\"}\n"
                             "{\"event\":\"redirect\",\"uri\":\"x\\ny\"}\n");
}

static void
test_json_to_string (void)
{
  g_autoptr(JsonNode) node = json_from_string ("{ \"a\" : [ 1, 2 ], \"b\" : \"é\" }", NULL);
  g_autofree char *text = mr_json_to_string (node);

  g_assert_cmpstr (text, ==, "{\"a\":[1,2],\"b\":\"é\"}");
}

/* RFC 4122 §4.4: version 4 in the high nibble of byte 6, variant 10xx in byte 8. */
static void
test_request_id (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 20000; i++)
    {
      char *id = mr_request_id_new ();

      g_assert_true (g_uuid_string_is_valid (id));
      g_assert_cmpuint (strlen (id), ==, 36);
      for (const char *p = id; *p != '\0'; p++)
        g_assert_true (*p == '-' || g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f'));
      g_assert_cmpint (id[14], ==, '4');
      g_assert_nonnull (strchr ("89ab", id[19]));
      g_assert_true (g_hash_table_add (seen, id));
    }
}

static void
test_secure_or_loopback (void)
{
  g_assert_true (mr_url_is_secure_or_loopback ("https://example.org/"));
  g_assert_true (mr_url_is_secure_or_loopback ("HTTPS://example.org/"));
  g_assert_true (mr_url_is_secure_or_loopback ("http://127.0.0.1:1/x"));
  g_assert_true (mr_url_is_secure_or_loopback ("http://[::1]:80/x"));
  g_assert_false (mr_url_is_secure_or_loopback ("http://example.org/"));
  g_assert_false (mr_url_is_secure_or_loopback ("http://10.0.0.1/"));
  g_assert_false (mr_url_is_secure_or_loopback ("http://127.0.0.1.example.org/"));
  g_assert_false (mr_url_is_secure_or_loopback ("file:///etc/passwd"));
  g_assert_false (mr_url_is_secure_or_loopback ("example.org"));
  g_assert_false (mr_url_is_secure_or_loopback (""));
  g_assert_false (mr_url_is_secure_or_loopback (NULL));
  /* Plain http to a name is refused even when the name is "localhost". */
  g_assert_false (mr_url_is_secure_or_loopback ("http://localhost/x"));
  g_assert_false (mr_url_is_secure_or_loopback ("http://LOCALHOST:5678/x"));
  g_assert_false (mr_url_is_secure_or_loopback ("http://localhost./x"));
  g_assert_true (mr_url_is_secure_or_loopback ("https://localhost/x"));
}

/* A redirect URI is captured, never fetched: "localhost" by name as Entra registers it. */
static void
test_redirect_secure_or_loopback (void)
{
  g_assert_true (mr_redirect_uri_is_secure_or_loopback ("http://localhost:5000/auth/callback"));
  g_assert_true (mr_redirect_uri_is_secure_or_loopback ("http://127.0.0.1:5000/auth/callback"));
  g_assert_true (mr_redirect_uri_is_secure_or_loopback ("https://app.example.org/cb"));
  g_assert_false (mr_redirect_uri_is_secure_or_loopback ("http://localhost.example.org/cb"));
  g_assert_false (mr_redirect_uri_is_secure_or_loopback ("http://app.example.org/cb"));
  g_assert_false (mr_redirect_uri_is_secure_or_loopback ("msal877afb01://auth"));
  g_assert_false (mr_redirect_uri_is_secure_or_loopback (NULL));
}

/* Two addresses share a secret or a queued request only when scheme, host and port agree. */
static void
test_url_origin (void)
{
  static const struct { const char *url; const char *origin; } cases[] = {
    { "https://n8n.clinic.example/webhook/refill", "https://n8n.clinic.example:443" },
    { "HTTPS://N8N.Clinic.Example:443/x?y#z", "https://n8n.clinic.example:443" },
    { "https://n8n.clinic.example:8443/webhook", "https://n8n.clinic.example:8443" },
    { "http://127.0.0.1:5678/webhook/refill", "http://127.0.0.1:5678" },
    { "http://127.0.0.1/webhook", "http://127.0.0.1:80" },
    { "http://[::1]:8080/w", "http://[::1]:8080" },
    { "https://user:pw@n8n.clinic.example/w", "https://n8n.clinic.example:443" },
    { "ftp://n8n.clinic.example/w", NULL },
    { "not a url", NULL },
    { "", NULL },
    { NULL, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *origin = mr_url_origin (cases[i].url);

      g_assert_cmpstr (origin, ==, cases[i].origin);
    }
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/util/base64url/vectors", test_base64url_vectors);
  g_test_add_func ("/util/base64url/alphabet", test_base64url_alphabet);
  g_test_add_func ("/util/base64url/round-trip", test_base64url_round_trip);
  g_test_add_func ("/util/base64url/padding", test_base64url_padding);
  g_test_add_func ("/util/base64url/invalid", test_base64url_invalid);
  g_test_add_func ("/util/random/tokens", test_random_tokens);
  g_test_add_func ("/util/random/request-id", test_request_id);
  g_test_add_func ("/util/text/clean", test_text_clean);
  g_test_add_func ("/util/text/invalid-utf8", test_text_clean_invalid_utf8);
  g_test_add_func ("/util/host/loopback", test_loopback);
  g_test_add_func ("/util/json/object", test_json_parse_object);
  g_test_add_func ("/util/json/errors", test_json_parse_errors);
  g_test_add_func ("/util/json/hostile", test_json_hostile);
  g_test_add_func ("/util/json/to-string", test_json_to_string);
  g_test_add_func ("/util/json/write-line", test_json_write_line);
  g_test_add_func ("/util/url/secure-or-loopback", test_secure_or_loopback);
  g_test_add_func ("/util/url/origin", test_url_origin);
  g_test_add_func ("/util/url/redirect-secure-or-loopback", test_redirect_secure_or_loopback);

  return g_test_run ();
}

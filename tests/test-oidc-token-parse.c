/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr-oidc-token.c without a provider: token endpoint answers and ID-token claims (the attack
 * matrix through the client is test-oidc-token.c). */
#include "mr-identity.h"

#include <string.h>

#include "mr-base.h"
#include "mr-test-oidc.h"

#define CLIENT_ID    MR_TEST_OIDC_CLIENT_ID
#define TENANT_ID    MR_TEST_OIDC_TENANT_ID
#define REDIRECT_URI MR_TEST_OIDC_REDIRECT_URI

static GBytes *
bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* ---- Token response ------------------------------------------------------------------------- */

#define TOKEN_OK \
  "{\"token_type\":\"Bearer\",\"scope\":\"openid profile User.Read\",\"expires_in\":3599," \
  "\"ext_expires_in\":3599,\"access_token\":\"AT\",\"refresh_token\":\"RT\",\"id_token\":\"IDT\"}"

static void
test_token_response (void)
{
  g_autoptr(GBytes) body = bytes (TOKEN_OK);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (200, body, NULL, TRUE,
                                                                    &error);

  g_assert_no_error (error);
  g_assert_cmpstr (tokens->access_token, ==, "AT");
  g_assert_cmpstr (tokens->id_token, ==, "IDT");
  g_assert_cmpstr (tokens->refresh_token, ==, "RT");
  g_assert_cmpstr (tokens->token_type, ==, "Bearer");
  g_assert_cmpstr (tokens->scope, ==, "openid profile User.Read");
  g_assert_cmpint (tokens->expires_in, ==, 3599);
  g_assert_null (tokens->claims);
}

static void
test_token_response_variants (void)
{
  static const struct {
    const char *body;
    gint64      expires_in;
    gboolean    has_refresh;
  } cases[] = {
    { "{\"token_type\":\"bearer\",\"expires_in\":\"3600\",\"access_token\":\"A\",\"id_token\":\"I\"}",
      3600, FALSE },
    { "{\"token_type\":\"BEARER\",\"expires_in\":60,\"access_token\":\"A\",\"id_token\":\"I\","
      "\"refresh_token\":\"R\"}", 60, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = bytes (cases[i].body);
      g_autoptr(GError) error = NULL;
      g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (200, body, NULL, TRUE,
                                                                    &error);

      g_assert_no_error (error);
      g_assert_cmpint (tokens->expires_in, ==, cases[i].expires_in);
      g_assert_cmpint (tokens->refresh_token != NULL, ==, cases[i].has_refresh);
    }
}

static void
test_token_response_errors (void)
{
  static const struct {
    guint       status;
    const char *body;
    int         error_code;
  } cases[] = {
    { 400, MR_TEST_OIDC_TOKEN_70008, MR_OIDC_ERROR_EXPIRED },
    { 401, "{\"error\":\"invalid_client\"}", MR_OIDC_ERROR_PROVIDER },
    { 400, "Bad Request", MR_OIDC_ERROR_BAD_RESPONSE },
    { 500, "<html><body>Internal error</body></html>", MR_OIDC_ERROR_BAD_RESPONSE },
    { 502, "", MR_OIDC_ERROR_BAD_RESPONSE },
    { 400, "{\"message\":\"no\"}", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "<html><body>Sign in</body></html>", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"access_token\":", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "[\"access_token\"]", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"token_type\":\"Bearer\",\"expires_in\":1,\"access_token\":\"A\"}",
      MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"token_type\":\"Bearer\",\"expires_in\":1,\"id_token\":\"I\"}",
      MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"token_type\":\"MAC\",\"expires_in\":1,\"access_token\":\"A\",\"id_token\":\"I\"}",
      MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"expires_in\":1,\"access_token\":\"A\",\"id_token\":\"I\"}",
      MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"token_type\":\"Bearer\",\"expires_in\":\"soon\",\"access_token\":\"A\","
      "\"id_token\":\"I\"}", MR_OIDC_ERROR_BAD_RESPONSE },
    { 200, "{\"token_type\":\"Bearer\",\"expires_in\":1,\"access_token\":7,\"id_token\":\"I\"}",
      MR_OIDC_ERROR_BAD_RESPONSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = bytes (cases[i].body);
      g_autoptr(GError) error = NULL;
      g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (cases[i].status, body,
                                                                        NULL, TRUE, &error);

      g_test_message ("token case %" G_GSIZE_FORMAT, i);
      g_assert_null (tokens);
      g_assert_error (error, MR_OIDC_ERROR, cases[i].error_code);
    }
}

static void
test_token_error_message (void)
{
  g_autoptr(GBytes) body = bytes (MR_TEST_OIDC_TOKEN_70008);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTokenSet) tokens = mr_oidc_parse_token_response_full (400, body, NULL, TRUE,
                                                                    &error);

  /* The number decides the sentence (mr-aadsts.c); the provider's words are not repeated. */
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED);
  g_assert_cmpstr (error->message, ==,
                   "Your sign-in has expired because it was not used for a while. "
                   "Please sign in again.");
}

/* ---- ID token claims ------------------------------------------------------------------------ */

#define NOW    1739607600
#define ISSUER "https://login.example.org/" TENANT_ID "/v2.0"
#define NONCE  "n0nce-of-this-sign-in"

typedef struct {
  const char *category;   /* NULL: the claims pass */
  const char *member1;
  const char *value1;     /* JSON; NULL removes the member */
  const char *member2;
  const char *value2;
} ClaimsCase;

static JsonObject *
claims_for (const ClaimsCase *c)
{
  g_autofree char *text = g_strdup_printf (
    "{\"aud\":\"%s\",\"iss\":\"%s\",\"iat\":%d,\"nbf\":%d,\"exp\":%d,\"nonce\":\"%s\","
    "\"tid\":\"%s\",\"oid\":\"11112222-bbbb\",\"name\":\"Zoë Núñez-Ødegård\",\"ver\":\"2.0\"}",
    CLIENT_ID, ISSUER, NOW - 10, NOW - 10, NOW + 3600, NONCE, TENANT_ID);
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  JsonObject *claims = json_node_get_object (node);
  const char *members[] = { c->member1, c->member2 };
  const char *values[] = { c->value1, c->value2 };

  for (int i = 0; i < 2; i++)
    {
      if (members[i] == NULL)
        continue;
      json_object_remove_member (claims, members[i]);
      if (values[i] != NULL)
        json_object_set_member (claims, members[i], json_from_string (values[i], NULL));
    }
  return json_object_ref (claims);
}

static void
test_claims (void)
{
  static const ClaimsCase cases[] = {
    { NULL },
    { NULL, "aud", "[\"" CLIENT_ID "\"]" },
    { NULL, "aud", "[\"other\",\"" CLIENT_ID "\"]", "azp", "\"" CLIENT_ID "\"" },
    { NULL, "exp", "1739607400" },           /* expired 200 s ago: within the skew */
    { NULL, "iat", "1739607800" },           /* 200 s ahead: within the skew */
    { NULL, "nbf", NULL },
    { NULL, "exp", "1739611200.5" },         /* a NumericDate may have a fraction */
    { NULL, "tid", "\"9A674BB7-0000-0000-0000-000000000000\"" },
    { "iss", "iss", "\"https://login.example.org/other/v2.0\"" },
    { "iss", "iss", "\"" ISSUER "/\"" },
    { "iss", "iss", NULL },
    { "aud", "aud", "\"other-app\"" },
    { "aud", "aud", "[\"other\",\"" CLIENT_ID "\"]" },
    { "aud", "aud", "[\"other\",\"" CLIENT_ID "\"]", "azp", "\"other\"" },
    { "aud", "aud", "[]" },
    { "aud", "aud", NULL },
    { "exp", "exp", "1739607200" },
    { "exp-missing", "exp", NULL },
    { "exp-missing", "exp", "\"tomorrow\"" },
    /* Found by tests/fuzz: casting 1e300 to gint64 was undefined behaviour (read as "expired"). */
    { "exp-missing", "exp", "1e300" },
    { "iat-missing", "iat", "-1e300" },
    { "nbf", "nbf", "1739608000" },
    { "iat", "iat", "1739608000" },
    { "iat-missing", "iat", NULL },
    { "nonce", "nonce", "\"other-nonce\"" },
    { "nonce", "nonce", NULL },
    { "tid", "tid", "\"00000000-0000-0000-0000-000000000000\"" },
    { "tid", "tid", NULL },
  };
  MrIdTokenExpect expect = {
    .issuer = ISSUER, .client_id = CLIENT_ID, .nonce = NONCE, .tenant_id = TENANT_ID,
    .now = NOW, .skew = 300,
  };
  g_autoptr(GHashTable) messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) distinct = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) claims = claims_for (&cases[i]);
      g_autoptr(GError) error = NULL;
      gboolean ok = mr_id_token_check_claims (claims, &expect, &error);

      g_test_message ("claims case %" G_GSIZE_FORMAT " (%s)", i, cases[i].category);
      if (cases[i].category == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          continue;
        }
      g_assert_false (ok);
      g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
      g_assert_null (strstr (error->message, NONCE));
      g_assert_null (strstr (error->message, CLIENT_ID));
      g_hash_table_replace (messages, g_strdup (cases[i].category), g_strdup (error->message));
    }
  /* Every check explains itself differently. */
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, messages);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_hash_table_add (distinct, value);
  g_assert_cmpuint (g_hash_table_size (messages), ==, 9);
  g_assert_cmpuint (g_hash_table_size (distinct), ==, 9);
}

static void
test_claims_optional_checks (void)
{
  static const ClaimsCase other_tid = { NULL, "tid", "\"someone-else\"", "nonce", NULL };
  g_autoptr(JsonObject) claims = claims_for (&other_tid);
  MrIdTokenExpect expect = {
    .issuer = ISSUER, .client_id = CLIENT_ID, .nonce = NULL, .tenant_id = "",
    .now = NOW, .skew = 300,
  };
  g_autoptr(GError) error = NULL;

  /* No tenant configured and no nonce expected (a refreshed token): both checks are skipped. */
  g_assert_true (mr_id_token_check_claims (claims, &expect, &error));
  g_assert_no_error (error);
  expect.tenant_id = NULL;
  g_assert_true (mr_id_token_check_claims (claims, &expect, &error));
  expect.nonce = NONCE;
  g_assert_false (mr_id_token_check_claims (claims, &expect, &error));
  g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/oidc/token/good", test_token_response);
  g_test_add_func ("/oidc/token/variants", test_token_response_variants);
  g_test_add_func ("/oidc/token/errors", test_token_response_errors);
  g_test_add_func ("/oidc/token/error-message", test_token_error_message);
  g_test_add_func ("/oidc/claims/table", test_claims);
  g_test_add_func ("/oidc/claims/optional", test_claims_optional_checks);

  return g_test_run ();
}

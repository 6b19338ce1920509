/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ID-token attack matrix: one table, each row a named token the provider hands out, run
 * through the real client (prefetch, code exchange, signature with one key-set refetch, claims)
 * against a provider on 127.0.0.1. */
#include "mr-identity.h"

#include <string.h>

#include "mr-test-jwt.h"
#include "mr-test-server.h"
#include "mr-base.h"

#define CLIENT_ID    "877afb01-0000-0000-0000-000000000000"
#define TENANT_ID    "9a674bb7-0000-0000-0000-000000000000"
#define REDIRECT_URI "http://localhost:5000/auth/callback"
#define RS256_K1     "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"

typedef enum {
  SIGN_RS256_KEY0,       /* the provider's real key, k1 */
  SIGN_RS256_KEY1,       /* another key (k2 after rotation, or an attacker's) */
  SIGN_RS512_KEY0,
  SIGN_PS256_KEY0,
  SIGN_NONE,             /* empty signature segment */
  SIGN_HS256_PUBLIC_KEY, /* HMAC keyed with the published modulus (key confusion) */
} Signing;

typedef enum {
  MANGLE_NONE,
  MANGLE_STRIP_SIGNATURE,
  MANGLE_FLIP_SIGNATURE,
  MANGLE_OTHER_PAYLOAD,  /* another payload under the original signature */
  MANGLE_TWO_SEGMENTS,
  MANGLE_FOUR_SEGMENTS,
  MANGLE_NOT_BASE64,
  MANGLE_HEADER_NOT_JSON,
  MANGLE_PAYLOAD_ARRAY,
  MANGLE_OVERSIZE,       /* a valid signature over a payload that makes the token > 16 KiB */
} Mangle;

typedef enum {
  KEYS_K1,               /* k1 = key 0, alg RS256, use sig */
  KEYS_K1_K2,            /* k1 and the rotated-in k2 = key 1 */
  KEYS_K1_K3,            /* two keys, for a token without kid */
  KEYS_K1_WRONG,         /* k1 published with key 1's modulus */
  KEYS_K1_ENC,           /* k1 for encryption only */
  KEYS_K1_NO_ALG,        /* k1 without alg or use */
} KeySet;

typedef struct {
  const char *name;
  const char *header;    /* NULL: RS256_K1 */
  const char *member;    /* a claim to change, or NULL */
  const char *value;     /* its JSON value; NULL removes it */
  Signing     signing;
  Mangle      mangle;
  KeySet      first_keys;
  KeySet      later_keys;
  gboolean    accepted;
  int         key_fetches;
} AttackCase;

static const AttackCase cases[] = {
  /* Controls: what must pass. */
  { "good", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1, TRUE, 1 },
  { "key-without-alg", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1_NO_ALG,
    KEYS_K1_NO_ALG, TRUE, 1 },
  { "no-kid-one-key", "{\"alg\":\"RS256\"}", NULL, NULL, SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1,
    KEYS_K1, TRUE, 1 },
  { "unknown-kid-then-rotated", "{\"alg\":\"RS256\",\"kid\":\"k2\"}", NULL, NULL,
    SIGN_RS256_KEY1, MANGLE_NONE, KEYS_K1, KEYS_K1_K2, TRUE, 2 },

  /* Algorithms. */
  { "alg-none", "{\"alg\":\"none\",\"kid\":\"k1\"}", NULL, NULL, SIGN_NONE, MANGLE_NONE, KEYS_K1,
    KEYS_K1, FALSE, 1 },
  { "alg-none-with-signature", "{\"alg\":\"none\",\"kid\":\"k1\"}", NULL, NULL, SIGN_RS256_KEY0,
    MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "alg-missing", "{\"kid\":\"k1\"}", NULL, NULL, SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1,
    FALSE, 1 },
  { "hs256-with-public-key", "{\"alg\":\"HS256\",\"kid\":\"k1\"}", NULL, NULL,
    SIGN_HS256_PUBLIC_KEY, MANGLE_NONE, KEYS_K1_NO_ALG, KEYS_K1_NO_ALG, FALSE, 1 },
  { "rs512-key-declares-rs256", "{\"alg\":\"RS512\",\"kid\":\"k1\"}", NULL, NULL,
    SIGN_RS512_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "ps256-key-declares-rs256", "{\"alg\":\"PS256\",\"kid\":\"k1\"}", NULL, NULL,
    SIGN_PS256_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "key-for-encryption", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1_ENC,
    KEYS_K1_ENC, FALSE, 1 },
  { "crit-header", "{\"alg\":\"RS256\",\"kid\":\"k1\",\"crit\":[\"exp\"]}", NULL, NULL,
    SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },

  /* Signatures and keys. */
  { "stripped-signature", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_STRIP_SIGNATURE, KEYS_K1,
    KEYS_K1, FALSE, 1 },
  { "corrupted-signature", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_FLIP_SIGNATURE, KEYS_K1,
    KEYS_K1, FALSE, 1 },
  { "corrupted-payload", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_OTHER_PAYLOAD, KEYS_K1,
    KEYS_K1, FALSE, 1 },
  { "wrong-key-same-kid", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1_WRONG,
    KEYS_K1_WRONG, FALSE, 1 },
  { "attacker-key-own-kid", "{\"alg\":\"RS256\",\"kid\":\"k1\"}", NULL, NULL, SIGN_RS256_KEY1,
    MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "unknown-kid-never-found", "{\"alg\":\"RS256\",\"kid\":\"k9\"}", NULL, NULL, SIGN_RS256_KEY1,
    MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 2 },
  { "no-kid-several-keys", "{\"alg\":\"RS256\"}", NULL, NULL, SIGN_RS256_KEY0, MANGLE_NONE,
    KEYS_K1_K3, KEYS_K1_K3, FALSE, 2 },

  /* Claims. */
  { "wrong-iss", NULL, "iss", "\"https://evil.example.org/" TENANT_ID "/v2.0\"", SIGN_RS256_KEY0,
    MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "iss-missing", NULL, "iss", NULL, SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "wrong-aud", NULL, "aud", "\"00000000-1111-2222-3333-444444444444\"", SIGN_RS256_KEY0,
    MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "aud-array-without-azp", NULL, "aud", "[\"" CLIENT_ID "\",\"other\"]", SIGN_RS256_KEY0,
    MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "wrong-tid", NULL, "tid", "\"00000000-0000-0000-0000-000000000000\"", SIGN_RS256_KEY0,
    MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "wrong-nonce", NULL, "nonce", "\"a-nonce-of-another-sign-in\"", SIGN_RS256_KEY0, MANGLE_NONE,
    KEYS_K1, KEYS_K1, FALSE, 1 },
  { "nonce-missing", NULL, "nonce", NULL, SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE,
    1 },
  { "expired", NULL, "exp", "1000000000", SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE,
    1 },
  { "exp-missing", NULL, "exp", NULL, SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "exp-not-a-number", NULL, "exp", "\"4102444800\"", SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1,
    KEYS_K1, FALSE, 1 },
  { "nbf-in-future", NULL, "nbf", "4102444800", SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1,
    FALSE, 1 },
  { "iat-in-future", NULL, "iat", "4102444800", SIGN_RS256_KEY0, MANGLE_NONE, KEYS_K1, KEYS_K1,
    FALSE, 1 },

  /* Shape. */
  { "oversized", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_OVERSIZE, KEYS_K1, KEYS_K1, FALSE, 1 },
  { "two-segments", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_TWO_SEGMENTS, KEYS_K1, KEYS_K1,
    FALSE, 1 },
  { "four-segments", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_FOUR_SEGMENTS, KEYS_K1, KEYS_K1,
    FALSE, 1 },
  { "not-base64", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_NOT_BASE64, KEYS_K1, KEYS_K1, FALSE,
    1 },
  { "header-not-json", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_HEADER_NOT_JSON, KEYS_K1,
    KEYS_K1, FALSE, 1 },
  { "payload-array", NULL, NULL, NULL, SIGN_RS256_KEY0, MANGLE_PAYLOAD_ARRAY, KEYS_K1, KEYS_K1,
    FALSE, 1 },
};

/* ---- The provider ------------------------------------------------------------------------- */

typedef struct {
  GMutex      lock;
  char       *url;
  char       *id_token;
  KeySet      first_keys;
  KeySet      later_keys;
  int         key_fetches;
} Provider;

static char *
key_set_json (KeySet keys)
{
  g_autofree char *k1 = mr_test_key_jwk (mr_test_key_get (0), "k1", "RS256", "sig");
  g_autofree char *k2 = mr_test_key_jwk (mr_test_key_get (1), "k2", "RS256", "sig");
  g_autofree char *k3 = mr_test_key_jwk (mr_test_key_get (2), "k3", "RS256", "sig");
  g_autofree char *wrong = mr_test_key_jwk (mr_test_key_get (1), "k1", "RS256", "sig");
  g_autofree char *enc = mr_test_key_jwk (mr_test_key_get (0), "k1", "RS256", "enc");
  g_autofree char *bare = mr_test_key_jwk (mr_test_key_get (0), "k1", NULL, NULL);

  switch (keys)
    {
    case KEYS_K1:
      return g_strdup_printf ("{\"keys\":[%s]}", k1);
    case KEYS_K1_K2:
      return g_strdup_printf ("{\"keys\":[%s,%s]}", k1, k2);
    case KEYS_K1_K3:
      return g_strdup_printf ("{\"keys\":[%s,%s]}", k1, k3);
    case KEYS_K1_WRONG:
      return g_strdup_printf ("{\"keys\":[%s]}", wrong);
    case KEYS_K1_ENC:
      return g_strdup_printf ("{\"keys\":[%s]}", enc);
    case KEYS_K1_NO_ALG:
      return g_strdup_printf ("{\"keys\":[%s]}", bare);
    default:
      g_assert_not_reached ();
    }
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body,
                                    strlen (body));
}

static void
provider_handler (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  Provider *self = user_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autofree char *body = NULL;

  if (g_str_equal (path, "/tenant/v2.0/.well-known/openid-configuration"))
    body = g_strdup_printf ("{\"issuer\":\"%s/tenant/v2.0\","
                            "\"authorization_endpoint\":\"%s/tenant/authorize\","
                            "\"token_endpoint\":\"%s/tenant/token\","
                            "\"jwks_uri\":\"%s/tenant/keys\"}",
                            self->url, self->url, self->url, self->url);
  else if (g_str_equal (path, "/tenant/keys"))
    body = key_set_json (self->key_fetches++ == 0 ? self->first_keys : self->later_keys);
  else if (g_str_equal (path, "/tenant/token"))
    body = g_strdup_printf ("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
                            "\"access_token\":\"ACCESS-TOKEN\",\"id_token\":\"%s\"}",
                            self->id_token);
  if (body != NULL)
    respond (msg, SOUP_STATUS_OK, body);
  else
    respond (msg, SOUP_STATUS_NOT_FOUND, "{}");
}

/* ---- Making the row's token --------------------------------------------------------------- */

static char *
payload_for (const AttackCase *c,
             const char       *issuer,
             const char       *nonce)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *text = g_strdup_printf (
    "{\"aud\":\"%s\",\"iss\":\"%s\",\"iat\":%" G_GINT64_FORMAT ",\"nbf\":%" G_GINT64_FORMAT
    ",\"exp\":%" G_GINT64_FORMAT ",\"nonce\":\"%s\",\"tid\":\"%s\",\"oid\":\"11112222-bbbb\","
    "\"name\":\"Zoë Núñez-Ødegård\",\"ver\":\"2.0\"}",
    CLIENT_ID, issuer, now, now, now + 3600, nonce, TENANT_ID);
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  JsonObject *claims = json_node_get_object (node);

  if (c->member != NULL)
    {
      json_object_remove_member (claims, c->member);
      if (c->value != NULL)
        json_object_set_member (claims, c->member, json_from_string (c->value, NULL));
    }
  if (c->mangle == MANGLE_OVERSIZE)
    {
      g_autofree char *pad = g_strnfill (13 * 1024, 'x');

      json_object_set_string_member (claims, "pad", pad);
    }
  return json_to_string (node, FALSE);
}

static char *
sign (const AttackCase *c,
      const char       *payload)
{
  const char *header = c->header != NULL ? c->header : RS256_K1;

  switch (c->signing)
    {
    case SIGN_RS256_KEY0:
      return mr_test_jwt_sign (mr_test_key_get (0), GNUTLS_SIGN_RSA_SHA256, header, payload);
    case SIGN_RS256_KEY1:
      return mr_test_jwt_sign (mr_test_key_get (1), GNUTLS_SIGN_RSA_SHA256, header, payload);
    case SIGN_RS512_KEY0:
      return mr_test_jwt_sign (mr_test_key_get (0), GNUTLS_SIGN_RSA_SHA512, header, payload);
    case SIGN_PS256_KEY0:
      return mr_test_jwt_sign (mr_test_key_get (0), GNUTLS_SIGN_RSA_PSS_SHA256, header, payload);
    case SIGN_NONE:
      return mr_test_jwt_sign (NULL, GNUTLS_SIGN_UNKNOWN, header, payload);
    case SIGN_HS256_PUBLIC_KEY:
      return mr_test_jwt_sign_hs256 (mr_test_key_get (0)->n, header, payload);
    default:
      g_assert_not_reached ();
    }
}

static char *
with_segment (const char *token,
              guint       index,
              const char *segment)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", -1);

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  g_free (parts[index]);
  parts[index] = g_strdup (segment);
  return g_strjoinv (".", parts);
}

static char *
mangle (const AttackCase *c,
        const char       *token)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", -1);
  g_autofree char *other = mr_test_b64 ("{\"aud\":\"" CLIENT_ID "\",\"name\":\"Mallory\"}");
  g_autofree char *not_json = mr_test_b64 ("{\"alg\":\"RS256\",");
  g_autofree char *array = mr_test_b64 ("[\"sub\",\"abc\"]");
  char *flipped;

  switch (c->mangle)
    {
    case MANGLE_NONE:
    case MANGLE_OVERSIZE:
      return g_strdup (token);
    case MANGLE_STRIP_SIGNATURE:
      return with_segment (token, 2, "");
    case MANGLE_FLIP_SIGNATURE:
      flipped = g_strdup (token);
      /* One character in the middle of the signature: its bits change, its length does not. */
      flipped[strlen (flipped) - 40] = flipped[strlen (flipped) - 40] == 'A' ? 'B' : 'A';
      return flipped;
    case MANGLE_OTHER_PAYLOAD:
      return with_segment (token, 1, other);
    case MANGLE_TWO_SEGMENTS:
      return g_strconcat (parts[0], ".", parts[1], NULL);
    case MANGLE_FOUR_SEGMENTS:
      return g_strconcat (token, ".", parts[2], NULL);
    case MANGLE_NOT_BASE64:
      return g_strconcat (parts[0], ".", parts[1], "*.", parts[2], NULL);
    case MANGLE_HEADER_NOT_JSON:
      return with_segment (token, 0, not_json);
    case MANGLE_PAYLOAD_ARRAY:
      return with_segment (token, 1, array);
    default:
      g_assert_not_reached ();
    }
}

/* ---- Running one row ---------------------------------------------------------------------- */

static MrConfig *
config_for (const char *url)
{
  MrConfig *config = mr_config_new ();

  g_free (config->authority);
  config->authority = g_strconcat (url, "/tenant", NULL);
  g_free (config->client_id);
  config->client_id = g_strdup (CLIENT_ID);
  g_free (config->tenant_id);
  config->tenant_id = g_strdup (TENANT_ID);
  g_free (config->redirect_uri);
  config->redirect_uri = g_strdup (REDIRECT_URI);
  return config;
}

/* Runs the row through prefetch and exchange; returns the error (NULL when accepted). */
static GError *
run_case (const AttackCase *c,
          int              *key_fetches)
{
  Provider provider = { .first_keys = c->first_keys, .later_keys = c->later_keys };
  g_autoptr(MrAuthRequest) request = mr_auth_request_new ();
  g_autoptr(MrTestServer) server = NULL;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(MrConfig) config = NULL;
  g_autoptr(MrOidcClient) client = NULL;
  g_autoptr(GAsyncResult) prefetched = NULL;
  g_autoptr(GAsyncResult) exchanged = NULL;
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *signed_token = NULL;
  GError *error = NULL;

  g_mutex_init (&provider.lock);
  server = mr_test_server_new (provider_handler, &provider);
  issuer = g_strconcat (mr_test_server_get_url (server), "/tenant/v2.0", NULL);
  payload = payload_for (c, issuer, request->nonce);
  signed_token = sign (c, payload);
  g_mutex_lock (&provider.lock);
  provider.url = g_strdup (mr_test_server_get_url (server));
  provider.id_token = mangle (c, signed_token);
  g_mutex_unlock (&provider.lock);
  if (c->mangle == MANGLE_OVERSIZE)
    g_assert_cmpuint (strlen (provider.id_token), >, 16 * 1024);

  config = config_for (provider.url);
  client = mr_oidc_client_new (session, config);
  mr_oidc_client_prefetch_async (client, NULL, mr_test_store_result_cb, &prefetched);
  mr_test_wait_for_result (&prefetched, 10000);
  g_assert_true (mr_oidc_client_prefetch_finish (client, prefetched, NULL));
  mr_oidc_client_exchange_code_async (client, request, "C0DE", NULL, mr_test_store_result_cb, &exchanged);
  mr_test_wait_for_result (&exchanged, 10000);
  tokens = mr_oidc_client_exchange_code_finish (client, exchanged, &error);
  g_assert_true ((tokens == NULL) == (error != NULL));
  if (tokens != NULL)
    g_assert_cmpstr (mr_json_get_string (tokens->claims, "name"), ==, "Zoë Núñez-Ødegård");

  g_clear_pointer (&server, mr_test_server_free);
  *key_fetches = provider.key_fetches;
  g_free (provider.url);
  g_free (provider.id_token);
  g_mutex_clear (&provider.lock);
  return error;
}

static void
test_attack_matrix (void)
{
  guint rejected = 0;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const AttackCase *c = &cases[i];
      g_autoptr(GError) error = NULL;
      int key_fetches = 0;

      g_test_message ("case %s", c->name);
      g_assert_true (g_hash_table_add (names, (gpointer) c->name));
      error = run_case (c, &key_fetches);
      if (c->accepted)
        g_assert_no_error (error);
      else
        {
          g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN);
          g_assert_null (strstr (error->message, "ACCESS-TOKEN"));
          g_assert_null (strstr (error->message, "C0DE"));
          g_assert_null (strstr (error->message, CLIENT_ID));
          rejected++;
        }
      /* An unknown kid costs exactly one more key-set request; nothing else refetches. */
      g_assert_cmpint (key_fetches, ==, c->key_fetches);
    }
  g_test_message ("ID-token rejection cases: %u (of %" G_GSIZE_FORMAT " rows)", rejected,
                  G_N_ELEMENTS (cases));
  g_assert_cmpuint (rejected, ==, 33);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/idtoken/attack-matrix", test_attack_matrix);

  return g_test_run ();
}

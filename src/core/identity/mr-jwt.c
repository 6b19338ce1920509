/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-jwt.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "mr-util.h"

#define MR_JWT_MAX_SIZE (16 * 1024)
/* NIST SP 800-131A: RSA below 2048 bits is not to be trusted for signatures. Entra's keys have
 * 2048 bits. */
#define MR_JWK_MIN_RSA_BITS 2048

typedef struct {
  char            *kid;
  char            *alg;   /* NULL when the key does not declare one */
  char            *use;   /* NULL when the key does not declare one */
  gnutls_pubkey_t  pubkey;
} MrJwk;

struct _MrJwks {
  gatomicrefcount  ref_count;
  GPtrArray       *keys;  /* of MrJwk */
};

G_DEFINE_QUARK (mr-jwt-error-quark, mr_jwt_error)

static void
mr_jwk_free (MrJwk *key)
{
  g_free (key->kid);
  g_free (key->alg);
  g_free (key->use);
  if (key->pubkey != NULL)
    gnutls_pubkey_deinit (key->pubkey);
  g_free (key);
}

void
mr_jwt_free (MrJwt *jwt)
{
  if (jwt == NULL)
    return;
  g_clear_pointer (&jwt->header, json_object_unref);
  g_clear_pointer (&jwt->payload, json_object_unref);
  g_clear_pointer (&jwt->signing_input, g_bytes_unref);
  g_clear_pointer (&jwt->signature, g_bytes_unref);
  g_free (jwt);
}

static gboolean
malformed (GError **error)
{
  g_set_error_literal (error, MR_JWT_ERROR, MR_JWT_ERROR_MALFORMED,
                       _("The sign-in service sent an identity token the app cannot read."));
  return FALSE;
}

/* Decodes one base64url segment holding a JSON object. */
static JsonObject *
decode_json_segment (const char  *segment,
                     GError     **error)
{
  g_autofree guchar *data = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;

  if (*segment == '\0' || (data = mr_base64url_decode (segment, &len)) == NULL)
    {
      malformed (error);
      return NULL;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  return mr_json_parse_object (bytes, MR_JWT_ERROR, MR_JWT_ERROR_MALFORMED,
                               "the sign-in service", error);
}

MrJwt *
mr_jwt_parse (const char  *compact,
              GError     **error)
{
  g_autoptr(MrJwt) jwt = NULL;
  g_auto(GStrv) parts = NULL;
  guchar *signature;
  gsize sig_len = 0;
  const char *last_dot;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (compact == NULL || strnlen (compact, MR_JWT_MAX_SIZE + 1) > MR_JWT_MAX_SIZE)
    return malformed (error), NULL;
  parts = g_strsplit (compact, ".", -1);
  if (g_strv_length (parts) != 3)
    return malformed (error), NULL;

  jwt = g_new0 (MrJwt, 1);
  if ((jwt->header = decode_json_segment (parts[0], error)) == NULL)
    return NULL;
  if ((jwt->payload = decode_json_segment (parts[1], error)) == NULL)
    return NULL;
  /* An empty signature decodes to zero bytes; mr_jwt_verify() refuses it. */
  if ((signature = mr_base64url_decode (parts[2], &sig_len)) == NULL)
    return malformed (error), NULL;
  jwt->signature = g_bytes_new_take (signature, sig_len);

  last_dot = strrchr (compact, '.');
  jwt->signing_input = g_bytes_new (compact, last_dot - compact);
  return g_steal_pointer (&jwt);
}

static gnutls_pubkey_t
import_rsa_key (const char *n_text,
                const char *e_text)
{
  g_autofree guchar *n = NULL;
  g_autofree guchar *e = NULL;
  gsize n_len = 0, e_len = 0;
  gnutls_datum_t m_datum, e_datum;
  gnutls_pubkey_t pubkey = NULL;
  unsigned int bits = 0;

  n = mr_base64url_decode (n_text, &n_len);
  e = mr_base64url_decode (e_text, &e_len);
  if (n == NULL || e == NULL || n_len == 0 || e_len == 0)
    return NULL;

  m_datum.data = n;
  m_datum.size = n_len;
  e_datum.data = e;
  e_datum.size = e_len;
  if (gnutls_pubkey_init (&pubkey) < 0)
    return NULL;
  if (gnutls_pubkey_import_rsa_raw (pubkey, &m_datum, &e_datum) < 0
      || gnutls_pubkey_get_pk_algorithm (pubkey, &bits) != GNUTLS_PK_RSA
      || bits < MR_JWK_MIN_RSA_BITS)
    {
      g_debug ("Key set: skipping an RSA key of %u bits", bits);
      gnutls_pubkey_deinit (pubkey);
      return NULL;
    }
  return pubkey;
}

static MrJwk *
jwk_from_json (JsonObject *object)
{
  const char *kty = mr_json_get_string (object, "kty");
  const char *n = mr_json_get_string (object, "n");
  const char *e = mr_json_get_string (object, "e");
  gnutls_pubkey_t pubkey;
  MrJwk *key;

  if (g_strcmp0 (kty, "RSA") != 0 || n == NULL || e == NULL)
    return NULL;
  if ((pubkey = import_rsa_key (n, e)) == NULL)
    return NULL;

  key = g_new0 (MrJwk, 1);
  key->pubkey = pubkey;
  key->kid = g_strdup (mr_json_get_string (object, "kid"));
  key->alg = g_strdup (mr_json_get_string (object, "alg"));
  key->use = g_strdup (mr_json_get_string (object, "use"));
  return key;
}

MrJwks *
mr_jwks_parse (GBytes  *body,
               GError **error)
{
  g_autoptr(JsonObject) root = NULL;
  JsonNode *keys_node;
  JsonArray *keys;
  MrJwks *jwks;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = mr_json_parse_object (body, MR_JWT_ERROR, MR_JWT_ERROR_MALFORMED,
                               "the sign-in service's key list", error);
  if (root == NULL)
    return NULL;
  keys_node = json_object_get_member (root, "keys");
  if (keys_node == NULL || !JSON_NODE_HOLDS_ARRAY (keys_node))
    {
      g_set_error_literal (error, MR_JWT_ERROR, MR_JWT_ERROR_MALFORMED,
                           _("The sign-in service sent a key list the app cannot use."));
      return NULL;
    }

  jwks = g_new0 (MrJwks, 1);
  g_atomic_ref_count_init (&jwks->ref_count);
  jwks->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_jwk_free);
  keys = json_node_get_array (keys_node);
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonNode *node = json_array_get_element (keys, i);
      MrJwk *key = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        key = jwk_from_json (json_node_get_object (node));
      if (key != NULL)
        g_ptr_array_add (jwks->keys, key);
    }
  g_debug ("Key set holds %u usable RSA keys", jwks->keys->len);
  return jwks;
}

MrJwks *
mr_jwks_ref (MrJwks *jwks)
{
  g_return_val_if_fail (jwks != NULL, NULL);

  g_atomic_ref_count_inc (&jwks->ref_count);
  return jwks;
}

void
mr_jwks_unref (MrJwks *jwks)
{
  g_return_if_fail (jwks != NULL);

  if (g_atomic_ref_count_dec (&jwks->ref_count))
    {
      g_ptr_array_unref (jwks->keys);
      g_free (jwks);
    }
}

static MrJwk *
jwks_find (MrJwks     *jwks,
           const char *kid)
{
  /* A token without kid can only name the key of a one-key set. */
  if (kid == NULL)
    return jwks->keys->len == 1 ? g_ptr_array_index (jwks->keys, 0) : NULL;

  for (guint i = 0; i < jwks->keys->len; i++)
    {
      MrJwk *key = g_ptr_array_index (jwks->keys, i);

      if (g_strcmp0 (key->kid, kid) == 0)
        return key;
    }
  return NULL;
}

gboolean
mr_jwks_has_kid (MrJwks     *jwks,
                 const char *kid)
{
  g_return_val_if_fail (jwks != NULL, FALSE);

  return jwks_find (jwks, kid) != NULL;
}

static gboolean
check_algorithm (const MrJwt  *jwt,
                 const MrJwk  *key,
                 GError      **error)
{
  const char *alg = mr_json_get_string (jwt->header, "alg");

  if (g_strcmp0 (alg, "RS256") != 0
      || json_object_has_member (jwt->header, "crit")
      || (key != NULL && key->alg != NULL && g_strcmp0 (key->alg, alg) != 0)
      || (key != NULL && key->use != NULL && g_strcmp0 (key->use, "sig") != 0))
    {
      g_set_error_literal (error, MR_JWT_ERROR, MR_JWT_ERROR_ALGORITHM,
                           _("The identity token is signed in a way the app does not accept."));
      return FALSE;
    }
  return TRUE;
}

gboolean
mr_jwt_verify (const MrJwt  *jwt,
               MrJwks       *jwks,
               GError      **error)
{
  const char *kid;
  MrJwk *key;
  gnutls_datum_t data, signature;
  gsize len = 0;

  g_return_val_if_fail (jwt != NULL, FALSE);
  g_return_val_if_fail (jwks != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_algorithm (jwt, NULL, error))
    return FALSE;

  kid = mr_json_get_string (jwt->header, "kid");
  if ((key = jwks_find (jwks, kid)) == NULL)
    {
      g_set_error_literal (error, MR_JWT_ERROR, MR_JWT_ERROR_UNKNOWN_KEY,
                           _("The identity token is signed with a key the sign-in service does not "
                             "list."));
      return FALSE;
    }
  if (!check_algorithm (jwt, key, error))
    return FALSE;

  data.data = (guchar *) g_bytes_get_data (jwt->signing_input, &len);
  data.size = len;
  signature.data = (guchar *) g_bytes_get_data (jwt->signature, &len);
  signature.size = len;
  if (signature.size == 0
      || gnutls_pubkey_verify_data2 (key->pubkey, GNUTLS_SIGN_RSA_SHA256, 0, &data, &signature) < 0)
    {
      g_set_error_literal (error, MR_JWT_ERROR, MR_JWT_ERROR_SIGNATURE,
                           _("The identity token's signature is not valid."));
      return FALSE;
    }
  return TRUE;
}

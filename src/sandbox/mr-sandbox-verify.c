/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reference workflow's token check, in its order: the bearer token's shape (401), the
 * request's Idempotency-Key, body, request id and mode (400), created_at and its window (400,
 * 401), the token as jose's jwtVerify judges it at created_at (401), the scope (403), who the
 * token belongs to (403), the patient (400). Each refusal's body is the workflow's, word for
 * word. The signature is checked here with GnuTLS against the sandbox's own key, not with the
 * app's verifier (core/identity): the sandbox depends on core/base only, and a check of the app's
 * requests should not share the app's code and so its mistakes. */
#include "mr-sandbox-verify.h"

#include <string.h>
#include <gnutls/abstract.h>

#include "mr-base.h"
#include "mr-sandbox-private.h"

/* The reference workflow's Clinic settings, as the sandbox's tenant fills them in. */
#define API_SCOPE            "Refill.Submit"
#define CLOCK_SKEW_S         (5 * 60)
#define MAX_REQUEST_AGE_DAYS 7

#define MS_PER_S             G_GINT64_CONSTANT (1000)

static gboolean
refuse (MrSandboxRefusal *refusal,
        guint             status,
        const char       *error,
        const char       *description)
{
  refusal->status = status;
  refusal->error = error;
  refusal->description = description;
  return FALSE;
}

/* ---- the request's own shape ---------------------------------------------------------------- */

static gboolean
is_b64url_segment (const char *start,
                   gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (start[i]) && start[i] != '-' && start[i] != '_')
      return FALSE;
  return TRUE;
}

/* /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/: the token, or NULL. */
static const char *
bearer_token (const char *authorization)
{
  const char *token, *first, *second;

  if (authorization == NULL || !g_str_has_prefix (authorization, "Bearer "))
    return NULL;
  token = authorization + strlen ("Bearer ");
  first = strchr (token, '.');
  second = first != NULL ? strchr (first + 1, '.') : NULL;
  if (second == NULL
      || !is_b64url_segment (token, first - token)
      || !is_b64url_segment (first + 1, second - first - 1)
      || !is_b64url_segment (second + 1, strlen (second + 1)))
    return NULL;
  return token;
}

/* /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/ on a key already
 * in lower case, as the workflow tests it. */
static gboolean
is_uuid (const char *key)
{
  static const char shape[] = "xxxxxxxx-xxxx-Vxxx-Wxxx-xxxxxxxxxxxx";

  if (strlen (key) != strlen (shape))
    return FALSE;
  for (guint i = 0; shape[i] != '\0'; i++)
    {
      char c = key[i];

      if ((shape[i] == '-' && c != '-')
          || (shape[i] == 'x' && !g_ascii_isxdigit (c))
          || (shape[i] == 'V' && (c < '1' || c > '8'))
          || (shape[i] == 'W' && strchr ("89ab", c) == NULL))
        return FALSE;
    }
  return TRUE;
}

/* Date.parse (created_at) in ms since the epoch, or FALSE (NaN). ISO 8601 with a time, as the
 * payload schema writes it; Date.parse also takes forms that the schema does not allow. */
static gboolean
parse_created_at (JsonObject *body,
                  gint64     *out_ms)
{
  const char *text = mr_json_get_string (body, "created_at");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) time = NULL;

  if (text == NULL)
    return FALSE;
  time = g_date_time_new_from_iso8601 (text, utc);
  if (time == NULL)
    return FALSE;
  *out_ms = g_date_time_to_unix (time) * MS_PER_S + g_date_time_get_microsecond (time) / 1000;
  return TRUE;
}

/* String ((object || {})[member] || ''), for the strings the workflow compares. */
static const char *
member_string (JsonObject *object,
               const char *member)
{
  const char *value = object != NULL ? mr_json_get_string (object, member) : NULL;

  return value != NULL ? value : "";
}

static JsonObject *
object_member (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* ---- the token, as jose's jwtVerify judges it ----------------------------------------------- */

static JsonObject *
decode_segment (const char *start,
                gsize       len)
{
  g_autofree char *text = g_strndup (start, len);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guchar *json = NULL;
  gsize json_len = 0;
  JsonNode *root;

  json = mr_base64url_decode (text, &json_len);
  if (json == NULL || !g_utf8_validate ((const char *) json, json_len, NULL)
      || !mr_json_text_is_safe ((const char *) json, json_len)
      || !json_parser_load_from_data (parser, (const char *) json, json_len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root)
         ? json_object_ref (json_node_get_object (root)) : NULL;
}

/* RS256 only; the key by kid (a token without one meets the set's only key, as jose picks it);
 * no critical extensions. */
static gboolean
header_is_acceptable (MrSandbox  *self,
                      JsonObject *header)
{
  JsonNode *kid = json_object_get_member (header, "kid");

  if (g_strcmp0 (mr_json_get_string (header, "alg"), "RS256") != 0
      || json_object_has_member (header, "crit"))
    return FALSE;
  return kid == NULL || g_strcmp0 (mr_json_get_string (header, "kid"), self->kid) == 0;
}

static gboolean
signature_verifies (MrSandbox  *self,
                    const char *token,
                    gsize       input_len,
                    const char *signature64)
{
  g_autofree guchar *signature = NULL;
  gsize signature_len = 0;
  gnutls_datum_t data, sig;

  signature = mr_base64url_decode (signature64, &signature_len);
  if (signature == NULL)
    return FALSE;
  data.data = (guchar *) token;
  data.size = input_len;
  sig.data = signature;
  sig.size = signature_len;
  return gnutls_pubkey_verify_data2 (self->pubkey, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig) >= 0;
}

/* typeof claim === 'number': *out gets it. */
static gboolean
number_claim (JsonObject *claims,
              const char *name,
              double     *out)
{
  JsonNode *node = json_object_get_member (claims, name);
  GType type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node)
                                                            : G_TYPE_INVALID;

  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *out = json_node_get_double (node);
  return TRUE;
}

/* aud a string equal to the API's id, or an array holding it. */
static gboolean
audience_is_ours (JsonObject *claims)
{
  JsonNode *aud = json_object_get_member (claims, "aud");
  JsonArray *list;

  if (aud == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (aud))
    return g_strcmp0 (mr_json_get_string (claims, "aud"), MR_SANDBOX_CLIENT_ID) == 0;
  list = json_node_get_array (aud);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *item = json_array_get_element (list, i);

      if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING
          && g_str_equal (json_node_get_string (item), MR_SANDBOX_CLIENT_ID))
        return TRUE;
    }
  return FALSE;
}

/* iss, aud, then iat/nbf/exp at @now_s with the skew; iat and nbf may be absent, as jose lets
 * them be, and exp is required (requiredClaims: ['exp'] in verify-token.js). */
static gboolean
claims_are_acceptable (MrSandbox  *self,
                       JsonObject *claims,
                       gint64      now_s)
{
  double iat, nbf, exp;

  if (g_strcmp0 (mr_json_get_string (claims, "iss"), self->issuer) != 0
      || !audience_is_ours (claims))
    return FALSE;
  if (json_object_has_member (claims, "iat") && !number_claim (claims, "iat", &iat))
    return FALSE;
  if (json_object_has_member (claims, "nbf")
      && (!number_claim (claims, "nbf", &nbf) || nbf > now_s + CLOCK_SKEW_S))
    return FALSE;
  if (!number_claim (claims, "exp", &exp) || exp <= now_s - CLOCK_SKEW_S)
    return FALSE;
  return TRUE;
}

/* The token's claims when jose would accept it at @created_ms, or NULL. Which check failed is
 * not said: the workflow tells the sender only that the token is not valid. */
static JsonObject *
verify_token (MrSandbox  *self,
              const char *token,
              gint64      created_ms)
{
  const char *first = strchr (token, '.');
  const char *second = strchr (first + 1, '.');
  g_autoptr(JsonObject) header = decode_segment (token, first - token);
  g_autoptr(JsonObject) claims = NULL;
  gint64 now_s = created_ms >= 0 ? created_ms / MS_PER_S : -((-created_ms + 999) / MS_PER_S);

  if (header == NULL || !header_is_acceptable (self, header)
      || !signature_verifies (self, token, second - token, second + 1))
    return NULL;
  claims = decode_segment (first + 1, second - first - 1);
  if (claims == NULL || !claims_are_acceptable (self, claims, now_s))
    return NULL;
  return g_steal_pointer (&claims);
}

/* ---- whose token it is ---------------------------------------------------------------------- */

static gboolean
has_scope (JsonObject *claims)
{
  g_auto(GStrv) scopes = g_strsplit (member_string (claims, "scp"), " ", -1);

  return g_strv_contains ((const char * const *) scopes, API_SCOPE);
}

static gboolean
has_role (JsonObject *claims,
          const char *role)
{
  JsonNode *node = json_object_get_member (claims, "roles");
  JsonArray *roles = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node)
                                                                  : NULL;

  for (guint i = 0; roles != NULL && i < json_array_get_length (roles); i++)
    {
      JsonNode *item = json_array_get_element (roles, i);

      if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING
          && g_str_equal (json_node_get_string (item), role))
        return TRUE;
    }
  return FALSE;
}

/* A kiosk request is the patient's own; a desk request a staff member's, who submitted it. */
static gboolean
binds_to_request (JsonObject       *claims,
                  JsonObject       *body,
                  MrSandboxRefusal *refusal)
{
  const char *oid = member_string (claims, "oid");
  const char *patient_oid = member_string (object_member (body, "patient"), "object_id");
  JsonNode *submitted_by = json_object_get_member (body, "submitted_by");

  if (g_str_equal (mr_json_get_string (body, "mode"), "kiosk"))
    {
      if ((submitted_by != NULL && !JSON_NODE_HOLDS_NULL (submitted_by)) || *oid == '\0'
          || !g_str_equal (oid, patient_oid))
        return refuse (refusal, SOUP_STATUS_FORBIDDEN, "forbidden",
                       "The access token belongs to someone other than the patient.");
    }
  else
    {
      if (!has_role (claims, MR_SANDBOX_STAFF_ROLE))
        return refuse (refusal, SOUP_STATUS_FORBIDDEN, "forbidden",
                       "The access token is not a front-desk staff member's.");
      if (*oid == '\0'
          || !g_str_equal (member_string (object_member (body, "submitted_by"), "id"), oid))
        return refuse (refusal, SOUP_STATUS_FORBIDDEN, "forbidden",
                       "The access token belongs to someone other than the submitter.");
    }
  if (*patient_oid == '\0')
    return refuse (refusal, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                   "The request names no patient.");
  return TRUE;
}

/* ---- the check, in the workflow's order ----------------------------------------------------- */

/* The Idempotency-Key, body, request id and mode: 400s. */
static gboolean
request_is_well_formed (SoupMessageHeaders *headers,
                        JsonNode           *body,
                        MrSandboxRefusal   *refusal)
{
  const char *joined = soup_message_headers_get_list (headers, "Idempotency-Key");
  g_autofree char *key = g_ascii_strdown (joined != NULL ? joined : "", -1);
  const char *request_id;
  const char *mode;
  g_autofree char *request_id_down = NULL;

  if (!is_uuid (key))
    return refuse (refusal, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                   "The request has no valid Idempotency-Key.");
  if (!JSON_NODE_HOLDS_OBJECT (body))
    return refuse (refusal, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                   "The request body is not a JSON object.");
  request_id = mr_json_get_string (json_node_get_object (body), "request_id");
  request_id_down = g_ascii_strdown (request_id != NULL ? request_id : "", -1);
  if (!g_str_equal (request_id_down, key))
    return refuse (refusal, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                   "The Idempotency-Key is not the request id.");
  mode = mr_json_get_string (json_node_get_object (body), "mode");
  if (g_strcmp0 (mode, "kiosk") != 0 && g_strcmp0 (mode, "desk") != 0)
    return refuse (refusal, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                   "The request names no mode (kiosk or desk).");
  return TRUE;
}

/* A request may wait in the app's outbox for up to seven days: its token must have been valid
 * when it was made, and it must have been made within that window. */
static gboolean
created_in_window (JsonObject       *body,
                   gint64           *created_ms,
                   MrSandboxRefusal *refusal)
{
  gint64 now_ms = g_get_real_time () / 1000;

  if (!parse_created_at (body, created_ms))
    return refuse (refusal, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                   "The request has no valid created_at.");
  if (*created_ms > now_ms + CLOCK_SKEW_S * MS_PER_S
      || *created_ms < now_ms - MAX_REQUEST_AGE_DAYS * 24 * 3600 * MS_PER_S)
    return refuse (refusal, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                   "The request is older than the clinic accepts, or from the future.");
  return TRUE;
}

gboolean
mr_sandbox_verify_request (MrSandbox         *self,
                           SoupServerMessage *msg,
                           JsonNode          *body,
                           MrSandboxRefusal  *refusal)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *token = bearer_token (soup_message_headers_get_one (headers, "Authorization"));
  g_autoptr(JsonObject) claims = NULL;
  gint64 created_ms = 0;

  if (token == NULL)
    return refuse (refusal, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                   "The request carries no access token for the clinic API.");
  if (!request_is_well_formed (headers, body, refusal)
      || !created_in_window (json_node_get_object (body), &created_ms, refusal))
    return FALSE;

  claims = verify_token (self, token, created_ms);
  if (claims == NULL)
    {
      g_debug ("The sink refused a request's token");
      return refuse (refusal, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                     "The access token is not a valid token for this clinic.");
    }
  if (!has_scope (claims))
    return refuse (refusal, SOUP_STATUS_FORBIDDEN, "insufficient_scope",
                   "The access token does not allow sending refill requests.");
  return binds_to_request (claims, json_node_get_object (body), refusal);
}

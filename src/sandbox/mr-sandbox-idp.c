/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The OpenID provider side of the sandbox: signing key, discovery, key set, token, sign-out. */
#include "mr-sandbox-handlers.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "mr-base.h"
#include "mr-sandbox-http.h"
#include "mr-sandbox-page.h"
#include "mr-sandbox-private.h"
#include "mr-sandbox-tenant.h"

#define ACCESS_TOKEN_LIFETIME_S  3600
#define REFRESH_TOKEN_LIFETIME_S (90 * 24 * 3600)
#define ID_TOKEN_LIFETIME_S      3600

/* The PKCE S256 transform: base64url (SHA-256 (verifier)). */
static char *
s256 (const char *verifier)
{
  guchar digest[32];

  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, verifier, strlen (verifier), digest) != 0)
    g_error ("SHA-256 is not available");
  return mr_base64url_encode (digest, sizeof digest);
}

/* ---- the signing key --------------------------------------------------------------------- */

/* base64url of a big-endian integer without leading zero bytes, as JWK wants it. */
static char *
encode_integer (const gnutls_datum_t *datum)
{
  guint skip = 0;

  while (skip + 1 < datum->size && datum->data[skip] == 0)
    skip++;
  return mr_base64url_encode (datum->data + skip, datum->size - skip);
}

static char *
build_jwks (gnutls_privkey_t  key,
            const char       *kid,
            GError          **error)
{
  gnutls_datum_t m = { NULL, 0 }, e = { NULL, 0 };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *n64 = NULL;
  g_autofree char *e64 = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (gnutls_privkey_export_rsa_raw2 (key, &m, &e, NULL, NULL, NULL, NULL, NULL, NULL,
                                      GNUTLS_EXPORT_FLAG_NO_LZ) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The sandbox could not read back its signing key.");
      return NULL;
    }
  n64 = encode_integer (&m);
  e64 = encode_integer (&e);
  gnutls_free (m.data);
  gnutls_free (e.data);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "keys");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kty");
  json_builder_add_string_value (builder, "RSA");
  json_builder_set_member_name (builder, "use");
  json_builder_add_string_value (builder, "sig");
  json_builder_set_member_name (builder, "alg");
  json_builder_add_string_value (builder, "RS256");
  json_builder_set_member_name (builder, "kid");
  json_builder_add_string_value (builder, kid);
  json_builder_set_member_name (builder, "n");
  json_builder_add_string_value (builder, n64);
  json_builder_set_member_name (builder, "e");
  json_builder_add_string_value (builder, e64);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
mr_sandbox_idp_init (MrSandbox  *self,
                     GError    **error)
{
  mr_sandbox_idp_clear (self);

  if (gnutls_privkey_init (&self->key) != 0
      || gnutls_privkey_generate (self->key, GNUTLS_PK_RSA, 2048, 0) != 0)
    {
      g_clear_pointer (&self->key, gnutls_privkey_deinit);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The sandbox could not make its signing key.");
      return FALSE;
    }
  if (gnutls_pubkey_init (&self->pubkey) != 0
      || gnutls_pubkey_import_privkey (self->pubkey, self->key, 0, 0) != 0)
    {
      mr_sandbox_idp_clear (self);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The sandbox could not read back its signing key.");
      return FALSE;
    }
  self->kid = mr_random_token (6);
  self->jwks_json = build_jwks (self->key, self->kid, error);
  if (self->jwks_json == NULL)
    {
      mr_sandbox_idp_clear (self);
      return FALSE;
    }
  return TRUE;
}

void
mr_sandbox_idp_clear (MrSandbox *self)
{
  g_clear_pointer (&self->key, gnutls_privkey_deinit);
  g_clear_pointer (&self->pubkey, gnutls_pubkey_deinit);
  g_clear_pointer (&self->kid, g_free);
  g_clear_pointer (&self->jwks_json, g_free);
}

/* ---- discovery and keys ------------------------------------------------------------------ */

static void
add_strings (JsonBuilder *builder,
             const char  *member,
             const char  *first,
             ...)
{
  va_list args;

  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    json_builder_add_string_value (builder, s);
  va_end (args);
  json_builder_end_array (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static void
add_endpoint (JsonBuilder *builder,
              MrSandbox   *self,
              const char  *member,
              const char  *path)
{
  g_autofree char *url = g_strdup_printf ("%s/%s%s", self->base_url, MR_SANDBOX_TENANT_ID, path);

  add_string (builder, member, url);
}

void
mr_sandbox_handle_discovery (MrSandbox         *self,
                             SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_endpoint (b, self, "token_endpoint", "/oauth2/v2.0/token");
  add_strings (b, "token_endpoint_auth_methods_supported",
               "client_secret_post", "private_key_jwt", "client_secret_basic", NULL);
  add_endpoint (b, self, "jwks_uri", "/discovery/v2.0/keys");
  add_strings (b, "response_modes_supported", "query", "fragment", "form_post", NULL);
  add_strings (b, "subject_types_supported", "pairwise", NULL);
  add_strings (b, "id_token_signing_alg_values_supported", "RS256", NULL);
  add_strings (b, "response_types_supported",
               "code", "id_token", "code id_token", "id_token token", NULL);
  add_strings (b, "scopes_supported", "openid", "profile", "email", "offline_access", NULL);
  add_string (b, "issuer", self->issuer);
  json_builder_set_member_name (b, "request_uri_parameter_supported");
  json_builder_add_boolean_value (b, FALSE);
  add_endpoint (b, self, "authorization_endpoint", "/oauth2/v2.0/authorize");
  json_builder_set_member_name (b, "http_logout_supported");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "frontchannel_logout_supported");
  json_builder_add_boolean_value (b, TRUE);
  add_endpoint (b, self, "end_session_endpoint", "/oauth2/v2.0/logout");
  add_endpoint (b, self, "device_authorization_endpoint", "/oauth2/v2.0/devicecode");
  add_strings (b, "claims_supported", "sub", "iss", "aud", "exp", "iat", "auth_time", "acr",
               "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email",
               NULL);
  add_strings (b, "code_challenge_methods_supported", "S256", NULL);
  json_builder_end_object (b);

  mr_sandbox_respond_json (msg, SOUP_STATUS_OK, json_builder_get_root (b));
}

void
mr_sandbox_handle_keys (MrSandbox         *self,
                        SoupServerMessage *msg)
{
  mr_sandbox_respond_text (msg, SOUP_STATUS_OK, "application/json; charset=utf-8",
                           self->jwks_json);
}

/* ---- the ID token ------------------------------------------------------------------------ */

static char *
encode_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  return mr_base64url_encode ((const guchar *) text, strlen (text));
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

/* A pairwise subject: stable for this user and this client, not the object id. */
static char *
pairwise_subject (const MrSandboxUser *user)
{
  g_autofree char *seed = g_strconcat (MR_SANDBOX_CLIENT_ID, ":", user->id, NULL);
  g_autofree char *digest = s256 (seed);

  return g_strdup (digest);
}

/* The account's app roles now: the tenant's table, unless the administrator changed them. */
static char *
dup_user_roles (MrSandbox           *self,
                const MrSandboxUser *user)
{
  gpointer changed = NULL;
  char *roles;

  g_mutex_lock (&self->lock);
  if (g_hash_table_lookup_extended (self->roles, user->id, NULL, &changed))
    roles = g_strdup (changed);
  else
    roles = g_strdup (user->roles);
  g_mutex_unlock (&self->lock);
  return roles;
}

/* "roles": the account's app roles, when it has any (Entra leaves the claim out otherwise). */
static void
add_roles (JsonBuilder         *builder,
           MrSandbox           *self,
           const MrSandboxUser *user)
{
  g_autofree char *text = dup_user_roles (self, user);
  g_auto(GStrv) roles = NULL;

  if (text == NULL || *text == '\0')
    return;
  roles = g_strsplit (text, " ", -1);
  json_builder_set_member_name (builder, "roles");
  json_builder_begin_array (builder);
  for (guint i = 0; roles[i] != NULL; i++)
    json_builder_add_string_value (builder, roles[i]);
  json_builder_end_array (builder);
}

/* What both of the tenant's tokens say about the account and themselves: issuer, audience (the
 * app's id, for the ID token and for the API on the app's own registration alike), times, who.
 * @options says when and for whom (the endpoint's tokens: now, the sandbox's issuer and id). */
static void
add_common_claims (JsonBuilder                 *b,
                   MrSandbox                   *self,
                   const MrSandboxUser         *user,
                   const MrSandboxTokenOptions *options)
{
  gint64 iat = options->issued_at != 0 ? options->issued_at : g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *sub = pairwise_subject (user);

  add_string (b, "aud", options->audience != NULL ? options->audience : MR_SANDBOX_CLIENT_ID);
  add_string (b, "iss", options->issuer != NULL ? options->issuer : self->issuer);
  add_int (b, "iat", iat);
  add_int (b, "nbf", iat);
  add_int (b, "exp", iat + options->lifetime);
  add_string (b, "name", user->display_name);
  add_string (b, "oid", user->id);
  add_string (b, "preferred_username", mr_sandbox_user_sign_in_name (user));
  add_roles (b, self, user);
  add_string (b, "sub", sub);
  add_string (b, "tid", MR_SANDBOX_TENANT_ID);
  add_string (b, "ver", "2.0");
}

static char *
encode_claims (MrSandbox           *self,
               const MrSandboxUser *user,
               const char          *nonce)
{
  const MrSandboxTokenOptions now = { .lifetime = ID_TOKEN_LIFETIME_S };
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_common_claims (b, self, user, &now);
  add_string (b, "email", mr_sandbox_user_sign_in_name (user));
  add_string (b, "family_name", user->surname);
  add_string (b, "given_name", user->given_name);
  if (nonce != NULL)
    add_string (b, "nonce", nonce);
  json_builder_end_object (b);
  return encode_json (b);
}

/* A version 2 access token for the clinic's API, as Entra issues one for a delegated scope of an
 * app's own Application ID URI: aud is the API's application id, scp the granted scope, roles
 * the account's app roles. Only the API (the workflow, the sandbox's sink) reads it. @options
 * has a lifetime; its other fields may be zero. */
static char *
encode_api_claims (MrSandbox                   *self,
                   const MrSandboxUser         *user,
                   const MrSandboxTokenOptions *options)
{
  const char *scope = options->scope != NULL ? options->scope : "Refill.Submit";
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_common_claims (b, self, user, options);
  add_string (b, "azp", MR_SANDBOX_CLIENT_ID);
  add_string (b, "azpacr", "0");   /* a public client */
  if (*scope != '\0')
    add_string (b, "scp", scope);
  json_builder_end_object (b);
  return encode_json (b);
}

/* A JWT of the base64url @p64 claims, signed RS256 with the tenant's key. */
static char *
sign_jwt (MrSandbox  *self,
          const char *p64)
{
  g_autoptr(JsonBuilder) header = json_builder_new ();
  g_autofree char *h64 = NULL;
  g_autofree char *input = NULL;
  g_autofree char *s64 = NULL;
  gnutls_datum_t data, signature = { NULL, 0 };

  json_builder_begin_object (header);
  add_string (header, "typ", "JWT");
  add_string (header, "alg", "RS256");
  add_string (header, "kid", self->kid);
  json_builder_end_object (header);
  h64 = encode_json (header);
  input = g_strconcat (h64, ".", p64, NULL);

  data.data = (guchar *) input;
  data.size = strlen (input);
  g_mutex_lock (&self->sign_lock);
  if (gnutls_privkey_sign_data2 (self->key, GNUTLS_SIGN_RSA_SHA256, 0, &data, &signature) != 0)
    g_error ("the sandbox could not sign a token");
  g_mutex_unlock (&self->sign_lock);
  s64 = mr_base64url_encode (signature.data, signature.size);
  gnutls_free (signature.data);
  return g_strconcat (input, ".", s64, NULL);
}

static char *
sign_id_token (MrSandbox           *self,
               const MrSandboxUser *user,
               const char          *nonce)
{
  g_autofree char *p64 = encode_claims (self, user, nonce);

  return sign_jwt (self, p64);
}

/* ---- token endpoint ---------------------------------------------------------------------- */

static void
respond_expired (SoupServerMessage *msg)
{
  mr_sandbox_respond_entra_error (msg, "invalid_grant", 70008,
                       "The provided authorization code or refresh token has expired due to "
                       "inactivity. Send a new interactive authorization request for this user "
                       "and resource.");
}

/* Whether the space-separated @scope holds @item. */
static gboolean
scope_has (const char *scope,
           const char *item)
{
  g_auto(GStrv) items = g_strsplit (scope != NULL ? scope : "", " ", -1);

  return g_strv_contains ((const char * const *) items, item);
}

/* What a token response's scope lists: the OpenID scopes (offline_access only when it was asked
 * for), then every Graph permission consented for the account, as Entra answers. */
static char *
granted_scope (const MrSandboxUser *user,
               gboolean             offline)
{
  return g_strconcat ("openid profile ", offline ? "offline_access " : "",
                      user->permissions ? user->permissions : "User.Read", NULL);
}

/* For mr_sandbox_dup_issued_tokens(): the tests look for every token where none may be. */
static void
note_issued (MrSandbox  *self,
             const char *token)
{
  if (token == NULL)
    return;
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->issued, g_strdup (token));
  g_mutex_unlock (&self->lock);
}

/* Tokens for Graph. A refresh token only when @requested has offline_access: Entra gives none
 * without it, and an app that forgot it would only find out at the first refresh. */
static void
issue_tokens (MrSandbox           *self,
              SoupServerMessage   *msg,
              const MrSandboxUser *user,
              const char          *nonce,
              const char          *requested,
              gboolean             with_id_token)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *id_token = with_id_token ? sign_id_token (self, user, nonce) : NULL;
  gboolean offline = scope_has (requested, "offline_access");
  g_autofree char *scope = granted_scope (user, offline);
  char *access = mr_random_token (32);
  char *refresh = offline ? mr_random_token (48) : NULL;

  json_builder_begin_object (b);
  add_string (b, "token_type", "Bearer");
  add_string (b, "scope", scope);
  add_int (b, "expires_in", ACCESS_TOKEN_LIFETIME_S - 1);
  add_int (b, "ext_expires_in", ACCESS_TOKEN_LIFETIME_S - 1);
  add_string (b, "access_token", access);
  if (refresh != NULL)
    add_string (b, "refresh_token", refresh);
  if (id_token != NULL)
    add_string (b, "id_token", id_token);
  json_builder_end_object (b);

  note_issued (self, access);
  note_issued (self, refresh);
  note_issued (self, id_token);
  g_hash_table_insert (self->tenant.access_tokens, access,
                       mr_sandbox_grant_new (user, scope, ACCESS_TOKEN_LIFETIME_S));
  if (refresh != NULL)
    g_hash_table_insert (self->tenant.refresh_tokens, refresh,
                         mr_sandbox_grant_new (user, scope, REFRESH_TOKEN_LIFETIME_S));
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Pragma", "no-cache");
  mr_sandbox_respond_json (msg, SOUP_STATUS_OK, json_builder_get_root (b));
}

/* One resource per token, as Entra issues them: the requested @scope names either Graph (its
 * permissions, or none but the OpenID ones) or the clinic's API, never both (AADSTS28000), and
 * no API but the app's own (AADSTS500011). *@api gets the API scope when one was asked for. */
static gboolean
check_resource (SoupServerMessage  *msg,
                const char         *scope,
                char              **api)
{
  g_auto(GStrv) items = g_strsplit (scope != NULL ? scope : "", " ", -1);
  gboolean graph = FALSE;

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = items[i];

      if (*item == '\0' || g_str_equal (item, "openid") || g_str_equal (item, "profile")
          || g_str_equal (item, "offline_access") || g_str_equal (item, "email"))
        continue;
      if (!g_str_has_prefix (item, "api://"))
        graph = TRUE;
      else if (*api == NULL)
        *api = g_strdup (item);
      else
        graph = TRUE;   /* a second API is a second resource too */
    }
  if (*api != NULL && graph)
    {
      g_autofree char *text = g_strdup_printf ("Provided value for the input parameter scope is "
                                               "not valid because it contains more than one "
                                               "resource. Scope %s is not valid.", scope);

      mr_sandbox_respond_entra_error (msg, "invalid_scope", 28000, text);
      return FALSE;
    }
  if (*api != NULL && !g_str_equal (*api, MR_SANDBOX_API_SCOPE))
    {
      g_autofree char *text = g_strdup_printf ("The resource principal named %s was not found in "
                                               "the tenant named %s. This can happen if the "
                                               "application has not been installed by the "
                                               "administrator of the tenant.", *api,
                                               MR_SANDBOX_TENANT_ID);

      mr_sandbox_respond_entra_error (msg, "invalid_resource", 500011, text);
      return FALSE;
    }
  return TRUE;
}

/* An access token for the clinic's API, with a new refresh token (rotated, still good for Graph
 * and the API) and, when openid was asked for, an ID token. */
static void
issue_api_token (MrSandbox           *self,
                 SoupServerMessage   *msg,
                 const MrSandboxUser *user,
                 const char          *requested,
                 gboolean             id_token_allowed)
{
  gboolean with_id_token = id_token_allowed && scope_has (requested, "openid");
  gboolean offline = scope_has (requested, "offline_access");
  const MrSandboxTokenOptions now = { .lifetime = ACCESS_TOKEN_LIFETIME_S };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *p64 = encode_api_claims (self, user, &now);
  g_autofree char *access = sign_jwt (self, p64);
  g_autofree char *graph_scope = granted_scope (user, TRUE);
  char *refresh = offline ? mr_random_token (48) : NULL;

  json_builder_begin_object (b);
  add_string (b, "token_type", "Bearer");
  add_string (b, "scope", MR_SANDBOX_API_SCOPE);
  add_int (b, "expires_in", ACCESS_TOKEN_LIFETIME_S - 1);
  add_int (b, "ext_expires_in", ACCESS_TOKEN_LIFETIME_S - 1);
  add_string (b, "access_token", access);
  if (refresh != NULL)
    add_string (b, "refresh_token", refresh);
  if (with_id_token)
    {
      g_autofree char *id_token = sign_id_token (self, user, NULL);

      add_string (b, "id_token", id_token);
      note_issued (self, id_token);
    }
  json_builder_end_object (b);

  note_issued (self, access);
  note_issued (self, refresh);
  if (refresh != NULL)
    g_hash_table_insert (self->tenant.refresh_tokens, refresh,
                         mr_sandbox_grant_new (user, graph_scope, REFRESH_TOKEN_LIFETIME_S));
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Pragma", "no-cache");
  mr_sandbox_respond_json (msg, SOUP_STATUS_OK, json_builder_get_root (b));
}

static void
redeem_code (MrSandbox         *self,
             SoupServerMessage *msg,
             GHashTable        *form)
{
  const char *code = g_hash_table_lookup (form, "code");
  const char *redirect_uri = g_hash_table_lookup (form, "redirect_uri");
  const char *verifier = g_hash_table_lookup (form, "code_verifier");
  g_autofree char *challenge = NULL;
  MrSandboxCode *entry;

  if (code == NULL)
    {
      mr_sandbox_respond_missing (msg, "code");
      return;
    }
  entry = g_hash_table_lookup (self->tenant.codes, code);
  if (entry == NULL || entry->expires < g_get_real_time ())
    {
      respond_expired (msg);
      return;
    }
  if (entry->redeemed)
    {
      mr_sandbox_respond_entra_error (msg, "invalid_grant", 54005,
                           "OAuth2 Authorization code was already redeemed, please retry "
                           "with a new valid code or use an existing refresh token.");
      return;
    }
  if (g_strcmp0 (g_hash_table_lookup (form, "client_id"), entry->client_id) != 0)
    {
      mr_sandbox_respond_entra_error (msg, "invalid_grant", 70000,
                           "The provided authorization code was issued to another client.");
      return;
    }
  if (redirect_uri == NULL)
    {
      mr_sandbox_respond_missing (msg, "redirect_uri");
      return;
    }
  if (!g_str_equal (redirect_uri, entry->redirect_uri))
    {
      mr_sandbox_respond_entra_error (msg, "invalid_grant", 50011,
                           "The redirect URI specified in the request does not match the "
                           "redirect URI of the authorization request that issued the code.");
      return;
    }

  challenge = verifier != NULL ? s256 (verifier) : NULL;
  if (challenge == NULL || !g_str_equal (challenge, entry->code_challenge))
    {
      mr_sandbox_respond_entra_error (msg, "invalid_grant", 50148,
                           "The code_verifier does not match the code_challenge supplied in "
                           "the authorization request for PKCE.");
      return;
    }

  entry->redeemed = TRUE;
  issue_tokens (self, msg, entry->user, entry->nonce, entry->scope, TRUE);
}

/* AADSTS65001 when @scope names a Graph permission the account never consented to: Entra does
 * not widen a grant on refresh, and the sandbox has no consent page to widen it at sign-in. */
static gboolean
check_consent (SoupServerMessage   *msg,
               const MrSandboxUser *user,
               const char          *scope)
{
  g_autofree char *missing = mr_sandbox_first_unconsented (user, scope);
  g_autofree char *text = NULL;

  if (missing == NULL)
    return TRUE;
  text = g_strdup_printf ("The user or administrator has not consented to use the application "
                          "with ID '%s' named 'Medication Refill' for the permission '%s'. Send "
                          "an interactive authorization request for this user and resource.",
                          MR_SANDBOX_CLIENT_ID, missing);
  mr_sandbox_respond_entra_error (msg, "invalid_grant", 65001, text);
  return FALSE;
}

/* Refresh tokens rotate: the one presented is gone once it has been used. A refused request
 * leaves it usable, as Entra refuses a request whole. */
static void
redeem_refresh_token (MrSandbox         *self,
                      SoupServerMessage *msg,
                      GHashTable        *form)
{
  const char *token = g_hash_table_lookup (form, "refresh_token");
  const char *scope = g_hash_table_lookup (form, "scope");
  g_autofree char *api = NULL;
  MrSandboxGrant *grant;
  const MrSandboxUser *user;
  MrSandboxRefreshFault fault;

  if (token == NULL)
    {
      mr_sandbox_respond_missing (msg, "refresh_token");
      return;
    }
  if (!check_resource (msg, scope, &api))
    return;
  grant = g_hash_table_lookup (self->tenant.refresh_tokens, token);
  if (grant == NULL || grant->expires < g_get_real_time ())
    {
      g_hash_table_remove (self->tenant.refresh_tokens, token);
      respond_expired (msg);
      return;
    }
  user = grant->user;
  if (!check_consent (msg, user, scope))
    return;
  g_hash_table_remove (self->tenant.refresh_tokens, token);
  g_mutex_lock (&self->lock);
  fault = self->refresh_fault;
  if (fault == MR_SANDBOX_REFRESH_OTHER_ACCOUNT)
    user = self->refresh_other;
  g_mutex_unlock (&self->lock);
  if (api != NULL)
    issue_api_token (self, msg, user, scope, fault != MR_SANDBOX_REFRESH_NO_ID_TOKEN);
  else
    issue_tokens (self, msg, user, NULL, scope, fault != MR_SANDBOX_REFRESH_NO_ID_TOKEN);
}

void
mr_sandbox_handle_token (MrSandbox         *self,
                         SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  const char *grant_type;

  form = mr_sandbox_public_client_form (msg);
  if (form == NULL)
    return;
  grant_type = g_hash_table_lookup (form, "grant_type");
  if (grant_type == NULL)
    {
      mr_sandbox_respond_missing (msg, "grant_type");
      return;
    }

  if (g_str_equal (grant_type, "authorization_code"))
    redeem_code (self, msg, form);
  else if (g_str_equal (grant_type, "refresh_token"))
    redeem_refresh_token (self, msg, form);
  else if (g_str_equal (grant_type, "urn:ietf:params:oauth:grant-type:device_code"))
    {
      const char *scope = NULL;
      const MrSandboxUser *user = mr_sandbox_redeem_device_code (self, msg, form, &scope);

      /* The code flow's tokens and claims; the device grant sent no nonce, so there is none. */
      if (user != NULL)
        issue_tokens (self, msg, user, NULL, scope, TRUE);
    }
  else
    mr_sandbox_respond_entra_error (msg, "unsupported_grant_type", 70003,
                         "The app requested an unsupported grant type.");
}

/* ---- tokens without a sign-in, for tests and tools -------------------------------------- */

char *
mr_sandbox_mint_api_token (MrSandbox                   *self,
                           const char                  *email,
                           const MrSandboxTokenOptions *options)
{
  MrSandboxTokenOptions stamp = { .lifetime = ACCESS_TOKEN_LIFETIME_S };
  const MrSandboxUser *user;
  g_autofree char *p64 = NULL;

  g_return_val_if_fail (MR_IS_SANDBOX (self), NULL);
  g_return_val_if_fail (self->key != NULL && self->issuer != NULL, NULL);
  g_return_val_if_fail (email != NULL, NULL);

  user = mr_sandbox_find_user (email);
  if (user == NULL)
    return NULL;
  if (options != NULL)
    {
      stamp = *options;
      if (stamp.lifetime == 0)
        stamp.lifetime = ACCESS_TOKEN_LIFETIME_S;
    }
  p64 = encode_api_claims (self, user, &stamp);
  return sign_jwt (self, p64);
}

/* ---- sign-out ---------------------------------------------------------------------------- */

/* Whom an id_token_hint names. Its signature is not checked: it only picks whom to sign out. */
static const MrSandboxUser *
user_from_id_token (const char *id_token)
{
  g_auto(GStrv) parts = g_strsplit (id_token, ".", 4);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guchar *payload = NULL;
  gsize len = 0;
  JsonNode *root;

  if (g_strv_length (parts) != 3)
    return NULL;
  payload = mr_base64url_decode (parts[1], &len);
  if (payload == NULL || !json_parser_load_from_data (parser, (const char *) payload, len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return mr_sandbox_find_user_by_id (mr_json_get_string (json_node_get_object (root), "oid"));
}

static gboolean
grant_of_user_cb (gpointer key,
                  gpointer value,
                  gpointer user_data)
{
  MrSandboxGrant *grant = value;

  return user_data == NULL || grant->user == user_data;
}

void
mr_sandbox_handle_logout (MrSandbox         *self,
                          SoupServerMessage *msg,
                          GHashTable        *query)
{
  const char *post_logout = query ? g_hash_table_lookup (query, "post_logout_redirect_uri") : NULL;
  const char *hint = query ? g_hash_table_lookup (query, "id_token_hint") : NULL;
  const char *login = query ? g_hash_table_lookup (query, "logout_hint") : NULL;
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const MrSandboxUser *user = NULL;
  g_autofree char *page = NULL;

  if (hint != NULL)
    user = user_from_id_token (hint);
  if (user == NULL && login != NULL)
    user = mr_sandbox_find_user (login);
  /* Without a hint it knows, everyone is signed out. */
  g_hash_table_foreach_remove (self->tenant.refresh_tokens, grant_of_user_cb, (gpointer) user);
  /* And the browser is signed out: its sessions end, and its cookies go. */
  g_hash_table_foreach_remove (self->tenant.sessions, grant_of_user_cb, (gpointer) user);
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie",
                               "ESTSAUTH=; Path=/; HttpOnly; Max-Age=0");
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie",
                               "ESTSAUTHPERSISTENT=; Path=/; HttpOnly; Max-Age=0");

  if (post_logout != NULL && mr_sandbox_redirect_uri_is_usable (post_logout))
    {
      g_autofree char *extra = state ? soup_form_encode ("state", state, NULL) : NULL;
      g_autofree char *target = NULL;

      target = extra ? g_strconcat (post_logout, strchr (post_logout, '?') ? "&" : "?", extra,
                                    NULL)
                     : g_strdup (post_logout);
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, target);
      return;
    }
  page = mr_sandbox_page_message ("Signed out", "You have signed out of the sandbox tenant. "
                                  "You can close this window.");
  mr_sandbox_respond_text (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", page);
}

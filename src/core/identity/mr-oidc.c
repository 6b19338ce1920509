/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-oidc.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-aadsts.h"
#include "mr-oidc-private.h"
#include "mr-secure.h"
#include "mr-util.h"

G_DEFINE_QUARK (mr-oidc-error-quark, mr_oidc_error)

/* ---- Discovery ------------------------------------------------------------------------------ */

#define WELL_KNOWN "/.well-known/openid-configuration"

/* Microsoft's sign-in hosts, which publish v2.0 documents under {authority}/v2.0 (and a v1.0
 * document, with other endpoints and issuer, under {authority}/.well-known: never wanted). */
static gboolean
is_microsoft_host (const char *host)
{
  static const char * const hosts[] = {
    "login.microsoftonline.com", "login.microsoft.com", "login.windows.net",
    "login.microsoftonline.us", "login.partner.microsoftonline.cn", "login.chinacloudapi.cn",
  };
  static const char * const suffixes[] = { ".ciamlogin.com", ".b2clogin.com" };

  for (gsize i = 0; i < G_N_ELEMENTS (hosts); i++)
    if (g_ascii_strcasecmp (host, hosts[i]) == 0)
      return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *lower = g_ascii_strdown (host, -1);

      if (g_str_has_suffix (lower, suffixes[i]) && strlen (lower) > strlen (suffixes[i]))
        return TRUE;
    }
  return FALSE;
}

/* @authority with @path_tail appended to its path; its query (B2C's ?p=policy) stays last. */
static char *
with_path (GUri       *authority,
           const char *path,
           const char *path_tail)
{
  g_autofree char *new_path = g_strconcat (path, path_tail, NULL);
  g_autoptr(GUri) uri = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (authority),
                                     g_uri_get_userinfo (authority), g_uri_get_host (authority),
                                     g_uri_get_port (authority), new_path,
                                     g_uri_get_query (authority), NULL);

  return g_uri_to_string (uri);
}

/* The single place that knows where an authority keeps its discovery document. One code path
 * for every kind: External ID (https://{sub}.ciamlogin.com/{tid}), workforce
 * (login.microsoftonline.com/{tenant}[/v2.0]), B2C ({t}.b2clogin.com/{t}.onmicrosoft.com/{policy}
 * or …/{t}.onmicrosoft.com?p={policy}), the sandbox (http://127.0.0.1:PORT/{tid}) and a plain
 * OpenID provider, whose authority is its issuer URL (OpenID Connect Discovery 1.0 §4). The
 * client tries the second URL only when the first answers 404, so Microsoft tenants and the
 * sandbox cost one request. */
char **
mr_oidc_discovery_urls (const char *authority)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = NULL;
  gsize len;
  const char *host;

  g_return_val_if_fail (authority != NULL, NULL);

  uri = g_uri_parse (authority, G_URI_FLAGS_ENCODED, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host == NULL)
    {
      /* Not a URL: keep the old behaviour so that the request fails with a clear message. */
      g_ptr_array_add (urls, g_strconcat (authority, "/v2.0" WELL_KNOWN, NULL));
      g_ptr_array_add (urls, NULL);
      return (char **) g_ptr_array_free (g_steal_pointer (&urls), FALSE);
    }
  path = g_strdup (g_uri_get_path (uri));
  len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    path[--len] = '\0';

  if (g_str_has_suffix (path, WELL_KNOWN))
    g_ptr_array_add (urls, with_path (uri, path, ""));
  else if (g_str_has_suffix (path, "/v2.0"))
    g_ptr_array_add (urls, with_path (uri, path, WELL_KNOWN));
  else if (is_microsoft_host (host))
    g_ptr_array_add (urls, with_path (uri, path, "/v2.0" WELL_KNOWN));
  /* Only the order of the guesses, not trust: the name is fine here (settings allow plain http
   * to IP literals only). */
  else if (mr_host_is_loopback_or_localhost (host))
    {
      g_ptr_array_add (urls, with_path (uri, path, "/v2.0" WELL_KNOWN));
      g_ptr_array_add (urls, with_path (uri, path, WELL_KNOWN));
    }
  else
    {
      g_ptr_array_add (urls, with_path (uri, path, WELL_KNOWN));
      g_ptr_array_add (urls, with_path (uri, path, "/v2.0" WELL_KNOWN));
    }
  g_ptr_array_add (urls, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&urls), FALSE);
}

static gboolean
is_absolute_web_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL || (uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL)) == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  return (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "http") == 0)
         && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

/* Copies a required URL member of the discovery document; @message (N_) says it is missing. */
static gboolean
take_discovery_url (JsonObject  *root,
                    const char  *member,
                    const char  *message,
                    char       **out,
                    GError     **error)
{
  const char *value = mr_json_get_string (root, member);

  if (!is_absolute_web_url (value))
    {
      g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE, _(message));
      return FALSE;
    }
  *out = g_strdup (value);
  return TRUE;
}

#define ENTRA_TOKEN_PATH  "/oauth2/v2.0/token"
#define ENTRA_DEVICE_PATH "/oauth2/v2.0/devicecode"

/* The device authorization endpoint (RFC 8628 §4): the document's, else one derived from the
 * token endpoint. Entra's v2.0 documents name it, but an External ID tenant's is not published
 * and the device grant lives at {authority}/oauth2/v2.0/devicecode beside the token endpoint on
 * every Entra host. So a token endpoint that ends in Entra's /oauth2/v2.0/token (no query: B2C's
 * ?p= form has none) gives the sibling path; any other provider without the member offers no
 * sign-in with a phone (NULL), rather than a guessed address on someone else's server. A B2C
 * path-form endpoint is derived too and then fails with the provider's own answer, which the
 * device request turns into a sentence. */
static char *
device_endpoint (const char *advertised,
                 const char *token_endpoint)
{
  if (is_absolute_web_url (advertised))
    return g_strdup (advertised);
  if (token_endpoint != NULL && g_str_has_suffix (token_endpoint, ENTRA_TOKEN_PATH))
    {
      g_autofree char *stem = g_strndup (token_endpoint,
                                         strlen (token_endpoint) - strlen (ENTRA_TOKEN_PATH));

      return g_strconcat (stem, ENTRA_DEVICE_PATH, NULL);
    }
  return NULL;
}

MrOidcDiscovery *
mr_oidc_discovery_parse (GBytes  *body,
                         GError **error)
{
  g_autoptr(MrOidcDiscovery) discovery = NULL;
  g_autoptr(JsonObject) root = NULL;
  const char *end_session;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = mr_json_parse_object (body, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                               "the sign-in service", error);
  if (root == NULL)
    return NULL;

  discovery = g_new0 (MrOidcDiscovery, 1);
  if (!take_discovery_url (root, "issuer",
                           N_("The sign-in service sent a configuration the app cannot use (no "
                              "issuer)."), &discovery->issuer, error)
      || !take_discovery_url (root, "authorization_endpoint",
                              N_("The sign-in service sent a configuration the app cannot use (no "
                                 "sign-in page)."), &discovery->authorization_endpoint, error)
      || !take_discovery_url (root, "token_endpoint",
                              N_("The sign-in service sent a configuration the app cannot use (no "
                                 "token endpoint)."), &discovery->token_endpoint, error)
      || !take_discovery_url (root, "jwks_uri",
                              N_("The sign-in service sent a configuration the app cannot use (no "
                                 "key list)."), &discovery->jwks_uri, error))
    return NULL;

  end_session = mr_json_get_string (root, "end_session_endpoint");
  if (is_absolute_web_url (end_session))
    discovery->end_session_endpoint = g_strdup (end_session);
  discovery->device_authorization_endpoint =
    device_endpoint (mr_json_get_string (root, "device_authorization_endpoint"),
                     discovery->token_endpoint);
  return g_steal_pointer (&discovery);
}

/* TRUE for https, or http to a loopback IP literal when @http_allowed. */
static gboolean
is_endpoint_secure (const char *url,
                    gboolean    http_allowed)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL) : NULL;

  if (uri == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0)
    return TRUE;
  return http_allowed && g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0
         && mr_host_is_loopback (g_uri_get_host (uri));
}

gboolean
mr_oidc_discovery_check_endpoints (const MrOidcDiscovery  *discovery,
                                   const char             *authority,
                                   GError                **error)
{
  const char *endpoints[] = {
    discovery->authorization_endpoint, discovery->token_endpoint, discovery->jwks_uri,
    discovery->end_session_endpoint, discovery->device_authorization_endpoint,
  };
  gboolean local = !is_endpoint_secure (authority, FALSE) && is_endpoint_secure (authority, TRUE);

  for (gsize i = 0; i < G_N_ELEMENTS (endpoints); i++)
    if (endpoints[i] != NULL && !is_endpoint_secure (endpoints[i], local))
      {
        g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                             _("The sign-in service's configuration names an address without "
                               "https://. Ask your administrator to check the sign-in "
                               "authority."));
        return FALSE;
      }
  return TRUE;
}

void
mr_oidc_discovery_free (MrOidcDiscovery *discovery)
{
  if (discovery == NULL)
    return;
  g_free (discovery->issuer);
  g_free (discovery->authorization_endpoint);
  g_free (discovery->token_endpoint);
  g_free (discovery->jwks_uri);
  g_free (discovery->end_session_endpoint);
  g_free (discovery->device_authorization_endpoint);
  g_free (discovery);
}

/* ---- PKCE, state and nonce ------------------------------------------------------------------ */

char *
mr_pkce_challenge_s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_return_val_if_fail (verifier != NULL, NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &digest_len);
  return mr_base64url_encode (digest, digest_len);
}

MrAuthRequest *
mr_auth_request_new (void)
{
  MrAuthRequest *request = g_new0 (MrAuthRequest, 1);

  request->state = mr_random_token (24);
  request->nonce = mr_random_token (24);
  /* 32 bytes give the 43 characters RFC 7636 asks for at least. */
  request->code_verifier = mr_random_token (32);
  request->code_challenge = mr_pkce_challenge_s256 (request->code_verifier);
  return request;
}

void
mr_auth_request_free (MrAuthRequest *request)
{
  if (request == NULL)
    return;
  mr_secure_free_string (request->state);
  mr_secure_free_string (request->nonce);
  mr_secure_free_string (request->code_verifier);
  g_free (request->code_challenge);
  g_free (request->redirect_uri);
  g_free (request);
}

/* ---- Authorize URL -------------------------------------------------------------------------- */

static void
append_param (GString    *query,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_printf (query, "%s=%s", name, escaped);
}

char *
mr_oidc_build_authorize_url (const MrOidcDiscovery *discovery,
                             const MrConfig        *config,
                             const MrAuthRequest   *request,
                             const char            *prompt,
                             const char            *login_hint)
{
  return mr_oidc_build_authorize_url_full (discovery, config, request, prompt, login_hint, NULL);
}

char *
mr_oidc_dup_sign_in_scope (const MrConfig *config)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) scopes = NULL;

  if (config->scopes != NULL)
    g_strv_builder_addv (builder, (const char **) config->scopes);
  else
    g_strv_builder_add (builder, "openid");
  if (config->scopes == NULL
      || !g_strv_contains ((const char * const *) config->scopes, "offline_access"))
    g_strv_builder_add (builder, "offline_access");
  scopes = g_strv_builder_end (builder);
  return g_strjoinv (" ", scopes);
}

char *
mr_oidc_build_authorize_url_full (const MrOidcDiscovery *discovery,
                                  const MrConfig        *config,
                                  const MrAuthRequest   *request,
                                  const char            *prompt,
                                  const char            *login_hint,
                                  const char            *ui_locales)
{
  g_autoptr(GUri) endpoint = NULL;
  g_autoptr(GUri) result = NULL;
  g_autoptr(GString) query = NULL;
  g_autofree char *scope = NULL;
  const char *existing;

  g_return_val_if_fail (discovery != NULL && discovery->authorization_endpoint != NULL, NULL);
  g_return_val_if_fail (config != NULL && config->client_id != NULL, NULL);
  g_return_val_if_fail (config->redirect_uri != NULL, NULL);
  g_return_val_if_fail (request != NULL, NULL);

  endpoint = g_uri_parse (discovery->authorization_endpoint, G_URI_FLAGS_ENCODED, NULL);
  g_return_val_if_fail (endpoint != NULL, NULL);

  /* B2C names its policy in the endpoint's own query (?p=…); it must survive. */
  existing = g_uri_get_query (endpoint);
  query = g_string_new (existing != NULL ? existing : "");
  scope = mr_oidc_dup_sign_in_scope (config);

  append_param (query, "client_id", config->client_id);
  append_param (query, "response_type", "code");
  append_param (query, "redirect_uri",
                request->redirect_uri ? request->redirect_uri : config->redirect_uri);
  append_param (query, "scope", scope);
  append_param (query, "state", request->state);
  append_param (query, "nonce", request->nonce);
  append_param (query, "code_challenge", request->code_challenge);
  append_param (query, "code_challenge_method", "S256");
  if (prompt != NULL && *prompt != '\0')
    append_param (query, "prompt", prompt);
  if (login_hint != NULL && *login_hint != '\0')
    append_param (query, "login_hint", login_hint);
  if (ui_locales != NULL && *ui_locales != '\0')
    append_param (query, "ui_locales", ui_locales);

  result = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (endpoint),
                        g_uri_get_userinfo (endpoint), g_uri_get_host (endpoint),
                        g_uri_get_port (endpoint), g_uri_get_path (endpoint), query->str,
                        g_uri_get_fragment (endpoint));
  return g_uri_to_string (result);
}

/* "es_ES.UTF-8@euro" -> "es-ES"; NULL for the C locale or for anything that is not a tag. */
static char *
language_tag (const char *name)
{
  g_autofree char *tag = g_strndup (name, strcspn (name, ".@"));

  if (*tag == '\0' || g_str_equal (tag, "C") || g_str_equal (tag, "POSIX"))
    return NULL;
  for (char *c = tag; *c != '\0'; c++)
    {
      if (*c == '_')
        *c = '-';
      else if (!g_ascii_isalnum (*c) && *c != '-')
        return NULL;
    }
  return g_steal_pointer (&tag);
}

char *
mr_oidc_ui_locales_from_names (const char * const *names)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (names != NULL, NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *tag = language_tag (names[i]);

      if (tag != NULL && !g_ptr_array_find_with_equal_func (tags, tag, g_str_equal, NULL))
        g_ptr_array_add (tags, g_steal_pointer (&tag));
    }
  if (tags->len == 0)
    return NULL;
  g_ptr_array_add (tags, NULL);
  return g_strjoinv (" ", (char **) tags->pdata);
}

/* ---- Sign-out URL --------------------------------------------------------------------------- */

char *
mr_oidc_build_end_session_url (const MrOidcDiscovery *discovery,
                               const char            *id_token_hint,
                               const char            *post_logout_redirect_uri)
{
  g_autoptr(GUri) endpoint = NULL;
  g_autoptr(GUri) result = NULL;
  g_autoptr(GString) query = NULL;
  const char *existing;

  g_return_val_if_fail (discovery != NULL, NULL);

  if (discovery->end_session_endpoint == NULL
      || (endpoint = g_uri_parse (discovery->end_session_endpoint, G_URI_FLAGS_ENCODED,
                                  NULL)) == NULL)
    return NULL;
  /* B2C names its policy in the endpoint's own query (?p=…); it must survive. */
  existing = g_uri_get_query (endpoint);
  query = g_string_new (existing != NULL ? existing : "");
  if (id_token_hint != NULL && *id_token_hint != '\0')
    append_param (query, "id_token_hint", id_token_hint);
  if (post_logout_redirect_uri != NULL && *post_logout_redirect_uri != '\0')
    append_param (query, "post_logout_redirect_uri", post_logout_redirect_uri);

  result = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (endpoint),
                        g_uri_get_userinfo (endpoint), g_uri_get_host (endpoint),
                        g_uri_get_port (endpoint), g_uri_get_path (endpoint),
                        query->len > 0 ? query->str : NULL, g_uri_get_fragment (endpoint));
  return g_uri_to_string (result);
}

/* ---- Callback ------------------------------------------------------------------------------- */

static int
default_port (const char *scheme)
{
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    return 80;
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return 443;
  return -1;
}

static int
effective_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  return port != -1 ? port : default_port (g_uri_get_scheme (uri));
}

static const char *
effective_path (GUri *uri)
{
  const char *path = g_uri_get_path (uri);

  return *path != '\0' ? path : "/";
}

gboolean
mr_oidc_is_redirect (const char *redirect_uri,
                     const char *uri)
{
  g_autoptr(GUri) expected = NULL;
  g_autoptr(GUri) actual = NULL;

  if (redirect_uri == NULL || uri == NULL)
    return FALSE;
  /* Encoded: an escaped '/' stays escaped, so "/auth/callback%2Fx" is not "/auth/callback/x". */
  expected = g_uri_parse (redirect_uri, G_URI_FLAGS_ENCODED, NULL);
  actual = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (expected == NULL || actual == NULL)
    return FALSE;

  return g_uri_get_userinfo (actual) == NULL
         && g_ascii_strcasecmp (g_uri_get_scheme (expected), g_uri_get_scheme (actual)) == 0
         && g_uri_get_host (expected) != NULL && g_uri_get_host (actual) != NULL
         && g_ascii_strcasecmp (g_uri_get_host (expected), g_uri_get_host (actual)) == 0
         && effective_port (expected) == effective_port (actual)
         && strcmp (effective_path (expected), effective_path (actual)) == 0;
}

/* Compares without leaking through timing how much of a guessed state matched. */
gboolean
mr_oidc_secret_equal (const char *a,
                      const char *b)
{
  gsize len_a, len_b;
  guchar diff = 0;

  if (a == NULL || b == NULL)
    return FALSE;
  len_a = strlen (a);
  len_b = strlen (b);
  for (gsize i = 0; i < len_a; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i % MAX (len_b, 1)];
  return diff == 0 && len_a == len_b;
}

/* Reads the query into a table, refusing bad encoding and any parameter given twice. */
static GHashTable *
parse_query (const char  *query,
             GError     **error)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GUriParamsIter iter;
  char *name, *value;
  g_autoptr(GError) local_error = NULL;

  if (query == NULL)
    return g_steal_pointer (&params);
  g_uri_params_iter_init (&iter, query, -1, "&", G_URI_PARAMS_WWW_FORM);
  while (g_uri_params_iter_next (&iter, &name, &value, &local_error))
    {
      if (g_hash_table_contains (params, name))
        {
          g_free (name);
          g_free (value);
          g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CALLBACK,
                               _("The sign-in answer was not in the expected form."));
          return NULL;
        }
      g_hash_table_insert (params, name, value);
    }
  if (local_error != NULL)
    {
      g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CALLBACK,
                           _("The sign-in answer could not be read."));
      return NULL;
    }
  return g_steal_pointer (&params);
}

static void
set_state_error (GError **error)
{
  g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_STATE,
                       _("The sign-in answer did not match this sign-in; please try again."));
}

char *
mr_oidc_parse_callback (const char  *redirect_uri,
                        const char  *uri,
                        const char  *expected_state,
                        GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GHashTable) params = NULL;
  const char *state, *error_code, *code;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!mr_oidc_is_redirect (redirect_uri, uri)
      || (parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL)) == NULL)
    {
      g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CALLBACK,
                           _("The sign-in ended at an unexpected address."));
      return NULL;
    }
  if ((params = parse_query (g_uri_get_query (parsed), error)) == NULL)
    return NULL;

  state = g_hash_table_lookup (params, "state");
  error_code = g_hash_table_lookup (params, "error");
  if (error_code != NULL)
    {
      if (state != NULL && !mr_oidc_secret_equal (state, expected_state))
        set_state_error (error);
      else
        g_propagate_error (error, mr_aadsts_error_new (error_code,
                                                       g_hash_table_lookup (params,
                                                                            "error_description"),
                                                       NULL, redirect_uri));
      return NULL;
    }
  if (state == NULL || !mr_oidc_secret_equal (state, expected_state))
    {
      set_state_error (error);
      return NULL;
    }
  code = g_hash_table_lookup (params, "code");
  if (code == NULL || *code == '\0')
    {
      g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CALLBACK,
                           _("The sign-in answer did not contain a sign-in code."));
      return NULL;
    }
  return g_strdup (code);
}

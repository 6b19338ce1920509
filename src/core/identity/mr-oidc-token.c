/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Token endpoint answers and ID-token claims: split from mr-oidc.c, same header. */
#include "mr-oidc.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-aadsts.h"
#include "mr-oidc-private.h"
#include "mr-secure.h"
#include "mr-util.h"

/* ---- Token response ------------------------------------------------------------------------- */

/* The token endpoint's error body, mapped by mr-aadsts.c like the callback's error. */
static void
set_token_error (guint        status,
                 GBytes      *body,
                 const char  *redirect_uri,
                 GError     **error)
{
  g_autoptr(JsonObject) root = NULL;
  JsonNode *codes;
  const char *error_code;

  root = mr_json_parse_object (body, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                               "the sign-in service", NULL);
  error_code = root != NULL ? mr_json_get_string (root, "error") : NULL;
  if (error_code == NULL)
    {
      g_set_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                   _("The sign-in service answered with an error the app cannot read (HTTP %u)."),
                   status);
      return;
    }
  codes = json_object_get_member (root, "error_codes");
  g_debug ("Token endpoint answered HTTP %u with error %s", status, error_code);
  g_propagate_error (error, mr_aadsts_error_new (error_code,
                                                 mr_json_get_string (root, "error_description"),
                                                 codes != NULL && JSON_NODE_HOLDS_ARRAY (codes)
                                                 ? json_node_get_array (codes) : NULL,
                                                 redirect_uri));
}

/* expires_in as a number, or a string of digits as some providers send it. */
static gboolean
read_expires_in (JsonObject *root,
                 gint64     *out)
{
  JsonNode *node = json_object_get_member (root, "expires_in");
  const char *text;

  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      text = json_node_get_string (node);
      if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT32, out, NULL))
        return FALSE;
    }
  else
    return FALSE;
  return *out >= 0;
}

/* @message is translated. */
static gboolean
bad_token_answer (const char  *message,
                  GError     **error)
{
  g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE, message);
  return FALSE;
}

static gboolean
fill_token_set (MrTokenSet  *tokens,
                JsonObject  *root,
                gboolean     need_id_token,
                GError     **error)
{
  const char *access_token = mr_json_get_string (root, "access_token");
  const char *id_token = mr_json_get_string (root, "id_token");
  const char *token_type = mr_json_get_string (root, "token_type");

  if (access_token == NULL || *access_token == '\0')
    return bad_token_answer (_("The sign-in service sent an answer the app cannot use (no access "
                               "token)."), error);
  if (need_id_token && (id_token == NULL || *id_token == '\0'))
    return bad_token_answer (_("The sign-in service sent an answer the app cannot use (no identity "
                               "token)."), error);
  if (token_type == NULL || g_ascii_strcasecmp (token_type, "Bearer") != 0)
    return bad_token_answer (_("The sign-in service sent an answer the app cannot use (unknown "
                               "token type)."), error);
  if (!read_expires_in (root, &tokens->expires_in))
    return bad_token_answer (_("The sign-in service sent an answer the app cannot use (unreadable "
                               "lifetime)."), error);

  tokens->access_token = g_strdup (access_token);
  tokens->id_token = id_token != NULL && *id_token != '\0' ? g_strdup (id_token) : NULL;
  tokens->token_type = g_strdup (token_type);
  tokens->refresh_token = g_strdup (mr_json_get_string (root, "refresh_token"));
  tokens->scope = g_strdup (mr_json_get_string (root, "scope"));
  return TRUE;
}

MrTokenSet *
mr_oidc_parse_token_response_full (guint        status,
                                   GBytes      *body,
                                   const char  *redirect_uri,
                                   gboolean     need_id_token,
                                   GError     **error)
{
  g_autoptr(MrTokenSet) tokens = NULL;
  g_autoptr(JsonObject) root = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      set_token_error (status, body, redirect_uri, error);
      return NULL;
    }
  root = mr_json_parse_object (body, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                               "the sign-in service", error);
  if (root == NULL)
    return NULL;
  tokens = g_new0 (MrTokenSet, 1);
  if (!fill_token_set (tokens, root, need_id_token, error))
    return NULL;
  return g_steal_pointer (&tokens);
}

void
mr_token_set_free (MrTokenSet *tokens)
{
  if (tokens == NULL)
    return;
  /* Freed heap memory is not cleared: a later crash or swap could still show the tokens. */
  mr_secure_free_string (tokens->access_token);
  mr_secure_free_string (tokens->id_token);
  mr_secure_free_string (tokens->refresh_token);
  g_free (tokens->token_type);
  g_free (tokens->scope);
  g_clear_pointer (&tokens->claims, json_object_unref);
  g_free (tokens);
}

/* ---- ID token claims ------------------------------------------------------------------------ */

static gboolean
id_token_error (const char  *message,
                GError     **error)
{
  g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN, message);
  return FALSE;
}

/* Reads a NumericDate claim; FALSE when absent or not a number. */
static gboolean
get_time_claim (JsonObject *claims,
                const char *name,
                gint64     *out)
{
  JsonNode *node = json_object_get_member (claims, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* Past ±2^63 (1e300, say) the cast is undefined behaviour; such a time is no time at all. */
      if (!(value > -9.2e18 && value < 9.2e18))
        return FALSE;
      *out = (gint64) value;
    }
  else
    return FALSE;
  return TRUE;
}

static gboolean
check_audience (JsonObject *claims,
                const char *client_id)
{
  JsonNode *aud = json_object_get_member (claims, "aud");
  JsonArray *array;
  gboolean found = FALSE;

  if (aud == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (aud))
    return g_strcmp0 (mr_json_get_string (claims, "aud"), client_id) == 0;
  if (!JSON_NODE_HOLDS_ARRAY (aud))
    return FALSE;

  array = json_node_get_array (aud);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING
          && g_strcmp0 (json_node_get_string (element), client_id) == 0)
        found = TRUE;
    }
  /* With several audiences, the authorized party must be this app. */
  if (found && json_array_get_length (array) > 1)
    return g_strcmp0 (mr_json_get_string (claims, "azp"), client_id) == 0;
  return found;
}

static gboolean
check_times (JsonObject            *claims,
             const MrIdTokenExpect *expect,
             GError               **error)
{
  gint64 now = expect->now != 0 ? expect->now : g_get_real_time () / G_USEC_PER_SEC;
  gint64 skew = MAX (expect->skew, 0);
  gint64 exp, nbf, iat;

  if (!get_time_claim (claims, "exp", &exp))
    return id_token_error (_("The identity token has no expiry time."), error);
  if (exp <= now - skew)
    return id_token_error (_("The identity token has expired; check this computer's "
                             "clock."), error);
  if (json_object_has_member (claims, "nbf")
      && (!get_time_claim (claims, "nbf", &nbf) || nbf > now + skew))
    return id_token_error (_("The identity token is not valid yet; check this computer's clock."),
                           error);
  if (!get_time_claim (claims, "iat", &iat))
    return id_token_error (_("The identity token has no issue time."), error);
  if (iat > now + skew)
    return id_token_error (_("The identity token was issued in the future; check this computer's "
                             "clock."), error);
  return TRUE;
}

gboolean
mr_id_token_check_claims (JsonObject            *claims,
                          const MrIdTokenExpect *expect,
                          GError               **error)
{
  g_return_val_if_fail (claims != NULL, FALSE);
  g_return_val_if_fail (expect != NULL && expect->issuer != NULL, FALSE);
  g_return_val_if_fail (expect->client_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_strcmp0 (mr_json_get_string (claims, "iss"), expect->issuer) != 0)
    return id_token_error (_("The identity token comes from a different sign-in service."), error);
  if (!check_audience (claims, expect->client_id))
    return id_token_error (_("The identity token was issued to a different app."), error);
  if (!check_times (claims, expect, error))
    return FALSE;
  /* A refreshed ID token carries no nonce; callers then pass NULL. */
  if (expect->nonce != NULL
      && !mr_oidc_secret_equal (mr_json_get_string (claims, "nonce"), expect->nonce))
    return id_token_error (_("The identity token does not belong to this sign-in."), error);
  if (expect->tenant_id != NULL && *expect->tenant_id != '\0'
      && g_ascii_strcasecmp (mr_json_get_string (claims, "tid") ?: "", expect->tenant_id) != 0)
    return id_token_error (_("The identity token belongs to a different organization."), error);
  return TRUE;
}

/* ---- Claims against discovery and settings -------------------------------------------------- */

/* A tid that may be put into an issuer template: a GUID's characters only. */
static gboolean
is_tenant_id_shaped (const char *tid)
{
  if (tid == NULL || *tid == '\0' || strlen (tid) > 64)
    return FALSE;
  for (const char *p = tid; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* TRUE when @issuer has @tenant_id as one whole path segment (B2C: https://{t}.b2clogin.com/
 * {tenant-id}/v2.0/). */
static gboolean
issuer_names_tenant (const char *issuer,
                     const char *tenant_id)
{
  g_autoptr(GUri) uri = g_uri_parse (issuer, G_URI_FLAGS_ENCODED, NULL);
  g_auto(GStrv) segments = NULL;

  if (uri == NULL)
    return FALSE;
  segments = g_strsplit (g_uri_get_path (uri), "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    if (g_ascii_strcasecmp (segments[i], tenant_id) == 0)
      return TRUE;
  return FALSE;
}

gboolean
mr_oidc_check_id_token_claims (const MrOidcDiscovery *discovery,
                               const MrConfig        *config,
                               JsonObject            *claims,
                               const char            *nonce,
                               gint64                 now,
                               GError               **error)
{
  g_autoptr(GString) issuer = NULL;
  MrIdTokenExpect expect = { 0 };
  const char *tid, *tenant_id;
  gboolean templated;

  g_return_val_if_fail (discovery != NULL && discovery->issuer != NULL, FALSE);
  g_return_val_if_fail (config != NULL && config->client_id != NULL, FALSE);
  g_return_val_if_fail (claims != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tid = mr_json_get_string (claims, "tid");
  tenant_id = config->tenant_id;
  templated = strstr (discovery->issuer, "{tenantid}") != NULL;
  issuer = g_string_new (discovery->issuer);

  /* Multi-tenant documents (common, organizations) name the issuer with a {tenantid} template;
   * the token's tid fills it, and the signature vouches for that tid. The tid check below then
   * still holds it to the configured tenant. */
  if (templated && !is_tenant_id_shaped (tid))
    {
      g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN,
                           _("The identity token does not say which organization issued it."));
      return FALSE;
    }
  if (templated)
    g_string_replace (issuer, "{tenantid}", tid, 0);
  /* B2C tokens carry no tid; their issuer, equal to the document's, names the tenant. */
  if (tid == NULL && !templated && tenant_id != NULL && *tenant_id != '\0'
      && issuer_names_tenant (discovery->issuer, tenant_id))
    tenant_id = NULL;

  expect.issuer = issuer->str;
  expect.client_id = config->client_id;
  expect.nonce = nonce;
  expect.tenant_id = tenant_id;
  expect.now = now;
  expect.skew = MR_ID_TOKEN_SKEW;
  return mr_id_token_check_claims (claims, &expect, error);
}

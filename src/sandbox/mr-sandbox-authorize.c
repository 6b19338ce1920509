/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The authorization endpoint: checks a request like Entra, shows the sign-in page, issues codes. */
#include "mr-sandbox-handlers.h"

#include "mr-sandbox-http.h"
#include "mr-sandbox-page.h"
#include "mr-sandbox-private.h"
#include "mr-sandbox-tenant.h"

#define CODE_LIFETIME_S 300
#define S256_LENGTH     43   /* base64url of 32 bytes, no padding */

/* ---- answers ----------------------------------------------------------------------------- */

static void
set_page_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; "
                                "script-src 'unsafe-inline'; frame-ancestors 'none'");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
}

static void
respond_error_page (SoupServerMessage *msg,
                    guint              status,
                    const char        *text)
{
  g_autofree char *page = mr_sandbox_page_message ("Sign-in error", text);

  set_page_headers (msg);
  mr_sandbox_respond_text (msg, status, "text/html; charset=utf-8", page);
}

static void
respond_sign_in_page (SoupServerMessage *msg,
                      GHashTable        *params,
                      const char        *email,
                      const char        *error_text)
{
  g_autofree char *page = mr_sandbox_page_sign_in (params, email, error_text);

  set_page_headers (msg);
  mr_sandbox_respond_text (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", page);
}

static void
append_param (GString    *url,
              const char *key,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_printf (url, "%s%s=%s", strchr (url->str, '?') ? "&" : "?", key, escaped);
}

/* 302 to the redirect URI with @key=@value (twice) and the request's state. */
static void
redirect_back (SoupServerMessage *msg,
               GHashTable        *params,
               const char        *key1,
               const char        *value1,
               const char        *key2,
               const char        *value2)
{
  g_autoptr(GString) url = g_string_new (g_hash_table_lookup (params, "redirect_uri"));
  const char *state = g_hash_table_lookup (params, "state");

  append_param (url, key1, value1);
  if (key2 != NULL)
    append_param (url, key2, value2);
  if (state != NULL)
    append_param (url, "state", state);
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, url->str);
}

static void
redirect_error (SoupServerMessage *msg,
                GHashTable        *params,
                const char        *error,
                const char        *description)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%SZ");
  g_autofree char *trace = mr_sandbox_random_uuid ();
  g_autofree char *correlation = mr_sandbox_random_uuid ();
  g_autofree char *text = g_strdup_printf ("%s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\n"
                                           "Timestamp: %s", description, trace, correlation,
                                           timestamp);

  redirect_back (msg, params, "error", error, "error_description", text);
}

/* ---- checks ------------------------------------------------------------------------------ */

/* Errors that cannot go back to the app (unknown client, unusable redirect URI) get a page. */
static gboolean
check_client_and_redirect (SoupServerMessage *msg,
                           GHashTable        *params)
{
  const char *client_id = g_hash_table_lookup (params, "client_id");
  const char *redirect_uri = g_hash_table_lookup (params, "redirect_uri");
  g_autofree char *text = NULL;

  if (client_id == NULL)
    text = g_strdup ("AADSTS900144: The request body must contain the following parameter: "
                     "'client_id'.");
  else if (!g_str_equal (client_id, MR_SANDBOX_CLIENT_ID))
    text = g_strdup_printf ("AADSTS700016: Application with identifier '%s' was not found in "
                            "the directory '%s'.", client_id, MR_SANDBOX_TENANT_ID);
  else if (redirect_uri == NULL)
    text = g_strdup ("AADSTS900144: The request body must contain the following parameter: "
                     "'redirect_uri'.");
  else if (!mr_sandbox_redirect_uri_is_registered (redirect_uri))
    text = g_strdup_printf ("AADSTS50011: The redirect URI '%s' specified in the request does "
                            "not match the redirect URIs configured for the application '%s'. "
                            "The sandbox registers http://localhost:5000/auth/callback and "
                            "http://127.0.0.1/auth/callback (any port).", redirect_uri,
                            MR_SANDBOX_CLIENT_ID);
  if (text == NULL)
    return TRUE;
  respond_error_page (msg, SOUP_STATUS_BAD_REQUEST, text);
  return FALSE;
}

static gboolean
check_request (SoupServerMessage *msg,
               GHashTable        *params)
{
  const char *response_type = g_hash_table_lookup (params, "response_type");
  const char *challenge = g_hash_table_lookup (params, "code_challenge");
  const char *method = g_hash_table_lookup (params, "code_challenge_method");
  const char *text = NULL;

  if (g_strcmp0 (response_type, "code") != 0)
    text = "AADSTS700054: The sandbox only supports response_type 'code'.";
  else if (challenge == NULL)
    text = "AADSTS900144: The request body must contain the following parameter: "
           "'code_challenge'. The sandbox requires PKCE.";
  else if (g_strcmp0 (method, "S256") != 0)
    text = "AADSTS501481: The sandbox requires code_challenge_method 'S256'.";
  else if (strlen (challenge) != S256_LENGTH)
    text = "AADSTS501491: Invalid size of Code_Challenge parameter.";
  if (text == NULL)
    return TRUE;
  redirect_error (msg, params, "invalid_request", text);
  return FALSE;
}

/* ---- sign-in ----------------------------------------------------------------------------- */

static char *
issue_code (MrSandbox           *self,
            GHashTable          *params,
            const MrSandboxUser *user)
{
  MrSandboxCode *code = g_new0 (MrSandboxCode, 1);

  code->user = user;
  code->client_id = g_strdup (g_hash_table_lookup (params, "client_id"));
  code->redirect_uri = g_strdup (g_hash_table_lookup (params, "redirect_uri"));
  code->code_challenge = g_strdup (g_hash_table_lookup (params, "code_challenge"));
  code->nonce = g_strdup (g_hash_table_lookup (params, "nonce"));
  code->scope = g_strdup (g_hash_table_lookup (params, "scope"));
  code->expires = g_get_real_time () + CODE_LIFETIME_S * G_USEC_PER_SEC;
  return mr_sandbox_tenant_add_code (&self->tenant, code);
}

static void
sign_in (MrSandbox         *self,
         SoupServerMessage *msg,
         GHashTable        *params)
{
  const char *email = g_hash_table_lookup (params, "email");
  const char *password = g_hash_table_lookup (params, "password");
  const MrSandboxUser *user = email ? mr_sandbox_find_user (email) : NULL;
  g_autofree char *code = NULL;
  g_autofree char *unconsented = NULL;

  if (g_hash_table_contains (params, "cancel"))
    {
      redirect_error (msg, params, "access_denied",
                      "AADSTS65004: User declined to sign in to the app.");
      return;
    }
  if (user == NULL || g_strcmp0 (password, MR_SANDBOX_PASSWORD) != 0)
    {
      respond_sign_in_page (msg, params, email,
                            "Your email address or password is incorrect. Try one of the demo "
                            "patients below.");
      return;
    }
  /* The sandbox has no consent page: a Graph permission the account never consented to goes
   * back as Entra's answer when consent cannot be given (AADSTS65001). */
  unconsented = mr_sandbox_first_unconsented (user, g_hash_table_lookup (params, "scope"));
  if (unconsented != NULL)
    {
      g_autofree char *text = g_strdup_printf ("AADSTS65001: The user or administrator has not "
                                               "consented to use the application with ID '%s' "
                                               "for the permission '%s'.",
                                               MR_SANDBOX_CLIENT_ID, unconsented);

      redirect_error (msg, params, "consent_required", text);
      return;
    }
  code = issue_code (self, params, user);
  redirect_back (msg, params, "code", code, NULL, NULL);
}

void
mr_sandbox_handle_authorize (MrSandbox         *self,
                             SoupServerMessage *msg,
                             GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GHashTable) params = NULL;

  if (method == SOUP_METHOD_GET)
    params = query ? g_hash_table_ref (query) : g_hash_table_new (g_str_hash, g_str_equal);
  else if (method == SOUP_METHOD_POST)
    params = mr_sandbox_decode_body (msg);
  else
    {
      respond_error_page (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                          "The sign-in page only answers GET and POST requests.");
      return;
    }

  if (!check_client_and_redirect (msg, params) || !check_request (msg, params))
    return;
  if (method == SOUP_METHOD_GET && g_strcmp0 (g_hash_table_lookup (params, "prompt"), "none") == 0)
    /* There is never a session to sign in silently with: the sandbox keeps no cookies. */
    redirect_error (msg, params, "login_required",
                    "AADSTS50058: A silent sign-in request was sent but no user is signed in.");
  else if (method == SOUP_METHOD_GET)
    respond_sign_in_page (msg, params, g_hash_table_lookup (params, "login_hint"), NULL);
  else
    sign_in (self, msg, params);
}

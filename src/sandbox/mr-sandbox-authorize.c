/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The authorization endpoint: checks a request like Entra, shows the sign-in page, keeps the
 * browser's session in a cookie as Entra does, issues codes. */
#include "mr-sandbox-handlers.h"

#include "mr-base.h"
#include "mr-sandbox-http.h"
#include "mr-sandbox-page.h"
#include "mr-sandbox-private.h"
#include "mr-sandbox-tenant.h"

#define CODE_LIFETIME_S    300
#define S256_LENGTH        43   /* base64url of 32 bytes, no padding */
#define FLOW_LIFETIME_S    600  /* how long the "Stay signed in?" page may wait */
#define SESSION_LIFETIME_S (90 * 24 * 3600)  /* Entra's persistent session: 90 days */
/* Entra's browser-session cookies: ESTSAUTH for the browser's session, ESTSAUTHPERSISTENT when
 * the person said Yes to "Stay signed in?". Both HttpOnly: page script never sees them, so only
 * a fresh network session proves that the next person is not signed in as the last one. */
#define SESSION_COOKIE     "ESTSAUTH"
#define PERSISTENT_COOKIE  "ESTSAUTHPERSISTENT"

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

/* ---- browser sessions -------------------------------------------------------------------- */

/* The account a browser's session cookie names, or NULL; *@had_cookie tells whether the request
 * carried one of the sandbox's session cookies at all (known, expired or forgotten). */
static const MrSandboxUser *
session_user (MrSandbox         *self,
              SoupServerMessage *msg,
              gboolean          *had_cookie)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *cookie = soup_message_headers_get_list (headers, "Cookie");
  g_autoptr(GHashTable) cookies = NULL;
  const char *names[] = { PERSISTENT_COOKIE, SESSION_COOKIE };

  *had_cookie = FALSE;
  if (cookie == NULL)
    return NULL;
  cookies = soup_header_parse_semi_param_list (cookie);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *value = g_hash_table_lookup (cookies, names[i]);
      MrSandboxGrant *session;

      if (value == NULL)
        continue;
      *had_cookie = TRUE;
      session = g_hash_table_lookup (self->tenant.sessions, value);
      if (session != NULL && session->expires > g_get_real_time ())
        return session->user;
    }
  return NULL;
}

static void
set_cookie (MrSandbox         *self,
            SoupServerMessage *msg,
            const char        *name,
            const char        *value,
            gboolean           persistent)
{
  gboolean https = g_str_has_prefix (self->base_url, "https:");
  g_autofree char *header = g_strdup_printf ("%s=%s; Path=/; HttpOnly%s%s", name, value,
                                             https ? "; Secure; SameSite=None" : "",
                                             persistent ? "; Max-Age=7776000" : "");

  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie",
                               header);
}

/* The browser is now signed in as @user: a session cookie, which a later authorize request that
 * carries it honours without a password. */
static void
start_session (MrSandbox           *self,
               SoupServerMessage   *msg,
               const MrSandboxUser *user)
{
  g_autofree char *value = mr_random_token (32);

  g_hash_table_insert (self->tenant.sessions, g_strdup (value),
                       mr_sandbox_grant_new (user, NULL, SESSION_LIFETIME_S));
  set_cookie (self, msg, SESSION_COOKIE, value, FALSE);
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

/* @user is signed in: back to the app with a code, unless a permission was never consented. */
static void
finish_sign_in (MrSandbox           *self,
                SoupServerMessage   *msg,
                GHashTable          *params,
                const MrSandboxUser *user)
{
  g_autofree char *code = NULL;
  g_autofree char *unconsented = NULL;

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

static void
respond_stay_signed_in (MrSandbox           *self,
                        SoupServerMessage   *msg,
                        GHashTable          *params,
                        const MrSandboxUser *user)
{
  g_autofree char *flow = mr_random_token (32);
  g_autofree char *page = NULL;

  g_hash_table_insert (self->tenant.flows, g_strdup (flow),
                       mr_sandbox_grant_new (user, NULL, FLOW_LIFETIME_S));
  page = mr_sandbox_page_stay_signed_in (params, mr_sandbox_user_sign_in_name (user), flow);
  set_page_headers (msg);
  mr_sandbox_respond_text (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", page);
}

static void
sign_in (MrSandbox         *self,
         SoupServerMessage *msg,
         GHashTable        *params)
{
  const char *email = g_hash_table_lookup (params, "email");
  const char *password = g_hash_table_lookup (params, "password");
  const MrSandboxUser *user = email ? mr_sandbox_find_user (email) : NULL;

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
  start_session (self, msg, user);
  if (g_hash_table_contains (params, "kmsi_ask"))
    respond_stay_signed_in (self, msg, params, user);
  else
    finish_sign_in (self, msg, params, user);
}

/* The answer to "Stay signed in?": Yes makes the session outlive the browser (a persistent
 * cookie); either way the sign-in goes back to the app. */
static void
stay_signed_in (MrSandbox         *self,
                SoupServerMessage *msg,
                GHashTable        *params)
{
  const char *flow_token = g_hash_table_lookup (params, "flow_token");
  MrSandboxGrant *flow = flow_token ? g_hash_table_lookup (self->tenant.flows, flow_token) : NULL;
  const MrSandboxUser *user;

  if (flow == NULL || flow->expires < g_get_real_time ())
    {
      respond_error_page (msg, SOUP_STATUS_BAD_REQUEST,
                          "AADSTS90072: The sign-in took too long or was already finished. "
                          "Sign in again.");
      return;
    }
  user = flow->user;
  g_hash_table_remove (self->tenant.flows, flow_token);
  if (g_strcmp0 (g_hash_table_lookup (params, "kmsi"), "yes") == 0)
    {
      g_autofree char *value = mr_random_token (32);

      g_hash_table_insert (self->tenant.sessions, g_strdup (value),
                           mr_sandbox_grant_new (user, NULL, SESSION_LIFETIME_S));
      set_cookie (self, msg, PERSISTENT_COOKIE, value, TRUE);
    }
  finish_sign_in (self, msg, params, user);
}

/* "Pick an account": the signed-in account (no password), or the sign-in page for another. */
static void
pick_account (MrSandbox           *self,
              SoupServerMessage   *msg,
              GHashTable          *params,
              const MrSandboxUser *user)
{
  if (user != NULL && g_strcmp0 (g_hash_table_lookup (params, "pick"), "session") == 0)
    finish_sign_in (self, msg, params, user);
  else
    respond_sign_in_page (msg, params, NULL, NULL);
}

/* A GET: what Entra does with the browser's session. prompt=none signs in silently or answers
 * login_required; prompt=login asks for the password again, the account already filled in; no
 * prompt offers the signed-in account to pick. */
static void
show_sign_in (MrSandbox           *self,
              SoupServerMessage   *msg,
              GHashTable          *params,
              const MrSandboxUser *user)
{
  const char *prompt = g_hash_table_lookup (params, "prompt");
  const char *email = g_hash_table_lookup (params, "login_hint");

  if (g_strcmp0 (prompt, "none") == 0)
    {
      if (user != NULL)
        finish_sign_in (self, msg, params, user);
      else
        redirect_error (msg, params, "login_required",
                        "AADSTS50058: A silent sign-in request was sent but no user is signed "
                        "in.");
      return;
    }
  if (user != NULL && g_strcmp0 (prompt, "login") == 0)
    email = mr_sandbox_user_sign_in_name (user);
  else if (user != NULL)
    {
      g_autofree char *page = mr_sandbox_page_pick_account (params, user);

      set_page_headers (msg);
      mr_sandbox_respond_text (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", page);
      return;
    }
  respond_sign_in_page (msg, params, email, NULL);
}

void
mr_sandbox_handle_authorize (MrSandbox         *self,
                             SoupServerMessage *msg,
                             GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GHashTable) params = NULL;
  const MrSandboxUser *user;
  gboolean had_cookie;

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

  user = session_user (self, msg, &had_cookie);
  /* Only a GET starts a sign-in: the posts of its pages carry the cookie they just got. */
  if (had_cookie && method == SOUP_METHOD_GET)
    {
      g_mutex_lock (&self->lock);
      self->session_authorizes++;
      g_mutex_unlock (&self->lock);
    }
  if (!check_client_and_redirect (msg, params) || !check_request (msg, params))
    return;
  if (method == SOUP_METHOD_GET)
    show_sign_in (self, msg, params, user);
  else if (g_hash_table_contains (params, "flow_token"))
    stay_signed_in (self, msg, params);
  else if (g_hash_table_contains (params, "pick"))
    pick_account (self, msg, params, user);
  else
    sign_in (self, msg, params);
}

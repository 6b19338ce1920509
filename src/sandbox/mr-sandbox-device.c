/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The device authorization grant (RFC 8628) as Entra serves it: the device code endpoint, the
 * phone's pages (code, sign-in, Continue / Cancel), and the token endpoint's device-code states.
 * The tokens themselves are issued by mr-sandbox-idp.c, the same as after a code exchange. */
#include "mr-sandbox-handlers.h"

#include "mr-base.h"
#include "mr-sandbox-http.h"
#include "mr-sandbox-page.h"
#include "mr-sandbox-private.h"
#include "mr-sandbox-tenant.h"

/* Entra's: a code lives 15 minutes and is polled every 5 s. */
#define DEFAULT_EXPIRES_S  900
#define DEFAULT_INTERVAL_S 5
#define SLOW_DOWN_STEP_S   5

void
mr_sandbox_set_device_timing (MrSandbox *self,
                              guint      expires_s,
                              guint      interval_s)
{
  g_return_if_fail (MR_IS_SANDBOX (self));

  g_mutex_lock (&self->lock);
  self->device_expires_s = expires_s;
  self->device_interval_s = interval_s;
  g_mutex_unlock (&self->lock);
}

static void
get_timing (MrSandbox *self,
            guint     *expires_s,
            guint     *interval_s)
{
  g_mutex_lock (&self->lock);
  *expires_s = self->device_expires_s != 0 ? self->device_expires_s : DEFAULT_EXPIRES_S;
  *interval_s = self->device_interval_s != 0 ? self->device_interval_s : DEFAULT_INTERVAL_S;
  g_mutex_unlock (&self->lock);
}

/* ---- POST {tenant}/oauth2/v2.0/devicecode ------------------------------------------------- */

static void
respond_code (MrSandbox         *self,
              SoupServerMessage *msg,
              const char        *device_code,
              const MrSandboxDeviceCode *code,
              guint              expires_s)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *page = g_strdup_printf ("%s/%s/oauth2/deviceauth", self->base_url,
                                           MR_SANDBOX_TENANT_ID);
  g_autofree char *message = g_strdup_printf ("To sign in, use a web browser to open the page %s "
                                              "and enter the code %s to authenticate.", page,
                                              code->user_code);

  /* Entra's shape: no verification_uri_complete. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "user_code");
  json_builder_add_string_value (b, code->user_code);
  json_builder_set_member_name (b, "device_code");
  json_builder_add_string_value (b, device_code);
  json_builder_set_member_name (b, "verification_uri");
  json_builder_add_string_value (b, page);
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, expires_s);
  json_builder_set_member_name (b, "interval");
  json_builder_add_int_value (b, code->interval);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  mr_sandbox_respond_json (msg, SOUP_STATUS_OK, json_builder_get_root (b));
}

void
mr_sandbox_handle_devicecode (MrSandbox         *self,
                              SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *device_code = NULL;
  const char *scope;
  MrSandboxDeviceCode *code;
  guint expires_s, interval_s;

  form = mr_sandbox_public_client_form (msg);
  if (form == NULL)
    return;
  scope = g_hash_table_lookup (form, "scope");
  if (scope == NULL || *scope == '\0')
    {
      mr_sandbox_respond_missing (msg, "scope");
      return;
    }

  get_timing (self, &expires_s, &interval_s);
  code = g_new0 (MrSandboxDeviceCode, 1);
  code->client_id = g_strdup (g_hash_table_lookup (form, "client_id"));
  code->scope = g_strdup (scope);
  code->interval = interval_s;
  code->expires = g_get_real_time () + (gint64) expires_s * G_USEC_PER_SEC;
  device_code = mr_sandbox_tenant_add_device_code (&self->tenant, code);
  respond_code (self, msg, device_code, code, expires_s);
}

/* ---- the phone: GET and POST {tenant}/oauth2/deviceauth ----------------------------------- */

static void
respond_page (SoupServerMessage *msg,
              char              *page)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; "
                                "script-src 'unsafe-inline'; frame-ancestors 'none'");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  mr_sandbox_respond_text (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", page);
  g_free (page);
}

static void
respond_done (SoupServerMessage *msg,
              const char        *title,
              const char        *text)
{
  respond_page (msg, mr_sandbox_page_message (title, text));
}

/* The person typed their email and password, with the code they entered before. */
static void
sign_in_on_phone (MrSandboxDeviceCode *code,
                  SoupServerMessage   *msg,
                  GHashTable          *form)
{
  const char *email = g_hash_table_lookup (form, "email");
  const char *password = g_hash_table_lookup (form, "password");
  const MrSandboxUser *user = email != NULL ? mr_sandbox_find_user (email) : NULL;

  if (g_hash_table_contains (form, "cancel"))
    {
      code->state = MR_SANDBOX_DEVICE_DECLINED;
      respond_done (msg, "Sign-in cancelled", "You cancelled the sign-in. You can close this "
                    "window.");
      return;
    }
  if (user == NULL || g_strcmp0 (password, MR_SANDBOX_PASSWORD) != 0)
    {
      respond_page (msg, mr_sandbox_page_device_sign_in (code->user_code, email,
                                                         "Your email address or password is "
                                                         "incorrect. Try one of the demo patients "
                                                         "below."));
      return;
    }
  code->user = user;
  /* No consent page here either: the kiosk's poll gets AADSTS65001, as the token endpoint
   * answers a grant that asks for more than the account consented to. */
  code->unconsented = mr_sandbox_first_unconsented (user, code->scope);
  if (code->unconsented != NULL)
    {
      code->state = MR_SANDBOX_DEVICE_UNCONSENTED;
      respond_done (msg, "Sign-in error", "AADSTS65001: The user or administrator has not "
                    "consented to use the application.");
      return;
    }
  code->state = MR_SANDBOX_DEVICE_SIGNED_IN;
  g_free (code->session);
  code->session = mr_random_token (24);
  respond_page (msg, mr_sandbox_page_device_approve (code->user_code, code->session,
                                                     mr_sandbox_user_sign_in_name (user)));
}

/* Continue or Cancel, from the account that signed in (the form's session proves it). */
static void
approve_on_phone (MrSandboxDeviceCode *code,
                  SoupServerMessage   *msg,
                  GHashTable          *form)
{
  if (code->state != MR_SANDBOX_DEVICE_SIGNED_IN || code->session == NULL
      || g_strcmp0 (g_hash_table_lookup (form, "session"), code->session) != 0)
    {
      respond_page (msg, mr_sandbox_page_device_code ("That sign-in is over. Enter the code shown "
                                                      "on the kiosk's screen again."));
      return;
    }
  g_clear_pointer (&code->session, g_free);
  if (g_hash_table_contains (form, "approve"))
    {
      code->state = MR_SANDBOX_DEVICE_APPROVED;
      respond_done (msg, "You're signed in", "You have signed in to Medication Refill on the "
                    "kiosk. You can close this window.");
    }
  else
    {
      code->state = MR_SANDBOX_DEVICE_DECLINED;
      respond_done (msg, "Sign-in cancelled", "You cancelled the sign-in. You can close this "
                    "window.");
    }
}

void
mr_sandbox_handle_deviceauth (MrSandbox         *self,
                              SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GHashTable) form = NULL;
  MrSandboxDeviceCode *code;

  if (method == SOUP_METHOD_GET)
    {
      respond_page (msg, mr_sandbox_page_device_code (NULL));
      return;
    }
  if (method != SOUP_METHOD_POST)
    {
      mr_sandbox_respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                               "The page only answers GET and POST requests.\n");
      return;
    }
  form = mr_sandbox_decode_body (msg);
  code = mr_sandbox_tenant_find_user_code (&self->tenant, g_hash_table_lookup (form, "otc"));
  if (code == NULL || (code->state != MR_SANDBOX_DEVICE_PENDING
                       && code->state != MR_SANDBOX_DEVICE_SIGNED_IN))
    respond_page (msg, mr_sandbox_page_device_code ("That code is not right, or it has run out. "
                                                    "Check the code on the kiosk's screen."));
  else if (g_hash_table_contains (form, "session"))
    approve_on_phone (code, msg, form);
  else if (g_hash_table_contains (form, "email") || g_hash_table_contains (form, "cancel"))
    sign_in_on_phone (code, msg, form);
  else
    respond_page (msg, mr_sandbox_page_device_sign_in (code->user_code, NULL, NULL));
}

/* ---- the token endpoint's device-code grant ----------------------------------------------- */

/* Entra's numbers where published (70016 pending); the client reads the error names only. */
static const MrSandboxUser *
answer_state (MrSandboxDeviceCode *code,
              SoupServerMessage   *msg,
              const char         **scope)
{
  switch (code->state)
    {
    case MR_SANDBOX_DEVICE_PENDING:
    case MR_SANDBOX_DEVICE_SIGNED_IN:
      mr_sandbox_respond_entra_error (msg, "authorization_pending", 70016,
                                      "OAuth 2.0 device flow error. Authorization is pending. "
                                      "Continue polling.");
      return NULL;
    case MR_SANDBOX_DEVICE_DECLINED:
      mr_sandbox_respond_entra_error (msg, "authorization_declined", 70017,
                                      "The end user declined the authorization request.");
      return NULL;
    case MR_SANDBOX_DEVICE_UNCONSENTED:
      {
        g_autofree char *text = g_strdup_printf ("The user or administrator has not consented to "
                                                 "use the application with ID '%s' named "
                                                 "'Medication Refill' for the permission '%s'. "
                                                 "Send an interactive authorization request for "
                                                 "this user and resource.",
                                                 MR_SANDBOX_CLIENT_ID, code->unconsented);

        mr_sandbox_respond_entra_error (msg, "invalid_grant", 65001, text);
        return NULL;
      }
    case MR_SANDBOX_DEVICE_REDEEMED:
      mr_sandbox_respond_entra_error (msg, "invalid_grant", 54005,
                                      "The provided device code was already redeemed, please "
                                      "retry with a new device code.");
      return NULL;
    case MR_SANDBOX_DEVICE_APPROVED:
    default:
      code->state = MR_SANDBOX_DEVICE_REDEEMED;
      *scope = code->scope;
      return code->user;
    }
}

const MrSandboxUser *
mr_sandbox_redeem_device_code (MrSandbox         *self,
                               SoupServerMessage *msg,
                               GHashTable        *form,
                               const char       **scope)
{
  const char *device_code = g_hash_table_lookup (form, "device_code");
  MrSandboxDeviceCode *code;
  gint64 now = g_get_monotonic_time ();
  gint64 last;

  if (device_code == NULL)
    {
      mr_sandbox_respond_missing (msg, "device_code");
      return NULL;
    }
  code = g_hash_table_lookup (self->tenant.device_codes, device_code);
  if (code == NULL)
    {
      mr_sandbox_respond_entra_error (msg, "bad_verification_code", 70019,
                                      "The device code presented is not recognized.");
      return NULL;
    }
  if (!g_str_equal (g_hash_table_lookup (form, "client_id"), code->client_id))
    {
      mr_sandbox_respond_entra_error (msg, "invalid_grant", 70000,
                                      "The provided device code was issued to another client.");
      return NULL;
    }
  if (code->expires < g_get_real_time ())
    {
      mr_sandbox_respond_entra_error (msg, "expired_token", 70020,
                                      "The provided device code has expired. Send a new device "
                                      "authorization request.");
      return NULL;
    }
  last = code->last_poll;
  code->last_poll = now;
  /* RFC 8628 §3.5: a client that polls faster than the interval is told so, and from then on
   * the interval is 5 s longer, for the server as for the client. */
  if (last != 0 && now - last < (gint64) code->interval * G_USEC_PER_SEC)
    {
      code->interval += SLOW_DOWN_STEP_S;
      mr_sandbox_respond_entra_error (msg, "slow_down", 70016,
                                      "OAuth 2.0 device flow error. The client is polling too "
                                      "often. Poll less often.");
      return NULL;
    }
  return answer_state (code, msg, scope);
}

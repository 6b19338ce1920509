/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stand-in tenant's device authorization grant (mr-sandbox-device.c), spoken to over real
 * HTTP on 127.0.0.1 as the kiosk and a person's phone would: the device code endpoint, the
 * phone's pages, and the token endpoint's answers to the polls. */
#include "mr-sandbox.h"

#include <string.h>

#include "mr-base.h"
#include "mr-test-sandbox.h"
#include "mr-test-server.h"

#define TID         MR_SANDBOX_TENANT_ID
#define DEVICECODE  "/" TID "/oauth2/v2.0/devicecode"
#define DEVICEAUTH  "/" TID "/oauth2/deviceauth"
#define TOKEN       "/" TID "/oauth2/v2.0/token"
#define DISCOVERY   "/" TID "/v2.0/.well-known/openid-configuration"
#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
#define SCOPE       "openid profile offline_access User.Read"
#define EMAIL       "jack.smith@example.org"
#define JACK_ID     "530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11"

typedef struct
{
  MrSandbox   *sandbox;
  SoupSession *session;         /* the kiosk's requests */
  SoupSession *phone;
  const char  *base;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->sandbox = mr_sandbox_new ();
  g_assert_true (mr_sandbox_start (fx->sandbox, 0, NULL, &error));
  g_assert_no_error (error);
  fx->base = mr_sandbox_get_base_url (fx->sandbox);
  fx->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  fx->phone = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_assert_finalize_object (fx->session);
  g_assert_finalize_object (fx->phone);
  g_assert_finalize_object (fx->sandbox);
}

static JsonObject *
parse_object (GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                              &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* POSTs @encoded (taken) to @path; the JSON answer, its status in *@status. */
static JsonObject *
post_json (Fixture    *fx,
           const char *path,
           char       *encoded,
           guint      *status)
{
  g_autofree char *url = g_strconcat (fx->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new_from_encoded_form ("POST", url, encoded);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  return parse_object (bytes);
}

static JsonObject *
request_code (Fixture    *fx,
              const char *client_id,
              const char *scope)
{
  guint status = 0;
  JsonObject *answer = post_json (fx, DEVICECODE,
                                  soup_form_encode ("client_id", client_id, "scope", scope, NULL),
                                  &status);

  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  return answer;
}

static JsonObject *
poll (Fixture    *fx,
      const char *device_code,
      guint      *status)
{
  return post_json (fx, TOKEN, soup_form_encode ("grant_type", DEVICE_GRANT,
                                                 "client_id", MR_SANDBOX_CLIENT_ID,
                                                 "device_code", device_code, NULL), status);
}

/* The poll's answer is Entra's error @error with AADSTS@code. */
static void
assert_poll_error (Fixture    *fx,
                   const char *device_code,
                   const char *error,
                   gint64      code)
{
  guint status = 0;
  g_autoptr(JsonObject) answer = poll (fx, device_code, &status);
  JsonArray *codes;

  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, error);
  codes = json_object_get_array_member (answer, "error_codes");
  g_assert_cmpint (json_array_get_int_element (codes, 0), ==, code);
}

static void
assert_entra_error (JsonObject *answer,
                    guint       status,
                    const char *error,
                    gint64      code)
{
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, error);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (answer,
                                                                             "error_codes"), 0),
                   ==, code);
}

static char *
page_url (Fixture *fx)
{
  return g_strconcat (fx->base, DEVICEAUTH, NULL);
}

static void
test_discovery (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *url = g_strconcat (fx->base, DISCOVERY, NULL);
  g_autofree char *expected = g_strconcat (fx->base, DEVICECODE, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) bytes = soup_session_send_and_read (fx->session, msg, NULL, NULL);
  g_autoptr(JsonObject) document = parse_object (bytes);

  g_assert_cmpstr (json_object_get_string_member (document, "device_authorization_endpoint"),
                   ==, expected);
}

/* Entra's shape and defaults (the standalone sandbox keeps them): 15 minutes, every 5 s. */
static void
test_code (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(JsonObject) a = request_code (fx, MR_SANDBOX_CLIENT_ID, SCOPE);
  g_autoptr(JsonObject) b = request_code (fx, MR_SANDBOX_CLIENT_ID, SCOPE);
  g_autofree char *page = page_url (fx);
  const char *user_code = json_object_get_string_member (a, "user_code");

  g_assert_cmpuint (strlen (user_code), ==, 9);
  for (const char *p = user_code; *p != '\0'; p++)
    g_assert_nonnull (strchr ("BCDFGHJKLMNPQRSTVWXZ", *p));
  g_assert_cmpuint (strlen (json_object_get_string_member (a, "device_code")), >=, 40);
  g_assert_cmpstr (json_object_get_string_member (a, "verification_uri"), ==, page);
  g_assert_false (json_object_has_member (a, "verification_uri_complete"));
  g_assert_cmpint (json_object_get_int_member (a, "expires_in"), ==, 900);
  g_assert_cmpint (json_object_get_int_member (a, "interval"), ==, 5);
  g_assert_nonnull (strstr (json_object_get_string_member (a, "message"), user_code));
  /* Each request its own codes. */
  g_assert_cmpstr (json_object_get_string_member (b, "user_code"), !=, user_code);
  g_assert_cmpstr (json_object_get_string_member (b, "device_code"), !=,
                   json_object_get_string_member (a, "device_code"));
}

/* The device code endpoint checks the client as the token endpoint does. */
static void
test_code_refused (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) unknown = NULL;
  g_autoptr(JsonObject) no_client = NULL;
  g_autoptr(JsonObject) secret = NULL;
  g_autoptr(JsonObject) no_scope = NULL;
  guint status = 0;

  unknown = post_json (fx, DEVICECODE, soup_form_encode ("client_id", "00000000-dead", "scope",
                                                         SCOPE, NULL), &status);
  assert_entra_error (unknown, status, "invalid_client", 700016);
  no_client = post_json (fx, DEVICECODE, soup_form_encode ("scope", SCOPE, NULL), &status);
  assert_entra_error (no_client, status, "invalid_request", 900144);
  secret = post_json (fx, DEVICECODE, soup_form_encode ("client_id", MR_SANDBOX_CLIENT_ID,
                                                        "client_secret", "s3cret", "scope",
                                                        SCOPE, NULL), &status);
  assert_entra_error (secret, status, "invalid_client", 700025);
  no_scope = post_json (fx, DEVICECODE, soup_form_encode ("client_id", MR_SANDBOX_CLIENT_ID,
                                                          NULL), &status);
  assert_entra_error (no_scope, status, "invalid_request", 900144);
}

/* Nobody has entered the code yet: pending, and slow_down to a kiosk that polls faster than
 * the interval, which then grows by 5 s (so one second later is still too soon). */
static void
test_pending_and_slow_down (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(JsonObject) code = NULL;
  const char *device_code;

  mr_sandbox_set_device_timing (fx->sandbox, 30, 1);
  code = request_code (fx, MR_SANDBOX_CLIENT_ID, SCOPE);
  g_assert_cmpint (json_object_get_int_member (code, "interval"), ==, 1);
  device_code = json_object_get_string_member (code, "device_code");
  assert_poll_error (fx, device_code, "authorization_pending", 70016);
  assert_poll_error (fx, device_code, "slow_down", 70016);
  g_usleep (1200 * 1000);
  assert_poll_error (fx, device_code, "slow_down", 70016);
}

static void
test_declined (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(JsonObject) code = NULL;
  g_autofree char *page = page_url (fx);
  g_autofree char *last = NULL;

  mr_sandbox_set_device_timing (fx->sandbox, 30, 1);
  code = request_code (fx, MR_SANDBOX_CLIENT_ID, SCOPE);
  last = mr_test_sandbox_device_sign_in (fx->phone, page,
                                         json_object_get_string_member (code, "user_code"), EMAIL,
                                         FALSE);
  g_assert_nonnull (strstr (last, "cancelled"));
  assert_poll_error (fx, json_object_get_string_member (code, "device_code"),
                     "authorization_declined", 70017);
}

static void
test_expired (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(JsonObject) code = NULL;
  g_autofree char *page = page_url (fx);
  g_autofree char *refused = NULL;

  mr_sandbox_set_device_timing (fx->sandbox, 1, 1);
  code = request_code (fx, MR_SANDBOX_CLIENT_ID, SCOPE);
  g_assert_cmpint (json_object_get_int_member (code, "expires_in"), ==, 1);
  g_usleep (1200 * 1000);
  assert_poll_error (fx, json_object_get_string_member (code, "device_code"), "expired_token",
                     70020);
  refused = mr_test_sandbox_post_page (fx->phone, page,
                                       soup_form_encode ("otc",
                                                         json_object_get_string_member (code,
                                                                                        "user_code"),
                                                         NULL));
  g_assert_nonnull (strstr (refused, "not right, or it has run out"));
}

static JsonObject *
decode_jwt_payload (const char *jwt)
{
  g_auto(GStrv) parts = g_strsplit (jwt, ".", 4);
  g_autofree guchar *payload = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  payload = mr_base64url_decode (parts[1], &len);
  g_assert_nonnull (payload);
  bytes = g_bytes_new (payload, len);
  return parse_object (bytes);
}

/* Approved on the phone: the code flow's tokens and claims, no nonce; then never again. */
static void
test_approved_once (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) code = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *page = page_url (fx);
  g_autofree char *last = NULL;
  const char *device_code;
  guint status = 0;

  mr_sandbox_set_device_timing (fx->sandbox, 30, 1);
  code = request_code (fx, MR_SANDBOX_CLIENT_ID, SCOPE);
  device_code = json_object_get_string_member (code, "device_code");
  assert_poll_error (fx, device_code, "authorization_pending", 70016);
  last = mr_test_sandbox_device_sign_in (fx->phone, page,
                                         json_object_get_string_member (code, "user_code"), EMAIL,
                                         TRUE);
  g_assert_nonnull (strstr (last, "signed in"));
  g_usleep (1100 * 1000);
  tokens = poll (fx, device_code, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (tokens, "token_type"), ==, "Bearer");
  g_assert_true (json_object_has_member (tokens, "access_token"));
  g_assert_true (json_object_has_member (tokens, "refresh_token"));
  claims = decode_jwt_payload (json_object_get_string_member (tokens, "id_token"));
  g_assert_cmpstr (json_object_get_string_member (claims, "oid"), ==, JACK_ID);
  g_assert_cmpstr (json_object_get_string_member (claims, "aud"), ==, MR_SANDBOX_CLIENT_ID);
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==,
                   mr_sandbox_get_issuer (fx->sandbox));
  g_assert_cmpstr (json_object_get_string_member (claims, "given_name"), ==, "Jack");
  g_assert_false (json_object_has_member (claims, "nonce"));

  g_usleep (1100 * 1000);
  assert_poll_error (fx, device_code, "invalid_grant", 54005);
}

/* A poll for another client, or with a code the tenant never issued. */
static void
test_poll_refused (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) code = request_code (fx, MR_SANDBOX_CLIENT_ID, SCOPE);
  g_autoptr(JsonObject) other = NULL;
  guint status = 0;

  other = post_json (fx, TOKEN, soup_form_encode ("grant_type", DEVICE_GRANT,
                                                  "client_id", "00000000-dead",
                                                  "device_code",
                                                  json_object_get_string_member (code,
                                                                                 "device_code"),
                                                  NULL), &status);
  assert_entra_error (other, status, "invalid_client", 700016);
  assert_poll_error (fx, "not-a-device-code", "bad_verification_code", 70019);
}

/* The phone's pages: a wrong code or password is said on the page, and the flow goes on. */
static void
test_phone_pages (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) code = request_code (fx, MR_SANDBOX_CLIENT_ID, SCOPE);
  const char *user_code = json_object_get_string_member (code, "user_code");
  g_autofree char *page = page_url (fx);
  g_autofree char *wrong_code = NULL;
  g_autofree char *wrong_password = NULL;
  g_autofree char *lower_case = NULL;
  g_autofree char *typed = NULL;

  wrong_code = mr_test_sandbox_post_page (fx->phone, page,
                                          soup_form_encode ("otc", "BBBBBBBBB", NULL));
  g_assert_nonnull (strstr (wrong_code, "not right, or it has run out"));
  /* As a person may type it: partly in lower case, with a dash. */
  typed = g_strdup_printf ("%.4s-%s", user_code, user_code + 4);
  typed[0] = g_ascii_tolower (typed[0]);
  lower_case = mr_test_sandbox_post_page (fx->phone, page,
                                          soup_form_encode ("otc", typed, NULL));
  g_assert_nonnull (strstr (lower_case, "name=\"password\""));
  wrong_password = mr_test_sandbox_post_page (fx->phone, page,
                                              soup_form_encode ("otc", user_code,
                                                                "email", EMAIL,
                                                                "password", "wrong", NULL));
  g_assert_nonnull (strstr (wrong_password, "email address or password is incorrect"));
  assert_poll_error (fx, json_object_get_string_member (code, "device_code"),
                     "authorization_pending", 70016);
}

/* A permission the account never consented to: the poll gets AADSTS65001, as the token
 * endpoint answers a refresh that asks for it. */
static void
test_unconsented (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) code = NULL;
  g_autofree char *page = page_url (fx);
  g_autofree char *last = NULL;

  code = request_code (fx, MR_SANDBOX_CLIENT_ID, SCOPE " User.ReadWrite.All");
  last = mr_test_sandbox_device_sign_in (fx->phone, page,
                                         json_object_get_string_member (code, "user_code"), EMAIL,
                                         TRUE);
  g_assert_nonnull (strstr (last, "AADSTS65001"));
  assert_poll_error (fx, json_object_get_string_member (code, "device_code"), "invalid_grant",
                     65001);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/sandbox-device/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("discovery", test_discovery);
  ADD ("code", test_code);
  ADD ("code-refused", test_code_refused);
  ADD ("pending-and-slow-down", test_pending_and_slow_down);
  ADD ("declined", test_declined);
  ADD ("expired", test_expired);
  ADD ("approved-once", test_approved_once);
  ADD ("poll-refused", test_poll_refused);
  ADD ("phone-pages", test_phone_pages);
  ADD ("unconsented", test_unconsented);
#undef ADD
  return g_test_run ();
}

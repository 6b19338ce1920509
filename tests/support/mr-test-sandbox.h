/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the sandbox tests share (they link the sandbox and the core, which the other support code
 * does not): the sign-in page's part played over HTTP, and the keyring a test may need. Static:
 * each test program takes what it uses. */

#include <string.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "mr-base.h"
#include "mr-config.h"
#include "mr-sandbox.h"
#include "mr-test-server.h"

G_BEGIN_DECLS

/* The sign-in page's part: posts @email's credentials (the sandbox's password) with
 * @authorize_url's parameters through @browser, as the sandbox's form does, and returns where the
 * provider sends the browser back (the callback URI, newly allocated). */
static G_GNUC_UNUSED char *
mr_test_sandbox_sign_in (SoupSession *browser,
                         const char  *authorize_url,
                         const char  *email)
{
  g_autofree char *endpoint = g_strndup (authorize_url,
                                         strchr (authorize_url, '?') - authorize_url);
  g_autofree char *credentials = soup_form_encode ("email", email,
                                                   "password", MR_SANDBOX_PASSWORD, NULL);
  g_autofree char *form = g_strconcat (strchr (authorize_url, '?') + 1, "&", credentials, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new_from_encoded_form ("POST", endpoint,
                                                                  g_steal_pointer (&form));
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  body = soup_session_send_and_read (browser, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_FOUND);
  return g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Location"));
}

/* POSTs @form (taken, encoded) to @url through @browser and returns the page (newly allocated);
 * asserts 200. */
static G_GNUC_UNUSED char *
mr_test_sandbox_post_page (SoupSession *browser,
                           const char  *url,
                           char        *form)
{
  g_autoptr(SoupMessage) msg = soup_message_new_from_encoded_form ("POST", url, form);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (browser, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

/* The value of the hidden input @name in @page (newly allocated), or NULL. */
static G_GNUC_UNUSED char *
mr_test_sandbox_hidden_value (const char *page,
                              const char *name)
{
  g_autofree char *needle = g_strdup_printf ("name=\"%s\" value=\"", name);
  const char *start = strstr (page, needle);
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen (needle);
  end = strchr (start, '"');
  return end != NULL ? g_strndup (start, end - start) : NULL;
}

/* The phone's part of a sign-in with a phone, as a person does it at @verification_uri: opens
 * the page, enters @user_code, signs in as @email (the sandbox's password), then presses
 * Continue when @approve, else Cancel. Returns the last page (newly allocated). */
static G_GNUC_UNUSED char *
mr_test_sandbox_device_sign_in (SoupSession *browser,
                                const char  *verification_uri,
                                const char  *user_code,
                                const char  *email,
                                gboolean     approve)
{
  g_autoptr(SoupMessage) get = soup_message_new ("GET", verification_uri);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code_page = NULL;
  g_autofree char *sign_in = NULL;
  g_autofree char *question = NULL;
  g_autofree char *session = NULL;

  body = soup_session_send_and_read (browser, get, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (get), ==, SOUP_STATUS_OK);
  code_page = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_assert_nonnull (strstr (code_page, "name=\"otc\""));
  sign_in = mr_test_sandbox_post_page (browser, verification_uri,
                                       soup_form_encode ("otc", user_code, NULL));
  g_assert_nonnull (strstr (sign_in, "name=\"password\""));
  question = mr_test_sandbox_post_page (browser, verification_uri,
                                        soup_form_encode ("otc", user_code, "email", email,
                                                          "password", MR_SANDBOX_PASSWORD,
                                                          NULL));
  session = mr_test_sandbox_hidden_value (question, "session");
  if (session == NULL)
    return g_steal_pointer (&question);   /* an error page: the caller looks at it */
  return mr_test_sandbox_post_page (browser, verification_uri,
                                    soup_form_encode ("otc", user_code, "session", session,
                                                      approve ? "approve" : "decline", "1",
                                                      NULL));
}

/* Skipped without a Secret Service, failed when one is required (scripts/run-tests). */
static G_GNUC_UNUSED gboolean
mr_test_have_keyring (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  mr_secret_lookup_async (MR_SECRET_REFRESH_TOKEN, "medrefill-test-probe", NULL,
                          mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 10000);
  secret = mr_secret_lookup_finish (result, &error);
  if (error == NULL)
    return TRUE;
  if (g_strcmp0 (g_getenv ("MEDREFILL_REQUIRE_KEYRING"), "1") == 0)
    g_error ("MEDREFILL_REQUIRE_KEYRING=1 but no Secret Service answered: %s", error->message);
  g_test_skip ("No Secret Service (run under scripts/run-tests)");
  return FALSE;
}

/* The staff refresh token the desk stored for @config's authority, client id and tenant, as the
 * app looks it up, or NULL. Newly allocated. */
static G_GNUC_UNUSED char *
mr_test_stored_refresh_token (const MrConfig *config)
{
  const char * const binding[] = {
    "authority", config->authority ? config->authority : "",
    "client-id", config->client_id ? config->client_id : "",
    "tenant", config->tenant_id ? config->tenant_id : "",
    NULL,
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  mr_secret_lookup_bound_async (MR_SECRET_REFRESH_TOKEN, "desk", binding, NULL,
                                mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 10000);
  secret = mr_secret_lookup_finish (result, &error);
  g_assert_no_error (error);
  return secret;
}

/* How many staff refresh-token items the keyring holds in the app's own namespace (accounts
 * without a ':'), whatever their account or binding: what a shared desk leaves behind. */
static G_GNUC_UNUSED guint
mr_test_count_refresh_tokens (void)
{
  static const SecretSchema schema = {
    "io.github.medrefill.MedRefill.Secret", SECRET_SCHEMA_NONE,
    { { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING }, { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 } },
  };
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GList *items;
  guint n = 0;

  g_hash_table_insert (attributes, (gpointer) "kind", (gpointer) "refresh-token");
  /* Asynchronous, as the app searches: libsecret 0.20's synchronous search loses a little of
   * each item it makes (LeakSanitizer sees it). */
  secret_password_searchv (&schema, attributes, SECRET_SEARCH_ALL, NULL,
                           mr_test_store_result_cb, &result);
  mr_test_wait_for_result (&result, 10000);
  items = secret_password_search_finish (result, &error);
  g_assert_no_error (error);
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) found = secret_retrievable_get_attributes (l->data);

      n += strchr (g_hash_table_lookup (found, "account"), ':') == NULL;
    }
  g_list_free_full (items, g_object_unref);
  return n;
}

G_END_DECLS

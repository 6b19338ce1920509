/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The discovery document may not move the sign-in to plain http: its endpoints are https, or
 * http to a loopback IP literal when the authority itself is one (the sandbox, tests). */
#include "mr-identity.h"
#include "mr-oidc-private.h"

#include <string.h>

#include "mr-test-server.h"

#define HTTPS_AUTHORITY "https://contosoclinic.ciamlogin.com/9a674bb7-0000-0000-0000-000000000000"
#define LOCAL_AUTHORITY "http://127.0.0.1:3000/t"

/* A discovery document with @endpoint for @member and https everywhere else. */
static MrOidcDiscovery *
discovery_with (const char *member,
                const char *endpoint)
{
  const char *members[] = { "authorization_endpoint", "token_endpoint", "jwks_uri",
                            "end_session_endpoint" };
  g_autoptr(GString) json = g_string_new ("{\"issuer\":\"https://login.example.org/t/v2.0\"");
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  MrOidcDiscovery *discovery;

  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    g_string_append_printf (json, ",\"%s\":\"%s\"", members[i],
                            g_strcmp0 (member, members[i]) == 0
                            ? endpoint : "https://login.example.org/t/x");
  g_string_append_c (json, '}');
  body = g_bytes_new (json->str, json->len);
  discovery = mr_oidc_discovery_parse (body, &error);
  g_assert_no_error (error);
  return discovery;
}

static gboolean
accepted (const char *authority,
          const char *member,
          const char *endpoint)
{
  g_autoptr(MrOidcDiscovery) discovery = discovery_with (member, endpoint);
  g_autoptr(GError) error = NULL;
  gboolean ok = mr_oidc_discovery_check_endpoints (discovery, authority, &error);

  g_assert_true (ok == (error == NULL));
  if (!ok)
    {
      g_assert_error (error, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE);
      g_assert_nonnull (strstr (error->message, "https://"));
    }
  return ok;
}

static void
test_https_authority (void)
{
  const char *members[] = { "authorization_endpoint", "token_endpoint", "jwks_uri",
                            "end_session_endpoint" };

  g_assert_true (accepted (HTTPS_AUTHORITY, NULL, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_test_message ("member %s", members[i]);
      g_assert_false (accepted (HTTPS_AUTHORITY, members[i], "http://login.example.org/t/x"));
      /* A remote provider pointing the app at a port of this computer. */
      g_assert_false (accepted (HTTPS_AUTHORITY, members[i], "http://127.0.0.1:8080/x"));
      g_assert_true (accepted (HTTPS_AUTHORITY, members[i], "HTTPS://login.example.org/t/x"));
    }
}

static void
test_loopback_authority (void)
{
  const char *members[] = { "authorization_endpoint", "token_endpoint", "jwks_uri",
                            "end_session_endpoint" };

  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_test_message ("member %s", members[i]);
      g_assert_true (accepted (LOCAL_AUTHORITY, members[i], "http://127.0.0.1:3000/t/x"));
      g_assert_true (accepted (LOCAL_AUTHORITY, members[i], "http://[::1]:3000/t/x"));
      g_assert_false (accepted (LOCAL_AUTHORITY, members[i], "http://login.example.org/t/x"));
      g_assert_false (accepted (LOCAL_AUTHORITY, members[i], "http://localhost:3000/t/x"));
    }
  /* An authority by name is not loopback either. */
  g_assert_false (accepted ("http://localhost:3000/t", "token_endpoint",
                            "http://127.0.0.1:3000/t/x"));
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);
  g_test_add_func ("/oidc-discovery/https-authority", test_https_authority);
  g_test_add_func ("/oidc-discovery/loopback-authority", test_loopback_authority);
  return g_test_run ();
}

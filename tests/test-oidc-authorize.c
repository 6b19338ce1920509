/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The authorize URL in the patient's language (issue 14 item 5): ui_locales as the provider reads
 * it, and the language names the UI hands over turned into that value. */
#include "mr-identity.h"

#include "mr-base.h"
#include "mr-test-server.h"

#define CLIENT_ID    "877afb01-0000-0000-0000-000000000000"
#define REDIRECT_URI "http://localhost:5000/auth/callback"
#define ENDPOINT     "https://login.example.org/t/oauth2/v2.0/authorize"

static MrConfig *
test_config (void)
{
  MrConfig *config = mr_config_new ();

  g_free (config->client_id);
  config->client_id = g_strdup (CLIENT_ID);
  g_free (config->redirect_uri);
  config->redirect_uri = g_strdup (REDIRECT_URI);
  return config;
}

static char *
authorize_url (const char *ui_locales)
{
  MrOidcDiscovery discovery = {
    .issuer = (char *) "https://login.example.org/t/v2.0",
    .authorization_endpoint = (char *) ENDPOINT "?p=b2c_1_signup_signin",
    .token_endpoint = (char *) "https://login.example.org/t/oauth2/v2.0/token",
    .jwks_uri = (char *) "https://login.example.org/t/discovery/v2.0/keys",
  };
  g_autoptr(MrConfig) config = test_config ();
  g_autoptr(MrAuthRequest) request = mr_auth_request_new ();

  return mr_oidc_build_authorize_url_full (&discovery, config, request, "login", NULL, ui_locales);
}

static GHashTable *
query_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  g_assert_nonnull (uri);
  return g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
}

static void
test_ui_locales_param (void)
{
  g_autofree char *url = authorize_url ("es-ES es");
  g_autoptr(GHashTable) params = query_of (url);

  g_assert_true (g_str_has_prefix (url, ENDPOINT "?p=b2c_1_signup_signin&client_id="));
  g_assert_cmpstr (g_hash_table_lookup (params, "ui_locales"), ==, "es-ES es");
  g_assert_cmpstr (g_hash_table_lookup (params, "prompt"), ==, "login");
  /* p, the eight of every request, prompt and ui_locales: nothing else. */
  g_assert_cmpuint (g_hash_table_size (params), ==, 11);
  /* Space-separated as OpenID Connect says, encoded as %20 (never '+', which a strict server
   * reads as a plus sign). */
  g_assert_true (g_str_has_suffix (url, "&ui_locales=es-ES%20es"));
}

static void
test_ui_locales_absent (void)
{
  const char *values[] = { NULL, "" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *url = authorize_url (values[i]);
      g_autoptr(GHashTable) params = query_of (url);

      g_assert_false (g_hash_table_contains (params, "ui_locales"));
      g_assert_cmpuint (g_hash_table_size (params), ==, 10);
    }
}

typedef struct {
  const char *names[8];
  const char *expected;
} LocaleCase;

static void
test_ui_locales_from_names (void)
{
  static const LocaleCase cases[] = {
    /* LANGUAGE=es over LC_ALL=C.UTF-8, as tests/ui/test-spanish.c runs the app. */
    { { "es", "C" }, "es" },
    /* LANG=es_ES.UTF-8, as g_get_language_names() expands it. */
    { { "es_ES.UTF-8", "es_ES", "es.UTF-8", "es", "C" }, "es-ES es" },
    { { "de_AT.UTF-8@euro", "de_AT@euro", "de_AT", "de@euro", "de", "C" }, "de-AT de" },
    /* LANGUAGE=fr:en_GB: the patient's order of preference is kept. */
    { { "fr", "en_GB", "en", "C" }, "fr en-GB en" },
    /* Nothing but the C locale: no ui_locales, the provider's own choice. */
    { { "C" }, NULL },
    { { "C.UTF-8", "POSIX" }, NULL },
    /* A value that is not a language tag never reaches the URL. */
    { { "es&x=1", "en us", "es", "C" }, "es" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *value = mr_oidc_ui_locales_from_names (cases[i].names);

      g_assert_cmpstr (value, ==, cases[i].expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);
  g_test_add_func ("/oidc-authorize/ui-locales/param", test_ui_locales_param);
  g_test_add_func ("/oidc-authorize/ui-locales/absent", test_ui_locales_absent);
  g_test_add_func ("/oidc-authorize/ui-locales/from-names", test_ui_locales_from_names);
  return g_test_run ();
}

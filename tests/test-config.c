/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The keyfile backend holds a stored value as a machine does (see payload-format-alias). */
#define G_SETTINGS_ENABLE_BACKEND
#include "mr-config.h"

#include <string.h>
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "mr-test-server.h"

#define SCHEMA_ID "io.github.medrefill.MedRefill"

static void
test_defaults (void)
{
  g_autoptr(MrConfig) config = mr_config_new ();
  const char * const scopes[] = { "openid", "profile", "offline_access", "User.Read", NULL };

  g_assert_cmpstr (config->authority, ==, "");
  g_assert_cmpstr (config->tenant_id, ==, "");
  g_assert_cmpstr (config->client_id, ==, "");
  g_assert_cmpstr (config->redirect_uri, ==, "http://localhost:5000/auth/callback");
  g_assert_true (g_strv_equal ((const char * const *) config->scopes, scopes));
  g_assert_cmpstr (config->graph_url, ==, "https://graph.microsoft.com/v1.0");
  g_assert_cmpstr (config->extensions_app_id, ==, "");
  g_assert_cmpstr (config->workflow_url, ==, "");
  g_assert_cmpstr (config->workflow_auth_header, ==, "");
  g_assert_cmpint (config->mode, ==, MR_MODE_DESK);
  g_assert_cmpuint (config->idle_timeout, ==, 120);
}

/* The GSettings defaults and mr_config_new() must agree, key by key. */
static void
test_settings_defaults (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(MrConfig) from_settings = mr_config_new_from_settings (settings);
  g_autoptr(MrConfig) config = mr_config_new ();

  g_assert_cmpstr (from_settings->authority, ==, config->authority);
  g_assert_cmpstr (from_settings->redirect_uri, ==, config->redirect_uri);
  g_assert_true (g_strv_equal ((const char * const *) from_settings->scopes,
                               (const char * const *) config->scopes));
  g_assert_cmpstr (from_settings->graph_url, ==, config->graph_url);
  g_assert_cmpint (from_settings->mode, ==, config->mode);
  g_assert_cmpuint (from_settings->idle_timeout, ==, config->idle_timeout);
}

static void
test_settings_values (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(MrConfig) config = NULL;
  g_autoptr(MrConfig) copy = NULL;
  const char * const scopes[] = { "openid", "User.Read", NULL };

  g_settings_set_string (settings, "authority", "https://login.example.org/tenant");
  g_settings_set_string (settings, "tenant-id", "9a674bb7");
  g_settings_set_string (settings, "client-id", "877afb01");
  g_settings_set_string (settings, "redirect-uri", "http://127.0.0.1:8400/cb");
  g_settings_set_strv (settings, "scopes", scopes);
  g_settings_set_string (settings, "graph-url", "http://127.0.0.1:9/v1.0");
  g_settings_set_string (settings, "extensions-app-id", "3888d42c");
  g_settings_set_string (settings, "workflow-url", "https://n8n.example.org/webhook/x");
  g_settings_set_string (settings, "workflow-auth-header", "X-Clinic-Key");
  g_settings_set_enum (settings, "mode", 1);
  g_settings_set_uint (settings, "idle-timeout", 45);

  config = mr_config_new_from_settings (settings);
  copy = mr_config_copy (config);
  g_clear_pointer (&config, mr_config_free);
  g_settings_reset (settings, "mode");

  g_assert_cmpstr (copy->authority, ==, "https://login.example.org/tenant");
  g_assert_cmpstr (copy->tenant_id, ==, "9a674bb7");
  g_assert_cmpstr (copy->client_id, ==, "877afb01");
  g_assert_cmpstr (copy->redirect_uri, ==, "http://127.0.0.1:8400/cb");
  g_assert_true (g_strv_equal ((const char * const *) copy->scopes, scopes));
  g_assert_cmpstr (copy->graph_url, ==, "http://127.0.0.1:9/v1.0");
  g_assert_cmpstr (copy->extensions_app_id, ==, "3888d42c");
  g_assert_cmpstr (copy->workflow_url, ==, "https://n8n.example.org/webhook/x");
  g_assert_cmpstr (copy->workflow_auth_header, ==, "X-Clinic-Key");
  /* A snapshot: changing the settings afterwards does not change it. */
  g_assert_cmpint (copy->mode, ==, MR_MODE_KIOSK);
  g_assert_cmpuint (copy->idle_timeout, ==, 45);
}

static void
test_set (void)
{
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(GError) error = NULL;
  const char * const scopes[] = { "openid", "profile", "Files.Read", NULL };

  g_assert_true (mr_config_set (config, "client-id", "abc", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->client_id, ==, "abc");
  g_assert_true (mr_config_set (config, "workflow-auth-header", "X-Key", &error));
  g_assert_cmpstr (config->workflow_auth_header, ==, "X-Key");
  g_assert_true (mr_config_set (config, "scopes", "  openid profile   Files.Read ", &error));
  g_assert_true (g_strv_equal ((const char * const *) config->scopes, scopes));
  g_assert_true (mr_config_set (config, "mode", "kiosk", &error));
  g_assert_cmpint (config->mode, ==, MR_MODE_KIOSK);
  g_assert_true (mr_config_set (config, "mode", "desk", &error));
  g_assert_cmpint (config->mode, ==, MR_MODE_DESK);
  g_assert_true (mr_config_set (config, "idle-timeout", "300", &error));
  g_assert_cmpuint (config->idle_timeout, ==, 300);

  g_assert_false (mr_config_set (config, "mode", "tablet", &error));
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (config->mode, ==, MR_MODE_DESK);

  g_assert_false (mr_config_set (config, "idle-timeout", "soon", &error));
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (mr_config_set (config, "idle-timeout", "5", &error));
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (config->idle_timeout, ==, 300);

  g_assert_false (mr_config_set (config, "client-secret", "s3cr3t", &error));
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_UNKNOWN_KEY);
  g_assert_null (strstr (error->message, "s3cr3t"));
}

/* The lines medrefill-sandbox prints after its base URL. */
/* The settings the form and delivery read: choices by nick, locations as a list. */
static void
test_choices_and_lists (void)
{
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(MrConfig) copy = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");
  g_autoptr(MrConfig) from_settings = NULL;
  const char *locations[] = { "Main pharmacy", "Clínica Norte", NULL };
  g_autofree char *stored = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (config->payload_format, ==, MR_PAYLOAD_REFILL_V2);
  g_assert_cmpint (config->sign_in_browser, ==, MR_SIGN_IN_EMBEDDED);
  g_assert_cmpuint (g_strv_length (config->pickup_locations), ==, 0);

  g_assert_true (mr_config_set (config, "payload-format", "fhir-r4", &error));
  g_assert_true (mr_config_set (config, "sign-in-browser", "system", &error));
  g_assert_true (mr_config_set (config, "pickup-locations", " Main pharmacy ,, Clínica Norte,", &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->payload_format, ==, MR_PAYLOAD_FHIR_R4);
  g_assert_cmpint (config->sign_in_browser, ==, MR_SIGN_IN_SYSTEM_BROWSER);
  g_assert_cmpstrv (config->pickup_locations, locations);
  copy = mr_config_copy (config);
  g_assert_cmpstrv (copy->pickup_locations, locations);
  g_assert_cmpint (copy->payload_format, ==, MR_PAYLOAD_FHIR_R4);

  g_assert_false (mr_config_set (config, "payload-format", "hl7v2", &error));
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID);
  g_assert_cmpint (config->payload_format, ==, MR_PAYLOAD_FHIR_R4);
  g_clear_error (&error);
  /* refill-v1 is no longer produced: a file that still names it is refused, not half-obeyed. */
  g_assert_false (mr_config_set (config, "payload-format", "refill-v1", &error));
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (mr_config_set (config, "payload-format", "refill-v2", &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->payload_format, ==, MR_PAYLOAD_REFILL_V2);
  g_settings_reset (settings, "payload-format");
  stored = g_settings_get_string (settings, "payload-format");
  g_assert_cmpstr (stored, ==, "refill-v2");

  g_settings_set_enum (settings, "payload-format", MR_PAYLOAD_FHIR_R4);
  g_settings_set_enum (settings, "sign-in-browser", MR_SIGN_IN_SYSTEM_BROWSER);
  g_settings_set_strv (settings, "pickup-locations", locations);
  from_settings = mr_config_new_from_settings (settings);
  g_assert_cmpint (from_settings->payload_format, ==, MR_PAYLOAD_FHIR_R4);
  g_assert_cmpint (from_settings->sign_in_browser, ==, MR_SIGN_IN_SYSTEM_BROWSER);
  g_assert_cmpstrv (from_settings->pickup_locations, locations);
  g_settings_reset (settings, "payload-format");
  g_settings_reset (settings, "sign-in-browser");
  g_settings_reset (settings, "pickup-locations");
}

/* A machine (or an administrator's lock) that still stores refill-v1, which is no longer a
 * choice, sends refill-v2: GSettings drops the stored value for the default. Read through a real
 * backend, since GSettings refuses to write a value outside the enum itself. */
static void
test_payload_format_alias (void)
{
  g_autofree char *dir = g_dir_make_tmp ("medrefill-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "settings.ini", NULL);
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(MrConfig) config = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "[io/github/medrefill/MedRefill]\npayload-format='refill-v1'\n", -1,
                       &error);
  g_assert_no_error (error);
  backend = g_keyfile_settings_backend_new (path, "/", NULL);
  settings = g_settings_new_with_backend ("io.github.medrefill.MedRefill", backend);
  stored = g_settings_get_string (settings, "payload-format");
  g_assert_cmpstr (stored, ==, "refill-v2");
  config = mr_config_new_from_settings (settings);
  g_assert_cmpint (config->payload_format, ==, MR_PAYLOAD_REFILL_V2);
  g_clear_object (&settings);
  g_clear_object (&backend);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_apply_lines (void)
{
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(GError) error = NULL;
  const char *text =
    "# medrefill-sandbox\n"
    "authority=http://127.0.0.1:41234/9a674bb7-0000-0000-0000-000000000000/v2.0\n"
    "tenant-id=9a674bb7-0000-0000-0000-000000000000\n"
    "\n"
    "client-id = 877afb01-0000-0000-0000-000000000000  \r\n"
    "graph-url=http://127.0.0.1:41234/v1.0\n"
    "workflow-url=http://127.0.0.1:41234/webhook/medication-refill?token=a=b\n"
    "a line without an equals sign\n"
    "   \n"
    "extensions-app-id=3888d42c-cd5f-4582-afa2-f9b641643fac";

  g_assert_true (mr_config_apply_lines (config, text, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->authority, ==,
                   "http://127.0.0.1:41234/9a674bb7-0000-0000-0000-000000000000/v2.0");
  g_assert_cmpstr (config->tenant_id, ==, "9a674bb7-0000-0000-0000-000000000000");
  g_assert_cmpstr (config->client_id, ==, "877afb01-0000-0000-0000-000000000000");
  g_assert_cmpstr (config->graph_url, ==, "http://127.0.0.1:41234/v1.0");
  g_assert_cmpstr (config->workflow_url, ==,
                   "http://127.0.0.1:41234/webhook/medication-refill?token=a=b");
  g_assert_cmpstr (config->extensions_app_id, ==, "3888d42c-cd5f-4582-afa2-f9b641643fac");
  /* Keys the text does not name keep their defaults. */
  g_assert_cmpstr (config->redirect_uri, ==, "http://localhost:5000/auth/callback");
  g_assert_true (mr_config_validate (config, &error));
  g_assert_no_error (error);

  g_assert_false (mr_config_apply_lines (config, "client-id=x\nbogus=1\n", &error));
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_UNKNOWN_KEY);
}

typedef struct {
  const char *name;
  const char *key;
  const char *value;
  int         code;       /* -1: valid */
  const char *words;      /* a word the message must contain */
} ValidateCase;

static const ValidateCase validate_cases[] = {
  { "valid", NULL, NULL, -1, NULL },
  { "no-authority", "authority", "", MR_CONFIG_ERROR_MISSING, "authority" },
  { "no-client-id", "client-id", "", MR_CONFIG_ERROR_MISSING, "client ID" },
  { "no-redirect-uri", "redirect-uri", "", MR_CONFIG_ERROR_MISSING, "redirect" },
  { "no-graph-url", "graph-url", "", MR_CONFIG_ERROR_MISSING, "Graph" },
  { "no-workflow-url", "workflow-url", "", MR_CONFIG_ERROR_MISSING, "workflow" },
  { "tenant-id-optional", "tenant-id", "", -1, NULL },
  { "authority-http-remote", "authority", "http://login.example.org/t", MR_CONFIG_ERROR_INVALID,
    "https" },
  { "graph-http-remote", "graph-url", "http://graph.example.org/v1.0", MR_CONFIG_ERROR_INVALID,
    "Graph" },
  { "workflow-http-remote", "workflow-url", "http://n8n.example.org/webhook/refill",
    MR_CONFIG_ERROR_INVALID, "workflow" },
  { "workflow-http-127", "workflow-url", "http://127.0.0.1:5678/webhook/refill", -1, NULL },
  { "workflow-http-127-other", "workflow-url", "http://127.1.2.3:5678/webhook/refill", -1, NULL },
  /* A name can resolve anywhere (RFC 8252 §8.3): plain http only to an IP literal. */
  { "workflow-http-localhost", "workflow-url", "http://localhost:5678/webhook/refill",
    MR_CONFIG_ERROR_INVALID, "workflow" },
  { "authority-http-localhost", "authority", "http://localhost:3000/t", MR_CONFIG_ERROR_INVALID,
    "https" },
  { "graph-http-localhost", "graph-url", "http://LOCALHOST:3000/v1.0", MR_CONFIG_ERROR_INVALID,
    "Graph" },
  { "graph-http-127", "graph-url", "http://127.0.0.1:3000/v1.0", -1, NULL },
  { "graph-http-ipv6-loopback", "graph-url", "http://[::1]:3000/v1.0", -1, NULL },
  /* The Graph token follows graph-url: Microsoft Graph's own hosts only, national clouds too. */
  { "graph-https-global", "graph-url", "https://graph.microsoft.com/v1.0", -1, NULL },
  { "graph-https-us-gov", "graph-url", "https://graph.microsoft.us/v1.0", -1, NULL },
  { "graph-https-us-dod", "graph-url", "https://dod-graph.microsoft.us/v1.0", -1, NULL },
  { "graph-https-china", "graph-url", "https://microsoftgraph.chinacloudapi.cn/v1.0", -1, NULL },
  { "graph-https-upper-case", "graph-url", "https://GRAPH.Microsoft.com/beta", -1, NULL },
  { "graph-https-other-host", "graph-url", "https://graph.example.org/v1.0",
    MR_CONFIG_ERROR_INVALID, "Microsoft Graph's own" },
  { "graph-https-lookalike", "graph-url", "https://graph.microsoft.com.evil.example/v1.0",
    MR_CONFIG_ERROR_INVALID, "Microsoft Graph's own" },
  { "graph-https-subdomain", "graph-url", "https://evil.graph.microsoft.com/v1.0",
    MR_CONFIG_ERROR_INVALID, "Microsoft Graph's own" },
  { "graph-https-localhost", "graph-url", "https://localhost:3000/v1.0",
    MR_CONFIG_ERROR_INVALID, "127.0.0.1" },
  { "graph-http-microsoft", "graph-url", "http://graph.microsoft.com/v1.0",
    MR_CONFIG_ERROR_INVALID, "Graph" },
  { "workflow-http-ipv6-loopback", "workflow-url", "http://[::1]:5678/webhook/refill", -1, NULL },
  { "workflow-http-localhost-lookalike", "workflow-url", "http://localhost.example.org/webhook",
    MR_CONFIG_ERROR_INVALID, "workflow" },
  { "workflow-https", "workflow-url", "https://n8n.example.org/webhook/refill", -1, NULL },
  { "workflow-garbage", "workflow-url", "not a url", MR_CONFIG_ERROR_INVALID, "workflow" },
  { "workflow-relative", "workflow-url", "/webhook/refill", MR_CONFIG_ERROR_INVALID, "workflow" },
  { "workflow-ftp", "workflow-url", "ftp://n8n.example.org/x", MR_CONFIG_ERROR_INVALID,
    "workflow" },
  { "workflow-no-host", "workflow-url", "https:///webhook", MR_CONFIG_ERROR_INVALID, "workflow" },
  { "redirect-https", "redirect-uri", "https://app.example.org/cb", -1, NULL },
  { "redirect-http-127", "redirect-uri", "http://127.0.0.1:5000/auth/callback", -1, NULL },
  /* Captured, never fetched: the name is fine (the default, as Entra registers it). */
  { "redirect-http-localhost", "redirect-uri", "http://localhost:5000/auth/callback", -1, NULL },
  { "redirect-http-remote", "redirect-uri", "http://app.example.org/cb", MR_CONFIG_ERROR_INVALID,
    "redirect" },
  { "redirect-custom-scheme", "redirect-uri", "msal877afb01://auth", MR_CONFIG_ERROR_INVALID,
    "redirect" },
  { "scopes-without-openid", "scopes", "profile User.Read", MR_CONFIG_ERROR_INVALID, "openid" },
  { "scopes-empty", "scopes", "", MR_CONFIG_ERROR_INVALID, "openid" },
  { "scopes-openid-only", "scopes", "openid", -1, NULL },
  /* At a desk (the default mode) an unset staff role would let nobody in, never everybody. */
  { "no-staff-role-desk", "staff-role", "", MR_CONFIG_ERROR_MISSING, "staff app role" },
  { "other-staff-role", "staff-role", "Pharmacist", -1, NULL },
};

/* Sign in with a phone: off unless turned on; the override page held to https while it is on. */
static void
test_device_sign_in (void)
{
  static const struct {
    const char *on;
    const char *uri;
    gboolean    valid;
  } cases[] = {
    { "false", "", TRUE },
    { "true", "", TRUE },
    { "true", "https://contosoclinic.ciamlogin.com/common/oauth2/deviceauth", TRUE },
    { "true", "http://127.0.0.1:8080/t/oauth2/deviceauth", TRUE },
    { "true", "http://contosoclinic.example/devicelogin", FALSE },
    { "true", "http://localhost:8080/devicelogin", FALSE },
    { "true", "not a url", FALSE },
    { "true", "javascript:alert(1)", FALSE },
    /* Unused while off: it does not stop the app. */
    { "false", "http://contosoclinic.example/devicelogin", TRUE },
  };
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(MrConfig) copy = NULL;
  g_autoptr(MrConfig) from_settings = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.medrefill.MedRefill");
  g_autoptr(MrConfig) stock = mr_config_new_from_settings (settings);
  g_autoptr(GError) error = NULL;

  g_assert_false (config->device_sign_in);
  g_assert_cmpstr (config->device_verification_uri, ==, "");
  g_assert_false (stock->device_sign_in);
  g_assert_cmpstr (stock->device_verification_uri, ==, "");

  g_assert_true (mr_config_set (config, "device-sign-in", "true", &error));
  g_assert_true (mr_config_set (config, "device-verification-uri",
                                "https://c.ciamlogin.com/common/oauth2/deviceauth", &error));
  g_assert_no_error (error);
  g_assert_true (config->device_sign_in);
  copy = mr_config_copy (config);
  g_assert_true (copy->device_sign_in);
  g_assert_cmpstr (copy->device_verification_uri, ==,
                   "https://c.ciamlogin.com/common/oauth2/deviceauth");
  g_assert_false (mr_config_set (config, "device-sign-in", "yes", &error));
  g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (config->device_sign_in);

  g_settings_set_boolean (settings, "device-sign-in", TRUE);
  g_settings_set_string (settings, "device-verification-uri", "https://c.example/device");
  from_settings = mr_config_new_from_settings (settings);
  g_assert_true (from_settings->device_sign_in);
  g_assert_cmpstr (from_settings->device_verification_uri, ==, "https://c.example/device");
  g_settings_reset (settings, "device-sign-in");
  g_settings_reset (settings, "device-verification-uri");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrConfig) c = mr_config_new ();

      g_assert_true (mr_config_set (c, "authority", "https://login.example.org/t/v2.0", NULL));
      g_assert_true (mr_config_set (c, "client-id", "877afb01", NULL));
      g_assert_true (mr_config_set (c, "workflow-url", "https://n8n.example.org/w", NULL));
      g_assert_true (mr_config_set (c, "device-sign-in", cases[i].on, NULL));
      g_assert_true (mr_config_set (c, "device-verification-uri", cases[i].uri, NULL));
      g_clear_error (&error);
      g_assert_cmpint (mr_config_validate (c, &error), ==, cases[i].valid);
      if (cases[i].valid)
        continue;
      g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "phone sign-in page"));
    }
}

/* A kiosk never opens the desk: it needs no staff role. */
static void
test_staff_role_kiosk (void)
{
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_config_set (config, "authority", "https://login.example.org/t/v2.0", NULL));
  g_assert_true (mr_config_set (config, "client-id", "877afb01", NULL));
  g_assert_true (mr_config_set (config, "workflow-url", "https://n8n.example.org/w", NULL));
  g_assert_true (mr_config_set (config, "staff-role", "", NULL));
  g_assert_true (mr_config_set (config, "mode", "kiosk", NULL));
  g_assert_true (mr_config_validate (config, &error));
  g_assert_no_error (error);
}

static void
test_validate (gconstpointer data)
{
  const ValidateCase *c = data;
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_config_set (config, "authority", "https://login.example.org/t/v2.0", NULL));
  g_assert_true (mr_config_set (config, "client-id", "877afb01", NULL));
  g_assert_true (mr_config_set (config, "workflow-url", "https://n8n.example.org/w", NULL));
  if (c->key != NULL)
    g_assert_true (mr_config_set (config, c->key, c->value, NULL));

  if (c->code < 0)
    {
      g_assert_true (mr_config_validate (config, &error));
      g_assert_no_error (error);
      return;
    }
  g_assert_false (mr_config_validate (config, &error));
  g_assert_error (error, MR_CONFIG_ERROR, c->code);
  g_assert_nonnull (strstr (error->message, c->words));
  g_assert_true (g_str_has_suffix (error->message, "."));
}

static void
test_client_id_message (void)
{
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_config_set (config, "authority", "https://login.example.org/t", NULL));
  g_assert_false (mr_config_validate (config, &error));
  g_assert_cmpstr (error->message, ==,
                   "The client ID is not set. Ask your administrator to set it in Preferences.");
}

/* ---- .env import (the tutorial's keys) ------------------------------------------------------ */

#define ENV_TID "9a674bb7-0000-0000-0000-000000000000"
#define ENV_CID "877afb01-0000-0000-0000-000000000000"
#define ENV_SECRET "Xy7Q~not-a-real-secret-but-shaped-like-one"

typedef struct {
  const char *name;
  const char *text;
  const char *authority;     /* NULL: the import is refused */
  const char *redirect_uri;  /* after a successful import */
  int         error_code;
  const char *error_names;   /* space-separated keys the message must name */
  const char *warning;       /* a phrase one warning must contain, or NULL for no warning */
} EnvCase;

static const EnvCase env_cases[] = {
  { "tutorial-external-id",
    "TENANT_ID=" ENV_TID "\nTENANT_NAME=contosoclinic\nCLIENT_ID=" ENV_CID "\n"
    "REDIRECT_URI=http://localhost:5000/auth/callback\n",
    "https://contosoclinic.ciamlogin.com/" ENV_TID, "http://localhost:5000/auth/callback", 0,
    NULL, NULL },
  { "tutorial-with-secret-and-policy",
    "# Microsoft Entra External ID\r\nTENANT_ID=\"" ENV_TID "\"\r\nTENANT_NAME='contosoclinic'\r\n"
    "POLICY_NAME=SignUpSignIn\r\nCLIENT_ID=" ENV_CID "\r\nCLIENT_SECRET=" ENV_SECRET "\r\n"
    "REDIRECT_URI=http://localhost:5000/auth/callback\r\n",
    "https://contosoclinic.ciamlogin.com/" ENV_TID, "http://localhost:5000/auth/callback", 0,
    NULL, "a public client" },
  { "b2c-user-flow",
    "export TENANT_ID=" ENV_TID "\nexport TENANT_NAME=contosoclinic\n"
    "export POLICY_NAME=B2C_1_signupsignin   # the user flow\nexport CLIENT_ID=" ENV_CID "\n",
    "https://contosoclinic.b2clogin.com/contosoclinic.onmicrosoft.com/B2C_1_signupsignin",
    "http://localhost:5000/auth/callback", 0, NULL, NULL },
  { "b2c-custom-policy-full-tenant-domain",
    "TENANT_ID=" ENV_TID "\nTENANT_NAME=ContosoClinic.onmicrosoft.com\n"
    "POLICY_NAME=B2C_1A_signup_signin\nCLIENT_ID=" ENV_CID "\n"
    "REDIRECT_URI=\"http://127.0.0.1:8400/callback\" # loopback\n",
    "https://contosoclinic.b2clogin.com/contosoclinic.onmicrosoft.com/B2C_1A_signup_signin",
    "http://127.0.0.1:8400/callback", 0, NULL, NULL },
  { "external-id-policy-ignored",
    "TENANT_ID=" ENV_TID "\nTENANT_NAME=contosoclinic\nPOLICY_NAME=SignUpSignIn\n"
    "CLIENT_ID=" ENV_CID "\n",
    "https://contosoclinic.ciamlogin.com/" ENV_TID, "http://localhost:5000/auth/callback", 0,
    NULL, "POLICY_NAME was not used" },
  { "unknown-key-warned",
    "TENANT_ID=" ENV_TID "\nTENANT_NAME=contosoclinic\nCLIENT_ID=" ENV_CID "\nPORT=5000\n",
    "https://contosoclinic.ciamlogin.com/" ENV_TID, "http://localhost:5000/auth/callback", 0,
    NULL, "PORT is not a setting" },
  { "uppercase-guids",
    "TENANT_ID=9A674BB7-0000-0000-0000-000000000000\nTENANT_NAME=contosoclinic\n"
    "CLIENT_ID=877AFB01-0000-0000-0000-000000000000\n",
    "https://contosoclinic.ciamlogin.com/" ENV_TID, "http://localhost:5000/auth/callback", 0,
    NULL, NULL },
  { "empty-file", "", NULL, NULL, MR_CONFIG_ERROR_MISSING, "TENANT_ID TENANT_NAME CLIENT_ID",
    NULL },
  { "missing-client-id", "TENANT_ID=" ENV_TID "\nTENANT_NAME=contosoclinic\n", NULL, NULL,
    MR_CONFIG_ERROR_MISSING, "CLIENT_ID", NULL },
  { "tenant-id-not-guid",
    "TENANT_ID=contosoclinic.onmicrosoft.com\nTENANT_NAME=contosoclinic\nCLIENT_ID=" ENV_CID "\n",
    NULL, NULL, MR_CONFIG_ERROR_INVALID, "TENANT_ID", NULL },
  { "client-id-not-guid",
    "TENANT_ID=" ENV_TID "\nTENANT_NAME=contosoclinic\nCLIENT_ID=877afb01-0000-0000-0000\n",
    NULL, NULL, MR_CONFIG_ERROR_INVALID, "CLIENT_ID", NULL },
  { "tenant-name-not-subdomain",
    "TENANT_ID=" ENV_TID "\nTENANT_NAME=contoso clinic/x\nCLIENT_ID=" ENV_CID "\n",
    NULL, NULL, MR_CONFIG_ERROR_INVALID, "TENANT_NAME", NULL },
  { "tenant-name-leading-hyphen",
    "TENANT_ID=" ENV_TID "\nTENANT_NAME=-contoso\nCLIENT_ID=" ENV_CID "\n",
    NULL, NULL, MR_CONFIG_ERROR_INVALID, "TENANT_NAME", NULL },
  { "policy-name-bad",
    "TENANT_ID=" ENV_TID "\nTENANT_NAME=contosoclinic\nPOLICY_NAME=B2C_1_x/../y\n"
    "CLIENT_ID=" ENV_CID "\n", NULL, NULL, MR_CONFIG_ERROR_INVALID, "POLICY_NAME", NULL },
  { "redirect-not-loopback",
    "TENANT_ID=" ENV_TID "\nTENANT_NAME=contosoclinic\nCLIENT_ID=" ENV_CID "\n"
    "REDIRECT_URI=https://clinic.example.org/auth/callback\n",
    NULL, NULL, MR_CONFIG_ERROR_INVALID, "REDIRECT_URI", NULL },
  { "redirect-custom-scheme",
    "TENANT_ID=" ENV_TID "\nTENANT_NAME=contosoclinic\nCLIENT_ID=" ENV_CID "\n"
    "REDIRECT_URI=msal877afb01://auth\n",
    NULL, NULL, MR_CONFIG_ERROR_INVALID, "REDIRECT_URI", NULL },
  { "unclosed-quote",
    "TENANT_ID=\"" ENV_TID "\nTENANT_NAME=contosoclinic\nCLIENT_ID=" ENV_CID "\n",
    NULL, NULL, MR_CONFIG_ERROR_INVALID, "TENANT_ID", NULL },
  { "several-problems-named",
    "TENANT_ID=nope\nTENANT_NAME=contosoclinic\nCLIENT_ID=nope\nCLIENT_SECRET=" ENV_SECRET "\n",
    NULL, NULL, MR_CONFIG_ERROR_INVALID, "TENANT_ID CLIENT_ID", NULL },
};

static gboolean
warnings_contain (char       **warnings,
                  const char  *phrase)
{
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    if (strstr (warnings[i], phrase) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_import_env (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (env_cases); i++)
    {
      const EnvCase *c = &env_cases[i];
      g_autoptr(MrConfig) config = mr_config_new ();
      g_autoptr(MrConfig) before = mr_config_new ();
      g_auto(GStrv) warnings = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok = mr_config_import_env (config, c->text, &warnings, &error);

      g_test_message ("env case %s", c->name);
      if (c->authority == NULL)
        {
          g_auto(GStrv) keys = g_strsplit (c->error_names, " ", -1);

          g_assert_false (ok);
          g_assert_error (error, MR_CONFIG_ERROR, c->error_code);
          for (guint k = 0; keys[k] != NULL; k++)
            g_assert_nonnull (strstr (error->message, keys[k]));
          g_assert_null (strstr (error->message, ENV_SECRET));
          g_assert_null (warnings);
          /* Refused means untouched. */
          g_assert_cmpstr (config->authority, ==, before->authority);
          g_assert_cmpstr (config->client_id, ==, before->client_id);
          g_assert_cmpstr (config->tenant_id, ==, before->tenant_id);
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (config->authority, ==, c->authority);
      g_assert_cmpstr (config->tenant_id, ==, ENV_TID);
      g_assert_cmpstr (config->client_id, ==, ENV_CID);
      g_assert_cmpstr (config->redirect_uri, ==, c->redirect_uri);
      g_assert_nonnull (warnings);
      if (c->warning != NULL)
        g_assert_true (warnings_contain (warnings, c->warning));
      else
        g_assert_cmpuint (g_strv_length (warnings), ==, 0);
      for (guint w = 0; warnings[w] != NULL; w++)
        g_assert_null (strstr (warnings[w], ENV_SECRET));
      /* What was imported is a config sign-in can use. */
      g_free (config->workflow_url);
      config->workflow_url = g_strdup ("http://127.0.0.1:5678/webhook/medication-refill");
      g_assert_true (mr_config_validate (config, &error));
    }
}

/* The secret is refused with its reason, and no field of the config holds it. */
static void
test_import_env_refuses_secret (void)
{
  g_autoptr(MrConfig) config = mr_config_new ();
  g_auto(GStrv) warnings = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_config_import_env (config, "CLIENT_SECRET=" ENV_SECRET "\nTENANT_ID=" ENV_TID
                                       "\nTENANT_NAME=contosoclinic\nCLIENT_ID=" ENV_CID "\n",
                                       &warnings, &error));
  g_assert_cmpuint (g_strv_length (warnings), ==, 1);
  g_assert_nonnull (strstr (warnings[0], "CLIENT_SECRET"));
  g_assert_nonnull (strstr (warnings[0], "public client"));
  g_assert_nonnull (strstr (warnings[0], "Delete CLIENT_SECRET from the file"));
  g_assert_cmpstr (config->authority, !=, ENV_SECRET);
  g_assert_null (strstr (config->client_id, "Xy7Q"));
  g_assert_null (strstr (config->authority, "Xy7Q"));
  g_assert_null (strstr (config->redirect_uri, "Xy7Q"));
  g_assert_null (strstr (config->tenant_id, "Xy7Q"));
}

/* ---- the administrator's settings file --------------------------------------------------- */

static GSettingsSchema *
app_schema (void)
{
  return g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                          "io.github.medrefill.MedRefill", TRUE);
}

/* Its keys win over the user's values, typed as the schema has them. */
static void
test_lock_applies (void)
{
  g_autoptr(GSettingsSchema) schema = app_schema ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MrConfigLock) lock = NULL;
  g_autoptr(MrConfig) config = mr_config_new ();

  lock = mr_config_lock_load_data ("# set by the clinic\n"
                                   "[io.github.medrefill.MedRefill]\n"
                                   "workflow-url='https://n8n.clinic.example/webhook/refill'\n"
                                   "graph-url='https://graph.microsoft.us/v1.0'\n"
                                   "scopes=['openid', 'offline_access']\n"
                                   "mode='kiosk'\n"
                                   "idle-timeout=uint32 300\n"
                                   "[some.other.App]\n"
                                   "client-id='not ours'\n",
                                   "/etc/medrefill/settings.ini", schema, &error);
  g_assert_no_error (error);
  g_assert_false (mr_config_lock_is_empty (lock));
  g_assert_true (mr_config_lock_has_key (lock, "workflow-url"));
  g_assert_false (mr_config_lock_has_key (lock, "client-id"));
  g_assert_cmpstr (mr_config_lock_get_path (lock), ==, "/etc/medrefill/settings.ini");

  g_free (config->workflow_url);
  config->workflow_url = g_strdup ("https://evil.example/webhook");
  mr_config_lock_apply (lock, config);
  g_assert_cmpstr (config->workflow_url, ==, "https://n8n.clinic.example/webhook/refill");
  g_assert_cmpstr (config->graph_url, ==, "https://graph.microsoft.us/v1.0");
  g_assert_cmpstrv (config->scopes, ((const char * const []) { "openid", "offline_access", NULL }));
  g_assert_cmpint (config->mode, ==, MR_MODE_KIOSK);
  g_assert_cmpuint (config->idle_timeout, ==, 300);
  g_assert_cmpstr (config->client_id, ==, "");
}

/* No file: nothing locked, nothing changed. */
static void
test_lock_missing_file (void)
{
  g_autoptr(GSettingsSchema) schema = app_schema ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "medrefill-no-such-dir",
                                            "settings.ini", NULL);
  g_autoptr(MrConfigLock) lock = mr_config_lock_load (path, schema, &error);
  g_autoptr(MrConfig) config = mr_config_new ();
  g_autoptr(MrConfig) before = mr_config_new ();

  g_assert_no_error (error);
  g_assert_true (mr_config_lock_is_empty (lock));
  mr_config_lock_apply (lock, config);
  g_assert_cmpstr (config->workflow_url, ==, before->workflow_url);
  g_assert_cmpint (config->mode, ==, before->mode);
}

/* A file the app cannot use stops it, with the file and the key named: running unlocked because
 * the administrator mistyped would be the opposite of what they asked. */
static void
test_lock_invalid (void)
{
  static const struct { const char *text; const char *words; } cases[] = {
    { "[io.github.medrefill.MedRefill]\nworkflow-url=https://n8n.clinic.example/w\n",
      "“workflow-url”" },
    { "[io.github.medrefill.MedRefill]\nmode='museum'\n", "“mode”" },
    { "[io.github.medrefill.MedRefill]\nidle-timeout=uint32 2\n", "“idle-timeout”" },
    { "[io.github.medrefill.MedRefill]\nno-such-key='x'\n", "“no-such-key”" },
    { "this is not a key file\n", "cannot be read" },
  };
  g_autoptr(GSettingsSchema) schema = app_schema ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MrConfigLock) lock = mr_config_lock_load_data (cases[i].text, "/etc/x.ini",
                                                               schema, &error);

      g_assert_null (lock);
      g_assert_error (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, cases[i].words));
      g_assert_nonnull (strstr (error->message, "/etc/x.ini"));
    }
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/settings/defaults", test_settings_defaults);
  g_test_add_func ("/config/settings/values", test_settings_values);
  g_test_add_func ("/config/set", test_set);
  g_test_add_func ("/config/apply-lines", test_apply_lines);
  g_test_add_func ("/config/choices-and-lists", test_choices_and_lists);
  g_test_add_func ("/config/payload-format-alias", test_payload_format_alias);
  g_test_add_func ("/config/validate/client-id-message", test_client_id_message);
  g_test_add_func ("/config/validate/staff-role-kiosk", test_staff_role_kiosk);
  g_test_add_func ("/config/device-sign-in", test_device_sign_in);
  g_test_add_func ("/config/import-env/table", test_import_env);
  g_test_add_func ("/config/import-env/refuses-secret", test_import_env_refuses_secret);
  for (gsize i = 0; i < G_N_ELEMENTS (validate_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/config/validate/%s", validate_cases[i].name);

      g_test_add_data_func (path, &validate_cases[i], test_validate);
    }
  g_test_add_func ("/config/lock/applies", test_lock_applies);
  g_test_add_func ("/config/lock/missing-file", test_lock_missing_file);
  g_test_add_func ("/config/lock/invalid", test_lock_invalid);
  return g_test_run ();
}

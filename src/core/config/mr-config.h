/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MR_CONFIG_ERROR (mr_config_error_quark ())

typedef enum {
  MR_CONFIG_ERROR_MISSING,   /* a required setting is empty */
  MR_CONFIG_ERROR_INVALID,   /* a setting holds a value that cannot work (bad URL, http to a remote host) */
  MR_CONFIG_ERROR_UNKNOWN_KEY,
} MrConfigError;

typedef enum {
  MR_MODE_DESK,
  MR_MODE_KIOSK,
} MrMode;

/* The schema's enums, in the schema's order. */
typedef enum {
  MR_SIGN_IN_EMBEDDED,
  MR_SIGN_IN_SYSTEM_BROWSER,
} MrSignInBrowser;

typedef enum {
  MR_PAYLOAD_REFILL_V2,
  MR_PAYLOAD_FHIR_R4,
} MrPayloadFormat;

/* A plain snapshot of the settings the core needs. The UI makes one from GSettings (or from the
 * sandbox's key=value lines) and hands copies to the core, so the core never reads GSettings
 * behind the caller's back. */
typedef struct {
  char   *authority;
  char   *tenant_id;
  char   *client_id;
  char   *redirect_uri;
  char  **scopes;
  char   *graph_url;
  char   *extensions_app_id;
  char   *workflow_url;
  char   *workflow_auth_header;
  char   *api_scope;            /* the clinic API's delegated scope (api://<id>/Refill.Submit);
                                 * "" when the clinic has none: requests then carry no token */
  char   *staff_role;           /* the app role that proves a front-desk staff member */
  MrMode  mode;
  guint   idle_timeout;
  char   *formulary_path;       /* "" when the clinic has no formulary file */
  char   *consent_text;         /* "" for the built-in consent sentence */
  MrSignInBrowser  sign_in_browser;
  char           **pickup_locations;   /* never NULL; empty: any location the user types */
  MrPayloadFormat  payload_format;
  char           **sign_in_hosts;      /* never NULL: hosts the sign-in page may visit besides
                                        * the provider's own */
  gboolean         device_sign_in;     /* a kiosk offers "Sign in with your phone" (the device
                                        * authorization grant); off unless the administrator
                                        * turns it on */
  char            *device_verification_uri; /* "" for the provider's verification_uri; else the
                                             * page the person is sent to instead (an External ID
                                             * tenant's ciamlogin.com device page) */
} MrConfig;

GQuark      mr_config_error_quark        (void);

/* Returns a new config holding design.md's defaults; free with mr_config_free(). */
MrConfig   *mr_config_new                (void);
/* Reads every key of the io.github.medrefill.MedRefill schema from @settings. Does not block. */
MrConfig   *mr_config_new_from_settings  (GSettings      *settings);
MrConfig   *mr_config_copy               (const MrConfig *config);
void        mr_config_free               (MrConfig       *config);

/* Sets one setting by its GSettings key name (e.g. "client-id") from a string, as printed by
 * medrefill-sandbox. "scopes" takes a space-separated list, "mode" takes desk|kiosk, a boolean
 * ("device-sign-in") true|false. */
gboolean    mr_config_set                (MrConfig       *config,
                                          const char     *key,
                                          const char     *value,
                                          GError        **error);
/* Sets one setting by its GSettings key name from a value of the schema's type (as
 * g_settings_get_value() gives it; an enum as its nick). Keys MrConfig does not hold are ignored. */
void        mr_config_set_value          (MrConfig       *config,
                                          const char     *key,
                                          GVariant       *value);
/* Applies every "key=value" line of @text (blank lines and lines without '=' are ignored). */
gboolean    mr_config_apply_lines        (MrConfig       *config,
                                          const char     *text,
                                          GError        **error);

/* Checks that sign-in, Graph and delivery can work with this config: the required keys are set
 * (in desk mode the staff role too) and each URL is absolute and https (http only for 127.0.0.0/8
 * and ::1; the redirect URI, never fetched, may also name localhost); graph-url names Microsoft
 * Graph (mr_config_graph_url_is_allowed()). With device-sign-in on, a device-verification-uri
 * that is set must be such a URL too. */
gboolean    mr_config_validate           (const MrConfig *config,
                                          GError        **error);

/* TRUE when @url may be the Microsoft Graph base: https to one of Microsoft Graph's service roots
 * (graph.microsoft.com and the national clouds' graph.microsoft.us, dod-graph.microsoft.us,
 * microsoftgraph.chinacloudapi.cn), or an address on a loopback IP literal (127.0.0.0/8, ::1;
 * http allowed there) for the sandbox and tests. The Graph token follows this setting, so no other
 * host is ever accepted (mr_config_validate() refuses it). */
gboolean    mr_config_graph_url_is_allowed (const char *url);

/* Imports the sign-in settings from the text of the tutorial's .env file (TENANT_ID, TENANT_NAME,
 * POLICY_NAME, CLIENT_ID, REDIRECT_URI; `export`, quotes, comments and CRLF are understood) and
 * derives the authority: https://{TENANT_NAME}.ciamlogin.com/{TENANT_ID} (External ID), or, when
 * POLICY_NAME names a B2C user flow or custom policy (B2C_1_… / B2C_1A_…),
 * https://{TENANT_NAME}.b2clogin.com/{TENANT_NAME}.onmicrosoft.com/{POLICY_NAME}.
 * CLIENT_SECRET is never kept: a desktop client is public. On success @config is updated and
 * *@warnings (when not NULL) gets a new, possibly empty, list of sentences (ignored keys, the
 * secret). On failure @config is untouched and the error names each bad key, one sentence a line
 * (MR_CONFIG_ERROR_MISSING or _INVALID). No value from the file is ever put in a message. */
gboolean    mr_config_import_env         (MrConfig       *config,
                                          const char     *text,
                                          GStrv          *warnings,
                                          GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrConfig, mr_config_free)

G_END_DECLS

#include "mr-config-lock.h"

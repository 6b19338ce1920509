/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-aadsts.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "mr-oidc.h"
#include "mr-util.h"

/* The longest piece of a provider's own text the app shows to a person. */
#define MR_PROVIDER_TEXT_MAX 300

/* A message with "%s" (replaced, not a printf format) takes the redirect URI the app sent; its
 * twin without it serves when the URI is unknown. */
typedef struct {
  const char *key;       /* "AADSTS50011", "AADB2C90118" or an OAuth error ("login_required") */
  MrOidcError code;
  const char *message;
  const char *message_with_redirect;
} MrAadstsCase;

/* Numbers first: they are more precise than the OAuth error that carries them. Sources: the
 * Entra error code reference (learn.microsoft.com/entra/identity-platform/reference-error-codes)
 * and the B2C one (…/active-directory-b2c/error-codes). */
static const MrAadstsCase number_cases[] = {
  { "AADSTS7000218", MR_OIDC_ERROR_CONFIG,
    N_("The app is registered in Microsoft Entra as a “Web” application, which demands a client "
       "secret. Ask your administrator to register it under “Mobile and desktop applications” with "
       "the app's redirect URI, and to delete the client secret: this app is a public client and "
       "never uses one."),
    N_("The app is registered in Microsoft Entra as a “Web” application, which demands a client "
       "secret. Ask your administrator to register it under “Mobile and desktop applications” with "
       "the redirect URI %s, and to delete the client secret: this app is a public client and "
       "never uses one.") },
  { "AADSTS50011", MR_OIDC_ERROR_CONFIG,
    N_("The redirect URI the app sent is not registered for this app. Ask your administrator to "
       "add it, exactly as set in Preferences, under “Mobile and desktop applications”."),
    N_("The redirect URI the app sent, %s, is not registered for this app. Ask your administrator "
       "to add exactly this address under “Mobile and desktop applications”.") },
  /* The clinic API's scope (api-scope) names an API the tenant does not have. */
  { "AADSTS500011", MR_OIDC_ERROR_CONFIG,
    N_("The clinic's own API is not set up in Microsoft Entra as the app's settings name it, so "
       "the request cannot be sent. Ask your administrator to check the clinic API scope in "
       "Preferences and the app registration's “Expose an API”."), NULL },
  { "AADSTS28000", MR_OIDC_ERROR_CONFIG,
    N_("The app asked for two services' permissions in one sign-in request, which Microsoft Entra "
       "refuses. Ask your administrator to check the scopes in Preferences."), NULL },
  { "AADSTS65001", MR_OIDC_ERROR_CONFIG,
    N_("An administrator must grant consent to this app's permissions before anyone can sign in. "
       "Ask your administrator to grant admin consent for the organization."), NULL },
  { "AADSTS700082", MR_OIDC_ERROR_EXPIRED,
    N_("Your saved sign-in has expired after a long time without use. Please sign in "
       "again."), NULL },
  { "AADSTS70008", MR_OIDC_ERROR_EXPIRED,
    N_("Your sign-in has expired because it was not used for a while. Please sign in "
       "again."), NULL },
  { "AADSTS700084", MR_OIDC_ERROR_EXPIRED,
    N_("Your sign-in has reached the longest time it may last. Please sign in again."), NULL },
  { "AADSTS50173", MR_OIDC_ERROR_EXPIRED,
    N_("Your sign-in is no longer valid, for example because your password was changed. Please "
       "sign in again."), NULL },
  { "AADSTS50076", MR_OIDC_ERROR_INTERACTION,
    N_("Your organization requires a second verification step (multi-factor authentication). "
       "Please sign in again and complete it."), NULL },
  { "AADSTS50079", MR_OIDC_ERROR_INTERACTION,
    N_("Your organization requires you to set up multi-factor authentication. Please sign in again "
       "and follow the steps to register a verification method."), NULL },
  { "AADSTS90072", MR_OIDC_ERROR_CONFIG,
    N_("The account you signed in with is not part of this organization. Sign in with your "
       "organization's account, or ask your administrator to invite yours."), NULL },
  { "AADSTS501481", MR_OIDC_ERROR_EXPIRED,
    N_("The sign-in could not be completed because its security check (PKCE code verifier) did not "
       "match. Please sign in again."), NULL },
  { "AADSTS50148", MR_OIDC_ERROR_EXPIRED,
    N_("The sign-in could not be completed because its security check (PKCE code verifier) did not "
       "match. Please sign in again."), NULL },
  { "AADSTS54005", MR_OIDC_ERROR_EXPIRED,
    N_("This sign-in was already completed once and cannot be used again. Please sign in again."),
    NULL },
  { "AADSTS70000", MR_OIDC_ERROR_EXPIRED,
    N_("The sign-in took too long to complete or could not be used. Please sign in again."), NULL },
  { "AADSTS700016", MR_OIDC_ERROR_CONFIG,
    N_("This app is not known to the organization's sign-in service. Ask your administrator to "
       "check the client ID and the tenant in Preferences."), NULL },
  { "AADSTS50058", MR_OIDC_ERROR_INTERACTION,
    N_("You are not signed in any more, and the sign-in service needs to show its sign-in page. "
       "Please sign in again."), NULL },
  { "AADSTS70011", MR_OIDC_ERROR_CONFIG,
    N_("The app asked for a permission (scope) the sign-in service does not accept. Ask your "
       "administrator to check the scopes in Preferences and the app's API permissions."), NULL },
  { "AADSTS65004", MR_OIDC_ERROR_CANCELLED,
    N_("Sign-in was cancelled because the app's permissions were declined."), NULL },
  { "AADB2C90118", MR_OIDC_ERROR_PASSWORD_RESET,
    N_("You asked to reset your password. Follow the password reset steps, then sign in with your "
       "new password."), NULL },
  { "AADB2C90091", MR_OIDC_ERROR_CANCELLED,
    N_("Sign-in was cancelled before your details were entered."), NULL },
};

/* The OAuth error alone, when no number above matched. access_denied is not here: it only means
 * "cancelled" when no unknown number says otherwise (see oauth_error_new). */
static const MrAadstsCase oauth_cases[] = {
  { "login_required", MR_OIDC_ERROR_INTERACTION,
    N_("The sign-in service needs to show its sign-in page before you can continue. Please sign in "
       "again."), NULL },
  { "interaction_required", MR_OIDC_ERROR_INTERACTION,
    N_("The sign-in service needs you to complete an extra step on its sign-in page. Please sign "
       "in again."), NULL },
  { "consent_required", MR_OIDC_ERROR_INTERACTION,
    N_("The app needs your consent to its permissions. Please sign in again and accept them."),
    NULL },
  { "invalid_scope", MR_OIDC_ERROR_CONFIG,
    N_("The app asked for permissions the sign-in service does not recognize. Ask your "
       "administrator to check the scopes in Preferences."), NULL },
  { "temporarily_unavailable", MR_OIDC_ERROR_RETRY,
    N_("The sign-in service is temporarily unavailable. Please try again in a moment."), NULL },
  { "server_error", MR_OIDC_ERROR_RETRY,
    N_("The sign-in service had an internal problem. Please try again."), NULL },
};

/* Reads "AADSTS12345" or "AADB2C12345" at @p; returns its length, 0 when there is none. */
static gsize
scan_code (const char *p)
{
  gsize len = 0;

  if (g_str_has_prefix (p, "AADSTS") || g_str_has_prefix (p, "AADB2C"))
    len = 6;
  else
    return 0;
  while (g_ascii_isdigit (p[len]) && len < 16)
    len++;
  return len > 6 && p[len] == ':' ? len : 0;
}

static void
codes_from_description (GPtrArray  *codes,
                        const char *description)
{
  g_autofree char *line = NULL;

  if (description == NULL)
    return;
  line = g_strndup (description, strcspn (description, "\r\n"));
  for (const char *p = line; *p != '\0'; p++)
    {
      gsize len = p == line || !g_ascii_isalnum (p[-1]) ? scan_code (p) : 0;

      if (len == 0)
        continue;
      g_ptr_array_add (codes, g_strndup (p, len));
      p += len - 1;
    }
}

char **
mr_aadsts_codes (const char *description,
                 JsonArray  *error_codes)
{
  GPtrArray *codes = g_ptr_array_new ();

  for (guint i = 0; error_codes != NULL && i < json_array_get_length (error_codes); i++)
    {
      JsonNode *node = json_array_get_element (error_codes, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
          && json_node_get_int (node) > 0)
        g_ptr_array_add (codes, g_strdup_printf ("AADSTS%" G_GINT64_FORMAT,
                                                 json_node_get_int (node)));
    }
  if (codes->len == 0)
    codes_from_description (codes, description);
  g_ptr_array_add (codes, NULL);
  return (char **) g_ptr_array_free (codes, FALSE);
}

/* The first line of a provider's text, without control characters, short enough to show. */
static char *
provider_text (const char *text)
{
  g_autofree char *first_line = NULL;
  g_autofree char *clean = NULL;

  if (text == NULL)
    return NULL;
  first_line = g_strndup (text, strcspn (text, "\r\n"));
  clean = mr_text_clean (first_line);
  if (g_utf8_strlen (clean, -1) > MR_PROVIDER_TEXT_MAX)
    {
      g_autofree char *cut = g_utf8_substring (clean, 0, MR_PROVIDER_TEXT_MAX);

      return g_strconcat (cut, "…", NULL);
    }
  return *clean != '\0' ? g_steal_pointer (&clean) : NULL;
}

static const MrAadstsCase *
find_case (const MrAadstsCase *cases,
           gsize               n_cases,
           const char         *key)
{
  for (gsize i = 0; key != NULL && i < n_cases; i++)
    if (g_ascii_strcasecmp (cases[i].key, key) == 0)
      return &cases[i];
  return NULL;
}

static GError *
case_error_new (const MrAadstsCase *c,
                const char         *redirect_uri)
{
  g_autofree char *clean_uri = redirect_uri != NULL ? mr_text_clean (redirect_uri) : NULL;

  g_autoptr(GString) message = NULL;

  if (c->message_with_redirect == NULL || clean_uri == NULL || *clean_uri == '\0')
    return g_error_new_literal (MR_OIDC_ERROR, c->code, _(c->message));
  /* Not a printf format: the address is data, and may itself hold a '%'. */
  message = g_string_new (_(c->message_with_redirect));
  g_string_replace (message, "%s", clean_uri, 1);
  return g_error_new_literal (MR_OIDC_ERROR, c->code, message->str);
}

/* What is left when neither a number nor the OAuth error is known: the provider's own words. */
static GError *
generic_error_new (const char *oauth_error,
                   const char *description)
{
  g_autofree char *text = provider_text (description);
  g_autofree char *clean_code = provider_text (oauth_error);

  if (text != NULL)
    return g_error_new (MR_OIDC_ERROR, MR_OIDC_ERROR_PROVIDER,
                        /* TRANSLATORS: %s is the sign-in service's own text, often English. */
                        _("The sign-in service reported a problem: %s"), text);
  if (clean_code != NULL)
    return g_error_new (MR_OIDC_ERROR, MR_OIDC_ERROR_PROVIDER,
                        /* TRANSLATORS: %s is an OAuth error code such as “invalid_request”. */
                        _("The sign-in service reported a problem (%s)."), clean_code);
  return g_error_new_literal (MR_OIDC_ERROR, MR_OIDC_ERROR_PROVIDER,
                              _("The sign-in service reported a problem (no details)."));
}

GError *
mr_aadsts_error_new (const char *oauth_error,
                     const char *description,
                     JsonArray  *error_codes,
                     const char *redirect_uri)
{
  g_auto(GStrv) codes = mr_aadsts_codes (description, error_codes);
  const MrAadstsCase *c;

  for (guint i = 0; codes[i] != NULL; i++)
    if ((c = find_case (number_cases, G_N_ELEMENTS (number_cases), codes[i])) != NULL)
      return case_error_new (c, redirect_uri);
  if ((c = find_case (oauth_cases, G_N_ELEMENTS (oauth_cases), oauth_error)) != NULL)
    return case_error_new (c, redirect_uri);
  /* access_denied is the person's own "Cancel" unless a number we do not know says more: Entra
   * also reports misconfigured registrations (e.g. AADSTS1003031) as access_denied. */
  if (g_strcmp0 (oauth_error, "access_denied") == 0 && codes[0] == NULL)
    return g_error_new_literal (MR_OIDC_ERROR, MR_OIDC_ERROR_CANCELLED,
                                _("Sign-in was cancelled."));
  return generic_error_new (oauth_error, description);
}

static gboolean
is_certificate_error (const GError *error)
{
  return error->domain == G_TLS_ERROR
         && (error->code == G_TLS_ERROR_BAD_CERTIFICATE
             || error->code == G_TLS_ERROR_CERTIFICATE_REQUIRED
             || error->code == G_TLS_ERROR_HANDSHAKE);
}

GError *
mr_aadsts_transport_error_new (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  g_debug ("Request to the sign-in service failed: %s", error->message);
  if (is_certificate_error (error))
    return g_error_new_literal (MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK,
                                _("The sign-in service's security certificate is not valid, so the "
                                  "app did not connect. Check this computer's date and time and "
                                  "any network filter, then try again."));
  if (error->domain == G_TLS_ERROR)
    return g_error_new_literal (MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK,
                                _("A secure connection to the sign-in service could not be made. "
                                  "Please try again, or ask your administrator to check the "
                                  "authority setting."));
  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new_literal (MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK,
                                _("The sign-in service's address could not be found. Check the "
                                  "network connection and try again."));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new_literal (MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK,
                                _("The sign-in service did not answer in time. Check the network "
                                  "connection and try again."));
  return g_error_new_literal (MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK,
                              _("The sign-in service could not be reached. Check the network "
                                "connection and try again."));
}

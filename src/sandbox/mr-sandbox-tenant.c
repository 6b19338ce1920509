/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stand-in tenant's data (see mr-sandbox-tenant.h). */
#include "mr-sandbox-tenant.h"

#include <string.h>

#include "mr-sandbox.h"

#include "mr-base.h"

static const MrSandboxUser users[] = {
  {
    .id = "530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11",
    .mail = "jack.smith@example.org",
    .given_name = "Jack",
    .surname = "Smith",
    .display_name = "Jack Smith",
    .job_title = "Patient",
    .street_address = "12 Harbour Road",
    .city = "Springfield",
    .state = "IL",
    .postal_code = "62701",
    .country = "United States",
    .mobile_phone = "+1 555 0100",
    .preferred_language = "en-US",
    .date_of_birth = "2000-01-01",
    .hospital_number = "HN11112",
    .gender = "Male",
    /* Jack and Zoë consented to User.ReadWrite, so they may correct their own name and address;
     * Ana did not, so a PATCH of her /me is refused as Graph refuses it. */
    .permissions = "User.Read User.ReadWrite",
  },
  {
    .id = "7c2e9f14-3a6b-4d08-b5e1-92f4c0d8a322",
    .mail = "ana.garcia@example.org",
    .given_name = "Ana",
    .surname = "Garcia",
    .display_name = "Ana Garcia",
  },
  {
    .id = "e41b5a7d-8c93-4f26-a0d4-3b7e15c9f633",
    .mail = "zoe.nunez@example.org",
    .given_name = "Zoë",
    .surname = "Núñez-Ødegård",
    .display_name = "Zoë Núñez-Ødegård",
    .job_title = "Patient",
    .street_address = "Karl Johans gate 22",
    .city = "Oslo",
    .state = "Oslo",
    .postal_code = "0159",
    .country = "Norway",
    .mobile_phone = "+47 412 34 567",
    .preferred_language = "nb-NO",
    .date_of_birth = "1987-06-15",
    .hospital_number = "HN20457",
    .gender = "Female",
    .permissions = "User.Read User.ReadWrite",
  },
  {
    /* A local account as people fill the sign-up page in: no mail (the address is only its
     * sign-in name, in identities), a date of birth that could be 1 February or 2 January, the
     * gender as one letter, names with stray spaces and a control character, and a job title
     * longer than the form takes. */
    .id = "2f8c61d9-7b4e-4a05-9c3d-8e1f0a6b5c77",
    .sign_in_name = "lee.okafor@example.org",
    .given_name = "  Lee ",
    .surname = "Okafor\t",
    .display_name = "Lee Okafor\x07",
    /* Longer than the form's 128 characters: the directory takes up to 128 for jobTitle, but a
     * B2C-era account or a migration can hold more, and nothing of it may be lost. */
    .job_title = "Patient of the Lagos outreach clinic — retired schoolteacher, volunteer at the "
                 "community pharmacy on Saturdays, prefers appointments before noon",
    .city = "Lagos",
    .country = "nigeria",
    .date_of_birth = "01/02/1990",
    .hospital_number = " HN30511 ",
    .gender = "F",
  },
  {
    /* Front-desk staff: may read and correct every profile and find the extensions app. */
    .id = "b6d0f3e2-4c1a-4e8b-9f27-5a3c8d1e0f44",
    .mail = "staff@example.org",
    .given_name = "Sam",
    .surname = "Staff",
    .display_name = "Sam Staff",
    .job_title = "Front desk",
    .preferred_language = "en-US",
    .permissions = "User.Read User.ReadWrite.All Application.Read.All",
    .roles = MR_SANDBOX_STAFF_ROLE,
  },
  {
    /* A second staff member, for a desk two people share in turn (issue 13). */
    .id = "c3a9e5f1-6d2b-4f7a-8e14-2b9d0c7f5a88",
    .mail = "robin.reyes@example.org",
    .given_name = "Robin",
    .surname = "Reyes",
    .display_name = "Robin Reyes",
    .job_title = "Front desk",
    .preferred_language = "en-US",
    .permissions = "User.Read User.ReadWrite.All Application.Read.All",
    .roles = MR_SANDBOX_STAFF_ROLE,
  },
};

const MrSandboxUser *
mr_sandbox_get_users (guint *n_users)
{
  *n_users = G_N_ELEMENTS (users);
  return users;
}

const MrSandboxUser *
mr_sandbox_find_user (const char *email)
{
  g_autofree char *wanted = g_strstrip (g_strdup (email));

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    if (g_ascii_strcasecmp (mr_sandbox_user_sign_in_name (&users[i]), wanted) == 0)
      return &users[i];
  return NULL;
}

const char *
mr_sandbox_user_sign_in_name (const MrSandboxUser *user)
{
  return user->sign_in_name != NULL ? user->sign_in_name : user->mail;
}

const MrSandboxUser *
mr_sandbox_find_user_by_id (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    if (g_strcmp0 (users[i].id, id) == 0)
      return &users[i];
  return NULL;
}

/* Whether @user's tokens carry @permission. User.ReadWrite.All and Directory.Read.All include
 * User.Read.All, as in Entra. */
gboolean
mr_sandbox_user_may (const MrSandboxUser *user,
                     const char          *permission)
{
  g_auto(GStrv) granted = g_strsplit (user->permissions ? user->permissions : "User.Read", " ", -1);

  for (guint i = 0; granted[i] != NULL; i++)
    {
      if (g_str_equal (granted[i], permission))
        return TRUE;
      if (g_str_equal (permission, "User.Read.All")
          && (g_str_equal (granted[i], "User.ReadWrite.All")
              || g_str_equal (granted[i], "Directory.Read.All")))
        return TRUE;
    }
  return FALSE;
}

/* Graph's permissions may be asked for by short name or under Graph's resource URI. */
#define GRAPH_RESOURCE "https://graph.microsoft.com/"

char *
mr_sandbox_first_unconsented (const MrSandboxUser *user,
                              const char          *scope)
{
  g_auto(GStrv) items = g_strsplit (scope != NULL ? scope : "", " ", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = items[i];

      if (g_str_has_prefix (item, GRAPH_RESOURCE))
        item += strlen (GRAPH_RESOURCE);
      if (*item == '\0' || g_str_equal (item, "openid") || g_str_equal (item, "profile")
          || g_str_equal (item, "offline_access") || g_str_equal (item, "email")
          || g_str_equal (item, ".default") || g_str_has_prefix (item, "api://"))
        continue;
      if (!mr_sandbox_user_may (user, item))
        return g_strdup (item);
    }
  return NULL;
}

/* ---- what the tenant issued ----------------------------------------------------------- */

MrSandboxGrant *
mr_sandbox_grant_new (const MrSandboxUser *user,
                      const char          *scope,
                      gint64               lifetime_s)
{
  MrSandboxGrant *grant = g_new0 (MrSandboxGrant, 1);

  grant->user = user;
  grant->scope = g_strdup (scope);
  grant->expires = g_get_real_time () + lifetime_s * G_USEC_PER_SEC;
  return grant;
}

void
mr_sandbox_grant_free (MrSandboxGrant *grant)
{
  g_free (grant->scope);
  g_free (grant);
}

void
mr_sandbox_code_free (MrSandboxCode *code)
{
  g_free (code->client_id);
  g_free (code->redirect_uri);
  g_free (code->code_challenge);
  g_free (code->nonce);
  g_free (code->scope);
  g_free (code);
}

/* Like a registration of the "Mobile and desktop applications" platform: any loopback address. */
gboolean
mr_sandbox_redirect_uri_is_usable (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (parsed == NULL || g_uri_get_fragment (parsed) != NULL)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return FALSE;
  return mr_host_is_loopback_or_localhost (g_uri_get_host (parsed));
}

/* The app registration's "Mobile and desktop applications" redirect URIs: the tutorial's, and the
 * same path on 127.0.0.1 for the system browser's loopback listener (RFC 8252). */
static const char * const registered_redirect_uris[] = {
  "http://localhost:5000/auth/callback",
  "http://127.0.0.1:5000/auth/callback",
};

/* Entra compares a redirect URI with the registered ones exactly: scheme, host, path (case
 * sensitive, a trailing slash counts) and query. Only the port of a loopback URI is not compared,
 * so that a listener may take any free port. */
static gboolean
redirect_uri_matches (GUri       *wanted,
                      const char *registered)
{
  g_autoptr(GUri) entry = g_uri_parse (registered, G_URI_FLAGS_ENCODED, NULL);

  g_assert (entry != NULL);
  return g_strcmp0 (g_uri_get_scheme (wanted), g_uri_get_scheme (entry)) == 0
         && g_strcmp0 (g_uri_get_host (wanted), g_uri_get_host (entry)) == 0
         && g_strcmp0 (g_uri_get_path (wanted), g_uri_get_path (entry)) == 0
         && g_uri_get_query (wanted) == NULL
         && g_uri_get_fragment (wanted) == NULL
         && g_uri_get_userinfo (wanted) == NULL;
}

gboolean
mr_sandbox_redirect_uri_is_registered (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);

  if (parsed == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (registered_redirect_uris); i++)
    if (redirect_uri_matches (parsed, registered_redirect_uris[i]))
      return TRUE;
  return FALSE;
}

void
mr_sandbox_tenant_init (MrSandboxTenant *tenant)
{
  tenant->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) mr_sandbox_code_free);
  tenant->device_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) mr_sandbox_device_code_free);
  tenant->access_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) mr_sandbox_grant_free);
  tenant->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) mr_sandbox_grant_free);
  tenant->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) mr_sandbox_grant_free);
  tenant->flows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) mr_sandbox_grant_free);
}

void
mr_sandbox_tenant_clear (MrSandboxTenant *tenant)
{
  g_clear_pointer (&tenant->codes, g_hash_table_unref);
  g_clear_pointer (&tenant->device_codes, g_hash_table_unref);
  g_clear_pointer (&tenant->access_tokens, g_hash_table_unref);
  g_clear_pointer (&tenant->refresh_tokens, g_hash_table_unref);
  g_clear_pointer (&tenant->sessions, g_hash_table_unref);
  g_clear_pointer (&tenant->flows, g_hash_table_unref);
}

void
mr_sandbox_tenant_forget (MrSandboxTenant *tenant)
{
  g_hash_table_remove_all (tenant->codes);
  g_hash_table_remove_all (tenant->device_codes);
  g_hash_table_remove_all (tenant->access_tokens);
  g_hash_table_remove_all (tenant->refresh_tokens);
  g_hash_table_remove_all (tenant->sessions);
  g_hash_table_remove_all (tenant->flows);
}

static gboolean
code_expired_cb (gpointer key,
                 gpointer value,
                 gpointer user_data)
{
  MrSandboxCode *code = value;

  return code->expires < *(gint64 *) user_data;
}

char *
mr_sandbox_tenant_add_code (MrSandboxTenant *tenant,
                            MrSandboxCode   *code)
{
  char *text = mr_random_token (32);
  gint64 now = g_get_real_time ();

  g_hash_table_foreach_remove (tenant->codes, code_expired_cb, &now);
  g_hash_table_insert (tenant->codes, g_strdup (text), code);
  return text;
}

void
mr_sandbox_device_code_free (MrSandboxDeviceCode *code)
{
  if (code == NULL)
    return;
  g_free (code->user_code);
  g_free (code->client_id);
  g_free (code->scope);
  g_free (code->session);
  g_free (code->unconsented);
  g_free (code);
}

/* RFC 8628 §6.1's base-20 consonants: no vowels (no words), nothing that looks like 0/O or 1/I. */
#define USER_CODE_ALPHABET "BCDFGHJKLMNPQRSTVWXZ"
#define USER_CODE_LENGTH   9

static char *
new_user_code (void)
{
  char *code = g_new0 (char, USER_CODE_LENGTH + 1);
  guchar bytes[USER_CODE_LENGTH];

  mr_random_bytes (bytes, sizeof bytes);
  for (guint i = 0; i < USER_CODE_LENGTH; i++)
    code[i] = USER_CODE_ALPHABET[bytes[i] % (sizeof USER_CODE_ALPHABET - 1)];
  return code;
}

static gboolean
device_code_expired_cb (gpointer key,
                        gpointer value,
                        gpointer user_data)
{
  MrSandboxDeviceCode *code = value;

  return code->expires < *(gint64 *) user_data;
}

char *
mr_sandbox_tenant_add_device_code (MrSandboxTenant     *tenant,
                                   MrSandboxDeviceCode *code)
{
  char *text = mr_random_token (48);
  gint64 now = g_get_real_time ();

  g_hash_table_foreach_remove (tenant->device_codes, device_code_expired_cb, &now);
  do
    {
      g_free (code->user_code);
      code->user_code = new_user_code ();
    }
  while (mr_sandbox_tenant_find_user_code (tenant, code->user_code) != NULL);
  g_hash_table_insert (tenant->device_codes, g_strdup (text), code);
  return text;
}

/* Upper case, without spaces and dashes, as a person may type a code. */
static char *
normalize_user_code (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (*p != ' ' && *p != '-')
      g_string_append_c (out, g_ascii_toupper (*p));
  return g_string_free (out, FALSE);
}

MrSandboxDeviceCode *
mr_sandbox_tenant_find_user_code (MrSandboxTenant *tenant,
                                  const char      *user_code)
{
  g_autofree char *wanted = user_code != NULL ? normalize_user_code (user_code) : NULL;
  gint64 now = g_get_real_time ();
  GHashTableIter iter;
  gpointer value;

  if (wanted == NULL || *wanted == '\0')
    return NULL;
  g_hash_table_iter_init (&iter, tenant->device_codes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MrSandboxDeviceCode *code = value;

      if (code->user_code != NULL && g_str_equal (code->user_code, wanted) && code->expires >= now)
        return code;
    }
  return NULL;
}

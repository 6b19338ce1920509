/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-staff-session.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-claims.h"
#include "mr-oidc-private.h"
#include "mr-secrets.h"
#include "mr-staff-keyring.h"

/* Refresh this long before the access token expires. */
#define EARLY_US (60 * G_USEC_PER_SEC)

struct _MrStaffSession {
  GObject       parent_instance;

  MrOidcClient *oidc;
  GSettings    *settings;
  /* Who is signed in: only ever from a verified ID token of this session (the sign-in, or the
   * refresh that resumed it), never from settings. NULL while nobody is. */
  char         *id;
  char         *name;
  /* The sign-in name of the last staff member signed in here, from their verified ID token:
   * the next interactive sign-in's login_hint. */
  char         *login_hint;
  char         *access_token;
  char         *refresh_token;
  char         *id_token;
  gint64        expires_at;    /* monotonic µs */
  char         *api_token;     /* the clinic API's access token, for the desk's requests */
  char         *api_scope;     /* what api_token was issued for */
  gint64        api_expires_at; /* monotonic µs */
  /* One refresh-token request at a time: a provider that rotates refresh tokens (the sandbox
   * strictly, Entra within a grace period) refuses the second of two made with the same one. */
  gboolean      refreshing;
  GQueue        waiting;        /* GTask of get_token / get_api_token */
  /* The app role that makes an account staff: every verified ID token must show it. */
  char         *staff_role;
  /* Counts the ends of sessions (sign-in, lock, sign-out): an answer that comes back to a
   * session that has ended since its request went out is thrown away. */
  guint         serial;
  guint         refresh_serial; /* the serial the refresh under way was made in */
};

G_DEFINE_FINAL_TYPE (MrStaffSession, mr_staff_session, G_TYPE_OBJECT)

static void
forget_tokens (MrStaffSession *self)
{
  g_clear_pointer (&self->access_token, mr_secret_free);
  g_clear_pointer (&self->refresh_token, mr_secret_free);
  g_clear_pointer (&self->id_token, mr_secret_free);
  self->expires_at = 0;
  g_clear_pointer (&self->api_token, mr_secret_free);
  g_clear_pointer (&self->api_scope, g_free);
  self->api_expires_at = 0;
  self->serial++;
}

/* ---- The keyring ------------------------------------------------------------------------ */

/* The keyring is to hold @secret (NULL: none), bound to the client's settings. */
static void
keyring_write (MrStaffSession *self,
               const char     *secret)
{
  mr_staff_keyring_write (secret, self->oidc->config);
}

/* A rotated refresh token replaces the stored one. */
static void
take_refresh_token (MrStaffSession   *self,
                    const MrTokenSet *tokens)
{
  if (tokens->refresh_token != NULL && g_strcmp0 (tokens->refresh_token, self->refresh_token) != 0)
    {
      g_clear_pointer (&self->refresh_token, mr_secret_free);
      self->refresh_token = g_strdup (tokens->refresh_token);
      keyring_write (self, self->refresh_token);
    }
}

/* ---- The next sign-in's hint ------------------------------------------------------------ */

/* Kept in memory from the verified ID token, and in the settings for the next start. Anyone at
 * the desk can write that setting, so it is a hint and nothing more: it pre-fills the sign-in
 * name on the provider's page, the password is still asked for (prompt=login), and who is signed
 * in afterwards comes from the verified ID token of that sign-in alone. */
static void
remember_login_hint (MrStaffSession *self,
                     JsonObject     *claims)
{
  g_autofree char *login = mr_claims_dup_login_name (claims);
  g_autofree char *stored = NULL;

  if (login == NULL)
    return;
  g_free (self->login_hint);
  self->login_hint = g_strdup (login);
  stored = g_settings_get_string (self->settings, "desk-login-hint");
  if (g_strcmp0 (stored, login) != 0)
    g_settings_set_string (self->settings, "desk-login-hint", login);
}

/* Sign Out, or an account that is not staff: the next sign-in suggests nobody. */
static void
forget_login_hint (MrStaffSession *self)
{
  g_clear_pointer (&self->login_hint, g_free);
  g_settings_reset (self->settings, "desk-login-hint");
}

char *
mr_staff_session_dup_login_hint (MrStaffSession *self)
{
  g_autofree char *stored = NULL;

  g_return_val_if_fail (MR_IS_STAFF_SESSION (self), NULL);

  if (self->login_hint != NULL)
    return g_strdup (self->login_hint);
  stored = g_strstrip (g_settings_get_string (self->settings, "desk-login-hint"));
  /* As mr_claims_dup_login_name() takes them: one word of reasonable length. */
  if (*stored == '\0' || g_utf8_strlen (stored, -1) > 256 || strchr (stored, ' ') != NULL
      || !g_utf8_validate (stored, -1, NULL))
    return NULL;
  return g_steal_pointer (&stored);
}

/* ---- The session ------------------------------------------------------------------------ */

/* Ends the session here: tokens, the stored refresh token, who was signed in, and with
 * @forget_hint the next sign-in's hint too (Sign Out; a session that only failed keeps it, so
 * that the same person signs in again quickly). Returns the provider's sign-out address or NULL;
 * newly allocated. */
static char *
end_session (MrStaffSession *self,
             gboolean        forget_hint)
{
  const MrOidcDiscovery *discovery = mr_oidc_client_get_discovery (self->oidc);
  char *url = NULL;

  if (discovery != NULL && self->id_token != NULL)
    url = mr_oidc_build_end_session_url (discovery, self->id_token, NULL);
  keyring_write (self, NULL);
  forget_tokens (self);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  if (forget_hint)
    forget_login_hint (self);
  return url;
}

/* Takes the tokens of a sign-in or a refresh; a rotated refresh token replaces the stored one. */
static void
take_tokens (MrStaffSession   *self,
             const MrTokenSet *tokens)
{
  g_clear_pointer (&self->access_token, mr_secret_free);
  self->access_token = g_strdup (tokens->access_token);
  self->expires_at = g_get_monotonic_time () + MAX (tokens->expires_in, 0) * G_USEC_PER_SEC;
  if (tokens->id_token != NULL)
    {
      g_clear_pointer (&self->id_token, mr_secret_free);
      self->id_token = g_strdup (tokens->id_token);
    }
  take_refresh_token (self, tokens);
}

/* An empty staff role is a setup mistake, never "anyone may open the desk". */
static gboolean
check_staff_role_set (MrStaffSession  *self,
                      GError         **error)
{
  if (self->staff_role != NULL && *self->staff_role != '\0')
    return TRUE;
  g_set_error_literal (error, MR_CONFIG_ERROR, MR_CONFIG_ERROR_MISSING,
                       _("The staff app role is not set, so no account can open the front desk. "
                         "Ask your administrator to set it in Preferences."));
  return FALSE;
}

static void
set_not_staff (GError **error)
{
  g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF,
                       _("This account is not a front-desk account. Sign in with a staff account, "
                         "or ask your administrator to give this account the front-desk role."));
}

gboolean
mr_staff_session_begin (MrStaffSession    *self,
                        const MrTokenSet  *tokens,
                        GError           **error)
{
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (MR_IS_STAFF_SESSION (self), FALSE);
  g_return_val_if_fail (tokens != NULL, FALSE);

  if (!check_staff_role_set (self, error))
    return FALSE;
  if (tokens->claims == NULL || !mr_claims_dup_submitter (tokens->claims, &id, &name))
    {
      g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN,
                           _("The sign-in did not say who you are (no object id). Ask your "
                             "administrator."));
      return FALSE;
    }
  if (!mr_claims_has_role (tokens->claims, self->staff_role))
    {
      /* The stored token is of whoever signed in before: it stays, unless it is this account's
       * own (its role taken away while it was signed in). */
      if (g_strcmp0 (self->id, id) == 0)
        g_free (end_session (self, TRUE));
      set_not_staff (error);
      return FALSE;
    }
  forget_tokens (self);
  g_free (self->id);
  self->id = g_steal_pointer (&id);
  g_free (self->name);
  self->name = g_steal_pointer (&name);
  /* The desk's one stored token becomes this staff member's: an earlier one's goes. */
  take_tokens (self, tokens);
  remember_login_hint (self, tokens->claims);
  return TRUE;
}

static void dispatch (MrStaffSession *self,
                      GTask          *task);

/* A refresh ended: the next in line may now find its token in memory, or refresh with the
 * rotated refresh token. */
static void
refresh_done (MrStaffSession *self)
{
  self->refreshing = FALSE;
  while (!self->refreshing && !g_queue_is_empty (&self->waiting))
    dispatch (self, g_queue_pop_head (&self->waiting));
}

/* OpenID Connect Core §12.2: every refresh must bring a verified ID token, for the same account
 * (oid) as the session's, which still holds the staff role. Without one nothing says whose the
 * new tokens are; with another account's, they are not this session's (a provider's mix-up, or
 * a refresh token swapped under the app). A session resumed from the keyring has no account yet:
 * its first refresh names it, and is then held to it. */
static gboolean
check_refreshed (MrStaffSession    *self,
                 const MrTokenSet  *tokens,
                 GError           **error)
{
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;

  if (!check_staff_role_set (self, error))
    return FALSE;
  if (tokens->claims == NULL || !mr_claims_dup_submitter (tokens->claims, &id, &name))
    {
      g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_IDENTITY,
                           _("The sign-in service did not confirm who is signed in, so you were "
                             "signed out. Please sign in again."));
      return FALSE;
    }
  if (self->id != NULL && g_strcmp0 (self->id, id) != 0)
    {
      g_set_error_literal (error, MR_OIDC_ERROR, MR_OIDC_ERROR_IDENTITY,
                           _("The sign-in service answered for another account, so you were "
                             "signed out. Please sign in again."));
      return FALSE;
    }
  if (!mr_claims_has_role (tokens->claims, self->staff_role))
    {
      set_not_staff (error);
      return FALSE;
    }
  if (self->id == NULL)
    self->id = g_steal_pointer (&id);
  /* The name as the directory has it now. */
  g_free (self->name);
  self->name = g_steal_pointer (&name);
  remember_login_hint (self, tokens->claims);
  return TRUE;
}

/* A refresh answer that fails check_refreshed(): the session ends here, its stored refresh token
 * with it, before the new tokens are kept anywhere. An account that is not staff any more is
 * not suggested to the next sign-in either. */
static void
end_refused (MrStaffSession *self,
             const GError   *error)
{
  g_free (end_session (self, g_error_matches (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF)));
}

/* TRUE, with @task answered and @error taken, when the session the refresh was made for has
 * ended while it was under way (locked, signed out, another sign-in): keeping its tokens, or
 * storing its rotated refresh token, would undo that; ending the session on its failure would
 * end the next one. */
static gboolean
refresh_is_stale (MrStaffSession *self,
                  GTask          *task,
                  GError         *error)
{
  if (self->refresh_serial == self->serial)
    return FALSE;
  refresh_done (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, error);
  else
    {
      g_clear_error (&error);
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED,
                               _("Your sign-in has ended. Please sign in again."));
    }
  return TRUE;
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrStaffSession *self = g_task_get_source_object (task);
  g_autoptr(MrTokenSet) tokens = NULL;
  GError *error = NULL;

  tokens = mr_oidc_client_refresh_finish (MR_OIDC_CLIENT (source), result, &error);
  if (refresh_is_stale (self, task, error))
    return;
  if (tokens == NULL)
    {
      /* A refresh token the provider no longer takes is of no use: sign in again. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_error_matches (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NETWORK))
        g_free (end_session (self, FALSE));
      refresh_done (self);
      g_task_return_error (task, error);
      return;
    }
  if (!check_refreshed (self, tokens, &error))
    {
      end_refused (self, error);
      refresh_done (self);
      g_task_return_error (task, error);
      return;
    }
  take_tokens (self, tokens);
  refresh_done (self);
  g_task_return_pointer (task, g_strdup (self->access_token), g_free);
}

static void
api_refreshed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrStaffSession *self = g_task_get_source_object (task);
  g_autoptr(MrTokenSet) tokens = NULL;
  GError *error = NULL;

  tokens = mr_oidc_client_refresh_finish (MR_OIDC_CLIENT (source), result, &error);
  if (refresh_is_stale (self, task, error))
    return;
  if (tokens == NULL)
    {
      /* As for Graph's token: a refresh token the provider no longer takes ends the session. A
       * refused scope (consent, an API not set up) is the administrator's, and leaves it. */
      if (g_error_matches (error, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED))
        g_free (end_session (self, FALSE));
      refresh_done (self);
      g_task_return_error (task, error);
      return;
    }
  /* Asked with openid, so that this refresh too shows whose tokens these are. */
  if (!check_refreshed (self, tokens, &error))
    {
      end_refused (self, error);
      refresh_done (self);
      g_task_return_error (task, error);
      return;
    }
  take_refresh_token (self, tokens);
  g_clear_pointer (&self->api_token, mr_secret_free);
  self->api_token = g_strdup (tokens->access_token);
  g_free (self->api_scope);
  self->api_scope = g_strdup (g_task_get_task_data (task));
  self->api_expires_at = g_get_monotonic_time () + MAX (tokens->expires_in, 0) * G_USEC_PER_SEC;
  refresh_done (self);
  g_task_return_pointer (task, g_strdup (self->api_token), (GDestroyNotify) mr_secret_free);
}

/* Takes @task (of get_token or get_api_token): answers it from memory, or refreshes, or waits
 * for the refresh under way. */
static void
dispatch (MrStaffSession *self,
          GTask          *task)
{
  gboolean api = g_task_get_source_tag (task) == mr_staff_session_get_api_token_async;
  const char *scope = api ? g_task_get_task_data (task) : NULL;
  g_autofree char *scopes = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (!api && self->access_token != NULL && g_get_monotonic_time () < self->expires_at - EARLY_US)
    {
      g_task_return_pointer (task, g_strdup (self->access_token), g_free);
      g_object_unref (task);
      return;
    }
  if (api && self->api_token != NULL && g_strcmp0 (self->api_scope, scope) == 0
      && g_get_monotonic_time () < self->api_expires_at - EARLY_US)
    {
      g_task_return_pointer (task, g_strdup (self->api_token), (GDestroyNotify) mr_secret_free);
      g_object_unref (task);
      return;
    }
  if (self->refresh_token == NULL)
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_EXPIRED,
                               _("Your sign-in has ended. Please sign in again."));
      g_object_unref (task);
      return;
    }
  if (self->refreshing)
    {
      g_queue_push_tail (&self->waiting, task);
      return;
    }
  self->refreshing = TRUE;
  self->refresh_serial = self->serial;
  if (!api)
    {
      mr_oidc_client_refresh_async (self->oidc, self->refresh_token, g_task_get_cancellable (task),
                                    refresh_cb, task);
      return;
    }
  /* offline_access: the rotated refresh token comes back, and replaces the stored one; openid:
   * an ID token comes back, held to this session's account as every refresh is. */
  scopes = g_strconcat (scope, " openid offline_access", NULL);
  mr_oidc_client_refresh_for_scope_async (self->oidc, self->refresh_token, scopes,
                                          g_task_get_cancellable (task), api_refreshed_cb, task);
}

void
mr_staff_session_get_token_async (MrStaffSession      *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MR_IS_STAFF_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_staff_session_get_token_async);
  dispatch (self, task);
}

char *
mr_staff_session_get_token_finish (MrStaffSession  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
mr_staff_session_get_api_token_async (MrStaffSession      *self,
                                      const char          *scope,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MR_IS_STAFF_SESSION (self));
  g_return_if_fail (scope != NULL && *scope != '\0');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_staff_session_get_api_token_async);
  g_task_set_task_data (task, g_strdup (scope), g_free);
  dispatch (self, task);
}

char *
mr_staff_session_get_api_token_finish (MrStaffSession  *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
resume_refreshed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autofree char *token = NULL;
  GError *error = NULL;

  token = mr_staff_session_get_token_finish (MR_STAFF_SESSION (source), result, &error);
  if (token == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrStaffSession *self = g_task_get_source_object (task);
  GError *error = NULL;
  char *refresh_token = mr_staff_keyring_lookup_finish (result, &error);

  if (GPOINTER_TO_UINT (g_task_get_task_data (task)) != self->serial)
    {
      /* Locked (or signed in anew) while the keyring was looked up: nothing to resume. */
      mr_secret_free (refresh_token);
      g_clear_error (&error);
      g_task_return_boolean (task, FALSE);
      return;
    }
  if (refresh_token == NULL)
    {
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, FALSE);
      return;
    }
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_clear_pointer (&self->refresh_token, mr_secret_free);
  self->refresh_token = refresh_token;
  /* The refresh's verified ID token says who this is (check_refreshed()). */
  mr_staff_session_get_token_async (self, cancellable, resume_refreshed_cb, g_steal_pointer (&task));
}

void
mr_staff_session_resume_async (MrStaffSession      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MR_IS_STAFF_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_staff_session_resume_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (self->serial), NULL);
  /* Nothing of who it was is taken from anywhere but the refresh's ID token. */
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  /* After the writes wished before it: a lock's removal still on its way is not overtaken. */
  mr_staff_keyring_lookup_async (self->oidc->config, cancellable, lookup_cb, task);
}

gboolean
mr_staff_session_resume_finish (MrStaffSession  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
mr_staff_session_end (MrStaffSession *self)
{
  g_return_val_if_fail (MR_IS_STAFF_SESSION (self), NULL);

  return end_session (self, TRUE);
}

void
mr_staff_session_lock (MrStaffSession *self)
{
  g_return_if_fail (MR_IS_STAFF_SESSION (self));

  /* The lock must outlast the process: a refresh token left in the keyring would let anyone at
   * the desk quit, start the app again and be let in silently as this staff member (issue 13).
   * After the lock, only an interactive sign-in gets in, whether the app restarts or not; its
   * login_hint (kept) names the person locked out, so that they get back quickly. */
  g_free (end_session (self, FALSE));
}

gboolean
mr_staff_session_is_signed_in (MrStaffSession *self)
{
  g_return_val_if_fail (MR_IS_STAFF_SESSION (self), FALSE);

  return self->access_token != NULL;
}

void
mr_staff_session_set_staff_role (MrStaffSession *self,
                                 const char     *staff_role)
{
  g_return_if_fail (MR_IS_STAFF_SESSION (self));

  if (g_strcmp0 (self->staff_role, staff_role) == 0)
    return;
  g_free (self->staff_role);
  self->staff_role = g_strdup (staff_role);
}

void
mr_staff_session_set_client (MrStaffSession *self,
                             MrOidcClient   *oidc)
{
  const MrConfig *old, *new;

  g_return_if_fail (MR_IS_STAFF_SESSION (self));
  g_return_if_fail (MR_IS_OIDC_CLIENT (oidc));

  if (oidc == self->oidc)
    return;
  old = self->oidc->config;
  new = oidc->config;
  /* Tokens of another provider, registration or tenant are never sent to this one: the session
   * in memory ends. The stored token stays bound to the settings it came with (a lookup under
   * these finds nothing), and the next sign-in replaces it. */
  if (g_strcmp0 (old->authority, new->authority) != 0
      || g_strcmp0 (old->client_id, new->client_id) != 0
      || g_strcmp0 (old->tenant_id, new->tenant_id) != 0)
    {
      forget_tokens (self);
      g_clear_pointer (&self->id, g_free);
      g_clear_pointer (&self->name, g_free);
    }
  g_set_object (&self->oidc, oidc);
}

const char *
mr_staff_session_get_id (MrStaffSession *self)
{
  g_return_val_if_fail (MR_IS_STAFF_SESSION (self), NULL);

  return self->id;
}

const char *
mr_staff_session_get_name (MrStaffSession *self)
{
  g_return_val_if_fail (MR_IS_STAFF_SESSION (self), NULL);

  return self->name;
}

static void
mr_staff_session_finalize (GObject *object)
{
  MrStaffSession *self = MR_STAFF_SESSION (object);

  forget_tokens (self);
  g_free (self->id);
  g_free (self->name);
  g_free (self->login_hint);
  g_free (self->staff_role);
  g_clear_object (&self->oidc);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (mr_staff_session_parent_class)->finalize (object);
}

static void
mr_staff_session_class_init (MrStaffSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_staff_session_finalize;
}

static void
mr_staff_session_init (MrStaffSession *self)
{
  g_queue_init (&self->waiting);
}

MrStaffSession *
mr_staff_session_new (MrOidcClient *oidc,
                      GSettings    *settings)
{
  MrStaffSession *self;

  g_return_val_if_fail (MR_IS_OIDC_CLIENT (oidc), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (MR_TYPE_STAFF_SESSION, NULL);
  self->oidc = g_object_ref (oidc);
  self->settings = g_object_ref (settings);
  return self;
}

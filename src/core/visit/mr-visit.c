/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The visit: its state, the sign-in (authorize URL, callback, code exchange, the one Graph call)
 * and the wipe. Sending is mr-visit-send.c; the desk's staff session is mr-desk.c. */
#include "mr-visit-private.h"

#include <glib/gi18n-lib.h>

#include "config.h"

#include "mr-base.h"
#include "mr-graph.h"
#include "mr-identity.h"

G_DEFINE_FINAL_TYPE (MrVisit, mr_visit, G_TYPE_OBJECT)
G_DEFINE_QUARK (mr-visit-error-quark, mr_visit_error)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
mr_visit_state_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { MR_VISIT_STATE_NONE, "MR_VISIT_STATE_NONE", "none" },
    { MR_VISIT_STATE_SIGNING_IN, "MR_VISIT_STATE_SIGNING_IN", "signing-in" },
    { MR_VISIT_STATE_EXCHANGING, "MR_VISIT_STATE_EXCHANGING", "exchanging" },
    { MR_VISIT_STATE_READY, "MR_VISIT_STATE_READY", "ready" },
    { MR_VISIT_STATE_CORRECTING, "MR_VISIT_STATE_CORRECTING", "correcting" },
    { MR_VISIT_STATE_SENDING, "MR_VISIT_STATE_SENDING", "sending" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("MrVisitState", values));
  return type;
}

void
_mr_visit_set_state (MrVisit      *self,
                     MrVisitState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Overwritten before it is freed: a token must not linger in freed memory for the next person. */
static void
wipe_string (char *text)
{
  volatile char *p = text;

  while (p != NULL && *p != '\0')
    *p++ = '\0';
}

void
_mr_visit_wipe_tokens (MrTokenSet *tokens)
{
  if (tokens == NULL)
    return;
  wipe_string (tokens->access_token);
  wipe_string (tokens->id_token);
  wipe_string (tokens->refresh_token);
  mr_token_set_free (tokens);
}

MrVisit *
mr_visit_new (void)
{
  return g_object_new (MR_TYPE_VISIT, NULL);
}

void
mr_visit_set_config (MrVisit        *self,
                     const MrConfig *config)
{
  g_return_if_fail (MR_IS_VISIT (self));
  g_return_if_fail (config != NULL);

  g_clear_pointer (&self->config, mr_config_free);
  self->config = mr_config_copy (config);
  g_clear_object (&self->oidc);
  self->oidc = mr_oidc_client_new (self->session, self->config);
  /* The staff session follows: its tokens never go to a provider they did not come from. */
  if (self->desk != NULL)
    mr_staff_session_set_client (_mr_desk_get_staff (self->desk), self->oidc);
}

SoupSession *
mr_visit_get_session (MrVisit *self)
{
  g_return_val_if_fail (MR_IS_VISIT (self), NULL);

  return self->session;
}

GCancellable *
mr_visit_get_cancellable (MrVisit *self)
{
  g_return_val_if_fail (MR_IS_VISIT (self), NULL);

  return self->cancellable;
}

void
mr_visit_set_outbox (MrVisit  *self,
                     MrOutbox *outbox)
{
  g_return_if_fail (MR_IS_VISIT (self));

  g_set_object (&self->outbox, outbox);
}

MrDesk *
mr_visit_start_desk (MrVisit   *self,
                     GSettings *settings)
{
  g_return_val_if_fail (MR_IS_VISIT (self), NULL);
  g_return_val_if_fail (self->oidc != NULL, NULL);

  if (self->desk == NULL)
    self->desk = _mr_desk_new (self, settings);
  return self->desk;
}

MrDesk *
mr_visit_get_desk (MrVisit *self)
{
  g_return_val_if_fail (MR_IS_VISIT (self), NULL);

  return self->desk;
}

MrVisitState
mr_visit_get_state (MrVisit *self)
{
  g_return_val_if_fail (MR_IS_VISIT (self), MR_VISIT_STATE_NONE);

  return self->state;
}

gboolean
mr_visit_holds_refresh_token (MrVisit *self)
{
  g_return_val_if_fail (MR_IS_VISIT (self), FALSE);

  return self->tokens != NULL && self->tokens->refresh_token != NULL;
}

gboolean
mr_visit_is_signed_in (MrVisit *self)
{
  g_return_val_if_fail (MR_IS_VISIT (self), FALSE);

  return self->tokens != NULL;
}

const MrPatient *
mr_visit_get_patient (MrVisit *self)
{
  g_return_val_if_fail (MR_IS_VISIT (self), NULL);

  return self->patient;
}

const char *
mr_visit_get_extensions_app_id (MrVisit *self)
{
  g_return_val_if_fail (MR_IS_VISIT (self), NULL);

  if (self->config != NULL && self->config->extensions_app_id != NULL &&
      *self->config->extensions_app_id != '\0')
    return self->config->extensions_app_id;
  return self->desk != NULL ? _mr_desk_get_found_extensions_app_id (self->desk) : NULL;
}

/* ---- Before the sign-in ------------------------------------------------------------------- */

static void
prefetched_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_oidc_client_prefetch_finish (MR_OIDC_CLIENT (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
mr_visit_prefetch_async (MrVisit             *self,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MR_IS_VISIT (self));
  g_return_if_fail (self->oidc != NULL);

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_visit_prefetch_async);
  mr_oidc_client_prefetch_async (self->oidc, self->cancellable, prefetched_cb,
                                 g_steal_pointer (&task));
}

gboolean
mr_visit_prefetch_finish (MrVisit       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
mr_visit_is_prefetched (MrVisit *self)
{
  g_return_val_if_fail (MR_IS_VISIT (self), FALSE);

  return self->oidc != NULL && mr_oidc_client_get_discovery (self->oidc) != NULL;
}

/* The provider's sign-in, token, sign-out and issuer may live on different hosts. */
GStrv
mr_visit_dup_sign_in_hosts (MrVisit *self)
{
  const MrOidcDiscovery *discovery;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (mr_visit_is_prefetched (self), NULL);

  discovery = mr_oidc_client_get_discovery (self->oidc);
  {
    const char *urls[] = {
      discovery->authorization_endpoint, discovery->token_endpoint,
      discovery->end_session_endpoint, discovery->issuer,
    };

    for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
      {
        g_autoptr(GUri) uri = urls[i] ? g_uri_parse (urls[i], G_URI_FLAGS_NONE, NULL) : NULL;

        if (uri != NULL && g_uri_get_host (uri) != NULL)
          g_strv_builder_add (builder, g_uri_get_host (uri));
      }
  }
  g_strv_builder_addv (builder, (const char **) self->config->sign_in_hosts);
  return g_strv_builder_end (builder);
}

/* ---- The sign-in -------------------------------------------------------------------------- */

static char *
redirect_path (MrVisit *self)
{
  g_autoptr(GUri) uri = g_uri_parse (self->config->redirect_uri, G_URI_FLAGS_NONE, NULL);

  return g_strdup (uri != NULL && *g_uri_get_path (uri) == '/' ? g_uri_get_path (uri)
                                                               : "/auth/callback");
}

char *
mr_visit_begin_sign_in (MrVisit     *self,
                        gboolean     system_browser,
                        const char  *ui_locales,
                        GError     **error)
{
  const MrOidcDiscovery *discovery;
  g_autofree char *login_hint = NULL;

  g_return_val_if_fail (mr_visit_is_prefetched (self), NULL);

  discovery = mr_oidc_client_get_discovery (self->oidc);
  /* At a desk after a lock (or a session that could not resume), the staff member last signed in
   * here is suggested; a kiosk never suggests anyone. */
  if (self->config->mode != MR_MODE_KIOSK && self->desk != NULL)
    login_hint = mr_staff_session_dup_login_hint (_mr_desk_get_staff (self->desk));
  g_clear_pointer (&self->auth_request, mr_auth_request_free);
  self->auth_request = mr_auth_request_new ();
  if (system_browser)
    {
      g_autofree char *path = redirect_path (self);

      mr_visit_stop_browser (self);
      self->listener = mr_loopback_listener_new (path, error);
      if (self->listener == NULL)
        return NULL;
      self->auth_request->redirect_uri =
        g_strdup (mr_loopback_listener_get_redirect_uri (self->listener));
    }
  _mr_visit_set_state (self, MR_VISIT_STATE_SIGNING_IN);
  return mr_oidc_build_authorize_url_full (discovery, self->config, self->auth_request, "login",
                                          login_hint, ui_locales);
}

void
mr_visit_stop_browser (MrVisit *self)
{
  g_return_if_fail (MR_IS_VISIT (self));

  g_clear_object (&self->listener);
}

static void
browser_callback_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrVisit *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  char *uri = mr_loopback_listener_wait_finish (MR_LOOPBACK_LISTENER (source), result, &error);

  if (uri == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* One callback per sign-in: the port closes now. */
  if (self->listener == MR_LOOPBACK_LISTENER (source))
    mr_visit_stop_browser (self);
  g_task_return_pointer (task, uri, g_free);
}

void
mr_visit_wait_for_browser_async (MrVisit             *self,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MR_IS_VISIT (self));
  g_return_if_fail (self->listener != NULL && self->auth_request != NULL);

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_visit_wait_for_browser_async);
  mr_loopback_listener_wait_async (self->listener, self->auth_request->state, self->cancellable,
                                   browser_callback_cb, g_steal_pointer (&task));
}

char *
mr_visit_wait_for_browser_finish (MrVisit       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
profile_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrVisit *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrPatient) patient = mr_graph_get_me_finish (result, &error);

  if (patient == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _mr_visit_set_state (self, MR_VISIT_STATE_NONE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Custom attributes Graph did not give (no extensions app id, or not selected) may still be
   * in the ID token's claims, if the administrator mapped them there. */
  if (self->tokens != NULL && self->tokens->claims != NULL)
    g_strfreev (mr_patient_fill_from_claims (patient, self->tokens->claims,
                                             mr_visit_get_extensions_app_id (self)));
  g_clear_pointer (&self->patient, mr_patient_free);
  self->patient = g_steal_pointer (&patient);
  _mr_visit_set_state (self, MR_VISIT_STATE_READY);
  /* The form is filled: the clinic API's token is fetched while the person reads it. */
  _mr_visit_api_prefetch (self);
  g_task_return_boolean (task, TRUE);
}

/* A desk's sign-in is the staff member's: their session keeps the tokens, no patient yet. Takes
 * @taken. */
static void
begin_desk (GTask      *taken,
            MrTokenSet *tokens)
{
  g_autoptr(GTask) task = taken;
  MrVisit *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gboolean begun = _mr_desk_begin (self->desk, tokens, &error);

  _mr_visit_wipe_tokens (tokens);
  _mr_visit_set_state (self, MR_VISIT_STATE_NONE);
  if (!begun)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
exchanged_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrVisit *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  MrTokenSet *tokens = mr_oidc_client_exchange_code_finish (MR_OIDC_CLIENT (source), result,
                                                            &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&self->auth_request, mr_auth_request_free);
  if (tokens == NULL)
    {
      _mr_visit_set_state (self, MR_VISIT_STATE_NONE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _mr_visit_take_sign_in (self, g_steal_pointer (&task), tokens, self->cancellable);
}

void
_mr_visit_take_sign_in (MrVisit      *self,
                        GTask        *task,
                        MrTokenSet   *tokens,
                        GCancellable *cancellable)
{
  if (self->config->mode != MR_MODE_KIOSK && self->desk != NULL)
    {
      begin_desk (task, tokens);
      return;
    }
  g_clear_pointer (&self->tokens, _mr_visit_wipe_tokens);
  _mr_visit_api_forget (self);
  self->tokens = tokens;
  mr_graph_get_me_async (self->session, self->config->graph_url,
                         mr_visit_get_extensions_app_id (self), self->tokens->access_token,
                         cancellable, profile_cb, task);
}

void
mr_visit_complete_sign_in_async (MrVisit             *self,
                                 const char          *uri,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  const char *redirect_uri;

  g_return_if_fail (MR_IS_VISIT (self));
  g_return_if_fail (uri != NULL);

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_visit_complete_sign_in_async);
  if (self->auth_request == NULL)
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_STATE,
                               _("This sign-in is no longer under way. Please sign in again."));
      return;
    }
  redirect_uri = self->auth_request->redirect_uri ? self->auth_request->redirect_uri
                                                  : self->config->redirect_uri;
  code = mr_oidc_parse_callback (redirect_uri, uri, self->auth_request->state, &error);
  /* The person said no at the provider's page: a way back, not a failure. A cancel that comes
   * later, from the token endpoint, stays MR_OIDC_ERROR_CANCELLED: that one is shown. */
  if (g_error_matches (error, MR_OIDC_ERROR, MR_OIDC_ERROR_CANCELLED))
    {
      g_task_return_new_error (task, MR_VISIT_ERROR, MR_VISIT_ERROR_CANCELLED_AT_PROVIDER,
                               "%s", error->message);
      return;
    }
  if (code == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _mr_visit_set_state (self, MR_VISIT_STATE_EXCHANGING);
  mr_oidc_client_exchange_code_async (self->oidc, self->auth_request, code, self->cancellable,
                                      exchanged_cb, g_steal_pointer (&task));
}

gboolean
mr_visit_complete_sign_in_finish (MrVisit       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- The end of a visit ------------------------------------------------------------------- */

void
mr_visit_wipe (MrVisit *self)
{
  g_return_if_fail (MR_IS_VISIT (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  _mr_visit_device_forget (self);
  mr_visit_stop_browser (self);
  g_clear_pointer (&self->auth_request, mr_auth_request_free);
  g_clear_pointer (&self->tokens, _mr_visit_wipe_tokens);
  _mr_visit_api_forget (self);
  g_clear_pointer (&self->patient, mr_patient_free);
  g_clear_pointer (&self->pending_changes, json_object_unref);
  _mr_visit_set_state (self, MR_VISIT_STATE_NONE);
}

static void
mr_visit_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  MrVisit *self = MR_VISIT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_visit_dispose (GObject *object)
{
  MrVisit *self = MR_VISIT (object);

  g_cancellable_cancel (self->cancellable);
  _mr_visit_device_forget (self);
  if (self->desk != NULL)
    _mr_desk_detach (self->desk);
  g_clear_object (&self->desk);
  g_clear_object (&self->listener);
  g_clear_object (&self->outbox);
  G_OBJECT_CLASS (mr_visit_parent_class)->dispose (object);
}

static void
mr_visit_finalize (GObject *object)
{
  MrVisit *self = MR_VISIT (object);

  g_clear_pointer (&self->auth_request, mr_auth_request_free);
  g_clear_pointer (&self->tokens, _mr_visit_wipe_tokens);
  _mr_visit_api_forget (self);
  g_clear_pointer (&self->patient, mr_patient_free);
  g_clear_pointer (&self->pending_changes, json_object_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->oidc);
  g_clear_object (&self->session);
  g_clear_pointer (&self->config, mr_config_free);
  G_OBJECT_CLASS (mr_visit_parent_class)->finalize (object);
}

static void
mr_visit_class_init (MrVisitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = mr_visit_get_property;
  object_class->dispose = mr_visit_dispose;
  object_class->finalize = mr_visit_finalize;

  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, MR_TYPE_VISIT_STATE,
                                              MR_VISIT_STATE_NONE,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                              G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mr_visit_init (MrVisit *self)
{
  self->cancellable = g_cancellable_new ();
  self->session = soup_session_new_with_options ("timeout", 30,
                                                 "user-agent", "medrefill/" PACKAGE_VERSION,
                                                 NULL);
}

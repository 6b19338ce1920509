/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MrOidcClient's token requests: the code exchange and the refresh, one pipeline (POST, parse,
 * verify the ID token's signature with one key-set refetch, check its claims). */
#include "mr-oidc.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-aadsts.h"
#include "mr-oidc-private.h"
#include "mr-secure.h"
#include "mr-util.h"

/* ---- Token requests (code exchange and refresh) -------------------------------------------- */

typedef struct {
  char        *form;            /* the encoded request, until sent */
  char        *nonce;           /* NULL for a refresh */
  char        *refresh_token;   /* the one presented, for a refresh */
  char        *redirect_uri;    /* the one sent (for a 50011 sentence) */
  gboolean     need_id_token;
  gboolean     device;          /* a device-code poll: its protocol states are no error */
  MrDevicePoll outcome;         /* a poll's, once answered */
  SoupMessage *msg;
  MrTokenSet  *tokens;
  MrJwt       *jwt;
  gboolean     refetched_keys;
} TokenRequest;

static void
token_request_free (TokenRequest *data)
{
  mr_secure_free_string (data->form);
  g_free (data->nonce);
  mr_secure_free_string (data->refresh_token);
  g_free (data->redirect_uri);
  g_clear_object (&data->msg);
  g_clear_pointer (&data->tokens, mr_token_set_free);
  g_clear_pointer (&data->jwt, mr_jwt_free);
  g_free (data);
}

static void
return_tokens (GTask *task)
{
  TokenRequest *data = g_task_get_task_data (task);

  /* RFC 6749 §6: without a new refresh token, the one presented stays valid. */
  if (data->tokens->refresh_token == NULL && data->refresh_token != NULL)
    data->tokens->refresh_token = g_strdup (data->refresh_token);
  g_task_return_pointer (task, g_steal_pointer (&data->tokens),
                         (GDestroyNotify) mr_token_set_free);
}

static void
finish_token_request (GTask *task)
{
  MrOidcClient *self = g_task_get_source_object (task);
  TokenRequest *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!mr_oidc_check_id_token_claims (self->discovery, self->config, data->jwt->payload,
                                      data->nonce, 0, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  data->tokens->claims = json_object_ref (data->jwt->payload);
  g_debug ("Tokens received; identity token checked");
  return_tokens (task);
}

static void refetch_keys_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data);

/* Takes the task's reference. */
static void
verify_id_token (GTask *task)
{
  MrOidcClient *self = g_task_get_source_object (task);
  TokenRequest *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrJwks) jwks = mr_jwks_ref (self->jwks);

  if (mr_jwt_verify (data->jwt, jwks, &error))
    {
      finish_token_request (task);
      g_object_unref (task);
      return;
    }
  /* Keys rotate; a kid we do not know may be one published since the prefetch. */
  if (g_error_matches (error, MR_JWT_ERROR, MR_JWT_ERROR_UNKNOWN_KEY) && !data->refetched_keys)
    {
      g_debug ("Identity token names an unknown key; fetching the key set again");
      data->refetched_keys = TRUE;
      mr_oidc_client_fetch_jwks_async (self, g_task_get_cancellable (task), refetch_keys_cb, task);
      return;
    }
  g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN, "%s", error->message);
  g_object_unref (task);
}

static void
refetch_keys_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!mr_oidc_client_fetch_jwks_finish (MR_OIDC_CLIENT (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  verify_id_token (task);
}

static void
token_post_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrOidcClient *self = g_task_get_source_object (task);
  TokenRequest *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL && data->device && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Cut off or unreachable: the code is still good, the next tick asks again. */
      g_debug ("Device-code poll got no answer: %s", error->message);
      data->outcome = MR_DEVICE_POLL_UNAVAILABLE;
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  if (body == NULL)
    {
      g_task_return_error (task, mr_aadsts_transport_error_new (error));
      return;
    }
  if (data->device)
    {
      data->outcome = mr_oidc_classify_device_poll (soup_message_get_status (data->msg), body);
      if (data->outcome != MR_DEVICE_POLL_DONE && data->outcome != MR_DEVICE_POLL_FAILED)
        {
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
    }
  data->tokens = mr_oidc_parse_token_response_full (soup_message_get_status (data->msg), body,
                                                    data->redirect_uri ? data->redirect_uri
                                                                       : self->config->redirect_uri,
                                                    data->need_id_token, &error);
  if (data->tokens == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->tokens->id_token == NULL)
    {
      /* Only a refresh may come without a new ID token (need_id_token is FALSE). */
      return_tokens (task);
      return;
    }
  if ((data->jwt = mr_jwt_parse (data->tokens->id_token, &error)) == NULL)
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN, "%s",
                               error->message);
      return;
    }
  verify_id_token (g_steal_pointer (&task));
}

/* Takes the task's reference. */
static void
post_token_request (GTask *task)
{
  MrOidcClient *self = g_task_get_source_object (task);
  TokenRequest *data = g_task_get_task_data (task);

  data->msg = soup_message_new (SOUP_METHOD_POST, self->discovery->token_endpoint);
  if (data->msg != NULL)
    {
      /* Not soup_message_new_from_encoded_form(): the form holds the code, the PKCE verifier or
       * the refresh token, and this body zeroes it when libsoup lets go of it. */
      gsize len = strlen (data->form);
      char *form = g_steal_pointer (&data->form);
      g_autoptr(GBytes) body = g_bytes_new_with_free_func (form, len,
                                                           (GDestroyNotify) mr_secure_free_string,
                                                           form);

      soup_message_set_request_body_from_bytes (data->msg, SOUP_FORM_MIME_TYPE_URLENCODED, body);
    }
  if (data->msg == NULL)
    {
      g_task_return_new_error (task, MR_OIDC_ERROR, MR_OIDC_ERROR_BAD_RESPONSE,
                               _("The sign-in service's token address is not valid."));
      g_object_unref (task);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (data->msg), "Accept",
                                "application/json");
  g_debug ("Posting a token request");
  soup_session_send_and_read_async (self->session, data->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), token_post_cb, task);
}

static void
token_prefetch_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!mr_oidc_client_prefetch_finish (MR_OIDC_CLIENT (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  post_token_request (g_steal_pointer (&task));
}

/* Takes the task's reference; posts at once when discovery and keys are cached. */
static void
start_token_request (GTask *task)
{
  MrOidcClient *self = g_task_get_source_object (task);

  if (self->discovery != NULL && self->jwks != NULL)
    {
      post_token_request (task);
      return;
    }
  /* The slow path: the prefetch did not run or did not finish. */
  mr_oidc_client_prefetch_async (self, g_task_get_cancellable (task), token_prefetch_cb, task);
}

static char *
joined_scopes (MrOidcClient *self)
{
  return mr_oidc_dup_sign_in_scope (self->config);
}

void
mr_oidc_client_exchange_code_async (MrOidcClient        *self,
                                    const MrAuthRequest *request,
                                    const char          *code,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *scope = NULL;
  TokenRequest *data;

  g_return_if_fail (MR_IS_OIDC_CLIENT (self));
  g_return_if_fail (request != NULL && request->code_verifier != NULL);
  g_return_if_fail (code != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_oidc_client_exchange_code_async);
  scope = joined_scopes (self);
  data = g_new0 (TokenRequest, 1);
  /* A public client: the PKCE verifier proves the code is ours; there is no secret. */
  data->form = soup_form_encode ("grant_type", "authorization_code",
                                 "client_id", self->config->client_id,
                                 "code", code,
                                 "redirect_uri", request->redirect_uri ? request->redirect_uri
                                                                       : self->config->redirect_uri,
                                 "code_verifier", request->code_verifier,
                                 "scope", scope,
                                 NULL);
  data->nonce = g_strdup (request->nonce);
  data->redirect_uri = g_strdup (request->redirect_uri);
  data->need_id_token = TRUE;
  g_task_set_task_data (task, data, (GDestroyNotify) token_request_free);
  start_token_request (g_steal_pointer (&task));
}

MrTokenSet *
mr_oidc_client_exchange_code_finish (MrOidcClient  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == mr_oidc_client_exchange_code_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
refresh_start (MrOidcClient        *self,
               const char          *refresh_token,
               const char          *scope,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TokenRequest *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_oidc_client_refresh_async);
  data = g_new0 (TokenRequest, 1);
  data->form = soup_form_encode ("grant_type", "refresh_token",
                                 "client_id", self->config->client_id,
                                 "refresh_token", refresh_token,
                                 "scope", scope,
                                 NULL);
  /* A refreshed ID token carries no nonce (OpenID Connect Core §12.2). */
  data->nonce = NULL;
  data->refresh_token = g_strdup (refresh_token);
  data->need_id_token = FALSE;
  g_task_set_task_data (task, data, (GDestroyNotify) token_request_free);
  start_token_request (g_steal_pointer (&task));
}

void
mr_oidc_client_refresh_async (MrOidcClient        *self,
                              const char          *refresh_token,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *scope = NULL;

  g_return_if_fail (MR_IS_OIDC_CLIENT (self));
  g_return_if_fail (refresh_token != NULL && *refresh_token != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  scope = joined_scopes (self);
  refresh_start (self, refresh_token, scope, cancellable, callback, user_data);
}

void
mr_oidc_client_refresh_for_scope_async (MrOidcClient        *self,
                                        const char          *refresh_token,
                                        const char          *scope,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (MR_IS_OIDC_CLIENT (self));
  g_return_if_fail (refresh_token != NULL && *refresh_token != '\0');
  g_return_if_fail (scope != NULL && *scope != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  refresh_start (self, refresh_token, scope, cancellable, callback, user_data);
}

MrTokenSet *
mr_oidc_client_refresh_finish (MrOidcClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_oidc_client_refresh_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Device-code polls (RFC 8628 §3.4) ------------------------------------------------------ */

void
mr_oidc_client_poll_device_code_async (MrOidcClient        *self,
                                       const char          *device_code,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TokenRequest *data;

  g_return_if_fail (MR_IS_OIDC_CLIENT (self));
  g_return_if_fail (device_code != NULL && *device_code != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_oidc_client_poll_device_code_async);
  data = g_new0 (TokenRequest, 1);
  data->form = soup_form_encode ("grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                                 "client_id", self->config->client_id,
                                 "device_code", device_code,
                                 NULL);
  /* The device grant's one difference from a code exchange: the request for the code carries
   * no nonce (RFC 8628 has none), so the provider's ID token has none and there is nothing to
   * compare. Every other check is the code exchange's. A code exchange never comes here: it
   * passes the nonce it sent, and a nonce-less ID token fails it. */
  data->nonce = NULL;
  data->need_id_token = TRUE;
  data->device = TRUE;
  data->outcome = MR_DEVICE_POLL_FAILED;
  g_task_set_task_data (task, data, (GDestroyNotify) token_request_free);
  start_token_request (g_steal_pointer (&task));
}

MrDevicePoll
mr_oidc_client_poll_device_code_finish (MrOidcClient  *self,
                                        GAsyncResult  *result,
                                        MrTokenSet   **tokens,
                                        GError       **error)
{
  TokenRequest *data;
  g_autoptr(GError) local = NULL;
  MrTokenSet *set;

  g_return_val_if_fail (g_task_is_valid (result, self), MR_DEVICE_POLL_FAILED);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == mr_oidc_client_poll_device_code_async, MR_DEVICE_POLL_FAILED);
  g_return_val_if_fail (tokens != NULL && *tokens == NULL, MR_DEVICE_POLL_FAILED);

  data = g_task_get_task_data (G_TASK (result));
  set = g_task_propagate_pointer (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return MR_DEVICE_POLL_FAILED;
    }
  if (set != NULL)
    {
      *tokens = set;
      return MR_DEVICE_POLL_DONE;
    }
  g_assert (data->outcome != MR_DEVICE_POLL_DONE && data->outcome != MR_DEVICE_POLL_FAILED);
  return data->outcome;
}

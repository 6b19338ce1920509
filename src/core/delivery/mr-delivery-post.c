/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-delivery-post.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-secrets.h"
#include "mr-util.h"

/* How long a request may take is the session's business: the caller sets SoupSession:timeout
 * (the app uses 30 s), and a timed-out request comes back as MR_DELIVERY_ERROR_NETWORK, which the
 * outbox retries under the same Idempotency-Key. */

#define MAX_REFERENCE_CHARS 200
#define STATUS_TOO_MANY_REQUESTS 429 /* not named in libsoup 3.2 */

G_DEFINE_QUARK (mr-delivery-error-quark, mr_delivery_error)

/* The workflow's "reference", cleaned, or NULL when the body does not carry a usable one. */
static char *
reference_from_body (GBytes *body)
{
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *clean = NULL;

  if (body == NULL || g_bytes_get_size (body) == 0)
    return NULL;
  object = mr_json_parse_object (body, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_BAD_RESPONSE,
                                 "the clinic's workflow", NULL);
  if (object == NULL)
    return NULL;
  clean = mr_text_clean (mr_json_get_string (object, "reference"));
  if (clean == NULL || *clean == '\0' || g_utf8_strlen (clean, -1) > MAX_REFERENCE_CHARS)
    return NULL;
  return g_steal_pointer (&clean);
}

/* The OAuth error code of a 401/403 body ({"error":"invalid_token",…}, as the reference workflow
 * answers; RFC 6750 §3.1), or NULL. Never shown: it only picks the sentence. */
static char *
oauth_error_from_body (GBytes *body)
{
  g_autoptr(JsonObject) object = NULL;
  const char *code;

  if (body == NULL || g_bytes_get_size (body) == 0)
    return NULL;
  object = mr_json_parse_object (body, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_BAD_RESPONSE,
                                 "the clinic's workflow", NULL);
  if (object == NULL)
    return NULL;
  code = mr_json_get_string (object, "error");
  if (g_strcmp0 (code, "invalid_token") != 0 && g_strcmp0 (code, "insufficient_scope") != 0
      && g_strcmp0 (code, "forbidden") != 0)
    return NULL;
  return g_strdup (code);
}

static void
set_rejected (guint    status,
              GBytes  *body,
              GError **error)
{
  g_autofree char *code = NULL;
  const char *message;

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    code = oauth_error_from_body (body);
  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST:
      message = _("The clinic's workflow did not accept the request (400). Ask your administrator "
                  "to check the workflow.");
      break;
    case SOUP_STATUS_UNAUTHORIZED:
    case SOUP_STATUS_FORBIDDEN:
      if (g_strcmp0 (code, "invalid_token") == 0)
        message = _("The clinic's workflow did not accept the sign-in that came with the request. "
                    "Ask your administrator to check the app's clinic API settings.");
      else if (g_strcmp0 (code, "insufficient_scope") == 0)
        message = _("The sign-in that came with the request does not allow sending refill "
                    "requests. Ask your administrator to grant the app the clinic API's "
                    "permission.");
      else if (g_strcmp0 (code, "forbidden") == 0)
        message = _("The clinic's workflow refused the request because it does not match the "
                    "account that signed in. Ask a member of staff to help.");
      else
        message = _("The clinic's workflow refused the app's credentials. Ask your administrator "
                    "to check the workflow's authentication settings.");
      break;
    case SOUP_STATUS_NOT_FOUND:
      message = _("The clinic's workflow is not active (404). Ask your administrator to activate "
                  "it.");
      break;
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      message = _("The request is too large for the clinic's workflow (413). Shorten the notes, or "
                  "ask your administrator.");
      break;
    default:
      g_set_error (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED,
                   _("The clinic's workflow refused the request (%u). Ask your administrator to "
                     "check the workflow."), status);
      return;
    }
  g_set_error_literal (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED, message);
}

static gboolean
is_retryable (guint status)
{
  return status == SOUP_STATUS_REQUEST_TIMEOUT || status == STATUS_TOO_MANY_REQUESTS
         || (status >= 500 && status <= 599);
}

/* A 2xx answer with the workflow's reference means the workflow filed the request. One without
 * a reference (empty, plain text, broken JSON) proves nothing: n8n answers 200 with an empty body
 * while it shuts down, without running the workflow (seen in the fleet runs, where taking that
 * as accepted lost requests). Such an answer is retried like a 5xx: a repeat under the same
 * Idempotency-Key is answered with the first reference by a workflow that de-duplicates, as the
 * reference workflow does (and must, see README "Delivery contract"). 409 is the Idempotency-Key
 * draft's "still in progress": retried too. */
char *
mr_delivery_parse_response (guint        status,
                            GBytes      *body,
                            GError     **error)
{
  char *reference;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      reference = reference_from_body (body);
      if (reference == NULL)
        g_set_error_literal (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_SERVER,
                             _("The clinic's workflow answered without a reference, so it may not "
                               "have the request. It is sent again shortly; the workflow takes it "
                               "only once."));
      return reference;
    }

  if (status == SOUP_STATUS_CONFLICT)
    g_set_error_literal (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_SERVER,
                         _("The clinic's workflow is still working on this request (409). It is "
                           "asked again shortly."));
  else if (is_retryable (status))
    g_set_error (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_SERVER,
                 _("The clinic's workflow could not take the request just now (%u). It is worth "
                   "trying again in a moment."), status);
  else if (SOUP_STATUS_IS_CLIENT_ERROR (status) || SOUP_STATUS_IS_REDIRECTION (status))
    set_rejected (status, body, error);
  else
    g_set_error (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_BAD_RESPONSE,
                 _("The clinic's workflow sent an answer the app cannot read (%u)."), status);
  return NULL;
}

/* What one POST carries from start to finish. */
typedef struct {
  SoupMessage *msg;
  char        *request_id;
  guint        status;
  char        *retry_after;
} Post;

static void
post_free (gpointer data)
{
  Post *post = data;

  g_clear_object (&post->msg);
  g_free (post->request_id);
  g_free (post->retry_after);
  g_free (post);
}

static void
return_transport_error (GTask  *task,
                        GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, error);
  else if (error->domain == G_TLS_ERROR)
    {
      g_debug ("TLS with the workflow failed: %s", error->message);
      g_error_free (error);
      g_task_return_new_error (task, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_TLS,
                               _("The clinic's workflow could not prove that it is the clinic's "
                                 "(its security certificate was not accepted). The request is "
                                 "kept; ask your administrator to check the workflow's address."));
    }
  else
    {
      g_debug ("The workflow could not be reached: %s", error->message);
      g_error_free (error);
      g_task_return_new_error (task, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_NETWORK,
                               _("The clinic's system could not be reached. Check the network "
                                 "connection; the request is kept and can be sent again."));
    }
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Post *post = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;
  char *reference;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  post->status = soup_message_get_status (post->msg);
  post->retry_after = g_strdup (soup_message_headers_get_one (
                                  soup_message_get_response_headers (post->msg), "Retry-After"));
  if (body == NULL)
    {
      /* An answer whose body was cut off is no answer: the workflow may or may not have the
       * request, and sending it again under the same key is what makes that safe. */
      post->status = 0;
      return_transport_error (task, error);
      return;
    }

  reference = mr_delivery_parse_response (post->status, body, &error);
  if (reference == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reference, g_free);
}

/* An HTTP token (RFC 9110 §5.6.2), so that a typo in Preferences cannot break the request. */
static gboolean
is_header_name (const char *name)
{
  if (name == NULL || *name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
is_header_value (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

static gboolean
set_bad_auth (GError **error)
{
  g_set_error_literal (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED,
                       _("The workflow authentication header in Preferences is not valid. Ask your "
                         "administrator to correct it."));
  return FALSE;
}

static gboolean
add_auth_header (SoupMessage  *msg,
                 const char   *name,
                 const char   *value,
                 GError      **error)
{
  if (name == NULL || *name == '\0' || value == NULL || *value == '\0')
    return TRUE;
  if (!is_header_name (name) || !is_header_value (value))
    return set_bad_auth (error);
  soup_message_headers_replace (soup_message_get_request_headers (msg), name, value);
  return TRUE;
}

/* n8n's Basic Auth: "user:password" as RFC 7617 has it. */
static gboolean
add_basic_auth (SoupMessage  *msg,
                const char   *basic,
                GError      **error)
{
  g_autofree char *encoded = NULL;
  g_autofree char *value = NULL;

  if (basic == NULL || *basic == '\0')
    return TRUE;
  if (strchr (basic, ':') == NULL || !is_header_value (basic))
    {
      g_set_error_literal (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED,
                           _("The workflow's user name and password in the keyring are not valid. "
                             "Ask your administrator to enter them again."));
      return FALSE;
    }
  encoded = g_base64_encode ((const guchar *) basic, strlen (basic));
  value = g_strconcat ("Basic ", encoded, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
  explicit_bzero (value, strlen (value));
  explicit_bzero (encoded, strlen (encoded));
  return TRUE;
}

/* The clinic API's access token (RFC 6750 §2.1). FALSE for a value that is not a JWT's
 * characters: it would break the header, and no workflow could accept it. */
static gboolean
add_bearer (SoupMessage  *msg,
            const char   *access_token,
            GError      **error)
{
  g_autofree char *value = NULL;

  for (const char *p = access_token; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_.~+/=", *p) == NULL)
      {
        g_set_error_literal (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED,
                             _("The sign-in kept with the request is damaged. Ask the person to "
                               "sign in and send the request again."));
        return FALSE;
      }
  value = g_strconcat ("Bearer ", access_token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
  explicit_bzero (value, strlen (value));
  return TRUE;
}

static SoupMessage *
build_message (const char *workflow_url,
               const char *request_id,
               GBytes     *payload)
{
  SoupMessage *msg;
  SoupMessageHeaders *headers;

  msg = soup_message_new (SOUP_METHOD_POST, workflow_url);
  if (msg == NULL)
    return NULL;
  /* Redirects would turn the POST into a GET and drop the body; a moved webhook needs a person. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_message_headers_replace (headers, "Idempotency-Key", request_id);
  soup_message_set_request_body_from_bytes (msg, "application/json", payload);
  return msg;
}

/* Secrets go only where they were saved for: FALSE (and the sentence) when @auth belongs to
 * another address than @workflow_url, or a secret the request would carry is only saved for
 * another one (the workflow URL changed: issue 13). */
static gboolean
auth_fits (const MrDeliveryAuth  *auth,
           const char            *workflow_url,
           gboolean               bearer,
           GError               **error)
{
  g_autofree char *origin = mr_url_origin (workflow_url);
  gboolean header = auth->header_value != NULL && *auth->header_value != '\0';
  gboolean basic = !bearer && auth->basic != NULL && *auth->basic != '\0';

  if ((header || basic) && g_strcmp0 (origin, auth->origin) != 0)
    {
      g_set_error_literal (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED,
                           _("The workflow's credentials in the keyring were saved for another "
                             "workflow address, so they are not sent to this one. Ask your "
                             "administrator to set the Header-Auth value again for the new "
                             "workflow address in Preferences."));
      return FALSE;
    }
  if ((auth->header_name != NULL && !header && auth->header_elsewhere)
      || (!bearer && auth->basic == NULL && auth->basic_elsewhere))
    {
      g_set_error_literal (error, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_REJECTED,
                           _("The workflow's Header-Auth value in the keyring is not for this "
                             "workflow address, so the request waits. Ask your administrator to "
                             "set the Header-Auth value again for the new workflow address in "
                             "Preferences, then retry it."));
      return FALSE;
    }
  return TRUE;
}

/* Checks, builds and sends; @task's data becomes a Post. */
static void
post_start (GTask                *task,
            SoupSession          *session,
            const char           *workflow_url,
            const MrDeliveryAuth *auth,
            const char           *access_token,
            const char           *request_id,
            GBytes               *payload)
{
  gboolean bearer = access_token != NULL && *access_token != '\0';
  Post *post = g_new0 (Post, 1);
  GError *error = NULL;

  post->request_id = g_strdup (request_id);
  g_task_set_task_data (task, post, post_free);

  if (!mr_url_is_secure_or_loopback (workflow_url))
    {
      g_task_return_new_error (task, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_INSECURE,
                               _("The workflow address must start with https:// so that patient "
                                 "details are encrypted. Ask your administrator to correct it."));
      g_object_unref (task);
      return;
    }
  post->msg = build_message (workflow_url, request_id, payload);
  if (post->msg == NULL)
    {
      g_task_return_new_error (task, MR_DELIVERY_ERROR, MR_DELIVERY_ERROR_INSECURE,
                               _("The workflow address in Preferences is not valid."));
      g_object_unref (task);
      return;
    }
  /* Header Auth is the device's own second factor beside the token; Basic Auth would need the
   * Authorization header the token takes, so with a token it is left out. */
  if (bearer && auth != NULL && auth->basic != NULL && *auth->basic != '\0')
    g_debug ("Not sending the workflow's Basic Auth: the request carries the clinic API's token");
  if ((auth != NULL && !auth_fits (auth, workflow_url, bearer, &error))
      || (bearer && !add_bearer (post->msg, access_token, &error))
      || (auth != NULL
          && (!add_auth_header (post->msg, auth->header_name, auth->header_value, &error)
              || (!bearer && !add_basic_auth (post->msg, auth->basic, &error)))))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  soup_session_send_and_read_async (session, post->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), send_cb, task);
}

void
mr_delivery_post_async (SoupSession          *session,
                        const char           *workflow_url,
                        const MrDeliveryAuth *auth,
                        const char           *access_token,
                        const char           *request_id,
                        GBytes               *payload,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  GTask *task;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (request_id != NULL);
  g_return_if_fail (payload != NULL);

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_delivery_post_async);
  post_start (task, session, workflow_url, auth, access_token, request_id, payload);
}

char *
mr_delivery_post_finish (GAsyncResult  *result,
                         guint         *out_status,
                         char         **out_retry_after,
                         GError       **error)
{
  Post *post;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_delivery_post_async, NULL);

  post = g_task_get_task_data (G_TASK (result));
  if (out_status != NULL)
    *out_status = post->status;
  if (out_retry_after != NULL)
    *out_retry_after = g_strdup (post->retry_after);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- authentication from the keyring ------------------------------------------------------ */

MrDeliveryAuth *
mr_delivery_auth_new (const char *origin,
                      const char *header_name,
                      const char *header_value,
                      const char *basic)
{
  MrDeliveryAuth *auth = g_new0 (MrDeliveryAuth, 1);

  auth->origin = g_strdup (origin);
  auth->header_name = g_strdup (header_name);
  auth->header_value = g_strdup (header_value);
  auth->basic = g_strdup (basic);
  return auth;
}

MrDeliveryAuth *
mr_delivery_auth_copy (const MrDeliveryAuth *auth)
{
  g_return_val_if_fail (auth != NULL, NULL);

  MrDeliveryAuth *copy;

  copy = mr_delivery_auth_new (auth->origin, auth->header_name, auth->header_value, auth->basic);
  copy->header_elsewhere = auth->header_elsewhere;
  copy->basic_elsewhere = auth->basic_elsewhere;
  return copy;
}

void
mr_delivery_auth_free (MrDeliveryAuth *auth)
{
  if (auth == NULL)
    return;
  g_free (auth->origin);
  g_free (auth->header_name);
  mr_secret_free (auth->header_value);
  mr_secret_free (auth->basic);
  g_free (auth);
}

/* The loader looks each secret up for the origin, and when there is none there, without one: only
 * to learn whether it is saved elsewhere. Four steps, one after the other. */
typedef enum {
  STEP_HEADER,
  STEP_HEADER_ELSEWHERE,
  STEP_BASIC,
  STEP_BASIC_ELSEWHERE,
  STEP_DONE,
} LoadStep;

typedef struct {
  MrDeliveryAuth *auth;
  LoadStep        step;
} Load;

static void
load_free (Load *load)
{
  mr_delivery_auth_free (load->auth);
  g_free (load);
}

static void load_next (GTask *task);

static void
load_lookup_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Load *load = g_task_get_task_data (task);
  GError *error = NULL;
  char *secret = mr_secret_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  switch (load->step)
    {
    case STEP_HEADER:
      load->auth->header_value = secret;
      load->step = secret != NULL ? STEP_BASIC : STEP_HEADER_ELSEWHERE;
      break;
    case STEP_HEADER_ELSEWHERE:
      load->auth->header_elsewhere = secret != NULL;
      mr_secret_free (secret);
      load->step = STEP_BASIC;
      break;
    case STEP_BASIC:
      load->auth->basic = secret;
      load->step = secret != NULL ? STEP_DONE : STEP_BASIC_ELSEWHERE;
      break;
    case STEP_BASIC_ELSEWHERE:
    case STEP_DONE:
    default:
      load->auth->basic_elsewhere = secret != NULL;
      mr_secret_free (secret);
      load->step = STEP_DONE;
      break;
    }
  load_next (g_steal_pointer (&task));
}

/* Takes @task. */
static void
load_next (GTask *task)
{
  Load *load = g_task_get_task_data (task);
  MrDeliveryAuth *auth = load->auth;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (load->step == STEP_HEADER && auth->header_name == NULL)
    load->step = STEP_BASIC;
  /* Nothing is bound to a URL without an origin; only whether secrets exist is worth knowing. */
  if (auth->origin == NULL && load->step == STEP_HEADER)
    load->step = STEP_HEADER_ELSEWHERE;
  if (auth->origin == NULL && load->step == STEP_BASIC)
    load->step = STEP_BASIC_ELSEWHERE;

  switch (load->step)
    {
    case STEP_HEADER:
      mr_secret_lookup_for_origin_async (MR_SECRET_WORKFLOW_AUTH, auth->header_name, auth->origin,
                                         cancellable, load_lookup_cb, task);
      return;
    case STEP_HEADER_ELSEWHERE:
      mr_secret_lookup_async (MR_SECRET_WORKFLOW_AUTH, auth->header_name, cancellable,
                              load_lookup_cb, task);
      return;
    case STEP_BASIC:
      mr_secret_lookup_for_origin_async (MR_SECRET_WORKFLOW_AUTH, MR_DELIVERY_BASIC_ACCOUNT,
                                         auth->origin, cancellable, load_lookup_cb, task);
      return;
    case STEP_BASIC_ELSEWHERE:
      mr_secret_lookup_async (MR_SECRET_WORKFLOW_AUTH, MR_DELIVERY_BASIC_ACCOUNT, cancellable,
                              load_lookup_cb, task);
      return;
    case STEP_DONE:
    default:
      g_task_return_pointer (task, mr_delivery_auth_copy (auth),
                             (GDestroyNotify) mr_delivery_auth_free);
      g_object_unref (task);
      return;
    }
}

void
mr_delivery_auth_load_async (const char          *workflow_url,
                             const char          *header_name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *origin = mr_url_origin (workflow_url);
  Load *load = g_new0 (Load, 1);

  g_task_set_source_tag (task, mr_delivery_auth_load_async);
  load->auth = mr_delivery_auth_new (origin,
                                     header_name != NULL && *header_name != '\0' ? header_name
                                                                                 : NULL,
                                     NULL, NULL);
  load->step = STEP_HEADER;
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  load_next (task);
}

MrDeliveryAuth *
mr_delivery_auth_load_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_delivery_auth_load_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-graph-profile.h"
#include "mr-graph-private.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-rules.h"
#include "mr-secure.h"
#include "mr-util.h"

/* A profile is a few hundred bytes; anything far larger is not the answer we asked for. */
#define MAX_BODY_SIZE (1024 * 1024)

G_DEFINE_QUARK (mr-graph-error-quark, mr_graph_error)

static const char * const custom_attributes[] = { "DateofBirth", "HospitalNumber", "Gender" };

char *
mr_graph_extension_name (const char *app_id,
                         const char *name)
{
  GString *out;

  g_return_val_if_fail (name != NULL, NULL);

  if (app_id == NULL || *app_id == '\0')
    return NULL;

  out = g_string_new ("extension_");
  for (const char *p = app_id; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (out, *p);
  g_string_append_c (out, '_');
  g_string_append (out, name);
  return g_string_free (out, FALSE);
}

char *
mr_graph_me_url (const char *graph_url,
                 const char *ext_app_id)
{
  g_autofree char *base = NULL;
  GString *url;
  gsize len;

  g_return_val_if_fail (graph_url != NULL, NULL);

  base = g_strdup (graph_url);
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';

  /* "$select" stays literal: Graph documents it so, and every Graph front end accepts it. */
  url = g_string_new (base);
  /* identities: a local account may have no mail, only its sign-in name there. */
  g_string_append (url, "/me?$select=id,displayName,givenName,surname,mail,jobTitle,"
                        "streetAddress,city,state,postalCode,country,mobilePhone,identities");
  for (gsize i = 0; i < G_N_ELEMENTS (custom_attributes); i++)
    {
      g_autofree char *ext = mr_graph_extension_name (ext_app_id, custom_attributes[i]);

      if (ext != NULL)
        g_string_append_printf (url, ",%s", ext);
    }
  return g_string_free (url, FALSE);
}

static char *
dup_member (JsonObject *object,
            const char *member)
{
  return member != NULL ? g_strdup (mr_json_get_string (object, member)) : NULL;
}

/* A custom attribute as people typed it at sign-up, canonical where only one value can be meant
 * ("2 Jan 1990", "F"); what could mean two stays as typed, for the form to ask about. */
static char *
dup_custom (JsonObject *object,
            const char *member,
            MrField     field)
{
  const char *value = member != NULL ? mr_json_get_string (object, member) : NULL;

  return value != NULL ? mr_rules_tidy (field, value) : NULL;
}

/* The email sign-in name of a local account (identities[signInType=emailAddress]), or NULL. */
static char *
dup_sign_in_email (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "identities");
  JsonArray *identities;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  identities = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (identities); i++)
    {
      JsonNode *element = json_array_get_element (identities, i);
      JsonObject *identity;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      identity = json_node_get_object (element);
      id = mr_json_get_string (identity, "issuerAssignedId");
      if (g_strcmp0 (mr_json_get_string (identity, "signInType"), "emailAddress") == 0
          && id != NULL && *id != '\0')
        return g_strdup (id);
    }
  return NULL;
}

static MrPatient *
patient_from_object (JsonObject *object,
                     const char *ext_app_id)
{
  g_autofree char *dob = mr_graph_extension_name (ext_app_id, "DateofBirth");
  g_autofree char *hn = mr_graph_extension_name (ext_app_id, "HospitalNumber");
  g_autofree char *gender = mr_graph_extension_name (ext_app_id, "Gender");
  MrPatient *patient = mr_patient_new ();

  patient->id = dup_member (object, "id");
  patient->display_name = dup_member (object, "displayName");
  patient->given_name = dup_member (object, "givenName");
  patient->surname = dup_member (object, "surname");
  patient->mail = dup_member (object, "mail");
  if (patient->mail == NULL || *patient->mail == '\0')
    {
      g_free (patient->mail);
      patient->mail = dup_sign_in_email (object);
    }
  patient->job_title = dup_member (object, "jobTitle");
  patient->street_address = dup_member (object, "streetAddress");
  patient->city = dup_member (object, "city");
  patient->state = dup_member (object, "state");
  patient->postal_code = dup_member (object, "postalCode");
  patient->country = dup_member (object, "country");
  patient->mobile_phone = dup_member (object, "mobilePhone");
  patient->date_of_birth = dup_custom (object, dob, MR_FIELD_DATE_OF_BIRTH);
  patient->hospital_number = dup_custom (object, hn, MR_FIELD_HOSPITAL_NUMBER);
  patient->gender = dup_custom (object, gender, MR_FIELD_GENDER);
  return patient;
}

char *
mr_graph_error_code (GBytes *body)
{
  g_autoptr(JsonObject) object = NULL;
  JsonNode *error_node;
  const char *code;

  object = mr_json_parse_object (body, MR_GRAPH_ERROR, MR_GRAPH_ERROR_BAD_RESPONSE,
                                 "Microsoft Graph", NULL);
  if (object == NULL)
    return NULL;
  error_node = json_object_get_member (object, "error");
  if (error_node == NULL || !JSON_NODE_HOLDS_OBJECT (error_node))
    return NULL;
  code = mr_json_get_string (json_node_get_object (error_node), "code");
  if (code == NULL || *code == '\0' || strlen (code) > 100)
    return NULL;
  for (const char *p = code; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return NULL;
  return g_strdup (code);
}

GBytes *
mr_graph_read_finish (GTask        *task,
                      GObject      *source,
                      GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  GBytes *body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (body != NULL)
    return body;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_new_error (task, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NETWORK,
                             _("Microsoft Graph could not be reached. Check the network connection "
                               "and try again."));
  return NULL;
}

void
mr_graph_authorize (SoupMessage *msg,
                    const char  *access_token)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autofree char *authorization = g_strconcat ("Bearer ", access_token, NULL);

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "Accept", "application/json");
  mr_str_wipe (authorization);
}

GError *
mr_graph_status_error (guint                     status,
                       GBytes                   *body,
                       const MrGraphStatusTexts *texts)
{
  g_autofree char *code = NULL;

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return g_error_new_literal (MR_GRAPH_ERROR, MR_GRAPH_ERROR_UNAUTHORIZED,
                                  _("Your sign-in has expired. Please sign in again."));
    case SOUP_STATUS_FORBIDDEN:
      return g_error_new_literal (MR_GRAPH_ERROR, MR_GRAPH_ERROR_FORBIDDEN, _(texts->forbidden));
    case SOUP_STATUS_NOT_FOUND:
      if (texts->not_found != NULL)
        return g_error_new_literal (MR_GRAPH_ERROR, MR_GRAPH_ERROR_NOT_FOUND, _(texts->not_found));
      break;
    case MR_GRAPH_STATUS_TOO_MANY_REQUESTS:
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
      return g_error_new (MR_GRAPH_ERROR, MR_GRAPH_ERROR_THROTTLED,
                          _("Microsoft Graph is busy (%u). Please wait a minute and try again."),
                          status);
    default:
      if (SOUP_STATUS_IS_REDIRECTION (status))
        return g_error_new (MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED,
                            _("Microsoft Graph sent the app to another address (%u), which it "
                              "does not follow with your sign-in. Ask your administrator to "
                              "check the Microsoft Graph address in Preferences."), status);
      break;
    }
  if (texts->failed_with_code != NULL && (code = mr_graph_error_code (body)) != NULL)
    return g_error_new (MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED, _(texts->failed_with_code), status,
                        code);
  return g_error_new (MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED, _(texts->failed), status);
}

JsonArray *
mr_graph_parse_collection (guint                     status,
                           GBytes                   *body,
                           gsize                     max_size,
                           const MrGraphStatusTexts *texts,
                           JsonObject              **root,
                           GError                  **error)
{
  JsonNode *value;

  *root = NULL;
  if (status != SOUP_STATUS_OK)
    {
      g_propagate_error (error, mr_graph_status_error (status, body, texts));
      return NULL;
    }
  if (body != NULL && g_bytes_get_size (body) <= max_size)
    *root = mr_json_parse_object (body, MR_GRAPH_ERROR, MR_GRAPH_ERROR_BAD_RESPONSE,
                                  "Microsoft Graph", NULL);
  value = *root != NULL ? json_object_get_member (*root, "value") : NULL;
  if (value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
    {
      g_clear_pointer (root, json_object_unref);
      g_set_error_literal (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_BAD_RESPONSE,
                           _("Microsoft Graph sent an answer the app cannot read."));
      return NULL;
    }
  return json_node_get_array (value);
}

static const MrGraphStatusTexts profile_texts = {
  .forbidden        = N_("The app is missing a permission to read your profile. Your "
                         "administrator must grant it the User.Read permission."),
  .not_found        = N_("Microsoft Graph could not find your profile (404)."),
  .failed_with_code = N_("Microsoft Graph could not read your profile (%u, %s)."),
  .failed           = N_("Microsoft Graph could not read your profile (%u)."),
};

MrPatient *
mr_graph_parse_profile (guint        status,
                        GBytes      *body,
                        const char  *ext_app_id,
                        GError     **error)
{
  g_autoptr(JsonObject) object = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (status != SOUP_STATUS_OK)
    {
      g_propagate_error (error, mr_graph_status_error (status, body, &profile_texts));
      return NULL;
    }
  if (body != NULL && g_bytes_get_size (body) > MAX_BODY_SIZE)
    {
      g_set_error_literal (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_BAD_RESPONSE,
                           _("Microsoft Graph sent an answer the app cannot read."));
      return NULL;
    }

  object = mr_json_parse_object (body, MR_GRAPH_ERROR, MR_GRAPH_ERROR_BAD_RESPONSE,
                                 "Microsoft Graph", NULL);
  if (object == NULL || mr_json_get_string (object, "id") == NULL
      || *mr_json_get_string (object, "id") == '\0')
    {
      g_set_error_literal (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_BAD_RESPONSE,
                           _("Microsoft Graph sent an answer the app cannot read."));
      return NULL;
    }
  return patient_from_object (object, ext_app_id);
}

/* GET /me */

static void
get_me_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  MrPatient *patient;

  if ((body = mr_graph_read_finish (task, source, result)) == NULL)
    return;

  patient = mr_graph_parse_profile (soup_message_get_status (msg), body,
                                    g_object_get_data (G_OBJECT (task), "ext-app-id"), &error);
  if (patient == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, patient, (GDestroyNotify) mr_patient_free);
}

void
mr_graph_get_me_async (SoupSession         *session,
                       const char          *graph_url,
                       const char          *ext_app_id,
                       const char          *access_token,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (graph_url != NULL);
  g_return_if_fail (access_token != NULL);

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_graph_get_me_async);
  g_object_set_data_full (G_OBJECT (task), "ext-app-id", g_strdup (ext_app_id), g_free);

  url = mr_graph_me_url (graph_url, ext_app_id);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NETWORK,
                               _("The Microsoft Graph address in Preferences is not valid."));
      return;
    }

  mr_graph_authorize (msg, access_token);
  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    get_me_cb, g_steal_pointer (&task));
}

MrPatient *
mr_graph_get_me_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_graph_get_me_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

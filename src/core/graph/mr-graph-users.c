/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Patient lookup for front-desk staff. It needs a delegated permission to read other users
 * (User.Read.All, or User.ReadWrite.All to correct them too); a patient's token has only
 * User.Read, and Graph answers 403. */
#include "mr-graph-users.h"
#include "mr-graph-private.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-util.h"

#define MAX_BODY_SIZE (4 * 1024 * 1024)

typedef struct {
  SoupMessage *msg;
  char        *ext_app_id;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_clear_object (&request->msg);
  g_free (request->ext_app_id);
  g_free (request);
}

/* ---- the search text --------------------------------------------------------------------- */

static gboolean
has_control_characters (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        return TRUE;
    }
  return FALSE;
}

char *
mr_lookup_check_query (MrLookupKind   kind,
                       const char    *query,
                       const char    *ext_app_id,
                       GError       **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (query != NULL && g_utf8_validate (query, -1, NULL))
    text = g_strstrip (g_strdup (query));
  if (query != NULL && text == NULL)
    g_set_error_literal (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED,
                         _("The search text contains characters that cannot be searched for."));
  else if (text == NULL || *text == '\0')
    g_set_error_literal (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED,
                         _("Type a hospital number, an email address or a name to search for."));
  else if (g_utf8_strlen (text, -1) > MR_LOOKUP_MAX_LENGTH)
    g_set_error (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED,
                 g_dngettext (GETTEXT_PACKAGE,
                              "The search text is too long: use at most %d character.",
                              "The search text is too long: use at most %d characters.",
                              MR_LOOKUP_MAX_LENGTH),
                 MR_LOOKUP_MAX_LENGTH);
  else if (has_control_characters (text))
    g_set_error_literal (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED,
                         _("The search text contains characters that cannot be searched for."));
  else if (kind == MR_LOOKUP_HOSPITAL_NUMBER && (ext_app_id == NULL || *ext_app_id == '\0'))
    g_set_error_literal (error, MR_GRAPH_ERROR, MR_GRAPH_ERROR_FAILED,
                         _("Patients cannot be found by hospital number because the extensions app "
                           "id is not set in Preferences. Search by name or email instead."));
  else
    return g_steal_pointer (&text);
  return NULL;
}

/* ---- URLs -------------------------------------------------------------------------------- */

/* An OData string literal: in single quotes, a quote doubled. */
static void
append_literal (GString    *filter,
                const char *text)
{
  g_string_append_c (filter, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (filter, '\'');
      g_string_append_c (filter, *p);
    }
  g_string_append_c (filter, '\'');
}

/* "someone@host.domain": worth an exact match; anything shorter is a prefix. */
static gboolean
is_whole_address (const char *text)
{
  const char *at = strchr (text, '@');
  const char *dot = at != NULL ? strrchr (at, '.') : NULL;

  return at != NULL && at > text && dot != NULL && dot > at + 1 && dot[1] != '\0'
         && strchr (at + 1, '@') == NULL;
}

static char *
build_filter (const char   *ext_app_id,
              MrLookupKind  kind,
              const char   *text)
{
  static const char * const name_properties[] = { "displayName", "givenName", "surname" };
  g_autofree char *hn = NULL;
  GString *filter = g_string_new (NULL);

  switch (kind)
    {
    case MR_LOOKUP_HOSPITAL_NUMBER:
      hn = mr_graph_extension_name (ext_app_id, "HospitalNumber");
      g_string_append_printf (filter, "%s eq ", hn);
      append_literal (filter, text);
      break;
    case MR_LOOKUP_EMAIL:
      g_string_append (filter, is_whole_address (text) ? "mail eq " : "startswith(mail,");
      append_literal (filter, text);
      if (!is_whole_address (text))
        g_string_append_c (filter, ')');
      break;
    case MR_LOOKUP_NAME:
    default:
      for (gsize i = 0; i < G_N_ELEMENTS (name_properties); i++)
        {
          g_string_append_printf (filter, "%sstartswith(%s,", i > 0 ? " or " : "",
                                  name_properties[i]);
          append_literal (filter, text);
          g_string_append_c (filter, ')');
        }
      break;
    }
  return g_string_free (filter, FALSE);
}

static char *
strip_base (const char *graph_url)
{
  char *base = g_strdup (graph_url);
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  return base;
}

/* The $select list of mr_graph_me_url(), so that a looked-up patient fills the form the same. */
static char *
profile_select (const char *ext_app_id)
{
  g_autofree char *me = mr_graph_me_url ("http://localhost", ext_app_id);
  const char *select = strstr (me, "?$select=");

  g_assert (select != NULL);
  return g_strdup (select + strlen ("?$select="));
}

char *
mr_graph_users_search_url (const char   *graph_url,
                           const char   *ext_app_id,
                           MrLookupKind  kind,
                           const char   *query,
                           gboolean     *needs_eventual)
{
  g_autofree char *text = NULL;
  g_autofree char *base = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *select = NULL;
  gboolean advanced = kind == MR_LOOKUP_HOSPITAL_NUMBER;

  g_return_val_if_fail (graph_url != NULL, NULL);

  if (needs_eventual != NULL)
    *needs_eventual = FALSE;
  if ((text = mr_lookup_check_query (kind, query, ext_app_id, NULL)) == NULL)
    return NULL;

  base = strip_base (graph_url);
  filter = build_filter (ext_app_id, kind, text);
  /* Quotes, parentheses, commas and @ stay readable; spaces, &, #, +, % and non-ASCII do not. */
  escaped = g_uri_escape_string (filter, "'(),@", FALSE);
  select = profile_select (ext_app_id);
  if (needs_eventual != NULL)
    *needs_eventual = advanced;
  /* The spec asks for the advanced query parameters with the extension-attribute filter; Graph
   * accepts them with any filter, and they make it also report @odata.count. */
  return g_strdup_printf ("%s/users?$filter=%s&$select=%s&$top=%d%s", base, escaped, select,
                          MR_LOOKUP_MAX_RESULTS, advanced ? "&$count=true" : "");
}

char *
mr_graph_user_url (const char *graph_url,
                   const char *ext_app_id,
                   const char *user_id)
{
  g_autofree char *base = NULL;
  g_autofree char *id = NULL;
  g_autofree char *select = NULL;

  g_return_val_if_fail (graph_url != NULL, NULL);
  g_return_val_if_fail (user_id != NULL && *user_id != '\0', NULL);

  base = strip_base (graph_url);
  id = g_uri_escape_string (user_id, "@", FALSE);
  select = profile_select (ext_app_id);
  return g_strdup_printf ("%s/users/%s?$select=%s", base, id, select);
}

/* ---- answers ----------------------------------------------------------------------------- */

static const MrGraphStatusTexts search_texts = {
  .forbidden        = N_("Your account may not look up patients. Ask your administrator to grant "
                         "it permission to read the directory (User.Read.All)."),
  .not_found        = N_("This patient is no longer in the directory."),
  .failed_with_code = N_("Microsoft Graph could not search the directory (%u, %s)."),
  .failed           = N_("Microsoft Graph could not search the directory (%u)."),
};

static const MrGraphStatusTexts user_texts = {
  .forbidden        = N_("Your account may not look up patients. Ask your administrator to grant "
                         "it permission to read the directory (User.Read.All)."),
  .not_found        = N_("This patient is no longer in the directory."),
  .failed_with_code = N_("Microsoft Graph could not read the patient's profile (%u, %s)."),
  .failed           = N_("Microsoft Graph could not read the patient's profile (%u)."),
};

/* One listed user, read exactly as /me is read; NULL when it has no id or is not an object. */
static MrPatient *
patient_from_node (JsonNode   *node,
                   const char *ext_app_id)
{
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  text = mr_json_to_string (node);
  bytes = g_bytes_new_take (text, strlen (text));
  return mr_graph_parse_profile (SOUP_STATUS_OK, bytes, ext_app_id, NULL);
}

/* Whether Graph said it had more than the page holds. */
static gboolean
has_more (JsonObject *root,
          guint       n_listed)
{
  JsonNode *count = json_object_get_member (root, "@odata.count");

  if (mr_json_get_string (root, "@odata.nextLink") != NULL)
    return TRUE;
  return count != NULL && JSON_NODE_HOLDS_VALUE (count)
         && json_node_get_value_type (count) == G_TYPE_INT64
         && json_node_get_int (count) > (gint64) n_listed;
}

GPtrArray *
mr_graph_parse_users (guint        status,
                      GBytes      *body,
                      const char  *ext_app_id,
                      gboolean    *truncated,
                      GError     **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  JsonArray *list;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (truncated != NULL)
    *truncated = FALSE;
  list = mr_graph_parse_collection (status, body, MAX_BODY_SIZE, &search_texts, &root, error);
  if (list == NULL)
    return NULL;
  patients = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_patient_free);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      MrPatient *patient = patient_from_node (json_array_get_element (list, i), ext_app_id);

      if (patient == NULL)
        continue;
      if (patients->len == MR_LOOKUP_MAX_RESULTS)
        {
          mr_patient_free (patient);
          if (truncated != NULL)
            *truncated = TRUE;
          break;
        }
      g_ptr_array_add (patients, patient);
    }
  if (truncated != NULL && has_more (root, json_array_get_length (list)))
    *truncated = TRUE;
  return g_steal_pointer (&patients);
}

/* ---- requests ---------------------------------------------------------------------------- */

/* Sends GET @url for @task (whose Request it fills) with @access_token; @eventual adds
 * ConsistencyLevel: eventual. */
static void
send_get (GTask               *task,
          SoupSession         *session,
          const char          *url,
          const char          *access_token,
          const char          *ext_app_id,
          gboolean             eventual,
          GAsyncReadyCallback  callback)
{
  Request *request = g_new0 (Request, 1);

  request->ext_app_id = g_strdup (ext_app_id);
  g_task_set_task_data (task, request, request_free);
  if (url == NULL || (request->msg = soup_message_new (SOUP_METHOD_GET, url)) == NULL)
    {
      g_task_return_new_error (task, MR_GRAPH_ERROR, MR_GRAPH_ERROR_NETWORK,
                               _("The Microsoft Graph address in Preferences is not valid."));
      g_object_unref (task);
      return;
    }
  mr_graph_authorize (request->msg, access_token);
  if (eventual)
    soup_message_headers_replace (soup_message_get_request_headers (request->msg),
                                  "ConsistencyLevel", "eventual");
  soup_session_send_and_read_async (session, request->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), callback, task);
}

static void
search_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  gboolean truncated = FALSE;
  GPtrArray *patients;

  if ((body = mr_graph_read_finish (task, source, result)) == NULL)
    return;
  patients = mr_graph_parse_users (soup_message_get_status (request->msg), body,
                                   request->ext_app_id, &truncated, &error);
  if (patients == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_object_set_data (G_OBJECT (task), "truncated", GINT_TO_POINTER (truncated));
  g_task_return_pointer (task, patients, (GDestroyNotify) g_ptr_array_unref);
}

void
mr_graph_search_users_async (SoupSession         *session,
                             const char          *graph_url,
                             const char          *ext_app_id,
                             const char          *access_token,
                             MrLookupKind         kind,
                             const char          *query,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *url = NULL;
  gboolean eventual = FALSE;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (graph_url != NULL);
  g_return_if_fail (access_token != NULL);

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_graph_search_users_async);
  /* What was typed is checked before anything leaves the machine. */
  if ((text = mr_lookup_check_query (kind, query, ext_app_id, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  url = mr_graph_users_search_url (graph_url, ext_app_id, kind, text, &eventual);
  send_get (g_steal_pointer (&task), session, url, access_token, ext_app_id, eventual,
            search_cb);
}

GPtrArray *
mr_graph_search_users_finish (GAsyncResult  *result,
                              gboolean      *truncated,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_graph_search_users_async,
                        NULL);

  if (truncated != NULL)
    *truncated = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "truncated"));
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_user_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  guint status;
  MrPatient *patient;

  if ((body = mr_graph_read_finish (task, source, result)) == NULL)
    return;
  status = soup_message_get_status (request->msg);
  if (status != SOUP_STATUS_OK)
    {
      g_task_return_error (task, mr_graph_status_error (status, body, &user_texts));
      return;
    }
  if ((patient = mr_graph_parse_profile (status, body, request->ext_app_id, &error)) == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, patient, (GDestroyNotify) mr_patient_free);
}

void
mr_graph_get_user_async (SoupSession         *session,
                         const char          *graph_url,
                         const char          *ext_app_id,
                         const char          *access_token,
                         const char          *user_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (graph_url != NULL);
  g_return_if_fail (access_token != NULL);
  g_return_if_fail (user_id != NULL && *user_id != '\0');

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_graph_get_user_async);
  url = mr_graph_user_url (graph_url, ext_app_id, user_id);
  send_get (g_steal_pointer (&task), session, url, access_token, ext_app_id, FALSE, get_user_cb);
}

MrPatient *
mr_graph_get_user_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_graph_get_user_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

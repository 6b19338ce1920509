/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Microsoft Graph side of the sandbox: the demo accounts' properties (the accounts themselves
 * are in mr-sandbox-tenant.c), GET and PATCH of /v1.0/me. The directory queries (/users,
 * /applications) are in mr-sandbox-directory.c. */
#include "mr-sandbox-graph-private.h"

#include "mr-sandbox-handlers.h"
#include "mr-sandbox-http.h"
#include "mr-sandbox-private.h"

#define EXTENSION_PREFIX MR_SANDBOX_EXTENSION_PREFIX
#define UPN_DOMAIN       "medrefillsandbox.onmicrosoft.com"
/* Object data of the sandbox: what PATCHes changed, user id → (property name → value or NULL).
 * The demo accounts themselves are a static table of mr-sandbox-tenant.c. */
#define EDITS_KEY        "mr-sandbox-graph-edits"

/* ---- properties of Microsoft.DirectoryServices.User -------------------------------------- */

#define EQ          MR_FILTER_EQ
#define EQ_STARTS   (MR_FILTER_EQ | MR_FILTER_STARTS_WITH)
#define EQ_ANY      (MR_FILTER_EQ | MR_FILTER_STARTS_WITH | MR_FILTER_ENDS_WITH)
#define FIELD(f, d) MR_PROPERTY_FIELD, G_STRUCT_OFFSET (MrSandboxUser, f), d
#define UNSET       MR_PROPERTY_UNSET, -1, FALSE, 0, MR_PATCH_NO

/* What $filter accepts per property follows Graph's user resource; endswith also needs the
 * advanced query parameters (mr-sandbox-directory.c checks them). */
static const MrProperty properties[] = {
  { "businessPhones", MR_PROPERTY_PHONES, -1, TRUE, 0, MR_PATCH_NO },
  { "displayName", FIELD (display_name, TRUE), EQ_STARTS, MR_PATCH_SELF },
  { "givenName", FIELD (given_name, TRUE), EQ_STARTS, MR_PATCH_SELF },
  { "jobTitle", FIELD (job_title, TRUE), EQ_STARTS, MR_PATCH_SELF },
  { "mail", FIELD (mail, TRUE), EQ_ANY, MR_PATCH_NO },
  { "mobilePhone", FIELD (mobile_phone, TRUE), EQ_STARTS, MR_PATCH_NO },
  { "officeLocation", MR_PROPERTY_UNSET, -1, TRUE, 0, MR_PATCH_NO },
  { "preferredLanguage", FIELD (preferred_language, TRUE), EQ, MR_PATCH_NO },
  { "surname", FIELD (surname, TRUE), EQ_STARTS, MR_PATCH_SELF },
  { "userPrincipalName", MR_PROPERTY_UPN, -1, TRUE, EQ_ANY, MR_PATCH_NO },
  { "id", FIELD (id, TRUE), EQ, MR_PATCH_NO },
  { "streetAddress", FIELD (street_address, FALSE), 0, MR_PATCH_SELF },
  { "city", FIELD (city, FALSE), 0, MR_PATCH_SELF },
  { "state", FIELD (state, FALSE), 0, MR_PATCH_SELF },
  { "postalCode", FIELD (postal_code, FALSE), 0, MR_PATCH_SELF },
  { "country", FIELD (country, FALSE), 0, MR_PATCH_SELF },
  /* Directory extensions: "Supports $filter (eq, ne, and eq on null values)" (user-list). */
  { EXTENSION_PREFIX "DateofBirth", FIELD (date_of_birth, FALSE), EQ, MR_PATCH_STAFF },
  { EXTENSION_PREFIX "HospitalNumber", FIELD (hospital_number, FALSE), EQ, MR_PATCH_STAFF },
  { EXTENSION_PREFIX "Gender", FIELD (gender, FALSE), EQ, MR_PATCH_STAFF },
  { "aboutMe", UNSET }, { "accountEnabled", UNSET }, { "ageGroup", UNSET },
  { "birthday", UNSET }, { "companyName", UNSET }, { "consentProvidedForMinor", UNSET },
  { "createdDateTime", UNSET }, { "creationType", UNSET }, { "department", UNSET },
  { "employeeHireDate", UNSET }, { "employeeId", UNSET }, { "employeeType", UNSET },
  { "externalUserState", UNSET }, { "faxNumber", UNSET }, { "hireDate", UNSET },
  { "identities", MR_PROPERTY_IDENTITIES, -1, FALSE, 0, MR_PATCH_NO },
  { "imAddresses", UNSET }, { "interests", UNSET },
  { "lastPasswordChangeDateTime", UNSET }, { "legalAgeGroupClassification", UNSET },
  { "mailNickname", UNSET }, { "mySite", UNSET }, { "otherMails", UNSET },
  { "passwordPolicies", UNSET }, { "pastProjects", UNSET }, { "preferredName", UNSET },
  { "proxyAddresses", UNSET }, { "responsibilities", UNSET }, { "schools", UNSET },
  { "showInAddressList", UNSET }, { "skills", UNSET }, { "usageLocation", UNSET },
  { "userType", UNSET },
};

const MrProperty *
mr_sandbox_graph_find_property (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    if (g_ascii_strcasecmp (properties[i].name, name) == 0)
      return &properties[i];
  return NULL;
}

/* user id → (property name → value, NULL for cleared); created on first use. */
static GHashTable *
edits_of (MrSandbox  *self,
          const char *user_id)
{
  GHashTable *all = g_object_get_data (G_OBJECT (self), EDITS_KEY);
  GHashTable *edits;

  if (all == NULL)
    {
      all = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) g_hash_table_unref);
      g_object_set_data_full (G_OBJECT (self), EDITS_KEY, all,
                              (GDestroyNotify) g_hash_table_unref);
    }
  edits = g_hash_table_lookup (all, user_id);
  if (edits == NULL)
    {
      edits = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
      g_hash_table_insert (all, g_strdup (user_id), edits);
    }
  return edits;
}

char *
mr_sandbox_graph_dup_value (MrSandbox           *self,
                            const MrSandboxUser *user,
                            const MrProperty    *property)
{
  gpointer edited = NULL;

  switch (property->kind)
    {
    case MR_PROPERTY_UPN:
      return g_strdup_printf ("%s@" UPN_DOMAIN, user->id);
    case MR_PROPERTY_FIELD:
      if (g_hash_table_lookup_extended (edits_of (self, user->id), property->name, NULL, &edited))
        return g_strdup (edited);
      return g_strdup (G_STRUCT_MEMBER (const char *, user, property->offset));
    case MR_PROPERTY_PHONES:
    case MR_PROPERTY_IDENTITIES:
    case MR_PROPERTY_UNSET:
    default:
      return NULL;
    }
}

static JsonObject *
identity_new (const char *type,
              const char *id)
{
  JsonObject *identity = json_object_new ();

  json_object_set_string_member (identity, "signInType", type);
  json_object_set_string_member (identity, "issuer", UPN_DOMAIN);
  json_object_set_string_member (identity, "issuerAssignedId", id);
  return identity;
}

/* An External ID local account's identities: its email sign-in name and its UPN. */
static JsonArray *
identities_of (const MrSandboxUser *user)
{
  JsonArray *identities = json_array_new ();
  g_autofree char *upn = g_strdup_printf ("%s@" UPN_DOMAIN, user->id);

  json_array_add_object_element (identities,
                                 identity_new ("emailAddress",
                                               mr_sandbox_user_sign_in_name (user)));
  json_array_add_object_element (identities, identity_new ("userPrincipalName", upn));
  return identities;
}

/* Adds @property of @user to @object. Unset properties are null in the default set and absent
 * when selected, as Graph answers them. */
static void
add_property (MrSandbox           *self,
              JsonObject          *object,
              const MrSandboxUser *user,
              const MrProperty    *property,
              gboolean             selected)
{
  g_autofree char *value = NULL;

  if (property->kind == MR_PROPERTY_PHONES)
    {
      json_object_set_array_member (object, property->name, json_array_new ());
      return;
    }
  if (property->kind == MR_PROPERTY_IDENTITIES)
    {
      json_object_set_array_member (object, property->name, identities_of (user));
      return;
    }
  value = mr_sandbox_graph_dup_value (self, user, property);
  if (value != NULL)
    json_object_set_string_member (object, property->name, value);
  else if (!selected)
    json_object_set_null_member (object, property->name);
}

JsonObject *
mr_sandbox_graph_user_object (MrSandbox           *self,
                              const MrSandboxUser *user,
                              GPtrArray           *chosen,
                              const char          *context)
{
  JsonObject *object = json_object_new ();

  if (context != NULL)
    json_object_set_string_member (object, "@odata.context", context);

  if (chosen != NULL && chosen->len > 0)
    for (guint i = 0; i < chosen->len; i++)
      add_property (self, object, user, chosen->pdata[i], TRUE);
  else
    for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
      if (properties[i].in_default)
        add_property (self, object, user, &properties[i], FALSE);
  return object;
}

char *
mr_sandbox_graph_context (MrSandbox *self,
                          GPtrArray *chosen)
{
  GString *context = g_string_new (self->base_url);

  g_string_append (context, "/v1.0/$metadata#users");
  if (chosen != NULL && chosen->len > 0)
    {
      g_string_append_c (context, '(');
      for (guint i = 0; i < chosen->len; i++)
        g_string_append_printf (context, "%s%s", i > 0 ? "," : "",
                                ((const MrProperty *) chosen->pdata[i])->name);
      g_string_append_c (context, ')');
    }
  return g_string_free (context, FALSE);
}

/* ---- authentication ---------------------------------------------------------------------- */

static void
respond_unauthorized (SoupServerMessage *msg,
                      const char        *message)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate",
                                "Bearer realm=\"\", error=\"invalid_token\"");
  mr_sandbox_graph_error (msg, SOUP_STATUS_UNAUTHORIZED, "InvalidAuthenticationToken", message);
}

const MrSandboxGrant *
mr_sandbox_graph_authenticate (MrSandbox         *self,
                               SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  const char *token = NULL;
  const MrSandboxGrant *grant;

  if (authorization != NULL && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    token = authorization + 7;
  if (token == NULL || *token == '\0')
    {
      respond_unauthorized (msg, "Access token is empty.");
      return NULL;
    }
  grant = g_hash_table_lookup (self->tenant.access_tokens, token);
  if (grant == NULL)
    {
      respond_unauthorized (msg, "CompactToken parsing failed with error code: 80049217");
      return NULL;
    }
  if (grant->expires < g_get_real_time ())
    {
      respond_unauthorized (msg, "Lifetime validation failed, the token is expired.");
      return NULL;
    }
  return grant;
}

GPtrArray *
mr_sandbox_graph_parse_select (SoupServerMessage *msg,
                               const char        *select)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_auto(GStrv) names = g_strsplit (select, ",", -1);

  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);
      const MrProperty *property;

      if (*name == '\0')
        continue;
      property = mr_sandbox_graph_find_property (name);
      if (property == NULL)
        {
          g_autofree char *text = g_strdup_printf ("Could not find a property named '%s' on "
                                                   "type 'Microsoft.DirectoryServices.User'.",
                                                   name);
          mr_sandbox_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "Request_BadRequest", text);
          return NULL;
        }
      if (!g_ptr_array_find (chosen, property, NULL))
        g_ptr_array_add (chosen, (gpointer) property);
    }
  return g_steal_pointer (&chosen);
}

/* ---- PATCH ------------------------------------------------------------------------------- */

static void
respond_patch_error (SoupServerMessage *msg,
                     const char        *format,
                     const char        *name)
{
  g_autofree char *text = g_strdup_printf (format, name);

  mr_sandbox_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "Request_BadRequest", text);
}

static JsonObject *
patch_body (SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  JsonNode *root;

  if (data == NULL || !json_parser_load_from_data (parser, data, size, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root)
         ? json_object_ref (json_node_get_object (root)) : NULL;
}

/* Checks one member of a PATCH; FALSE after answering 400 or 403. */
static gboolean
check_member (SoupServerMessage *msg,
              const char        *name,
              JsonNode          *value,
              gboolean           staff)
{
  const MrProperty *property = mr_sandbox_graph_find_property (name);
  gboolean is_null = JSON_NODE_HOLDS_NULL (value);

  if (property == NULL)
    respond_patch_error (msg, "Property '%s' does not exist as a declared property or extension "
                         "property.", name);
  else if (property->patch == MR_PATCH_NO)
    respond_patch_error (msg, "Property '%s' is read-only and cannot be set.", property->name);
  /* Entra lets a user change only built-in attributes of their own profile. */
  else if (property->patch == MR_PATCH_STAFF && !staff)
    mr_sandbox_graph_deny (msg);
  else if (!is_null && !(JSON_NODE_HOLDS_VALUE (value)
                         && json_node_get_value_type (value) == G_TYPE_STRING))
    respond_patch_error (msg, "Invalid value specified for property '%s' of resource 'User'.",
                         property->name);
  else if (g_str_equal (property->name, "displayName")
           && (is_null || *json_node_get_string (value) == '\0'))
    respond_patch_error (msg, "Invalid value specified for property '%s' of resource 'User'.",
                         property->name);
  else
    return TRUE;
  return FALSE;
}

void
mr_sandbox_graph_patch_user (MrSandbox            *self,
                             SoupServerMessage    *msg,
                             const MrSandboxGrant *grant,
                             const MrSandboxUser  *target)
{
  gboolean staff = mr_sandbox_user_may (grant->user, "User.ReadWrite.All");
  g_autoptr(JsonObject) body = patch_body (msg);
  g_autoptr(GList) members = NULL;
  GHashTable *edits;

  /* Graph: PATCH /me needs User.ReadWrite, another user's profile User.ReadWrite.All. */
  if (!staff && (target != grant->user || !mr_sandbox_user_may (grant->user, "User.ReadWrite")))
    {
      mr_sandbox_graph_deny (msg);
      return;
    }
  if (body == NULL)
    {
      mr_sandbox_graph_error (msg, SOUP_STATUS_BAD_REQUEST, "BadRequest",
                              "Unable to read JSON request payload. Please ensure Content-Type "
                              "header is set and payload is of valid JSON format.");
      return;
    }
  members = json_object_get_members (body);
  for (GList *l = members; l != NULL; l = l->next)
    if (!check_member (msg, l->data, json_object_get_member (body, l->data), staff))
      return;

  /* All or nothing: applied only once every member passed. */
  edits = edits_of (self, target->id);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const MrProperty *property = mr_sandbox_graph_find_property (l->data);
      JsonNode *value = json_object_get_member (body, l->data);

      g_hash_table_replace (edits, (gpointer) property->name,
                            JSON_NODE_HOLDS_NULL (value)
                            ? NULL : g_strdup (json_node_get_string (value)));
    }
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

/* ---- /me --------------------------------------------------------------------------------- */

static void
get_me (MrSandbox            *self,
        SoupServerMessage    *msg,
        GHashTable           *query,
        const MrSandboxGrant *grant)
{
  const char *select = query ? g_hash_table_lookup (query, "$select") : NULL;
  g_autoptr(GPtrArray) chosen = NULL;
  g_autofree char *context = NULL;
  g_autofree char *entity = NULL;
  JsonNode *node;

  if (select != NULL && (chosen = mr_sandbox_graph_parse_select (msg, select)) == NULL)
    return;
  context = mr_sandbox_graph_context (self, chosen);
  entity = g_strconcat (context, "/$entity", NULL);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, mr_sandbox_graph_user_object (self, grant->user, chosen, entity));
  mr_sandbox_respond_json (msg, SOUP_STATUS_OK, node);
}

void
mr_sandbox_handle_me (MrSandbox         *self,
                      SoupServerMessage *msg,
                      GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);
  const MrSandboxGrant *grant;

  if (method != SOUP_METHOD_GET && !g_str_equal (method, "PATCH"))
    {
      mr_sandbox_graph_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Request_BadRequest",
                              "Specified HTTP method is not allowed for the request target.");
      return;
    }
  if ((grant = mr_sandbox_graph_authenticate (self, msg)) == NULL)
    return;
  if (g_str_equal (method, "PATCH"))
    mr_sandbox_graph_patch_user (self, msg, grant, grant->user);
  else
    get_me (self, msg, query, grant);
}

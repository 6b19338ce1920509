/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The directory side of the sandbox's Graph, what front-desk staff use: GET /v1.0/users with
 * $filter (patient lookup), GET and PATCH /v1.0/users/{id}, and GET /v1.0/applications (the
 * b2c-extensions-app).
 *
 * What is mirrored from Graph about the advanced query parameters (header ConsistencyLevel:
 * eventual plus $count=true), after the samples in the spec and Graph's docs:
 *  - $count=true without ConsistencyLevel: eventual → 400 Request_BadRequest "$count is not
 *    currently supported." (graph-error-400-count-needs-consistencylevel.json);
 *  - $search without ConsistencyLevel: eventual → 400 Request_UnsupportedQuery
 *    (graph-error-400-search-needs-consistencylevel.json); the sandbox has no $search at all;
 *  - endsWith without both → 400 Request_UnsupportedQuery, the sample's words
 *    (graph-error-400-advanced-query-endswith.json); with both, on mail and userPrincipalName;
 *  - eq on a directory extension attribute (extension_<app>_HospitalNumber eq 'HN11112') is a
 *    standard query: Graph's user-list documents directory extensions as "Supports $filter (eq,
 *    ne, and eq on null values)" and no sample shows it refused, so it is answered with or
 *    without the advanced parameters. The app sends them for it anyway, as the spec says, and
 *    Graph accepts a standard filter with them too.
 * startswith and eq compare case-insensitively, as Graph does; properties Graph cannot filter
 * on give its Request_UnsupportedQuery, unknown ones its Request_BadRequest. */
#include "mr-sandbox-handlers.h"

#include <string.h>

#include "mr-sandbox-filter.h"
#include "mr-sandbox-graph-private.h"
#include "mr-sandbox-http.h"
#include "mr-sandbox-private.h"
#include "mr-sandbox-tenant.h"

#define DEFAULT_PAGE_SIZE 100
#define MAX_PAGE_SIZE     999
#define EXTENSIONS_APP_OBJECT_ID "6f1c2a0e-5b7d-4c1e-9a3f-0d2b8e4c7a15"
#define EXTENSIONS_APP_NAME \
  "b2c-extensions-app. Do not modify. Used by AADB2C for storing user data."

typedef struct {
  gboolean eventual;    /* header ConsistencyLevel: eventual */
  gboolean count;       /* $count=true */
  guint    top;
  guint    skip;        /* from our own $skiptoken */
} ListOptions;

static void
bad_request (SoupServerMessage *msg,
             const char        *code,
             const char        *message)
{
  mr_sandbox_graph_error (msg, SOUP_STATUS_BAD_REQUEST, code, message);
}

static const char *
lookup (GHashTable *query,
        const char *name)
{
  return query != NULL ? g_hash_table_lookup (query, name) : NULL;
}

/* $count, $top, $skiptoken, $search and the ConsistencyLevel header; FALSE after answering 400. */
static gboolean
read_list_options (SoupServerMessage *msg,
                   GHashTable        *query,
                   ListOptions       *o)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *level = soup_message_headers_get_one (headers, "ConsistencyLevel");
  const char *count = lookup (query, "$count");
  const char *top = lookup (query, "$top");
  const char *skip = lookup (query, "$skiptoken");

  o->eventual = level != NULL && g_ascii_strcasecmp (level, "eventual") == 0;
  o->count = count != NULL && g_ascii_strcasecmp (count, "true") == 0;
  o->top = DEFAULT_PAGE_SIZE;
  o->skip = 0;
  if (count != NULL && !o->count && g_ascii_strcasecmp (count, "false") != 0)
    bad_request (msg, "Request_BadRequest", "Invalid value for $count: use true or false.");
  else if (o->count && !o->eventual)
    bad_request (msg, "Request_BadRequest", "$count is not currently supported.");
  else if (lookup (query, "$search") != NULL && !o->eventual)
    bad_request (msg, "Request_UnsupportedQuery",
                 "Request with $search query parameter only works through MSGraph with a special "
                 "request header: 'ConsistencyLevel: eventual'");
  else if (lookup (query, "$search") != NULL)
    bad_request (msg, "Request_UnsupportedQuery", "The sandbox does not support $search; use "
                 "$filter.");
  else if (top != NULL && !mr_sandbox_parse_uint (top, 1, MAX_PAGE_SIZE, &o->top))
    {
      g_autofree char *text = g_strdup_printf ("Invalid page size specified: '%s'. Must be "
                                               "between 1 and %d inclusive.", top, MAX_PAGE_SIZE);
      bad_request (msg, "Request_BadRequest", text);
    }
  else if (skip != NULL && !mr_sandbox_parse_uint (skip, 1, G_MAXINT, &o->skip))
    bad_request (msg, "Request_BadRequest", "The $skiptoken is not valid.");
  else
    return TRUE;
  return FALSE;
}

/* Whether Graph would run @term; FALSE after answering 400 as it would. */
static gboolean
check_term (SoupServerMessage  *msg,
            const MrFilterTerm *term,
            const ListOptions  *o)
{
  const MrProperty *property = mr_sandbox_graph_find_property (term->property);
  g_autofree char *text = NULL;

  if (property == NULL)
    {
      text = g_strdup_printf ("Could not find a property named '%s' on type "
                              "'Microsoft.DirectoryServices.User'.", term->property);
      bad_request (msg, "Request_BadRequest", text);
    }
  else if (term->op == MR_FILTER_ENDS_WITH && !(o->eventual && o->count))
    bad_request (msg, "Request_UnsupportedQuery",
                 "Operator 'endsWith' is not supported because the required parameters might be "
                 "missing. Try adding $count=true query parameter and ConsistencyLevel:eventual "
                 "header. Refer to https://aka.ms/graph-docs/advanced-queries for more "
                 "information");
  else if ((property->filters & term->op) == 0)
    {
      text = g_strdup_printf ("Unsupported or invalid query filter clause specified for "
                              "property '%s' of resource 'User'.", property->name);
      bad_request (msg, "Request_UnsupportedQuery", text);
    }
  else
    return TRUE;
  return FALSE;
}

/* The $filter's terms, checked against what Graph allows, or NULL after answering 400. A missing
 * $filter gives an empty array: every user. */
static GPtrArray *
read_user_filter (SoupServerMessage *msg,
                  const char        *text,
                  const ListOptions *o)
{
  g_autoptr(GPtrArray) terms = NULL;
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return g_ptr_array_new ();
  if ((terms = mr_sandbox_filter_parse (text, &error)) == NULL)
    {
      bad_request (msg, error->code == MR_SANDBOX_FILTER_ERROR_SYNTAX
                        ? "BadRequest" : "Request_UnsupportedQuery", error->message);
      return NULL;
    }
  for (guint i = 0; i < terms->len; i++)
    if (!check_term (msg, terms->pdata[i], o))
      return NULL;
  return g_steal_pointer (&terms);
}

static gboolean
user_matches (MrSandbox           *self,
              const MrSandboxUser *user,
              GPtrArray           *terms)
{
  if (terms->len == 0)
    return TRUE;
  for (guint i = 0; i < terms->len; i++)
    {
      MrFilterTerm *term = terms->pdata[i];
      const MrProperty *property = mr_sandbox_graph_find_property (term->property);
      g_autofree char *value = mr_sandbox_graph_dup_value (self, user, property);

      if (mr_sandbox_filter_match (term->op, value, term->value))
        return TRUE;
    }
  return FALSE;
}

/* The same request again from @skip on: every parameter kept but $skiptoken. */
static char *
next_link (MrSandbox  *self,
           GHashTable *query,
           guint       skip)
{
  g_autoptr(GHashTable) next = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *token = g_strdup_printf ("%u", skip);
  g_autofree char *encoded = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (next, key, value);
  g_hash_table_insert (next, "$skiptoken", token);
  encoded = soup_form_encode_hash (next);
  return g_strdup_printf ("%s/v1.0/users?%s", self->base_url, encoded);
}

static void
list_users (MrSandbox         *self,
            SoupServerMessage *msg,
            GHashTable        *query)
{
  const char *select = lookup (query, "$select");
  g_autoptr(GPtrArray) chosen = NULL;
  g_autoptr(GPtrArray) terms = NULL;
  g_autofree char *context = NULL;
  JsonObject *root = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonArray *value = json_array_new ();
  const MrSandboxUser *users;
  guint n_users = 0, matched = 0;
  ListOptions o;

  json_node_take_object (node, root);
  if (!read_list_options (msg, query, &o)
      || (select != NULL && (chosen = mr_sandbox_graph_parse_select (msg, select)) == NULL)
      || (terms = read_user_filter (msg, lookup (query, "$filter"), &o)) == NULL)
    {
      json_node_unref (node);
      json_array_unref (value);
      return;
    }

  users = mr_sandbox_get_users (&n_users);
  for (guint i = 0; i < n_users; i++)
    {
      if (!user_matches (self, &users[i], terms))
        continue;
      if (matched >= o.skip && matched < o.skip + o.top)
        json_array_add_object_element (value,
                                       mr_sandbox_graph_user_object (self, &users[i], chosen,
                                                                     NULL));
      matched++;
    }

  context = mr_sandbox_graph_context (self, chosen);
  json_object_set_string_member (root, "@odata.context", context);
  if (o.count)
    json_object_set_int_member (root, "@odata.count", matched);
  if (matched > o.skip + o.top)
    {
      g_autofree char *link = next_link (self, query, o.skip + o.top);

      json_object_set_string_member (root, "@odata.nextLink", link);
    }
  json_object_set_array_member (root, "value", value);
  mr_sandbox_respond_json (msg, SOUP_STATUS_OK, node);
}

/* ---- /users/{id} ------------------------------------------------------------------------- */

/* By object id or userPrincipalName, as Graph takes either. */
static const MrSandboxUser *
find_user (MrSandbox  *self,
           const char *key)
{
  const MrProperty *upn = mr_sandbox_graph_find_property ("userPrincipalName");
  const MrSandboxUser *users;
  guint n_users = 0;

  users = mr_sandbox_get_users (&n_users);
  for (guint i = 0; i < n_users; i++)
    {
      g_autofree char *name = mr_sandbox_graph_dup_value (self, &users[i], upn);

      if (g_ascii_strcasecmp (users[i].id, key) == 0 || g_ascii_strcasecmp (name, key) == 0)
        return &users[i];
    }
  return NULL;
}

static void
respond_user_not_found (SoupServerMessage *msg,
                        const char        *key)
{
  g_autofree char *text = g_strdup_printf ("Resource '%s' does not exist or one of its queried "
                                           "reference-property objects are not present.", key);

  mr_sandbox_graph_error (msg, SOUP_STATUS_NOT_FOUND, "Request_ResourceNotFound", text);
}

static void
get_user (MrSandbox           *self,
          SoupServerMessage   *msg,
          GHashTable          *query,
          const MrSandboxUser *user)
{
  const char *select = lookup (query, "$select");
  g_autoptr(GPtrArray) chosen = NULL;
  g_autofree char *context = NULL;
  g_autofree char *entity = NULL;
  JsonNode *node;

  if (select != NULL && (chosen = mr_sandbox_graph_parse_select (msg, select)) == NULL)
    return;
  context = mr_sandbox_graph_context (self, chosen);
  entity = g_strconcat (context, "/$entity", NULL);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, mr_sandbox_graph_user_object (self, user, chosen, entity));
  mr_sandbox_respond_json (msg, SOUP_STATUS_OK, node);
}

/* GET or PATCH /users/{key}: one's own profile with the token's usual permission, anyone's with
 * User.Read.All (reading) or User.ReadWrite.All (writing). */
static void
handle_user (MrSandbox            *self,
             SoupServerMessage    *msg,
             GHashTable           *query,
             const MrSandboxGrant *grant,
             const char           *escaped_key)
{
  g_autofree char *key = g_uri_unescape_string (escaped_key, NULL);
  const MrSandboxUser *user = key != NULL ? find_user (self, key) : NULL;
  gboolean patch = g_str_equal (soup_server_message_get_method (msg), "PATCH");

  if (user != grant->user
      && !mr_sandbox_user_may (grant->user, patch ? "User.ReadWrite.All" : "User.Read.All"))
    mr_sandbox_graph_deny (msg);
  else if (user == NULL)
    respond_user_not_found (msg, key != NULL ? key : escaped_key);
  else if (patch)
    mr_sandbox_graph_patch_user (self, msg, grant, user);
  else
    get_user (self, msg, query, user);
}

/* ---- /applications ----------------------------------------------------------------------- */

static const char * const app_properties[] = { "id", "appId", "displayName", NULL };
static const char * const app_values[] = {
  EXTENSIONS_APP_OBJECT_ID, MR_SANDBOX_EXTENSIONS_APP_ID, EXTENSIONS_APP_NAME,
};

static int
app_property (const char *name)
{
  for (int i = 0; app_properties[i] != NULL; i++)
    if (g_ascii_strcasecmp (app_properties[i], name) == 0)
      return i;
  return -1;
}

static void
respond_no_app_property (SoupServerMessage *msg,
                         const char        *name)
{
  g_autofree char *text = g_strdup_printf ("Could not find a property named '%s' on type "
                                           "'Microsoft.DirectoryServices.Application'.", name);

  bad_request (msg, "Request_BadRequest", text);
}

/* Whether the tenant's one application matches $filter; -1 after answering 400. */
static int
app_matches (SoupServerMessage *msg,
             const char        *filter)
{
  g_autoptr(GPtrArray) terms = NULL;
  g_autoptr(GError) error = NULL;
  gboolean matches = FALSE;

  if (filter == NULL)
    return TRUE;
  if ((terms = mr_sandbox_filter_parse (filter, &error)) == NULL)
    {
      bad_request (msg, error->code == MR_SANDBOX_FILTER_ERROR_SYNTAX
                        ? "BadRequest" : "Request_UnsupportedQuery", error->message);
      return -1;
    }
  for (guint i = 0; i < terms->len; i++)
    {
      MrFilterTerm *term = terms->pdata[i];
      int property = app_property (term->property);

      if (property < 0)
        {
          respond_no_app_property (msg, term->property);
          return -1;
        }
      if (term->op == MR_FILTER_ENDS_WITH)
        {
          bad_request (msg, "Request_UnsupportedQuery", "Operator 'endsWith' is not supported "
                       "by the sandbox for applications.");
          return -1;
        }
      matches |= mr_sandbox_filter_match (term->op, app_values[property], term->value);
    }
  return matches;
}

/* The selected properties' indexes, all when @select is NULL; NULL after answering 400. */
static GArray *
app_select (SoupServerMessage *msg,
            const char        *select)
{
  g_autoptr(GArray) chosen = g_array_new (FALSE, FALSE, sizeof (int));
  g_auto(GStrv) names = g_strsplit (select != NULL ? select : "id,appId,displayName", ",", -1);

  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);
      int property;

      if (*name == '\0')
        continue;
      if ((property = app_property (name)) < 0)
        {
          respond_no_app_property (msg, name);
          return NULL;
        }
      g_array_append_val (chosen, property);
    }
  return g_steal_pointer (&chosen);
}

static void
list_applications (MrSandbox         *self,
                   SoupServerMessage *msg,
                   GHashTable        *query)
{
  g_autoptr(GArray) chosen = NULL;
  g_autoptr(GString) context = g_string_new (self->base_url);
  JsonObject *root, *app;
  JsonArray *value;
  JsonNode *node;
  int matches;

  if ((chosen = app_select (msg, lookup (query, "$select"))) == NULL
      || (matches = app_matches (msg, lookup (query, "$filter"))) < 0)
    return;

  g_string_append (context, "/v1.0/$metadata#applications");
  if (lookup (query, "$select") != NULL)
    g_string_append_printf (context, "(%s)", lookup (query, "$select"));
  value = json_array_new ();
  if (matches)
    {
      app = json_object_new ();
      for (guint i = 0; i < chosen->len; i++)
        json_object_set_string_member (app, app_properties[g_array_index (chosen, int, i)],
                                       app_values[g_array_index (chosen, int, i)]);
      json_array_add_object_element (value, app);
    }
  root = json_object_new ();
  json_object_set_string_member (root, "@odata.context", context->str);
  json_object_set_array_member (root, "value", value);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, root);
  mr_sandbox_respond_json (msg, SOUP_STATUS_OK, node);
}

/* ---- routing ----------------------------------------------------------------------------- */

static gboolean
method_allowed (SoupServerMessage *msg,
                gboolean           patch_too)
{
  const char *method = soup_server_message_get_method (msg);

  if (method == SOUP_METHOD_GET || (patch_too && g_str_equal (method, "PATCH")))
    return TRUE;
  mr_sandbox_graph_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Request_BadRequest",
                          "Specified HTTP method is not allowed for the request target.");
  return FALSE;
}

/* /v1.0/users, /v1.0/users/{id} and /v1.0/applications; FALSE for any other path. */
gboolean
mr_sandbox_handle_graph (MrSandbox         *self,
                         SoupServerMessage *msg,
                         const char        *path,
                         GHashTable        *query)
{
  const char *key = g_str_has_prefix (path, "/v1.0/users/") ? path + strlen ("/v1.0/users/")
                                                            : NULL;
  const MrSandboxGrant *grant;

  if (!g_str_equal (path, "/v1.0/users") && !g_str_equal (path, "/v1.0/applications")
      && (key == NULL || *key == '\0' || strchr (key, '/') != NULL))
    return FALSE;
  if (!method_allowed (msg, key != NULL)
      || (grant = mr_sandbox_graph_authenticate (self, msg)) == NULL)
    return TRUE;

  if (key != NULL)
    handle_user (self, msg, query, grant, key);
  else if (g_str_equal (path, "/v1.0/applications")
           && !mr_sandbox_user_may (grant->user, "Application.Read.All"))
    mr_sandbox_graph_deny (msg);
  else if (g_str_equal (path, "/v1.0/applications"))
    list_applications (self, msg, query);
  else if (!mr_sandbox_user_may (grant->user, "User.Read.All"))
    mr_sandbox_graph_deny (msg);
  else
    list_users (self, msg, query);
  return TRUE;
}

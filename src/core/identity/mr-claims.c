/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the verified ID token's claims say about who signed in. */
#include "mr-claims.h"

#include <string.h>

#include "mr-util.h"

static char *
dup_clean_claim (JsonObject *claims,
                 const char *name)
{
  g_autofree char *value = mr_text_clean (mr_json_get_string (claims, name));

  return value != NULL && *value != '\0' ? g_steal_pointer (&value) : NULL;
}

gboolean
mr_claims_dup_submitter (JsonObject  *claims,
                         char       **id,
                         char       **name)
{
  g_autofree char *oid = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (id != NULL && name != NULL, FALSE);

  if (claims == NULL || (oid = dup_clean_claim (claims, "oid")) == NULL)
    return FALSE;
  display = dup_clean_claim (claims, "name");
  if (display == NULL)
    {
      g_autofree char *given = dup_clean_claim (claims, "given_name");
      g_autofree char *family = dup_clean_claim (claims, "family_name");

      if (given != NULL || family != NULL)
        display = g_strjoin (" ", given != NULL ? given : family,
                             given != NULL ? family : NULL, NULL);
    }
  if (display == NULL)
    display = dup_clean_claim (claims, "preferred_username");
  *id = g_steal_pointer (&oid);
  *name = g_steal_pointer (&display);
  return TRUE;
}

/* A sign-in name is one word (an email address, a UPN, a user name): anything longer or with
 * spaces is not one, and is not worth offering to the provider's page. */
#define LOGIN_NAME_MAX 256

char *
mr_claims_dup_login_name (JsonObject *claims)
{
  static const char * const names[] = { "preferred_username", "email" };

  for (guint i = 0; claims != NULL && i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *value = dup_clean_claim (claims, names[i]);

      if (value == NULL)
        continue;
      if (g_utf8_strlen (value, -1) > LOGIN_NAME_MAX || strchr (value, ' ') != NULL)
        return NULL;
      return g_steal_pointer (&value);
    }
  return NULL;
}

gboolean
mr_claims_has_role (JsonObject *claims,
                    const char *role)
{
  JsonNode *node;
  JsonArray *roles;
  gboolean found = FALSE;

  if (claims == NULL || role == NULL || *role == '\0')
    return FALSE;
  node = json_object_get_member (claims, "roles");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  roles = json_node_get_array (node);
  /* One element of another type and the claim is not what Entra issues: trust none of it. */
  for (guint i = 0; i < json_array_get_length (roles); i++)
    {
      JsonNode *element = json_array_get_element (roles, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return FALSE;
      if (g_strcmp0 (json_node_get_string (element), role) == 0)
        found = TRUE;
    }
  return found;
}

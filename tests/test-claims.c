/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Who signed in, from the verified ID token's claims: the request's submitted_by. */
#include "mr-identity.h"

#include <string.h>

#include "mr-base.h"
#include "mr-test-server.h"

static JsonObject *
claims_from (const char *json)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;
  JsonObject *claims = mr_json_parse_object (bytes, MR_OIDC_ERROR, 0, "test", &error);

  g_assert_no_error (error);
  return claims;
}

static void
test_submitter (void)
{
  const struct {
    const char *claims;
    gboolean    ok;
    const char *id;
    const char *name;
  } cases[] = {
    { "{\"oid\":\"b6d0f3e2-4c1a-4e8b-9f27-5a3c8d1e0f44\",\"name\":\" Sam\\u0007 Staff \","
      "\"given_name\":\"X\"}", TRUE, "b6d0f3e2-4c1a-4e8b-9f27-5a3c8d1e0f44", "Sam Staff" },
    { "{\"oid\":\"o-1\",\"given_name\":\"Sam\",\"family_name\":\"Staff\"}", TRUE, "o-1",
      "Sam Staff" },
    { "{\"oid\":\"o-1\",\"family_name\":\"Staff\",\"name\":\"\"}", TRUE, "o-1", "Staff" },
    { "{\"oid\":\"o-1\",\"preferred_username\":\"staff@example.org\"}", TRUE, "o-1",
      "staff@example.org" },
    { "{\"oid\":\"o-1\"}", TRUE, "o-1", NULL },
    { "{\"sub\":\"pairwise\",\"name\":\"Sam Staff\"}", FALSE, NULL, NULL },
    { "{\"oid\":\" \",\"name\":\"Sam Staff\"}", FALSE, NULL, NULL },
    { "{\"oid\":42,\"name\":\"Sam Staff\"}", FALSE, NULL, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) claims = claims_from (cases[i].claims);
      g_autofree char *id = NULL;
      g_autofree char *name = NULL;

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpint (mr_claims_dup_submitter (claims, &id, &name), ==, cases[i].ok);
      g_assert_cmpstr (id, ==, cases[i].id);
      g_assert_cmpstr (name, ==, cases[i].name);
    }
}

/* The sign-in name the next sign-in is offered as login_hint: preferred_username, else email;
 * never a name with spaces or of a paragraph's length, never the display name. */
static void
test_login_name (void)
{
  g_autofree char *long_name = g_strnfill (257, 'a');
  g_autofree char *long_json = g_strdup_printf ("{\"preferred_username\":\"%s\"}", long_name);
  const struct {
    const char *claims;
    const char *login;
  } cases[] = {
    { "{\"preferred_username\":\"staff@example.org\",\"email\":\"x@example.org\"}",
      "staff@example.org" },
    { "{\"email\":\" robin.reyes@example.org\"}", "robin.reyes@example.org" },
    { "{\"name\":\"Sam Staff\"}", NULL },
    { "{\"preferred_username\":\"Sam Staff\"}", NULL },
    { "{\"preferred_username\":42,\"email\":\"s@example.org\"}", "s@example.org" },
    { long_json, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) claims = claims_from (cases[i].claims);
      g_autofree char *login = mr_claims_dup_login_name (claims);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpstr (login, ==, cases[i].login);
    }
  g_assert_null (mr_claims_dup_login_name (NULL));
}

/* The staff role: only a "roles" array of strings that holds it, exactly, proves it. */
static void
test_has_role (void)
{
  static const struct {
    const char *claims;
    const char *role;
    gboolean    held;
  } cases[] = {
    { "{\"roles\":[\"FrontDesk\"]}", "FrontDesk", TRUE },
    { "{\"roles\":[\"Pharmacist\",\"FrontDesk\"]}", "FrontDesk", TRUE },
    { "{\"roles\":[\"Pharmacist\"]}", "FrontDesk", FALSE },
    { "{\"roles\":[]}", "FrontDesk", FALSE },
    { "{\"oid\":\"o-1\"}", "FrontDesk", FALSE },
    { "{\"roles\":[\"frontdesk\"]}", "FrontDesk", FALSE },
    { "{\"roles\":[\"FrontDesk \"]}", "FrontDesk", FALSE },
    /* Not an array of strings: no role at all, even with the right string in it. */
    { "{\"roles\":\"FrontDesk\"}", "FrontDesk", FALSE },
    { "{\"roles\":[\"FrontDesk\",42]}", "FrontDesk", FALSE },
    { "{\"roles\":[[\"FrontDesk\"]]}", "FrontDesk", FALSE },
    { "{\"roles\":[null,\"FrontDesk\"]}", "FrontDesk", FALSE },
    { "{\"roles\":{\"FrontDesk\":true}}", "FrontDesk", FALSE },
    { "{\"roles\":null}", "FrontDesk", FALSE },
    /* An unset role is nobody's, not everybody's. */
    { "{\"roles\":[\"\"]}", "", FALSE },
    { "{\"roles\":[\"FrontDesk\"]}", NULL, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) claims = claims_from (cases[i].claims);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpint (mr_claims_has_role (claims, cases[i].role), ==, cases[i].held);
    }
  g_assert_false (mr_claims_has_role (NULL, "FrontDesk"));
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/claims/submitter", test_submitter);
  g_test_add_func ("/claims/has-role", test_has_role);
  g_test_add_func ("/claims/login-name", test_login_name);

  return g_test_run ();
}

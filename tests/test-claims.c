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

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/claims/submitter", test_submitter);

  return g_test_run ();
}

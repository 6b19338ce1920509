/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-base.h"

#include <string.h>
#include <unistd.h>

#include "mr-test-server.h"

/* These tests talk to a real Secret Service (scripts/run-tests starts gnome-keyring in a private
 * session bus). Without one they skip, unless MEDREFILL_REQUIRE_KEYRING=1 says one must be
 * there. */

typedef struct {
  gboolean  done;
  gboolean  ok;
  char     *secret;
  GError   *error;
} Result;

static void
result_clear (Result *r)
{
  mr_secret_free (g_steal_pointer (&r->secret));
  g_clear_error (&r->error);
  r->done = FALSE;
  r->ok = FALSE;
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Result *r = user_data;

  r->ok = mr_secret_store_finish (result, &r->error);
  r->done = TRUE;
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Result *r = user_data;

  r->secret = mr_secret_lookup_finish (result, &r->error);
  r->done = TRUE;
}

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Result *r = user_data;

  r->ok = mr_secret_clear_finish (result, &r->error);
  r->done = TRUE;
}

static void
store (MrSecretKind  kind,
       const char   *account,
       const char   *secret,
       Result       *r)
{
  result_clear (r);
  mr_secret_store_async (kind, account, "Medication Refill test secret", secret, NULL, store_cb, r);
  g_assert_false (r->done);
  g_assert_true (mr_test_wait_for (&r->done, 20000));
}

static void
lookup (MrSecretKind  kind,
        const char   *account,
        Result       *r)
{
  result_clear (r);
  mr_secret_lookup_async (kind, account, NULL, lookup_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 20000));
}

static void
clear (MrSecretKind  kind,
       const char   *account,
       Result       *r)
{
  result_clear (r);
  mr_secret_clear_async (kind, account, NULL, clear_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 20000));
}

static void
store_bound (MrSecretKind        kind,
             const char         *account,
             const char * const *binding,
             const char         *secret,
             Result             *r)
{
  result_clear (r);
  mr_secret_store_bound_async (kind, account, binding, "Medication Refill test secret", secret,
                               NULL, store_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 20000));
}

static void
store_for (MrSecretKind  kind,
           const char   *account,
           const char   *origin,
           const char   *secret,
           Result       *r)
{
  result_clear (r);
  mr_secret_store_for_origin_async (kind, account, origin, "Medication Refill test secret", secret,
                                    NULL, store_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 20000));
}

static void
lookup_bound (MrSecretKind        kind,
              const char         *account,
              const char * const *binding,
              Result             *r)
{
  result_clear (r);
  mr_secret_lookup_bound_async (kind, account, binding, NULL, lookup_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 20000));
}

static void
clear_kind (MrSecretKind  kind,
            Result       *r)
{
  result_clear (r);
  mr_secret_clear_kind_async (kind, NULL, clear_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 20000));
}

static void
lookup_for (MrSecretKind  kind,
            const char   *account,
            const char   *origin,
            Result       *r)
{
  result_clear (r);
  mr_secret_lookup_for_origin_async (kind, account, origin, NULL, lookup_cb, r);
  g_assert_true (mr_test_wait_for (&r->done, 20000));
}

/* TRUE when a Secret Service answers; otherwise skips the test, or fails it when required. */
static gboolean
have_keyring (void)
{
  Result r = { 0 };
  gboolean available;

  lookup (MR_SECRET_REFRESH_TOKEN, "medrefill-test-probe", &r);
  available = r.error == NULL;
  if (!available)
    {
      g_assert_error (r.error, MR_SECRETS_ERROR, MR_SECRETS_ERROR_UNAVAILABLE);
      if (g_strcmp0 (g_getenv ("MEDREFILL_REQUIRE_KEYRING"), "1") == 0)
        {
          g_test_message ("MEDREFILL_REQUIRE_KEYRING=1 but no Secret Service answered: %s",
                          r.error->message);
          g_test_fail ();
        }
      else
        g_test_skip ("No Secret Service (run under scripts/run-tests, or set up gnome-keyring)");
    }
  result_clear (&r);
  return available;
}

/* An account no real user has, so that a test run in a desktop session touches nothing else. */
static char *
test_account (const char *what)
{
  return g_strdup_printf ("medrefill-test-%s-%u-%08x", what, (guint) getpid (),
                          g_random_int ());
}

static void
test_round_trip (void)
{
  static const MrSecretKind kinds[] = {
    MR_SECRET_REFRESH_TOKEN, MR_SECRET_OUTBOX_KEY, MR_SECRET_WORKFLOW_AUTH,
  };
  Result r = { 0 };

  if (!have_keyring ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *account = test_account ("round-trip");
      g_autofree char *value = g_strdup_printf ("s3cret-%u-Zoë-Ødegård", i);

      lookup (kinds[i], account, &r);
      g_assert_no_error (r.error);
      g_assert_null (r.secret);

      store (kinds[i], account, value, &r);
      g_assert_no_error (r.error);
      g_assert_true (r.ok);
      lookup (kinds[i], account, &r);
      g_assert_no_error (r.error);
      g_assert_cmpstr (r.secret, ==, value);

      /* Storing again replaces, it does not add a second item. */
      store (kinds[i], account, "replaced", &r);
      g_assert_true (r.ok);
      lookup (kinds[i], account, &r);
      g_assert_cmpstr (r.secret, ==, "replaced");

      clear (kinds[i], account, &r);
      g_assert_no_error (r.error);
      g_assert_true (r.ok);
      lookup (kinds[i], account, &r);
      g_assert_no_error (r.error);
      g_assert_null (r.secret);
    }
  result_clear (&r);
}

/* The kind and the account together name a secret: neither alone finds another's. */
static void
test_separate (void)
{
  g_autofree char *a = test_account ("a");
  g_autofree char *b = test_account ("b");
  Result r = { 0 };

  if (!have_keyring ())
    return;

  store (MR_SECRET_WORKFLOW_AUTH, a, "value-a", &r);
  g_assert_true (r.ok);
  store (MR_SECRET_WORKFLOW_AUTH, b, "value-b", &r);
  g_assert_true (r.ok);
  store (MR_SECRET_REFRESH_TOKEN, a, "token-a", &r);
  g_assert_true (r.ok);

  lookup (MR_SECRET_WORKFLOW_AUTH, a, &r);
  g_assert_cmpstr (r.secret, ==, "value-a");
  lookup (MR_SECRET_WORKFLOW_AUTH, b, &r);
  g_assert_cmpstr (r.secret, ==, "value-b");
  lookup (MR_SECRET_REFRESH_TOKEN, a, &r);
  g_assert_cmpstr (r.secret, ==, "token-a");
  lookup (MR_SECRET_OUTBOX_KEY, a, &r);
  g_assert_null (r.secret);

  clear (MR_SECRET_WORKFLOW_AUTH, a, &r);
  lookup (MR_SECRET_WORKFLOW_AUTH, b, &r);
  g_assert_cmpstr (r.secret, ==, "value-b");
  lookup (MR_SECRET_REFRESH_TOKEN, a, &r);
  g_assert_cmpstr (r.secret, ==, "token-a");

  clear (MR_SECRET_WORKFLOW_AUTH, b, &r);
  clear (MR_SECRET_REFRESH_TOKEN, a, &r);
  lookup (MR_SECRET_REFRESH_TOKEN, a, &r);
  g_assert_null (r.secret);
  result_clear (&r);
}

/* A secret bound to one origin is found only for that origin: not for another (the workflow URL
 * changed), and an item saved without an origin (before secrets were bound) is not found for any.
 * Clearing removes every origin's item. */
static void
test_origin (void)
{
  g_autofree char *account = test_account ("origin");
  g_autofree char *legacy = test_account ("legacy");
  const char *a = "http://127.0.0.1:40001", *b = "http://127.0.0.1:40002";
  Result r = { 0 };

  if (!have_keyring ())
    return;

  store_for (MR_SECRET_WORKFLOW_AUTH, account, a, "value-a", &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  lookup_for (MR_SECRET_WORKFLOW_AUTH, account, a, &r);
  g_assert_cmpstr (r.secret, ==, "value-a");
  lookup_for (MR_SECRET_WORKFLOW_AUTH, account, b, &r);
  g_assert_no_error (r.error);
  g_assert_null (r.secret);
  /* Without an origin: whether there is one at all. */
  lookup (MR_SECRET_WORKFLOW_AUTH, account, &r);
  g_assert_cmpstr (r.secret, ==, "value-a");

  /* A second origin's value does not replace the first's. */
  store_for (MR_SECRET_WORKFLOW_AUTH, account, b, "value-b", &r);
  lookup_for (MR_SECRET_WORKFLOW_AUTH, account, b, &r);
  g_assert_cmpstr (r.secret, ==, "value-b");
  lookup_for (MR_SECRET_WORKFLOW_AUTH, account, a, &r);
  g_assert_cmpstr (r.secret, ==, "value-a");

  store (MR_SECRET_WORKFLOW_AUTH, legacy, "unbound", &r);
  lookup_for (MR_SECRET_WORKFLOW_AUTH, legacy, a, &r);
  g_assert_no_error (r.error);
  g_assert_null (r.secret);

  clear (MR_SECRET_WORKFLOW_AUTH, account, &r);
  lookup_for (MR_SECRET_WORKFLOW_AUTH, account, a, &r);
  g_assert_null (r.secret);
  lookup_for (MR_SECRET_WORKFLOW_AUTH, account, b, &r);
  g_assert_null (r.secret);
  clear (MR_SECRET_WORKFLOW_AUTH, legacy, &r);
  result_clear (&r);
}

/* The sandbox's namespace and the app's own never see each other's secrets: same kind, same
 * account, two values; a clear in one leaves the other. */
static void
test_namespace (void)
{
  g_autofree char *account = test_account ("namespace");
  Result r = { 0 };

  if (!have_keyring ())
    return;

  store (MR_SECRET_WORKFLOW_AUTH, account, "production", &r);
  g_assert_true (r.ok);
  mr_secrets_set_namespace ("sandbox");
  lookup (MR_SECRET_WORKFLOW_AUTH, account, &r);
  g_assert_no_error (r.error);
  g_assert_null (r.secret);
  store (MR_SECRET_WORKFLOW_AUTH, account, "demo", &r);
  g_assert_true (r.ok);
  lookup (MR_SECRET_WORKFLOW_AUTH, account, &r);
  g_assert_cmpstr (r.secret, ==, "demo");
  clear (MR_SECRET_WORKFLOW_AUTH, account, &r);
  g_assert_true (r.ok);

  mr_secrets_set_namespace (NULL);
  lookup (MR_SECRET_WORKFLOW_AUTH, account, &r);
  g_assert_cmpstr (r.secret, ==, "production");
  clear (MR_SECRET_WORKFLOW_AUTH, account, &r);
  result_clear (&r);
}

/* A bound item is found only with its own authority, client id and tenant: an administrator who
 * points the app at another provider (or another registration, or tenant) must never have the old
 * refresh token sent there. */
static void
test_bound (void)
{
  g_autofree char *account = test_account ("bound");
  const char * const here[] = { "authority", "https://a.example/t", "client-id", "c1",
                                "tenant", "t1", NULL };
  const char * const others[][7] = {
    { "authority", "https://b.example/t", "client-id", "c1", "tenant", "t1", NULL },
    { "authority", "https://a.example/t", "client-id", "c2", "tenant", "t1", NULL },
    { "authority", "https://a.example/t", "client-id", "c1", "tenant", "t2", NULL },
    { "authority", "https://a.example/t", "client-id", "c1", "tenant", "", NULL },
  };
  Result r = { 0 };

  if (!have_keyring ())
    return;

  store_bound (MR_SECRET_REFRESH_TOKEN, account, here, "bound-token", &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  lookup_bound (MR_SECRET_REFRESH_TOKEN, account, here, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.secret, ==, "bound-token");
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      lookup_bound (MR_SECRET_REFRESH_TOKEN, account, others[i], &r);
      g_assert_no_error (r.error);
      g_assert_null (r.secret);
    }
  clear (MR_SECRET_REFRESH_TOKEN, account, &r);
  lookup_bound (MR_SECRET_REFRESH_TOKEN, account, here, &r);
  g_assert_null (r.secret);
  result_clear (&r);
}

/* Every item of a kind goes, whatever its account or binding, and only in this namespace: the
 * other kinds and the sandbox's items stay. */
static void
test_clear_kind (void)
{
  g_autofree char *a = test_account ("kind-a");
  g_autofree char *b = test_account ("kind-b");
  const char * const binding[] = { "authority", "https://a.example/t", "client-id", "c1",
                                   "tenant", "t1", NULL };
  Result r = { 0 };

  if (!have_keyring ())
    return;
  /* It clears every refresh token of the app's own namespace: never in a person's keyring. */
  if (g_strcmp0 (g_getenv ("MEDREFILL_REQUIRE_KEYRING"), "1") != 0)
    {
      g_test_skip ("clears the keyring's refresh tokens: only in scripts/run-tests' private one");
      return;
    }

  store (MR_SECRET_REFRESH_TOKEN, a, "legacy", &r);
  store_bound (MR_SECRET_REFRESH_TOKEN, b, binding, "bound", &r);
  store (MR_SECRET_WORKFLOW_AUTH, a, "other-kind", &r);
  mr_secrets_set_namespace ("sandbox");
  store (MR_SECRET_REFRESH_TOKEN, a, "demo", &r);
  mr_secrets_set_namespace (NULL);

  clear_kind (MR_SECRET_REFRESH_TOKEN, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  lookup (MR_SECRET_REFRESH_TOKEN, a, &r);
  g_assert_null (r.secret);
  lookup_bound (MR_SECRET_REFRESH_TOKEN, b, binding, &r);
  g_assert_null (r.secret);
  lookup (MR_SECRET_WORKFLOW_AUTH, a, &r);
  g_assert_cmpstr (r.secret, ==, "other-kind");
  mr_secrets_set_namespace ("sandbox");
  lookup (MR_SECRET_REFRESH_TOKEN, a, &r);
  g_assert_cmpstr (r.secret, ==, "demo");
  clear_kind (MR_SECRET_REFRESH_TOKEN, &r);
  lookup (MR_SECRET_REFRESH_TOKEN, a, &r);
  g_assert_null (r.secret);
  mr_secrets_set_namespace (NULL);
  clear (MR_SECRET_WORKFLOW_AUTH, a, &r);
  result_clear (&r);
}

/* Removing what is not there is not an error. */
static void
test_clear_missing (void)
{
  g_autofree char *account = test_account ("missing");
  Result r = { 0 };

  if (!have_keyring ())
    return;

  clear (MR_SECRET_REFRESH_TOKEN, account, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  result_clear (&r);
}

/* With no Secret Service at all, every call finishes with UNAVAILABLE and a sentence a person can
 * act on; nothing of libsecret's D-Bus vocabulary shows through. */
static void
test_unavailable (void)
{
  Result r = { 0 };

  if (!g_test_subprocess ())
    {
      /* Another process, so that libsecret's cached connection of the other tests plays no part. */
      g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, 0);
      g_test_trap_assert_passed ();
      return;
    }
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/medrefill-test-bus", TRUE);

  lookup (MR_SECRET_REFRESH_TOKEN, "x", &r);
  g_assert_error (r.error, MR_SECRETS_ERROR, MR_SECRETS_ERROR_UNAVAILABLE);
  g_assert_true (g_str_has_prefix (r.error->message, "This computer's keyring is not available."));
  g_assert_null (strstr (r.error->message, "org.freedesktop"));
  g_assert_null (strstr (r.error->message, "DBus"));
  store (MR_SECRET_OUTBOX_KEY, "x", "value", &r);
  g_assert_error (r.error, MR_SECRETS_ERROR, MR_SECRETS_ERROR_UNAVAILABLE);
  g_assert_false (r.ok);
  clear (MR_SECRET_OUTBOX_KEY, "x", &r);
  g_assert_error (r.error, MR_SECRETS_ERROR, MR_SECRETS_ERROR_UNAVAILABLE);
  result_clear (&r);
}

static void
test_free (void)
{
  char *secret = g_strdup ("wipe me");

  mr_secret_free (NULL);
  mr_secret_free (secret);
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/secrets/round-trip", test_round_trip);
  g_test_add_func ("/secrets/separate", test_separate);
  g_test_add_func ("/secrets/namespace", test_namespace);
  g_test_add_func ("/secrets/bound", test_bound);
  g_test_add_func ("/secrets/clear-kind", test_clear_kind);
  g_test_add_func ("/secrets/origin", test_origin);
  g_test_add_func ("/secrets/clear-missing", test_clear_missing);
  g_test_add_func ("/secrets/unavailable", test_unavailable);
  g_test_add_func ("/secrets/free", test_free);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr-secure: the process keeps its memory to itself, and secrets are zeroed before they are freed. */
#include "mr-base.h"
#include "mr-identity.h"

#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "mr-secure-private.h"
#include "mr-test-server.h"

static void
test_harden (void)
{
  struct rlimit limit;

  /* Start from a process that could dump (as an ordinary login session may allow), so that the
   * test sees mr_process_harden() change both. */
  g_assert_cmpint (getrlimit (RLIMIT_CORE, &limit), ==, 0);
  limit.rlim_cur = limit.rlim_max;
  g_assert_cmpint (setrlimit (RLIMIT_CORE, &limit), ==, 0);
  g_assert_cmpint (prctl (PR_SET_DUMPABLE, 1, 0, 0, 0), ==, 0);
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 1);

  mr_process_harden ();

  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);
  g_assert_cmpint (getrlimit (RLIMIT_CORE, &limit), ==, 0);
  g_assert_cmpuint (limit.rlim_cur, ==, 0);
  /* The hard limit too: a library cannot raise the soft one back. */
  g_assert_cmpuint (limit.rlim_max, ==, 0);
}

static gboolean
all_zero (const char *buf,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (buf[i] != '\0')
      return FALSE;
  return TRUE;
}

static void
test_wipe (void)
{
  char *token = g_strdup ("eyJhbGciOiJSUzI1NiJ9.secret.signature");
  gsize len = strlen (token);

  mr_str_wipe (token);
  g_assert_true (all_zero (token, len));
  mr_str_wipe (NULL);
  g_free (token);
}

static gsize  seen_len;
static gboolean seen_zero;
static guint  n_freed;

/* Stands in for g_free: looks at the buffer the moment before it goes back to the heap. */
static void
inspecting_free (gpointer data)
{
  seen_zero = all_zero (data, seen_len);
  n_freed++;
  g_free (data);
}

static void
test_secure_free (void)
{
  const char *secret = "code_verifier=abcdefghijklmnopqrstuvwxyz0123456789-_ABCDEFG";

  seen_len = strlen (secret);
  seen_zero = FALSE;
  n_freed = 0;
  _mr_secure_set_free_func (inspecting_free);
  mr_secure_free_string (g_strdup (secret));
  mr_secure_free_string (NULL);
  _mr_secure_set_free_func (NULL);

  g_assert_cmpuint (n_freed, ==, 1);
  g_assert_true (seen_zero);
}

static guint n_wiped, n_unwiped;

/* Counts what reaches the free function zeroed (a wiped string starts with its NUL). */
static void
counting_free (gpointer data)
{
  if (((char *) data)[0] == '\0')
    n_wiped++;
  else
    n_unwiped++;
  g_free (data);
}

/* The token set's tokens and the sign-in's state, nonce and PKCE verifier go through the wipe. */
static void
test_identity_wipes (void)
{
  MrTokenSet *tokens = g_new0 (MrTokenSet, 1);

  tokens->access_token = g_strdup ("access.token.sig");
  tokens->id_token = g_strdup ("id.token.sig");
  tokens->refresh_token = g_strdup ("refresh-token");
  n_wiped = n_unwiped = 0;
  _mr_secure_set_free_func (counting_free);
  mr_token_set_free (tokens);
  g_assert_cmpuint (n_wiped, ==, 3);
  g_assert_cmpuint (n_unwiped, ==, 0);

  n_wiped = 0;
  mr_auth_request_free (mr_auth_request_new ());
  g_assert_cmpuint (n_wiped, ==, 3);
  g_assert_cmpuint (n_unwiped, ==, 0);
  _mr_secure_set_free_func (NULL);
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init (&argc, &argv);
  g_test_add_func ("/secure/process/harden", test_harden);
  g_test_add_func ("/secure/string/wipe", test_wipe);
  g_test_add_func ("/secure/string/free-wipes-first", test_secure_free);
  g_test_add_func ("/secure/identity/tokens-wiped", test_identity_wipes);
  return g_test_run ();
}

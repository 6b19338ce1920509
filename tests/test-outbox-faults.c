/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outbox against the sandbox's workflow sink misbehaving: each fault alone, a crash in the
 * middle of a send, and a thousand requests through random faults. Backoff runs on a virtual
 * clock, so hours of retries take milliseconds. */
#include "mr-delivery.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "mr-sandbox.h"
#include "mr-base.h"
#include "mr-test-server.h"

static const guint8 test_key[MR_OUTBOX_KEY_SIZE] = {
  0x4d, 0x52, 0x2d, 0x66, 0x61, 0x75, 0x6c, 0x74, 0x73, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x2d, 0x6b,
  0x65, 0x79, 0x2d, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63,
};

static gint64 virtual_now;

static gint64
virtual_clock (gpointer data)
{
  return virtual_now;
}

typedef struct {
  MrSandbox   *sandbox;
  char        *url;
  char        *dir;
  SoupSession *session;
  MrOutbox    *outbox;
} Fixture;

static JsonNode *
payload_new (const char *request_id)
{
  g_autofree char *json = g_strdup_printf ("{\"schema\":\"refill-v2\",\"requestId\":\"%s\","
                                           "\"patient\":{\"hospitalNumber\":\"HN11112\"}}",
                                           request_id);

  return json_from_string (json, NULL);
}

static char *
request_id_new (guint n)
{
  return g_strdup_printf ("%08x-0000-4000-8000-%012x", g_random_int (), n);
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_outbox_open_finish (MR_OUTBOX (source), result, &error));
  *(gboolean *) user_data = TRUE;
}

static void
open_outbox (MrOutbox *outbox)
{
  gboolean opened = FALSE;

  mr_outbox_open_async (outbox, NULL, open_cb, &opened);
  g_assert_true (mr_test_wait_for (&opened, 20000));
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Spins until the outbox has nothing in flight and nothing being written. */
static void
wait_idle (MrOutbox *outbox)
{
  /* Bounded, but generous: under ASan on a busy two-core machine a round of sends takes seconds. */
  gint64 end = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  guint id = g_timeout_add (5, tick_cb, NULL);

  while (mr_outbox_get_busy_count (outbox) > 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_assert_cmpuint (mr_outbox_get_busy_count (outbox), ==, 0);
}

/* Moves the virtual clock from one due attempt to the next until nothing is pending or
 * @max_rounds have passed. Returns the rounds taken. */
static guint
drive (MrOutbox *outbox,
       guint     max_rounds)
{
  guint round;

  for (round = 0; round < max_rounds; round++)
    {
      gint64 due;

      wait_idle (outbox);
      due = mr_outbox_get_next_due (outbox);
      if (mr_outbox_get_pending_count (outbox) == 0 || due == G_MAXINT64)
        break;
      virtual_now = MAX (virtual_now, due);
      mr_outbox_wake (outbox);
    }
  wait_idle (outbox);
  return round;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  virtual_now = (gint64) 1767225600 * G_USEC_PER_SEC;
  fx->sandbox = mr_sandbox_new ();
  g_assert_true (mr_sandbox_start (fx->sandbox, 0, NULL, &error));
  g_assert_no_error (error);
  fx->url = g_strconcat (mr_sandbox_get_base_url (fx->sandbox), "/webhook/medication-refill",
                         NULL);
  fx->dir = g_dir_make_tmp ("medrefill-faults-XXXXXX", &error);
  g_assert_no_error (error);
  /* A hung workflow is given up on after a second (the app waits 30). */
  fx->session = soup_session_new_with_options ("proxy-resolver", NULL, "timeout", 1, NULL);
}

static MrOutbox *
outbox_new (Fixture *fx)
{
  MrOutbox *outbox = mr_outbox_new_with_key (fx->dir, fx->session, test_key);

  mr_outbox_set_clock (outbox, virtual_clock, NULL);
  mr_outbox_set_seed (outbox, 1);
  mr_outbox_set_workflow (outbox, fx->url, NULL);
  open_outbox (outbox);
  return outbox;
}

static guint
count_files (const char *dir,
             const char *suffix)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    n += g_str_has_suffix (name, suffix) || g_str_has_prefix (name, suffix);
  return n;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static void
close_outbox (MrOutbox **outbox)
{
  if (*outbox == NULL)
    return;
  mr_outbox_shutdown (*outbox);
  wait_idle (*outbox);
  g_assert_finalize_object (g_steal_pointer (outbox));
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  close_outbox (&fx->outbox);
  g_clear_object (&fx->session);
  mr_sandbox_stop (fx->sandbox);
  g_clear_object (&fx->sandbox);
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->url);
}

typedef struct {
  guint            done;
  guint            sent;
  guint            saved;
  guint            held;
  MrOutboxOutcome  last;
} Outcomes;

static void
enqueue_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcomes *o = user_data;
  g_autoptr(GError) error = NULL;

  o->last = mr_outbox_enqueue_finish (MR_OUTBOX (source), result, NULL, &error);
  g_assert_no_error (error);
  o->done++;
  o->sent += o->last == MR_OUTBOX_SENT;
  o->saved += o->last == MR_OUTBOX_SAVED;
  o->held += o->last == MR_OUTBOX_HELD;
}

static void
enqueue (MrOutbox   *outbox,
         const char *request_id,
         Outcomes   *o)
{
  g_autoptr(JsonNode) payload = payload_new (request_id);

  mr_outbox_enqueue_async (outbox, request_id, payload, NULL, "Zoë Núñez-Ødegård",
                           (const char *[]) { "Metformin", NULL }, NULL, enqueue_cb, o);
}

/* ---- one fault at a time --------------------------------------------------------------------- */

typedef enum {
  END_DELIVERED,   /* delivered once by key, gone from the outbox */
  END_HELD,        /* held for staff with the reason; never sent again by itself */
  END_QUEUED,      /* still pending, still retried */
} End;

typedef struct {
  const char  *name;
  MrSinkFault  script[2];
  guint        n_script;
  End          end;
  const char  *reason;           /* held: part of last_error */
  guint        min_attempts;     /* at the sink */
  guint        max_attempts;     /* at the sink, 0: no limit */
  guint        duplicates;       /* re-sends of a key the sink had already taken */
  guint        key_count;        /* times the sink took the key in (delivered or not) */
} FaultCase;

static const FaultCase fault_cases[] = {
  { "none", { { MR_SINK_FAULT_NONE, 0, 0 } }, 1, END_DELIVERED, NULL, 1, 1, 0, 1 },
  { "refuse-once", { { MR_SINK_FAULT_REFUSE, 0, 1 } }, 1, END_DELIVERED, NULL, 2, 0, 0, 1 },
  { "500-twice", { { MR_SINK_FAULT_ERROR_500, 0, 2 } }, 1, END_DELIVERED, NULL, 3, 3, 0, 1 },
  { "429-once", { { MR_SINK_FAULT_RATE_LIMIT, 5, 1 } }, 1, END_DELIVERED, NULL, 2, 2, 0, 1 },
  { "hang-once", { { MR_SINK_FAULT_HANG, 0, 1 } }, 1, END_DELIVERED, NULL, 2, 2, 0, 1 },
  { "close-once", { { MR_SINK_FAULT_CLOSE_MID_RESPONSE, 0, 1 } }, 1, END_DELIVERED, NULL,
    2, 2, 1, 2 },
  { "slow", { { MR_SINK_FAULT_SLOW, 300, 1 } }, 1, END_DELIVERED, NULL, 1, 1, 0, 1 },
  { "mixed", { { MR_SINK_FAULT_REFUSE, 0, 1 }, { MR_SINK_FAULT_RATE_LIMIT, 1, 2 } }, 2,
    END_DELIVERED, NULL, 4, 0, 0, 1 },
  { "403", { { MR_SINK_FAULT_FORBIDDEN, 0, 0 } }, 1, END_HELD,
    "The clinic's workflow refused the app's credentials.", 1, 1, 0, 0 },
  { "404", { { MR_SINK_FAULT_NOT_FOUND, 0, 0 } }, 1, END_HELD,
    "The clinic's workflow is not active (404).", 1, 1, 0, 0 },
  { "500-then-403", { { MR_SINK_FAULT_ERROR_500, 0, 1 }, { MR_SINK_FAULT_FORBIDDEN, 0, 0 } }, 2,
    END_HELD, "refused the app's credentials", 2, 2, 0, 0 },
  { "refuse-always", { { MR_SINK_FAULT_REFUSE, 0, 0 } }, 1, END_QUEUED, NULL, 6, 0, 0, 0 },
  { "500-always", { { MR_SINK_FAULT_ERROR_500, 0, 0 } }, 1, END_QUEUED, NULL, 6, 0, 0, 0 },
  /* The workflow has it, but the app never learns: it keeps sending, the workflow keeps
   * dropping the repeats. */
  { "close-always", { { MR_SINK_FAULT_CLOSE_MID_RESPONSE, 0, 0 } }, 1, END_QUEUED, NULL,
    6, 0, 5, 6 },
};

static guint
sink_attempts (MrSandbox *sandbox)
{
  g_autoptr(JsonArray) attempts = mr_sandbox_dup_sink_attempts (sandbox);

  return json_array_get_length (attempts);
}

static void
assert_end (Fixture         *fx,
            const FaultCase *c,
            const char      *id)
{
  g_autoptr(GPtrArray) items = mr_outbox_list_items (fx->outbox);
  guint attempts = sink_attempts (fx->sandbox);

  g_test_message ("%s: %u attempts at the sink", c->name, attempts);
  g_assert_cmpuint (attempts, >=, c->min_attempts);
  if (c->max_attempts > 0)
    g_assert_cmpuint (attempts, <=, c->max_attempts);
  g_assert_cmpuint (mr_sandbox_get_duplicate_count (fx->sandbox), >=, c->duplicates);
  g_assert_cmpuint (mr_sandbox_get_key_count (fx->sandbox, id), >=, c->key_count);
  if (c->end != END_QUEUED)
    {
      g_assert_cmpuint (mr_sandbox_get_duplicate_count (fx->sandbox), ==, c->duplicates);
      g_assert_cmpuint (mr_sandbox_get_key_count (fx->sandbox, id), ==, c->key_count);
    }

  switch (c->end)
    {
    case END_DELIVERED:
      g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 1);
      g_assert_cmpuint (items->len, ==, 0);
      g_assert_cmpuint (count_files (fx->dir, ".mro"), ==, 0);
      break;
    case END_HELD:
      g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 0);
      g_assert_cmpuint (items->len, ==, 1);
      g_assert_cmpint (((MrOutboxItem *) items->pdata[0])->state, ==, MR_OUTBOX_STATE_HELD);
      g_assert_nonnull (strstr (((MrOutboxItem *) items->pdata[0])->last_error, c->reason));
      g_assert_cmpuint (mr_outbox_get_held_count (fx->outbox), ==, 1);
      g_assert_cmpuint (count_files (fx->dir, ".mro"), ==, 1);
      break;
    case END_QUEUED:
      g_assert_cmpuint (items->len, ==, 1);
      g_assert_cmpint (((MrOutboxItem *) items->pdata[0])->state, ==, MR_OUTBOX_STATE_PENDING);
      g_assert_cmpuint (((MrOutboxItem *) items->pdata[0])->attempts, >=, 6);
      g_assert_nonnull (((MrOutboxItem *) items->pdata[0])->last_error);
      g_assert_cmpuint (mr_outbox_get_pending_count (fx->outbox), ==, 1);
      g_assert_cmpuint (count_files (fx->dir, ".mro"), ==, 1);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_cmpuint (count_files (fx->dir, ".tmp-"), ==, 0);
}

static void
test_fault (Fixture       *fx,
            gconstpointer  data)
{
  const FaultCase *c = data;
  g_autofree char *id = request_id_new (1);
  Outcomes o = { 0 };

  mr_sandbox_set_sink_faults (fx->sandbox, c->script, c->n_script);
  fx->outbox = outbox_new (fx);
  enqueue (fx->outbox, id, &o);
  g_assert_true (mr_test_wait_for ((gboolean *) &o.done, 20000));
  /* The first attempt's outcome is what the Done page says. */
  if (c->script[0].kind == MR_SINK_FAULT_NONE || c->script[0].kind == MR_SINK_FAULT_SLOW)
    g_assert_cmpint (o.last, ==, MR_OUTBOX_SENT);
  else if (c->end == END_HELD && c->n_script == 1)
    g_assert_cmpint (o.last, ==, MR_OUTBOX_HELD);
  else
    g_assert_cmpint (o.last, ==, MR_OUTBOX_SAVED);

  drive (fx->outbox, c->end == END_QUEUED ? 6 : 50);
  assert_end (fx, c, id);

  /* Held stays held, queued stays queued, delivered stays delivered: time changes nothing. */
  if (c->end == END_HELD)
    {
      virtual_now += MR_RETRY_CAP_US * 10;
      mr_outbox_wake (fx->outbox);
      wait_idle (fx->outbox);
      g_assert_cmpuint (sink_attempts (fx->sandbox), ==, c->max_attempts);
    }
}

/* 429 with Retry-After: 30 — not one second sooner, and then at once. */
static void
test_retry_after (Fixture       *fx,
                  gconstpointer  data)
{
  static const MrSinkFault script[] = { { MR_SINK_FAULT_RATE_LIMIT, 30, 1 } };
  g_autofree char *id = request_id_new (2);
  Outcomes o = { 0 };
  gint64 start = virtual_now;

  mr_sandbox_set_sink_faults (fx->sandbox, script, 1);
  fx->outbox = outbox_new (fx);
  enqueue (fx->outbox, id, &o);
  g_assert_true (mr_test_wait_for ((gboolean *) &o.done, 20000));
  wait_idle (fx->outbox);
  g_assert_cmpint (mr_outbox_get_next_due (fx->outbox) - start, ==, 30 * G_USEC_PER_SEC);

  virtual_now = start + 29 * G_USEC_PER_SEC;
  mr_outbox_wake (fx->outbox);
  wait_idle (fx->outbox);
  g_assert_cmpuint (sink_attempts (fx->sandbox), ==, 1);

  virtual_now = start + 30 * G_USEC_PER_SEC;
  mr_outbox_wake (fx->outbox);
  wait_idle (fx->outbox);
  g_assert_cmpuint (sink_attempts (fx->sandbox), ==, 2);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 1);
  g_assert_cmpuint (mr_outbox_get_pending_count (fx->outbox), ==, 0);
}

/* ---- a crash in the middle of a send --------------------------------------------------------- */

/* The child: an app that saves a request, starts sending it, and is killed before the answer. */
static int
child_main (char **argv)
{
  const char *dir = argv[2], *url = argv[3], *key_mode = argv[4], *id = argv[5];
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL,
                                                                  "timeout", 60, NULL);
  g_autoptr(MrOutbox) outbox = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Outcomes o = { 0 };

  if (g_str_equal (key_mode, "keyring"))
    outbox = mr_outbox_new (dir, session);
  else
    outbox = mr_outbox_new_with_key (dir, session, test_key);
  mr_outbox_set_workflow (outbox, url, NULL);
  open_outbox (outbox);
  if (g_str_equal (key_mode, "keyring") && !mr_outbox_get_persistent (outbox))
    return 3;
  enqueue (outbox, id, &o);
  g_main_loop_run (loop);   /* until SIGKILL */
  return 0;
}

/* TRUE when an outbox on @dir gets its key from the keyring (and so has made it there). */
static gboolean
keyring_usable (Fixture *fx)
{
  g_autoptr(MrOutbox) outbox = mr_outbox_new (fx->dir, fx->session);
  gboolean usable;

  open_outbox (outbox);
  usable = mr_outbox_get_persistent (outbox);
  mr_outbox_shutdown (outbox);
  return usable;
}

static void
clear_key_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_secret_clear_finish (result, &error));
  *(gboolean *) user_data = TRUE;
}

static void
wait_for_attempt (MrSandbox *sandbox)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (sink_attempts (sandbox) == 0 && g_get_monotonic_time () < end)
    g_usleep (5000);
  g_assert_cmpuint (sink_attempts (sandbox), ==, 1);
}

static void
test_kill (Fixture       *fx,
           gconstpointer  data)
{
  const MrSinkFault *fault = data;
  g_autofree char *id = request_id_new (3);
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  const char *key_mode = "keyring";
  gboolean slow = fault->kind == MR_SINK_FAULT_SLOW;

  if (!keyring_usable (fx))
    {
      if (g_strcmp0 (g_getenv ("MEDREFILL_REQUIRE_KEYRING"), "1") == 0)
        {
          g_test_fail_printf ("MEDREFILL_REQUIRE_KEYRING=1 but the outbox found no keyring");
          return;
        }
      g_test_message ("No keyring: the child and the restart share a fixed test key instead");
      key_mode = "test-key";
    }
  mr_sandbox_set_sink_faults (fx->sandbox, fault, 1);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_path, "--child", fx->dir,
                            fx->url, key_mode, id, NULL);
  g_assert_no_error (error);

  /* The request is on the wire; it was on disk before that. */
  wait_for_attempt (fx->sandbox);
  g_assert_cmpuint (count_files (fx->dir, ".mro"), ==, 1);
  g_subprocess_send_signal (child, SIGKILL);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, slow ? 1 : 0);

  /* The restart: same folder, same key, and the request goes out again under the same key. */
  fx->outbox = g_str_equal (key_mode, "keyring") ? mr_outbox_new (fx->dir, fx->session)
                                                 : mr_outbox_new_with_key (fx->dir, fx->session,
                                                                           test_key);
  mr_outbox_set_workflow (fx->outbox, fx->url, NULL);
  open_outbox (fx->outbox);
  g_assert_cmpuint (mr_outbox_get_damaged_count (fx->outbox), ==, 0);
  wait_idle (fx->outbox);

  g_assert_cmpuint (mr_outbox_get_pending_count (fx->outbox), ==, 0);
  g_assert_cmpuint (count_files (fx->dir, ".mro"), ==, 0);
  g_assert_cmpuint (sink_attempts (fx->sandbox), ==, 2);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, 1);
  /* Slow: the workflow had taken it before the crash; the re-send is dropped by key. */
  g_assert_cmpuint (mr_sandbox_get_key_count (fx->sandbox, id), ==, slow ? 2 : 1);
  g_assert_cmpuint (mr_sandbox_get_duplicate_count (fx->sandbox), ==, slow ? 1 : 0);

  if (g_str_equal (key_mode, "keyring"))
    {
      g_autofree char *account = g_strconcat ("outbox:", fx->dir, NULL);
      gboolean cleared = FALSE;

      mr_secret_clear_async (MR_SECRET_OUTBOX_KEY, account, NULL, clear_key_cb, &cleared);
      g_assert_true (mr_test_wait_for (&cleared, 20000));
    }
}

static const MrSinkFault kill_hang = { MR_SINK_FAULT_HANG, 0, 1 };
static const MrSinkFault kill_slow = { MR_SINK_FAULT_SLOW, 3000, 1 };

/* ---- a thousand requests through random faults ----------------------------------------------- */

#define RANDOM_REQUESTS 1000
#define RANDOM_PERCENT  30

static guint
count_fault (JsonArray  *attempts,
             const char *fault)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (attempts); i++)
    n += g_str_equal (json_object_get_string_member (json_array_get_object_element (attempts, i),
                                                     "fault"), fault);
  return n;
}

static void
test_random (Fixture       *fx,
             gconstpointer  data)
{
  const char *seed_text = g_getenv ("MEDREFILL_FAULT_SEED");
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : 20260101;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonArray) attempts = NULL;
  Outcomes o = { 0 };
  gint64 start = virtual_now, real_start = g_get_monotonic_time ();
  guint rounds, closes, missing = 0;

  mr_sandbox_set_sink_random_faults (fx->sandbox, seed, RANDOM_PERCENT, NULL, 0);
  fx->outbox = outbox_new (fx);
  mr_outbox_set_seed (fx->outbox, seed);
  for (guint i = 0; i < RANDOM_REQUESTS; i++)
    {
      g_ptr_array_add (ids, request_id_new (i));
      enqueue (fx->outbox, g_ptr_array_index (ids, i), &o);
    }
  rounds = drive (fx->outbox, 100000);
  g_assert_cmpuint (o.done, ==, RANDOM_REQUESTS);

  attempts = mr_sandbox_dup_sink_attempts (fx->sandbox);
  closes = count_fault (attempts, "close");
  for (guint i = 0; i < ids->len; i++)
    missing += mr_sandbox_get_key_count (fx->sandbox, g_ptr_array_index (ids, i)) == 0;

  g_test_message ("random run (seed %u, %u %% faults): requests %u, faults injected %u, "
                  "attempts %u, delivered %u, duplicate deliveries by key %u (re-sends after an "
                  "answer was cut off: %u), held %u, still pending %u; first attempts: sent %u, "
                  "saved %u; %u clock steps, %.1f virtual minutes, %.2f s real",
                  seed, RANDOM_PERCENT, RANDOM_REQUESTS,
                  mr_sandbox_get_faults_injected (fx->sandbox), json_array_get_length (attempts),
                  mr_sandbox_get_delivered_count (fx->sandbox),
                  mr_sandbox_get_duplicate_count (fx->sandbox), closes,
                  mr_outbox_get_held_count (fx->outbox), mr_outbox_get_pending_count (fx->outbox),
                  o.sent, o.saved, rounds, (virtual_now - start) / 60e6,
                  (g_get_monotonic_time () - real_start) / 1e6);

  /* Every request delivered, exactly once by key; nothing held, nothing left, nothing on disk. */
  g_assert_cmpuint (missing, ==, 0);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fx->sandbox), ==, RANDOM_REQUESTS);
  g_assert_cmpuint (mr_outbox_get_pending_count (fx->outbox), ==, 0);
  g_assert_cmpuint (mr_outbox_get_held_count (fx->outbox), ==, 0);
  g_assert_cmpuint (count_files (fx->dir, ".mro"), ==, 0);
  g_assert_cmpuint (count_files (fx->dir, ".tmp-"), ==, 0);
  /* The faults happened, and a repeat reached the workflow only where an answer was lost. */
  g_assert_cmpuint (mr_sandbox_get_faults_injected (fx->sandbox), >=, RANDOM_REQUESTS / 5);
  g_assert_cmpuint (closes, >, 0);
  g_assert_cmpuint (mr_sandbox_get_duplicate_count (fx->sandbox), ==, closes);
  g_assert_cmpuint (o.held, ==, 0);
}

/* ---- the --fault flag ------------------------------------------------------------------------ */

static void
test_parse_fault (void)
{
  MrSinkFault f;
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_sandbox_parse_fault ("429:7*3", &f, &error));
  g_assert_cmpint (f.kind, ==, MR_SINK_FAULT_RATE_LIMIT);
  g_assert_cmpuint (f.param, ==, 7);
  g_assert_cmpuint (f.count, ==, 3);
  g_assert_true (mr_sandbox_parse_fault ("hang", &f, &error));
  g_assert_cmpint (f.kind, ==, MR_SINK_FAULT_HANG);
  g_assert_cmpuint (f.count, ==, 0);
  g_assert_true (mr_sandbox_parse_fault ("slow:250", &f, &error));
  g_assert_cmpint (f.kind, ==, MR_SINK_FAULT_SLOW);
  g_assert_cmpuint (f.param, ==, 250);
  for (guint k = MR_SINK_FAULT_NONE; k <= MR_SINK_FAULT_SLOW; k++)
    {
      g_assert_true (mr_sandbox_parse_fault (mr_sandbox_fault_name (k), &f, &error));
      g_assert_cmpint (f.kind, ==, k);
    }
  g_assert_false (mr_sandbox_parse_fault ("teapot", &f, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (mr_sandbox_parse_fault ("500:x", &f, &error));
  g_clear_error (&error);
  g_assert_false (mr_sandbox_parse_fault ("500*-1", &f, &error));
}

int
main (int    argc,
      char **argv)
{
  if (argc == 6 && g_str_equal (argv[1], "--child"))
    return child_main (argv);

  mr_test_init (&argc, &argv);

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  for (gsize i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/faults/one/%s", fault_cases[i].name);

      ADD (path, &fault_cases[i], test_fault);
    }
  ADD ("/faults/retry-after", NULL, test_retry_after);
  ADD ("/faults/kill/hang", &kill_hang, test_kill);
  ADD ("/faults/kill/slow", &kill_slow, test_kill);
  ADD ("/faults/random", NULL, test_random);
  g_test_add_func ("/faults/parse", test_parse_fault);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-delivery.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>

#include "mr-base.h"
#include "mr-test-server.h"

#define HOSPITAL_NUMBER "HN11112"
#define PATIENT_NAME    "Zoë Núñez-Ødegård"

static const guint8 test_key[MR_OUTBOX_KEY_SIZE] = {
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

/* ---- a workflow whose answer the test sets ------------------------------------------------- */

typedef struct {
  GMutex      lock;
  guint       status;
  const char *retry_after;
  GPtrArray  *keys;       /* Idempotency-Key of each request */
  GPtrArray  *bodies;     /* GBytes */
} Workflow;

static void
workflow_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Workflow *w = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *key = soup_message_headers_get_one (headers, "Idempotency-Key");
  g_autofree char *body = NULL;
  guint status;

  g_mutex_lock (&w->lock);
  g_ptr_array_add (w->keys, g_strdup (key));
  g_ptr_array_add (w->bodies,
                   soup_message_body_flatten (soup_server_message_get_request_body (msg)));
  status = w->status;
  if (w->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                  w->retry_after);
  g_mutex_unlock (&w->lock);

  body = g_strdup_printf ("{\"reference\":\"REF-%s\"}", key ? key : "none");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body,
                                    strlen (body));
}

static void
workflow_init (Workflow *w,
               guint     status)
{
  memset (w, 0, sizeof *w);
  g_mutex_init (&w->lock);
  w->status = status;
  w->keys = g_ptr_array_new_with_free_func (g_free);
  w->bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
workflow_set_status (Workflow *w,
                     guint     status)
{
  g_mutex_lock (&w->lock);
  w->status = status;
  g_mutex_unlock (&w->lock);
}

static guint
workflow_count (Workflow *w)
{
  guint n;

  g_mutex_lock (&w->lock);
  n = w->keys->len;
  g_mutex_unlock (&w->lock);
  return n;
}

static void
workflow_clear (Workflow *w)
{
  g_ptr_array_unref (w->keys);
  g_ptr_array_unref (w->bodies);
  g_mutex_clear (&w->lock);
}

/* ---- outbox helpers -------------------------------------------------------------------------- */

typedef struct {
  gboolean         done;
  MrOutboxOutcome  outcome;
  char            *detail;
  GError          *error;
} Enqueued;

static void
enqueue_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Enqueued *e = user_data;

  e->outcome = mr_outbox_enqueue_finish (MR_OUTBOX (source), result, &e->detail, &e->error);
  e->done = TRUE;
}

static void
enqueued_clear (Enqueued *e)
{
  g_clear_pointer (&e->detail, g_free);
  g_clear_error (&e->error);
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_outbox_open_finish (MR_OUTBOX (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
open_outbox (MrOutbox *outbox)
{
  gboolean opened = FALSE;

  mr_outbox_open_async (outbox, NULL, open_cb, &opened);
  g_assert_true (mr_test_wait_for (&opened, 20000));
}

static SoupSession *
session_new (void)
{
  return soup_session_new_with_options ("proxy-resolver", NULL, "timeout", 10, NULL);
}

/* An open outbox on @dir with the test key, sending to @w's server at @url. */
static MrOutbox *
outbox_new (const char *dir,
            const char *url)
{
  g_autoptr(SoupSession) session = session_new ();
  MrOutbox *outbox = mr_outbox_new_with_key (dir, session, test_key);

  mr_outbox_set_workflow (outbox, url, NULL);
  open_outbox (outbox);
  return outbox;
}

static gboolean
idle_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Spins until the outbox has nothing in flight and nothing being written. */
static void
wait_idle (MrOutbox *outbox)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint id = g_timeout_add (10, idle_cb, NULL);

  while (mr_outbox_get_busy_count (outbox) > 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_assert_cmpuint (mr_outbox_get_busy_count (outbox), ==, 0);
}

/* Shuts @outbox down, waits for its last writes and checks that nothing keeps it alive. */
static void
outbox_close (MrOutbox *outbox)
{
  mr_outbox_shutdown (outbox);
  wait_idle (outbox);
  g_assert_finalize_object (outbox);
}

static JsonNode *
payload_new (const char *request_id)
{
  g_autofree char *json = g_strdup_printf ("{\"requestId\":\"%s\",\"patient\":{\"displayName\":"
                                           "\"" PATIENT_NAME "\",\"hospitalNumber\":\""
                                           HOSPITAL_NUMBER "\"},\"medications\":[{\"name\":"
                                           "\"Metformin\"}]}", request_id);

  return json_from_string (json, NULL);
}

static const char * const medicines[] = { "Metformin", "Lisinopril", NULL };

static void
enqueue (MrOutbox   *outbox,
         const char *request_id,
         Enqueued   *e)
{
  g_autoptr(JsonNode) payload = payload_new (request_id);

  mr_outbox_enqueue_async (outbox, request_id, payload, NULL, PATIENT_NAME, medicines, NULL,
                           enqueue_cb, e);
  g_assert_true (mr_test_wait_for (&e->done, 20000));
}

static char *
temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("medrefill-outbox-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names in @dir, sorted, one string ("a b c"). */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (handle == NULL)
    return g_strdup ("");
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* ---- the file format ------------------------------------------------------------------------- */

static MrOutboxRecord *
record_new (void)
{
  MrOutboxRecord *record = mr_outbox_record_new ();

  record->request_id = g_strdup ("5f0c1c2e-8d1b-4c36-9a3e-2b7d5e0f4a11");
  record->created_at = 1767225600000000;
  record->payload = g_strdup ("{\"hospitalNumber\":\"" HOSPITAL_NUMBER "\",\"name\":\""
                              PATIENT_NAME "\"}");
  record->attempts = 3;
  record->next_attempt_at = 1767225660000000;
  record->state = MR_OUTBOX_STATE_HELD;
  record->last_error = g_strdup ("The clinic's workflow is not active (404).");
  record->patient = g_strdup (PATIENT_NAME);
  record->medicines = g_strdupv ((char **) medicines);
  return record;
}

/* The same, bound to a workflow's origin, as the queue saves every record it could send. */
static MrOutboxRecord *
record_new_bound (void)
{
  MrOutboxRecord *record = record_new ();

  record->origin = g_strdup ("https://n8n.clinic.example:443");
  return record;
}

static void
test_codec_round_trip (void)
{
  g_autoptr(MrOutboxRecord) record = record_new_bound ();
  g_autoptr(MrOutboxRecord) decoded = NULL;
  g_autoptr(GBytes) file = mr_outbox_encode_file (record, test_key);
  g_autoptr(GBytes) again = mr_outbox_encode_file (record, test_key);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (file, &len);

  decoded = mr_outbox_decode_file (data, len, test_key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded->request_id, ==, record->request_id);
  g_assert_cmpstr (decoded->origin, ==, "https://n8n.clinic.example:443");
  g_assert_cmpint (decoded->created_at, ==, record->created_at);
  g_assert_cmpstr (decoded->payload, ==, record->payload);
  g_assert_cmpuint (decoded->attempts, ==, 3);
  g_assert_cmpint (decoded->next_attempt_at, ==, record->next_attempt_at);
  g_assert_cmpint (decoded->state, ==, MR_OUTBOX_STATE_HELD);
  g_assert_cmpstr (decoded->last_error, ==, record->last_error);
  g_assert_cmpstr (decoded->patient, ==, PATIENT_NAME);
  g_assert_cmpstrv (decoded->medicines, medicines);
  /* A fresh nonce each time: the same record never gives the same bytes. */
  g_assert_false (g_bytes_equal (file, again));
}

static void
assert_damaged (const guint8 *data,
                gsize         len,
                const guint8 *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrOutboxRecord) record = mr_outbox_decode_file (data, len, key, &error);

  g_assert_null (record);
  g_assert_error (error, MR_OUTBOX_ERROR, MR_OUTBOX_ERROR_DAMAGED);
  g_assert_null (strstr (error->message, HOSPITAL_NUMBER));
}

/* Any change to any byte, a cut, another key: refused, never a wrong record. */
static void
test_codec_tamper (void)
{
  g_autoptr(MrOutboxRecord) record = record_new_bound ();
  g_autoptr(GBytes) file = mr_outbox_encode_file (record, test_key);
  gsize len;
  const guint8 *data = g_bytes_get_data (file, &len);
  g_autofree guint8 *copy = g_memdup2 (data, len);
  guint8 other_key[MR_OUTBOX_KEY_SIZE];

  for (gsize i = 0; i < len; i++)
    {
      copy[i] ^= 0x01;
      assert_damaged (copy, len, test_key);
      copy[i] ^= 0x01;
    }
  for (gsize cut = 0; cut < len; cut += 7)
    assert_damaged (data, cut, test_key);
  assert_damaged (data, len - 1, test_key);
  memcpy (other_key, test_key, sizeof other_key);
  other_key[31] ^= 0x80;
  assert_damaged (data, len, other_key);
  assert_damaged ((const guint8 *) "", 0, test_key);
}

/* The destination is authenticated: a file whose origin was edited to another host (same length,
 * so nothing else moves) does not open, so a record cannot be re-targeted on disk. */
static void
test_codec_origin_tamper (void)
{
  g_autoptr(MrOutboxRecord) record = record_new_bound ();
  g_autoptr(GBytes) file = mr_outbox_encode_file (record, test_key);
  gsize len;
  const guint8 *data = g_bytes_get_data (file, &len);
  g_autofree guint8 *copy = g_memdup2 (data, len);
  const char *host = "n8n.clinic.example";
  guint8 *at = NULL;

  for (gsize i = 0; at == NULL && i + strlen (host) <= len; i++)
    if (memcmp (copy + i, host, strlen (host)) == 0)
      at = copy + i;
  g_assert_cmpuint (data[4], ==, 2);
  g_assert_nonnull (at);
  memcpy (at, "n8n.evil00.example", strlen ("n8n.evil00.example"));
  assert_damaged (copy, len, test_key);
}

/* A file of version 1 (before records were bound to an origin), sealed as that version did:
 * "MROX" | 1 | id length | id | nonce | AES-256-GCM with the header up to the id as associated
 * data. */
static GBytes *
seal_version_1 (const char *id,
                const char *envelope)
{
  guint8 nonce[12];
  gsize id_len = strlen (id), header_len = 4 + 2 + id_len;
  gsize clear_len = strlen (envelope), out_len = clear_len + 16;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gnutls_aead_cipher_hd_t cipher;
  gnutls_datum_t key = { (unsigned char *) test_key, MR_OUTBOX_KEY_SIZE };

  mr_random_bytes (nonce, sizeof nonce);
  g_byte_array_append (out, (const guint8 *) "MROX", 4);
  g_byte_array_append (out, (const guint8[]) { 1, (guint8) id_len }, 2);
  g_byte_array_append (out, (const guint8 *) id, id_len);
  g_byte_array_append (out, nonce, sizeof nonce);
  g_byte_array_set_size (out, header_len + sizeof nonce + out_len);
  g_assert_cmpint (gnutls_aead_cipher_init (&cipher, GNUTLS_CIPHER_AES_256_GCM, &key), ==, 0);
  g_assert_cmpint (gnutls_aead_cipher_encrypt (cipher, nonce, sizeof nonce, out->data, header_len,
                                               16, envelope, clear_len,
                                               out->data + header_len + sizeof nonce, &out_len),
                   ==, 0);
  gnutls_aead_cipher_deinit (cipher);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

#define V1_ID "abcd0000-0000-4000-8000-0000000000v1"

static GBytes *
version_1_file (gint64 created_at)
{
  g_autofree char *envelope = g_strdup_printf (
    "{\"request_id\":\"" V1_ID "\",\"created_at\":%" G_GINT64_FORMAT ",\"payload\":"
    "\"{\\\"requestId\\\":\\\"" V1_ID "\\\"}\",\"attempts\":1,\"next_attempt_at\":0,"
    "\"state\":\"pending\",\"summary\":{\"patient\":\"" PATIENT_NAME "\",\"medicines\":"
    "[\"Metformin\"]}}", created_at);

  return seal_version_1 (V1_ID, envelope);
}

/* Requests queued by the version before this one are still read (not set aside as damaged): their
 * record has no origin. */
static void
test_codec_version_1 (void)
{
  g_autoptr(GBytes) file = version_1_file (1767225600000000);
  g_autoptr(MrOutboxRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (file, &len);

  record = mr_outbox_decode_file (data, len, test_key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->request_id, ==, V1_ID);
  g_assert_null (record->origin);
  g_assert_cmpstr (record->patient, ==, PATIENT_NAME);
}

/* The bytes a name could hide in: UTF-8, JSON's \u escapes (either case), Latin-1. */
static GPtrArray *
forms_of (const char *text)
{
  GPtrArray *forms = g_ptr_array_new_with_free_func (g_free);
  GString *lower = g_string_new (NULL);
  GString *upper = g_string_new (NULL);
  char *latin1 = g_convert (text, -1, "ISO-8859-1", "UTF-8", NULL, NULL, NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x80)
        {
          g_string_append_c (lower, (char) c);
          g_string_append_c (upper, (char) c);
        }
      else
        {
          g_string_append_printf (lower, "\\u%04x", c);
          g_string_append_printf (upper, "\\u%04X", c);
        }
    }
  g_ptr_array_add (forms, g_strdup (text));
  g_ptr_array_add (forms, g_string_free (lower, FALSE));
  g_ptr_array_add (forms, g_string_free (upper, FALSE));
  if (latin1 != NULL)
    g_ptr_array_add (forms, latin1);
  return forms;
}

static gboolean
contains (const char *data,
          gsize       len,
          const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n > 0 && i + n <= len; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_absent (GBytes     *haystack,
               const char *text)
{
  g_autoptr(GPtrArray) forms = forms_of (text);
  gsize len;
  const char *data = g_bytes_get_data (haystack, &len);

  for (guint i = 0; i < forms->len; i++)
    {
      const char *needle = g_ptr_array_index (forms, i);

      if (contains (data, len, needle))
        g_error ("The outbox file holds “%s” in clear", needle);
    }
}

/* What a thief with the disk gets: no hospital number, no name, no medicine, in any encoding. */
static void
test_no_clear_text (void)
{
  g_autofree char *dir = temp_dir ();
  Workflow w;
  g_autoptr(MrTestServer) server = NULL;
  MrOutbox *outbox;
  Enqueued e = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;

  workflow_init (&w, 503);
  server = mr_test_server_new (workflow_cb, &w);
  outbox = outbox_new (dir, mr_test_server_get_url (server));
  enqueue (outbox, "7d4e2a10-0000-4000-8000-000000000001", &e);
  g_assert_no_error (e.error);
  g_assert_cmpint (e.outcome, ==, MR_OUTBOX_SAVED);
  wait_idle (outbox);

  path = g_build_filename (dir, "7d4e2a10-0000-4000-8000-000000000001.mro", NULL);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  /* The test can see it: it is a real request, saved. */
  g_assert_cmpuint (len, >, 100);
  assert_absent (bytes, HOSPITAL_NUMBER);
  assert_absent (bytes, PATIENT_NAME);
  assert_absent (bytes, "Núñez");
  assert_absent (bytes, "Ødegård");
  assert_absent (bytes, "Metformin");
  assert_absent (bytes, "Lisinopril");
  assert_absent (bytes, "hospitalNumber");
  assert_absent (bytes, "payload");

  outbox_close (outbox);
  enqueued_clear (&e);
  g_clear_pointer (&server, mr_test_server_free);
  workflow_clear (&w);
  remove_tree (dir);
}

/* The search above can find things: the same search on the clear envelope does. */
static void
test_no_clear_text_can_fail (void)
{
  const char *escaped = "{\"patient\":\"Zo\\u00EB N\\u00FA\\u00F1ez-\\u00D8deg\\u00E5rd\"}";
  g_autoptr(GPtrArray) forms = forms_of (PATIENT_NAME);
  g_autofree char *latin1 = g_convert ("x " PATIENT_NAME, -1, "ISO-8859-1", "UTF-8", NULL, NULL,
                                       NULL);
  guint found_escaped = 0, found_latin1 = 0;

  for (guint i = 0; i < forms->len; i++)
    {
      found_escaped += contains (escaped, strlen (escaped), g_ptr_array_index (forms, i));
      found_latin1 += contains (latin1, strlen (latin1), g_ptr_array_index (forms, i));
    }
  g_assert_cmpuint (found_escaped, ==, 1);
  g_assert_cmpuint (found_latin1, ==, 1);
}

/* ---- atomic writes, restart, damage ---------------------------------------------------------- */

static void
test_atomic (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *stale = g_build_filename (dir, ".tmp-AbC123", NULL);
  g_autofree char *listing = NULL;
  Workflow w;
  g_autoptr(MrTestServer) server = NULL;
  MrOutbox *outbox;
  Enqueued e1 = { 0 }, e2 = { 0 };
  GStatBuf st;

  /* What a crash between write and rename leaves behind. */
  g_assert_true (g_file_set_contents (stale, "half a request", -1, NULL));
  workflow_init (&w, 500);
  server = mr_test_server_new (workflow_cb, &w);
  outbox = outbox_new (dir, mr_test_server_get_url (server));
  enqueue (outbox, "aaaa0000-0000-4000-8000-000000000001", &e1);
  enqueue (outbox, "bbbb0000-0000-4000-8000-000000000002", &e2);
  mr_outbox_retry_now (outbox, "aaaa0000-0000-4000-8000-000000000001");
  wait_idle (outbox);

  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "aaaa0000-0000-4000-8000-000000000001.mro "
                                "bbbb0000-0000-4000-8000-000000000002.mro");
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_clear_pointer (&listing, g_free);
  {
    g_autofree char *path = g_build_filename (dir, "aaaa0000-0000-4000-8000-000000000001.mro",
                                              NULL);

    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }

  outbox_close (outbox);
  enqueued_clear (&e1);
  enqueued_clear (&e2);
  g_clear_pointer (&server, mr_test_server_free);
  workflow_clear (&w);
  remove_tree (dir);
}

/* The app stops with a request waiting; the next start sends it, the same bytes, the same key. */
static void
test_restart (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *listing = NULL;
  Workflow w;
  g_autoptr(MrTestServer) server = NULL;
  MrOutbox *outbox;
  Enqueued e = { 0 };
  g_autoptr(GPtrArray) items = NULL;
  MrOutboxItem *item;
  const char *id = "cccc0000-0000-4000-8000-000000000003";

  workflow_init (&w, 503);
  server = mr_test_server_new (workflow_cb, &w);
  outbox = outbox_new (dir, mr_test_server_get_url (server));
  enqueue (outbox, id, &e);
  g_assert_cmpint (e.outcome, ==, MR_OUTBOX_SAVED);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 1);
  outbox_close (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 1);

  workflow_set_status (&w, 200);
  outbox = outbox_new (dir, NULL);
  g_assert_true (mr_outbox_get_persistent (outbox));
  items = mr_outbox_list_items (outbox);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->request_id, ==, id);
  g_assert_cmpstr (item->patient, ==, PATIENT_NAME);
  g_assert_cmpstrv (item->medicines, medicines);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_cmpint (item->state, ==, MR_OUTBOX_STATE_PENDING);
  g_assert_nonnull (strstr (item->last_error, "(503)"));

  mr_outbox_set_workflow (outbox, mr_test_server_get_url (server), NULL);
  g_assert_true (mr_outbox_retry_now (outbox, id));
  wait_idle (outbox);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 0);
  g_assert_cmpuint (workflow_count (&w), ==, 2);
  g_assert_cmpstr (g_ptr_array_index (w.keys, 0), ==, id);
  g_assert_cmpstr (g_ptr_array_index (w.keys, 1), ==, id);
  g_assert_true (g_bytes_equal (g_ptr_array_index (w.bodies, 0), g_ptr_array_index (w.bodies, 1)));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "");

  outbox_close (outbox);
  enqueued_clear (&e);
  g_clear_pointer (&server, mr_test_server_free);
  workflow_clear (&w);
  remove_tree (dir);
}

static void
assert_file_origin (const char *dir,
                    const char *id,
                    const char *url)
{
  g_autofree char *name = g_strconcat (id, ".mro", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *origin = mr_url_origin (url);
  g_autofree char *data = NULL;
  g_autoptr(MrOutboxRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  record = mr_outbox_decode_file ((const guint8 *) data, len, test_key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint ((guchar) data[4], ==, 2);
  g_assert_cmpstr (record->origin, ==, origin);
}

/* workflow-url changed from A to B (another 127.0.0.1 sink): the requests queued for A are not
 * sent to B, whatever the outbox is asked; they stay, on disk and after a restart, shown with a
 * sentence; set back to A, they go out. */
static void
test_bound_to_origin (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *listing = NULL;
  g_autoptr(MrTestServer) server_a = NULL;
  g_autoptr(MrTestServer) server_b = NULL;
  g_autoptr(GPtrArray) items = NULL;
  const char *id = "0a0a0000-0000-4000-8000-00000000000a";
  const char *url_a, *url_b;
  MrOutboxItem *item;
  MrOutbox *outbox;
  Workflow a, b;
  Enqueued e = { 0 };

  workflow_init (&a, 503);
  workflow_init (&b, 200);
  server_a = mr_test_server_new (workflow_cb, &a);
  server_b = mr_test_server_new (workflow_cb, &b);
  url_a = mr_test_server_get_url (server_a);
  url_b = mr_test_server_get_url (server_b);
  outbox = outbox_new (dir, url_a);
  enqueue (outbox, id, &e);
  g_assert_cmpint (e.outcome, ==, MR_OUTBOX_SAVED);
  wait_idle (outbox);
  assert_file_origin (dir, id, url_a);

  mr_outbox_set_workflow (outbox, url_b, NULL);
  mr_outbox_send_all_now (outbox);
  g_assert_true (mr_outbox_retry_now (outbox, id));
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&b), ==, 0);
  g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 1);
  items = mr_outbox_list_items (outbox);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->state, ==, MR_OUTBOX_STATE_HELD);
  g_assert_nonnull (strstr (item->last_error, "another workflow address"));
  outbox_close (outbox);

  /* Not after a restart either, and the file is still there. */
  outbox = outbox_new (dir, url_b);
  mr_outbox_send_all_now (outbox);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&b), ==, 0);
  listing = list_dir (dir);
  g_assert_nonnull (strstr (listing, id));

  workflow_set_status (&a, 200);
  mr_outbox_set_workflow (outbox, url_a, NULL);
  mr_outbox_send_all_now (outbox);
  wait_idle (outbox);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox) + mr_outbox_get_held_count (outbox), ==,
                    0);
  g_assert_cmpuint (workflow_count (&a), ==, 2);
  g_assert_cmpstr (g_ptr_array_index (a.keys, 1), ==, id);
  g_assert_cmpuint (workflow_count (&b), ==, 0);

  outbox_close (outbox);
  enqueued_clear (&e);
  g_clear_pointer (&server_a, mr_test_server_free);
  g_clear_pointer (&server_b, mr_test_server_free);
  workflow_clear (&a);
  workflow_clear (&b);
  remove_tree (dir);
}

/* A request queued by the version before (no origin in its file) is kept: it is bound to the
 * workflow address in effect when the outbox first meets it (written again as version 2), and
 * from then on never follows a change of address. */
static void
test_version_1_bound_at_first_read (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, V1_ID ".mro", NULL);
  g_autoptr(GBytes) file = version_1_file (g_get_real_time ());
  g_autoptr(MrTestServer) server_a = NULL;
  g_autoptr(MrTestServer) server_b = NULL;
  g_autoptr(GError) error = NULL;
  MrOutbox *outbox;
  Workflow a, b;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (file, NULL),
                                      g_bytes_get_size (file), &error));
  workflow_init (&a, 503);
  workflow_init (&b, 200);
  server_a = mr_test_server_new (workflow_cb, &a);
  server_b = mr_test_server_new (workflow_cb, &b);

  outbox = outbox_new (dir, mr_test_server_get_url (server_a));
  g_assert_cmpuint (mr_outbox_get_damaged_count (outbox), ==, 0);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&a), ==, 1);
  assert_file_origin (dir, V1_ID, mr_test_server_get_url (server_a));

  mr_outbox_set_workflow (outbox, mr_test_server_get_url (server_b), NULL);
  mr_outbox_send_all_now (outbox);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&b), ==, 0);
  g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 1);

  outbox_close (outbox);
  g_clear_pointer (&server_a, mr_test_server_free);
  g_clear_pointer (&server_b, mr_test_server_free);
  workflow_clear (&a);
  workflow_clear (&b);
  remove_tree (dir);
}

static void
test_damaged (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *garbage = g_build_filename (dir, "dddd0000-0000-4000-8000-000000000004.mro",
                                               NULL);
  g_autofree char *foreign = g_build_filename (dir, "eeee0000-0000-4000-8000-000000000005.mro",
                                               NULL);
  g_autofree char *good = g_build_filename (dir, "5f0c1c2e-8d1b-4c36-9a3e-2b7d5e0f4a11.mro", NULL);
  g_autofree char *damaged_dir = g_build_filename (dir, "damaged", NULL);
  g_autofree char *listing = NULL;
  g_autofree char *damaged_listing = NULL;
  g_autoptr(MrOutboxRecord) record = record_new ();
  g_autoptr(GBytes) good_bytes = mr_outbox_encode_file (record, test_key);
  g_autoptr(GBytes) foreign_bytes = NULL;
  guint8 other_key[MR_OUTBOX_KEY_SIZE] = { 0 };
  MrOutbox *outbox;

  foreign_bytes = mr_outbox_encode_file (record, other_key);
  g_assert_true (g_file_set_contents (garbage, "not an outbox file", -1, NULL));
  g_assert_true (g_file_set_contents (foreign, g_bytes_get_data (foreign_bytes, NULL),
                                      g_bytes_get_size (foreign_bytes), NULL));
  g_assert_true (g_file_set_contents (good, g_bytes_get_data (good_bytes, NULL),
                                      g_bytes_get_size (good_bytes), NULL));

  outbox = outbox_new (dir, NULL);
  g_assert_cmpuint (mr_outbox_get_damaged_count (outbox), ==, 2);
  g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 1);
  g_assert_nonnull (strstr (mr_outbox_get_problem (outbox), "could not be read"));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "5f0c1c2e-8d1b-4c36-9a3e-2b7d5e0f4a11.mro damaged");
  damaged_listing = list_dir (damaged_dir);
  g_assert_cmpstr (damaged_listing, ==, "dddd0000-0000-4000-8000-000000000004.mro "
                                        "eeee0000-0000-4000-8000-000000000005.mro");
  outbox_close (outbox);
  remove_tree (dir);
}

/* ---- the view's operations ------------------------------------------------------------------- */

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_held_retry_discard (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *listing = NULL;
  Workflow w;
  g_autoptr(MrTestServer) server = NULL;
  MrOutbox *outbox;
  Enqueued e1 = { 0 }, e2 = { 0 };
  g_autoptr(GPtrArray) items = NULL;
  MrOutboxItem *item;
  guint held_notifies = 0;
  const char *a = "f1f10000-0000-4000-8000-000000000006";
  const char *b = "f2f20000-0000-4000-8000-000000000007";

  workflow_init (&w, 403);
  server = mr_test_server_new (workflow_cb, &w);
  outbox = outbox_new (dir, mr_test_server_get_url (server));
  g_signal_connect (outbox, "notify::held-count", G_CALLBACK (count_cb), &held_notifies);
  enqueue (outbox, a, &e1);
  g_assert_cmpint (e1.outcome, ==, MR_OUTBOX_HELD);
  g_assert_nonnull (strstr (e1.detail, "refused the app's credentials"));
  enqueue (outbox, b, &e2);
  wait_idle (outbox);
  g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 2);
  g_assert_cmpuint (held_notifies, ==, 2);
  g_assert_cmpuint (workflow_count (&w), ==, 2);

  /* Held means held: time passing sends nothing. */
  mr_outbox_wake (outbox);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 2);

  items = mr_outbox_list_items (outbox);
  g_assert_cmpuint (items->len, ==, 2);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->request_id, ==, a);
  g_assert_cmpint (item->state, ==, MR_OUTBOX_STATE_HELD);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_nonnull (strstr (item->last_error, "authentication settings"));

  workflow_set_status (&w, 200);
  g_assert_true (mr_outbox_retry_now (outbox, a));
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 3);
  g_assert_true (mr_outbox_discard (outbox, b));
  g_assert_false (mr_outbox_discard (outbox, b));
  g_assert_false (mr_outbox_retry_now (outbox, "nope"));
  wait_idle (outbox);
  g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 0);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 0);
  g_assert_cmpuint (workflow_count (&w), ==, 3);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "");

  outbox_close (outbox);
  enqueued_clear (&e1);
  enqueued_clear (&e2);
  g_clear_pointer (&server, mr_test_server_free);
  workflow_clear (&w);
  remove_tree (dir);
}

static void
test_duplicate_and_invalid (void)
{
  g_autofree char *dir = temp_dir ();
  MrOutbox *outbox = outbox_new (dir, NULL);
  Enqueued e1 = { 0 }, e2 = { 0 }, e3 = { 0 };

  enqueue (outbox, "abcd", &e1);
  g_assert_no_error (e1.error);
  g_assert_cmpint (e1.outcome, ==, MR_OUTBOX_SAVED);
  enqueue (outbox, "abcd", &e2);
  g_assert_error (e2.error, MR_OUTBOX_ERROR, MR_OUTBOX_ERROR_EXISTS);
  enqueue (outbox, "../../etc/passwd", &e3);
  g_assert_error (e3.error, MR_OUTBOX_ERROR, MR_OUTBOX_ERROR_INVALID);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 1);
  outbox_close (outbox);
  enqueued_clear (&e1);
  enqueued_clear (&e2);
  enqueued_clear (&e3);
  remove_tree (dir);
}

/* An address that would send patient details in clear: held with the reason, nothing sent. */
static void
test_insecure_held (void)
{
  g_autofree char *dir = temp_dir ();
  MrOutbox *outbox = outbox_new (dir, "http://clinic.example.org/webhook/medication-refill");
  Enqueued e = { 0 };

  enqueue (outbox, "b0b00000-0000-4000-8000-00000000000d", &e);
  g_assert_no_error (e.error);
  g_assert_cmpint (e.outcome, ==, MR_OUTBOX_HELD);
  g_assert_nonnull (strstr (e.detail, "https://"));
  wait_idle (outbox);
  g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 1);
  outbox_close (outbox);
  enqueued_clear (&e);
  remove_tree (dir);
}

/* ---- time: the retry schedule, Retry-After, age, the network coming back --------------------- */

static gint64 virtual_now;

static gint64
virtual_clock (gpointer data)
{
  return virtual_now;
}

static void
test_retry_policy (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gint64 now = (gint64) 1767225600 * G_USEC_PER_SEC;   /* Thu, 01 Jan 2026 00:00:00 GMT */

  for (guint attempts = 1; attempts < 40; attempts++)
    for (guint i = 0; i < 50; i++)
      {
        gint64 wait = mr_retry_backoff_us (attempts, rand);
        gint64 ceiling = MIN (MR_RETRY_CAP_US, MR_RETRY_BASE_US << MIN (attempts - 1, 20));

        g_assert_cmpint (wait, >=, G_USEC_PER_SEC);
        g_assert_cmpint (wait, <=, ceiling);
      }
  g_assert_cmpint (mr_retry_after_us ("120", now), ==, 120 * G_USEC_PER_SEC);
  g_assert_cmpint (mr_retry_after_us (" 0 ", now), ==, 0);
  g_assert_cmpint (mr_retry_after_us ("Thu, 01 Jan 2026 00:01:30 GMT", now), ==,
                   90 * G_USEC_PER_SEC);
  g_assert_cmpint (mr_retry_after_us ("Thursday, 01-Jan-26 00:00:10 GMT", now), ==,
                   10 * G_USEC_PER_SEC);
  g_assert_cmpint (mr_retry_after_us ("Wed, 31 Dec 2025 23:00:00 GMT", now), ==, 0);
  g_assert_cmpint (mr_retry_after_us ("99999999999999999999", now), ==, MR_RETRY_AFTER_CAP_US);
  g_assert_cmpint (mr_retry_after_us ("Fri, 01 Jan 2100 00:00:00 GMT", now), ==,
                   MR_RETRY_AFTER_CAP_US);
  g_assert_cmpint (mr_retry_after_us ("-5", now), ==, -1);
  g_assert_cmpint (mr_retry_after_us ("soon", now), ==, -1);
  g_assert_cmpint (mr_retry_after_us ("", now), ==, -1);
  g_assert_cmpint (mr_retry_after_us (NULL, now), ==, -1);
  g_assert_cmpint (mr_retry_next_attempt (1, "300", now, rand), ==, now + 300 * G_USEC_PER_SEC);
  /* A week of the schedule: backoff capped at 10 minutes means about two thousand attempts, not
   * millions, and not a handful. */
  {
    gint64 t = now;
    guint attempts = 0;

    while (!mr_retry_is_too_old (now, t))
      t = mr_retry_next_attempt (++attempts, NULL, t, rand);
    g_test_message ("attempts in 7 days of failures: %u", attempts);
    g_assert_cmpuint (attempts, >, 7 * 24 * 6);
    g_assert_cmpuint (attempts, <, 7 * 24 * 60);
  }
  g_assert_false (mr_retry_is_too_old (now, now + MR_RETRY_MAX_AGE_US));
  g_assert_true (mr_retry_is_too_old (now, now + MR_RETRY_MAX_AGE_US + 1));
}

/* 429 with Retry-After: the next attempt waits for it (on the virtual clock), not a second less. */
static void
test_retry_after (void)
{
  g_autofree char *dir = temp_dir ();
  Workflow w;
  g_autoptr(MrTestServer) server = NULL;
  MrOutbox *outbox;
  Enqueued e = { 0 };

  virtual_now = (gint64) 1767225600 * G_USEC_PER_SEC;
  workflow_init (&w, 429);
  w.retry_after = "120";
  server = mr_test_server_new (workflow_cb, &w);
  outbox = outbox_new (dir, NULL);
  mr_outbox_set_clock (outbox, virtual_clock, NULL);
  mr_outbox_set_workflow (outbox, mr_test_server_get_url (server), NULL);
  enqueue (outbox, "12340000-0000-4000-8000-000000000008", &e);
  g_assert_cmpint (e.outcome, ==, MR_OUTBOX_SAVED);
  wait_idle (outbox);
  g_assert_cmpint (mr_outbox_get_next_due (outbox), ==, virtual_now + 120 * G_USEC_PER_SEC);

  workflow_set_status (&w, 200);
  virtual_now += 119 * G_USEC_PER_SEC;
  mr_outbox_wake (outbox);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 1);
  virtual_now += G_USEC_PER_SEC;
  mr_outbox_wake (outbox);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 2);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 0);

  outbox_close (outbox);
  enqueued_clear (&e);
  g_clear_pointer (&server, mr_test_server_free);
  workflow_clear (&w);
  remove_tree (dir);
}

/* Seven days of failures and the request is set aside for a person, with a reason. The outbox
 * starts with a request saved six days and 23.5 hours ago, as after a long outage. */
static void
test_too_old (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = NULL;
  g_autoptr(MrOutboxRecord) record = record_new ();
  g_autoptr(GBytes) file = NULL;
  Workflow w;
  g_autoptr(MrTestServer) server = NULL;
  g_autoptr(GPtrArray) items = NULL;
  MrOutbox *outbox;
  guint rounds = 0;

  virtual_now = (gint64) 1767225600 * G_USEC_PER_SEC;
  record->state = MR_OUTBOX_STATE_PENDING;
  record->created_at = virtual_now - MR_RETRY_MAX_AGE_US + 30 * 60 * G_USEC_PER_SEC;
  record->next_attempt_at = virtual_now;
  record->attempts = 900;
  file = mr_outbox_encode_file (record, test_key);
  path = g_strconcat (dir, "/", record->request_id, ".mro", NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (file, NULL),
                                      g_bytes_get_size (file), NULL));

  workflow_init (&w, 502);
  server = mr_test_server_new (workflow_cb, &w);
  outbox = outbox_new (dir, NULL);
  mr_outbox_set_clock (outbox, virtual_clock, NULL);
  mr_outbox_set_seed (outbox, 42);
  mr_outbox_set_workflow (outbox, mr_test_server_get_url (server), NULL);
  wait_idle (outbox);
  while (mr_outbox_get_pending_count (outbox) > 0 && rounds++ < 500)
    {
      gint64 due = mr_outbox_get_next_due (outbox);

      g_assert_cmpint (due, <=, virtual_now + MR_RETRY_CAP_US);
      virtual_now = MAX (virtual_now, due);
      mr_outbox_wake (outbox);
      wait_idle (outbox);
    }
  g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 1);
  items = mr_outbox_list_items (outbox);
  g_assert_nonnull (strstr (((MrOutboxItem *) g_ptr_array_index (items, 0))->last_error,
                            "7 days"));
  /* Retried until the week was up, and not after. */
  g_assert_cmpint (virtual_now - record->created_at, >, MR_RETRY_MAX_AGE_US);
  g_assert_cmpint (virtual_now - record->created_at, <=, MR_RETRY_MAX_AGE_US + MR_RETRY_CAP_US);
  g_assert_cmpuint (workflow_count (&w), >=, 3);
  g_assert_cmpuint (((MrOutboxItem *) g_ptr_array_index (items, 0))->attempts, ==,
                    900 + workflow_count (&w));

  outbox_close (outbox);
  g_clear_pointer (&server, mr_test_server_free);
  workflow_clear (&w);
  remove_tree (dir);
}

static void
test_network_back (void)
{
  g_autofree char *dir = temp_dir ();
  Workflow w;
  g_autoptr(MrTestServer) server = NULL;
  MrOutbox *outbox;
  Enqueued e = { 0 }, e2 = { 0 };

  virtual_now = (gint64) 1767225600 * G_USEC_PER_SEC;
  workflow_init (&w, 503);
  server = mr_test_server_new (workflow_cb, &w);
  outbox = outbox_new (dir, NULL);
  mr_outbox_set_clock (outbox, virtual_clock, NULL);
  mr_outbox_set_workflow (outbox, mr_test_server_get_url (server), NULL);
  enqueue (outbox, "abab0000-0000-4000-8000-00000000000a", &e);
  wait_idle (outbox);
  g_assert_cmpint (mr_outbox_get_next_due (outbox), >, virtual_now);

  workflow_set_status (&w, 200);
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", FALSE);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 1);
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 2);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 0);
  /* A change while the network stays up (a new route) is not a reason to send again. */
  workflow_set_status (&w, 503);
  enqueue (outbox, "abab0000-0000-4000-8000-00000000000e", &e2);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 3);
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 3);
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", FALSE);
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 4);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 1);

  outbox_close (outbox);
  enqueued_clear (&e);
  enqueued_clear (&e2);
  g_clear_pointer (&server, mr_test_server_free);
  workflow_clear (&w);
  remove_tree (dir);
}

/* ---- the keyring ----------------------------------------------------------------------------- */

static gboolean
keyring_required (void)
{
  return g_strcmp0 (g_getenv ("MEDREFILL_REQUIRE_KEYRING"), "1") == 0;
}

/* No keyring: the outbox says so, keeps requests in memory, and writes nothing at all. */
static void
test_no_keyring (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(SoupSession) session = NULL;
  Workflow w;
  g_autoptr(MrTestServer) server = NULL;
  MrOutbox *outbox;
  Enqueued e = { 0 };

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, 0);
      g_test_trap_assert_passed ();
      return;
    }
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/medrefill-test-bus", TRUE);

  dir = temp_dir ();
  workflow_init (&w, 503);
  server = mr_test_server_new (workflow_cb, &w);
  session = session_new ();
  outbox = mr_outbox_new (dir, session);
  mr_outbox_set_workflow (outbox, mr_test_server_get_url (server), NULL);
  open_outbox (outbox);
  g_assert_false (mr_outbox_get_persistent (outbox));
  g_assert_cmpstr (mr_outbox_get_problem (outbox), ==, MR_OUTBOX_NO_KEYRING_MESSAGE);

  enqueue (outbox, "fefe0000-0000-4000-8000-00000000000b", &e);
  g_assert_no_error (e.error);
  g_assert_cmpint (e.outcome, ==, MR_OUTBOX_SAVED);
  wait_idle (outbox);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 1);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "");

  /* Kept in memory, it still goes out. */
  workflow_set_status (&w, 200);
  mr_outbox_retry_now (outbox, "fefe0000-0000-4000-8000-00000000000b");
  wait_idle (outbox);
  g_assert_cmpuint (workflow_count (&w), ==, 2);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 0);

  outbox_close (outbox);
  enqueued_clear (&e);
  g_clear_pointer (&server, mr_test_server_free);
  workflow_clear (&w);
  remove_tree (dir);
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

/* The key is made in the keyring on first use and found there by the next start. */
static void
test_keyring (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *account = g_strconcat ("outbox:", dir, NULL);
  g_autoptr(SoupSession) session = session_new ();
  MrOutbox *outbox;
  Enqueued e = { 0 };
  gboolean cleared = FALSE;

  outbox = mr_outbox_new (dir, session);
  open_outbox (outbox);
  if (!mr_outbox_get_persistent (outbox))
    {
      outbox_close (outbox);
      remove_tree (dir);
      if (keyring_required ())
        g_test_fail_printf ("MEDREFILL_REQUIRE_KEYRING=1 but the outbox found no keyring");
      else
        g_test_skip ("No Secret Service (run under scripts/run-tests, or set up gnome-keyring)");
      return;
    }
  g_assert_null (mr_outbox_get_problem (outbox));
  enqueue (outbox, "acac0000-0000-4000-8000-00000000000c", &e);
  g_assert_cmpint (e.outcome, ==, MR_OUTBOX_SAVED);
  outbox_close (outbox);

  outbox = mr_outbox_new (dir, session);
  open_outbox (outbox);
  g_assert_true (mr_outbox_get_persistent (outbox));
  g_assert_cmpuint (mr_outbox_get_damaged_count (outbox), ==, 0);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 1);
  outbox_close (outbox);

  mr_secret_clear_async (MR_SECRET_OUTBOX_KEY, account, NULL, clear_key_cb, &cleared);
  g_assert_true (mr_test_wait_for (&cleared, 20000));
  enqueued_clear (&e);
  remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/outbox/codec/round-trip", test_codec_round_trip);
  g_test_add_func ("/outbox/codec/tamper", test_codec_tamper);
  g_test_add_func ("/outbox/codec/origin-tamper", test_codec_origin_tamper);
  g_test_add_func ("/outbox/codec/version-1", test_codec_version_1);
  g_test_add_func ("/outbox/bound-to-origin", test_bound_to_origin);
  g_test_add_func ("/outbox/version-1-bound-at-first-read", test_version_1_bound_at_first_read);
  g_test_add_func ("/outbox/no-clear-text", test_no_clear_text);
  g_test_add_func ("/outbox/no-clear-text/search-can-fail", test_no_clear_text_can_fail);
  g_test_add_func ("/outbox/atomic", test_atomic);
  g_test_add_func ("/outbox/restart", test_restart);
  g_test_add_func ("/outbox/damaged", test_damaged);
  g_test_add_func ("/outbox/held-retry-discard", test_held_retry_discard);
  g_test_add_func ("/outbox/duplicate-and-invalid", test_duplicate_and_invalid);
  g_test_add_func ("/outbox/insecure-held", test_insecure_held);
  g_test_add_func ("/outbox/retry-policy", test_retry_policy);
  g_test_add_func ("/outbox/retry-after", test_retry_after);
  g_test_add_func ("/outbox/too-old", test_too_old);
  g_test_add_func ("/outbox/network-back", test_network_back);
  g_test_add_func ("/outbox/no-keyring", test_no_keyring);
  g_test_add_func ("/outbox/keyring", test_keyring);
  return g_test_run ();
}

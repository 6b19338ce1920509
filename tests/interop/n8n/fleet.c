/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fleet of simulated kiosks against the shipped workflow in a real n8n (issue 16), built on the
 * app's own outbox and delivery code: each kiosk has its own outbox folder and key and its own
 * patient, and sends its requests at a set rate with tokens this program mints (kiosk oid =
 * patient.object_id). Faults are made meanwhile with `run-n8n.sh fault`, one after another at
 * the times asked for. At the end it reads PostgreSQL for rows per Idempotency-Key and prints
 * one line of key=value results; --check makes it fail unless nothing was lost or doubled and
 * every request was accepted or held with a reason.
 *
 * Environment: what run-n8n.sh writes to STATE/n8n.env (MEDREFILL_N8N_*, PG*). */
#include "mr-delivery.h"

#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "mr-test-jwt.h"
#include "mr-test-refill.h"
#include "mr-test-server.h"
#include "mr-base.h"

#define CLINIC_KID "clinic-test-1"
#define STRANGER_OID "0ff1ce00-0000-4000-8000-000000000bad"

typedef struct _Kiosk Kiosk;

typedef enum { WAITING, ACCEPTED, HELD } Fate;

/* One request, from its enqueue to its fate. Times are monotonic µs. */
typedef struct {
  char     *request_id;
  Kiosk    *kiosk;
  gboolean  invalid;        /* sent on purpose with another patient's token: must be refused */
  gint64    enqueued;
  gint64    accepted;
  Fate      fate;
  char     *reference;
  char     *reason;
} Sent;

struct _Kiosk {
  guint        index;
  char        *dir;
  char        *patient_oid;
  SoupSession *session;
  MrOutbox    *outbox;
  guint        made;
  guint        timer;
};

typedef struct {
  char   *kind;
  double  at;               /* s after the start */
  gint64  began;
  gint64  ended;
} Fault;

static struct {
  int          kiosks;
  int          requests;
  double       rate;        /* requests per second, the whole fleet */
  int          invalid;     /* per kiosk, of its requests */
  char        *faults;      /* "worker@5,webhook@15" */
  double       drain;       /* s to wait for the last deliveries */
  char        *label;
  gboolean     check;
  /* Valid requests that --check lets be held (with a reason), and only when sent during a fault:
   * a restarted n8n process listens (and answers /healthz) a moment before it has its webhook
   * routes, and what arrives then gets a 404, which the outbox holds as "not active". */
  int          max_held;
} opt = { 5, 4, 5.0, 0, NULL, 120.0, NULL, FALSE, 0 };

static const char *issuer;
static const char *audience;
static char *url;
static GHashTable *sent_by_id;      /* request id → Sent */
static GPtrArray *all_sent;
static GPtrArray *faults;
static GPtrArray *kiosks;
static guint next_fault;
static gboolean fault_running;
static gint64 started;
static guint enqueues_pending;

/* ---- tokens ---------------------------------------------------------------------------------- */

static char *
token_for (const MrRefillRequest *request,
           const char            *oid)
{
  gint64 made = g_date_time_to_unix (request->created_at);
  g_autofree char *payload = g_strdup_printf (
    "{\"iss\":\"%s\",\"aud\":\"%s\",\"tid\":\"test-tenant\",\"oid\":\"%s\",\"sub\":\"%s\","
    "\"scp\":\"openid Refill.Submit\",\"iat\":%" G_GINT64_FORMAT ",\"nbf\":%" G_GINT64_FORMAT
    ",\"exp\":%" G_GINT64_FORMAT "}", issuer, audience, oid, oid, made - 60, made - 60,
    made + 3600);

  return mr_test_jwt_sign (mr_test_key_get (0), GNUTLS_SIGN_RSA_SHA256,
                           "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" CLINIC_KID "\"}",
                           payload);
}

static void
write_jwks (const char *path)
{
  g_autofree char *jwk = mr_test_key_jwk (mr_test_key_get (0), CLINIC_KID, "RS256", "sig");
  g_autofree char *jwks = g_strdup_printf ("{\"keys\":[%s]}", jwk);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, jwks, -1, &error))
    g_error ("cannot write the JWKS: %s", error->message);
}

/* ---- fates ----------------------------------------------------------------------------------- */

static void
sent_accept (Sent       *s,
             const char *reference)
{
  if (s->fate == ACCEPTED)
    return;
  s->fate = ACCEPTED;
  s->accepted = g_get_monotonic_time ();
  g_free (s->reference);
  s->reference = g_strdup (reference);
}

static void
delivered_cb (MrOutbox   *outbox,
              const char *request_id,
              const char *reference,
              gpointer    user_data)
{
  Sent *s = g_hash_table_lookup (sent_by_id, request_id);

  if (s != NULL)
    sent_accept (s, reference);
}

static void
enqueue_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Sent *s = user_data;
  g_autofree char *detail = NULL;
  g_autoptr(GError) error = NULL;
  MrOutboxOutcome outcome;

  enqueues_pending--;
  outcome = mr_outbox_enqueue_finish (MR_OUTBOX (source), result, &detail, &error);
  if (error != NULL)
    g_error ("the outbox could not keep a request: %s", error->message);
  if (outcome == MR_OUTBOX_SENT)
    sent_accept (s, detail);
  else if (outcome == MR_OUTBOX_HELD)
    {
      s->fate = HELD;
      s->reason = g_steal_pointer (&detail);
    }
}

/* ---- kiosks ---------------------------------------------------------------------------------- */

static void
kiosk_send_one (Kiosk *k)
{
  g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
  g_autofree char *token = NULL;
  Sent *s = g_new0 (Sent, 1);

  mr_test_replace_directory (request, id, k->patient_oid);
  g_assert_true (mr_refill_request_validate (request, NULL));
  s->kiosk = k;
  s->request_id = g_strdup (request->request_id);
  /* The first ones of a kiosk, so that they are sent before any fault. */
  s->invalid = k->made < (guint) opt.invalid;
  token = token_for (request, s->invalid ? STRANGER_OID : k->patient_oid);
  s->enqueued = g_get_monotonic_time ();
  g_hash_table_insert (sent_by_id, s->request_id, s);
  g_ptr_array_add (all_sent, s);
  enqueues_pending++;
  mr_outbox_enqueue_request_async (k->outbox, request, token, NULL, enqueue_cb, s);
  k->made++;
}

static gboolean
kiosk_tick_cb (gpointer data)
{
  Kiosk *k = data;

  kiosk_send_one (k);
  if (k->made < (guint) opt.requests)
    return G_SOURCE_CONTINUE;
  k->timer = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
kiosk_first_cb (gpointer data)
{
  Kiosk *k = data;
  /* Every kiosk at rate / kiosks requests per second, the kiosks evenly staggered. */
  guint interval = (guint) (1000.0 * opt.kiosks / opt.rate);

  kiosk_send_one (k);
  k->timer = k->made < (guint) opt.requests ? g_timeout_add (interval, kiosk_tick_cb, k) : 0;
  return G_SOURCE_REMOVE;
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!mr_outbox_open_finish (MR_OUTBOX (source), result, &error))
    g_error ("an outbox did not open: %s", error->message);
  (*(guint *) user_data)++;
}

static Kiosk *
kiosk_new (guint       index,
           const char *root,
           guint      *opened)
{
  Kiosk *k = g_new0 (Kiosk, 1);
  g_autofree char *name = g_strdup_printf ("kiosk-%03u", index);
  guint8 key[MR_OUTBOX_KEY_SIZE];

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) g_random_int ();
  k->index = index;
  k->dir = g_build_filename (root, name, NULL);
  k->patient_oid = g_uuid_string_random ();
  /* What the app's session has: a bounded wait, so that an answer lost in a fault is retried. */
  k->session = soup_session_new_with_options ("proxy-resolver", NULL, "timeout", 20, NULL);
  k->outbox = mr_outbox_new_with_key (k->dir, k->session, key);
  mr_outbox_set_workflow (k->outbox, url, NULL);
  g_signal_connect (k->outbox, "delivered", G_CALLBACK (delivered_cb), NULL);
  mr_outbox_open_async (k->outbox, NULL, open_cb, opened);
  return k;
}

/* ---- the app-side fault: an answer cut after n8n filed the request --------------------------- */

/* With a "cut" fault in the list, the kiosks reach n8n through this relay on 127.0.0.1. While a
 * cut lasts, every answer n8n sends is dropped together with both connections, so the workflow
 * has run (and filed the request) but the kiosk never hears of it: what a dropped Wi-Fi does
 * after the upload. The outbox must send it again with the same key and get the first
 * reference, and PostgreSQL must still hold one row. A cut lasts CUT_SECONDS, and longer (up to
 * CUT_MAX_SECONDS) until it has cut an answer, so that a slow machine's run still has one. */
#define CUT_SECONDS 3
#define CUT_MAX_SECONDS 30

static gboolean cutting;
static guint answers_cut;
static guint answers_cut_before;
static guint16 upstream_port;

typedef struct {
  int                refs;
  GCancellable      *cancel;
  GSocketConnection *client;
  GSocketConnection *upstream;
} Relay;

typedef struct {
  Relay         *relay;
  GInputStream  *in;
  GOutputStream *out;
  gboolean       answers;   /* n8n → kiosk */
  guint8         buf[16384];
} Pump;

static void
relay_unref (Relay *r)
{
  if (--r->refs > 0)
    return;
  g_clear_object (&r->client);
  g_clear_object (&r->upstream);
  g_object_unref (r->cancel);
  g_free (r);
}

/* Both connections shut at once: the kiosk sees its connection end without an answer. */
static void
relay_cut (Relay *r)
{
  g_cancellable_cancel (r->cancel);
  if (r->client != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (r->client), TRUE, TRUE, NULL);
  if (r->upstream != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (r->upstream), TRUE, TRUE, NULL);
}

static void pump_read (Pump *p);

static void
pump_end (Pump *p)
{
  relay_cut (p->relay);
  relay_unref (p->relay);
  g_free (p);
}

static void
pump_written_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pump *p = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    pump_end (p);
  else
    pump_read (p);
}

static void
pump_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pump *p = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      pump_end (p);
      return;
    }
  if (p->answers && cutting)
    {
      answers_cut++;
      pump_end (p);
      return;
    }
  g_output_stream_write_all_async (p->out, p->buf, (gsize) n, G_PRIORITY_DEFAULT,
                                   p->relay->cancel, pump_written_cb, p);
}

static void
pump_read (Pump *p)
{
  g_input_stream_read_async (p->in, p->buf, sizeof p->buf, G_PRIORITY_DEFAULT, p->relay->cancel,
                             pump_read_cb, p);
}

static void
pump_start (Relay             *r,
            GSocketConnection *from,
            GSocketConnection *to,
            gboolean           answers)
{
  Pump *p = g_new0 (Pump, 1);

  r->refs++;
  p->relay = r;
  p->in = g_io_stream_get_input_stream (G_IO_STREAM (from));
  p->out = g_io_stream_get_output_stream (G_IO_STREAM (to));
  p->answers = answers;
  pump_read (p);
}

static void
relay_connected_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Relay *r = user_data;

  r->upstream = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, NULL);
  g_object_unref (source);
  if (r->upstream == NULL)
    relay_cut (r);     /* n8n down: the kiosk's connection ends, as a refused one would */
  else
    {
      pump_start (r, r->client, r->upstream, FALSE);
      pump_start (r, r->upstream, r->client, TRUE);
    }
  relay_unref (r);
}

static gboolean
relay_incoming_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source,
                   gpointer           user_data)
{
  Relay *r = g_new0 (Relay, 1);
  GSocketClient *client = g_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (loopback, upstream_port);

  r->refs = 1;
  r->cancel = g_cancellable_new ();
  r->client = g_object_ref (connection);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (to), r->cancel,
                                 relay_connected_cb, r);
  return TRUE;
}

/* Starts the relay in front of n8n's @port; returns its own port. */
static guint16
relay_start (guint16 port)
{
  GSocketService *service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  upstream_port = port;
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), any, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error))
    g_error ("the relay cannot listen: %s", error->message);
  g_signal_connect (service, "incoming", G_CALLBACK (relay_incoming_cb), NULL);
  g_socket_service_start (service);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* ---- faults ---------------------------------------------------------------------------------- */

static void fault_schedule (void);

/* A fault is over: the next one, and the network coming back, as the app's monitor would say
 * it: every kiosk tries now. */
static void
fault_over (Fault *f)
{
  f->ended = g_get_monotonic_time ();
  g_printerr ("fleet: fault %s over after %.1f s\n", f->kind,
              (f->ended - f->began) / (double) G_USEC_PER_SEC);
  fault_running = FALSE;
  next_fault++;
  for (guint i = 0; i < kiosks->len; i++)
    mr_outbox_send_all_now (((Kiosk *) g_ptr_array_index (kiosks, i))->outbox);
  fault_schedule ();
}

static void
fault_done_cb (GPid     pid,
               gint     status,
               gpointer user_data)
{
  Fault *f = user_data;
  g_autoptr(GError) error = NULL;

  g_spawn_close_pid (pid);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("run-n8n.sh fault %s failed: %s", f->kind, error->message);
  fault_over (f);
}

static gboolean
cut_tick_cb (gpointer data)
{
  Fault *f = data;
  gint64 lasted = g_get_monotonic_time () - f->began;

  if (lasted < CUT_SECONDS * G_USEC_PER_SEC
      || (answers_cut == answers_cut_before && lasted < CUT_MAX_SECONDS * G_USEC_PER_SEC))
    return G_SOURCE_CONTINUE;
  cutting = FALSE;
  fault_over (f);
  return G_SOURCE_REMOVE;
}

static gboolean
fault_start_cb (gpointer data)
{
  Fault *f = data;
  const char *argv[] = {
    g_getenv ("MEDREFILL_N8N_CONTROL"), "fault", g_getenv ("MEDREFILL_N8N_STATE"), f->kind, NULL
  };
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_printerr ("fleet: fault %s at %.1f s\n", f->kind,
              (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  f->began = g_get_monotonic_time ();
  if (g_str_equal (f->kind, "cut"))
    {
      cutting = TRUE;
      answers_cut_before = answers_cut;
      g_timeout_add (250, cut_tick_cb, f);
      return G_SOURCE_REMOVE;
    }
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid,
                      &error))
    g_error ("cannot run run-n8n.sh: %s", error->message);
  g_child_watch_add (pid, fault_done_cb, f);
  return G_SOURCE_REMOVE;
}

/* The next fault at its time, or at once when the one before it ran past that. */
static void
fault_schedule (void)
{
  Fault *f;
  double now;

  if (next_fault >= faults->len)
    return;
  f = g_ptr_array_index (faults, next_fault);
  fault_running = TRUE;
  now = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  g_timeout_add ((guint) (MAX (0.0, f->at - now) * 1000), fault_start_cb, f);
}

static void
fault_free (Fault *f)
{
  g_free (f->kind);
  g_free (f);
}

static void
parse_faults (void)
{
  g_auto(GStrv) parts = NULL;

  faults = g_ptr_array_new_with_free_func ((GDestroyNotify) fault_free);
  if (opt.faults == NULL || *opt.faults == '\0')
    return;
  parts = g_strsplit (opt.faults, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      Fault *f = g_new0 (Fault, 1);
      char *at = strchr (parts[i], '@');

      f->kind = g_strndup (parts[i], at != NULL ? (gsize) (at - parts[i]) : strlen (parts[i]));
      f->at = at != NULL ? g_ascii_strtod (at + 1, NULL) : 0.0;
      g_ptr_array_add (faults, f);
    }
}

static gboolean
has_cut (void)
{
  for (guint i = 0; i < faults->len; i++)
    if (g_str_equal (((Fault *) g_ptr_array_index (faults, i))->kind, "cut"))
      return TRUE;
  return FALSE;
}

/* Whether [@a, @b] overlaps a fault's window, widened by a second on each side. */
static gboolean
in_fault_window (gint64 a,
                 gint64 b)
{
  for (guint i = 0; i < faults->len; i++)
    {
      Fault *f = g_ptr_array_index (faults, i);

      if (f->began != 0 && a <= f->ended + G_USEC_PER_SEC && b >= f->began - G_USEC_PER_SEC)
        return TRUE;
    }
  return FALSE;
}

/* ---- the end --------------------------------------------------------------------------------- */

static gboolean
all_decided (void)
{
  if (enqueues_pending > 0 || all_sent->len < (guint) (opt.kiosks * opt.requests))
    return FALSE;
  for (guint i = 0; i < all_sent->len; i++)
    if (((Sent *) g_ptr_array_index (all_sent, i))->fate == WAITING)
      return FALSE;
  return TRUE;
}

/* Requests that the outbox held after a later attempt (a refusal after a retry). */
static void
collect_held (Kiosk *k)
{
  g_autoptr(GPtrArray) items = mr_outbox_list_items (k->outbox);

  for (guint i = 0; i < items->len; i++)
    {
      MrOutboxItem *item = g_ptr_array_index (items, i);
      Sent *s = g_hash_table_lookup (sent_by_id, item->request_id);

      if (s != NULL && s->fate == WAITING && item->state == MR_OUTBOX_STATE_HELD)
        {
          s->fate = HELD;
          s->reason = g_strdup (item->last_error);
        }
    }
}

static char *
sql (const char *query)
{
  g_autofree char *psql = g_build_filename (g_getenv ("MEDREFILL_PG_BIN"), "psql", NULL);
  const char *argv[] = {
    psql, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", "medrefill", "-c", query, NULL
  };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                     &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("psql failed: %s %s", error->message, err != NULL ? err : "");
  return g_steal_pointer (&out);
}

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
percentile_ms (GArray *sorted,
               double  p)
{
  guint i;

  if (sorted->len == 0)
    return 0.0;
  i = (guint) MIN ((double) sorted->len - 1, p * sorted->len);
  return g_array_index (sorted, gint64, i) / 1000.0;
}

typedef struct {
  guint accepted, refused, held, held_outside_faults, filed_but_held, held_no_reason, pending,
        filed_but_pending, lost, duplicates, rows, wrong_reference;
} Counts;

/* Compares every request's fate with what PostgreSQL holds for its Idempotency-Key. */
static void
count (Counts *c)
{
  g_autofree char *rows = sql ("SELECT idempotency_key || ' ' || reference FROM refill_requests");
  g_autoptr(GHashTable) filed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit (rows, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *space = strchr (lines[i], ' ');
      char *key;

      if (space == NULL)
        continue;
      key = g_strndup (lines[i], space - lines[i]);
      if (g_hash_table_lookup (sent_by_id, key) == NULL)
        {
          g_free (key);
          continue;
        }
      c->rows++;
      if (g_hash_table_contains (filed, key))
        c->duplicates++;
      g_hash_table_replace (filed, key, g_strdup (space + 1));
    }
  for (guint i = 0; i < all_sent->len; i++)
    {
      Sent *s = g_ptr_array_index (all_sent, i);
      const char *reference = g_hash_table_lookup (filed, s->request_id);

      if (s->fate == ACCEPTED)
        {
          c->accepted++;
          if (reference == NULL)
            {
              /* The outbox was told "accepted" but nothing was filed: the worst outcome. */
              if (c->lost++ < 5)
                g_printerr ("fleet: accepted with reference “%s” (%s) but not filed\n",
                            s->reference != NULL ? s->reference : "(none)",
                            s->invalid ? "an invalid one" : "a valid one");
            }
          else if (g_strcmp0 (reference, s->reference) != 0)
            c->wrong_reference++;
        }
      else if (s->fate == HELD)
        {
          if (s->invalid)
            c->refused++;
          else
            {
              c->held++;
              c->held_outside_faults += !in_fault_window (s->enqueued, s->enqueued);
              /* Filed by an attempt whose answer was lost, then held on a later one: the
               * pharmacy has it once, and staff sending it again get its first reference. */
              c->filed_but_held += reference != NULL;
            }
          if (s->reason == NULL || *s->reason == '\0')
            c->held_no_reason++;
        }
      else
        {
          c->pending++;
          c->filed_but_pending += reference != NULL;
        }
    }
}

/* Why requests were held, and how many for each reason, valid and invalid apart. */
static void
print_reasons (void)
{
  g_autoptr(GHashTable) reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < all_sent->len; i++)
    {
      Sent *s = g_ptr_array_index (all_sent, i);
      char *what;

      if (s->fate != HELD)
        continue;
      what = g_strdup_printf ("%s: %s", s->invalid ? "refused" : "held",
                              s->reason != NULL ? s->reason : "(no reason)");
      if (!s->invalid)
        g_printerr ("fleet: a valid request held, enqueued at %.1f s\n",
                    (s->enqueued - started) / (double) G_USEC_PER_SEC);
      value = g_hash_table_lookup (reasons, what);
      g_hash_table_replace (reasons, what, GUINT_TO_POINTER (GPOINTER_TO_UINT (value) + 1));
    }
  g_hash_table_iter_init (&iter, reasons);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_printerr ("fleet: %u %s\n", GPOINTER_TO_UINT (value), (const char *) key);
}

/* Prints the result line; FALSE when --check is given and the run does not pass. */
static gboolean
report (gint64 finished)
{
  Counts c = { 0 };
  struct rusage usage = { 0 };
  g_autoptr(GArray) lat = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) clean = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 last = started;
  double seconds;
  guint invalid = 0;

  count (&c);
  print_reasons ();
  for (guint i = 0; i < all_sent->len; i++)
    {
      Sent *s = g_ptr_array_index (all_sent, i);
      gint64 d;

      invalid += s->invalid;
      if (s->fate != ACCEPTED)
        continue;
      d = s->accepted - s->enqueued;
      g_array_append_val (lat, d);
      if (!in_fault_window (s->enqueued, s->accepted))
        g_array_append_val (clean, d);
      last = MAX (last, s->accepted);
    }
  g_array_sort (lat, cmp_gint64);
  g_array_sort (clean, cmp_gint64);
  seconds = (last - started) / (double) G_USEC_PER_SEC;
  getrusage (RUSAGE_SELF, &usage);
  /* The fleet driver's own CPU too: it shares the machine with n8n. */
  g_print ("label=%s mode=%s kiosks=%d requests=%d rate=%.1f faults=%s sent=%u invalid=%u "
           "accepted=%u refused=%u held=%u held_outside_faults=%u filed_but_held=%u "
           "held_without_reason=%u pending=%u filed_but_pending=%u lost=%u "
           "duplicates=%u rows=%u wrong_reference=%u answers_cut=%u p50_ms=%.0f p95_ms=%.0f "
           "p99_ms=%.0f p99_outside_faults_ms=%.0f outside_faults=%u rps=%.2f seconds=%.1f "
           "cpu_s=%.1f\n",
           opt.label != NULL ? opt.label : "-", g_getenv ("MEDREFILL_N8N_MODE"), opt.kiosks,
           opt.requests, opt.rate, opt.faults != NULL && *opt.faults ? opt.faults : "none",
           all_sent->len, invalid, c.accepted, c.refused, c.held, c.held_outside_faults,
           c.filed_but_held, c.held_no_reason, c.pending, c.filed_but_pending, c.lost,
           c.duplicates, c.rows, c.wrong_reference, answers_cut, percentile_ms (lat, 0.50),
           percentile_ms (lat, 0.95), percentile_ms (lat, 0.99), percentile_ms (clean, 0.99),
           clean->len, seconds > 0 ? c.accepted / seconds : 0.0,
           (finished - started) / (double) G_USEC_PER_SEC,
           usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
           + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6);
  if (opt.check)
    {
      gboolean ok = c.lost == 0 && c.duplicates == 0 && c.pending == 0 && c.held_no_reason == 0
                    && c.wrong_reference == 0 && c.refused == invalid
                    && c.held <= (guint) opt.max_held && c.held_outside_faults == 0
                    && c.accepted + c.refused + c.held == all_sent->len
                    && (!has_cut () || answers_cut > 0);

      if (!ok)
        {
          g_printerr ("fleet: FAILED: every request must be accepted once or held with a reason, "
                      "the %u invalid ones refused, at most %d valid ones held, none of them "
                      "outside a fault, and a cut must have cut answers\n", invalid,
                      opt.max_held);
          return FALSE;
        }
    }
  return TRUE;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "kiosks", 'n', 0, G_OPTION_ARG_INT, &opt.kiosks, "Kiosks", "N" },
    { "requests", 'm', 0, G_OPTION_ARG_INT, &opt.requests, "Requests per kiosk", "M" },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &opt.rate, "Requests per second, whole fleet", "R" },
    { "invalid", 0, 0, G_OPTION_ARG_INT, &opt.invalid,
      "Requests per kiosk sent with another patient's token (must be refused)", "K" },
    { "faults", 'f', 0, G_OPTION_ARG_STRING, &opt.faults,
      "Faults and when, in s from the start: worker@5,webhook@15,cut@20,… (cut: for "
      G_STRINGIFY (CUT_SECONDS) " s, and until one is, every answer is dropped after n8n filed "
      "the request)", "LIST" },
    { "drain", 0, 0, G_OPTION_ARG_DOUBLE, &opt.drain, "Seconds to wait for the last ones", "S" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &opt.label, "A name for the result line", "TEXT" },
    { "check", 0, 0, G_OPTION_ARG_NONE, &opt.check,
      "Fail unless nothing was lost or doubled", NULL },
    { "max-held", 0, 0, G_OPTION_ARG_INT, &opt.max_held,
      "With --check: valid requests that may be held with a reason (default 0)", "H" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— kiosks against n8n");
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *n8n_url = NULL;
  guint opened = 0;
  gint64 deadline, nudge;
  guint keep;
  gboolean passed;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (opt.kiosks < 1 || opt.requests < 1 || opt.rate <= 0 || opt.invalid > opt.requests)
    g_error ("--kiosks, --requests and --rate must be positive, --invalid at most --requests");
  n8n_url = g_strdup (g_getenv ("MEDREFILL_N8N_URL"));
  issuer = g_getenv ("MEDREFILL_N8N_ISSUER");
  audience = g_getenv ("MEDREFILL_N8N_AUDIENCE");
  if (n8n_url == NULL || issuer == NULL || audience == NULL || g_getenv ("MEDREFILL_PG_BIN") == NULL
      || g_getenv ("MEDREFILL_N8N_JWKS_FILE") == NULL)
    g_error ("MEDREFILL_N8N_* are not set: source the n8n.env of run-n8n.sh start");
  /* Only ever the n8n that run-n8n.sh started on this computer. */
  g_assert_true (g_str_has_prefix (n8n_url, "http://127.0.0.1:"));
  write_jwks (g_getenv ("MEDREFILL_N8N_JWKS_FILE"));
  parse_faults ();
  if (has_cut ())
    {
      const char *port = n8n_url + strlen ("http://127.0.0.1:");
      guint16 relay = relay_start ((guint16) g_ascii_strtoull (port, NULL, 10));

      url = g_strdup_printf ("http://127.0.0.1:%u/webhook/medication-refill", relay);
    }
  else
    url = g_strconcat (n8n_url, "/webhook/medication-refill", NULL);
  sent_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  all_sent = g_ptr_array_new ();

  kiosks = g_ptr_array_new ();
  root = g_dir_make_tmp ("medrefill-fleet-XXXXXX", &error);
  g_assert_no_error (error);
  for (int i = 0; i < opt.kiosks; i++)
    g_ptr_array_add (kiosks, kiosk_new (i, root, &opened));
  keep = g_timeout_add (50, tick_cb, NULL);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (opened < kiosks->len && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (opened < kiosks->len)
    g_error ("only %u of %u outboxes opened in 60 s", opened, kiosks->len);
  started = g_get_monotonic_time ();
  for (guint i = 0; i < kiosks->len; i++)
    g_timeout_add ((guint) (1000.0 * i / opt.rate), kiosk_first_cb, g_ptr_array_index (kiosks, i));
  fault_schedule ();

  /* Until every request is decided and every fault is over, then at most --drain more seconds.
   * After the last fault, every few seconds, what the network coming back does: each outbox
   * sends what it has now instead of after its backoff. */
  deadline = G_MAXINT64;
  nudge = 0;
  while (!(all_decided () && !fault_running && next_fault >= faults->len))
    {
      gint64 now = g_get_monotonic_time ();

      if (next_fault >= faults->len && !fault_running && all_sent->len
          == (guint) (opt.kiosks * opt.requests) && deadline == G_MAXINT64)
        deadline = now + (gint64) (opt.drain * G_USEC_PER_SEC);
      if (now >= deadline)
        break;
      if (next_fault >= faults->len && now >= nudge)
        {
          for (guint i = 0; i < kiosks->len; i++)
            {
              Kiosk *k = g_ptr_array_index (kiosks, i);

              collect_held (k);
              if (mr_outbox_get_pending_count (k->outbox) > 0)
                mr_outbox_send_all_now (k->outbox);
            }
          nudge = now + 5 * G_USEC_PER_SEC;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  for (guint i = 0; i < kiosks->len; i++)
    collect_held (g_ptr_array_index (kiosks, i));
  passed = report (g_get_monotonic_time ());
  for (guint i = 0; i < kiosks->len; i++)
    mr_outbox_shutdown (((Kiosk *) g_ptr_array_index (kiosks, i))->outbox);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (guint i = 0; i < kiosks->len; i++)
    while (mr_outbox_get_busy_count (((Kiosk *) g_ptr_array_index (kiosks, i))->outbox) > 0
           && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  remove_tree (root);
  g_source_remove (keep);
  return passed ? 0 : 1;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outbox's record and its file format: what one request file holds, sealed and opened.
 * Pure: no I/O (that is mr-outbox-disk.c), no main loop. */
#include "mr-outbox-record.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "mr-util.h"

/* File layout (all of it is authenticated; only the part after the nonce is secret):
 *
 *   "MROX" | version (2) | id length (1) | request id | origin length (1) | origin | nonce (12)
 *   | AES-256-GCM ciphertext | tag (16)
 *
 * The header up to the nonce is the associated data, so a file renamed to another request's name,
 * or with its id or its origin edited, fails to decrypt. The request id is a random UUID and the
 * origin the workflow's scheme://host:port: no patient data. Version 1 had no origin length and
 * origin; such files are still read (the queue binds them to the workflow address in effect when
 * it first meets them, and writes them again as version 2). An empty origin is a record not bound
 * yet. */
#define MAGIC         "MROX"
#define MAGIC_LEN     4
#define VERSION_1     1
#define VERSION       2
#define NONCE_LEN     12
#define TAG_LEN       16
#define MAX_ID_LEN    64

G_DEFINE_QUARK (mr-outbox-error-quark, mr_outbox_error)

MrOutboxRecord *
mr_outbox_record_new (void)
{
  return g_new0 (MrOutboxRecord, 1);
}

MrOutboxRecord *
mr_outbox_record_copy (const MrOutboxRecord *record)
{
  MrOutboxRecord *copy = g_new0 (MrOutboxRecord, 1);

  *copy = *record;
  copy->request_id = g_strdup (record->request_id);
  copy->origin = g_strdup (record->origin);
  copy->payload = g_strdup (record->payload);
  copy->access_token = g_strdup (record->access_token);
  copy->last_error = g_strdup (record->last_error);
  copy->patient = g_strdup (record->patient);
  copy->medicines = g_strdupv (record->medicines);
  return copy;
}

static void
wipe_string (char *s)
{
  if (s != NULL)
    explicit_bzero (s, strlen (s));
  g_free (s);
}

void
mr_outbox_record_free (MrOutboxRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->request_id);
  g_free (record->origin);
  wipe_string (record->payload);
  wipe_string (record->access_token);
  g_free (record->last_error);
  wipe_string (record->patient);
  if (record->medicines != NULL)
    for (char **m = record->medicines; *m != NULL; m++)
      explicit_bzero (*m, strlen (*m));
  g_strfreev (record->medicines);
  g_free (record);
}

gboolean
mr_outbox_id_is_valid (const char *request_id)
{
  gsize len;

  if (request_id == NULL)
    return FALSE;
  len = strlen (request_id);
  if (len == 0 || len > MAX_ID_LEN)
    return FALSE;
  for (const char *p = request_id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* ---- the envelope (clear text, only ever in memory) --------------------------------------- */

static char *
envelope_to_json (const MrOutboxRecord *record)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "request_id");
  json_builder_add_string_value (builder, record->request_id);
  if (record->origin != NULL)
    {
      json_builder_set_member_name (builder, "origin");
      json_builder_add_string_value (builder, record->origin);
    }
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_int_value (builder, record->created_at);
  json_builder_set_member_name (builder, "payload");
  json_builder_add_string_value (builder, record->payload);
  if (record->access_token != NULL)
    {
      json_builder_set_member_name (builder, "access_token");
      json_builder_add_string_value (builder, record->access_token);
    }
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, record->attempts);
  json_builder_set_member_name (builder, "next_attempt_at");
  json_builder_add_int_value (builder, record->next_attempt_at);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder,
                                 record->state == MR_OUTBOX_STATE_HELD ? "held" : "pending");
  if (record->last_error != NULL)
    {
      json_builder_set_member_name (builder, "last_error");
      json_builder_add_string_value (builder, record->last_error);
    }
  json_builder_set_member_name (builder, "summary");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "patient");
  json_builder_add_string_value (builder, record->patient ? record->patient : "");
  json_builder_set_member_name (builder, "medicines");
  json_builder_begin_array (builder);
  for (char **m = record->medicines; m != NULL && *m != NULL; m++)
    json_builder_add_string_value (builder, *m);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return mr_json_to_string (root);
}

/* Type-checked readers: the envelope is authenticated, but a fuzzer holds the key too. */
static gboolean
get_int (JsonObject *object,
         const char *member,
         gint64     *out)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static char **
get_medicines (JsonObject *summary)
{
  JsonNode *node = summary ? json_object_get_member (summary, "medicines") : NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strv_builder_end (builder);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}

static JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static MrOutboxRecord *
envelope_from_json (const char *text,
                    gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(MrOutboxRecord) record = mr_outbox_record_new ();
  JsonObject *object, *summary;
  JsonNode *root;
  const char *state;
  gint64 attempts;

  if (!g_utf8_validate (text, len, NULL) || !mr_json_text_is_safe (text, len) ||
      !json_parser_load_from_data (parser, text, len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  record->request_id = g_strdup (mr_json_get_string (object, "request_id"));
  record->origin = g_strdup (mr_json_get_string (object, "origin"));
  record->payload = g_strdup (mr_json_get_string (object, "payload"));
  /* Absent in files of versions before the clinic API token: those go out without one. */
  record->access_token = g_strdup (mr_json_get_string (object, "access_token"));
  state = mr_json_get_string (object, "state");
  if (!mr_outbox_id_is_valid (record->request_id) || record->payload == NULL || state == NULL
      || !get_int (object, "created_at", &record->created_at)
      || !get_int (object, "next_attempt_at", &record->next_attempt_at)
      || !get_int (object, "attempts", &attempts) || attempts < 0)
    return NULL;
  if (g_str_equal (state, "held"))
    record->state = MR_OUTBOX_STATE_HELD;
  else if (!g_str_equal (state, "pending"))
    return NULL;
  record->attempts = (guint) MIN (attempts, G_MAXUINT);
  record->last_error = g_strdup (mr_json_get_string (object, "last_error"));
  summary = get_object (object, "summary");
  record->patient = g_strdup (summary ? mr_json_get_string (summary, "patient") : NULL);
  record->medicines = get_medicines (summary);
  return g_steal_pointer (&record);
}

/* ---- encryption ------------------------------------------------------------------------------ */

static gnutls_aead_cipher_hd_t
cipher_new (const guint8 key[MR_OUTBOX_KEY_SIZE])
{
  gnutls_aead_cipher_hd_t handle = NULL;
  gnutls_datum_t datum = { (unsigned char *) key, MR_OUTBOX_KEY_SIZE };

  if (gnutls_aead_cipher_init (&handle, GNUTLS_CIPHER_AES_256_GCM, &datum) < 0)
    g_error ("AES-256-GCM is not available from GnuTLS");
  return handle;
}

GBytes *
mr_outbox_encode_file (const MrOutboxRecord *record,
                       const guint8          key[MR_OUTBOX_KEY_SIZE])
{
  g_autofree char *clear = NULL;
  gnutls_aead_cipher_hd_t cipher;
  GByteArray *out;
  gsize id_len, origin_len, header_len, clear_len, cipher_len;
  guint8 nonce[NONCE_LEN];

  g_return_val_if_fail (record != NULL && mr_outbox_id_is_valid (record->request_id), NULL);
  g_return_val_if_fail (record->origin == NULL || *record->origin != '\0', NULL);
  g_return_val_if_fail (record->origin == NULL
                        || strlen (record->origin) <= MR_OUTBOX_MAX_ORIGIN_LEN, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  clear = envelope_to_json (record);
  clear_len = strlen (clear);
  id_len = strlen (record->request_id);
  origin_len = record->origin != NULL ? strlen (record->origin) : 0;
  header_len = MAGIC_LEN + 2 + id_len + 1 + origin_len;
  cipher_len = clear_len + TAG_LEN;

  out = g_byte_array_sized_new (header_len + NONCE_LEN + cipher_len);
  g_byte_array_append (out, (const guint8 *) MAGIC, MAGIC_LEN);
  g_byte_array_append (out, (const guint8[]) { VERSION, (guint8) id_len }, 2);
  g_byte_array_append (out, (const guint8 *) record->request_id, id_len);
  g_byte_array_append (out, (const guint8[]) { (guint8) origin_len }, 1);
  if (origin_len > 0)
    g_byte_array_append (out, (const guint8 *) record->origin, origin_len);
  mr_random_bytes (nonce, NONCE_LEN);
  g_byte_array_append (out, nonce, NONCE_LEN);
  g_byte_array_set_size (out, header_len + NONCE_LEN + cipher_len);

  cipher = cipher_new (key);
  if (gnutls_aead_cipher_encrypt (cipher, nonce, NONCE_LEN, out->data, header_len, TAG_LEN,
                                  clear, clear_len, out->data + header_len + NONCE_LEN,
                                  &cipher_len) < 0)
    g_error ("AES-256-GCM encryption failed");
  gnutls_aead_cipher_deinit (cipher);
  explicit_bzero (clear, clear_len);
  return g_byte_array_free_to_bytes (out);
}

static gpointer
damaged (GError **error)
{
  g_set_error_literal (error, MR_OUTBOX_ERROR, MR_OUTBOX_ERROR_DAMAGED,
                       _("A saved request could not be read: the file is damaged, or was saved "
                         "with another keyring."));
  return NULL;
}

MrOutboxRecord *
mr_outbox_decode_file (const guint8  *data,
                       gsize          len,
                       const guint8   key[MR_OUTBOX_KEY_SIZE],
                       GError       **error)
{
  g_autofree char *clear = NULL;
  g_autofree char *id = NULL;
  g_autofree char *origin = NULL;
  gnutls_aead_cipher_hd_t cipher;
  MrOutboxRecord *record;
  gsize id_len, origin_len = 0, header_len, clear_len;
  int ret;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (len < MAGIC_LEN + 2 || len > MR_OUTBOX_MAX_FILE_SIZE
      || memcmp (data, MAGIC, MAGIC_LEN) != 0
      || (data[MAGIC_LEN] != VERSION && data[MAGIC_LEN] != VERSION_1))
    return damaged (error);
  id_len = data[MAGIC_LEN + 1];
  header_len = MAGIC_LEN + 2 + id_len;
  if (data[MAGIC_LEN] == VERSION)
    {
      if (len < header_len + 1)
        return damaged (error);
      origin_len = data[header_len];
      header_len += 1 + origin_len;
    }
  if (len < header_len + NONCE_LEN + TAG_LEN)
    return damaged (error);
  id = g_strndup ((const char *) data + MAGIC_LEN + 2, id_len);
  if (strlen (id) != id_len || !mr_outbox_id_is_valid (id))
    return damaged (error);
  if (origin_len > 0)
    {
      origin = g_strndup ((const char *) data + MAGIC_LEN + 2 + id_len + 1, origin_len);
      if (strlen (origin) != origin_len)
        return damaged (error);
    }

  clear_len = len - header_len - NONCE_LEN - TAG_LEN;
  clear = g_malloc (clear_len + 1);
  cipher = cipher_new (key);
  ret = gnutls_aead_cipher_decrypt (cipher, data + header_len, NONCE_LEN, data, header_len,
                                    TAG_LEN, data + header_len + NONCE_LEN,
                                    len - header_len - NONCE_LEN, clear, &clear_len);
  gnutls_aead_cipher_deinit (cipher);
  if (ret < 0)
    return damaged (error);

  clear[clear_len] = '\0';
  record = envelope_from_json (clear, clear_len);
  explicit_bzero (clear, clear_len);
  /* The origin in the clear header is the one authenticated; the envelope must agree. */
  if (record == NULL || !g_str_equal (record->request_id, id)
      || g_strcmp0 (record->origin, origin) != 0)
    {
      mr_outbox_record_free (record);
      return damaged (error);
    }
  return record;
}

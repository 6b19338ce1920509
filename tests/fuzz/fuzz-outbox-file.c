/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_outbox_decode_file() on any bytes (first byte even), and on files that are correctly
 * encrypted under the key but hold any plaintext (first byte odd), so that what sits behind the
 * GCM check — the record's JSON — is fuzzed too. Every input either decodes to a record with a
 * valid id or fails as damaged; a decoded record encodes and decodes back the same. */
#include <string.h>

#include <gnutls/crypto.h>

#include "mr-delivery.h"

#include "fuzz-common.h"

/* A TEST KEY, fixed so that runs are repeatable; it protects nothing. */
static const guint8 test_key[MR_OUTBOX_KEY_SIZE] = {
  0x6d, 0x72, 0x2d, 0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x2d, 0x6b, 0x65, 0x79,
  0x2d, 0x6e, 0x6f, 0x74, 0x2d, 0x61, 0x2d, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x2d, 0x30, 0x31,
};

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

/* The file format of mr-outbox-record.c's version 1 (still read; version 2 adds the origin to the
 * header): "MROX", version 1, id length, id, 12-byte nonce, then AES-256-GCM of the plaintext with
 * the header (up to the id) as associated data. A decoded record is encoded again as version 2. */
static GBytes *
seal (const char    *id,
      const uint8_t *clear,
      size_t         clear_len)
{
  static const guint8 nonce[12] = { 0 };
  gsize id_len = strlen (id), header_len = 4 + 2 + id_len, out_len = clear_len + 16;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gnutls_aead_cipher_hd_t cipher;
  gnutls_datum_t key = { (unsigned char *) test_key, MR_OUTBOX_KEY_SIZE };

  g_byte_array_append (out, (const guint8 *) "MROX", 4);
  g_byte_array_append (out, (const guint8[]) { 1, (guint8) id_len }, 2);
  g_byte_array_append (out, (const guint8 *) id, id_len);
  g_byte_array_append (out, nonce, sizeof nonce);
  g_byte_array_set_size (out, header_len + sizeof nonce + out_len);
  fuzz_check (gnutls_aead_cipher_init (&cipher, GNUTLS_CIPHER_AES_256_GCM, &key) == 0);
  fuzz_check (gnutls_aead_cipher_encrypt (cipher, nonce, sizeof nonce, out->data, header_len, 16,
                                          clear, clear_len, out->data + header_len + sizeof nonce,
                                          &out_len) == 0);
  gnutls_aead_cipher_deinit (cipher);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
check_decoded (const guint8 *data,
               gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrOutboxRecord) record = mr_outbox_decode_file (data, len, test_key, &error);
  g_autoptr(MrOutboxRecord) again = NULL;
  g_autoptr(GBytes) encoded = NULL;

  fuzz_check ((record == NULL) == (error != NULL));
  if (record == NULL)
    {
      fuzz_check (g_error_matches (error, MR_OUTBOX_ERROR, MR_OUTBOX_ERROR_DAMAGED));
      return;
    }
  fuzz_check (mr_outbox_id_is_valid (record->request_id));
  fuzz_check (record->payload != NULL);
  encoded = mr_outbox_encode_file (record, test_key);
  again = mr_outbox_decode_file (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded),
                                 test_key, NULL);
  fuzz_check (again != NULL);
  fuzz_check (g_strcmp0 (again->request_id, record->request_id) == 0);
  fuzz_check (g_strcmp0 (again->payload, record->payload) == 0);
  fuzz_check (again->attempts == record->attempts && again->state == record->state);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) sealed = NULL;

  if (size == 0 || (data[0] & 1) == 0)
    {
      check_decoded (size ? data + 1 : data, size ? size - 1 : 0);
      return 0;
    }
  /* Odd: a well-sealed file around the rest of the input, under a fixed valid id. */
  sealed = seal ("3f2a1b4c-0000-4000-8000-000000000001", data + 1, size - 1);
  check_decoded (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_graph_parse_profile() on a Graph /me answer. Input: one byte choosing the HTTP status (and,
 * by its top bit, whether an extensions app id is set), then the body. */
#include "mr-graph.h"

#include "fuzz-common.h"

/* A made-up app id: the corpus's bodies carry extension_<this without dashes>_DateofBirth etc. */
#define EXT_APP_ID "b7d8e648-520f-41d3-b9c0-fdeb91768a0a"

static const guint statuses[] = { 200, 200, 200, 200, 400, 401, 403, 404, 429, 500, 503, 201 };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean with_ext = size == 0 || (data[0] & 0x80) == 0;
  guint status = fuzz_take_status (&data, &size, statuses, G_N_ELEMENTS (statuses));
  g_autoptr(GBytes) body = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrPatient) patient = NULL;

  patient = mr_graph_parse_profile (status, body, with_ext ? EXT_APP_ID : NULL, &error);
  fuzz_check ((patient == NULL) != (error == NULL));
  if (patient == NULL)
    {
      fuzz_check (error->domain == MR_GRAPH_ERROR && error->message != NULL);
      return 0;
    }
  fuzz_check (status == 200);
  fuzz_check (patient->id != NULL && *patient->id != '\0');
  /* Everything here ends up in labels and in the refill payload: it must be valid UTF-8. */
  const char *fields[] = {
    patient->id, patient->display_name, patient->given_name, patient->surname, patient->mail,
    patient->job_title, patient->street_address, patient->city, patient->state,
    patient->postal_code, patient->country, patient->mobile_phone, patient->date_of_birth,
    patient->hospital_number, patient->gender,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    fuzz_check (fields[i] == NULL || g_utf8_validate (fields[i], -1, NULL));
  if (!with_ext)
    fuzz_check (patient->date_of_birth == NULL && patient->hospital_number == NULL
                && patient->gender == NULL);
  return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The refill-v2 payload (data/refill-v2.schema.json). Every payload is also written to
 * $MEDREFILL_PAYLOAD_DIR for the schema validator (tests/schema/run.sh). */
#include "mr-refill.h"

#include <string.h>

#include "mr-test-refill.h"
#include "mr-test-server.h"

#define jack          mr_test_jack
#define valid_request mr_test_valid_request
#define medication    mr_test_medication
#define replace       mr_test_replace
#define directory_has mr_test_replace_directory

static void
staff (MrRefillRequest *r)
{
  r->mode = MR_MODE_DESK;
  r->submitted_by_id = g_strdup ("staff-1");
  r->submitted_by_name = g_strdup ("Front Desk");
}

/* Payload */

static void
test_payload_full (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(JsonNode) payload = NULL;
  g_autofree char *json = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *created_at = NULL;
  MrMedication *m = medication (request, 0);

  staff (request);
  m->form = g_strdup ("tablet");
  m->days_supply = 30;
  m->prescriber = g_strdup ("Dr Who");
  m->last_filled = g_strdup ("2026-10-01");
  request->urgency = MR_URGENCY_SOON;
  request->urgency_days = 5;
  request->notes = g_strdup ("Please call first.");
  g_date_time_unref (request->created_at);
  request->created_at = g_date_time_new_utc (2026, 11, 23, 10, 33, 0.9);

  payload = to_json (request);
  assert_payload_shape (payload);
  json = mr_json_to_string (payload);
  expected = g_strdup_printf (
    "{\"schema\":\"refill-v2\",\"request_id\":\"%s\",\"created_at\":\"2026-11-23T10:33:00Z\","
    "\"mode\":\"desk\",\"submitted_by\":{\"id\":\"staff-1\",\"name\":\"Front Desk\"},"
    "\"patient\":{\"object_id\":\"530772a4-0000-0000-0000-000000000001\","
    "\"display_name\":\"Jack Smith\",\"given_name\":\"Jack\",\"surname\":\"Smith\","
    "\"date_of_birth\":\"2000-01-01\",\"hospital_number\":\"HN11112\",\"gender\":\"Male\","
    "\"job_title\":\"Patient\",\"email\":\"jack.smith@example.org\",\"phone\":\"+1 555 0100\","
    "\"address\":{\"street\":\"1 Main Street\",\"city\":\"Springfield\",\"state\":\"IL\","
    "\"postal_code\":\"62701\",\"country\":\"US\"}},"
    "\"medications\":[{\"name\":\"Metformin\",\"strength\":\"500 mg\",\"form\":\"tablet\","
    "\"quantity\":60,\"days_supply\":30,\"prescriber\":\"Dr Who\","
    "\"last_filled\":\"2026-10-01\"}],"
    "\"fulfilment\":{\"method\":\"pickup\",\"location\":\"Main pharmacy\"},"
    "\"urgency\":{\"level\":\"soon\",\"days\":5},\"notes\":\"Please call first.\","
    "\"consent\":true,\"patient_present\":false}", request->request_id);
  g_assert_cmpstr (json, ==, expected);

  /* A created_at in another time zone is written in UTC. */
  {
    g_autoptr(GTimeZone) tz = g_time_zone_new_offset (2 * 3600);
    g_autoptr(JsonNode) again = NULL;

    g_date_time_unref (request->created_at);
    request->created_at = g_date_time_new (tz, 2026, 11, 23, 12, 33, 0);
    again = to_json (request);
    created_at = g_strdup (json_object_get_string_member (json_node_get_object (again),
                                                          "created_at"));
    g_assert_cmpstr (created_at, ==, "2026-11-23T10:33:00Z");
  }
}

/* Ana has no custom attributes and no address: those members are left out, never null. */
static void
test_payload_minimal (void)
{
  g_autoptr(MrPatient) ana = mr_patient_new ();
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(JsonNode) payload = NULL;
  JsonObject *root, *patient, *med, *fulfilment;

  ana->id = g_strdup ("ana-1");
  ana->given_name = g_strdup ("Ana");
  ana->surname = g_strdup ("");
  ana->city = g_strdup ("  ");
  request = mr_refill_request_new (ana, MR_MODE_KIOSK);
  g_ptr_array_add (request->medications, mr_medication_new ("Aspirin", NULL, 0));
  medication (request, 0)->days_supply = 90;
  request->fulfilment = MR_FULFILMENT_DELIVERY;
  request->delivery_address = g_strdup ("2 High St");
  request->pickup_location = g_strdup ("ignored for delivery");
  request->notes = g_strdup (" \n ");
  request->consent = TRUE;
  g_assert_true (mr_refill_request_validate (request, NULL));

  payload = to_json (request);
  assert_payload_shape (payload);
  root = json_node_get_object (payload);
  g_assert_cmpstr (json_object_get_string_member (root, "mode"), ==, "kiosk");
  g_assert_true (json_object_get_null_member (root, "submitted_by"));
  g_assert_false (json_object_has_member (root, "notes"));
  patient = json_object_get_object_member (root, "patient");
  g_assert_cmpuint (json_object_get_size (patient), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (patient, "object_id"), ==, "ana-1");
  g_assert_cmpstr (json_object_get_string_member (patient, "given_name"), ==, "Ana");
  med = json_array_get_object_element (json_object_get_array_member (root, "medications"), 0);
  g_assert_cmpuint (json_object_get_size (med), ==, 2);
  g_assert_cmpint (json_object_get_int_member (med, "days_supply"), ==, 90);
  g_assert_false (json_object_has_member (med, "quantity"));
  fulfilment = json_object_get_object_member (root, "fulfilment");
  g_assert_cmpstr (json_object_get_string_member (fulfilment, "method"), ==, "delivery");
  g_assert_cmpstr (json_object_get_string_member (fulfilment, "address"), ==, "2 High St");
  g_assert_false (json_object_has_member (fulfilment, "location"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root, "urgency"), "level"), ==, "routine");
}

static void
test_payload_address_partial (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(JsonNode) payload = NULL;
  JsonObject *address;

  directory_has (request, street_address, NULL);
  directory_has (request, state, NULL);
  directory_has (request, postal_code, NULL);
  directory_has (request, country, NULL);
  payload = to_json (request);
  assert_payload_shape (payload);
  address = json_object_get_object_member (
    json_object_get_object_member (json_node_get_object (payload), "patient"), "address");
  g_assert_cmpuint (json_object_get_size (address), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (address, "city"), ==, "Springfield");
}

/* Control characters go, white space around goes, Unicode stays exactly as typed. */
static void
test_payload_text_clean (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(JsonNode) payload = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  JsonObject *root, *patient, *med;

  directory_has (request, given_name, "Zoë");
  directory_has (request, surname, "  Núñez-Ødegård\t");
  directory_has (request, display_name, "Zo\x1b[31më\x07 Núñez");
  replace (&medication (request, 0)->name, "Metformin\r\n\x01");
  replace (&request->pickup_location, "Apotek Ørestad");
  request->notes = g_strdup ("line one\r\n  line two\x7f\n");

  json = mr_json_to_string (payload = to_json (request));
  assert_payload_shape (payload);
  /* Round trip through a parser, as the workflow would read it. */
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  patient = json_object_get_object_member (root, "patient");
  g_assert_cmpstr (json_object_get_string_member (patient, "given_name"), ==, "Zoë");
  g_assert_cmpstr (json_object_get_string_member (patient, "surname"), ==, "Núñez-Ødegård");
  g_assert_cmpstr (json_object_get_string_member (patient, "display_name"), ==, "Zo[31më Núñez");
  med = json_array_get_object_element (json_object_get_array_member (root, "medications"), 0);
  g_assert_cmpstr (json_object_get_string_member (med, "name"), ==, "Metformin");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root, "fulfilment"), "location"),
                   ==, "Apotek Ørestad");
  g_assert_cmpstr (json_object_get_string_member (root, "notes"), ==, "line one\nline two");
  g_assert_null (strchr (json, '\x1b'));
  /* The same record, cleaned, is no typing. */
  g_assert_false (json_object_has_member (root, "patient_supplied"));
}

static void
test_payload_medications_order (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(JsonNode) payload = NULL;
  JsonArray *medications;

  g_ptr_array_add (request->medications, mr_medication_new ("Lisinopril", "10 mg", 30));
  g_ptr_array_add (request->medications, mr_medication_new ("Atorvastatin", NULL, 90));
  payload = to_json (request);
  assert_payload_shape (payload);
  medications = json_object_get_array_member (json_node_get_object (payload), "medications");
  g_assert_cmpuint (json_array_get_length (medications), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (medications, 1),
                                                  "strength"), ==, "10 mg");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (medications, 2),
                                                  "name"), ==, "Atorvastatin");
  g_assert_false (json_object_has_member (json_array_get_object_element (medications, 2),
                                          "strength"));
}

/* The schema shipped under data/ must describe exactly the members the code writes. */
static void
test_schema_file (void)
{
  const char *srcdir = g_getenv ("MEDREFILL_SOURCE_DIR");
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *schema, *properties;
  const char * const top[] = {
    "schema", "request_id", "created_at", "mode", "submitted_by", "patient", "patient_supplied",
    "medications", "fulfilment", "urgency", "notes", "consent", "flagged", "patient_present", NULL
  };
  const char * const supplied_members[] = {
    "display_name", "given_name", "surname", "date_of_birth", "hospital_number", "gender",
    "job_title", "email", "phone", "address", NULL
  };
  JsonObject *supplied;

  if (srcdir == NULL)
    {
      g_test_skip ("MEDREFILL_SOURCE_DIR is not set");
      return;
    }
  path = g_build_filename (srcdir, "data", "refill-v2.schema.json", NULL);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  schema = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (schema, "$schema"), ==,
                   "https://json-schema.org/draft/2020-12/schema");
  g_assert_cmpstr (json_object_get_string_member (schema, "$id"), ==,
                   "https://medrefill.github.io/schema/refill-v2.json");
  g_assert_false (json_object_get_boolean_member (schema, "additionalProperties"));
  properties = json_object_get_object_member (schema, "properties");
  assert_members (properties, top, top);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (properties,
                                                                                 "schema"),
                                                  "const"), ==, "refill-v2");
  /* What the person typed can never name the account: object_id is the directory's alone. */
  supplied = json_object_get_object_member (properties, "patient_supplied");
  g_assert_false (json_object_get_boolean_member (supplied, "additionalProperties"));
  assert_members (json_object_get_object_member (supplied, "properties"), supplied_members,
                  supplied_members);
}


/* Flagged custom attributes are listed by name; the patient's record stays as the directory
 * holds it, and a corrected value, when the patient gave one, is what they supplied. */
static void
test_payload_flagged (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(JsonNode) payload = NULL;
  g_autofree char *flagged = NULL, *supplied = NULL;
  JsonObject *root;

  mr_refill_request_flag (request, MR_CUSTOM_HOSPITAL_NUMBER, TRUE, NULL);
  mr_refill_request_flag (request, MR_CUSTOM_DATE_OF_BIRTH, TRUE, " 2000-08-01 ");
  g_assert_true (mr_refill_request_validate (request, NULL));
  payload = to_json (request);
  assert_payload_shape (payload);
  root = json_node_get_object (payload);
  /* In the attributes' order, whatever the order they were flagged in. */
  flagged = mr_json_to_string (json_object_get_member (root, "flagged"));
  g_assert_cmpstr (flagged, ==, "[\"date_of_birth\",\"hospital_number\"]");
  /* Only the value the patient gave; a flag without one supplies nothing. */
  supplied = mr_json_to_string (json_object_get_member (root, "patient_supplied"));
  g_assert_cmpstr (supplied, ==, "{\"date_of_birth\":\"2000-08-01\"}");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "patient"),
                                                  "date_of_birth"), ==, "2000-01-01");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "patient"),
                                                  "hospital_number"), ==, "HN11112");

  /* No flag, no member. */
  mr_refill_request_flag (request, MR_CUSTOM_HOSPITAL_NUMBER, FALSE, NULL);
  mr_refill_request_flag (request, MR_CUSTOM_DATE_OF_BIRTH, FALSE, NULL);
  g_clear_pointer (&payload, json_node_unref);
  payload = to_json (request);
  g_assert_false (json_object_has_member (json_node_get_object (payload), "flagged"));
  g_assert_false (json_object_has_member (json_node_get_object (payload), "patient_supplied"));
}

/* A flagged attribute the directory never had: the patient's value is supplied, patient has none. */
static void
test_payload_flagged_absent (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(JsonNode) payload = NULL;
  JsonObject *root, *supplied;

  directory_has (request, gender, NULL);
  mr_refill_request_flag (request, MR_CUSTOM_GENDER, TRUE, "prefer NOT to say");
  payload = to_json (request);
  assert_payload_shape (payload);
  root = json_node_get_object (payload);
  g_assert_false (json_object_has_member (json_object_get_object_member (root, "patient"),
                                          "gender"));
  supplied = json_object_get_object_member (root, "patient_supplied");
  g_assert_cmpuint (json_object_get_size (supplied), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (supplied, "gender"), ==, "Prefer not to say");
}

/* At the desk staff edit the record: patient is the directory's, patient_supplied exactly what
 * differs (a corrected street, a date of birth the directory lacked, a job title removed),
 * and nothing that differs only in white space or normalisation. */
static void
test_payload_supplied (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(JsonNode) payload = NULL;
  g_autofree char *patient = NULL, *supplied = NULL;
  JsonObject *root;

  staff (request);
  request->patient_present = TRUE;
  directory_has (request, date_of_birth, NULL);
  replace (&request->patient->date_of_birth, "2000-08-01");
  replace (&request->patient->street_address, "2 Harbour Road ");
  replace (&request->patient->job_title, "  ");
  replace (&request->patient->given_name, " Jack\t");
  replace (&request->patient->gender, "MALE");
  replace (&request->patient->mail, NULL);
  g_assert_true (mr_refill_request_validate (request, NULL));
  payload = to_json (request);
  assert_payload_shape (payload);
  root = json_node_get_object (payload);
  patient = mr_json_to_string (json_object_get_member (root, "patient"));
  g_assert_cmpstr (patient, ==,
                   "{\"object_id\":\"530772a4-0000-0000-0000-000000000001\","
                   "\"display_name\":\"Jack Smith\",\"given_name\":\"Jack\",\"surname\":\"Smith\","
                   "\"hospital_number\":\"HN11112\",\"gender\":\"Male\","
                   "\"job_title\":\"Patient\",\"email\":\"jack.smith@example.org\","
                   "\"phone\":\"+1 555 0100\","
                   "\"address\":{\"street\":\"1 Main Street\",\"city\":\"Springfield\","
                   "\"state\":\"IL\",\"postal_code\":\"62701\",\"country\":\"US\"}}");
  supplied = mr_json_to_string (json_object_get_member (root, "patient_supplied"));
  g_assert_cmpstr (supplied, ==,
                   "{\"date_of_birth\":\"2000-08-01\",\"job_title\":null,\"email\":null,"
                   "\"address\":{\"street\":\"2 Harbour Road\"}}");
}

/* The account is the directory's: a changed object id on the form is neither sent nor supplied. */
static void
test_payload_object_id_from_directory (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(JsonNode) payload = NULL;
  JsonObject *root;

  replace (&request->patient->id, "someone-else");
  payload = to_json (request);
  assert_payload_shape (payload);
  root = json_node_get_object (payload);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "patient"),
                                                  "object_id"), ==,
                   "530772a4-0000-0000-0000-000000000001");
  g_assert_false (json_object_has_member (root, "patient_supplied"));
}

static void
test_payload_desk_presence (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(JsonNode) kiosk = NULL;
  g_autoptr(JsonNode) desk = NULL;

  kiosk = to_json (request);
  assert_payload_shape (kiosk);
  g_assert_false (json_object_has_member (json_node_get_object (kiosk), "patient_present"));
  staff (request);
  request->patient_present = TRUE;
  desk = to_json (request);
  assert_payload_shape (desk);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (desk), "patient_present"));
}

/* What is sent is what the rules store: NFC names, canonical choices. */
static void
test_payload_canonical (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(JsonNode) payload = NULL;
  JsonObject *root, *patient, *med;

  directory_has (request, given_name, "Zoe\xcc\x88");
  directory_has (request, gender, " fEMALE");
  replace (&medication (request, 0)->form, "TABLET");
  payload = to_json (request);
  assert_payload_shape (payload);
  root = json_node_get_object (payload);
  patient = json_object_get_object_member (root, "patient");
  med = json_array_get_object_element (json_object_get_array_member (root, "medications"), 0);
  g_assert_cmpstr (json_object_get_string_member (patient, "given_name"), ==, "Zo\xc3\xab");
  g_assert_cmpstr (json_object_get_string_member (patient, "gender"), ==, "Female");
  g_assert_cmpstr (json_object_get_string_member (med, "form"), ==, "tablet");
  g_assert_cmpstr (json_object_get_string_member (patient, "job_title"), ==, "Patient");
}

/* The "done when": two medicines, corrections, delivery, non-ASCII everywhere. */
static void
test_payload_two_medicines_unicode (void)
{
  g_autoptr(MrPatient) zoe = mr_patient_new ();
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(JsonNode) payload = NULL;
  MrMedication *m;
  JsonObject *root;

  zoe->id = g_strdup ("9f0c2b1e-0000-0000-0000-000000000003");
  zoe->given_name = g_strdup ("Zoë");
  zoe->surname = g_strdup ("Núñez-Ødegård");
  zoe->display_name = g_strdup ("Zoë Núñez-Ødegård");
  zoe->city = g_strdup ("København");
  zoe->date_of_birth = g_strdup ("1990-02-29");     /* not a date: the patient flags it */
  request = mr_refill_request_new (zoe, MR_MODE_KIOSK);
  m = mr_refill_request_add_medication (request);
  m->name = g_strdup ("Levothyroxine");
  m->strength = g_strdup ("50 µg");
  m->form = g_strdup ("tablet");
  m->days_supply = 90;
  m->last_filled = g_strdup ("2024-02-29");
  m = mr_refill_request_add_medication (request);
  m->name = g_strdup ("Salbutamol");
  m->form = g_strdup ("inhaler");
  m->quantity = 2;
  m->prescriber = g_strdup ("Dr Ελένη Παπαδοπούλου");
  g_assert_true (mr_refill_request_move_medication (request, 1, 0));
  mr_refill_request_flag (request, MR_CUSTOM_DATE_OF_BIRTH, TRUE, "1990-02-28");
  request->fulfilment = MR_FULFILMENT_DELIVERY;
  request->delivery_address = g_strdup ("Nørregade 1\r\n1165 København K\n");
  request->urgency = MR_URGENCY_OUT;
  request->notes = g_strdup ("Tak 🙏 — שלום\n\x1b[0m");
  request->consent = TRUE;
  g_assert_true (mr_refill_request_validate (request, NULL));

  payload = to_json (request);
  assert_payload_shape (payload);
  root = json_node_get_object (payload);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (root, "medications"), 0), "name"),
                   ==, "Salbutamol");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root, "fulfilment"), "address"),
                   ==, "Nørregade 1\n1165 København K");
  g_assert_cmpstr (json_object_get_string_member (root, "notes"), ==, "Tak 🙏 — שלום\n[0m");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root, "urgency"), "level"), ==, "out");
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/payload/full", test_payload_full);
  g_test_add_func ("/payload/minimal", test_payload_minimal);
  g_test_add_func ("/payload/address-partial", test_payload_address_partial);
  g_test_add_func ("/payload/text-clean", test_payload_text_clean);
  g_test_add_func ("/payload/medications-order", test_payload_medications_order);
  g_test_add_func ("/payload/flagged", test_payload_flagged);
  g_test_add_func ("/payload/flagged-absent", test_payload_flagged_absent);
  g_test_add_func ("/payload/supplied", test_payload_supplied);
  g_test_add_func ("/payload/object-id-from-directory", test_payload_object_id_from_directory);
  g_test_add_func ("/payload/desk-presence", test_payload_desk_presence);
  g_test_add_func ("/payload/canonical", test_payload_canonical);
  g_test_add_func ("/payload/two-medicines-unicode", test_payload_two_medicines_unicode);
  g_test_add_func ("/payload/schema-file", test_schema_file);
  return g_test_run ();
}

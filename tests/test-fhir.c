/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The request as a FHIR R4 Task. The structure is asserted here; every Task is also written to
 * $MEDREFILL_PAYLOAD_DIR, where tests/schema/validate-payloads.mjs validates it against FHIR R4's
 * own definitions (npm package "fhir"). */
#include "mr-refill.h"

#include <string.h>

#include "mr-test-refill.h"
#include "mr-test-server.h"

static JsonNode *
to_task (const MrRefillRequest *request)
{
  JsonNode *task = mr_fhir_task_from_request (request);

  g_assert_nonnull (task);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (task));
  mr_test_dump_payload (task, "fhir");
  return task;
}

/* The contained resource with @id, asserting it exists exactly once and has @type. */
static JsonObject *
contained (JsonObject *task,
           const char *id,
           const char *type)
{
  JsonArray *array = json_object_get_array_member (task, "contained");
  JsonObject *found = NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *resource = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (resource, "id"), id) != 0)
        continue;
      g_assert_null (found);
      found = resource;
    }
  g_assert_nonnull (found);
  g_assert_cmpstr (json_object_get_string_member (found, "resourceType"), ==, type);
  return found;
}

/* Task.input entries whose type has @code. */
static GPtrArray *
inputs (JsonObject *task,
        const char *code)
{
  JsonArray *array = json_object_get_array_member (task, "input");
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *input = json_array_get_object_element (array, i);
      JsonObject *coding = json_array_get_object_element (
        json_object_get_array_member (json_object_get_object_member (input, "type"), "coding"), 0);

      g_assert_cmpstr (json_object_get_string_member (coding, "system"), ==, MR_FHIR_INPUT_SYSTEM);
      if (g_strcmp0 (json_object_get_string_member (coding, "code"), code) == 0)
        g_ptr_array_add (found, input);
    }
  return found;
}

static const char *
reference (JsonObject *object,
           const char *member)
{
  return json_object_get_string_member (json_object_get_object_member (object, member),
                                        "reference");
}

static MrRefillRequest *
full_request (void)
{
  MrRefillRequest *request = mr_test_valid_request ();
  MrMedication *m = mr_test_medication (request, 0);

  m->form = g_strdup ("tablet");
  m->days_supply = 30;
  m->prescriber = g_strdup ("Dr Who");
  m->last_filled = g_strdup ("2026-10-01");
  g_ptr_array_add (request->medications, mr_medication_new ("Salbutamol", "100 µg", 2));
  request->notes = g_strdup ("Please call first.");
  g_date_time_unref (request->created_at);
  request->created_at = g_date_time_new_utc (2026, 11, 23, 10, 33, 0);
  return request;
}

static void
test_task_core (void)
{
  g_autoptr(MrRefillRequest) request = full_request ();
  g_autoptr(JsonNode) node = to_task (request);
  g_autofree char *urn = g_strconcat ("urn:uuid:", request->request_id, NULL);
  JsonObject *task = json_node_get_object (node);
  JsonObject *code, *coding, *identifier, *note;

  g_assert_cmpstr (json_object_get_string_member (task, "resourceType"), ==, "Task");
  g_assert_cmpstr (json_object_get_string_member (task, "status"), ==, "requested");
  g_assert_cmpstr (json_object_get_string_member (task, "intent"), ==, "order");
  g_assert_cmpstr (json_object_get_string_member (task, "priority"), ==, "routine");
  g_assert_cmpstr (json_object_get_string_member (task, "authoredOn"), ==,
                   "2026-11-23T10:33:00Z");
  code = json_object_get_object_member (task, "code");
  coding = json_array_get_object_element (json_object_get_array_member (code, "coding"), 0);
  g_assert_cmpstr (json_object_get_string_member (coding, "system"), ==, "http://snomed.info/sct");
  g_assert_cmpstr (json_object_get_string_member (coding, "code"), ==, "103742009");
  g_assert_cmpstr (json_object_get_string_member (coding, "display"), ==,
                   "Renewal of prescription");
  identifier = json_array_get_object_element (json_object_get_array_member (task, "identifier"), 0);
  g_assert_cmpstr (json_object_get_string_member (identifier, "system"), ==, "urn:ietf:rfc:3986");
  g_assert_cmpstr (json_object_get_string_member (identifier, "value"), ==, urn);
  note = json_array_get_object_element (json_object_get_array_member (task, "note"), 0);
  g_assert_cmpstr (json_object_get_string_member (note, "text"), ==, "Please call first.");
  /* Kiosk: the patient is both the subject and the requester. */
  g_assert_cmpstr (reference (task, "for"), ==, "#patient");
  g_assert_cmpstr (reference (task, "requester"), ==, "#patient");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (
                       json_object_get_object_member (task, "for"), "identifier"), "value"),
                   ==, "530772a4-0000-0000-0000-000000000001");
}

static void
test_task_patient (void)
{
  g_autoptr(MrRefillRequest) request = full_request ();
  g_autoptr(JsonNode) node = to_task (request);
  JsonObject *patient = contained (json_node_get_object (node), "patient", "Patient");
  JsonArray *identifiers = json_object_get_array_member (patient, "identifier");
  JsonObject *name = json_array_get_object_element (json_object_get_array_member (patient, "name"),
                                                    0);
  JsonObject *address = json_array_get_object_element (
    json_object_get_array_member (patient, "address"), 0);
  JsonObject *hn = json_array_get_object_element (identifiers, 1);

  g_assert_cmpuint (json_array_get_length (identifiers), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (identifiers, 0),
                                                  "system"), ==, MR_FHIR_OBJECT_ID_SYSTEM);
  g_assert_cmpstr (json_object_get_string_member (hn, "value"), ==, "HN11112");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (
                         json_object_get_object_member (hn, "type"), "coding"), 0), "code"),
                   ==, "MR");
  g_assert_cmpstr (json_object_get_string_member (name, "family"), ==, "Smith");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (name, "given"), 0),
                   ==, "Jack");
  g_assert_cmpstr (json_object_get_string_member (name, "text"), ==, "Jack Smith");
  g_assert_cmpstr (json_object_get_string_member (patient, "gender"), ==, "male");
  g_assert_cmpstr (json_object_get_string_member (patient, "birthDate"), ==, "2000-01-01");
  g_assert_cmpstr (json_object_get_string_member (address, "postalCode"), ==, "62701");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (address, "line"),
                                                  0), ==, "1 Main Street");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (patient, "telecom")),
                    ==, 2);
}

static void
test_task_medications (void)
{
  g_autoptr(MrRefillRequest) request = full_request ();
  g_autoptr(JsonNode) node = to_task (request);
  JsonObject *task = json_node_get_object (node);
  g_autoptr(GPtrArray) meds = inputs (task, "medication");
  JsonObject *first = contained (task, "medication-1", "MedicationRequest");
  JsonObject *second = contained (task, "medication-2", "MedicationRequest");
  JsonObject *dispense = json_object_get_object_member (first, "dispenseRequest");
  JsonObject *quantity = json_object_get_object_member (dispense, "quantity");
  JsonObject *duration = json_object_get_object_member (dispense, "expectedSupplyDuration");

  /* One input per medicine, in order, pointing at its contained MedicationRequest. */
  g_assert_cmpuint (meds->len, ==, 2);
  g_assert_cmpstr (reference (g_ptr_array_index (meds, 0), "valueReference"), ==,
                   "#medication-1");
  g_assert_cmpstr (reference (g_ptr_array_index (meds, 1), "valueReference"), ==,
                   "#medication-2");
  g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "draft");
  g_assert_cmpstr (json_object_get_string_member (first, "intent"), ==, "order");
  g_assert_cmpstr (reference (first, "subject"), ==, "#patient");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (first, "medicationCodeableConcept"), "text"),
                   ==, "Metformin 500 mg");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (second, "medicationCodeableConcept"), "text"),
                   ==, "Salbutamol 100 µg");
  g_assert_cmpint (json_object_get_int_member (quantity, "value"), ==, 60);
  g_assert_cmpstr (json_object_get_string_member (quantity, "unit"), ==, "tablet");
  g_assert_cmpint (json_object_get_int_member (duration, "value"), ==, 30);
  g_assert_cmpstr (json_object_get_string_member (duration, "system"), ==,
                   "http://unitsofmeasure.org");
  g_assert_cmpstr (json_object_get_string_member (duration, "code"), ==, "d");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (first, "requester"), "display"), ==, "Dr Who");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (first, "note"),
                                                    0), "text"),
                   ==, "Form: tablet. Last filled: 2026-10-01.");
  g_assert_false (json_object_has_member (
                    json_object_get_object_member (second, "dispenseRequest"),
                    "expectedSupplyDuration"));
}

static void
test_task_priority (void)
{
  static const struct {
    MrUrgency   urgency;
    guint       days;
    const char *priority;
  } cases[] = {
    { MR_URGENCY_ROUTINE, 0, "routine" },
    { MR_URGENCY_SOON, 5, "urgent" },
    { MR_URGENCY_OUT, 0, "asap" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GPtrArray) days = NULL;
      JsonObject *task;

      request->urgency = cases[i].urgency;
      request->urgency_days = cases[i].days;
      node = to_task (request);
      task = json_node_get_object (node);
      g_assert_cmpstr (json_object_get_string_member (task, "priority"), ==, cases[i].priority);
      days = inputs (task, "runs-out-in-days");
      g_assert_cmpuint (days->len, ==, cases[i].days > 0 ? 1 : 0);
      if (days->len > 0)
        g_assert_cmpint (json_object_get_int_member (
                           json_object_get_object_member (g_ptr_array_index (days, 0),
                                                          "valueQuantity"), "value"), ==, 5);
    }
}

/* Desk mode: the staff member is the requester, as a contained Practitioner. */
static void
test_task_desk (void)
{
  g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) present = NULL;
  JsonObject *task, *staff;

  request->mode = MR_MODE_DESK;
  request->submitted_by_id = g_strdup ("staff-1");
  request->submitted_by_name = g_strdup ("Front Desk");
  request->patient_present = TRUE;
  node = to_task (request);
  task = json_node_get_object (node);
  staff = contained (task, "staff", "Practitioner");
  g_assert_cmpstr (reference (task, "requester"), ==, "#staff");
  g_assert_cmpstr (reference (task, "for"), ==, "#patient");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (staff, "name"),
                                                    0), "text"), ==, "Front Desk");
  present = inputs (task, "patient-present");
  g_assert_cmpuint (present->len, ==, 1);
  g_assert_true (json_object_get_boolean_member (g_ptr_array_index (present, 0), "valueBoolean"));
}

static void
test_task_fulfilment_and_corrections (void)
{
  g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) pickup = NULL;
  g_autoptr(GPtrArray) delivery = NULL;
  g_autoptr(GPtrArray) flagged = NULL;
  g_autoptr(GPtrArray) corrected = NULL;
  g_autoptr(GPtrArray) flagged_hn = NULL;
  g_autoptr(GPtrArray) corrected_hn = NULL;
  g_autoptr(GPtrArray) flagged_gender = NULL;
  JsonObject *task, *address;

  request->fulfilment = MR_FULFILMENT_DELIVERY;
  request->delivery_address = g_strdup ("Nørregade 1\r\n1165 København K");
  mr_refill_request_flag (request, MR_CUSTOM_DATE_OF_BIRTH, TRUE, "2000-08-01");
  mr_refill_request_flag (request, MR_CUSTOM_HOSPITAL_NUMBER, TRUE, NULL);
  node = to_task (request);
  task = json_node_get_object (node);
  pickup = inputs (task, "pickup-location");
  delivery = inputs (task, "delivery-address");
  g_assert_cmpuint (pickup->len, ==, 0);
  g_assert_cmpuint (delivery->len, ==, 1);
  address = json_object_get_object_member (g_ptr_array_index (delivery, 0), "valueAddress");
  g_assert_cmpstr (json_object_get_string_member (address, "text"), ==,
                   "Nørregade 1\n1165 København K");
  flagged = inputs (task, "flagged-date-of-birth");
  corrected = inputs (task, "supplied-date-of-birth");
  flagged_hn = inputs (task, "flagged-hospital-number");
  corrected_hn = inputs (task, "supplied-hospital-number");
  g_assert_cmpuint (flagged->len, ==, 1);
  g_assert_cmpuint (corrected->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (corrected, 0),
                                                  "valueString"), ==, "2000-08-01");
  g_assert_cmpuint (flagged_hn->len, ==, 1);
  g_assert_cmpuint (corrected_hn->len, ==, 0);
  flagged_gender = inputs (task, "flagged-gender");
  g_assert_cmpuint (flagged_gender->len, ==, 0);
}

/* The contained Patient is the directory's record; what the person typed is a Task.input of its
 * own (supplied-*, removed-*), never merged into it. */
static void
test_task_supplied (void)
{
  g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) street = NULL;
  g_autoptr(GPtrArray) job = NULL;
  g_autoptr(GPtrArray) dob = NULL;
  g_autoptr(GPtrArray) city = NULL;
  JsonObject *task, *patient, *address;

  mr_test_replace (&request->directory->date_of_birth, NULL);
  mr_test_replace (&request->patient->date_of_birth, "2000-08-01");
  mr_test_replace (&request->patient->street_address, "2 Harbour Road");
  mr_test_replace (&request->patient->job_title, NULL);
  mr_test_replace (&request->patient->city, " Springfield ");
  node = to_task (request);
  task = json_node_get_object (node);
  patient = contained (task, "patient", "Patient");
  g_assert_false (json_object_has_member (patient, "birthDate"));
  address = json_array_get_object_element (json_object_get_array_member (patient, "address"), 0);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (address, "line"),
                                                  0), ==, "1 Main Street");
  street = inputs (task, "supplied-address-street");
  g_assert_cmpuint (street->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (street, 0), "valueString"),
                   ==, "2 Harbour Road");
  dob = inputs (task, "supplied-date-of-birth");
  g_assert_cmpuint (dob->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (dob, 0), "valueString"),
                   ==, "2000-08-01");
  job = inputs (task, "removed-job-title");
  g_assert_cmpuint (job->len, ==, 1);
  g_assert_true (json_object_get_boolean_member (g_ptr_array_index (job, 0), "valueBoolean"));
  city = inputs (task, "supplied-address-city");
  g_assert_cmpuint (city->len, ==, 0);
}

/* Non-ASCII text, a missing address and custom attributes: nothing empty, nothing invented. */
static void
test_task_sparse_unicode (void)
{
  g_autoptr(MrPatient) zoe = mr_patient_new ();
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) pickup = NULL;
  JsonObject *task, *patient;

  zoe->id = g_strdup ("zoe-1");
  zoe->given_name = g_strdup ("Zoe\xcc\x88");
  zoe->surname = g_strdup ("Núñez-Ødegård");
  zoe->gender = g_strdup ("prefer not to say");
  zoe->date_of_birth = g_strdup ("1990-02-29");       /* not a date: left out of birthDate */
  request = mr_refill_request_new (zoe, MR_MODE_KIOSK);
  g_ptr_array_add (request->medications, mr_medication_new ("Ibuprofen", NULL, 0));
  mr_test_medication (request, 0)->days_supply = 10;
  request->pickup_location = g_strdup ("Apotek Ørestad");
  request->consent = TRUE;
  node = to_task (request);
  task = json_node_get_object (node);
  patient = contained (task, "patient", "Patient");
  g_assert_false (json_object_has_member (patient, "birthDate"));
  g_assert_false (json_object_has_member (patient, "address"));
  g_assert_false (json_object_has_member (patient, "telecom"));
  g_assert_false (json_object_has_member (task, "note"));
  g_assert_cmpstr (json_object_get_string_member (patient, "gender"), ==, "unknown");
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (
                       json_array_get_object_element (
                         json_object_get_array_member (patient, "name"), 0), "given"), 0),
                   ==, "Zo\xc3\xab");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (patient, "identifier")),
                    ==, 1);
  pickup = inputs (task, "pickup-location");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (pickup, 0), "valueString"),
                   ==, "Apotek Ørestad");
  g_assert_false (json_object_has_member (contained (task, "medication-1", "MedicationRequest"),
                                          "note"));
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  g_test_add_func ("/fhir/task/core", test_task_core);
  g_test_add_func ("/fhir/task/patient", test_task_patient);
  g_test_add_func ("/fhir/task/medications", test_task_medications);
  g_test_add_func ("/fhir/task/priority", test_task_priority);
  g_test_add_func ("/fhir/task/desk", test_task_desk);
  g_test_add_func ("/fhir/task/fulfilment-and-corrections", test_task_fulfilment_and_corrections);
  g_test_add_func ("/fhir/task/sparse-unicode", test_task_sparse_unicode);
  g_test_add_func ("/fhir/task/supplied", test_task_supplied);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fixtures shared by the refill tests (test-refill-model, test-rules, test-payload, test-fhir). Header
 * only, so that each test executable stays one source file. */
#pragma once

#include <string.h>

#include "mr-refill.h"
#include "mr-base.h"

/* Writes @payload to $MEDREFILL_PAYLOAD_DIR/<program>-<kind>-N.json when that variable is set, so
 * that tests/schema/validate-payloads.mjs can check every payload the tests produce (refill-v2
 * against data/refill-v2.schema.json, FHIR against FHIR R4). Several test programs write to the
 * same directory, hence the program name in the file name. */
static G_GNUC_UNUSED void
mr_test_dump_payload (JsonNode   *payload,
                      const char *kind)
{
  static guint n = 0;
  const char *dir = g_getenv ("MEDREFILL_PAYLOAD_DIR");
  g_autofree char *json = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *program = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL || *dir == '\0')
    return;
  json = mr_json_to_string (payload);
  program = g_path_get_basename (g_get_prgname ());
  name = g_strdup_printf ("%s-%s-%u.json", program, kind, ++n);
  path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);
}

static G_GNUC_UNUSED MrPatient *
mr_test_jack (void)
{
  MrPatient *patient = mr_patient_new ();

  patient->id = g_strdup ("530772a4-0000-0000-0000-000000000001");
  patient->display_name = g_strdup ("Jack Smith");
  patient->given_name = g_strdup ("Jack");
  patient->surname = g_strdup ("Smith");
  patient->mail = g_strdup ("jack.smith@example.org");
  patient->job_title = g_strdup ("Patient");
  patient->street_address = g_strdup ("1 Main Street");
  patient->city = g_strdup ("Springfield");
  patient->state = g_strdup ("IL");
  patient->postal_code = g_strdup ("62701");
  patient->country = g_strdup ("US");
  patient->mobile_phone = g_strdup ("+1 555 0100");
  patient->date_of_birth = g_strdup ("2000-01-01");
  patient->hospital_number = g_strdup ("HN11112");
  patient->gender = g_strdup ("Male");
  return patient;
}

/* A request that passes validation: one medicine, pickup, consent given. */
static G_GNUC_UNUSED MrRefillRequest *
mr_test_valid_request (void)
{
  g_autoptr(MrPatient) patient = mr_test_jack ();
  MrRefillRequest *request = mr_refill_request_new (patient, MR_MODE_KIOSK);

  g_ptr_array_add (request->medications, mr_medication_new ("Metformin", "500 mg", 60));
  request->pickup_location = g_strdup ("Main pharmacy");
  request->consent = TRUE;
  return request;
}

static G_GNUC_UNUSED MrMedication *
mr_test_medication (MrRefillRequest *request,
                    guint            i)
{
  return g_ptr_array_index (request->medications, i);
}

static G_GNUC_UNUSED void
mr_test_replace (char      **field,
                 const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/* Sets a patient member in the directory's record and in the form's alike: a request whose
 * patient arrived so from the directory, nothing typed. */
#define mr_test_replace_directory(request, member, value)                 \
  G_STMT_START {                                                          \
    mr_test_replace (&(request)->directory->member, (value));             \
    mr_test_replace (&(request)->patient->member, (value));               \
  } G_STMT_END

/* "YYYY-MM-DD" for today plus @days (negative: the past) plus @years, in local time as the rules
 * use it. */
static G_GNUC_UNUSED char *
mr_test_date_from_today (int days,
                         int years)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) shifted = g_date_time_add_full (now, years, 0, days, 0, 0, 0);

  return g_date_time_format (shifted, "%Y-%m-%d");
}

/* Payload shape: the C side of data/refill-v2.schema.json, cheap to check in every test (the
 * schema itself is checked by the validator of tests/schema/). */

/* Asserts that @object has only members of @allowed and every member of @required: the C side of
 * the schema's additionalProperties false and required lists. */
static G_GNUC_UNUSED void
assert_members (JsonObject         *object,
                const char * const *allowed,
                const char * const *required)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      g_error ("unexpected member “%s”", (const char *) l->data);
  for (gsize i = 0; required[i] != NULL; i++)
    if (!json_object_has_member (object, required[i]))
      g_error ("missing member “%s”", required[i]);
}

static G_GNUC_UNUSED void
assert_non_empty_strings (JsonObject *object)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_assert_cmpstr (json_node_get_string (node), !=, "");
    }
}

static G_GNUC_UNUSED void
assert_patient_shape (JsonObject *patient)
{
  const char * const allowed[] = {
    "object_id", "display_name", "given_name", "surname", "date_of_birth", "hospital_number",
    "gender", "job_title", "email", "phone", "address", NULL
  };
  const char * const required[] = { "object_id", NULL };
  const char * const address_allowed[] = {
    "street", "city", "state", "postal_code", "country", NULL
  };
  const char * const none[] = { NULL };

  assert_members (patient, allowed, required);
  assert_non_empty_strings (patient);
  if (json_object_has_member (patient, "address"))
    {
      JsonObject *address = json_object_get_object_member (patient, "address");

      assert_members (address, address_allowed, none);
      g_assert_cmpuint (json_object_get_size (address), >, 0);
      assert_non_empty_strings (address);
    }
}

static G_GNUC_UNUSED void
assert_medications_shape (JsonArray *medications)
{
  const char * const allowed[] = {
    "name", "strength", "form", "quantity", "days_supply", "prescriber", "last_filled", NULL
  };
  const char * const required[] = { "name", NULL };

  g_assert_cmpuint (json_array_get_length (medications), >, 0);
  for (guint i = 0; i < json_array_get_length (medications); i++)
    {
      JsonObject *medication = json_array_get_object_element (medications, i);

      assert_members (medication, allowed, required);
      assert_non_empty_strings (medication);
      g_assert_true (json_object_has_member (medication, "quantity")
                     || json_object_has_member (medication, "days_supply"));
    }
}

/* patient_supplied: the members of patient but object_id, each a non-empty string or null. */
static G_GNUC_UNUSED void
assert_supplied_shape (JsonObject *supplied)
{
  const char * const allowed[] = {
    "display_name", "given_name", "surname", "date_of_birth", "hospital_number", "gender",
    "job_title", "email", "phone", "address", NULL
  };
  const char * const address_allowed[] = {
    "street", "city", "state", "postal_code", "country", NULL
  };
  const char * const none[] = { NULL };

  assert_members (supplied, allowed, none);
  g_assert_cmpuint (json_object_get_size (supplied), >, 0);
  assert_non_empty_strings (supplied);
  if (json_object_has_member (supplied, "address"))
    {
      JsonObject *address = json_object_get_object_member (supplied, "address");

      assert_members (address, address_allowed, none);
      g_assert_cmpuint (json_object_get_size (address), >, 0);
      assert_non_empty_strings (address);
    }
}

static G_GNUC_UNUSED void
assert_flagged_shape (JsonArray *flagged)
{
  const char * const attributes[] = { "date_of_birth", "hospital_number", "gender", NULL };

  g_assert_cmpuint (json_array_get_length (flagged), >, 0);
  g_assert_cmpuint (json_array_get_length (flagged), <=, 3);
  for (guint i = 0; i < json_array_get_length (flagged); i++)
    g_assert_true (g_strv_contains (attributes, json_array_get_string_element (flagged, i)));
}

static G_GNUC_UNUSED gboolean
is_uuid (const char *s)
{
  return s != NULL && strlen (s) == 36 && g_uuid_string_is_valid (s);
}

/* The whole of refill-v2 that C can check cheaply. */
static G_GNUC_UNUSED void
assert_payload_shape (JsonNode *payload)
{
  const char * const allowed[] = {
    "schema", "request_id", "created_at", "mode", "submitted_by", "patient", "patient_supplied",
    "medications", "fulfilment", "urgency", "notes", "consent", "flagged", "patient_present", NULL
  };
  const char * const required[] = {
    "schema", "request_id", "created_at", "mode", "submitted_by", "patient", "medications",
    "fulfilment", "urgency", "consent", NULL
  };
  JsonObject *root = json_node_get_object (payload);
  JsonObject *fulfilment = json_object_get_object_member (root, "fulfilment");
  JsonObject *urgency = json_object_get_object_member (root, "urgency");
  const char *method = json_object_get_string_member (fulfilment, "method");
  const char *level = json_object_get_string_member (urgency, "level");
  const char *mode = json_object_get_string_member (root, "mode");

  assert_members (root, allowed, required);
  g_assert_cmpstr (json_object_get_string_member (root, "schema"), ==, "refill-v2");
  g_assert_true (is_uuid (json_object_get_string_member (root, "request_id")));
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$",
                                       json_object_get_string_member (root, "created_at"),
                                       0, 0));
  g_assert_true (g_strv_contains ((const char *[]) { "desk", "kiosk", NULL }, mode));
  /* Whether the patient is at the desk is said in desk mode, and only there. */
  g_assert_cmpint (json_object_has_member (root, "patient_present"), ==,
                   g_strcmp0 (mode, "desk") == 0);
  g_assert_true (json_object_get_boolean_member (root, "consent"));
  assert_patient_shape (json_object_get_object_member (root, "patient"));
  assert_medications_shape (json_object_get_array_member (root, "medications"));
  if (json_object_has_member (root, "patient_supplied"))
    assert_supplied_shape (json_object_get_object_member (root, "patient_supplied"));
  if (json_object_has_member (root, "flagged"))
    assert_flagged_shape (json_object_get_array_member (root, "flagged"));
  g_assert_cmpuint (json_object_get_size (fulfilment), ==, 2);
  if (g_strcmp0 (method, "pickup") == 0)
    g_assert_cmpstr (json_object_get_string_member (fulfilment, "location"), !=, "");
  else
    g_assert_cmpstr (json_object_get_string_member (fulfilment, "address"), !=, "");
  g_assert_cmpuint (json_object_get_size (urgency), ==, g_strcmp0 (level, "soon") == 0 ? 2 : 1);
}

/* The refill-v2 payload of @request, checked for shape and written for the schema validator. */
static G_GNUC_UNUSED JsonNode *
to_json (const MrRefillRequest *request)
{
  JsonNode *payload = mr_refill_request_to_json (request);

  g_assert_nonnull (payload);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (payload));
  mr_test_dump_payload (payload, "refill");
  return payload;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The refill models and the request's validation; the payload is in test-payload.c, the rules
 * field by field in test-rules.c. */
#include "mr-refill.h"

#include <string.h>

#include "mr-test-refill.h"
#include "mr-test-server.h"

/* Fixtures (mr-test-refill.h) under the names these tests have always used. */
#define jack          mr_test_jack
#define valid_request mr_test_valid_request
#define medication    mr_test_medication
#define replace       mr_test_replace

/* Validation table */

typedef struct {
  const char *name;
  void      (*change) (MrRefillRequest *request);
  const char *message;          /* NULL: valid */
} ValidateCase;

static void nothing (MrRefillRequest *r) { }
static void no_medications (MrRefillRequest *r) { g_ptr_array_set_size (r->medications, 0); }
static void name_null (MrRefillRequest *r) { replace (&medication (r, 0)->name, NULL); }
static void name_empty (MrRefillRequest *r) { replace (&medication (r, 0)->name, ""); }
static void name_blank (MrRefillRequest *r) { replace (&medication (r, 0)->name, " \t\n "); }
static void name_controls (MrRefillRequest *r) { replace (&medication (r, 0)->name, "\x01\x1b"); }
static void second_unnamed (MrRefillRequest *r)
{
  g_ptr_array_add (r->medications, mr_medication_new (NULL, NULL, 30));
}
static void third_no_amount (MrRefillRequest *r)
{
  g_ptr_array_add (r->medications, mr_medication_new ("Aspirin", NULL, 30));
  g_ptr_array_add (r->medications, mr_medication_new ("Ibuprofen", NULL, 0));
}

static void
name_length (MrRefillRequest *r,
             gsize            n,
             const char      *unit)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < n; i++)
    g_string_append (s, unit);
  g_free (medication (r, 0)->name);
  medication (r, 0)->name = g_string_free (s, FALSE);
}
static void name_200 (MrRefillRequest *r) { name_length (r, 200, "a"); }
static void name_201 (MrRefillRequest *r) { name_length (r, 201, "a"); }
/* Characters, not bytes: 200 two-byte characters are allowed. */
static void name_200_umlauts (MrRefillRequest *r) { name_length (r, 200, "ë"); }
static void name_200_padded (MrRefillRequest *r)
{
  g_autofree char *padded = NULL;

  name_length (r, 200, "a");
  padded = g_strdup_printf ("  %s  ", medication (r, 0)->name);
  replace (&medication (r, 0)->name, padded);
}
static void quantity_0_no_days (MrRefillRequest *r) { medication (r, 0)->quantity = 0; }
static void quantity_0_days_30 (MrRefillRequest *r)
{
  medication (r, 0)->quantity = 0;
  medication (r, 0)->days_supply = 30;
}
static void quantity_1 (MrRefillRequest *r) { medication (r, 0)->quantity = 1; }
static void quantity_1000 (MrRefillRequest *r) { medication (r, 0)->quantity = 1000; }
static void quantity_1001 (MrRefillRequest *r) { medication (r, 0)->quantity = 1001; }
static void quantity_1001_days (MrRefillRequest *r)
{
  medication (r, 0)->quantity = 1001;
  medication (r, 0)->days_supply = 30;
}
static void days_365 (MrRefillRequest *r) { medication (r, 0)->days_supply = 365; }
static void days_366 (MrRefillRequest *r) { medication (r, 0)->days_supply = 366; }
static void days_only_366 (MrRefillRequest *r)
{
  medication (r, 0)->quantity = 0;
  medication (r, 0)->days_supply = 366;
}
static void last_filled_ok (MrRefillRequest *r)
{
  replace (&medication (r, 0)->last_filled, "2026-02-28");
}
static void last_filled_bad (MrRefillRequest *r)
{
  replace (&medication (r, 0)->last_filled, "28/02/2026");
}
static void last_filled_impossible (MrRefillRequest *r)
{
  replace (&medication (r, 0)->last_filled, "2026-02-30");
}
static void no_patient_id (MrRefillRequest *r) { replace (&r->patient->id, NULL); }
static void blank_patient_id (MrRefillRequest *r) { replace (&r->patient->id, "  "); }
static void no_names (MrRefillRequest *r)
{
  replace (&r->patient->given_name, NULL);
  replace (&r->patient->surname, "");
}
static void surname_only (MrRefillRequest *r) { replace (&r->patient->given_name, NULL); }
static void given_name_only (MrRefillRequest *r) { replace (&r->patient->surname, NULL); }
static void notes_2000 (MrRefillRequest *r) { r->notes = g_strnfill (2000, 'n'); }
static void notes_2001 (MrRefillRequest *r) { r->notes = g_strnfill (2001, 'n'); }
static void no_consent (MrRefillRequest *r) { r->consent = FALSE; }
static void pickup_no_location (MrRefillRequest *r) { replace (&r->pickup_location, NULL); }
static void pickup_blank_location (MrRefillRequest *r) { replace (&r->pickup_location, " "); }
static void delivery_no_address (MrRefillRequest *r) { r->fulfilment = MR_FULFILMENT_DELIVERY; }
static void delivery_address (MrRefillRequest *r)
{
  r->fulfilment = MR_FULFILMENT_DELIVERY;
  r->delivery_address = g_strdup ("1 Main Street, Springfield");
}
static void soon_no_days (MrRefillRequest *r) { r->urgency = MR_URGENCY_SOON; }
static void soon_3_days (MrRefillRequest *r)
{
  r->urgency = MR_URGENCY_SOON;
  r->urgency_days = 3;
}
static void out_now (MrRefillRequest *r) { r->urgency = MR_URGENCY_OUT; }
static void staff (MrRefillRequest *r)
{
  r->mode = MR_MODE_DESK;
  r->submitted_by_id = g_strdup ("staff-1");
  r->submitted_by_name = g_strdup ("Front Desk");
}
/* The first problem is the one reported: here, the patient's, before the medicines'. */
static void two_problems (MrRefillRequest *r)
{
  no_names (r);
  no_medications (r);
}

/* The complete form: every patient field, corrections, choices. */
static void soon_30_days (MrRefillRequest *r)
{
  r->urgency = MR_URGENCY_SOON;
  r->urgency_days = 30;
}
static void soon_31_days (MrRefillRequest *r)
{
  r->urgency = MR_URGENCY_SOON;
  r->urgency_days = 31;
}
static void dob_impossible (MrRefillRequest *r)
{
  replace (&r->patient->date_of_birth, "2023-02-29");
}
static void dob_impossible_flagged (MrRefillRequest *r)
{
  dob_impossible (r);
  mr_refill_request_flag (r, MR_CUSTOM_DATE_OF_BIRTH, TRUE, "2000-08-01");
}
static void dob_flagged_bad_correction (MrRefillRequest *r)
{
  mr_refill_request_flag (r, MR_CUSTOM_DATE_OF_BIRTH, TRUE, "2000-02-30");
}
static void hn_flagged_no_value (MrRefillRequest *r)
{
  replace (&r->patient->hospital_number, "HN 1");
  mr_refill_request_flag (r, MR_CUSTOM_HOSPITAL_NUMBER, TRUE, NULL);
}
static void gender_lowercase (MrRefillRequest *r) { replace (&r->patient->gender, "female"); }
static void gender_unknown (MrRefillRequest *r) { replace (&r->patient->gender, "X"); }
static void email_bad (MrRefillRequest *r) { replace (&r->patient->mail, "jack@example"); }
static void given_name_digits (MrRefillRequest *r) { replace (&r->patient->given_name, "J4ck"); }
static void unicode_names (MrRefillRequest *r)
{
  replace (&r->patient->given_name, "Zoë");
  replace (&r->patient->surname, "Núñez-Ødegård");
  replace (&r->patient->display_name, "王小明");
}
static void form_41 (MrRefillRequest *r) { medication (r, 0)->form = g_strnfill (41, 'f'); }
static void strength_51 (MrRefillRequest *r)
{
  g_free (medication (r, 0)->strength);
  medication (r, 0)->strength = g_strnfill (51, '5');
}
static void last_filled_future (MrRefillRequest *r)
{
  replace (&medication (r, 0)->last_filled, "9999-01-01");
}
static void second_quantity_2000 (MrRefillRequest *r)
{
  g_ptr_array_add (r->medications, mr_medication_new ("Aspirin", NULL, 2000));
}
static void pickup_not_offered (MrRefillRequest *r)
{
  r->pickup_choices = g_strsplit ("Main pharmacy|Apotek Ørestad", "|", -1);
  replace (&r->pickup_location, "Elsewhere");
}
static void pickup_offered (MrRefillRequest *r)
{
  r->pickup_choices = g_strsplit ("Apotek Ørestad|Main pharmacy", "|", -1);
}
static void delivery_301 (MrRefillRequest *r)
{
  r->fulfilment = MR_FULFILMENT_DELIVERY;
  r->delivery_address = g_strnfill (301, 'a');
}
static void desk_present (MrRefillRequest *r)
{
  staff (r);
  r->patient_present = TRUE;
}

static const ValidateCase validate_cases[] = {
  { "valid", nothing, NULL },
  { "no-medications", no_medications, "Add at least one medicine." },
  { "name-null", name_null, "Medicine 1 needs a name." },
  { "name-empty", name_empty, "Medicine 1 needs a name." },
  { "name-blank", name_blank, "Medicine 1 needs a name." },
  { "name-control-characters", name_controls, "Medicine 1 needs a name." },
  { "second-unnamed", second_unnamed, "Medicine 2 needs a name." },
  { "third-no-amount", third_no_amount,
    "Medicine 3 needs a quantity or a number of days' supply." },
  { "name-200", name_200, NULL },
  { "name-200-umlauts", name_200_umlauts, NULL },
  { "name-200-padded", name_200_padded, NULL },
  { "name-201", name_201, "The name of medicine 1 is too long (at most 200 characters)." },
  { "quantity-0-no-days", quantity_0_no_days,
    "Medicine 1 needs a quantity or a number of days' supply." },
  { "quantity-0-days-30", quantity_0_days_30, NULL },
  { "quantity-1", quantity_1, NULL },
  { "quantity-1000", quantity_1000, NULL },
  { "quantity-1001", quantity_1001, "The quantity of medicine 1 must be from 1 to 1000." },
  { "quantity-1001-with-days", quantity_1001_days,
    "The quantity of medicine 1 must be from 1 to 1000." },
  { "days-365", days_365, NULL },
  { "days-366", days_366, "The days' supply of medicine 1 must be from 1 to 365." },
  { "days-only-366", days_only_366, "The days' supply of medicine 1 must be from 1 to 365." },
  { "last-filled-ok", last_filled_ok, NULL },
  { "last-filled-bad", last_filled_bad,
    "The last-filled date of medicine 1 must be a date such as 2026-01-31." },
  { "last-filled-impossible", last_filled_impossible,
    "The last-filled date of medicine 1 must be a date such as 2026-01-31." },
  { "no-patient-id", no_patient_id,
    "The patient's record is missing. Sign in again or look the patient up." },
  { "blank-patient-id", blank_patient_id,
    "The patient's record is missing. Sign in again or look the patient up." },
  { "no-names", no_names, "Enter the patient's given name or surname." },
  { "surname-only", surname_only, NULL },
  { "given-name-only", given_name_only, NULL },
  { "notes-2000", notes_2000, NULL },
  { "notes-2001", notes_2001, "The notes are too long (at most 2000 characters)." },
  { "no-consent", no_consent,
    "Confirm that the clinic may use these details for the refill." },
  { "pickup-no-location", pickup_no_location, "Choose where the medicines will be picked up." },
  { "pickup-blank-location", pickup_blank_location,
    "Choose where the medicines will be picked up." },
  { "delivery-no-address", delivery_no_address,
    "Enter the address the medicines should be delivered to." },
  { "delivery-address", delivery_address, NULL },
  { "soon-no-days", soon_no_days, "Say in how many days the medicines will run out (1 to 30)." },
  { "soon-3-days", soon_3_days, NULL },
  { "out-now", out_now, NULL },
  { "staff", staff, NULL },
  { "two-problems", two_problems, "Enter the patient's given name or surname." },
  { "soon-30-days", soon_30_days, NULL },
  { "soon-31-days", soon_31_days, "Say in how many days the medicines will run out (1 to 30)." },
  { "dob-impossible", dob_impossible, "The date of birth must be a date such as 1980-04-30." },
  { "dob-impossible-flagged", dob_impossible_flagged, NULL },
  { "dob-flagged-bad-correction", dob_flagged_bad_correction,
    "The date of birth must be a date such as 1980-04-30." },
  { "hn-flagged-no-value", hn_flagged_no_value, NULL },
  { "gender-lowercase", gender_lowercase, NULL },
  { "gender-unknown", gender_unknown,
    "Choose the gender from the list: Male, Female, Other or Prefer not to say." },
  { "email-bad", email_bad, "The email address must look like name@example.org." },
  { "given-name-digits", given_name_digits,
    "The given name may only contain letters, spaces, apostrophes, hyphens and full stops." },
  { "unicode-names", unicode_names, NULL },
  { "form-41", form_41, "The form of medicine 1 is too long (at most 40 characters)." },
  { "strength-51", strength_51, "The strength of medicine 1 is too long (at most 50 characters)." },
  { "last-filled-future", last_filled_future,
    "The last-filled date of medicine 1 cannot be in the future." },
  { "second-quantity-2000", second_quantity_2000,
    "The quantity of medicine 2 must be from 1 to 1000." },
  { "pickup-not-offered", pickup_not_offered, "Choose a pickup location from the list." },
  { "pickup-offered", pickup_offered, NULL },
  { "delivery-301", delivery_301, "The delivery address is too long (at most 300 characters)." },
  { "desk-present", desk_present, NULL },
};

static void
test_validate (gconstpointer data)
{
  const ValidateCase *c = data;
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = NULL;

  c->change (request);
  if (c->message == NULL)
    {
      g_assert_true (mr_refill_request_validate (request, &error));
      g_assert_no_error (error);
      /* Whatever validates must serialise to a well-formed refill-v2 payload. */
      payload = to_json (request);
      assert_payload_shape (payload);
      return;
    }
  g_assert_false (mr_refill_request_validate (request, &error));
  g_assert_error (error, MR_REFILL_ERROR, MR_REFILL_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, c->message);
  g_assert_false (mr_refill_request_validate (request, NULL));
}

/* Models */

static void
test_request_new (void)
{
  g_autoptr(MrPatient) patient = jack ();
  g_autoptr(MrRefillRequest) a = mr_refill_request_new (patient, MR_MODE_DESK);
  g_autoptr(MrRefillRequest) b = mr_refill_request_new (patient, MR_MODE_KIOSK);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_assert_true (is_uuid (a->request_id));
  g_assert_true (is_uuid (b->request_id));
  g_assert_cmpstr (a->request_id, !=, b->request_id);
  g_assert_cmpint (g_date_time_get_utc_offset (a->created_at), ==, 0);
  g_assert_cmpint (g_date_time_difference (now, a->created_at), <, 10 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (a->mode, ==, MR_MODE_DESK);
  g_assert_cmpint (b->mode, ==, MR_MODE_KIOSK);
  /* The request owns two copies of the patient: the directory's and the form's. */
  g_assert_true (a->patient != patient);
  g_assert_true (a->directory != patient);
  g_assert_true (a->directory != a->patient);
  g_assert_cmpstr (a->patient->hospital_number, ==, "HN11112");
  g_assert_cmpstr (a->directory->hospital_number, ==, "HN11112");
  replace (&patient->given_name, "Changed");
  replace (&a->patient->surname, "Typed");
  g_assert_cmpstr (a->patient->given_name, ==, "Jack");
  g_assert_cmpstr (a->directory->surname, ==, "Smith");
  g_assert_cmpuint (a->medications->len, ==, 0);
  g_assert_false (a->consent);
}

/* What the person supplied is exactly the cleaned difference; the object id never; a flagged
 * attribute's corrected value stands for the form's (which, at a kiosk, is the directory's). */
static void
test_supplied (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(MrPatient) none = mr_refill_request_dup_supplied (request);
  g_autoptr(MrPatient) supplied = NULL;
  g_autoptr(MrPatient) flagged = NULL;

  g_assert_true (mr_patient_is_empty (none));
  replace (&request->patient->id, "other");
  replace (&request->patient->city, " Spring\x01" "field ");
  replace (&request->patient->country, "NL");
  replace (&request->patient->state, NULL);
  supplied = mr_refill_request_dup_supplied (request);
  g_assert_null (supplied->id);
  g_assert_null (supplied->city);
  g_assert_cmpstr (supplied->country, ==, "NL");
  g_assert_cmpstr (supplied->state, ==, "");
  g_assert_null (supplied->given_name);

  mr_refill_request_flag (request, MR_CUSTOM_HOSPITAL_NUMBER, TRUE, "HN22223");
  mr_refill_request_flag (request, MR_CUSTOM_GENDER, TRUE, NULL);
  replace (&request->patient->gender, "Female");
  flagged = mr_refill_request_dup_supplied (request);
  g_assert_cmpstr (flagged->hospital_number, ==, "HN22223");
  g_assert_null (flagged->gender);
  g_assert_false (mr_patient_is_empty (flagged));
}

static void
test_patient_copy (void)
{
  g_autoptr(MrPatient) patient = jack ();
  g_autoptr(MrPatient) copy = mr_patient_copy (patient);
  g_autoptr(MrPatient) empty = mr_patient_new ();
  g_autoptr(MrPatient) empty_copy = mr_patient_copy (empty);

  g_assert_cmpstr (copy->id, ==, patient->id);
  g_assert_cmpstr (copy->mail, ==, patient->mail);
  g_assert_cmpstr (copy->job_title, ==, patient->job_title);
  g_assert_cmpstr (copy->gender, ==, patient->gender);
  g_assert_cmpstr (copy->date_of_birth, ==, patient->date_of_birth);
  g_assert_true (copy->city != patient->city);
  g_assert_null (empty_copy->id);
  g_assert_null (empty_copy->surname);
}

static const char *
medication_name (MrRefillRequest *request,
                 guint            i)
{
  return medication (request, i)->name;
}

static void
test_move_medication (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();

  g_ptr_array_add (request->medications, mr_medication_new ("Lisinopril", "10 mg", 30));
  g_ptr_array_add (request->medications, mr_medication_new ("Atorvastatin", NULL, 90));
  /* Last to first, then first to the middle. */
  g_assert_true (mr_refill_request_move_medication (request, 2, 0));
  g_assert_cmpstr (medication_name (request, 0), ==, "Atorvastatin");
  g_assert_cmpstr (medication_name (request, 1), ==, "Metformin");
  g_assert_cmpstr (medication_name (request, 2), ==, "Lisinopril");
  g_assert_true (mr_refill_request_move_medication (request, 0, 1));
  g_assert_cmpstr (medication_name (request, 0), ==, "Metformin");
  g_assert_cmpstr (medication_name (request, 1), ==, "Atorvastatin");
  g_assert_true (mr_refill_request_move_medication (request, 1, 1));
  g_assert_cmpstr (medication_name (request, 1), ==, "Atorvastatin");
  /* Out of range changes nothing. */
  g_assert_false (mr_refill_request_move_medication (request, 3, 0));
  g_assert_false (mr_refill_request_move_medication (request, 0, 3));
  g_assert_cmpuint (request->medications->len, ==, 3);
  g_assert_cmpstr (medication_name (request, 2), ==, "Lisinopril");
}

static void
test_add_remove_medication (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();
  g_autoptr(MrMedication) copy = NULL;
  MrMedication *added = mr_refill_request_add_medication (request);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (request->medications->len, ==, 2);
  g_assert_true (medication (request, 1) == added);
  g_assert_null (added->name);
  /* A new, empty line is what stops the request until it is filled or removed. */
  g_assert_false (mr_refill_request_validate (request, &error));
  g_assert_cmpstr (error->message, ==, "Medicine 2 needs a name.");
  added->name = g_strdup ("Aspirin");
  added->days_supply = 30;
  added->form = g_strdup ("tablet");
  copy = mr_medication_copy (added);
  g_assert_true (copy != added);
  g_assert_cmpstr (copy->name, ==, "Aspirin");
  g_assert_cmpstr (copy->form, ==, "tablet");
  g_assert_cmpuint (copy->days_supply, ==, 30);
  g_assert_true (mr_refill_request_validate (request, NULL));
  g_assert_true (mr_refill_request_remove_medication (request, 0));
  g_assert_false (mr_refill_request_remove_medication (request, 1));
  g_assert_cmpuint (request->medications->len, ==, 1);
  g_assert_cmpstr (medication_name (request, 0), ==, "Aspirin");
}

static void
test_flag (void)
{
  g_autoptr(MrRefillRequest) request = valid_request ();

  g_assert_false (mr_refill_request_has_corrections (request));
  mr_refill_request_flag (request, MR_CUSTOM_GENDER, TRUE, "  fEMALE ");
  g_assert_true (mr_refill_request_has_corrections (request));
  g_assert_true (request->corrections[MR_CUSTOM_GENDER].flagged);
  /* Stored cleaned and canonical. */
  g_assert_cmpstr (request->corrections[MR_CUSTOM_GENDER].corrected, ==, "Female");
  mr_refill_request_flag (request, MR_CUSTOM_DATE_OF_BIRTH, TRUE, "   ");
  g_assert_null (request->corrections[MR_CUSTOM_DATE_OF_BIRTH].corrected);
  /* Clearing the flag drops the value. */
  mr_refill_request_flag (request, MR_CUSTOM_GENDER, FALSE, "Female");
  g_assert_false (request->corrections[MR_CUSTOM_GENDER].flagged);
  g_assert_null (request->corrections[MR_CUSTOM_GENDER].corrected);
  g_assert_true (mr_refill_request_has_corrections (request));
  mr_refill_request_flag (request, MR_CUSTOM_DATE_OF_BIRTH, FALSE, NULL);
  g_assert_false (mr_refill_request_has_corrections (request));

  g_assert_cmpstr (mr_custom_attribute_name (MR_CUSTOM_HOSPITAL_NUMBER), ==, "hospital_number");
  g_assert_cmpint (mr_custom_attribute_field (MR_CUSTOM_DATE_OF_BIRTH), ==,
                   MR_FIELD_DATE_OF_BIRTH);
  g_assert_cmpstr (mr_patient_get_custom (request->patient, MR_CUSTOM_HOSPITAL_NUMBER), ==,
                   "HN11112");
  g_assert_cmpstr (mr_patient_get_custom (request->patient, MR_CUSTOM_GENDER), ==, "Male");
}

static void
test_patient_validate (void)
{
  g_autoptr(MrPatient) patient = jack ();
  g_autoptr(MrMedication) m = mr_medication_new ("Aspirin", NULL, 0);
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_patient_validate (patient, NULL));
  replace (&patient->postal_code, "62701!");
  g_assert_false (mr_patient_validate (patient, &error));
  g_assert_error (error, MR_REFILL_ERROR, MR_REFILL_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "The postal code must be 2 to 10 letters, digits, spaces or hyphens.");
  g_clear_error (&error);
  /* Without the request, no flag excuses a custom attribute. */
  replace (&patient->postal_code, NULL);
  replace (&patient->hospital_number, "HN 1");
  g_assert_false (mr_patient_validate (patient, &error));
  g_assert_cmpstr (error->message, ==,
                   "The hospital number may only contain letters and digits, without spaces.");
  g_clear_error (&error);

  /* A medicine alone, numbered or not. */
  g_assert_false (mr_medication_validate (m, 0, &error));
  g_assert_cmpstr (error->message, ==, "The medicine needs a quantity or a number of days' supply.");
  g_clear_error (&error);
  g_assert_false (mr_medication_validate (m, 4, &error));
  g_assert_cmpstr (error->message, ==, "Medicine 4 needs a quantity or a number of days' supply.");
  m->days_supply = 7;
  g_assert_true (mr_medication_validate (m, 4, NULL));
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  for (gsize i = 0; i < G_N_ELEMENTS (validate_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/refill/validate/%s", validate_cases[i].name);

      g_test_add_data_func (path, &validate_cases[i], test_validate);
    }
  g_test_add_func ("/refill/request-new", test_request_new);
  g_test_add_func ("/refill/patient-copy", test_patient_copy);
  g_test_add_func ("/refill/supplied", test_supplied);
  g_test_add_func ("/refill/medications/move", test_move_medication);
  g_test_add_func ("/refill/medications/add-remove", test_add_remove_medication);
  g_test_add_func ("/refill/corrections/flag", test_flag);
  g_test_add_func ("/refill/patient-validate", test_patient_validate);
  return g_test_run ();
}

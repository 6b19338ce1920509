/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The refill form widget alone: prefill marks, the gender choice, inline validation, medicines
 * added, moved and removed, kiosk corrections, profile changes, the review page and the
 * formulary's completion. Each test drives the form as a person would, through its rows and
 * actions, and ends by checking that the form is finalized (no leak, no reference cycle). */
#include <adwaita.h>
#include <glib/gstdio.h>

#include "mr-date-row.h"
#include "mr-medication-row.h"
#include "mr-refill-form.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"

#define EXT_APP_ID "3888d42ccd5f4582afa2f9b641643fac"

static MrPatient *
jack (void)
{
  MrPatient *patient = mr_patient_new ();

  patient->id = g_strdup ("4b8a7c6e-1d2f-4e3a-9b5c-6d7e8f901234");
  patient->given_name = g_strdup ("Jack");
  patient->surname = g_strdup ("Smith");
  patient->display_name = g_strdup ("Jack Smith");
  patient->gender = g_strdup ("male");
  patient->date_of_birth = g_strdup ("2000-01-01");
  patient->mail = g_strdup ("jack.smith@example.org");
  patient->street_address = g_strdup ("12 Harbour Road");
  patient->city = g_strdup ("Springfield");
  patient->postal_code = g_strdup ("SP1 2AB");
  patient->country = g_strdup ("United Kingdom");
  /* No hospital number and no job title: the form marks them as missing. */
  return patient;
}

static MrRefillForm *
new_form (void)
{
  MrRefillForm *form = MR_REFILL_FORM (g_object_ref_sink (mr_refill_form_new ()));
  g_autoptr(MrPatient) patient = jack ();

  mr_refill_form_set_patient (form, patient);
  return form;
}

static GtkWidget *
by_id (MrRefillForm *form,
       const char   *id)
{
  GtkWidget *widget = mr_ui_find_by_id (GTK_WIDGET (form), id);

  g_assert_nonnull (widget);
  return widget;
}

static void
set_text (MrRefillForm *form,
          const char   *id,
          const char   *text)
{
  gtk_editable_set_text (GTK_EDITABLE (by_id (form, id)), text);
}

static void
set_medication (MrRefillForm *form,
                guint         nth,
                const char   *name,
                const char   *strength,
                const char   *quantity)
{
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", nth)),
                         name);
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-strength",
                                                           nth)), strength);
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-quantity",
                                                           nth)), quantity);
}

static void
make_valid (MrRefillForm *form)
{
  set_medication (form, 0, "Metformin", "500 mg", "60");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (by_id (form, "consent")), TRUE);
  g_assert_true (mr_refill_form_get_valid (form));
}

static const char *
gender_shown (MrRefillForm *form)
{
  AdwComboRow *row = ADW_COMBO_ROW (by_id (form, "gender"));
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  return item ? gtk_string_object_get_string (item) : NULL;
}

static void
assert_description (GtkWidget  *widget,
                    const char *expected)
{
  g_autofree char *problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                 GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                                 expected);

  g_assert_null (problem);
}

static void
assert_label (GtkWidget  *widget,
              const char *expected)
{
  g_autofree char *problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                 GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                                 expected);

  g_assert_null (problem);
}

static void
test_prefill_marks (void)
{
  MrRefillForm *form = new_form ();
  GtkWidget *hn = by_id (form, "hospital_number");

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (by_id (form, "given_name"))), ==, "Jack");
  /* The gender is a choice, shown in its canonical spelling. */
  g_assert_true (ADW_IS_COMBO_ROW (by_id (form, "gender")));
  g_assert_cmpstr (gender_shown (form), ==, "Male");
  g_assert_true (MR_IS_DATE_ROW (by_id (form, "date_of_birth")));
  g_assert_true (gtk_widget_has_css_class (hn, "missing"));
  g_assert_true (gtk_widget_has_css_class (by_id (form, "job_title"), "missing"));
  g_assert_false (gtk_widget_has_css_class (by_id (form, "given_name"), "missing"));
  assert_description (hn, "Missing from your clinic account: please fill this in.");
  assert_description (by_id (form, "surname"), "Filled in from your clinic account.");
  /* The delivery address starts as the profile's, one part a line. */
  {
    g_autoptr(MrRefillRequest) request = NULL;

    gtk_check_button_set_active (GTK_CHECK_BUTTON (by_id (form, "consent")), TRUE);
    request = mr_refill_form_build_request (form, MR_MODE_DESK);
    g_assert_cmpstr (request->delivery_address, ==,
                     "12 Harbour Road\nSP1 2AB Springfield\nUnited Kingdom");
    g_assert_cmpstr (request->patient->gender, ==, "Male");
    g_assert_null (request->patient->hospital_number);
  }
  g_assert_finalize_object (form);
}

static void
test_inline_validation (void)
{
  MrRefillForm *form = new_form ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *dob = by_id (form, "date_of_birth");
  GtkWidget *problem = by_id (form, "problem_label");
  GtkWidget *section = by_id (form, "patient_problem");
  const char *message;

  /* In a window, as the buttons follow their actions' state there. */
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (form));
  make_valid (form);
  g_assert_true (gtk_widget_get_visible (by_id (form, "review_button")));
  g_assert_true (gtk_widget_is_sensitive (by_id (form, "review_button")));
  set_text (form, "date_of_birth", "2999-01-01");
  /* Marked as the person types: the row, the sentence under the section, the description. */
  g_assert_false (mr_refill_form_get_valid (form));
  g_assert_true (gtk_widget_has_css_class (dob, "error"));
  g_assert_true (gtk_widget_get_visible (section));
  message = gtk_label_get_text (GTK_LABEL (section));
  g_assert_nonnull (strstr (message, "date of birth"));
  assert_description (dob, message);
  /* Review is off, and the reason is next to it. */
  g_assert_false (gtk_widget_is_sensitive (by_id (form, "review_button")));
  g_assert_true (gtk_widget_get_visible (problem));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (problem)), !=, "");

  set_text (form, "date_of_birth", "1999-12-31");
  g_assert_false (gtk_widget_has_css_class (dob, "error"));
  g_assert_false (gtk_widget_get_visible (section));
  g_assert_true (mr_refill_form_get_valid (form));
  g_assert_false (gtk_widget_get_visible (problem));

  /* A medicine's quantity out of bounds names the medicine. */
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-quantity", 0)),
                         "5000");
  g_assert_false (mr_refill_form_get_valid (form));
  g_assert_true (gtk_widget_has_css_class (mr_ui_find_by_name (GTK_WIDGET (form),
                                                               "medication-quantity", 0), "error"));
  /* Control characters are gone and Unicode kept in what is built. */
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-quantity", 0)),
                         "30");
  set_text (form, "given_name", "Zoe\xcc\x88\x07 ");
  {
    g_autoptr(MrRefillRequest) request = mr_refill_form_build_request (form, MR_MODE_DESK);

    g_assert_cmpstr (request->patient->given_name, ==, "Zoë");
  }
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (form);
}

static void
test_notes_and_consent (void)
{
  MrRefillForm *form = new_form ();
  GtkTextView *notes = GTK_TEXT_VIEW (by_id (form, "notes"));
  GtkWidget *count = by_id (form, "notes_count");
  g_autofree char *long_notes = g_strnfill (MR_RULES_NOTES_MAX_CHARS + 1, 'n');

  make_valid (form);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (notes), "Line one\nLíne two", -1);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (count)), ==, "17 of 2000 characters");
  g_assert_true (mr_refill_form_get_valid (form));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (notes), long_notes, -1);
  g_assert_true (gtk_widget_has_css_class (count, "error"));
  g_assert_false (mr_refill_form_get_valid (form));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (notes), "", -1);
  g_assert_true (mr_refill_form_get_valid (form));

  mr_refill_form_set_consent_text (form, "I agree to the clinic's refill terms.");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (by_id (form, "consent_label"))), ==,
                   "I agree to the clinic's refill terms.");
  assert_label (by_id (form, "consent"), "I agree to the clinic's refill terms.");
  mr_refill_form_set_consent_text (form, "");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (by_id (form, "consent_label"))),
                            "I confirm"));
  g_assert_finalize_object (form);
}

static void
test_medicines (void)
{
  MrRefillForm *form = new_form ();
  g_autoptr(MrRefillRequest) request = NULL;
  GtkWidget *first, *second, *third;

  make_valid (form);
  first = gtk_widget_get_ancestor (mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", 0),
                                   MR_TYPE_MEDICATION_ROW);
  g_object_ref (first);
  /* The only medicine cannot be removed. */
  gtk_widget_activate_action (first, "medication.remove", NULL);
  g_assert_true (mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", 0) != NULL);
  g_assert_true (gtk_widget_get_parent (first) != NULL);

  gtk_widget_activate_action (GTK_WIDGET (form), "form.add-medication", NULL);
  gtk_widget_activate_action (GTK_WIDGET (form), "form.add-medication", NULL);
  set_medication (form, 1, "Salbutamol", "100 micrograms", "1");
  set_medication (form, 2, "Amoxicillin", "250 mg", "21");
  second = gtk_widget_get_ancestor (mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", 1),
                                    MR_TYPE_MEDICATION_ROW);
  third = gtk_widget_get_ancestor (mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", 2),
                                   MR_TYPE_MEDICATION_ROW);
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (second)), ==, "Medicine 2");
  assert_label (mr_ui_find_by_id (second, "up_button"), "Move medicine 2 up");
  assert_label (mr_ui_find_by_id (second, "remove_button"), "Remove medicine 2");

  /* Move the third up, then remove the first: Amoxicillin, Salbutamol remain in that order. */
  g_assert_true (gtk_widget_activate_action (third, "medication.move-up", NULL));
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (third)), ==, "Medicine 2");
  assert_label (mr_ui_find_by_id (third, "down_button"), "Move medicine 2 down");
  g_assert_true (gtk_widget_activate_action (first, "medication.remove", NULL));
  g_assert_null (gtk_widget_get_parent (first));
  /* The last one cannot go further down. */
  gtk_widget_activate_action (second, "medication.move-down", NULL);

  g_assert_finalize_object (first);
  request = mr_refill_form_build_request (form, MR_MODE_DESK);
  g_assert_cmpuint (request->medications->len, ==, 2);
  g_assert_cmpstr (((MrMedication *) request->medications->pdata[0])->name, ==, "Amoxicillin");
  g_assert_cmpstr (((MrMedication *) request->medications->pdata[1])->name, ==, "Salbutamol");
  g_assert_true (mr_refill_form_get_valid (form));

  /* The other fields of a line travel too; a form out of the list is typed as text. */
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-form", 1)),
                         "Inhaler");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-days-supply", 1)),
                         "30");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form), "medication-prescriber", 1)),
                         "Dr Ødegård");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form),
                                                           "medication-last-filled", 1)), "2024-02-30");
  g_assert_false (mr_refill_form_get_valid (form));
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (GTK_WIDGET (form),
                                                           "medication-last-filled", 1)), "2024-02-29");
  g_assert_true (mr_refill_form_get_valid (form));
  g_clear_pointer (&request, mr_refill_request_free);
  request = mr_refill_form_build_request (form, MR_MODE_DESK);
  {
    MrMedication *m = request->medications->pdata[1];

    g_assert_cmpstr (m->form, ==, "inhaler");
    g_assert_cmpuint (m->days_supply, ==, 30);
    g_assert_cmpstr (m->prescriber, ==, "Dr Ødegård");
    g_assert_cmpstr (m->last_filled, ==, "2024-02-29");
  }
  g_assert_finalize_object (form);
}

static void
test_kiosk_corrections (void)
{
  MrRefillForm *form = new_form ();
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(JsonObject) changes = NULL;
  g_autoptr(JsonNode) payload = NULL;
  g_autofree char *supplied = NULL;
  GtkWidget *toggle, *correction;

  mr_refill_form_set_mode (form, MR_MODE_KIOSK);
  make_valid (form);
  /* The patient cannot edit the custom attributes; they flag them. */
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (by_id (form, "hospital_number"))));
  g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (by_id (form, "date_of_birth"))));
  g_assert_false (gtk_widget_get_visible (by_id (form, "gender")));
  g_assert_true (gtk_widget_get_visible (by_id (form, "gender_display")));
  correction = by_id (form, "date_of_birth_correction");
  g_assert_false (gtk_widget_get_visible (correction));
  toggle = mr_ui_find_by_name (by_id (form, "date_of_birth"), "wrong-toggle", 0);
  g_assert_nonnull (toggle);
  assert_label (toggle, "This is wrong: date of birth");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
  g_assert_true (gtk_widget_get_visible (correction));
  gtk_editable_set_text (GTK_EDITABLE (correction), "2000-13-01");
  g_assert_true (gtk_widget_has_css_class (correction, "error"));
  g_assert_false (mr_refill_form_get_valid (form));
  gtk_editable_set_text (GTK_EDITABLE (correction), "2000-01-10");
  g_assert_true (mr_refill_form_get_valid (form));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (mr_ui_find_by_name (by_id (form, "hospital_number"),
                                                                       "wrong-toggle", 0)), TRUE);
  /* Built-in attributes stay editable. */
  set_text (form, "job_title", "Pharmacist");

  request = mr_refill_form_build_request (form, MR_MODE_KIOSK);
  g_assert_true (mr_refill_request_validate (request, NULL));
  g_assert_true (request->corrections[MR_CUSTOM_DATE_OF_BIRTH].flagged);
  g_assert_cmpstr (request->corrections[MR_CUSTOM_DATE_OF_BIRTH].corrected, ==, "2000-01-10");
  g_assert_true (request->corrections[MR_CUSTOM_HOSPITAL_NUMBER].flagged);
  g_assert_null (request->corrections[MR_CUSTOM_HOSPITAL_NUMBER].corrected);
  g_assert_false (request->corrections[MR_CUSTOM_GENDER].flagged);
  g_assert_cmpstr (request->patient->date_of_birth, ==, "2000-01-01");
  g_assert_cmpstr (request->patient->job_title, ==, "Pharmacist");
  /* The payload keeps the directory's record and what the patient typed apart. */
  payload = mr_refill_request_to_json (request);
  supplied = json_to_string (json_object_get_member (json_node_get_object (payload),
                                                     "patient_supplied"), FALSE);
  g_assert_cmpstr (supplied, ==, "{\"date_of_birth\":\"2000-01-10\",\"job_title\":\"Pharmacist\"}");
  g_assert_null (request->directory->job_title);
  g_assert_cmpstr (request->directory->date_of_birth, ==, "2000-01-01");

  changes = mr_refill_form_dup_profile_changes (form, EXT_APP_ID);
  g_assert_cmpuint (json_object_get_size (changes), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (changes, "jobTitle"), ==, "Pharmacist");

  /* At the desk, staff edit the custom attributes and may write them back. */
  mr_refill_form_set_mode (form, MR_MODE_DESK);
  g_assert_false (gtk_widget_get_visible (toggle));
  g_assert_false (gtk_widget_get_visible (correction));
  set_text (form, "hospital_number", "HN11112");
  adw_combo_row_set_selected (ADW_COMBO_ROW (by_id (form, "gender")), 2);
  g_clear_pointer (&changes, json_object_unref);
  changes = mr_refill_form_dup_profile_changes (form, EXT_APP_ID);
  g_assert_cmpstr (json_object_get_string_member (changes, "extension_" EXT_APP_ID "_HospitalNumber"),
                   ==, "HN11112");
  g_assert_cmpstr (json_object_get_string_member (changes, "extension_" EXT_APP_ID "_Gender"),
                   ==, "Female");
  g_clear_pointer (&request, mr_refill_request_free);
  request = mr_refill_form_build_request (form, MR_MODE_DESK);
  g_assert_false (mr_refill_request_has_corrections (request));
  g_assert_cmpstr (request->patient->hospital_number, ==, "HN11112");
  g_clear_pointer (&payload, json_node_unref);
  g_clear_pointer (&supplied, g_free);
  payload = mr_refill_request_to_json (request);
  supplied = json_to_string (json_object_get_member (json_node_get_object (payload),
                                                     "patient_supplied"), FALSE);
  g_assert_cmpstr (supplied, ==, "{\"hospital_number\":\"HN11112\",\"gender\":\"Female\","
                                 "\"job_title\":\"Pharmacist\"}");
  g_assert_finalize_object (form);
}

/* Kiosk: a custom attribute as the patient typed it at sign-up, which the rules cannot read
 * ("01/02/1990" could be two dates). The patient is not stopped by it: the form says so in a
 * sentence, and the request goes to staff with it flagged and the directory's value kept. */
static void
test_kiosk_untidy (void)
{
  MrRefillForm *form = MR_REFILL_FORM (g_object_ref_sink (mr_refill_form_new ()));
  g_autoptr(MrPatient) patient = jack ();
  g_autoptr(MrRefillRequest) request = NULL;
  GtkWidget *problem, *dob;

  g_free (patient->date_of_birth);
  patient->date_of_birth = g_strdup ("01/02/1990");
  mr_refill_form_set_mode (form, MR_MODE_KIOSK);
  mr_refill_form_set_patient (form, patient);
  make_valid (form);

  problem = by_id (form, "patient_problem");
  dob = by_id (form, "date_of_birth");
  g_assert_true (gtk_widget_get_visible (problem));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (problem)), ==,
                   "Your clinic account has your date of birth as “01/02/1990”, which the clinic "
                   "cannot read for sure: staff will confirm it, or tap “This is wrong” to give "
                   "it now.");
  g_assert_false (gtk_widget_has_css_class (dob, "error"));
  assert_description (dob, gtk_label_get_text (GTK_LABEL (problem)));

  request = mr_refill_form_build_request (form, MR_MODE_KIOSK);
  g_assert_true (mr_refill_request_validate (request, NULL));
  g_assert_true (request->corrections[MR_CUSTOM_DATE_OF_BIRTH].flagged);
  g_assert_null (request->corrections[MR_CUSTOM_DATE_OF_BIRTH].corrected);
  g_assert_false (request->corrections[MR_CUSTOM_GENDER].flagged);
  g_assert_cmpstr (request->directory->date_of_birth, ==, "01/02/1990");

  /* At the desk, staff can type it: the rules ask them to. */
  mr_refill_form_set_mode (form, MR_MODE_DESK);
  g_assert_false (mr_refill_form_get_valid (form));
  g_assert_true (gtk_widget_has_css_class (dob, "error"));
  g_assert_finalize_object (form);
}

static void
test_review (void)
{
  MrRefillForm *form = new_form ();
  g_autoptr(MrRefillRequest) request = NULL;
  g_autofree char *text = NULL, *fhir = NULL, *id_line = NULL;

  /* Not before the request is valid. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (form), "form.review", NULL)
                  && g_strcmp0 (mr_refill_form_get_page (form), "review") == 0);
  g_assert_cmpstr (mr_refill_form_get_page (form), ==, "edit");
  make_valid (form);
  gtk_widget_activate_action (GTK_WIDGET (form), "form.add-medication", NULL);
  set_medication (form, 1, "Salbutamol <inhaler> & co", "100 micrograms", "1");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (form), "form.review", NULL));
  g_assert_cmpstr (mr_refill_form_get_page (form), ==, "review");
  g_assert_true (gtk_widget_get_visible (by_id (form, "send_button")));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (by_id (form, "send_button"))), ==,
                   "win.submit");

  /* What is shown is what the window will build and send. */
  text = mr_refill_form_dup_review_text (form);
  request = mr_refill_form_build_request (form, MR_MODE_DESK);
  id_line = g_strdup_printf ("Request › Request id: %s\n", request->request_id);
  g_assert_nonnull (strstr (text, id_line));
  g_assert_nonnull (strstr (text, "Medicine 1 › Name: Metformin\n"));
  g_assert_nonnull (strstr (text, "Medicine 2 › Name: Salbutamol <inhaler> & co\n"));
  g_assert_nonnull (strstr (text, "Patient › Given name: Jack\n"));
  g_assert_nonnull (strstr (text, "Request › Consent: Yes\n"));
  g_assert_nonnull (strstr (text, "Pickup or delivery › Pickup location: Clinic pharmacy\n"));
  g_assert_null (strstr (text, "Typed or corrected"));

  /* What the person typed is shown as such, apart from the directory's record. */
  gtk_widget_activate_action (GTK_WIDGET (form), "form.edit", NULL);
  set_text (form, "job_title", "Pharmacist");
  set_text (form, "city", "");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (form), "form.review", NULL));
  g_clear_pointer (&text, g_free);
  text = mr_refill_form_dup_review_text (form);
  g_assert_nonnull (strstr (text, "Typed or corrected on this form › Job title: Pharmacist\n"));
  g_assert_nonnull (strstr (text, "Address typed or corrected on this form › City: (removed)\n"));
  g_assert_nonnull (strstr (text, "Address › City: Springfield\n"));
  g_assert_nonnull (strstr (text, "Patient › Given name: Jack\n"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (form), "form.edit", NULL));
  g_assert_cmpstr (mr_refill_form_get_page (form), ==, "edit");
  mr_refill_form_set_payload_format (form, MR_PAYLOAD_FHIR_R4);
  gtk_widget_activate_action (GTK_WIDGET (form), "form.review", NULL);
  fhir = mr_refill_form_dup_review_text (form);
  g_assert_nonnull (strstr (fhir, "Request › Resource type: Task\n"));
  g_assert_nonnull (strstr (fhir, "103742009"));

  /* Clearing goes back to editing. */
  mr_refill_form_clear (form);
  g_assert_cmpstr (mr_refill_form_get_page (form), ==, "edit");
  g_assert_finalize_object (form);
}

static void
test_fulfilment (void)
{
  MrRefillForm *form = new_form ();
  const char *locations[] = { "Main pharmacy", "Apotek Ørestad", NULL };
  g_autoptr(MrRefillRequest) request = NULL;

  make_valid (form);
  mr_refill_form_set_pickup_locations (form, locations);
  g_assert_true (gtk_widget_get_visible (by_id (form, "pickup_choice")));
  g_assert_false (gtk_widget_get_visible (by_id (form, "pickup_location")));
  adw_combo_row_set_selected (ADW_COMBO_ROW (by_id (form, "pickup_choice")), 1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (by_id (form, "urgency")), 1);
  g_assert_true (gtk_widget_get_visible (by_id (form, "urgency_days_row")));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (by_id (form, "urgency_days")), 3);
  request = mr_refill_form_build_request (form, MR_MODE_DESK);
  g_assert_cmpstr (request->pickup_location, ==, "Apotek Ørestad");
  g_assert_cmpint (request->urgency, ==, MR_URGENCY_SOON);
  g_assert_cmpuint (request->urgency_days, ==, 3);

  /* Delivery: the address is required and may have several lines. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (by_id (form, "fulfilment")), 1);
  g_assert_true (gtk_widget_get_visible (by_id (form, "delivery_address_box")));
  g_assert_false (gtk_widget_get_visible (by_id (form, "pickup_choice")));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (by_id (form, "delivery_address"))),
                            "  ", -1);
  g_assert_false (mr_refill_form_get_valid (form));
  g_assert_true (gtk_widget_get_visible (by_id (form, "fulfilment_problem")));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (by_id (form, "delivery_address"))),
                            "Flat 2\n12 Harbour Road\x01\n", -1);
  g_assert_true (mr_refill_form_get_valid (form));
  g_clear_pointer (&request, mr_refill_request_free);
  request = mr_refill_form_build_request (form, MR_MODE_DESK);
  g_assert_cmpint (request->fulfilment, ==, MR_FULFILMENT_DELIVERY);
  g_assert_cmpstr (request->delivery_address, ==, "Flat 2\n12 Harbour Road");
  g_assert_finalize_object (form);
}

static void
test_completion (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mr-formulary-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "formulary.json", NULL);
  g_autoptr(MrFormulary) formulary = NULL;
  MrRefillForm *form = new_form ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *name, *line;
  g_autoptr(MrRefillRequest) request = NULL;

  g_assert_true (g_file_set_contents (path,
                                      "[{\"name\": \"Metformin\", \"strengths\": [\"500 mg\"], \"form\": \"tablet\"},"
                                      " {\"name\": \"Methotrexate\", \"strengths\": [\"2.5 mg\", \"10 mg\"]},"
                                      " {\"name\": \"Ibuprofen\"}]", -1, &error));
  formulary = mr_formulary_load (path, &error);
  g_assert_no_error (error);
  mr_refill_form_set_formulary (form, formulary);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (form));
  gtk_window_present (GTK_WINDOW (window));

  name = mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", 0);
  line = gtk_widget_get_ancestor (name, MR_TYPE_MEDICATION_ROW);
  g_assert_true (gtk_widget_grab_focus (name));
  gtk_editable_set_text (GTK_EDITABLE (name), "mét");
  g_assert_cmpuint (mr_medication_row_get_n_suggestions (MR_MEDICATION_ROW (line)), ==, 2);
  gtk_editable_set_text (GTK_EDITABLE (name), "ibu");
  g_assert_cmpuint (mr_medication_row_get_n_suggestions (MR_MEDICATION_ROW (line)), ==, 1);
  gtk_editable_set_text (GTK_EDITABLE (name), "xyz");
  g_assert_cmpuint (mr_medication_row_get_n_suggestions (MR_MEDICATION_ROW (line)), ==, 0);
  /* A new line gets the formulary too. */
  gtk_widget_activate_action (GTK_WIDGET (form), "form.add-medication", NULL);
  name = mr_ui_find_by_name (GTK_WIDGET (form), "medication-name", 1);
  g_assert_true (gtk_widget_grab_focus (name));
  gtk_editable_set_text (GTK_EDITABLE (name), "Metf");
  line = gtk_widget_get_ancestor (name, MR_TYPE_MEDICATION_ROW);
  g_assert_cmpuint (mr_medication_row_get_n_suggestions (MR_MEDICATION_ROW (line)), ==, 1);

  mr_refill_form_set_formulary (form, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (form);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* A private home, not isolated XDG_DATA_DIRS: the icon theme must be found. */
  mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/ui/form/needs-display"))
    return g_test_run ();
  adw_init ();

  g_test_add_func ("/ui/form/prefill-marks", test_prefill_marks);
  g_test_add_func ("/ui/form/inline-validation", test_inline_validation);
  g_test_add_func ("/ui/form/notes-and-consent", test_notes_and_consent);
  g_test_add_func ("/ui/form/medicines", test_medicines);
  g_test_add_func ("/ui/form/kiosk-corrections", test_kiosk_corrections);
  g_test_add_func ("/ui/form/kiosk-untidy", test_kiosk_untidy);
  g_test_add_func ("/ui/form/review", test_review);
  g_test_add_func ("/ui/form/fulfilment", test_fulfilment);
  g_test_add_func ("/ui/form/completion", test_completion);
  return g_test_run ();
}

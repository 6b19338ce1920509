/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-fhir.h"

#include <string.h>

#define PATIENT_REF "#patient"
#define STAFF_REF   "#staff"
#define UCUM        "http://unitsofmeasure.org"
#define V2_0203     "http://terminology.hl7.org/CodeSystem/v2-0203"

/* Builder helpers: every string is cleaned by the rules of @field; empty values are left out,
 * since FHIR forbids empty strings. */

static char *
clean (MrField     field,
       const char *value)
{
  char *text = mr_rules_clean (field, value);

  if (text != NULL && *text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

static void
set_string (JsonBuilder *b,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

static gboolean
set_field (JsonBuilder *b,
           const char  *member,
           MrField      field,
           const char  *value)
{
  g_autofree char *text = clean (field, value);

  if (text == NULL)
    return FALSE;
  set_string (b, member, text);
  return TRUE;
}

static void
add_coding (JsonBuilder *b,
            const char  *system,
            const char  *code,
            const char  *display)
{
  json_builder_begin_object (b);
  set_string (b, "system", system);
  set_string (b, "code", code);
  if (display != NULL)
    set_string (b, "display", display);
  json_builder_end_object (b);
}

/* A CodeableConcept with one coding and the display as its text. */
static void
set_concept (JsonBuilder *b,
             const char  *member,
             const char  *system,
             const char  *code,
             const char  *display)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "coding");
  json_builder_begin_array (b);
  add_coding (b, system, code, display);
  json_builder_end_array (b);
  set_string (b, "text", display);
  json_builder_end_object (b);
}

static void
add_object_id (JsonBuilder *b,
               const char  *id)
{
  json_builder_begin_object (b);
  set_string (b, "system", MR_FHIR_OBJECT_ID_SYSTEM);
  set_field (b, "value", MR_FIELD_DISPLAY_NAME, id);
  json_builder_end_object (b);
}

static void
set_reference (JsonBuilder *b,
               const char  *member,
               const char  *reference,
               const char  *object_id)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  set_string (b, "reference", reference);
  if (mr_rules_length (MR_FIELD_DISPLAY_NAME, object_id) > 0)
    {
      json_builder_set_member_name (b, "identifier");
      add_object_id (b, object_id);
    }
  json_builder_end_object (b);
}

/* Patient */

static void
add_patient_identifiers (JsonBuilder     *b,
                         const MrPatient *patient)
{
  g_autofree char *hn = clean (MR_FIELD_HOSPITAL_NUMBER, patient->hospital_number);
  gboolean has_id = mr_rules_length (MR_FIELD_DISPLAY_NAME, patient->id) > 0;

  if (!has_id && hn == NULL)
    return;
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  if (has_id)
    add_object_id (b, patient->id);
  if (hn != NULL)
    {
      json_builder_begin_object (b);
      set_string (b, "use", "usual");
      set_concept (b, "type", V2_0203, "MR", "Medical record number");
      set_string (b, "value", hn);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_patient_name (JsonBuilder     *b,
                  const MrPatient *patient)
{
  g_autofree char *given = clean (MR_FIELD_GIVEN_NAME, patient->given_name);

  if (mr_rules_length (MR_FIELD_SURNAME, patient->surname) == 0 && given == NULL
      && mr_rules_length (MR_FIELD_DISPLAY_NAME, patient->display_name) == 0)
    return;

  json_builder_set_member_name (b, "name");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  set_string (b, "use", "official");
  set_field (b, "text", MR_FIELD_DISPLAY_NAME, patient->display_name);
  set_field (b, "family", MR_FIELD_SURNAME, patient->surname);
  if (given != NULL)
    {
      json_builder_set_member_name (b, "given");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, given);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_end_array (b);
}

static void
add_telecom (JsonBuilder *b,
             const char  *system,
             const char  *use,
             MrField      field,
             const char  *value)
{
  g_autofree char *text = clean (field, value);

  if (text == NULL)
    return;
  json_builder_begin_object (b);
  set_string (b, "system", system);
  set_string (b, "value", text);
  if (use != NULL)
    set_string (b, "use", use);
  json_builder_end_object (b);
}

static void
add_patient_telecom (JsonBuilder     *b,
                     const MrPatient *patient)
{
  if (mr_rules_length (MR_FIELD_EMAIL, patient->mail) == 0
      && mr_rules_length (MR_FIELD_PHONE, patient->mobile_phone) == 0)
    return;

  json_builder_set_member_name (b, "telecom");
  json_builder_begin_array (b);
  add_telecom (b, "email", NULL, MR_FIELD_EMAIL, patient->mail);
  add_telecom (b, "phone", "mobile", MR_FIELD_PHONE, patient->mobile_phone);
  json_builder_end_array (b);
}

static void
add_patient_address (JsonBuilder     *b,
                     const MrPatient *patient)
{
  g_autofree char *street = clean (MR_FIELD_STREET, patient->street_address);

  if (street == NULL && mr_rules_length (MR_FIELD_CITY, patient->city) == 0
      && mr_rules_length (MR_FIELD_STATE, patient->state) == 0
      && mr_rules_length (MR_FIELD_POSTAL_CODE, patient->postal_code) == 0
      && mr_rules_length (MR_FIELD_COUNTRY, patient->country) == 0)
    return;

  json_builder_set_member_name (b, "address");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  set_string (b, "use", "home");
  if (street != NULL)
    {
      json_builder_set_member_name (b, "line");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, street);
      json_builder_end_array (b);
    }
  set_field (b, "city", MR_FIELD_CITY, patient->city);
  set_field (b, "state", MR_FIELD_STATE, patient->state);
  set_field (b, "postalCode", MR_FIELD_POSTAL_CODE, patient->postal_code);
  set_field (b, "country", MR_FIELD_COUNTRY, patient->country);
  json_builder_end_object (b);
  json_builder_end_array (b);
}

/* FHIR's administrative gender; NULL when the directory's value is not one of the choices. */
static const char *
fhir_gender (const char *gender)
{
  g_autofree char *canonical = mr_rules_clean (MR_FIELD_GENDER, gender);
  const char * const *choices = mr_rules_genders ();
  static const char * const codes[] = { "male", "female", "other", "unknown" };

  for (gsize i = 0; choices[i] != NULL && i < G_N_ELEMENTS (codes); i++)
    if (g_strcmp0 (canonical, choices[i]) == 0)
      return codes[i];
  return NULL;
}

static void
add_patient (JsonBuilder     *b,
             const MrPatient *patient)
{
  g_autofree char *dob = clean (MR_FIELD_DATE_OF_BIRTH, patient->date_of_birth);
  const char *gender = fhir_gender (patient->gender);

  json_builder_begin_object (b);
  set_string (b, "resourceType", "Patient");
  set_string (b, "id", &PATIENT_REF[1]);
  add_patient_identifiers (b, patient);
  add_patient_name (b, patient);
  add_patient_telecom (b, patient);
  if (gender != NULL)
    set_string (b, "gender", gender);
  /* Only a real date: FHIR's date type has no room for what a directory may hold. */
  if (dob != NULL && mr_rules_parse_date (dob, NULL))
    set_string (b, "birthDate", dob);
  add_patient_address (b, patient);
  json_builder_end_object (b);
}

static void
add_staff (JsonBuilder           *b,
           const MrRefillRequest *request)
{
  g_autofree char *name = clean (MR_FIELD_DISPLAY_NAME, request->submitted_by_name);

  json_builder_begin_object (b);
  set_string (b, "resourceType", "Practitioner");
  set_string (b, "id", &STAFF_REF[1]);
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  add_object_id (b, request->submitted_by_id);
  json_builder_end_array (b);
  if (name != NULL)
    {
      json_builder_set_member_name (b, "name");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      set_string (b, "text", name);
      json_builder_end_object (b);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

/* The patient's object id, as the directory gave it. */
static const char *
patient_object_id (const MrRefillRequest *request)
{
  return request->directory != NULL ? request->directory->id : request->patient->id;
}

/* MedicationRequest */

static void
set_quantity (JsonBuilder *b,
              const char  *member,
              guint        value,
              const char  *unit,
              const char  *ucum)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "value");
  json_builder_add_int_value (b, value);
  if (unit != NULL)
    set_string (b, "unit", unit);
  if (ucum != NULL)
    {
      set_string (b, "system", UCUM);
      set_string (b, "code", ucum);
    }
  json_builder_end_object (b);
}

static void
add_dispense_request (JsonBuilder        *b,
                      const MrMedication *medication,
                      const char         *form)
{
  if (medication->quantity == 0 && medication->days_supply == 0)
    return;

  json_builder_set_member_name (b, "dispenseRequest");
  json_builder_begin_object (b);
  if (medication->quantity > 0)
    set_quantity (b, "quantity", medication->quantity, form, NULL);
  if (medication->days_supply > 0)
    set_quantity (b, "expectedSupplyDuration", medication->days_supply, "days", "d");
  json_builder_end_object (b);
}

/* What the payload's medicine has and the MedicationRequest has no plain element for. */
static void
add_medication_note (JsonBuilder        *b,
                     const char         *form,
                     const MrMedication *medication)
{
  g_autofree char *last = clean (MR_FIELD_MEDICATION_LAST_FILLED, medication->last_filled);
  g_autoptr(GString) note = g_string_new (NULL);

  if (form != NULL)
    g_string_append_printf (note, "Form: %s.", form);
  if (last != NULL)
    g_string_append_printf (note, "%sLast filled: %s.", note->len > 0 ? " " : "", last);
  if (note->len == 0)
    return;
  json_builder_set_member_name (b, "note");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  set_string (b, "text", note->str);
  json_builder_end_object (b);
  json_builder_end_array (b);
}

static void
add_medication_request (JsonBuilder           *b,
                        const MrRefillRequest *request,
                        const MrMedication    *medication,
                        guint                  n,
                        const char            *authored_on)
{
  g_autofree char *id = g_strdup_printf ("medication-%u", n);
  g_autofree char *name = clean (MR_FIELD_MEDICATION_NAME, medication->name);
  g_autofree char *strength = clean (MR_FIELD_MEDICATION_STRENGTH, medication->strength);
  g_autofree char *form = clean (MR_FIELD_MEDICATION_FORM, medication->form);
  g_autofree char *prescriber = clean (MR_FIELD_MEDICATION_PRESCRIBER, medication->prescriber);
  g_autofree char *text = NULL;

  text = g_strjoin (" ", name != NULL ? name : "Unnamed medicine", strength, NULL);
  json_builder_begin_object (b);
  set_string (b, "resourceType", "MedicationRequest");
  set_string (b, "id", id);
  set_string (b, "status", "draft");
  set_string (b, "intent", "order");
  json_builder_set_member_name (b, "medicationCodeableConcept");
  json_builder_begin_object (b);
  set_string (b, "text", text);
  json_builder_end_object (b);
  set_reference (b, "subject", PATIENT_REF, patient_object_id (request));
  set_string (b, "authoredOn", authored_on);
  if (prescriber != NULL)
    {
      json_builder_set_member_name (b, "requester");
      json_builder_begin_object (b);
      set_string (b, "display", prescriber);
      json_builder_end_object (b);
    }
  add_medication_note (b, form, medication);
  add_dispense_request (b, medication, form);
  json_builder_end_object (b);
}

static void
add_contained (JsonBuilder           *b,
               const MrRefillRequest *request,
               gboolean               staff,
               const char            *authored_on)
{
  json_builder_set_member_name (b, "contained");
  json_builder_begin_array (b);
  add_patient (b, request->directory != NULL ? request->directory : request->patient);
  if (staff)
    add_staff (b, request);
  for (guint i = 0; i < request->medications->len; i++)
    add_medication_request (b, request, g_ptr_array_index (request->medications, i), i + 1,
                            authored_on);
  json_builder_end_array (b);
}

/* Task.input */

static void
begin_input (JsonBuilder *b,
             const char  *code,
             const char  *display)
{
  json_builder_begin_object (b);
  set_concept (b, "type", MR_FHIR_INPUT_SYSTEM, code, display);
}

static void
add_input_string (JsonBuilder *b,
                  const char  *code,
                  const char  *display,
                  const char  *value)
{
  begin_input (b, code, display);
  set_string (b, "valueString", value);
  json_builder_end_object (b);
}

static void
add_input_boolean (JsonBuilder *b,
                   const char  *code,
                   const char  *display,
                   gboolean     value)
{
  begin_input (b, code, display);
  json_builder_set_member_name (b, "valueBoolean");
  json_builder_add_boolean_value (b, value);
  json_builder_end_object (b);
}

static void
add_medication_inputs (JsonBuilder           *b,
                       const MrRefillRequest *request)
{
  for (guint i = 0; i < request->medications->len; i++)
    {
      g_autofree char *ref = g_strdup_printf ("#medication-%u", i + 1);

      begin_input (b, "medication", "Medicine to renew");
      json_builder_set_member_name (b, "valueReference");
      json_builder_begin_object (b);
      set_string (b, "reference", ref);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
}

static void
add_fulfilment_input (JsonBuilder           *b,
                      const MrRefillRequest *request)
{
  g_autofree char *location = clean (MR_FIELD_PICKUP_LOCATION, request->pickup_location);
  g_autofree char *address = clean (MR_FIELD_DELIVERY_ADDRESS, request->delivery_address);

  if (request->fulfilment == MR_FULFILMENT_PICKUP)
    {
      if (location != NULL)
        add_input_string (b, "pickup-location", "Pickup location", location);
      return;
    }
  if (address == NULL)
    return;
  begin_input (b, "delivery-address", "Delivery address");
  json_builder_set_member_name (b, "valueAddress");
  json_builder_begin_object (b);
  set_string (b, "use", "home");
  set_string (b, "type", "postal");
  set_string (b, "text", address);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

/* The flags alone: what the patient says the value should be is a supplied-* input. */
static void
add_flag_inputs (JsonBuilder           *b,
                 const MrRefillRequest *request)
{
  for (guint i = 0; i < MR_N_CUSTOM_ATTRIBUTES; i++)
    {
      g_autofree char *code = NULL;
      g_autofree char *display = NULL;

      if (!request->corrections[i].flagged)
        continue;
      code = g_strdelimit (g_strdup_printf ("flagged-%s", mr_custom_attribute_name (i)), "_", '-');
      display = g_strdup_printf ("The patient says the %s is wrong",
                                 mr_rules_field_label (mr_custom_attribute_field (i)));
      add_input_boolean (b, code, display, TRUE);
    }
}

/* The members of refill-v2's patient_supplied, with the codes of their Task.input. */
static const struct {
  const char *code;
  MrField     field;
  gsize       offset;
} supplied_members[] = {
  { "display-name", MR_FIELD_DISPLAY_NAME, G_STRUCT_OFFSET (MrPatient, display_name) },
  { "given-name", MR_FIELD_GIVEN_NAME, G_STRUCT_OFFSET (MrPatient, given_name) },
  { "surname", MR_FIELD_SURNAME, G_STRUCT_OFFSET (MrPatient, surname) },
  { "date-of-birth", MR_FIELD_DATE_OF_BIRTH, G_STRUCT_OFFSET (MrPatient, date_of_birth) },
  { "hospital-number", MR_FIELD_HOSPITAL_NUMBER, G_STRUCT_OFFSET (MrPatient, hospital_number) },
  { "gender", MR_FIELD_GENDER, G_STRUCT_OFFSET (MrPatient, gender) },
  { "job-title", MR_FIELD_JOB_TITLE, G_STRUCT_OFFSET (MrPatient, job_title) },
  { "email", MR_FIELD_EMAIL, G_STRUCT_OFFSET (MrPatient, mail) },
  { "phone", MR_FIELD_PHONE, G_STRUCT_OFFSET (MrPatient, mobile_phone) },
  { "address-street", MR_FIELD_STREET, G_STRUCT_OFFSET (MrPatient, street_address) },
  { "address-city", MR_FIELD_CITY, G_STRUCT_OFFSET (MrPatient, city) },
  { "address-state", MR_FIELD_STATE, G_STRUCT_OFFSET (MrPatient, state) },
  { "address-postal-code", MR_FIELD_POSTAL_CODE, G_STRUCT_OFFSET (MrPatient, postal_code) },
  { "address-country", MR_FIELD_COUNTRY, G_STRUCT_OFFSET (MrPatient, country) },
};

/* What the person typed or corrected, apart from the contained Patient (the directory's record):
 * supplied-<member> with the value, or removed-<member> (true) where the person emptied a value
 * the directory has, as refill-v2's patient_supplied has it. */
static void
add_supplied_inputs (JsonBuilder           *b,
                     const MrRefillRequest *request)
{
  g_autoptr(MrPatient) supplied = mr_refill_request_dup_supplied (request);

  for (gsize i = 0; i < G_N_ELEMENTS (supplied_members); i++)
    {
      const char *value = G_STRUCT_MEMBER (const char *, supplied, supplied_members[i].offset);
      const char *label = mr_rules_field_label (supplied_members[i].field);
      g_autofree char *code = NULL;
      g_autofree char *display = NULL;

      if (value == NULL)
        continue;
      if (*value == '\0')
        {
          code = g_strconcat ("removed-", supplied_members[i].code, NULL);
          display = g_strdup_printf ("The person removed the %s the directory holds", label);
          add_input_boolean (b, code, display, TRUE);
          continue;
        }
      code = g_strconcat ("supplied-", supplied_members[i].code, NULL);
      display = g_strdup_printf ("The %s as the person typed it (not verified)", label);
      add_input_string (b, code, display, value);
    }
}

static void
add_inputs (JsonBuilder           *b,
            const MrRefillRequest *request)
{
  json_builder_set_member_name (b, "input");
  json_builder_begin_array (b);
  add_medication_inputs (b, request);
  add_fulfilment_input (b, request);
  if (request->urgency == MR_URGENCY_SOON && request->urgency_days > 0)
    {
      begin_input (b, "runs-out-in-days", "Runs out within (days)");
      set_quantity (b, "valueQuantity", request->urgency_days, "days", "d");
      json_builder_end_object (b);
    }
  add_input_boolean (b, "consent", "The patient agreed that the clinic may use these details",
                     request->consent);
  if (request->mode == MR_MODE_DESK)
    add_input_boolean (b, "patient-present", "The patient is at the desk",
                       request->patient_present);
  add_flag_inputs (b, request);
  add_supplied_inputs (b, request);
  json_builder_end_array (b);
}

/* Task */

static const char *
priority (MrUrgency urgency)
{
  switch (urgency)
    {
    case MR_URGENCY_SOON:
      return "urgent";
    case MR_URGENCY_OUT:
      return "asap";
    case MR_URGENCY_ROUTINE:
    default:
      return "routine";
    }
}

static void
add_identifier (JsonBuilder *b,
                const char  *request_id)
{
  g_autofree char *urn = g_strconcat ("urn:uuid:", request_id, NULL);

  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  set_string (b, "system", "urn:ietf:rfc:3986");
  set_string (b, "value", urn);
  json_builder_end_object (b);
  json_builder_end_array (b);
}

static void
add_note (JsonBuilder *b,
          const char  *notes)
{
  g_autofree char *text = clean (MR_FIELD_NOTES, notes);

  if (text == NULL)
    return;
  json_builder_set_member_name (b, "note");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  set_string (b, "text", text);
  json_builder_end_object (b);
  json_builder_end_array (b);
}

static char *
format_authored_on (GDateTime *created_at)
{
  g_autoptr(GDateTime) utc = NULL;

  utc = created_at != NULL ? g_date_time_to_utc (created_at) : g_date_time_new_now_utc ();
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

JsonNode *
mr_fhir_task_from_request (const MrRefillRequest *request)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *authored_on = NULL;
  gboolean staff;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (request->patient != NULL, NULL);

  authored_on = format_authored_on (request->created_at);
  staff = request->mode == MR_MODE_DESK
          && mr_rules_length (MR_FIELD_DISPLAY_NAME, request->submitted_by_id) > 0;

  json_builder_begin_object (b);
  set_string (b, "resourceType", "Task");
  add_contained (b, request, staff, authored_on);
  add_identifier (b, request->request_id);
  set_string (b, "status", "requested");
  set_string (b, "intent", "order");
  set_string (b, "priority", priority (request->urgency));
  set_concept (b, "code", MR_FHIR_SNOMED_SYSTEM, MR_FHIR_RENEWAL_CODE, "Renewal of prescription");
  set_string (b, "description", "Medication refill request");
  set_reference (b, "for", PATIENT_REF, patient_object_id (request));
  set_string (b, "authoredOn", authored_on);
  set_reference (b, "requester", staff ? STAFF_REF : PATIENT_REF,
                 staff ? request->submitted_by_id : patient_object_id (request));
  add_note (b, request->notes);
  add_inputs (b, request);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-refill-model.h"

#include <string.h>

#include "mr-util.h"

G_DEFINE_QUARK (mr-refill-error-quark, mr_refill_error)

/* Patient */

MrPatient *
mr_patient_new (void)
{
  return g_new0 (MrPatient, 1);
}

MrPatient *
mr_patient_copy (const MrPatient *patient)
{
  MrPatient *copy;

  g_return_val_if_fail (patient != NULL, NULL);

  copy = g_new0 (MrPatient, 1);
  copy->id = g_strdup (patient->id);
  copy->display_name = g_strdup (patient->display_name);
  copy->given_name = g_strdup (patient->given_name);
  copy->surname = g_strdup (patient->surname);
  copy->mail = g_strdup (patient->mail);
  copy->job_title = g_strdup (patient->job_title);
  copy->street_address = g_strdup (patient->street_address);
  copy->city = g_strdup (patient->city);
  copy->state = g_strdup (patient->state);
  copy->postal_code = g_strdup (patient->postal_code);
  copy->country = g_strdup (patient->country);
  copy->mobile_phone = g_strdup (patient->mobile_phone);
  copy->date_of_birth = g_strdup (patient->date_of_birth);
  copy->hospital_number = g_strdup (patient->hospital_number);
  copy->gender = g_strdup (patient->gender);
  return copy;
}

void
mr_patient_free (MrPatient *patient)
{
  if (patient == NULL)
    return;

  g_free (patient->id);
  g_free (patient->display_name);
  g_free (patient->given_name);
  g_free (patient->surname);
  g_free (patient->mail);
  g_free (patient->job_title);
  g_free (patient->street_address);
  g_free (patient->city);
  g_free (patient->state);
  g_free (patient->postal_code);
  g_free (patient->country);
  g_free (patient->mobile_phone);
  g_free (patient->date_of_birth);
  g_free (patient->hospital_number);
  g_free (patient->gender);
  g_free (patient);
}

/* Medication */

MrMedication *
mr_medication_new (const char *name,
                   const char *strength,
                   guint       quantity)
{
  MrMedication *medication = g_new0 (MrMedication, 1);

  medication->name = g_strdup (name);
  medication->strength = g_strdup (strength);
  medication->quantity = quantity;
  return medication;
}

void
mr_medication_free (MrMedication *medication)
{
  if (medication == NULL)
    return;

  g_free (medication->name);
  g_free (medication->strength);
  g_free (medication->form);
  g_free (medication->prescriber);
  g_free (medication->last_filled);
  g_free (medication);
}

/* Request */

MrRefillRequest *
mr_refill_request_new (const MrPatient *patient,
                       MrMode           mode)
{
  MrRefillRequest *request = g_new0 (MrRefillRequest, 1);

  request->request_id = mr_request_id_new ();
  request->created_at = g_date_time_new_now_utc ();
  request->mode = mode;
  request->patient = patient != NULL ? mr_patient_copy (patient) : mr_patient_new ();
  request->medications = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_medication_free);
  request->fulfilment = MR_FULFILMENT_PICKUP;
  request->urgency = MR_URGENCY_ROUTINE;
  return request;
}

void
mr_refill_request_free (MrRefillRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->request_id);
  g_clear_pointer (&request->created_at, g_date_time_unref);
  g_free (request->submitted_by_id);
  g_free (request->submitted_by_name);
  g_clear_pointer (&request->patient, mr_patient_free);
  g_clear_pointer (&request->medications, g_ptr_array_unref);
  g_free (request->pickup_location);
  g_free (request->delivery_address);
  g_free (request->notes);
  for (guint i = 0; i < MR_N_CUSTOM_ATTRIBUTES; i++)
    g_free (request->corrections[i].corrected);
  g_strfreev (request->pickup_choices);
  g_free (request);
}

/* Medicines of a request */

MrMedication *
mr_medication_copy (const MrMedication *medication)
{
  MrMedication *copy;

  g_return_val_if_fail (medication != NULL, NULL);

  copy = mr_medication_new (medication->name, medication->strength, medication->quantity);
  copy->form = g_strdup (medication->form);
  copy->days_supply = medication->days_supply;
  copy->prescriber = g_strdup (medication->prescriber);
  copy->last_filled = g_strdup (medication->last_filled);
  return copy;
}

gboolean
mr_refill_request_move_medication (MrRefillRequest *request,
                                   guint            from,
                                   guint            to)
{
  GPtrArray *medications;
  gpointer moving;

  g_return_val_if_fail (request != NULL, FALSE);

  medications = request->medications;
  if (from >= medications->len || to >= medications->len)
    return FALSE;
  moving = g_ptr_array_steal_index (medications, from);
  g_ptr_array_insert (medications, to, moving);
  return TRUE;
}

MrMedication *
mr_refill_request_add_medication (MrRefillRequest *request)
{
  MrMedication *medication;

  g_return_val_if_fail (request != NULL, NULL);

  medication = mr_medication_new (NULL, NULL, 0);
  g_ptr_array_add (request->medications, medication);
  return medication;
}

gboolean
mr_refill_request_remove_medication (MrRefillRequest *request,
                                     guint            index)
{
  g_return_val_if_fail (request != NULL, FALSE);

  if (index >= request->medications->len)
    return FALSE;
  g_ptr_array_remove_index (request->medications, index);
  return TRUE;
}

/* Corrections */

static const struct {
  MrField     field;
  const char *name;
  gsize       offset;
} custom_attributes[MR_N_CUSTOM_ATTRIBUTES] = {
  [MR_CUSTOM_DATE_OF_BIRTH] = { MR_FIELD_DATE_OF_BIRTH, "date_of_birth",
                                G_STRUCT_OFFSET (MrPatient, date_of_birth) },
  [MR_CUSTOM_HOSPITAL_NUMBER] = { MR_FIELD_HOSPITAL_NUMBER, "hospital_number",
                                  G_STRUCT_OFFSET (MrPatient, hospital_number) },
  [MR_CUSTOM_GENDER] = { MR_FIELD_GENDER, "gender", G_STRUCT_OFFSET (MrPatient, gender) },
};

MrField
mr_custom_attribute_field (MrCustomAttribute attribute)
{
  g_return_val_if_fail (attribute < MR_N_CUSTOM_ATTRIBUTES, MR_N_FIELDS);

  return custom_attributes[attribute].field;
}

const char *
mr_custom_attribute_name (MrCustomAttribute attribute)
{
  g_return_val_if_fail (attribute < MR_N_CUSTOM_ATTRIBUTES, NULL);

  return custom_attributes[attribute].name;
}

const char *
mr_patient_get_custom (const MrPatient   *patient,
                       MrCustomAttribute  attribute)
{
  g_return_val_if_fail (patient != NULL, NULL);
  g_return_val_if_fail (attribute < MR_N_CUSTOM_ATTRIBUTES, NULL);

  return G_STRUCT_MEMBER (const char *, patient, custom_attributes[attribute].offset);
}

void
mr_refill_request_flag (MrRefillRequest   *request,
                        MrCustomAttribute  attribute,
                        gboolean           flagged,
                        const char        *corrected)
{
  MrCorrection *correction;

  g_return_if_fail (request != NULL);
  g_return_if_fail (attribute < MR_N_CUSTOM_ATTRIBUTES);

  correction = &request->corrections[attribute];
  correction->flagged = flagged;
  g_clear_pointer (&correction->corrected, g_free);
  if (flagged && mr_rules_length (custom_attributes[attribute].field, corrected) > 0)
    correction->corrected = mr_rules_clean (custom_attributes[attribute].field, corrected);
}

gboolean
mr_refill_request_has_corrections (const MrRefillRequest *request)
{
  g_return_val_if_fail (request != NULL, FALSE);

  for (guint i = 0; i < MR_N_CUSTOM_ATTRIBUTES; i++)
    if (request->corrections[i].flagged)
      return TRUE;
  return FALSE;
}

/* Payload (refill-v1) */

/* Adds @member with @value cleaned by the rules of @field; omits it when the cleaned value is
 * empty, or always adds it (empty when absent) when @required: for members the schema requires. */
static void
add_field (JsonBuilder *builder,
           const char  *member,
           MrField      field,
           const char  *value,
           gboolean     required)
{
  g_autofree char *clean = mr_rules_clean (field, value);

  if (!required && (clean == NULL || *clean == '\0'))
    return;
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, clean != NULL ? clean : "");
}

static void
add_clean (JsonBuilder *builder,
           const char  *member,
           const char  *value)
{
  add_field (builder, member, MR_FIELD_DISPLAY_NAME, value, FALSE);
}

static void
add_required (JsonBuilder *builder,
              const char  *member,
              const char  *value)
{
  add_field (builder, member, MR_FIELD_DISPLAY_NAME, value, TRUE);
}

static gboolean
has_text (const char *s)
{
  return mr_rules_length (MR_FIELD_DISPLAY_NAME, s) > 0;
}

static void
add_address (JsonBuilder     *builder,
             const MrPatient *patient)
{
  if (!has_text (patient->street_address) && !has_text (patient->city)
      && !has_text (patient->state) && !has_text (patient->postal_code)
      && !has_text (patient->country))
    return;

  json_builder_set_member_name (builder, "address");
  json_builder_begin_object (builder);
  add_clean (builder, "street", patient->street_address);
  add_clean (builder, "city", patient->city);
  add_clean (builder, "state", patient->state);
  add_clean (builder, "postal_code", patient->postal_code);
  add_clean (builder, "country", patient->country);
  json_builder_end_object (builder);
}

static void
add_patient (JsonBuilder     *builder,
             const MrPatient *patient)
{
  json_builder_set_member_name (builder, "patient");
  json_builder_begin_object (builder);
  add_required (builder, "object_id", patient->id);
  add_clean (builder, "display_name", patient->display_name);
  add_clean (builder, "given_name", patient->given_name);
  add_clean (builder, "surname", patient->surname);
  add_clean (builder, "date_of_birth", patient->date_of_birth);
  add_clean (builder, "hospital_number", patient->hospital_number);
  add_field (builder, "gender", MR_FIELD_GENDER, patient->gender, FALSE);
  add_clean (builder, "job_title", patient->job_title);
  add_clean (builder, "email", patient->mail);
  add_clean (builder, "phone", patient->mobile_phone);
  add_address (builder, patient);
  json_builder_end_object (builder);
}

static void
add_uint (JsonBuilder *builder,
          const char  *member,
          guint        value)
{
  if (value == 0)
    return;
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static void
add_medications (JsonBuilder *builder,
                 GPtrArray   *medications)
{
  json_builder_set_member_name (builder, "medications");
  json_builder_begin_array (builder);
  for (guint i = 0; medications != NULL && i < medications->len; i++)
    {
      const MrMedication *medication = g_ptr_array_index (medications, i);

      json_builder_begin_object (builder);
      add_required (builder, "name", medication->name);
      add_clean (builder, "strength", medication->strength);
      add_field (builder, "form", MR_FIELD_MEDICATION_FORM, medication->form, FALSE);
      add_uint (builder, "quantity", medication->quantity);
      add_uint (builder, "days_supply", medication->days_supply);
      add_clean (builder, "prescriber", medication->prescriber);
      add_clean (builder, "last_filled", medication->last_filled);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_submitted_by (JsonBuilder           *builder,
                  const MrRefillRequest *request)
{
  json_builder_set_member_name (builder, "submitted_by");
  if (!has_text (request->submitted_by_id))
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  add_required (builder, "id", request->submitted_by_id);
  add_clean (builder, "name", request->submitted_by_name);
  json_builder_end_object (builder);
}

static void
add_fulfilment (JsonBuilder           *builder,
                const MrRefillRequest *request)
{
  gboolean pickup = request->fulfilment == MR_FULFILMENT_PICKUP;

  json_builder_set_member_name (builder, "fulfilment");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, pickup ? "pickup" : "delivery");
  if (pickup)
    add_required (builder, "location", request->pickup_location);
  else
    add_field (builder, "address", MR_FIELD_DELIVERY_ADDRESS, request->delivery_address, TRUE);
  json_builder_end_object (builder);
}

static void
add_urgency (JsonBuilder           *builder,
             const MrRefillRequest *request)
{
  static const char * const levels[] = { "routine", "soon", "out" };

  g_assert (request->urgency < G_N_ELEMENTS (levels));

  json_builder_set_member_name (builder, "urgency");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "level");
  json_builder_add_string_value (builder, levels[request->urgency]);
  if (request->urgency == MR_URGENCY_SOON)
    {
      json_builder_set_member_name (builder, "days");
      json_builder_add_int_value (builder, request->urgency_days);
    }
  json_builder_end_object (builder);
}

/* Only the flagged attributes; the member is left out when none is. */
static void
add_corrections (JsonBuilder           *builder,
                 const MrRefillRequest *request)
{
  if (!mr_refill_request_has_corrections (request))
    return;

  json_builder_set_member_name (builder, "corrections");
  json_builder_begin_array (builder);
  for (guint i = 0; i < MR_N_CUSTOM_ATTRIBUTES; i++)
    {
      const MrCorrection *correction = &request->corrections[i];
      MrField field = mr_custom_attribute_field (i);

      if (!correction->flagged)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "attribute");
      json_builder_add_string_value (builder, mr_custom_attribute_name (i));
      if (request->patient != NULL)
        add_field (builder, "current", field, mr_patient_get_custom (request->patient, i), FALSE);
      add_field (builder, "corrected", field, correction->corrected, FALSE);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static char *
format_created_at (GDateTime *created_at)
{
  g_autoptr(GDateTime) utc = NULL;

  utc = created_at != NULL ? g_date_time_to_utc (created_at) : g_date_time_new_now_utc ();
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

JsonNode *
mr_refill_request_to_json (const MrRefillRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *created_at = NULL;
  g_autoptr(MrPatient) empty = mr_patient_new ();

  g_return_val_if_fail (request != NULL, NULL);

  created_at = format_created_at (request->created_at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schema");
  json_builder_add_string_value (builder, "refill-v1");
  add_required (builder, "request_id", request->request_id);
  add_required (builder, "created_at", created_at);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, request->mode == MR_MODE_KIOSK ? "kiosk" : "desk");
  add_submitted_by (builder, request);
  add_patient (builder, request->patient != NULL ? request->patient : empty);
  add_medications (builder, request->medications);
  add_fulfilment (builder, request);
  add_urgency (builder, request);
  add_field (builder, "notes", MR_FIELD_NOTES, request->notes, FALSE);
  json_builder_set_member_name (builder, "consent");
  json_builder_add_boolean_value (builder, request->consent);
  add_corrections (builder, request);
  if (request->mode == MR_MODE_DESK)
    {
      json_builder_set_member_name (builder, "patient_present");
      json_builder_add_boolean_value (builder, request->patient_present);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

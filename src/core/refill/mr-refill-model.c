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
  request->directory = patient != NULL ? mr_patient_copy (patient) : mr_patient_new ();
  request->patient = mr_patient_copy (request->directory);
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
  g_clear_pointer (&request->directory, mr_patient_free);
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

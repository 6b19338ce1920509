/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr_refill_request_validate() and friends: the rules of mr-rules.c applied to the models, so that
 * the form's per-field checks and the check before sending can never disagree. */
#include "mr-refill-model.h"

#include <string.h>
#include <glib/gi18n-lib.h>

/* The patient's fields in the sign-up flow's page order (names are checked together first). */
static const struct {
  MrField field;
  gsize   offset;
} patient_fields[] = {
  { MR_FIELD_GIVEN_NAME, G_STRUCT_OFFSET (MrPatient, given_name) },
  { MR_FIELD_SURNAME, G_STRUCT_OFFSET (MrPatient, surname) },
  { MR_FIELD_GENDER, G_STRUCT_OFFSET (MrPatient, gender) },
  { MR_FIELD_DISPLAY_NAME, G_STRUCT_OFFSET (MrPatient, display_name) },
  { MR_FIELD_HOSPITAL_NUMBER, G_STRUCT_OFFSET (MrPatient, hospital_number) },
  { MR_FIELD_DATE_OF_BIRTH, G_STRUCT_OFFSET (MrPatient, date_of_birth) },
  { MR_FIELD_JOB_TITLE, G_STRUCT_OFFSET (MrPatient, job_title) },
  { MR_FIELD_STREET, G_STRUCT_OFFSET (MrPatient, street_address) },
  { MR_FIELD_CITY, G_STRUCT_OFFSET (MrPatient, city) },
  { MR_FIELD_STATE, G_STRUCT_OFFSET (MrPatient, state) },
  { MR_FIELD_COUNTRY, G_STRUCT_OFFSET (MrPatient, country) },
  { MR_FIELD_POSTAL_CODE, G_STRUCT_OFFSET (MrPatient, postal_code) },
  { MR_FIELD_EMAIL, G_STRUCT_OFFSET (MrPatient, mail) },
  { MR_FIELD_PHONE, G_STRUCT_OFFSET (MrPatient, mobile_phone) },
};

/* Moves a rule's message into @error; always FALSE. */
static gboolean
take_message (GError **error,
              char    *message)
{
  if (error != NULL)
    *error = g_error_new_literal (MR_REFILL_ERROR, MR_REFILL_ERROR_INVALID, message);
  g_free (message);
  return FALSE;
}

static gboolean
check (MrField      field,
       const char  *value,
       guint        n,
       GError     **error)
{
  char *message = NULL;

  if (mr_rules_check_medication_field (field, value, n, &message))
    return TRUE;
  return take_message (error, message);
}

static gboolean
invalid (GError    **error,
         const char *message)
{
  g_set_error_literal (error, MR_REFILL_ERROR, MR_REFILL_ERROR_INVALID, message);
  return FALSE;
}

/* A custom attribute the patient flagged is not held against the request: its corrected value
 * (when given) is checked instead. */
static gboolean
is_flagged (const MrCorrection *corrections,
            MrField             field)
{
  for (guint i = 0; corrections != NULL && i < MR_N_CUSTOM_ATTRIBUTES; i++)
    if (corrections[i].flagged && mr_custom_attribute_field (i) == field)
      return TRUE;
  return FALSE;
}

static gboolean
validate_patient (const MrPatient     *patient,
                  const MrCorrection  *corrections,
                  GError             **error)
{
  if (patient == NULL || mr_rules_length (MR_FIELD_DISPLAY_NAME, patient->id) == 0)
    return invalid (error,
                    _("The patient's record is missing. Sign in again or look the patient up."));
  if (mr_rules_length (MR_FIELD_GIVEN_NAME, patient->given_name) == 0
      && mr_rules_length (MR_FIELD_SURNAME, patient->surname) == 0)
    return invalid (error, _("Enter the patient's given name or surname."));

  for (gsize i = 0; i < G_N_ELEMENTS (patient_fields); i++)
    {
      const char *value = G_STRUCT_MEMBER (const char *, patient, patient_fields[i].offset);

      if (!is_flagged (corrections, patient_fields[i].field)
          && !check (patient_fields[i].field, value, 0, error))
        return FALSE;
    }
  for (guint i = 0; corrections != NULL && i < MR_N_CUSTOM_ATTRIBUTES; i++)
    if (corrections[i].flagged
        && !check (mr_custom_attribute_field (i), corrections[i].corrected, 0, error))
      return FALSE;
  return TRUE;
}

gboolean
mr_patient_validate (const MrPatient  *patient,
                     GError          **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return validate_patient (patient, NULL, error);
}

static char *
count_text (guint value)
{
  return value == 0 ? NULL : g_strdup_printf ("%u", value);
}

gboolean
mr_medication_validate (const MrMedication  *medication,
                        guint                n,
                        GError             **error)
{
  g_autofree char *quantity = NULL;
  g_autofree char *days = NULL;

  g_return_val_if_fail (medication != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  quantity = count_text (medication->quantity);
  days = count_text (medication->days_supply);
  if (!check (MR_FIELD_MEDICATION_NAME, medication->name, n, error))
    return FALSE;
  if (medication->quantity == 0 && medication->days_supply == 0)
    {
      g_autofree char *message = NULL;

      if (n > 0)
        message = g_strdup_printf (_("Medicine %u needs a quantity or a number of days' supply."),
                                   n);
      else
        message = g_strdup (_("The medicine needs a quantity or a number of days' supply."));
      return invalid (error, message);
    }
  return check (MR_FIELD_MEDICATION_STRENGTH, medication->strength, n, error)
         && check (MR_FIELD_MEDICATION_FORM, medication->form, n, error)
         && check (MR_FIELD_MEDICATION_QUANTITY, quantity, n, error)
         && check (MR_FIELD_MEDICATION_DAYS_SUPPLY, days, n, error)
         && check (MR_FIELD_MEDICATION_PRESCRIBER, medication->prescriber, n, error)
         && check (MR_FIELD_MEDICATION_LAST_FILLED, medication->last_filled, n, error);
}

static gboolean
validate_medications (GPtrArray  *medications,
                      GError    **error)
{
  if (medications == NULL || medications->len == 0)
    return invalid (error, _("Add at least one medicine."));
  for (guint i = 0; i < medications->len; i++)
    if (!mr_medication_validate (g_ptr_array_index (medications, i), i + 1, error))
      return FALSE;
  return TRUE;
}

static gboolean
validate_fulfilment (const MrRefillRequest  *request,
                     GError                **error)
{
  char *message = NULL;

  if (request->fulfilment == MR_FULFILMENT_DELIVERY)
    return check (MR_FIELD_DELIVERY_ADDRESS, request->delivery_address, 0, error);
  if (mr_rules_check_pickup_location (request->pickup_location,
                                      (const char * const *) request->pickup_choices, &message))
    return TRUE;
  return take_message (error, message);
}

static gboolean
validate_choices (const MrRefillRequest  *request,
                  GError                **error)
{
  g_autofree char *days = count_text (request->urgency_days);

  if (!validate_fulfilment (request, error))
    return FALSE;
  if (request->urgency == MR_URGENCY_SOON && !check (MR_FIELD_URGENCY_DAYS, days, 0, error))
    return FALSE;
  return check (MR_FIELD_NOTES, request->notes, 0, error)
         && check (MR_FIELD_CONSENT, request->consent ? "true" : NULL, 0, error);
}

gboolean
mr_refill_request_validate (const MrRefillRequest  *request,
                            GError                **error)
{
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return validate_patient (request->patient, request->corrections, error)
         && validate_medications (request->medications, error)
         && validate_choices (request, error);
}

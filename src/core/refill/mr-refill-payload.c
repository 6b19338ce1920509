/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The refill-v2 payload (data/refill-v2.schema.json): the directory's record as `patient`, and
 * apart from it what the person typed or corrected on the form (`patient_supplied`), so that the
 * workflow can tell verified data from typed data. */
#include "mr-refill-model.h"

#include <string.h>

/* What the person supplied */

#define PATIENT_OFFSET(member) G_STRUCT_OFFSET (MrPatient, member)

/* The patient's members in the payload's order (after object_id), with the rules that clean
 * them; the address's parts are an object of their own in the payload. */
static const struct {
  const char *name;
  MrField     field;
  gsize       offset;
  gboolean    in_address;
} patient_members[] = {
  { "display_name", MR_FIELD_DISPLAY_NAME, PATIENT_OFFSET (display_name), FALSE },
  { "given_name", MR_FIELD_GIVEN_NAME, PATIENT_OFFSET (given_name), FALSE },
  { "surname", MR_FIELD_SURNAME, PATIENT_OFFSET (surname), FALSE },
  { "date_of_birth", MR_FIELD_DATE_OF_BIRTH, PATIENT_OFFSET (date_of_birth), FALSE },
  { "hospital_number", MR_FIELD_HOSPITAL_NUMBER, PATIENT_OFFSET (hospital_number), FALSE },
  { "gender", MR_FIELD_GENDER, PATIENT_OFFSET (gender), FALSE },
  { "job_title", MR_FIELD_JOB_TITLE, PATIENT_OFFSET (job_title), FALSE },
  { "email", MR_FIELD_EMAIL, PATIENT_OFFSET (mail), FALSE },
  { "phone", MR_FIELD_PHONE, PATIENT_OFFSET (mobile_phone), FALSE },
  { "street", MR_FIELD_STREET, PATIENT_OFFSET (street_address), TRUE },
  { "city", MR_FIELD_CITY, PATIENT_OFFSET (city), TRUE },
  { "state", MR_FIELD_STATE, PATIENT_OFFSET (state), TRUE },
  { "postal_code", MR_FIELD_POSTAL_CODE, PATIENT_OFFSET (postal_code), TRUE },
  { "country", MR_FIELD_COUNTRY, PATIENT_OFFSET (country), TRUE },
};

#define MEMBER(patient, i) G_STRUCT_MEMBER (char *, (patient), patient_members[i].offset)

gboolean
mr_patient_is_empty (const MrPatient *patient)
{
  g_return_val_if_fail (patient != NULL, TRUE);

  if (patient->id != NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (patient_members); i++)
    if (MEMBER (patient, i) != NULL)
      return FALSE;
  return TRUE;
}

/* The flagged custom attribute the payload names @member, or NULL. */
static const MrCorrection *
flag_at (const MrRefillRequest *request,
         const char            *member)
{
  for (guint a = 0; a < MR_N_CUSTOM_ATTRIBUTES; a++)
    if (g_str_equal (mr_custom_attribute_name (a), member) && request->corrections[a].flagged)
      return &request->corrections[a];
  return NULL;
}

/* The cleaned @typed when it differs from @known (both cleaned by @field's rules): "" when the
 * person emptied a known value, NULL when nothing differs. */
static char *
dup_difference (MrField     field,
                const char *known,
                const char *typed)
{
  g_autofree char *before = mr_rules_clean (field, known);
  g_autofree char *after = mr_rules_clean (field, typed);
  gboolean had = before != NULL && *before != '\0';
  gboolean has = after != NULL && *after != '\0';

  if (!had && !has)
    return NULL;
  if (had && has && strcmp (before, after) == 0)
    return NULL;
  return has ? g_steal_pointer (&after) : g_strdup ("");
}

MrPatient *
mr_refill_request_dup_supplied (const MrRefillRequest *request)
{
  g_autoptr(MrPatient) empty = mr_patient_new ();
  const MrPatient *known, *confirmed;
  MrPatient *supplied;

  g_return_val_if_fail (request != NULL, NULL);

  known = request->directory != NULL ? request->directory : empty;
  confirmed = request->patient != NULL ? request->patient : known;
  supplied = mr_patient_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (patient_members); i++)
    {
      const MrCorrection *flag = flag_at (request, patient_members[i].name);
      const char *typed = MEMBER (confirmed, i);

      /* A flag alone says "wrong" and supplies nothing; its value, when given, is typed. */
      if (flag != NULL && flag->corrected == NULL)
        continue;
      if (flag != NULL)
        typed = flag->corrected;
      MEMBER (supplied, i) = dup_difference (patient_members[i].field, MEMBER (known, i), typed);
    }
  return supplied;
}

/* Payload (refill-v2) */

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

/* The members of @patient (cleaned; absent ones left out) that are, or are not, address parts. */
static void
add_patient_members (JsonBuilder     *builder,
                     const MrPatient *patient,
                     gboolean         address)
{
  for (gsize i = 0; i < G_N_ELEMENTS (patient_members); i++)
    if (patient_members[i].in_address == address)
      add_field (builder, patient_members[i].name, patient_members[i].field, MEMBER (patient, i),
                 FALSE);
}

static gboolean
has_address (const MrPatient *patient)
{
  for (gsize i = 0; i < G_N_ELEMENTS (patient_members); i++)
    if (patient_members[i].in_address
        && mr_rules_length (patient_members[i].field, MEMBER (patient, i)) > 0)
      return TRUE;
  return FALSE;
}

/* `patient`: the directory's record, the identity the workflow binds the token to. */
static void
add_patient (JsonBuilder     *builder,
             const MrPatient *directory)
{
  json_builder_set_member_name (builder, "patient");
  json_builder_begin_object (builder);
  add_required (builder, "object_id", directory->id);
  add_patient_members (builder, directory, FALSE);
  if (has_address (directory))
    {
      json_builder_set_member_name (builder, "address");
      json_builder_begin_object (builder);
      add_patient_members (builder, directory, TRUE);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

/* The supplied members that are, or are not, address parts: the value, or null where the person
 * emptied a value the directory has (as in a JSON merge patch, RFC 7396). */
static void
add_supplied_members (JsonBuilder     *builder,
                      const MrPatient *supplied,
                      gboolean         address)
{
  for (gsize i = 0; i < G_N_ELEMENTS (patient_members); i++)
    {
      const char *value = MEMBER (supplied, i);

      if (patient_members[i].in_address != address || value == NULL)
        continue;
      json_builder_set_member_name (builder, patient_members[i].name);
      if (*value == '\0')
        json_builder_add_null_value (builder);
      else
        json_builder_add_string_value (builder, value);
    }
}

static gboolean
has_supplied_address (const MrPatient *supplied)
{
  for (gsize i = 0; i < G_N_ELEMENTS (patient_members); i++)
    if (patient_members[i].in_address && MEMBER (supplied, i) != NULL)
      return TRUE;
  return FALSE;
}

/* `patient_supplied`, left out when the person supplied nothing. */
static void
add_patient_supplied (JsonBuilder           *builder,
                      const MrRefillRequest *request)
{
  g_autoptr(MrPatient) supplied = mr_refill_request_dup_supplied (request);

  if (mr_patient_is_empty (supplied))
    return;
  json_builder_set_member_name (builder, "patient_supplied");
  json_builder_begin_object (builder);
  add_supplied_members (builder, supplied, FALSE);
  if (has_supplied_address (supplied))
    {
      json_builder_set_member_name (builder, "address");
      json_builder_begin_object (builder);
      add_supplied_members (builder, supplied, TRUE);
      json_builder_end_object (builder);
    }
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

/* The custom attributes the patient says are wrong, by name; left out when none is. Their
 * corrected values, when given, are in `patient_supplied`. */
static void
add_flagged (JsonBuilder           *builder,
             const MrRefillRequest *request)
{
  if (!mr_refill_request_has_corrections (request))
    return;

  json_builder_set_member_name (builder, "flagged");
  json_builder_begin_array (builder);
  for (guint i = 0; i < MR_N_CUSTOM_ATTRIBUTES; i++)
    if (request->corrections[i].flagged)
      json_builder_add_string_value (builder, mr_custom_attribute_name (i));
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
  json_builder_add_string_value (builder, "refill-v2");
  add_required (builder, "request_id", request->request_id);
  add_required (builder, "created_at", created_at);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, request->mode == MR_MODE_KIOSK ? "kiosk" : "desk");
  add_submitted_by (builder, request);
  add_patient (builder, request->directory != NULL ? request->directory : empty);
  add_patient_supplied (builder, request);
  add_medications (builder, request->medications);
  add_fulfilment (builder, request);
  add_urgency (builder, request);
  add_field (builder, "notes", MR_FIELD_NOTES, request->notes, FALSE);
  json_builder_set_member_name (builder, "consent");
  json_builder_add_boolean_value (builder, request->consent);
  add_flagged (builder, request);
  if (request->mode == MR_MODE_DESK)
    {
      json_builder_set_member_name (builder, "patient_present");
      json_builder_add_boolean_value (builder, request->patient_present);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

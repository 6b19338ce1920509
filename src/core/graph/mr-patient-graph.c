/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The patient in Graph's terms, without a request: the PATCH body for what a person changed, and
 * the custom attributes an ID token carries when Graph could not give them. */
#include "mr-patient-graph.h"
#include "mr-graph-private.h"

#include <string.h>

#include "mr-rules.h"
#include "mr-util.h"

/* ---- Corrections as a PATCH body ------------------------------------------------------------ */

/* What a user may change about themselves in Entra, and how Graph names it. */
static const struct {
  const char *property;
  MrField     field;
  gsize       offset;
  gboolean    clearable;        /* Graph accepts null for it */
} built_in[] = {
  { "givenName", MR_FIELD_GIVEN_NAME, G_STRUCT_OFFSET (MrPatient, given_name), TRUE },
  { "surname", MR_FIELD_SURNAME, G_STRUCT_OFFSET (MrPatient, surname), TRUE },
  { "displayName", MR_FIELD_DISPLAY_NAME, G_STRUCT_OFFSET (MrPatient, display_name), FALSE },
  { "jobTitle", MR_FIELD_JOB_TITLE, G_STRUCT_OFFSET (MrPatient, job_title), TRUE },
  { "streetAddress", MR_FIELD_STREET, G_STRUCT_OFFSET (MrPatient, street_address), TRUE },
  { "city", MR_FIELD_CITY, G_STRUCT_OFFSET (MrPatient, city), TRUE },
  { "state", MR_FIELD_STATE, G_STRUCT_OFFSET (MrPatient, state), TRUE },
  { "postalCode", MR_FIELD_POSTAL_CODE, G_STRUCT_OFFSET (MrPatient, postal_code), TRUE },
  { "country", MR_FIELD_COUNTRY, G_STRUCT_OFFSET (MrPatient, country), TRUE },
};

/* The custom attributes' names in Graph (after extension_<app id>_), by MrCustomAttribute. */
static const char * const custom_names[MR_N_CUSTOM_ATTRIBUTES] = {
  [MR_CUSTOM_DATE_OF_BIRTH] = "DateofBirth",
  [MR_CUSTOM_HOSPITAL_NUMBER] = "HospitalNumber",
  [MR_CUSTOM_GENDER] = "Gender",
};

/* Sets @property in @changes when the cleaned values differ: the new value, or null when it was
 * emptied and @clearable. */
static void
diff_one (JsonObject *changes,
          const char *property,
          MrField     field,
          const char *before,
          const char *after,
          gboolean    clearable)
{
  g_autofree char *old_value = mr_rules_clean (field, before);
  g_autofree char *new_value = mr_rules_clean (field, after);
  gboolean had = old_value != NULL && *old_value != '\0';
  gboolean has = new_value != NULL && *new_value != '\0';

  if (!has && !had)
    return;
  if (has && had && strcmp (old_value, new_value) == 0)
    return;
  if (has)
    json_object_set_string_member (changes, property, new_value);
  else if (clearable)
    json_object_set_null_member (changes, property);
}

JsonObject *
mr_patient_diff (const MrPatient *before,
                 const MrPatient *after,
                 gboolean         include_custom,
                 const char      *ext_app_id)
{
  JsonObject *changes;

  g_return_val_if_fail (before != NULL, NULL);
  g_return_val_if_fail (after != NULL, NULL);

  changes = json_object_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (built_in); i++)
    diff_one (changes, built_in[i].property, built_in[i].field,
              G_STRUCT_MEMBER (const char *, before, built_in[i].offset),
              G_STRUCT_MEMBER (const char *, after, built_in[i].offset), built_in[i].clearable);

  if (!include_custom || ext_app_id == NULL || *ext_app_id == '\0')
    return changes;
  for (guint i = 0; i < MR_N_CUSTOM_ATTRIBUTES; i++)
    {
      g_autofree char *property = mr_graph_extension_name (ext_app_id, custom_names[i]);

      diff_one (changes, property, mr_custom_attribute_field (i),
                mr_patient_get_custom (before, i), mr_patient_get_custom (after, i), TRUE);
    }
  return changes;
}

/* ---- Custom attributes from the ID token ---------------------------------------------------- */

/* The first non-empty string claim among "extension_<app>_<graph_name>" and @short_names. */
static const char *
find_claim (JsonObject         *claims,
            const char         *ext_app_id,
            const char         *graph_name,
            const char * const *short_names)
{
  g_autofree char *long_name = mr_graph_extension_name (ext_app_id, graph_name);
  const char *value;

  if (claims == NULL)
    return NULL;
  if (long_name != NULL && (value = mr_json_get_string (claims, long_name)) != NULL
      && *value != '\0')
    return value;
  for (guint i = 0; short_names[i] != NULL; i++)
    if ((value = mr_json_get_string (claims, short_names[i])) != NULL && *value != '\0')
      return value;
  return NULL;
}

char **
mr_patient_fill_from_claims (MrPatient  *patient,
                             JsonObject *claims,
                             const char *ext_app_id)
{
  static const char * const dob_names[] = { "extension_DOB", "DOB", NULL };
  static const char * const hn_names[] = { "extension_HN", "HN", NULL };
  static const char * const gender_names[] = { "extension_Gender", "Gender", NULL };
  GPtrArray *missing;

  g_return_val_if_fail (patient != NULL, NULL);

  struct {
    char               **field;
    const char          *graph_name;
    const char * const  *short_names;
    MrField              rules;
  } fields[] = {
    { &patient->date_of_birth, "DateofBirth", dob_names, MR_FIELD_DATE_OF_BIRTH },
    { &patient->hospital_number, "HospitalNumber", hn_names, MR_FIELD_HOSPITAL_NUMBER },
    { &patient->gender, "Gender", gender_names, MR_FIELD_GENDER },
  };

  missing = g_ptr_array_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *value;

      if (*fields[i].field != NULL && **fields[i].field != '\0')
        continue;
      value = find_claim (claims, ext_app_id, fields[i].graph_name, fields[i].short_names);
      if (value != NULL)
        {
          g_free (*fields[i].field);
          *fields[i].field = mr_rules_tidy (fields[i].rules, value);
        }
      else
        g_ptr_array_add (missing, g_strdup (fields[i].graph_name));
    }
  /* A local account may have no mail in Graph; its ID token's email claim is the address it
   * signs in with. Not counted as missing: the form asks for it as for any empty field. */
  if (patient->mail == NULL || *patient->mail == '\0')
    {
      const char *email = find_claim (claims, NULL, "email", (const char * const[]) { "email",
                                                                                      NULL });

      if (email != NULL)
        {
          g_free (patient->mail);
          patient->mail = mr_text_clean (email);
        }
    }
  g_ptr_array_add (missing, NULL);
  return (char **) g_ptr_array_free (missing, FALSE);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "mr-refill-model.h"

G_BEGIN_DECLS

/* The Graph properties that differ between @before and @after (text compared after
 * mr_rules_clean), as the body of a PATCH: the new value, or null when a value was emptied
 * (displayName, which Graph cannot clear, is then left out). Self-service (@include_custom FALSE):
 * only what Entra lets a user change — givenName, surname, displayName, jobTitle, streetAddress,
 * city, state, postalCode, country. Staff (@include_custom TRUE, @ext_app_id set): also the
 * custom attributes extension_<app id>_DateofBirth, _HospitalNumber and _Gender. Returns a new
 * object, empty when nothing changed. Pure. */
JsonObject *mr_patient_diff                     (const MrPatient      *before,
                                                 const MrPatient      *after,
                                                 gboolean              include_custom,
                                                 const char           *ext_app_id);
/* Fills the custom attributes Graph did not give (NULL or empty in @patient) from ID-token
 * @claims: DateofBirth from "extension_<app id>_DateofBirth" (when @ext_app_id is set),
 * "extension_DOB" or "DOB"; HospitalNumber from "…_HospitalNumber", "extension_HN" or "HN";
 * Gender from "…_Gender", "extension_Gender" or "Gender". Only non-empty strings count. Returns
 * the names ("DateofBirth", "HospitalNumber", "Gender") still missing, for the form to say which
 * fields could not be prefilled: a new, possibly empty, NULL-terminated array. @claims may be
 * NULL. */
char     **mr_patient_fill_from_claims          (MrPatient            *patient,
                                                 JsonObject           *claims,
                                                 const char           *ext_app_id);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every field of the refill form that has a rule. The order of the patient fields is the sign-up
 * flow's page order. */
typedef enum {
  MR_FIELD_GIVEN_NAME,
  MR_FIELD_SURNAME,
  MR_FIELD_GENDER,
  MR_FIELD_DISPLAY_NAME,
  MR_FIELD_HOSPITAL_NUMBER,
  MR_FIELD_DATE_OF_BIRTH,
  MR_FIELD_JOB_TITLE,
  MR_FIELD_STREET,
  MR_FIELD_CITY,
  MR_FIELD_STATE,
  MR_FIELD_COUNTRY,
  MR_FIELD_POSTAL_CODE,
  MR_FIELD_EMAIL,
  MR_FIELD_PHONE,
  MR_FIELD_MEDICATION_NAME,
  MR_FIELD_MEDICATION_STRENGTH,
  MR_FIELD_MEDICATION_FORM,
  MR_FIELD_MEDICATION_QUANTITY,
  MR_FIELD_MEDICATION_DAYS_SUPPLY,
  MR_FIELD_MEDICATION_PRESCRIBER,
  MR_FIELD_MEDICATION_LAST_FILLED,
  MR_FIELD_PICKUP_LOCATION,
  MR_FIELD_DELIVERY_ADDRESS,
  MR_FIELD_URGENCY_DAYS,
  MR_FIELD_NOTES,
  MR_FIELD_CONSENT,             /* value "true" when the box is ticked */
  MR_N_FIELDS,
} MrField;

/* Limits the rules enforce; the UI may use them for hints. */
#define MR_RULES_NOTES_MAX_CHARS     2000
#define MR_RULES_ADDRESS_MAX_CHARS   300
#define MR_RULES_QUANTITY_MAX        1000
#define MR_RULES_DAYS_SUPPLY_MAX     365
#define MR_RULES_URGENCY_DAYS_MAX    30
#define MR_RULES_OLDEST_YEAR         1900
#define MR_RULES_MAX_AGE             130

/* Checks one field's text as the user typed it, as the user types and on submit. An empty or
 * white-space-only value is fine for an optional field and a problem for a required one (the
 * medicine's name, pickup location, delivery address, consent). Rules that join fields (a given
 * name or a surname; a quantity or a days' supply) are checked by mr_refill_request_validate().
 * On failure, *@message (if not NULL) gets a short sentence naming the field; free it. Pure. */
gboolean            mr_rules_check_field            (MrField             field,
                                                     const char         *value,
                                                     char              **message);
/* The same rules for the @n-th medicine (from 1), whose messages say "medicine @n"; @n = 0 is what
 * mr_rules_check_field() says ("the medicine"). For the other fields @n is ignored. */
gboolean            mr_rules_check_medication_field (MrField             field,
                                                     const char         *value,
                                                     guint               n,
                                                     char              **message);
/* A pickup location: non-empty, and one of @choices when @choices (the configured list) is
 * non-empty. */
gboolean            mr_rules_check_pickup_location  (const char         *value,
                                                     const char * const *choices,
                                                     char              **message);

/* What is stored and sent for @value: NFC-normalised, control characters removed (line breaks
 * kept in the notes and the delivery address, where each line is trimmed), white space around
 * trimmed; the gender and the medicine's form in their canonical spelling when they match one
 * of the choices case-insensitively. NULL stays NULL. Returns newly allocated text. */
char               *mr_rules_clean                  (MrField             field,
                                                     const char         *value);
/* A directory value as people typed it at sign-up, made canonical where only one value can be
 * meant: mr_rules_clean (), then the gender also from "M" or "F", and a date of birth as
 * YYYY-MM-DD from "2 Jan 1990", "January 2, 1990", "1990/1/2" or "13/02/1990" (a day over 12
 * decides the order). A value that could mean two ("01/02/1990": 1 February or 2 January) or
 * none stays as cleaned, for a person to confirm: mr_rules_check_field () then marks it. For
 * what the directory said, never for what a person types on the form. Newly allocated. */
char               *mr_rules_tidy                   (MrField             field,
                                                     const char         *value);
/* Characters (not bytes) in mr_rules_clean (@field, @value); 0 for NULL. */
glong               mr_rules_length                 (MrField             field,
                                                     const char         *value);

/* The field's name in a sentence ("date of birth"). Static. */
const char         *mr_rules_field_label            (MrField             field);
/* The most characters the field takes, or 0 when it has no limit of its own (numbers, dates). */
guint               mr_rules_field_max_chars        (MrField             field);
/* TRUE for the fields that keep line breaks (notes, delivery address). */
gboolean            mr_rules_field_is_multiline     (MrField             field);

/* NULL-terminated, static: "Male", "Female", "Other", "Prefer not to say". */
const char * const *mr_rules_genders                (void);
/* NULL-terminated, static: "tablet", "capsule", "liquid", "inhaler", "injection", "cream",
 * "drops", "patch", "other". Any other text of at most 40 characters is also a valid form. */
const char * const *mr_rules_medication_forms       (void);

/* TRUE when @text is a real date written YYYY-MM-DD; sets *@date when not NULL. */
gboolean            mr_rules_parse_date             (const char         *text,
                                                     GDate              *date);

G_END_DECLS

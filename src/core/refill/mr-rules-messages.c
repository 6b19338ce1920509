/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The field rules' sentences. Each names its field in full ("The quantity of medicine 2 must be
 * …") rather than being glued from a label and a predicate, because a translation must agree with
 * the field's noun (gender, number) and may need another word order. */
#include "mr-rules-private.h"

#include <glib/gi18n-lib.h>

/* "is too long (at most N characters)": alone (or "the medicine"), then for medicine N. */
static const struct {
  const char *singular;
  const char *plural;
  const char *numbered_singular;
  const char *numbered_plural;
} too_long[MR_N_FIELDS] = {
  [MR_FIELD_GIVEN_NAME] = {
    NP_("The given name is too long (at most %u character).",
        "The given name is too long (at most %u characters).") },
  [MR_FIELD_SURNAME] = {
    NP_("The surname is too long (at most %u character).",
        "The surname is too long (at most %u characters).") },
  [MR_FIELD_DISPLAY_NAME] = {
    NP_("The display name is too long (at most %u character).",
        "The display name is too long (at most %u characters).") },
  [MR_FIELD_HOSPITAL_NUMBER] = {
    NP_("The hospital number is too long (at most %u character).",
        "The hospital number is too long (at most %u characters).") },
  [MR_FIELD_JOB_TITLE] = {
    NP_("The job title is too long (at most %u character).",
        "The job title is too long (at most %u characters).") },
  [MR_FIELD_STREET] = {
    NP_("The street address is too long (at most %u character).",
        "The street address is too long (at most %u characters).") },
  [MR_FIELD_CITY] = {
    NP_("The city is too long (at most %u character).",
        "The city is too long (at most %u characters).") },
  [MR_FIELD_STATE] = {
    NP_("The state or province is too long (at most %u character).",
        "The state or province is too long (at most %u characters).") },
  [MR_FIELD_COUNTRY] = {
    NP_("The country or region is too long (at most %u character).",
        "The country or region is too long (at most %u characters).") },
  [MR_FIELD_POSTAL_CODE] = {
    NP_("The postal code is too long (at most %u character).",
        "The postal code is too long (at most %u characters).") },
  [MR_FIELD_EMAIL] = {
    NP_("The email address is too long (at most %u character).",
        "The email address is too long (at most %u characters).") },
  [MR_FIELD_PHONE] = {
    NP_("The phone number is too long (at most %u character).",
        "The phone number is too long (at most %u characters).") },
  [MR_FIELD_MEDICATION_NAME] = {
    NP_("The name of the medicine is too long (at most %u character).",
        "The name of the medicine is too long (at most %u characters)."),
    /* TRANSLATORS: the first %u is the medicine's number in the form, the second a limit. */
    NP_("The name of medicine %u is too long (at most %u character).",
        "The name of medicine %u is too long (at most %u characters).") },
  [MR_FIELD_MEDICATION_STRENGTH] = {
    NP_("The strength of the medicine is too long (at most %u character).",
        "The strength of the medicine is too long (at most %u characters)."),
    NP_("The strength of medicine %u is too long (at most %u character).",
        "The strength of medicine %u is too long (at most %u characters).") },
  [MR_FIELD_MEDICATION_FORM] = {
    NP_("The form of the medicine is too long (at most %u character).",
        "The form of the medicine is too long (at most %u characters)."),
    NP_("The form of medicine %u is too long (at most %u character).",
        "The form of medicine %u is too long (at most %u characters).") },
  [MR_FIELD_MEDICATION_PRESCRIBER] = {
    NP_("The prescriber of the medicine is too long (at most %u character).",
        "The prescriber of the medicine is too long (at most %u characters)."),
    NP_("The prescriber of medicine %u is too long (at most %u character).",
        "The prescriber of medicine %u is too long (at most %u characters).") },
  [MR_FIELD_PICKUP_LOCATION] = {
    NP_("The pickup location is too long (at most %u character).",
        "The pickup location is too long (at most %u characters).") },
  [MR_FIELD_DELIVERY_ADDRESS] = {
    NP_("The delivery address is too long (at most %u character).",
        "The delivery address is too long (at most %u characters).") },
  [MR_FIELD_NOTES] = {
    NP_("The notes are too long (at most %u character).",
        "The notes are too long (at most %u characters).") },
};

/* The other problems. A numbered sentence takes the medicine's number first, then @value. */
static const struct {
  MrField         field;
  MrRulesProblem  problem;
  const char     *alone;
  const char     *numbered;
} messages[] = {
  { MR_FIELD_GIVEN_NAME, MR_RULES_BAD_CHARACTERS,
    N_("The given name may only contain letters, spaces, apostrophes, hyphens and full stops.") },
  { MR_FIELD_GIVEN_NAME, MR_RULES_NO_LETTER,
    N_("The given name must contain at least one letter.") },
  { MR_FIELD_SURNAME, MR_RULES_BAD_CHARACTERS,
    N_("The surname may only contain letters, spaces, apostrophes, hyphens and full stops.") },
  { MR_FIELD_SURNAME, MR_RULES_NO_LETTER,
    N_("The surname must contain at least one letter.") },
  { MR_FIELD_DATE_OF_BIRTH, MR_RULES_NOT_A_DATE,
    /* TRANSLATORS: keep the example date as it is: the field takes this format. */
    N_("The date of birth must be a date such as 1980-04-30.") },
  { MR_FIELD_DATE_OF_BIRTH, MR_RULES_FUTURE_DATE,
    N_("The date of birth cannot be in the future.") },
  { MR_FIELD_DATE_OF_BIRTH, MR_RULES_TOO_EARLY,
    /* TRANSLATORS: %u is a year (1900). */
    N_("The date of birth cannot be before %u.") },
  { MR_FIELD_MEDICATION_LAST_FILLED, MR_RULES_NOT_A_DATE,
    N_("The last-filled date of the medicine must be a date such as 2026-01-31."),
    /* TRANSLATORS: %u is the medicine's number in the form; keep the example date as it is. */
    N_("The last-filled date of medicine %u must be a date such as 2026-01-31.") },
  { MR_FIELD_MEDICATION_LAST_FILLED, MR_RULES_FUTURE_DATE,
    N_("The last-filled date of the medicine cannot be in the future."),
    N_("The last-filled date of medicine %u cannot be in the future.") },
  { MR_FIELD_MEDICATION_LAST_FILLED, MR_RULES_TOO_EARLY,
    N_("The last-filled date of the medicine cannot be before %u."),
    /* TRANSLATORS: the first %u is the medicine's number in the form, the second a year. */
    N_("The last-filled date of medicine %u cannot be before %u.") },
  { MR_FIELD_MEDICATION_QUANTITY, MR_RULES_NOT_WHOLE,
    N_("The quantity of the medicine must be a whole number from 1 to %u."),
    /* TRANSLATORS: the first %u is the medicine's number in the form, the second a maximum. */
    N_("The quantity of medicine %u must be a whole number from 1 to %u.") },
  { MR_FIELD_MEDICATION_QUANTITY, MR_RULES_OUT_OF_RANGE,
    N_("The quantity of the medicine must be from 1 to %u."),
    N_("The quantity of medicine %u must be from 1 to %u.") },
  { MR_FIELD_MEDICATION_DAYS_SUPPLY, MR_RULES_NOT_WHOLE,
    N_("The days' supply of the medicine must be a whole number from 1 to %u."),
    N_("The days' supply of medicine %u must be a whole number from 1 to %u.") },
  { MR_FIELD_MEDICATION_DAYS_SUPPLY, MR_RULES_OUT_OF_RANGE,
    N_("The days' supply of the medicine must be from 1 to %u."),
    N_("The days' supply of medicine %u must be from 1 to %u.") },
};

char *
mr_rules_message_too_long (MrField field,
                           guint   n,
                           guint   max_chars)
{
  g_return_val_if_fail (field < MR_N_FIELDS && too_long[field].singular != NULL, NULL);

  if (n > 0 && too_long[field].numbered_singular != NULL)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, too_long[field].numbered_singular,
                                         too_long[field].numbered_plural, max_chars),
                            n, max_chars);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, too_long[field].singular,
                                       too_long[field].plural, max_chars),
                          max_chars);
}

char *
mr_rules_message (MrField        field,
                  guint          n,
                  MrRulesProblem problem,
                  guint          value)
{
  for (gsize i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      if (messages[i].field != field || messages[i].problem != problem)
        continue;
      /* Extra arguments are ignored by a format that does not use them. */
      if (n > 0 && messages[i].numbered != NULL)
        return g_strdup_printf (_(messages[i].numbered), n, value);
      return g_strdup_printf (_(messages[i].alone), value);
    }
  g_assert_not_reached ();
}

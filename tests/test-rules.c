/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The form's validation rules (mr-rules.h), table-driven, without a display. */
#include "mr-refill.h"

#include <string.h>

#include "mr-test-refill.h"
#include "mr-test-server.h"

/* One row: @field given @input (or @input repeated @repeat times) is valid when @fragment is
 * NULL, else invalid with a message containing @fragment. */
typedef struct {
  MrField     field;
  const char *input;
  guint       repeat;
  const char *fragment;
} RuleCase;

#define OK NULL

static const RuleCase rule_cases[] = {
  /* Given name: Unicode kept, letters required, apostrophes and hyphens allowed. */
  { MR_FIELD_GIVEN_NAME, "Jack", 0, OK },
  { MR_FIELD_GIVEN_NAME, "Zoë", 0, OK },
  { MR_FIELD_GIVEN_NAME, "Zoe\xcc\x88", 0, OK },                 /* decomposed ë */
  { MR_FIELD_GIVEN_NAME, "王小明", 0, OK },
  { MR_FIELD_GIVEN_NAME, "Ελένη", 0, OK },
  { MR_FIELD_GIVEN_NAME, "O'Brien", 0, OK },
  { MR_FIELD_GIVEN_NAME, "Mary-Jane", 0, OK },
  { MR_FIELD_GIVEN_NAME, "D’Arcy", 0, OK },
  { MR_FIELD_GIVEN_NAME, "محمد", 0, OK },                         /* right to left */
  { MR_FIELD_GIVEN_NAME, "\xe2\x80\x8f" "אברהם", 0, OK },         /* with a right-to-left mark */
  { MR_FIELD_GIVEN_NAME, "श्रीनिवास", 0, OK },                      /* combining vowel signs */
  { MR_FIELD_GIVEN_NAME, "Anne Marie", 0, OK },
  { MR_FIELD_GIVEN_NAME, "Jr.", 0, OK },
  { MR_FIELD_GIVEN_NAME, "", 0, OK },                             /* optional on its own */
  { MR_FIELD_GIVEN_NAME, "   ", 0, OK },
  { MR_FIELD_GIVEN_NAME, "Ja\x01" "ck", 0, OK },                  /* control character dropped */
  { MR_FIELD_GIVEN_NAME, "Jack\n", 0, OK },
  { MR_FIELD_GIVEN_NAME, "J4ck", 0, "The given name may only contain letters" },
  { MR_FIELD_GIVEN_NAME, "Jack🙂", 0, "may only contain letters" },
  { MR_FIELD_GIVEN_NAME, "<script>", 0, "may only contain letters" },
  { MR_FIELD_GIVEN_NAME, "---", 0, "The given name must contain at least one letter." },
  { MR_FIELD_GIVEN_NAME, "a", 64, OK },
  { MR_FIELD_GIVEN_NAME, "a", 65, "The given name is too long (at most 64 characters)." },
  { MR_FIELD_GIVEN_NAME, "ë", 64, OK },                           /* characters, not bytes */
  { MR_FIELD_GIVEN_NAME, "e\xcc\x88", 64, OK },                   /* counted after NFC */
  /* Surname */
  { MR_FIELD_SURNAME, "Núñez-Ødegård", 0, OK },
  { MR_FIELD_SURNAME, "van der Berg", 0, OK },
  { MR_FIELD_SURNAME, "O’Connor", 0, OK },
  { MR_FIELD_SURNAME, "Ødegård\x7f", 0, OK },
  { MR_FIELD_SURNAME, "12345", 0, "The surname may only contain letters" },
  { MR_FIELD_SURNAME, "'", 0, "The surname must contain at least one letter." },
  { MR_FIELD_SURNAME, "b", 65, "The surname is too long (at most 64 characters)." },
  /* Display name: any printable text. */
  { MR_FIELD_DISPLAY_NAME, "Zoë Núñez 🙂", 0, OK },
  { MR_FIELD_DISPLAY_NAME, "王小明", 0, OK },
  { MR_FIELD_DISPLAY_NAME, "", 0, OK },
  { MR_FIELD_DISPLAY_NAME, "d", 256, OK },
  { MR_FIELD_DISPLAY_NAME, "d", 257, "The display name is too long (at most 256 characters)." },
  /* Gender: one of four, any case. */
  { MR_FIELD_GENDER, "Male", 0, OK },
  { MR_FIELD_GENDER, "female", 0, OK },
  { MR_FIELD_GENDER, "OTHER", 0, OK },
  { MR_FIELD_GENDER, "prefer not to say", 0, OK },
  { MR_FIELD_GENDER, "  Female ", 0, OK },
  { MR_FIELD_GENDER, "", 0, OK },
  { MR_FIELD_GENDER, "M", 0, "Choose the gender from the list: Male, Female, Other or Prefer" },
  { MR_FIELD_GENDER, "Unknown", 0, "Choose the gender from the list" },
  { MR_FIELD_GENDER, "prefer not to", 0, "Choose the gender from the list" },
  /* Hospital number: letters and digits, 3 to 20, no spaces. */
  { MR_FIELD_HOSPITAL_NUMBER, "HN11112", 0, OK },
  { MR_FIELD_HOSPITAL_NUMBER, "123", 0, OK },
  { MR_FIELD_HOSPITAL_NUMBER, "  HN11112  ", 0, OK },
  { MR_FIELD_HOSPITAL_NUMBER, "", 0, OK },
  { MR_FIELD_HOSPITAL_NUMBER, "A1", 0, "The hospital number is too short (at least 3" },
  { MR_FIELD_HOSPITAL_NUMBER, "HN 11112", 0, "letters and digits, without spaces." },
  { MR_FIELD_HOSPITAL_NUMBER, "HN-11112", 0, "The hospital number may only contain letters" },
  { MR_FIELD_HOSPITAL_NUMBER, "ＨＮ１２３", 0, "may only contain letters and digits" },
  { MR_FIELD_HOSPITAL_NUMBER, "ABCDEF", 0, "The hospital number must contain at least one digit." },
  { MR_FIELD_HOSPITAL_NUMBER, "7", 20, OK },
  { MR_FIELD_HOSPITAL_NUMBER, "7", 21, "The hospital number is too long (at most 20 characters)." },
  /* Date of birth: a real YYYY-MM-DD date, in the past, from 1900, age at most 130. */
  { MR_FIELD_DATE_OF_BIRTH, "2000-01-01", 0, OK },
  { MR_FIELD_DATE_OF_BIRTH, "2000-02-29", 0, OK },
  { MR_FIELD_DATE_OF_BIRTH, "1960-12-31", 0, OK },
  { MR_FIELD_DATE_OF_BIRTH, "", 0, OK },
  { MR_FIELD_DATE_OF_BIRTH, "1900-02-29", 0, "The date of birth must be a date such as 1980-04-30." },
  { MR_FIELD_DATE_OF_BIRTH, "2023-02-29", 0, "The date of birth must be a date such as" },
  { MR_FIELD_DATE_OF_BIRTH, "2000-04-31", 0, "must be a date such as" },
  { MR_FIELD_DATE_OF_BIRTH, "2000-13-01", 0, "must be a date such as" },
  { MR_FIELD_DATE_OF_BIRTH, "2000-00-10", 0, "must be a date such as" },
  { MR_FIELD_DATE_OF_BIRTH, "0000-01-01", 0, "must be a date such as" },
  { MR_FIELD_DATE_OF_BIRTH, "2000-1-1", 0, "must be a date such as" },
  { MR_FIELD_DATE_OF_BIRTH, "01/01/2000", 0, "must be a date such as" },
  { MR_FIELD_DATE_OF_BIRTH, "2000-01-01T00:00", 0, "must be a date such as" },
  { MR_FIELD_DATE_OF_BIRTH, "２０００-01-01", 0, "must be a date such as" },
  { MR_FIELD_DATE_OF_BIRTH, "1899-12-31", 0, "The date of birth cannot be before 1900." },
  { MR_FIELD_DATE_OF_BIRTH, "1850-06-15", 0, "gives an age over 130 years. Check the year." },
  { MR_FIELD_DATE_OF_BIRTH, "9999-12-31", 0, "The date of birth cannot be in the future." },
  /* Email */
  { MR_FIELD_EMAIL, "jack.smith@example.org", 0, OK },
  { MR_FIELD_EMAIL, "zoë@exämple.de", 0, OK },
  { MR_FIELD_EMAIL, "a+tag@b.co", 0, OK },
  { MR_FIELD_EMAIL, "", 0, OK },
  { MR_FIELD_EMAIL, "jack", 0, "The email address must look like name@example.org." },
  { MR_FIELD_EMAIL, "jack@", 0, "must look like name@example.org" },
  { MR_FIELD_EMAIL, "@example.com", 0, "must look like name@example.org" },
  { MR_FIELD_EMAIL, "jack@@example.org", 0, "must look like name@example.org" },
  { MR_FIELD_EMAIL, "jack smith@example.org", 0, "must look like name@example.org" },
  { MR_FIELD_EMAIL, "jack@example", 0, "must look like name@example.org" },
  { MR_FIELD_EMAIL, "jack..smith@example.org", 0, "must look like name@example.org" },
  { MR_FIELD_EMAIL, "jack@-example.org", 0, "must look like name@example.org" },
  { MR_FIELD_EMAIL, "e", 255, "The email address is too long (at most 254 characters)." },
  /* Phone */
  { MR_FIELD_PHONE, "+1 555 0100", 0, OK },
  { MR_FIELD_PHONE, "(020) 7946-0018", 0, OK },
  { MR_FIELD_PHONE, "12", 0, "The phone number needs at least 3 digits." },
  { MR_FIELD_PHONE, "555-CALL", 0, "The phone number may only contain digits" },
  { MR_FIELD_PHONE, "1+1", 0, "The phone number may only contain digits" },
  /* Postal code */
  { MR_FIELD_POSTAL_CODE, "62701", 0, OK },
  { MR_FIELD_POSTAL_CODE, "SW1A 1AA", 0, OK },
  { MR_FIELD_POSTAL_CODE, "01310-100", 0, OK },
  { MR_FIELD_POSTAL_CODE, "", 0, OK },
  { MR_FIELD_POSTAL_CODE, "1", 0, "The postal code must be 2 to 10 letters, digits, spaces" },
  { MR_FIELD_POSTAL_CODE, "62701!", 0, "The postal code must be 2 to 10 letters" },
  { MR_FIELD_POSTAL_CODE, "1", 11, "The postal code is too long (at most 10 characters)." },
  /* Address and job title lengths */
  { MR_FIELD_STREET, "1 Main Street", 0, OK },
  { MR_FIELD_STREET, "s", 200, OK },
  { MR_FIELD_STREET, "s", 201, "The street address is too long (at most 200 characters)." },
  { MR_FIELD_CITY, "Zürich", 0, OK },
  { MR_FIELD_CITY, "c", 129, "The city is too long (at most 128 characters)." },
  { MR_FIELD_STATE, "Île-de-France", 0, OK },
  { MR_FIELD_STATE, "s", 129, "The state or province is too long (at most 128 characters)." },
  { MR_FIELD_COUNTRY, "中国", 0, OK },
  { MR_FIELD_COUNTRY, "c", 129, "The country or region is too long (at most 128 characters)." },
  { MR_FIELD_JOB_TITLE, "Patient", 0, OK },
  { MR_FIELD_JOB_TITLE, "j", 129, "The job title is too long (at most 128 characters)." },
  /* Medicine */
  { MR_FIELD_MEDICATION_NAME, "Metformin", 0, OK },
  { MR_FIELD_MEDICATION_NAME, "Amoxicillin/Clavulanate 875/125", 0, OK },
  { MR_FIELD_MEDICATION_NAME, "", 0, "The medicine needs a name." },
  { MR_FIELD_MEDICATION_NAME, "   ", 0, "The medicine needs a name." },
  { MR_FIELD_MEDICATION_NAME, "\x01\x02", 0, "The medicine needs a name." },
  { MR_FIELD_MEDICATION_NAME, "m", 200, OK },
  { MR_FIELD_MEDICATION_NAME, "m", 201,
    "The name of the medicine is too long (at most 200 characters)." },
  { MR_FIELD_MEDICATION_STRENGTH, "500 mg", 0, OK },
  { MR_FIELD_MEDICATION_STRENGTH, "5", 50, OK },
  { MR_FIELD_MEDICATION_STRENGTH, "5", 51,
    "The strength of the medicine is too long (at most 50 characters)." },
  { MR_FIELD_MEDICATION_FORM, "tablet", 0, OK },
  { MR_FIELD_MEDICATION_FORM, "CAPSULE", 0, OK },
  { MR_FIELD_MEDICATION_FORM, "nasal spray", 0, OK },
  { MR_FIELD_MEDICATION_FORM, "f", 40, OK },
  { MR_FIELD_MEDICATION_FORM, "f", 41, "The form of the medicine is too long (at most 40" },
  { MR_FIELD_MEDICATION_QUANTITY, "1", 0, OK },
  { MR_FIELD_MEDICATION_QUANTITY, "1000", 0, OK },
  { MR_FIELD_MEDICATION_QUANTITY, " 30 ", 0, OK },
  { MR_FIELD_MEDICATION_QUANTITY, "", 0, OK },
  { MR_FIELD_MEDICATION_QUANTITY, "0", 0, "The quantity of the medicine must be from 1 to 1000." },
  { MR_FIELD_MEDICATION_QUANTITY, "1001", 0, "The quantity of the medicine must be from 1 to" },
  { MR_FIELD_MEDICATION_QUANTITY, "99999999999999999999", 0, "must be from 1 to 1000." },
  { MR_FIELD_MEDICATION_QUANTITY, "abc", 0, "must be a whole number from 1 to 1000." },
  { MR_FIELD_MEDICATION_QUANTITY, "-5", 0, "must be a whole number from 1 to 1000." },
  { MR_FIELD_MEDICATION_QUANTITY, "12.5", 0, "must be a whole number from 1 to 1000." },
  { MR_FIELD_MEDICATION_DAYS_SUPPLY, "30", 0, OK },
  { MR_FIELD_MEDICATION_DAYS_SUPPLY, "365", 0, OK },
  { MR_FIELD_MEDICATION_DAYS_SUPPLY, "366", 0,
    "The days' supply of the medicine must be from 1 to 365." },
  { MR_FIELD_MEDICATION_PRESCRIBER, "Dr Who", 0, OK },
  { MR_FIELD_MEDICATION_PRESCRIBER, "p", 100, OK },
  { MR_FIELD_MEDICATION_PRESCRIBER, "p", 101,
    "The prescriber of the medicine is too long (at most 100 characters)." },
  { MR_FIELD_MEDICATION_LAST_FILLED, "2024-02-29", 0, OK },
  { MR_FIELD_MEDICATION_LAST_FILLED, "", 0, OK },
  { MR_FIELD_MEDICATION_LAST_FILLED, "2023-02-29", 0,
    "The last-filled date of the medicine must be a date such as 2026-01-31." },
  { MR_FIELD_MEDICATION_LAST_FILLED, "9999-01-01", 0, "cannot be in the future." },
  { MR_FIELD_MEDICATION_LAST_FILLED, "1899-01-01", 0, "cannot be before 1900." },
  /* Fulfilment */
  { MR_FIELD_PICKUP_LOCATION, "Main pharmacy", 0, OK },
  { MR_FIELD_PICKUP_LOCATION, "", 0, "Choose where the medicines will be picked up." },
  { MR_FIELD_PICKUP_LOCATION, "l", 201, "The pickup location is too long (at most 200" },
  { MR_FIELD_DELIVERY_ADDRESS, "1 Main St\nSpringfield", 0, OK },
  { MR_FIELD_DELIVERY_ADDRESS, "", 0, "Enter the address the medicines should be delivered to." },
  { MR_FIELD_DELIVERY_ADDRESS, " \n \n ", 0, "Enter the address the medicines should be" },
  { MR_FIELD_DELIVERY_ADDRESS, "a", 300, OK },
  { MR_FIELD_DELIVERY_ADDRESS, "a", 301,
    "The delivery address is too long (at most 300 characters)." },
  /* Urgency: runs out within 1 to 30 days. */
  { MR_FIELD_URGENCY_DAYS, "1", 0, OK },
  { MR_FIELD_URGENCY_DAYS, "30", 0, OK },
  { MR_FIELD_URGENCY_DAYS, "31", 0, "Say in how many days the medicines will run out (1 to 30)." },
  { MR_FIELD_URGENCY_DAYS, "0", 0, "Say in how many days the medicines will run out" },
  { MR_FIELD_URGENCY_DAYS, "", 0, "Say in how many days the medicines will run out" },
  { MR_FIELD_URGENCY_DAYS, "soon", 0, "Say in how many days the medicines will run out" },
  /* Notes: emoji, right-to-left text, line breaks; 2000 characters once cleaned. */
  { MR_FIELD_NOTES, "Please call first.", 0, OK },
  { MR_FIELD_NOTES, "Thanks 🙏🏽 see you 👨‍👩‍👧", 0, OK },
  { MR_FIELD_NOTES, "שלום, please call after 5", 0, OK },
  { MR_FIELD_NOTES, "", 0, OK },
  { MR_FIELD_NOTES, "n", 2000, OK },
  { MR_FIELD_NOTES, "é", 2000, OK },
  { MR_FIELD_NOTES, "a\r\n", 1000, OK },                        /* 1999 once cleaned */
  { MR_FIELD_NOTES, "\x01\x02", 3000, OK },                     /* nothing left */
  { MR_FIELD_NOTES, "n", 2001, "The notes are too long (at most 2000 characters)." },
  { MR_FIELD_NOTES, "😀", 2001, "The notes are too long (at most 2000 characters)." },
  { MR_FIELD_NOTES, "n", 100000, "The notes are too long" },
  /* Consent */
  { MR_FIELD_CONSENT, "true", 0, OK },
  { MR_FIELD_CONSENT, "", 0, "Confirm that the clinic may use these details for the refill." },
  { MR_FIELD_CONSENT, "false", 0, "Confirm that the clinic may use these details" },
  { MR_FIELD_CONSENT, NULL, 0, "Confirm that the clinic may use these details" },
};

static char *
row_input (const RuleCase *c)
{
  GString *s;

  if (c->repeat == 0)
    return g_strdup (c->input);
  s = g_string_new (NULL);
  for (guint i = 0; i < c->repeat; i++)
    g_string_append (s, c->input);
  return g_string_free (s, FALSE);
}

/* A message is one short sentence a person can read, and never repeats what was typed. */
static void
assert_sentence (const char *message,
                 const char *input)
{
  gsize len = strlen (message);

  g_assert_true (g_ascii_isupper (message[0]));
  g_assert_cmpint (message[len - 1], ==, '.');
  g_assert_cmpuint (g_utf8_strlen (message, -1), <=, 120);
  g_assert_null (strchr (message, '\n'));
  if (input != NULL && strlen (input) >= 8)
    g_assert_null (strstr (message, input));
}

static void
test_rule (gconstpointer data)
{
  const RuleCase *c = data;
  g_autofree char *input = row_input (c);
  g_autofree char *message = NULL;
  gboolean ok = mr_rules_check_field (c->field, input, &message);

  if (c->fragment == NULL)
    {
      if (!ok)
        g_error ("expected “%s” to be valid, got “%s”", c->input, message);
      g_assert_null (message);
      return;
    }
  g_assert_false (ok);
  g_assert_nonnull (message);
  if (strstr (message, c->fragment) == NULL)
    g_error ("expected a message with “%s”, got “%s”", c->fragment, message);
  assert_sentence (message, input);
  /* Without a message pointer, the answer is the same. */
  g_assert_false (mr_rules_check_field (c->field, input, NULL));
}

/* Rows that depend on today's date. */
static void
test_rule_dates_relative (void)
{
  g_autofree char *tomorrow = mr_test_date_from_today (1, 0);
  g_autofree char *today = mr_test_date_from_today (0, 0);
  g_autofree char *age_130 = mr_test_date_from_today (0, -130);
  g_autofree char *age_130_and_a_day = mr_test_date_from_today (-1, -130);
  g_autofree char *message = NULL;

  g_assert_false (mr_rules_check_field (MR_FIELD_DATE_OF_BIRTH, tomorrow, &message));
  g_assert_cmpstr (message, ==, "The date of birth cannot be in the future.");
  g_clear_pointer (&message, g_free);
  g_assert_true (mr_rules_check_field (MR_FIELD_DATE_OF_BIRTH, today, NULL));
  /* Exactly 130 is allowed, unless that is before 1900 (until 2030 it is). */
  if (g_ascii_strtoull (age_130, NULL, 10) >= 1900)
    g_assert_true (mr_rules_check_field (MR_FIELD_DATE_OF_BIRTH, age_130, NULL));
  else
    {
      g_assert_false (mr_rules_check_field (MR_FIELD_DATE_OF_BIRTH, age_130, &message));
      g_assert_cmpstr (message, ==, "The date of birth cannot be before 1900.");
      g_clear_pointer (&message, g_free);
    }
  g_assert_false (mr_rules_check_field (MR_FIELD_DATE_OF_BIRTH, age_130_and_a_day, &message));
  g_assert_cmpstr (message, ==, "The date of birth gives an age over 130 years. Check the year.");
  g_clear_pointer (&message, g_free);

  g_assert_true (mr_rules_check_field (MR_FIELD_MEDICATION_LAST_FILLED, today, NULL));
  g_assert_false (mr_rules_check_field (MR_FIELD_MEDICATION_LAST_FILLED, tomorrow, &message));
  g_assert_cmpstr (message, ==, "The last-filled date of the medicine cannot be in the future.");
}

/* Cleaning */

typedef struct {
  MrField     field;
  const char *input;
  const char *expected;
} CleanCase;

static const CleanCase clean_cases[] = {
  { MR_FIELD_GIVEN_NAME, "  Zoë\t", "Zoë" },
  { MR_FIELD_GIVEN_NAME, "Zoe\xcc\x88", "Zoë" },                           /* NFC */
  { MR_FIELD_GIVEN_NAME, "\xe2\x80\x8f" "אברהם", "\xe2\x80\x8f" "אברהם" }, /* RLM kept */
  { MR_FIELD_DISPLAY_NAME, "Zo\x1b[31më\x07 Núñez", "Zo[31më Núñez" },
  { MR_FIELD_DISPLAY_NAME, "a\xc2\x85" "b", "ab" },                         /* C1 control */
  { MR_FIELD_DISPLAY_NAME, "\xc2\xa0Jack\xe3\x80\x80", "Jack" },           /* Unicode spaces */
  { MR_FIELD_DISPLAY_NAME, "Jack\tSmith", "Jack Smith" },
  { MR_FIELD_DISPLAY_NAME, "line\nbreak", "line break" },
  { MR_FIELD_DISPLAY_NAME, "\xff" "abc", "\xef\xbf\xbd" "abc" },           /* invalid UTF-8 */
  { MR_FIELD_DISPLAY_NAME, NULL, NULL },
  { MR_FIELD_NOTES, "line one\r\n  line two\x7f\n", "line one\nline two" },
  { MR_FIELD_NOTES, "\n\nhello\n\n", "hello" },
  { MR_FIELD_NOTES, "a\xe2\x80\xa8" "b", "a b" },                          /* U+2028 */
  { MR_FIELD_NOTES, "👨‍👩‍👧 family", "👨‍👩‍👧 family" },                              /* ZWJ kept */
  { MR_FIELD_DELIVERY_ADDRESS, " 1 Main St \n\n Springfield ", "1 Main St\n\nSpringfield" },
  { MR_FIELD_GENDER, "fEMALE", "Female" },
  { MR_FIELD_GENDER, " prefer NOT to say ", "Prefer not to say" },
  { MR_FIELD_GENDER, "Unknown", "Unknown" },
  { MR_FIELD_MEDICATION_FORM, "TABLET", "tablet" },
  { MR_FIELD_MEDICATION_FORM, "Nasal spray", "Nasal spray" },
};

/* What people typed at sign-up, as the directory keeps it. */
static const CleanCase tidy_cases[] = {
  { MR_FIELD_GENDER, "male", "Male" },
  { MR_FIELD_GENDER, "F", "Female" },
  { MR_FIELD_GENDER, " m ", "Male" },
  { MR_FIELD_GENDER, "Fem", "Fem" },
  { MR_FIELD_DATE_OF_BIRTH, "2000-01-01", "2000-01-01" },
  { MR_FIELD_DATE_OF_BIRTH, " 1990-1-2\t", "1990-01-02" },
  { MR_FIELD_DATE_OF_BIRTH, "1990/01/02", "1990-01-02" },
  { MR_FIELD_DATE_OF_BIRTH, "2 Jan 1990", "1990-01-02" },
  { MR_FIELD_DATE_OF_BIRTH, "2 january 1990", "1990-01-02" },
  { MR_FIELD_DATE_OF_BIRTH, "January 2, 1990", "1990-01-02" },
  { MR_FIELD_DATE_OF_BIRTH, "02-JAN-1990", "1990-01-02" },
  { MR_FIELD_DATE_OF_BIRTH, "13/02/1990", "1990-02-13" },
  { MR_FIELD_DATE_OF_BIRTH, "02/13/1990", "1990-02-13" },
  { MR_FIELD_DATE_OF_BIRTH, "05.05.1990", "1990-05-05" },
  /* Could be two dates, or none: kept as typed, for a person to confirm. */
  { MR_FIELD_DATE_OF_BIRTH, "01/02/1990", "01/02/1990" },
  { MR_FIELD_DATE_OF_BIRTH, "01/02/90", "01/02/90" },
  { MR_FIELD_DATE_OF_BIRTH, "31/02/1990", "31/02/1990" },
  { MR_FIELD_DATE_OF_BIRTH, "2 Jam 1990", "2 Jam 1990" },
  { MR_FIELD_DATE_OF_BIRTH, "2 Jan 1990 10:00", "2 Jan 1990 10:00" },
  { MR_FIELD_DATE_OF_BIRTH, "1990-13-01", "1990-13-01" },
  { MR_FIELD_DATE_OF_BIRTH, "", "" },
  { MR_FIELD_DATE_OF_BIRTH, NULL, NULL },
  { MR_FIELD_HOSPITAL_NUMBER, " HN\x07" "11112 ", "HN11112" },
};

static void
test_tidy (gconstpointer data)
{
  const CleanCase *c = data;
  g_autofree char *tidy = mr_rules_tidy (c->field, c->input);

  g_assert_cmpstr (tidy, ==, c->expected);
}

static void
test_clean (gconstpointer data)
{
  const CleanCase *c = data;
  g_autofree char *clean = mr_rules_clean (c->field, c->input);

  g_assert_cmpstr (clean, ==, c->expected);
  if (clean != NULL)
    g_assert_true (g_utf8_validate (clean, -1, NULL));
}

/* Messages for the n-th medicine, as the request's validation gives them. */
static void
test_numbered_medicine (void)
{
  g_autofree char *name = NULL;
  g_autofree char *quantity = NULL;
  g_autofree char *date = NULL;

  g_assert_false (mr_rules_check_medication_field (MR_FIELD_MEDICATION_NAME, " ", 2, &name));
  g_assert_cmpstr (name, ==, "Medicine 2 needs a name.");
  g_assert_false (mr_rules_check_medication_field (MR_FIELD_MEDICATION_QUANTITY, "0", 3,
                                                   &quantity));
  g_assert_cmpstr (quantity, ==, "The quantity of medicine 3 must be from 1 to 1000.");
  g_assert_false (mr_rules_check_medication_field (MR_FIELD_MEDICATION_LAST_FILLED, "31/01/2026",
                                                   1, &date));
  g_assert_cmpstr (date, ==, "The last-filled date of medicine 1 must be a date such as "
                             "2026-01-31.");
}

static void
test_pickup_choices (void)
{
  const char * const choices[] = { "Main pharmacy", "Apotek Ørestad", NULL };
  const char * const none[] = { NULL };
  g_autofree char *message = NULL;

  g_assert_true (mr_rules_check_pickup_location ("Apotek Ørestad", choices, NULL));
  g_assert_true (mr_rules_check_pickup_location (" Main pharmacy ", choices, NULL));
  g_assert_false (mr_rules_check_pickup_location ("Elsewhere", choices, &message));
  g_assert_cmpstr (message, ==, "Choose a pickup location from the list.");
  g_clear_pointer (&message, g_free);
  g_assert_false (mr_rules_check_pickup_location ("", choices, &message));
  g_assert_cmpstr (message, ==, "Choose where the medicines will be picked up.");
  /* No configured list: any non-empty text. */
  g_assert_true (mr_rules_check_pickup_location ("Elsewhere", none, NULL));
  g_assert_true (mr_rules_check_pickup_location ("Elsewhere", NULL, NULL));
}

static void
test_field_metadata (void)
{
  for (MrField f = 0; f < MR_N_FIELDS; f++)
    {
      const char *label = mr_rules_field_label (f);

      g_assert_nonnull (label);
      g_assert_cmpuint (strlen (label), >, 0);
      g_assert_true (g_ascii_islower (label[0]));
    }
  g_assert_cmpuint (mr_rules_field_max_chars (MR_FIELD_NOTES), ==, 2000);
  g_assert_cmpuint (mr_rules_field_max_chars (MR_FIELD_MEDICATION_NAME), ==, 200);
  g_assert_cmpuint (mr_rules_field_max_chars (MR_FIELD_DATE_OF_BIRTH), ==, 0);
  g_assert_true (mr_rules_field_is_multiline (MR_FIELD_NOTES));
  g_assert_true (mr_rules_field_is_multiline (MR_FIELD_DELIVERY_ADDRESS));
  g_assert_false (mr_rules_field_is_multiline (MR_FIELD_STREET));
  g_assert_cmpuint (g_strv_length ((char **) mr_rules_genders ()), ==, 4);
  g_assert_cmpuint (g_strv_length ((char **) mr_rules_medication_forms ()), ==, 9);
  g_assert_true (mr_rules_parse_date ("2000-02-29", NULL));
  g_assert_false (mr_rules_parse_date ("2000-02-29 ", NULL));
  g_assert_false (mr_rules_parse_date (NULL, NULL));
  g_assert_cmpint (mr_rules_length (MR_FIELD_GIVEN_NAME, "Zoe\xcc\x88 "), ==, 3);
}

/* One source of truth: whatever a patient field's rule says, the request's validation says
 * the same, word for word. */
static const struct {
  MrField field;
  gsize   offset;
} patient_members[] = {
  { MR_FIELD_GIVEN_NAME, G_STRUCT_OFFSET (MrPatient, given_name) },
  { MR_FIELD_SURNAME, G_STRUCT_OFFSET (MrPatient, surname) },
  { MR_FIELD_DISPLAY_NAME, G_STRUCT_OFFSET (MrPatient, display_name) },
  { MR_FIELD_GENDER, G_STRUCT_OFFSET (MrPatient, gender) },
  { MR_FIELD_HOSPITAL_NUMBER, G_STRUCT_OFFSET (MrPatient, hospital_number) },
  { MR_FIELD_DATE_OF_BIRTH, G_STRUCT_OFFSET (MrPatient, date_of_birth) },
  { MR_FIELD_EMAIL, G_STRUCT_OFFSET (MrPatient, mail) },
  { MR_FIELD_PHONE, G_STRUCT_OFFSET (MrPatient, mobile_phone) },
  { MR_FIELD_POSTAL_CODE, G_STRUCT_OFFSET (MrPatient, postal_code) },
  { MR_FIELD_STREET, G_STRUCT_OFFSET (MrPatient, street_address) },
  { MR_FIELD_CITY, G_STRUCT_OFFSET (MrPatient, city) },
  { MR_FIELD_STATE, G_STRUCT_OFFSET (MrPatient, state) },
  { MR_FIELD_COUNTRY, G_STRUCT_OFFSET (MrPatient, country) },
  { MR_FIELD_JOB_TITLE, G_STRUCT_OFFSET (MrPatient, job_title) },
};

static char **
request_member (MrRefillRequest *request,
                MrField          field)
{
  MrMedication *m = mr_test_medication (request, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (patient_members); i++)
    if (patient_members[i].field == field)
      return G_STRUCT_MEMBER_P (request->patient, patient_members[i].offset);
  switch (field)
    {
    case MR_FIELD_MEDICATION_NAME: return &m->name;
    case MR_FIELD_MEDICATION_STRENGTH: return &m->strength;
    case MR_FIELD_MEDICATION_FORM: return &m->form;
    case MR_FIELD_MEDICATION_PRESCRIBER: return &m->prescriber;
    case MR_FIELD_MEDICATION_LAST_FILLED: return &m->last_filled;
    case MR_FIELD_PICKUP_LOCATION: return &request->pickup_location;
    case MR_FIELD_NOTES: return &request->notes;
    default: return NULL;
    }
}

static void
test_same_as_request (void)
{
  guint compared = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (rule_cases); i++)
    {
      const RuleCase *c = &rule_cases[i];
      g_autoptr(MrRefillRequest) request = mr_test_valid_request ();
      g_autofree char *input = row_input (c);
      g_autofree char *message = NULL;
      g_autoptr(GError) error = NULL;
      char **member = request_member (request, c->field);

      if (member == NULL)
        continue;
      mr_test_replace (member, input);
      mr_rules_check_medication_field (c->field, input, 1, &message);
      if (mr_refill_request_validate (request, &error))
        g_assert_null (message);
      else
        g_assert_cmpstr (error->message, ==, message);
      compared++;
    }
  g_assert_cmpuint (compared, >, 100);
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  for (gsize i = 0; i < G_N_ELEMENTS (rule_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/rules/field/%03zu-%s", i,
                                               mr_rules_field_label (rule_cases[i].field));

      g_strdelimit (path + strlen ("/rules/field/"), " '", '-');
      g_test_add_data_func (path, &rule_cases[i], test_rule);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (clean_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/rules/clean/%02zu", i);

      g_test_add_data_func (path, &clean_cases[i], test_clean);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (tidy_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/rules/tidy/%02zu", i);

      g_test_add_data_func (path, &tidy_cases[i], test_tidy);
    }
  g_test_add_func ("/rules/dates-relative", test_rule_dates_relative);
  g_test_add_func ("/rules/numbered-medicine", test_numbered_medicine);
  g_test_add_func ("/rules/pickup-choices", test_pickup_choices);
  g_test_add_func ("/rules/field-metadata", test_field_metadata);
  g_test_add_func ("/rules/same-as-request", test_same_as_request);
  return g_test_run ();
}

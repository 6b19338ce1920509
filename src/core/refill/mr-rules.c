/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-rules.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-rules-private.h"

/* What a field's text must look like, beyond its length. */
typedef enum {
  KIND_TEXT,                    /* anything printable */
  KIND_NAME,                    /* letters, marks, spaces, apostrophes, hyphens, full stops */
  KIND_GENDER,
  KIND_HOSPITAL_NUMBER,
  KIND_DATE_OF_BIRTH,
  KIND_EMAIL,
  KIND_PHONE,
  KIND_POSTAL_CODE,
  KIND_FORM,
  KIND_COUNT,                   /* a whole number from 1 to max_value */
  KIND_LAST_FILLED,
  KIND_CONSENT,
} Kind;

typedef struct {
  const char *label;            /* in a sentence, without "the"; English, for the payload */
  Kind        kind;
  guint       max_chars;        /* 0: no limit of its own */
  guint       max_value;        /* KIND_COUNT */
  const char *required;         /* the message when empty (N_); NULL: optional */
  guint       medication : 1;   /* the messages say "of medicine N" */
  guint       multiline : 1;
} Rule;

static const Rule rules[MR_N_FIELDS] = {
  [MR_FIELD_GIVEN_NAME] = { "given name", KIND_NAME, 64 },
  [MR_FIELD_SURNAME] = { "surname", KIND_NAME, 64 },
  [MR_FIELD_GENDER] = { "gender", KIND_GENDER, 0 },
  [MR_FIELD_DISPLAY_NAME] = { "display name", KIND_TEXT, 256 },
  [MR_FIELD_HOSPITAL_NUMBER] = { "hospital number", KIND_HOSPITAL_NUMBER, 20 },
  [MR_FIELD_DATE_OF_BIRTH] = { "date of birth", KIND_DATE_OF_BIRTH, 0 },
  [MR_FIELD_JOB_TITLE] = { "job title", KIND_TEXT, 128 },
  [MR_FIELD_STREET] = { "street address", KIND_TEXT, 200 },
  [MR_FIELD_CITY] = { "city", KIND_TEXT, 128 },
  [MR_FIELD_STATE] = { "state or province", KIND_TEXT, 128 },
  [MR_FIELD_COUNTRY] = { "country or region", KIND_TEXT, 128 },
  [MR_FIELD_POSTAL_CODE] = { "postal code", KIND_POSTAL_CODE, 10 },
  [MR_FIELD_EMAIL] = { "email address", KIND_EMAIL, 254 },
  [MR_FIELD_PHONE] = { "phone number", KIND_PHONE, 32 },
  [MR_FIELD_MEDICATION_NAME] = { "name", KIND_TEXT, 200, 0, N_("The medicine needs a name."),
                                  TRUE },
  [MR_FIELD_MEDICATION_STRENGTH] = { "strength", KIND_TEXT, 50, 0, NULL, TRUE },
  [MR_FIELD_MEDICATION_FORM] = { "form", KIND_FORM, 40, 0, NULL, TRUE },
  [MR_FIELD_MEDICATION_QUANTITY] = { "quantity", KIND_COUNT, 0, MR_RULES_QUANTITY_MAX, NULL,
                                     TRUE },
  [MR_FIELD_MEDICATION_DAYS_SUPPLY] = { "days' supply", KIND_COUNT, 0, MR_RULES_DAYS_SUPPLY_MAX,
                                        NULL, TRUE },
  [MR_FIELD_MEDICATION_PRESCRIBER] = { "prescriber", KIND_TEXT, 100, 0, NULL, TRUE },
  [MR_FIELD_MEDICATION_LAST_FILLED] = { "last-filled date", KIND_LAST_FILLED, 0, 0, NULL, TRUE },
  [MR_FIELD_PICKUP_LOCATION] = { "pickup location", KIND_TEXT, 200, 0,
                                 N_("Choose where the medicines will be picked up.") },
  [MR_FIELD_DELIVERY_ADDRESS] = { "delivery address", KIND_TEXT, MR_RULES_ADDRESS_MAX_CHARS, 0,
                                  N_("Enter the address the medicines should be delivered to."),
                                  FALSE, TRUE },
  [MR_FIELD_URGENCY_DAYS] = { "number of days", KIND_COUNT, 0, MR_RULES_URGENCY_DAYS_MAX,
                              N_("Say in how many days the medicines will run out (1 to 30).") },
  [MR_FIELD_NOTES] = { "notes", KIND_TEXT, MR_RULES_NOTES_MAX_CHARS, 0, NULL, FALSE, TRUE },
  [MR_FIELD_CONSENT] = { "consent", KIND_CONSENT, 0, 0,
                         N_("Confirm that the clinic may use these details for the refill.") },
};

static const char * const genders[] = { "Male", "Female", "Other", "Prefer not to say", NULL };
/* Stored and sent as they are; N_() only marks them for the UI, which shows them translated. */
static const char * const forms[] = {
  N_("tablet"), N_("capsule"), N_("liquid"), N_("inhaler"), N_("injection"), N_("cream"),
  N_("drops"), N_("patch"), N_("other"), NULL
};

const char * const *
mr_rules_genders (void)
{
  return genders;
}

const char * const *
mr_rules_medication_forms (void)
{
  return forms;
}

const char *
mr_rules_field_label (MrField field)
{
  g_return_val_if_fail (field < MR_N_FIELDS, NULL);

  return rules[field].label;
}

guint
mr_rules_field_max_chars (MrField field)
{
  g_return_val_if_fail (field < MR_N_FIELDS, 0);

  return rules[field].max_chars;
}

gboolean
mr_rules_field_is_multiline (MrField field)
{
  g_return_val_if_fail (field < MR_N_FIELDS, FALSE);

  return rules[field].multiline;
}

/* Cleaning */

/* Removes Unicode white space at the end of @out, back to @start. */
static void
trim_end_from (GString *out,
               gsize    start)
{
  while (out->len > start)
    {
      char *prev = g_utf8_find_prev_char (out->str + start, out->str + out->len);

      if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      g_string_truncate (out, prev - out->str);
    }
}

/* Drops control characters (keeping "\n" when @multiline), turns tabs and Unicode line
 * separators into spaces, and trims white space (Unicode's, not only ASCII's) around each line
 * and around the whole. */
static char *
strip_controls (const char *nfc,
                gboolean    multiline)
{
  GString *out = g_string_sized_new (strlen (nfc));
  gsize line_start = 0;

  for (const char *p = nfc; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' && multiline)
        {
          trim_end_from (out, line_start);
          if (out->len > 0)
            g_string_append_c (out, '\n');
          line_start = out->len;
          continue;
        }
      if (c == '\t' || c == 0x2028 || c == 0x2029 || c == '\n')
        c = ' ';
      else if (g_unichar_type (c) == G_UNICODE_CONTROL)
        continue;
      /* Leading white space of a line goes; inner white space stays. */
      if (out->len == line_start && g_unichar_isspace (c))
        continue;
      g_string_append_unichar (out, c);
    }
  /* Trailing white space and empty lines. */
  trim_end_from (out, 0);
  return g_string_free (out, FALSE);
}

static char *
canonical_choice (const char         *clean,
                  const char * const *choices)
{
  g_autofree char *folded = g_utf8_casefold (clean, -1);

  for (gsize i = 0; choices[i] != NULL; i++)
    {
      g_autofree char *choice = g_utf8_casefold (choices[i], -1);

      if (strcmp (folded, choice) == 0)
        return g_strdup (choices[i]);
    }
  return NULL;
}

/* Short answers people give at sign-up for a choice ("F"), in the choice's spelling. */
static const struct { const char *typed; const char *choice; } gender_aliases[] = {
  { "m", "Male" }, { "f", "Female" },
};

static char *
canonical_gender (const char *clean)
{
  g_autofree char *folded = g_utf8_casefold (clean, -1);

  for (gsize i = 0; i < G_N_ELEMENTS (gender_aliases); i++)
    if (strcmp (folded, gender_aliases[i].typed) == 0)
      return g_strdup (gender_aliases[i].choice);
  return canonical_choice (clean, genders);
}

/* 1 to 12 for an English month name or its first three letters ("jan", "January"), else 0. */
static guint
month_from_name (const char *word)
{
  static const char * const months[] = { "january", "february", "march", "april", "may", "june",
                                          "july", "august", "september", "october", "november",
                                          "december" };
  g_autofree char *folded = g_ascii_strdown (word, -1);
  gsize len = strlen (folded);

  if (len < 3)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    if (strncmp (months[i], folded, len) == 0 && (len == 3 || len == strlen (months[i])))
      return i + 1;
  return 0;
}

/* A whole number of 1 to @digits digits, or -1. */
static gint
date_number (const char *word,
             gsize       digits)
{
  gsize len = strlen (word);

  if (len == 0 || len > digits)
    return -1;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (word[i]))
      return -1;
  return (gint) g_ascii_strtoull (word, NULL, 10);
}

/* A date of birth as people type it at sign-up, as YYYY-MM-DD when only one date can be meant:
 * "1990-1-2", "1990/01/02", "2 Jan 1990", "January 2, 1990", "13/02/1990" (a day over 12 decides
 * the order), "05/05/1990". NULL when the text is not a date or could be two ("01/02/1990": the
 * 1st of February or the 2nd of January), or its year has two digits: a person must say which. */
static char *
tidy_date (const char *clean)
{
  g_auto(GStrv) words = g_strsplit_set (clean, " /-.,", -1);
  const char *w[3];
  guint n = 0;
  gint y, m = -1, d = -1, a, b;

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      {
        if (n == 3)
          return NULL;
        w[n++] = words[i];
      }
  if (n != 3)
    return NULL;
  if (strlen (w[0]) == 4 && (y = date_number (w[0], 4)) > 0)
    {
      /* Year first: always year, month, day. */
      m = month_from_name (w[1]) ? (gint) month_from_name (w[1]) : date_number (w[1], 2);
      d = date_number (w[2], 2);
    }
  else if (strlen (w[2]) == 4 && (y = date_number (w[2], 4)) > 0)
    {
      if (month_from_name (w[0]))
        m = month_from_name (w[0]), d = date_number (w[1], 2);
      else if (month_from_name (w[1]))
        m = month_from_name (w[1]), d = date_number (w[0], 2);
      else if ((a = date_number (w[0], 2)) > 0 && (b = date_number (w[1], 2)) > 0)
        {
          if (a > 12 && b <= 12)
            d = a, m = b;
          else if (b > 12 && a <= 12)
            m = a, d = b;
          else if (a == b)
            m = d = a;
        }
    }
  else
    return NULL;
  if (m < 1 || m > 12 || d < 1 || !g_date_valid_dmy (d, m, y))
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02d", y, m, d);
}

char *
mr_rules_clean (MrField     field,
                const char *value)
{
  g_autofree char *valid = NULL;
  g_autofree char *nfc = NULL;
  char *clean;
  char *canonical = NULL;

  g_return_val_if_fail (field < MR_N_FIELDS, NULL);

  if (value == NULL)
    return NULL;

  valid = g_utf8_make_valid (value, -1);
  nfc = g_utf8_normalize (valid, -1, G_NORMALIZE_NFC);
  clean = strip_controls (nfc != NULL ? nfc : valid, rules[field].multiline);

  if (rules[field].kind == KIND_GENDER)
    canonical = canonical_choice (clean, genders);
  else if (rules[field].kind == KIND_FORM)
    canonical = canonical_choice (clean, forms);
  if (canonical != NULL)
    {
      g_free (clean);
      return canonical;
    }
  return clean;
}

char *
mr_rules_tidy (MrField     field,
               const char *value)
{
  g_autofree char *clean = NULL;
  char *canonical = NULL;

  g_return_val_if_fail (field < MR_N_FIELDS, NULL);

  clean = mr_rules_clean (field, value);
  if (clean == NULL || *clean == '\0')
    return g_steal_pointer (&clean);
  if (rules[field].kind == KIND_GENDER)
    canonical = canonical_gender (clean);
  else if (rules[field].kind == KIND_DATE_OF_BIRTH)
    canonical = tidy_date (clean);
  return canonical != NULL ? canonical : g_steal_pointer (&clean);
}

glong
mr_rules_length (MrField     field,
                 const char *value)
{
  g_autofree char *clean = mr_rules_clean (field, value);

  return clean != NULL ? g_utf8_strlen (clean, -1) : 0;
}

/* Dates */

gboolean
mr_rules_parse_date (const char *text,
                     GDate      *date)
{
  guint64 y, m, d;
  char part[5];

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (gsize i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;

  memcpy (part, text, 4), part[4] = '\0';
  y = g_ascii_strtoull (part, NULL, 10);
  memcpy (part, text + 5, 2), part[2] = '\0';
  m = g_ascii_strtoull (part, NULL, 10);
  memcpy (part, text + 8, 2), part[2] = '\0';
  d = g_ascii_strtoull (part, NULL, 10);
  if (y < 1 || m < 1 || m > 12 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  if (date != NULL)
    g_date_set_dmy (date, d, m, y);
  return TRUE;
}

static void
today (GDate *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
}

/* Checks */

static gboolean
fail (char **message,
      char  *text)
{
  if (message != NULL)
    *message = text;
  else
    g_free (text);
  return FALSE;
}

static char *
required_message (const Rule *rule,
                  guint       n)
{
  /* The medicine's name is the only required field of a medicine. */
  g_assert (!rule->medication || rule == &rules[MR_FIELD_MEDICATION_NAME]);

  if (rule->medication && n > 0)
    return g_strdup_printf (_("Medicine %u needs a name."), n);
  return g_strdup (_(rule->required));
}

static gboolean
is_name_char (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_SPACE_SEPARATOR:
    case G_UNICODE_FORMAT:      /* joiners and direction marks some scripts need */
      return TRUE;
    default:
      /* Apostrophes, hyphens, full stops and commas ("O'Brien", "Núñez-Ødegård", "Jr."). */
      return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == '-' || c == 0x2010
             || c == 0x2011 || c == '.' || c == ',';
    }
}

static gboolean
check_name (MrField     field,
            const char *clean,
            char      **message)
{
  gboolean letter = FALSE;

  for (const char *p = clean; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_name_char (c))
        return fail (message, mr_rules_message (field, 0, MR_RULES_BAD_CHARACTERS, 0));
      letter = letter || g_unichar_isalpha (c);
    }
  if (!letter)
    return fail (message, mr_rules_message (field, 0, MR_RULES_NO_LETTER, 0));
  return TRUE;
}

static gboolean
check_hospital_number (const char *clean,
                       char      **message)
{
  gboolean digit = FALSE;

  for (const char *p = clean; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p))
        return fail (message, g_strdup (_("The hospital number may only contain letters and "
                                          "digits, without spaces.")));
      digit = digit || g_ascii_isdigit (*p);
    }
  if (strlen (clean) < 3)
    return fail (message, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "The hospital number is too short (at "
                                                        "least %u character).",
                                                        "The hospital number is too short (at "
                                                        "least %u characters).", 3), 3));
  if (!digit)
    return fail (message, g_strdup (_("The hospital number must contain at least one digit.")));
  return TRUE;
}

/* A real date, not after today and not before 1900. */
static gboolean
check_past_date (MrField     field,
                 guint       n,
                 const char *clean,
                 GDate      *date,
                 char      **message)
{
  GDate now;

  if (!mr_rules_parse_date (clean, date))
    return fail (message, mr_rules_message (field, n, MR_RULES_NOT_A_DATE, 0));
  today (&now);
  if (g_date_compare (date, &now) > 0)
    return fail (message, mr_rules_message (field, n, MR_RULES_FUTURE_DATE, 0));
  if (g_date_get_year (date) < MR_RULES_OLDEST_YEAR)
    return fail (message, mr_rules_message (field, n, MR_RULES_TOO_EARLY, MR_RULES_OLDEST_YEAR));
  return TRUE;
}

/* The age comes before the 1900 floor so that both messages can be met today. */
static gboolean
check_date_of_birth (const char *clean,
                     char      **message)
{
  GDate dob, now, oldest;

  if (!mr_rules_parse_date (clean, &dob))
    return fail (message, mr_rules_message (MR_FIELD_DATE_OF_BIRTH, 0, MR_RULES_NOT_A_DATE, 0));
  today (&now);
  if (g_date_compare (&dob, &now) > 0)
    return fail (message, mr_rules_message (MR_FIELD_DATE_OF_BIRTH, 0, MR_RULES_FUTURE_DATE, 0));
  oldest = now;
  g_date_subtract_years (&oldest, MR_RULES_MAX_AGE);
  if (g_date_compare (&dob, &oldest) < 0)
    return fail (message, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "The date of birth gives an age over %u "
                                                        "year. Check the year.",
                                                        "The date of birth gives an age over %u "
                                                        "years. Check the year.",
                                                        MR_RULES_MAX_AGE),
                                           MR_RULES_MAX_AGE));
  return check_past_date (MR_FIELD_DATE_OF_BIRTH, 0, clean, &dob, message);
}

static gboolean
check_last_filled (const char *clean,
                   guint       n,
                   char      **message)
{
  GDate date;

  return check_past_date (MR_FIELD_MEDICATION_LAST_FILLED, n, clean, &date, message);
}

static gboolean
is_domain_label (const char *label)
{
  gsize len = strlen (label);

  if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
    return FALSE;
  for (const char *p = label; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && (guchar) *p < 0x80)
      return FALSE;
  return TRUE;
}

static gboolean
is_local_part (const char *local)
{
  gsize len = strlen (local);

  if (len == 0 || len > 64 || local[0] == '.' || local[len - 1] == '.'
      || strstr (local, "..") != NULL)
    return FALSE;
  for (const char *p = local; *p != '\0'; p++)
    if ((guchar) *p < 0x80 && (g_ascii_isspace (*p) || strchr ("\"(),:;<>[\\]", *p) != NULL))
      return FALSE;
  return TRUE;
}

static gboolean
is_email (const char *clean)
{
  const char *at = strchr (clean, '@');
  g_autofree char *local = NULL;
  g_auto(GStrv) labels = NULL;
  guint n;

  if (at == NULL || strchr (at + 1, '@') != NULL)
    return FALSE;
  local = g_strndup (clean, at - clean);
  labels = g_strsplit (at + 1, ".", -1);
  n = g_strv_length (labels);
  if (!is_local_part (local) || n < 2 || strlen (labels[n - 1]) < 2)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!is_domain_label (labels[i]))
      return FALSE;
  return TRUE;
}

static gboolean
check_phone (const char *clean,
             char      **message)
{
  guint digits = 0;

  for (const char *p = clean; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
      else if ((*p != '+' || p != clean) && strchr (" -().", *p) == NULL)
        return fail (message, g_strdup (_("The phone number may only contain digits, spaces, "
                                          "a leading + and - ( ) .")));
    }
  if (digits < 3)
    return fail (message, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "The phone number needs at least %u "
                                                        "digit.",
                                                        "The phone number needs at least %u "
                                                        "digits.", 3), 3));
  return TRUE;
}

static gboolean
check_postal_code (const char *clean,
                   char      **message)
{
  gboolean ok = strlen (clean) >= 2;

  for (const char *p = clean; ok && *p != '\0'; p++)
    ok = g_ascii_isalnum (*p) || *p == ' ' || *p == '-';
  if (!ok)
    return fail (message, g_strdup (_("The postal code must be 2 to 10 letters, digits, spaces "
                                      "or hyphens.")));
  return TRUE;
}

static gboolean
check_count (MrField     field,
             guint       n,
             const char *clean,
             char      **message)
{
  const Rule *rule = &rules[field];
  guint64 value = 0;
  gboolean digits = *clean != '\0';

  for (const char *p = clean; *p != '\0'; p++)
    digits = digits && g_ascii_isdigit (*p);
  if (digits && strlen (clean) <= 9)
    value = g_ascii_strtoull (clean, NULL, 10);
  if (value >= 1 && value <= rule->max_value)
    return TRUE;
  if (rule->required != NULL)
    return fail (message, g_strdup (_(rule->required)));
  return fail (message, mr_rules_message (field, n,
                                          digits ? MR_RULES_OUT_OF_RANGE : MR_RULES_NOT_WHOLE,
                                          rule->max_value));
}

static gboolean
check_kind (MrField     field,
            guint       n,
            const char *clean,
            char      **message)
{
  switch (rules[field].kind)
    {
    case KIND_NAME:
      return check_name (field, clean, message);
    case KIND_GENDER:
      if (g_strv_contains (genders, clean))
        return TRUE;
      return fail (message, g_strdup (_("Choose the gender from the list: Male, Female, Other or "
                                        "Prefer not to say.")));
    case KIND_HOSPITAL_NUMBER:
      return check_hospital_number (clean, message);
    case KIND_DATE_OF_BIRTH:
      return check_date_of_birth (clean, message);
    case KIND_LAST_FILLED:
      return check_last_filled (clean, n, message);
    case KIND_EMAIL:
      return is_email (clean)
             || fail (message,
                      g_strdup (_("The email address must look like name@example.org.")));
    case KIND_PHONE:
      return check_phone (clean, message);
    case KIND_POSTAL_CODE:
      return check_postal_code (clean, message);
    case KIND_COUNT:
      return check_count (field, n, clean, message);
    case KIND_CONSENT:
      if (g_ascii_strcasecmp (clean, "true") == 0 || strcmp (clean, "1") == 0)
        return TRUE;
      return fail (message, g_strdup (_(rules[field].required)));
    case KIND_TEXT:
    case KIND_FORM:
    default:
      return TRUE;
    }
}

gboolean
mr_rules_check_medication_field (MrField     field,
                                 const char *value,
                                 guint       n,
                                 char      **message)
{
  const Rule *rule;
  g_autofree char *clean = NULL;
  glong len;

  g_return_val_if_fail (field < MR_N_FIELDS, FALSE);
  g_return_val_if_fail (message == NULL || *message == NULL, FALSE);

  rule = &rules[field];
  clean = mr_rules_clean (field, value);
  len = clean != NULL ? g_utf8_strlen (clean, -1) : 0;
  if (len == 0)
    return rule->required == NULL || fail (message, required_message (rule, n));

  if (rule->max_chars > 0 && len > (glong) rule->max_chars)
    return fail (message, mr_rules_message_too_long (field, rule->medication ? n : 0,
                                                     rule->max_chars));
  return check_kind (field, rule->medication ? n : 0, clean, message);
}

gboolean
mr_rules_check_field (MrField     field,
                      const char *value,
                      char      **message)
{
  return mr_rules_check_medication_field (field, value, 0, message);
}

gboolean
mr_rules_check_pickup_location (const char         *value,
                                const char * const *choices,
                                char              **message)
{
  g_autofree char *clean = NULL;

  if (!mr_rules_check_field (MR_FIELD_PICKUP_LOCATION, value, message))
    return FALSE;
  if (choices == NULL || choices[0] == NULL)
    return TRUE;
  clean = mr_rules_clean (MR_FIELD_PICKUP_LOCATION, value);
  for (gsize i = 0; choices[i] != NULL; i++)
    {
      g_autofree char *choice = mr_rules_clean (MR_FIELD_PICKUP_LOCATION, choices[i]);

      if (g_strcmp0 (clean, choice) == 0)
        return TRUE;
    }
  return fail (message, g_strdup (_("Choose a pickup location from the list.")));
}

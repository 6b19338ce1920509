/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinic's formulary file and the medicine name completion. */
#include "mr-refill.h"

#include <string.h>

#include "mr-test-server.h"

static const char formulary_json[] =
  "[{\"name\": \"Metformin\", \"strengths\": [\"500 mg\", \"850 mg\"], \"form\": \"tablet\"},"
  " {\"name\": \"Ibuprofen\", \"strengths\": [\"200 mg\", \"400 mg\"], \"form\": \"tablet\"},"
  " {\"name\": \"Ibandronic acid\", \"strengths\": [\"150 mg\"]},"
  " {\"name\": \"Éfudix\", \"strengths\": [\"5 %\"], \"form\": \"cream\"},"
  " {\"name\": \"  Ácido fólico\\t\", \"strengths\": [], \"form\": \"TABLET\"},"
  " {\"name\": \"Øvrig middel\", \"form\": null},"
  " {\"name\": \"Salbutamol\", \"strengths\": [\"100 µg\", \" \"], \"form\": \"inhaler\"}]";

static char *
write_file (const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_data_dir (), name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static MrFormulary *
load_sample (void)
{
  g_autofree char *path = write_file ("formulary.json", formulary_json);
  g_autoptr(GError) error = NULL;
  MrFormulary *formulary = mr_formulary_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (formulary);
  return formulary;
}

/* The names @prefix completes to, joined by "|". */
static char *
complete (MrFormulary *formulary,
          const char  *prefix,
          guint        max)
{
  g_autoptr(GPtrArray) matches = mr_formulary_complete (formulary, prefix, max);
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < matches->len; i++)
    {
      const MrFormularyEntry *entry = g_ptr_array_index (matches, i);

      g_string_append_printf (names, "%s%s", i > 0 ? "|" : "", entry->name);
    }
  return g_string_free (names, FALSE);
}

typedef struct {
  const char *prefix;
  guint       max;
  const char *expected;
} CompleteCase;

static const CompleteCase complete_cases[] = {
  { "Met", 0, "Metformin" },
  { "met", 0, "Metformin" },
  { "METFORMIN", 0, "Metformin" },
  { "ib", 0, "Ibuprofen|Ibandronic acid" },
  { "ib", 1, "Ibuprofen" },
  { "IBÚ", 0, "Ibuprofen" },                    /* accents ignored in the prefix … */
  { "efu", 0, "Éfudix" },                       /* … and in the names */
  { "acido f", 0, "Ácido fólico" },
  { "Acido fo\xcc\x81", 0, "Ácido fólico" },    /* decomposed ó */
  { "  sal", 0, "Salbutamol" },
  { "ø", 0, "Øvrig middel" },
  { "o", 0, "" },                               /* Ø is a letter of its own, not an O */
  { "formin", 0, "" },                          /* a prefix, not a substring */
  { "", 0, "" },
  { " ", 0, "" },
  { "x", 0, "" },
};

static void
test_complete (gconstpointer data)
{
  const CompleteCase *c = data;
  g_autoptr(MrFormulary) formulary = load_sample ();
  g_autofree char *names = complete (formulary, c->prefix, c->max);

  g_assert_cmpstr (names, ==, c->expected);
}

static void
test_entries (void)
{
  g_autoptr(MrFormulary) formulary = load_sample ();
  g_autoptr(GPtrArray) metformin = mr_formulary_complete (formulary, "metf", 0);
  g_autoptr(GPtrArray) acido = mr_formulary_complete (formulary, "ácido", 0);
  g_autoptr(GPtrArray) salbutamol = mr_formulary_complete (formulary, "salb", 0);
  g_autoptr(GPtrArray) ovrig = mr_formulary_complete (formulary, "øv", 0);
  const MrFormularyEntry *entry;

  g_assert_cmpuint (mr_formulary_get_size (formulary), ==, 7);
  entry = g_ptr_array_index (metformin, 0);
  g_assert_cmpuint (g_strv_length (entry->strengths), ==, 2);
  g_assert_cmpstr (entry->strengths[1], ==, "850 mg");
  g_assert_cmpstr (entry->form, ==, "tablet");
  /* Cleaned: trimmed, the form canonical. */
  entry = g_ptr_array_index (acido, 0);
  g_assert_cmpstr (entry->name, ==, "Ácido fólico");
  g_assert_cmpstr (entry->form, ==, "tablet");
  g_assert_cmpuint (g_strv_length (entry->strengths), ==, 0);
  /* Blank strengths are dropped; absent or null parts are NULL or empty. */
  entry = g_ptr_array_index (salbutamol, 0);
  g_assert_cmpuint (g_strv_length (entry->strengths), ==, 1);
  entry = g_ptr_array_index (ovrig, 0);
  g_assert_null (entry->form);
  g_assert_nonnull (entry->strengths);
  g_assert_null (entry->strengths[0]);
}

static void
test_fold (void)
{
  g_autofree char *a = mr_formulary_fold ("ÉFUDIX");
  g_autofree char *b = mr_formulary_fold ("e\xcc\x81" "fudix");

  g_assert_cmpstr (a, ==, "efudix");
  g_assert_cmpstr (b, ==, "efudix");
  g_assert_null (mr_formulary_fold (NULL));
}

typedef struct {
  const char *name;
  const char *contents;           /* NULL: no file */
  int         code;
  const char *fragment;
} LoadErrorCase;

static const LoadErrorCase load_error_cases[] = {
  { "missing", NULL, MR_FORMULARY_ERROR_READ, "could not be read. Check the path in Preferences." },
  { "not-json", "[{\"name\": ", MR_FORMULARY_ERROR_INVALID, "is not valid JSON." },
  { "object", "{\"name\": \"Metformin\"}", MR_FORMULARY_ERROR_INVALID, "entry 1 needs a “name”" },
  { "no-name", "[{\"name\": \"A\"}, {\"form\": \"tablet\"}]", MR_FORMULARY_ERROR_INVALID,
    "entry 2 needs a “name”" },
  { "blank-name", "[{\"name\": \" \\u0001 \"}]", MR_FORMULARY_ERROR_INVALID, "entry 1" },
  { "number-name", "[{\"name\": 5}]", MR_FORMULARY_ERROR_INVALID, "entry 1" },
  { "strengths-string", "[{\"name\": \"A\", \"strengths\": \"5 mg\"}]",
    MR_FORMULARY_ERROR_INVALID, "entry 1" },
  { "strength-number", "[{\"name\": \"A\", \"strengths\": [5]}]", MR_FORMULARY_ERROR_INVALID,
    "entry 1" },
  { "entry-string", "[\"Metformin\"]", MR_FORMULARY_ERROR_INVALID, "entry 1" },
};

static void
test_load_error (gconstpointer data)
{
  const LoadErrorCase *c = data;
  g_autofree char *name = g_strconcat (c->name, ".json", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MrFormulary) formulary = NULL;

  path = c->contents != NULL ? write_file (name, c->contents)
                             : g_build_filename (g_get_user_data_dir (), name, NULL);
  formulary = mr_formulary_load (path, &error);
  g_assert_null (formulary);
  g_assert_error (error, MR_FORMULARY_ERROR, c->code);
  g_assert_nonnull (strstr (error->message, c->fragment));
  /* The file is named (without its folder), its contents never. */
  g_assert_nonnull (strstr (error->message, name));
  g_assert_null (strstr (error->message, g_get_user_data_dir ()));
}

static void
test_empty_file (void)
{
  g_autofree char *path = write_file ("empty.json", "[]");
  g_autoptr(MrFormulary) formulary = mr_formulary_load (path, NULL);
  g_autoptr(GPtrArray) matches = NULL;

  g_assert_nonnull (formulary);
  g_assert_cmpuint (mr_formulary_get_size (formulary), ==, 0);
  matches = mr_formulary_complete (formulary, "a", 0);
  g_assert_cmpuint (matches->len, ==, 0);
}

typedef struct {
  MrFormulary *formulary;
  gboolean     done;
} LoadData;

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  LoadData *data = user_data;
  g_autoptr(GError) error = NULL;

  data->formulary = mr_formulary_load_finish (result, &error);
  g_assert_no_error (error);
  data->done = TRUE;
}

static void
test_load_async (void)
{
  g_autofree char *path = write_file ("async.json", formulary_json);
  LoadData data = { NULL, FALSE };

  mr_formulary_load_async (path, NULL, load_cb, &data);
  g_assert_true (mr_test_wait_for (&data.done, 5000));
  g_assert_nonnull (data.formulary);
  g_assert_cmpuint (mr_formulary_get_size (data.formulary), ==, 7);
  mr_formulary_free (data.formulary);
}

int
main (int    argc,
      char **argv)
{
  mr_test_init (&argc, &argv);

  for (gsize i = 0; i < G_N_ELEMENTS (complete_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/formulary/complete/%02zu", i);

      g_test_add_data_func (path, &complete_cases[i], test_complete);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (load_error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/formulary/load-error/%s",
                                               load_error_cases[i].name);

      g_test_add_data_func (path, &load_error_cases[i], test_load_error);
    }
  g_test_add_func ("/formulary/entries", test_entries);
  g_test_add_func ("/formulary/fold", test_fold);
  g_test_add_func ("/formulary/empty-file", test_empty_file);
  g_test_add_func ("/formulary/load-async", test_load_async);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The small part of OData $filter that the app's lookups use, parsed as Graph parses it: string
 * literals in single quotes with '' for a quote, startswith/endswith calls, eq, and "or". */
#include "mr-sandbox-filter.h"

#include <string.h>

#define MAX_TERMS 4

G_DEFINE_QUARK (mr-sandbox-filter-error-quark, mr_sandbox_filter_error)

typedef struct {
  const char *text;
  const char *p;
} Cursor;

static void
term_free (gpointer data)
{
  MrFilterTerm *term = data;

  g_free (term->property);
  g_free (term->value);
  g_free (term);
}

static void
skip_spaces (Cursor *c)
{
  while (*c->p == ' ')
    c->p++;
}

/* Graph's own words for a character it did not expect. */
static gboolean
syntax_error (Cursor  *c,
              GError **error)
{
  if (*c->p == '\0')
    g_set_error (error, MR_SANDBOX_FILTER_ERROR, MR_SANDBOX_FILTER_ERROR_SYNTAX,
                 "Syntax error at position %d in '%s'.", (int) (c->p - c->text), c->text);
  else
    g_set_error (error, MR_SANDBOX_FILTER_ERROR, MR_SANDBOX_FILTER_ERROR_SYNTAX,
                 "Syntax error: character '%c' is not valid at position %d in '%s'.",
                 *c->p, (int) (c->p - c->text), c->text);
  return FALSE;
}

/* [A-Za-z_][A-Za-z0-9_]*, or NULL. */
static char *
read_identifier (Cursor *c)
{
  const char *start = c->p;

  if (!g_ascii_isalpha (*c->p) && *c->p != '_')
    return NULL;
  while (g_ascii_isalnum (*c->p) || *c->p == '_')
    c->p++;
  return g_strndup (start, c->p - start);
}

/* A string literal; '' inside it stands for one quote. */
static char *
read_string (Cursor  *c,
             GError **error)
{
  g_autoptr(GString) value = g_string_new (NULL);

  if (*c->p != '\'')
    {
      syntax_error (c, error);
      return NULL;
    }
  c->p++;
  for (;;)
    {
      if (*c->p == '\0')
        {
      syntax_error (c, error);
      return NULL;
    }
      if (c->p[0] == '\'' && c->p[1] == '\'')
        {
          g_string_append_c (value, '\'');
          c->p += 2;
        }
      else if (*c->p == '\'')
        {
          c->p++;
          return g_string_free (g_steal_pointer (&value), FALSE);
        }
      else
        g_string_append_c (value, *c->p++);
    }
}

static gboolean
expect (Cursor  *c,
        char     wanted,
        GError **error)
{
  skip_spaces (c);
  if (*c->p != wanted)
    return syntax_error (c, error);
  c->p++;
  skip_spaces (c);
  return TRUE;
}

/* startswith(prop,'v') or endswith(prop,'v'), after the function's name. */
static MrFilterTerm *
read_call (Cursor      *c,
           const char  *function,
           GError     **error)
{
  g_autofree char *property = NULL;
  g_autofree char *value = NULL;
  MrFilterTerm *term;
  MrFilterOp op;

  if (g_ascii_strcasecmp (function, "startswith") == 0)
    op = MR_FILTER_STARTS_WITH;
  else if (g_ascii_strcasecmp (function, "endswith") == 0)
    op = MR_FILTER_ENDS_WITH;
  else
    {
      g_set_error (error, MR_SANDBOX_FILTER_ERROR, MR_SANDBOX_FILTER_ERROR_UNSUPPORTED,
                   "An unknown function with name '%s' was found.", function);
      return NULL;
    }
  if (!expect (c, '(', error))
    return NULL;
  if ((property = read_identifier (c)) == NULL)
    {
      syntax_error (c, error);
      return NULL;
    }
  if (!expect (c, ',', error) || (value = read_string (c, error)) == NULL
      || !expect (c, ')', error))
    return NULL;

  term = g_new0 (MrFilterTerm, 1);
  term->op = op;
  term->property = g_steal_pointer (&property);
  term->value = g_steal_pointer (&value);
  return term;
}

/* prop eq 'v', after the property's name (taken). */
static MrFilterTerm *
read_comparison (Cursor      *c,
                 char        *name,
                 GError     **error)
{
  g_autofree char *property = name;
  g_autofree char *op = NULL;
  g_autofree char *value = NULL;
  MrFilterTerm *term;

  skip_spaces (c);
  if ((op = read_identifier (c)) == NULL)
    {
      syntax_error (c, error);
      return NULL;
    }
  if (g_ascii_strcasecmp (op, "eq") != 0)
    {
      g_set_error (error, MR_SANDBOX_FILTER_ERROR, MR_SANDBOX_FILTER_ERROR_UNSUPPORTED,
                   "Operator '%s' is not supported by the sandbox; it knows eq, startswith "
                   "and endswith.", op);
      return NULL;
    }
  skip_spaces (c);
  if ((value = read_string (c, error)) == NULL)
    return NULL;

  term = g_new0 (MrFilterTerm, 1);
  term->op = MR_FILTER_EQ;
  term->property = g_steal_pointer (&property);
  term->value = g_steal_pointer (&value);
  return term;
}

static MrFilterTerm *
read_term (Cursor  *c,
           GError **error)
{
  g_autofree char *name = NULL;

  skip_spaces (c);
  if ((name = read_identifier (c)) == NULL)
    {
      syntax_error (c, error);
      return NULL;
    }
  skip_spaces (c);
  if (*c->p == '(')
    return read_call (c, name, error);
  return read_comparison (c, g_steal_pointer (&name), error);
}

/* After a term: the end, or "or" and another term. */
static gboolean
read_joiner (Cursor   *c,
             gboolean *done,
             GError  **error)
{
  g_autofree char *word = NULL;

  skip_spaces (c);
  if (*c->p == '\0')
    {
      *done = TRUE;
      return TRUE;
    }
  if ((word = read_identifier (c)) == NULL || *c->p != ' ')
    return syntax_error (c, error);
  if (g_ascii_strcasecmp (word, "or") != 0)
    {
      g_set_error (error, MR_SANDBOX_FILTER_ERROR, MR_SANDBOX_FILTER_ERROR_UNSUPPORTED,
                   "The sandbox joins conditions only with 'or', not '%s'.", word);
      return FALSE;
    }
  *done = FALSE;
  return TRUE;
}

GPtrArray *
mr_sandbox_filter_parse (const char  *text,
                         GError     **error)
{
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func (term_free);
  Cursor c = { text, text };
  gboolean done = FALSE;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, MR_SANDBOX_FILTER_ERROR, MR_SANDBOX_FILTER_ERROR_SYNTAX,
                           "Invalid filter clause: the text is not UTF-8.");
      return NULL;
    }
  while (!done)
    {
      MrFilterTerm *term = read_term (&c, error);

      if (term == NULL)
        return NULL;
      g_ptr_array_add (terms, term);
      if (!read_joiner (&c, &done, error))
        return NULL;
      if (!done && terms->len == MAX_TERMS)
        {
          g_set_error (error, MR_SANDBOX_FILTER_ERROR, MR_SANDBOX_FILTER_ERROR_UNSUPPORTED,
                       "The sandbox accepts at most %d conditions in $filter.", MAX_TERMS);
          return NULL;
        }
    }
  return g_steal_pointer (&terms);
}

static char *
fold (const char *text)
{
  g_autofree char *nfc = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);

  return nfc != NULL ? g_utf8_casefold (nfc, -1) : NULL;
}

gboolean
mr_sandbox_filter_match (MrFilterOp  op,
                         const char *value,
                         const char *wanted)
{
  g_autofree char *v = NULL;
  g_autofree char *w = NULL;

  if (value == NULL || wanted == NULL)
    return FALSE;
  v = fold (value);
  w = fold (wanted);
  if (v == NULL || w == NULL)
    return FALSE;
  switch (op)
    {
    case MR_FILTER_EQ:
      return g_str_equal (v, w);
    case MR_FILTER_STARTS_WITH:
      return g_str_has_prefix (v, w);
    case MR_FILTER_ENDS_WITH:
      return g_str_has_suffix (v, w);
    default:
      g_assert_not_reached ();
    }
}

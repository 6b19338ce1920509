/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mr-rules.h"

G_BEGIN_DECLS

/* Marks a singular/plural pair for xgettext (keyword NP_:1,2 in po/meson.build) in a static
 * table; translated where used with g_dngettext(). */
#define NP_(singular, plural) singular, plural

/* What is wrong with a field's text, beyond its length or its absence. */
typedef enum {
  MR_RULES_BAD_CHARACTERS,      /* a name with a digit or a symbol */
  MR_RULES_NO_LETTER,           /* a name without a letter */
  MR_RULES_NOT_A_DATE,
  MR_RULES_FUTURE_DATE,
  MR_RULES_TOO_EARLY,           /* a date before MR_RULES_OLDEST_YEAR */
  MR_RULES_NOT_WHOLE,           /* a count that is not a whole number */
  MR_RULES_OUT_OF_RANGE,        /* a count above its maximum */
} MrRulesProblem;

/* The sentences of mr-rules.c, each whole so that a translator sees it whole. @n is the
 * medicine's number (from 1) or 0 for "the medicine"; it is ignored for the other fields. Each
 * returns newly allocated, translated text. */
char *mr_rules_message_too_long (MrField        field,
                                 guint          n,
                                 guint          max_chars);
/* @value is the field's maximum (counts) or MR_RULES_OLDEST_YEAR (dates); unused otherwise. */
char *mr_rules_message          (MrField        field,
                                 guint          n,
                                 MrRulesProblem problem,
                                 guint          value);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mr-graph.h"

G_BEGIN_DECLS

/* Desk mode: the staff member looks a patient up by hospital number, email or name. The page
 * only shows; the window searches (::search) and opens the chosen patient (::patient-chosen). */
#define MR_TYPE_LOOKUP_PAGE (mr_lookup_page_get_type ())
G_DECLARE_FINAL_TYPE (MrLookupPage, mr_lookup_page, MR, LOOKUP_PAGE, GtkWidget)

GtkWidget *mr_lookup_page_new               (void);
/* Shows @patients (MrPatient, copied) as the results; @truncated says there were more. */
void       mr_lookup_page_set_results       (MrLookupPage *self,
                                             GPtrArray    *patients,
                                             gboolean      truncated);
/* One sentence in place of the results (NULL clears it). */
void       mr_lookup_page_set_problem       (MrLookupPage *self,
                                             const char   *message);
void       mr_lookup_page_set_busy          (MrLookupPage *self,
                                             gboolean      busy);
/* Forgets the query, the results and the presence box (before the next patient). */
void       mr_lookup_page_clear             (MrLookupPage *self);
gboolean   mr_lookup_page_get_patient_present (MrLookupPage *self);
/* For tests: the number of results shown, and choosing the @index-th as a click would. */
guint      mr_lookup_page_get_n_results     (MrLookupPage *self);
void       mr_lookup_page_choose            (MrLookupPage *self,
                                             guint         index);

G_END_DECLS

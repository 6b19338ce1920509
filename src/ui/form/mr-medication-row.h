/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "mr-refill.h"

G_BEGIN_DECLS

/* One medicine of the refill form: name (with the clinic formulary's completion), strength, form,
 * quantity, days' supply, prescriber and last-filled date, and buttons to move it up or down and
 * to remove it. Emits "changed" when a field changes, "move" (-1 up, +1 down) and "remove"
 * when the person asks for it; the form does the moving and removing. */
#define MR_TYPE_MEDICATION_ROW (mr_medication_row_get_type ())
G_DECLARE_FINAL_TYPE (MrMedicationRow, mr_medication_row, MR, MEDICATION_ROW, AdwPreferencesGroup)

GtkWidget    *mr_medication_row_new            (void);
/* Where the row stands: @n from 1 of @total. Sets the title ("Medicine 2"), the fields' and
 * buttons' accessible labels ("Medicine 2, name", "Move medicine 2 up") and which of the buttons
 * may be used. The form calls it again whenever a medicine is added, removed or moved. */
void          mr_medication_row_set_position   (MrMedicationRow *self,
                                                guint            n,
                                                guint            total);
/* The formulary for name completion (borrowed: it must outlive the row, or be unset); NULL: no
 * completion. */
void          mr_medication_row_set_formulary  (MrMedicationRow *self,
                                                MrFormulary     *formulary);
/* TRUE when every field is empty. */
gboolean      mr_medication_row_is_blank       (MrMedicationRow *self);
/* The medicine as typed, each text cleaned (mr_rules_clean), empty text as NULL, a number that
 * is not one as 0. Newly allocated. */
MrMedication *mr_medication_row_dup_medication (MrMedicationRow *self);
/* Checks every field with the rules for the @n-th medicine and marks the ones that fail (the
 * "error" class, the sentence as the row's accessible description and under the section).
 * Empty required fields are marked only once touched or when @show_all. Returns TRUE when
 * nothing fails (whether shown or not). */
gboolean      mr_medication_row_validate       (MrMedicationRow *self,
                                                guint            n,
                                                gboolean         show_all);
/* Puts the keyboard focus in the medicine's name. */
void          mr_medication_row_focus_name     (MrMedicationRow *self);
/* Shows the completion popover's entries for the current name (the test's view of it). */
guint         mr_medication_row_get_n_suggestions (MrMedicationRow *self);

G_END_DECLS

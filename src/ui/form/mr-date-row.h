/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* An entry row for a date written YYYY-MM-DD, with a calendar in a popover behind a suffix
 * button: typing and picking give the same text. */
#define MR_TYPE_DATE_ROW (mr_date_row_get_type ())
G_DECLARE_FINAL_TYPE (MrDateRow, mr_date_row, MR, DATE_ROW, AdwEntryRow)

GtkWidget *mr_date_row_new            (void);
/* The button that opens the calendar (owned by the row), for tests and focus handling. */
GtkWidget *mr_date_row_get_button     (MrDateRow *self);
/* Whether the text may be changed (typing and the calendar); a read-only row still shows and
 * reads out its date. */
void       mr_date_row_set_editable   (MrDateRow *self,
                                       gboolean   editable);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-date-row.h"

#include <glib/gi18n.h>

#include "mr-refill.h"

struct _MrDateRow {
  AdwEntryRow  parent_instance;

  GtkWidget   *button;
  GtkWidget   *popover;
  GtkCalendar *calendar;
  gboolean     picking;
};

G_DEFINE_FINAL_TYPE (MrDateRow, mr_date_row, ADW_TYPE_ENTRY_ROW)

static void
update_button_label (MrDateRow *self)
{
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self));
  g_autofree char *label = g_strdup_printf (_("%s: choose from a calendar"),
                                            title ? title : _("Date"));

  gtk_widget_set_tooltip_text (self->button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
}

/* Opens on the date the row holds, or on today. */
static void
popover_show_cb (MrDateRow *self)
{
  GDate date;
  g_autoptr(GDateTime) when = NULL;

  if (mr_rules_parse_date (gtk_editable_get_text (GTK_EDITABLE (self)), &date))
    when = g_date_time_new_utc (g_date_get_year (&date), g_date_get_month (&date),
                                g_date_get_day (&date), 12, 0, 0);
  else
    when = g_date_time_new_now_local ();
  self->picking = TRUE;
  gtk_calendar_select_day (self->calendar, when);
  self->picking = FALSE;
}

static void
day_selected_cb (MrDateRow *self)
{
  g_autoptr(GDateTime) when = gtk_calendar_get_date (self->calendar);
  g_autofree char *text = NULL;

  if (self->picking)
    return;
  text = g_date_time_format (when, "%Y-%m-%d");
  gtk_editable_set_text (GTK_EDITABLE (self), text);
}

/* Enter or a double click picks the day and closes the calendar; arrow keys only move. */
static gboolean
calendar_key_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 MrDateRow             *self)
{
  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_space)
    return FALSE;
  day_selected_cb (self);
  gtk_popover_popdown (GTK_POPOVER (self->popover));
  return TRUE;
}

void
mr_date_row_set_editable (MrDateRow *self,
                          gboolean   editable)
{
  g_return_if_fail (MR_IS_DATE_ROW (self));

  gtk_editable_set_editable (GTK_EDITABLE (self), editable);
  gtk_widget_set_visible (self->button, editable);
}

GtkWidget *
mr_date_row_get_button (MrDateRow *self)
{
  g_return_val_if_fail (MR_IS_DATE_ROW (self), NULL);

  return self->button;
}

static void
mr_date_row_class_init (MrDateRowClass *klass)
{
}

static void
mr_date_row_init (MrDateRow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->calendar = GTK_CALENDAR (gtk_calendar_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->calendar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Calendar"), -1);
  self->popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (self->popover), GTK_WIDGET (self->calendar));
  self->button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->button), "x-office-calendar-symbolic");
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->button), self->popover);
  gtk_widget_set_valign (self->button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->button, "flat");
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (self), self->button);
  adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (self), GTK_INPUT_PURPOSE_DIGITS);

  g_signal_connect_swapped (self->popover, "show", G_CALLBACK (popover_show_cb), self);
  g_signal_connect_swapped (self->calendar, "day-selected", G_CALLBACK (day_selected_cb), self);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (calendar_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->calendar), keys);
  g_signal_connect (self, "notify::title", G_CALLBACK (update_button_label), NULL);
  update_button_label (self);
}

GtkWidget *
mr_date_row_new (void)
{
  return g_object_new (MR_TYPE_DATE_ROW, NULL);
}

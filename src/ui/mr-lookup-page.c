/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-lookup-page.h"

#include <adwaita.h>
#include <glib/gi18n.h>

struct _MrLookupPage {
  GtkWidget       parent_instance;

  AdwComboRow    *kind_row;
  AdwEntryRow    *query_row;
  GtkListBox     *results;
  GtkLabel       *status;
  GtkCheckButton *present;
  GtkSpinner     *spinner;
  GPtrArray      *patients;   /* of MrPatient, what the rows show */
};

G_DEFINE_FINAL_TYPE (MrLookupPage, mr_lookup_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_SEARCH,
  SIGNAL_PATIENT_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
search_cb (MrLookupPage *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->query_row));

  g_signal_emit (self, signals[SIGNAL_SEARCH], 0, (int) adw_combo_row_get_selected (self->kind_row),
                 query);
}

static void
row_activated_cb (GtkListBox    *box,
                  GtkListBoxRow *row,
                  MrLookupPage  *self)
{
  int index = gtk_list_box_row_get_index (row);

  if (index >= 0 && (guint) index < self->patients->len)
    g_signal_emit (self, signals[SIGNAL_PATIENT_CHOSEN], 0,
                   g_ptr_array_index (self->patients, index));
}

static char *
describe (const MrPatient *patient)
{
  g_autoptr(GStrvBuilder) parts = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  if (patient->hospital_number)
    g_strv_builder_add (parts, patient->hospital_number);
  if (patient->date_of_birth)
    {
      g_autofree char *born = g_strdup_printf (_("born %s"), patient->date_of_birth);

      g_strv_builder_add (parts, born);
    }
  if (patient->mail)
    g_strv_builder_add (parts, patient->mail);
  strv = g_strv_builder_end (parts);
  return g_strjoinv (" · ", strv);
}

static void
clear_rows (MrLookupPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results))) != NULL)
    gtk_list_box_remove (self->results, child);
  g_ptr_array_set_size (self->patients, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->results), FALSE);
}

void
mr_lookup_page_set_results (MrLookupPage *self,
                            GPtrArray    *patients,
                            gboolean      truncated)
{
  g_return_if_fail (MR_IS_LOOKUP_PAGE (self));

  clear_rows (self);
  for (guint i = 0; patients != NULL && i < patients->len; i++)
    {
      const MrPatient *patient = g_ptr_array_index (patients, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = describe (patient);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     patient->display_name ? patient->display_name : _("(no name)"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_append (self->results, row);
      g_ptr_array_add (self->patients, mr_patient_copy (patient));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->results), self->patients->len > 0);
  if (self->patients->len == 0)
    mr_lookup_page_set_problem (self, _("No patient found. Check the spelling, or search another way."));
  else if (truncated)
    mr_lookup_page_set_problem (self, _("More patients match: type more to narrow the search."));
  else
    mr_lookup_page_set_problem (self, NULL);
}

void
mr_lookup_page_set_problem (MrLookupPage *self,
                            const char   *message)
{
  g_return_if_fail (MR_IS_LOOKUP_PAGE (self));

  gtk_label_set_text (self->status, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status), message != NULL);
}

void
mr_lookup_page_set_busy (MrLookupPage *self,
                         gboolean      busy)
{
  g_return_if_fail (MR_IS_LOOKUP_PAGE (self));

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
}

void
mr_lookup_page_clear (MrLookupPage *self)
{
  g_return_if_fail (MR_IS_LOOKUP_PAGE (self));

  clear_rows (self);
  gtk_editable_set_text (GTK_EDITABLE (self->query_row), "");
  gtk_check_button_set_active (self->present, FALSE);
  mr_lookup_page_set_problem (self, NULL);
  mr_lookup_page_set_busy (self, FALSE);
}

gboolean
mr_lookup_page_get_patient_present (MrLookupPage *self)
{
  g_return_val_if_fail (MR_IS_LOOKUP_PAGE (self), FALSE);

  return gtk_check_button_get_active (self->present);
}

guint
mr_lookup_page_get_n_results (MrLookupPage *self)
{
  g_return_val_if_fail (MR_IS_LOOKUP_PAGE (self), 0);

  return self->patients->len;
}

void
mr_lookup_page_choose (MrLookupPage *self,
                       guint         index)
{
  GtkListBoxRow *row;

  g_return_if_fail (MR_IS_LOOKUP_PAGE (self));

  row = gtk_list_box_get_row_at_index (self->results, index);
  g_return_if_fail (row != NULL);
  g_signal_emit_by_name (self->results, "row-activated", row);
}

static void
build (MrLookupPage *self)
{
  static const char *kinds[] = { N_("Hospital number"), N_("Email"), N_("Name"), NULL };
  const char *labels[G_N_ELEMENTS (kinds)] = { NULL };
  g_autoptr(GtkStringList) model = NULL;
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Search"));

  for (guint i = 0; kinds[i] != NULL; i++)
    labels[i] = _(kinds[i]);
  model = gtk_string_list_new (labels);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Find a Patient"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Search the clinic's directory, then choose the patient to fill in their request."));
  self->kind_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->kind_row), _("Search by"));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (model));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->kind_row));
  self->query_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  gtk_widget_set_name (GTK_WIDGET (self->query_row), "lookup-query");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->query_row), _("Hospital number, email or name"));
  adw_entry_row_set_activates_default (self->query_row, FALSE);
  g_signal_connect_swapped (self->query_row, "entry-activated", G_CALLBACK (search_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->query_row));
  gtk_box_append (GTK_BOX (box), group);

  gtk_widget_set_halign (button, GTK_ALIGN_END);
  gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (search_cb), self);
  gtk_box_append (GTK_BOX (box), button);

  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->spinner));
  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_xalign (self->status, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->status), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status));

  self->results = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->results), "boxed-list");
  gtk_list_box_set_selection_mode (self->results, GTK_SELECTION_NONE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->results), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Patients found"), -1);
  g_signal_connect (self->results, "row-activated", G_CALLBACK (row_activated_cb), self);
  gtk_widget_set_visible (GTK_WIDGET (self->results), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->results));

  self->present = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("The patient is _here with me")));
  gtk_widget_set_name (GTK_WIDGET (self->present), "patient-present");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->present));

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  gtk_widget_set_parent (clamp, GTK_WIDGET (self));
}

static void
mr_lookup_page_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (mr_lookup_page_parent_class)->dispose (object);
}

static void
mr_lookup_page_finalize (GObject *object)
{
  g_ptr_array_unref (MR_LOOKUP_PAGE (object)->patients);
  G_OBJECT_CLASS (mr_lookup_page_parent_class)->finalize (object);
}

static void
mr_lookup_page_class_init (MrLookupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_lookup_page_dispose;
  object_class->finalize = mr_lookup_page_finalize;
  /* ::search (kind: MrLookupKind, query) */
  signals[SIGNAL_SEARCH] = g_signal_new ("search", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  /* ::patient-chosen (MrPatient *, borrowed) */
  signals[SIGNAL_PATIENT_CHOSEN] = g_signal_new ("patient-chosen", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 1, G_TYPE_POINTER);
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
mr_lookup_page_init (MrLookupPage *self)
{
  self->patients = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_patient_free);
  build (self);
}

GtkWidget *
mr_lookup_page_new (void)
{
  return g_object_new (MR_TYPE_LOOKUP_PAGE, NULL);
}

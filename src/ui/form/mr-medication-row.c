/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-medication-row.h"

#include <glib/gi18n.h>

#include "mr-date-row.h"
#include "mr-refill.h"

#define MAX_SUGGESTIONS 8

enum {
  F_NAME,
  F_STRENGTH,
  F_FORM,
  F_QUANTITY,
  F_DAYS_SUPPLY,
  F_PRESCRIBER,
  F_LAST_FILLED,
  N_FIELDS
};

static const struct {
  const char *id;
  MrField     field;
} fields[N_FIELDS] = {
  { "name_row",        MR_FIELD_MEDICATION_NAME },
  { "strength_row",    MR_FIELD_MEDICATION_STRENGTH },
  { "form_row",        MR_FIELD_MEDICATION_FORM },
  { "quantity_row",    MR_FIELD_MEDICATION_QUANTITY },
  { "days_supply_row", MR_FIELD_MEDICATION_DAYS_SUPPLY },
  { "prescriber_row",  MR_FIELD_MEDICATION_PRESCRIBER },
  { "last_filled_row", MR_FIELD_MEDICATION_LAST_FILLED },
};

struct _MrMedicationRow {
  AdwPreferencesGroup  parent_instance;

  GtkWidget           *rows[N_FIELDS];
  GtkWidget           *up_button;
  GtkWidget           *down_button;
  GtkWidget           *remove_button;
  GtkWidget           *form_button;
  GtkLabel            *problem_label;

  GtkWidget           *popover;       /* name completion, parented to the name row */
  GtkListBox          *suggestions;
  GPtrArray           *matches;       /* of MrFormularyEntry, owned by the formulary */
  MrFormulary         *formulary;     /* borrowed */
  guint                touched;       /* bit per field: changed since the row was made */
  gboolean             completing;
};

G_DEFINE_FINAL_TYPE (MrMedicationRow, mr_medication_row, ADW_TYPE_PREFERENCES_GROUP)

enum {
  SIGNAL_CHANGED,
  SIGNAL_MOVE,
  SIGNAL_REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
field_text (MrMedicationRow *self,
            guint            i)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->rows[i]));
}

static char *
dup_clean (MrMedicationRow *self,
           guint            i)
{
  g_autofree char *clean = mr_rules_clean (fields[i].field, field_text (self, i));

  return (clean != NULL && clean[0] != '\0') ? g_steal_pointer (&clean) : NULL;
}

static guint
parse_count (const char *text)
{
  g_autofree char *clean = g_strstrip (g_strdup (text));
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (clean, 10, 0, G_MAXUINT, &value, NULL))
    return 0;
  return (guint) value;
}

MrMedication *
mr_medication_row_dup_medication (MrMedicationRow *self)
{
  g_autofree char *name = NULL, *strength = NULL;
  MrMedication *medication;

  g_return_val_if_fail (MR_IS_MEDICATION_ROW (self), NULL);

  name = dup_clean (self, F_NAME);
  strength = dup_clean (self, F_STRENGTH);
  medication = mr_medication_new (name, strength, parse_count (field_text (self, F_QUANTITY)));
  medication->form = dup_clean (self, F_FORM);
  medication->days_supply = parse_count (field_text (self, F_DAYS_SUPPLY));
  medication->prescriber = dup_clean (self, F_PRESCRIBER);
  medication->last_filled = dup_clean (self, F_LAST_FILLED);
  return medication;
}

gboolean
mr_medication_row_is_blank (MrMedicationRow *self)
{
  g_return_val_if_fail (MR_IS_MEDICATION_ROW (self), TRUE);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *clean = dup_clean (self, i);

      if (clean != NULL)
        return FALSE;
    }
  return TRUE;
}

static void
mark_row (GtkWidget  *row,
          const char *message)
{
  if (message != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      message, -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

gboolean
mr_medication_row_validate (MrMedicationRow *self,
                            guint            n,
                            gboolean         show_all)
{
  g_autoptr(GString) shown = g_string_new (NULL);
  g_autoptr(MrMedication) medication = NULL;
  g_autoptr(GError) error = NULL;
  gboolean valid = TRUE;

  g_return_val_if_fail (MR_IS_MEDICATION_ROW (self), FALSE);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *message = NULL;
      gboolean show = show_all || (self->touched & (1u << i)) || field_text (self, i)[0] != '\0';

      if (mr_rules_check_medication_field (fields[i].field, field_text (self, i), n, &message))
        g_clear_pointer (&message, g_free);
      valid = valid && message == NULL;
      mark_row (self->rows[i], show ? message : NULL);
      if (show && message != NULL)
        g_string_append_printf (shown, "%s%s", shown->len ? "\n" : "", message);
    }
  /* What joins fields (a quantity or a days' supply), once the fields themselves are right. */
  medication = mr_medication_row_dup_medication (self);
  if (valid && !mr_medication_validate (medication, n, &error))
    {
      valid = FALSE;
      if (show_all || (self->touched & (1u << F_QUANTITY | 1u << F_DAYS_SUPPLY)))
        g_string_append (shown, error->message);
    }
  gtk_label_set_text (self->problem_label, shown->str);
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), shown->len > 0);
  return valid;
}

/* A screen reader announces each field by its accessible name alone: "Name" a few fields after
 * "Given name" does not say whose name it is, so each field is named for its medicine (its
 * visible title stays short, under the section's "Medicine N"). Formats take the number. */
static const char *const field_names[N_FIELDS] = {
  /* Translators: the accessible name of the first medicine's name field is "Medicine 1, name" */
  N_("Medicine %u, name"),
  N_("Medicine %u, strength (for example 500 mg)"),
  N_("Medicine %u, form (tablet, capsule, …)"),
  N_("Medicine %u, quantity"),
  N_("Medicine %u, days' supply"),
  N_("Medicine %u, prescriber (optional)"),
  N_("Medicine %u, last filled (YYYY-MM-DD, optional)"),
};

static void
name_fields (MrMedicationRow *self,
             guint            n)
{
  g_autofree char *form = g_strdup_printf (_("Medicine %u: choose the form from a list"), n);
  g_autofree char *calendar = NULL;
  GtkWidget *calendar_button = mr_date_row_get_button (MR_DATE_ROW (self->rows[F_LAST_FILLED]));

  calendar = g_strdup_printf (_("Medicine %u, last filled: choose from a calendar"), n);
  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *name = g_strdup_printf (_(field_names[i]), n);

      /* The row is also labelled by its title, which GTK 4.8 would read after the name. */
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->rows[i]),
                                     GTK_ACCESSIBLE_RELATION_LABELLED_BY);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->rows[i]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->form_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, form, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (calendar_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, calendar, -1);
}

void
mr_medication_row_set_position (MrMedicationRow *self,
                                guint            n,
                                guint            total)
{
  g_autofree char *title = g_strdup_printf (_("Medicine %u"), n);
  g_autofree char *up = g_strdup_printf (_("Move medicine %u up"), n);
  g_autofree char *down = g_strdup_printf (_("Move medicine %u down"), n);
  g_autofree char *remove = g_strdup_printf (_("Remove medicine %u"), n);
  const struct { GtkWidget *button; const char *label; } buttons[] = {
    { self->up_button, up }, { self->down_button, down }, { self->remove_button, remove },
  };

  g_return_if_fail (MR_IS_MEDICATION_ROW (self));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), title);
  name_fields (self, n);
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      gtk_widget_set_tooltip_text (buttons[i].button, buttons[i].label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (buttons[i].button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, buttons[i].label, -1);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "medication.move-up", n > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "medication.move-down", n < total);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "medication.remove", total > 1);
}

/* Completion */

static gboolean
contains_focus (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
accept_suggestion (MrMedicationRow  *self,
                   MrFormularyEntry *entry)
{
  self->completing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->rows[F_NAME]), entry->name);
  gtk_editable_set_position (GTK_EDITABLE (self->rows[F_NAME]), -1);
  if (entry->form != NULL && field_text (self, F_FORM)[0] == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->rows[F_FORM]), entry->form);
  if (entry->strengths != NULL && g_strv_length (entry->strengths) == 1
      && field_text (self, F_STRENGTH)[0] == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->rows[F_STRENGTH]), entry->strengths[0]);
  self->completing = FALSE;
  gtk_popover_popdown (GTK_POPOVER (self->popover));
}

static GtkWidget *
suggestion_row (MrFormularyEntry *entry)
{
  g_autofree char *strengths = entry->strengths ? g_strjoinv (", ", entry->strengths) : NULL;
  g_autoptr(GString) text = g_string_new (entry->name);
  GtkWidget *label, *row;

  if (strengths != NULL && strengths[0] != '\0')
    g_string_append_printf (text, " — %s", strengths);
  if (entry->form != NULL)
    g_string_append_printf (text, " (%s)", entry->form);
  label = gtk_label_new (text->str);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, text->str,
                                  -1);
  return row;
}

static void
update_suggestions (MrMedicationRow *self)
{
  const char *text = field_text (self, F_NAME);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->suggestions))) != NULL)
    gtk_list_box_remove (self->suggestions, child);
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  if (self->formulary != NULL && !self->completing && contains_focus (self->rows[F_NAME]))
    self->matches = mr_formulary_complete (self->formulary, text, MAX_SUGGESTIONS);
  /* Nothing to offer when the name is already exactly the only match. */
  if (self->matches != NULL && self->matches->len == 1
      && g_utf8_collate (((MrFormularyEntry *) self->matches->pdata[0])->name, text) == 0)
    g_clear_pointer (&self->matches, g_ptr_array_unref);
  if (self->matches == NULL || self->matches->len == 0)
    {
      gtk_popover_popdown (GTK_POPOVER (self->popover));
      return;
    }
  for (guint i = 0; i < self->matches->len; i++)
    gtk_list_box_append (self->suggestions, suggestion_row (self->matches->pdata[i]));
  gtk_popover_popup (GTK_POPOVER (self->popover));
}

void
mr_medication_row_focus_name (MrMedicationRow *self)
{
  g_return_if_fail (MR_IS_MEDICATION_ROW (self));

  gtk_widget_grab_focus (self->rows[F_NAME]);
}

guint
mr_medication_row_get_n_suggestions (MrMedicationRow *self)
{
  g_return_val_if_fail (MR_IS_MEDICATION_ROW (self), 0);

  if (self->matches == NULL || !gtk_widget_get_visible (self->popover))
    return 0;
  return self->matches->len;
}

static void
suggestion_activated_cb (MrMedicationRow *self,
                         GtkListBoxRow   *row)
{
  guint i = (guint) gtk_list_box_row_get_index (row);

  if (self->matches != NULL && i < self->matches->len)
    accept_suggestion (self, self->matches->pdata[i]);
}

/* The name keeps the focus while the list is open: Down and Up move through the suggestions,
 * Enter takes the selected one, Escape closes the list. */
static gboolean
name_key_cb (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             MrMedicationRow       *self)
{
  GtkListBoxRow *selected;
  int index;

  if (!gtk_widget_get_visible (self->popover) || self->matches == NULL)
    return FALSE;
  selected = gtk_list_box_get_selected_row (self->suggestions);
  index = selected ? gtk_list_box_row_get_index (selected) : -1;
  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      index = MIN (index + 1, (int) self->matches->len - 1);
      break;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      index = MAX (index - 1, 0);
      break;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
      if (selected == NULL)
        return FALSE;
      accept_suggestion (self, self->matches->pdata[index]);
      return TRUE;
    case GDK_KEY_Escape:
      gtk_popover_popdown (GTK_POPOVER (self->popover));
      return TRUE;
    default:
      return FALSE;
    }
  gtk_list_box_select_row (self->suggestions, gtk_list_box_get_row_at_index (self->suggestions,
                                                                             index));
  return TRUE;
}

void
mr_medication_row_set_formulary (MrMedicationRow *self,
                                 MrFormulary     *formulary)
{
  g_return_if_fail (MR_IS_MEDICATION_ROW (self));

  self->formulary = formulary;
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  gtk_popover_popdown (GTK_POPOVER (self->popover));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->rows[F_NAME]),
                                  GTK_ACCESSIBLE_PROPERTY_AUTOCOMPLETE,
                                  formulary ? GTK_ACCESSIBLE_AUTOCOMPLETE_LIST
                                            : GTK_ACCESSIBLE_AUTOCOMPLETE_NONE, -1);
}

static void
field_changed_cb (GtkEditable     *editable,
                  MrMedicationRow *self)
{
  for (guint i = 0; i < N_FIELDS; i++)
    if (self->rows[i] == GTK_WIDGET (editable))
      self->touched |= 1u << i;
  if (GTK_WIDGET (editable) == self->rows[F_NAME])
    update_suggestions (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MrMedicationRow *self = MR_MEDICATION_ROW (widget);
  gboolean up = g_str_equal (action_name, "medication.move-up");
  GtkWidget *button = up ? self->up_button : self->down_button;
  gboolean had_focus = gtk_widget_has_focus (button);

  g_signal_emit (self, signals[SIGNAL_MOVE], 0, up ? -1 : 1);
  /* At the top (or bottom) the pressed button goes off: keep the keyboard in the row. */
  if (had_focus && !gtk_widget_is_sensitive (button))
    gtk_widget_grab_focus (up ? self->down_button : self->up_button);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_REMOVE], 0);
}

static void
set_form_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MrMedicationRow *self = MR_MEDICATION_ROW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->rows[F_FORM]), g_variant_get_string (parameter, NULL));
}

static GMenuModel *
forms_menu (void)
{
  const char * const *forms = mr_rules_medication_forms ();
  GMenu *menu = g_menu_new ();

  /* The forms as the payload spells them; shown translated. */
  for (guint i = 0; forms[i] != NULL; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(forms[i]), NULL);

      g_menu_item_set_action_and_target (item, "medication.set-form", "s", forms[i]);
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

static void
mr_medication_row_dispose (GObject *object)
{
  MrMedicationRow *self = MR_MEDICATION_ROW (object);

  g_clear_pointer (&self->popover, gtk_widget_unparent);
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_MEDICATION_ROW);
  G_OBJECT_CLASS (mr_medication_row_parent_class)->dispose (object);
}

static void
mr_medication_row_class_init (MrMedicationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_medication_row_dispose;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MOVE] = g_signal_new ("move", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  signals[SIGNAL_REMOVE] = g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (MR_TYPE_DATE_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/medrefill/MedRefill/mr-medication-row.ui");
  for (guint i = 0; i < N_FIELDS; i++)
    gtk_widget_class_bind_template_child_full (widget_class, fields[i].id, FALSE,
                                               G_STRUCT_OFFSET (MrMedicationRow, rows)
                                               + i * sizeof (GtkWidget *));
  gtk_widget_class_bind_template_child (widget_class, MrMedicationRow, up_button);
  gtk_widget_class_bind_template_child (widget_class, MrMedicationRow, down_button);
  gtk_widget_class_bind_template_child (widget_class, MrMedicationRow, remove_button);
  gtk_widget_class_bind_template_child (widget_class, MrMedicationRow, form_button);
  gtk_widget_class_bind_template_child_full (widget_class, "medication_problem", FALSE, G_STRUCT_OFFSET (MrMedicationRow, problem_label));
  gtk_widget_class_install_action (widget_class, "medication.move-up", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "medication.move-down", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "medication.remove", NULL, remove_action);
  gtk_widget_class_install_action (widget_class, "medication.set-form", "s", set_form_action);
}

static void
setup_completion (MrMedicationRow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->suggestions = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_activate_on_single_click (self->suggestions, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->suggestions),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Medicines in the clinic's list"),
                                  -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->suggestions));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  self->popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (self->popover), scroller);
  gtk_popover_set_autohide (GTK_POPOVER (self->popover), FALSE);
  gtk_widget_set_can_focus (self->popover, FALSE);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_popover_set_position (GTK_POPOVER (self->popover), GTK_POS_BOTTOM);
  gtk_widget_set_parent (self->popover, self->rows[F_NAME]);
  g_signal_connect_swapped (self->suggestions, "row-activated",
                            G_CALLBACK (suggestion_activated_cb), self);
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (name_key_cb), self);
  gtk_widget_add_controller (self->rows[F_NAME], keys);
}

/* The list goes when the name loses the keyboard (it never takes the focus itself). */
static void
name_focus_cb (MrMedicationRow *self)
{
  if (gtk_widget_get_visible (self->popover))
    gtk_popover_popdown (GTK_POPOVER (self->popover));
}

static void
mr_medication_row_init (MrMedicationRow *self)
{
  g_autoptr(GMenuModel) menu = forms_menu ();
  GtkEventController *focus;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->form_button), menu);
  setup_completion (self);
  for (guint i = 0; i < N_FIELDS; i++)
    g_signal_connect (self->rows[i], "changed", G_CALLBACK (field_changed_cb), self);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (name_focus_cb), self);
  gtk_widget_add_controller (self->rows[F_NAME], focus);
  mr_medication_row_set_position (self, 1, 1);
}

GtkWidget *
mr_medication_row_new (void)
{
  return g_object_new (MR_TYPE_MEDICATION_ROW, NULL);
}

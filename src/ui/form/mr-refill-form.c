/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-refill-form.h"

#include <glib/gi18n.h>

#include "mr-date-row.h"
#include "mr-base.h"
#include "mr-refill.h"
#include "mr-medication-row.h"
#include "mr-refill-form-private.h"
#include "mr-review.h"

G_DEFINE_FINAL_TYPE (MrRefillForm, mr_refill_form, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_VALID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_section_problem (GtkLabel   *label,
                      const char *message)
{
  gtk_label_set_text (label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static gboolean
validate_fulfilment (MrRefillForm *self)
{
  g_autofree char *message = NULL, *address = NULL;
  gboolean delivery = mr_refill_form_is_delivery (self);
  gboolean ok;

  address = mr_refill_form_text_view_text (self->delivery_address);
  if (delivery)
    ok = mr_rules_check_field (MR_FIELD_DELIVERY_ADDRESS, address, &message);
  else
    ok = mr_rules_check_pickup_location (mr_refill_form_pickup_text (self),
                                         (const char * const *) self->pickup_locations, &message);
  mr_refill_form_mark_row (delivery ? GTK_WIDGET (self->delivery_address) : self->pickup_location,
                           message, NULL);
  mr_refill_form_mark_row (delivery ? self->pickup_location : GTK_WIDGET (self->delivery_address),
                           NULL, NULL);
  show_section_problem (self->fulfilment_problem, message);
  return ok;
}

static gboolean
validate_notes (MrRefillForm *self)
{
  g_autofree char *notes = mr_refill_form_text_view_text (self->notes);
  g_autofree char *message = NULL, *count = NULL;
  glong length = mr_rules_length (MR_FIELD_NOTES, notes);
  gboolean ok = mr_rules_check_field (MR_FIELD_NOTES, notes, &message);

  count = g_strdup_printf (_("%ld of %d characters"), length, MR_RULES_NOTES_MAX_CHARS);
  gtk_label_set_text (self->notes_count, count);
  if (length > MR_RULES_NOTES_MAX_CHARS)
    gtk_widget_add_css_class (GTK_WIDGET (self->notes_count), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->notes_count), "error");
  mr_refill_form_mark_row (GTK_WIDGET (self->notes), message, NULL);
  show_section_problem (self->notes_problem, message);
  return ok;
}

static void
set_valid (MrRefillForm *self,
           gboolean      valid)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "form.review", valid);
  if (valid == self->valid)
    return;
  self->valid = valid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
}

/* Every field checked as the person types; the Review button waits for the whole request. */
static void
revalidate (MrRefillForm *self)
{
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  gboolean fields_ok = TRUE;

  if (self->patient == NULL)
    return;
  fields_ok &= mr_refill_form_patient_validate (self);
  for (guint i = 0; i < self->lines->len; i++)
    fields_ok &= mr_medication_row_validate (g_ptr_array_index (self->lines, i), i + 1,
                                             self->show_all);
  fields_ok &= validate_fulfilment (self);
  fields_ok &= validate_notes (self);
  request = mr_refill_form_build_request (self, self->mode);
  if (!mr_refill_request_validate (request, &error))
    mr_refill_form_set_problem (self, error->message);
  else if (!fields_ok)
    mr_refill_form_set_problem (self, _("Correct the details marked in red."));
  else
    mr_refill_form_set_problem (self, NULL);
  set_valid (self, fields_ok && error == NULL);
}

void
mr_refill_form_changed (MrRefillForm *self)
{
  if (!self->filling)
    revalidate (self);
}

static void
renumber_lines (MrRefillForm *self)
{
  for (guint i = 0; i < self->lines->len; i++)
    mr_medication_row_set_position (g_ptr_array_index (self->lines, i), i + 1, self->lines->len);
}

static void
line_remove_cb (MrMedicationRow *line,
                MrRefillForm    *self)
{
  guint index;

  if (self->lines->len < 2 || !g_ptr_array_find (self->lines, line, &index))
    return;
  g_ptr_array_remove_index (self->lines, index);
  gtk_box_remove (self->medications_box, GTK_WIDGET (line));
  renumber_lines (self);
  /* The keyboard goes on where the removed medicine was. */
  mr_medication_row_focus_name (g_ptr_array_index (self->lines, MIN (index, self->lines->len - 1)));
  revalidate (self);
}

static void
line_move_cb (MrMedicationRow *line,
              int              delta,
              MrRefillForm    *self)
{
  guint from, to;
  GtkWidget *after;

  if (!g_ptr_array_find (self->lines, line, &from) || (delta < 0 && from == 0)
      || (delta > 0 && from + 1 >= self->lines->len))
    return;
  to = from + delta;
  g_ptr_array_steal_index (self->lines, from);
  g_ptr_array_insert (self->lines, to, line);
  after = to == 0 ? NULL : g_ptr_array_index (self->lines, to - 1);
  gtk_box_reorder_child_after (self->medications_box, GTK_WIDGET (line), after);
  renumber_lines (self);
  revalidate (self);
}

void
mr_refill_form_add_medication (MrRefillForm *self)
{
  GtkWidget *line;

  g_return_if_fail (MR_IS_REFILL_FORM (self));

  line = mr_medication_row_new ();
  mr_medication_row_set_formulary (MR_MEDICATION_ROW (line), self->formulary);
  g_signal_connect_swapped (line, "changed", G_CALLBACK (mr_refill_form_changed), self);
  g_signal_connect (line, "remove", G_CALLBACK (line_remove_cb), self);
  g_signal_connect (line, "move", G_CALLBACK (line_move_cb), self);
  gtk_box_append (self->medications_box, line);
  g_ptr_array_add (self->lines, line);
  renumber_lines (self);
  revalidate (self);
}

static void
clear_lines (MrRefillForm *self)
{
  while (self->lines->len > 0)
    {
      GtkWidget *line = g_ptr_array_steal_index (self->lines, self->lines->len - 1);

      gtk_box_remove (self->medications_box, line);
    }
}

static char *
profile_address (const MrPatient *patient)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *town = NULL;

  if (patient->street_address != NULL)
    g_ptr_array_add (lines, g_strdup (patient->street_address));
  town = g_strjoin (" ", patient->postal_code ? patient->postal_code : "",
                    patient->city ? patient->city : "", NULL);
  if (g_strstrip (town)[0] != '\0')
    g_ptr_array_add (lines, g_steal_pointer (&town));
  if (patient->state != NULL)
    g_ptr_array_add (lines, g_strdup (patient->state));
  if (patient->country != NULL)
    g_ptr_array_add (lines, g_strdup (patient->country));
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

void
mr_refill_form_set_patient (MrRefillForm    *self,
                            const MrPatient *patient)
{
  g_autofree char *address = NULL;
  GtkAdjustment *adjustment;

  g_return_if_fail (MR_IS_REFILL_FORM (self));
  g_return_if_fail (patient != NULL);

  mr_refill_form_clear (self);
  self->patient = mr_patient_copy (patient);
  self->request_id = mr_request_id_new ();
  self->created_at = g_date_time_new_now_utc ();
  self->filling = TRUE;
  mr_refill_form_patient_fill (self, self->patient);
  address = profile_address (patient);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->delivery_address), address, -1);
  self->filling = FALSE;
  mr_refill_form_add_medication (self);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller));
  gtk_adjustment_set_value (adjustment, 0);
  revalidate (self);
}

void
mr_refill_form_set_pickup_locations (MrRefillForm       *self,
                                     const char * const *locations)
{
  gboolean choices;

  g_return_if_fail (MR_IS_REFILL_FORM (self));

  g_strfreev (self->pickup_locations);
  choices = locations != NULL && locations[0] != NULL;
  self->pickup_locations = choices ? g_strdupv ((char **) locations) : NULL;
  gtk_string_list_splice (self->pickup_choices, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->pickup_choices)),
                          (const char * const *) self->pickup_locations);
  if (!choices)
    gtk_editable_set_text (GTK_EDITABLE (self->pickup_location), _("Clinic pharmacy"));
  gtk_widget_set_visible (GTK_WIDGET (self->pickup_choice), choices && !mr_refill_form_is_delivery (self));
  gtk_widget_set_visible (self->pickup_location, !choices && !mr_refill_form_is_delivery (self));
  revalidate (self);
}

void
mr_refill_form_set_problem (MrRefillForm *self,
                            const char   *message)
{
  g_return_if_fail (MR_IS_REFILL_FORM (self));

  gtk_label_set_text (self->problem_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), message != NULL);
  gtk_label_set_text (self->review_problem, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->review_problem), message != NULL);
  /* The reason Review is off, read out with the button. */
  if (message != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->review_button),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->review_button),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

gboolean
mr_refill_form_get_valid (MrRefillForm *self)
{
  g_return_val_if_fail (MR_IS_REFILL_FORM (self), FALSE);

  return self->valid;
}

void
mr_refill_form_clear (MrRefillForm *self)
{
  g_return_if_fail (MR_IS_REFILL_FORM (self));

  g_clear_pointer (&self->patient, mr_patient_free);
  g_clear_pointer (&self->request_id, g_free);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  self->show_all = FALSE;
  clear_lines (self);
  mr_refill_form_patient_clear (self);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->delivery_address), "", -1);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes), "", -1);
  adw_combo_row_set_selected (self->fulfilment, FULFIL_PICKUP);
  adw_combo_row_set_selected (self->pickup_choice, 0);
  adw_combo_row_set_selected (self->urgency, URGENCY_ROUTINE);
  gtk_spin_button_set_value (self->urgency_days, 7);
  gtk_check_button_set_active (self->consent, FALSE);
  mr_review_set_payload (MR_REVIEW (self->review), NULL);
  gtk_stack_set_visible_child_name (self->stack, "edit");
  mr_refill_form_set_problem (self, NULL);
  set_valid (self, FALSE);
}

void
mr_refill_form_set_mode (MrRefillForm *self,
                         MrMode        mode)
{
  g_return_if_fail (MR_IS_REFILL_FORM (self));

  self->mode = mode;
  mr_refill_form_patient_apply_mode (self);
  revalidate (self);
}

MrMode
mr_refill_form_get_mode (MrRefillForm *self)
{
  g_return_val_if_fail (MR_IS_REFILL_FORM (self), MR_MODE_DESK);

  return self->mode;
}

void
mr_refill_form_set_formulary (MrRefillForm *self,
                              MrFormulary  *formulary)
{
  g_return_if_fail (MR_IS_REFILL_FORM (self));

  self->formulary = formulary;
  for (guint i = 0; i < self->lines->len; i++)
    mr_medication_row_set_formulary (g_ptr_array_index (self->lines, i), formulary);
}

void
mr_refill_form_set_consent_text (MrRefillForm *self,
                                 const char   *text)
{
  const char *shown;

  g_return_if_fail (MR_IS_REFILL_FORM (self));

  shown = (text != NULL && text[0] != '\0')
          ? text : _("I confirm these details are right and ask the clinic to refill these medicines.");
  gtk_label_set_text (self->consent_label, shown);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->consent), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  shown, -1);
}

void
mr_refill_form_set_payload_format (MrRefillForm    *self,
                                   MrPayloadFormat  format)
{
  g_return_if_fail (MR_IS_REFILL_FORM (self));

  self->payload_format = format;
}

const char *
mr_refill_form_get_page (MrRefillForm *self)
{
  g_return_val_if_fail (MR_IS_REFILL_FORM (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

char *
mr_refill_form_dup_review_text (MrRefillForm *self)
{
  g_return_val_if_fail (MR_IS_REFILL_FORM (self), NULL);

  return mr_review_dup_text (MR_REVIEW (self->review));
}

static void
review_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MrRefillForm *self = MR_REFILL_FORM (widget);
  g_autoptr(MrRefillRequest) request = NULL;
  g_autoptr(JsonNode) payload = NULL;
  GtkAdjustment *adjustment;

  self->show_all = TRUE;
  revalidate (self);
  if (!self->valid)
    return;
  /* The very request the window will send: same id, same time, same content. */
  request = mr_refill_form_build_request (self, self->mode);
  payload = self->payload_format == MR_PAYLOAD_FHIR_R4 ? mr_fhir_task_from_request (request)
                                                       : mr_refill_request_to_json (request);
  mr_review_set_payload (MR_REVIEW (self->review), payload);
  gtk_stack_set_visible_child_name (self->stack, "review");
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->review_scroller));
  gtk_adjustment_set_value (adjustment, 0);
  gtk_widget_grab_focus (self->send_button);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MrRefillForm *self = MR_REFILL_FORM (widget);

  gtk_stack_set_visible_child_name (self->stack, "edit");
  gtk_widget_grab_focus (self->review_button);
}

static void
add_medication_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MrRefillForm *self = MR_REFILL_FORM (widget);

  mr_refill_form_add_medication (self);
  /* The keyboard goes to the new medicine's name. */
  mr_medication_row_focus_name (g_ptr_array_index (self->lines, self->lines->len - 1));
}

static void
fulfilment_changed_cb (MrRefillForm *self)
{
  gboolean delivery = mr_refill_form_is_delivery (self);
  gboolean choices = self->pickup_locations != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->pickup_choice), !delivery && choices);
  gtk_widget_set_visible (self->pickup_location, !delivery && !choices);
  gtk_widget_set_visible (self->delivery_address_box, delivery);
  mr_refill_form_changed (self);
}

static void
urgency_changed_cb (MrRefillForm *self)
{
  gtk_widget_set_visible (self->urgency_days_row,
                          adw_combo_row_get_selected (self->urgency) == URGENCY_SOON);
  mr_refill_form_changed (self);
}

static void
mr_refill_form_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MrRefillForm *self = MR_REFILL_FORM (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, self->valid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_refill_form_dispose (GObject *object)
{
  MrRefillForm *self = MR_REFILL_FORM (object);

  g_ptr_array_set_size (self->lines, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_REFILL_FORM);
  G_OBJECT_CLASS (mr_refill_form_parent_class)->dispose (object);
}

static void
mr_refill_form_finalize (GObject *object)
{
  MrRefillForm *self = MR_REFILL_FORM (object);

  g_ptr_array_unref (self->lines);
  g_clear_pointer (&self->patient, mr_patient_free);
  g_free (self->gender_extra);
  g_strfreev (self->pickup_locations);
  g_free (self->request_id);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  G_OBJECT_CLASS (mr_refill_form_parent_class)->finalize (object);
}

#define BIND(name) gtk_widget_class_bind_template_child (widget_class, MrRefillForm, name)

static void
bind_children (GtkWidgetClass *widget_class)
{
  static const char *corrections[MR_N_CUSTOM_ATTRIBUTES] = {
    [MR_CUSTOM_DATE_OF_BIRTH] = "date_of_birth_correction",
    [MR_CUSTOM_HOSPITAL_NUMBER] = "hospital_number_correction",
    [MR_CUSTOM_GENDER] = "gender_correction",
  };

  for (guint i = 0; i < N_PATIENT_FIELDS; i++)
    gtk_widget_class_bind_template_child_full (widget_class, mr_patient_fields[i].id, FALSE,
                                               G_STRUCT_OFFSET (MrRefillForm, patient_rows)
                                               + i * sizeof (GtkWidget *));
  for (guint a = 0; a < MR_N_CUSTOM_ATTRIBUTES; a++)
    gtk_widget_class_bind_template_child_full (widget_class, corrections[a], FALSE,
                                               G_STRUCT_OFFSET (MrRefillForm, correction_rows)
                                               + a * sizeof (GtkWidget *));
  BIND (stack); BIND (scroller); BIND (gender_choices); BIND (gender_display);
  BIND (gender_correction_choices); BIND (patient_problem); BIND (medications_box);
  BIND (fulfilment); BIND (pickup_choice); BIND (pickup_choices); BIND (pickup_location);
  BIND (delivery_address_box); BIND (delivery_address); BIND (fulfilment_problem);
  BIND (urgency); BIND (urgency_days_row); BIND (urgency_days); BIND (notes); BIND (notes_count);
  BIND (notes_problem); BIND (consent); BIND (consent_label);
  BIND (problem_label); BIND (review_button); BIND (review); BIND (review_scroller);
  BIND (review_problem); BIND (send_button); BIND (edit_button);
}

static void
mr_refill_form_class_init (MrRefillFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = mr_refill_form_get_property;
  object_class->dispose = mr_refill_form_dispose;
  object_class->finalize = mr_refill_form_finalize;

  properties[PROP_VALID] = g_param_spec_boolean ("valid", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MR_TYPE_DATE_ROW);
  g_type_ensure (MR_TYPE_REVIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/medrefill/MedRefill/mr-refill-form.ui");
  bind_children (widget_class);
  gtk_widget_class_install_action (widget_class, "form.add-medication", NULL, add_medication_action);
  gtk_widget_class_install_action (widget_class, "form.review", NULL, review_action);
  gtk_widget_class_install_action (widget_class, "form.edit", NULL, edit_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
mr_refill_form_init (MrRefillForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->lines = g_ptr_array_new ();
  self->mode = MR_MODE_DESK;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Refill request"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->urgency_days),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Days until it runs out"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->delivery_address),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Delivery address"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->notes), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Notes for the pharmacy (optional)"), -1);
  mr_refill_form_patient_init (self);
  g_signal_connect_swapped (self->fulfilment, "notify::selected",
                            G_CALLBACK (fulfilment_changed_cb), self);
  g_signal_connect_swapped (self->urgency, "notify::selected", G_CALLBACK (urgency_changed_cb),
                            self);
  g_signal_connect_swapped (self->pickup_choice, "notify::selected",
                            G_CALLBACK (mr_refill_form_changed), self);
  g_signal_connect_swapped (self->pickup_location, "changed", G_CALLBACK (mr_refill_form_changed),
                            self);
  g_signal_connect_swapped (self->urgency_days, "value-changed",
                            G_CALLBACK (mr_refill_form_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->delivery_address), "changed",
                            G_CALLBACK (mr_refill_form_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->notes), "changed",
                            G_CALLBACK (mr_refill_form_changed), self);
  g_signal_connect_swapped (self->consent, "toggled", G_CALLBACK (mr_refill_form_changed), self);
  mr_refill_form_set_consent_text (self, NULL);
  mr_refill_form_set_pickup_locations (self, NULL);
  fulfilment_changed_cb (self);
  mr_refill_form_set_mode (self, MR_MODE_DESK);
  set_valid (self, FALSE);
  mr_refill_form_set_problem (self, NULL);
}

GtkWidget *
mr_refill_form_new (void)
{
  return g_object_new (MR_TYPE_REFILL_FORM, NULL);
}

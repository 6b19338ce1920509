/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The request as the form's fields hold it: mr_refill_form_build_request() and what it reads. */
#include "mr-refill-form.h"

#include "mr-medication-row.h"
#include "mr-refill-form-private.h"

char *
mr_refill_form_text_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static char *
dup_clean (MrField     field,
           const char *text)
{
  g_autofree char *clean = mr_rules_clean (field, text);

  return (clean != NULL && clean[0] != '\0') ? g_steal_pointer (&clean) : NULL;
}

gboolean
mr_refill_form_is_delivery (MrRefillForm *self)
{
  return adw_combo_row_get_selected (self->fulfilment) == FULFIL_DELIVERY;
}

const char *
mr_refill_form_pickup_text (MrRefillForm *self)
{
  guint index;

  if (self->pickup_locations == NULL || self->pickup_locations[0] == NULL)
    return gtk_editable_get_text (GTK_EDITABLE (self->pickup_location));
  index = adw_combo_row_get_selected (self->pickup_choice);
  return index < g_strv_length (self->pickup_locations) ? self->pickup_locations[index] : "";
}

static void
add_medications (MrRefillForm    *self,
                 MrRefillRequest *request)
{
  for (guint i = 0; i < self->lines->len; i++)
    {
      MrMedicationRow *line = g_ptr_array_index (self->lines, i);

      /* A blank extra line is not a medicine. */
      if (self->lines->len > 1 && mr_medication_row_is_blank (line))
        continue;
      g_ptr_array_add (request->medications, mr_medication_row_dup_medication (line));
    }
}

static void
set_urgency (MrRefillForm    *self,
             MrRefillRequest *request)
{
  switch (adw_combo_row_get_selected (self->urgency))
    {
    case URGENCY_SOON:
      request->urgency = MR_URGENCY_SOON;
      request->urgency_days = (guint) gtk_spin_button_get_value_as_int (self->urgency_days);
      break;
    case URGENCY_OUT:
      request->urgency = MR_URGENCY_OUT;
      break;
    default:
      request->urgency = MR_URGENCY_ROUTINE;
      break;
    }
}

MrRefillRequest *
mr_refill_form_build_request (MrRefillForm *self,
                              MrMode        mode)
{
  g_autofree char *address = NULL, *notes = NULL;
  MrRefillRequest *request;

  g_return_val_if_fail (MR_IS_REFILL_FORM (self), NULL);

  /* The profile as the directory gave it, and the rows as the person left them: the payload
   * keeps the two apart. */
  request = mr_refill_request_new (self->patient, mode);
  g_clear_pointer (&request->patient, mr_patient_free);
  request->patient = mr_refill_form_patient_dup (self);
  if (self->request_id != NULL)
    {
      g_free (request->request_id);
      request->request_id = g_strdup (self->request_id);
      g_date_time_unref (request->created_at);
      request->created_at = g_date_time_ref (self->created_at);
    }
  add_medications (self, request);
  request->fulfilment = mr_refill_form_is_delivery (self) ? MR_FULFILMENT_DELIVERY : MR_FULFILMENT_PICKUP;
  request->pickup_location = dup_clean (MR_FIELD_PICKUP_LOCATION, mr_refill_form_pickup_text (self));
  address = mr_refill_form_text_view_text (self->delivery_address);
  request->delivery_address = dup_clean (MR_FIELD_DELIVERY_ADDRESS, address);
  set_urgency (self, request);
  notes = mr_refill_form_text_view_text (self->notes);
  request->notes = dup_clean (MR_FIELD_NOTES, notes);
  request->consent = gtk_check_button_get_active (self->consent);
  request->pickup_choices = g_strdupv (self->pickup_locations);
  if (mode == MR_MODE_KIOSK || self->mode == MR_MODE_KIOSK)
    mr_refill_form_patient_flag (self, request);
  return request;
}

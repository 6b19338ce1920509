/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Before a request goes out: the form's settings, and the profile corrections the person made
 * (names, address, job title; at a desk also the custom attributes), which are written back to
 * the directory (by the visit) after the person confirms the list. The refill request goes out
 * either way: a correction that cannot be written is said on the Done page. */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "mr-refill.h"
#include "mr-visit.h"

/* The Graph property's name in a sentence. */
static const char *
property_label (const char *property)
{
  static const struct { const char *property; const char *label; } labels[] = {
    { "givenName", N_("Given name") },         { "surname", N_("Surname") },
    { "displayName", N_("Display name") },     { "jobTitle", N_("Job title") },
    { "streetAddress", N_("Street address") }, { "city", N_("City") },
    { "state", N_("State / province") },       { "postalCode", N_("Postal code") },
    { "country", N_("Country / region") },     { "mobilePhone", N_("Phone") },
    { "_DateofBirth", N_("Date of birth") },   { "_HospitalNumber", N_("Hospital number") },
    { "_Gender", N_("Gender") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (property, labels[i].property) ||
        (labels[i].property[0] == '_' && g_str_has_suffix (property, labels[i].property)))
      return _(labels[i].label);
  return property;
}

static char *
describe_changes (JsonObject *changes)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GList) members = json_object_get_members (changes);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (changes, l->data);
      const char *shown = JSON_NODE_HOLDS_VALUE (value) ? json_node_get_string (value) : NULL;

      g_string_append_printf (text, "%s%s: %s", text->len ? "\n" : "", property_label (l->data),
                              shown && *shown ? shown : _("(removed)"));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
confirm_cb (AdwMessageDialog *dialog,
            const char       *response,
            MrWindow         *self)
{
  /* The visit writes the corrections back before the request goes out, unless they are
   * skipped. */
  if (g_strcmp0 (response, "update") != 0)
    mr_visit_set_corrections (self->visit, NULL);
  _mr_window_send (self);
}

gboolean
_mr_window_corrections_confirm (MrWindow *self)
{
  g_autoptr(JsonObject) changes = NULL;
  g_autofree char *list = NULL;
  GtkWidget *dialog;

  changes = mr_refill_form_dup_profile_changes (_mr_window_form (self),
                                                mr_visit_get_extensions_app_id (self->visit));
  mr_visit_set_corrections (self->visit, NULL);
  if (changes == NULL || json_object_get_size (changes) == 0)
    return FALSE;
  list = describe_changes (changes);
  mr_visit_set_corrections (self->visit, changes);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Update the Clinic's Records Too?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("These details will be changed in the clinic's directory:\n\n%s"),
                                  list);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "skip", _("_Only Send the Request"),
                                    "update", _("_Update and Send"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "update",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "update");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "skip");
  g_signal_connect (dialog, "response", G_CALLBACK (confirm_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static void
formulary_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  MrFormulary *formulary = mr_formulary_load_finish (result, &error);

  if (formulary == NULL)
    {
      /* No completion then; the form works without it. */
      g_debug ("the formulary was not loaded: %s", error->message);
      return;
    }
  mr_refill_form_set_formulary (_mr_window_form (self), formulary);
  g_clear_pointer (&self->formulary, mr_formulary_free);
  self->formulary = formulary;
}

void
_mr_window_corrections_configure (MrWindow *self)
{
  mr_refill_form_set_mode (_mr_window_form (self), self->config->mode);
  mr_refill_form_set_pickup_locations (_mr_window_form (self), (const char * const *) self->config->pickup_locations);
  mr_refill_form_set_consent_text (_mr_window_form (self), self->config->consent_text);
  mr_refill_form_set_payload_format (_mr_window_form (self), self->config->payload_format);
  mr_refill_form_set_formulary (_mr_window_form (self), NULL);
  g_clear_pointer (&self->formulary, mr_formulary_free);
  if (self->config->formulary_path != NULL && *self->config->formulary_path != '\0')
    mr_formulary_load_async (self->config->formulary_path, mr_visit_get_cancellable (self->visit),
                             formulary_cb, g_object_ref (self));
}

void
_mr_window_corrections_dispose (MrWindow *self)
{
  if (self->form != NULL)
    mr_refill_form_set_formulary (self->form, NULL);
  g_clear_pointer (&self->formulary, mr_formulary_free);
}

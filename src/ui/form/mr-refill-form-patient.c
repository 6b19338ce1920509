/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The refill form's patient section: prefilled rows marked as such or as missing, the gender as
 * a choice, and the custom attributes a patient flags as wrong (kiosk) or staff edit (desk). */
#include "mr-refill-form-private.h"

#include <glib/gi18n.h>

#include "mr-date-row.h"
#include "mr-graph.h"

#define P(id, field, member, custom) { id, field, G_STRUCT_OFFSET (MrPatient, member), custom }

const MrPatientField mr_patient_fields[N_PATIENT_FIELDS] = {
  P ("given_name",      MR_FIELD_GIVEN_NAME,      given_name,      -1),
  P ("surname",         MR_FIELD_SURNAME,         surname,         -1),
  P ("gender",          MR_FIELD_GENDER,          gender,          MR_CUSTOM_GENDER),
  P ("display_name",    MR_FIELD_DISPLAY_NAME,    display_name,    -1),
  P ("hospital_number", MR_FIELD_HOSPITAL_NUMBER, hospital_number, MR_CUSTOM_HOSPITAL_NUMBER),
  P ("date_of_birth",   MR_FIELD_DATE_OF_BIRTH,   date_of_birth,   MR_CUSTOM_DATE_OF_BIRTH),
  P ("job_title",       MR_FIELD_JOB_TITLE,       job_title,       -1),
  P ("street_address",  MR_FIELD_STREET,          street_address,  -1),
  P ("city",            MR_FIELD_CITY,            city,            -1),
  P ("state",           MR_FIELD_STATE,           state,           -1),
  P ("country",         MR_FIELD_COUNTRY,         country,         -1),
  P ("postal_code",     MR_FIELD_POSTAL_CODE,     postal_code,     -1),
  P ("email",           MR_FIELD_EMAIL,           mail,            -1),
};

#define PATIENT_MEMBER(p, i) (*(char **) G_STRUCT_MEMBER_P ((p), mr_patient_fields[i].offset))

/* The row of each custom attribute, by MrCustomAttribute. */
static const guint custom_rows[MR_N_CUSTOM_ATTRIBUTES] = {
  [MR_CUSTOM_DATE_OF_BIRTH] = P_DATE_OF_BIRTH,
  [MR_CUSTOM_HOSPITAL_NUMBER] = P_HOSPITAL_NUMBER,
  [MR_CUSTOM_GENDER] = P_GENDER,
};

static const char * const custom_labels[MR_N_CUSTOM_ATTRIBUTES] = {
  [MR_CUSTOM_DATE_OF_BIRTH] = N_("date of birth"),
  [MR_CUSTOM_HOSPITAL_NUMBER] = N_("hospital number"),
  [MR_CUSTOM_GENDER] = N_("gender"),
};

/* The genders as stored; the list shows them translated. For xgettext: */
#if 0
N_("Male") N_("Female") N_("Other") N_("Prefer not to say")
#endif

static const char *
gender_at (MrRefillForm *self,
           guint         index)
{
  const char * const *genders = mr_rules_genders ();
  guint n = g_strv_length ((char **) genders);

  if (index == 0 || index == GTK_INVALID_LIST_POSITION)
    return "";
  if (index <= n)
    return genders[index - 1];
  return self->gender_extra ? self->gender_extra : "";
}

const char *
mr_refill_form_patient_text (MrRefillForm *self,
                             guint         i)
{
  if (i == P_GENDER)
    return gender_at (self, adw_combo_row_get_selected (ADW_COMBO_ROW (self->patient_rows[i])));
  return gtk_editable_get_text (GTK_EDITABLE (self->patient_rows[i]));
}

static void
fill_gender_lists (MrRefillForm *self)
{
  const char * const *genders = mr_rules_genders ();

  gtk_string_list_append (self->gender_choices, _("Not given"));
  gtk_string_list_append (self->gender_correction_choices, _("I am not sure"));
  for (guint i = 0; genders[i] != NULL; i++)
    {
      gtk_string_list_append (self->gender_choices, _(genders[i]));
      gtk_string_list_append (self->gender_correction_choices, _(genders[i]));
    }
}

static void
set_gender (MrRefillForm *self,
            const char   *value)
{
  const char * const *genders = mr_rules_genders ();
  guint n = g_strv_length ((char **) genders);
  g_autofree char *clean = mr_rules_clean (MR_FIELD_GENDER, value);
  guint index = 0;

  /* A value the list does not have stays visible (and is marked by the rules) rather than lost. */
  g_clear_pointer (&self->gender_extra, g_free);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->gender_choices)) > n + 1)
    gtk_string_list_remove (self->gender_choices, n + 1);
  for (guint i = 0; clean != NULL && clean[0] != '\0' && index == 0; i++)
    {
      if (genders[i] == NULL)
        {
          self->gender_extra = g_strdup (clean);
          gtk_string_list_append (self->gender_choices, clean);
          index = n + 1;
        }
      else if (g_str_equal (genders[i], clean))
        index = i + 1;
    }
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->patient_rows[P_GENDER]), index);
}

static const char *
row_note (MrRefillForm *self,
          guint         i)
{
  if (self->patient == NULL)
    return NULL;
  if (PATIENT_MEMBER (self->patient, i) == NULL)
    return _("Missing from your clinic account: please fill this in.");
  return _("Filled in from your clinic account.");
}

void
mr_refill_form_mark_row (GtkWidget  *row,
                         const char *message,
                         const char *note)
{
  if (message != NULL)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
  if (message != NULL || note != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    message ? message : note, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  if (message != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID,
                                 GTK_ACCESSIBLE_INVALID_TRUE, -1);
  else
    gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
}

static const char *
correction_text (MrRefillForm      *self,
                 MrCustomAttribute  attribute)
{
  GtkWidget *row = self->correction_rows[attribute];

  if (attribute == MR_CUSTOM_GENDER)
    {
      guint index = adw_combo_row_get_selected (ADW_COMBO_ROW (row));

      return (index == 0 || index == GTK_INVALID_LIST_POSITION) ? "" : gender_at (self, index);
    }
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
is_flagged (MrRefillForm      *self,
            MrCustomAttribute  attribute)
{
  return self->mode == MR_MODE_KIOSK
         && gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->wrong_toggles[attribute]));
}

/* Kiosk: the directory's value of @attribute is there but fails the rules (typed at sign-up as
 * "01/02/1990", which could be two dates). The patient cannot change it here and must not be
 * stopped by it: it goes to staff flagged, with what the patient typed in its correction row. */
static gboolean
is_untidy (MrRefillForm      *self,
           MrCustomAttribute  attribute)
{
  guint row = custom_rows[attribute];
  const char *known;

  if (self->mode != MR_MODE_KIOSK || self->patient == NULL)
    return FALSE;
  known = PATIENT_MEMBER (self->patient, row);
  return known != NULL && known[0] != '\0'
         && !mr_rules_check_field (mr_patient_fields[row].field, known, NULL);
}

static char *
untidy_note (MrRefillForm      *self,
             MrCustomAttribute  attribute)
{
  /* Translators: the first %s is a field ("date of birth"), the second its value as the patient
   * typed it when they signed up ("01/02/1990"). */
  return g_strdup_printf (_("Your clinic account has your %s as “%s”, which the clinic cannot "
                            "read for sure: staff will confirm it, or tap “This is wrong” to "
                            "give it now."),
                          _(custom_labels[attribute]),
                          PATIENT_MEMBER (self->patient, custom_rows[attribute]));
}

gboolean
mr_refill_form_patient_validate (MrRefillForm *self)
{
  g_autoptr(GString) shown = g_string_new (NULL);
  gboolean valid = TRUE;

  for (guint i = 0; i < N_PATIENT_FIELDS; i++)
    {
      int custom = mr_patient_fields[i].custom;
      const char *text = mr_refill_form_patient_text (self, i);
      g_autofree char *message = NULL;
      g_autofree char *note = NULL;

      /* A flagged attribute is not held against the request: staff will correct it. */
      if (custom >= 0 && is_flagged (self, custom))
        ;
      else if (custom >= 0 && is_untidy (self, custom))
        message = NULL, note = untidy_note (self, custom);
      else if (!mr_rules_check_field (mr_patient_fields[i].field, text, &message))
        valid = FALSE;
      mr_refill_form_mark_row (self->patient_rows[i], message, note ? note : row_note (self, i));
      if (i == P_GENDER)
        mr_refill_form_mark_row (self->gender_display, message,
                                 note ? note : row_note (self, i));
      if (message != NULL || note != NULL)
        g_string_append_printf (shown, "%s%s", shown->len ? "\n" : "", message ? message : note);
    }
  for (guint a = 0; a < MR_N_CUSTOM_ATTRIBUTES; a++)
    {
      const char *text = correction_text (self, a);
      g_autofree char *message = NULL;

      if (is_flagged (self, a) && text[0] != '\0'
          && !mr_rules_check_field (mr_custom_attribute_field (a), text, &message))
        valid = FALSE;
      mr_refill_form_mark_row (self->correction_rows[a], message, NULL);
      if (message != NULL)
        g_string_append_printf (shown, "%s%s", shown->len ? "\n" : "", message);
    }
  gtk_label_set_text (self->patient_problem, shown->str);
  gtk_widget_set_visible (GTK_WIDGET (self->patient_problem), shown->len > 0);
  return valid;
}

MrPatient *
mr_refill_form_patient_dup (MrRefillForm *self)
{
  MrPatient *patient = self->patient ? mr_patient_copy (self->patient) : mr_patient_new ();

  for (guint i = 0; i < N_PATIENT_FIELDS; i++)
    {
      g_autofree char *clean = NULL;

      /* The patient cannot change these in their account; they flag them instead. */
      if (mr_patient_fields[i].custom >= 0 && self->mode == MR_MODE_KIOSK && self->patient)
        continue;
      clean = mr_rules_clean (mr_patient_fields[i].field, mr_refill_form_patient_text (self, i));
      g_free (PATIENT_MEMBER (patient, i));
      PATIENT_MEMBER (patient, i) = (clean && clean[0]) ? g_steal_pointer (&clean) : NULL;
    }
  return patient;
}

void
mr_refill_form_patient_flag (MrRefillForm    *self,
                             MrRefillRequest *request)
{
  for (guint a = 0; a < MR_N_CUSTOM_ATTRIBUTES; a++)
    {
      const char *text = correction_text (self, a);

      if (is_flagged (self, a) || is_untidy (self, a))
        mr_refill_request_flag (request, a, TRUE, text[0] != '\0' ? text : NULL);
    }
}

JsonObject *
mr_refill_form_dup_profile_changes (MrRefillForm *self,
                                    const char   *ext_app_id)
{
  g_autoptr(MrPatient) after = NULL;
  gboolean staff;

  g_return_val_if_fail (MR_IS_REFILL_FORM (self), NULL);

  if (self->patient == NULL)
    return NULL;
  staff = self->mode == MR_MODE_DESK && ext_app_id != NULL;
  after = mr_refill_form_patient_dup (self);
  return mr_patient_diff (self->patient, after, staff, ext_app_id);
}

void
mr_refill_form_patient_fill (MrRefillForm    *self,
                             const MrPatient *patient)
{
  const char *gender;

  for (guint i = 0; i < N_PATIENT_FIELDS; i++)
    {
      const char *value = PATIENT_MEMBER (patient, i);
      gboolean missing = value == NULL || value[0] == '\0';

      if (i == P_GENDER)
        set_gender (self, value);
      else
        gtk_editable_set_text (GTK_EDITABLE (self->patient_rows[i]), value ? value : "");
      /* What the profile lacked is marked for the user to fill in; the rest as prefilled. */
      if (missing)
        gtk_widget_add_css_class (self->patient_rows[i], "missing");
      else
        gtk_widget_remove_css_class (self->patient_rows[i], "missing");
      gtk_widget_set_visible (self->prefill_icons[i], !missing);
    }
  gender = mr_refill_form_patient_text (self, P_GENDER);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->gender_display),
                               gender[0] != '\0' ? _(gender) : _("Not given"));
  if (patient->gender == NULL)
    gtk_widget_add_css_class (self->gender_display, "missing");
  else
    gtk_widget_remove_css_class (self->gender_display, "missing");
}

void
mr_refill_form_patient_clear (MrRefillForm *self)
{
  for (guint i = 0; i < N_PATIENT_FIELDS; i++)
    {
      if (i == P_GENDER)
        set_gender (self, NULL);
      else
        gtk_editable_set_text (GTK_EDITABLE (self->patient_rows[i]), "");
      gtk_widget_remove_css_class (self->patient_rows[i], "missing");
      gtk_widget_set_visible (self->prefill_icons[i], FALSE);
      mr_refill_form_mark_row (self->patient_rows[i], NULL, NULL);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->gender_display), "");
  for (guint a = 0; a < MR_N_CUSTOM_ATTRIBUTES; a++)
    {
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->wrong_toggles[a]), FALSE);
      if (a == MR_CUSTOM_GENDER)
        adw_combo_row_set_selected (ADW_COMBO_ROW (self->correction_rows[a]), 0);
      else
        gtk_editable_set_text (GTK_EDITABLE (self->correction_rows[a]), "");
    }
}

/* Kiosk: custom attributes read only, with their "This is wrong" toggles; desk: editable. */
void
mr_refill_form_patient_apply_mode (MrRefillForm *self)
{
  gboolean kiosk = self->mode == MR_MODE_KIOSK;

  gtk_editable_set_editable (GTK_EDITABLE (self->patient_rows[P_HOSPITAL_NUMBER]), !kiosk);
  mr_date_row_set_editable (MR_DATE_ROW (self->patient_rows[P_DATE_OF_BIRTH]), !kiosk);
  gtk_widget_set_visible (self->patient_rows[P_GENDER], !kiosk);
  gtk_widget_set_visible (self->gender_display, kiosk);
  for (guint a = 0; a < MR_N_CUSTOM_ATTRIBUTES; a++)
    {
      GtkToggleButton *toggle = GTK_TOGGLE_BUTTON (self->wrong_toggles[a]);

      if (!kiosk)
        gtk_toggle_button_set_active (toggle, FALSE);
      gtk_widget_set_visible (self->wrong_toggles[a], kiosk);
      gtk_widget_set_visible (self->correction_rows[a], kiosk && gtk_toggle_button_get_active (toggle));
    }
}

static void
wrong_toggled_cb (GtkToggleButton *toggle,
                  MrRefillForm    *self)
{
  for (guint a = 0; a < MR_N_CUSTOM_ATTRIBUTES; a++)
    if (self->wrong_toggles[a] == GTK_WIDGET (toggle))
      gtk_widget_set_visible (self->correction_rows[a], gtk_toggle_button_get_active (toggle));
  mr_refill_form_changed (self);
}

static GtkWidget *
make_wrong_toggle (MrRefillForm *self,
                   guint         attribute)
{
  GtkWidget *toggle = gtk_toggle_button_new_with_mnemonic (_("This is _wrong"));
  g_autofree char *label = NULL;
  GtkWidget *row;

  label = g_strdup_printf (_("This is wrong: %s"), _(custom_labels[attribute]));
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_tooltip_text (toggle, label);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (toggle, FALSE);
  gtk_widget_set_name (toggle, "wrong-toggle");
  g_signal_connect (toggle, "toggled", G_CALLBACK (wrong_toggled_cb), self);
  row = attribute == MR_CUSTOM_GENDER ? self->gender_display
                                      : self->patient_rows[custom_rows[attribute]];
  if (ADW_IS_ENTRY_ROW (row))
    adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), toggle);
  else
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  return toggle;
}

static GtkWidget *
make_prefill_icon (GtkWidget *row)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("avatar-default-symbolic");

  gtk_widget_set_tooltip_text (icon, _("Filled in from your clinic account"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Filled in from your clinic account"), -1);
  gtk_widget_add_css_class (icon, "dim-label");
  gtk_widget_set_visible (icon, FALSE);
  if (ADW_IS_ENTRY_ROW (row))
    adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), icon);
  else
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
  return icon;
}

void
mr_refill_form_patient_init (MrRefillForm *self)
{
  fill_gender_lists (self);
  for (guint i = 0; i < N_PATIENT_FIELDS; i++)
    {
      self->prefill_icons[i] = make_prefill_icon (self->patient_rows[i]);
      if (i == P_GENDER)
        g_signal_connect_swapped (self->patient_rows[i], "notify::selected",
                                  G_CALLBACK (mr_refill_form_changed), self);
      else
        g_signal_connect_swapped (self->patient_rows[i], "changed",
                                  G_CALLBACK (mr_refill_form_changed), self);
    }
  for (guint a = 0; a < MR_N_CUSTOM_ATTRIBUTES; a++)
    {
      self->wrong_toggles[a] = make_wrong_toggle (self, a);
      if (a == MR_CUSTOM_GENDER)
        g_signal_connect_swapped (self->correction_rows[a], "notify::selected",
                                  G_CALLBACK (mr_refill_form_changed), self);
      else
        g_signal_connect_swapped (self->correction_rows[a], "changed",
                                  G_CALLBACK (mr_refill_form_changed), self);
    }
  mr_refill_form_patient_apply_mode (self);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "mr-refill-form.h"

G_BEGIN_DECLS

/* The patient rows, in the sign-up flow's page order. */
enum {
  P_GIVEN_NAME,
  P_SURNAME,
  P_GENDER,
  P_DISPLAY_NAME,
  P_HOSPITAL_NUMBER,
  P_DATE_OF_BIRTH,
  P_JOB_TITLE,
  P_STREET,
  P_CITY,
  P_STATE,
  P_COUNTRY,
  P_POSTAL_CODE,
  P_EMAIL,
  N_PATIENT_FIELDS
};

typedef struct {
  const char *id;               /* the GtkBuilder id of the row */
  MrField     field;
  gsize       offset;           /* of the char * in MrPatient */
  int         custom;           /* MrCustomAttribute, or -1 for a built-in attribute */
} MrPatientField;

extern const MrPatientField mr_patient_fields[N_PATIENT_FIELDS];

struct _MrRefillForm {
  GtkWidget        parent_instance;

  GtkStack        *stack;
  GtkWidget       *scroller;
  GtkWidget       *patient_rows[N_PATIENT_FIELDS];
  GtkWidget       *prefill_icons[N_PATIENT_FIELDS];
  GtkStringList   *gender_choices;
  GtkWidget       *gender_display;          /* kiosk: the gender, read only */
  GtkWidget       *wrong_toggles[MR_N_CUSTOM_ATTRIBUTES];
  GtkWidget       *correction_rows[MR_N_CUSTOM_ATTRIBUTES];
  GtkStringList   *gender_correction_choices;
  GtkLabel        *patient_problem;
  GtkBox          *medications_box;
  AdwComboRow     *fulfilment;
  AdwComboRow     *pickup_choice;
  GtkStringList   *pickup_choices;
  GtkWidget       *pickup_location;
  GtkWidget       *delivery_address_box;
  GtkTextView     *delivery_address;
  GtkLabel        *fulfilment_problem;
  AdwComboRow     *urgency;
  GtkWidget       *urgency_days_row;
  GtkSpinButton   *urgency_days;
  GtkTextView     *notes;
  GtkLabel        *notes_count;
  GtkLabel        *notes_problem;
  GtkCheckButton  *consent;
  GtkLabel        *consent_label;
  GtkLabel        *problem_label;
  GtkWidget       *review_button;
  GtkWidget       *review;
  GtkWidget       *review_scroller;
  GtkLabel        *review_problem;
  GtkWidget       *send_button;
  GtkWidget       *edit_button;

  GPtrArray       *lines;           /* of MrMedicationRow, owned by medications_box */
  MrPatient       *patient;         /* as the profile gave it */
  char            *gender_extra;    /* a profile gender that is not one of the choices */
  char           **pickup_locations;
  MrFormulary     *formulary;       /* borrowed */
  MrMode           mode;
  MrPayloadFormat  payload_format;
  char            *request_id;
  GDateTime       *created_at;
  gboolean         valid;
  gboolean         show_all;        /* Review was pressed: show every problem, touched or not */
  gboolean         filling;         /* set_patient is writing the rows */
};

/* The rows of the fulfilment and urgency choices. */
enum {
  FULFIL_PICKUP,
  FULFIL_DELIVERY,
};

enum {
  URGENCY_ROUTINE,
  URGENCY_SOON,
  URGENCY_OUT,
};

/* mr-refill-form-request.c */
gboolean    mr_refill_form_is_delivery       (MrRefillForm    *self);
/* The chosen pickup location: the configured list's choice, or the free text without a list. */
const char *mr_refill_form_pickup_text       (MrRefillForm    *self);

/* mr-refill-form-patient.c */
void        mr_refill_form_patient_init      (MrRefillForm    *self);
void        mr_refill_form_patient_fill      (MrRefillForm    *self,
                                              const MrPatient *patient);
void        mr_refill_form_patient_clear     (MrRefillForm    *self);
void        mr_refill_form_patient_apply_mode (MrRefillForm   *self);
/* The row's text: the canonical gender for the gender row ("" when none chosen). */
const char *mr_refill_form_patient_text      (MrRefillForm    *self,
                                              guint            i);
/* The patient as the rows hold it (kiosk: the custom attributes as the profile had them). */
MrPatient  *mr_refill_form_patient_dup       (MrRefillForm    *self);
void        mr_refill_form_patient_flag      (MrRefillForm    *self,
                                              MrRefillRequest *request);
/* Checks and marks every patient row and correction; TRUE when all pass. */
gboolean    mr_refill_form_patient_validate  (MrRefillForm    *self);

/* Marks @row: "error" class and @message as its accessible description, or @note (may be NULL)
 * as the description when @message is NULL. */
void        mr_refill_form_mark_row          (GtkWidget       *row,
                                              const char      *message,
                                              const char      *note);
char       *mr_refill_form_text_view_text    (GtkTextView     *view);
void        mr_refill_form_changed           (MrRefillForm    *self);

G_END_DECLS

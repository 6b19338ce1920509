/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "mr-config.h"
#include "mr-rules.h"

G_BEGIN_DECLS

#define MR_REFILL_ERROR (mr_refill_error_quark ())

typedef enum {
  MR_REFILL_ERROR_INVALID,      /* the message names the field and what is wrong */
} MrRefillError;

/* The patient as the form shows it. Every string may be NULL (absent in the profile). */
typedef struct {
  char *id;                     /* Entra object id */
  char *display_name;
  char *given_name;
  char *surname;
  char *mail;
  char *job_title;
  char *street_address;
  char *city;
  char *state;
  char *postal_code;
  char *country;
  char *mobile_phone;
  char *date_of_birth;          /* YYYY-MM-DD */
  char *hospital_number;
  char *gender;
} MrPatient;

typedef struct {
  char  *name;
  char  *strength;              /* "500 mg" */
  char  *form;                  /* tablet, capsule, … ; may be NULL */
  guint  quantity;              /* 0 = not given */
  guint  days_supply;           /* 0 = not given */
  char  *prescriber;            /* may be NULL */
  char  *last_filled;           /* YYYY-MM-DD or NULL */
} MrMedication;

typedef enum {
  MR_FULFILMENT_PICKUP,
  MR_FULFILMENT_DELIVERY,
} MrFulfilment;

typedef enum {
  MR_URGENCY_ROUTINE,
  MR_URGENCY_SOON,              /* running out within urgency_days */
  MR_URGENCY_OUT,               /* out now */
} MrUrgency;

/* The custom attributes a patient cannot change themselves (Entra lets a user edit only
 * built-in attributes); they flag them as wrong instead, and staff correct them. */
typedef enum {
  MR_CUSTOM_DATE_OF_BIRTH,
  MR_CUSTOM_HOSPITAL_NUMBER,
  MR_CUSTOM_GENDER,
  MR_N_CUSTOM_ATTRIBUTES,
} MrCustomAttribute;

/* "The patient says this is wrong", and optionally what it should be. */
typedef struct {
  gboolean  flagged;
  char     *corrected;          /* may be NULL: the patient did not say */
} MrCorrection;

typedef struct {
  char         *request_id;     /* UUID; also the Idempotency-Key */
  GDateTime    *created_at;     /* UTC */
  MrMode        mode;
  char         *submitted_by_id;    /* NULL when the patient submits */
  char         *submitted_by_name;
  /* Two views of the patient, so that the workflow can tell verified data from typed data:
   * @directory as the directory (Graph, or the ID token's claims) returned it, sent as
   * `patient`; @patient as the person confirmed it on the form, checked by the rules. Where they
   * differ, @patient's value (and a flagged attribute's corrected value) is `patient_supplied`. */
  MrPatient    *directory;
  MrPatient    *patient;
  GPtrArray    *medications;    /* of MrMedication */
  MrFulfilment  fulfilment;
  char         *pickup_location;
  char         *delivery_address;
  MrUrgency     urgency;
  guint         urgency_days;
  char         *notes;
  gboolean      consent;
  /* The complete form: corrections, the desk's presence check, the pickup choices. */
  MrCorrection  corrections[MR_N_CUSTOM_ATTRIBUTES];  /* indexed by MrCustomAttribute */
  gboolean      patient_present;    /* desk mode: the patient is at the desk */
  char        **pickup_choices;     /* the configured locations; NULL or empty: any text */
} MrRefillRequest;

GQuark           mr_refill_error_quark        (void);

MrPatient       *mr_patient_new               (void);
MrPatient       *mr_patient_copy              (const MrPatient       *patient);
void             mr_patient_free              (MrPatient             *patient);

MrMedication    *mr_medication_new            (const char            *name,
                                               const char            *strength,
                                               guint                  quantity);
void             mr_medication_free           (MrMedication          *medication);
MrMedication    *mr_medication_copy           (const MrMedication    *medication);

/* A new request for @patient as the directory returned it (copied into both ->directory and
 * ->patient: nothing typed yet), with a fresh request id and created_at = now. */
MrRefillRequest *mr_refill_request_new        (const MrPatient       *patient,
                                               MrMode                 mode);
void             mr_refill_request_free       (MrRefillRequest       *request);

/* TRUE when the request may be sent; otherwise one sentence naming the first problem. */
gboolean         mr_refill_request_validate   (const MrRefillRequest *request,
                                               GError               **error);

/* The refill-v2 payload (data/refill-v2.schema.json): `patient` from ->directory, and in
 * `patient_supplied` what ->patient and the flagged attributes' corrected values add to it or
 * change (see mr_refill_request_dup_supplied()). Returns a new JsonNode (object). */
JsonNode        *mr_refill_request_to_json    (const MrRefillRequest *request);

/* Moves the medicine at @from to @to (both < medications->len), keeping the others' order.
 * Returns FALSE (and changes nothing) when an index is out of range. */
gboolean         mr_refill_request_move_medication   (MrRefillRequest   *request,
                                                      guint              from,
                                                      guint              to);
/* Adds a new empty medicine at the end and returns it (owned by the request). */
MrMedication    *mr_refill_request_add_medication    (MrRefillRequest   *request);
gboolean         mr_refill_request_remove_medication (MrRefillRequest   *request,
                                                      guint              index);

/* Flags @attribute as wrong (or clears the flag) with an optional corrected value, which is
 * stored cleaned (mr_rules_clean). Clearing the flag drops the corrected value. */
void             mr_refill_request_flag       (MrRefillRequest       *request,
                                               MrCustomAttribute      attribute,
                                               gboolean               flagged,
                                               const char            *corrected);
gboolean         mr_refill_request_has_corrections (const MrRefillRequest *request);
/* What the person supplied: for each patient member, the value typed or corrected where it differs
 * from ->directory (cleaned with mr_rules_clean; "" where the person emptied a value the
 * directory has), NULL where it does not differ. ->id is always NULL: the object id only ever
 * comes from the directory. A flagged attribute's corrected value stands for ->patient's. A new
 * patient; mr_patient_is_empty() when nothing was supplied. Pure. */
MrPatient       *mr_refill_request_dup_supplied    (const MrRefillRequest *request);
/* TRUE when every member of @patient is NULL. */
gboolean         mr_patient_is_empty               (const MrPatient       *patient);
/* The rules' field for @attribute (MR_FIELD_DATE_OF_BIRTH, …). */
MrField          mr_custom_attribute_field    (MrCustomAttribute      attribute);
/* The payload's name for @attribute ("date_of_birth", …). Static. */
const char      *mr_custom_attribute_name     (MrCustomAttribute      attribute);
/* The patient's current value of @attribute (borrowed; may be NULL). */
const char      *mr_patient_get_custom        (const MrPatient       *patient,
                                               MrCustomAttribute      attribute);

/* Checks one patient member and one medicine with the rules of mr-rules.h, as
 * mr_refill_request_validate() does, for a form that shows problems per section. */
gboolean         mr_patient_validate          (const MrPatient       *patient,
                                               GError               **error);
gboolean         mr_medication_validate       (const MrMedication    *medication,
                                               guint                  n,
                                               GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrPatient, mr_patient_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrMedication, mr_medication_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrRefillRequest, mr_refill_request_free)

G_END_DECLS

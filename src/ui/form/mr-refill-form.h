/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mr-config.h"
#include "mr-refill.h"

G_BEGIN_DECLS

/* The refill form: the patient's details (prefilled), the medicines, pickup or delivery,
 * urgency, notes and consent, checked as the person types; then a review page that shows the
 * payload as it will be sent, whose Send button activates "win.submit". It keeps one request id
 * for its lifetime, so that sending the same form twice carries the same Idempotency-Key. */
#define MR_TYPE_REFILL_FORM (mr_refill_form_get_type ())
G_DECLARE_FINAL_TYPE (MrRefillForm, mr_refill_form, MR, REFILL_FORM, GtkWidget)

/* ---- The widget ------------------------------------------------------------------------------ */

GtkWidget       *mr_refill_form_new                   (void);

/* ---- Configuration: mode, clinic lists and texts --------------------------------------------- */

/* Kiosk (the patient): the custom attributes (date of birth, hospital number, gender) are read
 * only, each with a "This is wrong" toggle and an optional correct value that travel in the
 * request as flags. Desk (staff): every attribute is editable. Default: desk. */
void             mr_refill_form_set_mode              (MrRefillForm    *self,
                                                       MrMode           mode);
MrMode           mr_refill_form_get_mode              (MrRefillForm    *self);
/* The configured pickup locations: a choice among them, or free text when NULL or empty. */
void             mr_refill_form_set_pickup_locations  (MrRefillForm    *self,
                                                       const char * const *locations);
/* The clinic's formulary for name completion (borrowed: keep it alive while set; NULL unsets). */
void             mr_refill_form_set_formulary         (MrRefillForm    *self,
                                                       MrFormulary     *formulary);
/* The consent sentence; NULL or empty: the built-in one. */
void             mr_refill_form_set_consent_text      (MrRefillForm    *self,
                                                       const char      *text);
/* Which payload the review page shows (refill-v2 by default). */
void             mr_refill_form_set_payload_format    (MrRefillForm    *self,
                                                       MrPayloadFormat  format);

/* ---- The patient and the request ------------------------------------------------------------- */

/* Fills the form from @patient (copied) and starts a new request with one empty medicine line. */
void             mr_refill_form_set_patient           (MrRefillForm    *self,
                                                       const MrPatient *patient);
void             mr_refill_form_add_medication        (MrRefillForm    *self);
/* TRUE when the form holds a request that may be sent. */
gboolean         mr_refill_form_get_valid             (MrRefillForm    *self);
/* A new request from what the form holds now (text cleaned with mr_rules_clean, corrections
 * flagged in kiosk mode): ->directory is the patient given to set_patient, ->patient the rows;
 * validate it before sending. The same request id and created_at as the
 * one reviewed. */
MrRefillRequest *mr_refill_form_build_request         (MrRefillForm    *self,
                                                       MrMode           mode);
/* The profile changes the person made, as the body of a Graph PATCH (mr_patient_diff): in kiosk
 * mode only what a user may change for themselves, in desk mode also the custom attributes
 * (named with @ext_app_id, which may then not be NULL). A new object, empty when nothing
 * changed; NULL when the form holds no patient. */
JsonObject      *mr_refill_form_dup_profile_changes   (MrRefillForm    *self,
                                                       const char      *ext_app_id);
/* Empties every field, goes back to the edit page and forgets the request id and the patient. */
void             mr_refill_form_clear                 (MrRefillForm    *self);

/* ---- What the form shows --------------------------------------------------------------------- */

/* Shows one sentence next to the Review and Send buttons (NULL hides it). */
void             mr_refill_form_set_problem           (MrRefillForm    *self,
                                                       const char      *message);
/* "edit" or "review". */
const char      *mr_refill_form_get_page              (MrRefillForm    *self);
/* What the review page shows, one "Section › Title: value" line a row (newly allocated). */
char            *mr_refill_form_dup_review_text       (MrRefillForm    *self);

G_END_DECLS

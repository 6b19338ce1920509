/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "mr-refill-model.h"

G_BEGIN_DECLS

/* SNOMED CT 103742009 "Renewal of prescription": the Task's code. */
#define MR_FHIR_SNOMED_SYSTEM          "http://snomed.info/sct"
#define MR_FHIR_RENEWAL_CODE           "103742009"
/* Identifier system for Entra object ids (patients and staff). */
#define MR_FHIR_OBJECT_ID_SYSTEM       "https://medrefill.github.io/fhir/NamingSystem/entra-object-id"
/* Code system for the Task.input types this app writes. */
#define MR_FHIR_INPUT_SYSTEM           "https://medrefill.github.io/fhir/CodeSystem/refill-input"

/* The request as a FHIR R4 Task (payload-format = fhir-r4): status "requested", intent "order",
 * code = SNOMED CT 103742009, identifier urn:uuid:<request id>, authoredOn = created_at,
 * priority routine|urgent|asap from the urgency, `for` the patient (contained Patient, also
 * identified by object id), requester the patient (kiosk) or the staff member as a contained
 * Practitioner (desk), note = the notes, and one Task.input per medicine pointing at a contained
 * MedicationRequest (status "draft", intent "order"). Fulfilment, urgency days, consent, desk
 * presence and flagged attributes are further Task.input entries typed with
 * MR_FHIR_INPUT_SYSTEM codes. As in refill-v2, the contained Patient is only the directory's
 * record (->directory); what the person typed or corrected is never merged into it but sent as
 * Task.input "supplied-<member>" (valueString; members as refill-v2's patient_supplied, address
 * parts as "address-street" …) or "removed-<member>" (valueBoolean true: the person emptied a
 * value the directory holds). Text is cleaned as in the refill-v2 payload; no extensions.
 * Returns a new JsonNode (object). Pure; does not validate the request. */
JsonNode *mr_fhir_task_from_request (const MrRefillRequest *request);

G_END_DECLS

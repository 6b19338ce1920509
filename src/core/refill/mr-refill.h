/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core/refill, its front door: code outside the folder includes this header only. The patient and
 * the refill request, the rules a form checks, the formulary, and the payloads (refill JSON, FHIR
 * R4). */
#pragma once

#include "mr-refill-model.h"
#include "mr-rules.h"
#include "mr-formulary.h"
#include "mr-fhir.h"

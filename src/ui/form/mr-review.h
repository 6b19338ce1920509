/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The review page's body: a payload (refill-v2 or a FHIR Task), shown as readable rows grouped
 * by section, member by member and in the payload's order, so that what is shown is what is
 * sent. */
#define MR_TYPE_REVIEW (mr_review_get_type ())
G_DECLARE_FINAL_TYPE (MrReview, mr_review, MR, REVIEW, GtkWidget)

GtkWidget *mr_review_new          (void);
/* Shows @payload (a JSON object; borrowed). NULL empties the page. */
void       mr_review_set_payload  (MrReview  *self,
                                   JsonNode  *payload);
/* What the page shows, one "Section › Title: value" line a row (newly allocated). */
char      *mr_review_dup_text     (MrReview  *self);

G_END_DECLS

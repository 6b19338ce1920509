/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Requests for the sandbox's workflow sink, which checks them as the reference workflow does
 * (data/n8n/verify-token.js): the members that check reads, and nothing the refill payload's own
 * tests need. Header only, so that each test executable stays one source file. */
#pragma once

#include <json-glib/json-glib.h>

#include "mr-base.h"

/* The demo accounts' object ids (src/sandbox/mr-sandbox-tenant.c), as their tokens carry them. */
#define MR_TEST_JACK_OID  "530772a4-1d5e-4f3b-8a21-6c0f2b9d7e11"
#define MR_TEST_ZOE_OID   "e41b5a7d-8c93-4f26-a0d4-3b7e15c9f633"
#define MR_TEST_STAFF_OID "b6d0f3e2-4c1a-4e8b-9f27-5a3c8d1e0f44"

/* ISO 8601 UTC with milliseconds, as the app writes created_at. Newly allocated. */
static G_GNUC_UNUSED char *
mr_test_iso8601 (gint64 unix_s)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_s);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%S.000Z");
}

/* A request body as the workflow reads it: @request_id, @mode ("kiosk", "desk"), made at
 * @created_s (seconds since the epoch; 0: now) for the patient @patient_oid, submitted by
 * @submitter_oid (NULL: "submitted_by":null, the patient). A new node. */
static G_GNUC_UNUSED JsonNode *
mr_test_sink_body (const char *request_id,
                   const char *mode,
                   const char *patient_oid,
                   const char *submitter_oid,
                   gint64      created_s)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *created_at = mr_test_iso8601 (created_s != 0 ? created_s
                                                 : g_get_real_time () / G_USEC_PER_SEC);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schema");
  json_builder_add_string_value (b, "refill-v2");
  json_builder_set_member_name (b, "request_id");
  json_builder_add_string_value (b, request_id);
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, created_at);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, mode);
  json_builder_set_member_name (b, "submitted_by");
  if (submitter_oid == NULL)
    json_builder_add_null_value (b);
  else
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, submitter_oid);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, "Sam Staff");
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "patient");
  json_builder_begin_object (b);
  if (patient_oid != NULL)
    {
      json_builder_set_member_name (b, "object_id");
      json_builder_add_string_value (b, patient_oid);
    }
  json_builder_set_member_name (b, "display_name");
  json_builder_add_string_value (b, "Zo\xc3\xab N\xc3\xba\xc3\xb1" "ez");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "consent");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The same as JSON text, for a POST of its own. Newly allocated. */
static G_GNUC_UNUSED char *
mr_test_sink_body_text (const char *request_id,
                        const char *mode,
                        const char *patient_oid,
                        const char *submitter_oid,
                        gint64      created_s)
{
  g_autoptr(JsonNode) node = mr_test_sink_body (request_id, mode, patient_oid, submitter_oid,
                                                created_s);

  return mr_json_to_string (node);
}

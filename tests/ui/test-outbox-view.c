/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outbox as people see it: when the workflow is down the Done page says the request is saved
 * (and nothing about the patient), desk staff see it waiting and can retry or discard it, and it
 * arrives exactly once when the workflow is back. */
#include <adwaita.h>
#include <string.h>

#include "mr-base.h"
#include "mr-config.h"
#include "mr-outbox-view.h"
#include "mr-refill-form.h"
#include "mr-sandbox.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"
#include "mr-window.h"

typedef struct {
  MrSandbox *sandbox;
  MrWindow  *window;
  MrMode     mode;
} Fixture;

static void
set_up (Fixture *fixture,
        MrMode   mode)
{
  fixture->mode = mode;
  fixture->sandbox = mr_ui_start_sandbox ();
  fixture->window = mr_ui_open_window (fixture->sandbox, mode);
}

static void
desk_set_up (Fixture       *fixture,
             gconstpointer  data)
{
  set_up (fixture, MR_MODE_DESK);
}

static void
kiosk_set_up (Fixture       *fixture,
              gconstpointer  data)
{
  set_up (fixture, MR_MODE_KIOSK);
}

static void
tear_down (Fixture       *fixture,
           gconstpointer  data)
{
  MrOutbox *outbox = mr_window_get_outbox (fixture->window);
  g_autoptr(GPtrArray) items = mr_outbox_list_items (outbox);

  /* Leave no request behind for the next test (they share the test's data folder). */
  for (guint i = 0; i < items->len; i++)
    mr_outbox_discard (outbox, ((MrOutboxItem *) g_ptr_array_index (items, i))->request_id);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->sandbox);
}

static void
sign_in_fill_submit (Fixture *fixture)
{
  GtkWidget *form;

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  if (fixture->mode == MR_MODE_DESK)
    {
      /* At a desk the staff member signs in and opens the patient. */
      mr_ui_sign_in_as (fixture->window, "staff@example.org", MR_SANDBOX_PASSWORD);
      mr_ui_open_patient (fixture->window, "HN11112");
    }
  else
    mr_ui_sign_in_as (fixture->window, "jack.smith@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "form");
  form = mr_window_get_form (fixture->window);
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (form, "medication-name", 0)), "Lisinopril");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (form, "medication-strength", 0)), "10 mg");
  gtk_editable_set_text (GTK_EDITABLE (mr_ui_find_by_name (form, "medication-quantity", 0)), "30");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (mr_ui_find_by_id (form, "consent")), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.submit", NULL);
  mr_ui_wait_for_page (fixture->window, "done");
}

static void
fault (Fixture         *fixture,
       MrSinkFaultKind  kind)
{
  MrSinkFault script = { kind, 0, 0 };

  mr_sandbox_set_sink_faults (fixture->sandbox, &script, 1);
}

static MrOutboxView *
find_outbox_view (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (MR_IS_OUTBOX_VIEW (window))
        return MR_OUTBOX_VIEW (window);
    }
  return NULL;
}

static void
wait_until_delivered (Fixture *fixture)
{
  MrOutbox *outbox = mr_window_get_outbox (fixture->window);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  mr_outbox_send_all_now (outbox);
  while (mr_outbox_get_pending_count (outbox) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 0);
}

static void
test_saved_then_delivered_once (Fixture       *fixture,
                                gconstpointer  data)
{
  MrOutbox *outbox;
  MrOutboxView *view;
  GtkWidget *button;
  g_autofree char *button_label = NULL;

  fault (fixture, MR_SINK_FAULT_ERROR_500);
  sign_in_fill_submit (fixture);
  g_assert_nonnull (strstr (mr_window_get_message (fixture->window), "sent automatically"));
  g_assert_null (strstr (mr_window_get_message (fixture->window), "Jack"));
  g_assert_null (strstr (mr_window_get_message (fixture->window), "HN11112"));
  outbox = mr_window_get_outbox (fixture->window);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 1);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fixture->sandbox), ==, 0);

  /* Desk staff see it waiting, and what it is. */
  button = mr_ui_find_by_id (GTK_WIDGET (fixture->window), "outbox_button");
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "1 Waiting");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-outbox", NULL);
  view = find_outbox_view ();
  g_assert_nonnull (view);
  g_assert_cmpuint (mr_outbox_view_get_n_rows (view), ==, 1);

  /* The workflow comes back: the request arrives once, and the list empties. */
  mr_sandbox_set_sink_faults (fixture->sandbox, NULL, 0);
  wait_until_delivered (fixture);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fixture->sandbox), ==, 1);
  g_assert_cmpuint (mr_sandbox_get_duplicate_count (fixture->sandbox), ==, 0);
  g_assert_cmpuint (mr_outbox_view_get_n_rows (view), ==, 0);
  g_assert_false (gtk_widget_get_visible (button));
  gtk_window_destroy (GTK_WINDOW (view));
}

static void
test_refused_is_held (Fixture       *fixture,
                      gconstpointer  data)
{
  MrOutbox *outbox;

  fault (fixture, MR_SINK_FAULT_FORBIDDEN);
  sign_in_fill_submit (fixture);
  g_assert_nonnull (strstr (mr_window_get_message (fixture->window), "did not accept"));
  outbox = mr_window_get_outbox (fixture->window);
  g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, 1);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 0);
}

static void
test_kiosk_says_nothing_of_the_patient (Fixture       *fixture,
                                        gconstpointer  data)
{
  fault (fixture, MR_SINK_FAULT_FORBIDDEN);
  sign_in_fill_submit (fixture);
  g_assert_nonnull (strstr (mr_window_get_message (fixture->window), "staff will check"));
  g_assert_null (strstr (mr_window_get_message (fixture->window), "Jack"));
  /* No count or list of requests on a kiosk. */
  g_assert_false (gtk_widget_get_visible (mr_ui_find_by_id (GTK_WIDGET (fixture->window),
                                                            "outbox_button")));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-outbox", NULL);
  g_assert_null (find_outbox_view ());
}

/* A workflow that answers with markup as its reference, as a compromised or careless workflow
 * might: on a kiosk a link in the Done page would be a way out of the app. */
static void
markup_reference_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  static const char body[] = "{\"reference\":\"<a href=\\\"https://evil.example/\\\">MR-EVIL</a>"
                             " <b>bold</b>\"}";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body,
                                    strlen (body));
}

static void
test_reference_is_text (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MrTestServer) workflow = mr_test_server_new (markup_reference_cb, NULL);
  g_autoptr(MrConfig) config = mr_ui_sandbox_config (fixture->sandbox, MR_MODE_KIOSK);
  const char *shown;

  g_free (config->workflow_url);
  config->workflow_url = g_strdup_printf ("%s/webhook/medication-refill",
                                          mr_test_server_get_url (workflow));
  mr_window_set_config (fixture->window, config);
  sign_in_fill_submit (fixture);

  /* What the person reads (the page's text once its markup is parsed) is the reference as it
   * came, not a link and not bold. */
  shown = mr_window_get_message (fixture->window);
  g_assert_nonnull (strstr (shown, "Reference: <a href=\"https://evil.example/\">MR-EVIL</a> "
                                   "<b>bold</b>"));
}

/* @value for the workflow at @workflow_url, as Preferences saves it; NULL clears it. */
static void
store_secret (const char *account,
              const char *workflow_url,
              const char *value)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (value != NULL)
    {
      g_autofree char *origin = mr_url_origin (workflow_url);

      mr_secret_store_for_origin_async (MR_SECRET_WORKFLOW_AUTH, account, origin, "test", value,
                                        NULL, mr_test_store_result_cb, &result);
      mr_test_wait_for_result (&result, 10000);
      g_assert_true (mr_secret_store_finish (result, &error));
    }
  else
    {
      mr_secret_clear_async (MR_SECRET_WORKFLOW_AUTH, account, NULL, mr_test_store_result_cb,
                             &result);
      mr_test_wait_for_result (&result, 10000);
      g_assert_true (mr_secret_clear_finish (result, &error));
    }
  g_assert_no_error (error);
}

/* A request waiting in the outbox when the settings change (here: Header Auth turned on) goes out
 * only once the header's value is read from the keyring: sent before, it would lack it, be
 * refused and be held for staff. Retry now comes at once, as a hurried person's would. */
static void
test_waits_for_header_auth (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(MrConfig) config = NULL;
  g_autoptr(JsonArray) received = NULL;
  JsonObject *headers;

  if (g_getenv ("MEDREFILL_REQUIRE_KEYRING") == NULL)
    {
      g_test_skip ("needs the keyring that scripts/run-tests starts");
      return;
    }
  config = mr_ui_sandbox_config (fixture->sandbox, MR_MODE_DESK);
  store_secret ("X-Clinic-Auth", config->workflow_url, "per-device-secret");
  fault (fixture, MR_SINK_FAULT_ERROR_500);
  sign_in_fill_submit (fixture);
  g_assert_cmpuint (mr_outbox_get_pending_count (mr_window_get_outbox (fixture->window)), ==, 1);

  mr_sandbox_set_sink_faults (fixture->sandbox, NULL, 0);
  g_free (config->workflow_auth_header);
  config->workflow_auth_header = g_strdup ("X-Clinic-Auth");
  mr_window_set_config (fixture->window, config);
  mr_outbox_send_all_now (mr_window_get_outbox (fixture->window));
  wait_until_delivered (fixture);

  received = mr_sandbox_dup_received (fixture->sandbox);
  g_assert_cmpuint (json_array_get_length (received), ==, 1);
  headers = json_object_get_object_member (json_array_get_object_element (received, 0), "headers");
  g_assert_cmpstr (json_object_get_string_member_with_default (headers, "x-clinic-auth", NULL), ==,
                   "per-device-secret");
  store_secret ("X-Clinic-Auth", NULL, NULL);
}

/* A second workflow sink, on another port: it counts what reaches it. */
static void
count_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  static const char answer[] = "{\"reference\":\"MR-B\"}";

  g_atomic_int_inc ((gint *) user_data);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, answer,
                                    strlen (answer));
}

static GtkWidget *
find_action_row (GtkWidget *root)
{
  if (ADW_IS_ACTION_ROW (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_row (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
spin_until_held (MrOutbox *outbox,
                 guint     held)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (mr_outbox_get_held_count (outbox) != held && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (mr_outbox_get_held_count (outbox), ==, held);
}

/* workflow-url moves to another address while a request waits: it is not sent there, the Outbox
 * says why, and it goes out once the address is set back. */
static void
test_moved_workflow_keeps_backlog (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(MrTestServer) other = NULL;
  g_autoptr(MrConfig) moved = NULL;
  g_autoptr(MrConfig) back = NULL;
  MrOutbox *outbox = mr_window_get_outbox (fixture->window);
  MrOutboxView *view;
  GtkWidget *row;
  gint other_requests = 0;
  gint64 until;

  fault (fixture, MR_SINK_FAULT_ERROR_500);
  sign_in_fill_submit (fixture);
  g_assert_cmpuint (mr_outbox_get_pending_count (outbox), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-outbox", NULL);
  view = find_outbox_view ();
  g_assert_nonnull (view);

  other = mr_test_server_new (count_cb, &other_requests);
  moved = mr_ui_sandbox_config (fixture->sandbox, MR_MODE_DESK);
  g_free (moved->workflow_url);
  moved->workflow_url = g_strconcat (mr_test_server_get_url (other), "/webhook/medication-refill",
                                     NULL);
  mr_sandbox_set_sink_faults (fixture->sandbox, NULL, 0);
  mr_window_set_config (fixture->window, moved);
  spin_until_held (outbox, 1);
  mr_outbox_send_all_now (outbox);
  until = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (g_atomic_int_get (&other_requests), ==, 0);
  row = find_action_row (GTK_WIDGET (view));
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "another workflow address"));

  back = mr_ui_sandbox_config (fixture->sandbox, MR_MODE_DESK);
  mr_window_set_config (fixture->window, back);
  spin_until_held (outbox, 0);
  wait_until_delivered (fixture);
  g_assert_cmpuint (mr_sandbox_get_delivered_count (fixture->sandbox), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&other_requests), ==, 0);
  gtk_window_destroy (GTK_WINDOW (view));
}

/* The Outbox lists patients and medicines and can discard: at a desk it opens only for a signed-in
 * staff member, and the idle lock closes it and hides its button. */
static void
test_staff_only (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkWidget *button = mr_ui_find_by_id (GTK_WIDGET (fixture->window), "outbox_button");

  fault (fixture, MR_SINK_FAULT_ERROR_500);
  sign_in_fill_submit (fixture);
  g_assert_true (gtk_widget_get_visible (button));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-outbox", NULL);
  g_assert_nonnull (find_outbox_view ());

  /* Nobody at the desk: locked, and the list goes with the lock. */
  mr_window_set_kiosk_timeouts (fixture->window, 300, 300, 600000);
  mr_ui_wait_for_page (fixture->window, "welcome");
  g_assert_null (find_outbox_view ());
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_cmpuint (mr_outbox_get_pending_count (mr_window_get_outbox (fixture->window)), ==, 1);
  /* Not even by its action (a shortcut, an accessibility tool). */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-outbox", NULL);
  g_assert_null (find_outbox_view ());
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/ui/outbox/needs-display"))
    return g_test_run ();
  adw_init ();

  g_test_add ("/ui/outbox/saved-then-delivered-once", Fixture, NULL, desk_set_up,
              test_saved_then_delivered_once, tear_down);
  g_test_add ("/ui/outbox/refused-is-held", Fixture, NULL, desk_set_up, test_refused_is_held,
              tear_down);
  g_test_add ("/ui/outbox/reference-is-text", Fixture, NULL, kiosk_set_up,
              test_reference_is_text, tear_down);
  g_test_add ("/ui/outbox/kiosk-says-nothing", Fixture, NULL, kiosk_set_up,
              test_kiosk_says_nothing_of_the_patient, tear_down);
  g_test_add ("/ui/outbox/staff-only", Fixture, NULL, desk_set_up, test_staff_only, tear_down);
  g_test_add ("/ui/outbox/moved-workflow-keeps-backlog", Fixture, NULL, desk_set_up,
              test_moved_workflow_keeps_backlog, tear_down);
  g_test_add ("/ui/outbox/waits-for-header-auth", Fixture, NULL, desk_set_up,
              test_waits_for_header_auth, tear_down);
  return g_test_run ();
}

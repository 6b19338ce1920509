/* SPDX-License-Identifier: GPL-3.0-or-later */
/* End to end: the real window signs in through the real WebKit page served by the sandbox tenant,
 * gets the prefilled form, adds a medicine, submits, and the sandbox's workflow sink receives it. */
#include <string.h>

#include <adwaita.h>

#include "mr-config.h"
#include "mr-refill-form.h"
#include "mr-sandbox.h"
#include "mr-test-jwt.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"
#include "mr-window.h"


typedef struct {
  MrSandbox *sandbox;
  MrWindow  *window;
} Fixture;

static const char *
field_text (Fixture    *fixture,
            const char *id)
{
  GtkWidget *widget = mr_ui_find_by_id (mr_window_get_form (fixture->window), id);

  g_assert_nonnull (widget);
  /* The gender is a choice: its text is the chosen item's. */
  if (ADW_IS_COMBO_ROW (widget))
    return gtk_string_object_get_string (adw_combo_row_get_selected_item (ADW_COMBO_ROW (widget)));
  return gtk_editable_get_text (GTK_EDITABLE (widget));
}

static void
set_medication_field (Fixture    *fixture,
                      const char *name,
                      guint       nth,
                      const char *text)
{
  GtkWidget *widget = mr_ui_find_by_name (mr_window_get_form (fixture->window), name, nth);

  g_assert_nonnull (widget);
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->sandbox = mr_ui_start_sandbox ();
  /* The patient signs in for themselves, as at a kiosk (a desk's sign-in is the staff member's:
   * tests/ui/test-desk.c). */
  fixture->window = mr_ui_open_window (fixture->sandbox, MR_MODE_KIOSK);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->sandbox);
}

static JsonObject *
only_received (Fixture *fixture)
{
  g_autoptr(JsonArray) received = mr_sandbox_dup_received (fixture->sandbox);

  g_assert_cmpuint (json_array_get_length (received), ==, 1);
  return json_object_ref (json_array_get_object_element (received, 0));
}

typedef struct {
  MrSandbox *sandbox;
  guint      total;  /* every request the sandbox had answered when the redirect came */
  gboolean   seen;
  guint      at_form;  /* …and when the visit had the patient (the form filled) */
  guint      tokens_at_form;
} AtRedirect;

/* The moment the form is filled: the visit turns READY, before anything it starts then (the
 * clinic API's token). */
static void
count_at_ready_cb (MrVisit    *visit,
                   GParamSpec *pspec,
                   AtRedirect *at)
{
  if (mr_visit_get_state (visit) != MR_VISIT_STATE_READY || at->at_form != 0)
    return;
  at->at_form = mr_sandbox_get_request_count (at->sandbox, NULL);
  at->tokens_at_form = mr_sandbox_get_request_count (at->sandbox,
                                                     "/" MR_SANDBOX_TENANT_ID "/oauth2/v2.0/token");
}

/* The claims of a JWT, unverified (the sandbox's sink verifies it). */
static JsonObject *
jwt_claims (const char *jwt)
{
  g_autofree char *text = mr_test_jwt_claims_text (jwt);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* An emission hook runs before the window's own ::redirect handler, so before the token request
 * it starts: the count is all the sandbox had served up to the redirect. */
static gboolean
count_at_redirect_hook (GSignalInvocationHint *hint,
                        guint                  n_values,
                        const GValue          *values,
                        gpointer               user_data)
{
  AtRedirect *at = user_data;

  at->total = mr_sandbox_get_request_count (at->sandbox, NULL);
  at->seen = TRUE;
  return TRUE;
}

static void
test_sign_in_fill_submit (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) claims = NULL;
  JsonObject *headers, *body, *patient, *medication;
  guint token_before, me_before, redirect_signal, hook, after_redirect;
  gulong ready_handler;
  const char *authorization;
  AtRedirect at = { fixture->sandbox, 0, FALSE, 0, 0 };

  /* The Welcome page has a spare sign-in view whose web and network processes are up. */
  g_assert_cmpuint (mr_ui_wait_webkit_count (2, 30000), >=, 2);
  mr_ui_report_memory ("welcome");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  mr_ui_report_memory ("signin");

  token_before = mr_sandbox_get_request_count (fixture->sandbox, "/" MR_SANDBOX_TENANT_ID "/oauth2/v2.0/token");
  me_before = mr_sandbox_get_request_count (fixture->sandbox, "/v1.0/me");
  g_assert_cmpuint (token_before, ==, 0);
  g_assert_cmpuint (me_before, ==, 0);

  redirect_signal = g_signal_lookup ("redirect", MR_TYPE_SIGNIN_HELPER);
  hook = g_signal_add_emission_hook (redirect_signal, 0, count_at_redirect_hook, &at, NULL);
  ready_handler = g_signal_connect (mr_window_get_visit (fixture->window), "notify::state",
                                    G_CALLBACK (count_at_ready_cb), &at);
  mr_ui_sign_in_as (fixture->window, "jack.smith@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "form");
  g_signal_remove_emission_hook (redirect_signal, hook);
  g_signal_handler_disconnect (mr_window_get_visit (fixture->window), ready_handler);

  /* The web view is gone as soon as the redirect is captured, and so are its processes: none
   * keeps the patient's session alive in the background. */
  g_assert_null (mr_window_get_signin_helper (fixture->window));
  g_assert_cmpuint (mr_ui_wait_webkit_gone (20000), ==, 0);
  /* WebKit ran in the sign-in helper only: none of its libraries was ever loaded here. */
  {
    g_autofree char *maps = NULL;

    g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
    g_assert_null (strstr (maps, "libwebkitgtk"));
    g_assert_null (strstr (maps, "libjavascriptcoregtk"));
  }
  mr_ui_report_memory ("form");
  /* Between the redirect and the filled form: one token request and one Graph request, nothing
   * else. */
  g_assert_cmpuint (at.tokens_at_form, ==, 1);
  g_assert_cmpuint (mr_sandbox_get_request_count (fixture->sandbox, "/v1.0/me"), ==, 1);
  g_assert_cmpuint (mr_sandbox_get_request_count (fixture->sandbox,
                                                  "/" MR_SANDBOX_TENANT_ID "/discovery/v2.0/keys"), ==, 1);
  /* …and those two are all: no other path was asked for after the redirect (the keys came with
   * the discovery, before). bench/signin.sh reads this line. */
  g_assert_true (at.seen);
  g_assert_cmpuint (at.at_form, >, 0);
  after_redirect = at.at_form - at.total;
  g_test_message ("requests after the redirect: %u", after_redirect);
  g_assert_cmpuint (after_redirect, ==, 2);

  g_assert_cmpstr (field_text (fixture, "given_name"), ==, "Jack");
  g_assert_cmpstr (field_text (fixture, "surname"), ==, "Smith");
  g_assert_cmpstr (field_text (fixture, "date_of_birth"), ==, "2000-01-01");
  g_assert_cmpstr (field_text (fixture, "hospital_number"), ==, "HN11112");
  g_assert_cmpstr (field_text (fixture, "gender"), ==, "Male");
  g_assert_cmpstr (field_text (fixture, "email"), ==, "jack.smith@example.org");
  g_assert_cmpstr (field_text (fixture, "street_address"), ==, "12 Harbour Road");
  g_assert_cmpstr (field_text (fixture, "city"), ==, "Springfield");

  /* Not valid yet: no medicine, no consent. */
  g_assert_false (mr_refill_form_get_valid (MR_REFILL_FORM (mr_window_get_form (fixture->window))));
  set_medication_field (fixture, "medication-name", 0, "Amoxicillin");
  set_medication_field (fixture, "medication-strength", 0, "500 mg");
  set_medication_field (fixture, "medication-quantity", 0, "30");
  gtk_widget_activate_action (mr_window_get_form (fixture->window), "form.add-medication", NULL);
  set_medication_field (fixture, "medication-name", 1, "Salbutamol inhaler");
  set_medication_field (fixture, "medication-strength", 1, "100 micrograms");
  set_medication_field (fixture, "medication-quantity", 1, "1");
  /* The notes take several lines: a text view. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (mr_ui_find_by_id (
                              mr_window_get_form (fixture->window), "notes"))),
                            "Please text me when it is ready.", -1);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (mr_ui_find_by_id (mr_window_get_form (fixture->window),
                                                             "consent")), TRUE);
  g_assert_true (mr_refill_form_get_valid (MR_REFILL_FORM (mr_window_get_form (fixture->window))));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.submit", NULL);
  mr_ui_wait_for_page (fixture->window, "done");
  g_assert_nonnull (strstr (mr_window_get_message (fixture->window), "MR-"));

  sent = only_received (fixture);
  headers = json_object_get_object_member (sent, "headers");
  body = json_object_get_object_member (sent, "body");
  g_assert_cmpstr (json_object_get_string_member (headers, "idempotency-key"), ==,
                   json_object_get_string_member (body, "request_id"));
  g_assert_cmpstr (json_object_get_string_member (headers, "content-type"), ==, "application/json");
  g_assert_cmpstr (json_object_get_string_member (body, "schema"), ==, "refill-v2");
  /* Jack changed nothing about himself: everything about him is the directory's. */
  g_assert_false (json_object_has_member (body, "patient_supplied"));
  g_assert_cmpstr (json_object_get_string_member (body, "mode"), ==, "kiosk");
  g_assert_true (json_object_get_null_member (body, "submitted_by"));
  patient = json_object_get_object_member (body, "patient");
  g_assert_cmpuint (strlen (json_object_get_string_member (patient, "object_id")), ==, 36);
  /* The request carries the clinic API's token, for the patient, from a token request of its own
   * after the form was filled (one resource per token). */
  g_assert_cmpuint (mr_sandbox_get_request_count (fixture->sandbox,
                                                  "/" MR_SANDBOX_TENANT_ID "/oauth2/v2.0/token"), ==, 2);
  authorization = json_object_get_string_member_with_default (headers, "authorization", "");
  g_assert_true (g_str_has_prefix (authorization, "Bearer "));
  claims = jwt_claims (authorization + strlen ("Bearer "));
  g_assert_cmpstr (json_object_get_string_member (claims, "aud"), ==, MR_SANDBOX_CLIENT_ID);
  g_assert_cmpstr (json_object_get_string_member (claims, "scp"), ==, "Refill.Submit");
  g_assert_cmpstr (json_object_get_string_member (claims, "oid"), ==,
                   json_object_get_string_member (patient, "object_id"));
  g_assert_cmpstr (json_object_get_string_member (patient, "given_name"), ==, "Jack");
  g_assert_cmpstr (json_object_get_string_member (patient, "surname"), ==, "Smith");
  g_assert_cmpstr (json_object_get_string_member (patient, "date_of_birth"), ==, "2000-01-01");
  g_assert_cmpstr (json_object_get_string_member (patient, "hospital_number"), ==, "HN11112");
  g_assert_cmpstr (json_object_get_string_member (patient, "gender"), ==, "Male");
  g_assert_cmpstr (json_object_get_string_member (patient, "email"), ==, "jack.smith@example.org");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (patient, "address"),
                                                  "city"), ==, "Springfield");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "medications")), ==, 2);
  medication = json_array_get_object_element (json_object_get_array_member (body, "medications"), 0);
  g_assert_cmpstr (json_object_get_string_member (medication, "name"), ==, "Amoxicillin");
  g_assert_cmpstr (json_object_get_string_member (medication, "strength"), ==, "500 mg");
  g_assert_cmpint (json_object_get_int_member (medication, "quantity"), ==, 30);
  medication = json_array_get_object_element (json_object_get_array_member (body, "medications"), 1);
  g_assert_cmpstr (json_object_get_string_member (medication, "name"), ==, "Salbutamol inhaler");
  g_assert_cmpstr (json_object_get_string_member (body, "notes"), ==, "Please text me when it is ready.");
  g_assert_true (json_object_get_boolean_member (body, "consent"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "fulfilment"),
                                                  "method"), ==, "pickup");

  /* Start over leaves nothing of the patient on screen. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start-over", NULL);
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "welcome");
  g_assert_cmpstr (field_text (fixture, "given_name"), ==, "");
  g_assert_cmpstr (field_text (fixture, "hospital_number"), ==, "");
}

static void
test_wrong_password_then_unicode_patient (Fixture       *fixture,
                                          gconstpointer  data)
{
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  mr_ui_sign_in_as (fixture->window, "zoe.nunez@example.org", "not-the-password");
  /* The page comes back with an error; the app stays on the sign-in page. */
  mr_ui_wait_for_signin (fixture->window, "document.getElementById('error') !== null");
  g_assert_cmpuint (mr_sandbox_get_request_count (fixture->sandbox,
                                                  "/" MR_SANDBOX_TENANT_ID "/oauth2/v2.0/token"), ==, 0);
  mr_ui_sign_in_as (fixture->window, "zoe.nunez@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "form");
  g_assert_cmpstr (field_text (fixture, "given_name"), ==, "Zoë");
  g_assert_cmpstr (field_text (fixture, "surname"), ==, "Núñez-Ødegård");
}

static void
test_patient_without_attributes (Fixture       *fixture,
                                 gconstpointer  data)
{
  GtkWidget *hn;

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  mr_ui_sign_in_as (fixture->window, "ana.garcia@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "form");
  g_assert_cmpstr (field_text (fixture, "given_name"), ==, "Ana");
  g_assert_cmpstr (field_text (fixture, "hospital_number"), ==, "");
  hn = mr_ui_find_by_id (mr_window_get_form (fixture->window), "hospital_number");
  /* What the profile lacked is marked for the patient to fill in. */
  g_assert_true (gtk_widget_has_css_class (hn, "missing"));
  g_assert_false (gtk_widget_has_css_class (mr_ui_find_by_id (mr_window_get_form (fixture->window),
                                                         "given_name"), "missing"));
}

/* The sign-in helper missing (a broken install): tapping Sign in says so in one sentence. */
static void
test_helper_missing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *saved = g_strdup (g_getenv ("MEDREFILL_HELPER_DIR"));

  /* The spare helper was started with the window; the next one is looked for here. */
  g_setenv ("MEDREFILL_HELPER_DIR", "/nonexistent", TRUE);
  g_assert_cmpuint (mr_ui_kill_signin_helpers (), <=, 1);
  mr_ui_wait_webkit_gone (20000);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_page (fixture->window, "error");
  g_assert_cmpstr (mr_window_get_message (fixture->window), ==,
                   "The sign-in component of the app is missing. Reinstall the app.");
  g_setenv ("MEDREFILL_HELPER_DIR", saved, TRUE);
}

/* The helper dies while the page is shown (a crash, an out-of-memory kill): the window says
 * what happened, and the next try starts a new helper and works. */
static void
test_helper_dies (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  g_assert_cmpuint (mr_ui_kill_signin_helpers (), ==, 1);
  mr_ui_wait_for_page (fixture->window, "error");
  g_assert_cmpstr (mr_window_get_message (fixture->window), ==,
                   "The sign-in window closed unexpectedly. Please try again.");
  g_assert_null (mr_window_get_signin_helper (fixture->window));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.retry", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  mr_ui_sign_in_as (fixture->window, "jack.smith@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "form");
  g_assert_cmpstr (field_text (fixture, "given_name"), ==, "Jack");
}

/* The spare helper dies and, before the app has noticed, the person taps Sign in: the app hands
 * the page to a dead helper (the write may still land in the pipe while the helper's web
 * processes hold it, or fail; SIGPIPE is ignored either way), then says what happened. */
static void
test_helper_dead_before_open (Fixture       *fixture,
                              gconstpointer  data)
{
  /* The spare helper is up once its web processes are. */
  g_assert_cmpuint (mr_ui_wait_webkit_count (2, 30000), >=, 2);
  g_assert_cmpuint (mr_ui_kill_signin_helpers (), ==, 1);
  /* Let the kernel end it without running this thread's main loop (which would notice). */
  g_usleep (300 * 1000);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_page (fixture->window, "error");
  g_assert_cmpstr (mr_window_get_message (fixture->window), ==,
                   "The sign-in window closed unexpectedly. Please try again.");
}

/* The Welcome page's icon comes from the app's resources as a 128-pixel picture: found in every
 * run (installed or not) and drawn without the SVG renderer, which costs the first frame. */
/* The Welcome icon is a picture from the app's resources (the icon theme is not asked for it, so
 * no icon path is added while the theme loads: mr_application_new()), 256 px for twice the scale,
 * and it is there in an uninstalled run too. */
static void
test_welcome_icon (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *page = mr_ui_find_by_id (GTK_WIDGET (fixture->window), "welcome_page");
  GdkPaintable *icon;

  g_assert_nonnull (page);
  g_assert_true (gtk_widget_get_mapped (page));
  icon = adw_status_page_get_paintable (ADW_STATUS_PAGE (page));
  g_assert_true (GDK_IS_TEXTURE (icon));
  g_assert_cmpint (gdk_texture_get_width (GDK_TEXTURE (icon)), ==, 256);
  g_assert_cmpint (gdk_texture_get_height (GDK_TEXTURE (icon)), ==, 256);
  g_assert_null (adw_status_page_get_icon_name (ADW_STATUS_PAGE (page)));
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/ui/e2e/needs-display"))
    return g_test_run ();
  adw_init ();

  g_test_add ("/ui/e2e/welcome-icon", Fixture, NULL, fixture_set_up, test_welcome_icon,
              fixture_tear_down);
  g_test_add ("/ui/e2e/sign-in-fill-submit", Fixture, NULL, fixture_set_up,
              test_sign_in_fill_submit, fixture_tear_down);
  g_test_add ("/ui/e2e/wrong-password-then-unicode", Fixture, NULL, fixture_set_up,
              test_wrong_password_then_unicode_patient, fixture_tear_down);
  g_test_add ("/ui/e2e/patient-without-attributes", Fixture, NULL, fixture_set_up,
              test_patient_without_attributes, fixture_tear_down);
  g_test_add ("/ui/e2e/helper-missing", Fixture, NULL, fixture_set_up,
              test_helper_missing, fixture_tear_down);
  g_test_add ("/ui/e2e/helper-dies", Fixture, NULL, fixture_set_up,
              test_helper_dies, fixture_tear_down);
  g_test_add ("/ui/e2e/helper-dead-before-open", Fixture, NULL, fixture_set_up,
              test_helper_dead_before_open, fixture_tear_down);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sign in with your phone at a kiosk (issue 14 item 4), end to end against the sandbox tenant:
 * the test plays the phone over HTTP on the sandbox's phone pages with the user code it reads off
 * the screen, and the kiosk reaches the patient's prefilled form without ever starting a web view
 * or the sign-in helper. Also: the code running out, the person declining on the phone, Cancel,
 * and the idle guard leaving a patient who is busy with their phone alone. */
#include <adwaita.h>
#include <libsoup/soup.h>
#include <string.h>

#include "mr-config.h"
#include "mr-qr-code.h"
#include "mr-sandbox.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"
#include "mr-visit.h"
#include "mr-window.h"

#define TOKEN_PATH     "/" MR_SANDBOX_TENANT_ID "/oauth2/v2.0/token"
#define AUTHORIZE_PATH "/" MR_SANDBOX_TENANT_ID "/oauth2/v2.0/authorize"

typedef struct {
  MrSandbox   *sandbox;
  MrWindow    *window;
  SoupSession *phone;
  guint        authorize_at_tap;  /* sign-in pages asked for before the phone was chosen */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(MrConfig) config = NULL;

  fixture->sandbox = mr_ui_start_sandbox ();
  /* Quick polls; a code that lives long enough for any step of a loaded machine. */
  mr_sandbox_set_device_timing (fixture->sandbox, 600, 1);
  fixture->window = mr_ui_open_window (fixture->sandbox, MR_MODE_KIOSK);
  config = mr_ui_sandbox_config (fixture->sandbox, MR_MODE_KIOSK);
  config->device_sign_in = TRUE;
  mr_window_set_config (fixture->window, config);
  mr_window_set_kiosk_timeouts (fixture->window, 600000, 600000, 400);
  fixture->phone = soup_session_new ();
}

/* The app's style sheet, as MrApplication loads it, so that a screenshot shows the code's type. */
static void
load_style (void)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (css, "/io/github/medrefill/MedRefill/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->phone);
  g_clear_object (&fixture->sandbox);
}

static GtkWidget *
find (Fixture    *fixture,
      const char *id)
{
  GtkWidget *widget = mr_ui_find_by_id (GTK_WIDGET (fixture->window), id);

  g_assert_nonnull (widget);
  return widget;
}

static const char *
label_text (Fixture    *fixture,
            const char *id)
{
  return gtk_label_get_text (GTK_LABEL (find (fixture, id)));
}

/* Taps "Sign in with your phone" and waits for the code on screen. */
static void
tap_phone_sign_in (Fixture *fixture)
{
  GtkWidget *button = find (fixture, "phone_sign_in_button");

  g_assert_true (gtk_widget_get_visible (button));
  /* Welcome preloads the next person's sign-in page (for the other button): let it finish, so
   * that every request after the tap is this path's. */
  while (!mr_window_get_next_signin_ready (fixture->window))
    g_main_context_iteration (NULL, TRUE);
  fixture->authorize_at_tap = mr_sandbox_get_request_count (fixture->sandbox, AUTHORIZE_PATH);
  g_signal_emit_by_name (button, "clicked");
  mr_ui_wait_for_page (fixture->window, "phone");
  g_assert_cmpstr (label_text (fixture, "phone_code"), !=, "");
}

/* The phone's page: where the QR code points, without the query that carries the code. */
static char *
phone_page (Fixture *fixture)
{
  const char *text = mr_qr_code_get_text (MR_QR_CODE (find (fixture, "phone_qr")));
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), g_uri_get_path (uri), NULL, NULL);
}

/* Posts @form (encoded) to the phone page as the phone's browser would; returns the page. */
static char *
phone_post (Fixture    *fixture,
            const char *url,
            char       *form)
{
  g_autoptr(SoupMessage) msg = soup_message_new_from_encoded_form ("POST", url, form);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (fixture->phone, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

/* The value of the hidden input @name in @page. */
static char *
hidden_value (const char *page,
              const char *name)
{
  g_autofree char *needle = g_strdup_printf ("name=\"%s\" value=\"", name);
  const char *start = strstr (page, needle);
  const char *end;

  g_assert_nonnull (start);
  start += strlen (needle);
  end = strchr (start, '"');
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

/* On the phone: the code read off the kiosk's screen, then @email's password, then Continue
 * (@approve) or Cancel. */
static void
phone_signs_in (Fixture    *fixture,
                const char *email,
                gboolean    approve)
{
  g_autofree char *url = phone_page (fixture);
  g_autofree char *user_code = g_strdup (label_text (fixture, "phone_code"));
  g_autofree char *page = NULL;
  g_autofree char *session = NULL;

  g_free (phone_post (fixture, url, soup_form_encode ("otc", user_code, NULL)));
  page = phone_post (fixture, url, soup_form_encode ("otc", user_code, "email", email,
                                                     "password", MR_SANDBOX_PASSWORD, NULL));
  session = hidden_value (page, "session");
  g_free (phone_post (fixture, url, soup_form_encode ("otc", user_code, "session", session,
                                                      approve ? "approve" : "cancel", "1",
                                                      NULL)));
}

/* No sign-in page was asked for since the phone was chosen, and no helper shows one. */
static void
assert_no_web_view (Fixture *fixture)
{
  g_assert_null (mr_window_get_signin_helper (fixture->window));
  g_assert_cmpuint (mr_sandbox_get_request_count (fixture->sandbox, AUTHORIZE_PATH), ==,
                    fixture->authorize_at_tap);
}

static void
test_success (Fixture       *fixture,
              gconstpointer  data)
{
  GtkWidget *form;
  g_autofree char *uri = NULL;

  tap_phone_sign_in (fixture);
  /* The spare helper of Welcome ended: not one WebKit process (nor the helper) on this path. */
  g_assert_cmpuint (mr_ui_wait_webkit_gone (MR_UI_WAIT_MS), ==, 0);
  uri = phone_page (fixture);
  g_assert_true (g_str_has_prefix (uri, mr_sandbox_get_base_url (fixture->sandbox)));
  g_assert_nonnull (strstr (label_text (fixture, "phone_instruction"), uri));
  g_assert_true (g_str_has_prefix (label_text (fixture, "phone_countdown"), "Code expires in "));
  g_assert_false (gtk_label_get_selectable (GTK_LABEL (find (fixture, "phone_code"))));
  mr_ui_save_screenshot (fixture->window, "phone-sign-in");

  phone_signs_in (fixture, "jack.smith@example.org", TRUE);
  mr_ui_wait_for_page (fixture->window, "form");
  form = mr_window_get_form (fixture->window);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (mr_ui_find_by_id (form, "hospital_number"))),
                   ==, "HN11112");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (mr_ui_find_by_id (form, "given_name"))),
                   ==, "Jack");
  assert_no_web_view (fixture);
  g_assert_cmpuint (mr_ui_wait_webkit_gone (0), ==, 0);
  /* Nothing of the code stays on the page behind the form. */
  g_assert_cmpstr (label_text (fixture, "phone_code"), ==, "");

  /* Start over: Welcome again, with its spare sign-in helper for the next person. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start-over", NULL);
  mr_ui_wait_for_page (fixture->window, "welcome");
}

/* The code runs out on screen: back to Welcome, with a sentence that says so. */
static void
test_expired (Fixture       *fixture,
              gconstpointer  data)
{
  mr_sandbox_set_device_timing (fixture->sandbox, 3, 1);
  tap_phone_sign_in (fixture);
  g_assert_true (g_str_has_prefix (label_text (fixture, "phone_countdown"), "Code expires in 0:0"));
  mr_ui_wait_for_page (fixture->window, "welcome");
  g_test_message ("expired: %s", mr_window_get_message (fixture->window));
  g_assert_nonnull (mr_window_get_message (fixture->window));
  g_assert_cmpstr (label_text (fixture, "phone_code"), ==, "");
}

/* The person says no on the phone. */
static void
test_declined (Fixture       *fixture,
               gconstpointer  data)
{
  tap_phone_sign_in (fixture);
  phone_signs_in (fixture, "jack.smith@example.org", FALSE);
  /* Checked before Welcome is back, where the next person's page is preloaded at once. */
  assert_no_web_view (fixture);
  mr_ui_wait_for_page (fixture->window, "welcome");
  g_test_message ("declined: %s", mr_window_get_message (fixture->window));
  g_assert_nonnull (mr_window_get_message (fixture->window));
}

/* Spins the main loop for @ms. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (10000);
}

/* Cancel: Welcome again and the polling stopped (no token request after it). */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  guint polls;

  tap_phone_sign_in (fixture);
  while (mr_sandbox_get_request_count (fixture->sandbox, TOKEN_PATH) == 0)
    g_main_context_iteration (NULL, TRUE);
  assert_no_web_view (fixture);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.cancel-sign-in", NULL);
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "welcome");
  g_assert_null (mr_window_get_message (fixture->window));
  polls = mr_sandbox_get_request_count (fixture->sandbox, TOKEN_PATH);
  spin (3000);
  g_assert_cmpuint (mr_sandbox_get_request_count (fixture->sandbox, TOKEN_PATH), ==, polls);
  g_assert_cmpstr (label_text (fixture, "phone_code"), ==, "");
}

/* A patient scanning the code does not touch the kiosk: while the code is valid, no "Still
 * there?" and no wipe, however short the idle timeout; the code's expiry governs the page. */
static void
test_idle_spares_code (Fixture       *fixture,
                       gconstpointer  data)
{
  tap_phone_sign_in (fixture);
  mr_window_set_kiosk_timeouts (fixture->window, 500, 500, 400);
  spin (2500);
  g_assert_false (mr_window_get_idle_warning (fixture->window));
  g_assert_cmpstr (mr_window_get_page (fixture->window), ==, "phone");
  /* Once signed in, the form is guarded as ever. */
  phone_signs_in (fixture, "ana.garcia@example.org", TRUE);
  mr_ui_wait_for_page (fixture->window, "form");
  mr_ui_wait_for_page (fixture->window, "welcome");
}

/* Off (the default), Welcome has no such button. */
static void
test_off_by_default (void)
{
  g_autoptr(MrSandbox) sandbox = mr_ui_start_sandbox ();
  MrWindow *window = mr_ui_open_window (sandbox, MR_MODE_KIOSK);
  GtkWidget *button = mr_ui_find_by_id (GTK_WIDGET (window), "phone_sign_in_button");

  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_visible (button));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/ui/phone/needs-display"))
    return g_test_run ();
  adw_init ();
  load_style ();

  g_test_add_func ("/ui/phone/off-by-default", test_off_by_default);
  g_test_add ("/ui/phone/success", Fixture, NULL, fixture_set_up, test_success, fixture_tear_down);
  g_test_add ("/ui/phone/expired", Fixture, NULL, fixture_set_up, test_expired, fixture_tear_down);
  g_test_add ("/ui/phone/declined", Fixture, NULL, fixture_set_up, test_declined,
              fixture_tear_down);
  g_test_add ("/ui/phone/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/ui/phone/idle-spares-code", Fixture, NULL, fixture_set_up, test_idle_spares_code,
              fixture_tear_down);
  return g_test_run ();
}

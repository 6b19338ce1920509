/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The real window in Spanish: the Welcome page, the sign-in through the sandbox's page, the
 * prefilled form's labels, and the core's sentences (src/core/mr-rules*.c, mr-refill-validate.c)
 * as the form shows them. The catalogue is the build's (po/es.po compiled into
 * $MEDREFILL_LOCALEDIR/es/LC_MESSAGES); the locale is C.UTF-8 with LANGUAGE=es, which glibc honours
 * without any generated locale. */
#include <locale.h>
#include <adwaita.h>
#include <glib/gi18n.h>

#include "config.h"
#include "mr-config.h"
#include "mr-sandbox.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"
#include "mr-window.h"

typedef struct {
  MrSandbox *sandbox;
  MrWindow  *window;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->sandbox = mr_ui_start_sandbox ();
  fixture->window = mr_ui_open_window (fixture->sandbox, MR_MODE_KIOSK);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->sandbox);
}

static GtkWidget *
window_widget (Fixture    *fixture,
               const char *id)
{
  GtkWidget *widget = mr_ui_find_by_id (GTK_WIDGET (fixture->window), id);

  g_assert_nonnull (widget);
  return widget;
}

static GtkWidget *
form_widget (Fixture    *fixture,
             const char *id)
{
  GtkWidget *widget = mr_ui_find_by_id (mr_window_get_form (fixture->window), id);

  g_assert_nonnull (widget);
  return widget;
}

static const char *
row_title (Fixture    *fixture,
           const char *id)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (form_widget (fixture, id)));
}

static const char *
label_text (Fixture    *fixture,
            const char *id)
{
  GtkWidget *label = form_widget (fixture, id);

  g_assert_true (gtk_widget_get_visible (label));
  return gtk_label_get_text (GTK_LABEL (label));
}

static void
set_medication_field (Fixture    *fixture,
                      const char *name,
                      const char *text)
{
  GtkWidget *widget = mr_ui_find_by_name (mr_window_get_form (fixture->window), name, 0);

  g_assert_nonnull (widget);
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static void
test_welcome_sign_in_form (Fixture       *fixture,
                           gconstpointer  data)
{
  AdwStatusPage *welcome = ADW_STATUS_PAGE (window_widget (fixture, "welcome_page"));
  GtkStringObject *gender;

  /* The Welcome page and its button (mnemonic kept). */
  g_assert_cmpstr (adw_status_page_get_title (welcome), ==, "Renovación de recetas");
  g_assert_cmpstr (adw_status_page_get_description (welcome), ==,
                   "Inicie sesión con su cuenta de la clínica para pedir la renovación de las "
                   "recetas de sus medicamentos.");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (window_widget (fixture, "sign_in_button"))),
                   ==, "_Iniciar sesión");

  /* The sandbox's own page is not the app's to translate: it is signed in as in English. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.sign-in", NULL);
  mr_ui_wait_for_signin (fixture->window, MR_UI_EMAIL_FIELD_READY);
  /* The provider was asked for its page in Spanish (issue 14 item 5): the page the helper shows is
   * the sandbox's answer to exactly this authorize GET, so its address is the request received. */
  g_assert_true (mr_ui_run_signin_js (fixture->window,
                                      "new URL (location.href).pathname.endsWith "
                                      "('/oauth2/v2.0/authorize') && new URL (location.href)"
                                      ".searchParams.getAll ('ui_locales').join () === 'es'"));
  mr_ui_sign_in_as (fixture->window, "jack.smith@example.org", MR_SANDBOX_PASSWORD);
  mr_ui_wait_for_page (fixture->window, "form");

  /* The form's labels (resources/mr-refill-form.ui) and the gender as the list shows it. */
  g_assert_cmpstr (row_title (fixture, "given_name"), ==, "Nombre");
  g_assert_cmpstr (row_title (fixture, "surname"), ==, "Apellidos");
  g_assert_cmpstr (row_title (fixture, "hospital_number"), ==, "Número de historia clínica");
  gender = adw_combo_row_get_selected_item (ADW_COMBO_ROW (form_widget (fixture, "gender")));
  g_assert_nonnull (gender);
  g_assert_cmpstr (gtk_string_object_get_string (gender), ==, "Hombre");

  /* The core's sentences. No medicine yet (src/core/mr-rules.c): */
  g_assert_cmpstr (label_text (fixture, "problem_label"), ==,
                   "El medicamento 1 necesita un nombre.");
  /* A malformed email (src/core/mr-rules.c), under its section too (at a kiosk the date of birth
   * is the directory's, not editable: the patient flags it instead): */
  gtk_editable_set_text (GTK_EDITABLE (form_widget (fixture, "email")), "jack.example.org");
  g_assert_cmpstr (label_text (fixture, "patient_problem"), ==,
                   "El correo electrónico debe tener la forma nombre@ejemplo.org.");
  g_assert_cmpstr (label_text (fixture, "problem_label"), ==,
                   "El correo electrónico debe tener la forma nombre@ejemplo.org.");
  gtk_editable_set_text (GTK_EDITABLE (form_widget (fixture, "email")), "jack.smith@example.org");
  /* A medicine's quantity out of bounds: its number and the limit, in the translated order. */
  set_medication_field (fixture, "medication-name", "Amoxicilina");
  set_medication_field (fixture, "medication-quantity", "5000");
  g_assert_cmpstr (label_text (fixture, "problem_label"), ==,
                   "La cantidad del medicamento 1 debe estar entre 1 y 1000.");
  /* Neither quantity nor days' supply (src/core/mr-refill-validate.c): */
  set_medication_field (fixture, "medication-quantity", "");
  g_assert_cmpstr (label_text (fixture, "problem_label"), ==,
                   "El medicamento 1 necesita una cantidad o un número de días de tratamiento.");
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir;

  mr_test_init_with_home (&argc, &argv);
  /* Spanish whatever the machine's locale: C.UTF-8 is built into glibc, and LANGUAGE chooses the
   * catalogue as long as LC_MESSAGES is not plain "C". */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "es", TRUE);
  setlocale (LC_ALL, "");
  /* As src/main.c does, with the build's catalogues (tests/ui/meson.build sets the directory). */
  localedir = g_getenv ("MEDREFILL_LOCALEDIR");
  if (localedir == NULL)
    g_error ("MEDREFILL_LOCALEDIR is not set: run this test through meson");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (!mr_ui_have_display ("/ui/spanish/needs-display"))
    return g_test_run ();
  adw_init ();

  g_test_add ("/ui/spanish/welcome-sign-in-form", Fixture, NULL, fixture_set_up,
              test_welcome_sign_in_form, fixture_tear_down);
  return g_test_run ();
}

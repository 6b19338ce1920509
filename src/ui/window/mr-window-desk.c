/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Desk mode: the staff member signs in once per shift (the session resumes silently at the next
 * start), looks a patient up, and submits on their behalf; idle locks behind a new sign-in. */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "config.h"
#include "mr-graph.h"

static void search_cb         (MrLookupPage    *page,
                               int              kind,
                               const char      *query,
                               MrWindow        *self);
static void patient_chosen_cb (MrLookupPage    *page,
                               const MrPatient *patient,
                               MrWindow        *self);

/* Staff only: the Find a Patient page is built the first time a desk shows it. */
static MrLookupPage *
lookup_page (MrWindow *self)
{
  if (self->lookup_page == NULL)
    {
      GtkStackPage *page;

      self->lookup_page = MR_LOOKUP_PAGE (mr_lookup_page_new ());
      page = gtk_stack_add_named (self->stack, GTK_WIDGET (self->lookup_page), "lookup");
      gtk_stack_page_set_title (page, _("Find a Patient"));
      g_signal_connect (self->lookup_page, "search", G_CALLBACK (search_cb), self);
      g_signal_connect (self->lookup_page, "patient-chosen", G_CALLBACK (patient_chosen_cb), self);
    }
  return self->lookup_page;
}

static void
update_staff_label (MrWindow *self)
{
  gboolean signed_in = self->staff != NULL && mr_staff_session_is_signed_in (self->staff);
  g_autofree char *text = NULL;

  if (signed_in)
    text = g_strdup_printf (_("Signed in as %s"), mr_staff_session_get_name (self->staff)
                                                  ? mr_staff_session_get_name (self->staff) : "");
  gtk_label_set_text (GTK_LABEL (self->staff_label), text ? text : "");
  gtk_widget_set_visible (self->staff_label, signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", signed_in);
}

gboolean
mr_window_desk_show_home (MrWindow *self)
{
  if (mr_window_is_kiosk (self) || self->staff == NULL || !mr_staff_session_is_signed_in (self->staff))
    return FALSE;
  mr_lookup_page_clear (lookup_page (self));
  mr_window_show_page (self, "lookup");
  return TRUE;
}

static void
extensions_found_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = mr_graph_find_extensions_app_finish (result, &error);

  /* Not allowed (no Application.Read.All) or not found: the ID token's claims remain. */
  if (app_id == NULL)
    {
      g_debug ("the extensions app was not found: %s", error ? error->message : "none");
      return;
    }
  g_free (self->found_extensions_app_id);
  self->found_extensions_app_id = g_steal_pointer (&app_id);
}

static void
extensions_token_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autofree char *token = mr_staff_session_get_token_finish (MR_STAFF_SESSION (source), result,
                                                              NULL);

  if (token != NULL)
    mr_graph_find_extensions_app_async (self->session, self->config->graph_url, token,
                                        self->cancellable, extensions_found_cb, g_object_ref (self));
}

/* The extensions app id was not configured: ask Graph once per staff session (off the path of
 * any patient), so that lookups can select the custom attributes. */
static void
discover_extensions_app (MrWindow *self)
{
  if (mr_window_extensions_app_id (self) != NULL)
    return;
  mr_staff_session_get_token_async (self->staff, self->cancellable, extensions_token_cb,
                                    g_object_ref (self));
}

void
mr_window_desk_begin (MrWindow         *self,
                      const MrTokenSet *tokens)
{
  g_autoptr(GError) error = NULL;

  if (!mr_staff_session_begin (self->staff, tokens))
    {
      g_set_error_literal (&error, MR_OIDC_ERROR, MR_OIDC_ERROR_ID_TOKEN,
                           _("The sign-in did not say who you are (no object id). Ask your administrator."));
      mr_window_show_error (self, error);
      return;
    }
  update_staff_label (self);
  discover_extensions_app (self);
  mr_window_desk_show_home (self);
}

static void
resumed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_staff_session_resume_finish (MR_STAFF_SESSION (source), result, &error))
    {
      if (error != NULL)
        g_debug ("the staff session did not resume: %s", error->message);
      return;
    }
  update_staff_label (self);
  discover_extensions_app (self);
  if (g_strcmp0 (mr_window_get_page (self), "welcome") == 0)
    mr_window_desk_show_home (self);
}

void
mr_window_desk_configure (MrWindow *self)
{
  if (mr_window_is_kiosk (self) || self->staff != NULL)
    return;
  if (self->settings == NULL)
    self->settings = g_settings_new (APP_ID);
  self->staff = mr_staff_session_new (self->oidc, self->settings);
  mr_staff_session_resume_async (self->staff, self->cancellable, resumed_cb, g_object_ref (self));
}

void
mr_window_desk_sign (MrWindow        *self,
                     MrRefillRequest *request)
{
  if (self->staff == NULL || !mr_staff_session_is_signed_in (self->staff))
    return;
  g_free (request->submitted_by_id);
  request->submitted_by_id = g_strdup (mr_staff_session_get_id (self->staff));
  g_free (request->submitted_by_name);
  request->submitted_by_name = g_strdup (mr_staff_session_get_name (self->staff));
  request->patient_present = mr_lookup_page_get_patient_present (lookup_page (self));
}

void
mr_window_desk_lock (MrWindow *self)
{
  if (self->staff == NULL)
    return;
  mr_staff_session_lock (self->staff);
  update_staff_label (self);
}

/* ---- Lookup ----------------------------------------------------------------------------- */

typedef struct {
  MrWindow     *window;
  MrLookupKind  kind;
  char         *query;
  char         *user_id;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_object_unref (lookup->window);
  g_free (lookup->query);
  g_free (lookup->user_id);
  g_free (lookup);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Lookup, lookup_free)

static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Lookup) lookup = user_data;
  MrWindow *self = lookup->window;
  g_autoptr(GError) error = NULL;
  gboolean truncated = FALSE;
  g_autoptr(GPtrArray) patients = mr_graph_search_users_finish (result, &truncated, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  mr_lookup_page_set_busy (lookup_page (self), FALSE);
  if (patients == NULL)
    mr_lookup_page_set_problem (lookup_page (self), error->message);
  else
    mr_lookup_page_set_results (lookup_page (self), patients, truncated);
}

static void
patient_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Lookup) lookup = user_data;
  MrWindow *self = lookup->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(MrPatient) patient = mr_graph_get_user_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (patient == NULL)
    {
      mr_window_show_page (self, "lookup");
      mr_lookup_page_set_problem (lookup_page (self), error->message);
      return;
    }
  g_clear_pointer (&self->patient, mr_patient_free);
  self->patient = g_steal_pointer (&patient);
  mr_refill_form_set_patient (mr_window_form (self), self->patient);
  mr_window_show_page (self, "form");
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Lookup) lookup = user_data;
  MrWindow *self = lookup->window;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = mr_staff_session_get_token_finish (MR_STAFF_SESSION (source), result,
                                                              &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (token == NULL)
    {
      update_staff_label (self);
      mr_window_show_error (self, error);
      return;
    }
  /* The lookup is handed on as the callback's data; read what the call needs first. */
  if (lookup->user_id != NULL)
    {
      const char *user_id = lookup->user_id;

      mr_graph_get_user_async (self->session, self->config->graph_url,
                               mr_window_extensions_app_id (self), token, user_id,
                               self->cancellable, patient_read_cb, g_steal_pointer (&lookup));
    }
  else
    {
      MrLookupKind kind = lookup->kind;
      const char *query = lookup->query;

      mr_graph_search_users_async (self->session, self->config->graph_url,
                                   mr_window_extensions_app_id (self), token, kind, query,
                                   self->cancellable, searched_cb, g_steal_pointer (&lookup));
    }
}

static void
search_cb (MrLookupPage *page,
           int           kind,
           const char   *query,
           MrWindow     *self)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->window = g_object_ref (self);
  lookup->kind = (MrLookupKind) kind;
  lookup->query = g_strdup (query);
  mr_lookup_page_set_problem (page, NULL);
  mr_lookup_page_set_busy (page, TRUE);
  mr_staff_session_get_token_async (self->staff, self->cancellable, token_cb, lookup);
}

static void
patient_chosen_cb (MrLookupPage    *page,
                   const MrPatient *patient,
                   MrWindow        *self)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->window = g_object_ref (self);
  lookup->user_id = g_strdup (patient->id);
  gtk_label_set_text (self->busy_label, _("Opening the patient's details…"));
  mr_window_show_page (self, "busy");
  mr_staff_session_get_token_async (self->staff, self->cancellable, token_cb, lookup);
}

/* ---- Sign-out ---------------------------------------------------------------------------- */

static void
signed_out_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);
  g_autofree char *url = NULL;

  if (self->staff == NULL)
    return;
  url = mr_staff_session_end (self->staff);
  /* Ends the provider's session too, so the next sign-in asks for a password. */
  if (url != NULL)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

      if (msg != NULL)
        {
          soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
          soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, NULL,
                                            signed_out_cb, NULL);
        }
    }
  update_staff_label (self);
  mr_window_wipe (self);
  mr_window_show_page (self, "welcome");
}

void
mr_window_desk_init (MrWindow *self)
{
  self->staff_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->staff_label, "staff-label");
  gtk_widget_add_css_class (self->staff_label, "dim-label");
  gtk_widget_set_visible (self->staff_label, FALSE);
  adw_header_bar_pack_start (self->header_bar, self->staff_label);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", FALSE);
}

void
mr_window_desk_dispose (MrWindow *self)
{
  g_clear_object (&self->staff);
  g_clear_object (&self->settings);
}

void
mr_window_desk_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);
}

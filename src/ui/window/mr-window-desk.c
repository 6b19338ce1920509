/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Desk mode: the staff member signs in once per shift (the session resumes silently at the next
 * start), looks a patient up, and submits on their behalf; idle locks behind a new sign-in, and a
 * restart after the lock does not resume (the lock leaves nothing stored). The staff member's
 * session and token are the visit's MrDesk; this is its face. */
#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "config.h"
#include "mr-graph.h"
#include "mr-identity.h"
#include "mr-visit.h"

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

/* NULL at a kiosk, and at a desk before the first settings. */
static MrDesk *
desk (MrWindow *self)
{
  return _mr_window_is_kiosk (self) ? NULL : mr_visit_get_desk (self->visit);
}

gboolean
_mr_window_desk_is_signed_in (MrWindow *self)
{
  MrDesk *d = mr_visit_get_desk (self->visit);

  return d != NULL && mr_desk_is_signed_in (d);
}

static void
update_staff_label (MrWindow *self)
{
  gboolean signed_in = _mr_window_desk_is_signed_in (self);
  g_autofree char *text = NULL;

  if (signed_in)
    {
      const char *name = mr_desk_get_staff_name (mr_visit_get_desk (self->visit));

      text = g_strdup_printf (_("Signed in as %s"), name ? name : "");
    }
  gtk_label_set_text (GTK_LABEL (self->staff_label), text ? text : "");
  gtk_widget_set_visible (self->staff_label, signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", signed_in);
  _mr_window_staff_changed (self);
}

/* The desk ended the staff member's session with a sentence for Welcome: the account is not
 * staff, or a refresh could not show it was still theirs. */
static gboolean
ended_with_sentence (const GError *error)
{
  return g_error_matches (error, MR_OIDC_ERROR, MR_OIDC_ERROR_NOT_STAFF)
         || g_error_matches (error, MR_OIDC_ERROR, MR_OIDC_ERROR_IDENTITY);
}

gboolean
_mr_window_desk_show_home (MrWindow *self)
{
  if (desk (self) == NULL || !mr_desk_is_signed_in (desk (self)))
    return FALSE;
  mr_lookup_page_clear (lookup_page (self));
  _mr_window_show_page (self, "lookup");
  return TRUE;
}

void
_mr_window_desk_signed_in (MrWindow *self)
{
  update_staff_label (self);
  _mr_window_desk_show_home (self);
}

void
_mr_window_desk_refused (MrWindow     *self,
                         const GError *error)
{
  update_staff_label (self);
  _mr_window_wipe (self);
  _mr_window_show_welcome_notice (self, error->message);
}

static void
resumed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_desk_resume_finish (MR_DESK (source), result, &error))
    {
      /* The role was taken away since the last shift, or the refresh did not show whose the
       * session is: say so, unless someone is already signing in (the page is theirs then). */
      if (ended_with_sentence (error))
        {
          update_staff_label (self);
          if (g_strcmp0 (mr_window_get_page (self), "welcome") == 0)
            _mr_window_show_welcome_notice (self, error->message);
        }
      else if (error != NULL)
        g_debug ("the staff session did not resume: %s", error->message);
      return;
    }
  update_staff_label (self);
  if (g_strcmp0 (mr_window_get_page (self), "welcome") == 0)
    _mr_window_desk_show_home (self);
}

void
_mr_window_desk_configure (MrWindow *self)
{
  if (_mr_window_is_kiosk (self))
    return;
  if (mr_visit_get_desk (self->visit) != NULL)
    {
      /* Another authority, client id or tenant ends the staff session (its tokens never go
       * there): the screen follows at once, not at the next search. */
      if (gtk_widget_get_visible (self->staff_label) && !_mr_window_desk_is_signed_in (self))
        {
          update_staff_label (self);
          _mr_window_start_over (self);
        }
      return;
    }
  if (self->settings == NULL)
    self->settings = g_settings_new (APP_ID);
  mr_desk_resume_async (mr_visit_start_desk (self->visit, self->settings), resumed_cb,
                        g_object_ref (self));
}

gboolean
_mr_window_desk_patient_present (MrWindow *self)
{
  return mr_lookup_page_get_patient_present (lookup_page (self));
}

void
_mr_window_desk_lock (MrWindow *self)
{
  if (mr_visit_get_desk (self->visit) == NULL)
    return;
  mr_desk_lock (mr_visit_get_desk (self->visit));
  update_staff_label (self);
}

/* ---- Lookup ----------------------------------------------------------------------------- */

static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean truncated = FALSE;
  g_autoptr(GPtrArray) patients = mr_desk_search_finish (MR_DESK (source), result, &truncated,
                                                         &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ended_with_sentence (error))
    {
      _mr_window_desk_refused (self, error);
      return;
    }
  /* The staff member's sign-in is over (no token): that is the whole screen's problem. */
  if (patients == NULL && error->domain == MR_OIDC_ERROR)
    {
      update_staff_label (self);
      _mr_window_show_error (self, error);
      return;
    }
  mr_lookup_page_set_busy (lookup_page (self), FALSE);
  if (patients == NULL)
    mr_lookup_page_set_problem (lookup_page (self), error->message);
  else
    mr_lookup_page_set_results (lookup_page (self), patients, truncated);
}

static void
patient_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (mr_desk_open_patient_finish (MR_DESK (source), result, &error))
    {
      _mr_window_show_patient (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ended_with_sentence (error))
    {
      _mr_window_desk_refused (self, error);
      return;
    }
  if (error->domain == MR_OIDC_ERROR)
    {
      update_staff_label (self);
      _mr_window_show_error (self, error);
      return;
    }
  _mr_window_show_page (self, "lookup");
  mr_lookup_page_set_problem (lookup_page (self), error->message);
}

static void
search_cb (MrLookupPage *page,
           int           kind,
           const char   *query,
           MrWindow     *self)
{
  mr_lookup_page_set_problem (page, NULL);
  mr_lookup_page_set_busy (page, TRUE);
  mr_desk_search_async (mr_visit_get_desk (self->visit), (MrLookupKind) kind, query, searched_cb,
                        g_object_ref (self));
}

static void
patient_chosen_cb (MrLookupPage    *page,
                   const MrPatient *patient,
                   MrWindow        *self)
{
  _mr_window_show_busy (self, _("Opening the patient's details…"));
  mr_desk_open_patient_async (mr_visit_get_desk (self->visit), patient->id, patient_opened_cb,
                              g_object_ref (self));
}

/* ---- Sign-out ---------------------------------------------------------------------------- */

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);

  g_autofree char *url = NULL;

  if (mr_visit_get_desk (self->visit) == NULL)
    return;
  /* The system browser holds the provider's session (its cookies): only a visit there ends it,
   * and the next person at the desk could otherwise sign in as this staff member without a
   * password, in that browser. */
  if (_mr_window_uses_system_browser (self))
    url = mr_desk_sign_out_in_browser (mr_visit_get_desk (self->visit));
  else
    mr_desk_sign_out (mr_visit_get_desk (self->visit));
  update_staff_label (self);
  _mr_window_wipe (self);
  _mr_window_show_page (self, "welcome");
  if (url != NULL)
    _mr_window_sign_out_in_browser (self, url);
}

void
_mr_window_desk_init (MrWindow *self)
{
  self->staff_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->staff_label, "staff-label");
  gtk_widget_add_css_class (self->staff_label, "dim-label");
  gtk_widget_set_visible (self->staff_label, FALSE);
  adw_header_bar_pack_start (self->header_bar, self->staff_label);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", FALSE);
}

void
_mr_window_desk_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-outbox-view.h"

#include <glib/gi18n.h>

#include "config.h"

struct _MrOutboxView {
  AdwWindow          parent_instance;

  MrOutbox          *outbox;
  AdwPreferencesGroup *group;
  AdwStatusPage     *empty_page;
  GtkStack          *stack;
  GPtrArray         *rows;        /* of GtkWidget, borrowed from the group */
};

G_DEFINE_FINAL_TYPE (MrOutboxView, mr_outbox_view, ADW_TYPE_WINDOW)

static void refresh (MrOutboxView *self);

static char *
describe (const MrOutboxItem *item)
{
  g_autofree char *medicines = item->medicines ? g_strjoinv (", ", item->medicines) : g_strdup ("");
  g_autofree char *state = NULL;

  if (item->state == MR_OUTBOX_STATE_HELD)
    state = g_strdup_printf (_("Needs attention: %s"), item->last_error ? item->last_error : "");
  else if (item->last_error != NULL)
    state = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Waiting to be sent (%u attempt): %s",
                                          "Waiting to be sent (%u attempts): %s", item->attempts),
                             item->attempts, item->last_error);
  else
    state = g_strdup (_("Waiting to be sent"));
  return g_strdup_printf ("%s\n%s", medicines, state);
}

static void
retry_clicked_cb (GtkButton    *button,
                  MrOutboxView *self)
{
  mr_outbox_retry_now (self->outbox, g_object_get_data (G_OBJECT (button), "mr-id"));
}

static void
discard_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     MrOutboxView     *self)
{
  if (g_strcmp0 (response, "discard") == 0)
    mr_outbox_discard (self->outbox, g_object_get_data (G_OBJECT (dialog), "mr-id"));
}

static void
discard_clicked_cb (GtkButton    *button,
                    MrOutboxView *self)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Discard this request?"),
                                   _("It will not be sent to the clinic, and it cannot be brought back."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "mr-id",
                          g_strdup (g_object_get_data (G_OBJECT (button), "mr-id")), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (discard_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
row_button (MrOutboxView *self,
            const char   *label,
            const char   *request_id,
            GCallback     callback)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "mr-id", g_strdup (request_id), g_free);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static GtkWidget *
make_row (MrOutboxView       *self,
          const MrOutboxItem *item)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = describe (item);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 item->patient && *item->patient ? item->patient : _("Unnamed patient"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button (self, _("_Retry Now"), item->request_id,
                                         G_CALLBACK (retry_clicked_cb)));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button (self, _("_Discard…"), item->request_id,
                                         G_CALLBACK (discard_clicked_cb)));
  return row;
}

static void
refresh (MrOutboxView *self)
{
  g_autoptr(GPtrArray) items = mr_outbox_list_items (self->outbox);

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  for (guint i = 0; i < items->len; i++)
    {
      GtkWidget *row = make_row (self, g_ptr_array_index (items, i));

      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
    }
  gtk_stack_set_visible_child_name (self->stack, items->len > 0 ? "list" : "empty");
}

guint
mr_outbox_view_get_n_rows (MrOutboxView *self)
{
  g_return_val_if_fail (MR_IS_OUTBOX_VIEW (self), 0);

  return self->rows->len;
}

static void
mr_outbox_view_dispose (GObject *object)
{
  MrOutboxView *self = MR_OUTBOX_VIEW (object);

  if (self->outbox != NULL)
    g_signal_handlers_disconnect_by_data (self->outbox, self);
  g_clear_object (&self->outbox);
  G_OBJECT_CLASS (mr_outbox_view_parent_class)->dispose (object);
}

static void
mr_outbox_view_finalize (GObject *object)
{
  g_ptr_array_unref (MR_OUTBOX_VIEW (object)->rows);
  G_OBJECT_CLASS (mr_outbox_view_parent_class)->finalize (object);
}

static void
mr_outbox_view_class_init (MrOutboxViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mr_outbox_view_dispose;
  G_OBJECT_CLASS (klass)->finalize = mr_outbox_view_finalize;
}

static void
mr_outbox_view_init (MrOutboxView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *page = adw_preferences_page_new ();

  self->rows = g_ptr_array_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Outbox"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 480);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_description (self->group,
                                         _("Requests this computer keeps until the clinic's workflow accepts them."));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->group);
  gtk_stack_add_named (self->stack, page, "list");
  self->empty_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->empty_page, "mail-send-symbolic");
  adw_status_page_set_title (self->empty_page, _("Nothing Waiting"));
  adw_status_page_set_description (self->empty_page, _("Every request has reached the clinic."));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->empty_page), "empty");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), box);
}

MrOutboxView *
mr_outbox_view_new (GtkWindow *parent,
                    MrOutbox  *outbox)
{
  MrOutboxView *self;

  g_return_val_if_fail (MR_IS_OUTBOX (outbox), NULL);

  self = g_object_new (MR_TYPE_OUTBOX_VIEW, "transient-for", parent, NULL);
  self->outbox = g_object_ref (outbox);
  g_signal_connect_swapped (outbox, "changed", G_CALLBACK (refresh), self);
  refresh (self);
  return self;
}

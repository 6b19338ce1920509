/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-review.h"

#include <glib/gi18n.h>

struct _MrReview {
  GtkWidget  parent_instance;

  GtkWidget *box;
  GString   *text;
};

G_DEFINE_FINAL_TYPE (MrReview, mr_review, GTK_TYPE_WIDGET)

/* Names of the refill-v2 members for people; others (FHIR) are spelled out from their key. */
static const struct {
  const char *key;
  const char *label;
} labels[] = {
  { "schema", N_("Format") },
  { "request_id", N_("Request id") },
  { "created_at", N_("Created") },
  { "mode", N_("Sent from") },
  { "submitted_by", N_("Submitted by") },
  { "patient", N_("Patient") },
  { "patient_supplied", N_("Typed or corrected on this form") },
  { "object_id", N_("Account id") },
  { "id", N_("Id") },
  { "given_name", N_("Given name") },
  { "surname", N_("Surname") },
  { "display_name", N_("Display name") },
  { "gender", N_("Gender") },
  { "hospital_number", N_("Hospital number") },
  { "date_of_birth", N_("Date of birth") },
  { "job_title", N_("Job title") },
  { "email", N_("Email address") },
  { "phone", N_("Phone number") },
  { "address", N_("Address") },
  { "street", N_("Street address") },
  { "city", N_("City") },
  { "state", N_("State / province") },
  { "country", N_("Country / region") },
  { "postal_code", N_("Postal code") },
  { "medications", N_("Medicine") },
  { "name", N_("Name") },
  { "strength", N_("Strength") },
  { "form", N_("Form") },
  { "quantity", N_("Quantity") },
  { "days_supply", N_("Days' supply") },
  { "prescriber", N_("Prescriber") },
  { "last_filled", N_("Last filled") },
  { "fulfilment", N_("Pickup or delivery") },
  { "method", N_("How") },
  { "location", N_("Pickup location") },
  { "urgency", N_("How soon") },
  { "level", N_("Urgency") },
  { "days", N_("Days until the medicine runs out") },
  { "notes", N_("Notes") },
  { "consent", N_("Consent") },
  { "flagged", N_("Flagged as wrong") },
  { "patient_present", N_("Patient at the desk") },
};

/* "authoredOn" → "Authored on", "days_supply" → "Days supply". */
static char *
spell_out (const char *key)
{
  GString *out = g_string_new (NULL);

  for (const char *p = key; *p != '\0'; p++)
    {
      if (*p == '_' || (g_ascii_isupper (*p) && p != key))
        g_string_append_c (out, ' ');
      if (*p != '_')
        g_string_append_c (out, out->len == 0 ? g_ascii_toupper (*p) : g_ascii_tolower (*p));
    }
  return g_string_free (out, FALSE);
}

static char *
dup_label (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].key, key))
      return g_strdup (_(labels[i].label));
  return spell_out (key);
}

/* @null_text: what a null reads as where it is. */
static char *
dup_value (JsonNode   *node,
           const char *null_text)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return g_strdup (null_text);
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? _("Yes") : _("No"));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return g_strdup_printf ("%g", json_node_get_double (node));
    default:
      return g_strdup (json_node_get_string (node));
    }
}

static gboolean
is_scalar_array (JsonArray *array)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!JSON_NODE_HOLDS_VALUE (json_array_get_element (array, i)))
      return FALSE;
  return TRUE;
}

static char *
dup_joined (JsonArray *array)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *value = dup_value (json_array_get_element (array, i), "—");

      g_string_append_printf (out, "%s%s", i ? ", " : "", value);
    }
  return g_strdup (out->str);
}

static void
add_row (MrReview   *self,
         GtkWidget  *group,
         const char *section,
         const char *title,
         const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "review-row");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  g_string_append_printf (self->text, "%s › %s: %s\n", section, title, value);
}

static void add_object (MrReview *self, const char *title, JsonObject *object,
                        gboolean supplied);

static void
add_array (MrReview   *self,
           const char *title,
           JsonArray  *array)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *numbered = g_strdup_printf ("%s %u", title, i + 1);

      if (JSON_NODE_HOLDS_OBJECT (element))
        add_object (self, numbered, json_node_get_object (element), FALSE);
      else if (JSON_NODE_HOLDS_ARRAY (element))
        add_array (self, numbered, json_node_get_array (element));
    }
}

/* The title of @key's group; inside what the person supplied (@supplied), the address is named
 * apart from the directory's. */
static char *
dup_group_label (const char *key,
                 gboolean    supplied)
{
  if (supplied && g_str_equal (key, "address"))
    return g_strdup (_("Address typed or corrected on this form"));
  return dup_label (key);
}

/* One group for the object's plain members, then one for each member that is an object or a
 * list of objects, in the payload's order. A null in what the person supplied (@supplied) is a
 * value they removed; elsewhere it is "none". */
static void
add_object (MrReview   *self,
            const char *title,
            JsonObject *object,
            gboolean    supplied)
{
  g_autoptr(GList) members = json_object_get_members (object);
  GtkWidget *group = adw_preferences_group_new ();
  gboolean empty = TRUE;

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (GTK_BOX (self->box), group);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);
      g_autofree char *label = dup_label (l->data);
      g_autofree char *value = NULL;

      if (JSON_NODE_HOLDS_ARRAY (node) && is_scalar_array (json_node_get_array (node)))
        value = dup_joined (json_node_get_array (node));
      else if (!JSON_NODE_HOLDS_OBJECT (node) && !JSON_NODE_HOLDS_ARRAY (node))
        value = dup_value (node, supplied ? _("(removed)") : "—");
      if (value == NULL)
        continue;
      add_row (self, group, title, label, value);
      empty = FALSE;
    }
  if (empty)
    gtk_box_remove (GTK_BOX (self->box), group);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);
      g_autofree char *label = dup_group_label (l->data, supplied);

      if (JSON_NODE_HOLDS_OBJECT (node))
        add_object (self, label, json_node_get_object (node),
                    supplied || g_str_equal (l->data, "patient_supplied"));
      else if (JSON_NODE_HOLDS_ARRAY (node) && !is_scalar_array (json_node_get_array (node)))
        add_array (self, label, json_node_get_array (node));
    }
}

void
mr_review_set_payload (MrReview *self,
                       JsonNode *payload)
{
  GtkWidget *child;

  g_return_if_fail (MR_IS_REVIEW (self));
  g_return_if_fail (payload == NULL || JSON_NODE_HOLDS_OBJECT (payload));

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);
  g_string_truncate (self->text, 0);
  if (payload != NULL)
    add_object (self, _("Request"), json_node_get_object (payload), FALSE);
}

char *
mr_review_dup_text (MrReview *self)
{
  g_return_val_if_fail (MR_IS_REVIEW (self), NULL);

  return g_strdup (self->text->str);
}

static void
mr_review_dispose (GObject *object)
{
  MrReview *self = MR_REVIEW (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (mr_review_parent_class)->dispose (object);
}

static void
mr_review_finalize (GObject *object)
{
  MrReview *self = MR_REVIEW (object);

  g_string_free (self->text, TRUE);
  G_OBJECT_CLASS (mr_review_parent_class)->finalize (object);
}

static void
mr_review_class_init (MrReviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_review_dispose;
  object_class->finalize = mr_review_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
mr_review_init (MrReview *self)
{
  self->text = g_string_new (NULL);
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

GtkWidget *
mr_review_new (void)
{
  return g_object_new (MR_TYPE_REVIEW, NULL);
}

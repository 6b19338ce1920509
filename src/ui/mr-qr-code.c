/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-qr-code.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <qrencode.h>
#include <string.h>

/* ISO/IEC 18004 asks for a light margin of 4 modules on every side: without it phone cameras
 * find the finder patterns unreliably against a dark bezel. */
#define QUIET_ZONE 4
/* The smallest size at which a module is still two pixels wide for the smallest code. */
#define MIN_MODULE_PX 2

struct _MrQrCode {
  GtkWidget  parent_instance;

  char      *text;
  QRcode    *code;   /* NULL when there is nothing to draw */
};

G_DEFINE_FINAL_TYPE (MrQrCode, mr_qr_code, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Modules across, quiet zone included; 0 without a code. */
static int
total_modules (MrQrCode *self)
{
  return self->code != NULL ? self->code->width + 2 * QUIET_ZONE : 0;
}

static void
mr_qr_code_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  /* At least two pixels a module, so that even the minimum is readable. */
  int modules = MAX (total_modules (MR_QR_CODE (widget)), 21 + 2 * QUIET_ZONE);

  *minimum = modules * MIN_MODULE_PX;
  *natural = MAX (*minimum, 256);
}

/* Whole pixels per module at @size, and where the square starts so that it is centred: a module
 * edge between two pixels would be grey, and grey edges are what make a camera hesitate. */
static void
layout (int  modules,
        int  width,
        int  height,
        int *module_px,
        int *x0,
        int *y0)
{
  *module_px = MAX (1, MIN (width, height) / modules);
  *x0 = (width - *module_px * modules) / 2;
  *y0 = (height - *module_px * modules) / 2;
}

static void
mr_qr_code_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  MrQrCode *self = MR_QR_CODE (widget);
  static const GdkRGBA white = { 1, 1, 1, 1 };
  static const GdkRGBA black = { 0, 0, 0, 1 };
  int modules = total_modules (self);
  int px, x0, y0, n;

  if (modules == 0)
    return;
  layout (modules, gtk_widget_get_width (widget), gtk_widget_get_height (widget), &px, &x0, &y0);
  /* Always black on white, whatever the theme: a dark style's light-on-dark code is one that
   * many readers refuse. */
  gtk_snapshot_append_color (snapshot, &white,
                             &GRAPHENE_RECT_INIT (x0, y0, px * modules, px * modules));
  n = self->code->width;
  for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
      {
        int run = 0;

        /* One rectangle per horizontal run of dark modules: a few hundred nodes, not thousands. */
        while (x + run < n && (self->code->data[y * n + x + run] & 1))
          run++;
        if (run == 0)
          continue;
        gtk_snapshot_append_color (snapshot, &black,
                                   &GRAPHENE_RECT_INIT (x0 + (QUIET_ZONE + x) * px,
                                                        y0 + (QUIET_ZONE + y) * px,
                                                        run * px, px));
        x += run;
      }
}

void
mr_qr_code_set_text (MrQrCode   *self,
                     const char *text)
{
  g_return_if_fail (MR_IS_QR_CODE (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;
  g_free (self->text);
  self->text = g_strdup (text);
  g_clear_pointer (&self->code, QRcode_free);
  if (text != NULL && *text != '\0')
    {
      /* 8-bit mode takes any URI as it is (the alphanumeric mode has no lower case); level M
       * survives a smudged screen or a glare spot (15 %) and keeps a long URI's code small. */
      self->code = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
      if (self->code == NULL)
        g_message ("no QR code for a text of %zu bytes: %s", strlen (text), g_strerror (errno));
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

const char *
mr_qr_code_get_text (MrQrCode *self)
{
  g_return_val_if_fail (MR_IS_QR_CODE (self), NULL);

  return self->text;
}

static void
mr_qr_code_finalize (GObject *object)
{
  MrQrCode *self = MR_QR_CODE (object);

  g_clear_pointer (&self->code, QRcode_free);
  g_clear_pointer (&self->text, g_free);
  G_OBJECT_CLASS (mr_qr_code_parent_class)->finalize (object);
}

static void
mr_qr_code_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, MR_QR_CODE (object)->text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_qr_code_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_TEXT:
      mr_qr_code_set_text (MR_QR_CODE (object), g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_qr_code_class_init (MrQrCodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = mr_qr_code_finalize;
  object_class->get_property = mr_qr_code_get_property;
  object_class->set_property = mr_qr_code_set_property;
  widget_class->measure = mr_qr_code_measure;
  widget_class->snapshot = mr_qr_code_snapshot;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "qrcode");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
mr_qr_code_init (MrQrCode *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("QR code for the sign-in page"),
                                  -1);
}

GtkWidget *
mr_qr_code_new (void)
{
  return g_object_new (MR_TYPE_QR_CODE, NULL);
}

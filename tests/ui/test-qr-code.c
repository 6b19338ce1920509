/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The QR code of phone sign-in, as a phone would see it: drawn at sizes that are not a multiple
 * of its modules, written as a PNG and read back by a real decoder (zbarimg), which must return
 * the very text; every pixel is black or white (no blurred module edge); and a screen reader
 * hears what it is. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mr-qr-code.h"
#include "mr-test-server.h"
#include "mr-ui-test.h"

typedef struct {
  GtkWindow *window;
  GtkWidget *code;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->code = mr_qr_code_new ();
  gtk_window_set_child (fixture->window, fixture->code);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (fixture->code), (gpointer *) &fixture->code);
  gtk_window_destroy (fixture->window);
  while (fixture->code != NULL)
    g_main_context_iteration (NULL, FALSE);
}

/* The window shown with the code at @size × @size, once it has been drawn. */
static void
show_at (Fixture *fixture,
         int      size)
{
  gtk_widget_set_size_request (fixture->code, size, size);
  gtk_window_set_default_size (fixture->window, size, size);
  gtk_window_present (fixture->window);
  while (!gtk_widget_get_mapped (fixture->code) || gtk_widget_get_width (fixture->code) < size)
    g_main_context_iteration (NULL, TRUE);
}

/* What the widget draws, as an image the size of the widget. */
static cairo_surface_t *
render (Fixture *fixture)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (fixture->code);
  int width = gtk_widget_get_width (fixture->code);
  int height = gtk_widget_get_height (fixture->code);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);

  /* Around the quiet zone: a grey that is neither a module nor the margin. */
  cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
  cairo_paint (cr);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)  /* NULL: nothing drawn at all */
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* What zbarimg reads in @surface (NULL when it finds no code). */
static char *
decode (cairo_surface_t *surface)
{
  const char *zbarimg = g_getenv ("MEDREFILL_ZBARIMG");
  g_autofree char *dir = g_dir_make_tmp ("medrefill-qr-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "code.png", NULL);
  const char *argv[] = { zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_nonnull (zbarimg);
  g_assert_cmpint (cairo_surface_write_to_png (surface, png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_unlink (png);
  g_rmdir (dir);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("zbarimg found no code: %s", err);
      return NULL;
    }
  /* --raw prints the text and one newline. */
  if (g_str_has_suffix (out, "\n"))
    out[strlen (out) - 1] = '\0';
  return g_steal_pointer (&out);
}

/* Pixels of @surface that are neither black nor white, outside the grey around the code. */
static guint
blurred_pixels (cairo_surface_t *surface)
{
  const guchar *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint blurred = 0;

  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
      {
        guint32 pixel = *(const guint32 *) (data + y * stride + 4 * x) & 0xffffff;

        if (pixel != 0x000000 && pixel != 0xffffff && pixel != 0x808080)
          blurred++;
      }
  return blurred;
}

/* White pixels: the code and its quiet zone are there at all. */
static guint
white_pixels (cairo_surface_t *surface)
{
  const guchar *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint white = 0;

  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
      white += (*(const guint32 *) (data + y * stride + 4 * x) & 0xffffff) == 0xffffff;
  return white;
}

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guchar *data = cairo_image_surface_get_data (surface);

  return *(const guint32 *) (data + y * cairo_image_surface_get_stride (surface) + 4 * x) & 0xffffff;
}

/* Where pixels of @colour are: the smallest box around them. */
static void
bounds_of (cairo_surface_t *surface,
           guint32          colour,
           int             *left,
           int             *top,
           int             *right,
           int             *bottom)
{
  *left = *top = G_MAXINT;
  *right = *bottom = -1;
  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
      if (pixel_at (surface, x, y) == colour)
        {
          *left = MIN (*left, x);
          *top = MIN (*top, y);
          *right = MAX (*right, x);
          *bottom = MAX (*bottom, y);
        }
}

/* The white margin around the modules is 4 modules wide on every side: a module's size is read
 * off the top-left finder pattern, whose first row is 7 dark modules. */
static void
check_quiet_zone (cairo_surface_t *surface)
{
  int wl, wt, wr, wb, bl, bt, br, bb;
  int run = 0, module;

  bounds_of (surface, 0xffffff, &wl, &wt, &wr, &wb);
  bounds_of (surface, 0x000000, &bl, &bt, &br, &bb);
  g_assert_cmpint (br, >, bl);
  while (pixel_at (surface, bl + run, bt) == 0x000000)
    run++;
  g_assert_cmpint (run % 7, ==, 0);
  module = run / 7;
  g_assert_cmpint (bl - wl, ==, 4 * module);
  g_assert_cmpint (bt - wt, ==, 4 * module);
  g_assert_cmpint (wr - br, ==, 4 * module);
  g_assert_cmpint (wb - bb, ==, 4 * module);
}

static void
check_reads_back (Fixture    *fixture,
                  const char *text,
                  int         size)
{
  cairo_surface_t *surface;
  g_autofree char *read = NULL;

  mr_qr_code_set_text (MR_QR_CODE (fixture->code), text);
  show_at (fixture, size);
  surface = render (fixture);
  g_assert_cmpuint (white_pixels (surface), >, 0);
  g_assert_cmpuint (blurred_pixels (surface), ==, 0);
  check_quiet_zone (surface);
  read = decode (surface);
  cairo_surface_destroy (surface);
  g_assert_cmpstr (read, ==, text);
}

/* The sandbox's and Entra's shapes of a verification URI, at a small and at a large size. */
static void
test_reads_back (Fixture       *fixture,
                 gconstpointer  data)
{
  check_reads_back (fixture, "http://127.0.0.1:40123/9a674bb7-0000-0000-0000-000000000000/"
                             "oauth2/v2.0/deviceauth?user_code=HJK7-M2QP", 173);
}

static void
test_reads_back_large (Fixture       *fixture,
                       gconstpointer  data)
{
  check_reads_back (fixture, "https://contosoclinic.ciamlogin.com/device", 421);
}

/* Nothing to show: nothing drawn (no stale code of an earlier visit). */
static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  cairo_surface_t *surface;

  mr_qr_code_set_text (MR_QR_CODE (fixture->code), "https://contosoclinic.ciamlogin.com/device");
  mr_qr_code_set_text (MR_QR_CODE (fixture->code), NULL);
  show_at (fixture, 120);
  surface = render (fixture);
  g_assert_cmpuint (white_pixels (surface), ==, 0);
  cairo_surface_destroy (surface);
}

static void
test_accessible_name (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *problem = NULL;

  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (fixture->code)), ==,
                   GTK_ACCESSIBLE_ROLE_IMG);
  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (fixture->code),
                                                GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                "QR code for the sign-in page");
  g_assert_null (problem);
}

static void
missing_zbarimg (void)
{
  /* CI must read the code back: there a missing decoder is a failure, not a skip. */
  if (g_getenv ("CI") != NULL)
    g_test_fail_printf ("zbarimg (zbar-tools) is needed to read the QR code back");
  else
    g_test_skip ("zbarimg (zbar-tools) is not installed");
}

int
main (int   argc,
      char *argv[])
{
  mr_test_init_with_home (&argc, &argv);
  if (!mr_ui_have_display ("/ui/qr-code/needs-display"))
    return g_test_run ();
  adw_init ();

  if (g_getenv ("MEDREFILL_ZBARIMG") == NULL)
    g_test_add_func ("/ui/qr-code/reads-back", missing_zbarimg);
  else
    {
      g_test_add ("/ui/qr-code/reads-back", Fixture, NULL, fixture_set_up, test_reads_back,
                  fixture_tear_down);
      g_test_add ("/ui/qr-code/reads-back-large", Fixture, NULL, fixture_set_up,
                  test_reads_back_large, fixture_tear_down);
    }
  g_test_add ("/ui/qr-code/empty", Fixture, NULL, fixture_set_up, test_empty, fixture_tear_down);
  g_test_add ("/ui/qr-code/accessible-name", Fixture, NULL, fixture_set_up, test_accessible_name,
              fixture_tear_down);
  return g_test_run ();
}

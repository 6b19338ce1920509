/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A QR code of a text (libqrencode: 8-bit mode, error correction level M), black modules on
 * white inside the standard's 4-module quiet zone, drawn in whole pixels at any size so that a
 * phone's camera reads it from across a counter. Its accessible name says what it is; the text
 * itself is for the page to say in words. */
#define MR_TYPE_QR_CODE (mr_qr_code_get_type ())
G_DECLARE_FINAL_TYPE (MrQrCode, mr_qr_code, MR, QR_CODE, GtkWidget)

GtkWidget  *mr_qr_code_new      (void);
/* @text may be NULL or empty (nothing is drawn); a text too long for any QR code is logged and
 * nothing is drawn. */
void        mr_qr_code_set_text (MrQrCode   *self,
                                 const char *text);
const char *mr_qr_code_get_text (MrQrCode   *self);

G_END_DECLS

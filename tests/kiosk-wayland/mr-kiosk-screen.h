/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  MR_KIOSK_WELCOME, /* the app's Welcome page: its background, its blue Sign in button */
  MR_KIOSK_SIGNIN,  /* the helper's window: the sandbox's page (its background, its red banner) */
  MR_KIOSK_APP,     /* another page of the app (the form): its background, not the helper's */
} MrKioskPage;

typedef enum {
  MR_KIOSK_MATCH,
  MR_KIOSK_NO_MATCH, /* not (yet) that page: a stale or cross-fading frame, or the wrong page */
  MR_KIOSK_FOREIGN,  /* another client's colours on screen */
} MrKioskVerdict;

/* Saves what the compositor's output shows as the PNG @path, with grim (wlroots' screencopy;
 * WAYLAND_DISPLAY and XDG_RUNTIME_DIR from the environment). Blocks, for at most 10 s. */
gboolean       mr_kiosk_capture (const char   *path,
                                 GError      **error);
/* Whether the PNG at @path shows @page over the whole output. @why is replaced with a sentence
 * that says what the capture showed. */
MrKioskVerdict mr_kiosk_judge   (const char   *path,
                                 MrKioskPage   page,
                                 char        **why);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MR_TYPE_APPLICATION (mr_application_get_type ())
G_DECLARE_FINAL_TYPE (MrApplication, mr_application, MR, APPLICATION, AdwApplication)

MrApplication *mr_application_new       (void);
/* Reads the administrator's settings file from @path instead of /etc/medrefill/settings.ini
 * (mr_config_lock_default_path()); before g_application_run(). For tests and staging machines. */
void           mr_application_set_settings_file (MrApplication *self,
                                                 const char    *path);
/* Adds the app's own stylesheet (resources/style.css) to @display, as the application does at
 * start-up; for tests that show the app's widgets without it. */
void           mr_application_add_style (GdkDisplay *display);

G_END_DECLS

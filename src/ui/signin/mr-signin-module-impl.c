/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The module's one entry point: the table of functions the app calls. */
#include "mr-signin-module.h"

#include <gmodule.h>

#include "mr-signin-view.h"

static void
view_load (GtkWidget  *view,
           const char *authorize_url)
{
  mr_signin_view_load (MR_SIGNIN_VIEW (view), authorize_url);
}

static void
view_shutdown (GtkWidget *view)
{
  mr_signin_view_shutdown (MR_SIGNIN_VIEW (view));
}

static void
view_allow_hosts (GtkWidget          *view,
                  const char * const *hosts)
{
  mr_signin_view_allow_hosts (MR_SIGNIN_VIEW (view), hosts);
}

static GtkWidget *
view_get_web_view (GtkWidget *view)
{
  return GTK_WIDGET (mr_signin_view_get_web_view (MR_SIGNIN_VIEW (view)));
}

static const MrSigninModule vtable = {
  .abi               = MR_SIGNIN_MODULE_ABI,
  .view_new          = mr_signin_view_new,
  .view_load         = view_load,
  .view_shutdown     = view_shutdown,
  .view_allow_hosts  = view_allow_hosts,
  .view_get_web_view = view_get_web_view,
};

G_MODULE_EXPORT const MrSigninModule *mr_signin_module_get_vtable (void);

G_MODULE_EXPORT const MrSigninModule *
mr_signin_module_get_vtable (void)
{
  return &vtable;
}

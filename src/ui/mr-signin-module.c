/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-signin-module.h"

#include <gmodule.h>

#include "config.h"

typedef const MrSigninModule *(*GetModuleFunc) (void);

static const MrSigninModule *loaded;

static char *
module_path (void)
{
  const char *dir = g_getenv ("MEDREFILL_MODULE_DIR");

  return g_module_build_path (dir && *dir ? dir : MODULEDIR, "medrefill-signin");
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autofree char *path = module_path ();
  GModule *module;
  GetModuleFunc get = NULL;
  const MrSigninModule *vtable;

  /* dlopen() of WebKit is the slow part, and it is thread-safe: keep it off the main thread. */
  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_debug ("cannot load %s: %s", path, g_module_error ());
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               "The sign-in component of the app is missing. Reinstall the app.");
      return;
    }
  if (!g_module_symbol (module, "mr_signin_module_get_vtable", (gpointer *) &get) || get == NULL
      || (vtable = get ()) == NULL || vtable->abi != MR_SIGNIN_MODULE_ABI)
    {
      g_module_close (module);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "The sign-in component does not match this version of the app. "
                               "Reinstall the app.");
      return;
    }
  g_module_make_resident (module);
  g_task_return_pointer (task, (gpointer) vtable, NULL);
}

void
mr_signin_module_load_async (GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, mr_signin_module_load_async);
  if (loaded != NULL)
    {
      g_task_return_pointer (task, (gpointer) loaded, NULL);
      return;
    }
  g_task_run_in_thread (task, load_thread);
}

const MrSigninModule *
mr_signin_module_load_finish (GAsyncResult  *result,
                              GError       **error)
{
  const MrSigninModule *vtable;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  vtable = g_task_propagate_pointer (G_TASK (result), error);
  if (vtable != NULL)
    loaded = vtable;
  return vtable;
}

const MrSigninModule *
mr_signin_module_get (void)
{
  return loaded;
}

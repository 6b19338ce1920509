/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/drive PID COMMAND NAME [TEXT]: drives the running app of process PID through the
 * accessibility bus, as a screen reader or switch access would, so that bench/memory.sh can take
 * the real binary (no test hook) from Welcome to a filled form. NAME is a control's accessible
 * name (GTK 4.8 may put the mnemonic label first: "_Sign in Sign in" is "Sign in").
 *   wait NAME        until a control named NAME is there (up to 90 s)
 *   press NAME       its first action (a button's click; GTK 4.8's check boxes have none)
 *   type NAME TEXT   sets its text
 * Exit 0 when done, 1 when the control was not found in time. */
#include <atspi/atspi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libatspi 2.46 (Debian 12) defines no g_autoptr() cleanups of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiAccessible, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiAction, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiEditableText, g_object_unref)

static gboolean
name_is (const char *name,
         const char *wanted)
{
  size_t length = strlen (name), suffix = strlen (wanted);

  return g_str_equal (name, wanted)
         || (length > suffix && g_str_has_suffix (name, wanted)
             && name[length - suffix - 1] == ' ');
}

static AtspiAccessible *
find_named (AtspiAccessible *node,
            const char      *name,
            guint            depth)
{
  g_autofree char *own = atspi_accessible_get_name (node, NULL);
  int n;

  if (own != NULL && name_is (own, name))
    return g_object_ref (node);
  if (depth > 60)
    return NULL;
  n = atspi_accessible_get_child_count (node, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (node, i, NULL);
      AtspiAccessible *found = child ? find_named (child, name, depth + 1) : NULL;

      if (found != NULL)
        return found;
    }
  return NULL;
}

static AtspiAccessible *
find_in_app (int         pid,
             const char *name)
{
  g_autoptr(AtspiAccessible) desktop = atspi_get_desktop (0);
  int n = atspi_accessible_get_child_count (desktop, NULL);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) app = atspi_accessible_get_child_at_index (desktop, i, NULL);

      if (app != NULL && atspi_accessible_get_process_id (app, NULL) == (guint) pid)
        return find_named (app, name, 0);
    }
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AtspiAccessible) control = NULL;
  g_autoptr(GError) error = NULL;
  const char *command;

  if (argc < 4 || (g_str_equal (argv[2], "type") && argc != 5) || atspi_init () < 0)
    {
      fprintf (stderr, "usage: %s PID wait|press|type NAME [TEXT] (and an accessibility bus)\n",
               argv[0]);
      return 2;
    }
  command = argv[2];
  for (guint tries = 0; tries < 450 && control == NULL; tries++)
    if ((control = find_in_app (atoi (argv[1]), argv[3])) == NULL)
      g_usleep (200 * 1000);
  if (control == NULL)
    {
      fprintf (stderr, "%s: no control named \"%s\" in process %s\n", argv[0], argv[3], argv[1]);
      return 1;
    }
  if (g_str_equal (command, "press"))
    {
      g_autoptr(AtspiAction) action = atspi_accessible_get_action_iface (control);

      if (action == NULL || !atspi_action_do_action (action, 0, &error))
        fprintf (stderr, "%s: cannot press \"%s\": %s\n", argv[0], argv[3],
                 error ? error->message : "no action");
      return action != NULL && error == NULL ? 0 : 1;
    }
  if (g_str_equal (command, "type"))
    {
      g_autoptr(AtspiEditableText) text = atspi_accessible_get_editable_text_iface (control);

      if (text == NULL || !atspi_editable_text_set_text_contents (text, argv[4], &error))
        fprintf (stderr, "%s: cannot type into \"%s\": %s\n", argv[0], argv[3],
                 error ? error->message : "not editable");
      return text != NULL && error == NULL ? 0 : 1;
    }
  return 0;
}

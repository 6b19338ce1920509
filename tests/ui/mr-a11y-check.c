/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr-a11y-check PID NAME: finds the application of process PID on the accessibility bus, then
 * the object named NAME inside it, and lists every control below it that a person can focus or
 * type into (entry, text, check box, combo box, push button, spin button, toggle, radio, list
 * item) and that has no accessible name. Exit 0: every such control has a name; 1: some have
 * none (listed on stdout); 2: the application or NAME was not found. Runs in its own process:
 * AT-SPI calls into the process that serves them would deadlock. */
#include <atspi/atspi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const AtspiRole checked_roles[] = {
  ATSPI_ROLE_ENTRY, ATSPI_ROLE_TEXT, ATSPI_ROLE_PASSWORD_TEXT, ATSPI_ROLE_CHECK_BOX,
  ATSPI_ROLE_COMBO_BOX, ATSPI_ROLE_PUSH_BUTTON, ATSPI_ROLE_SPIN_BUTTON, ATSPI_ROLE_TOGGLE_BUTTON,
  ATSPI_ROLE_RADIO_BUTTON, ATSPI_ROLE_LIST_ITEM, ATSPI_ROLE_MENU_ITEM, ATSPI_ROLE_SLIDER,
};

static guint checked, unnamed;

static gboolean
is_checked_role (AtspiRole role)
{
  for (guint i = 0; i < G_N_ELEMENTS (checked_roles); i++)
    if (checked_roles[i] == role)
      return TRUE;
  return FALSE;
}

static AtspiAccessible *
find_app (int pid)
{
  AtspiAccessible *desktop = atspi_get_desktop (0);
  int n = atspi_accessible_get_child_count (desktop, NULL);

  for (int i = 0; i < n; i++)
    {
      AtspiAccessible *app = atspi_accessible_get_child_at_index (desktop, i, NULL);

      if (app != NULL && atspi_accessible_get_process_id (app, NULL) == (guint) pid)
        {
          g_object_unref (desktop);
          return app;
        }
      g_clear_object (&app);
    }
  g_object_unref (desktop);
  return NULL;
}

static AtspiAccessible *
find_named (AtspiAccessible *node,
            const char      *name,
            guint            depth)
{
  g_autofree char *own = atspi_accessible_get_name (node, NULL);
  int n;

  if (g_strcmp0 (own, name) == 0)
    return g_object_ref (node);
  if (depth > 60)
    return NULL;
  n = atspi_accessible_get_child_count (node, NULL);
  for (int i = 0; i < n; i++)
    {
      AtspiAccessible *child = atspi_accessible_get_child_at_index (node, i, NULL);
      AtspiAccessible *found = child ? find_named (child, name, depth + 1) : NULL;

      g_clear_object (&child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
check (AtspiAccessible *node,
       const char      *path,
       guint            depth)
{
  AtspiStateSet *states = atspi_accessible_get_state_set (node);
  g_autofree char *name = atspi_accessible_get_name (node, NULL);
  g_autofree char *role = atspi_accessible_get_role_name (node, NULL);
  g_autofree char *here = g_strdup_printf ("%s/%s", path, role ? role : "?");
  AtspiRole r = atspi_accessible_get_role (node, NULL);
  int n;

  /* A list item counts when it can be reached now: the items of a closed drop-down (GTK 4.8's
   * list views give their rows no name of their own) are not; every other control always. */
  if (is_checked_role (r) && states != NULL
      && (atspi_state_set_contains (states, ATSPI_STATE_FOCUSABLE)
          || atspi_state_set_contains (states, ATSPI_STATE_EDITABLE))
      && (r != ATSPI_ROLE_LIST_ITEM || atspi_state_set_contains (states, ATSPI_STATE_SHOWING)))
    {
      checked++;
      if (name == NULL || g_strstrip (name)[0] == '\0')
        {
          unnamed++;
          printf ("no accessible name: %s%s\n", here,
                  atspi_state_set_contains (states, ATSPI_STATE_SHOWING) ? " (showing)" : "");
        }
      else if (g_getenv ("MEDREFILL_A11Y_VERBOSE"))
        printf ("named: %s \"%s\"\n", here, name);
    }
  g_clear_object (&states);
  if (depth > 60)
    return;
  n = atspi_accessible_get_child_count (node, NULL);
  for (int i = 0; i < n; i++)
    {
      AtspiAccessible *child = atspi_accessible_get_child_at_index (node, i, NULL);

      if (child != NULL)
        check (child, here, depth + 1);
      g_clear_object (&child);
    }
}

int
main (int   argc,
      char *argv[])
{
  AtspiAccessible *app = NULL;
  AtspiAccessible *root = NULL;
  int status;

  if (argc != 3)
    {
      fprintf (stderr, "usage: %s PID NAME\n", argv[0]);
      return 2;
    }
  if (atspi_init () < 0)
    {
      fprintf (stderr, "cannot reach the accessibility bus\n");
      return 2;
    }
  /* The application registers with the registry shortly after it starts: wait up to 20 s. */
  for (guint tries = 0; tries < 100 && (app == NULL || root == NULL); tries++)
    {
      g_clear_object (&app);
      app = find_app (atoi (argv[1]));
      if (app != NULL)
        root = find_named (app, argv[2], 0);
      if (app == NULL || root == NULL)
        g_usleep (200 * 1000);
    }
  if (root == NULL)
    {
      printf ("%s of process %s not found on the accessibility bus\n",
              app ? argv[2] : "the application", argv[1]);
      return 2;
    }
  check (root, "", 0);
  printf ("%u controls checked, %u without a name\n", checked, unnamed);
  status = unnamed > 0 ? 1 : (checked > 0 ? 0 : 2);
  g_object_unref (root);
  g_object_unref (app);
  return status;
}

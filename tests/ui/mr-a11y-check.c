/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mr-a11y-check [OPTION]... PID ROOT...: finds the application of process PID on the
 * accessibility bus, then the objects named ROOT inside it (a window's title: what is on screen
 * together), and lists every control below them that a person can focus or type into (entry,
 * text, check box, combo box, push button, spin button, toggle, radio, list item) and that has no
 * accessible name (or only its type's, "GtkMenuButton"), and every name that two such controls
 * share (a screen-reader user cannot tell them apart: "Name" and "Name").
 *   --expect NAME           a control named NAME must be there
 *   --absent NAME           none may be
 *   --allow-shared NAME     controls may share NAME (they do the same thing: the caller checks)
 *   --allow-type-name TYPE  a library's own control of TYPE may go unnamed
 * Exit 0: all is well; 1: some control fails (listed on stdout); 2: the application or a ROOT was
 * not found, or nothing was checked. Runs in its own process: AT-SPI calls into the process that
 * serves them would deadlock. */
#include <atspi/atspi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const AtspiRole checked_roles[] = {
  ATSPI_ROLE_ENTRY, ATSPI_ROLE_TEXT, ATSPI_ROLE_PASSWORD_TEXT, ATSPI_ROLE_CHECK_BOX,
  ATSPI_ROLE_COMBO_BOX, ATSPI_ROLE_PUSH_BUTTON, ATSPI_ROLE_SPIN_BUTTON, ATSPI_ROLE_TOGGLE_BUTTON,
  ATSPI_ROLE_RADIO_BUTTON, ATSPI_ROLE_LIST_ITEM, ATSPI_ROLE_MENU_ITEM, ATSPI_ROLE_SLIDER,
};

static guint       checked, unnamed;
static GHashTable *names;               /* name → how many controls have it */
static char      **allowed_fallbacks;   /* --allow-type-name */

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

/* GTK 4.8 marks no control as showing (a page behind the visible one of a stack is as visible
 * as the page on screen), so every control below ROOT counts: ROOT should be one page. */
static void
count_name (const char *name)
{
  g_hash_table_insert (names, g_strdup (name),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (names, name)) + 1));
}

/* GTK 4.8 reads a button's mnemonic label before its text ("_Cancel Cancel"): either counts. */
static gboolean
name_is (const char *name,
         const char *wanted)
{
  size_t length = strlen (name), suffix = strlen (wanted);

  return g_str_equal (name, wanted)
         || (length > suffix && g_str_has_suffix (name, wanted)
             && name[length - suffix - 1] == ' ');
}

static gboolean
has_name (const char *wanted)
{
  GHashTableIter iter;
  gpointer name;

  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (name_is (name, wanted))
      return TRUE;
  return FALSE;
}

static gboolean
is_listed (const char  *name,
           char       **list)
{
  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    if (name_is (name, list[i]))
      return TRUE;
  return FALSE;
}

static guint
report_duplicates (char **shared)
{
  GHashTableIter iter;
  gpointer name, count;
  guint duplicates = 0;

  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &name, &count))
    if (GPOINTER_TO_UINT (count) > 1 && !is_listed (name, shared))
      {
        duplicates++;
        printf ("same accessible name on %u controls: \"%s\"\n", GPOINTER_TO_UINT (count),
                (char *) name);
      }
  return duplicates;
}

static guint
report_expected (char **expect,
                 char **absent)
{
  guint wrong = 0;

  for (guint i = 0; expect != NULL && expect[i] != NULL; i++)
    if (!has_name (expect[i]))
      {
        wrong++;
        printf ("no control named \"%s\"\n", expect[i]);
      }
  for (guint i = 0; absent != NULL && absent[i] != NULL; i++)
    if (has_name (absent[i]))
      {
        wrong++;
        printf ("a control is named \"%s\", which it should not be\n", absent[i]);
      }
  return wrong;
}

/* GTK 4.8 names a control that has no name with its type ("GtkMenuButton"): no name at all to a
 * person. */
static gboolean
is_type_name (const char *name)
{
  if (!g_str_has_prefix (name, "Gtk") && !g_str_has_prefix (name, "Adw"))
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c))
      return FALSE;
  return g_ascii_isupper (name[3]);
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
      gboolean showing = atspi_state_set_contains (states, ATSPI_STATE_SHOWING);

      checked++;
      if (name == NULL || g_strstrip (name)[0] == '\0')
        {
          unnamed++;
          printf ("no accessible name: %s%s\n", here, showing ? " (showing)" : "");
        }
      else if (is_type_name (name) && !is_listed (name, allowed_fallbacks))
        {
          unnamed++;
          printf ("no accessible name (GTK reads the type name \"%s\"): %s\n", name, here);
        }
      else
        {
          count_name (name);
          if (g_getenv ("MEDREFILL_A11Y_VERBOSE"))
            printf ("named: %s \"%s\"\n", here, name);
        }
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

/* The object named @name in the application of process @pid, or NULL (said on stdout). The
 * application registers with the registry shortly after it starts: this waits up to 20 s. */
static AtspiAccessible *
find_root (int         pid,
           const char *name)
{
  AtspiAccessible *app = NULL;
  AtspiAccessible *root = NULL;

  for (guint tries = 0; tries < 100 && root == NULL; tries++)
    {
      g_clear_object (&app);
      app = find_app (pid);
      if (app != NULL)
        root = find_named (app, name, 0);
      if (root == NULL)
        g_usleep (200 * 1000);
    }
  if (root == NULL)
    printf ("%s of process %d not found on the accessibility bus\n",
            app ? name : "the application", pid);
  g_clear_object (&app);
  return root;
}

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) expect = NULL, absent = NULL, shared = NULL;
  const GOptionEntry entries[] = {
    { "expect", 0, 0, G_OPTION_ARG_STRING_ARRAY, &expect, "A control must have this name", "NAME" },
    { "absent", 0, 0, G_OPTION_ARG_STRING_ARRAY, &absent, "No control may have this name", "NAME" },
    { "allow-shared", 0, 0, G_OPTION_ARG_STRING_ARRAY, &shared, "Controls may share this name",
      "NAME" },
    { "allow-type-name", 0, 0, G_OPTION_ARG_STRING_ARRAY, &allowed_fallbacks,
      "A control of this type may go without a name (a library's own)", "TYPE" },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("PID ROOT...");
  g_autoptr(GError) error = NULL;
  guint duplicates, wrong;
  int status;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error) || argc < 3)
    {
      fprintf (stderr, "usage: %s [--expect NAME]... [--absent NAME]... PID ROOT...\n", argv[0]);
      return 2;
    }
  if (atspi_init () < 0)
    {
      fprintf (stderr, "cannot reach the accessibility bus\n");
      return 2;
    }
  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 2; i < argc; i++)
    {
      AtspiAccessible *root = find_root (atoi (argv[1]), argv[i]);

      if (root == NULL)
        return 2;
      check (root, "", 0);
      g_object_unref (root);
    }
  duplicates = report_duplicates (shared);
  wrong = report_expected (expect, absent);
  printf ("%u controls checked, %u without a name, %u names shared, %u expectations unmet\n",
          checked, unnamed, duplicates, wrong);
  status = unnamed + duplicates + wrong > 0 ? 1 : (checked > 0 ? 0 : 2);
  g_hash_table_unref (names);
  return status;
}

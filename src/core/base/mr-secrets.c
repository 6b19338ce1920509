/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-secrets.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

G_DEFINE_QUARK (mr-secrets-error-quark, mr_secrets_error)

#define UNAVAILABLE_MESSAGE \
  N_("This computer's keyring is not available. Sign in to the desktop session, or ask your " \
     "administrator to set up the keyring.")

/* One schema for every secret the app keeps: the "kind" says what it is for, the "account" whose
 * it is. Fixed at compile time, as libsecret recommends, so that no attribute comes from data. */
static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.medrefill.MedRefill.Secret", SECRET_SCHEMA_NONE,
    {
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      /* What a bound item may be used with (mr_secret_store_bound_async()). */
      { "authority", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "client-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "tenant", SECRET_SCHEMA_ATTRIBUTE_STRING },
      /* Where the secret may be sent (mr_secret_store_for_origin_async()); absent on items saved
       * before secrets were bound, and on those that are never sent anywhere. */
      { "origin", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    /* reserved fields */
  };

  return &schema;
}

static const char *
kind_name (MrSecretKind kind)
{
  switch (kind)
    {
    case MR_SECRET_REFRESH_TOKEN:
      return "refresh-token";
    case MR_SECRET_OUTBOX_KEY:
      return "outbox-key";
    case MR_SECRET_WORKFLOW_AUTH:
      return "workflow-auth";
    default:
      g_return_val_if_reached (NULL);
    }
}

/* See mr_secrets_set_namespace(); NULL for the app's own secrets. */
static char *secrets_namespace;

void
mr_secrets_set_namespace (const char *name)
{
  g_free (secrets_namespace);
  secrets_namespace = name != NULL && *name != '\0' ? g_strdup (name) : NULL;
}

/* libsecret keeps the table (not a copy of its strings) until the call finishes, so the table owns
 * copies. A lookup matches every item that has the attributes asked for, so a namespace is part
 * of the account, never an attribute of its own that the app's lookups would not ask about. */
static GHashTable *
attributes_new (MrSecretKind  kind,
                const char   *account)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) "kind", g_strdup (kind_name (kind)));
  if (account != NULL)
    g_hash_table_insert (attributes, (gpointer) "account",
                         secrets_namespace != NULL
                         ? g_strconcat (secrets_namespace, ":", account, NULL)
                         : g_strdup (account));
  return attributes;
}

/* Whether @name is one of the schema's binding attributes (the keys stay static strings). */
static const char *
binding_name (const char *name)
{
  static const char * const names[] = { "authority", "client-id", "tenant", "origin" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      return names[i];
  return NULL;
}

/* Names the schema has, each with a value. */
static gboolean
binding_is_valid (const char * const *binding)
{
  for (guint i = 0; binding != NULL && binding[i] != NULL; i += 2)
    if (binding_name (binding[i]) == NULL || binding[i + 1] == NULL)
      return FALSE;
  return TRUE;
}

/* Adds @binding's (valid) name/value pairs to @attributes. */
static void
attributes_bind (GHashTable         *attributes,
                 const char * const *binding)
{
  for (guint i = 0; binding != NULL && binding[i] != NULL; i += 2)
    g_hash_table_insert (attributes, (gpointer) binding_name (binding[i]),
                         g_strdup (binding[i + 1]));
}

/* Whether the stored @account is in the current namespace (see mr_secret_clear_kind_async()). */
static gboolean
account_in_namespace (const char *account)
{
  if (account == NULL)
    return FALSE;
  if (secrets_namespace == NULL)
    return strchr (account, ':') == NULL;
  return g_str_has_prefix (account, secrets_namespace)
         && account[strlen (secrets_namespace)] == ':';
}

/* The task of one call on (@kind, @account), and in @attributes the table that call passes on. */
static GTask *
call_new (gpointer              source_tag,
          MrSecretKind          kind,
          const char           *account,
          GCancellable         *cancellable,
          GAsyncReadyCallback   callback,
          gpointer              user_data,
          GHashTable          **attributes)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  *attributes = attributes_new (kind, account);
  return task;
}

/* libsecret's own messages speak of D-Bus names and object paths: never shown to a person.
 * Cancellation stays cancellation. */
static void
return_error (GTask  *task,
              GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }
  g_debug ("Secret Service: %s", error->message);
  g_error_free (error);
  g_task_return_new_error (task, MR_SECRETS_ERROR, MR_SECRETS_ERROR_UNAVAILABLE,
                           _(UNAVAILABLE_MESSAGE));
}

/* ---- No prompt (a kiosk) ------------------------------------------------------------------ */

/* A kiosk never lets the keyring ask anything on screen: gnome-keyring prompts to create a login
 * keyring that does not exist yet (a fresh autologin kiosk) and to unlock a locked one. So before
 * each call the default collection must exist and be unlocked; otherwise the call fails as if
 * there were no keyring, and the caller does without (the outbox then keeps requests in memory).
 * Inside Flatpak the secret portal's file backend never prompts, and is used as it is. */
static gboolean prompts_allowed = TRUE;

void
mr_secrets_set_prompts_allowed (gboolean allowed)
{
  prompts_allowed = allowed;
}

typedef void (*Continue) (GTask *task);

typedef struct {
  Continue     next;
  GHashTable  *attributes;
  char        *label;
  char        *secret;
} Call;

static void
call_free (Call *call)
{
  g_clear_pointer (&call->attributes, g_hash_table_unref);
  g_free (call->label);
  if (call->secret != NULL)
    mr_secret_free (call->secret);
  g_free (call);
}

static void
default_collection_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretCollection) collection = secret_collection_for_alias_finish (result, &error);

  if (collection == NULL || secret_collection_get_locked (collection))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        {
          g_debug ("Secret Service: %s; not asking on a kiosk",
                   error != NULL ? error->message
                   : collection == NULL ? "no default keyring" : "the default keyring is locked");
          g_task_return_new_error (task, MR_SECRETS_ERROR, MR_SECRETS_ERROR_UNAVAILABLE,
                                   _(UNAVAILABLE_MESSAGE));
        }
      g_object_unref (task);
      return;
    }
  call->next (task);
}

static void
service_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autoptr(SecretService) service = secret_service_get_finish (result, &error);

  if (service == NULL)
    {
      return_error (task, error);
      g_object_unref (task);
      return;
    }
  secret_collection_for_alias (service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                               g_task_get_cancellable (task), default_collection_cb, task);
}

/* Runs @next on @task (taken) now, or once the default collection is known to be usable without a
 * prompt. */
static void
start (GTask    *task,
       Continue  next)
{
  ((Call *) g_task_get_task_data (task))->next = next;
  if (prompts_allowed || g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      next (task);
      return;
    }
  secret_service_get (SECRET_SERVICE_NONE, g_task_get_cancellable (task), service_cb, task);
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    return_error (task, error);
}

static void
store_now (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  secret_password_storev (get_schema (), call->attributes, SECRET_COLLECTION_DEFAULT, call->label,
                          call->secret, g_task_get_cancellable (task), store_cb, task);
}

void
mr_secret_store_async (MrSecretKind         kind,
                       const char          *account,
                       const char          *label,
                       const char          *secret,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  mr_secret_store_bound_async (kind, account, NULL, label, secret, cancellable, callback,
                               user_data);
}

void
mr_secret_store_bound_async (MrSecretKind         kind,
                             const char          *account,
                             const char * const  *binding,
                             const char          *label,
                             const char          *secret,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  Call *call;

  g_return_if_fail (account != NULL);
  g_return_if_fail (label != NULL);
  g_return_if_fail (secret != NULL);
  g_return_if_fail (binding_is_valid (binding));

  task = call_new (mr_secret_store_async, kind, account, cancellable, callback, user_data,
                   &attributes);
  attributes_bind (attributes, binding);
  call = g_new0 (Call, 1);
  call->attributes = g_steal_pointer (&attributes);
  call->label = g_strdup (label);
  call->secret = g_strdup (secret);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  start (g_steal_pointer (&task), store_now);
}

void
mr_secret_store_for_origin_async (MrSecretKind         kind,
                                  const char          *account,
                                  const char          *origin,
                                  const char          *label,
                                  const char          *secret,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  const char *binding[] = { "origin", origin, NULL };

  g_return_if_fail (origin != NULL && *origin != '\0');

  mr_secret_store_bound_async (kind, account, binding, label, secret, cancellable, callback,
                               user_data);
}

gboolean
mr_secret_store_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_secret_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
secret_string_free (gpointer secret)
{
  mr_secret_free (secret);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      return_error (task, error);
      return;
    }
  /* libsecret hands out non-pageable memory; the caller gets ordinary memory it can g_free. */
  g_task_return_pointer (task, secret ? g_strdup (secret) : NULL, secret_string_free);
  secret_password_free (secret);
}

static void
lookup_now (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  secret_password_lookupv (get_schema (), call->attributes, g_task_get_cancellable (task),
                           lookup_cb, task);
}

void
mr_secret_lookup_async (MrSecretKind         kind,
                        const char          *account,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  mr_secret_lookup_bound_async (kind, account, NULL, cancellable, callback, user_data);
}

void
mr_secret_lookup_bound_async (MrSecretKind         kind,
                              const char          *account,
                              const char * const  *binding,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  Call *call;

  g_return_if_fail (account != NULL);
  g_return_if_fail (binding_is_valid (binding));

  task = call_new (mr_secret_lookup_async, kind, account, cancellable, callback, user_data,
                   &attributes);
  attributes_bind (attributes, binding);
  call = g_new0 (Call, 1);
  call->attributes = g_steal_pointer (&attributes);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  start (g_steal_pointer (&task), lookup_now);
}

void
mr_secret_lookup_for_origin_async (MrSecretKind         kind,
                                   const char          *account,
                                   const char          *origin,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  const char *binding[] = { "origin", origin, NULL };

  g_return_if_fail (origin != NULL && *origin != '\0');

  mr_secret_lookup_bound_async (kind, account, binding, cancellable, callback, user_data);
}

char *
mr_secret_lookup_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_secret_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error only means there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
clear_now (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  secret_password_clearv (get_schema (), call->attributes, g_task_get_cancellable (task),
                          clear_cb, task);
}

void
mr_secret_clear_async (MrSecretKind         kind,
                       const char          *account,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  Call *call;

  g_return_if_fail (account != NULL);

  task = call_new (mr_secret_clear_async, kind, account, cancellable, callback, user_data,
                   &attributes);
  call = g_new0 (Call, 1);
  call->attributes = g_steal_pointer (&attributes);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  start (g_steal_pointer (&task), clear_now);
}

gboolean
mr_secret_clear_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_secret_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Every item of a kind ------------------------------------------------------------------ */

/* The accounts still to clear, one call at a time; the Call's attributes hold the kind. */
typedef struct {
  GPtrArray *accounts;          /* stored accounts (namespace included) */
} ClearKind;

static void clear_next_account (GTask *task);

static void
clear_account_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      return_error (task, error);
      g_object_unref (task);
      return;
    }
  clear_next_account (task);
}

/* Takes the task's reference. A clear by kind and account takes every binding of that account. */
static void
clear_next_account (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  ClearKind *state = g_object_get_data (G_OBJECT (task), "clear-kind");
  g_autoptr(GHashTable) attributes = NULL;

  if (state->accounts->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (attributes, (gpointer) "kind",
                       g_strdup (g_hash_table_lookup (call->attributes, "kind")));
  g_hash_table_insert (attributes, (gpointer) "account",
                       g_ptr_array_steal_index (state->accounts, state->accounts->len - 1));
  secret_password_clearv (get_schema (), attributes, g_task_get_cancellable (task),
                          clear_account_cb, task);
}

static void
clear_kind_state_free (ClearKind *state)
{
  g_ptr_array_unref (state->accounts);
  g_free (state);
}

static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  GList *items = secret_password_search_finish (result, &error);
  ClearKind *state;

  if (error != NULL)
    {
      return_error (task, error);
      g_object_unref (task);
      return;
    }
  state = g_new0 (ClearKind, 1);
  state->accounts = g_ptr_array_new_with_free_func (g_free);
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (l->data);
      const char *account = g_hash_table_lookup (attributes, "account");

      if (account_in_namespace (account)
          && !g_ptr_array_find_with_equal_func (state->accounts, account, g_str_equal, NULL))
        g_ptr_array_add (state->accounts, g_strdup (account));
    }
  g_list_free_full (items, g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "clear-kind", state,
                          (GDestroyNotify) clear_kind_state_free);
  clear_next_account (task);
}

/* Items are found by kind alone, then cleared account by account: a search cannot say "in this
 * namespace", the account's prefix does. */
static void
clear_kind_now (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  secret_password_searchv (get_schema (), call->attributes, SECRET_SEARCH_ALL,
                           g_task_get_cancellable (task), searched_cb, task);
}

void
mr_secret_clear_kind_async (MrSecretKind         kind,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  Call *call;

  task = call_new (mr_secret_clear_async, kind, NULL, cancellable, callback, user_data,
                   &attributes);
  call = g_new0 (Call, 1);
  call->attributes = g_steal_pointer (&attributes);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  start (g_steal_pointer (&task), clear_kind_now);
}

void
mr_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

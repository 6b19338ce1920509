/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outbox's files and key: a single I/O thread (so that a request's writes and its removal
 * reach the disk in the order they were asked for, and the main thread never waits for fsync),
 * and the key's life in the keyring. */
#include "mr-outbox.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mr-outbox-private.h"
#include "mr-secrets.h"
#include "mr-util.h"

#define KEY_ACCOUNT "outbox"
#define KEY_LABEL   N_("Medication Refill: key of the requests waiting to be sent")

/* For xgettext: MR_OUTBOX_NO_KEYRING_MESSAGE (mr-outbox.h), translated where it is used here.
 * Keep the two texts the same. */
#if 0
N_("This computer's keyring is not available, so requests that cannot be sent now are kept only "
   "until the app closes.")
#endif

typedef enum {
  JOB_WRITE,
  JOB_REMOVE,
  JOB_LOAD,
} JobKind;

typedef struct {
  JobKind  kind;
  char    *directory;
  char    *name;
  GBytes  *contents;
  guint8   key[MR_OUTBOX_KEY_SIZE];
  GTask   *task;
  /* The result, from the I/O thread. */
  gpointer loaded;
  GError  *error;
} Job;

typedef struct {
  GPtrArray *records;
  guint      n_damaged;
} Loaded;

static void
loaded_free (gpointer data)
{
  Loaded *loaded = data;

  g_clear_pointer (&loaded->records, g_ptr_array_unref);
  g_free (loaded);
}

static void
job_free (Job *job)
{
  g_free (job->directory);
  g_free (job->name);
  g_clear_pointer (&job->contents, g_bytes_unref);
  explicit_bzero (job->key, sizeof job->key);
  g_clear_pointer (&job->loaded, loaded_free);
  g_clear_error (&job->error);
  g_clear_object (&job->task);
  g_free (job);
}

/* On the main context: the task is finished, and let go of, where it was made, so that the outbox
 * (its source object) is never released by the I/O thread. */
static gboolean
complete_job_cb (gpointer data)
{
  Job *job = data;

  if (job->error != NULL)
    g_task_return_error (job->task, g_steal_pointer (&job->error));
  else if (job->kind == JOB_LOAD)
    g_task_return_pointer (job->task, g_steal_pointer (&job->loaded), loaded_free);
  else
    g_task_return_boolean (job->task, TRUE);
  job_free (job);
  return G_SOURCE_REMOVE;
}

/* Runs in the I/O thread. */
static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  Loaded *loaded;

  switch (job->kind)
    {
    case JOB_WRITE:
      mr_outbox_write_atomic (job->directory, job->name, job->contents, &job->error);
      break;
    case JOB_REMOVE:
      mr_outbox_remove_file (job->directory, job->name, &job->error);
      break;
    case JOB_LOAD:
      loaded = g_new0 (Loaded, 1);
      loaded->records = mr_outbox_load_dir (job->directory, job->key, &loaded->n_damaged,
                                            &job->error);
      if (loaded->records != NULL)
        job->loaded = loaded;
      else
        loaded_free (loaded);
      break;
    default:
      g_assert_not_reached ();
    }
  g_main_context_invoke_full (g_task_get_context (job->task), G_PRIORITY_DEFAULT,
                              complete_job_cb, job, NULL);
}

void
mr_outbox_io_init (MrOutbox *self)
{
  self->io_pool = g_thread_pool_new (run_job, NULL, 1, FALSE, NULL);
}

/* Waits for the jobs still queued: a request's file must not be left half-handled. */
void
mr_outbox_io_clear (MrOutbox *self)
{
  if (self->io_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->io_pool), FALSE, TRUE);
}

static void
push (MrOutbox            *self,
      JobKind              kind,
      const char          *name,
      GBytes              *contents,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->directory = g_strdup (self->directory);
  job->name = g_strdup (name);
  job->contents = contents != NULL ? g_bytes_ref (contents) : NULL;
  memcpy (job->key, self->key, sizeof job->key);
  job->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (job->task, push);
  self->io_pending++;
  g_thread_pool_push (self->io_pool, job, NULL);
}

void
mr_outbox_io_write_async (MrOutbox            *self,
                          const char          *name,
                          GBytes              *contents,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  push (self, JOB_WRITE, name, contents, callback, user_data);
}

void
mr_outbox_io_remove_async (MrOutbox            *self,
                           const char          *name,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  push (self, JOB_REMOVE, name, NULL, callback, user_data);
}

gboolean
mr_outbox_io_finish (MrOutbox      *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == push, FALSE);

  g_assert (self->io_pending > 0);
  self->io_pending--;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- opening: the key, then the files -------------------------------------------------------- */

/* The app's own outbox has the key "outbox" (mr-secrets.h); an outbox elsewhere (a test's, a
 * tool's) has a key of its own, so that it can never replace or remove the app's. */
static char *
key_account (MrOutbox *self)
{
  g_autofree char *standard = g_build_filename (g_get_user_data_dir (),
                                                "io.github.medrefill.MedRefill", "outbox", NULL);

  if (g_strcmp0 (self->directory, standard) == 0)
    return g_strdup (KEY_ACCOUNT);
  return g_strconcat (KEY_ACCOUNT, ":", self->directory, NULL);
}

static void
open_in_memory (MrOutbox   *self,
                GTask      *task,
                const char *problem)
{
  mr_outbox_set_storage (self, FALSE, problem);
  mr_outbox_opened (self, NULL, 0);
  g_task_return_boolean (task, TRUE);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrOutbox *self = MR_OUTBOX (source);
  g_autoptr(GError) error = NULL;
  Loaded *loaded;

  g_assert (self->io_pending > 0);
  self->io_pending--;
  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (loaded == NULL)
    {
      /* TRANSLATORS: %s is a sentence that says why the saved requests could not be read. */
      g_autofree char *problem = g_strdup_printf (_("%s Requests that cannot be sent now are kept "
                                                    "only until the app closes."),
                                                  error->message);

      open_in_memory (self, task, problem);
      return;
    }
  mr_outbox_set_storage (self, TRUE, NULL);
  mr_outbox_opened (self, loaded->records, loaded->n_damaged);
  loaded_free (loaded);
  g_task_return_boolean (task, TRUE);
}

static void
load (MrOutbox *self,
      GTask    *task)
{
  self->have_key = TRUE;
  push (self, JOB_LOAD, NULL, NULL, load_cb, task);
}

static void
key_store_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrOutbox *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!mr_secret_store_finish (result, &error))
    {
      explicit_bzero (self->key, sizeof self->key);
      open_in_memory (self, task, _(MR_OUTBOX_NO_KEYRING_MESSAGE));
      return;
    }
  load (self, g_steal_pointer (&task));
}

static void
make_key (MrOutbox *self,
          GTask    *task)
{
  g_autofree char *encoded = NULL;
  g_autofree char *account = key_account (self);

  mr_random_bytes (self->key, sizeof self->key);
  encoded = g_base64_encode (self->key, sizeof self->key);
  mr_secret_store_async (MR_SECRET_OUTBOX_KEY, account, _(KEY_LABEL), encoded,
                         g_task_get_cancellable (task), key_store_cb, task);
  explicit_bzero (encoded, strlen (encoded));
}

static void
key_lookup_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MrOutbox *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree guchar *key = NULL;
  char *encoded;
  gsize len = 0;

  encoded = mr_secret_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->opening = FALSE;
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      open_in_memory (self, task, _(MR_OUTBOX_NO_KEYRING_MESSAGE));
      return;
    }
  if (encoded == NULL)
    {
      make_key (self, g_steal_pointer (&task));
      return;
    }
  key = g_base64_decode (encoded, &len);
  mr_secret_free (encoded);
  if (len != MR_OUTBOX_KEY_SIZE)
    {
      /* Replacing it would lose every saved request for good; a person should look. */
      open_in_memory (self, task, _("The outbox's key in this computer's keyring is damaged, so "
                                    "requests that cannot be sent now are kept only until the app "
                                    "closes."));
      return;
    }
  memcpy (self->key, key, sizeof self->key);
  explicit_bzero (key, len);
  load (self, g_steal_pointer (&task));
}

void
mr_outbox_io_open_async (MrOutbox            *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *account = key_account (self);

  g_task_set_source_tag (task, mr_outbox_io_open_async);
  if (self->have_key)
    load (self, task);
  else
    mr_secret_lookup_async (MR_SECRET_OUTBOX_KEY, account, cancellable, key_lookup_cb, task);
}

gboolean
mr_outbox_io_open_finish (MrOutbox      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_outbox_io_open_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

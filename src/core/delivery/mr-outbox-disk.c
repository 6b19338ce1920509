/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outbox's disk: its files, written and read by a single I/O thread (so that a request's
 * writes and its removal reach the disk in the order they were asked for, and the main thread
 * never waits for fsync), and the key's life in the keyring. It only reports what it found; the
 * outbox decides what that means. */
#include "mr-outbox-disk.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "mr-outbox.h"   /* for MR_OUTBOX_NO_KEYRING_MESSAGE only: it calls no outbox code */
#include "mr-secrets.h"
#include "mr-util.h"

#define KEY_ACCOUNT "outbox"
#define KEY_LABEL   N_("Medication Refill: key of the requests waiting to be sent")
#define SUFFIX      ".mro"
#define TEMP_PREFIX ".tmp-"

/* For xgettext: MR_OUTBOX_NO_KEYRING_MESSAGE (mr-outbox.h), translated where it is used here.
 * Keep the two texts the same. */
#if 0
N_("This computer's keyring is not available, so requests that cannot be sent now are kept only "
   "until the app closes.")
#endif

struct _MrOutboxDisk
{
  GObject     *owner;        /* borrowed: the source object of every result */
  char        *directory;
  guint8       key[MR_OUTBOX_KEY_SIZE];
  gboolean     have_key;
  GThreadPool *pool;         /* one thread: jobs run in the order they were queued */
  guint        pending;      /* jobs queued or running */
};

/* ---- the files (blocking: the I/O thread only) ---------------------------------------------- */

static gboolean
set_storage_error (GError     **error,
                   int          saved_errno)
{
  g_set_error (error, MR_OUTBOX_ERROR, MR_OUTBOX_ERROR_STORAGE,
               _("The request could not be saved on this computer (%s)."),
               g_strerror (saved_errno));
  return FALSE;
}

static gboolean
sync_dir (const char  *dir,
          GError     **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd < 0)
    return set_storage_error (error, errno);
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      saved_errno = errno;
      close (fd);
      return set_storage_error (error, saved_errno);
    }
  close (fd);
  return TRUE;
}

static gboolean
write_all (int          fd,
           const guint8 *data,
           gsize        len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Writes @contents to @dir/@name atomically and durably: a temporary file in @dir, fsync, rename,
 * fsync of @dir. The file is readable by its owner only. */
static gboolean
write_atomic (const char  *dir,
              const char  *name,
              GBytes      *contents,
              GError     **error)
{
  g_autofree char *temp = g_build_filename (dir, TEMP_PREFIX "XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gsize len;
  const guint8 *data = g_bytes_get_data (contents, &len);
  int fd, saved_errno;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return set_storage_error (error, errno);
  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_storage_error (error, errno);
  if (!write_all (fd, data, len) || fsync (fd) != 0)
    {
      saved_errno = errno != 0 ? errno : EIO;
      close (fd);
      g_unlink (temp);
      return set_storage_error (error, saved_errno);
    }
  if (close (fd) != 0 || g_rename (temp, path) != 0)
    {
      saved_errno = errno;
      g_unlink (temp);
      return set_storage_error (error, saved_errno);
    }
  return sync_dir (dir, error);
}

/* Removes @dir/@name and syncs @dir; TRUE also when the file was already gone. */
static gboolean
remove_file (const char  *dir,
             const char  *name,
             GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (g_unlink (path) != 0 && errno != ENOENT)
    return set_storage_error (error, errno);
  return sync_dir (dir, error);
}

static void
move_aside (const char *dir,
            const char *name)
{
  g_autofree char *damaged = g_build_filename (dir, "damaged", NULL);
  g_autofree char *from = g_build_filename (dir, name, NULL);
  g_autofree char *to = g_build_filename (damaged, name, NULL);

  if (g_mkdir_with_parents (damaged, 0700) != 0 || g_rename (from, to) != 0)
    g_message ("A damaged outbox file could not be moved aside: %s", g_strerror (errno));
}

/* The record in @dir/@name, or NULL when it is damaged. */
static MrOutboxRecord *
load_one (const char   *dir,
          const char   *name,
          const guint8  key[MR_OUTBOX_KEY_SIZE])
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *id = g_strndup (name, strlen (name) - strlen (SUFFIX));
  g_autoptr(MrOutboxRecord) record = NULL;
  GStatBuf st;
  gsize len = 0;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > MR_OUTBOX_MAX_FILE_SIZE)
    return NULL;
  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  record = mr_outbox_decode_file ((const guint8 *) contents, len, key, NULL);
  explicit_bzero (contents, len);
  if (record == NULL || !g_str_equal (record->request_id, id))
    return NULL;
  return g_steal_pointer (&record);
}

/* Loads every request file of @dir (made if missing, mode 0700): leftover temporary files are
 * deleted, files that cannot be read or decrypted are moved to @dir/damaged/ and counted in
 * @n_damaged. Returns a new array of MrOutboxRecord. */
static GPtrArray *
load_dir (const char    *dir,
          const guint8   key[MR_OUTBOX_KEY_SIZE],
          guint         *n_damaged,
          GError       **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GDir) handle = NULL;
  const char *name;

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_outbox_record_free);
  *n_damaged = 0;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      set_storage_error (error, errno);
      return NULL;
    }
  handle = g_dir_open (dir, 0, NULL);
  if (handle == NULL)
    {
      set_storage_error (error, errno);
      return NULL;
    }

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      MrOutboxRecord *record;

      if (g_str_has_prefix (name, TEMP_PREFIX))
        {
          /* A write that a crash interrupted before its rename: the request is in the previous
           * version of its file, or was never acknowledged to anyone. */
          g_autofree char *path = g_build_filename (dir, name, NULL);

          g_unlink (path);
          continue;
        }
      if (!g_str_has_suffix (name, SUFFIX))
        continue;
      record = load_one (dir, name, key);
      if (record != NULL)
        g_ptr_array_add (records, record);
      else
        {
          move_aside (dir, name);
          (*n_damaged)++;
        }
    }
  return g_steal_pointer (&records);
}

/* ---- the I/O thread -------------------------------------------------------------------------- */

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

/* On the main context: the task is finished, and let go of, where it was made, so that the owner
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
      write_atomic (job->directory, job->name, job->contents, &job->error);
      break;
    case JOB_REMOVE:
      remove_file (job->directory, job->name, &job->error);
      break;
    case JOB_LOAD:
      loaded = g_new0 (Loaded, 1);
      loaded->records = load_dir (job->directory, job->key, &loaded->n_damaged,
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

MrOutboxDisk *
mr_outbox_disk_new (GObject *owner)
{
  MrOutboxDisk *disk = g_new0 (MrOutboxDisk, 1);

  disk->owner = owner;
  disk->pool = g_thread_pool_new (run_job, NULL, 1, FALSE, NULL);
  return disk;
}

void
mr_outbox_disk_free (MrOutboxDisk *disk)
{
  g_thread_pool_free (g_steal_pointer (&disk->pool), FALSE, TRUE);
  explicit_bzero (disk->key, sizeof disk->key);
  g_free (disk->directory);
  g_free (disk);
}

void
mr_outbox_disk_set_directory (MrOutboxDisk *disk,
                              const char   *directory)
{
  g_free (disk->directory);
  disk->directory = g_strdup (directory);
}

void
mr_outbox_disk_set_key (MrOutboxDisk *disk,
                        const guint8  key[MR_OUTBOX_KEY_SIZE])
{
  memcpy (disk->key, key, sizeof disk->key);
  disk->have_key = TRUE;
}

guint
mr_outbox_disk_get_pending (MrOutboxDisk *disk)
{
  return disk->pending;
}

static void
push (MrOutboxDisk        *disk,
      JobKind              kind,
      const char          *name,
      GBytes              *contents,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->directory = g_strdup (disk->directory);
  job->name = g_strdup (name);
  job->contents = contents != NULL ? g_bytes_ref (contents) : NULL;
  memcpy (job->key, disk->key, sizeof job->key);
  job->task = g_task_new (disk->owner, NULL, callback, user_data);
  g_task_set_source_tag (job->task, push);
  disk->pending++;
  g_thread_pool_push (disk->pool, job, NULL);
}

void
mr_outbox_disk_save_async (MrOutboxDisk         *disk,
                           const MrOutboxRecord *record,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  g_autofree char *name = g_strconcat (record->request_id, SUFFIX, NULL);
  g_autoptr(GBytes) contents = mr_outbox_encode_file (record, disk->key);

  push (disk, JOB_WRITE, name, contents, callback, user_data);
}

void
mr_outbox_disk_remove_async (MrOutboxDisk        *disk,
                             const char          *request_id,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *name = g_strconcat (request_id, SUFFIX, NULL);

  push (disk, JOB_REMOVE, name, NULL, callback, user_data);
}

gboolean
mr_outbox_disk_finish (MrOutboxDisk  *disk,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == push, FALSE);

  g_assert (disk->pending > 0);
  disk->pending--;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- opening: the key, then the files -------------------------------------------------------- */

/* What opening found, kept as the task's data until _finish hands it over. */
typedef struct {
  MrOutboxDisk *disk;
  GPtrArray    *records;
  guint         n_damaged;
  char         *problem;
} Opened;

static void
opened_free (gpointer data)
{
  Opened *opened = data;

  g_clear_pointer (&opened->records, g_ptr_array_unref);
  g_free (opened->problem);
  g_free (opened);
}

/* The app's own outbox has the key "outbox" (mr-secrets.h); an outbox elsewhere (a test's, a
 * tool's) has a key of its own, so that it can never replace or remove the app's. */
static char *
key_account (MrOutboxDisk *disk)
{
  g_autofree char *standard = g_build_filename (g_get_user_data_dir (),
                                                "io.github.medrefill.MedRefill", "outbox", NULL);

  if (g_strcmp0 (disk->directory, standard) == 0)
    return g_strdup (KEY_ACCOUNT);
  return g_strconcat (KEY_ACCOUNT, ":", disk->directory, NULL);
}

/* Requests cannot reach the disk: says why, with no records. */
static void
return_problem (GTask      *task,
                const char *problem)
{
  Opened *opened = g_task_get_task_data (task);

  opened->problem = g_strdup (problem);
  g_task_return_boolean (task, TRUE);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Opened *opened = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  Loaded *loaded;

  g_assert (opened->disk->pending > 0);
  opened->disk->pending--;
  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (loaded == NULL)
    {
      /* TRANSLATORS: %s is a sentence that says why the saved requests could not be read. */
      g_autofree char *problem = g_strdup_printf (_("%s Requests that cannot be sent now are kept "
                                                    "only until the app closes."),
                                                  error->message);

      return_problem (task, problem);
      return;
    }
  opened->records = g_steal_pointer (&loaded->records);
  opened->n_damaged = loaded->n_damaged;
  loaded_free (loaded);
  g_task_return_boolean (task, TRUE);
}

static void
load (MrOutboxDisk *disk,
      GTask        *task)
{
  disk->have_key = TRUE;
  push (disk, JOB_LOAD, NULL, NULL, load_cb, task);
}

static void
key_store_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Opened *opened = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!mr_secret_store_finish (result, &error))
    {
      explicit_bzero (opened->disk->key, sizeof opened->disk->key);
      return_problem (task, _(MR_OUTBOX_NO_KEYRING_MESSAGE));
      return;
    }
  load (opened->disk, g_steal_pointer (&task));
}

static void
make_key (MrOutboxDisk *disk,
          GTask        *task)
{
  g_autofree char *encoded = NULL;
  g_autofree char *account = key_account (disk);

  mr_random_bytes (disk->key, sizeof disk->key);
  encoded = g_base64_encode (disk->key, sizeof disk->key);
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
  MrOutboxDisk *disk = ((Opened *) g_task_get_task_data (task))->disk;
  g_autoptr(GError) error = NULL;
  g_autofree guchar *key = NULL;
  char *encoded;
  gsize len = 0;

  encoded = mr_secret_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      return_problem (task, _(MR_OUTBOX_NO_KEYRING_MESSAGE));
      return;
    }
  if (encoded == NULL)
    {
      make_key (disk, g_steal_pointer (&task));
      return;
    }
  key = g_base64_decode (encoded, &len);
  mr_secret_free (encoded);
  if (len != MR_OUTBOX_KEY_SIZE)
    {
      /* Replacing it would lose every saved request for good; a person should look. */
      return_problem (task, _("The outbox's key in this computer's keyring is damaged, so "
                              "requests that cannot be sent now are kept only until the app "
                              "closes."));
      return;
    }
  memcpy (disk->key, key, sizeof disk->key);
  explicit_bzero (key, len);
  load (disk, g_steal_pointer (&task));
}

void
mr_outbox_disk_open_async (MrOutboxDisk        *disk,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (disk->owner, cancellable, callback, user_data);
  Opened *opened = g_new0 (Opened, 1);
  g_autofree char *account = key_account (disk);

  g_task_set_source_tag (task, mr_outbox_disk_open_async);
  opened->disk = disk;
  g_task_set_task_data (task, opened, opened_free);
  if (disk->have_key)
    load (disk, task);
  else
    mr_secret_lookup_async (MR_SECRET_OUTBOX_KEY, account, cancellable, key_lookup_cb, task);
}

gboolean
mr_outbox_disk_open_finish (MrOutboxDisk  *disk,
                            GAsyncResult  *result,
                            GPtrArray    **records,
                            guint         *n_damaged,
                            char         **problem,
                            GError       **error)
{
  Opened *opened;

  g_return_val_if_fail (g_task_is_valid (result, disk->owner), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mr_outbox_disk_open_async,
                        FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  opened = g_task_get_task_data (G_TASK (result));
  *records = g_steal_pointer (&opened->records);
  *n_damaged = opened->n_damaged;
  *problem = g_steal_pointer (&opened->problem);
  return TRUE;
}

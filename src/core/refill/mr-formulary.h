/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MR_FORMULARY_ERROR (mr_formulary_error_quark ())

typedef enum {
  MR_FORMULARY_ERROR_READ,      /* the file cannot be read */
  MR_FORMULARY_ERROR_INVALID,   /* not a JSON array of {name, strengths, form} */
} MrFormularyError;

/* One medicine of the clinic's formulary file. */
typedef struct {
  char  *name;
  char **strengths;             /* NULL-terminated, possibly empty */
  char  *form;                  /* may be NULL */
} MrFormularyEntry;

/* The clinic's list of medicines, for autocompletion. Immutable once loaded. */
typedef struct _MrFormulary MrFormulary;

GQuark            mr_formulary_error_quark  (void);

/* Reads @path: a JSON array of objects {"name": "Metformin", "strengths": ["500 mg"],
 * "form": "tablet"} ("strengths" and "form" optional). Entries without a name are an error, as is
 * anything that is not that shape; text is cleaned and NFC-normalised. Blocks on the file: call
 * it from a thread or use mr_formulary_load_async(). */
MrFormulary      *mr_formulary_load         (const char           *path,
                                             GError              **error);
/* mr_formulary_load() in a worker thread. */
void              mr_formulary_load_async   (const char           *path,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
MrFormulary      *mr_formulary_load_finish  (GAsyncResult         *result,
                                             GError              **error);
void              mr_formulary_free         (MrFormulary          *formulary);

guint             mr_formulary_get_size     (MrFormulary          *formulary);

/* Entries whose name starts with @prefix, ignoring case and accents ("ibu" and "IBÚ" find
 * "Ibuprofen"), in the file's order, at most @max (0: no limit). An empty prefix matches
 * nothing. Returns a new array of entries owned by @formulary: free the array only. */
GPtrArray        *mr_formulary_complete     (MrFormulary          *formulary,
                                             const char           *prefix,
                                             guint                 max);

/* @s without accents, case-folded and NFC: the key the completion compares. */
char             *mr_formulary_fold         (const char           *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrFormulary, mr_formulary_free)

G_END_DECLS

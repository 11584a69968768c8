/* SPDX-License-Identifier: MIT */
#ifndef QMB_IDS_H
#define QMB_IDS_H

/*
 * Which sessions the store holds: the ids behind the file names of
 * .qmb/sessions/, .qmb/audit/, .qmb/logs/ and the archive folders.
 *
 * Owns: nothing on disk; it only reads folder listings and checks that
 * a name exists.  Never opens, locks, changes or removes a file, never
 * follows a link (a name is tested with AT_SYMLINK_NOFOLLOW).
 * Used by recovery, retention and the health checks; depends on the
 * project's folders (qmb_paths) only.
 */

#include <stddef.h>

#include "qmb_err.h"
#include "qmb_paths.h"

/*
 * Every session id with a file in .qmb/sessions/ or .qmb/audit/, sorted,
 * without the archived ones.  The caller frees with qmb_ids_free.
 */
int	qmb_ids_sessions(struct qmb_proj *, char ***ids, size_t *n,
	    struct qmb_err *);
/*
 * The ids in a folder: names ending in one of sfx (NULL-terminated),
 * the suffix cut off, valid ids only, sorted, each once.  A missing
 * folder has none.  Free with qmb_ids_free.
 */
int	qmb_ids_list(struct qmb_proj *, enum qmb_dir,
	    const char *const *sfx, char ***ids, size_t *n, struct qmb_err *);
void	qmb_ids_free(char **, size_t);

/* 1 when .qmb/DIR/ID+suffix exists (not following a link), else 0. */
int	qmb_ids_exists(struct qmb_proj *, enum qmb_dir, const char *id,
	    const char *suffix);
/* 1 when id has live state files (.json, .json.bak or a temporary). */
int	qmb_ids_has_state(struct qmb_proj *, const char *id);

/*
 * Call fn for each entry of a folder but . and ..; a missing folder has
 * none.  A non-zero return of fn stops the walk and is returned.
 */
typedef int qmb_ids_fn(const char *name, void *arg, struct qmb_err *);
int	qmb_ids_each(struct qmb_proj *, enum qmb_dir, qmb_ids_fn *, void *arg,
	    struct qmb_err *);

#endif

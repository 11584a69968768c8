/* SPDX-License-Identifier: MIT */
#ifndef QMB_MIRROR_H
#define QMB_MIRROR_H

/*
 * The audit mirror: with audit_mirror set ($QMB_AUDIT_MIRROR or
 * .qmb/config.json; a folder, absolute or relative to the project), every
 * audit entry is also appended, fdatasync'ed, to FOLDER/ID.audit.json,
 * so the trail survives the loss of .qmb/.  A mirror failure does not
 * undo the entry already in the trail; the caller warns.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_err.h"
#include "qmb_paths.h"

/*
 * Append one entry line (without newline).  0 also when no mirror is set.
 * *at gets the offset where the line begins, or -1 when nothing was
 * written (no mirror, or it could not be opened).
 */
int	qmb_mirror_append(struct qmb_proj *, const char *id, const char *line,
	    size_t len, int64_t *at, struct qmb_err *);
/* Cut id's mirror back to at bytes (a withdrawn entry) and sync it. */
int	qmb_mirror_takeback(struct qmb_proj *, const char *id, int64_t at,
	    struct qmb_err *);

enum qmb_mirror_cmp { QMB_MIRROR_NONE, QMB_MIRROR_SAME, QMB_MIRROR_DIFFERS };

/*
 * Compare id's mirror with trail text.  The mirror may begin later than
 * the trail (it was configured later) but must then hold the same lines
 * to the end.  what gets a description of the first difference.
 */
int	qmb_mirror_compare(struct qmb_proj *, const char *id, const char *trail,
	    size_t len, enum qmb_mirror_cmp *, char *what, size_t wsize,
	    struct qmb_err *);

#endif

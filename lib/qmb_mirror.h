/* SPDX-License-Identifier: MIT */
#ifndef QMB_MIRROR_H
#define QMB_MIRROR_H

/*
 * The audit mirror, an anchor outside the project: every audit entry is
 * also appended, fdatasync'ed, to FOLDER/ID.audit.json, so that the trail
 * survives the loss of .qmb/ and a trail changed behind qmb's back (an
 * entry added, rewritten or cut off) no longer matches its copy.  FOLDER
 * is, by default, ${XDG_STATE_HOME:-$HOME/.local/state}/qmb/mirror/KEY,
 * KEY the project folder's name, '-' and the first 16 hex digits of the
 * SHA-256 of its real path; the audit_mirror setting ($QMB_AUDIT_MIRROR
 * or .qmb/config.json) names another folder (absolute or relative to the
 * project) or is "off".  A mirror failure does not undo the entry
 * already in the trail; the caller warns.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_err.h"
#include "qmb_paths.h"

/* The mirror folder (absolute), or "" when the mirror is off. */
int	qmb_mirror_folder(struct qmb_proj *, char *out, size_t n, int *deflt,
	    struct qmb_err *);
/*
 * Append one entry line (without newline).  0 also when the mirror is
 * off.  *at gets the offset where the line begins, or -1 when nothing
 * was written (no mirror, or it could not be opened).  Entry 1 (a trail
 * begun anew) moves an existing copy aside to ID.audit.json.replaced-TIME
 * first.
 */
int	qmb_mirror_append(struct qmb_proj *, const char *id, const char *line,
	    size_t len, int64_t *at, struct qmb_err *);
/* Cut id's mirror back to at bytes (a withdrawn entry) and sync it. */
int	qmb_mirror_takeback(struct qmb_proj *, const char *id, int64_t at,
	    struct qmb_err *);

/*
 * The trail was rewritten by a repair: keep the mirror's copy aside
 * (ID.audit.json.replaced-TIME) and copy the live trail, whole lines
 * only, as the new copy.
 */
int	qmb_mirror_restart(struct qmb_proj *, const char *id, struct qmb_err *);

/* NONE: the mirror is off; ABSENT: the default mirror has no copy. */
enum qmb_mirror_cmp { QMB_MIRROR_NONE, QMB_MIRROR_SAME, QMB_MIRROR_DIFFERS,
	QMB_MIRROR_ABSENT };

/*
 * Compare id's mirror with its trail (live, else archived), reading both
 * a line at a time.  The mirror may begin later than the trail (it was
 * configured later) but must then hold the same lines to the end.  what
 * gets a description of the first difference: an entry changed, entries
 * the mirror lacks (added to the trail behind qmb's back, or a mirror
 * write that failed), entries the trail lacks (cut short, or removed).
 */
int	qmb_mirror_compare(struct qmb_proj *, const char *id,
	    enum qmb_mirror_cmp *, char *what, size_t wsize, struct qmb_err *);

#endif

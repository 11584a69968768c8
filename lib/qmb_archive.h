/* SPDX-License-Identifier: MIT */
#ifndef QMB_ARCHIVE_H
#define QMB_ARCHIVE_H

/*
 * Archiving one live session: the session_archived entry is audited
 * first (qmb_txn, under the session lock), then its .json and .bak are
 * moved into .qmb/archive/sessions/ and both folders are synced.  When a
 * move fails the entry is withdrawn (and a moved .bak put back); when
 * that cannot be done, or a sync fails, the error is QMB_EXIT_PENDING.
 * Used by qmb-session archive and by retention (qmb_retention_run).
 *
 * Owns: .qmb/archive/sessions/.  Never overwrites an archived copy
 * (QMB_EXIT_BUSY when one exists), never removes anything, and leaves
 * the trail where it is (retention compresses it later).
 */

#include "qmb_err.h"
#include "qmb_paths.h"

/*
 * Archive session id; details is the session_archived entry's details
 * (a JSON object text) or NULL for {"to":".qmb/archive/sessions"}.
 */
int	qmb_archive_session(struct qmb_proj *, const char *id,
	    const char *user, const char *details, struct qmb_err *);

#endif

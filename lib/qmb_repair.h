/* SPDX-License-Identifier: MIT */
#ifndef QMB_REPAIR_H
#define QMB_REPAIR_H

/*
 * Repair (DESIGN 4): carry out what classification decided for one
 * session, and cut the torn last lines of logs that no live session
 * repairs (the global log, archived or deleted sessions' logs).
 *
 * Owns the writes of a repair: files set aside in .qmb/corrupt/ (moved
 * or linked with a timestamp, torn lines as NAME.torn-TIME), a broken
 * audit trail cut back to its verified entries, and the state saved
 * through qmb_txn with a session_recovered entry (and a session_imported
 * one when the state is ahead of its trail), logged as a WARN.
 *
 * Never deletes anything that holds data, never applies an entry past
 * the first bad one of a trail, never leaves the trail disagreeing with
 * the state, and changes nothing on a dry run or a newer-version state.
 */

#include "qmb_err.h"
#include "qmb_paths.h"
#include "qmb_recover.h"

struct qmb_repair_opts {
	enum qmb_from	 from;
	int		 dry_run;	/* classify only */
	const char	*user;
};

/*
 * Classify and repair one session.  On failure r still describes what
 * was found and what was done before it.
 */
int	qmb_repair_session(struct qmb_proj *, const char *id,
	    const struct qmb_repair_opts *, struct qmb_rec *, struct qmb_err *);
/*
 * Project-wide findings (id "system"): torn last lines of logs without
 * a live session; cut them unless dry_run (a dry run is the check).
 */
int	qmb_repair_system(struct qmb_proj *, int dry_run, struct qmb_rec *,
	    struct qmb_err *);

#endif

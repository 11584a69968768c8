/* SPDX-License-Identifier: MIT */
#ifndef QMB_TXN_H
#define QMB_TXN_H

/*
 * A change to one session: take its lock, read it, roll it forward if
 * its audit trail is ahead (a crash between audit and save), then for
 * each change: append the audit entry (write-ahead), apply that very
 * entry to the state, save the state atomically, write the log line.
 * The lock is held from the read to the last save, so concurrent
 * processes lose no update.
 *
 *	qmb_txn_begin(&t, p, id, user, err)	(or qmb_txn_create)
 *	... check preconditions on t.s ...
 *	qmb_txn_commit(&t, "stage_approved", details, NULL, "B", err)
 *	qmb_txn_end(&t)
 */

#include "qmb_audit.h"
#include "qmb_lock.h"
#include "qmb_log.h"
#include "qmb_paths.h"
#include "qmb_session.h"

struct qmb_txn {
	struct qmb_proj		*p;
	struct qmb_lock		 lock;
	struct qmb_session	 s;
	enum qmb_cur		 cur;
	const char		*user;
	int			 rolled;	/* entries rolled forward */
	int			 migrated;	/* was in an older format */
	struct qmb_err		 logerr;	/* last log failure, if any */
	int			 logfailed;
	char			 mirror_error[QMB_ERR_MSG];	/* "" or why */
	struct qmb_audit_head	 head;		/* the trail's head, if known */
	int			 head_known;
	int			 stale;		/* s changed but not saved */
	const char		*type;		/* of the entry being committed */
	struct qmb_buf		 text;		/* the state being saved */
};

/*
 * Lock and load an existing session (QMB_EXIT_NOTFOUND, _CORRUPT, _BUSY).
 * A session of an older format (the TypeScript tool's) is migrated first
 * (qmb_migrate.h) and migrated is set, for the caller to say so.
 */
int	qmb_txn_begin(struct qmb_txn *, struct qmb_proj *, const char *id,
	    const char *user, struct qmb_err *);
/* Lock a new id; fails with QMB_EXIT_BUSY if it has a state or trail. */
int	qmb_txn_create(struct qmb_txn *, struct qmb_proj *, const char *id,
	    const char *user, struct qmb_err *);
/*
 * Audit, apply, save, log.  details is a JSON object text; stage names
 * the stage for the log line (or NULL); logdetails, when not NULL,
 * replaces details in the log line (a script part belongs in the audit,
 * its size and hash in the log).  The state the entry makes is
 * checked against QMB_MAX_FILE before the entry is written.  On failure
 * nothing was changed: an entry appended before the save failed is taken
 * back under the lock.  Only when that is impossible, or the new state
 * was already in place, does the change stand: QMB_EXIT_PENDING (8), and
 * the next access rolls it forward as after a crash.  After a failure
 * the transaction takes no further change.
 */
int	qmb_txn_commit(struct qmb_txn *, const char *type, const char *details,
	    const char *logdetails, const char *stage, struct qmb_err *);
/*
 * Withdraw the last committed change after a later step of the same
 * command failed (err says how): the state from its .bak, the entry from
 * the trail.  Always -1: err becomes QMB_EXIT_IO "...; nothing was
 * changed", or QMB_EXIT_PENDING when the change could not be withdrawn.
 */
int	qmb_txn_withdraw(struct qmb_txn *, struct qmb_err *);
void	qmb_txn_end(struct qmb_txn *);

/* Lock a session's lock file only (for archive, recovery). */
int	qmb_session_lock(struct qmb_proj *, const char *id, struct qmb_lock *,
	    struct qmb_err *);

#endif

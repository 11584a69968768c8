/* SPDX-License-Identifier: MIT */
#ifndef QMB_LOCK_H
#define QMB_LOCK_H

/*
 * Locks are flock(2) on a lock file that is never renamed or deleted.
 * flock, not fcntl: an fcntl lock is dropped when the process closes any
 * descriptor of the file, and flock locks belong to the open file
 * description, so the kernel frees them when the holder dies (kill -9
 * included) and they never go stale.  qmb_lock_take retries a
 * non-blocking flock with a growing pause until timeout_ms has passed,
 * then fails with QMB_EXIT_BUSY.
 */

#include "qmb_err.h"

struct qmb_lock {
	int	fd;		/* -1 when not held */
};

#define QMB_LOCK_INIT { -1 }

/* The --wait default, seconds. */
#define QMB_LOCK_WAIT 10

/*
 * Open (creating, mode) dfd/name and lock it: op is LOCK_EX or LOCK_SH.
 * what names the guarded thing in the busy message ("session 'x'").
 */
int	qmb_lock_take(struct qmb_lock *, int dfd, const char *name, int op,
	    long timeout_ms, unsigned mode, const char *what, struct qmb_err *);
/* Change the mode of a held lock (LOCK_EX <-> LOCK_SH), with timeout. */
int	qmb_lock_convert(struct qmb_lock *, int op, long timeout_ms,
	    const char *what, struct qmb_err *);
void	qmb_lock_release(struct qmb_lock *);

/* The --wait value as milliseconds: QMB_LOCK_WAIT unless set by --wait. */
long	qmb_lock_wait_ms(void);
void	qmb_lock_set_wait(double seconds);

#endif

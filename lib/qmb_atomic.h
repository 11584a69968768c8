/* SPDX-License-Identifier: MIT */
#ifndef QMB_ATOMIC_H
#define QMB_ATOMIC_H

/*
 * Atomic, durable replacement of a whole file.  A reader sees the old
 * contents or the new, never a missing or half-written file; after
 * success the new contents survive a crash.
 *
 * qmb_atomic_write: for outputs, cache and queue files.  A temporary
 * ".NAME.XXXXXXXX.tmp" in the same directory (O_EXCL), written, fsync'ed and
 * closed, renamed over NAME, then the directory fsync'ed.
 *
 * qmb_atomic_save: the session save of DESIGN 2.1, for callers that hold
 * the file's lock.  Steps: remove a stale NAME.tmp; write NAME.tmp
 * (O_CREAT|O_EXCL|O_NOFOLLOW) and fsync it; if NAME exists and is valid,
 * hard-link it to NAME.bak.tmp and rename that over NAME.bak (so .bak is
 * always the previous good version and NAME never disappears); if NAME is
 * invalid, hard-link it into the corrupt folder as NAME.corrupt-TIME and
 * keep .bak; rename NAME.tmp over NAME; fsync the directory.  Any failure
 * before the final rename removes NAME.tmp and leaves NAME and NAME.bak as
 * they were; fsync is never retried.
 */

#include <sys/types.h>
#include <stddef.h>

#include "qmb_err.h"

enum qmb_cur {
	QMB_CUR_UNKNOWN,	/* read NAME and ask valid() */
	QMB_CUR_VALID,		/* caller read it under the lock: good */
	QMB_CUR_INVALID,	/* caller read it under the lock: damaged */
	QMB_CUR_MISSING		/* caller found no NAME */
};

struct qmb_save {
	int		 dfd;		/* folder of NAME */
	const char	*name;
	int		 corruptfd;	/* where a damaged NAME goes, or -1 */
	mode_t		 mode;
	enum qmb_cur	 cur;
	/* with QMB_CUR_UNKNOWN: 1 when data is a good version of NAME */
	int		(*valid)(const char *data, size_t len);
	int		*replaced;	/* set to 1 once NAME is the new file */
};

int	qmb_atomic_write(int dfd, const char *name, const void *, size_t,
	    mode_t, struct qmb_err *);
int	qmb_atomic_save(const struct qmb_save *, const void *, size_t,
	    struct qmb_err *);
/*
 * Create a new file NAME (O_EXCL: never replaces one), write it, fsync it
 * and its directory.  For copies kept for analysis, where a copy cut
 * short by a crash is harmless and a hidden temporary file would not be.
 */
int	qmb_atomic_create(int dfd, const char *name, const void *, size_t,
	    mode_t, struct qmb_err *);
/*
 * Keep a damaged file: hard-link dfd/name into corruptfd as
 * "NAME.corrupt-TIME" (or rename it there when move is set).
 * The new name goes to kept (PATH_MAX) when not NULL.
 */
int	qmb_atomic_keep_corrupt(int dfd, const char *name, int corruptfd,
	    int move, char *kept, struct qmb_err *);

#endif

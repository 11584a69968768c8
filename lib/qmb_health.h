/* SPDX-License-Identifier: MIT */
#ifndef QMB_HEALTH_H
#define QMB_HEALTH_H

/*
 * Health checks (seed 8.1) for qmb-recover health: free disk space, log
 * sizes, idle sessions, consecutive Gemini failures; each with its
 * value, its limit and a line in words.
 *
 * Owns: nothing on disk.  Reads only (folder listings, file sizes, the
 * sessions, .qmb/gemini_failures.json, the end of the global log);
 * never writes, locks or repairs anything, never talks to Gemini.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_err.h"
#include "qmb_paths.h"

enum qmb_hcheck {
	QMB_H_DISK, QMB_H_LOGSIZE, QMB_H_IDLE, QMB_H_GEMINI, QMB_H_COUNT
};

struct qmb_health {
	struct {
		const char	*name;		/* "disk_space" ... */
		int		 tripped;
		long long	 value, limit;	/* bytes, count */
		char		 what[256];	/* the value in words */
		char		 source[64];	/* gemini: from where */
	} c[QMB_H_COUNT];
	int	tripped;			/* checks that tripped */
};

/* Run every check; now is qmb_now() (passed for testability). */
int	qmb_health_check(struct qmb_proj *, int64_t now, struct qmb_health *,
	    struct qmb_err *);
/*
 * Consecutive Gemini failures: the count qmb-review keeps in
 * .qmb/gemini_failures.json (read through qmb_gfail.h); without that
 * file, from the end of the global log: the newest "gemini" entry with
 * details.consecutive (qmb-review's "consecutive_failures" WARN), or
 * the number of "review_failed" entries the log ends with.
 */
int	qmb_recover_gemini_failures(struct qmb_proj *, long long *n,
	    char *source, size_t ssize, struct qmb_err *);

#endif

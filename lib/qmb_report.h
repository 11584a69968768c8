/* SPDX-License-Identifier: MIT */
#ifndef QMB_REPORT_H
#define QMB_REPORT_H

/*
 * The recovery report (the seed's weekly metrics) for qmb-recover
 * report: sessions created, resumed, completed, archived; repairs by
 * source; roll-forwards, torn lines cut, Gemini failures, bypasses,
 * reviews and low-disk warnings, between two times.
 *
 * Counts from the live and archived audit trails, the global log and
 * its rotated files, and the NAME.torn-TIME names of .qmb/corrupt/.
 * Owns: nothing on disk.  Reads only; a line that does not parse is
 * counted as bad, never an error.
 */

#include <stdint.h>

#include "qmb_err.h"
#include "qmb_paths.h"

struct qmb_metrics {
	int64_t	since, until;
	long	created, resumed, completed, archived;
	/* session_recovered entries, by source */
	long	bak, audit, replay, fresh, session_fix;
	long	rolled;		/* automatic roll-forwards */
	long	torn;		/* .qmb/corrupt/NAME.torn-TIME files */
	long	gemini_failures, bypasses, reviews;
	long	low_disk;	/* low disk warnings */
	long	trails, bad_lines;
};

/* Count what happened between since and until (ms). */
int	qmb_report_metrics(struct qmb_proj *, int64_t since, int64_t until,
	    struct qmb_metrics *, struct qmb_err *);

#endif

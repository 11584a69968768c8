/* SPDX-License-Identifier: MIT */
#ifndef QMB_EXIT_H
#define QMB_EXIT_H

/*
 * Exit codes shared by every qmb program.  The table is DESIGN section 3
 * and man/qmb.7; keep the three in step.
 */
enum qmb_exit {
	QMB_EXIT_OK       = 0,	/* did what was asked */
	QMB_EXIT_FAIL     = 1,	/* ran fine, the answer is "no" */
	QMB_EXIT_USAGE    = 2,	/* bad options, operands or user input */
	QMB_EXIT_NOTFOUND = 3,	/* no such session, no review yet */
	QMB_EXIT_BUSY     = 4,	/* lock held past --wait, stage order violated */
	QMB_EXIT_CORRUPT  = 5,	/* stored data damaged: run qmb-recover */
	QMB_EXIT_IO       = 6,	/* read/write/fsync/rename failed, disk full */
	QMB_EXIT_REMOTE   = 7,	/* remote service unavailable, request queued */
	QMB_EXIT_PENDING  = 8,	/* failed after the change was recorded: it stands */
	QMB_EXIT_INTERNAL = 9,	/* a bug: an impossible state */
	QMB_EXIT_SAVED    = 10	/* start found a saved session, nobody decided */
};

#endif

/* SPDX-License-Identifier: MIT */
#ifndef QMB_ERR_H
#define QMB_ERR_H

/*
 * Error reporting for the library.  A fallible function returns 0 (or a
 * count) on success, -1 on failure with *err filled; functions returning
 * pointers return NULL and fill *err.  The layer that knows the subject
 * (a path, a key) writes the message; callers pass err up unchanged.
 * Messages are one line, no newline, no full stop; the program prefixes
 * its name when it prints them.
 */

#include "qmb_exit.h"

#define QMB_ERR_MSG 512

struct qmb_err {
	int	code;			/* enum qmb_exit value for main */
	int	sys;			/* errno at the failure, or 0 */
	char	msg[QMB_ERR_MSG];
};

#define QMB_ERR_INIT { 0, 0, { 0 } }

/* Fill err with code and a formatted message; return -1. */
int	qmb_errf(struct qmb_err *, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* As qmb_errf, reading errno first and appending ": strerror(errno)". */
int	qmb_errsys(struct qmb_err *, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The exit code that fits an errno: ENOSPC, EIO, EACCES... -> QMB_EXIT_IO. */
int	qmb_err_code_for_errno(int);
/* Prefix the existing message with a formatted context ("approve: ..."). */
void	qmb_err_prefix(struct qmb_err *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif

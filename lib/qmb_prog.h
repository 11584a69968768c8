/* SPDX-License-Identifier: MIT */
#ifndef QMB_PROG_H
#define QMB_PROG_H

/*
 * What every program's main shares: its name in messages, version
 * output, error reports, the values of the common options of DESIGN 3
 * (parsed by qmb_cli.h), and the final check that stdout was written.
 * These print; they and qmb_cli.h are the only part of the library that
 * does, and they never exit: main returns what they return.
 */

#include <stdio.h>

#include "qmb_err.h"

struct qmb_common {
	const char	*dir;		/* -C */
	const char	*user;		/* --user, $QMB_USER, login name */
	int		 json;		/* --json */
	int		 quiet;		/* -q */
	int		 verbose;	/* -v */
	int		 tty;		/* stdout is a terminal */
	int		 color;		/* tty and no NO_COLOR */
};

/* Also gives closed standard descriptors /dev/null (see qmb_close_stdout). */
void	qmb_setprogname(const char *);
const char *qmb_progname(void);
int	qmb_version(void);				/* stdout, 0 */
int	qmb_report(const struct qmb_err *);		/* stderr, err->code */
void	qmb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * fflush+close stdout; a failure (or a standard output closed from the
 * start) is exit 6 with a message, unless the program committed a change
 * and code is 0: then the change stands, a warning says the output was
 * lost, and the exit status stays 0.
 */
int	qmb_close_stdout(int code);
/* 1 when standard output was closed when the program started. */
int	qmb_stdout_closed(void);
/* Note that a change was committed (qmb_txn_commit calls it). */
void	qmb_committed(void);
/* Fill in the derived fields of c (user, tty, color). */
void	qmb_common_finish(struct qmb_common *);
#endif

/* SPDX-License-Identifier: MIT */
#ifndef QMB_PROG_H
#define QMB_PROG_H

/*
 * What every program's main shares: its name in messages, usage, help
 * and version output, error reports, the common options of DESIGN 3, and
 * the final check that stdout was written.  These print; they are the
 * only part of the library that does, and they never exit: main returns
 * what they return.
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

void	qmb_setprogname(const char *);
const char *qmb_progname(void);
int	qmb_usage(const char *usage);			/* stderr, 2 */
int	qmb_help(const char *usage, const char *help);	/* stdout, 0 */
int	qmb_version(void);				/* stdout, 0 */
int	qmb_report(const struct qmb_err *);		/* stderr, err->code */
void	qmb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fflush+close stdout; a failure is exit 6 with a message. */
int	qmb_close_stdout(int code);
/* Fill in the derived fields of c (user, tty, color). */
void	qmb_common_finish(struct qmb_common *);
/* Parse --wait's argument; 0 or -1. */
int	qmb_parse_wait(const char *);

/*
 * The common options of DESIGN 3, for every program's getopt_long table:
 * QMB_COMMON_SHORT starts its optstring, QMB_COMMON_LONG its longopts;
 * program-specific codes start at 256.
 */
enum { QMB_OPT_JSON = 200, QMB_OPT_USER, QMB_OPT_WAIT };
#define QMB_COMMON_SHORT "C:hqvV"
#define QMB_COMMON_LONG \
	{ "directory",	required_argument, NULL, 'C' }, \
	{ "help",	no_argument,	   NULL, 'h' }, \
	{ "quiet",	no_argument,	   NULL, 'q' }, \
	{ "verbose",	no_argument,	   NULL, 'v' }, \
	{ "version",	no_argument,	   NULL, 'V' }, \
	{ "json",	no_argument,	   NULL, QMB_OPT_JSON }, \
	{ "user",	required_argument, NULL, QMB_OPT_USER }, \
	{ "wait",	required_argument, NULL, QMB_OPT_WAIT }
/*
 * Apply getopt_long's ch if it is a common option: 1 when it was, 0 when
 * it is not, -1 when the program must now return *exitp (after --help,
 * --version or a bad --wait, each already reported).
 */
int	qmb_common_opt(struct qmb_common *, int ch, const char *arg,
	    const char *usage, const char *help, int *exitp);

/* A subcommand: the head of each program's verb table entries. */
struct qmb_verb {
	const char	*name;
	int		 min, max;	/* operands after the verb */
	unsigned	 allowed;	/* option bits it takes */
};

/* The entry named name in a table of n entries of size bytes, or NULL. */
const void *qmb_verb_find(const void *table, size_t n, size_t size,
	    const char *name);
/*
 * 0 when the options set (bits; optnames[i] names bit i) and the operand
 * count suit the verb; else say why, print usage and return 2.
 */
int	qmb_verb_check(const struct qmb_verb *, unsigned set,
	    const char *const *optnames, int nargs, const char *usage);

#endif

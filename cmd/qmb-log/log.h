/* SPDX-License-Identifier: MIT */
#ifndef QMB_LOG_CMD_H
#define QMB_LOG_CMD_H

#include "qmb_cli.h"
#include "qmb_err.h"
#include "qmb_logread.h"
#include "qmb_paths.h"
#include "qmb_prog.h"

/* The options: spec.c's opts[] in order. */
enum {
	I_SESSION, I_LEVEL, I_COMPONENT, I_ACTION, I_STAGE, I_DATA,
	I_DETAILS, I_STDIN, I_GLOBAL, I_FOLLOW, I_LINES, I_SINCE, I_UNTIL,
	I_ROTATED, I_PRETTY
};

extern const struct qmb_cli_prog log_spec;

struct opts {
	struct qmb_common	 c;
	const char		*session;	/* -s */
	const char		*level;		/* -l */
	const char		*component;	/* -c */
	const char		*action;	/* -a */
	const char		*stage;		/* -S */
	const char		*details;	/* --details */
	const char *const	*pairs;		/* -d KEY=VALUE */
	int			 npairs;
	int			 use_stdin;	/* --stdin */
	int			 global;	/* --global */
	int			 rotated;	/* --rotated */
	int			 follow;	/* -f */
	int			 pretty;	/* --pretty */
	long			 last;		/* -n, -1 for all */
	const char		*since, *until;
};

int	cmd_write(const struct opts *, struct qmb_proj *, int, char **,
	    struct qmb_err *);
int	cmd_show(const struct opts *, struct qmb_proj *, int, char **,
	    struct qmb_err *);

#endif

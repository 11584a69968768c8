/* SPDX-License-Identifier: MIT */
#ifndef QMB_LOG_CMD_H
#define QMB_LOG_CMD_H

#include "qmb_err.h"
#include "qmb_logread.h"
#include "qmb_paths.h"
#include "qmb_prog.h"

#define MAXPAIRS 256

struct opts {
	struct qmb_common	 c;
	const char		*session;	/* -s */
	const char		*level;		/* -l */
	const char		*component;	/* -c */
	const char		*action;	/* -a */
	const char		*stage;		/* -S */
	const char		*details;	/* --details */
	const char		*pairs[MAXPAIRS + 1];	/* -d KEY=VALUE */
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

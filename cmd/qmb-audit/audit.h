/* SPDX-License-Identifier: MIT */
#ifndef QMB_AUDIT_CMD_H
#define QMB_AUDIT_CMD_H

#include "qmb_err.h"
#include "qmb_paths.h"
#include "qmb_prog.h"

#define MAXPAIRS 256

struct opts {
	struct qmb_common	 c;
	const char		*type;		/* -t */
	const char		*script;	/* --script */
	const char		*details;	/* --details */
	const char		*pairs[MAXPAIRS + 1];
	int			 npairs;
	int			 all;		/* --all */
};

typedef int cmd_fn(const struct opts *, struct qmb_proj *, int, char **,
    struct qmb_err *);

cmd_fn	cmd_append, cmd_show, cmd_verify, cmd_export, cmd_hash;

#endif

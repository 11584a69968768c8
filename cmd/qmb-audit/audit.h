/* SPDX-License-Identifier: MIT */
#ifndef QMB_AUDIT_CMD_H
#define QMB_AUDIT_CMD_H

#include "qmb_cli.h"
#include "qmb_err.h"
#include "qmb_paths.h"
#include "qmb_prog.h"

/* The options: spec.c's opts[] in order. */
enum { I_TYPE, I_DATA, I_DETAILS, I_SCRIPT, I_ALL };

extern const struct qmb_cli_prog audit_spec;

struct opts {
	struct qmb_common	 c;
	const char		*type;		/* -t */
	const char		*script;	/* --script */
	const char		*details;	/* --details */
	const char *const	*pairs;		/* -d KEY=VALUE */
	int			 npairs;
	int			 all;		/* --all */
};

typedef int cmd_fn(const struct opts *, struct qmb_proj *, int, char **,
    struct qmb_err *);

cmd_fn	cmd_append, cmd_show, cmd_verify, cmd_export, cmd_hash;

#endif

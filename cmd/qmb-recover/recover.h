/* SPDX-License-Identifier: MIT */
#ifndef QMB_RECOVER_CMD_H
#define QMB_RECOVER_CMD_H

#include "qmb_cli.h"
#include "qmb_err.h"
#include "qmb_paths.h"
#include "qmb_prog.h"
#include "qmb_classify.h"
#include "qmb_health.h"
#include "qmb_ids.h"
#include "qmb_recover.h"
#include "qmb_repair.h"
#include "qmb_report.h"

/* The options: spec.c's opts[] in order. */
enum { I_ALL, I_DRY_RUN, I_FROM, I_SINCE };

extern const struct qmb_cli_prog recover_spec;

struct opts {
	struct qmb_common	 c;
	int			 all;		/* --all */
	int			 dry_run;	/* --dry-run */
	enum qmb_from		 from;		/* --from */
	const char		*since;		/* --since */
};

typedef int cmd_fn(const struct opts *, struct qmb_proj *, int, char **,
    struct qmb_err *);

cmd_fn	cmd_check, cmd_repair, cmd_health, cmd_report, cmd_migrate;

#endif

/* SPDX-License-Identifier: MIT */
/*
 * qmb-audit: append to, show, verify and export the hash-chained audit
 * trails in .qmb/audit/.
 */
#include <stdio.h>

#include "qmb_config.h"
#include "audit.h"

static char progname[] = "qmb-audit";

/* In the order of spec.c's commands. */
static cmd_fn *const fns[] = {
	cmd_append, cmd_show, cmd_verify, cmd_export, cmd_hash,
};

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_cli cli;
	struct qmb_proj p;
	int rc;

	argv[0] = progname;
	qmb_setprogname(progname);
	if (qmb_cli_parse(&audit_spec, &o.c, &cli, argc, argv, &rc) == -1)
		return rc;
	o.type = cli.arg[I_TYPE];
	o.script = cli.arg[I_SCRIPT];
	o.details = cli.arg[I_DETAILS];
	o.pairs = cli.list;
	o.npairs = cli.nlist;
	o.all = (cli.set >> I_ALL) & 1;
	qmb_common_finish(&o.c);
	if (qmb_proj_open(&p, o.c.dir, &err) == -1 ||
	    qmb_config_get(&p, &err) == NULL)
		return qmb_report(&err);
	rc = fns[cli.cmd - audit_spec.cmds](&o, &p, cli.argc, cli.argv, &err);
	qmb_proj_close(&p);
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

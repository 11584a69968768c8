/* SPDX-License-Identifier: MIT */
/*
 * qmb-recover: classify and repair damaged sessions (DESIGN 4), run the
 * health checks and the recovery report.
 */
#include <stdio.h>
#include <string.h>

#include "qmb_config.h"
#include "recover.h"

static char progname[] = "qmb-recover";

/* In the order of spec.c's commands. */
static cmd_fn *const fns[] = {
	cmd_check, cmd_repair, cmd_health, cmd_report,
};

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_cli cli;
	struct qmb_proj p;
	const char *from;
	int rc;

	argv[0] = progname;
	qmb_setprogname(progname);
	if (qmb_cli_parse(&recover_spec, &o.c, &cli, argc, argv, &rc) == -1)
		return rc;
	o.all = (cli.set >> I_ALL) & 1;
	o.dry_run = (cli.set >> I_DRY_RUN) & 1;
	if ((from = cli.arg[I_FROM]) != NULL)
		o.from = strcmp(from, "bak") == 0 ? QMB_FROM_BAK : QMB_FROM_AUDIT;
	o.since = cli.arg[I_SINCE];
	qmb_common_finish(&o.c);
	if (qmb_proj_open(&p, o.c.dir, &err) == -1 ||
	    qmb_config_get(&p, &err) == NULL)
		return qmb_report(&err);
	rc = fns[cli.cmd - recover_spec.cmds](&o, &p, cli.argc, cli.argv, &err);
	qmb_proj_close(&p);
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

/* SPDX-License-Identifier: MIT */
/*
 * qmb-recover: classify and repair damaged sessions (DESIGN 4), run the
 * health checks and the recovery report.
 */
#include <string.h>

#include "recover.h"

/* In the order of spec.c's commands. */
static cmd_fn *const fns[] = {
	cmd_check, cmd_repair, cmd_migrate, cmd_health, cmd_report,
};

static void
take(void *arg, const struct qmb_cli *cli)
{
	struct opts *o = arg;
	const char *from = cli->arg[I_FROM];

	o->all = (cli->set >> I_ALL) & 1;
	o->dry_run = (cli->set >> I_DRY_RUN) & 1;
	if (from != NULL)
		o->from = strcmp(from, "bak") == 0 ? QMB_FROM_BAK :
		    QMB_FROM_AUDIT;
	o->since = cli->arg[I_SINCE];
}

static int
run(void *arg, const struct qmb_cli *cli, struct qmb_proj *p,
    struct qmb_err *err)
{
	return fns[cli->cmd - recover_spec.cmds](arg, p, cli->argc, cli->argv,
	    err);
}

int
main(int argc, char *argv[])
{
	static struct opts o;
	static const struct qmb_cli_main m = {
		.spec = &recover_spec, .common = &o.c, .opts = &o, .config = 1,
		.take = take, .run = run,
	};

	return qmb_cli_main(&m, argc, argv);
}

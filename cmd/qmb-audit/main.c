/* SPDX-License-Identifier: MIT */
/*
 * qmb-audit: append to, show, verify and export the hash-chained audit
 * trails in .qmb/audit/.
 */
#include "audit.h"

/* In the order of spec.c's commands. */
static cmd_fn *const fns[] = {
	cmd_append, cmd_show, cmd_verify, cmd_export, cmd_hash,
};

static void
take(void *arg, const struct qmb_cli *cli)
{
	struct opts *o = arg;

	o->type = cli->arg[I_TYPE];
	o->script = cli->arg[I_SCRIPT];
	o->details = cli->arg[I_DETAILS];
	o->pairs = cli->list;
	o->npairs = cli->nlist;
	o->all = (cli->set >> I_ALL) & 1;
}

static int
run(void *arg, const struct qmb_cli *cli, struct qmb_proj *p,
    struct qmb_err *err)
{
	return fns[cli->cmd - audit_spec.cmds](arg, p, cli->argc, cli->argv,
	    err);
}

int
main(int argc, char *argv[])
{
	static struct opts o;
	static const struct qmb_cli_main m = {
		.spec = &audit_spec, .common = &o.c, .opts = &o, .config = 1,
		.take = take, .run = run,
	};

	return qmb_cli_main(&m, argc, argv);
}

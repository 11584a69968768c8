/* SPDX-License-Identifier: MIT */
/*
 * qmb-log: write and read the JSON-Lines logs in .qmb/logs/.
 */
#include "log.h"

/* The options the parser found, in the fields the commands read. */
static void
take(void *arg, const struct qmb_cli *cli)
{
	struct opts *o = arg;

	o->session = cli->arg[I_SESSION];
	o->level = cli->arg[I_LEVEL];
	o->component = cli->arg[I_COMPONENT];
	o->action = cli->arg[I_ACTION];
	o->stage = cli->arg[I_STAGE];
	o->details = cli->arg[I_DETAILS];
	o->pairs = cli->list;
	o->npairs = cli->nlist;
	o->use_stdin = (cli->set >> I_STDIN) & 1;
	o->global = (cli->set >> I_GLOBAL) & 1;
	o->rotated = (cli->set >> I_ROTATED) & 1;
	o->follow = (cli->set >> I_FOLLOW) & 1;
	o->pretty = (cli->set >> I_PRETTY) & 1;
	o->last = (cli->set >> I_LINES) & 1 ? (long)cli->num[I_LINES] : -1;
	o->since = cli->arg[I_SINCE];
	o->until = cli->arg[I_UNTIL];
}

static int
run(void *arg, const struct qmb_cli *cli, struct qmb_proj *p,
    struct qmb_err *err)
{
	return (cli->cmd == log_spec.cmds ? cmd_write : cmd_show)(arg, p,
	    cli->argc, cli->argv, err);
}

int
main(int argc, char *argv[])
{
	static struct opts o;
	static const struct qmb_cli_main m = {
		.spec = &log_spec, .common = &o.c, .opts = &o, .config = 1,
		.take = take, .run = run,
	};

	return qmb_cli_main(&m, argc, argv);
}

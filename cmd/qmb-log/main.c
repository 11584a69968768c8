/* SPDX-License-Identifier: MIT */
/*
 * qmb-log: write and read the JSON-Lines logs in .qmb/logs/.
 */
#include <stdio.h>

#include "qmb_config.h"
#include "log.h"

static char progname[] = "qmb-log";

/* The options the parser found, in the fields the commands read. */
static void
take(struct opts *o, const struct qmb_cli *cli)
{
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
	if (qmb_cli_parse(&log_spec, &o.c, &cli, argc, argv, &rc) == -1)
		return rc;
	take(&o, &cli);
	qmb_common_finish(&o.c);
	if (qmb_proj_open(&p, o.c.dir, &err) == -1 ||
	    qmb_config_get(&p, &err) == NULL)
		return qmb_report(&err);
	rc = (cli.cmd == log_spec.cmds ? cmd_write : cmd_show)(&o, &p,
	    cli.argc, cli.argv, &err);
	qmb_proj_close(&p);
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

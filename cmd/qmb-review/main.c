/* SPDX-License-Identifier: MIT */
/*
 * qmb-review: send a session's assembled load script to Google Gemini
 * for review, record the answer, queue what could not be sent, and let
 * a person approve without a review.
 */
#include "review.h"

/* In the order of spec.c's commands. */
static cmd_fn *const fns[] = {
	cmd_run, cmd_show, cmd_queue, cmd_retry, cmd_bypass, cmd_ping,
};

static void
take(void *arg, const struct qmb_cli *cli)
{
	struct opts *o = arg;

	o->set = cli->set;
	o->model = cli->arg[I_MODEL];
	o->attempts = (long)cli->num[I_ATTEMPTS];
	o->timeout_ms = (long)(cli->num[I_TIMEOUT] * 1000.0 + 0.5);
	o->script = cli->arg[I_SCRIPT];
	o->key_file = cli->arg[I_KEY_FILE];
	o->reason = cli->arg[I_REASON];
}

static int
prepare(void *arg, struct qmb_err *err)
{
	(void)arg;
	return qmb_gem_global_init(err);
}

static int
run(void *arg, const struct qmb_cli *cli, struct qmb_proj *p,
    struct qmb_err *err)
{
	return fns[cli->cmd - review_spec.cmds](arg, p, cli->argc, cli->argv,
	    err);
}

static void
done(void *arg)
{
	(void)arg;
	qmb_gem_global_cleanup();
}

int
main(int argc, char *argv[])
{
	static struct opts o;
	static const struct qmb_cli_main m = {
		.spec = &review_spec, .common = &o.c, .opts = &o, .user = 1,
		.take = take, .prepare = prepare, .run = run, .done = done,
	};

	return qmb_cli_main(&m, argc, argv);
}

/* SPDX-License-Identifier: MIT */
/*
 * qmb-review: send a session's assembled load script to Google Gemini
 * for review, record the answer, queue what could not be sent, and let
 * a person approve without a review.
 */
#include <stdio.h>

#include "qmb_session.h"
#include "review.h"

static char progname[] = "qmb-review";

/* In the order of spec.c's commands. */
static cmd_fn *const fns[] = {
	cmd_run, cmd_show, cmd_queue, cmd_retry, cmd_bypass, cmd_ping,
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
	if (qmb_cli_parse(&review_spec, &o.c, &cli, argc, argv, &rc) == -1)
		return rc;
	o.set = cli.set;
	o.model = cli.arg[I_MODEL];
	o.attempts = (long)cli.num[I_ATTEMPTS];
	o.timeout_ms = (long)(cli.num[I_TIMEOUT] * 1000.0 + 0.5);
	o.script = cli.arg[I_SCRIPT];
	o.key_file = cli.arg[I_KEY_FILE];
	o.reason = cli.arg[I_REASON];
	qmb_common_finish(&o.c);
	if (qmb_name_check("--user", o.c.user, &err) == -1)
		return qmb_report(&err);
	if (qmb_gem_global_init(&err) == -1)
		return qmb_report(&err);
	if (qmb_proj_open(&p, o.c.dir, &err) == -1) {
		qmb_gem_global_cleanup();
		return qmb_report(&err);
	}
	rc = fns[cli.cmd - review_spec.cmds](&o, &p, cli.argc, cli.argv, &err);
	qmb_proj_close(&p);
	qmb_gem_global_cleanup();
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

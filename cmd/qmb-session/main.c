/* SPDX-License-Identifier: MIT */
/*
 * qmb-session: create, resume, approve and complete QlikModelBuilder
 * sessions whose state lives in .qmb/sessions/ID.json.
 */
#include <stdio.h>

#include "qmb_config.h"
#include "qmb_session.h"
#include "session.h"

static char progname[] = "qmb-session";

/* In the order of spec.c's commands. */
static cmd_fn *const fns[] = {
	cmd_new, cmd_start, cmd_list, cmd_show, cmd_resume, cmd_approve,
	cmd_revert, cmd_set_model, cmd_tables, cmd_script, cmd_export,
	cmd_import, cmd_complete, cmd_archive,
};

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct qmb_err err = QMB_ERR_INIT;
	const struct qmb_config *cfg;
	struct qmb_cli cli;
	struct qmb_proj p;
	int rc;

	argv[0] = progname;
	qmb_setprogname(progname);
	if (qmb_cli_parse(&session_spec, &o.c, &cli, argc, argv, &rc) == -1)
		return rc;
	o.set = cli.set;
	o.model_type = cli.arg[I_MODEL_TYPE];
	o.project = cli.arg[I_PROJECT];
	o.stage = cli.arg[I_STAGE];
	o.min_score = (long)cli.num[I_MIN_SCORE];
	qmb_common_finish(&o.c);
	if (qmb_name_check("--user", o.c.user, &err) == -1)
		return qmb_report(&err);
	if (qmb_proj_open(&p, o.c.dir, &err) == -1 ||
	    (cfg = qmb_config_get(&p, &err)) == NULL)
		return qmb_report(&err);
	o.idle_days = cfg->idle_warn_days;
	rc = fns[cli.cmd - session_spec.cmds](&o, &p, cli.argc, cli.argv, &err);
	qmb_proj_close(&p);
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

/* SPDX-License-Identifier: MIT */
/*
 * qmb-session: create, resume, approve and complete QlikModelBuilder
 * sessions whose state lives in .qmb/sessions/ID.json.
 */
#include "qmb_config.h"
#include "session.h"

/* In the order of spec.c's commands. */
static cmd_fn *const fns[] = {
	cmd_new, cmd_start, cmd_list, cmd_show, cmd_resume, cmd_approve,
	cmd_revert, cmd_set_model, cmd_tables, cmd_script, cmd_export,
	cmd_import, cmd_complete, cmd_archive,
};

static void
take(void *arg, const struct qmb_cli *cli)
{
	struct opts *o = arg;

	o->set = cli->set;
	o->model_type = cli->arg[I_MODEL_TYPE];
	o->project = cli->arg[I_PROJECT];
	o->stage = cli->arg[I_STAGE];
	o->min_score = (long)cli->num[I_MIN_SCORE];
}

static int
run(void *arg, const struct qmb_cli *cli, struct qmb_proj *p,
    struct qmb_err *err)
{
	struct opts *o = arg;
	const struct qmb_config *cfg;

	if ((cfg = qmb_config_get(p, err)) == NULL)
		return -1;
	o->idle_days = cfg->idle_warn_days;
	return fns[cli->cmd - session_spec.cmds](o, p, cli->argc, cli->argv,
	    err);
}

int
main(int argc, char *argv[])
{
	static struct opts o;
	static const struct qmb_cli_main m = {
		.spec = &session_spec, .common = &o.c, .opts = &o,
		.user = 1, .config = 1, .take = take, .run = run,
	};

	return qmb_cli_main(&m, argc, argv);
}

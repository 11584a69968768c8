/* SPDX-License-Identifier: MIT */
/*
 * The main every program with a project shares (qmb_cli.h): parse by
 * the spec, fill in the common options, open the project (and its
 * settings), run the command, report.  In a file of its own so that a
 * program without a project (qmb-mcp) does not link the settings.
 */
#include "qmb_cli.h"
#include "qmb_config.h"
#include "qmb_session.h"

int
qmb_cli_main(const struct qmb_cli_main *m, int argc, char **argv)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_cli cli;
	struct qmb_proj p;
	int rc;

	qmb_setprogname(m->spec->name);
	argv[0] = (char *)m->spec->name;
	if (qmb_cli_parse(m->spec, m->common, &cli, argc, argv, &rc) == -1)
		return rc;
	if (m->take != NULL)
		m->take(m->opts, &cli);
	qmb_common_finish(m->common);
	if ((m->user && qmb_name_check("--user", m->common->user, &err) == -1) ||
	    (m->prepare != NULL && m->prepare(m->opts, &err) == -1))
		return qmb_report(&err);
	if (qmb_proj_open(&p, m->common->dir, &err) == -1 ||
	    (m->config && qmb_config_get(&p, &err) == NULL))
		rc = -1;
	else
		rc = m->run(m->opts, &cli, &p, &err);
	qmb_proj_close(&p);
	if (m->done != NULL)
		m->done(m->opts);
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

/* SPDX-License-Identifier: MIT */
/*
 * qmb-session's command line: the one description its parser, --help,
 * the shell completions and the man page's SYNOPSIS check come from.
 */
#include <stdio.h>

#include "session.h"

static const char *const types[] = {
	"star_schema", "snowflake", "link_table", "concatenated", NULL
};
static const char *const tableops[] = {
	"add\tadd pending tables", "remove\tremove pending tables",
	"set\treplace the pending tables", NULL
};

#define ID	QMB_ARG(QMB_K_SESSION)
#define STAGE	{ QMB_K_TEXT, qmb_cli_stages }

/* In the order of the O_* bits of session.h. */
static const struct qmb_cli_opt opts[] = {
	QMB_VAL("model-type", 0, QMB_K_TEXT, types, "TYPE",
	    "model type of a new session"),
	QMB_FLAG("resume", 0, "continue the saved session"),
	QMB_FLAG("new", 0, "archive the saved session and start over"),
	QMB_FLAG("all", 0, "list completed sessions too"),
	QMB_VAL("project", 0, QMB_K_PROJECT, NULL, "NAME",
	    "list only the sessions of a project"),
	QMB_VAL("stage", 0, QMB_K_TEXT, qmb_cli_stages, "S",
	    "print only the part of a stage"),
	QMB_FLAG("force", 0, "import over an existing session"),
	QMB_CHECKED("min-score", 0, QMB_K_INT, NULL, "N",
	    "lowest review score accepted (0-100)", 0, 100, "give 0-100"),
};

/* In the order of main.c's functions. */
static const struct qmb_cli_cmd cmds[] = {
	QMB_CMD("new", "PROJECT", "create a session, print its id", 1, 1,
	    O_MODEL_TYPE, 0, QMB_ARG(QMB_K_TEXT)),
	QMB_CMD("start", "PROJECT", "continue a saved session or start one",
	    1, 1, O_RESUME | O_NEW | O_MODEL_TYPE, 0, QMB_ARG(QMB_K_PROJECT)),
	QMB_CMD("list", "", "saved sessions, newest first", 0, 0,
	    O_ALL | O_PROJECT, 0, QMB_ARG(QMB_K_FLAG)),
	QMB_CMD("show", "ID", "stages, tables and reviews of a session", 1, 1,
	    0, 0, ID),
	QMB_CMD("resume", "ID", "restore a session and say where it stands",
	    1, 1, 0, 0, ID),
	QMB_CMD("approve", "ID STAGE [FILE|-]",
	    "approve the script part of a stage", 2, 3, 0, 0, ID, STAGE,
	    QMB_ARG(QMB_K_FILE)),
	QMB_CMD("revert", "ID STAGE",
	    "withdraw approval of STAGE and later ones", 2, 2, 0, 0, ID, STAGE),
	QMB_CMD("set-model", "ID TYPE",
	    "star_schema, snowflake, link_table,\nconcatenated", 2, 2, 0, 0,
	    ID, { QMB_K_TEXT, types }),
	QMB_CMD("tables", "ID [add|remove|set NAME...]",
	    "show or change the pending tables", 1, 1 << 20, 0, 0, ID,
	    { QMB_K_TEXT, tableops }, QMB_ARG(QMB_K_TEXT)),
	QMB_CMD("script", "ID", "print the approved script", 1, 1, O_STAGE, 0,
	    ID),
	QMB_CMD("export", "ID", "print the session as JSON", 1, 1, 0, 0, ID),
	QMB_CMD("import", "FILE|-", "load an exported session", 1, 1, O_FORCE,
	    0, QMB_ARG(QMB_K_FILE)),
	QMB_CMD("complete", "ID", "finish: write stage2_output/", 1, 1,
	    O_MIN_SCORE, 0, ID),
	QMB_CMD("archive", "ID", "move a session to .qmb/archive/", 1, 1, 0, 0,
	    ID),
};

static int
check(const struct qmb_cli *cli, char *msg, size_t size)
{
	if ((cli->set & O_RESUME) && (cli->set & O_NEW)) {
		snprintf(msg, size, "--resume and --new exclude each other");
		return -1;
	}
	return 0;
}

const struct qmb_cli_prog session_spec = {
	.name = "qmb-session",
	.common = QMB_CO_ALL,
	.common_help = {
		[QMB_CO_VERBOSE] = "say more, including log failures",
	},
	QMB_TABLES(opts, cmds),
	.check = check,
	.sessions = qmb_cli_indexed,
};

/* SPDX-License-Identifier: MIT */
/*
 * qmb-session's command line: the one description its parser, --help,
 * the shell completions and the man page's SYNOPSIS check come from.
 */
#include "qmb_cli.h"
#include "session.h"

static const char *const types[] = {
	"star_schema", "snowflake", "link_table", "concatenated", NULL
};
static const char *const tableops[] = {
	"add\tadd pending tables", "remove\tremove pending tables",
	"set\treplace the pending tables", NULL
};

#define SESSION	{ QMB_K_SESSION, NULL }
#define STAGE	{ QMB_K_TEXT, qmb_cli_stages }

/* In the order of the O_* bits of session.h. */
static const struct qmb_cli_opt opts[] = {
	{ "model-type", 0, { QMB_K_TEXT, types }, "TYPE",
	    "model type of a new session", 0, 0, NULL, 0 },
	{ "resume", 0, { QMB_K_FLAG, NULL }, NULL,
	    "continue the saved session", 0, 0, NULL, 0 },
	{ "new", 0, { QMB_K_FLAG, NULL }, NULL,
	    "archive the saved session and start over", 0, 0, NULL, 0 },
	{ "all", 0, { QMB_K_FLAG, NULL }, NULL,
	    "list completed sessions too", 0, 0, NULL, 0 },
	{ "project", 0, { QMB_K_PROJECT, NULL }, "NAME",
	    "list only the sessions of a project", 0, 0, NULL, 0 },
	{ "stage", 0, STAGE, "S",
	    "print only the part of a stage", 0, 0, NULL, 0 },
	{ "force", 0, { QMB_K_FLAG, NULL }, NULL,
	    "import over an existing session", 0, 0, NULL, 0 },
	{ "min-score", 0, { QMB_K_INT, NULL }, "N",
	    "lowest review score accepted (0-100)", 0, 100, "give 0-100", 0 },
};

/* In the order of main.c's functions. */
static const struct qmb_cli_cmd cmds[] = {
	{ "new", "PROJECT", "create a session, print its id", 1, 1,
	    O_MODEL_TYPE, 0, { { QMB_K_TEXT, NULL } } },
	{ "start", "PROJECT", "continue a saved session or start one", 1, 1,
	    O_RESUME | O_NEW | O_MODEL_TYPE, 0, { { QMB_K_PROJECT, NULL } } },
	{ "list", "", "saved sessions, newest first", 0, 0,
	    O_ALL | O_PROJECT, 0, { { QMB_K_FLAG, NULL } } },
	{ "show", "ID", "stages, tables and reviews of a session", 1, 1, 0, 0,
	    { SESSION } },
	{ "resume", "ID", "restore a session and say where it stands", 1, 1,
	    0, 0, { SESSION } },
	{ "approve", "ID STAGE [FILE|-]", "approve the script part of a stage",
	    2, 3, 0, 0, { SESSION, STAGE, { QMB_K_FILE, NULL } } },
	{ "revert", "ID STAGE", "withdraw approval of STAGE and later ones",
	    2, 2, 0, 0, { SESSION, STAGE } },
	{ "set-model", "ID TYPE", "star_schema, snowflake, link_table,\n"
	    "concatenated", 2, 2, 0, 0, { SESSION, { QMB_K_TEXT, types } } },
	{ "tables", "ID [add|remove|set NAME...]",
	    "show or change the pending tables", 1, 1 << 20, 0, 0,
	    { SESSION, { QMB_K_TEXT, tableops }, { QMB_K_TEXT, NULL } } },
	{ "script", "ID", "print the approved script", 1, 1, O_STAGE, 0,
	    { SESSION } },
	{ "export", "ID", "print the session as JSON", 1, 1, 0, 0,
	    { SESSION } },
	{ "import", "FILE|-", "load an exported session", 1, 1, O_FORCE, 0,
	    { { QMB_K_FILE, NULL } } },
	{ "complete", "ID", "finish: write stage2_output/", 1, 1, O_MIN_SCORE,
	    0, { SESSION } },
	{ "archive", "ID", "move a session to .qmb/archive/", 1, 1, 0, 0,
	    { SESSION } },
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
	.opts = opts, .nopts = sizeof(opts) / sizeof(opts[0]),
	.cmds = cmds, .ncmds = sizeof(cmds) / sizeof(cmds[0]),
	.check = check,
	.sessions = qmb_cli_indexed,
};

/* SPDX-License-Identifier: MIT */
/*
 * qmb-audit's command line: the one description its parser, --help,
 * the shell completions and the man page's SYNOPSIS check come from.
 */
#include <stdio.h>

#include "audit.h"

static const char *const types[] = {
	"session_created", "session_resumed", "model_type_selected",
	"tables_changed", "stage_approved", "stage_reverted",
	"review_recorded", "review_bypassed", "script_approved",
	"session_recovered", "session_archived", NULL
};

#define B(i)	(1u << (i))
#define TRAIL	QMB_ARG(QMB_K_TRAIL)

/* In the order of the I_* indexes of audit.h. */
static const struct qmb_cli_opt opts[] = {
	QMB_VAL("type", 't', QMB_K_TEXT, types, "TYPE",
	    "entry type (append: lowercase, digits, '_')"),
	QMB_LIST("data", 'd', "KEY=VALUE",
	    "a details member; integers, true, false and null\n"
	    "are typed, anything else is a string"),
	QMB_VAL("details", 0, QMB_K_TEXT, NULL, "JSON",
	    "details as a JSON object"),
	QMB_VAL("script", 0, QMB_K_FILE, NULL, "FILE",
	    "add FILE's SHA-256 and content to the details"),
	QMB_FLAG("all", 0, "verify every trail, archived ones included"),
};

/* In the order of main.c's functions. */
static const struct qmb_cli_cmd cmds[] = {
	QMB_CMD("append", "ID", "add an entry to a session's trail", 1, 1,
	    B(I_TYPE) | B(I_DATA) | B(I_DETAILS) | B(I_SCRIPT), B(I_TYPE),
	    TRAIL),
	QMB_CMD("show", "ID", "list the entries (a table on a terminal, else "
	    "JSON Lines)", 1, 1, B(I_TYPE), 0, TRAIL),
	QMB_CMD("verify", "[ID]", "check every hash, link, seq and time (all "
	    "trails: --all)", 0, 1, B(I_ALL), 0, TRAIL),
	QMB_CMD("export", "ID", "the trail and a summary anyone can re-verify",
	    1, 1, 0, 0, TRAIL),
	QMB_CMD("hash", "[FILE|-]", "the SHA-256 of a file or standard input",
	    0, 1, 0, 0, QMB_ARG(QMB_K_FILE)),
};

static int
check(const struct qmb_cli *cli, char *msg, size_t size)
{
	if ((cli->set & B(I_ALL)) && cli->argc > 0) {
		snprintf(msg, size, "give an id or --all to '%s', not both",
		    cli->cmd->name);
		return -1;
	}
	return 0;
}

const struct qmb_cli_prog audit_spec = {
	.name = "qmb-audit",
	.common = QMB_CO_ALL,
	.common_help = {
		[QMB_CO_USER] = "who appends (default: $QMB_USER, else the login "
		    "name)",
	},
	QMB_TABLES(opts, cmds),
	.check = check,
};

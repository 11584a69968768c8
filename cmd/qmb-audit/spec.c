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

#define TRAIL	{ QMB_K_TRAIL, NULL }

/* In the order of the I_* indexes of audit.h. */
static const struct qmb_cli_opt opts[] = {
	{ "type", 't', { QMB_K_TEXT, types }, "TYPE",
	    "entry type (append: lowercase, digits, '_')", 0, 0, NULL, 0 },
	{ "data", 'd', { QMB_K_TEXT, NULL }, "KEY=VALUE",
	    "a details member; integers, true, false and null\n"
	    "are typed, anything else is a string", 0, 0, NULL, 1 },
	{ "details", 0, { QMB_K_TEXT, NULL }, "JSON",
	    "details as a JSON object", 0, 0, NULL, 0 },
	{ "script", 0, { QMB_K_FILE, NULL }, "FILE",
	    "add FILE's SHA-256 and content to the details", 0, 0, NULL, 0 },
	{ "all", 0, { QMB_K_FLAG, NULL }, NULL,
	    "verify every trail, archived ones included", 0, 0, NULL, 0 },
};

/* In the order of main.c's functions. */
static const struct qmb_cli_cmd cmds[] = {
	{ "append", "ID", "add an entry to a session's trail", 1, 1,
	    1 << I_TYPE | 1 << I_DATA | 1 << I_DETAILS | 1 << I_SCRIPT,
	    1 << I_TYPE, { TRAIL } },
	{ "show", "ID", "list the entries (a table on a terminal, else JSON "
	    "Lines)", 1, 1, 1 << I_TYPE, 0, { TRAIL } },
	{ "verify", "[ID]", "check every hash, link, seq and time (all "
	    "trails: --all)", 0, 1, 1 << I_ALL, 0, { TRAIL } },
	{ "export", "ID", "the trail and a summary anyone can re-verify", 1, 1,
	    0, 0, { TRAIL } },
	{ "hash", "[FILE|-]", "the SHA-256 of a file or standard input", 0, 1,
	    0, 0, { { QMB_K_FILE, NULL } } },
};

static int
check(const struct qmb_cli *cli, char *msg, size_t size)
{
	if ((cli->set & 1 << I_ALL) && cli->argc > 0) {
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
	.opts = opts, .nopts = sizeof(opts) / sizeof(opts[0]),
	.cmds = cmds, .ncmds = sizeof(cmds) / sizeof(cmds[0]),
	.check = check,
};

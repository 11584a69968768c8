/* SPDX-License-Identifier: MIT */
/*
 * qmb-recover's command line: the one description its parser, --help,
 * the shell completions and the man page's SYNOPSIS check come from.
 */
#include <stdio.h>
#include <string.h>

#include "recover.h"

static const char *const sources[] = {
	"bak\tthe .bak file", "audit\treplay the audit trail", NULL
};
static const char *const ages[] = { "24h", "7d", "30d", NULL };

#define B(i)	(1u << (i))
#define DAMAGED	QMB_ARG(QMB_K_DAMAGED)

/* In the order of the I_* indexes of recover.h. */
static const struct qmb_cli_opt opts[] = {
	QMB_FLAG("all", 0, "every session (check, repair, migrate)"),
	QMB_FLAG("dry-run", 0, "repair, migrate: say what would be done, "
	    "change nothing"),
	QMB_CHECKED("from", 0, QMB_K_ENUM, sources, "SOURCE",
	    "repair: take the state from 'bak' or 'audit'", 0, 0,
	    "use 'bak' or 'audit'"),
	QMB_VAL("since", 0, QMB_K_TEXT, ages, "TIME",
	    "report: a duration (7d, 24h) or a date"),
};

/* In the order of main.c's functions. */
static const struct qmb_cli_cmd cmds[] = {
	QMB_CMD("check", "[ID]", "classify sessions and list what is wrong "
	    "(default: all)", 0, 1, B(I_ALL), 0, DAMAGED),
	QMB_CMD("repair", "ID|--all", "repair a session: roll forward, .bak, "
	    "audit replay or\na fresh start; damaged files go to "
	    ".qmb/corrupt/", 0, 1, B(I_ALL) | B(I_DRY_RUN) | B(I_FROM), 0,
	    DAMAGED),
	QMB_CMD("migrate", "ID...|--all", "convert sessions of the TypeScript "
	    "QlikModelBuilder in place;\nthe originals are kept in "
	    ".qmb/migrated/", 0, 4096, B(I_ALL) | B(I_DRY_RUN), 0, DAMAGED),
	QMB_CMD("health", "", "disk space, log sizes, idle sessions, Gemini "
	    "failures", 0, 0, 0, 0, QMB_ARG(QMB_K_FLAG)),
	QMB_CMD("report", "", "recovery metrics of the last 7 days (or "
	    "--since)", 0, 0, B(I_SINCE), 0, QMB_ARG(QMB_K_FLAG)),
};

/* Which options each command takes, in the words of the command. */
static int
check(const struct qmb_cli *cli, char *msg, size_t size)
{
	const char *name = cli->cmd->name;
	int repair = strcmp(name, "repair") == 0, all = cli->set & B(I_ALL);
	int migrate = strcmp(name, "migrate") == 0;
	const char *bad = NULL;

	if (all && cli->argc > 0)
		bad = "give an id or --all, not both, to";
	else if (all && !repair && !migrate && strcmp(name, "check") != 0)
		bad = "--all only applies to 'check', 'repair' and 'migrate', not";
	else if ((repair || migrate) && !all && cli->argc == 0)
		bad = "give a session id or --all to";
	else if ((cli->set & B(I_DRY_RUN)) && !repair && !migrate)
		bad = "--dry-run only applies to 'repair' and 'migrate', not";
	else if ((cli->set & B(I_FROM)) && !repair)
		bad = "--from only applies to 'repair', not";
	else if ((cli->set & B(I_SINCE)) && strcmp(name, "report") != 0)
		bad = "--since only applies to 'report', not";
	if (bad == NULL)
		return 0;
	snprintf(msg, size, "%s '%s'", bad, name);
	return -1;
}

const struct qmb_cli_prog recover_spec = {
	.name = "qmb-recover",
	.common = QMB_CO_ALL,
	.common_help = {
		[QMB_CO_QUIET] = "print only problems",
		[QMB_CO_USER] = "who repairs (default: $QMB_USER, else the login "
		    "name)",
	},
	QMB_TABLES(opts, cmds),
	.check = check,
};

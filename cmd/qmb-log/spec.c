/* SPDX-License-Identifier: MIT */
/*
 * qmb-log's command line: the one description its parser, --help, the
 * shell completions and the man page's SYNOPSIS check come from.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"

static const char *const levels[] = {
	"DEBUG", "INFO", "WARN", "ERROR", NULL
};
static const char *const ages[] = { "10m", "1h", "2h", "24h", "7d", NULL };

#define B(i)	(1u << (i))
#define WRITE	(B(I_SESSION) | B(I_LEVEL) | B(I_COMPONENT) | B(I_ACTION) | \
		 B(I_STAGE) | B(I_DATA) | B(I_DETAILS) | B(I_STDIN))
#define SHOW_ONLY (B(I_GLOBAL) | B(I_FOLLOW) | B(I_LINES) | B(I_SINCE) | \
		 B(I_UNTIL) | B(I_ROTATED) | B(I_PRETTY))
#define SHOW	(B(I_SESSION) | B(I_LEVEL) | B(I_COMPONENT) | B(I_ACTION) | \
		 B(I_STAGE) | SHOW_ONLY)

/* In the order of the I_* indexes of log.h. */
static const struct qmb_cli_opt opts[] = {
	QMB_VAL("session", 's', QMB_K_LOGGED, NULL, "ID",
	    "the session an entry belongs to"),
	QMB_VAL("level", 'l', QMB_K_TEXT, levels, "LEVEL",
	    "DEBUG, INFO, WARN or ERROR (show: the minimum)"),
	QMB_VAL("component", 'c', QMB_K_TEXT, NULL, "NAME",
	    "the component (script_builder, session, ...)"),
	QMB_VAL("action", 'a', QMB_K_TEXT, NULL, "NAME",
	    "what happened (table_generated, ...)"),
	QMB_VAL("stage", 'S', QMB_K_TEXT, qmb_cli_stages, "STAGE",
	    "A to F"),
	QMB_LIST("data", 'd', "KEY=VALUE",
	    "a details member; numbers, true, false and null\n"
	    "are typed, anything else is a string"),
	QMB_VAL("details", 0, QMB_K_TEXT, NULL, "JSON",
	    "details as a JSON object"),
	QMB_FLAG("stdin", 0, "read entries as JSON Lines from standard input"),
	QMB_FLAG("global", 0, "show the global log (qmb.log)"),
	QMB_FLAG("follow", 'f', "keep printing lines as they are written"),
	QMB_CHECKED("lines", 'n', QMB_K_INT, NULL, "N",
	    "only the last N matching entries", 0, 100000000, "give a count"),
	QMB_VAL("since", 0, QMB_K_TEXT, ages, "TIME",
	    "entries at or after TIME (ISO 8601, or 10m, 2h, 7d ago)"),
	QMB_VAL("until", 0, QMB_K_TEXT, ages, "TIME",
	    "entries at or before TIME"),
	QMB_FLAG("rotated", 0, "include the rotated files, oldest first"),
	QMB_FLAG("pretty", 0,
	    "one aligned line per entry (default on a terminal)"),
};

static const struct qmb_cli_cmd cmds[] = {
	QMB_CMD("write", "", "append one entry (or JSON Lines from standard "
	    "input)", 0, 0, WRITE, 0, QMB_ARG(QMB_K_FLAG)),
	QMB_CMD("show", "[ID]", "print a session's log (default: the global "
	    "log)", 0, 1, SHOW, 0, QMB_ARG(QMB_K_LOGGED)),
};

/* Options that belong to the other command are usage errors. */
static int
check(const struct qmb_cli *cli, char *msg, size_t size)
{
	const char *bad = NULL;

	if (strcmp(cli->cmd->name, "write") == 0) {
		if (cli->set & SHOW_ONLY)
			bad = "show options do not apply to 'write'";
		else if (cli->argc != 0)
			bad = "'write' takes no operands";
	} else {
		if (cli->set & (B(I_DATA) | B(I_DETAILS) | B(I_STDIN)))
			bad = "write options do not apply to 'show'";
		else if (cli->argc > 1 || (cli->argc == 1 &&
		    (cli->set & (B(I_GLOBAL) | B(I_SESSION)))))
			bad = "'show' takes one session id, or --global";
	}
	if (bad == NULL)
		return 0;
	snprintf(msg, size, "%s", bad);
	return -1;
}

const struct qmb_cli_prog log_spec = {
	.name = "qmb-log",
	.common = QMB_CO_ALL,
	.common_help = {
		[QMB_CO_JSON] = "print the entries as JSON Lines (default "
		    "elsewhere)",
		[QMB_CO_QUIET] = "no warnings about skipped lines",
		[QMB_CO_USER] = "who writes (default: $QMB_USER, else the login "
		    "name)",
		[QMB_CO_WAIT] = "how long to wait for a busy log (default 10)",
	},
	QMB_TABLES(opts, cmds),
	.check = check,
};

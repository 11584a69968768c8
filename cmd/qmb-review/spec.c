/* SPDX-License-Identifier: MIT */
/*
 * qmb-review's command line: the one description its parser, --help,
 * the shell completions and the man page's SYNOPSIS check come from.
 */
#include "qmb_cli.h"
#include <stdio.h>
#include <string.h>

#include "review.h"

static const char *const models[] = {
	"gemini-3.8-flash", "gemini-3.7-flash", "gemini-3.6-flash",
	"gemini-3.5-flash", "gemini-3.5-flash-lite", "gemini-3.1-flash-lite",
	"gemini-3.1-pro-preview", NULL
};

#define ID	QMB_ARG(QMB_K_SESSION)
#define GEMINI	(O_MODEL | O_ATTEMPTS | O_TIMEOUT | O_KEY_FILE)

/* In the order of the O_* bits of review.h. */
static const struct qmb_cli_opt opts[] = {
	QMB_VAL("model", 0, QMB_K_TEXT, models, "MODEL",
	    "Gemini model (default: gemini_model setting)"),
	QMB_CHECKED("attempts", 0, QMB_K_INT, NULL, "N",
	    "attempts before giving up (default 3; ping: 1)", 1, 99,
	    "give 1-99"),
	QMB_CHECKED("timeout", 0, QMB_K_REAL, NULL, "SECONDS",
	    "one attempt's limit (default 180)", 0.001, 3600,
	    "give seconds (0.001-3600)"),
	QMB_FLAG("no-cache", 0, "ask Gemini even when the script was reviewed"),
	QMB_VAL("script", 0, QMB_K_FILE, NULL, "FILE",
	    "review FILE ('-': standard input) instead"),
	QMB_VAL("key-file", 0, QMB_K_FILE, NULL, "FILE",
	    "read the API key from FILE (mode 0600)"),
	QMB_VAL("reason", 0, QMB_K_TEXT, NULL, "TEXT",
	    "why the review is bypassed"),
	QMB_FLAG("all", 0, "retry every queued request (the default)"),
};

/* In the order of main.c's functions. */
static const struct qmb_cli_cmd cmds[] = {
	QMB_CMD("run", "[ID]", "review the session's script (or --script "
	    "FILE)\nand record the answer", 0, 1,
	    GEMINI | O_NO_CACHE | O_SCRIPT, 0, ID),
	QMB_CMD("show", "ID", "the last review of a session", 1, 1, 0, 0, ID),
	QMB_CMD("queue", "", "review requests waiting for Gemini", 0, 0, 0, 0,
	    QMB_ARG(QMB_K_FLAG)),
	QMB_CMD("retry", "[NAME]", "send queued requests again (cron-safe):\n"
	    "NAME is a session id or script-HASH", 0, 1, GEMINI | O_ALL, 0,
	    QMB_ARG(QMB_K_QUEUED)),
	QMB_CMD("bypass", "ID", "approve the script without a review", 1, 1,
	    O_REASON, O_REASON, ID),
	QMB_CMD("ping", "", "check that the key and the endpoint work", 0, 0,
	    GEMINI, 0, QMB_ARG(QMB_K_FLAG)),
};

static int
check(const struct qmb_cli *cli, char *msg, size_t size)
{
	const char *name = cli->cmd->name;

	if (strcmp(name, "run") == 0 && cli->argc == 0 &&
	    !(cli->set & O_SCRIPT))
		snprintf(msg, size, "'run' needs a session ID or --script FILE");
	else if (strcmp(name, "retry") == 0 && cli->argc == 1 &&
	    (cli->set & O_ALL))
		snprintf(msg, size, "give an ID or --all, not both");
	else
		return 0;
	return -1;
}

const struct qmb_cli_prog review_spec = {
	.name = "qmb-review",
	.common = QMB_CO_ALL,
	.common_help = {
		[QMB_CO_VERBOSE] = "say more: each attempt, waits, log failures",
	},
	QMB_TABLES(opts, cmds),
	.check = check,
};

/* SPDX-License-Identifier: MIT */
/*
 * qmb-rotate's command line: the one description its parser, --help,
 * the shell completions and the man page's SYNOPSIS check come from.
 */
#include "rotate.h"

static const char *const sizes[] = { "1M", "10M", "100M", NULL };
static const char *const counts[] = { "1", "2", "5", "10", NULL };

/* In the order of the I_* indexes of rotate.h. */
static const struct qmb_cli_opt opts[] = {
	QMB_VAL("max-size", 0, QMB_K_TEXT, sizes, "SIZE",
	    "rotate logs at this size (K, M, G; default:\n"
	    "log_max_size, global_log_max_size)"),
	QMB_VAL("keep", 0, QMB_K_TEXT, counts, "N",
	    "rotated files kept per log (default: log_keep)"),
	QMB_FLAG("retention", 0, "also apply the retention rules"),
	QMB_FLAG("dry-run", 0, "list what would be done, change nothing"),
};

const struct qmb_cli_prog rotate_spec = {
	.name = "qmb-rotate",
	.about = "Rotate every log at or over its size limit; with --retention, "
	    "also\narchive inactive sessions, delete the logs of completed "
	    "sessions and\ncompress old audit trails.  Silent unless it acted "
	    "or failed.\n",
	.common = QMB_CO_ALL,
	.common_help = {
		[QMB_CO_JSON] = "print each action as a JSON line",
		[QMB_CO_QUIET] = "print only failures",
		[QMB_CO_VERBOSE] = "also say what was left alone, and why",
		[QMB_CO_USER] = "who the audit entries name (default: $QMB_USER,\n"
		    "else the login name)",
		[QMB_CO_WAIT] = "how long to wait for a busy log or session\n"
		    "(default 10)",
	},
	.opts = opts, .nopts = sizeof(opts) / sizeof(opts[0]),
};

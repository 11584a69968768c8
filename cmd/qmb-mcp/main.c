/* SPDX-License-Identifier: MIT */
/*
 * qmb-mcp: the qmb programs as MCP tools for Claude Code, over stdio.
 * stdout carries protocol only; diagnostics go to stderr.
 */
#include <sys/stat.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_io.h"
#include "qmb_cli.h"
#include "mcp.h"

static char progname[] = "qmb-mcp";

static const struct qmb_cli_prog spec = {
	.name = "qmb-mcp",
	.about = "An MCP server on standard input and output (JSON-RPC 2.0, "
	    "one message\nper line) offering qmb's sessions, logs, audit, "
	    "review and recovery as\ntools.  Add it to Claude Code with:\n"
	    "    claude mcp add qmb -- qmb-mcp -C /path/to/project\n",
	.common = 1u << QMB_CO_DIR | 1u << QMB_CO_VERBOSE | 1u << QMB_CO_HELP |
	    1u << QMB_CO_VERSION,
	.common_help = {
		[QMB_CO_DIR] = "the project folder (default: $QMB_PROJECT_DIR, "
		    "else\nthe nearest folder upward holding .qmb/)",
		[QMB_CO_VERBOSE] = "log each message's method to standard error",
	},
};

static size_t
line_max(void)
{
	const char *s = getenv("QMB_MCP_MAX_LINE");
	unsigned long long v;

	if (s != NULL && qmb_size_parse(s, &v) == 0 && v >= 1024 &&
	    v <= MCP_LINE_MAX)
		return (size_t)v;
	return MCP_LINE_MAX;
}

/* Where qmb-mcp itself lives: its siblings are found there first. */
static void
find_bindir(struct mcp *m, const char *argv0)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0) {
		snprintf(self, sizeof(self), "%s", argv0);
		n = (ssize_t)strlen(self);
	}
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL) {
		*slash = '\0';
		snprintf(m->bindir, sizeof(m->bindir), "%s", self);
	}
}

int
main(int argc, char *argv[])
{
	struct qmb_common c = { 0 };
	struct qmb_cli cli;
	struct mcp m = { 0 };
	struct stat st;
	int rc;

	argv[0] = progname;
	qmb_setprogname(progname);
	if (qmb_cli_parse(&spec, &c, &cli, argc, argv, &rc) == -1)
		return rc;
	m.dir = c.dir;
	m.verbose = c.verbose;
	errno = 0;
	if (m.dir != NULL && (stat(m.dir, &st) == -1 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "%s: project folder '%s': %s\n", progname, m.dir,
		    errno ? strerror(errno) : "not a directory");
		return QMB_EXIT_NOTFOUND;
	}
	if (mcp_tools_check() == -1) {
		fprintf(stderr, "%s: internal error: a tool schema does not parse\n",
		    progname);
		return QMB_EXIT_INTERNAL;
	}
	if (qmb_stdout_closed()) {
		fprintf(stderr, "%s: standard output is closed: the replies have nowhere to go\n",
		    progname);
		return QMB_EXIT_IO;
	}
	signal(SIGPIPE, SIG_IGN);
	find_bindir(&m, argv[0]);
	return mcp_serve(&m, line_max());
}

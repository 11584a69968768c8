/* SPDX-License-Identifier: MIT */
#ifndef QMB_MCP_H
#define QMB_MCP_H

/*
 * qmb-mcp: JSON-RPC 2.0 over stdio, one message per line, offering the
 * qmb programs as MCP tools.  mcp_handle() takes one line and produces
 * at most one line of reply; it never exits and never prints, so the
 * fuzz target drives it directly.
 */

#include <stddef.h>

#include "qmb_buf.h"
#include "qmb_json.h"

#define MCP_LINE_MAX	(24u << 20)	/* a message, bytes ($QMB_MCP_MAX_LINE) */
#define MCP_INLINE_MAX	(256u << 10)	/* export inline up to this */

struct mcp {
	const char	*dir;		/* -C: the project folder, or NULL */
	char		 bindir[4096];	/* where the sibling programs live */
	int		 initialized;
	int		 verbose;
	int		 dry;		/* fuzzing: tools do not run programs */
	char		 method[64];	/* the last message's method, or "" */
};

/* Handle one message; the reply (possibly none) is appended to out. */
void	mcp_handle(struct mcp *, const char *line, size_t len,
	    struct qmb_buf *out);
/* The reply to a line that was too long. */
void	mcp_too_long(struct qmb_buf *out, size_t limit);

/* the tool table (tools.c) */
void	mcp_tools_list(struct qmb_jw *);
/*
 * Run tool name with args (an object).  Returns 0 and writes the result
 * object, or -1 with *code and *msg set for a JSON-RPC error (-32602 for an
 * unknown tool or bad arguments).
 */
int	mcp_tools_call(struct mcp *, const char *name, const struct qmb_jv *args,
	    struct qmb_jw *, int *code, char *msg, size_t msgsize);
int	mcp_tools_check(void);		/* schemas parse: 0 or -1 */

/* a sibling program's outcome (run.c) */
struct run {
	int		 status;	/* exit code, or 128+signal */
	struct qmb_buf	 out;		/* stdout */
	struct qmb_buf	 err;		/* stderr */
};

int	mcp_run(struct mcp *, const char *prog, const char *const *argv,
	    const char *input, size_t inlen, struct run *);
void	mcp_run_free(struct run *);

#endif

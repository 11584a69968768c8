/* SPDX-License-Identifier: MIT */
#ifndef QMB_MCP_H
#define QMB_MCP_H

/*
 * qmb-mcp: JSON-RPC 2.0 over stdio, one message per line, offering the
 * qmb programs as MCP tools.  mcp_handle() takes one line and produces
 * at most one line of reply; it never exits and never prints, so the
 * fuzz target drives it directly.
 */

#include <sys/types.h>
#include <signal.h>
#include <stddef.h>

#include "qmb_buf.h"
#include "qmb_json.h"

#define MCP_LINE_MAX	(24u << 20)	/* a message, bytes ($QMB_MCP_MAX_LINE) */
#define MCP_INLINE_MAX	(256u << 10)	/* export inline up to this */
#define MCP_ID_MAX	256		/* an id or a progress token, as JSON */
#define MCP_DROPPED	32		/* cancelled requests not yet read */
#define MCP_PROGRESS_FD	3		/* the child's progress channel */

struct mcp {
	const char	*dir;		/* -C: the project folder, or NULL */
	char		 bindir[4096];	/* where the sibling programs live */
	int		 initialized;
	int		 verbose;
	int		 dry;		/* fuzzing: tools do not run programs */
	char		 method[64];	/* the last message's method, or "" */
	char		 version[16];	/* the negotiated protocol version */
	/*
	 * While a tool runs a program, the server goes on reading its input
	 * (serve.c): input() reads what is there, handling a cancellation
	 * or a ping at once; -1 once the input ended.  emit() writes a line
	 * (a progress notification, a ping's answer) out at once.  Both are
	 * NULL when fuzzing.
	 */
	int		(*input)(struct mcp *);
	void		(*emit)(struct mcp *, struct qmb_buf *);
	int		 input_fd;	/* polled while a program runs */
	int		 input_done;
	/* a signal that stops the server (SIGTERM, SIGINT, SIGHUP), or 0 */
	volatile sig_atomic_t *stop;
	/* the request being served */
	char		 call_id[MCP_ID_MAX];	/* its id as JSON, or "" */
	char		 token[MCP_ID_MAX];	/* its progressToken, or "" */
	long		 progress;		/* the last progress sent */
	pid_t		 child;			/* its program, or 0 */
	int		 cancelled;		/* a cancellation named it */
	int		 killed;		/* its program died of our signal */
	char		 reason[128];		/* the cancellation's reason */
	/* requests cancelled before they were served: their ids as JSON */
	char		 dropped[MCP_DROPPED][MCP_ID_MAX];
	unsigned	 ndropped;
};

/* Serve standard input until it ends (serve.c); the exit status. */
int	mcp_serve(struct mcp *, size_t max_line);
/* Handle one message; the reply (possibly none) is appended to out. */
void	mcp_handle(struct mcp *, const char *line, size_t len,
	    struct qmb_buf *out);
/*
 * A message read while a program runs: a cancellation is handled (the
 * program is stopped, or the request is dropped when it comes) and a
 * ping answered into out; 1 then, else 0 (to be handled in its turn).
 */
int	mcp_early(struct mcp *, const char *line, size_t len,
	    struct qmb_buf *out);
/* Stop the running program: SIGTERM to its process group. */
void	mcp_cancel(struct mcp *);
/* A progress line of the running program, sent on when the call asked. */
void	mcp_progress_line(struct mcp *, const char *line, size_t len);
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

/*
 * Prompts, resources and completion (context.c): each writes its result
 * object and returns 0, or returns -1 with a JSON-RPC error's code and
 * message.
 */
int	mcp_prompts_list(struct mcp *, const struct qmb_jv *, struct qmb_jw *,
	    int *, char *, size_t);
int	mcp_prompts_get(struct mcp *, const struct qmb_jv *, struct qmb_jw *,
	    int *, char *, size_t);
int	mcp_resources_list(struct mcp *, const struct qmb_jv *, struct qmb_jw *,
	    int *, char *, size_t);
int	mcp_templates_list(struct mcp *, const struct qmb_jv *, struct qmb_jw *,
	    int *, char *, size_t);
int	mcp_resources_read(struct mcp *, const struct qmb_jv *, struct qmb_jw *,
	    int *, char *, size_t);
int	mcp_complete(struct mcp *, const struct qmb_jv *, struct qmb_jw *,
	    int *, char *, size_t);

/* a sibling program's outcome (run.c) */
struct run {
	int		 status;	/* exit code, or 128+signal */
	struct qmb_buf	 out;		/* stdout */
	struct qmb_buf	 err;		/* stderr */
};

/*
 * Run prog with argv (never a shell): -C dir first, input on its standard
 * input, stdout and stderr captured; the program gets a progress channel
 * (qmb_progress.h) and its own process group, which mcp_cancel stops.
 */
int	mcp_run(struct mcp *, const char *prog, const char *const *argv,
	    const char *input, size_t inlen, struct run *);
void	mcp_run_free(struct run *);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef QMB_MCP_RESULT_H
#define QMB_MCP_RESULT_H

#include <stdint.h>

#include "qmb_json.h"
#include "mcp.h"

/* Parsed JSON Lines output. */
struct lines {
	struct qmb_json_doc	*v;
	size_t			 n;
};

void	lines_parse(const struct qmb_buf *, struct lines *);
void	lines_free(struct lines *);

const char *arg_str(const struct qmb_jv *args, const char *name);
int	arg_bool(const struct qmb_jv *args, const char *name);
int	arg_int(const struct qmb_jv *args, const char *name, int64_t *);

/* {"content":[{"type":"text","text":text}], ... then res_end. */
void	res_begin(struct qmb_jw *, const char *text);
void	res_end(struct qmb_jw *, int is_error);
/* A whole failure result: the CLI's message and the exit code's meaning. */
int	res_text_error(struct qmb_jw *, const char *msg, int code);
/*
 * Run prog; on a failure (it could not run, or exited with a code not in
 * ok, a bit mask of exit codes; 0 always counts) write the failure result,
 * free r and return 1.  Else 0 with r to free.
 */
int	run_checked(struct mcp *, const char *prog, const char *const *argv,
	    const char *input, unsigned ok, struct run *r, struct qmb_jw *);
#define run_or_error(m, prog, argv, input, r, jw) \
	run_checked(m, prog, argv, input, 0, r, jw)

#endif

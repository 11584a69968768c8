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
/*
 * A success: the text block, then structuredContent opened with its
 * "message" (what the program printed, exactly); the caller adds its
 * members and calls res_ok_end.  next, when not NULL, is advice for the
 * model: a "next" member, and a paragraph after the text.  When both are
 * empty the text is empty (a program that prints nothing on success).
 */
void	res_ok_begin(struct qmb_jw *, const char *message, const char *next,
	    const char *empty);
void	res_ok_end(struct qmb_jw *);
/*
 * A whole failure result: the CLI's message, then a line "exit N:
 * meaning"; structuredContent holds error, exit_code and meaning.
 */
int	res_text_error(struct qmb_jw *, const char *msg, int code);
const char *exit_meaning(int code);
/* The text of a program's standard output ("" for none). */
const char *run_text(const struct run *);
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

/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_exit.h"
#include "result.h"

void
lines_parse(const struct qmb_buf *b, struct lines *ls)
{
	const char *s, *nl, *end = b->data ? b->data + b->len : NULL;
	struct qmb_json_doc *v;

	ls->v = NULL;
	ls->n = 0;
	for (s = b->data; s != NULL && s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if (nl == s)
			continue;
		if ((v = realloc(ls->v, (ls->n + 1) * sizeof(*v))) == NULL)
			return;
		ls->v = v;
		memset(&v[ls->n], 0, sizeof(*v));
		if (qmb_json_parse(s, (size_t)(nl - s), 0, QMB_EXIT_CORRUPT,
		    &v[ls->n], NULL) == 0 && v[ls->n].root->type == QMB_JOBJ)
			ls->n++;
		else
			qmb_json_free(&v[ls->n]);
	}
}

void
lines_free(struct lines *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		qmb_json_free(&ls->v[i]);
	free(ls->v);
	ls->v = NULL;
	ls->n = 0;
}

const char *
arg_str(const struct qmb_jv *args, const char *name)
{
	return args ? qmb_json_get_str(args, name) : NULL;
}

int
arg_bool(const struct qmb_jv *args, const char *name)
{
	const struct qmb_jv *v = args ? qmb_json_get(args, name) : NULL;

	return v != NULL && v->type == QMB_JTRUE;
}

int
arg_int(const struct qmb_jv *args, const char *name, int64_t *out)
{
	return args != NULL && qmb_json_get_int(args, name, out) == 0;
}

void
res_begin(struct qmb_jw *jw, const char *text)
{
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "content");
	qmb_jw_arr_begin(jw);
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "type", "text");
	qmb_jw_kstr(jw, "text", text ? text : "");
	qmb_jw_obj_end(jw);
	qmb_jw_arr_end(jw);
}

void
res_end(struct qmb_jw *jw, int is_error)
{
	qmb_jw_key(jw, "isError");
	qmb_jw_bool(jw, is_error);
	qmb_jw_obj_end(jw);
}

void
res_ok_begin(struct qmb_jw *jw, const char *message, const char *next,
    const char *empty)
{
	struct qmb_buf t;

	qmb_buf_init(&t, 1u << 25);
	qmb_buf_adds(&t, message);
	if (next != NULL) {
		if (t.len > 0 && t.data[t.len - 1] != '\n')
			qmb_buf_addc(&t, '\n');
		qmb_buf_addf(&t, "%s%s\n", t.len > 0 ? "\n" : "", next);
	}
	/* a text block is never empty: the program may print nothing */
	res_begin(jw, t.len > 0 ? t.data : empty ? empty : "Done.");
	qmb_buf_free(&t);
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "message", message);
	if (next != NULL)
		qmb_jw_kstr(jw, "next", next);
}

void
res_ok_end(struct qmb_jw *jw)
{
	qmb_jw_obj_end(jw);
	res_end(jw, 0);
}

const char *
run_text(const struct run *r)
{
	return r->out.data != NULL ? r->out.data : "";
}

/* The words of qmb(7)'s table, for a model that sees only the text. */
const char *
exit_meaning(int code)
{
	switch (code) {
	case QMB_EXIT_FAIL: return "a check found problems";
	case QMB_EXIT_USAGE: return "usage error: a bad argument or input";
	case QMB_EXIT_NOTFOUND: return "not found";
	case QMB_EXIT_BUSY: return "busy or out of order";
	case QMB_EXIT_CORRUPT: return "corrupt data: run qmb_recover_session";
	case QMB_EXIT_IO: return "I/O error: nothing was half-written";
	case QMB_EXIT_REMOTE: return "remote service unavailable: the request was queued";
	case QMB_EXIT_INTERNAL: return "internal error";
	case QMB_EXIT_SAVED: return "a saved session was found and nobody decided";
	case 127: return "the program could not be run";
	default: return code > 128 ? "the program was stopped by a signal" : "failure";
	}
}

int
res_text_error(struct qmb_jw *jw, const char *msg, int code)
{
	struct qmb_buf t;

	qmb_buf_init(&t, 4096);
	qmb_buf_addf(&t, "%s\nexit %d: %s", msg, code, exit_meaning(code));
	res_begin(jw, t.data);
	qmb_buf_free(&t);
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "error", msg);
	qmb_jw_kint(jw, "exit_code", code);
	qmb_jw_kstr(jw, "meaning", exit_meaning(code));
	qmb_jw_obj_end(jw);
	res_end(jw, 1);
	return 0;
}

/* The program's message: the last line on stderr that is not a warning. */
static void
cli_message(const struct run *r, char *msg, size_t size, const char *prog)
{
	const char *s = r->err.data, *end, *line = NULL, *nl;
	size_t n = 0;

	end = s ? s + r->err.len : NULL;
	for (; s != NULL && s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if (nl > s && memmem(s, (size_t)(nl - s), ": warning: ", 11) == NULL) {
			line = s;
			n = (size_t)(nl - s);
		}
	}
	if (line != NULL)
		snprintf(msg, size, "%.*s", (int)n, line);
	else
		snprintf(msg, size, "%s: failed with exit code %d", prog, r->status);
}

int
run_checked(struct mcp *m, const char *prog, const char *const *argv,
    const char *input, unsigned ok, struct run *r, struct qmb_jw *jw)
{
	char msg[1024];

	if (mcp_run(m, prog, argv, input, input ? strlen(input) : 0, r) == -1) {
		snprintf(msg, sizeof(msg), "qmb-mcp: cannot run %s", prog);
		res_text_error(jw, msg, 127);
		return 1;
	}
	if (r->status == 0 || (r->status < 32 && (ok & (1u << r->status))))
		return 0;
	cli_message(r, msg, sizeof(msg), prog);
	res_text_error(jw, msg, r->status);
	mcp_run_free(r);
	return 1;
}

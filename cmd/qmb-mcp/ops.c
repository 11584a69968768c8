/* SPDX-License-Identifier: MIT */
/*
 * Log, audit, review and recovery tools.
 */
#include <stdio.h>
#include <string.h>

#include "qmb_exit.h"
#include "result.h"
#include "tools.h"

#define OK_FINDINGS (1u << QMB_EXIT_FAIL)

static void
entry_line(const struct qmb_jv *e, struct qmb_buf *t)
{
	const struct qmb_jv *d = qmb_json_get(e, "details");
	struct qmb_jw jw;

	qmb_buf_addf(t, "%s %s %s %s/%s ",
	    qmb_json_get_str(e, "timestamp") ? qmb_json_get_str(e, "timestamp") : "-",
	    qmb_json_get_str(e, "level") ? qmb_json_get_str(e, "level") : "-",
	    qmb_json_get_str(e, "stage") ? qmb_json_get_str(e, "stage") : "-",
	    qmb_json_get_str(e, "component") ? qmb_json_get_str(e, "component") : "-",
	    qmb_json_get_str(e, "action") ? qmb_json_get_str(e, "action") : "-");
	if (d != NULL) {
		qmb_jw_init(&jw, t, 0);
		qmb_jw_value(&jw, d);
	}
	qmb_buf_addc(t, '\n');
}

int
tool_log(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[12] = { "show", "--json", "-q" };
	struct lines ls;
	struct qmb_buf t;
	char lim[32];
	int64_t limit = 50;
	struct run r;
	size_t i;
	int n = 3;

	if (arg_str(args, "session_id"))
		argv[n++] = arg_str(args, "session_id");
	else
		argv[n++] = "--global";
	if (arg_str(args, "level")) {
		argv[n++] = "-l";
		argv[n++] = arg_str(args, "level");
	}
	if (arg_str(args, "since")) {
		argv[n++] = "--since";
		argv[n++] = arg_str(args, "since");
	}
	arg_int(args, "limit", &limit);
	snprintf(lim, sizeof(lim), "%lld", (long long)limit);
	argv[n++] = "-n";
	argv[n++] = lim;
	argv[n] = NULL;
	if (run_checked(m, "qmb-log", argv, NULL, 1u << QMB_EXIT_NOTFOUND, &r,
	    jw) == 1)
		return 0;
	lines_parse(&r.out, &ls);
	qmb_buf_init(&t, 1u << 24);
	if (ls.n == 0)
		qmb_buf_adds(&t, "No log entries.\n");
	for (i = 0; i < ls.n; i++)
		entry_line(ls.v[i].root, &t);
	res_begin(jw, t.data);
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_obj_begin(jw);
	qmb_jw_kint(jw, "count", (int64_t)ls.n);
	qmb_jw_key(jw, "entries");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < ls.n; i++)
		qmb_jw_value(jw, ls.v[i].root);
	qmb_jw_arr_end(jw);
	qmb_jw_obj_end(jw);
	res_end(jw, 0);
	qmb_buf_free(&t);
	lines_free(&ls);
	mcp_run_free(&r);
	return 0;
}

int
tool_verify(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "verify", id ? id : "--all", "--json", NULL };
	const char *hargv[] = { "verify", id ? id : "--all", NULL };
	struct lines ls;
	struct run r, h;
	size_t i;

	if (run_checked(m, "qmb-audit", argv, NULL, OK_FINDINGS, &r, jw) == 1)
		return 0;
	lines_parse(&r.out, &ls);
	if (mcp_run(m, "qmb-audit", hargv, NULL, 0, &h) == -1)
		qmb_buf_init(&h.out, 1);
	res_begin(jw, h.out.len ? h.out.data : "No audit trails.");
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "intact");
	qmb_jw_bool(jw, r.status == 0);
	qmb_jw_key(jw, "trails");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < ls.n; i++)
		qmb_jw_value(jw, ls.v[i].root);
	qmb_jw_arr_end(jw);
	qmb_jw_obj_end(jw);
	res_end(jw, 0);
	lines_free(&ls);
	mcp_run_free(&h);
	mcp_run_free(&r);
	return 0;
}

/*
 * Tools whose program speaks JSON (one object or JSON Lines) with --json:
 * structuredContent carries it; the text is its "message" when it has
 * one, else the program's human output (text_argv, read-only tools) or
 * its raw output.
 */
static int
generic(struct mcp *m, const char *prog, const char *const *argv,
    const char *const *text_argv, unsigned ok, struct qmb_jw *jw)
{
	struct qmb_json_doc doc = { 0 };
	struct lines ls = { 0 };
	struct run r, h;
	const char *text, *msg = NULL;
	int one, have_h = 0;
	size_t i;

	if (run_checked(m, prog, argv, NULL, ok, &r, jw) == 1)
		return 0;
	one = qmb_json_parse(r.out.data, r.out.len, 0, QMB_EXIT_CORRUPT, &doc,
	    NULL) == 0 && doc.root->type == QMB_JOBJ;
	if (!one) {
		qmb_json_free(&doc);
		lines_parse(&r.out, &ls);
	} else {
		msg = qmb_json_get_str(doc.root, "message");
	}
	if (msg == NULL && text_argv != NULL &&
	    mcp_run(m, prog, text_argv, NULL, 0, &h) == 0)
		have_h = 1;
	text = msg ? msg : have_h && h.out.len ? h.out.data : r.out.len ?
	    r.out.data : "done";
	res_begin(jw, text);
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_obj_begin(jw);
	qmb_jw_kint(jw, "exit_code", r.status);
	qmb_jw_key(jw, "ok");
	qmb_jw_bool(jw, r.status == 0);
	if (one) {
		qmb_jw_key(jw, "result");
		qmb_jw_value(jw, doc.root);
	} else if (ls.n > 0) {
		qmb_jw_key(jw, "results");
		qmb_jw_arr_begin(jw);
		for (i = 0; i < ls.n; i++)
			qmb_jw_value(jw, ls.v[i].root);
		qmb_jw_arr_end(jw);
	} else {
		qmb_jw_kstr(jw, "output", r.out.data ? r.out.data : "");
	}
	qmb_jw_obj_end(jw);
	res_end(jw, 0);
	qmb_json_free(&doc);
	lines_free(&ls);
	if (have_h)
		mcp_run_free(&h);
	mcp_run_free(&r);
	return 0;
}

int
tool_review(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "run", arg_str(args, "session_id"), "--json", NULL };

	return generic(m, "qmb-review", argv, NULL, 0, jw);
}

int
tool_bypass(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "bypass", arg_str(args, "session_id"), "--reason",
	    arg_str(args, "reason"), "--json", NULL };

	return generic(m, "qmb-review", argv, NULL, 0, jw);
}

int
tool_check(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "check", id ? id : "--all", "--json", NULL };
	const char *hargv[] = { "check", id ? id : "--all", NULL };

	return generic(m, "qmb-recover", argv, hargv, OK_FINDINGS, jw);
}

int
tool_recover(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[6] = { "repair", arg_str(args, "session_id"), "--json" };

	if (arg_bool(args, "dry_run"))
		argv[3] = "--dry-run";
	return generic(m, "qmb-recover", argv, NULL, 0, jw);
}

int
tool_health(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "health", "--json", NULL };
	const char *hargv[] = { "health", NULL };

	(void)args;
	return generic(m, "qmb-recover", argv, hargv, OK_FINDINGS, jw);
}

int
tool_rotate(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[4] = { "-v" };

	if (arg_bool(args, "dry_run"))
		argv[1] = "--dry-run";
	return generic(m, "qmb-rotate", argv, NULL, 0, jw);
}

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
	const char *argv[14] = { "show", "--json", "-q" };
	struct lines ls;
	struct qmb_buf t;
	char lim[32];
	int64_t limit = 50;
	struct run r;
	size_t i;
	int n = 3;

	if (arg_str(args, "session_id") == NULL)
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
	if (arg_str(args, "session_id")) {
		argv[n++] = "--";
		argv[n++] = arg_str(args, "session_id");
	}
	argv[n] = NULL;
	/* no global log yet is an empty one; no session log is an error */
	if (run_checked(m, "qmb-log", argv, NULL, arg_str(args, "session_id") ?
	    0 : 1u << QMB_EXIT_NOTFOUND, &r, jw) == 1)
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
	const char *argv[] = { "verify", "--json", id ? "--" : "--all", id, NULL };
	const char *hargv[] = { "verify", id ? "--" : "--all", id, NULL };
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
 * A tool whose program speaks JSON with --json: one object (list 0) or
 * JSON Lines (list 1, every line an element of "results").
 * structuredContent carries it with the exit code.  The text is, in
 * order: the object's "message"; the program's human output (text_argv,
 * a read-only command run afterwards); the lines' messages; none.
 */
struct gen {
	const char		*prog;
	const char *const	*argv;
	const char *const	*text_argv;
	unsigned		 ok;	/* exit codes that are results, not errors */
	int			 list;
	const char		*none;
};

static void
messages(const struct lines *ls, struct qmb_buf *t)
{
	const char *msg;
	size_t i;

	for (i = 0; i < ls->n; i++)
		if ((msg = qmb_json_get_str(ls->v[i].root, "message")) != NULL)
			qmb_buf_addf(t, "%s\n", msg);
}

static int
generic(struct mcp *m, const struct gen *g, struct qmb_jw *jw)
{
	struct qmb_json_doc doc = { 0 };
	struct lines ls = { 0 };
	struct qmb_buf t;
	struct run r, h;
	const char *msg = NULL;
	int one = 0, have_h = 0;
	size_t i;

	if (run_checked(m, g->prog, g->argv, NULL, g->ok, &r, jw) == 1)
		return 0;
	if (g->list)
		lines_parse(&r.out, &ls);
	else if (qmb_json_parse(r.out.data, r.out.len, 0, QMB_EXIT_CORRUPT,
	    &doc, NULL) == 0 && doc.root->type == QMB_JOBJ) {
		one = 1;
		msg = qmb_json_get_str(doc.root, "message");
	}
	if (msg == NULL && g->text_argv != NULL &&
	    mcp_run(m, g->prog, g->text_argv, NULL, 0, &h) == 0)
		have_h = 1;
	qmb_buf_init(&t, 1u << 24);
	if (msg != NULL)
		qmb_buf_adds(&t, msg);
	else if (have_h && h.status == r.status && h.out.len > 0)
		qmb_buf_add(&t, h.out.data, h.out.len);
	else
		messages(&ls, &t);
	if (t.len == 0)
		qmb_buf_adds(&t, g->none);
	res_begin(jw, t.data);
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_obj_begin(jw);
	qmb_jw_kint(jw, "exit_code", r.status);
	qmb_jw_key(jw, "ok");
	qmb_jw_bool(jw, r.status == 0);
	if (g->list) {
		qmb_jw_key(jw, "results");
		qmb_jw_arr_begin(jw);
		for (i = 0; i < ls.n; i++)
			qmb_jw_value(jw, ls.v[i].root);
		qmb_jw_arr_end(jw);
	} else if (one) {
		qmb_jw_key(jw, "result");
		qmb_jw_value(jw, doc.root);
	} else {
		qmb_jw_kstr(jw, "output", r.out.data ? r.out.data : "");
	}
	qmb_jw_obj_end(jw);
	res_end(jw, 0);
	qmb_buf_free(&t);
	qmb_json_free(&doc);
	lines_free(&ls);
	if (have_h)
		mcp_run_free(&h);
	mcp_run_free(&r);
	return 0;
}

/* The review's text is the program's own view of it (show is read-only). */
int
tool_review(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "run", "--json", "--", id, NULL };
	const char *hargv[] = { "show", "--", id, NULL };
	const struct gen g = { "qmb-review", argv, hargv, 0, 0, "Reviewed." };

	return generic(m, &g, jw);
}

int
tool_bypass(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "bypass", "--json", "--reason",
	    arg_str(args, "reason"), "--", id, NULL };
	const char *hargv[] = { "show", "--", id, NULL };
	const struct gen g = { "qmb-review", argv, hargv, 0, 0,
	    "Review bypassed." };

	return generic(m, &g, jw);
}

int
tool_check(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "check", "--json", id ? "--" : "--all", id, NULL };
	const char *hargv[] = { "check", id ? "--" : "--all", id, NULL };
	const struct gen g = { "qmb-recover", argv, hargv, OK_FINDINGS, 1,
	    "No sessions." };

	return generic(m, &g, jw);
}

int
tool_recover(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[6] = { "repair", "--json" };
	const struct gen g = { "qmb-recover", argv, NULL, 0, 0, "Repaired." };
	int n = 2;

	if (arg_bool(args, "dry_run"))
		argv[n++] = "--dry-run";
	argv[n++] = "--";
	argv[n++] = arg_str(args, "session_id");
	argv[n] = NULL;
	return generic(m, &g, jw);
}

int
tool_health(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "health", "--json", NULL };
	const char *hargv[] = { "health", NULL };
	const struct gen g = { "qmb-recover", argv, hargv, OK_FINDINGS, 0,
	    "Healthy." };

	(void)args;
	return generic(m, &g, jw);
}

/* Rotation acts, so it runs once: the text is its actions' messages. */
int
tool_rotate(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[4] = { "--json" };
	const struct gen g = { "qmb-rotate", argv, NULL, 0, 1,
	    "Nothing to rotate: every log is under its limit." };

	if (arg_bool(args, "dry_run"))
		argv[1] = "--dry-run";
	return generic(m, &g, jw);
}

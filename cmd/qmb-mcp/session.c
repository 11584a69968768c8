/* SPDX-License-Identifier: MIT */
/*
 * Session tools.  Each runs qmb-session as a user would (no --json), so
 * the result's "message" is exactly what the command prints, and reads
 * the structure through a read-only command (show --json, list --json).
 * A change is never run twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_atomic.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_paths.h"
#include "qmb_session.h"
#include "qmb_view.h"
#include "result.h"
#include "tools.h"

int
tool_list(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[7] = { "list", "--json" }, *hargv[6] = { "list" };
	struct lines ls;
	struct run r, h;
	int n = 2, k = 1;
	size_t i;

	if (arg_bool(args, "all"))
		argv[n++] = hargv[k++] = "--all";
	if (arg_str(args, "project_name")) {
		argv[n++] = hargv[k++] = "--project";
		argv[n++] = hargv[k++] = arg_str(args, "project_name");
	}
	argv[n] = hargv[k] = NULL;
	if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1)
		return 0;
	if (run_or_error(m, "qmb-session", hargv, NULL, &h, jw) == 1) {
		mcp_run_free(&r);
		return 0;
	}
	lines_parse(&r.out, &ls);
	res_ok_begin(jw, run_text(&h), NULL, NULL);
	qmb_jw_kint(jw, "count", (int64_t)ls.n);
	qmb_jw_key(jw, "sessions");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < ls.n; i++)
		qmb_jw_value(jw, ls.v[i].root);
	qmb_jw_arr_end(jw);
	res_ok_end(jw);
	lines_free(&ls);
	mcp_run_free(&h);
	mcp_run_free(&r);
	return 0;
}

/* The state of id as a struct, through show --json (read-only). */
int
load_state(struct mcp *m, const char *id, struct qmb_session *s)
{
	const char *argv[] = { "show", "--json", "-q", "--", id, NULL };
	struct qmb_json_doc doc = { 0 };
	struct run r;
	int rc = -1;

	if (mcp_run(m, "qmb-session", argv, NULL, 0, &r) == 0 && r.status == 0 &&
	    qmb_json_parse(r.out.data, r.out.len, 0, QMB_EXIT_CORRUPT, &doc,
	    NULL) == 0)
		rc = qmb_session_from_jv(doc.root, qmb_json_get_str(doc.root,
		    "session_id") ? qmb_json_get_str(doc.root, "session_id") : id,
		    QMB_EXIT_CORRUPT, s, NULL);
	qmb_json_free(&doc);
	mcp_run_free(&r);
	return rc;
}

static void
summary_member(struct qmb_jw *jw, const struct qmb_session *s)
{
	qmb_jw_key(jw, "session");
	qmb_jw_obj_begin(jw);
	qmb_view_summary(s, jw);
	qmb_jw_obj_end(jw);
}

/*
 * After a command that changed session id and printed r's words: the
 * result with those words and the state read back.
 */
static int
changed(struct mcp *m, const char *id, const struct run *r,
    const char *outcome, const char *next, struct qmb_jw *jw)
{
	struct qmb_session s;

	if (load_state(m, id, &s) == -1)
		return res_text_error(jw, "qmb-mcp: the session changed but could "
		    "not be read back", QMB_EXIT_INTERNAL);
	res_ok_begin(jw, run_text(r), next, NULL);
	if (outcome != NULL)
		qmb_jw_kstr(jw, "outcome", outcome);
	summary_member(jw, &s);
	res_ok_end(jw);
	qmb_session_free(&s);
	return 0;
}

int
tool_resume(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "resume", "--", id, NULL };
	struct run r;

	if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1)
		return 0;
	changed(m, id, &r, NULL, NULL, jw);
	mcp_run_free(&r);
	return 0;
}

int
tool_status(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "show", "--", id, NULL };
	struct qmb_json_doc doc = { 0 };
	struct qmb_session s;
	struct run r;

	if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1)
		return 0;
	if (load_state(m, id, &s) == -1) {
		mcp_run_free(&r);
		return res_text_error(jw, "qmb-mcp: the session could not be read",
		    QMB_EXIT_CORRUPT);
	}
	res_ok_begin(jw, run_text(&r), NULL, NULL);
	summary_member(jw, &s);
	qmb_jw_key(jw, "last_review");
	if (s.reviews && qmb_json_parse(s.reviews, strlen(s.reviews), 0,
	    QMB_EXIT_CORRUPT, &doc, NULL) == 0 && doc.root->len > 0)
		qmb_jw_value(jw, &doc.root->kids[doc.root->len - 1]);
	else
		qmb_jw_null(jw);
	res_ok_end(jw);
	qmb_json_free(&doc);
	qmb_session_free(&s);
	mcp_run_free(&r);
	return 0;
}

static int
export_file(struct mcp *m, const char *id, const struct run *r, char *path,
    size_t size)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_proj p;
	char name[128], ts[QMB_TIME_LEN + 1];
	int dfd, rc = -1;

	if (qmb_proj_open(&p, m->dir, &err) == -1)
		return -1;
	qmb_time_fmt(qmb_now(), ts);
	snprintf(name, sizeof(name), "%s-%.10s.json", id, ts);
	if ((dfd = qmb_proj_dir(&p, QMB_D_EXPORTS, 1, &err)) != -1 &&
	    qmb_atomic_write(dfd, name, r->out.data, r->out.len,
	    qmb_proj_fmode(&p), &err) == 0) {
		snprintf(path, size, "%s/.qmb/exports/%s", p.root, name);
		rc = 0;
	}
	qmb_proj_close(&p);
	return rc;
}

int
tool_export(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "export", "--", id, NULL };
	struct qmb_json_doc doc = { 0 };
	struct qmb_session s;
	struct qmb_buf t;
	char path[4400];
	struct run r;

	if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1)
		return 0;
	if (qmb_json_parse(r.out.data, r.out.len, 0, QMB_EXIT_CORRUPT, &doc,
	    NULL) == -1 || qmb_session_from_jv(doc.root, id, QMB_EXIT_CORRUPT, &s,
	    NULL) == -1) {
		qmb_json_free(&doc);
		mcp_run_free(&r);
		return res_text_error(jw, "qmb-mcp: the export did not parse", 9);
	}
	qmb_buf_init(&t, 1u << 20);
	if (r.out.len <= MCP_INLINE_MAX) {
		res_ok_begin(jw, run_text(&r), NULL, NULL);
		qmb_jw_kstr(jw, "session_id", s.id);
		qmb_jw_key(jw, "inline");
		qmb_jw_bool(jw, 1);
		qmb_jw_kint(jw, "bytes", (int64_t)r.out.len);
		qmb_jw_key(jw, "session");
		qmb_jw_value(jw, doc.root);
		res_ok_end(jw);
	} else if (export_file(m, s.id, &r, path, sizeof(path)) == 0) {
		qmb_buf_addf(&t, "Session %s (%s) is %zu bytes, more than fits in a "
		    "reply; its full JSON was written to %s.\nProgress: ", s.id,
		    s.project, r.out.len, path);
		qmb_view_progress(&s, &t);
		qmb_buf_addc(&t, '\n');
		res_ok_begin(jw, t.data, NULL, NULL);
		qmb_jw_kstr(jw, "session_id", s.id);
		qmb_jw_key(jw, "inline");
		qmb_jw_bool(jw, 0);
		qmb_jw_kint(jw, "bytes", (int64_t)r.out.len);
		qmb_jw_kstr(jw, "path", path);
		qmb_jw_key(jw, "summary");
		qmb_jw_obj_begin(jw);
		qmb_view_summary(&s, jw);
		qmb_jw_obj_end(jw);
		res_ok_end(jw);
	} else {
		res_text_error(jw, "qmb-mcp: could not write the export file under "
		    ".qmb/exports", QMB_EXIT_IO);
	}
	qmb_buf_free(&t);
	qmb_session_free(&s);
	qmb_json_free(&doc);
	mcp_run_free(&r);
	return 0;
}

/* Is there an active session of project? */
static int
saved_of(struct mcp *m, const char *project)
{
	const char *argv[] = { "list", "--json", "--project", project, NULL };
	const char *st;
	struct lines ls;
	struct run r;
	size_t i;
	int found = 0;

	if (mcp_run(m, "qmb-session", argv, NULL, 0, &r) == 0 && r.status == 0) {
		lines_parse(&r.out, &ls);
		for (i = 0; i < ls.n; i++)
			if ((st = qmb_json_get_str(ls.v[i].root, "status")) != NULL &&
			    strcmp(st, "active") == 0)
				found = 1;
		lines_free(&ls);
	}
	mcp_run_free(&r);
	return found;
}

/* The saved session start would pick for project (start --json asks). */
static int
saved_id(struct mcp *m, const char *project, char *id, size_t size)
{
	const char *argv[] = { "start", "--json", "--", project, NULL };
	struct qmb_json_doc doc = { 0 };
	struct run r;
	int rc = -1;

	if (mcp_run(m, "qmb-session", argv, NULL, 0, &r) == 0 &&
	    r.status == QMB_EXIT_SAVED && qmb_json_parse(r.out.data, r.out.len,
	    0, QMB_EXIT_CORRUPT, &doc, NULL) == 0 &&
	    qmb_json_get_str(doc.root, "session_id") != NULL) {
		snprintf(id, size, "%s", qmb_json_get_str(doc.root, "session_id"));
		rc = 0;
	}
	qmb_json_free(&doc);
	mcp_run_free(&r);
	return rc;
}

/* A new session's id: the one line start prints when it creates one. */
static int
created_id(const struct run *r, char *id, size_t size)
{
	size_t n = r->out.len;

	while (n > 0 && r->out.data[n - 1] == '\n')
		n--;
	if (n == 0 || n >= size || memchr(r->out.data, '\n', n) != NULL)
		return -1;
	memcpy(id, r->out.data, n);
	id[n] = '\0';
	return qmb_id_check(id, NULL) == 0 ? 0 : -1;
}

#define NEXT_FOUND "A saved session of this project was found. Ask the user: " \
    "[Continue] [Start over] [View saved]. Then call qmb_start_session again " \
    "with mode \"resume\" (Continue) or \"new\" (Start over: the saved " \
    "session is archived, not deleted)."
#define NEXT_CREATED "A new session was created (its id is above). Build " \
    "Stage A: Configuration with the user, then record it with " \
    "qmb_approve_stage."

int
tool_start(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *project = arg_str(args, "project_name");
	const char *mode = arg_str(args, "mode") ? arg_str(args, "mode") : "ask";
	const char *argv[8] = { "start" }, *outcome, *next = NULL;
	char id[QMB_ID_MAX + 1];
	struct run r;
	int n = 1, existed;

	if (strcmp(mode, "resume") == 0)
		argv[n++] = "--resume";
	else if (strcmp(mode, "new") == 0)
		argv[n++] = "--new";
	/* only "new" tells a restart from a first start by its output */
	existed = strcmp(mode, "new") == 0 && saved_of(m, project);
	if (arg_str(args, "model_type")) {
		argv[n++] = "--model-type";
		argv[n++] = arg_str(args, "model_type");
	}
	argv[n++] = "--";
	argv[n++] = project;
	argv[n] = NULL;
	if (run_checked(m, "qmb-session", argv, NULL, 1u << QMB_EXIT_SAVED, &r,
	    jw) == 1)
		return 0;
	if (created_id(&r, id, sizeof(id)) == 0) {
		outcome = existed ? "restarted" : "created";
		next = NEXT_CREATED;
	} else if (saved_id(m, project, id, sizeof(id)) == 0) {
		/* found (nothing changed), or resumed: the saved one */
		outcome = r.status == QMB_EXIT_SAVED ? "found" : "resumed";
		if (r.status == QMB_EXIT_SAVED)
			next = NEXT_FOUND;
	} else {
		mcp_run_free(&r);
		return res_text_error(jw, "qmb-mcp: qmb-session start said "
		    "nothing usable", QMB_EXIT_INTERNAL);
	}
	changed(m, id, &r, outcome, next, jw);
	mcp_run_free(&r);
	return 0;
}

/* approve, revert, set-model, complete: the words, then the state. */
static int
change(struct mcp *m, const char *id, const char *const *argv,
    const char *input, struct qmb_jw *jw)
{
	struct run r;

	if (run_or_error(m, "qmb-session", argv, input, &r, jw) == 1)
		return 0;
	changed(m, id, &r, NULL, NULL, jw);
	mcp_run_free(&r);
	return 0;
}

int
tool_approve(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "approve", "--", arg_str(args, "session_id"),
	    arg_str(args, "stage"), "-", NULL };

	return change(m, arg_str(args, "session_id"), argv,
	    arg_str(args, "script"), jw);
}

int
tool_revert(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "revert", "--", arg_str(args, "session_id"),
	    arg_str(args, "stage"), NULL };

	return change(m, arg_str(args, "session_id"), argv, NULL, jw);
}

int
tool_set_model(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "set-model", "--", arg_str(args, "session_id"),
	    arg_str(args, "model_type"), NULL };

	return change(m, arg_str(args, "session_id"), argv, NULL, jw);
}

int
tool_complete(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[6] = { "complete" };
	char score[32];
	int64_t v;
	int n = 1;

	if (arg_int(args, "min_score", &v)) {
		snprintf(score, sizeof(score), "%lld", (long long)v);
		argv[n++] = "--min-score";
		argv[n++] = score;
	}
	argv[n++] = "--";
	argv[n++] = arg_str(args, "session_id");
	argv[n] = NULL;
	return change(m, arg_str(args, "session_id"), argv, NULL, jw);
}

int
tool_tables(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	static const char *const order[] = { "set", "add", "remove" };
	const struct qmb_jv *t = qmb_json_get(args, "tables"), *names;
	const char *ops[3], *argv[260], *id = arg_str(args, "session_id");
	struct run r, all;
	size_t i, k, n, nops = 0;

	for (k = 0; k < 3; k++)
		if (qmb_json_get(t, order[k]) != NULL)
			ops[nops++] = order[k];
	for (k = 0; k < nops; k++)
		if (qmb_json_get(t, ops[k])->len > 250)
			return res_text_error(jw,
			    "qmb-mcp: at most 250 tables per call", QMB_EXIT_USAGE);
	/* the words of every command run, in order */
	qmb_buf_init(&all.out, 1u << 24);
	for (k = 0; k < nops; k++) {
		names = qmb_json_get(t, ops[k]);
		n = 0;
		argv[n++] = "tables";
		argv[n++] = "--";
		argv[n++] = id;
		argv[n++] = ops[k];
		for (i = 0; i < names->len; i++)
			argv[n++] = names->kids[i].str;
		argv[n] = NULL;
		if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1) {
			qmb_buf_free(&all.out);
			return 0;
		}
		qmb_buf_add(&all.out, run_text(&r), r.out.len);
		mcp_run_free(&r);
	}
	qmb_buf_add(&all.out, "", 0);
	if (nops == 0)
		res_text_error(jw, "qmb-mcp: tables needs add, remove or set",
		    QMB_EXIT_USAGE);
	else
		changed(m, id, &all, NULL, NULL, jw);
	qmb_buf_free(&all.out);
	return 0;
}

int
tool_script(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[7] = { "script", "--json" }, *hargv[6] = { "script" };
	struct qmb_json_doc doc = { 0 };
	struct run r, h;
	int n = 2, k = 1;
	size_t i;

	if (arg_str(args, "stage")) {
		argv[n++] = hargv[k++] = "--stage";
		argv[n++] = hargv[k++] = arg_str(args, "stage");
	}
	argv[n++] = hargv[k++] = "--";
	argv[n++] = hargv[k++] = arg_str(args, "session_id");
	argv[n] = hargv[k] = NULL;
	if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1)
		return 0;
	if (qmb_json_parse(r.out.data, r.out.len, 0, QMB_EXIT_CORRUPT, &doc,
	    NULL) == -1 || qmb_json_get_str(doc.root, "script") == NULL) {
		qmb_json_free(&doc);
		mcp_run_free(&r);
		return res_text_error(jw, "qmb-mcp: qmb-session script said "
		    "nothing usable", QMB_EXIT_INTERNAL);
	}
	if (run_or_error(m, "qmb-session", hargv, NULL, &h, jw) == 0) {
		res_ok_begin(jw, run_text(&h), NULL, NULL);
		for (i = 0; i < doc.root->len; i++) {
			if (strcmp(doc.root->kids[i].key, "message") == 0)
				continue;
			qmb_jw_key(jw, doc.root->kids[i].key);
			qmb_jw_value(jw, &doc.root->kids[i]);
		}
		res_ok_end(jw);
		mcp_run_free(&h);
	}
	qmb_json_free(&doc);
	mcp_run_free(&r);
	return 0;
}

int
tool_archive(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "archive", "--", id, NULL };
	struct run r;

	if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1)
		return 0;
	res_ok_begin(jw, run_text(&r), NULL, NULL);
	qmb_jw_kstr(jw, "session_id", id);
	qmb_jw_key(jw, "archived");
	qmb_jw_bool(jw, 1);
	res_ok_end(jw);
	mcp_run_free(&r);
	return 0;
}

int
tool_import(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const struct qmb_jv *sess = qmb_json_get(args, "session");
	const char *argv[5] = { "import" }, *id;
	struct qmb_buf in;
	struct qmb_jw w;
	struct run r;
	int n = 1;

	if (arg_bool(args, "force"))
		argv[n++] = "--force";
	argv[n++] = "--";
	argv[n++] = "-";
	argv[n] = NULL;
	if ((id = qmb_json_get_str(sess, "session_id")) == NULL ||
	    qmb_id_check(id, NULL) != 0)
		return res_text_error(jw, "qmb-mcp: 'session' needs a valid "
		    "session_id (give what qmb_export_session returned)",
		    QMB_EXIT_USAGE);
	qmb_buf_init(&in, qmb_io_max_file());
	qmb_jw_init(&w, &in, 0);
	qmb_jw_value(&w, sess);
	if (qmb_jw_finish(&w) == -1) {
		qmb_buf_free(&in);
		return res_text_error(jw, "qmb-mcp: 'session' is too large",
		    QMB_EXIT_USAGE);
	}
	qmb_buf_addc(&in, '\n');
	if (run_or_error(m, "qmb-session", argv, in.data, &r, jw) == 0) {
		changed(m, id, &r, NULL, NULL, jw);
		mcp_run_free(&r);
	}
	qmb_buf_free(&in);
	return 0;
}

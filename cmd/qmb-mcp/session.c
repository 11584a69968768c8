/* SPDX-License-Identifier: MIT */
/*
 * Session tools: each runs qmb-session and turns its JSON into
 * structuredContent and its words (or the seed's renderings) into text.
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

/* One summary line of list --json as the seed's list entry. */
static void
list_entry(int n, const struct qmb_jv *s, struct qmb_buf *t)
{
	const char *st = qmb_json_get_str(s, "status");
	const char *cur = qmb_json_get_str(s, "current_stage");
	const char *up = qmb_json_get_str(s, "updated_at");
	const struct qmb_jv *done = qmb_json_get(s, "completed_stages");
	int64_t pct = 0, when;
	char rel[64] = "unknown";

	qmb_json_get_int(s, "progress", &pct);
	if (up != NULL && qmb_time_parse(up, &when) == 0)
		qmb_time_ago(when, qmb_now(), rel, sizeof(rel));
	qmb_buf_addf(t, "\n%d. %s\n   ID: %s\n   Progress: ", n,
	    qmb_json_get_str(s, "project_name") ? qmb_json_get_str(s,
	    "project_name") : "(damaged)", qmb_json_get_str(s, "session_id"));
	if (st != NULL && strcmp(st, "damaged") == 0)
		qmb_buf_addf(t, "damaged (%s)\n", qmb_json_get_str(s, "error") ?
		    qmb_json_get_str(s, "error") : "");
	else if (st != NULL && strcmp(st, "complete") == 0)
		qmb_buf_adds(t, "Complete (100%)\n");
	else if (done != NULL && done->len == 6)
		qmb_buf_adds(t, "Stage F (100%, pending review)\n");
	else
		qmb_buf_addf(t, "Stage %s (%lld%%)\n", cur ? cur : "?",
		    (long long)pct);
	if (st == NULL || strcmp(st, "damaged") != 0)
		qmb_buf_addf(t, "   Last saved: %s\n", rel);
}

int
tool_list(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[6] = { "list", "--json" };
	struct lines ls;
	struct qmb_buf t;
	struct run r;
	int n = 2;
	size_t i;

	if (arg_bool(args, "all"))
		argv[n++] = "--all";
	if (arg_str(args, "project_name")) {
		argv[n++] = "--project";
		argv[n++] = arg_str(args, "project_name");
	}
	argv[n] = NULL;
	if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1)
		return 0;
	lines_parse(&r.out, &ls);
	qmb_buf_init(&t, 1u << 24);
	if (ls.n == 0)
		qmb_buf_adds(&t, "No saved sessions.\n");
	else
		qmb_buf_addf(&t, "Found %zu saved session%s:\n", ls.n,
		    ls.n == 1 ? "" : "s");
	for (i = 0; i < ls.n; i++)
		list_entry((int)i + 1, ls.v[i].root, &t);
	res_begin(jw, t.data);
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_obj_begin(jw);
	qmb_jw_kint(jw, "count", (int64_t)ls.n);
	qmb_jw_key(jw, "sessions");
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

/* The state of id as a struct, through show --json (read-only). */
static int
load_state(struct mcp *m, const char *id, struct qmb_session *s)
{
	const char *argv[] = { "show", "--json", "-q", "--", id, NULL };
	struct qmb_json_doc doc = { 0 };
	struct run r;
	int rc = -1;

	if (mcp_run(m, "qmb-session", argv, NULL, 0, &r) == 0 && r.status == 0 &&
	    qmb_json_parse(r.out.data, r.out.len, 0, QMB_EXIT_CORRUPT, &doc,
	    NULL) == 0)
		rc = qmb_session_from_jv(doc.root, id, QMB_EXIT_CORRUPT, s, NULL);
	qmb_json_free(&doc);
	mcp_run_free(&r);
	return rc;
}

static void
summary_result(struct qmb_jw *jw, const char *text, const struct qmb_session *s,
    const char *outcome)
{
	res_begin(jw, text);
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_obj_begin(jw);
	if (outcome != NULL)
		qmb_jw_kstr(jw, "outcome", outcome);
	qmb_jw_key(jw, "session");
	qmb_jw_obj_begin(jw);
	qmb_view_summary(s, jw);
	qmb_jw_obj_end(jw);
	qmb_jw_obj_end(jw);
	res_end(jw, 0);
}

/*
 * After a change: the restore view of id's state as text (title NULL),
 * or the new session's stages under title.  Either names the id, which
 * the next calls need.
 */
static int
restored(struct mcp *m, const char *id, const char *title, const char *outcome,
    struct qmb_jw *jw)
{
	struct qmb_session s;
	struct qmb_buf t;

	if (load_state(m, id, &s) == -1)
		return res_text_error(jw, "qmb-mcp: the session changed but could "
		    "not be read back", QMB_EXIT_INTERNAL);
	qmb_buf_init(&t, 1u << 24);
	if (title == NULL) {
		qmb_view_restore(&s, NULL, &t);
		qmb_buf_addf(&t, "\nSession ID: %s\n", s.id);
	} else {
		qmb_buf_addf(&t, "\xe2\x9c\x93 %s: %s\nID: %s\n\n", title,
		    s.project, s.id);
		qmb_view_stages(&s, 1, &t);
		qmb_buf_addf(&t, "\nStarting with Stage %c...\n",
		    qmb_session_current(&s));
	}
	summary_result(jw, t.data, &s, outcome);
	qmb_buf_free(&t);
	qmb_session_free(&s);
	return 0;
}

int
tool_resume(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "resume", "--json", "--", id, NULL };
	struct run r;

	if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1)
		return 0;
	mcp_run_free(&r);
	return restored(m, id, NULL, NULL, jw);
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
		return res_text_error(jw, "qmb-mcp: the session could not be read", 5);
	}
	res_begin(jw, r.out.data);
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "session");
	qmb_jw_obj_begin(jw);
	qmb_view_summary(&s, jw);
	qmb_jw_obj_end(jw);
	qmb_jw_key(jw, "last_review");
	if (s.reviews && qmb_json_parse(s.reviews, strlen(s.reviews), 0,
	    QMB_EXIT_CORRUPT, &doc, NULL) == 0 && doc.root->len > 0)
		qmb_jw_value(jw, &doc.root->kids[doc.root->len - 1]);
	else
		qmb_jw_null(jw);
	qmb_jw_obj_end(jw);
	res_end(jw, 0);
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
	const char *argv[] = { "export", "--json", "--", id, NULL };
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
		res_begin(jw, r.out.data);
		qmb_jw_key(jw, "structuredContent");
		qmb_jw_obj_begin(jw);
		qmb_jw_kstr(jw, "session_id", id);
		qmb_jw_key(jw, "inline");
		qmb_jw_bool(jw, 1);
		qmb_jw_kint(jw, "bytes", (int64_t)r.out.len);
		qmb_jw_key(jw, "session");
		qmb_jw_value(jw, doc.root);
		qmb_jw_obj_end(jw);
		res_end(jw, 0);
	} else if (export_file(m, id, &r, path, sizeof(path)) == 0) {
		qmb_buf_addf(&t, "Session %s (%s) is %zu bytes, more than fits in a "
		    "reply; its full JSON was written to %s.\nProgress: ", id,
		    s.project, r.out.len, path);
		qmb_view_progress(&s, &t);
		qmb_buf_addc(&t, '\n');
		res_begin(jw, t.data);
		qmb_jw_key(jw, "structuredContent");
		qmb_jw_obj_begin(jw);
		qmb_jw_kstr(jw, "session_id", id);
		qmb_jw_key(jw, "inline");
		qmb_jw_bool(jw, 0);
		qmb_jw_kint(jw, "bytes", (int64_t)r.out.len);
		qmb_jw_kstr(jw, "path", path);
		qmb_jw_key(jw, "summary");
		qmb_jw_obj_begin(jw);
		qmb_view_summary(&s, jw);
		qmb_jw_obj_end(jw);
		qmb_jw_obj_end(jw);
		res_end(jw, 0);
	} else {
		res_text_error(jw, "qmb-mcp: could not write the export file under .qmb/exports", 6);
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

static int
found_prompt(struct mcp *m, const char *id, struct qmb_jw *jw)
{
	struct qmb_session s;
	struct qmb_buf t;

	if (load_state(m, id, &s) == -1)
		return res_text_error(jw, "qmb-mcp: the saved session could not be read", 5);
	qmb_buf_init(&t, 1u << 24);
	qmb_view_found(&s, qmb_now(), &t);
	qmb_buf_adds(&t, "\n[Continue] [Start over] [View saved]\n\nSaved so far:\n");
	qmb_view_stages(&s, 0, &t);
	qmb_buf_adds(&t, "\nAsk the user, then call qmb_start_session again with "
	    "mode \"resume\" (Continue) or \"new\" (Start over; the saved session "
	    "is archived, not deleted).\n");
	summary_result(jw, t.data, &s, "found");
	qmb_buf_free(&t);
	qmb_session_free(&s);
	return 0;
}

int
tool_start(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *project = arg_str(args, "project_name");
	const char *mode = arg_str(args, "mode") ? arg_str(args, "mode") : "ask";
	const char *argv[9] = { "start", "--json" };
	struct qmb_json_doc doc = { 0 };
	char id[QMB_ID_MAX + 1];
	struct run r;
	int n = 2, existed, resumed;

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
	if (qmb_json_parse(r.out.data, r.out.len, 0, QMB_EXIT_CORRUPT, &doc,
	    NULL) == -1 || qmb_json_get_str(doc.root, "session_id") == NULL) {
		qmb_json_free(&doc);
		mcp_run_free(&r);
		return res_text_error(jw, "qmb-mcp: qmb-session start said "
		    "nothing usable", QMB_EXIT_INTERNAL);
	}
	snprintf(id, sizeof(id), "%s", qmb_json_get_str(doc.root, "session_id"));
	/* start --json says "message" only when it resumed */
	resumed = qmb_json_get_str(doc.root, "message") != NULL;
	qmb_json_free(&doc);
	if (r.status == QMB_EXIT_SAVED) {
		mcp_run_free(&r);
		return found_prompt(m, id, jw);
	}
	mcp_run_free(&r);
	if (resumed)
		return restored(m, id, NULL, "resumed", jw);
	return restored(m, id, "Session created", existed ? "restarted" :
	    "created", jw);
}

/* approve, revert, set-model, complete: summary + message in, out. */
static int
change(struct mcp *m, const char *const *argv, const char *input,
    struct qmb_jw *jw)
{
	struct qmb_json_doc doc = { 0 };
	const char *msg;
	struct run r;
	size_t i;

	if (run_or_error(m, "qmb-session", argv, input, &r, jw) == 1)
		return 0;
	if (qmb_json_parse(r.out.data, r.out.len, 0, QMB_EXIT_CORRUPT, &doc,
	    NULL) == -1 || doc.root->type != QMB_JOBJ) {
		qmb_json_free(&doc);
		mcp_run_free(&r);
		return res_text_error(jw, "qmb-mcp: qmb-session said nothing usable", 9);
	}
	msg = qmb_json_get_str(doc.root, "message");
	res_begin(jw, msg ? msg : "done");
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "session");
	qmb_jw_obj_begin(jw);
	for (i = 0; i < doc.root->len; i++) {
		if (strcmp(doc.root->kids[i].key, "message") == 0)
			continue;
		qmb_jw_key(jw, doc.root->kids[i].key);
		qmb_jw_value(jw, &doc.root->kids[i]);
	}
	qmb_jw_obj_end(jw);
	qmb_jw_kstr(jw, "message", msg ? msg : "done");
	qmb_jw_obj_end(jw);
	res_end(jw, 0);
	qmb_json_free(&doc);
	mcp_run_free(&r);
	return 0;
}

int
tool_approve(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "approve", "--json", "--",
	    arg_str(args, "session_id"), arg_str(args, "stage"), "-", NULL };

	return change(m, argv, arg_str(args, "script"), jw);
}

int
tool_revert(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "revert", "--json", "--",
	    arg_str(args, "session_id"), arg_str(args, "stage"), NULL };

	return change(m, argv, NULL, jw);
}

int
tool_set_model(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "set-model", "--json", "--",
	    arg_str(args, "session_id"), arg_str(args, "model_type"), NULL };

	return change(m, argv, NULL, jw);
}

int
tool_complete(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[7] = { "complete", "--json" };
	char score[32];
	int64_t v;
	int n = 2;

	if (arg_int(args, "min_score", &v)) {
		snprintf(score, sizeof(score), "%lld", (long long)v);
		argv[n++] = "--min-score";
		argv[n++] = score;
	}
	argv[n++] = "--";
	argv[n++] = arg_str(args, "session_id");
	argv[n] = NULL;
	return change(m, argv, NULL, jw);
}

int
tool_tables(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	static const char *const order[] = { "set", "add", "remove" };
	const struct qmb_jv *t = qmb_json_get(args, "tables"), *names;
	const char *ops[3], *argv[260];
	struct run r;
	size_t i, k, n, nops = 0;

	for (k = 0; k < 3; k++)
		if (qmb_json_get(t, order[k]) != NULL)
			ops[nops++] = order[k];
	for (k = 0; k < nops; k++) {
		names = qmb_json_get(t, ops[k]);
		if (names->len > 250)
			return res_text_error(jw,
			    "qmb-mcp: at most 250 tables per call", QMB_EXIT_USAGE);
		n = 0;
		argv[n++] = "tables";
		argv[n++] = "--json";
		argv[n++] = "--";
		argv[n++] = arg_str(args, "session_id");
		argv[n++] = ops[k];
		for (i = 0; i < names->len; i++)
			argv[n++] = names->kids[i].str;
		argv[n] = NULL;
		if (k + 1 == nops)
			return change(m, argv, NULL, jw);
		if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1)
			return 0;
		mcp_run_free(&r);
	}
	return res_text_error(jw, "qmb-mcp: tables needs add, remove or set",
	    QMB_EXIT_USAGE);
}

int
tool_script(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[7] = { "script", "--json" };
	struct qmb_json_doc doc = { 0 };
	struct run r;
	int n = 2;

	if (arg_str(args, "stage")) {
		argv[n++] = "--stage";
		argv[n++] = arg_str(args, "stage");
	}
	argv[n++] = "--";
	argv[n++] = arg_str(args, "session_id");
	argv[n] = NULL;
	if (run_or_error(m, "qmb-session", argv, NULL, &r, jw) == 1)
		return 0;
	if (qmb_json_parse(r.out.data, r.out.len, 0, QMB_EXIT_CORRUPT, &doc,
	    NULL) == -1 || qmb_json_get_str(doc.root, "script") == NULL) {
		qmb_json_free(&doc);
		mcp_run_free(&r);
		return res_text_error(jw, "qmb-mcp: qmb-session script said nothing usable", 9);
	}
	res_begin(jw, qmb_json_get_str(doc.root, "script"));
	qmb_jw_key(jw, "structuredContent");
	qmb_jw_value(jw, doc.root);
	res_end(jw, 0);
	qmb_json_free(&doc);
	mcp_run_free(&r);
	return 0;
}

/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "qmb_clock.h"
#include "qmb_view.h"

int
qmb_view_percent(const struct qmb_session *s)
{
	return s->ncompleted * 100 / QMB_NSTAGES;
}

void
qmb_view_progress(const struct qmb_session *s, struct qmb_buf *b)
{
	if (s->complete)
		qmb_buf_addf(b, "Complete (6/6 done)");
	else if (s->ncompleted == QMB_NSTAGES)
		qmb_buf_addf(b, "Stage F (6/6 done, pending review)");
	else
		qmb_buf_addf(b, "Stage %c (%d/6 done)", qmb_session_current(s),
		    s->ncompleted);
}

static void
ago(const char *iso, int64_t now, struct qmb_buf *b)
{
	char rel[64];
	int64_t t;

	if (qmb_time_parse(iso, &t) == -1) {
		qmb_buf_adds(b, iso);
		return;
	}
	qmb_time_ago(t, now, rel, sizeof(rel));
	qmb_buf_adds(b, rel);
}

int64_t
qmb_view_idle_days(const struct qmb_session *s, int64_t now)
{
	int64_t t;

	if (qmb_time_parse(s->updated_at, &t) == -1)
		return -1;
	return (now - t) / 86400000;
}

void
qmb_view_list_summary(int n, const struct qmb_jv *sm, int64_t now,
    struct qmb_buf *b)
{
	const struct qmb_jv *done = qmb_json_get(sm, "completed_stages");
	const char *st = qmb_json_get_str(sm, "status");
	const char *cur = qmb_json_get_str(sm, "current_stage");
	const char *up = qmb_json_get_str(sm, "updated_at");
	size_t k = done != NULL ? done->len : 0;
	int64_t fmt;

	const char *pj = qmb_json_get_str(sm, "project_name");
	const char *id = qmb_json_get_str(sm, "session_id");

	qmb_buf_addf(b, "%d. %s\n", n, pj ? pj : "?");
	qmb_buf_addf(b, "   ID: %s\n", id ? id : "?");
	qmb_buf_adds(b, "   Progress: ");
	if (st != NULL && strcmp(st, "complete") == 0)
		qmb_buf_adds(b, "Complete (6/6 done)");
	else if (k == QMB_NSTAGES)
		qmb_buf_adds(b, "Stage F (6/6 done, pending review)");
	else
		qmb_buf_addf(b, "Stage %s (%zu/6 done)", cur ? cur : "?", k);
	qmb_buf_addf(b, " - %zu%%\n   Last saved: ", k * 100 / QMB_NSTAGES);
	ago(up ? up : "", now, b);
	qmb_buf_addc(b, '\n');
	if (qmb_json_get_int(sm, "format", &fmt) == 0 &&
	    fmt < QMB_SESSION_VERSION)
		qmb_buf_addf(b, "   %s\n", QMB_VIEW_LEGACY);
}

void
qmb_view_found(const struct qmb_session *s, int64_t now, struct qmb_buf *b)
{
	qmb_buf_addf(b, "Found saved session:\n  Project: %s\n  ID: %s\n",
	    s->project, s->id);
	qmb_buf_adds(b, "  Progress: ");
	qmb_view_progress(s, b);
	qmb_buf_adds(b, "\n  Last saved: ");
	ago(s->updated_at, now, b);
	qmb_buf_addc(b, '\n');
}

void
qmb_view_stages(const struct qmb_session *s, int collapse, struct qmb_buf *b)
{
	int i, cur = s->ncompleted, tables;

	for (i = 0; i < s->ncompleted; i++) {
		qmb_buf_addf(b, "\xe2\x9c\x85 Stage %c: %s", 'A' + i,
		    qmb_stage_name(i));
		tables = qmb_script_tables(s->parts[i]);
		if (i > 0 && tables > 0)
			qmb_buf_addf(b, " - %d table%s", tables,
			    tables == 1 ? "" : "s");
		qmb_buf_adds(b, " (approved)\n");
	}
	if (cur >= QMB_NSTAGES)
		return;
	qmb_buf_addf(b, "\xe2\x97\x8b Stage %c: %s - ready to build\n", 'A' + cur,
	    qmb_stage_name(cur));
	if (cur + 1 >= QMB_NSTAGES)
		return;
	if (collapse && cur + 2 < QMB_NSTAGES) {
		qmb_buf_addf(b, "\xe2\x97\x8b Stage %c-F: Pending\n", 'A' + cur + 1);
		return;
	}
	for (i = cur + 1; i < QMB_NSTAGES; i++)
		qmb_buf_addf(b, "\xe2\x97\x8b Stage %c: %s - pending\n", 'A' + i,
		    qmb_stage_name(i));
}

void
qmb_view_restore(const struct qmb_session *s, const char *title,
    struct qmb_buf *b)
{
	qmb_buf_addf(b, "\xe2\x9c\x93 %s: %s\n\nProgress recovered:\n",
	    title ? title : "Session restored", s->project);
	qmb_view_stages(s, 1, b);
	qmb_buf_addc(b, '\n');
	if (s->complete)
		qmb_buf_addf(b, "Session complete (%s).\n", s->completed_at);
	else if (s->ncompleted == QMB_NSTAGES)
		qmb_buf_adds(b, "All stages approved: review and complete the session...\n");
	else
		qmb_buf_addf(b, "Continuing from Stage %c...\n",
		    qmb_session_current(s));
}

void
qmb_view_summary(const struct qmb_session *s, struct qmb_jw *jw)
{
	char cur[2] = { qmb_session_current(s), '\0' }, st[2] = { 0, 0 };
	size_t i;
	int k;

	qmb_jw_kstr(jw, "session_id", s->id);
	qmb_jw_kstr(jw, "project_name", s->project);
	qmb_jw_kstr(jw, "status", s->complete ? "complete" : "active");
	qmb_jw_kstr(jw, "current_stage", cur);
	qmb_jw_key(jw, "completed_stages");
	qmb_jw_arr_begin(jw);
	for (k = 0; k < s->ncompleted; k++) {
		st[0] = (char)('A' + k);
		qmb_jw_str(jw, st);
	}
	qmb_jw_arr_end(jw);
	qmb_jw_kint(jw, "progress", qmb_view_percent(s));
	qmb_jw_key(jw, "model_type");
	qmb_jw_str(jw, s->model_type);
	qmb_jw_key(jw, "pending_tables");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < s->ntables; i++)
		qmb_jw_str(jw, s->tables[i]);
	qmb_jw_arr_end(jw);
	qmb_jw_kstr(jw, "created_at", s->created_at);
	qmb_jw_kstr(jw, "updated_at", s->updated_at);
	if (s->complete)
		qmb_jw_kstr(jw, "completed_at", s->completed_at);
	qmb_jw_kint(jw, "revision", s->revision);
	qmb_jw_kstr(jw, "user_id", s->user_id);
	if (s->version < QMB_SESSION_VERSION)
		qmb_jw_kint(jw, "format", s->version);
}

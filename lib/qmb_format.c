/* SPDX-License-Identifier: MIT */
/*
 * Session formats and the upgrade chain.  Step N reshapes an object of
 * format N into one of format N + 1; steps[] is indexed by N.
 */
#include <stdio.h>
#include <string.h>

#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_format.h"
#include "qmb_io.h"
#include "qmb_session.h"

#define NEWER_PREFIX	"written by a newer qmb (format "

typedef int (*step_fn)(const struct qmb_jv *, struct qmb_jw *, int,
    struct qmb_err *);

int
qmb_format_of(const struct qmb_jv *o, int64_t *fmt, int code,
    struct qmb_err *err)
{
	const struct qmb_jv *v;

	*fmt = QMB_FORMAT_LEGACY;
	if (o->type != QMB_JOBJ)
		return qmb_errf(err, code, "not a JSON object");
	if ((v = qmb_json_get(o, "version")) == NULL)
		return 0;
	if (v->type != QMB_JNUM || !v->isint || v->i64 < 0)
		return qmb_errf(err, code,
		    "field 'version' must be a non-negative integer");
	*fmt = v->i64;
	return 0;
}

int
qmb_format_newer(struct qmb_err *err, int code, int64_t fmt)
{
	return qmb_errf(err, code,
	    NEWER_PREFIX "%lld); this one reads up to %d: upgrade qmb",
	    (long long)fmt, QMB_FORMAT_CURRENT);
}

int
qmb_format_is_newer(const struct qmb_err *err)
{
	return err != NULL && qmb_format_msg_is_newer(err->msg);
}

int
qmb_format_msg_is_newer(const char *msg)
{
	return msg != NULL && strstr(msg, NEWER_PREFIX) != NULL;
}

/* ---- step 0 -> 1: the TypeScript tool's session ------------------- */

/*
 * Format 0 has no version, status, revision or audit fields; user_id is
 * absent when unknown; current_stage is where the user was, which after
 * a revert is a completed stage.  Format 1 keeps every other member as
 * it is and derives current_stage from completed_stages.
 */
static const char *const written0[] = {
	"version", "session_id", "project_name", "created_at", "updated_at",
	"status", "revision", "audit_seq", "audit_hash", "current_stage",
	"completed_stages", "model_type", "approved_script_parts",
	"pending_tables", "gemini_reviews", "user_id",
};

static void
copy(struct qmb_jw *jw, const struct qmb_jv *o, const char *k)
{
	const struct qmb_jv *v = qmb_json_get(o, k);

	if (v == NULL)
		return;
	qmb_jw_key(jw, k);
	qmb_jw_value(jw, v);
}

static void
copy_or_empty(struct qmb_jw *jw, const struct qmb_jv *o, const char *k)
{
	if (qmb_json_get(o, k) != NULL) {
		copy(jw, o, k);
		return;
	}
	qmb_jw_key(jw, k);
	qmb_jw_arr_begin(jw);
	qmb_jw_arr_end(jw);
}

static void
current0(struct qmb_jw *jw, const struct qmb_jv *o)
{
	const struct qmb_jv *done = qmb_json_get(o, "completed_stages");
	char cur[2] = { 0, 0 };

	if (done == NULL || done->type != QMB_JARR) {
		copy(jw, o, "current_stage");
		return;
	}
	cur[0] = (char)('A' + (done->len < QMB_NSTAGES ? done->len :
	    QMB_NSTAGES - 1));
	qmb_jw_kstr(jw, "current_stage", cur);
}

static int
written(const char *k, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(k, v[i]) == 0)
			return 1;
	return 0;
}

static int
step0(const struct qmb_jv *o, struct qmb_jw *jw, int code,
    struct qmb_err *err)
{
	const struct qmb_jv *v;
	size_t i;

	static const char *const later[] = {
		"status", "completed_at", "revision", "audit_seq", "audit_hash",
	};
	size_t k;

	/* members format 0 never had: a later file that lost its version */
	for (k = 0; k < sizeof(later) / sizeof(later[0]); k++)
		if (qmb_json_get(o, later[k]) != NULL)
			return qmb_errf(err, code,
			    "missing field 'version' (field '%s' is not of format 0)",
			    later[k]);
	v = qmb_json_get(o, "current_stage");
	if (v != NULL && (v->type != QMB_JSTR || qmb_stage_index(v->str) < 0))
		return qmb_errf(err, code, "current_stage is not a stage");
	qmb_jw_kint(jw, "version", 1);
	copy(jw, o, "session_id");
	copy(jw, o, "project_name");
	copy(jw, o, "created_at");
	copy(jw, o, "updated_at");
	qmb_jw_kstr(jw, "status", "active");
	qmb_jw_kint(jw, "revision", 0);
	qmb_jw_kint(jw, "audit_seq", 0);
	qmb_jw_kstr(jw, "audit_hash", QMB_AUDIT_ZERO);
	current0(jw, o);
	copy(jw, o, "completed_stages");
	qmb_jw_key(jw, "model_type");
	if ((v = qmb_json_get(o, "model_type")) != NULL)
		qmb_jw_value(jw, v);
	else
		qmb_jw_null(jw);
	copy(jw, o, "approved_script_parts");
	copy_or_empty(jw, o, "pending_tables");
	copy_or_empty(jw, o, "gemini_reviews");
	v = qmb_json_get(o, "user_id");
	if (v != NULL && v->type != QMB_JNULL)
		copy(jw, o, "user_id");
	else
		qmb_jw_kstr(jw, "user_id", QMB_FORMAT_NO_USER);
	/* anything else stays, for the reader to name it */
	for (i = 0; i < o->len; i++)
		if (!written(o->kids[i].key, written0,
		    sizeof(written0) / sizeof(written0[0]))) {
			qmb_jw_key(jw, o->kids[i].key);
			qmb_jw_value(jw, &o->kids[i]);
		}
	return 0;
}

static const step_fn steps[QMB_FORMAT_CURRENT] = {
	step0,		/* 0 -> 1 */
};

int
qmb_format_step(const struct qmb_jv *o, int64_t from, struct qmb_buf *out,
    int code, struct qmb_err *err)
{
	struct qmb_jw jw;

	if (from < 0 || from >= QMB_FORMAT_CURRENT)
		return qmb_errf(err, QMB_EXIT_INTERNAL,
		    "internal: no upgrade step from format %lld",
		    (long long)from);
	if (o->type != QMB_JOBJ)
		return qmb_errf(err, code, "not a JSON object");
	qmb_buf_reset(out);
	qmb_jw_init(&jw, out, 0);
	qmb_jw_obj_begin(&jw);
	if (steps[from](o, &jw, code, err) == -1)
		return -1;
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == -1)
		return qmb_errf(err, QMB_EXIT_IO,
		    "session too large to upgrade (limit %zu bytes)", out->max);
	return 0;
}

int
qmb_format_upgrade(const struct qmb_jv *o, int64_t from, struct qmb_buf *out,
    int code, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf next;
	int rc = 0;

	if (from > QMB_FORMAT_CURRENT)
		return qmb_format_newer(err, code, from);
	qmb_buf_reset(out);
	if (from == QMB_FORMAT_CURRENT) {
		struct qmb_jw jw;

		qmb_jw_init(&jw, out, 0);
		qmb_jw_value(&jw, o);
		return qmb_jw_finish(&jw) == -1 ? qmb_errf(err, QMB_EXIT_IO,
		    "session too large (limit %zu bytes)", out->max) : 0;
	}
	if (qmb_format_step(o, from, out, code, err) == -1)
		return -1;
	qmb_buf_init(&next, out->max);
	for (from++; rc == 0 && from < QMB_FORMAT_CURRENT; from++) {
		rc = qmb_json_parse(out->data, out->len, out->max,
		    QMB_EXIT_INTERNAL, &doc, err);
		if (rc == 0)
			rc = qmb_format_step(doc.root, from, &next, code, err);
		qmb_json_free(&doc);
		if (rc == 0) {
			qmb_buf_reset(out);
			rc = qmb_buf_add(out, next.data, next.len);
		}
	}
	qmb_buf_free(&next);
	return rc;
}

/* ---- salvage -------------------------------------------------------- */

static void
dropped(struct qmb_buf *d, const char *fmt, const char *what)
{
	if (d == NULL)
		return;
	qmb_buf_addf(d, fmt, what);
	qmb_buf_addc(d, '\n');
}

static int
good_time(const struct qmb_jv *v)
{
	int64_t ms;

	return v != NULL && v->type == QMB_JSTR && v->len < 32 &&
	    qmb_time_parse(v->str, &ms) == 0;
}

/* The number of stages kept: parts in order, as far as both agree. */
static int
salvage_stages(const struct qmb_jv *o, struct qmb_jw *jw, struct qmb_buf *d)
{
	const struct qmb_jv *done = qmb_json_get(o, "completed_stages");
	const struct qmb_jv *parts = qmb_json_get(o, "approved_script_parts");
	const struct qmb_jv *pt;
	char st[2] = { 0, 0 };
	int n = QMB_NSTAGES, k, i;

	if (done != NULL && done->type == QMB_JARR) {
		for (n = 0; n < (int)done->len && n < QMB_NSTAGES; n++)
			if (done->kids[n].type != QMB_JSTR ||
			    strcmp(done->kids[n].str, (char[2]){ (char)('A' + n),
			    0 }) != 0)
				break;
		if (n < (int)done->len)
			dropped(d, "completed_stages: %s", "not in order from A; kept the stages in order");
	} else if (done != NULL)
		dropped(d, "completed_stages: %s", "not a list; kept the stages that have parts");
	if (parts == NULL || parts->type != QMB_JOBJ) {
		if (parts != NULL || n > 0)
			dropped(d, "approved_script_parts: %s", "unreadable");
		n = 0;
	}
	for (k = 0; k < n; k++) {
		st[0] = (char)('A' + k);
		pt = qmb_json_get(parts, st);
		if (pt == NULL || pt->type != QMB_JSTR)
			break;
	}
	for (i = k; parts != NULL && parts->type == QMB_JOBJ && i < QMB_NSTAGES;
	    i++) {
		st[0] = (char)('A' + i);
		if (qmb_json_get(parts, st) != NULL)
			dropped(d, "the part of stage %s: not among the stages approved in order", st);
	}
	qmb_jw_key(jw, "completed_stages");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < k; i++) {
		st[0] = (char)('A' + i);
		qmb_jw_str(jw, st);
	}
	qmb_jw_arr_end(jw);
	qmb_jw_key(jw, "approved_script_parts");
	qmb_jw_obj_begin(jw);
	for (i = 0; i < k; i++) {
		st[0] = (char)('A' + i);
		qmb_jw_kstr(jw, st, qmb_json_get_str(parts, st));
	}
	qmb_jw_obj_end(jw);
	st[0] = (char)('A' + (k < QMB_NSTAGES ? k : QMB_NSTAGES - 1));
	qmb_jw_kstr(jw, "current_stage", st);
	return k;
}

static int
salvage_list(const struct qmb_jv *o, const char *k, struct qmb_jw *jw,
    struct qmb_buf *d)
{
	const struct qmb_jv *a = qmb_json_get(o, k);
	char what[64];
	size_t i;
	int n = 0, tables = strcmp(k, "pending_tables") == 0;

	qmb_jw_key(jw, k);
	qmb_jw_arr_begin(jw);
	for (i = 0; a != NULL && a->type == QMB_JARR && i < a->len; i++) {
		const struct qmb_jv *v = &a->kids[i];

		if (tables ? (v->type == QMB_JSTR &&
		    qmb_name_check("table", v->str, NULL) == 0) :
		    v->type == QMB_JOBJ) {
			qmb_jw_value(jw, v);
			n++;
		} else {
			snprintf(what, sizeof(what), "%s[%zu]", k, i);
			dropped(d, "%s: not valid", what);
		}
	}
	if (a != NULL && a->type != QMB_JARR)
		dropped(d, "%s: not a list", k);
	qmb_jw_arr_end(jw);
	return n;
}

static void
salvage_str(const struct qmb_jv *o, const char *k, int ok, const char *alt,
    struct qmb_jw *jw, struct qmb_buf *d)
{
	const struct qmb_jv *v = qmb_json_get(o, k);

	if (ok) {
		qmb_jw_kstr(jw, k, v->str);
		return;
	}
	if (v != NULL)
		dropped(d, "%s: not valid", k);
	qmb_jw_kstr(jw, k, alt);
}

int
qmb_format_salvage(const struct qmb_jv *o, const char *id,
    const char *project, struct qmb_session *s, struct qmb_buf *d,
    struct qmb_err *err)
{
	const struct qmb_jv *v;
	struct qmb_buf b;
	struct qmb_jw jw;
	char now[QMB_TIME_LEN + 1];
	int kept = 0, k, rc;

	qmb_session_init(s);
	if (o->type != QMB_JOBJ)
		return qmb_errf(err, QMB_EXIT_CORRUPT, "not a JSON object");
	qmb_time_fmt(qmb_now(), now);
	qmb_buf_init(&b, qmb_io_max_file() + 4096);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "version", QMB_FORMAT_CURRENT);
	qmb_jw_kstr(&jw, "session_id", id);
	v = qmb_json_get(o, "project_name");
	k = v != NULL && v->type == QMB_JSTR &&
	    qmb_name_check("project", v->str, NULL) == 0;
	kept += k;
	salvage_str(o, "project_name", k, project && project[0] ? project :
	    "recovered", &jw, d);
	salvage_str(o, "created_at", good_time(qmb_json_get(o, "created_at")),
	    now, &jw, d);
	salvage_str(o, "updated_at", good_time(qmb_json_get(o, "updated_at")),
	    now, &jw, d);
	qmb_jw_kstr(&jw, "status", "active");
	qmb_jw_kint(&jw, "revision", 0);
	qmb_jw_kint(&jw, "audit_seq", 0);
	qmb_jw_kstr(&jw, "audit_hash", QMB_AUDIT_ZERO);
	kept += salvage_stages(o, &jw, d);
	v = qmb_json_get(o, "model_type");
	qmb_jw_key(&jw, "model_type");
	if (v != NULL && v->type == QMB_JSTR &&
	    qmb_model_type_check(v->str, NULL) == 0) {
		qmb_jw_str(&jw, v->str);
		kept++;
	} else {
		if (v != NULL && v->type != QMB_JNULL)
			dropped(d, "model_type: %s", "not a known type");
		qmb_jw_null(&jw);
	}
	kept += salvage_list(o, "pending_tables", &jw, d);
	kept += salvage_list(o, "gemini_reviews", &jw, d);
	v = qmb_json_get(o, "user_id");
	salvage_str(o, "user_id", v != NULL && v->type == QMB_JSTR,
	    QMB_FORMAT_NO_USER, &jw, d);
	v = qmb_json_get(o, "status");
	if (v != NULL && v->type == QMB_JSTR && strcmp(v->str, "complete") == 0)
		dropped(d, "status: %s", "complete (set active: complete it again)");
	qmb_jw_obj_end(&jw);
	rc = qmb_jw_finish(&jw) == -1 ? qmb_errf(err, QMB_EXIT_IO,
	    "session '%s' is too large to salvage", id) :
	    qmb_session_parse(b.data, b.len, id, QMB_EXIT_INTERNAL, s, err);
	qmb_buf_free(&b);
	if (rc == -1)
		return -1;
	return kept;
}

int
qmb_format_salvage_file(int dfd, const char *id, const char *suffix,
    const char *project, struct qmb_session *s, struct qmb_buf *d,
    struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf b;
	char name[256];
	int64_t fmt;
	int n = 0;

	qmb_session_init(s);
	if (qmb_path_fmt(name, sizeof(name), err, "%s.json%s", id, suffix) == -1)
		return -1;
	qmb_buf_init(&b, qmb_io_max_file());
	if (qmb_io_read_file(dfd, name, b.max, QMB_EXIT_CORRUPT, &b, &e) == -1) {
		qmb_buf_free(&b);
		if (e.code == QMB_EXIT_NOTFOUND || e.code == QMB_EXIT_CORRUPT)
			return 0;
		*err = e;
		return -1;
	}
	if (qmb_json_parse(b.data, b.len, b.max, QMB_EXIT_CORRUPT, &doc,
	    NULL) == 0 && qmb_format_of(doc.root, &fmt, QMB_EXIT_CORRUPT,
	    NULL) == 0 && fmt <= QMB_FORMAT_CURRENT) {
		n = qmb_format_salvage(doc.root, id, project, s, d, &e);
		if (n <= 0) {
			qmb_session_free(s);
			n = 0;
		}
	}
	qmb_json_free(&doc);
	qmb_buf_free(&b);
	return n;
}

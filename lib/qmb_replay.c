/* SPDX-License-Identifier: MIT */
/*
 * Applying audit entries to a session: the one way a state changes.
 * qmb_txn applies the entry it has just appended; replay applies a
 * trail's entries in order.  Both therefore build identical states.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_session.h"
#include "qmb_sha256.h"

static int
bad(struct qmb_err *err, const char *type, const char *what)
{
	return qmb_errf(err, QMB_EXIT_CORRUPT, "audit entry %s: %s", type, what);
}

static int
apply_created(struct qmb_session *s, const struct qmb_jv *e,
    const struct qmb_jv *d, struct qmb_err *err)
{
	const char *proj = qmb_json_get_str(d, "project_name");
	const char *id = qmb_json_get_str(e, "session_id");
	const char *user = qmb_json_get_str(e, "user_id");
	const struct qmb_jv *mt = qmb_json_get(d, "model_type");

	if (s->id[0] != '\0')
		return bad(err, "session_created", "the session already exists");
	if (proj == NULL || id == NULL || user == NULL ||
	    qmb_id_check(id, NULL) == -1 ||
	    qmb_name_check("project", proj, NULL) == -1)
		return bad(err, "session_created", "bad details");
	snprintf(s->id, sizeof(s->id), "%s", id);
	snprintf(s->created_at, sizeof(s->created_at), "%s",
	    qmb_json_get_str(e, "timestamp"));
	if ((s->project = strdup(proj)) == NULL ||
	    (s->user_id = strdup(user)) == NULL ||
	    (s->reviews = strdup("[]")) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	if (mt != NULL && mt->type == QMB_JSTR) {
		if (qmb_model_type_check(mt->str, NULL) == -1)
			return bad(err, "session_created", "bad model_type");
		if ((s->model_type = strdup(mt->str)) == NULL)
			return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	}
	return 0;
}

/*
 * session_imported and legacy_imported carry a whole state (a legacy one
 * is upgraded as it is read); it becomes the current format.
 */
static int
apply_imported(struct qmb_session *s, const char *type,
    const struct qmb_jv *d, struct qmb_err *err)
{
	const struct qmb_jv *st = qmb_json_get(d, "session");
	struct qmb_session n;
	char id[sizeof(s->id)];

	if (st == NULL || st->type != QMB_JOBJ)
		return bad(err, type, "no session");
	memcpy(id, s->id, sizeof(id));
	if (qmb_session_from_jv(st, id[0] ? id : NULL, QMB_EXIT_CORRUPT, &n,
	    err) == -1)
		return -1;
	n.version = QMB_SESSION_VERSION;
	qmb_session_free(s);
	*s = n;
	return 0;
}

/* An entry of a legacy audit array, re-appended by a migration. */
static int
is_legacy(const struct qmb_jv *d)
{
	const struct qmb_jv *v = qmb_json_get(d, "legacy");

	return v != NULL && v->type == QMB_JTRUE;
}

static int
apply_approved(struct qmb_session *s, const struct qmb_jv *d,
    struct qmb_err *err)
{
	const char *st = qmb_json_get_str(d, "stage");
	const char *c = qmb_json_get_str(d, "content");
	const char *h = qmb_json_get_str(d, "script_sha256");
	char calc[QMB_SHA256_HEX + 1];
	int idx = qmb_stage_index(st);
	char *dupc;

	if (idx < 0 || c == NULL || h == NULL)
		return bad(err, "stage_approved", "bad details");
	qmb_sha256(c, strlen(c), calc);
	if (strcmp(calc, h) != 0)
		return bad(err, "stage_approved",
		    "content does not match script_sha256");
	if (idx != s->ncompleted && idx != s->ncompleted - 1)
		return bad(err, "stage_approved", "stage out of order");
	if (s->complete)
		return bad(err, "stage_approved", "session is complete");
	if ((dupc = strdup(c)) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	free(s->parts[idx]);
	s->parts[idx] = dupc;
	if (idx == s->ncompleted)
		s->ncompleted++;
	return 0;
}

static int
apply_reverted(struct qmb_session *s, const struct qmb_jv *d,
    struct qmb_err *err)
{
	int idx = qmb_stage_index(qmb_json_get_str(d, "stage")), i;

	if (idx < 0 || idx >= s->ncompleted)
		return bad(err, "stage_reverted", "stage not completed");
	for (i = idx; i < QMB_NSTAGES; i++) {
		free(s->parts[i]);
		s->parts[i] = NULL;
	}
	s->ncompleted = idx;
	s->complete = 0;
	s->completed_at[0] = '\0';
	return 0;
}

static int
apply_review(struct qmb_session *s, const char *type, const struct qmb_jv *d,
    struct qmb_err *err)
{
	const struct qmb_jv *r = qmb_json_get(d, "review");
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf b;
	struct qmb_jw jw;
	size_t i;

	if (r == NULL || r->type != QMB_JOBJ)
		return bad(err, type, "no review");
	if (qmb_json_parse(s->reviews ? s->reviews : "[]", s->reviews ?
	    strlen(s->reviews) : 2, 0, QMB_EXIT_CORRUPT, &doc, err) == -1)
		return -1;
	qmb_buf_init(&b, qmb_io_max_file());
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_arr_begin(&jw);
	for (i = 0; i < doc.root->len; i++)
		qmb_jw_value(&jw, &doc.root->kids[i]);
	qmb_jw_value(&jw, r);
	qmb_jw_arr_end(&jw);
	qmb_json_free(&doc);
	if (qmb_jw_finish(&jw) == -1) {
		qmb_buf_free(&b);
		return qmb_errf(err, QMB_EXIT_IO, "reviews too large");
	}
	free(s->reviews);
	s->reviews = qmb_buf_steal(&b, NULL);
	return 0;
}

static int
apply_model(struct qmb_session *s, const struct qmb_jv *d, struct qmb_err *err)
{
	const struct qmb_jv *mt = qmb_json_get(d, "model_type");
	char *n = NULL;

	if (mt == NULL || (mt->type != QMB_JNULL && (mt->type != QMB_JSTR ||
	    qmb_model_type_check(mt->str, NULL) == -1)))
		return bad(err, "model_type_selected", "bad model_type");
	if (mt->type == QMB_JSTR && (n = strdup(mt->str)) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	free(s->model_type);
	s->model_type = n;
	return 0;
}

static int
apply_tables(struct qmb_session *s, const struct qmb_jv *d, struct qmb_err *err)
{
	const struct qmb_jv *t = qmb_json_get(d, "pending_tables");
	struct qmb_json_doc doc = { 0 };
	struct qmb_session tmp;
	size_t i;

	(void)doc;
	if (t == NULL || t->type != QMB_JARR)
		return bad(err, "tables_changed", "no pending_tables");
	qmb_session_init(&tmp);
	for (i = 0; i < t->len; i++)
		if (t->kids[i].type != QMB_JSTR)
			return bad(err, "tables_changed", "bad table name");
	tmp.ntables = 0;
	if ((tmp.tables = calloc(t->len + 1, sizeof(char *))) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	for (i = 0; i < t->len; i++) {
		if ((tmp.tables[i] = strdup(t->kids[i].str)) == NULL) {
			qmb_session_free(&tmp);
			return qmb_errf(err, QMB_EXIT_IO, "out of memory");
		}
		tmp.ntables = i + 1;
	}
	for (i = 0; i < s->ntables; i++)
		free(s->tables[i]);
	free(s->tables);
	s->tables = tmp.tables;
	s->ntables = tmp.ntables;
	return 0;
}

static int
apply_type(struct qmb_session *s, const char *type, const struct qmb_jv *e,
    const struct qmb_jv *d, struct qmb_err *err)
{
	if (is_legacy(d)) {
		/* history only: the legacy_imported before it has the state */
		if (s->id[0] == '\0')
			return bad(err, type,
			    "a legacy entry before legacy_imported");
		return 0;
	}
	if (strcmp(type, "session_created") == 0)
		return apply_created(s, e, d, err);
	if (strcmp(type, "session_imported") == 0 ||
	    strcmp(type, "legacy_imported") == 0)
		return apply_imported(s, type, d, err);
	if (s->id[0] == '\0')
		return bad(err, type,
		    "the trail does not begin with session_created, session_imported or legacy_imported");
	if (strcmp(type, "stage_approved") == 0)
		return apply_approved(s, d, err);
	if (strcmp(type, "stage_reverted") == 0)
		return apply_reverted(s, d, err);
	if (strcmp(type, "model_type_selected") == 0)
		return apply_model(s, d, err);
	if (strcmp(type, "tables_changed") == 0)
		return apply_tables(s, d, err);
	if (strcmp(type, "review_recorded") == 0 ||
	    strcmp(type, "review_bypassed") == 0)
		return apply_review(s, type, d, err);
	if (strcmp(type, "script_approved") == 0) {
		if (s->ncompleted != QMB_NSTAGES)
			return bad(err, type, "not all stages are approved");
		s->complete = 1;
		snprintf(s->completed_at, sizeof(s->completed_at), "%s",
		    qmb_json_get_str(e, "timestamp"));
		return 0;
	}
	/* session_resumed, session_archived, session_recovered, user types */
	return 0;
}

int
qmb_session_apply(struct qmb_session *s, const struct qmb_jv *e,
    struct qmb_err *err)
{
	const char *type = qmb_json_get_str(e, "type");
	const char *ts = qmb_json_get_str(e, "timestamp");
	const char *hash = qmb_json_get_str(e, "hash");
	const struct qmb_jv *d = qmb_json_get(e, "details");
	int64_t seq, rev, t, u;
	int imported;

	if (type == NULL || ts == NULL || hash == NULL || d == NULL ||
	    d->type != QMB_JOBJ || qmb_json_get_int(e, "seq", &seq) == -1 ||
	    strlen(ts) >= sizeof(s->updated_at) || strlen(hash) != 64)
		return qmb_errf(err, QMB_EXIT_CORRUPT, "malformed audit entry");
	rev = s->revision;
	if (apply_type(s, type, e, d, err) == -1)
		return -1;
	imported = strcmp(type, "session_imported") == 0 ||
	    strcmp(type, "legacy_imported") == 0;
	/* an imported state keeps its revision unless that would go back */
	if (!imported || s->revision < rev)
		s->revision = rev;
	s->revision++;
	s->audit_seq = seq;
	memcpy(s->audit_hash, hash, 65);
	/*
	 * A migration's entries bear the legacy times; the state keeps the
	 * last save of the legacy session unless they are later.
	 */
	if ((strcmp(type, "legacy_imported") != 0 && !is_legacy(d)) ||
	    qmb_time_parse(ts, &t) == -1 ||
	    qmb_time_parse(s->updated_at, &u) == -1 || t > u)
		snprintf(s->updated_at, sizeof(s->updated_at), "%s", ts);
	return 0;
}

int
qmb_session_replay(struct qmb_session *s, const char *trail, size_t len,
    int64_t upto, struct qmb_err *err)
{
	char prev[QMB_SHA256_HEX + 1], hash[QMB_SHA256_HEX + 1];
	const char *p = trail, *end = trail + len, *nl;
	int64_t seq = 0;
	int applied = 0;

	memcpy(prev, QMB_AUDIT_ZERO, sizeof(prev));
	for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL;
	    p = nl + 1) {
		struct qmb_json_doc doc = { 0 };

		if (upto > 0 && seq >= upto)
			break;
		if (qmb_audit_check_line(p, (size_t)(nl - p), seq + 1, prev,
		    &doc, hash, err) == -1) {
			qmb_json_free(&doc);
			qmb_err_prefix(err, "audit entry %lld", (long long)seq + 1);
			return -1;
		}
		seq++;
		memcpy(prev, hash, sizeof(prev));
		if (seq == s->audit_seq && strcmp(hash, s->audit_hash) != 0) {
			qmb_json_free(&doc);
			return qmb_errf(err, QMB_EXIT_CORRUPT,
			    "audit entry %lld does not match the session's audit_hash",
			    (long long)seq);
		}
		if (seq > s->audit_seq) {
			if (qmb_session_apply(s, doc.root, err) == -1) {
				qmb_json_free(&doc);
				qmb_err_prefix(err, "replay of entry %lld",
				    (long long)seq);
				return -1;
			}
			applied++;
		}
		qmb_json_free(&doc);
	}
	if (seq < s->audit_seq)
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "audit trail ends at entry %lld but the session includes %lld (trail cut short)",
		    (long long)seq, (long long)s->audit_seq);
	return applied;
}

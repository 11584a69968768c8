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
#include "qmb_trailrd.h"

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
has(char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

static void
free_tables(struct qmb_session *s)
{
	size_t i;

	for (i = 0; i < s->ntables; i++)
		free(s->tables[i]);
	free(s->tables);
	s->tables = NULL;
	s->ntables = 0;
}

/* Append name unless present; *cap is the room of s->tables. */
static int
add_table(struct qmb_session *s, size_t *cap, const char *name)
{
	char **v;

	if (has(s->tables, s->ntables, name))
		return 0;
	if (s->ntables >= *cap) {
		size_t ncap = *cap < 16 ? 16 : *cap * 2;

		if ((v = realloc(s->tables, ncap * sizeof(*v))) == NULL)
			return -1;
		s->tables = v;
		*cap = ncap;
	}
	if ((s->tables[s->ntables] = strdup(name)) == NULL)
		return -1;
	s->ntables++;
	return 0;
}

int
qmb_session_tables_op(struct qmb_session *s, const char *op,
    const char *const *names, size_t n, struct qmb_err *err)
{
	size_t i, j, cap = s->ntables;	/* the room known to be there */

	if (strcmp(op, "set") == 0) {
		free_tables(s);
		cap = 0;
	}
	if (strcmp(op, "remove") == 0) {
		for (i = j = 0; i < s->ntables; i++) {
			if (has((char *const *)names, n, s->tables[i]))
				free(s->tables[i]);
			else
				s->tables[j++] = s->tables[i];
		}
		s->ntables = j;
		return 0;
	}
	if (strcmp(op, "add") != 0 && strcmp(op, "set") != 0)
		return bad(err, "tables_changed", "unknown op");
	for (i = 0; i < n; i++)
		if (add_table(s, &cap, names[i]) == -1)
			return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	return 0;
}

/* The names of a JSON array of table names, borrowed from it. */
static int
names_of(const struct qmb_jv *a, const char ***out, struct qmb_err *err)
{
	size_t i;

	*out = NULL;
	if (a == NULL || a->type != QMB_JARR)
		return bad(err, "tables_changed", "no tables");
	if ((*out = calloc(a->len + 1, sizeof(char *))) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	for (i = 0; i < a->len; i++) {
		if (a->kids[i].type != QMB_JSTR ||
		    qmb_name_check("table name", a->kids[i].str, NULL) == -1) {
			free(*out);
			*out = NULL;
			return bad(err, "tables_changed", "bad table name");
		}
		(*out)[i] = a->kids[i].str;
	}
	return 0;
}

/*
 * Today's entries carry the operation and its names (the delta: op,
 * tables, and for readers added/removed); the entries of older trails
 * carry the whole list as pending_tables, which then wins.
 */
static int
apply_tables(struct qmb_session *s, const struct qmb_jv *d, struct qmb_err *err)
{
	const struct qmb_jv *whole = qmb_json_get(d, "pending_tables");
	const char *op = qmb_json_get_str(d, "op");
	const char **names;
	int rc;

	if (whole != NULL) {
		if (names_of(whole, &names, err) == -1)
			return -1;
		rc = qmb_session_tables_op(s, "set", names, whole->len, err);
	} else {
		const struct qmb_jv *t = qmb_json_get(d, "tables");

		if (op == NULL)
			return bad(err, "tables_changed", "no op");
		if (names_of(t, &names, err) == -1)
			return -1;
		rc = qmb_session_tables_op(s, op, names, t->len, err);
	}
	free(names);
	return rc;
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
	/* a repaired trail's record of itself: history, never applied */
	if (strcmp(type, "trail_repaired") == 0 ||
	    strcmp(type, "unvouched_entry") == 0)
		return 0;
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

void
qmb_replay_init(struct qmb_replay *r, int64_t upto)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->prev, QMB_AUDIT_ZERO, sizeof(r->prev));
	r->upto = upto;
}

int
qmb_session_replay_line(struct qmb_session *s, struct qmb_replay *r,
    const char *line, size_t len, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	char hash[QMB_SHA256_HEX + 1];
	int64_t seq = r->seq + 1;
	int rc = -1;

	if (r->upto > 0 && r->seq >= r->upto)
		return 0;
	if (qmb_audit_check_line(line, len, seq, r->prev, &doc, hash,
	    err) == -1) {
		qmb_err_prefix(err, "audit entry %lld", (long long)seq);
		goto out;
	}
	r->seq = seq;
	memcpy(r->prev, hash, sizeof(r->prev));
	if (seq == s->audit_seq && strcmp(hash, s->audit_hash) != 0) {
		qmb_errf(err, QMB_EXIT_CORRUPT,
		    "audit entry %lld does not match the session's audit_hash",
		    (long long)seq);
		goto out;
	}
	if (seq > s->audit_seq) {
		if (qmb_session_apply(s, doc.root, err) == -1) {
			qmb_err_prefix(err, "replay of entry %lld",
			    (long long)seq);
			goto out;
		}
		r->applied++;
	}
	rc = 1;
out:
	qmb_json_free(&doc);
	return rc;
}

int
qmb_replay_end(const struct qmb_session *s, const struct qmb_replay *r,
    struct qmb_err *err)
{
	if (r->seq < s->audit_seq)
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "audit trail ends at entry %lld but the session includes %lld (trail cut short)",
		    (long long)r->seq, (long long)s->audit_seq);
	return r->applied;
}

int
qmb_session_replay(struct qmb_session *s, const char *trail, size_t len,
    int64_t upto, struct qmb_err *err)
{
	const char *p = trail, *end = trail + len, *nl;
	struct qmb_replay r;
	int rc = 1;

	qmb_replay_init(&r, upto);
	for (; rc == 1 && p < end && (nl = memchr(p, '\n',
	    (size_t)(end - p))) != NULL; p = nl + 1)
		rc = qmb_session_replay_line(s, &r, p, (size_t)(nl - p), err);
	return rc == -1 ? -1 : qmb_replay_end(s, &r, err);
}

int
qmb_session_replay_trail(struct qmb_proj *p, struct qmb_session *s,
    const char *id, int64_t upto, struct qmb_err *err)
{
	struct qmb_replay r;
	struct qmb_trailrd t;
	const char *line;
	size_t len;
	int rc;

	if (qmb_trailrd_open(p, id, QMB_TRAILRD_LIVE, &t, err) == -1)
		return -1;
	qmb_replay_init(&r, upto);
	while ((rc = qmb_trailrd_next(&t, &line, &len, err)) == 1 &&
	    (rc = qmb_session_replay_line(s, &r, line, len, err)) == 1)
		;
	qmb_trailrd_close(&t);
	/* 2: a torn last line was never acknowledged */
	return rc == -1 ? -1 : qmb_replay_end(s, &r, err);
}

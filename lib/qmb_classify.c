/* SPDX-License-Identifier: MIT */
/*
 * Classification of a session (see qmb_classify.h).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_classify.h"
#include "qmb_clock.h"
#include "qmb_config.h"
#include "qmb_format.h"
#include "qmb_ids.h"
#include "qmb_session.h"
#include "qmb_tail.h"
#include "qmb_txn.h"
#include "qmb_verify.h"

#define DAY_MS	86400000LL

const char *const qmb_classify_tmp[2] = { ".json.tmp", ".json.bak.tmp" };

void
qmb_classify_init(struct qmb_exam *e, const char *id)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	qmb_salvage_init(&e->json);
	qmb_salvage_init(&e->bak);
	qmb_trail_init(&e->t);
	e->logtorn = -1;
}

void
qmb_classify_free(struct qmb_exam *e)
{
	qmb_salvage_free(&e->json);
	qmb_salvage_free(&e->bak);
	qmb_trail_free(&e->t);
}

static int
check_tmp_and_log(struct qmb_proj *p, struct qmb_exam *e, struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	off_t size;
	int i, dfd, fd;

	if ((dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 0, err)) != -1)
		for (i = 0; i < 2; i++) {
			snprintf(name, sizeof(name), "%s%s", e->id, qmb_classify_tmp[i]);
			e->tmp[i] = faccessat(dfd, name, F_OK,
			    AT_SYMLINK_NOFOLLOW) == 0;
		}
	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	snprintf(name, sizeof(name), "%s.log", e->id);
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return 0;
	if (qmb_tail_torn(fd, &size))
		e->logtorn = 1;
	close(fd);
	return 0;
}

static int
exam_load(struct qmb_proj *p, struct qmb_exam *e, struct qmb_err *err)
{
	struct qmb_err e2 = QMB_ERR_INIT;
	int dfd;

	dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 0, &e2);
	if (dfd == -1 && e2.code != QMB_EXIT_NOTFOUND) {
		*err = e2;
		return -1;
	}
	if (qmb_salvage_load(dfd, e->id, "", &e->json, err) == -1 ||
	    qmb_salvage_load(dfd, e->id, ".bak", &e->bak, err) == -1 ||
	    qmb_trail_load(p, e->id, &e->t, err) == -1 ||
	    check_tmp_and_log(p, e, err) == -1)
		return -1;
	e->archived = qmb_ids_exists(p, QMB_D_ARCHIVE_SESSIONS, e->id, ".json");
	return 0;
}

/* Does a valid state agree with the verified part of the trail? */
static void
fit(const struct qmb_trail *t, const char *id, struct qmb_cand *c)
{
	struct qmb_verify v;

	c->fits = c->ahead = 0;
	if (c->st != QMB_C_VALID)
		return;
	if (c->s.audit_seq > t->n) {
		c->ahead = 1;
		return;
	}
	if (c->s.audit_seq == 0) {
		c->fits = t->n == 0;
		return;
	}
	memset(&v, 0, sizeof(v));
	v.want_seq = c->s.audit_seq;
	qmb_verify_text(t->text.data, t->good, id, &v);
	c->fits = strcmp(v.want_hash, c->s.audit_hash) == 0;
}

static void
take_state(struct qmb_rec *r, struct qmb_cand *c)
{
	qmb_session_free(&r->state);
	r->state = c->s;
	qmb_session_init(&c->s);
	r->has_state = 1;
	r->base_seq = r->state.audit_seq;
}

/* Start from a state file; roll it forward when it fits the trail. */
static void
from_file(struct qmb_exam *e, struct qmb_rec *r, struct qmb_cand *c,
    enum qmb_base b)
{
	int64_t n = 0;

	e->base = b;
	r->ahead = c->ahead;
	take_state(r, c);
	if (!r->ahead && qmb_trail_apply(&e->t, e->id, &r->state, e->t.n,
	    &n) == -1)
		r->partial = 1;
	r->rolled = n;
}

/* Rebuild from the trail; 0 when at least its first entry applied. */
static int
from_trail(struct qmb_exam *e, struct qmb_rec *r)
{
	struct qmb_session s;
	int64_t n = 0;

	if (e->t.n == 0)
		return -1;
	qmb_session_init(&s);
	qmb_trail_apply(&e->t, e->id, &s, e->t.n, &n);
	if (n == 0) {
		qmb_session_free(&s);
		return -1;
	}
	qmb_session_free(&r->state);
	r->state = s;
	r->has_state = 1;
	r->rolled = n;
	r->base_seq = 0;
	e->base = QMB_B_REPLAY;
	return 0;
}

static int
choose(struct qmb_exam *e, struct qmb_rec *r, struct qmb_err *err)
{
	struct qmb_cand *j = &e->json, *b = &e->bak;

	switch (r->from) {
	case QMB_FROM_BAK:
		if (b->st != QMB_C_VALID || (!b->fits && !b->ahead))
			return qmb_errf(err, QMB_EXIT_CORRUPT,
			    "session '%s': the backup cannot be used: %s",
			    e->id, b->st == QMB_C_MISSING ? "there is none" :
			    b->st != QMB_C_VALID ? b->why :
			    "it does not match the audit trail");
		from_file(e, r, b, QMB_B_BAK);
		r->verdict = QMB_V_BAK;
		return 0;
	case QMB_FROM_AUDIT:
		if (from_trail(e, r) == -1)
			return qmb_errf(err, QMB_EXIT_CORRUPT,
			    "session '%s': the audit trail has no entry to rebuild from",
			    e->id);
		r->verdict = QMB_V_AUDIT;
		return 0;
	case QMB_FROM_AUTO:
		break;
	}
	if (j->st == QMB_C_NEWER) {
		r->verdict = QMB_V_NEWER;
	} else if (j->fits || j->ahead) {
		from_file(e, r, j, QMB_B_JSON);
		r->verdict = r->rolled > 0 ? QMB_V_BEHIND : QMB_V_OK;
	} else if (b->fits || b->ahead) {
		from_file(e, r, b, QMB_B_BAK);
		r->verdict = QMB_V_BAK;
	} else if (j->st == QMB_C_MISSING && b->st == QMB_C_MISSING &&
	    (e->archived || strcmp(e->t.last_type, "session_archived") == 0)) {
		r->verdict = QMB_V_ARCHIVED;	/* moved away on purpose */
	} else if (from_trail(e, r) == 0) {
		r->verdict = QMB_V_AUDIT;
	} else {
		r->verdict = QMB_V_LOST;
		e->base = QMB_B_FRESH;
	}
	return 0;
}

/* What may be lost, and what the trail needs. */
static void
settle(struct qmb_exam *e, struct qmb_rec *r)
{
	r->entries = e->t.n;
	r->broken_at = e->t.bad;
	r->torn = e->t.torn;
	switch (r->verdict) {
	case QMB_V_OK:
	case QMB_V_BEHIND:
		/* entries past the break that the state does not hold */
		r->partial |= e->t.bad > 0 && !r->ahead;
		break;
	case QMB_V_BAK:
		r->partial |= r->ahead || e->t.bad > 0;
		break;
	case QMB_V_AUDIT:
		r->partial |= e->t.bad > 0;
		break;
	case QMB_V_LOST:
	case QMB_V_SALVAGED:
		r->partial = 1;
		r->trail_lost = e->t.exists;
		break;
	default:
		break;
	}
	if (r->has_state && r->state.project != NULL)
		snprintf(r->project, sizeof(r->project), "%s", r->state.project);
	else if (e->json.project[0])
		snprintf(r->project, sizeof(r->project), "%s", e->json.project);
	else if (e->bak.project[0])
		snprintf(r->project, sizeof(r->project), "%s", e->bak.project);
	else
		snprintf(r->project, sizeof(r->project), "%s", e->t.project);
	e->cutback = e->t.exists && (e->t.bad > 0 || r->verdict == QMB_V_LOST ||
	    r->verdict == QMB_V_SALVAGED);
	e->import = (r->has_state && r->ahead) || r->verdict == QMB_V_SALVAGED;
}

static void
findings(struct qmb_proj *p, struct qmb_exam *e, struct qmb_rec *r)
{
	struct qmb_err err = QMB_ERR_INIT;
	const struct qmb_config *cfg = qmb_config_get(p, &err);
	char sp[160], bp[160], ap[160];
	int64_t t, days;
	int i;

	snprintf(sp, sizeof(sp), ".qmb/sessions/%s.json", e->id);
	snprintf(bp, sizeof(bp), ".qmb/sessions/%s.json.bak", e->id);
	snprintf(ap, sizeof(ap), ".qmb/audit/%s.audit.json", e->id);
	if (e->json.st == QMB_C_DAMAGED)
		qmb_rec_find(r, QMB_F_DAMAGED, sp, "session file damaged: %s",
		    e->json.why);
	else if (e->json.st == QMB_C_NEWER)
		qmb_rec_find(r, QMB_F_NEWER, sp,
		    "written by a newer qmb (format %lld); this one reads up to %d: upgrade qmb, or repair with --from bak or --from audit",
		    (long long)e->json.version, QMB_SESSION_VERSION);
	else if (e->json.st == QMB_C_MISSING && r->verdict != QMB_V_ARCHIVED)
		qmb_rec_find(r, QMB_F_MISSING, sp, "session file missing");
	else if (e->json.st == QMB_C_VALID && !e->json.fits && !e->json.ahead)
		qmb_rec_find(r, QMB_F_MISMATCH, sp,
		    "session file does not match its audit trail at entry %lld",
		    (long long)e->json.s.audit_seq);
	if (e->bak.st == QMB_C_DAMAGED || e->bak.st == QMB_C_NEWER)
		qmb_rec_find(r, QMB_F_BAK, bp, "backup damaged: %s", e->bak.why);
	if (r->verdict == QMB_V_BEHIND)
		qmb_rec_find(r, QMB_F_BEHIND, sp,
		    "session is %lld audit entr%s behind its trail (roll forward)",
		    (long long)r->rolled, r->rolled == 1 ? "y" : "ies");
	if (r->ahead)
		qmb_rec_find(r, QMB_F_AHEAD, ap, e->t.exists ?
		    "session file is newer than its audit trail (the session includes entry %lld, the trail verifies up to %lld)" :
		    "session file is newer than its audit trail (the session includes entry %lld, the trail is missing)",
		    (long long)r->base_seq, (long long)e->t.n);
	if (e->t.torn)
		qmb_rec_find(r, QMB_F_TORN, ap,
		    "torn last line in the audit trail (a write cut short, never acknowledged)");
	if (e->t.bad > 0)
		qmb_rec_find(r, QMB_F_BROKEN, ap, "audit chain broken at entry %lld: %s",
		    (long long)e->t.bad, e->t.what);
	if (e->logtorn > 0) {
		snprintf(ap, sizeof(ap), ".qmb/logs/%s.log", e->id);
		qmb_rec_find(r, QMB_F_LOGTORN, ap, "torn last line in the session log");
	}
	for (i = 0; i < 2; i++)
		if (e->tmp[i]) {
			snprintf(ap, sizeof(ap), ".qmb/sessions/%s%s", e->id,
			    qmb_classify_tmp[i]);
			qmb_rec_find(r, QMB_F_TMP, ap,
			    "stale temporary file (a save that never finished)");
		}
	if (r->has_state && r->state.version < QMB_SESSION_VERSION)
		qmb_rec_find(r, QMB_F_LEGACY, sp,
		    "legacy format: migrate with 'qmb-recover migrate %s'", e->id);
	if (!r->has_state || r->state.complete || cfg == NULL ||
	    r->verdict == QMB_V_LOST ||
	    qmb_time_parse(r->state.updated_at, &t) == -1)
		return;
	days = (qmb_now() - t) / DAY_MS;
	if (days >= cfg->idle_warn_days) {
		r->idle_days = (int)days;
		qmb_rec_find(r, QMB_F_IDLE, sp, "idle for %lld days (last saved %s)",
		    (long long)days, r->state.updated_at);
	}
}

/*
 * Before starting fresh: a state file (or else its .bak) that parses but
 * does not validate keeps every field valid on its own (qmb_format.h).
 * Only when nothing of value is left is the session lost.
 */
static int
salvage(struct qmb_proj *p, struct qmb_exam *e, struct qmb_rec *r,
    struct qmb_err *err)
{
	static const char *const sfx[2] = { "", ".bak" };
	struct qmb_session s;
	struct qmb_buf d;
	int k, n, dfd;

	if ((dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	for (k = 0; k < 2; k++) {
		if ((k == 0 ? e->json.st : e->bak.st) != QMB_C_DAMAGED)
			continue;
		qmb_buf_init(&d, 1 << 16);
		n = qmb_format_salvage_file(dfd, e->id, sfx[k],
		    r->project[0] ? r->project : e->json.project[0] ?
		    e->json.project : e->bak.project, &s, &d, err);
		if (n == -1) {
			qmb_buf_free(&d);
			return -1;
		}
		if (n > 0) {
			qmb_session_free(&r->state);
			r->state = s;
			r->has_state = 1;
			r->verdict = QMB_V_SALVAGED;
			r->salvaged_bak = k == 1;
			free(r->dropped);
			r->dropped = qmb_buf_steal(&d, NULL);
			if (r->dropped == NULL)
				r->dropped = strdup("");
			e->base = QMB_B_FRESH;	/* neither file is used whole */
			return 0;
		}
		qmb_session_free(&s);
		qmb_buf_free(&d);
	}
	return 0;
}

int
qmb_classify_exam(struct qmb_proj *p, struct qmb_exam *e, struct qmb_rec *r,
    struct qmb_err *err)
{
	if (exam_load(p, e, err) == -1)
		return -1;
	fit(&e->t, e->id, &e->json);
	fit(&e->t, e->id, &e->bak);
	if (choose(e, r, err) == -1)
		return -1;
	if (r->verdict == QMB_V_LOST && salvage(p, e, r, err) == -1)
		return -1;
	settle(e, r);
	findings(p, e, r);
	return 0;
}

/* Lock the session unless it has no files at all; NOTFOUND then. */
int
qmb_classify_begin(struct qmb_proj *p, const char *id, struct qmb_rec *r,
    struct qmb_lock *l, struct qmb_err *err)
{
	l->fd = -1;
	if (qmb_id_check(id, err) == -1)
		return -1;
	snprintf(r->id, sizeof(r->id), "%s", id);
	if (!qmb_ids_has_state(p, id) && !qmb_ids_exists(p, QMB_D_AUDIT, id,
	    ".audit.json")) {
		if (qmb_ids_exists(p, QMB_D_ARCHIVE_SESSIONS, id, ".json")) {
			r->verdict = QMB_V_ARCHIVED;
			return 1;
		}
		return qmb_errf(err, QMB_EXIT_NOTFOUND,
		    "no session '%s' (no state, backup or audit trail)", id);
	}
	return qmb_session_lock(p, id, l, err);
}

int
qmb_classify_session(struct qmb_proj *p, const char *id, enum qmb_from from,
    struct qmb_rec *r, struct qmb_err *err)
{
	struct qmb_lock l;
	struct qmb_exam e;
	int rc;

	qmb_rec_init(r);
	r->from = from;
	if ((rc = qmb_classify_begin(p, id, r, &l, err)) != 0)
		return rc == 1 ? 0 : -1;
	qmb_classify_init(&e, id);
	rc = qmb_classify_exam(p, &e, r, err);
	qmb_classify_free(&e);
	qmb_lock_release(&l);
	return rc;
}


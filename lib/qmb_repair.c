/* SPDX-License-Identifier: MIT */
/*
 * Repair of a session, and of logs without one (see qmb_repair.h).
 *
 * Invariants of a repair: nothing that holds data is removed; a damaged
 * file is linked or moved into .qmb/corrupt/ before anything replaces
 * it.  The state changes only through qmb_txn_commit, so the audit trail
 * stays the session's write-ahead log: after a repair the live trail
 * verifies from entry 1 and its head is the state's audit_seq/audit_hash.
 * Entries past the first bad one of a broken trail are never applied.
 */
#include <sys/file.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_classify.h"
#include "qmb_ids.h"
#include "qmb_io.h"
#include "qmb_lock.h"
#include "qmb_log.h"
#include "qmb_repair.h"
#include "qmb_tail.h"
#include "qmb_txn.h"

static void
note_kept(struct qmb_rec *r, const char *path)
{
	if (r->nkept < QMB_REC_KEPT)
		snprintf(r->kept[r->nkept++], sizeof(r->kept[0]), "%.159s",
		    path);
}

/* Link (or move) dir/name into .qmb/corrupt/ and note where it went. */
static int
keep(struct qmb_proj *p, struct qmb_rec *r, enum qmb_dir d, const char *name,
    int move, struct qmb_err *err)
{
	char kept[PATH_MAX];
	int dfd, cfd;

	if ((dfd = qmb_proj_dir(p, d, 0, err)) == -1 ||
	    (cfd = qmb_proj_dir(p, QMB_D_CORRUPT, 1, err)) == -1 ||
	    qmb_atomic_keep_corrupt(dfd, name, cfd, move, kept, err) == -1)
		return -1;
	note_kept(r, kept);
	r->repaired = 1;
	return 0;
}

/* Cut the torn last line of logs/name under the log's lock. */
static long
cut_log(struct qmb_proj *p, const char *name, char *kept, struct qmb_err *err)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	char lk[NAME_MAX + 1], what[NAME_MAX + 16];
	long n;
	int dfd;

	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	snprintf(lk, sizeof(lk), "%s.lock", name);
	snprintf(what, sizeof(what), "log '%s'", name);
	if (qmb_lock_take(&l, dfd, lk, LOCK_EX, qmb_lock_wait_ms(),
	    qmb_proj_fmode(p), what, err) == -1)
		return -1;
	n = qmb_tail_cut(p, dfd, name, kept, err);
	qmb_lock_release(&l);
	return n;
}

static int
fix_trail(struct qmb_proj *p, struct qmb_exam *e, struct qmb_rec *r,
    struct qmb_err *err)
{
	char name[NAME_MAX + 1], kept[160];
	int afd;

	if (!e->t.exists)
		return 0;
	snprintf(name, sizeof(name), "%s.audit.json", e->id);
	if ((afd = qmb_proj_dir(p, QMB_D_AUDIT, 0, err)) == -1)
		return -1;
	if (e->cutback) {
		/* keep the whole trail, then put back its verified part */
		if (keep(p, r, QMB_D_AUDIT, name, e->t.n == 0, err) == -1)
			return -1;
		return e->t.n == 0 ? 0 : qmb_atomic_write(afd, name,
		    e->t.text.data, e->t.good, qmb_proj_fmode(p), err);
	}
	if (!e->t.torn)
		return 0;
	if (qmb_tail_cut(p, afd, name, kept, err) == -1)
		return -1;
	note_kept(r, kept);
	r->repaired = 1;
	return 0;
}

/* Move aside what the repair will not use; the cursor for the save. */
static int
set_aside(struct qmb_proj *p, struct qmb_exam *e, struct qmb_rec *r,
    enum qmb_cur *cur, struct qmb_err *err)
{
	char name[NAME_MAX + 1], kept[160];
	struct qmb_cand *b = &e->bak, *j = &e->json;
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s%s", e->id, qmb_classify_tmp[i]);
		if (e->tmp[i] && keep(p, r, QMB_D_SESSIONS, name, 1, err) == -1)
			return -1;
	}
	if (e->logtorn > 0) {
		snprintf(name, sizeof(name), "%s.log", e->id);
		if (cut_log(p, name, kept, err) == -1)
			return -1;
		note_kept(r, kept);
	}
	if (fix_trail(p, e, r, err) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.json.bak", e->id);
	if ((b->st == QMB_C_DAMAGED || b->st == QMB_C_NEWER || (b->st == QMB_C_VALID &&
	    !b->fits && !b->ahead)) && e->base != QMB_B_BAK &&
	    keep(p, r, QMB_D_SESSIONS, name, 1, err) == -1)
		return -1;
	*cur = QMB_CUR_MISSING;
	if (j->st == QMB_C_VALID && (j->fits || j->ahead)) {
		*cur = QMB_CUR_VALID;	/* good: it becomes the .bak */
	} else if (j->st != QMB_C_MISSING) {
		snprintf(name, sizeof(name), "%s.json", e->id);
		if (keep(p, r, QMB_D_SESSIONS, name, 0, err) == -1)
			return -1;
	}
	return 0;
}

static void
recovered_details(const struct qmb_rec *r, const struct qmb_session *s,
    struct qmb_buf *b)
{
	struct qmb_jw jw;
	char st[2] = { 0, 0 };
	size_t i;

	st[0] = qmb_session_current(s);
	qmb_jw_init(&jw, b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "source", qmb_recover_source(r));
	qmb_jw_kstr(&jw, "verdict", qmb_recover_verdict(r->verdict));
	qmb_jw_kint(&jw, "entries", r->entries);
	qmb_jw_kint(&jw, "rolled", r->rolled);
	qmb_jw_kint(&jw, "broken_at", r->broken_at);
	qmb_jw_key(&jw, "torn_cut");
	qmb_jw_bool(&jw, r->torn);
	qmb_jw_key(&jw, "partial");
	qmb_jw_bool(&jw, r->partial);
	qmb_jw_kstr(&jw, "stage", st);
	qmb_jw_kint(&jw, "completed", s->ncompleted);
	qmb_jw_key(&jw, "kept");
	qmb_jw_arr_begin(&jw);
	for (i = 0; i < r->nkept; i++)
		qmb_jw_str(&jw, r->kept[i]);
	qmb_jw_arr_end(&jw);
	qmb_jw_obj_end(&jw);
	qmb_jw_finish(&jw);
}

static int
commit_created(struct qmb_txn *t, const struct qmb_rec *r,
    struct qmb_err *err)
{
	struct qmb_buf d;
	struct qmb_jw jw;
	int rc;

	qmb_buf_init(&d, 4096);
	qmb_jw_init(&jw, &d, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "project_name", r->project[0] ? r->project :
	    "recovered");
	qmb_jw_key(&jw, "model_type");
	qmb_jw_null(&jw);
	qmb_jw_kstr(&jw, "reason", "recovery");
	qmb_jw_obj_end(&jw);
	rc = qmb_jw_finish(&jw) == -1 ? qmb_errf(err, QMB_EXIT_INTERNAL,
	    "internal: details") : qmb_txn_commit(t, "session_created", d.data,
	    NULL, "A", err);
	qmb_buf_free(&d);
	return rc;
}

/* Record the whole state in the trail (it is ahead of the trail). */
static int
commit_imported(struct qmb_txn *t, struct qmb_err *err)
{
	struct qmb_buf d, st;
	int rc;

	qmb_buf_init(&st, qmb_io_max_file());
	qmb_buf_init(&d, qmb_io_max_file() + 4096);
	if ((rc = qmb_session_write(&t->s, 0, &st, err)) == 0) {
		qmb_buf_addf(&d, "{\"session\":%s,\"reason\":\"recovery\"}",
		    st.data);
		rc = d.error ? qmb_errf(err, QMB_EXIT_IO, "state too large") :
		    qmb_txn_commit(t, "session_imported", d.data,
		    "{\"reason\":\"recovery\"}", NULL, err);
	}
	qmb_buf_free(&st);
	qmb_buf_free(&d);
	return rc;
}

static void
log_repair(struct qmb_proj *p, const struct qmb_rec *r, const char *details,
    const char *user)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_logent le = { 0 };

	le.level = QMB_WARN;
	le.session_id = r->id;
	le.component = "recover";
	le.action = "session_recovered";
	le.details = details;
	le.user_id = user;
	qmb_log_write(p, &le, &e);
}

static int
execute(struct qmb_proj *p, struct qmb_exam *e, struct qmb_rec *r,
    struct qmb_lock *l, const char *user, struct qmb_err *err)
{
	struct qmb_txn t;
	struct qmb_buf d;
	enum qmb_cur cur;
	int rc = -1;

	if (set_aside(p, e, r, &cur, err) == -1)
		return -1;
	memset(&t, 0, sizeof(t));
	t.p = p;
	t.lock = *l;		/* the transaction releases it */
	l->fd = -1;
	t.user = user;
	t.cur = cur;
	qmb_session_init(&t.s);
	qmb_buf_init(&d, 1 << 16);
	r->repaired = 1;
	if (r->verdict == QMB_V_LOST) {
		snprintf(t.s.id, sizeof(t.s.id), "%s", e->id);
		if (commit_created(&t, r, err) == -1)
			goto out;
	} else {
		t.s = r->state;
		qmb_session_init(&r->state);
		r->has_state = 0;
		if (e->import && commit_imported(&t, err) == -1)
			goto out;
	}
	recovered_details(r, &t.s, &d);
	if (qmb_txn_commit(&t, "session_recovered", d.data, NULL, NULL,
	    err) == -1)
		goto out;
	log_repair(p, r, d.data, user);
	rc = 0;
out:
	if (t.s.id[0] != '\0' && t.s.project != NULL) {
		qmb_session_free(&r->state);
		r->state = t.s;
		qmb_session_init(&t.s);
		r->has_state = 1;
		r->new_seq = r->state.audit_seq;
		snprintf(r->project, sizeof(r->project), "%s", r->state.project);
	}
	qmb_buf_free(&d);
	qmb_txn_end(&t);
	return rc;
}

int
qmb_repair_session(struct qmb_proj *p, const char *id,
    const struct qmb_repair_opts *o, struct qmb_rec *r, struct qmb_err *err)
{
	struct qmb_lock l;
	struct qmb_exam e;
	int rc;

	qmb_rec_init(r);
	r->from = o->from;
	if ((rc = qmb_classify_begin(p, id, r, &l, err)) != 0)
		return rc == 1 ? 0 : -1;
	qmb_classify_init(&e, id);
	if ((rc = qmb_classify_exam(p, &e, r, err)) == 0 && !o->dry_run) {
		if (r->verdict == QMB_V_NEWER)
			rc = qmb_errf(err, QMB_EXIT_CORRUPT,
			    "session '%s' was written by a newer qmb (format %lld); this one reads up to %d: left alone (upgrade qmb, or repair with --from bak or --from audit)",
			    id, (long long)e.json.version, QMB_SESSION_VERSION);
		else if (qmb_rec_needs_repair(r))
			rc = execute(p, &e, r, &l, o->user, err);
	}
	qmb_classify_free(&e);
	qmb_lock_release(&l);
	return rc;
}

/* ---- project-wide: logs without a live session ----------------- */

static int
system_logs(struct qmb_proj *p, struct qmb_rec *r, int repair,
    struct qmb_err *err)
{
	static const char *const sfx[] = { ".log", NULL };
	char name[NAME_MAX + 1], path[160], kept[160], **ids;
	off_t size;
	size_t n, i;
	int dfd, fd, torn, rc = 0;

	if (qmb_ids_list(p, QMB_D_LOGS, sfx, &ids, &n, err) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		/* a live session's log is its own repair's */
		if (strcmp(ids[i], "qmb") != 0 && qmb_ids_has_state(p, ids[i]))
			continue;
		snprintf(name, sizeof(name), "%s.log", ids[i]);
		if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1 ||
		    (fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC)) == -1)
			continue;
		torn = qmb_tail_torn(fd, &size);
		close(fd);
		if (!torn)
			continue;
		snprintf(path, sizeof(path), ".qmb/logs/%.140s", name);
		qmb_rec_find(r, QMB_F_LOGTORN, path, "torn last line in %s", path);
		if (repair && cut_log(p, name, kept, err) == -1)
			rc = -1;
		else if (repair) {
			note_kept(r, kept);
			r->repaired = 1;
		}
	}
	qmb_ids_free(ids, n);
	return rc;
}

int
qmb_repair_system(struct qmb_proj *p, int dry_run, struct qmb_rec *r,
    struct qmb_err *err)
{
	qmb_rec_init(r);
	snprintf(r->id, sizeof(r->id), "system");
	return system_logs(p, r, !dry_run, err);
}

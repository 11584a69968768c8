/* SPDX-License-Identifier: MIT */
#include <sys/file.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qmb_io.h"
#include "qmb_migrate.h"
#include "qmb_prog.h"
#include "qmb_txn.h"

int
qmb_session_lock(struct qmb_proj *p, const char *id, struct qmb_lock *l,
    struct qmb_err *err)
{
	char name[NAME_MAX + 1], what[QMB_ID_MAX + 16];
	int dfd;

	if (qmb_id_check(id, err) == -1)
		return -1;
	if ((dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 1, err)) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.lock", id);
	snprintf(what, sizeof(what), "session '%s'", id);
	return qmb_lock_take(l, dfd, name, LOCK_EX, qmb_lock_wait_ms(),
	    qmb_proj_fmode(p), what, err);
}

static void
txn_init(struct qmb_txn *t, struct qmb_proj *p, const char *user)
{
	memset(t, 0, sizeof(*t));
	t->p = p;
	t->lock.fd = -1;
	t->user = user;
	t->cur = QMB_CUR_MISSING;
	qmb_session_init(&t->s);
}

static void
log_change(struct qmb_txn *t, enum qmb_level lvl, const char *action,
    const char *details, const char *stage)
{
	struct qmb_logent e = { 0 };

	e.level = lvl;
	e.session_id = t->s.id;
	e.stage = stage;
	e.component = "session";
	e.action = action;
	e.details = details;
	e.user_id = t->user;
	if (qmb_log_write(t->p, &e, &t->logerr) == -1)
		t->logfailed = 1;
}

static void
mirror_warn(struct qmb_txn *t, const char *msg)
{
	struct qmb_logent e = { 0 };
	struct qmb_buf d;
	struct qmb_jw jw;

	qmb_buf_init(&d, 4096);
	qmb_jw_init(&jw, &d, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "error", msg);
	qmb_jw_obj_end(&jw);
	e.level = QMB_WARN;
	e.session_id = t->s.id;
	e.component = "audit";
	e.action = "mirror_failed";
	e.details = qmb_jw_finish(&jw) == 0 ? d.data : NULL;
	e.user_id = t->user;
	if (qmb_log_write(t->p, &e, &t->logerr) == -1)
		t->logfailed = 1;
	qmb_buf_free(&d);
}

/* The trail is ahead of the state: apply what the state lacks. */
static int
roll_forward(struct qmb_txn *t, struct qmb_err *err)
{
	char det[128];
	int n;

	if ((n = qmb_session_replay_trail(t->p, &t->s, t->s.id, 0, err)) == -1)
		return -1;
	if (qmb_session_save(t->p, &t->s, t->cur, err) == -1)
		return -1;
	t->cur = QMB_CUR_VALID;
	t->rolled = n;
	snprintf(det, sizeof(det), "{\"entries\":%d,\"audit_seq\":%lld}", n,
	    (long long)t->s.audit_seq);
	log_change(t, QMB_WARN, "rolled_forward", det, NULL);
	return 0;
}

static int
check_head(struct qmb_txn *t, struct qmb_err *err)
{
	struct qmb_audit_head h;

	if (qmb_audit_head(t->p, t->s.id, &h, err) == -1) {
		qmb_err_prefix(err, "audit trail of session '%s' (run 'qmb-recover check %s')",
		    t->s.id, t->s.id);
		return -1;
	}
	if (h.seq == t->s.audit_seq && strcmp(h.hash, t->s.audit_hash) == 0) {
		t->head = h;
		t->head_known = !h.torn;
		return 0;
	}
	if (h.seq > t->s.audit_seq)
		return roll_forward(t, err);
	return qmb_errf(err, QMB_EXIT_CORRUPT,
	    "session '%s' does not match its audit trail (trail at entry %lld, session at %lld): run 'qmb-recover repair %s'",
	    t->s.id, (long long)h.seq, (long long)t->s.audit_seq, t->s.id);
}

/* Does id have a state file (or at least its backup)? */
static int
exists(struct qmb_proj *p, const char *id)
{
	char name[NAME_MAX + 1];
	int dfd = p->fd[QMB_D_SESSIONS];

	snprintf(name, sizeof(name), "%s.json", id);
	if (faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	snprintf(name, sizeof(name), "%s.json.bak", id);
	return faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * A session still in an older format is migrated before it changes:
 * the same migration as qmb-recover migrate, under the lock held.
 */
static int
migrate_first(struct qmb_txn *t, const char *id, struct qmb_err *err)
{
	struct qmb_mig_res r;
	int rc;

	qmb_session_free(&t->s);
	qmb_mig_res_init(&r);
	rc = qmb_migrate_session(t->p, id, 0, 1, &r, err);
	if (rc == 0) {
		t->migrated = 1;
		if (r.warning[0] != '\0')
			snprintf(t->mirror_error, sizeof(t->mirror_error),
			    "%s", r.warning);
	}
	qmb_mig_res_free(&r);
	if (rc == -1)
		return -1;
	return qmb_session_load(t->p, id, &t->s, &t->cur, err);
}

int
qmb_txn_begin(struct qmb_txn *t, struct qmb_proj *p, const char *id,
    const char *user, struct qmb_err *err)
{
	txn_init(t, p, user);
	if (qmb_id_check(id, err) == -1)
		return -1;
	if (qmb_proj_dir(p, QMB_D_SESSIONS, 0, err) == -1) {
		if (err->code == QMB_EXIT_NOTFOUND)
			qmb_errf(err, QMB_EXIT_NOTFOUND,
			    "no session '%s' (no sessions in '%s')", id,
			    p->root);
		return -1;
	}
	if (!exists(p, id)) {
		/* no lock file for a session that does not exist */
		return qmb_errf(err, QMB_EXIT_NOTFOUND,
		    "no session '%s' (see 'qmb-session list --all')", id);
	}
	if (qmb_session_lock(p, id, &t->lock, err) == -1)
		return -1;
	if (qmb_session_load(p, id, &t->s, &t->cur, err) == -1 ||
	    (t->s.version < QMB_SESSION_VERSION &&
	    migrate_first(t, id, err) == -1) ||
	    check_head(t, err) == -1) {
		qmb_txn_end(t);
		return -1;
	}
	return 0;
}

int
qmb_txn_create(struct qmb_txn *t, struct qmb_proj *p, const char *id,
    const char *user, struct qmb_err *err)
{
	struct qmb_audit_head h;
	struct qmb_session tmp;
	enum qmb_cur cur;

	txn_init(t, p, user);
	if (qmb_session_lock(p, id, &t->lock, err) == -1)
		return -1;
	if (qmb_session_load(p, id, &tmp, &cur, err) == 0 ||
	    err->code != QMB_EXIT_NOTFOUND) {
		qmb_session_free(&tmp);
		qmb_txn_end(t);
		return qmb_errf(err, QMB_EXIT_BUSY, "session '%s' already exists",
		    id);
	}
	if (qmb_audit_head(p, id, &h, err) == -1 || h.seq > 0) {
		qmb_txn_end(t);
		return qmb_errf(err, QMB_EXIT_BUSY,
		    "session '%s' has an audit trail already (run 'qmb-recover check %s')",
		    id, id);
	}
	snprintf(t->s.id, sizeof(t->s.id), "%s", id);
	return 0;
}

/* The change stands although the command failed: say what to do. */
static int
pending(struct qmb_txn *t, const char *why, const char *undo_err,
    int64_t seq, struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	int dfd = t->p->fd[QMB_D_SESSIONS];

	snprintf(name, sizeof(name), "%s.json", t->s.id);
	if (dfd < 0 || faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == -1)
		return qmb_errf(err, QMB_EXIT_PENDING,
		    "%s, and the change could not be withdrawn (%s): it is recorded in the audit trail (entry %lld); run 'qmb-recover repair %s' to restore the session from it; do not repeat it",
		    why, undo_err, (long long)seq, t->s.id);
	return qmb_errf(err, QMB_EXIT_PENDING,
	    "%s, and the change could not be withdrawn (%s): it is recorded in the audit trail (entry %lld) and takes effect the next time the session is used; do not repeat it",
	    why, undo_err, (long long)seq);
}

/*
 * Called by the append with the entry about to be written: apply it to
 * the state and write the state's text, so that a state over QMB_MAX_FILE
 * is refused before the trail has the entry.
 */
static int
precheck(void *ctx, const char *line, size_t len, struct qmb_err *err)
{
	struct qmb_txn *t = ctx;
	struct qmb_json_doc doc = { 0 };
	int rc;

	if (qmb_json_parse(line, len, len + 1, QMB_EXIT_INTERNAL, &doc,
	    err) == -1)
		return -1;
	t->stale = 1;	/* t->s is no longer what the file holds */
	if (t->s.id[0] != '\0' && strcmp(t->type, "session_created") == 0) {
		qmb_session_free(&t->s);	/* made anew by the entry */
		qmb_session_init(&t->s);
	}
	rc = qmb_session_apply(&t->s, doc.root, err);
	qmb_json_free(&doc);
	if (rc == -1) {
		err->code = QMB_EXIT_INTERNAL;
		return -1;
	}
	qmb_buf_reset(&t->text);
	t->text.max = qmb_io_max_file();
	if (qmb_session_write(&t->s, 1, &t->text, err) == -1)
		return qmb_errf(err, QMB_EXIT_IO,
		    "session '%s' would be larger than QMB_MAX_FILE (%zu bytes): raise QMB_MAX_FILE; nothing was changed",
		    t->s.id, t->text.max);
	return 0;
}

/*
 * The entry is in the trail but the state could not be saved: take the
 * entry back, so that the failure reported is the whole truth.  When it
 * cannot be taken back (or the new state is already in place) the change
 * stands: QMB_EXIT_PENDING says so.
 */
/*
 * The entry is in the trail but the state could not be saved: take the
 * entry back, so that the failure reported is the whole truth.  When the
 * new state is in place already (only the directory sync after its
 * rename failed: nothing is renamed after a failed fsync) or the entry
 * cannot be taken back, the change stands: QMB_EXIT_PENDING says so.
 */
static int
undo(struct qmb_txn *t, const struct qmb_audit_head *h, int replaced,
    struct qmb_err *err)
{
	struct qmb_err e2 = QMB_ERR_INIT;
	char why[QMB_ERR_MSG];

	snprintf(why, sizeof(why), "%s", err->msg);
	if (replaced)
		return qmb_errf(err, QMB_EXIT_PENDING,
		    "%s, after the new state was in place: the change is recorded (audit entry %lld) and stands; do not repeat it",
		    why, (long long)h->seq);
	if (qmb_audit_takeback(t->p, t->s.id, h, &e2) == 0)
		return qmb_errf(err, QMB_EXIT_IO, "%s; nothing was changed",
		    why);
	return pending(t, why, e2.msg, h->seq, err);
}

int
qmb_txn_commit(struct qmb_txn *t, const char *type, const char *details,
    const char *logdetails, const char *stage, struct qmb_err *err)
{
	struct qmb_audit_in in = { 0 };
	struct qmb_audit_head h;
	int replaced = 0;

	if (t->stale)
		return qmb_errf(err, QMB_EXIT_INTERNAL,
		    "internal: change of session '%s' after a failed one",
		    t->s.id);
	in.session_id = t->s.id;
	in.user_id = t->user;
	in.type = type;
	in.details = details;
	in.known = t->head_known ? &t->head : NULL;
	in.precheck = precheck;
	in.ctx = t;
	t->type = type;
	t->head_known = 0;
	qmb_buf_init(&t->text, qmb_io_max_file());
	if (qmb_audit_append(t->p, &in, &h, NULL, err) == -1) {
		qmb_buf_free(&t->text);
		return -1;
	}
	memcpy(t->mirror_error, h.mirror_error, sizeof(t->mirror_error));
	if (qmb_session_save_text(t->p, &t->s, t->cur, t->text.data,
	    t->text.len, &replaced, err) == -1) {
		qmb_buf_free(&t->text);
		return undo(t, &h, replaced, err);
	}
	qmb_buf_free(&t->text);
	t->stale = 0;
	t->head = h;
	t->head_known = 1;
	t->cur = QMB_CUR_VALID;
	qmb_committed();
	if (h.mirror_error[0] != '\0')
		mirror_warn(t, h.mirror_error);
	log_change(t, QMB_INFO, type, logdetails ? logdetails : details, stage);
	return 0;
}

int
qmb_txn_withdraw(struct qmb_txn *t, struct qmb_err *err)
{
	struct qmb_err e2 = QMB_ERR_INIT;
	char why[QMB_ERR_MSG];

	snprintf(why, sizeof(why), "%s", err->msg);
	t->stale = 1;
	if (qmb_session_restore_bak(t->p, t->s.id, &e2) == 0 &&
	    qmb_audit_takeback(t->p, t->s.id, &t->head, &e2) == 0)
		return qmb_errf(err, QMB_EXIT_IO, "%s; nothing was changed", why);
	return pending(t, why, e2.msg, t->head.seq, err);
}

void
qmb_txn_end(struct qmb_txn *t)
{
	qmb_session_free(&t->s);
	qmb_lock_release(&t->lock);
}

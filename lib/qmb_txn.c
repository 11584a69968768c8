/* SPDX-License-Identifier: MIT */
#include <sys/file.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qmb_io.h"
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

int
qmb_txn_commit(struct qmb_txn *t, const char *type, const char *details,
    const char *logdetails, const char *stage, struct qmb_err *err)
{
	struct qmb_audit_in in = { 0 };
	struct qmb_audit_head h;
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf line;
	int rc = -1;

	in.session_id = t->s.id;
	in.user_id = t->user;
	in.type = type;
	in.details = details;
	in.known = t->head_known ? &t->head : NULL;
	qmb_buf_init(&line, qmb_io_max_file() + 1024);
	t->head_known = 0;
	if (qmb_audit_append(t->p, &in, &h, &line, err) == -1)
		goto out;
	t->head = h;
	t->head_known = 1;
	memcpy(t->mirror_error, h.mirror_error, sizeof(t->mirror_error));
	if (h.mirror_error[0] != '\0')
		mirror_warn(t, h.mirror_error);
	if (qmb_json_parse(line.data, line.len, line.max, QMB_EXIT_INTERNAL,
	    &doc, err) == -1)
		goto out;
	if (t->s.id[0] != '\0' && strcmp(type, "session_created") == 0)
		t->s.id[0] = '\0';
	if (qmb_session_apply(&t->s, doc.root, err) == -1) {
		err->code = QMB_EXIT_INTERNAL;
		goto out;
	}
	if (qmb_session_save(t->p, &t->s, t->cur, err) == -1)
		goto out;
	t->cur = QMB_CUR_VALID;
	log_change(t, QMB_INFO, type, logdetails ? logdetails : details, stage);
	rc = 0;
out:
	qmb_json_free(&doc);
	qmb_buf_free(&line);
	return rc;
}

void
qmb_txn_end(struct qmb_txn *t)
{
	qmb_session_free(&t->s);
	qmb_lock_release(&t->lock);
}

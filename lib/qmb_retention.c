/* SPDX-License-Identifier: MIT */
/*
 * Rotation and retention.  Invariants: a log is renamed or removed only
 * under its exclusive lock (the writers' protocol, qmb_log.h); a session
 * file or trail only under the session lock; an audit trail is removed
 * only after its .gz copy was read back byte for byte and verified; a
 * state change is audited first (qmb_txn) and only then carried out.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "qmb_atomic.h"
#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_config.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_log.h"
#include "qmb_ids.h"
#include "qmb_retention.h"
#include "qmb_session.h"
#include "qmb_txn.h"
#include "qmb_verify.h"

#define DAY_MS		86400000LL
#define ROTATED_MAX	20	/* NAME.1 .. NAME.20 are looked at */

static const char *const ract_names[] = {
	"low_disk", "rotate", "prune", "archive", "delete_logs", "gzip_audit",
	"skip",
};

const char *
qmb_retention_action(enum qmb_ract k)
{
	return ract_names[k];
}

struct run {
	struct qmb_proj			*p;
	const struct qmb_rotate_opts	*o;
	const struct qmb_config		*cfg;
	int64_t				 now;
};

static void
act(struct run *r, enum qmb_ract k, const char *subject,
    const struct qmb_err *failed, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
act(struct run *r, enum qmb_ract k, const char *subject,
    const struct qmb_err *failed, const char *fmt, ...)
{
	struct qmb_raction a;
	va_list ap;

	memset(&a, 0, sizeof(a));
	a.kind = k;
	a.subject = subject;
	a.dry_run = r->o->dry_run;
	va_start(ap, fmt);
	vsnprintf(a.what, sizeof(a.what), fmt, ap);
	va_end(ap);
	if (failed != NULL) {
		a.failed = 1;
		a.err = *failed;
	}
	if (r->o->report != NULL)
		r->o->report(r->o->arg, &a);
}

/* An INFO (or WARN) system entry in the global log; best effort. */
static void
glog(struct run *r, enum qmb_level lvl, const char *action,
    const char *details)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_logent le = { 0 };

	le.level = lvl;
	le.component = "retention";
	le.action = action;
	le.details = details;
	le.user_id = r->o->user;
	qmb_log_write(r->p, &le, &e);
}

static int
run_init(struct run *r, struct qmb_proj *p, const struct qmb_rotate_opts *o,
    struct qmb_err *err)
{
	r->p = p;
	r->o = o;
	r->now = o->now ? o->now : qmb_now();
	return (r->cfg = qmb_config_get(p, err)) == NULL ? -1 : 0;
}

int
qmb_retention_lock(struct qmb_proj *p, struct qmb_lock *l, struct qmb_err *err)
{
	int dfd;

	if ((dfd = qmb_proj_dir(p, QMB_D_QMB, 1, err)) == -1)
		return -1;
	return qmb_lock_take(l, dfd, "rotate.lock", LOCK_EX, 0,
	    qmb_proj_fmode(p), "qmb-rotate", err);
}

/* ---- rotation --------------------------------------------------- */

/* The rotated files of logs/name beyond keep; how many there are. */
static int
extras(int dfd, const char *name, long keep, int remove, struct qmb_err *err)
{
	char f[NAME_MAX + 1];
	int k, n = 0;

	for (k = (int)keep + 1; k <= ROTATED_MAX; k++) {
		snprintf(f, sizeof(f), "%.200s.%d", name, k);
		if (faccessat(dfd, f, F_OK, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		n++;
		if (remove && qmb_io_unlinkat(dfd, f, 0) == -1 &&
		    errno != ENOENT)
			return qmb_errsys(err, QMB_EXIT_IO, "remove '.qmb/logs/%s'",
			    f);
	}
	return n;
}

static int
log_lock(struct qmb_proj *p, int dfd, const char *name, struct qmb_lock *l,
    struct qmb_err *err)
{
	char lk[NAME_MAX + 1], what[NAME_MAX + 16];

	if (qmb_path_fmt(lk, sizeof(lk), err, "%s.lock", name) == -1)
		return -1;
	snprintf(what, sizeof(what), "log '%.200s'", name);
	return qmb_lock_take(l, dfd, lk, LOCK_EX, qmb_lock_wait_ms(),
	    qmb_proj_fmode(p), what, err);
}

/* Remove rotated files beyond keep, under the log's lock. */
static void
prune(struct run *r, int dfd, const char *name, const char *path, long keep)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	struct qmb_err e = QMB_ERR_INIT;
	char det[320];
	int n;

	if ((n = extras(dfd, name, keep, 0, &e)) == 0)
		return;
	if (!r->o->dry_run && (log_lock(r->p, dfd, name, &l, &e) == -1 ||
	    (n = extras(dfd, name, keep, 1, &e)) == -1 ||
	    qmb_dir_sync(dfd, ".qmb/logs", &e) == -1)) {
		qmb_lock_release(&l);
		act(r, QMB_RA_PRUNE, path, &e, "remove rotated files of %s beyond %ld",
		    path, keep);
		return;
	}
	qmb_lock_release(&l);
	if (!r->o->dry_run) {
		snprintf(det, sizeof(det),
		    "{\"file\":\"%.200s\",\"removed\":%d,\"keep\":%ld}", path, n,
		    keep);
		glog(r, QMB_INFO, "rotated_files_removed", det);
	}
	act(r, QMB_RA_PRUNE, path, NULL, "%s %d rotated file%s of %s beyond %ld",
	    r->o->dry_run ? "would remove" : "removed", n, n == 1 ? "" : "s",
	    path, keep);
}

static void
rotate_one(struct run *r, int dfd, const char *name, long keep)
{
	struct qmb_err e = QMB_ERR_INIT;
	unsigned long long max;
	char path[NAME_MAX + 16], sz[32], lim[32], det[320];
	struct stat st;

	snprintf(path, sizeof(path), ".qmb/logs/%s", name);
	max = r->o->max_size ? r->o->max_size : strcmp(name, "qmb.log") == 0 ?
	    r->cfg->global_log_max_size : r->cfg->log_max_size;
	/* a rotated set whose live log is gone is still pruned */
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    (unsigned long long)st.st_size < max) {
		prune(r, dfd, name, path, keep);
		return;
	}
	qmb_config_fmt_size((unsigned long long)st.st_size, sz, sizeof(sz));
	qmb_config_fmt_size(max, lim, sizeof(lim));
	if (!r->o->dry_run && qmb_log_rotate(r->p, name, (int)keep, &e) == -1) {
		act(r, QMB_RA_ROTATE, path, &e, "rotate %s", path);
		return;
	}
	if (!r->o->dry_run) {
		snprintf(det, sizeof(det),
		    "{\"file\":\"%.200s\",\"size\":%lld,\"keep\":%ld}", path,
		    (long long)st.st_size, keep);
		glog(r, QMB_INFO, "log_rotated", det);
	}
	act(r, QMB_RA_ROTATE, path, NULL, "%s %s (%s, limit %s), keeping %ld",
	    r->o->dry_run ? "would rotate" : "rotated", path, sz, lim, keep);
}

/* Free space under min_free_disk: keep fewer, and say so.  0 or 1. */
static int
low_disk(struct run *r, int dfd, long *keep, unsigned long long *avail)
{
	char have[32], lim[32];
	struct statvfs v;

	if (fstatvfs(dfd, &v) == -1)
		return 0;
	*avail = (unsigned long long)v.f_bavail * v.f_frsize;
	if (*avail >= r->cfg->min_free_disk)
		return 0;
	if (*keep > r->cfg->low_disk_keep)
		*keep = r->cfg->low_disk_keep;
	qmb_config_fmt_size(*avail, have, sizeof(have));
	qmb_config_fmt_size(r->cfg->min_free_disk, lim, sizeof(lim));
	act(r, QMB_RA_LOWDISK, ".qmb/logs", NULL,
	    "low disk: %s free, under %s; %s only %ld rotated file%s per log",
	    have, lim, r->o->dry_run ? "would keep" : "keeping", *keep,
	    *keep == 1 ? "" : "s");
	return 1;
}

int
qmb_retention_rotate(struct qmb_proj *p, const struct qmb_rotate_opts *o,
    struct qmb_err *err)
{
	static const char *const sfx[] = { ".log", ".log.1", NULL };
	char **ids, name[NAME_MAX + 1], det[160];
	unsigned long long avail = 0;
	struct run r;
	size_t n, i;
	long keep;
	int dfd, low;

	if (run_init(&r, p, o, err) == -1)
		return -1;
	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	if (qmb_ids_list(p, QMB_D_LOGS, sfx, &ids, &n, err) == -1)
		return -1;
	keep = o->keep ? o->keep : r.cfg->log_keep;
	low = low_disk(&r, dfd, &keep, &avail);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s.log", ids[i]);
		rotate_one(&r, dfd, name, keep);
	}
	qmb_ids_free(ids, n);
	/* logged after the old files are gone, when there is room for it */
	if (low && !o->dry_run) {
		snprintf(det, sizeof(det), "{\"available\":%llu,\"keep\":%ld}",
		    avail, keep);
		glog(&r, QMB_WARN, "low_disk_space", det);
	}
	return 0;
}

/* ---- archiving sessions ----------------------------------------- */

static int
move_in(int from, int to, const char *name, struct qmb_err *err)
{
	if (qmb_io_renameat2(from, name, to, name) == -1 && errno != ENOENT)
		return qmb_errsys(err, QMB_EXIT_IO,
		    "move '%s' to .qmb/archive/sessions", name);
	return 0;
}

int
qmb_retention_archive(struct qmb_proj *p, const char *id, const char *user,
    const char *details, struct qmb_err *err)
{
	struct qmb_txn t;
	char name[NAME_MAX + 1], bak[NAME_MAX + 1], why[QMB_ERR_MSG];
	int sfd, afd, rc = -1;

	if (qmb_txn_begin(&t, p, id, user, err) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.json", id);
	snprintf(bak, sizeof(bak), "%s.json.bak", id);
	if ((sfd = qmb_proj_dir(p, QMB_D_SESSIONS, 1, err)) == -1 ||
	    (afd = qmb_proj_dir(p, QMB_D_ARCHIVE_SESSIONS, 1, err)) == -1)
		goto out;
	if (faccessat(afd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		qmb_errf(err, QMB_EXIT_BUSY,
		    "'.qmb/archive/sessions/%s' exists already; move it away first",
		    name);
		goto out;
	}
	if (qmb_txn_commit(&t, "session_archived", details ? details :
	    "{\"to\":\".qmb/archive/sessions\"}", NULL, NULL, err) == -1)
		goto out;
	if (move_in(sfd, afd, bak, err) == -1) {
		qmb_txn_withdraw(&t, err);
		goto out;
	}
	if (move_in(sfd, afd, name, err) == -1) {
		/* put the backup back, then withdraw the entry */
		snprintf(why, sizeof(why), "%s", err->msg);
		if (qmb_io_renameat2(afd, bak, sfd, bak) == -1 && errno != ENOENT)
			qmb_errf(err, QMB_EXIT_PENDING,
			    "%s, and '%s' could not be moved back: session '%s' is recorded as archived but its file is still in .qmb/sessions; run 'qmb-session archive %s' again",
			    why, bak, id, id);
		else
			qmb_txn_withdraw(&t, err);
		goto out;
	}
	if (qmb_dir_sync(afd, ".qmb/archive/sessions", err) == -1 ||
	    qmb_dir_sync(sfd, ".qmb/sessions", err) == -1) {
		snprintf(why, sizeof(why), "%s", err->msg);
		qmb_errf(err, QMB_EXIT_PENDING,
		    "session '%s' is archived, but: %s", id, why);
		goto out;
	}
	rc = 0;
out:
	qmb_txn_end(&t);
	return rc;
}

/* The age of a state in days: since completed_at, else updated_at. */
static int64_t
age_days(const struct run *r, const struct qmb_session *s)
{
	int64_t t;

	if (qmb_time_parse(s->complete ? s->completed_at : s->updated_at,
	    &t) == -1)
		return -1;
	return (r->now - t) / DAY_MS;
}

static void
archive_one(struct run *r, const char *id, int64_t days)
{
	struct qmb_err e = QMB_ERR_INIT;
	char det[256];

	if (!r->o->dry_run) {
		snprintf(det, sizeof(det),
		    "{\"to\":\".qmb/archive/sessions\",\"reason\":\"retention\",\"inactive_days\":%lld}",
		    (long long)days);
		if (qmb_retention_archive(r->p, id, r->o->user, det,
		    &e) == -1) {
			act(r, QMB_RA_ARCHIVE, id, &e, "archive session %s", id);
			return;
		}
		snprintf(det, sizeof(det),
		    "{\"session\":\"%s\",\"inactive_days\":%lld}", id,
		    (long long)days);
		glog(r, QMB_INFO, "session_archived", det);
	}
	act(r, QMB_RA_ARCHIVE, id, NULL,
	    "%s session %s (inactive %lld days) to .qmb/archive/sessions/",
	    r->o->dry_run ? "would archive" : "archived", id, (long long)days);
}

/* ---- deleting the logs of completed sessions ------------------- */

/* Remove logs/ID.log and its rotated files under the log's lock. */
static int
unlink_logs(struct run *r, int dfd, const char *id, int *count,
    struct qmb_err *err)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	char name[NAME_MAX + 1], f[NAME_MAX + 1];
	int k, rc = 0;

	snprintf(name, sizeof(name), "%s.log", id);
	if (log_lock(r->p, dfd, name, &l, err) == -1)
		return -1;
	*count = 0;
	for (k = 0; k <= ROTATED_MAX && rc == 0; k++) {
		if (k == 0)
			snprintf(f, sizeof(f), "%s", name);
		else
			snprintf(f, sizeof(f), "%.200s.%d", name, k);
		if (qmb_io_unlinkat(dfd, f, 0) == 0)
			(*count)++;
		else if (errno != ENOENT)
			rc = qmb_errsys(err, QMB_EXIT_IO, "remove '.qmb/logs/%s'",
			    f);
	}
	if (rc == 0)
		rc = qmb_dir_sync(dfd, ".qmb/logs", err);
	qmb_lock_release(&l);
	return rc;
}

/* Audit the deletion: through qmb_txn for a live session, else directly. */
static int
audit_logs_deleted(struct run *r, const char *id, int live, const char *det,
    struct qmb_err *err)
{
	struct qmb_audit_in in = { 0 };
	struct qmb_audit_head h;
	struct qmb_lock l = QMB_LOCK_INIT;
	struct qmb_txn t;
	int rc;

	if (live) {
		if (qmb_txn_begin(&t, r->p, id, r->o->user, err) == -1)
			return -1;
		rc = qmb_txn_commit(&t, "session_logs_deleted", det, NULL, NULL,
		    err);
		qmb_txn_end(&t);
		return rc;
	}
	/* archived: its trail stays live until it is compressed */
	if (qmb_session_lock(r->p, id, &l, err) == -1)
		return -1;
	rc = 0;
	if (qmb_audit_head(r->p, id, &h, err) == -1)
		rc = -1;
	else if (h.seq > 0) {
		in.session_id = id;
		in.user_id = r->o->user;
		in.type = "session_logs_deleted";
		in.details = det;
		rc = qmb_audit_append(r->p, &in, &h, NULL, err);
	}
	qmb_lock_release(&l);
	return rc;
}

static void
delete_logs(struct run *r, const char *id, int live, int64_t days)
{
	struct qmb_err e = QMB_ERR_INIT;
	char det[256], f[NAME_MAX + 1];
	int dfd, k, have = 0, n = 0;

	if ((dfd = qmb_proj_dir(r->p, QMB_D_LOGS, 0, &e)) == -1)
		return;
	for (k = 0; k <= ROTATED_MAX; k++) {
		if (k == 0)
			snprintf(f, sizeof(f), "%s.log", id);
		else
			snprintf(f, sizeof(f), "%s.log.%d", id, k);
		have += faccessat(dfd, f, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	}
	if (have == 0)
		return;
	if (!r->o->dry_run) {
		snprintf(det, sizeof(det),
		    "{\"reason\":\"retention\",\"completed_days\":%lld,\"files\":%d}",
		    (long long)days, have);
		/* audit first: the log line of the entry goes with the logs */
		if (audit_logs_deleted(r, id, live, det, &e) == -1 ||
		    unlink_logs(r, dfd, id, &n, &e) == -1) {
			act(r, QMB_RA_LOGS, id, &e, "delete the logs of session %s",
			    id);
			return;
		}
		snprintf(det, sizeof(det),
		    "{\"session\":\"%s\",\"completed_days\":%lld,\"files\":%d}",
		    id, (long long)days, n);
		glog(r, QMB_INFO, "session_logs_deleted", det);
		have = n;
	}
	act(r, QMB_RA_LOGS, id, NULL,
	    "%s %d log file%s of session %s (completed %lld days ago)",
	    r->o->dry_run ? "would delete" : "deleted", have, have == 1 ? "" : "s",
	    id, (long long)days);
}

/* Read a state file of dir without the lock (to decide; acted on locked). */
static int
peek(struct qmb_proj *p, enum qmb_dir d, const char *id, struct qmb_session *s)
{
	struct qmb_err e = QMB_ERR_INIT;
	char name[NAME_MAX + 1];
	struct qmb_buf b;
	int dfd, rc;

	qmb_session_init(s);
	if ((dfd = qmb_proj_dir(p, d, 0, &e)) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.json", id);
	qmb_buf_init(&b, qmb_io_max_file());
	rc = qmb_io_read_file(dfd, name, b.max, QMB_EXIT_CORRUPT, &b, &e);
	if (rc == 0)
		rc = qmb_session_parse(b.data, b.len, id, QMB_EXIT_CORRUPT, s,
		    &e);
	qmb_buf_free(&b);
	return rc;
}

static void
sessions(struct run *r, enum qmb_dir d)
{
	static const char *const sfx[] = { ".json", NULL };
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_session s;
	int64_t days, done;
	char **ids;
	size_t n, i;
	int live = d == QMB_D_SESSIONS;

	if (qmb_ids_list(r->p, d, sfx, &ids, &n, &e) == -1) {
		act(r, QMB_RA_SKIP, qmb_proj_dirname(d), &e, "read %s",
		    qmb_proj_dirname(d));
		return;
	}
	for (i = 0; i < n; i++) {
		if (peek(r->p, d, ids[i], &s) == -1) {
			if (live)
				act(r, QMB_RA_SKIP, ids[i], NULL,
				    "skipped session %s: damaged (run 'qmb-recover check %s')",
				    ids[i], ids[i]);
			continue;
		}
		days = age_days(r, &s);
		done = s.complete ? days : -1;
		qmb_session_free(&s);
		/* an archived session's logs are seen to in the archive pass */
		if (live && days >= r->cfg->archive_after_days)
			archive_one(r, ids[i], days);
		else if (done >= r->cfg->delete_logs_after_days)
			delete_logs(r, ids[i], live, done);
	}
	qmb_ids_free(ids, n);
}

/* ---- compressing old audit trails ------------------------------ */

int
qmb_retention_gzip(const void *data, size_t len, struct qmb_buf *out,
    struct qmb_err *err)
{
	unsigned char *z_out;
	z_stream z;
	uLong bound;
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return qmb_errf(err, QMB_EXIT_IO, "gzip: out of memory");
	bound = deflateBound(&z, (uLong)len) + 64;
	if ((z_out = malloc(bound)) == NULL) {
		deflateEnd(&z);
		return qmb_errf(err, QMB_EXIT_IO, "gzip: out of memory");
	}
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = z_out;
	z.avail_out = (uInt)bound;
	rc = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	qmb_buf_reset(out);
	if (rc != Z_STREAM_END)
		rc = qmb_errf(err, QMB_EXIT_IO, "gzip: deflate failed (%d)", rc);
	else if (qmb_buf_add(out, z_out, bound - z.avail_out) == -1)
		rc = qmb_errf(err, QMB_EXIT_IO, "gzip: out of memory");
	else
		rc = 0;
	free(z_out);
	return rc;
}

/* Write the .gz, read it back, compare and verify it. */
static int
write_gz(struct run *r, const char *id, const struct qmb_buf *trail,
    int64_t entries, struct qmb_err *err)
{
	struct qmb_verify v;
	struct qmb_buf gz, back;
	char name[NAME_MAX + 1];
	int dfd, rc = -1;

	snprintf(name, sizeof(name), "%s.audit.json.gz", id);
	qmb_buf_init(&gz, qmb_io_max_file() * 2 + 65536);
	qmb_buf_init(&back, qmb_io_max_file());
	if ((dfd = qmb_proj_dir(r->p, QMB_D_ARCHIVE_AUDIT, 1, err)) == -1 ||
	    qmb_retention_gzip(trail->data, trail->len, &gz, err) == -1 ||
	    qmb_atomic_write(dfd, name, gz.data, gz.len,
	    qmb_proj_fmode(r->p), err) == -1)
		goto out;
	memset(&v, 0, sizeof(v));
	if (qmb_gz_read(dfd, name, &back, err) == -1)
		goto bad;
	if (back.len != trail->len || memcmp(back.data, trail->data,
	    back.len) != 0 || qmb_verify_text(back.data, back.len, id,
	    &v) != 0 || v.entries != entries) {
		qmb_errf(err, QMB_EXIT_IO,
		    "'.qmb/archive/audit/%s' does not read back as the trail; the trail was kept",
		    name);
		goto bad;
	}
	rc = 0;
	goto out;
bad:
	/* a copy that does not read back is no archive: set it aside */
	{
		struct qmb_err e2 = QMB_ERR_INIT;
		int cfd = qmb_proj_dir(r->p, QMB_D_CORRUPT, 1, &e2);

		if (cfd != -1)
			qmb_atomic_keep_corrupt(dfd, name, cfd, 1, NULL, &e2);
	}
out:
	qmb_buf_free(&gz);
	qmb_buf_free(&back);
	return rc;
}

static int
gzip_locked(struct run *r, const char *id, struct qmb_buf *b,
    struct qmb_err *err)
{
	struct qmb_audit_in in = { 0 };
	struct qmb_audit_head h;
	struct qmb_verify v;
	int afd;

	in.session_id = id;
	in.user_id = r->o->user;
	in.type = "audit_archived";
	in.details = "{\"to\":\".qmb/archive/audit\",\"reason\":\"retention\"}";
	/* the trail says it was archived, and the archive holds that entry */
	if (qmb_audit_append(r->p, &in, &h, NULL, err) == -1 ||
	    qmb_audit_read(r->p, id, b, err) == -1)
		return -1;
	memset(&v, 0, sizeof(v));
	if (qmb_verify_text(b->data, b->len, id, &v) != 0)
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "the audit trail of '%s' is broken at entry %lld", id,
		    (long long)v.bad_seq);
	if (write_gz(r, id, b, v.entries, err) == -1 ||
	    (afd = qmb_proj_dir(r->p, QMB_D_AUDIT, 0, err)) == -1)
		return -1;
	{
		char name[NAME_MAX + 1];

		snprintf(name, sizeof(name), "%s.audit.json", id);
		if (qmb_io_unlinkat(afd, name, 0) == -1)
			return qmb_errsys(err, QMB_EXIT_IO,
			    "remove '.qmb/audit/%s'", name);
	}
	return qmb_dir_sync(afd, ".qmb/audit", err);
}

/* Archived: no live state, and a state in .qmb/archive/sessions/. */
static int
archived_session(struct qmb_proj *p, const char *id)
{
	return !qmb_ids_exists(p, QMB_D_SESSIONS, id, ".json") &&
	    !qmb_ids_exists(p, QMB_D_SESSIONS, id, ".json.bak") &&
	    qmb_ids_exists(p, QMB_D_ARCHIVE_SESSIONS, id, ".json");
}

/* Is the trail old enough and intact? */
static int
gzip_wanted(struct run *r, const char *id, struct qmb_buf *b, int64_t *days,
    struct qmb_err *err)
{
	struct qmb_verify v;
	int64_t t;

	if (qmb_audit_read(r->p, id, b, err) == -1)
		return -1;
	memset(&v, 0, sizeof(v));
	if (qmb_verify_text(b->data, b->len, id, &v) != 0) {
		act(r, QMB_RA_SKIP, id, NULL,
		    "skipped the audit trail of %s: broken at entry %lld (run 'qmb-recover check %s')",
		    id, (long long)v.bad_seq, id);
		return 0;
	}
	if (v.entries == 0 || qmb_time_parse(v.last_time, &t) == -1)
		return 0;
	*days = (r->now - t) / DAY_MS;
	return *days >= r->cfg->audit_archive_after_days;
}

static void
gzip_one(struct run *r, const char *id)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf b;
	int64_t days = 0;
	char det[256];
	int want;

	qmb_buf_init(&b, qmb_io_max_file());
	if (qmb_session_lock(r->p, id, &l, &e) == -1 ||
	    (want = gzip_wanted(r, id, &b, &days, &e)) == -1) {
		act(r, QMB_RA_GZIP, id, &e, "compress the audit trail of %s", id);
		goto out;
	}
	if (!want)
		goto out;
	if (qmb_ids_exists(r->p, QMB_D_ARCHIVE_AUDIT, id, ".audit.json.gz")) {
		act(r, QMB_RA_SKIP, id, NULL,
		    "skipped the audit trail of %s: .qmb/archive/audit/%s.audit.json.gz exists already",
		    id, id);
		goto out;
	}
	if (!r->o->dry_run) {
		if (gzip_locked(r, id, &b, &e) == -1) {
			act(r, QMB_RA_GZIP, id, &e,
			    "compress the audit trail of %s", id);
			goto out;
		}
		snprintf(det, sizeof(det),
		    "{\"session\":\"%s\",\"to\":\".qmb/archive/audit/%s.audit.json.gz\",\"age_days\":%lld}",
		    id, id, (long long)days);
		glog(r, QMB_INFO, "audit_archived", det);
	}
	act(r, QMB_RA_GZIP, id, NULL,
	    "%s the audit trail of %s (last entry %lld days ago) to .qmb/archive/audit/%s.audit.json.gz",
	    r->o->dry_run ? "would compress" : "compressed", id,
	    (long long)days, id);
out:
	qmb_buf_free(&b);
	qmb_lock_release(&l);
}

static void
trails(struct run *r)
{
	static const char *const sfx[] = { ".audit.json", NULL };
	struct qmb_err e = QMB_ERR_INIT;
	char **ids;
	size_t n, i;

	if (qmb_ids_list(r->p, QMB_D_AUDIT, sfx, &ids, &n, &e) == -1) {
		act(r, QMB_RA_SKIP, ".qmb/audit", &e, "read .qmb/audit");
		return;
	}
	for (i = 0; i < n; i++)
		if (archived_session(r->p, ids[i]))
			gzip_one(r, ids[i]);
	qmb_ids_free(ids, n);
}

int
qmb_retention_run(struct qmb_proj *p, const struct qmb_rotate_opts *o,
    struct qmb_err *err)
{
	struct run r;

	if (run_init(&r, p, o, err) == -1)
		return -1;
	sessions(&r, QMB_D_SESSIONS);
	sessions(&r, QMB_D_ARCHIVE_SESSIONS);
	trails(&r);
	return 0;
}

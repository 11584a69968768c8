/* SPDX-License-Identifier: MIT */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "qmb_clock.h"
#include "qmb_config.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_lock.h"
#include "qmb_log.h"

static const char *const level_names[] = { "DEBUG", "INFO", "WARN", "ERROR" };

int
qmb_level_parse(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	if (strcasecmp(s, "WARNING") == 0)
		return QMB_WARN;
	return -1;
}

const char *
qmb_level_name(enum qmb_level l)
{
	return level_names[l];
}

enum qmb_level
qmb_log_threshold(void)
{
	const char *s = getenv("QMB_LOG_LEVEL");
	int l;

	if (s == NULL || (l = qmb_level_parse(s)) == -1)
		return QMB_DEBUG;
	return (enum qmb_level)l;
}

int
qmb_log_redact_key(const char *key)
{
	static const char *const words[] = {
		"apikey", "password", "passwd", "secret", "token",
		"credential", "auth", "bearer",
	};
	char k[128];
	size_t i;

	size_t n = 0;

	/* "Pass-Word", "pass_word" and "PASSWORD" are the same name */
	for (i = 0; key[i] != '\0' && n < sizeof(k) - 1; i++)
		if (key[i] != '-' && key[i] != '_')
			k[n++] = (char)tolower((unsigned char)key[i]);
	k[n] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(k, words[i]) != NULL)
			return 1;
	return 0;
}

struct frame {
	const struct qmb_jv	*v;
	size_t			 i;
};

/* Write v like qmb_jw_value, with redacted members' values replaced. */
static void
write_redacted(struct qmb_jw *jw, const struct qmb_jv *root)
{
	struct frame st[QMB_JSON_DEPTH + 1];
	const struct qmb_jv *kid;
	int sp = 0;

	st[0].v = root;
	st[0].i = 0;
	qmb_jw_obj_begin(jw);
	while (sp >= 0) {
		struct frame *f = &st[sp];

		if (f->i == f->v->len) {
			if (f->v->type == QMB_JOBJ)
				qmb_jw_obj_end(jw);
			else
				qmb_jw_arr_end(jw);
			sp--;
			continue;
		}
		kid = &f->v->kids[f->i++];
		if (f->v->type == QMB_JOBJ)
			qmb_jw_key(jw, kid->key);
		if (f->v->type == QMB_JOBJ && qmb_log_redact_key(kid->key)) {
			qmb_jw_str(jw, "[REDACTED]");
		} else if ((kid->type == QMB_JOBJ || kid->type == QMB_JARR) &&
		    sp < QMB_JSON_DEPTH) {
			if (kid->type == QMB_JOBJ)
				qmb_jw_obj_begin(jw);
			else
				qmb_jw_arr_begin(jw);
			st[++sp].v = kid;
			st[sp].i = 0;
		} else {
			qmb_jw_value(jw, kid);
		}
	}
}

int
qmb_log_format(const struct qmb_logent *e, struct qmb_buf *out,
    struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_jw jw;
	char ts[QMB_TIME_LEN + 1];

	if (e->details != NULL && qmb_json_parse(e->details,
	    strlen(e->details), QMB_LOG_LINE_MAX, QMB_EXIT_USAGE, &doc,
	    err) == -1)
		return -1;
	if (doc.root != NULL && doc.root->type != QMB_JOBJ) {
		qmb_json_free(&doc);
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "log details must be a JSON object");
	}
	qmb_time_fmt(e->time ? e->time : qmb_now(), ts);
	qmb_buf_reset(out);
	out->max = QMB_LOG_LINE_MAX;
	qmb_jw_init(&jw, out, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "timestamp", ts);
	qmb_jw_kstr(&jw, "level", level_names[e->level]);
	qmb_jw_kstr(&jw, "session_id", e->session_id ? e->session_id : "system");
	if (e->stage != NULL)
		qmb_jw_kstr(&jw, "stage", e->stage);
	qmb_jw_kstr(&jw, "component", e->component);
	qmb_jw_kstr(&jw, "action", e->action);
	qmb_jw_key(&jw, "details");
	if (doc.root != NULL)
		write_redacted(&jw, doc.root);
	else {
		qmb_jw_obj_begin(&jw);
		qmb_jw_obj_end(&jw);
	}
	if (e->user_id != NULL)
		qmb_jw_kstr(&jw, "user_id", e->user_id);
	qmb_jw_obj_end(&jw);
	qmb_json_free(&doc);
	if (qmb_jw_finish(&jw) == -1 || qmb_buf_addc(out, '\n') == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "log entry too large (limit %u bytes)", QMB_LOG_LINE_MAX);
	return 0;
}

/* The rotation size and the number of files kept for logs/name. */
static void
limits(struct qmb_proj *p, const char *name, unsigned long long *max,
    int *keep)
{
	struct qmb_err e = QMB_ERR_INIT;
	const struct qmb_config *c = qmb_config_get(p, &e);
	int global = strcmp(name, "qmb.log") == 0;

	*max = QMB_LOG_MAX_SIZE;
	*keep = QMB_LOG_KEEP;
	if (c != NULL) {
		*max = global ? c->global_log_max_size : c->log_max_size;
		*keep = (int)c->log_keep;
	}
}

/*
 * Free space under min_free_disk: rotate keeping low_disk_keep files
 * and say so in the global log (once per rotation).
 */
static int
low_disk(struct qmb_proj *p, int dfd, int *keep)
{
	struct qmb_err e = QMB_ERR_INIT;
	const struct qmb_config *c = qmb_config_get(p, &e);
	struct statvfs vfs;

	if (c == NULL || fstatvfs(dfd, &vfs) == -1)
		return 0;
	if ((unsigned long long)vfs.f_bavail * vfs.f_frsize >= c->min_free_disk)
		return 0;
	if (*keep > c->low_disk_keep)
		*keep = (int)c->low_disk_keep;
	return 1;
}

static void
warn_low_disk(struct qmb_proj *p, int dfd, int keep)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_logent le = { 0 };
	struct statvfs vfs;
	char det[160];

	if (fstatvfs(dfd, &vfs) == -1)
		return;
	snprintf(det, sizeof(det), "{\"available\":%llu,\"keep\":%d}",
	    (unsigned long long)vfs.f_bavail * vfs.f_frsize, keep);
	le.level = QMB_WARN;
	le.component = "system";
	le.action = "low_disk_space";
	le.details = det;
	qmb_log_write(p, &le, &e);
}

/* Open the log for appending and check it is ours and alone. */
static int
open_log(struct qmb_proj *p, int dfd, const char *name, struct qmb_err *err)
{
	struct stat st;
	int fd;

	fd = qmb_io_openat(dfd, name, O_RDWR | O_APPEND | O_CREAT | O_NONBLOCK,
	    qmb_proj_fmode(p));
	if (fd == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "open '.qmb/logs/%s'", name);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_uid != geteuid()) {
		close(fd);
		return qmb_errf(err, QMB_EXIT_IO,
		    "'.qmb/logs/%s' is not a plain file of ours (link, FIFO or other owner); refusing to write",
		    name);
	}
	return fd;
}

static int
rotate_locked(int dfd, const char *name, int keep, mode_t mode,
    struct qmb_err *err)
{
	char from[NAME_MAX + 1], to[NAME_MAX + 1];
	int k, fd;

	/* the file is renamed only once its lines are on disk */
	if ((fd = qmb_io_openat(dfd, name, O_RDONLY | O_NONBLOCK, 0)) != -1) {
		if (qmb_io_fsync(fd) == -1) {
			qmb_errsys(err, QMB_EXIT_IO, "fsync '.qmb/logs/%s'", name);
			close(fd);
			return -1;
		}
		close(fd);
	}
	/* the oldest kept name, and any beyond it from a larger keep */
	for (k = 20; k >= keep; k--) {
		snprintf(from, sizeof(from), "%s.%d", name, k);
		if (qmb_io_unlinkat(dfd, from, 0) == -1 && errno != ENOENT)
			return qmb_errsys(err, QMB_EXIT_IO, "remove '%s'", from);
	}
	for (k = keep - 1; k >= 0; k--) {
		if (k == 0)
			snprintf(from, sizeof(from), "%s", name);
		else
			snprintf(from, sizeof(from), "%s.%d", name, k);
		snprintf(to, sizeof(to), "%s.%d", name, k + 1);
		if (qmb_io_renameat(dfd, from, to) == -1 && errno != ENOENT)
			return qmb_errsys(err, QMB_EXIT_IO, "rename '%s'", from);
	}
	fd = qmb_io_openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd == -1 && errno != EEXIST)
		return qmb_errsys(err, QMB_EXIT_IO, "create '%s'", name);
	if (fd != -1)
		close(fd);
	return qmb_dir_sync(dfd, ".qmb/logs", err);
}

static int
take_log_lock(struct qmb_proj *p, int dfd, const char *name, int op,
    struct qmb_lock *l, struct qmb_err *err)
{
	char lk[NAME_MAX + 1], what[NAME_MAX + 32];

	if (qmb_path_fmt(lk, sizeof(lk), err, "%s.lock", name) == -1)
		return -1;
	snprintf(what, sizeof(what), "log '%s'", name);
	return qmb_lock_take(l, dfd, lk, op, qmb_lock_wait_ms(),
	    qmb_proj_fmode(p), what, err);
}

int
qmb_log_rotate(struct qmb_proj *p, const char *name, int keep,
    struct qmb_err *err)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	int dfd, rc;

	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 1, err)) == -1)
		return -1;
	if (take_log_lock(p, dfd, name, LOCK_EX, &l, err) == -1)
		return -1;
	rc = rotate_locked(dfd, name, keep, qmb_proj_fmode(p), err);
	qmb_lock_release(&l);
	return rc;
}

/* After an append took the file past max: rotate if still needed. */
static int
maybe_rotate(struct qmb_proj *p, int dfd, const char *name,
    struct qmb_lock *l, struct qmb_err *err)
{
	unsigned long long max;
	struct stat st;
	int keep, low, rc;

	limits(p, name, &max, &keep);

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    (unsigned long long)st.st_size < max)
		return 0;
	/* flock conversion is not atomic: look again once exclusive */
	flock(l->fd, LOCK_UN);
	if (qmb_lock_convert(l, LOCK_EX, qmb_lock_wait_ms(), name, err) == -1)
		return -1;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    (unsigned long long)st.st_size < max)
		return 0;
	low = low_disk(p, dfd, &keep);
	rc = rotate_locked(dfd, name, keep, qmb_proj_fmode(p), err);
	if (low && rc == 0) {
		/* the global log's own lock: release ours first */
		qmb_lock_release(l);
		warn_low_disk(p, dfd, keep);
	}
	return rc;
}

/*
 * One write(2) of line.  A log that does not end in a newline (a line
 * torn by a crash, a fragment someone appended) gets one first, so the
 * new line stands on its own and the fragment stays a fragment that
 * readers skip.  Returns the bytes of line written, as write(2).
 */
static ssize_t
write_line(int fd, const char *line, size_t len)
{
	struct stat st;
	char last, *b;
	ssize_t w;

	if (fstat(fd, &st) == -1 || st.st_size == 0 ||
	    pread(fd, &last, 1, st.st_size - 1) != 1 || last == '\n')
		return qmb_io_write(fd, line, len);
	if ((b = malloc(len + 1)) == NULL)
		return -1;
	b[0] = '\n';
	memcpy(b + 1, line, len);
	w = qmb_io_write(fd, b, len + 1);
	free(b);
	return w > 0 ? w - 1 : w;
}

int
qmb_log_append(struct qmb_proj *p, const char *name, const char *line,
    size_t len, struct qmb_err *err)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	ssize_t w;
	int dfd, fd, rc = 0;

	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 1, err)) == -1)
		return -1;
	if (take_log_lock(p, dfd, name, LOCK_SH, &l, err) == -1)
		return -1;
	if ((fd = open_log(p, dfd, name, err)) == -1) {
		qmb_lock_release(&l);
		return -1;
	}
	w = write_line(fd, line, len);
	if (w != (ssize_t)len) {
		rc = w == -1 ? qmb_errsys(err, QMB_EXIT_IO,
		    "write '.qmb/logs/%s'", name) : qmb_errf(err, QMB_EXIT_IO,
		    "write '.qmb/logs/%s': short write (disk full?)", name);
		/* end the torn fragment so the next line starts clean */
		if (w > 0 && write(fd, "\n", 1) < 0)
			(void)0;
	}
	close(fd);
	if (rc == 0)
		rc = maybe_rotate(p, dfd, name, &l, err);
	qmb_lock_release(&l);
	return rc;
}

int
qmb_log_write(struct qmb_proj *p, const struct qmb_logent *e,
    struct qmb_err *err)
{
	struct qmb_buf line;
	char name[NAME_MAX + 1];
	int rc;

	if (e->level < qmb_log_threshold())
		return 0;
	qmb_buf_init(&line, QMB_LOG_LINE_MAX);
	if (qmb_log_format(e, &line, err) == -1) {
		qmb_buf_free(&line);
		return -1;
	}
	if (e->session_id != NULL)
		snprintf(name, sizeof(name), "%s.log", e->session_id);
	else
		snprintf(name, sizeof(name), "qmb.log");
	rc = qmb_log_append(p, name, line.data, line.len, err);
	if (e->session_id != NULL && e->level >= QMB_WARN &&
	    qmb_log_append(p, "qmb.log", line.data, line.len, err) == -1)
		rc = -1;
	qmb_buf_free(&line);
	return rc;
}

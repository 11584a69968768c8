/* SPDX-License-Identifier: MIT */
/*
 * Invariant: NAME is only ever replaced by renameat() of a file that was
 * completely written and fsync'ed; nothing here removes or truncates NAME.
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_buf.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_paths.h"

/* Write all of data to a new file dfd/tmp and fsync it; 0 or -1. */
static int
write_new(int dfd, const char *tmp, const char *label, const void *data,
    size_t len, mode_t mode, struct qmb_err *err)
{
	int fd, rc = -1;

	fd = qmb_io_openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "create '%s'", label);
	if (fchmod(fd, mode) == -1)
		qmb_errsys(err, QMB_EXIT_IO, "chmod '%s'", label);
	else if (qmb_io_write_all(fd, data, len) == -1)
		qmb_errsys(err, QMB_EXIT_IO, "write '%s'", label);
	else if (qmb_io_fsync(fd) == -1)
		qmb_errsys(err, QMB_EXIT_IO, "fsync '%s'", label);
	else
		rc = 0;
	if (close(fd) == -1 && rc == 0)
		rc = qmb_errsys(err, QMB_EXIT_IO, "close '%s'", label);
	return rc;
}

int
qmb_atomic_write(int dfd, const char *name, const void *data, size_t len,
    mode_t mode, struct qmb_err *err)
{
	char tmp[NAME_MAX + 1];
	unsigned int r;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (unsigned)getpid() ^ (unsigned)qmb_now();
		if (qmb_path_fmt(tmp, sizeof(tmp), err, ".%.200s.%08x.tmp", name,
		    r) == -1)
			return -1;
		if (write_new(dfd, tmp, name, data, len, mode, err) == 0)
			break;
		qmb_io_unlinkat(dfd, tmp, 0);
		if (err->sys != EEXIST)
			return -1;
	}
	if (tries == 8)
		return -1;
	if (qmb_io_renameat(dfd, tmp, name) == -1) {
		qmb_errsys(err, QMB_EXIT_IO, "rename '%s'", name);
		qmb_io_unlinkat(dfd, tmp, 0);
		return -1;
	}
	return qmb_dir_sync(dfd, name, err);
}

int
qmb_atomic_create(int dfd, const char *name, const void *data, size_t len,
    mode_t mode, struct qmb_err *err)
{
	if (write_new(dfd, name, name, data, len, mode, err) == -1) {
		if (err->sys != EEXIST)
			qmb_io_unlinkat(dfd, name, 0);
		return -1;
	}
	return qmb_dir_sync(dfd, name, err);
}

int
qmb_atomic_keep_corrupt(int dfd, const char *name, int corruptfd, int move,
    char *kept, struct qmb_err *err)
{
	char ts[QMB_TIME_LEN + 1], dst[NAME_MAX + 1];
	int rc, n;

	qmb_time_fmt(qmb_now(), ts);
	for (n = 0; n < 100; n++) {
		if (qmb_path_fmt(dst, sizeof(dst), err, n ? "%.180s.corrupt-%s-%d" :
		    "%.180s.corrupt-%s", name, ts, n) == -1)
			return -1;
		rc = move ? (faccessat(corruptfd, dst, F_OK,
		    AT_SYMLINK_NOFOLLOW) == 0 ? (errno = EEXIST, -1) :
		    qmb_io_renameat2(dfd, name, corruptfd, dst)) :
		    qmb_io_linkat(dfd, name, corruptfd, dst);
		if (rc == 0)
			break;
		if (errno != EEXIST)
			return qmb_errsys(err, QMB_EXIT_IO,
			    "keep damaged '%s' in .qmb/corrupt", name);
	}
	if (n == 100)
		return qmb_errf(err, QMB_EXIT_IO,
		    "keep damaged '%s': too many copies", name);
	if (kept != NULL)
		snprintf(kept, PATH_MAX, ".qmb/corrupt/%s", dst);
	return qmb_dir_sync(corruptfd, ".qmb/corrupt", err);
}

static enum qmb_cur
probe(const struct qmb_save *s, struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_err e2 = QMB_ERR_INIT;
	enum qmb_cur c;

	qmb_buf_init(&b, qmb_io_max_file());
	if (qmb_io_read_file(s->dfd, s->name, b.max, QMB_EXIT_CORRUPT, &b,
	    &e2) == -1)
		c = e2.code == QMB_EXIT_NOTFOUND ? QMB_CUR_MISSING :
		    e2.code == QMB_EXIT_CORRUPT ? QMB_CUR_INVALID :
		    QMB_CUR_UNKNOWN;
	else
		c = s->valid != NULL && s->valid(b.data, b.len) ?
		    QMB_CUR_VALID : QMB_CUR_INVALID;
	qmb_buf_free(&b);
	if (c == QMB_CUR_UNKNOWN)
		*err = e2;
	return c;
}

/* 1 when dfd/a and dfd/b are links to one file. */
static int
same_file(int dfd, const char *a, const char *b)
{
	struct stat sa, sb;

	return fstatat(dfd, a, &sa, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(dfd, b, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Step 3: keep the current version as .bak, or a damaged one as corrupt. */
static int
backup(const struct qmb_save *s, enum qmb_cur cur, struct qmb_err *err)
{
	char bak[NAME_MAX + 1], baktmp[NAME_MAX + 1];

	if (cur == QMB_CUR_MISSING)
		return 0;
	if (cur == QMB_CUR_INVALID)
		return s->corruptfd == -1 ? 0 :
		    qmb_atomic_keep_corrupt(s->dfd, s->name, s->corruptfd, 0,
		    NULL, err);
	if (qmb_path_fmt(bak, sizeof(bak), err, "%s.bak", s->name) == -1 ||
	    qmb_path_fmt(baktmp, sizeof(baktmp), err, "%s.bak.tmp",
	    s->name) == -1)
		return -1;
	if (qmb_io_unlinkat(s->dfd, baktmp, 0) == -1 && errno != ENOENT)
		return qmb_errsys(err, QMB_EXIT_IO, "remove '%s'", baktmp);
	/*
	 * A save killed between its two renames leaves NAME and NAME.bak
	 * as links to one file: that is the backup already, and renaming a
	 * link over another link to the same file would do nothing and
	 * leave NAME.bak.tmp behind.
	 */
	if (same_file(s->dfd, s->name, bak))
		return 0;
	if (qmb_io_linkat(s->dfd, s->name, s->dfd, baktmp) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "link '%s'", baktmp);
	if (qmb_io_renameat(s->dfd, baktmp, bak) == -1) {
		qmb_errsys(err, QMB_EXIT_IO, "rename '%s'", bak);
		qmb_io_unlinkat(s->dfd, baktmp, 0);
		return -1;
	}
	return 0;
}

int
qmb_atomic_save(const struct qmb_save *s, const void *data, size_t len,
    struct qmb_err *err)
{
	char tmp[NAME_MAX + 1];
	enum qmb_cur cur = s->cur;

	if (qmb_path_fmt(tmp, sizeof(tmp), err, "%s.tmp", s->name) == -1)
		return -1;
	if (qmb_io_unlinkat(s->dfd, tmp, 0) == -1 && errno != ENOENT)
		return qmb_errsys(err, QMB_EXIT_IO, "remove stale '%s'", tmp);
	if (write_new(s->dfd, tmp, tmp, data, len, s->mode, err) == -1)
		goto fail;
	if (cur == QMB_CUR_UNKNOWN && (cur = probe(s, err)) == QMB_CUR_UNKNOWN)
		goto fail;
	if (backup(s, cur, err) == -1)
		goto fail;
	if (qmb_io_renameat(s->dfd, tmp, s->name) == -1) {
		qmb_errsys(err, QMB_EXIT_IO, "rename '%s'", s->name);
		goto fail;
	}
	if (s->replaced != NULL)
		*s->replaced = 1;
	return qmb_dir_sync(s->dfd, s->name, err);
fail:
	qmb_io_unlinkat(s->dfd, tmp, 0);
	return -1;
}

/* SPDX-License-Identifier: MIT */
#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_clock.h"
#include "qmb_config.h"
#include "qmb_io.h"
#include "qmb_mirror.h"
#include "qmb_sha256.h"
#include "qmb_tail.h"
#include "qmb_trailrd.h"

/* name-HASH: the project folder's name, readable, and its path's hash. */
static void
project_key(const char *root, char *key, size_t n)
{
	char hex[QMB_SHA256_HEX + 1], name[65];
	const char *base = strrchr(root, '/');
	size_t i, j;

	base = base != NULL && base[1] != '\0' ? base + 1 : "project";
	for (i = j = 0; base[i] != '\0' && j < sizeof(name) - 1; i++, j++) {
		int ok = isalnum((unsigned char)base[i]) || base[i] == '-' ||
		    base[i] == '_' || (base[i] == '.' && j > 0);

		name[j] = ok ? base[i] : '_';
	}
	name[j] = '\0';
	qmb_sha256(root, strlen(root), hex);
	snprintf(key, n, "%s-%.16s", name, hex);
}

int
qmb_mirror_folder(struct qmb_proj *p, char *out, size_t n, int *deflt,
    struct qmb_err *err)
{
	const struct qmb_config *c = qmb_config_get(p, err);
	const char *base = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char key[128];
	int len;

	if (c == NULL)
		return -1;
	out[0] = '\0';
	*deflt = c->audit_mirror[0] == '\0';
	if (strcmp(c->audit_mirror, "off") == 0)
		return 0;
	if (c->audit_mirror[0] != '\0') {
		if (c->audit_mirror[0] == '/')
			len = snprintf(out, n, "%s", c->audit_mirror);
		else
			len = snprintf(out, n, "%s/%s", p->root, c->audit_mirror);
	} else {
		project_key(p->root, key, sizeof(key));
		if (base != NULL && base[0] == '/')
			len = snprintf(out, n, "%s/qmb/mirror/%s", base, key);
		else if (home != NULL && home[0] == '/')
			len = snprintf(out, n, "%s/.local/state/qmb/mirror/%s",
			    home, key);
		else
			return qmb_errf(err, QMB_EXIT_IO,
			    "no folder for the audit mirror: set HOME or XDG_STATE_HOME, or audit_mirror (off to go without)");
	}
	if (len < 0 || (size_t)len >= n)
		return qmb_errf(err, QMB_EXIT_IO, "audit mirror path too long");
	return 0;
}

/* mkdir -p, each new folder 0700. */
static int
make_dirs(char *path)
{
	char *s;

	for (s = path + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return mkdir(path, 0700) == -1 && errno != EEXIST ? -1 : 0;
}

/* The mirror folder's descriptor, or -2 when the mirror is off. */
static int
mirror_dir(struct qmb_proj *p, int create, int *deflt, struct qmb_err *err)
{
	char path[PATH_MAX];
	int fd;

	if (qmb_mirror_folder(p, path, sizeof(path), deflt, err) == -1)
		return -1;
	if (path[0] == '\0')
		return -2;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && create) {
		if (make_dirs(path) == -1)
			return qmb_errsys(err, QMB_EXIT_IO,
			    "mkdir audit mirror '%s'", path);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd == -1)
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "audit mirror '%s'", path);
	return fd;
}

/*
 * Cut a fragment left by a crash mid-append, so lines stay whole.  The
 * mirror is a copy: the fragment is not kept (the trail's own is).
 */
static int
cut_fragment(int fd)
{
	off_t size, start;

	if (!qmb_tail_torn(fd, &size))
		return 0;
	if (qmb_tail_line_start(fd, size, &start) == -1)
		return -1;
	return qmb_io_ftruncate(fd, start);
}

static long long seq_of(const char *, size_t);

/*
 * A trail that starts again (entry 1: a session made anew by a repair)
 * does not extend the copy: the copy is kept beside, as
 * ID.audit.json.replaced-TIME, never deleted, and a new one begins.
 */
static int
keep_aside(int dfd, const char *name, const char *id, struct qmb_err *err)
{
	char kept[NAME_MAX + 1], ts[QMB_TIME_LEN + 1];
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    st.st_size == 0)
		return 0;
	qmb_time_fmt(qmb_now(), ts);
	snprintf(kept, sizeof(kept), "%.64s.audit.json.replaced-%s", id, ts);
	if (renameat(dfd, name, dfd, kept) == -1)
		return qmb_errsys(err, QMB_EXIT_IO,
		    "keep the audit mirror's earlier copy of '%s'", id);
	return 0;
}

/*
 * The seq of the mirror's last line (fd whole, not torn), 0 when empty,
 * -1 on a read error.
 */
static long long
last_seq(int fd)
{
	char buf[32];
	struct stat st;
	off_t start;
	ssize_t n;

	if (fstat(fd, &st) == -1)
		return -1;
	if (st.st_size == 0)
		return 0;
	if (qmb_tail_line_start(fd, st.st_size - 1, &start) == -1)
		return -1;
	if ((n = pread(fd, buf, sizeof(buf), start)) == -1)
		return -1;
	return seq_of(buf, (size_t)n);
}

/*
 * The mirror stays a prefix of the trail: an entry is written only right
 * after the one before it.  After a failed mirror write the copy stays
 * behind (verify names the first entry it lacks) rather than gaining
 * entries out of order, which would read as a rewritten trail.
 */
static int
in_order(int fd, const char *id, long long seq, struct qmb_err *err)
{
	long long last;

	if (seq <= 1)
		return 0;
	if ((last = last_seq(fd)) == -1)
		return qmb_errsys(err, QMB_EXIT_IO,
		    "read the audit mirror of '%s'", id);
	if (last == 0 || last == seq - 1)
		return 0;
	return qmb_errf(err, QMB_EXIT_IO,
	    "the audit mirror of '%s' ends at entry %lld, so entry %lld is not copied; it stays behind from entry %lld (qmb-audit verify shows it)",
	    id, last, seq, last + 1);
}

/* Append line and its newline, sync; *at is where it began. */
static int
write_line(int fd, const char *line, size_t len, int64_t *at)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	*at = st.st_size;
	if (qmb_io_write_all(fd, line, len) == -1 ||
	    qmb_io_write_all(fd, "\n", 1) == -1)
		return -1;
	return qmb_io_fdatasync(fd);
}

int
qmb_mirror_append(struct qmb_proj *p, const char *id, const char *line,
    size_t len, int64_t *at, struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	struct stat st;
	int dfd, fd, rc = -1, deflt;

	*at = -1;
	if ((dfd = mirror_dir(p, 1, &deflt, err)) == -2)
		return 0;
	if (dfd == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.audit.json", id);
	if (seq_of(line, len) == 1 && keep_aside(dfd, name, id, err) == -1) {
		close(dfd);
		return -1;
	}
	fd = qmb_io_openat(dfd, name, O_RDWR | O_APPEND | O_CREAT | O_NONBLOCK,
	    qmb_proj_fmode(p));
	if (fd == -1) {
		qmb_errsys(err, QMB_EXIT_IO, "open audit mirror of '%s'", id);
		close(dfd);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_nlink != 1)
		qmb_errf(err, QMB_EXIT_IO,
		    "audit mirror of '%s' is not a plain file; refusing to write", id);
	else if (cut_fragment(fd) == -1)
		qmb_errsys(err, QMB_EXIT_IO, "append to audit mirror of '%s'", id);
	else if (in_order(fd, id, seq_of(line, len), err) == -1)
		;
	else if (write_line(fd, line, len, at) == -1)
		qmb_errsys(err, QMB_EXIT_IO, "append to audit mirror of '%s'", id);
	else if (*at == 0 && qmb_dir_sync(dfd, "audit mirror", err) == -1)
		;
	else
		rc = 0;
	close(fd);
	close(dfd);
	return rc;
}

int
qmb_mirror_restart(struct qmb_proj *p, const char *id, struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	struct qmb_trailrd t;
	const char *line;
	size_t len;
	int dfd, fd, deflt, rc;

	if ((dfd = mirror_dir(p, 1, &deflt, err)) == -2)
		return 0;
	if (dfd == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.audit.json", id);
	if (keep_aside(dfd, name, id, err) == -1) {
		close(dfd);
		return -1;
	}
	if (qmb_trailrd_open(p, id, QMB_TRAILRD_LIVE, &t, err) == -1) {
		close(dfd);
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	}
	fd = qmb_io_openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND,
	    qmb_proj_fmode(p));
	rc = fd == -1 ? -1 : 1;
	while (rc == 1 && (rc = qmb_trailrd_next(&t, &line, &len, err)) == 1)
		if (qmb_io_write_all(fd, line, len) == -1 ||
		    qmb_io_write_all(fd, "\n", 1) == -1)
			rc = -1;
	qmb_trailrd_close(&t);
	if (rc == 0 && (qmb_io_fdatasync(fd) == -1 ||
	    qmb_dir_sync(dfd, "audit mirror", err) == -1))
		rc = -1;
	if (rc == -1 && err->msg[0] == '\0')
		qmb_errsys(err, QMB_EXIT_IO, "copy the trail of '%s' to the audit mirror",
		    id);
	if (fd != -1)
		close(fd);
	close(dfd);
	return rc == -1 ? -1 : 0;
}

int
qmb_mirror_takeback(struct qmb_proj *p, const char *id, int64_t at,
    struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	int dfd, fd, rc = 0, deflt;

	if ((dfd = mirror_dir(p, 0, &deflt, err)) == -2)
		return 0;
	if (dfd == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.audit.json", id);
	fd = qmb_io_openat(dfd, name, O_RDWR | O_NONBLOCK, 0);
	if (fd == -1 || qmb_io_ftruncate(fd, (off_t)at) == -1 ||
	    qmb_io_fdatasync(fd) == -1)
		rc = qmb_errsys(err, QMB_EXIT_IO,
		    "take back the withdrawn entry from the audit mirror of '%s'",
		    id);
	if (fd != -1)
		close(fd);
	close(dfd);
	return rc;
}

static void
say(char *what, size_t n, const char *msg, long long seq)
{
	snprintf(what, n, msg, seq);
}

/* The seq a line names, or 0. */
static long long
seq_of(const char *line, size_t len)
{
	char num[24];
	size_t i;

	if (len < 8 || memcmp(line, "{\"seq\":", 7) != 0)
		return 0;
	for (i = 0; i + 7 < len && i < sizeof(num) - 1 &&
	    line[7 + i] >= '0' && line[7 + i] <= '9'; i++)
		num[i] = line[7 + i];
	num[i] = '\0';
	return strtoll(num, NULL, 10);
}

/* Lines left in a reader (a torn last one not counted). */
static long long
count_rest(struct qmb_trailrd *t, struct qmb_err *err)
{
	const char *l;
	size_t n;
	long long c = 0;
	int rc;

	while ((rc = qmb_trailrd_next(t, &l, &n, err)) == 1)
		c++;
	return rc == -1 ? -1 : c;
}

/* The next whole line: 1, or 0 at the end (a torn last line is no line). */
static int
next_line(struct qmb_trailrd *t, const char **l, size_t *n, struct qmb_err *err)
{
	int rc = qmb_trailrd_next(t, l, n, err);

	return rc == 2 ? 0 : rc;
}

/*
 * Walk the trail up to the mirror's first entry (the mirror may start
 * later), then both in step.  0 with *cmp and what set, or -1.
 */
static int
compare(struct qmb_trailrd *tr, struct qmb_trailrd *mr, enum qmb_mirror_cmp *cmp,
    char *what, size_t ws, struct qmb_err *err)
{
	const char *tl, *ml;
	size_t tn, mn;
	long long first, seq;
	int trc, mrc;

	if ((mrc = next_line(mr, &ml, &mn, err)) <= 0)
		return mrc == -1 ? -1 : (say(what, ws,
		    "the mirror's copy of this trail is empty", 0), 0);
	first = seq_of(ml, mn);
	for (seq = 1;; seq++) {
		if ((trc = next_line(tr, &tl, &tn, err)) == -1)
			return -1;
		if (trc == 0) {
			say(what, ws, "the mirror holds entries the trail lacks, "
			    "from seq %lld (trail cut short?)", seq);
			return 0;
		}
		if (seq >= first || (tn == mn && memcmp(tl, ml, mn) == 0))
			break;
	}
	for (;; seq++) {
		if (tn != mn || memcmp(tl, ml, mn) != 0) {
			say(what, ws, seq == first && first > 1 ? "the mirror's "
			    "first entry (seq %lld) is not the trail's" :
			    "the mirror differs from the trail at seq %lld", seq);
			return 0;
		}
		if ((trc = next_line(tr, &tl, &tn, err)) == -1 ||
		    (mrc = next_line(mr, &ml, &mn, err)) == -1)
			return -1;
		if (trc == 0 && mrc == 0)
			break;
		if (trc == 0 || mrc == 0) {
			say(what, ws, trc == 0 ? "the mirror holds entries the "
			    "trail lacks, from seq %lld (trail cut short?)" :
			    "the trail holds entries the mirror lacks, from seq "
			    "%lld (added outside qmb, or a mirror write failed: "
			    "see mirror_failed in qmb.log)", seq + 1);
			return 0;
		}
	}
	*cmp = QMB_MIRROR_SAME;
	return 0;
}

int
qmb_mirror_compare(struct qmb_proj *p, const char *id, enum qmb_mirror_cmp *cmp,
    char *what, size_t wsize, struct qmb_err *err)
{
	struct qmb_trailrd mr, tr;
	char name[NAME_MAX + 1], path[NAME_MAX + 32];
	long long n;
	int dfd, fd, rc, deflt = 0;

	*cmp = QMB_MIRROR_NONE;
	what[0] = '\0';
	if ((dfd = mirror_dir(p, 0, &deflt, err)) == -2)
		return 0;
	/*
	 * The default mirror has no copy of trails written before it was
	 * on, elsewhere or by another user: not anchored, not different.
	 * A mirror set by hand is expected to hold every trail.
	 */
	*cmp = deflt ? QMB_MIRROR_ABSENT : QMB_MIRROR_DIFFERS;
	if (dfd == -1) {
		if (err->code != QMB_EXIT_NOTFOUND)
			return -1;
		say(what, wsize, "the audit mirror folder is missing", 0);
		return 0;
	}
	snprintf(name, sizeof(name), "%s.audit.json", id);
	snprintf(path, sizeof(path), "audit mirror of '%s'", id);
	fd = qmb_io_openat(dfd, name, O_RDONLY | O_NONBLOCK, 0);
	close(dfd);
	if (fd == -1) {
		if (errno != ENOENT)
			return qmb_errsys(err, QMB_EXIT_IO, "open %s", path);
		say(what, wsize, "the mirror has no copy of this trail", 0);
		return 0;
	}
	*cmp = QMB_MIRROR_DIFFERS;
	qmb_trailrd_fdopen(&mr, fd, path);
	if (qmb_trailrd_open(p, id, 0, &tr, err) == -1) {
		rc = -1;
		if (err->code == QMB_EXIT_NOTFOUND &&
		    (n = count_rest(&mr, err)) >= 0) {
			rc = 0;
			if (n == 0)
				*cmp = QMB_MIRROR_NONE;
			else
				say(what, wsize, "the trail is missing; the "
				    "mirror holds %lld entries", n);
		}
		qmb_trailrd_close(&mr);
		return rc;
	}
	rc = compare(&tr, &mr, cmp, what, wsize, err);
	qmb_trailrd_close(&tr);
	qmb_trailrd_close(&mr);
	return rc;
}

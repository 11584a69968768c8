/* SPDX-License-Identifier: MIT */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qmb_config.h"
#include "qmb_io.h"
#include "qmb_mirror.h"
#include "qmb_tail.h"

/* The mirror folder's descriptor, or -2 when none is configured. */
static int
mirror_dir(struct qmb_proj *p, int create, struct qmb_err *err)
{
	const struct qmb_config *c = qmb_config_get(p, err);
	int fd;

	if (c == NULL)
		return -1;
	if (c->audit_mirror[0] == '\0')
		return -2;
	fd = openat(p->rootfd, c->audit_mirror, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && create) {
		if (mkdirat(p->rootfd, c->audit_mirror, 0700) == -1 &&
		    errno != EEXIST)
			return qmb_errsys(err, QMB_EXIT_IO, "mkdir audit mirror '%s'",
			    c->audit_mirror);
		fd = openat(p->rootfd, c->audit_mirror,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd == -1)
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "audit mirror '%s'", c->audit_mirror);
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
	int dfd, fd, rc = -1;

	*at = -1;
	if ((dfd = mirror_dir(p, 1, err)) == -2)
		return 0;
	if (dfd == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.audit.json", id);
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
	else if (cut_fragment(fd) == -1 || write_line(fd, line, len, at) == -1)
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
qmb_mirror_takeback(struct qmb_proj *p, const char *id, int64_t at,
    struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	int dfd, fd, rc = 0;

	if ((dfd = mirror_dir(p, 0, err)) == -2)
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
say(char *what, size_t n, const char *msg, long seq)
{
	snprintf(what, n, msg, seq);
}

int
qmb_mirror_compare(struct qmb_proj *p, const char *id, const char *trail,
    size_t len, enum qmb_mirror_cmp *cmp, char *what, size_t wsize,
    struct qmb_err *err)
{
	struct qmb_buf m;
	char name[NAME_MAX + 1];
	const char *first, *at;
	size_t flen;
	long seq;
	int dfd, rc;

	*cmp = QMB_MIRROR_NONE;
	what[0] = '\0';
	if ((dfd = mirror_dir(p, 0, err)) == -2)
		return 0;
	if (dfd == -1)
		return err->code == QMB_EXIT_NOTFOUND ? (*cmp = QMB_MIRROR_DIFFERS,
		    say(what, wsize, "the audit mirror folder is missing", 0), 0) : -1;
	snprintf(name, sizeof(name), "%s.audit.json", id);
	qmb_buf_init(&m, qmb_io_max_file());
	rc = qmb_io_read_file(dfd, name, m.max, QMB_EXIT_CORRUPT, &m, err);
	close(dfd);
	*cmp = QMB_MIRROR_DIFFERS;
	if (rc == -1) {
		qmb_buf_free(&m);
		if (err->code != QMB_EXIT_NOTFOUND)
			return -1;
		say(what, wsize, "the mirror has no copy of this trail", 0);
		return 0;
	}
	if (len == 0 && m.len > 0) {
		for (seq = 0, flen = 0; flen < m.len; flen++)
			seq += m.data[flen] == '\n';
		say(what, wsize, "the trail is missing; the mirror holds %ld entries",
		    seq);
		qmb_buf_free(&m);
		return 0;
	}
	first = m.data;
	flen = (memchr(m.data, '\n', m.len) ? (size_t)((char *)memchr(m.data,
	    '\n', m.len) - m.data) + 1 : m.len);
	at = flen > 0 ? memmem(trail, len, first, flen) : trail;
	if (at == NULL || (at != trail && at[-1] != '\n')) {
		say(what, wsize, "the mirror's first entry is not in the trail", 0);
	} else {
		size_t off = (size_t)(at - trail), i, n = len - off;

		for (i = 0; i < n && i < m.len && at[i] == m.data[i]; i++)
			;
		for (seq = 1; at > trail && trail < at; trail++)
			seq += *trail == '\n';
		for (size_t j = 0; j < i; j++)
			seq += at[j] == '\n';
		if (i == n && i == m.len)
			*cmp = QMB_MIRROR_SAME;
		else if (i == m.len)
			say(what, wsize, "the mirror lacks entries from seq %ld", seq);
		else if (i == n)
			say(what, wsize, "the mirror holds entries the trail lacks, from seq %ld (trail cut short?)", seq);
		else
			say(what, wsize, "the mirror differs from the trail at seq %ld", seq);
	}
	qmb_buf_free(&m);
	return 0;
}

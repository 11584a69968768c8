/* SPDX-License-Identifier: MIT */
/*
 * Invariant: buf[beg..end) holds the bytes read but not yet returned;
 * a line is returned only once its newline is in the buffer (or at the
 * end of the source), so the buffer never holds more than one line and
 * one read's worth.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "qmb_io.h"
#include "qmb_trailrd.h"

#define CHUNK	65536

static void
init(struct qmb_trailrd *t, int fd, const char *path)
{
	memset(t, 0, sizeof(*t));
	t->fd = fd;
	t->maxline = qmb_io_max_file() + 1024;
	snprintf(t->path, sizeof(t->path), "%s", path);
}

void
qmb_trailrd_fdopen(struct qmb_trailrd *t, int fd, const char *path)
{
	init(t, fd, path);
}

static int
open_plain(int dfd, const char *name, int *fdp, struct qmb_err *err)
{
	struct stat st;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			return qmb_errf(err, QMB_EXIT_IO,
			    "open '%s': refusing to follow a symbolic link", name);
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "open '%s'", name);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return qmb_errf(err, QMB_EXIT_IO, "'%s' is not a regular file",
		    name);
	}
	*fdp = fd;
	return 0;
}

int
qmb_trailrd_openat(struct qmb_trailrd *t, int dfd, const char *name,
    const char *path, int gz, struct qmb_err *err)
{
	int fd;

	init(t, -1, path);
	if (open_plain(dfd, name, &fd, err) == -1)
		return -1;
	init(t, fd, path);
	if (gz && (t->gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		t->fd = -1;
		return qmb_errf(err, QMB_EXIT_IO, "open '%s': out of memory", path);
	}
	t->archived = gz;
	return 0;
}

int
qmb_trailrd_open(struct qmb_proj *p, const char *id, int flags,
    struct qmb_trailrd *t, struct qmb_err *err)
{
	char name[NAME_MAX + 1], path[320];
	int dfd, fd;

	init(t, -1, "");
	if (qmb_id_check(id, err) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.audit.json", id);
	snprintf(path, sizeof(path), ".qmb/audit/%s", name);
	if ((dfd = qmb_proj_dir(p, QMB_D_AUDIT, 0, err)) != -1 &&
	    open_plain(dfd, name, &fd, err) == 0) {
		init(t, fd, path);
		return 0;
	}
	if (err->code != QMB_EXIT_NOTFOUND || (flags & QMB_TRAILRD_LIVE))
		return -1;
	snprintf(name, sizeof(name), "%s.audit.json.gz", id);
	snprintf(path, sizeof(path), ".qmb/archive/audit/%s", name);
	if ((dfd = qmb_proj_dir(p, QMB_D_ARCHIVE_AUDIT, 0, err)) == -1 ||
	    open_plain(dfd, name, &fd, err) == -1) {
		if (err->code == QMB_EXIT_NOTFOUND)
			qmb_errf(err, QMB_EXIT_NOTFOUND,
			    "no audit trail for session '%s'", id);
		return -1;
	}
	init(t, fd, path);
	if ((t->gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		t->fd = -1;
		return qmb_errf(err, QMB_EXIT_IO, "open '%s': out of memory", path);
	}
	t->archived = 1;
	return 0;
}

/* Read more bytes after end; 0 at the end of the source. */
static ssize_t
fill(struct qmb_trailrd *t, struct qmb_err *err)
{
	ssize_t n;

	if (t->beg > 0 && t->beg == t->end)
		t->beg = t->end = 0;
	if (t->cap - t->end < CHUNK) {
		if (t->beg > 0) {
			memmove(t->buf, t->buf + t->beg, t->end - t->beg);
			t->end -= t->beg;
			t->beg = 0;
		}
		if (t->cap - t->end < CHUNK) {
			size_t ncap = t->cap ? t->cap * 2 : 4 * CHUNK;
			char *nb;

			if (t->end > t->maxline)
				return qmb_errf(err, QMB_EXIT_CORRUPT,
				    "'%s': entry %lld is larger than %zu bytes (see QMB_MAX_FILE)",
				    t->path, (long long)t->lines + 1, t->maxline);
			if ((nb = realloc(t->buf, ncap)) == NULL)
				return qmb_errf(err, QMB_EXIT_IO, "out of memory");
			t->buf = nb;
			t->cap = ncap;
		}
	}
	if (t->gz != NULL) {
		int r = gzread(t->gz, t->buf + t->end, CHUNK), zerr = Z_OK;

		if (r == 0)
			gzerror(t->gz, &zerr);	/* a stream cut short */
		if (r < 0 || zerr != Z_OK)
			return qmb_errf(err, QMB_EXIT_CORRUPT,
			    "'%s' is not a valid gzip file", t->path);
		n = r;
	} else {
		do
			n = read(t->fd, t->buf + t->end, CHUNK);
		while (n == -1 && errno == EINTR);
		if (n == -1)
			return qmb_errsys(err, QMB_EXIT_IO, "read '%s'", t->path);
	}
	t->end += (size_t)n;
	return n;
}

int
qmb_trailrd_next(struct qmb_trailrd *t, const char **line, size_t *len,
    struct qmb_err *err)
{
	size_t scanned = 0;
	char *nl;
	ssize_t n;

	for (;;) {
		if (t->end > t->beg + scanned && (nl = memchr(t->buf +
		    t->beg + scanned, '\n', t->end - t->beg - scanned)) != NULL)
			break;
		scanned = t->end - t->beg;
		if (t->eof)
			n = 0;
		else if ((n = fill(t, err)) == -1)
			return -1;
		if (n == 0) {
			t->eof = 1;
			if (t->end == t->beg)
				return 0;
			*line = t->buf + t->beg;
			*len = t->end - t->beg;
			t->off = t->next;
			t->next += (off_t)*len;
			t->beg = t->end;
			t->lines++;
			return 2;
		}
	}
	*line = t->buf + t->beg;
	*len = (size_t)(nl - (t->buf + t->beg));
	t->off = t->next;
	t->next += (off_t)*len + 1;
	t->beg += *len + 1;
	t->lines++;
	return 1;
}

void
qmb_trailrd_close(struct qmb_trailrd *t)
{
	if (t->gz != NULL)
		gzclose(t->gz);
	else if (t->fd != -1)
		close(t->fd);
	free(t->buf);
	t->gz = NULL;
	t->fd = -1;
	t->buf = NULL;
}

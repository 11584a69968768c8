/* SPDX-License-Identifier: MIT */
/*
 * Torn tails: find them, keep them, cut them off (see qmb_tail.h).
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_tail.h"

#define CHUNK	65536

int
qmb_tail_torn(int fd, off_t *size)
{
	struct stat st;
	char last;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	*size = st.st_size;
	return pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n';
}

int
qmb_tail_line_start(int fd, off_t end, off_t *start)
{
	char buf[CHUNK], *nl;
	size_t n, want = 1024;	/* most lines are short: look near first */
	off_t pos = end;

	while (pos > 0) {
		n = pos > (off_t)want ? want : (size_t)pos;
		if (pread(fd, buf, n, pos - (off_t)n) != (ssize_t)n) {
			if (errno == 0)
				errno = EIO;
			return -1;
		}
		if ((nl = memrchr(buf, '\n', n)) != NULL) {
			*start = pos - (off_t)n + (nl - buf) + 1;
			return 0;
		}
		pos -= (off_t)n;
		if (want < CHUNK)
			want *= 4;
	}
	*start = 0;
	return 0;
}

/* A free name NAME.torn-TIME[-N] in the corrupt folder. */
static int
torn_name(int cfd, const char *name, char *dst, size_t size,
    struct qmb_err *err)
{
	char ts[QMB_TIME_LEN + 1];
	int n;

	qmb_time_fmt(qmb_now(), ts);
	for (n = 0; n < 100; n++) {
		if (qmb_path_fmt(dst, size, err, n ? "%.180s.torn-%s-%d" :
		    "%.180s.torn-%s", name, ts, n) == -1)
			return -1;
		if (faccessat(cfd, dst, F_OK, AT_SYMLINK_NOFOLLOW) == -1 &&
		    errno == ENOENT)
			return 0;
	}
	return qmb_errf(err, QMB_EXIT_IO, "keep torn line of '%s': too many copies",
	    name);
}

/* Keep the fragment fd[start..size) as .qmb/corrupt/NAME.torn-TIME. */
static int
keep_frag(struct qmb_proj *p, int fd, const char *name, off_t start,
    off_t size, char *kept, struct qmb_err *err)
{
	char dst[NAME_MAX + 1], *frag;
	size_t len = (size_t)(size - start);
	int cfd, rc = -1;

	if (len > qmb_io_max_file())
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "the torn last line of '%s' is too large to keep", name);
	if ((frag = malloc(len)) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	if (pread(fd, frag, len, start) != (ssize_t)len)
		qmb_errsys(err, QMB_EXIT_IO, "read '%s'", name);
	else if ((cfd = qmb_proj_dir(p, QMB_D_CORRUPT, 1, err)) != -1 &&
	    torn_name(cfd, name, dst, sizeof(dst), err) == 0 &&
	    qmb_atomic_create(cfd, dst, frag, len, qmb_proj_fmode(p),
	    err) == 0) {
		if (kept != NULL)
			snprintf(kept, QMB_TAIL_KEPT, ".qmb/corrupt/%.140s", dst);
		rc = 0;
	}
	free(frag);
	return rc;
}

long
qmb_tail_cut_fd(struct qmb_proj *p, int fd, const char *name, char *kept,
    struct qmb_err *err)
{
	off_t start, size = 0;

	if (!qmb_tail_torn(fd, &size))
		return 0;
	if (qmb_tail_line_start(fd, size, &start) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "read '%s'", name);
	if (keep_frag(p, fd, name, start, size, kept, err) == -1)
		return -1;
	/* the fragment was never acknowledged: cut it off */
	if (qmb_io_ftruncate(fd, start) == -1 || qmb_io_fdatasync(fd) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "cut the torn line of '%s'",
		    name);
	return (long)(size - start);
}

long
qmb_tail_cut(struct qmb_proj *p, int dfd, const char *name, char *kept,
    struct qmb_err *err)
{
	long rc;
	int fd;

	if ((fd = qmb_io_openat(dfd, name, O_RDWR | O_NONBLOCK, 0)) == -1)
		return errno == ENOENT ? 0 : qmb_errsys(err, QMB_EXIT_IO,
		    "open '%s'", name);
	rc = qmb_tail_cut_fd(p, fd, name, kept, err);
	close(fd);
	return rc;
}

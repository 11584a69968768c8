/* SPDX-License-Identifier: MIT */
/*
 * The counted I/O layer.  Invariant: every operation that can change what
 * is on disk, or take a lock, passes through fault() exactly once before
 * the system call, so the N-th operation is the same N in every run of
 * the same command on the same state.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_io.h"

static unsigned long	op_count;
static int		fault_ready;
static unsigned long	fault_at;
static int		fault_errno;	/* -1: kill */
static int		fault_persist;
static const char	*fault_ops;
static const char	*fault_trace;

static const struct { const char *name; int e; } errnames[] = {
	{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EACCES", EACCES },
	{ "EPERM", EPERM }, { "EROFS", EROFS }, { "EDQUOT", EDQUOT },
	{ "ENOMEM", ENOMEM }, { "EFBIG", EFBIG }, { "EINTR", EINTR },
	{ "EMFILE", EMFILE }, { "ENFILE", ENFILE }, { "EEXIST", EEXIST },
	{ "ENOENT", ENOENT }, { "EAGAIN", EAGAIN }, { "EBADF", EBADF },
};

static int
errno_by_name(const char *s, size_t n)
{
	size_t i;

	if (n > 0 && isdigit((unsigned char)*s))
		return (int)strtol(s, NULL, 10);
	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (strlen(errnames[i].name) == n &&
		    strncmp(errnames[i].name, s, n) == 0)
			return errnames[i].e;
	return EIO;
}

static void
fault_setup(void)
{
	const char *spec, *p, *q;

	fault_ready = 1;
	fault_ops = getenv("QMB_FAULT_OPS");
	fault_trace = getenv("QMB_FAULT_TRACE");
	if ((spec = getenv("QMB_FAULT")) == NULL || *spec == '\0')
		return;
	fault_at = strtoul(spec, NULL, 10);
	if ((p = strchr(spec, ':')) == NULL)
		return;
	p++;
	q = strchr(p, ':');
	if (strncmp(p, "kill", 4) == 0 && (p[4] == '\0' || p[4] == ':'))
		fault_errno = -1;
	else
		fault_errno = errno_by_name(p, q ? (size_t)(q - p) : strlen(p));
	fault_persist = q != NULL && strcmp(q + 1, "persist") == 0;
}

static int
kind_counted(const char *kind)
{
	const char *p;
	size_t n = strlen(kind);

	if (fault_ops == NULL || *fault_ops == '\0')
		return 1;
	for (p = fault_ops; (p = strstr(p, kind)) != NULL; p += n)
		if ((p == fault_ops || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ','))
			return 1;
	return 0;
}

/* The trace names an injected errno as $QMB_FAULT does ("ENOSPC"). */
static void
trace(unsigned long n, const char *kind, int e)
{
	char line[96], num[16];
	const char *what = "ok";
	size_t i;
	int fd, len;

	if (fault_trace == NULL)
		return;
	if (e != 0) {
		snprintf(num, sizeof(num), "%d", e);
		what = num;
		for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
			if (errnames[i].e == e)
				what = errnames[i].name;
	}
	len = snprintf(line, sizeof(line), "%lu %s %s\n", n, kind, what);
	fd = open(fault_trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		return;
	if (write(fd, line, (size_t)len) < 0)
		(void)0;
	close(fd);
}

/* 0 to go ahead with the operation, -1 (errno set) to fail it. */
static int
fault(const char *kind)
{
	unsigned long n;

	if (!fault_ready)
		fault_setup();
	if (!kind_counted(kind))
		return 0;
	n = ++op_count;
	if (fault_at == 0 || n < fault_at || (n > fault_at && !fault_persist)) {
		trace(n, kind, 0);
		return 0;
	}
	if (fault_errno == -1) {
		trace(n, kind, 0);
		raise(SIGKILL);
	}
	trace(n, kind, fault_errno);
	errno = fault_errno;
	return -1;
}

unsigned long
qmb_io_count(void)
{
	return op_count;
}

int
qmb_io_openat(int dfd, const char *name, int flags, mode_t mode)
{
	if (fault("open") == -1)
		return -1;
	return openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
}

ssize_t
qmb_io_write(int fd, const void *p, size_t n)
{
	if (fault("write") == -1)
		return -1;
	return write(fd, p, n);
}

int
qmb_io_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		if ((w = qmb_io_write(fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int
qmb_io_fsync(int fd)
{
	if (fault("fsync") == -1)
		return -1;
	return fsync(fd);
}

int
qmb_io_fdatasync(int fd)
{
	if (fault("fsync") == -1)
		return -1;
	return fdatasync(fd);
}

int
qmb_io_linkat(int fromdfd, const char *from, int todfd, const char *to)
{
	if (fault("link") == -1)
		return -1;
	return linkat(fromdfd, from, todfd, to, 0);
}

int
qmb_io_renameat(int dfd, const char *from, const char *to)
{
	return qmb_io_renameat2(dfd, from, dfd, to);
}

int
qmb_io_renameat2(int fromdfd, const char *from, int todfd, const char *to)
{
	if (fault("rename") == -1)
		return -1;
	return renameat(fromdfd, from, todfd, to);
}

int
qmb_io_mkdirat(int dfd, const char *name, mode_t mode)
{
	if (fault("mkdir") == -1)
		return -1;
	return mkdirat(dfd, name, mode);
}

int
qmb_io_flock(int fd, int op)
{
	if (fault("flock") == -1)
		return -1;
	return flock(fd, op);
}

int
qmb_io_unlinkat(int dfd, const char *name, int flags)
{
	if (fault("unlink") == -1)
		return -1;
	return unlinkat(dfd, name, flags);
}

int
qmb_io_ftruncate(int fd, off_t len)
{
	if (fault("truncate") == -1)
		return -1;
	return ftruncate(fd, len);
}

int
qmb_size_parse(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v, mul = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	default: return -1;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || (v != 0 && mul > ~0ULL / v))
		return -1;
	*out = v * mul;
	return 0;
}

size_t
qmb_io_max_file(void)
{
	const char *s = getenv("QMB_MAX_FILE");
	unsigned long long v;

	if (s != NULL && qmb_size_parse(s, &v) == 0 && v > 0 &&
	    v <= QMB_MAX_FILE_MAX && v <= (unsigned long long)(SIZE_MAX / 2))
		return (size_t)v;
	return 16u << 20;
}

/* A stored file over the limit is refused, never called damaged. */
static int
over_code(int toobig)
{
	return toobig == QMB_EXIT_CORRUPT ? QMB_EXIT_IO : toobig;
}

int
qmb_io_read_fd(int fd, const char *label, size_t max, int toobig,
    struct qmb_buf *out, struct qmb_err *err)
{
	char chunk[65536];
	ssize_t r;

	qmb_buf_reset(out);
	out->max = max;
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return qmb_errsys(err, QMB_EXIT_IO, "read '%s'", label);
		if (r == 0)
			break;
		if (out->len + (size_t)r > max)
			return qmb_errf(err, over_code(toobig),
			    "'%s' is over QMB_MAX_FILE (%zu bytes)", label, max);
		if (qmb_buf_add(out, chunk, (size_t)r) == -1)
			return qmb_errf(err, QMB_EXIT_IO, "read '%s': %s",
			    label, strerror(out->error));
	}
	if (qmb_buf_add(out, "", 0) == -1)
		return qmb_errf(err, QMB_EXIT_IO, "read '%s': %s", label,
		    strerror(out->error));
	return 0;
}

int
qmb_io_read_file(int dfd, const char *name, size_t max, int toobig,
    struct qmb_buf *out, struct qmb_err *err)
{
	struct stat st;
	int fd, rc;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			return qmb_errf(err, QMB_EXIT_IO,
			    "open '%s': refusing to follow a symbolic link", name);
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "open '%s'", name);
	}
	if (fstat(fd, &st) == -1) {
		rc = qmb_errsys(err, QMB_EXIT_IO, "stat '%s'", name);
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return qmb_errf(err, QMB_EXIT_IO, "'%s' is not a regular file",
		    name);
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return qmb_errf(err, over_code(toobig),
		    "'%s' is %lld bytes, over QMB_MAX_FILE (%zu bytes)",
		    name, (long long)st.st_size, max);
	}
	rc = qmb_io_read_fd(fd, name, max, toobig, out, err);
	close(fd);
	return rc;
}

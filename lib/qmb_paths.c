/* SPDX-License-Identifier: MIT */
#include <sys/random.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_config.h"
#include "qmb_paths.h"

static const struct {
	enum qmb_dir	 parent;
	const char	*name;
	const char	*path;
} dirs[QMB_D_COUNT] = {
	[QMB_D_QMB] = { QMB_D_COUNT, ".qmb", ".qmb" },
	[QMB_D_SESSIONS] = { QMB_D_QMB, "sessions", ".qmb/sessions" },
	[QMB_D_LOGS] = { QMB_D_QMB, "logs", ".qmb/logs" },
	[QMB_D_AUDIT] = { QMB_D_QMB, "audit", ".qmb/audit" },
	[QMB_D_CORRUPT] = { QMB_D_QMB, "corrupt", ".qmb/corrupt" },
	[QMB_D_ARCHIVE] = { QMB_D_QMB, "archive", ".qmb/archive" },
	[QMB_D_ARCHIVE_SESSIONS] = { QMB_D_ARCHIVE, "sessions",
	    ".qmb/archive/sessions" },
	[QMB_D_ARCHIVE_AUDIT] = { QMB_D_ARCHIVE, "audit", ".qmb/archive/audit" },
	[QMB_D_QUEUE] = { QMB_D_QMB, "queue", ".qmb/queue" },
	[QMB_D_QUEUE_REVIEW] = { QMB_D_QUEUE, "review", ".qmb/queue/review" },
	[QMB_D_CACHE] = { QMB_D_QMB, "cache", ".qmb/cache" },
	[QMB_D_CACHE_REVIEW] = { QMB_D_CACHE, "review", ".qmb/cache/review" },
	[QMB_D_EXPORTS] = { QMB_D_QMB, "exports", ".qmb/exports" },
	[QMB_D_MIGRATED] = { QMB_D_QMB, "migrated", ".qmb/migrated" },
};

const char *
qmb_proj_dirname(enum qmb_dir d)
{
	return dirs[d].path;
}

mode_t
qmb_proj_fmode(const struct qmb_proj *p)
{
	return p->shared ? 0660 : 0600;
}

mode_t
qmb_proj_dmode(const struct qmb_proj *p)
{
	return p->shared ? 02770 : 0700;
}

int
qmb_path_fmt(char *out, size_t size, struct qmb_err *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return qmb_errf(err, QMB_EXIT_USAGE, "path too long");
	return 0;
}

static int
has_qmb(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;

	if (snprintf(p, sizeof(p), "%s/.qmb", dir) >= (int)sizeof(p))
		return 0;
	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
find_root(char *root, const char *dir, struct qmb_err *err)
{
	char cwd[PATH_MAX], *slash;

	if (dir == NULL)
		dir = getenv("QMB_PROJECT_DIR");
	if (dir != NULL && *dir != '\0') {
		if (realpath(dir, root) == NULL)
			return qmb_errsys(err, errno == ENOENT ?
			    QMB_EXIT_NOTFOUND : QMB_EXIT_IO,
			    "project folder '%s'", dir);
		return 0;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return qmb_errsys(err, QMB_EXIT_IO, "getcwd");
	memcpy(root, cwd, sizeof(cwd));
	for (;;) {
		if (has_qmb(root))
			return 0;
		if (strcmp(root, "/") == 0 || (slash = strrchr(root, '/')) == NULL)
			break;
		if (slash == root)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	memcpy(root, cwd, sizeof(cwd));
	return 0;
}

int
qmb_proj_open(struct qmb_proj *p, const char *dir, struct qmb_err *err)
{
	const char *sh = getenv("QMB_SHARED");
	int i;

	p->rootfd = -1;
	p->cfg = NULL;
	for (i = 0; i < QMB_D_COUNT; i++)
		p->fd[i] = -1;
	p->shared = sh != NULL && strcmp(sh, "group") == 0;
	if (qmb_env_check(err) == -1 || find_root(p->root, dir, err) == -1)
		return -1;
	p->rootfd = open(p->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->rootfd == -1)
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "project folder '%s'", p->root);
	return 0;
}

void
qmb_proj_close(struct qmb_proj *p)
{
	int i;

	for (i = 0; i < QMB_D_COUNT; i++)
		if (p->fd[i] != -1) {
			close(p->fd[i]);
			p->fd[i] = -1;
		}
	if (p->rootfd != -1)
		close(p->rootfd);
	p->rootfd = -1;
	free(p->cfg);
	p->cfg = NULL;
}

static int
check_owner(const struct qmb_proj *p, int fd, const char *path,
    struct qmb_err *err)
{
	struct stat st;
	mode_t bad = p->shared ? 002 : 022;

	if (fstat(fd, &st) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "stat '%s'", path);
	if (st.st_uid != geteuid())
		return qmb_errf(err, QMB_EXIT_IO,
		    "'%s' belongs to another user; refusing to use it", path);
	if (st.st_mode & bad)
		return qmb_errf(err, QMB_EXIT_IO,
		    "'%s' is writable by others (mode %04o); run 'chmod go-w %s'",
		    path, (unsigned)(st.st_mode & 07777), path);
	return 0;
}

static int
open_sub(struct qmb_proj *p, enum qmb_dir d, int pfd, int create,
    struct qmb_err *err)
{
	int fd, made = 0;

	for (;;) {
		fd = openat(pfd, dirs[d].name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd != -1 || errno != ENOENT || !create || made)
			break;
		if (qmb_io_mkdirat(pfd, dirs[d].name, 0700) == -1 &&
		    errno != EEXIST)
			return qmb_errsys(err, QMB_EXIT_IO, "mkdir '%s'",
			    dirs[d].path);
		made = 1;
	}
	if (fd == -1) {
		if (errno == ENOTDIR || errno == ELOOP)
			return qmb_errf(err, QMB_EXIT_IO,
			    "'%s' is not a directory (a symbolic link?); refusing to use it",
			    dirs[d].path);
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "open '%s'", dirs[d].path);
	}
	if (made) {
		if (fchmod(fd, qmb_proj_dmode(p)) == -1 ||
		    qmb_dir_sync(pfd, dirs[d].path, err) == -1) {
			if (err->code == 0)
				qmb_errsys(err, QMB_EXIT_IO, "chmod '%s'",
				    dirs[d].path);
			close(fd);
			return -1;
		}
	}
	if (check_owner(p, fd, dirs[d].path, err) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
qmb_proj_dir(struct qmb_proj *p, enum qmb_dir d, int create,
    struct qmb_err *err)
{
	int pfd;

	if (p->fd[d] != -1)
		return p->fd[d];
	if (dirs[d].parent == QMB_D_COUNT)
		pfd = p->rootfd;
	else if ((pfd = qmb_proj_dir(p, dirs[d].parent, create, err)) == -1)
		return -1;
	if ((p->fd[d] = open_sub(p, d, pfd, create, err)) == -1)
		return -1;
	return p->fd[d];
}

int
qmb_proj_outdir(struct qmb_proj *p, struct qmb_err *err)
{
	int fd;

	fd = openat(p->rootfd, QMB_OUTDIR,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		if (qmb_io_mkdirat(p->rootfd, QMB_OUTDIR,
		    qmb_proj_dmode(p)) == -1 && errno != EEXIST)
			return qmb_errsys(err, QMB_EXIT_IO, "mkdir '%s'",
			    QMB_OUTDIR);
		fd = openat(p->rootfd, QMB_OUTDIR,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "open '%s'", QMB_OUTDIR);
	return fd;
}

int
qmb_dir_sync(int dfd, const char *label, struct qmb_err *err)
{
	if (qmb_io_fsync(dfd) == -1 && errno != EINVAL)
		return qmb_errsys(err, QMB_EXIT_IO, "fsync '%s'", label);
	return 0;
}

static int
id_char(char c, int first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return !first && (c == '_' || c == '-');
}

int
qmb_id_check(const char *id, struct qmb_err *err)
{
	size_t i;

	for (i = 0; id[i] != '\0'; i++)
		if (i >= QMB_ID_MAX || !id_char(id[i], i == 0))
			break;
	if (i == 0 || id[i] != '\0')
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "invalid session id '%.80s': use 1-64 letters, digits, '_' or '-', starting with a letter or digit",
		    id);
	return 0;
}

int
qmb_uuid7(char out[37], struct qmb_err *err)
{
	unsigned char b[16];
	uint64_t ms = (uint64_t)qmb_now();
	ssize_t n;
	int i;

	do
		n = getrandom(b + 6, 10, 0);
	while (n == -1 && errno == EINTR);
	if (n != 10)
		return qmb_errsys(err, QMB_EXIT_IO, "getrandom");
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (b[6] & 0x0f) | 0x70;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

/* SPDX-License-Identifier: MIT */
#ifndef QMB_IO_H
#define QMB_IO_H

/*
 * Every file operation the library performs goes through here, so that
 * each one is countable and can be made to fail.  The wrappers behave as
 * the system calls they name (return -1 with errno), except that
 * qmb_io_openat always adds O_NOFOLLOW|O_CLOEXEC and qmb_io_write_all
 * loops over short writes.
 *
 * Fault injection (tests): $QMB_FAULT="N:WHAT" makes the N-th counted
 * operation of the process (1-based) fail with errno WHAT (a name such as
 * ENOSPC, EIO, EACCES, EROFS, EDQUOT, ENOMEM, or a number), or with WHAT
 * "kill" raise SIGKILL just before it.  "N:WHAT:persist" fails every
 * operation from the N-th on.  $QMB_FAULT_OPS="open,fsync" restricts
 * counting to those kinds.  $QMB_FAULT_TRACE=FILE appends one line per
 * counted operation ("3 fsync ok", "4 rename ENOSPC") to FILE.
 * Counted kinds: open, write, fsync, link, rename, mkdir, flock,
 * unlink, truncate.
 */

#include <sys/types.h>
#include <stddef.h>

#include "qmb_buf.h"
#include "qmb_err.h"

int	qmb_io_openat(int dfd, const char *name, int flags, mode_t mode);
int	qmb_io_write_all(int fd, const void *, size_t);	/* 0 or -1 */
ssize_t	qmb_io_write(int fd, const void *, size_t);	/* one write(2) */
int	qmb_io_fsync(int fd);
int	qmb_io_fdatasync(int fd);
int	qmb_io_linkat(int fromdfd, const char *from, int todfd, const char *to);
int	qmb_io_renameat(int dfd, const char *from, const char *to);
int	qmb_io_renameat2(int fromdfd, const char *from, int todfd, const char *to);
int	qmb_io_mkdirat(int dfd, const char *name, mode_t mode);
int	qmb_io_flock(int fd, int op);
int	qmb_io_unlinkat(int dfd, const char *name, int flags);
int	qmb_io_ftruncate(int fd, off_t len);

/* The number of counted operations so far (for tests and traces). */
unsigned long	qmb_io_count(void);

/*
 * Read the whole regular file name (relative to dfd) into out, at most
 * max bytes.  Refuses symbolic links, FIFOs, devices and directories
 * without blocking.  toobig is the exit code for an oversized file
 * (QMB_EXIT_USAGE for user input, QMB_EXIT_CORRUPT for stored files: a
 * stored file over the limit is not damaged, so it becomes QMB_EXIT_IO,
 * with a message that names QMB_MAX_FILE).
 * A missing file is QMB_EXIT_NOTFOUND.  0 or -1.
 */
int	qmb_io_read_file(int dfd, const char *name, size_t max, int toobig,
	    struct qmb_buf *out, struct qmb_err *err);
/* The same for an already open descriptor (stdin); label names it. */
int	qmb_io_read_fd(int fd, const char *label, size_t max, int toobig,
	    struct qmb_buf *out, struct qmb_err *err);

/*
 * The file size limit: $QMB_MAX_FILE (bytes, K/M/G; qmb_env_check refuses
 * a bad one) or 16 MiB.
 */
#define QMB_MAX_FILE_MAX	(64ULL << 30)
size_t	qmb_io_max_file(void);
/* Parse "10M", "512K", "1G", "4096" into bytes.  0 or -1. */
int	qmb_size_parse(const char *, unsigned long long *);

#endif

/* SPDX-License-Identifier: MIT */
#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_lock.h"

static long wait_ms = -1;

void
qmb_lock_set_wait(double seconds)
{
	wait_ms = (long)(seconds * 1000.0);
}

long
qmb_lock_wait_ms(void)
{
	return wait_ms >= 0 ? wait_ms : QMB_LOCK_WAIT * 1000L;
}

static int
flock_wait(int fd, int op, long timeout_ms, const char *what,
    struct qmb_err *err)
{
	struct timespec pause;
	int64_t t0 = qmb_mono_ms();
	long step = 1;

	for (;;) {
		if (qmb_io_flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return qmb_errsys(err, QMB_EXIT_IO, "lock %s", what);
		if (qmb_mono_ms() - t0 >= timeout_ms)
			return qmb_errf(err, QMB_EXIT_BUSY,
			    "%s is busy: another process holds its lock (waited %.1f s; try --wait)",
			    what, timeout_ms / 1000.0);
		pause.tv_sec = 0;
		pause.tv_nsec = step * 1000000L;
		nanosleep(&pause, NULL);
		if (step < 50)
			step *= 2;
	}
}

int
qmb_lock_take(struct qmb_lock *l, int dfd, const char *name, int op,
    long timeout_ms, unsigned mode, const char *what, struct qmb_err *err)
{
	struct stat st;
	int fd;

	l->fd = -1;
	fd = qmb_io_openat(dfd, name, O_RDWR | O_CREAT | O_NONBLOCK, mode);
	if (fd == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "open lock of %s", what);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return qmb_errf(err, QMB_EXIT_IO,
		    "lock file of %s is not a regular file", what);
	}
	if (flock_wait(fd, op, timeout_ms, what, err) == -1) {
		close(fd);
		return -1;
	}
	l->fd = fd;
	return 0;
}

int
qmb_lock_convert(struct qmb_lock *l, int op, long timeout_ms,
    const char *what, struct qmb_err *err)
{
	return flock_wait(l->fd, op, timeout_ms, what, err);
}

void
qmb_lock_release(struct qmb_lock *l)
{
	if (l->fd != -1) {
		close(l->fd);
		l->fd = -1;
	}
}

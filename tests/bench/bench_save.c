/* SPDX-License-Identifier: MIT */
/*
 * bench_save: the cost of a session save against the floor of the same
 * durable replacement done with bare system calls.
 *
 *	bench_save PROJECT ID ITERATIONS
 *
 * Takes the lock of session ID in PROJECT, loads it and serialises it
 * once; those bytes are what every variant writes.  Then each variant
 * runs ITERATIONS times, interleaved one by one (in a rotating order), so
 * that all of them share the disk's good and bad moments:
 *
 *	floor	open(tmp, O_EXCL) write fsync close, link(json -> bak.tmp),
 *		rename(bak.tmp -> bak), rename(tmp -> json), fsync(dir),
 *		on bench-floor.json next to the session's file (removed
 *		at the end)
 *	atomic	qmb_atomic_save() of the bytes over the session's file
 *	session	qmb_session_save() of the loaded state (serialise + atomic)
 *	write	qmb_session_write() alone (serialisation, no I/O)
 *
 * Prints one line per variant, in milliseconds per operation:
 *	NAME n=N median=X mean=X min=X p90=X
 * and "bytes=N" for the size of the file.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_buf.h"
#include "qmb_io.h"
#include "qmb_lock.h"
#include "qmb_paths.h"
#include "qmb_session.h"
#include "qmb_txn.h"

#define NVAR	4
#define FLOOR	"bench-floor.json"


enum { V_FLOOR, V_ATOMIC, V_SESSION, V_WRITE };
static const char *const vname[NVAR] = { "floor", "atomic", "session",
    "write" };

struct ctx {
	struct qmb_proj		 p;
	struct qmb_session	 s;
	struct qmb_save		 sv;
	const char		*data;
	size_t			 len;
	int			 ffd;
	char			 name[NAME_MAX + 1];
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
die(const char *what, const struct qmb_err *err)
{
	if (err != NULL)
		fprintf(stderr, "bench_save: %s: %s\n", what, err->msg);
	else
		fprintf(stderr, "bench_save: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The floor: the same sequence of system calls, nothing else. */
static void
floor_save(struct ctx *c)
{
	const char *p = c->data;
	size_t left = c->len;
	ssize_t w;
	int fd;

	fd = openat(c->ffd, FLOOR ".tmp", O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		die("floor: open", NULL);
	while (left > 0) {
		if ((w = write(fd, p, left)) <= 0)
			die("floor: write", NULL);
		p += w, left -= (size_t)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1)
		die("floor: fsync", NULL);
	if (linkat(c->ffd, FLOOR, c->ffd, FLOOR ".bak.tmp", 0) == -1 ||
	    renameat(c->ffd, FLOOR ".bak.tmp", c->ffd, FLOOR ".bak") == -1 ||
	    renameat(c->ffd, FLOOR ".tmp", c->ffd, FLOOR) == -1 ||
	    fsync(c->ffd) == -1)
		die("floor: link/rename/fsync", NULL);
}

static void
one(struct ctx *c, int v)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_buf b;

	switch (v) {
	case V_FLOOR:
		floor_save(c);
		break;
	case V_ATOMIC:
		if (qmb_atomic_save(&c->sv, c->data, c->len, &err) == -1)
			die("qmb_atomic_save", &err);
		break;
	case V_SESSION:
		if (qmb_session_save(&c->p, &c->s, QMB_CUR_VALID, &err) == -1)
			die("qmb_session_save", &err);
		break;
	case V_WRITE:
		qmb_buf_init(&b, qmb_io_max_file());
		if (qmb_session_write(&c->s, 1, &b, &err) == -1)
			die("qmb_session_write", &err);
		qmb_buf_free(&b);
		break;
	}
}

static void
setup(struct ctx *c, const char *dir, const char *id, struct qmb_lock *l,
    struct qmb_buf *bytes)
{
	struct qmb_err err = QMB_ERR_INIT;
	enum qmb_cur cur;
	int fd;

	if (qmb_proj_open(&c->p, dir, &err) == -1)
		die("open project", &err);
	if (qmb_session_lock(&c->p, id, l, &err) == -1)
		die("lock", &err);
	qmb_session_init(&c->s);
	if (qmb_session_load(&c->p, id, &c->s, &cur, &err) == -1)
		die("load", &err);
	qmb_buf_init(bytes, qmb_io_max_file());
	if (qmb_session_write(&c->s, 1, bytes, &err) == -1)
		die("write", &err);
	c->data = bytes->data;
	c->len = bytes->len;
	snprintf(c->name, sizeof(c->name), "%s.json", id);
	c->sv.dfd = qmb_proj_dir(&c->p, QMB_D_SESSIONS, 0, &err);
	if (c->sv.dfd == -1)
		die("sessions folder", &err);
	c->sv.name = c->name;
	c->sv.corruptfd = -1;
	c->sv.mode = qmb_proj_fmode(&c->p);
	c->sv.cur = QMB_CUR_VALID;
	c->sv.valid = qmb_session_valid;
	c->ffd = c->sv.dfd;
	fd = openat(c->ffd, FLOOR, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, c->data, c->len) != (ssize_t)c->len ||
	    fsync(fd) == -1 || close(fd) == -1)
		die("floor: first copy", NULL);
}

int
main(int argc, char *argv[])
{
	static struct ctx c;
	struct qmb_lock l = QMB_LOCK_INIT;
	struct qmb_buf bytes;
	double *t[NVAR], sum[NVAR] = { 0 }, t0;
	long iters, i;
	int k, v;

	if (argc != 4 || (iters = strtol(argv[3], NULL, 10)) < 1) {
		fprintf(stderr, "usage: bench_save PROJECT ID ITERATIONS\n");
		return 2;
	}
	setup(&c, argv[1], argv[2], &l, &bytes);
	for (v = 0; v < NVAR; v++)
		if ((t[v] = calloc((size_t)iters, sizeof(double))) == NULL)
			die("calloc", NULL);
	/* one of each first: directory entries and caches exist */
	for (v = 0; v < NVAR; v++)
		one(&c, v);
	for (i = 0; i < iters; i++)
		for (k = 0; k < NVAR; k++) {
			v = (int)((i + k) % NVAR);
			t0 = now_ms();
			one(&c, v);
			t[v][i] = now_ms() - t0;
			sum[v] += t[v][i];
		}
	printf("bytes=%zu\n", c.len);
	for (v = 0; v < NVAR; v++) {
		qsort(t[v], (size_t)iters, sizeof(double), cmp_double);
		printf("%s n=%ld median=%.4f mean=%.4f min=%.4f p90=%.4f\n",
		    vname[v], iters, t[v][iters / 2], sum[v] / iters, t[v][0],
		    t[v][iters * 9 / 10]);
		free(t[v]);
	}
	qmb_buf_free(&bytes);
	qmb_session_free(&c.s);
	qmb_lock_release(&l);
	unlinkat(c.ffd, FLOOR, 0);
	unlinkat(c.ffd, FLOOR ".bak", 0);
	qmb_proj_close(&c.p);
	return 0;
}

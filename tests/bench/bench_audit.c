/* SPDX-License-Identifier: MIT */
/*
 * bench_audit: durable audit appends against the floor of writing the
 * same bytes with bare system calls.
 *
 *	bench_audit PROJECT ID ITERATIONS
 *
 * Takes the session lock of ID in PROJECT once (as qmb-audit append
 * does for each entry), then runs each variant ITERATIONS times,
 * interleaved one by one in a rotating order so that all of them share
 * the disk's good and bad moments:
 *
 *	append	qmb_audit_append() of an entry like `qmb-audit append ID
 *		-t note -d ...` writes: open the trail, read and check its
 *		head, format and hash the entry, one write(2), fdatasync,
 *		close, then the same to the audit mirror's copy (on by
 *		default: the caller points XDG_STATE_HOME at scratch space)
 *	floor	write(2) of the line append wrote last, then fdatasync, on
 *		bench-floor.audit.json (open all along) in the same folder,
 *		and the same on a file of that name in the mirror's folder
 *	nosync	the same two write(2)s without fdatasync
 *	cpu	qmb_audit_head() and qmb_audit_format() alone: what append
 *		does besides the write and the fdatasync
 *
 * Prints one line per variant, in milliseconds per operation:
 *	NAME n=N median=X mean=X min=X p90=X
 * and "bytes=N" for the size of one entry.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qmb_audit.h"
#include "qmb_buf.h"
#include "qmb_io.h"
#include "qmb_lock.h"
#include "qmb_mirror.h"
#include "qmb_paths.h"
#include "qmb_txn.h"

#define NVAR	4
#define FLOOR	"bench-floor.audit.json"
#define DETAILS	"{\"table\":\"FACT_Orders\",\"fields\":12,\"rows_estimated\":50000," \
		"\"note\":\"checked by hand against the source system\"}"

enum { V_APPEND, V_FLOOR, V_NOSYNC, V_CPU };
static const char *const vname[NVAR] = { "append", "floor", "nosync",
    "cpu" };

struct ctx {
	struct qmb_proj		 p;
	struct qmb_audit_in	 in;
	struct qmb_buf		 line;	/* the last entry, with its newline */
	int			 ffd;	/* the floor's file */
	int			 mfd;	/* its copy in the mirror's folder */
	const char		*id;
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
		fprintf(stderr, "bench_audit: %s: %s\n", what, err->msg);
	else
		fprintf(stderr, "bench_audit: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
one(struct ctx *c, int v)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_audit_head h;
	struct qmb_buf b;

	switch (v) {
	case V_APPEND:
		if (qmb_audit_append(&c->p, &c->in, &h, &c->line, &err) == -1)
			die("qmb_audit_append", &err);
		qmb_buf_addc(&c->line, '\n');
		break;
	case V_FLOOR:
	case V_NOSYNC:
		if (write(c->ffd, c->line.data, c->line.len) !=
		    (ssize_t)c->line.len)
			die("floor: write", NULL);
		if (v == V_FLOOR && fdatasync(c->ffd) == -1)
			die("floor: fdatasync", NULL);
		if (write(c->mfd, c->line.data, c->line.len) !=
		    (ssize_t)c->line.len)
			die("floor: write", NULL);
		if (v == V_FLOOR && fdatasync(c->mfd) == -1)
			die("floor: fdatasync", NULL);
		break;
	case V_CPU:
		qmb_buf_init(&b, qmb_io_max_file() + 1024);
		if (qmb_audit_head(&c->p, c->id, &h, &err) == -1 ||
		    qmb_audit_format(&c->in, h.seq + 1, h.hash, &b, &err) == -1)
			die("head/format", &err);
		qmb_buf_free(&b);
		break;
	}
}

int
main(int argc, char *argv[])
{
	static struct ctx c;
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_lock l = QMB_LOCK_INIT;
	double *t[NVAR], sum[NVAR] = { 0 }, t0;
	long iters, i;
	char folder[PATH_MAX];
	int k, v, dfd, mdfd, deflt;

	if (argc != 4 || (iters = strtol(argv[3], NULL, 10)) < 1) {
		fprintf(stderr, "usage: bench_audit PROJECT ID ITERATIONS\n");
		return 2;
	}
	c.id = argv[2];
	c.in.session_id = argv[2];
	c.in.user_id = "bench@example.com";
	c.in.type = "note";
	c.in.details = DETAILS;
	qmb_buf_init(&c.line, qmb_io_max_file() + 1024);
	if (qmb_proj_open(&c.p, argv[1], &err) == -1)
		die("open project", &err);
	if (qmb_session_lock(&c.p, c.id, &l, &err) == -1)
		die("lock", &err);
	for (v = 0; v < NVAR; v++)
		if ((t[v] = calloc((size_t)iters, sizeof(double))) == NULL)
			die("calloc", NULL);
	/* the trail and its folder exist before anything is timed */
	one(&c, V_APPEND);
	if ((dfd = qmb_proj_dir(&c.p, QMB_D_AUDIT, 0, &err)) == -1)
		die("audit folder", &err);
	c.ffd = openat(dfd, FLOOR, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600);
	if (c.ffd == -1 || fsync(dfd) == -1)
		die("floor: open", NULL);
	if (qmb_mirror_folder(&c.p, folder, sizeof(folder), &deflt, &err) == -1)
		die("mirror folder", &err);
	if (folder[0] == '\0')
		die("the audit mirror is off: the floor needs its folder", NULL);
	if ((mdfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		die(folder, NULL);
	c.mfd = openat(mdfd, FLOOR, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600);
	if (c.mfd == -1 || fsync(mdfd) == -1)
		die("floor: open mirror copy", NULL);
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
	printf("bytes=%zu\n", c.line.len);
	for (v = 0; v < NVAR; v++) {
		qsort(t[v], (size_t)iters, sizeof(double), cmp_double);
		printf("%s n=%ld median=%.4f mean=%.4f min=%.4f p90=%.4f\n",
		    vname[v], iters, t[v][iters / 2], sum[v] / iters, t[v][0],
		    t[v][iters * 9 / 10]);
		free(t[v]);
	}
	close(c.ffd);
	unlinkat(dfd, FLOOR, 0);
	close(c.mfd);
	unlinkat(mdfd, FLOOR, 0);
	close(mdfd);
	qmb_buf_free(&c.line);
	qmb_lock_release(&l);
	qmb_proj_close(&c.p);
	return 0;
}

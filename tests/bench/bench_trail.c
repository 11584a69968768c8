/* SPDX-License-Identifier: MIT */
/*
 * bench_trail: what an audit trail's length costs.
 *
 *	bench_trail PROJECT ENTRIES APPENDS
 *
 * Writes a trail of ENTRIES entries (and its audit mirror copy) for the
 * session "trail-ENTRIES" of PROJECT, as qmb-audit append would have
 * written them but without a sync per entry (setting up is not timed),
 * then, under the session lock:
 *
 *	verify	qmb_verify_trail() and qmb_mirror_compare() of the whole
 *		trail once, what `qmb-audit verify ID` does: per entry
 *	append	qmb_audit_append() APPENDS times without a known head: it
 *		finds the head at the end of the trail, appends, syncs,
 *		and copies the entry to the mirror
 *
 * Prints one line:
 *	entries=N bytes=B verify_ms=X verify_us=X append_median=X
 *	append_min=X maxrss_kb=K
 * (verify_us: microseconds per entry; append in milliseconds; maxrss:
 * the process's peak memory, which must not grow with the trail.)
 */
#include <sys/resource.h>
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
#include "qmb_sha256.h"
#include "qmb_txn.h"
#include "qmb_verify.h"

#define DETAILS	"{\"op\":\"add\",\"tables\":[\"FACT_Orders\"],\"added\":" \
		"[\"FACT_Orders\"],\"removed\":[]}"

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
		fprintf(stderr, "bench_trail: %s: %s\n", what, err->msg);
	else
		fprintf(stderr, "bench_trail: %s: %s\n", what, strerror(errno));
	exit(1);
}

static FILE *
create(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	FILE *f = NULL;

	if (fd == -1 || (f = fdopen(fd, "w")) == NULL)
		die(name, NULL);
	return f;
}

/* The trail and its mirror copy, n entries, synced once at the end. */
static long
generate(struct qmb_proj *p, const char *id, long n)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_audit_in in = { 0 };
	struct qmb_buf b;
	char name[NAME_MAX + 1], prev[QMB_SHA256_HEX + 1], folder[PATH_MAX];
	FILE *t, *m;
	long i, bytes = 0;
	int dfd, mfd, deflt;

	in.session_id = id;
	in.user_id = "bench@example.com";
	in.type = "tables_changed";
	in.details = DETAILS;
	if ((dfd = qmb_proj_dir(p, QMB_D_AUDIT, 1, &err)) == -1)
		die("audit folder", &err);
	if (qmb_mirror_folder(p, folder, sizeof(folder), &deflt, &err) == -1)
		die("mirror folder", &err);
	if (folder[0] == '\0')
		die("the mirror is off", NULL);
	/* the first append makes the mirror folder */
	snprintf(name, sizeof(name), "%s.audit.json", id);
	t = create(dfd, name);
	if ((mfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		struct qmb_audit_head h;

		if (qmb_audit_append(p, &in, &h, NULL, &err) == -1)
			die("first append", &err);
		fclose(t);
		t = create(dfd, name);
		if ((mfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
			die(folder, NULL);
	}
	m = create(mfd, name);
	memcpy(prev, QMB_AUDIT_ZERO, sizeof(prev));
	qmb_buf_init(&b, 1 << 20);
	in.time = 1780000000000LL;
	for (i = 1; i <= n; i++) {
		if (qmb_audit_format(&in, i, prev, &b, &err) == -1)
			die("format", &err);
		qmb_sha256(b.data, b.len, prev);
		b.len--;
		qmb_buf_addf(&b, ",\"hash\":\"%s\"}\n", prev);
		fwrite(b.data, 1, b.len, t);
		fwrite(b.data, 1, b.len, m);
		bytes += (long)b.len;
	}
	qmb_buf_free(&b);
	if (fflush(t) == EOF || fsync(fileno(t)) == -1 || fclose(t) == EOF ||
	    fflush(m) == EOF || fsync(fileno(m)) == -1 || fclose(m) == EOF)
		die("write the trail", NULL);
	close(mfd);
	return bytes;
}

int
main(int argc, char *argv[])
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_lock l = QMB_LOCK_INIT;
	struct qmb_audit_in in = { 0 };
	struct qmb_audit_head h;
	struct qmb_verify v;
	struct qmb_proj p;
	struct rusage ru;
	enum qmb_mirror_cmp cmp;
	char id[64], what[256];
	double *t, t0, vms;
	long n, k, i, bytes;

	if (argc != 4 || (n = strtol(argv[2], NULL, 10)) < 1 ||
	    (k = strtol(argv[3], NULL, 10)) < 1) {
		fprintf(stderr, "usage: bench_trail PROJECT ENTRIES APPENDS\n");
		return 2;
	}
	snprintf(id, sizeof(id), "trail-%ld", n);
	if (qmb_proj_open(&p, argv[1], &err) == -1)
		die("open project", &err);
	if (qmb_session_lock(&p, id, &l, &err) == -1)
		die("lock", &err);
	bytes = generate(&p, id, n);
	memset(&v, 0, sizeof(v));
	t0 = now_ms();
	if (qmb_verify_trail(&p, id, &v, &err) != 0 || v.entries != n) {
		fprintf(stderr, "bench_trail: verify: %s\n", v.what[0] ? v.what :
		    err.msg);
		return 1;
	}
	if (qmb_mirror_compare(&p, id, &cmp, what, sizeof(what), &err) == -1 ||
	    cmp != QMB_MIRROR_SAME)
		die(what, NULL);
	vms = now_ms() - t0;
	in.session_id = id;
	in.user_id = "bench@example.com";
	in.type = "tables_changed";
	in.details = DETAILS;
	if ((t = calloc((size_t)k, sizeof(double))) == NULL)
		die("calloc", NULL);
	for (i = 0; i < k; i++) {
		t0 = now_ms();
		if (qmb_audit_append(&p, &in, &h, NULL, &err) == -1)
			die("append", &err);
		t[i] = now_ms() - t0;
		if (h.mirror_error[0] != '\0')
			die(h.mirror_error, NULL);
	}
	qsort(t, (size_t)k, sizeof(double), cmp_double);
	getrusage(RUSAGE_SELF, &ru);
	printf("entries=%ld bytes=%ld verify_ms=%.3f verify_us=%.3f "
	    "append_median=%.4f append_min=%.4f maxrss_kb=%ld\n", n, bytes, vms,
	    vms * 1e3 / (double)n, t[k / 2], t[0], ru.ru_maxrss);
	free(t);
	qmb_lock_release(&l);
	qmb_proj_close(&p);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the recovery report (qmb_report), the health checks
 * (qmb_health) and sizes in words (qmb_config_fmt_size).
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_clock.h"
#include "qmb_config.h"
#include "qmb_health.h"
#include "qmb_report.h"
#include "qmb_txn.h"
#include "tap.h"

static char tmpdir[] = "/tmp/qmb-unit-XXXXXX";
static struct qmb_proj p;

static void
put(enum qmb_dir d, const char *name, const char *data)
{
	struct qmb_err err = QMB_ERR_INIT;
	int fd = openat(qmb_proj_dir(&p, d, 1, &err), name,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd != -1) {
		if (write(fd, data, strlen(data)) != (ssize_t)strlen(data))
			perror(name);
		close(fd);
	}
}

static int
make(const char *id, int resume)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_txn t;
	int rc;

	if (qmb_txn_create(&t, &p, id, "u", &err) == -1)
		return -1;
	rc = qmb_txn_commit(&t, "session_created",
	    "{\"project_name\":\"Sales\",\"model_type\":null}", NULL, NULL, &err);
	if (resume)
		rc |= qmb_txn_commit(&t, "session_resumed", "{}", NULL, NULL,
		    &err);
	rc |= qmb_txn_commit(&t, "session_recovered", "{\"source\":\"bak\"}",
	    NULL, NULL, &err);
	qmb_txn_end(&t);
	return rc;
}

static void
test_size(void)
{
	static const struct { unsigned long long v; const char *s; } cases[] = {
		{ 0, "0 bytes" }, { 512, "512 bytes" }, { 1023, "1023 bytes" },
		{ 1024, "1 KB" }, { 1536, "1.5 KB" }, { 10 << 20, "10 MB" },
		{ 12ULL << 20 | 1 << 19, "12 MB" }, { 80ULL << 30, "80 GB" },
		{ 3ULL << 40, "3 TB" }, { 5000ULL << 40, "5000 TB" },
	};
	char buf[32];
	size_t i, n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		qmb_config_fmt_size(cases[i].v, buf, sizeof(buf));
		if (strcmp(buf, cases[i].s) == 0)
			n++;
		else
			printf("# %llu: '%s', want '%s'\n", cases[i].v, buf,
			    cases[i].s);
	}
	ok(n == i, "sizes in words (%zu of %zu)", n, i);
}

static void
test_metrics(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_metrics m;
	int64_t now = qmb_now();

	ok(qmb_report_metrics(&p, 0, now, &m, &err) == 0 && m.trails == 0 &&
	    m.created == 0, "an empty project counts nothing");
	ok(make("m1", 1) == 0 && make("m2", 0) == 0, "two sessions");
	put(QMB_D_AUDIT, "junk.audit.json", "not json\n");
	put(QMB_D_CORRUPT, "m1.log.torn-2026-01-01T00:00:00.000Z", "x");
	put(QMB_D_CORRUPT, "m2.log.torn-2099-01-01T00:00:00.000Z", "x");
	ok(qmb_report_metrics(&p, 0, now + 1000, &m, &err) == 0, "count: %s",
	    err.msg);
	ok(m.trails == 3 && m.bad_lines == 1 && m.created == 2 &&
	    m.resumed == 1 && m.completed == 0 && m.bak == 2,
	    "created, resumed, repairs by source, bad lines");
	ok(m.torn == 1, "torn copies counted by the time in their name");
	ok(qmb_report_metrics(&p, now + 60000, now + 120000, &m, &err) == 0 &&
	    m.created == 0 && m.trails == 3, "outside the period nothing counts");
}

static void
test_health(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_health h;
	char src[64];
	long long n = -1;

	ok(qmb_recover_gemini_failures(&p, &n, src, sizeof(src), &err) == 0 &&
	    n == 0 && strcmp(src, ".qmb/logs/qmb.log") == 0,
	    "no failures without a count or a log");
	put(QMB_D_QMB, "gemini_failures.json", "{\"consecutive\":5}");
	ok(qmb_recover_gemini_failures(&p, &n, src, sizeof(src), &err) == 0 &&
	    n == 5 && strcmp(src, ".qmb/gemini_failures.json") == 0,
	    "qmb-review's count is used");
	ok(qmb_health_check(&p, qmb_now(), &h, &err) == 0 &&
	    h.c[QMB_H_GEMINI].tripped && h.c[QMB_H_GEMINI].value == 5 &&
	    strcmp(h.c[QMB_H_DISK].name, "disk_space") == 0 &&
	    !h.c[QMB_H_IDLE].tripped, "over 3 failures trips the check");
	ok(qmb_health_check(&p, qmb_now() + 30 * 86400000LL, &h, &err) == 0 &&
	    h.c[QMB_H_IDLE].tripped && h.c[QMB_H_IDLE].value == 2,
	    "30 days later both sessions are idle: %s", h.c[QMB_H_IDLE].what);
	put(QMB_D_QMB, "gemini_failures.json", "{}");
	ok(qmb_recover_gemini_failures(&p, &n, src, sizeof(src), &err) == -1 &&
	    err.code == QMB_EXIT_CORRUPT, "a count file without a count is corrupt");
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(path);
}

int
main(void)
{
	struct qmb_err err = QMB_ERR_INIT;

	if (mkdtemp(tmpdir) == NULL || qmb_proj_open(&p, tmpdir, &err) == -1)
		return 2;
	test_size();
	test_metrics();
	test_health();
	qmb_proj_close(&p);
	if (getenv("QMB_KEEP") == NULL)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

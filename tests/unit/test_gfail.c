/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Gemini failure count (qmb_gfail): reading the file,
 * what counts as damage, and noting failures and successes.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_buf.h"
#include "qmb_gfail.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "tap.h"

static char tmpdir[] = "/tmp/qmb-unit-XXXXXX";

static int
parse(const char *text, struct qmb_gfail *f)
{
	struct qmb_err err = QMB_ERR_INIT;
	int rc = qmb_gfail_parse(text, strlen(text), f, &err);

	return rc == -1 ? -err.code : rc;
}

static void
test_parse(void)
{
	struct qmb_gfail f;

	ok(parse("{\"consecutive\":4,\"last_failure_at\":\"2026-01-01T00:00:00.000Z\","
	    "\"last_success_at\":null,\"last_error\":\"HTTP 503\"}", &f) == 0 &&
	    f.found && f.consecutive == 4 &&
	    strcmp(f.last_failure_at, "2026-01-01T00:00:00.000Z") == 0 &&
	    f.last_success_at[0] == '\0' && strcmp(f.last_error, "HTTP 503") == 0,
	    "a whole record");
	ok(parse("{\"consecutive_failures\":7}", &f) == 0 && f.consecutive == 7,
	    "consecutive_failures is read too");
	ok(parse("{\"consecutive\":2,\"consecutive_failures\":9}", &f) == 0 &&
	    f.consecutive == 2, "consecutive wins over consecutive_failures");
	ok(parse("{\"consecutive\":-1}", &f) == -QMB_EXIT_CORRUPT &&
	    f.consecutive == 0, "a negative count is damage");
	ok(parse("{\"consecutive\":1.5}", &f) == -QMB_EXIT_CORRUPT,
	    "a fraction is damage");
	ok(parse("{\"consecutive\":\"3\"}", &f) == -QMB_EXIT_CORRUPT,
	    "a string is damage");
	ok(parse("[3]", &f) == -QMB_EXIT_CORRUPT, "an array is damage");
	ok(parse("{\"consecutive\":3", &f) == -QMB_EXIT_CORRUPT,
	    "a torn file is damage");
	ok(parse("", &f) == -QMB_EXIT_CORRUPT, "an empty file is damage");
}

static int
put(int dfd, const char *text)
{
	int fd = openat(dfd, QMB_GFAIL_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The count stored in the file, as a JSON reader sees it; -1 if none. */
static int64_t
stored(int dfd)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf b;
	int64_t v = -1;

	qmb_buf_init(&b, 1 << 16);
	if (qmb_io_read_file(dfd, QMB_GFAIL_FILE, b.max, QMB_EXIT_CORRUPT, &b,
	    &err) == 0 && qmb_json_parse(b.data, b.len, 0, QMB_EXIT_CORRUPT,
	    &doc, &err) == 0 && qmb_json_get_int(doc.root, "consecutive", &v) == -1)
		v = -1;
	qmb_json_free(&doc);
	qmb_buf_free(&b);
	return v;
}

static void
test_project(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_proj p;
	struct qmb_gfail f;
	int dfd;

	ok(qmb_proj_open(&p, tmpdir, &err) == 0, "open a project");
	ok(qmb_gfail_read(&p, &f, &err) == 0 && !f.found && f.consecutive == 0,
	    "no .qmb/: zero, not found");
	ok(qmb_gfail_note(&p, 0, "timeout", &f, &err) == 0 && f.consecutive == 1,
	    "first failure: 1");
	ok(qmb_gfail_note(&p, 0, "HTTP 503", &f, &err) == 0 && f.consecutive == 2 &&
	    strcmp(f.last_error, "HTTP 503") == 0 && f.last_failure_at[0] != '\0',
	    "second failure: 2, error kept");
	dfd = qmb_proj_dir(&p, QMB_D_QMB, 0, &err);
	ok(dfd != -1 && stored(dfd) == 2, "the file holds 2");
	ok(qmb_gfail_read(&p, &f, &err) == 0 && f.found && f.consecutive == 2 &&
	    strcmp(f.last_error, "HTTP 503") == 0, "read back");
	ok(qmb_gfail_note(&p, 1, NULL, &f, &err) == 0 && f.consecutive == 0 &&
	    f.last_success_at[0] != '\0' && f.last_failure_at[0] != '\0',
	    "a success sets 0 and keeps the last failure's time");
	ok(stored(dfd) == 0, "the file holds 0");
	ok(qmb_gfail_read(&p, &f, &err) == 0 && f.found && f.consecutive == 0,
	    "a count of 0 is found");
	ok(put(dfd, "{\"consecutive\":") == 0 &&
	    qmb_gfail_read(&p, &f, &err) == -1 && err.code == QMB_EXIT_CORRUPT &&
	    strstr(err.msg, "gemini_failures.json") != NULL,
	    "a damaged file is an error naming it");
	ok(qmb_gfail_note(&p, 0, "x", &f, &err) == 0 && f.consecutive == 1 &&
	    stored(dfd) == 1, "a damaged count starts again from zero");
	ok(put(dfd, "{\"consecutive_failures\":5}") == 0 &&
	    qmb_gfail_note(&p, 0, "y", &f, &err) == 0 && stored(dfd) == 6,
	    "an old-style count goes on and is written as consecutive");
	ok(faccessat(dfd, QMB_GFAIL_LOCK, F_OK, 0) == 0, "the lock file exists");
	qmb_proj_close(&p);
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
	if (mkdtemp(tmpdir) == NULL)
		return 2;
	test_parse();
	test_project();
	if (getenv("QMB_KEEP") == NULL)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

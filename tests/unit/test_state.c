/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: session parse and invariants, the save sequence, the audit
 * appender, and replay: a trail replayed from session_created gives the
 * state that was saved.
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_audit.h"
#include "qmb_io.h"
#include "qmb_session.h"
#include "qmb_sha256.h"
#include "qmb_txn.h"
#include "tap.h"

static const char good[] =
"{\"version\":1,\"session_id\":\"s1\",\"project_name\":\"SalesModel\","
"\"created_at\":\"2026-01-21T10:00:00.000Z\",\"updated_at\":\"2026-01-21T14:35:00.000Z\","
"\"status\":\"active\",\"revision\":7,\"audit_seq\":0,\"audit_hash\":"
"\"0000000000000000000000000000000000000000000000000000000000000000\","
"\"current_stage\":\"C\",\"completed_stages\":[\"A\",\"B\"],\"model_type\":\"star_schema\","
"\"approved_script_parts\":{\"A\":\"QUALIFY *;\\n\",\"B\":\"DIM_Customers:\\nLOAD 1;\\n\"},"
"\"pending_tables\":[\"FACT_Orders\",\"FACT_Returns\"],\"gemini_reviews\":[],"
"\"user_id\":\"user@company.com\"}";

/* good with one substring replaced */
static int
parse_with(const char *from, const char *to, struct qmb_err *err)
{
	char buf[4096];
	const char *p = strstr(good, from);
	struct qmb_session s;
	int rc;

	if (p == NULL)
		return 99;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - good), good, to,
	    p + strlen(from));
	rc = qmb_session_parse(buf, strlen(buf), "s1", QMB_EXIT_CORRUPT, &s, err);
	if (rc == 0)
		qmb_session_free(&s);
	return rc;
}

static void
test_parse(void)
{
	static const char *const breaks[][2] = {
		{ "\"version\":1", "\"version\":2" },
		{ "\"version\":1,", "" },
		{ "\"current_stage\":\"C\"", "\"current_stage\":\"D\"" },
		{ "[\"A\",\"B\"]", "[\"B\",\"A\"]" },
		{ "[\"A\",\"B\"]", "[\"A\",\"C\"]" },
		{ ",\"B\":\"DIM_Customers:\\nLOAD 1;\\n\"", "" },
		{ "\"status\":\"active\"", "\"status\":\"done\"" },
		{ "\"status\":\"active\"", "\"status\":\"complete\"" },
		{ "\"model_type\":\"star_schema\"", "\"model_type\":\"galaxy\"" },
		{ "\"revision\":7", "\"revision\":-1" },
		{ "\"revision\":7", "\"revision\":7.5" },
		{ "\"session_id\":\"s1\"", "\"session_id\":\"s2\"" },
		{ "\"created_at\":\"2026-01-21T10:00:00.000Z\"", "\"created_at\":\"yesterday\"" },
		{ "\"user_id\":\"user@company.com\"", "\"user_id\":5" },
		{ "\"pending_tables\":[", "\"pending_tables\":[1," },
		{ "\"gemini_reviews\":[]", "\"gemini_reviews\":[1]" },
		{ "\"audit_hash\":\"0", "\"audit_hash\":\"x" },
		{ "\"version\":1", "\"version\":1,\"extra\":true" },
		{ "{\"A\":", "{\"C\":\"x\",\"A\":" },
	};
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_session s;
	struct qmb_buf b;
	size_t i, n = 0;

	ok(qmb_session_parse(good, strlen(good), "s1", QMB_EXIT_CORRUPT, &s,
	    &err) == 0, "the DESIGN example parses: %s", err.msg);
	ok(s.ncompleted == 2 && qmb_session_current(&s) == 'C' && s.ntables == 2 &&
	    s.revision == 7 && strcmp(s.model_type, "star_schema") == 0,
	    "fields read");
	qmb_buf_init(&b, 1 << 20);
	ok(qmb_session_write(&s, 0, &b, &err) == 0 && strcmp(b.data, good) == 0,
	    "compact write reproduces the input byte for byte");
	qmb_buf_free(&b);
	qmb_session_free(&s);
	for (i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		int rc = parse_with(breaks[i][0], breaks[i][1], &err);

		if (rc == -1 && err.code == QMB_EXIT_CORRUPT)
			n++;
		else
			printf("# accepted: %s -> %s\n", breaks[i][0], breaks[i][1]);
	}
	ok(n == sizeof(breaks) / sizeof(breaks[0]),
	    "every broken invariant refused (%zu of %zu)", n,
	    sizeof(breaks) / sizeof(breaks[0]));
	ok(parse_with("\"version\":1", "\"version\":2", &err) == -1 &&
	    strstr(err.msg, "newer") != NULL, "a newer version says so");
	ok(parse_with("\"model_type\":\"star_schema\"", "\"model_type\":null",
	    &err) == 0, "model_type may be null");
	ok(qmb_session_parse("{", 1, "s1", QMB_EXIT_CORRUPT, &s, &err) == -1 &&
	    err.code == QMB_EXIT_CORRUPT, "truncated JSON is corrupt");
	ok(qmb_session_valid(good, strlen(good)) == 1 &&
	    qmb_session_valid("{}", 2) == 0, "qmb_session_valid");
}

static char tmpdir[] = "/tmp/qmb-unit-XXXXXX";

static int
file_equals(int dfd, const char *name, const char *want)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_buf b;
	int eq;

	qmb_buf_init(&b, 1 << 20);
	eq = qmb_io_read_file(dfd, name, b.max, QMB_EXIT_CORRUPT, &b, &err) == 0 &&
	    strcmp(b.data, want) == 0;
	qmb_buf_free(&b);
	return eq;
}

static int
valid_if_v(const char *d, size_t n)
{
	return n > 0 && d[0] == 'v';
}

static void
test_save(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_save sv = { 0 };
	struct stat st;
	int dfd, cfd, fd;

	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	mkdirat(dfd, "corrupt", 0700);
	cfd = openat(dfd, "corrupt", O_RDONLY | O_DIRECTORY);
	sv.dfd = dfd;
	sv.name = "x.json";
	sv.corruptfd = cfd;
	sv.mode = 0600;
	sv.cur = QMB_CUR_UNKNOWN;
	sv.valid = valid_if_v;
	ok(qmb_atomic_save(&sv, "v1", 2, &err) == 0, "first save");
	ok(file_equals(dfd, "x.json", "v1") && faccessat(dfd, "x.json.bak",
	    F_OK, 0) == -1, "no .bak after the first save");
	ok(qmb_atomic_save(&sv, "v2", 2, &err) == 0 &&
	    file_equals(dfd, "x.json", "v2") && file_equals(dfd, "x.json.bak", "v1"),
	    ".bak is the previous version");
	fstatat(dfd, "x.json", &st, 0);
	ok((st.st_mode & 0777) == 0600, "mode 0600");
	fd = openat(dfd, "x.json.tmp", O_WRONLY | O_CREAT, 0600);
	close(fd);
	fd = openat(dfd, "x.json", O_WRONLY | O_TRUNC);
	ok(write(fd, "garbage", 7) == 7, "damage the file");
	close(fd);
	ok(qmb_atomic_save(&sv, "v3", 2, &err) == 0 &&
	    file_equals(dfd, "x.json", "v3") && file_equals(dfd, "x.json.bak", "v1"),
	    "a damaged file never becomes the .bak");
	ok(faccessat(dfd, "x.json.tmp", F_OK, 0) == -1, "stale .tmp removed");
	ok(qmb_atomic_write(dfd, "out.txt", "hello", 5, 0600, &err) == 0 &&
	    file_equals(dfd, "out.txt", "hello"), "atomic write");
	close(cfd);
	close(dfd);
}

static void
test_replay(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_proj p;
	struct qmb_txn t;
	struct qmb_session r;
	struct qmb_buf trail, a, b;
	int rc, n;

	ok(qmb_proj_open(&p, tmpdir, &err) == 0, "open a project");
	ok(qmb_txn_create(&t, &p, "r1", "u", &err) == 0, "create r1");
	rc = qmb_txn_commit(&t, "session_created",
	    "{\"project_name\":\"P\",\"model_type\":null}", NULL, NULL, &err);
	rc |= qmb_txn_commit(&t, "stage_approved", "{\"stage\":\"A\",\"script_sha256\":"
	    "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\","
	    "\"content\":\"abc\"}", NULL, "A", &err);
	rc |= qmb_txn_commit(&t, "tables_changed",
	    "{\"op\":\"set\",\"tables\":[\"T\"],\"pending_tables\":[\"T\"]}", NULL,
	    NULL, &err);
	rc |= qmb_txn_commit(&t, "model_type_selected",
	    "{\"model_type\":\"snowflake\"}", NULL, NULL, &err);
	rc |= qmb_txn_commit(&t, "my_note", "{\"n\":1}", NULL, NULL, &err);
	ok(rc == 0, "five changes committed: %s", err.msg);
	ok(qmb_txn_commit(&t, "stage_approved", "{\"stage\":\"A\",\"script_sha256\":"
	    "\"0000000000000000000000000000000000000000000000000000000000000000\","
	    "\"content\":\"abc\"}", NULL, "A", &err) == -1,
	    "an entry whose content does not match its hash cannot apply");
	qmb_txn_end(&t);
	qmb_buf_init(&trail, 1 << 20);
	qmb_buf_init(&a, 1 << 20);
	qmb_buf_init(&b, 1 << 20);
	ok(qmb_audit_read(&p, "r1", &trail, &err) == 0, "read the trail");
	qmb_session_init(&r);
	n = qmb_session_replay(&r, trail.data, trail.len, 5, &err);
	ok(n == 5, "replayed 5 entries: %s", err.msg);
	ok(r.ncompleted == 1 && r.ntables == 1 && strcmp(r.model_type,
	    "snowflake") == 0 && r.audit_seq == 5, "replayed state has the changes");
	/* the bad entry was refused before it reached the trail */
	ok(qmb_session_replay(&r, trail.data, trail.len, 0, &err) == 0 &&
	    r.audit_seq == 5, "an entry that cannot apply is never appended");
	ok(qmb_txn_begin(&t, &p, "r1", "u", &err) == 0,
	    "the session opens as it was: %s", err.msg);
	qmb_txn_end(&t);
	qmb_session_free(&r);
	qmb_buf_free(&trail);
	qmb_buf_free(&a);
	qmb_buf_free(&b);
	qmb_proj_close(&p);
}

static void
test_replay_equal(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_proj p;
	struct qmb_txn t;
	struct qmb_session r, s;
	struct qmb_buf trail, a, b;
	struct qmb_audit_head h;
	enum qmb_cur cur;
	int rc;

	qmb_proj_open(&p, tmpdir, &err);
	qmb_txn_create(&t, &p, "r2", "u", &err);
	rc = qmb_txn_commit(&t, "session_created",
	    "{\"project_name\":\"Q\",\"model_type\":\"link_table\"}", NULL, NULL, &err);
	rc |= qmb_txn_commit(&t, "stage_approved", "{\"stage\":\"A\",\"script_sha256\":"
	    "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\","
	    "\"content\":\"abc\"}", NULL, "A", &err);
	rc |= qmb_txn_commit(&t, "stage_reverted", "{\"stage\":\"A\"}", NULL, "A",
	    &err);
	rc |= qmb_txn_commit(&t, "review_recorded",
	    "{\"review\":{\"score\":90,\"script_sha256\":\"x\"}}", NULL, NULL, &err);
	ok(rc == 0, "four changes committed");
	qmb_txn_end(&t);
	qmb_buf_init(&trail, 1 << 20);
	qmb_buf_init(&a, 1 << 20);
	qmb_buf_init(&b, 1 << 20);
	qmb_audit_read(&p, "r2", &trail, &err);
	qmb_session_init(&r);
	ok(qmb_session_replay(&r, trail.data, trail.len, 0, &err) == 4,
	    "replay all");
	ok(qmb_session_load(&p, "r2", &s, &cur, &err) == 0, "load the saved state");
	qmb_session_write(&r, 1, &a, &err);
	qmb_session_write(&s, 1, &b, &err);
	ok(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
	    "the replayed state equals the saved state byte for byte");
	ok(qmb_audit_head(&p, "r2", &h, &err) == 0 && h.seq == 4 &&
	    strcmp(h.hash, s.audit_hash) == 0, "audit head matches the state");
	qmb_session_free(&r);
	qmb_session_free(&s);
	/* cut the trail short: replay must notice */
	qmb_session_init(&r);
	r.audit_seq = 9;
	ok(qmb_session_replay(&r, trail.data, trail.len, 0, &err) == -1 &&
	    err.code == QMB_EXIT_CORRUPT, "a trail shorter than audit_seq is refused");
	qmb_session_free(&r);
	/* tamper one byte */
	trail.data[trail.len / 2] ^= 1;
	qmb_session_init(&r);
	ok(qmb_session_replay(&r, trail.data, trail.len, 0, &err) == -1 &&
	    err.code == QMB_EXIT_CORRUPT, "a changed byte is caught: %s", err.msg);
	qmb_session_free(&r);
	qmb_buf_free(&trail);
	qmb_buf_free(&a);
	qmb_buf_free(&b);
	qmb_proj_close(&p);
}

static void
test_audit_torn(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_audit_in in = { .session_id = "t1", .user_id = "u",
	    .type = "note", .details = "{\"a\":1}" };
	struct qmb_audit_head h;
	struct qmb_proj p;
	struct qmb_buf b;
	char path[256];
	int fd;

	qmb_proj_open(&p, tmpdir, &err);
	ok(qmb_audit_append(&p, &in, &h, NULL, &err) == 0 && h.seq == 1, "append 1");
	snprintf(path, sizeof(path), "%s/.qmb/audit/t1.audit.json", tmpdir);
	fd = open(path, O_WRONLY | O_APPEND);
	ok(write(fd, "{\"seq\":2,\"time", 14) == 14, "tear the trail");
	close(fd);
	ok(qmb_audit_head(&p, "t1", &h, &err) == 0 && h.torn && h.seq == 1,
	    "the head sees the torn tail");
	ok(qmb_audit_append(&p, &in, &h, NULL, &err) == 0 && h.seq == 2,
	    "the next append cuts it and continues at 2");
	qmb_buf_init(&b, 1 << 20);
	qmb_audit_read(&p, "t1", &b, &err);
	ok(strstr(b.data, "{\"seq\":2,\"time{") == NULL &&
	    b.data[b.len - 1] == '\n', "no fragment left in the trail");
	qmb_buf_free(&b);
	in.details = "{\"f\":1.5}";
	ok(qmb_audit_append(&p, &in, &h, NULL, &err) == -1 &&
	    err.code == QMB_EXIT_USAGE, "floats refused in audit details");
	in.type = "Bad-Type";
	ok(qmb_audit_type_check(in.type, &err) == -1, "bad type refused");
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
	test_save();
	test_replay();
	test_replay_equal();
	test_audit_torn();
	if (getenv("QMB_KEEP") == NULL)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

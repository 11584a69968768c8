/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the format chain (each step on fixtures of the older
 * format), the refusal of newer formats, salvage, and the migration of
 * the fixture project of the TypeScript tool (tests/fixtures/legacy).
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_format.h"
#include "qmb_io.h"
#include "qmb_migrate.h"
#include "qmb_session.h"
#include "tap.h"

#define FIX	"tests/fixtures/legacy/project/.qmb/"
#define S1	"qmb-1737453600000-1a2b3c4d"
#define S2	"qmb-1737540000000-5e6f7a8b"
#define S3	"qmb-1736000000000-0badf00d"

static int
slurp(const char *path, struct qmb_buf *b)
{
	struct qmb_err e = QMB_ERR_INIT;

	qmb_buf_init(b, 1 << 24);
	return qmb_io_read_file(AT_FDCWD, path, b->max, QMB_EXIT_CORRUPT, b,
	    &e);
}

static int
parse(const char *text, struct qmb_json_doc *doc)
{
	return qmb_json_parse(text, strlen(text), 0, QMB_EXIT_CORRUPT, doc,
	    NULL);
}

/* Step 0 -> 1 on the fixtures: a session of format 1 with the same data. */
static void
test_step0(void)
{
	struct qmb_json_doc in = { 0 }, out = { 0 };
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_session s;
	struct qmb_buf b, o;
	int64_t fmt = -1;

	ok(slurp(FIX "sessions/" S1 ".json", &b) == 0, "read fixture S1");
	ok(qmb_json_parse(b.data, b.len, 0, 5, &in, NULL) == 0 &&
	    qmb_format_of(in.root, &fmt, 5, &e) == 0 && fmt == 0,
	    "a file without version is format 0");
	qmb_buf_init(&o, 1 << 24);
	ok(qmb_format_step(in.root, 0, &o, 5, &e) == 0, "step 0 runs");
	ok(parse(o.data, &out) == 0 && qmb_format_of(out.root, &fmt, 5,
	    &e) == 0 && fmt == 1, "step 0 gives format 1");
	ok(qmb_session_parse(o.data, o.len, S1, 5, &s, &e) == 0 &&
	    s.version == 1 && s.ncompleted == 2 && s.ntables == 2 &&
	    strcmp(s.user_id, "user@company.com") == 0 &&
	    strstr(s.parts[0], "\xe2\x80\x93") != NULL,
	    "its result validates, keeping parts, tables, user, the en dash");
	qmb_session_free(&s);
	ok(qmb_session_parse(b.data, b.len, S1, 5, &s, &e) == 0 &&
	    s.version == 0 && s.audit_seq == 0 && !s.complete,
	    "the reader upgrades format 0 and says it was format 0");
	qmb_session_free(&s);
	ok(qmb_format_step(in.root, 1, &o, 5, &e) == -1 &&
	    e.code == QMB_EXIT_INTERNAL, "no step beyond the current format");
	qmb_json_free(&in);
	qmb_json_free(&out);
	qmb_buf_free(&b);
	/* the reverted one: current_stage follows completed_stages */
	ok(slurp(FIX "sessions/" S2 ".json", &b) == 0 &&
	    qmb_session_parse(b.data, b.len, S2, 5, &s, &e) == 0 &&
	    qmb_session_current(&s) == 'C' &&
	    strcmp(s.user_id, QMB_FORMAT_NO_USER) == 0 &&
	    s.parts[1][strlen(s.parts[1]) - 1] != '\n',
	    "reverted: current C, no user, part B without final newline");
	qmb_session_free(&s);
	qmb_buf_free(&b);
	ok(slurp(FIX "archive/" S3 ".json", &b) == 0 &&
	    qmb_session_parse(b.data, b.len, S3, 5, &s, &e) == 0 &&
	    s.ncompleted == 6 && qmb_session_current(&s) == 'F',
	    "archived: six stages, current F");
	qmb_session_free(&s);
	qmb_buf_free(&b);
	qmb_buf_free(&o);
}

static void
test_versions(void)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_session s;
	const char *v2 = "{\"version\":2,\"session_id\":\"x\"}";
	const char *vbad = "{\"version\":\"1\",\"session_id\":\"x\"}";

	ok(qmb_session_parse(v2, strlen(v2), NULL, 5, &s, &e) == -1 &&
	    qmb_format_is_newer(&e) &&
	    strstr(e.msg, "written by a newer qmb (format 2); this one reads up to 1") != NULL,
	    "a newer format is refused with its one line: %s", e.msg);
	ok(qmb_session_parse(vbad, strlen(vbad), NULL, 5, &s, &e) == -1 &&
	    !qmb_format_is_newer(&e), "a malformed version is damage");
	ok(QMB_FORMAT_CURRENT == QMB_SESSION_VERSION,
	    "the reader's version is the chain's last format");
}

static void
test_salvage(void)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_session s;
	struct qmb_buf d;
	const char *half = "{\"session_id\":\"s\",\"project_name\":\"P\","
	    "\"completed_stages\":[\"A\",\"C\"],\"approved_script_parts\":"
	    "{\"A\":\"a\\n\",\"B\":\"b\",\"C\":\"c\"},\"model_type\":\"nope\","
	    "\"pending_tables\":[\"T1\",5,\"\"],\"gemini_reviews\":[{\"score\":1},7],"
	    "\"created_at\":\"yesterday\"}";
	int n;

	qmb_buf_init(&d, 1 << 16);
	ok(parse(half, &doc) == 0, "parse the half-valid state");
	n = qmb_format_salvage(doc.root, "s", NULL, &s, &d, &e);
	ok(n > 0 && s.ncompleted == 1 && strcmp(s.parts[0], "a\n") == 0 &&
	    s.model_type == NULL && s.ntables == 1 &&
	    strcmp(s.tables[0], "T1") == 0 && strstr(s.reviews, "score") &&
	    strcmp(s.project, "P") == 0,
	    "salvage keeps what is valid on its own (%d)", n);
	ok(strstr(d.data, "the part of stage B") != NULL &&
	    strstr(d.data, "model_type") != NULL &&
	    strstr(d.data, "pending_tables[1]") != NULL &&
	    strstr(d.data, "gemini_reviews[1]") != NULL &&
	    strstr(d.data, "created_at") != NULL,
	    "and says what it dropped");
	qmb_session_free(&s);
	qmb_json_free(&doc);
	qmb_buf_reset(&d);
	ok(parse("{\"project_name\":7}", &doc) == 0 &&
	    qmb_format_salvage(doc.root, "s", "Q", &s, &d, &e) == 0 &&
	    strcmp(s.project, "Q") == 0, "nothing of value: 0 (lost)");
	qmb_session_free(&s);
	qmb_json_free(&doc);
	qmb_buf_free(&d);
}

/* Run a command (argv) and wait for it; 0 when it exited 0. */
static int
run(char *const argv[])
{
	pid_t pid;
	int st;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) == -1)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* The fixture project in a temporary folder. */
static int
project(char *dir)
{
	char *cp[] = { "cp", "-a", FIX, dir, NULL };

	snprintf(dir, PATH_MAX, "/tmp/qmb-test-migrate.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	return run(cp);
}

static int
version_of(struct qmb_proj *p, const char *id)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_session s;
	enum qmb_cur cur;
	int v;

	if (qmb_session_load(p, id, &s, &cur, &e) == -1)
		return -1;
	v = (int)s.version;
	qmb_session_free(&s);
	return v;
}

static void
test_migrate(void)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_mig_res r;
	struct qmb_proj p;
	char dir[PATH_MAX], **ids;
	char *rm[] = { "rm", "-rf", dir, NULL };
	size_t n, i;

	if (project(dir) == -1) {
		ok(0, "make a project");
		return;
	}
	ok(qmb_proj_open(&p, dir, &e) == 0, "open the project");
	ok(qmb_migrate_ids(&p, &ids, &n, &e) == 0 && n == 3 &&
	    strcmp(ids[0], S3) == 0, "three sessions to migrate");
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	qmb_mig_res_init(&r);
	ok(qmb_migrate_session(&p, S1, 1, 0, &r, &e) == 0 &&
	    r.state == QMB_MIG_DONE && r.entries == 5 && r.trail == 6 &&
	    version_of(&p, S1) == 0, "dry run: plans, changes nothing");
	qmb_mig_res_free(&r);
	qmb_mig_res_init(&r);
	ok(qmb_migrate_session(&p, S1, 0, 0, &r, &e) == 0 &&
	    r.state == QMB_MIG_DONE && r.stages == 2 && r.tables == 2 &&
	    r.reviews == 1 && version_of(&p, S1) == 1, "migrate S1: %s", e.msg);
	qmb_mig_res_free(&r);
	qmb_mig_res_init(&r);
	ok(qmb_migrate_session(&p, S1, 0, 0, &r, &e) == 0 &&
	    r.state == QMB_MIG_NONE && r.text.len == 0, "again: nothing");
	qmb_mig_res_free(&r);
	ok(qmb_migrate_pending(&p, S1) == 0 && qmb_migrate_pending(&p, S2) == 1,
	    "pending: S2 yes, S1 no more");
	qmb_proj_close(&p);
	run(rm);
}

int
main(void)
{
	setenv("QMB_PROJECT_DIR", "/nonexistent", 1);
	test_step0();
	test_versions();
	test_salvage();
	test_migrate();
	return tap_done();
}

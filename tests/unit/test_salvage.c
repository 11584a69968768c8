/* SPDX-License-Identifier: MIT */
/* Unit tests of qmb_salvage: a state file as found. */
#include <sys/stat.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_salvage.h"
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

static char tmpdir[] = "/tmp/qmb-unit-XXXXXX";

static void
put(int dfd, const char *name, const char *data, size_t len)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd != -1) {
		if (write(fd, data, len) != (ssize_t)len)
			perror(name);
		close(fd);
	}
}

/* Load dfd/s1.json+suffix into a fresh candidate; its state. */
static int
load(int dfd, const char *suffix, struct qmb_cand *c)
{
	struct qmb_err err = QMB_ERR_INIT;

	qmb_salvage_free(c);
	qmb_salvage_init(c);
	return qmb_salvage_load(dfd, "s1", suffix, c, &err) == -1 ? -1 :
	    (int)c->st;
}

static void
test_load(int dfd)
{
	struct qmb_cand c;
	char buf[4096];

	qmb_salvage_init(&c);
	ok(load(-1, "", &c) == QMB_C_MISSING, "no folder: missing");
	ok(load(dfd, "", &c) == QMB_C_MISSING, "no file: missing");
	put(dfd, "s1.json", good, strlen(good));
	ok(load(dfd, "", &c) == QMB_C_VALID && c.s.ncompleted == 2 &&
	    strcmp(c.project, "SalesModel") == 0, "a valid state is read whole");
	/* cut short in the middle of the stages */
	put(dfd, "s1.json.bak", good, 200);
	ok(load(dfd, ".bak", &c) == QMB_C_DAMAGED && c.why[0] != '\0' &&
	    strcmp(c.project, "SalesModel") == 0,
	    "a file cut short is damaged, and its project name is salvaged (%s)",
	    c.why);
	put(dfd, "s1.json.bak", "", 0);
	ok(load(dfd, ".bak", &c) == QMB_C_DAMAGED &&
	    strcmp(c.why, "the file is empty") == 0 && c.project[0] == '\0',
	    "an empty file is damaged: the file is empty");
	snprintf(buf, sizeof(buf), "%s", good);
	memcpy(strstr(buf, "\"version\":1"), "\"version\":9", 11);
	put(dfd, "s1.json", buf, strlen(buf));
	ok(load(dfd, "", &c) == QMB_C_NEWER && c.version == 9 &&
	    strcmp(c.project, "SalesModel") == 0,
	    "a newer state version is told apart from damage");
	qmb_salvage_free(&c);
}

static void
test_text(void)
{
	static const char *const cases[][2] = {
		{ "{\"project_name\": \"P1\", \"x\":", "P1" },
		{ "garbage \"project_name\":\"P2\"", "P2" },
		{ "{\"project_name\":\"a\\\"b\", ", "" },	/* escape: not trusted */
		{ "{\"project_name\":\"", "" },
		{ "{\"project_name\":\"\001x\"", "" },	/* not a name */
		{ "{\"project_name\":\"a\\\"b\"}", "a\"b" },	/* parsed */
		{ "no project here", "" },
	};
	struct qmb_cand c;
	size_t i, n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		qmb_salvage_init(&c);
		c.st = QMB_C_DAMAGED;
		qmb_salvage_text(cases[i][0], strlen(cases[i][0]), &c);
		if (strcmp(c.project, cases[i][1]) == 0)
			n++;
		else
			printf("# '%s': got '%s'\n", cases[i][0], c.project);
		qmb_salvage_free(&c);
	}
	ok(n == i, "project names salvaged from damaged text (%zu of %zu)", n, i);
	qmb_salvage_init(&c);
	c.st = QMB_C_DAMAGED;
	qmb_salvage_text("{\"version\":1,\"x\":2}", 19, &c);
	ok(c.st == QMB_C_DAMAGED, "our own version stays damaged");
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
	int dfd;

	if (mkdtemp(tmpdir) == NULL ||
	    (dfd = open(tmpdir, O_RDONLY | O_DIRECTORY)) == -1)
		return 2;
	test_load(dfd);
	test_text();
	close(dfd);
	if (getenv("QMB_KEEP") == NULL)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

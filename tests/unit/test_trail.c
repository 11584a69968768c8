/* SPDX-License-Identifier: MIT */
/* Unit tests of qmb_trail: an audit trail as found, verified, replayed. */
#include <sys/stat.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_trail.h"
#include "qmb_txn.h"
#include "tap.h"

static char tmpdir[] = "/tmp/qmb-unit-XXXXXX";

/* Append raw bytes to .qmb/audit/ID.audit.json. */
static void
append(struct qmb_proj *p, const char *id, const char *data)
{
	struct qmb_err err = QMB_ERR_INIT;
	char name[128];
	int fd;

	snprintf(name, sizeof(name), "%s.audit.json", id);
	fd = openat(qmb_proj_dir(p, QMB_D_AUDIT, 0, &err), name,
	    O_WRONLY | O_APPEND);
	if (fd != -1) {
		if (write(fd, data, strlen(data)) != (ssize_t)strlen(data))
			perror(name);
		close(fd);
	}
}

/* Session id with three changes; its state's audit hash to hash. */
static int
make(struct qmb_proj *p, const char *id, char *hash)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_txn t;
	int rc;

	if (qmb_txn_create(&t, p, id, "u", &err) == -1)
		return -1;
	rc = qmb_txn_commit(&t, "session_created",
	    "{\"project_name\":\"P\",\"model_type\":null}", NULL, NULL, &err);
	rc |= qmb_txn_commit(&t, "model_type_selected",
	    "{\"model_type\":\"snowflake\"}", NULL, NULL, &err);
	rc |= qmb_txn_commit(&t, "tables_changed",
	    "{\"op\":\"set\",\"tables\":[\"T\"],\"pending_tables\":[\"T\"]}",
	    NULL, NULL, &err);
	snprintf(hash, QMB_SHA256_HEX + 1, "%s", t.s.audit_hash);
	qmb_txn_end(&t);
	return rc;
}

static int
load(struct qmb_proj *p, const char *id, struct qmb_trail *t)
{
	struct qmb_err err = QMB_ERR_INIT;

	qmb_trail_free(t);
	qmb_trail_init(t);
	return qmb_trail_load(p, id, t, &err);
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
	struct qmb_json_doc doc = { 0 };
	struct qmb_proj p;
	struct qmb_trail t;
	struct qmb_session s;
	struct qmb_txn x;
	char hash[QMB_SHA256_HEX + 1];
	int64_t n = -1;

	if (mkdtemp(tmpdir) == NULL || qmb_proj_open(&p, tmpdir, &err) == -1)
		return 2;
	qmb_trail_init(&t);
	ok(load(&p, "none", &t) == 0 && !t.exists && t.n == 0 &&
	    strcmp(t.head, QMB_AUDIT_ZERO) == 0,
	    "a missing trail is empty, its head zero");
	ok(make(&p, "t1", hash) == 0, "a session with three changes");
	ok(load(&p, "t1", &t) == 0 && t.exists && t.n == 3 && t.bad == 0 &&
	    !t.torn && t.good == t.text.len, "three entries verify");
	ok(strcmp(t.head, hash) == 0 && strcmp(t.project, "P") == 0 &&
	    strcmp(t.last_type, "tables_changed") == 0,
	    "head, project and last type are read");
	ok(qmb_trail_entry(&t, 2, &doc) == 0 &&
	    strcmp(qmb_json_get_str(doc.root, "type"), "model_type_selected") == 0,
	    "entry 2 is the second line");
	qmb_json_free(&doc);
	ok(qmb_trail_entry(&t, 4, &doc) == -1, "there is no entry 4");

	qmb_session_init(&s);
	ok(qmb_trail_apply(&t, "t1", &s, t.n, &n) == 0 && n == 3 &&
	    s.audit_seq == 3 && strcmp(s.model_type, "snowflake") == 0 &&
	    s.ntables == 1, "replay rebuilds the state");
	qmb_session_free(&s);

	append(&p, "t1", "{\"seq\":4,\"ty");
	ok(load(&p, "t1", &t) == 0 && t.torn && t.n == 3 && t.bad == 0 &&
	    t.good < t.text.len, "a torn last line is not an entry, nor a break");

	ok(make(&p, "t2", hash) == 0 && qmb_txn_begin(&x, &p, "t2", "u",
	    &err) == 0, "a second session");
	/* appended, but it cannot apply: the session exists */
	qmb_txn_commit(&x, "session_created",
	    "{\"project_name\":\"P\",\"model_type\":null}", NULL, NULL, &err);
	qmb_txn_end(&x);
	qmb_session_init(&s);
	ok(load(&p, "t2", &t) == 0 && t.n == 4 &&
	    qmb_trail_apply(&t, "t2", &s, t.n, &n) == -1 && n == 3,
	    "replay stops at the entry that does not apply");
	ok(t.n == 3 && t.bad == 4 && strncmp(t.what, "entry does not apply",
	    20) == 0 && t.good < t.text.len,
	    "the usable trail is cut back before it (%s)", t.what);
	qmb_session_free(&s);

	ok(make(&p, "t3", hash) == 0, "a third session");
	append(&p, "t3", "{\"not\":\"chained\"}\n");
	ok(load(&p, "t3", &t) == 0 && t.n == 3 && t.bad == 4 && !t.torn &&
	    t.what[0] != '\0', "a line that does not chain breaks the trail");
	qmb_trail_free(&t);
	qmb_proj_close(&p);
	if (getenv("QMB_KEEP") == NULL)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

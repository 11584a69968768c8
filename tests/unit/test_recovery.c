/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of recovery: classification (qmb_classify), repair
 * (qmb_repair) and the result's words (qmb_recover).
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_classify.h"
#include "qmb_ids.h"
#include "qmb_recover.h"
#include "qmb_repair.h"
#include "qmb_txn.h"
#include "tap.h"

static char tmpdir[] = "/tmp/qmb-unit-XXXXXX";
static struct qmb_proj p;

/* Session id: created, stage A approved, model type chosen. */
static int
make(const char *id)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_txn t;
	int rc;

	if (qmb_txn_create(&t, &p, id, "u", &err) == -1)
		return -1;
	rc = qmb_txn_commit(&t, "session_created",
	    "{\"project_name\":\"Sales\",\"model_type\":null}", NULL, NULL, &err);
	rc |= qmb_txn_commit(&t, "stage_approved", "{\"stage\":\"A\",\"script_sha256\":"
	    "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\","
	    "\"content\":\"abc\"}", NULL, "A", &err);
	rc |= qmb_txn_commit(&t, "model_type_selected",
	    "{\"model_type\":\"snowflake\"}", NULL, NULL, &err);
	qmb_txn_end(&t);
	return rc;
}

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
has(const struct qmb_rec *r, enum qmb_fkind k)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		if (r->f[i].kind == k)
			return 1;
	return 0;
}

/* The words of r; static. */
static const char *
words(const struct qmb_rec *r, int dry)
{
	static char out[4096];
	struct qmb_buf b;

	qmb_buf_init(&b, sizeof(out));
	qmb_recover_describe(r, dry, &b);
	snprintf(out, sizeof(out), "%s", b.len ? b.data : "");
	qmb_buf_free(&b);
	return out;
}

static enum qmb_verdict
check(const char *id, struct qmb_rec *r)
{
	struct qmb_err err = QMB_ERR_INIT;

	qmb_rec_free(r);
	if (qmb_classify_session(&p, id, QMB_FROM_AUTO, r, &err) == -1) {
		printf("# check %s: %s\n", id, err.msg);
		return (enum qmb_verdict)-1;
	}
	return r->verdict;
}

static void
test_names(void)
{
	struct qmb_rec r;
	int i;

	ok(strcmp(qmb_recover_verdict(QMB_V_BAK), "restore-from-bak") == 0 &&
	    strcmp(qmb_recover_verdict(QMB_V_ARCHIVED), "archived") == 0 &&
	    strcmp(qmb_recover_fkind(QMB_F_LOGTORN), "log-torn") == 0 &&
	    strcmp(qmb_recover_fkind(QMB_F_IDLE), "idle") == 0,
	    "verdict and finding names");
	qmb_rec_init(&r);
	for (i = 0; i < 20; i++)
		qmb_rec_find(&r, QMB_F_IDLE, NULL, "idle %d", i);
	ok(r.nf == QMB_REC_FINDS && strcmp(r.f[15].msg, "idle 15") == 0 &&
	    r.f[0].path[0] == '\0', "findings beyond %d are dropped",
	    QMB_REC_FINDS);
	ok(!qmb_rec_needs_repair(&r), "idle alone needs no repair");
	qmb_rec_find(&r, QMB_F_IDLE, NULL, "x");
	r.nf = 1;
	r.f[0].kind = QMB_F_TMP;
	ok(qmb_rec_needs_repair(&r), "a stale temporary file needs repair");
	r.nf = 0;
	r.verdict = QMB_V_BEHIND;
	ok(qmb_rec_needs_repair(&r) && strcmp(qmb_recover_source(&r),
	    "audit") == 0, "behind needs repair, from the audit trail");
	qmb_rec_free(&r);
}

static void
test_classify(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_rec r;

	qmb_rec_init(&r);
	ok(make("ok1") == 0 && check("ok1", &r) == QMB_V_OK &&
	    !qmb_rec_needs_repair(&r) && r.entries == 3 &&
	    strcmp(r.project, "Sales") == 0, "a healthy session is ok");
	ok(strstr(words(&r, 1), "is healthy") != NULL, "and says so");
	qmb_rec_free(&r);
	ok(qmb_classify_session(&p, "nosuch", QMB_FROM_AUTO, &r, &err) == -1 &&
	    err.code == QMB_EXIT_NOTFOUND, "an unknown id is not found");

	ok(make("bak1") == 0, "a session to lose its state file");
	unlinkat(qmb_proj_dir(&p, QMB_D_SESSIONS, 0, &err), "bak1.json", 0);
	ok(check("bak1", &r) == QMB_V_BAK && r.rolled == 1 && !r.partial &&
	    has(&r, QMB_F_MISSING), "state gone: restore .bak, roll it forward");
	ok(strstr(words(&r, 1), "Would restore from backup and roll it "
	    "forward 1 audit entry") != NULL,
	    "and says so in words");

	ok(make("aud1") == 0, "a session to lose state and backup");
	put(QMB_D_SESSIONS, "aud1.json", "{\"version\":1,");
	put(QMB_D_SESSIONS, "aud1.json.bak", "garbage");
	ok(check("aud1", &r) == QMB_V_AUDIT && r.rolled == 3 &&
	    has(&r, QMB_F_DAMAGED) && has(&r, QMB_F_BAK),
	    "both damaged: rebuild from the trail");
	ok(strstr(words(&r, 1), "Can restore up to Stage A") != NULL,
	    "and says so in words");

	ok(make("new1") == 0, "a session from a newer qmb");
	put(QMB_D_SESSIONS, "new1.json", "{\"version\":99,\"project_name\":\"N\"}");
	ok(check("new1", &r) == QMB_V_NEWER && has(&r, QMB_F_NEWER),
	    "a newer state is left alone");

	put(QMB_D_AUDIT, "lost1.audit.json", "not json\n");
	put(QMB_D_SESSIONS, "lost1.json", "{\"project_name\":\"Gone\",");
	ok(check("lost1", &r) == QMB_V_LOST && r.partial &&
	    strcmp(r.project, "Gone") == 0,
	    "nothing usable: lost, the project name salvaged");
	qmb_rec_free(&r);
}

static void
test_repair(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_repair_opts o = { QMB_FROM_AUTO, 0, "tester", 0 };
	struct qmb_rec r;

	ok(qmb_repair_session(&p, "aud1", &o, &r, &err) == 0 && r.repaired &&
	    r.new_seq == 4 && r.nkept >= 2, "repair rebuilds and records it: %s",
	    err.msg);
	ok(strstr(words(&r, 0), "Recorded the repair as audit entry 4") != NULL,
	    "and says so in words");
	ok(check("aud1", &r) == QMB_V_OK && !qmb_rec_needs_repair(&r) &&
	    r.entries == 4, "after it the session is healthy");
	qmb_rec_free(&r);

	ok(qmb_repair_session(&p, "new1", &o, &r, &err) == -1 &&
	    err.code == QMB_EXIT_CORRUPT && !r.repaired,
	    "a newer state is refused, nothing changed");
	qmb_rec_free(&r);
	o.from = QMB_FROM_AUDIT;
	ok(qmb_repair_session(&p, "new1", &o, &r, &err) == 0 &&
	    r.verdict == QMB_V_AUDIT && r.repaired,
	    "unless --from names a source");
	qmb_rec_free(&r);

	o.from = QMB_FROM_AUTO;
	o.dry_run = 1;
	ok(qmb_repair_session(&p, "lost1", &o, &r, &err) == 0 && !r.repaired &&
	    qmb_ids_exists(&p, QMB_D_SESSIONS, "lost1", ".json"),
	    "a dry run changes nothing");
	qmb_rec_free(&r);
	o.dry_run = 0;
	/* its trail's one line is no entry: dropping it needs --force */
	ok(qmb_repair_session(&p, "lost1", &o, &r, &err) == -1 &&
	    err.code == QMB_EXIT_FAIL && !r.repaired && r.trail_dropped == 1,
	    "dropping a line that is no entry needs force");
	qmb_rec_free(&r);
	o.force = 1;
	ok(qmb_repair_session(&p, "lost1", &o, &r, &err) == 0 && r.repaired &&
	    r.has_state && strcmp(r.state.project, "Gone") == 0 &&
	    r.state.ncompleted == 0, "lost: started fresh with its project");
	qmb_rec_free(&r);
	ok(check("lost1", &r) == QMB_V_OK, "and is healthy after");
	qmb_rec_free(&r);
}

static void
test_system(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_rec r;

	put(QMB_D_LOGS, "qmb.log", "{\"a\":1}\n{\"b\"");
	put(QMB_D_LOGS, "ok1.log", "{\"a\":1}\n{\"b\"");	/* ok1's own */
	ok(qmb_repair_system(&p, 1, &r, &err) == 0 && r.nf == 1 &&
	    r.f[0].kind == QMB_F_LOGTORN && !r.repaired &&
	    strcmp(r.id, "system") == 0,
	    "the global log's torn line is a finding, a live session's is not");
	qmb_rec_free(&r);
	ok(qmb_repair_system(&p, 0, &r, &err) == 0 && r.repaired &&
	    r.nkept == 1, "and is cut on repair: %s", r.nkept ? r.kept[0] : "");
	qmb_rec_free(&r);
	ok(qmb_repair_system(&p, 1, &r, &err) == 0 && r.nf == 0,
	    "after that nothing is found");
	qmb_rec_free(&r);
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
	test_names();
	test_classify();
	test_repair();
	test_system();
	qmb_proj_close(&p);
	if (getenv("QMB_KEEP") == NULL)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

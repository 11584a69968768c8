/* SPDX-License-Identifier: MIT */
/* Unit tests of qmb_archive: archiving one live session. */
#include <sys/stat.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_archive.h"
#include "qmb_audit.h"
#include "qmb_ids.h"
#include "qmb_txn.h"
#include "tap.h"

static char tmpdir[] = "/tmp/qmb-unit-XXXXXX";

static int
make(struct qmb_proj *p, const char *id)
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
	qmb_txn_end(&t);
	return rc;
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
	struct qmb_audit_head h;
	struct qmb_proj p;
	struct qmb_buf b;
	int fd;

	if (mkdtemp(tmpdir) == NULL || qmb_proj_open(&p, tmpdir, &err) == -1)
		return 2;
	ok(make(&p, "a1") == 0, "a session with a backup");
	ok(qmb_archive_session(&p, "a1", "tester", NULL, &err) == 0,
	    "archive it: %s", err.msg);
	ok(!qmb_ids_has_state(&p, "a1") &&
	    qmb_ids_exists(&p, QMB_D_ARCHIVE_SESSIONS, "a1", ".json") &&
	    qmb_ids_exists(&p, QMB_D_ARCHIVE_SESSIONS, "a1", ".json.bak"),
	    "its state and backup moved to .qmb/archive/sessions/");
	qmb_buf_init(&b, 1 << 20);
	ok(qmb_audit_head(&p, "a1", &h, &err) == 0 && h.seq == 3 &&
	    qmb_audit_read(&p, "a1", &b, &err) == 0 &&
	    strstr(b.data, "\"session_archived\"") != NULL &&
	    strstr(b.data, "{\"to\":\".qmb/archive/sessions\"}") != NULL,
	    "session_archived is the trail's last entry, with default details");
	qmb_buf_free(&b);
	ok(qmb_archive_session(&p, "a1", "tester", NULL, &err) == -1 &&
	    err.code == QMB_EXIT_NOTFOUND, "an archived session cannot be archived again");

	ok(make(&p, "b1") == 0 && (fd = openat(qmb_proj_dir(&p,
	    QMB_D_ARCHIVE_SESSIONS, 0, &err), "b1.json", O_WRONLY | O_CREAT,
	    0600)) != -1, "a second session, and an archived copy in the way");
	close(fd);
	ok(qmb_archive_session(&p, "b1", "tester", "{\"why\":1}", &err) == -1 &&
	    err.code == QMB_EXIT_BUSY && qmb_ids_has_state(&p, "b1"),
	    "an archived copy is never overwritten: %s", err.msg);
	ok(qmb_audit_head(&p, "b1", &h, &err) == 0 && h.seq == 2,
	    "and nothing was audited");
	ok(qmb_archive_session(&p, "nosuch", "tester", NULL, &err) == -1 &&
	    err.code == QMB_EXIT_NOTFOUND, "an unknown session is not found");
	qmb_proj_close(&p);
	if (getenv("QMB_KEEP") == NULL)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

/* SPDX-License-Identifier: MIT */
/*
 * Archiving a live session (see qmb_archive.h).  The change is audited
 * first and only then carried out, under the session lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "qmb_archive.h"
#include "qmb_io.h"
#include "qmb_txn.h"

static int
move_in(int from, int to, const char *name, struct qmb_err *err)
{
	if (qmb_io_renameat2(from, name, to, name) == -1 && errno != ENOENT)
		return qmb_errsys(err, QMB_EXIT_IO,
		    "move '%s' to .qmb/archive/sessions", name);
	return 0;
}

int
qmb_archive_session(struct qmb_proj *p, const char *id, const char *user,
    const char *details, struct qmb_err *err)
{
	struct qmb_txn t;
	char name[NAME_MAX + 1], bak[NAME_MAX + 1], why[QMB_ERR_MSG];
	int sfd, afd, rc = -1;

	if (qmb_txn_begin(&t, p, id, user, err) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.json", id);
	snprintf(bak, sizeof(bak), "%s.json.bak", id);
	if ((sfd = qmb_proj_dir(p, QMB_D_SESSIONS, 1, err)) == -1 ||
	    (afd = qmb_proj_dir(p, QMB_D_ARCHIVE_SESSIONS, 1, err)) == -1)
		goto out;
	if (faccessat(afd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		qmb_errf(err, QMB_EXIT_BUSY,
		    "'.qmb/archive/sessions/%s' exists already; move it away first",
		    name);
		goto out;
	}
	if (qmb_txn_commit(&t, "session_archived", details ? details :
	    "{\"to\":\".qmb/archive/sessions\"}", NULL, NULL, err) == -1)
		goto out;
	if (move_in(sfd, afd, bak, err) == -1) {
		qmb_txn_withdraw(&t, err);
		goto out;
	}
	if (move_in(sfd, afd, name, err) == -1) {
		/* put the backup back, then withdraw the entry */
		snprintf(why, sizeof(why), "%s", err->msg);
		if (qmb_io_renameat2(afd, bak, sfd, bak) == -1 && errno != ENOENT)
			qmb_errf(err, QMB_EXIT_PENDING,
			    "%s, and '%s' could not be moved back: session '%s' is recorded as archived but its file is still in .qmb/sessions; run 'qmb-session archive %s' again",
			    why, bak, id, id);
		else
			qmb_txn_withdraw(&t, err);
		goto out;
	}
	if (qmb_dir_sync(afd, ".qmb/archive/sessions", err) == -1 ||
	    qmb_dir_sync(sfd, ".qmb/sessions", err) == -1) {
		snprintf(why, sizeof(why), "%s", err->msg);
		qmb_errf(err, QMB_EXIT_PENDING,
		    "session '%s' is archived, but: %s", id, why);
		goto out;
	}
	rc = 0;
out:
	qmb_txn_end(&t);
	return rc;
}

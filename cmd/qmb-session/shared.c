/* SPDX-License-Identifier: MIT */
/*
 * What the subcommands of change.c, cmds.c and finish.c share: the
 * details documents, the warnings after a transaction, archiving, and
 * opening a file the user names.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "qmb_retention.h"
#include "qmb_txn.h"
#include "session.h"

void
doc_begin(struct doc *d, size_t max)
{
	qmb_buf_init(&d->b, max);
	qmb_jw_init(&d->jw, &d->b, 0);
	qmb_jw_obj_begin(&d->jw);
}

int
doc_end(struct doc *d, struct qmb_err *err)
{
	qmb_jw_obj_end(&d->jw);
	if (qmb_jw_finish(&d->jw) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "input too large (limit %zu bytes)", d->b.max);
	return 0;
}

/* What a transaction did besides its change: a log or mirror failure,
 * a roll forward. */
void
warn_txn(const struct opts *o, const struct qmb_txn *t)
{
	if (t->logfailed && o->c.verbose)
		qmb_warn("log not written: %s", t->logerr.msg);
	if (t->mirror_error[0] != '\0')
		qmb_warn("audit mirror not written: %s", t->mirror_error);
	if (t->migrated && !o->c.quiet)
		qmb_warn("session '%s' was in the TypeScript tool's format; migrated first (originals in .qmb/migrated/%s/)",
		    t->s.id, t->s.id);
	if (t->rolled > 0 && !o->c.quiet)
		qmb_warn("session '%s' was behind its audit trail; rolled forward %d entr%s",
		    t->s.id, t->rolled, t->rolled == 1 ? "y" : "ies");
}

/* Open a file the user names for reading (not a directory); fd or -1. */
int
open_input(const char *file, struct qmb_err *err)
{
	struct stat st;
	int fd;

	if ((fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "open '%s'", file);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "'%s' is a directory: give a file", file);
	}
	return fd;
}

/* Archive a session (archive, and start's "start over"). */
int
archive_id(const struct opts *o, struct qmb_proj *p, const char *id,
    struct qmb_err *err)
{
	return qmb_retention_archive(p, id, o->c.user, NULL, err);
}

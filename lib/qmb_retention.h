/* SPDX-License-Identifier: MIT */
#ifndef QMB_RETENTION_H
#define QMB_RETENTION_H

/*
 * Log rotation and data retention (DESIGN 7, seed section 9), for
 * qmb-rotate and the MCP server.
 *
 *	qmb_retention_lock(p, &lock, err)	one run at a time
 *	qmb_retention_rotate(p, &o, err)	rotate, prune, low disk
 *	qmb_retention_run(p, &o, err)		archive, delete logs, gzip
 *	qmb_lock_release(&lock)
 *
 * Rotation: every live log (.qmb/logs/NAME.log) at or over its limit is
 * rotated with qmb_log_rotate, under the log's exclusive lock like the
 * writers do; rotated files beyond keep are removed under the same lock.
 * With less than min_free_disk free, keep drops to low_disk_keep and a
 * WARN "low_disk_space" goes to the global log.
 *
 * Retention, ages measured from the data: a session inactive for
 * archive_after_days (since its updated_at, or completed_at when
 * complete) is archived with its .bak into .qmb/archive/sessions/
 * (qmb_archive.h); the logs of a session completed
 * delete_logs_after_days ago are deleted; the trail of an archived
 * session whose last entry is audit_archive_after_days
 * old is compressed to .qmb/archive/audit/ID.audit.json.gz, read back
 * and verified, and only then removed.  Each action is audited on its
 * session (session_archived, session_logs_deleted, audit_archived) and
 * logged to the global log.  Damaged sessions and broken trails are left
 * for qmb-recover.
 *
 * Every action, done or (with dry_run) planned, and every skip is handed
 * to o->report; nothing here prints.  A failed action is reported with
 * failed set and the run carries on; the functions return -1 only when
 * they cannot run at all.
 */

#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_lock.h"
#include "qmb_paths.h"

enum qmb_ract {
	QMB_RA_LOWDISK,		/* free space under min_free_disk */
	QMB_RA_ROTATE,		/* a log was rotated */
	QMB_RA_PRUNE,		/* rotated files beyond keep removed */
	QMB_RA_ARCHIVE,		/* a session was archived */
	QMB_RA_LOGS,		/* a completed session's logs deleted */
	QMB_RA_GZIP,		/* an audit trail was compressed */
	QMB_RA_SKIP		/* left alone (the reason is in what) */
};

struct qmb_raction {
	enum qmb_ract	 kind;
	const char	*subject;	/* a file or a session id */
	char		 what[512];	/* the action in words */
	int		 dry_run;
	int		 failed;	/* err says why */
	struct qmb_err	 err;
};

struct qmb_rotate_opts {
	unsigned long long max_size;	/* 0: from the settings */
	long		 keep;		/* 0: log_keep */
	int		 dry_run;
	int64_t		 now;		/* ms; 0: qmb_now() */
	const char	*user;		/* who the audit names */
	void		(*report)(void *arg, const struct qmb_raction *);
	void		*arg;
};

const char *qmb_retention_action(enum qmb_ract);

/* Lock .qmb/rotate.lock without waiting; QMB_EXIT_BUSY when held. */
int	qmb_retention_lock(struct qmb_proj *, struct qmb_lock *,
	    struct qmb_err *);
int	qmb_retention_rotate(struct qmb_proj *,
	    const struct qmb_rotate_opts *, struct qmb_err *);
int	qmb_retention_run(struct qmb_proj *, const struct qmb_rotate_opts *,
	    struct qmb_err *);

/* gzip (RFC 1952) data into out. */
int	qmb_retention_gzip(const void *, size_t, struct qmb_buf *out,
	    struct qmb_err *);

#endif

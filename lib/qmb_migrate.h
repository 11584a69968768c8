/* SPDX-License-Identifier: MIT */
#ifndef QMB_MIGRATE_H
#define QMB_MIGRATE_H

/*
 * Migration of what the original TypeScript QlikModelBuilder wrote
 * (format 0, qmb_format.h) to the current format, in place.
 *
 * The TypeScript tool's files of a session ID:
 *   .qmb/sessions/ID.json (+ .bak)   state without version (format 0)
 *   .qmb/archive/ID.json             an archived state, same format
 *   .qmb/ID.audit.json, .qmb/logs/ID.audit.json
 *                                    audit: one JSON array, no chain
 *   .qmb/ID.log[.1-.5], .qmb/logs/ID.log[.1-.5]   JSON Lines logs
 *   .qmb/init.log[.1-.5]             the project's own log
 *
 * Migrating a session, under its lock:
 *  1. every original above is copied byte for byte into
 *     .qmb/migrated/ID/ under its path relative to .qmb/ (a copy that
 *     already holds the same bytes is kept; other bytes get a .N suffix);
 *  2. a new audit trail audit/ID.audit.json is written whole: first
 *     legacy_imported (the state converted, the SHA-256 of the session
 *     and of each audit file, the number of entries), then every legacy
 *     audit entry, oldest first, with its type, time, user and script
 *     hash (details "legacy": true; such entries change no state);
 *  3. the state the trail replays to is saved: sessions/ID.json (the old
 *     file becomes the .bak), or archive/sessions/ID.json for an archived
 *     session.  This is the commit point: before it the legacy files are
 *     untouched; after it the session is in the current format;
 *  4. the legacy audit arrays and archive file are removed and .qmb/ID.log*
 *     moved into .qmb/logs/ (after any rotations qmb already has there),
 *     each only once its copy in .qmb/migrated/ holds the same bytes.
 * A run that died anywhere is finished by the next: a trail that begins
 * with the legacy_imported of this very session file is used as it is,
 * and step 4 is done for a session already in the current format.
 * A dry run reads only: it reports the same plan and writes nothing
 * (no lock file, no folder).  Nothing in .qmb/migrated/ is ever deleted.
 */

#include <stddef.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_paths.h"

enum qmb_mig_state {
	QMB_MIG_NONE,		/* nothing of the TypeScript tool: no-op */
	QMB_MIG_DONE,		/* migrated now (or would be: dry run) */
	QMB_MIG_FINISHED,	/* an earlier interrupted run finished */
};

struct qmb_mig_res {
	char	 id[QMB_ID_MAX + 1];
	enum qmb_mig_state state;
	int	 archived;	/* the session was in .qmb/archive/ */
	int	 stages;	/* completed stages kept */
	int	 tables;	/* pending tables kept */
	int	 reviews;	/* reviews kept */
	int	 entries;	/* legacy audit entries re-appended */
	long long trail;	/* entries in the new trail */
	char	*project;	/* owned */
	struct qmb_buf text;	/* what was (would be) kept, one line each */
	char	 warning[QMB_ERR_MSG];	/* a mirror failure, or "" */
	char	 logerr[QMB_ERR_MSG];	/* the log line not written, or "" */
};

void	qmb_mig_res_init(struct qmb_mig_res *);
void	qmb_mig_res_free(struct qmb_mig_res *);

/*
 * Migrate session id (see above).  locked: the caller holds the session
 * lock (qmb_txn); else it is taken here, except for a dry run, which
 * takes no lock.  A damaged legacy file is QMB_EXIT_CORRUPT (repair it
 * first), a newer format is refused (qmb_format_is_newer), a legacy
 * session that already has a trail of its own is QMB_EXIT_BUSY.
 */
int	qmb_migrate_session(struct qmb_proj *, const char *id, int dry_run,
	    int locked, struct qmb_mig_res *, struct qmb_err *);
/*
 * The ids that have anything of the TypeScript tool left (sorted).
 * The caller frees each and the vector.
 */
int	qmb_migrate_ids(struct qmb_proj *, char ***ids, size_t *n,
	    struct qmb_err *);
/* Move .qmb/init.log* into .qmb/logs/ (kept first); res->id is "". */
int	qmb_migrate_project(struct qmb_proj *, int dry_run,
	    struct qmb_mig_res *, struct qmb_err *);
/* 1 when id's files include anything of the TypeScript tool. */
int	qmb_migrate_pending(struct qmb_proj *, const char *id);

#endif

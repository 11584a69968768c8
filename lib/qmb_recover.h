/* SPDX-License-Identifier: MIT */
#ifndef QMB_RECOVER_H
#define QMB_RECOVER_H

/*
 * Recovery (DESIGN 4): what is wrong with a session, and the repair.
 *
 *	qmb_recover_ids(p, &ids, err)		every session id on disk
 *	qmb_recover_check(p, id, from, &r, err)	classify (read only)
 *	qmb_recover_repair(p, id, &ro, &r, err)	classify and repair
 *	qmb_recover_describe(&r, dry, &buf)	what it means, in words
 *	qmb_rec_free(&r)
 *
 * Both check and repair hold the session lock while they read, so they
 * see a state, its backup and its trail as one writer left them.
 *
 * The verdict names what a repair does with the state, in the order of
 * DESIGN 4: keep the session file (ok), roll it forward through its
 * audit trail (behind-audit), restore .bak and roll that forward
 * (restore-from-bak), replay the audit trail's verified entries
 * (restore-from-audit, "Can restore up to Stage B"), or start a fresh
 * session of the same project (lost).  A state written by a newer qmb is
 * left alone (newer-version) unless --from names a source.  Every other
 * problem is a finding: stale temporary files, torn last lines, a broken
 * chain, a damaged .bak, a session newer than its trail, an idle session.
 *
 * The repair never deletes: damaged files are moved or linked into
 * .qmb/corrupt/ with a timestamp, torn last lines are cut into
 * .qmb/corrupt/NAME.torn-TIME.  The audit trail stays a valid chain that
 * agrees with the state: a broken trail is kept in .qmb/corrupt/ and the
 * live trail is cut back to its verified entries; when the state kept is
 * not what those entries build (it is ahead of them), a session_imported
 * entry records it.  Then a session_recovered entry (details: source,
 * verdict, entries, kept files) is appended, through qmb_txn, so the
 * state is saved by DESIGN 2.1 and the change is logged.
 *
 * Health (seed 8.1) and the recovery report (seed's weekly metrics) are
 * here too; nothing in this module prints or exits.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_json.h"
#include "qmb_paths.h"
#include "qmb_session.h"

#define QMB_REC_FINDS	16	/* findings kept per session */
#define QMB_REC_KEPT	8	/* files set aside per repair */

enum qmb_verdict {
	QMB_V_OK,		/* keep the session file */
	QMB_V_BEHIND,		/* roll it forward from the audit trail */
	QMB_V_BAK,		/* restore .bak, then roll forward */
	QMB_V_AUDIT,		/* rebuild from the audit trail */
	QMB_V_LOST,		/* nothing usable: start fresh */
	QMB_V_NEWER,		/* written by a newer qmb: left alone */
	QMB_V_ARCHIVED		/* archived: not checked */
};

/* Where a repair takes the state from (--from). */
enum qmb_from { QMB_FROM_AUTO, QMB_FROM_BAK, QMB_FROM_AUDIT };

enum qmb_fkind {
	QMB_F_DAMAGED,		/* session file damaged */
	QMB_F_MISSING,		/* session file missing */
	QMB_F_MISMATCH,		/* valid, but not what its trail says */
	QMB_F_NEWER,		/* written by a newer qmb */
	QMB_F_BEHIND,		/* behind its audit trail */
	QMB_F_AHEAD,		/* newer than its trail (cut, gone) */
	QMB_F_BAK,		/* .bak unreadable or damaged */
	QMB_F_TORN,		/* torn last line of the audit trail */
	QMB_F_BROKEN,		/* audit chain broken */
	QMB_F_LOGTORN,		/* torn last line of a log */
	QMB_F_TMP,		/* stale temporary file */
	QMB_F_IDLE		/* idle longer than idle_warn_days */
};

struct qmb_recfind {
	enum qmb_fkind	 kind;
	char		 path[160];	/* relative to the project */
	char		 msg[360];
};

struct qmb_rec {
	char		 id[QMB_ID_MAX + 1];	/* "system" for project-wide */
	char		 project[QMB_NAME_MAX + 1];	/* "" when unknown */
	enum qmb_verdict verdict;
	enum qmb_from	 from;		/* what was asked */
	int		 has_state;	/* state below is the result */
	struct qmb_session state;	/* the result */
	int64_t		 base_seq;	/* audit_seq of the base */
	int64_t		 entries;	/* verified trail entries */
	int64_t		 broken_at;	/* first bad entry, or 0 */
	int64_t		 rolled;	/* entries applied on the base */
	int		 torn;		/* the trail ends torn */
	int		 trail_lost;	/* no usable trail entry */
	int		 ahead;		/* state beyond its trail */
	int		 partial;	/* changes may be lost */
	int		 idle_days;	/* -1 unless idle */
	struct qmb_recfind f[QMB_REC_FINDS];
	size_t		 nf;
	/* filled by a repair */
	int		 repaired;	/* something was changed */
	int64_t		 new_seq;	/* trail head after it */
	char		 kept[QMB_REC_KEPT][160];	/* set aside */
	size_t		 nkept;
};

struct qmb_repair_opts {
	enum qmb_from	 from;
	int		 dry_run;
	const char	*user;
};

void	qmb_rec_init(struct qmb_rec *);
void	qmb_rec_free(struct qmb_rec *);

const char *qmb_recover_verdict(enum qmb_verdict);
const char *qmb_recover_fkind(enum qmb_fkind);
/* 1 when a repair would change something (findings other than idle). */
int	qmb_rec_needs_repair(const struct qmb_rec *);

/*
 * Every session id with a file in .qmb/sessions/ or .qmb/audit/, sorted,
 * without the archived ones.  The caller frees with qmb_recover_ids_free.
 */
int	qmb_recover_ids(struct qmb_proj *, char ***ids, size_t *n,
	    struct qmb_err *);
void	qmb_recover_ids_free(char **, size_t);
/*
 * The ids in a folder: names ending in one of sfx (NULL-terminated),
 * the suffix cut off, valid ids only, sorted, each once.  A missing
 * folder has none.  Free with qmb_recover_ids_free.
 */
int	qmb_recover_list(struct qmb_proj *, enum qmb_dir,
	    const char *const *sfx, char ***ids, size_t *n, struct qmb_err *);

/* 1 when .qmb/DIR/ID+suffix exists (not following a link), else 0. */
int	qmb_recover_exists(struct qmb_proj *, enum qmb_dir, const char *id,
	    const char *suffix);

/* Classify one session (under its lock).  A missing id is NOTFOUND. */
int	qmb_recover_check(struct qmb_proj *, const char *id, enum qmb_from,
	    struct qmb_rec *, struct qmb_err *);
/*
 * Classify and repair one session (dry_run: classify only).  On failure
 * r still describes what was found and what was done before it.
 */
int	qmb_recover_repair(struct qmb_proj *, const char *id,
	    const struct qmb_repair_opts *, struct qmb_rec *, struct qmb_err *);
/* Project-wide findings (the global log's torn line); id "system". */
int	qmb_recover_check_system(struct qmb_proj *, struct qmb_rec *,
	    struct qmb_err *);
int	qmb_recover_repair_system(struct qmb_proj *, int dry_run,
	    struct qmb_rec *, struct qmb_err *);

/*
 * The repair's account in the seed's words ("Restored from backup, last
 * change may be lost", "Can restore up to Stage B", "started fresh"),
 * one sentence a line; dry is "Would ...".
 */
void	qmb_recover_describe(const struct qmb_rec *, int dry,
	    struct qmb_buf *);
/* The members of a check or repair result (inside an open object). */
void	qmb_recover_members(const struct qmb_rec *, int dry,
	    struct qmb_jw *);

/*
 * Cut a torn last line (no final newline) of dfd/name into .qmb/corrupt
 * as NAME.torn-TIME, for a caller that holds the file's lock.  The cut
 * copy's path goes to kept (160 bytes) when not NULL.  Returns the
 * number of bytes cut (0: the file was whole), or -1.
 */
long	qmb_recover_cut_torn(struct qmb_proj *, int dfd, const char *name,
	    char *kept, struct qmb_err *);

/* A size in words: "512 bytes", "1.5 KB", "12 MB", "80 GB". */
void	qmb_recover_fmt_size(unsigned long long, char *buf, size_t size);

/* ---- health (seed 8.1) ----------------------------------------------- */

enum qmb_hcheck {
	QMB_H_DISK, QMB_H_LOGSIZE, QMB_H_IDLE, QMB_H_GEMINI, QMB_H_COUNT
};

struct qmb_health {
	struct {
		const char	*name;		/* "disk_space" ... */
		int		 tripped;
		long long	 value, limit;	/* bytes, count */
		char		 what[256];	/* the value in words */
		char		 source[64];	/* gemini: from where */
	} c[QMB_H_COUNT];
	int	tripped;			/* checks that tripped */
};

int	qmb_recover_health(struct qmb_proj *, int64_t now,
	    struct qmb_health *, struct qmb_err *);
/*
 * Consecutive Gemini failures: the count qmb-review keeps in
 * .qmb/gemini_failures.json (read through qmb_gfail.h); without that
 * file, from the end of the global log: the newest "gemini" entry with
 * details.consecutive (qmb-review's "consecutive_failures" WARN), or
 * the number of "review_failed" entries the log ends with.
 */
int	qmb_recover_gemini_failures(struct qmb_proj *, long long *n,
	    char *source, size_t ssize, struct qmb_err *);

/* ---- report (seed's recovery metrics) -------------------------------- */

struct qmb_metrics {
	int64_t	since, until;
	long	created, resumed, completed, archived;
	/* session_recovered entries, by source */
	long	bak, audit, replay, fresh, session_fix;
	long	rolled;		/* automatic roll-forwards */
	long	torn;		/* .qmb/corrupt/NAME.torn-TIME files */
	long	gemini_failures, bypasses, reviews;
	long	low_disk;	/* low disk warnings */
	long	trails, bad_lines;
};

/* Count what happened between since and until (ms). */
int	qmb_recover_metrics(struct qmb_proj *, int64_t since, int64_t until,
	    struct qmb_metrics *, struct qmb_err *);

#endif

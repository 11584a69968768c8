/* SPDX-License-Identifier: MIT */
#ifndef QMB_RECOVER_H
#define QMB_RECOVER_H

/*
 * Recovery (DESIGN 4): the result of classifying or repairing one
 * session (struct qmb_rec), and what it means.
 *
 *	qmb_classify_session(p, id, from, &r, err)	classify (qmb_classify.h)
 *	qmb_repair_session(p, id, &ro, &r, err)		repair (qmb_repair.h)
 *	qmb_recover_describe(&r, dry, &buf)		what it means, in words
 *	qmb_recover_members(&r, dry, &jw)		the same as JSON members
 *	qmb_rec_free(&r)
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
 * The recovery modules, bottom up: qmb_ids (which sessions exist),
 * qmb_tail (torn last lines), qmb_salvage (a state file as found),
 * qmb_trail (an audit trail as found, replayed), qmb_classify (the
 * verdict and findings, read only), qmb_repair (the writes), and beside
 * them qmb_health and qmb_report.  This module owns no file and does no
 * I/O: it names, collects and words a result; it never prints or exits.
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
	QMB_V_ARCHIVED,		/* archived: not checked */
	QMB_V_SALVAGED		/* nothing usable whole: keep each valid field */
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
	QMB_F_IDLE,		/* idle longer than idle_warn_days */
	QMB_F_LEGACY		/* the TypeScript tool's format: migrate */
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
	/* QMB_V_SALVAGED: what was dropped, one line each (owned) */
	char		*dropped;
	int		 salvaged_bak;	/* salvaged from the .bak */
};

void	qmb_rec_init(struct qmb_rec *);
void	qmb_rec_free(struct qmb_rec *);

const char *qmb_recover_verdict(enum qmb_verdict);
const char *qmb_recover_fkind(enum qmb_fkind);
/* 1 when a repair would change something (findings other than idle). */
int	qmb_rec_needs_repair(const struct qmb_rec *);

/* Add a finding (at most QMB_REC_FINDS are kept). */
void	qmb_rec_find(struct qmb_rec *, enum qmb_fkind, const char *path,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* What a repair takes the state from: "audit", "bak", "replay"... */
const char *qmb_recover_source(const struct qmb_rec *);

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

#endif

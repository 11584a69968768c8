/* SPDX-License-Identifier: MIT */
#ifndef QMB_CLASSIFY_H
#define QMB_CLASSIFY_H

/*
 * Classification (DESIGN 4): what is wrong with one session and what a
 * repair would do about it, read only.
 *
 * Gathers the evidence (the state file and its .bak as found, the audit
 * trail verified, stale temporary files, a torn session log, an archived
 * copy) into an exam, decides which base the state comes from (the
 * verdict: keep, roll forward, .bak, replay of the trail, fresh) by
 * replaying the verified trail on it, and lists every finding.
 *
 * Owns: nothing on disk; takes the session lock while it reads (so a
 * state, its backup and its trail are seen as one writer left them).
 * Never writes, moves or cuts a file: qmb_repair does, from the exam.
 */

#include <stdint.h>

#include "qmb_err.h"
#include "qmb_lock.h"
#include "qmb_paths.h"
#include "qmb_recover.h"
#include "qmb_salvage.h"
#include "qmb_trail.h"

/* Where the repaired state comes from. */
enum qmb_base { QMB_B_NONE, QMB_B_JSON, QMB_B_BAK, QMB_B_REPLAY, QMB_B_FRESH };

/* The temporary names of an unfinished save: ID.json.tmp, ID.json.bak.tmp */
extern const char *const qmb_classify_tmp[2];

/* One session's evidence, and what classification decided. */
struct qmb_exam {
	char		 id[QMB_ID_MAX + 1];
	struct qmb_cand	 json, bak;	/* ID.json, ID.json.bak */
	struct qmb_trail t;		/* .qmb/audit/ID.audit.json */
	int		 tmp[2];	/* stale qmb_classify_tmp files */
	long		 logtorn;	/* the session log is torn */
	int		 archived;	/* in archive/sessions/ */
	enum qmb_base	 base;
	int		 import;	/* record the state again */
	int		 cutback;	/* keep the trail, cut it back */
};

void	qmb_classify_init(struct qmb_exam *, const char *id);
void	qmb_classify_free(struct qmb_exam *);

/*
 * Check id and take its session lock into l.  Returns 0 (locked), 1
 * when the session is archived (r says so; no lock), or -1 (NOTFOUND
 * when it has no state, backup or audit trail).
 */
int	qmb_classify_begin(struct qmb_proj *, const char *id, struct qmb_rec *,
	    struct qmb_lock *l, struct qmb_err *);
/* Gather e's evidence and classify it into r (r->from is honoured). */
int	qmb_classify_exam(struct qmb_proj *, struct qmb_exam *e,
	    struct qmb_rec *r, struct qmb_err *);
/* Classify one session under its lock.  A missing id is NOTFOUND. */
int	qmb_classify_session(struct qmb_proj *, const char *id, enum qmb_from,
	    struct qmb_rec *, struct qmb_err *);

#endif

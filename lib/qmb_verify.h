/* SPDX-License-Identifier: MIT */
#ifndef QMB_VERIFY_H
#define QMB_VERIFY_H

/*
 * Verifying an audit trail (DESIGN 2.3): every line parses, seq counts
 * from 1, prev is the previous entry's hash, hash is the SHA-256 of the
 * entry without it, every entry names the
 * same session, and each stage_approved content matches its
 * script_sha256.  A timestamp earlier than one before it (a clock that
 * went back, in a trail written before writers kept time moving forward)
 * is a warning, counted in time_back, never a break: nothing is ever
 * discarded for its time.  The first problem is reported with its seq; a last
 * line without its newline is reported as torn.  The trail is read from
 * audit/ID.audit.json or, when archived, archive/audit/ID.audit.json.gz.
 */

#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_paths.h"

struct qmb_verify {
	int64_t	entries;		/* entries that verified */
	int64_t	bad_seq;		/* first bad entry (its position), or 0 */
	char	what[QMB_ERR_MSG];	/* what is wrong, "" when intact */
	int	torn;			/* the last line is cut short */
	char	head[65];		/* hash of the last good entry */
	char	first_time[32], last_time[32];	/* last_time: the latest */
	int64_t	time_back;		/* entries stamped before one earlier */
	int64_t	time_back_seq;		/* the first of them, or 0 */
	char	path[320];		/* the file read, relative to the project */
	int	archived;		/* read from a .gz archive */
	int64_t	want_seq;		/* in: record the hash of this entry */
	char	want_hash[65];		/* out: its hash, "" when not reached */
};

/* Verify trail text; id (when not NULL) must be every entry's session. */
int	qmb_verify_text(const char *text, size_t len, const char *id,
	    struct qmb_verify *);	/* 0 intact, 1 broken */
/*
 * Read id's trail (plain, else archived .gz) into b.  Missing is
 * QMB_EXIT_NOTFOUND.  r->path and r->archived are set.
 */
int	qmb_verify_read(struct qmb_proj *, const char *id, struct qmb_buf *b,
	    struct qmb_verify *r, struct qmb_err *);
/* Read a gzip file at dfd/name into b (bounded like every read). */
int	qmb_gz_read(int dfd, const char *name, struct qmb_buf *b,
	    struct qmb_err *);

#endif

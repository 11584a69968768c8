/* SPDX-License-Identifier: MIT */
#ifndef QMB_AUDIT_H
#define QMB_AUDIT_H

/*
 * The audit trail (DESIGN 2.3): audit/{id}.audit.json, JSON Lines,
 * hash-chained, append-only, the write-ahead log of the session.
 *
 * An entry's hash is the SHA-256 of its compact text without "hash":
 *   {"seq":N,"timestamp":T,"session_id":S,"user_id":U,"type":Y,
 *    "details":{...},"prev":P}
 * written with jq -c's escaping, so `jq -cj 'del(.hash)' | sha256sum`
 * reproduces it.  Numbers in details must be integers.
 *
 * qmb_audit_append must be called with the session lock held.  It cuts a
 * torn last line (a crash mid-append: never acknowledged) into
 * .qmb/corrupt/, writes the entry with one write(2), truncates back on a
 * short write, and fdatasync's before returning; a new file also gets its
 * directory fsync'ed.  On failure the file is as it was.  Then the entry
 * is copied to the audit mirror, if one is configured (qmb_mirror.h); a
 * mirror failure leaves the append successful and is described in
 * head->mirror_error for the caller to report.
 *
 * Time only moves forward in a trail: an entry is never stamped earlier
 * than the head's timestamp (when the clock went back, it gets the
 * head's time and a WARN clock_went_back is logged, once a process).
 * A trail that would grow past QMB_MAX_FILE is refused before anything
 * is written.
 */

#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_json.h"
#include "qmb_paths.h"
#include "qmb_sha256.h"

#define QMB_AUDIT_ZERO \
	"0000000000000000000000000000000000000000000000000000000000000000"

struct qmb_audit_head {
	int64_t	seq;				/* 0: empty or missing trail */
	char	hash[QMB_SHA256_HEX + 1];	/* QMB_AUDIT_ZERO when seq 0 */
	char	time[32];			/* the last entry's timestamp */
	int	torn;				/* file ends in a partial line */
	char	mirror_error[QMB_ERR_MSG];	/* append: mirror failure, or "" */
	int64_t	at;			/* append: where the entry begins */
	int64_t	mirror_at;		/* append: same in the mirror, or -1 */
};

struct qmb_audit_in {
	const char	*session_id;
	const char	*user_id;
	const char	*type;
	const char	*details;	/* JSON object text, or NULL for {} */
	int64_t		 time;		/* ms; 0 means now */
	/*
	 * The head as the caller read it under the same lock, or NULL:
	 * saves reading and checking the last entry again.
	 */
	const struct qmb_audit_head *known;
	/*
	 * Called with the whole entry (with its hash, without newline)
	 * just before it is written, or NULL: -1 (err set) refuses the
	 * append, which then writes nothing.  Used to check that the
	 * change it records can be saved (QMB_MAX_FILE) before it is.
	 */
	int		(*precheck)(void *ctx, const char *line, size_t len,
			    struct qmb_err *);
	void		*ctx;
};

/* Check a user-given entry type: [a-z][a-z0-9_]{0,63}. */
int	qmb_audit_type_check(const char *, struct qmb_err *);
/* Build the hashed text of an entry (without "hash") into out. */
int	qmb_audit_format(const struct qmb_audit_in *, int64_t seq,
	    const char *prev, struct qmb_buf *out, struct qmb_err *);
/*
 * Append one entry; the new head goes to *head.  Text of the written line
 * (without newline) goes to line when not NULL.
 */
int	qmb_audit_append(struct qmb_proj *, const struct qmb_audit_in *,
	    struct qmb_audit_head *head, struct qmb_buf *line,
	    struct qmb_err *);
/*
 * Take back the entry head describes, just appended by this process under
 * the session lock, whose change could not be saved: cut the trail (and
 * the mirror) back to where it began and sync.  A trail the entry
 * created is removed.  0, or -1 when the entry may still be there.
 */
int	qmb_audit_takeback(struct qmb_proj *, const char *id,
	    const struct qmb_audit_head *, struct qmb_err *);
/* Read the head (last complete line) of id's trail; missing is seq 0. */
int	qmb_audit_head(struct qmb_proj *, const char *id,
	    struct qmb_audit_head *, struct qmb_err *);
/*
 * Read the whole trail into buf (bounded like every read).  A missing
 * trail is QMB_EXIT_NOTFOUND.
 */
int	qmb_audit_read(struct qmb_proj *, const char *id, struct qmb_buf *,
	    struct qmb_err *);
/*
 * Check one line against the chain: it parses, seq == want_seq, prev ==
 * want_prev, and its hash is right.  The parsed entry goes to doc (caller
 * frees) and its hash to hash.  0, or -1 with err (QMB_EXIT_CORRUPT)
 * naming what is wrong.
 */
int	qmb_audit_check_line(const char *line, size_t len, int64_t want_seq,
	    const char *want_prev, struct qmb_json_doc *doc, char *hash,
	    struct qmb_err *);

#endif

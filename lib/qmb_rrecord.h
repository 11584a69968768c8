/* SPDX-License-Identifier: MIT */
#ifndef QMB_RRECORD_H
#define QMB_RRECORD_H

/*
 * The review record (DESIGN 2.4): what a review of a script is, checked
 * and normalised, whether it comes from a model's answer, a stored file
 * or a manual bypass; the audit and log details that record it; and its
 * text for people.
 *
 * A review record is one JSON object:
 *   {"review_status":"approved"|"issues_found","score":0..100,
 *    "issues":[{"issue_id","severity","category","title",
 *               "location":{"table","line","field"},"description",
 *               "recommendation","fix_example"}],
 *    "summary","model","reviewed_at","script_sha256",
 *    "source":"gemini"|"cache"|"bypass"}
 * with integers only (audit entries hash no floats).  A bypass record
 * has no score and no model, and adds "user_id" and "reason".
 *
 * Owns no file: it works on parsed values and buffers only.  Never
 * reads or writes files, never prints, never calls Gemini.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_json.h"

#define QMB_RRECORD_REASON_MAX	1000	/* bytes of a bypass reason */

struct qmb_rrecord_meta {
	const char	*model;
	const char	*reviewed_at;
	const char	*script_sha256;
	const char	*source;	/* "gemini" or "cache" */
};

/* The JSON Schema asked for (generationConfig.responseJsonSchema). */
const char *qmb_rrecord_schema(void);
/*
 * Check a model's answer against DESIGN 2.4 and write the whole record,
 * compact, into out.  A bad answer is QMB_EXIT_FAIL with a message
 * naming the first problem ("issues[1].severity must be ...").
 */
int	qmb_rrecord_make(const struct qmb_jv *answer,
	    const struct qmb_rrecord_meta *, struct qmb_buf *out,
	    struct qmb_err *);
/* Check a stored record (cache file, session); code for damage. */
int	qmb_rrecord_check(const struct qmb_jv *rec, int code, struct qmb_err *);
/*
 * A manual approval of the script with hash sha; a reason that is
 * blank, too long, not one line or not UTF-8 is QMB_EXIT_USAGE.
 */
int	qmb_rrecord_bypass(const char *sha, const char *user,
	    const char *reason, struct qmb_buf *out, struct qmb_err *);
/* The number of issues of a record. */
size_t	qmb_rrecord_nissues(const struct qmb_jv *rec);
/*
 * The audit details of review_recorded ({"score","review_status",
 * "script_sha256","source","review"}) or, with reason, of
 * review_bypassed ({"reason","script_sha256","review"}); log is set to
 * the same without the review (issue count instead).
 */
int	qmb_rrecord_details(const struct qmb_jv *rec, const char *reason,
	    struct qmb_buf *audit, struct qmb_buf *log);
/*
 * A record for people: score, status, source, and the issues grouped by
 * severity.  id names the session (or NULL); current is the hash of the
 * session's current script, or NULL when unknown.
 */
void	qmb_rrecord_render(const struct qmb_jv *rec, const char *id,
	    const char *current, int64_t now, struct qmb_buf *out);

#endif

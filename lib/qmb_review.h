/* SPDX-License-Identifier: MIT */
#ifndef QMB_REVIEW_H
#define QMB_REVIEW_H

/*
 * Reviews of a script (DESIGN 2.4 and 6): the review record, checked
 * and normalised; the prompt; the cache of reviews by script hash; the
 * queue of requests waiting for Gemini; and the whole run of one
 * review (which notes its outcome in the failure count, qmb_gfail.h).
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
 * This module does not call libcurl: qmb_review_run asks through the
 * job's ask function (qmb_gem_generate), so programs that only read
 * the queue link without curl.  It never prints.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_gemini.h"
#include "qmb_json.h"
#include "qmb_paths.h"
#include "qmb_sha256.h"

#define QMB_REVIEW_REASON_MAX	1000	/* bytes of a bypass reason */
#define QMB_REVIEW_PROMPT_ENV	"QMB_REVIEW_PROMPT"
#define QMB_REVIEW_PROMPT_NAME	"review-prompt.txt"

struct qmb_review_meta {
	const char	*model;
	const char	*reviewed_at;
	const char	*script_sha256;
	const char	*source;	/* "gemini" or "cache" */
};

/* The JSON Schema asked for (generationConfig.responseJsonSchema). */
const char *qmb_review_schema(void);
/*
 * Check a model's answer against DESIGN 2.4 and write the whole record,
 * compact, into out.  A bad answer is QMB_EXIT_FAIL with a message
 * naming the first problem ("issues[1].severity must be ...").
 */
int	qmb_review_record(const struct qmb_jv *answer,
	    const struct qmb_review_meta *, struct qmb_buf *out,
	    struct qmb_err *);
/* Check a stored record (cache file, session); code for damage. */
int	qmb_review_check(const struct qmb_jv *rec, int code, struct qmb_err *);
/* A manual approval of the script with hash sha. */
int	qmb_review_bypass_record(const char *sha, const char *user,
	    const char *reason, struct qmb_buf *out, struct qmb_err *);
/*
 * The audit details of review_recorded ({"score","review_status",
 * "script_sha256","source","review"}) or, with reason, of
 * review_bypassed ({"reason","script_sha256","review"}); log is set to
 * the same without the review (issue count instead).
 */
int	qmb_review_details(const struct qmb_jv *rec, const char *reason,
	    struct qmb_buf *audit, struct qmb_buf *log);
/*
 * A record for people: score, status, source, and the issues grouped by
 * severity.  id names the session (or NULL); current is the hash of the
 * session's current script, or NULL when unknown.
 */
void	qmb_review_render(const struct qmb_jv *rec, const char *id,
	    const char *current, int64_t now, struct qmb_buf *out);

/*
 * The prompt file: given (the program's $QMB_REVIEW_PROMPT) when not NULL
 * or empty, else share/review-prompt.txt next to the program (source
 * tree), else ../share/qmb/review-prompt.txt relative to it (installed).
 * The path goes to path (PATH_MAX).
 */
int	qmb_review_prompt_find(const char *given, char *path, size_t size,
	    struct qmb_err *);
int	qmb_review_prompt_read(const char *path, struct qmb_buf *,
	    struct qmb_err *);
/* The user turn: what the script is, then the script between markers. */
int	qmb_review_prompt_user(const char *project, const char *model_type,
	    const char *script, size_t len, struct qmb_buf *out);

/*
 * The cache: .qmb/cache/review/{sha}.json holds the last review Gemini
 * gave for that script.  get: 0 and the record in doc (caller frees),
 * QMB_EXIT_NOTFOUND when none, QMB_EXIT_CORRUPT when unusable.
 */
int	qmb_review_cache_get(struct qmb_proj *, const char *sha,
	    struct qmb_json_doc *, struct qmb_err *);
int	qmb_review_cache_put(struct qmb_proj *, const char *sha,
	    const char *rec, size_t len, struct qmb_err *);

/*
 * The queue: .qmb/queue/review/{name}.json, one request per session (name
 * is the session id) or per script reviewed without a session (name
 * "script-" + 16 hex digits of its hash).  script is NULL when the
 * session's current script is meant.  No key is ever stored.
 */
struct qmb_review_req {
	char	 name[QMB_ID_MAX + 1];
	char	 session_id[QMB_ID_MAX + 1];	/* "" when none */
	char	 script_sha256[QMB_SHA256_HEX + 1];
	char	*script;			/* NULL: the session's */
	char	 model[128];
	char	 user_id[256];
	char	 queued_at[32], updated_at[32];
	int64_t	 tries;				/* failed runs */
	char	 error_class[32];
	char	 last_error[QMB_ERR_MSG];
};

#define QMB_REVIEW_LOCK	"retry.lock"	/* in the queue folder */

void	qmb_review_req_free(struct qmb_review_req *);
/* Write req; an existing entry keeps its queued_at and adds its tries. */
int	qmb_review_queue_put(struct qmb_proj *, struct qmb_review_req *,
	    struct qmb_err *);
int	qmb_review_queue_get(struct qmb_proj *, const char *name,
	    struct qmb_review_req *, struct qmb_err *);
/* Remove an entry; a missing one is fine. */
int	qmb_review_queue_del(struct qmb_proj *, const char *name,
	    struct qmb_err *);
/* Names of the entries, sorted (oldest ids first); caller frees each. */
int	qmb_review_queue_list(struct qmb_proj *, char ***names, size_t *n,
	    struct qmb_err *);

/* ---- one review, start to end -------------------------------------- */

typedef int qmb_review_ask_fn(const struct qmb_gem_cfg *,
	    const struct qmb_gem_prompt *, struct qmb_gem_result *,
	    struct qmb_err *);

struct qmb_review_job {
	struct qmb_proj		*p;
	const char		*session_id;	/* NULL: the script alone */
	const char		*script;	/* NULL: the session's script */
	size_t			 script_len;
	const char		*user;
	const char		*system;	/* the prompt file's text */
	const char		*temperature;	/* NULL: the model's default */
	int			 no_cache;
	int			 queue;		/* queue remote failures */
	const char		*queue_name;	/* retrying this entry */
	struct qmb_gem_cfg	 gem;		/* url, model, key, hooks */
	qmb_review_ask_fn	*ask;
};

struct qmb_review_outcome {
	struct qmb_buf		 record;	/* the review recorded */
	char			 sha[QMB_SHA256_HEX + 1];
	char			 current[QMB_SHA256_HEX + 1];	/* session's, or "" */
	int			 cached;	/* answered from the cache */
	enum qmb_gem_class	 cls;
	int			 attempts;
	long			 duration_ms;
	int			 queued;
	char			 queue_name[QMB_ID_MAX + 1];
	int64_t			 failures;	/* consecutive, after this */
	int			 output;	/* gemini_review.json written */
	char			 warning[QMB_ERR_MSG];	/* a side failure */
};

void	qmb_review_outcome_init(struct qmb_review_outcome *);
void	qmb_review_outcome_free(struct qmb_review_outcome *);
/*
 * Review the script and record the answer: the session's gemini_reviews
 * and audit (review_recorded, under the session lock, which is not held
 * while Gemini thinks), stage2_output/gemini_review.json when the
 * review is of the session's current script, the cache, the log.  On
 * failure nothing in the session changes; a failure that a later try
 * may mend is queued (with job->queue) and counted.  -1 with err
 * (QMB_EXIT_REMOTE when queued) and o->cls.
 */
int	qmb_review_run(struct qmb_review_job *, struct qmb_review_outcome *,
	    struct qmb_err *);
/* Record a bypass of session id's current script, drop its queue entry. */
int	qmb_review_bypass(struct qmb_proj *, const char *id, const char *user,
	    const char *reason, struct qmb_review_outcome *, struct qmb_err *);

#endif

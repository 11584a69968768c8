/* SPDX-License-Identifier: MIT */
#ifndef QMB_REVIEW_H
#define QMB_REVIEW_H

/*
 * One review of a script, start to end (DESIGN 2.4 and 6): load the
 * script, answer from the cache or ask Gemini, check the answer, record
 * it (session, audit, log, cache, stage2_output/gemini_review.json),
 * and on failure count it and queue it; and the manual bypass.
 *
 * The parts live in their own modules: the record (qmb_rrecord.h), the
 * prompt (qmb_prompt.h), the cache (qmb_rcache.h), the queue
 * (qmb_rqueue.h), the failure count (qmb_gfail.h).  This module owns
 * stage2_output/gemini_review.json and changes sessions only through
 * qmb_txn.
 *
 * It does not call libcurl: qmb_review_run asks through the job's ask
 * function (qmb_gem_generate), so programs that only read the queue or
 * the count link without curl.  It never prints.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_gemini.h"
#include "qmb_paths.h"
#include "qmb_sha256.h"

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

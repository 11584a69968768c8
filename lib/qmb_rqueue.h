/* SPDX-License-Identifier: MIT */
#ifndef QMB_RQUEUE_H
#define QMB_RQUEUE_H

/*
 * The review queue: requests that Gemini could not answer, waiting for
 * 'qmb-review retry'.  One request per session (name is the session id)
 * or per script reviewed without a session (name "script-" + 16 hex
 * digits of its hash).  script is NULL when the session's current
 * script is meant.
 *
 * Owns .qmb/queue/review/{name}.json (pretty JSON, "version":1, written
 * atomically; removal fsyncs the folder); retry.lock in that folder is
 * the retry run's lock, taken by the program.  Never stores a key,
 * never calls Gemini, never prints.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_err.h"
#include "qmb_paths.h"
#include "qmb_sha256.h"

#define QMB_RQUEUE_LOCK	"retry.lock"	/* in the queue folder */

struct qmb_rqueue_req {
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

void	qmb_rqueue_req_free(struct qmb_rqueue_req *);
/* Write req; an existing entry keeps its queued_at and adds its tries. */
int	qmb_rqueue_put(struct qmb_proj *, struct qmb_rqueue_req *,
	    struct qmb_err *);
/* Read an entry: QMB_EXIT_NOTFOUND when none, QMB_EXIT_CORRUPT if bad. */
int	qmb_rqueue_get(struct qmb_proj *, const char *name,
	    struct qmb_rqueue_req *, struct qmb_err *);
/* Remove an entry; a missing one is fine. */
int	qmb_rqueue_del(struct qmb_proj *, const char *name,
	    struct qmb_err *);
/* Names of the entries, sorted (oldest ids first); caller frees each. */
int	qmb_rqueue_list(struct qmb_proj *, char ***names, size_t *n,
	    struct qmb_err *);

#endif

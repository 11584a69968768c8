/* SPDX-License-Identifier: MIT */
#ifndef QMB_GFAIL_H
#define QMB_GFAIL_H

/*
 * The count of consecutive failed Gemini reviews (DESIGN 6).
 *
 * Owns .qmb/gemini_failures.json and its lock .qmb/gemini_failures.lock:
 *   {"consecutive":N,"last_failure_at":T|null,"last_success_at":T|null,
 *    "last_error":"..."}
 * written whole and atomically under the lock.  qmb-review notes each
 * review (a success sets the count to 0); qmb-recover's health check
 * reads it.  A file holding "consecutive_failures" instead of
 * "consecutive" is read too.
 *
 * This module never calls libcurl or the Gemini client, so programs
 * that only read the count link without them.  It never prints, never
 * exits, and never touches any other file of .qmb/.
 */

#include <stdint.h>

#include "qmb_err.h"
#include "qmb_paths.h"

#define QMB_GFAIL_FILE	"gemini_failures.json"
#define QMB_GFAIL_LOCK	"gemini_failures.lock"
#define QMB_GFAIL_WARN	3	/* more consecutive failures: WARN, alert */

struct qmb_gfail {
	int	found;			/* the file exists */
	int64_t	consecutive;
	char	last_failure_at[32];
	char	last_success_at[32];
	char	last_error[QMB_ERR_MSG];
};

/*
 * Read the count.  A missing file (or .qmb/) gives zeros and found 0;
 * a file without a whole, non-negative count is QMB_EXIT_CORRUPT.
 */
int	qmb_gfail_read(struct qmb_proj *, struct qmb_gfail *, struct qmb_err *);
/*
 * Parse the text of such a file into f (found set); QMB_EXIT_CORRUPT
 * when it holds no count.
 */
int	qmb_gfail_parse(const char *text, size_t len, struct qmb_gfail *f,
	    struct qmb_err *);
/*
 * Note one review: ok sets the count to 0 and last_success_at, else the
 * count grows by one and error is kept.  A damaged count starts again
 * from zero.  f receives the count written.
 */
int	qmb_gfail_note(struct qmb_proj *, int ok, const char *error,
	    struct qmb_gfail *f, struct qmb_err *);

#endif

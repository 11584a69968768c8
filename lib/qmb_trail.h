/* SPDX-License-Identifier: MIT */
#ifndef QMB_TRAIL_H
#define QMB_TRAIL_H

/*
 * A session's audit trail as found, for recovery: read whole, verified
 * (how many entries chain from the first, where it breaks, whether the
 * last line is torn), and replayed entry by entry onto a state.
 *
 * Replay stops at the first entry that does not apply and cuts the
 * usable trail back to the entries before it, so entries past a break
 * are never applied.  Owns: nothing on disk.  Reads only: never locks,
 * cuts or rewrites a trail (qmb_repair does, under the session lock).
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_audit.h"
#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_json.h"
#include "qmb_paths.h"
#include "qmb_session.h"
#include "qmb_sha256.h"

struct qmb_trail {
	int		 exists;
	struct qmb_buf	 text;
	int64_t		 n;		/* verified entries */
	size_t		 good;		/* their bytes */
	int64_t		 bad;		/* first bad entry, or 0 */
	int		 torn;		/* the last line is torn */
	char		 what[QMB_ERR_MSG];	/* what is wrong at bad */
	char		 head[QMB_SHA256_HEX + 1];
	char		 last_type[64];	/* type of entry n */
	char		 project[QMB_NAME_MAX + 1];	/* entry 1 names it */
};

void	qmb_trail_init(struct qmb_trail *);
void	qmb_trail_free(struct qmb_trail *);
/* Read and verify .qmb/audit/ID.audit.json; a missing one is empty. */
int	qmb_trail_load(struct qmb_proj *, const char *id, struct qmb_trail *,
	    struct qmb_err *);
/* Entry number seq (1-based), parsed; -1 when it is not an object. */
int	qmb_trail_entry(const struct qmb_trail *, int64_t seq,
	    struct qmb_json_doc *);
/*
 * Apply entries (s->audit_seq, upto] of the verified trail to s (id
 * names a session that begins with an import).  An entry that does not
 * apply ends the usable trail there (n, bad, what, good change) and
 * -1 is returned; *applied counts the entries applied either way.
 */
int	qmb_trail_apply(struct qmb_trail *, const char *id,
	    struct qmb_session *s, int64_t upto, int64_t *applied);

#endif

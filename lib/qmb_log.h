/* SPDX-License-Identifier: MIT */
#ifndef QMB_LOG_H
#define QMB_LOG_H

/*
 * The log-line writer (DESIGN 2.2).  An entry is built whole in a bounded
 * buffer (QMB_LOG_LINE_MAX) and sent with one write(2) to an O_APPEND
 * descriptor opened after taking logs/NAME.lock shared, so lines from
 * any number of processes never interleave.  When the write takes the
 * file to the rotation size, the writer converts to the exclusive lock,
 * checks again (another writer may have rotated), and rotates: fsync,
 * NAME.4 -> NAME.5 ... NAME -> NAME.1, a new empty NAME, directory fsync.
 *
 * details is a JSON object as text (or NULL for {}); keys matching
 * api_key, password, secret, token, credential, auth or bearer (any
 * case, '-' or '_' variants, at any depth) are written as "[REDACTED]".
 * Entries below $QMB_LOG_LEVEL (default DEBUG) are dropped; WARN and
 * ERROR also go to logs/qmb.log.  A log failure never fails a command:
 * callers may report err as a warning and carry on.
 */

#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_paths.h"

#define QMB_LOG_LINE_MAX	(64u << 10)
#define QMB_LOG_MAX_SIZE	(10u << 20)
#define QMB_LOG_KEEP		5

enum qmb_level { QMB_DEBUG, QMB_INFO, QMB_WARN, QMB_ERROR };

struct qmb_logent {
	int64_t		 time;		/* ms; 0 means now */
	enum qmb_level	 level;
	const char	*session_id;	/* NULL for system events */
	const char	*stage;		/* NULL when not known */
	const char	*component;
	const char	*action;
	const char	*details;	/* JSON object text or NULL */
	const char	*user_id;	/* NULL when not known */
};

/* Parse "DEBUG".."ERROR" (any case); -1 when unknown. */
int	qmb_level_parse(const char *);
const char *qmb_level_name(enum qmb_level);
/* The threshold from $QMB_LOG_LEVEL (DEBUG when unset or unknown). */
enum qmb_level qmb_log_threshold(void);
/* 1 when a details key must be redacted. */
int	qmb_log_redact_key(const char *);

/* Build one line (with its newline) into out; 0 or -1 (err: usage). */
int	qmb_log_format(const struct qmb_logent *, struct qmb_buf *out,
	    struct qmb_err *);
/*
 * Append e to logs/{session_id}.log (or qmb.log when session_id is NULL)
 * and, for WARN/ERROR, to qmb.log as well.  0, or -1 with err.
 */
int	qmb_log_write(struct qmb_proj *, const struct qmb_logent *,
	    struct qmb_err *);
/* Append one preformatted line to logs/name with the lock protocol. */
int	qmb_log_append(struct qmb_proj *, const char *name, const char *line,
	    size_t len, struct qmb_err *);
/* Rotate logs/name now, under its exclusive lock, keeping keep files. */
int	qmb_log_rotate(struct qmb_proj *, const char *name, int keep,
	    struct qmb_err *);

#endif

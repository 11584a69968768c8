/* SPDX-License-Identifier: MIT */
#ifndef QMB_SESSION_H
#define QMB_SESSION_H

/*
 * The session state of DESIGN 2.1: parsing with every invariant checked,
 * writing, applying audit entries, and the save sequence.
 *
 * A state only changes by applying an audit entry (qmb_session_apply):
 * the live path (qmb_txn) and the replay of a trail use the same code,
 * so replaying a session's audit from session_created rebuilds it.
 * Strings in the struct are owned by it; qmb_session_free releases them.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_atomic.h"
#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_json.h"
#include "qmb_paths.h"

#define QMB_NSTAGES		6
#define QMB_SESSION_VERSION	1	/* = QMB_FORMAT_CURRENT (qmb_format.h) */
#define QMB_NAME_MAX		256	/* project and table names, bytes */

struct qmb_session {
	int64_t	 version;		/* the format it was read in */
	char	 id[QMB_ID_MAX + 1];
	char	*project;
	char	 created_at[32];
	char	 updated_at[32];
	char	 completed_at[32];	/* "" unless complete */
	int	 complete;		/* status: 0 active, 1 complete */
	int64_t	 revision;
	int64_t	 audit_seq;
	char	 audit_hash[65];
	int	 ncompleted;		/* completed stages: the first n */
	char	*parts[QMB_NSTAGES];	/* approved parts, NULL when none */
	char	*model_type;		/* NULL for null */
	char	**tables;
	size_t	 ntables;
	char	*reviews;		/* gemini_reviews as compact JSON text */
	char	*user_id;
};

void	qmb_session_init(struct qmb_session *);
void	qmb_session_free(struct qmb_session *);

/* 'A'..'F' -> 0..5, else -1 (lowercase accepted). */
int	qmb_stage_index(const char *);
const char *qmb_stage_name(int idx);		/* "Configuration" ... */
char	qmb_session_current(const struct qmb_session *);	/* 'A'..'F' */
int	qmb_model_type_check(const char *, struct qmb_err *);
int	qmb_name_check(const char *what, const char *, struct qmb_err *);

/*
 * Parse and validate a state.  id, when not NULL, must equal session_id.
 * code is the exit code for damage (QMB_EXIT_CORRUPT for stored files,
 * QMB_EXIT_USAGE for import).  An older format (0: the TypeScript
 * tool's) is upgraded in memory and read, and s->version tells which it
 * was; writing it again writes the current format, which only a
 * migration (qmb_migrate.h) may save.  A newer format is refused with
 * code and the message of qmb_format_newer, never called damaged.
 */
int	qmb_session_parse(const char *text, size_t len, const char *id, int code,
	    struct qmb_session *, struct qmb_err *);
int	qmb_session_from_jv(const struct qmb_jv *, const char *id, int code,
	    struct qmb_session *, struct qmb_err *);
/* 1 when text is a valid state (for qmb_save.valid). */
int	qmb_session_valid(const char *text, size_t len);
/* Pretty JSON with a final newline (pretty 0: compact, no newline). */
int	qmb_session_write(const struct qmb_session *, int pretty,
	    struct qmb_buf *, struct qmb_err *);
/* The session as members of an already open object (for JSON output). */
void	qmb_session_members(const struct qmb_session *, struct qmb_jw *);

/*
 * Apply one parsed audit entry (the whole entry object) to s.  An entry
 * that cannot apply (wrong stage order, bad details) is QMB_EXIT_CORRUPT.
 * Sets audit_seq, audit_hash and updated_at from the entry; does not
 * touch revision.
 */
int	qmb_session_apply(struct qmb_session *, const struct qmb_jv *entry,
	    struct qmb_err *);
/*
 * Replay trail text (JSON Lines) onto s: entries with seq > s->audit_seq
 * are checked against the chain and applied, up to seq upto (0: all).
 * With s->audit_seq 0, s must be fresh and the trail must start with
 * session_created.  Returns the number of entries applied, or -1.
 */
int	qmb_session_replay(struct qmb_session *, const char *trail, size_t len,
	    int64_t upto, struct qmb_err *);

/* The assembled script: approved parts in order, each ending in '\n'. */
int	qmb_session_script(const struct qmb_session *, int upto,
	    struct qmb_buf *);
/* Number of table labels ("NAME:" lines) in a part. */
int	qmb_script_tables(const char *);
/* The last review of the current script (JSON object text) or NULL. */
int	qmb_session_review_for(const struct qmb_session *, const char *sha,
	    struct qmb_json_doc *, const struct qmb_jv **, struct qmb_err *);

/*
 * Read sessions/{id}.json.  *cur tells what was found (valid, invalid,
 * missing) for qmb_session_save.  Missing is QMB_EXIT_NOTFOUND, damaged
 * QMB_EXIT_CORRUPT.
 */
int	qmb_session_load(struct qmb_proj *, const char *id,
	    struct qmb_session *, enum qmb_cur *cur, struct qmb_err *);
/*
 * Read an archived session: .qmb/archive/sessions/{id}.json, else the
 * TypeScript tool's .qmb/archive/{id}.json.  Read-only.
 */
int	qmb_session_load_archived(struct qmb_proj *, const char *id,
	    struct qmb_session *, struct qmb_err *);
/* The ids of both archive folders, unsorted; the caller frees them. */
int	qmb_session_archived_ids(struct qmb_proj *, char ***ids, size_t *n,
	    struct qmb_err *);
/* Read {id}.json.bak the same way (used read-only and by recovery). */
int	qmb_session_load_bak(struct qmb_proj *, const char *id,
	    struct qmb_session *, struct qmb_err *);
/* The save of DESIGN 2.1; the caller holds the session lock. */
int	qmb_session_save(struct qmb_proj *, const struct qmb_session *,
	    enum qmb_cur cur, struct qmb_err *);
/* Put {id}.json.bak back in place of {id}.json (under the lock). */
int	qmb_session_restore_bak(struct qmb_proj *, const char *id,
	    struct qmb_err *);
/*
 * The same with the text qmb_session_write made of s.  *replaced (when
 * not NULL) is set to 1 once the new file is in place, even if the
 * directory sync after it failed.
 */
int	qmb_session_save_text(struct qmb_proj *, const struct qmb_session *,
	    enum qmb_cur cur, const char *text, size_t len, int *replaced,
	    struct qmb_err *);

#endif

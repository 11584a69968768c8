/* SPDX-License-Identifier: MIT */
#ifndef QMB_FORMAT_H
#define QMB_FORMAT_H

/*
 * The version policy of session files (qmb(7), "Formats").
 *
 * A session file's format is its "version" member; a file without one is
 * format 0, what the original TypeScript QlikModelBuilder wrote.  This
 * build reads every format from 0 to QMB_FORMAT_CURRENT and writes only
 * QMB_FORMAT_CURRENT.  An older file is brought up to date in memory by a
 * numbered chain of upgrade steps, each taking a JSON object of format N
 * to one of format N + 1; the next format change adds one step at the end
 * and changes nothing before it.  A file of a newer format is refused
 * with one line, "written by a newer qmb (format N); this one reads up to
 * M", and must never be called damaged, moved or rewritten:
 * qmb_format_is_newer tells such an error apart from damage.
 *
 * The steps only reshape members; they check nothing that the reader of
 * the current format checks again (qmb_session_parse).
 */

#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_json.h"

#define QMB_FORMAT_CURRENT	1
#define QMB_FORMAT_LEGACY	0	/* the TypeScript tool's files */

/*
 * The format of a session object: its "version" (a non-negative integer),
 * or 0 when it has none.  A malformed version is -1 with err (code).
 */
int	qmb_format_of(const struct qmb_jv *o, int64_t *fmt, int code,
	    struct qmb_err *err);
/*
 * Fill err with the refusal of a newer format and return -1.
 * qmb_format_is_newer is 1 for an error made so.
 */
int	qmb_format_newer(struct qmb_err *, int code, int64_t fmt);
int	qmb_format_is_newer(const struct qmb_err *);
int	qmb_format_msg_is_newer(const char *msg);
/*
 * Run the upgrade steps from format from up to QMB_FORMAT_CURRENT on o;
 * the resulting object's compact JSON text goes to out.  A member a step
 * cannot reshape (a wrong type) is an error with code.
 */
int	qmb_format_upgrade(const struct qmb_jv *o, int64_t from,
	    struct qmb_buf *out, int code, struct qmb_err *err);
/*
 * One step alone: object o of format from (0 <= from < current) to
 * format from + 1, compact JSON text into out.  For tests of each step.
 */
int	qmb_format_step(const struct qmb_jv *o, int64_t from,
	    struct qmb_buf *out, int code, struct qmb_err *err);
/*
 * Salvage a session object that parses but fails validation (of any
 * format): keep every member that is valid on its own -- the project
 * name, times, the stages in order from A that have a part, the model
 * type, each valid table name, each review object, the user -- and
 * start the rest afresh (project: project, else "recovered").  s gets
 * the result (current format, active, no audit), d one line per member
 * dropped.  Returns the number of things of value kept (project name,
 * stages, model type, tables, reviews): 0 means nothing was.
 */
struct qmb_session;
int	qmb_format_salvage(const struct qmb_jv *o, const char *id,
	    const char *project, struct qmb_session *s, struct qmb_buf *d,
	    struct qmb_err *err);
/*
 * The same for the file dfd/ID.json+suffix: 0 when it does not parse as
 * a JSON object or is of a newer format (nothing to salvage), -1 only
 * when it cannot be read for another reason than damage.
 */
int	qmb_format_salvage_file(int dfd, const char *id, const char *suffix,
	    const char *project, struct qmb_session *s, struct qmb_buf *d,
	    struct qmb_err *err);
/* The user id a legacy session without one gets. */
#define QMB_FORMAT_NO_USER	"unknown"

#endif

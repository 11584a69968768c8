/* SPDX-License-Identifier: MIT */
#ifndef QMB_VIEW_H
#define QMB_VIEW_H

/*
 * The seed's renderings of a session, as text into a buffer, shared by
 * the programs and the MCP server: the progress phrase, the session
 * list entry, the "found saved session" prompt, the restore view, and
 * the JSON summary object.  now is qmb_now() (passed for testability).
 */

#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_json.h"
#include "qmb_session.h"

/* The mark of a session still in the TypeScript tool's format. */
#define QMB_VIEW_LEGACY \
	"legacy format: migrate with 'qmb-recover migrate'"

/* "Stage C (2/6 done)", "Stage F (6/6 done, pending review)", "Complete". */
void	qmb_view_progress(const struct qmb_session *, struct qmb_buf *);
/* Percent done: 33 for two stages. */
int	qmb_view_percent(const struct qmb_session *);
/* One numbered entry of the session list, from a summary object. */
void	qmb_view_list_summary(int n, const struct qmb_jv *summary, int64_t now,
	    struct qmb_buf *);
/* "Found saved session: ... Last saved: 10 minutes ago" */
void	qmb_view_found(const struct qmb_session *, int64_t now, struct qmb_buf *);
/* The restore view ending "Continuing from Stage C..." */
void	qmb_view_restore(const struct qmb_session *, const char *title,
	    struct qmb_buf *);
/* The stage lines alone (✅ approved, ○ the rest). */
void	qmb_view_stages(const struct qmb_session *, int collapse,
	    struct qmb_buf *);
/*
 * The summary members (inside an open object) used by list and friends;
 * "format" only for a session of an older format.
 */
void	qmb_view_summary(const struct qmb_session *, struct qmb_jw *);
/* Days since the last save (updated_at), or -1 when unparsable. */
int64_t	qmb_view_idle_days(const struct qmb_session *, int64_t now);

#endif

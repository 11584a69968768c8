/* SPDX-License-Identifier: MIT */
#ifndef QMB_INDEX_H
#define QMB_INDEX_H

/*
 * The session index: every session in .qmb/sessions as its summary
 * (qmb_view_summary), for list.  Reading thousands of session files
 * whole to list them is slow, so the summaries are kept in
 * .qmb/cache/sessions.idx keyed by each file's inode, size and mtime: a
 * save renames a new inode into place, so an unchanged key means an
 * unchanged file.  Changed files are read and validated again; damaged
 * ones are reported, never cached.  The index is only a cache: a missing
 * or unreadable one is rebuilt, and failing to write it is not an error.
 */

#include <stddef.h>

#include "qmb_err.h"
#include "qmb_json.h"
#include "qmb_paths.h"

struct qmb_index_entry {
	char			 id[QMB_ID_MAX + 1];
	char			*summary;	/* compact JSON object text */
	char			*damage;	/* NULL, or why the file is damaged */
	char			 status[16];	/* "active" or "complete" */
	char			 updated[32];	/* updated_at, for sorting */
	unsigned long long	 key[4];	/* ino, size, mtime s, mtime ns */
	struct qmb_json_doc	 doc;		/* private: see qmb_index_summary */
};

struct qmb_index {
	struct qmb_index_entry	*v;
	size_t			 n;
	size_t			 ndamaged;
	int			 rebuilt;	/* entries read from session files */
};

/*
 * Every session, newest updated_at first (damaged ones last).  Missing
 * .qmb/sessions is an empty list.
 */
int	qmb_index_load(struct qmb_proj *, struct qmb_index *, struct qmb_err *);
void	qmb_index_free(struct qmb_index *);
/* The summary parsed (on first use), or NULL for a damaged entry. */
const struct qmb_jv *qmb_index_summary(struct qmb_index_entry *);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef QMB_TRAILRD_H
#define QMB_TRAILRD_H

/*
 * Reading an audit trail line by line with bounded memory: a trail may
 * grow without limit (it is append-only), so no reader holds it whole.
 * Only one line at a time is held; a line is bounded like any file
 * (QMB_MAX_FILE), the trail is not.  The source is a plain file, a gzip
 * archive, or any open descriptor (a mirror copy, a kept copy in
 * .qmb/corrupt/).
 *
 *	struct qmb_trailrd t;
 *	if (qmb_trailrd_open(p, id, 0, &t, err) == -1) ...
 *	while ((rc = qmb_trailrd_next(&t, &line, &len, err)) == 1) ...
 *	rc: 0 end, 2 a last line without newline (torn), -1 error
 *	qmb_trailrd_close(&t);
 */

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "qmb_err.h"
#include "qmb_paths.h"

struct qmb_trailrd {
	int	 fd;
	void	*gz;		/* gzFile when reading an archive */
	char	*buf;
	size_t	 cap, beg, end;	/* buffered bytes: buf[beg..end) */
	size_t	 maxline;
	int	 eof;
	off_t	 off;		/* offset of the line last returned */
	off_t	 next;		/* offset just past it */
	int64_t	 lines;		/* lines returned so far */
	int	 archived;
	char	 path[320];	/* relative to the project */
};

/* Open flags. */
#define QMB_TRAILRD_LIVE	1	/* the live trail only, never the archive */

/*
 * Open id's trail: audit/ID.audit.json, else (unless QMB_TRAILRD_LIVE)
 * archive/audit/ID.audit.json.gz.  Missing is QMB_EXIT_NOTFOUND.
 */
int	qmb_trailrd_open(struct qmb_proj *, const char *id, int flags,
	    struct qmb_trailrd *, struct qmb_err *);
/*
 * Open dfd/name (gzip when gz), named path in messages.  Missing is
 * QMB_EXIT_NOTFOUND.
 */
int	qmb_trailrd_openat(struct qmb_trailrd *, int dfd, const char *name,
	    const char *path, int gz, struct qmb_err *);
/* Read from an open descriptor (taken over: closed by qmb_trailrd_close). */
void	qmb_trailrd_fdopen(struct qmb_trailrd *, int fd, const char *path);
/*
 * The next line, without its newline, valid until the next call:
 * 1 a line, 2 a last line without newline, 0 the end, -1 error.
 */
int	qmb_trailrd_next(struct qmb_trailrd *, const char **line, size_t *len,
	    struct qmb_err *);
void	qmb_trailrd_close(struct qmb_trailrd *);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef QMB_TAIL_H
#define QMB_TAIL_H

/*
 * Torn tails of line files (audit trails, JSON Lines logs): a last line
 * without its newline is a write cut short, never acknowledged.
 *
 * Finds where the last complete line of a file ends, and cuts a torn
 * tail off: the fragment is first kept as .qmb/corrupt/NAME.torn-TIME
 * (NAME.torn-TIME-N when that exists), durably, and only then is the
 * file truncated to its last complete line and synced.
 *
 * The one torn-tail routine: the audit append cuts a trail's torn tail
 * before it writes (qmb_audit), the audit mirror drops its own fragment
 * (qmb_mirror), and repair cuts torn trails and logs (qmb_repair).
 *
 * Owns: the NAME.torn-TIME files of .qmb/corrupt/.  Never takes a lock
 * (the caller holds the file's lock), never touches a complete line,
 * never removes anything else.
 */

#include <sys/types.h>

#include "qmb_err.h"
#include "qmb_paths.h"

/* Size of .qmb/corrupt/NAME.torn-TIME paths written to kept. */
#define QMB_TAIL_KEPT	160

/*
 * 1 when fd is a regular file that is not empty and does not end in a
 * newline (its size to *size), else 0.
 */
int	qmb_tail_torn(int fd, off_t *size);
/*
 * The offset where the line ending at end begins: just past the last
 * newline before end, or 0.  For a torn file with end its size, that
 * is where the fragment starts (the end of its last complete line).
 * -1 with errno on a read error.
 */
int	qmb_tail_line_start(int fd, off_t end, off_t *start);
/*
 * Cut the torn tail of fd (open for writing; name for messages and for
 * the kept copy's name) into .qmb/corrupt.  The kept copy's path goes to
 * kept (QMB_TAIL_KEPT bytes) when not NULL.  Returns the number of bytes
 * cut (0: the file was whole), or -1.
 */
long	qmb_tail_cut_fd(struct qmb_proj *, int fd, const char *name,
	    char *kept, struct qmb_err *);
/* The same for dfd/name; a missing file has nothing to cut. */
long	qmb_tail_cut(struct qmb_proj *, int dfd, const char *name,
	    char *kept, struct qmb_err *);

#endif

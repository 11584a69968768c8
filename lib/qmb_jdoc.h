/* SPDX-License-Identifier: MIT */
#ifndef QMB_JDOC_H
#define QMB_JDOC_H

/*
 * JSON documents kept in files: read a file under a folder descriptor
 * and parse it, give a value the pretty text files are written with,
 * and copy a string member into a fixed buffer.
 *
 * Owns no file of .qmb/: callers name the file and write it themselves
 * (qmb_atomic).  Never prints, never writes.
 */

#include <stddef.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_json.h"

/*
 * Read dfd/name (at most $QMB_MAX_FILE bytes) and parse it into doc.
 * Missing: QMB_EXIT_NOTFOUND; too large or not JSON: QMB_EXIT_CORRUPT,
 * the parse message prefixed with label (".qmb/queue/review/x.json").
 */
int	qmb_jdoc_read(int dfd, const char *name, const char *label,
	    struct qmb_json_doc *doc, struct qmb_err *);
/* Append v, indented with two spaces, and a newline to b; 0 or -1. */
int	qmb_jdoc_pretty(const struct qmb_jv *v, struct qmb_buf *b);
/* Copy o's string member key into dst (size bytes, cut); "" if none. */
void	qmb_jdoc_copy(char *dst, size_t size, const struct qmb_jv *o,
	    const char *key);

#endif

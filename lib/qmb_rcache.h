/* SPDX-License-Identifier: MIT */
#ifndef QMB_RCACHE_H
#define QMB_RCACHE_H

/*
 * The review cache: the last review Gemini gave for a script, by the
 * script's SHA-256, so the same script is never asked twice.
 *
 * Owns .qmb/cache/review/{sha}.json (pretty JSON, one review record with
 * source "gemini", written atomically).  Never holds a record that has
 * not passed qmb_rrecord_check, never calls Gemini, never prints.
 */

#include <stddef.h>

#include "qmb_err.h"
#include "qmb_json.h"
#include "qmb_paths.h"

/*
 * The record of sha: 0 and the record in doc (caller frees),
 * QMB_EXIT_NOTFOUND when none, QMB_EXIT_CORRUPT when unusable (not a
 * record, of another script, or not from Gemini).
 */
int	qmb_rcache_get(struct qmb_proj *, const char *sha,
	    struct qmb_json_doc *, struct qmb_err *);
/* Store the compact record rec[0..len) as sha's review. */
int	qmb_rcache_put(struct qmb_proj *, const char *sha,
	    const char *rec, size_t len, struct qmb_err *);

#endif

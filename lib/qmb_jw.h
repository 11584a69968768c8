/* SPDX-License-Identifier: MIT */
#ifndef QMB_JW_H
#define QMB_JW_H

/*
 * The JSON writer, into a qmb_buf.
 *
 * struct qmb_jw writes compact JSON (or indented with two spaces
 * when pretty is set) into a qmb_buf, inserting commas and colons itself.
 * Strings are escaped as `jq -c` escapes them: \" \\ \n \t \r \b \f, other
 * control characters and DEL as \u00xx (lowercase hex), everything else raw
 * UTF-8; invalid UTF-8 in input strings becomes U+FFFD, so the output is
 * always valid JSON.  Errors (buffer full, depth, misuse) are sticky in
 * jw->error; check qmb_jw_finish().
 *
 * Owns no file: callers write the buffer where they mean to.  Never
 * prints, never allocates beyond the buffer's own growth.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_jlex.h"

struct qmb_jv;		/* a parsed value, qmb_json.h */

struct qmb_jw {
	struct qmb_buf	*buf;
	int		 pretty;
	int		 depth;
	int		 error;		/* sticky: 0 or an errno value */
	unsigned char	 first[QMB_JSON_DEPTH + 1];	/* no member yet */
	unsigned char	 isobj[QMB_JSON_DEPTH + 1];
	unsigned char	 afterkey;
};

void	qmb_jw_init(struct qmb_jw *, struct qmb_buf *, int pretty);
void	qmb_jw_obj_begin(struct qmb_jw *);
void	qmb_jw_obj_end(struct qmb_jw *);
void	qmb_jw_arr_begin(struct qmb_jw *);
void	qmb_jw_arr_end(struct qmb_jw *);
void	qmb_jw_key(struct qmb_jw *, const char *);
void	qmb_jw_str(struct qmb_jw *, const char *);		/* NULL -> null */
void	qmb_jw_strn(struct qmb_jw *, const char *, size_t);
void	qmb_jw_int(struct qmb_jw *, int64_t);
void	qmb_jw_bool(struct qmb_jw *, int);
void	qmb_jw_null(struct qmb_jw *);
/* A number given as text already known to be valid JSON number syntax. */
void	qmb_jw_numtext(struct qmb_jw *, const char *);
/* Write a parsed value, deep (explicit stack, no recursion). */
void	qmb_jw_value(struct qmb_jw *, const struct qmb_jv *);
/* Key and value in one call. */
void	qmb_jw_kstr(struct qmb_jw *, const char *key, const char *val);
void	qmb_jw_kint(struct qmb_jw *, const char *key, int64_t val);
/* 0 when the document is complete and no error occurred, else -1. */
int	qmb_jw_finish(struct qmb_jw *);

/* Append s escaped as a JSON string (with quotes) to b; as qmb_jw_str. */
int	qmb_json_escape(struct qmb_buf *b, const char *s, size_t n);

#endif

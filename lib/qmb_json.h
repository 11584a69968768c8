/* SPDX-License-Identifier: MIT */
#ifndef QMB_JSON_H
#define QMB_JSON_H

/*
 * JSON: a strict reader on top of jsmn, and a writer into a qmb_buf.
 *
 * Reader.  qmb_json_parse() accepts exactly RFC 8259 JSON: one value with
 * optional surrounding whitespace; the full number grammar; every escape,
 * surrogate pairs joined, lone surrogates refused; strings valid UTF-8
 * (no overlongs, no surrogates, nothing above U+10FFFF); no BOM; no NUL
 * byte in the text and no \u0000 in strings (values are C strings);
 * numbers that overflow a double (1e400) refused; duplicate keys in an
 * object refused; nesting at most QMB_JSON_DEPTH; text at most max bytes.
 * A failure fills err with QMB_EXIT_USAGE or the code the caller passes in
 * qmb_json_parse's `code` argument (callers reading stored files pass
 * QMB_EXIT_CORRUPT) and a message with the byte offset:
 *   "invalid JSON at byte 17: expected ',' or '}'"
 * Nothing recurses on input: the reader loops over jsmn's tokens with an
 * explicit stack.  The document owns every node and string; free it with
 * qmb_json_free().  Object members keep their order in the text.
 *
 * Writer.  struct qmb_jw writes compact JSON (or indented with two spaces
 * when pretty is set) into a qmb_buf, inserting commas and colons itself.
 * Strings are escaped as `jq -c` escapes them: \" \\ \n \t \r \b \f, other
 * control characters and DEL as \u00xx (lowercase hex), everything else raw
 * UTF-8; invalid UTF-8 in input strings becomes U+FFFD, so the output is
 * always valid JSON.  Errors (buffer full, depth, misuse) are sticky in
 * jw->error; check qmb_jw_finish().
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"

#define QMB_JSON_DEPTH	64		/* nesting limit, reader and writer */
#define QMB_JSON_MAX	(16u << 20)	/* default text size limit */

enum qmb_jtype {
	QMB_JNULL, QMB_JFALSE, QMB_JTRUE, QMB_JNUM, QMB_JSTR, QMB_JARR, QMB_JOBJ
};

struct qmb_jv {
	enum qmb_jtype	 type;
	const char	*key;	/* member name when inside an object, else NULL */
	const char	*str;	/* QMB_JSTR: decoded, NUL-terminated */
	size_t		 len;	/* QMB_JSTR: bytes; ARR/OBJ: number of kids */
	const char	*num;	/* QMB_JNUM: the number's text as written */
	double		 dbl;	/* QMB_JNUM: value */
	int64_t		 i64;	/* QMB_JNUM: value when isint */
	int		 isint;	/* QMB_JNUM: no fraction/exponent, fits int64 */
	struct qmb_jv	*kids;	/* ARR/OBJ: len children, in order */
};

struct qmb_json_doc {
	struct qmb_jv	*root;
	void		*mem;	/* private */
	void		*strs;	/* private */
};

/*
 * Parse text[0..len) into doc.  max is the size limit (0 means
 * QMB_JSON_MAX); code is the exit code for malformed text.
 * Returns 0, or -1 with err filled and doc empty.
 */
int	qmb_json_parse(const char *text, size_t len, size_t max, int code,
	    struct qmb_json_doc *doc, struct qmb_err *err);
void	qmb_json_free(struct qmb_json_doc *);

/* Member of an object by name, or NULL (also when v is not an object). */
const struct qmb_jv *qmb_json_get(const struct qmb_jv *v, const char *key);
/* Typed member lookups: NULL/-1 when missing or of another type. */
const char *qmb_json_get_str(const struct qmb_jv *v, const char *key);
int	qmb_json_get_int(const struct qmb_jv *v, const char *key, int64_t *out);

/* Check that s[0..n) is valid UTF-8 by the reader's rules; 0 or -1. */
int	qmb_utf8_valid(const char *s, size_t n);

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

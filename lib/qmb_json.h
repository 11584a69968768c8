/* SPDX-License-Identifier: MIT */
#ifndef QMB_JSON_H
#define QMB_JSON_H

/*
 * JSON: a strict reader on top of jsmn, building a document of values.
 * The writer is qmb_jw.h and the lexical rules qmb_jlex.h; this header
 * brings in both.
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
 * Owns no file; never prints.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_jlex.h"
#include "qmb_jw.h"

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


#endif

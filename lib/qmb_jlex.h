/* SPDX-License-Identifier: MIT */
#ifndef QMB_JLEX_H
#define QMB_JLEX_H

/*
 * JSON's lexical rules and limits, shared by the reader (qmb_json.h) and
 * the writer (qmb_jw.h): which bytes are valid UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF, no NUL), how jq groups invalid
 * bytes under one U+FFFD, the RFC 8259 number grammar, and decoding a
 * string's body (escapes, surrogate pairs joined, lone surrogates and
 * \u0000 refused, no control characters).
 *
 * Owns no file.  Pure functions on memory: never allocate, never print.
 */

#include <stddef.h>

#define QMB_JSON_DEPTH	64		/* nesting limit, reader and writer */
#define QMB_JSON_MAX	(16u << 20)	/* default text size limit */

/* Where and why a string body is not valid JSON. */
struct qmb_jlex_err {
	size_t		 at;	/* byte offset of the fault */
	const char	*why;	/* "invalid escape", "invalid UTF-8", ... */
};

/* Check that s[0..n) is valid UTF-8 by the reader's rules; 0 or -1. */
int	qmb_utf8_valid(const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s[0..n), n > 0, or 0. */
size_t	qmb_utf8_len(const unsigned char *s, size_t n);
/*
 * Bytes covered by one U+FFFD for the invalid sequence at s[0..n), as jq
 * groups them: a byte that cannot start a sequence alone, else the lead
 * byte with the continuation bytes that follow it, up to the length the
 * lead byte announces.
 */
size_t	qmb_utf8_bad(const unsigned char *s, size_t n);
/* 1 when s[0..n) is -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. */
int	qmb_jlex_number(const char *s, size_t n);
/*
 * Decode the string body t[s..e) (between the quotes) to *op, which
 * must have room for e - s + 1 bytes, NUL-terminated; *op is left past
 * the NUL.  0, or -1 with er set.
 */
int	qmb_jlex_unquote(const unsigned char *t, size_t s, size_t e,
	    char **op, struct qmb_jlex_err *er);

#endif

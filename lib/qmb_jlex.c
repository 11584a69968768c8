/* SPDX-License-Identifier: MIT */
/*
 * JSON's lexical rules, shared by the reader and the writer; see
 * qmb_jlex.h.
 */
#include <string.h>

#include "qmb_jlex.h"

static int
isdig(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

static int
fail(struct qmb_jlex_err *er, size_t at, const char *why)
{
	er->at = at;
	er->why = why;
	return -1;
}

/* ---- UTF-8 --------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s[0..n), n > 0, or 0. */
size_t
qmb_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	if (s[0] < 0xe0)
		len = 2;
	else if (s[0] < 0xf0) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * Bytes covered by one U+FFFD for the invalid sequence at s[0..n), as jq
 * groups them: a byte that cannot start a sequence alone, else the lead
 * byte with the continuation bytes that follow it, up to the length the
 * lead byte announces.
 */
size_t
qmb_utf8_bad(const unsigned char *s, size_t n)
{
	size_t want, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 1;
	want = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	for (i = 1; i < want && i < n && (s[i] & 0xc0) == 0x80; i++)
		continue;
	return i;
}

int
qmb_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l;

	while (i < n) {
		if (u[i] == 0 || (l = qmb_utf8_len(u + i, n - i)) == 0)
			return -1;
		i += l;
	}
	return 0;
}

/* ---- numbers ------------------------------------------------------ */

/* One or more digits at s[*ip..n); advance past them. */
static int
digits(const char *s, size_t n, size_t *ip)
{
	size_t i = *ip;

	while (i < n && isdig(s[i]))
		i++;
	if (i == *ip)
		return 0;
	*ip = i;
	return 1;
}

int
qmb_jlex_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i == n || s[i] < '1' || s[i] > '9' || !digits(s, n, &i))
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		if (!digits(s, n, &i))
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!digits(s, n, &i))
			return 0;
	}
	return i == n;
}

/* ---- strings ------------------------------------------------------ */

static int
hex4(const unsigned char *s, unsigned *out)
{
	unsigned v = 0, d;
	int i;

	for (i = 0; i < 4; i++) {
		if (isdig(s[i]))
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static char *
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* \uXXXX at *ip (the backslash), with its low half when it is high. */
static int
unescape_u(const unsigned char *t, size_t *ip, size_t e, char **op,
    struct qmb_jlex_err *er)
{
	size_t i = *ip;
	unsigned cp, lo;

	if (e - i < 6 || hex4(t + i + 2, &cp) == -1)
		return fail(er, i, "invalid \\u escape");
	if (cp == 0)
		return fail(er, i, "\\u0000 in string");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(er, i, "unpaired surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (e - i < 12 || t[i + 6] != '\\' || t[i + 7] != 'u' ||
		    hex4(t + i + 8, &lo) == -1 || lo < 0xdc00 || lo > 0xdfff)
			return fail(er, i, "unpaired surrogate");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		i += 6;
	}
	*op = put_utf8(*op, cp);
	*ip = i + 6;
	return 0;
}

/* The escape at *ip (the backslash). */
static int
unescape(const unsigned char *t, size_t *ip, size_t e, char **op,
    struct qmb_jlex_err *er)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p;
	size_t i = *ip;

	if (i + 1 < e && t[i + 1] == 'u')
		return unescape_u(t, ip, e, op, er);
	if (i + 1 >= e || t[i + 1] == '\0' ||
	    (p = strchr(from, t[i + 1])) == NULL)
		return fail(er, i, "invalid escape");
	*(*op)++ = to[p - from];
	*ip = i + 2;
	return 0;
}

int
qmb_jlex_unquote(const unsigned char *t, size_t s, size_t e, char **op,
    struct qmb_jlex_err *er)
{
	size_t i = s, l;
	char *o = *op;

	while (i < e) {
		if (t[i] == '\\') {
			if (unescape(t, &i, e, &o, er) == -1)
				return -1;
		} else if (t[i] < 0x20)
			return fail(er, i, "control character in string");
		else if (t[i] < 0x80)
			*o++ = (char)t[i++];
		else if ((l = qmb_utf8_len(t + i, e - i)) == 0)
			return fail(er, i, "invalid UTF-8");
		else {
			memcpy(o, t + i, l);
			o += l;
			i += l;
		}
	}
	*o++ = '\0';
	*op = o;
	return 0;
}

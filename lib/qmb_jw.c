/* SPDX-License-Identifier: MIT */
/*
 * The JSON writer; see qmb_jw.h for the contract.  Commas, colons and
 * indentation come from the state kept per depth (first, isobj,
 * afterkey); a misuse (a value where a key is due, unbalanced ends)
 * makes the error sticky instead of writing bad JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "qmb_json.h"
#include "qmb_jw.h"

/* The escape for byte ch into out (at least 7 bytes); its length. */
static size_t
esc_byte(unsigned char ch, char *out)
{
	static const char hex[] = "0123456789abcdef";
	static const char from[] = "\"\\\n\t\r\b\f", to[] = "\"\\ntrbf";
	const char *p;

	if (ch != '\0' && (p = strchr(from, ch)) != NULL) {
		out[0] = '\\';
		out[1] = to[p - from];
		return 2;
	}
	memcpy(out, "\\u00", 4);
	out[4] = hex[ch >> 4];
	out[5] = hex[ch & 0xf];
	return 6;
}

static int
needs_esc(unsigned char ch)
{
	return ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\';
}

int
qmb_json_escape(struct qmb_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, l;
	char e[8];

	qmb_buf_addc(b, '"');
	while (i < n && b->error == 0) {
		if (u[i] < 0x80 && !needs_esc(u[i])) {
			i++;
			continue;
		}
		if (u[i] >= 0x80 && (l = qmb_utf8_len(u + i, n - i)) != 0) {
			i += l;
			continue;
		}
		qmb_buf_add(b, s + run, i - run);
		if (u[i] < 0x80) {
			qmb_buf_add(b, e, esc_byte(u[i], e));
			i++;
		} else {
			qmb_buf_add(b, "\xef\xbf\xbd", 3);
			i += qmb_utf8_bad(u + i, n - i);
		}
		run = i;
	}
	qmb_buf_add(b, s + run, i - run);
	qmb_buf_addc(b, '"');
	return b->error ? -1 : 0;
}

void
qmb_jw_init(struct qmb_jw *jw, struct qmb_buf *b, int pretty)
{
	memset(jw, 0, sizeof(*jw));
	jw->buf = b;
	jw->pretty = pretty;
	jw->first[0] = 1;
}

static void
jw_misuse(struct qmb_jw *jw)
{
	if (jw->error == 0)
		jw->error = EINVAL;
}

static void
jw_put(struct qmb_jw *jw, const char *s, size_t n)
{
	if (jw->error == 0 && qmb_buf_add(jw->buf, s, n) == -1)
		jw->error = jw->buf->error ? jw->buf->error : ENOMEM;
}

static void
jw_puts(struct qmb_jw *jw, const char *s)
{
	jw_put(jw, s, strlen(s));
}

static void
jw_newline(struct qmb_jw *jw, int depth)
{
	static const char sp[] = "\n"
	    "                                                                "
	    "                                                                ";

	jw_put(jw, sp, 1 + 2 * (size_t)depth);
}

/* Comma and indentation before a member or element. */
static void
jw_sep(struct qmb_jw *jw)
{
	int d = jw->depth;

	if (!jw->first[d])
		jw_put(jw, ",", 1);
	if (jw->pretty)
		jw_newline(jw, d);
	jw->first[d] = 0;
}

/* Before any value: 0 when it may be written. */
static int
jw_prep(struct qmb_jw *jw)
{
	int d = jw->depth;

	if (jw->error)
		return -1;
	if (d == 0) {
		if (!jw->first[0]) {
			jw_misuse(jw);
			return -1;
		}
		jw->first[0] = 0;
	} else if (jw->isobj[d]) {
		if (!jw->afterkey) {
			jw_misuse(jw);
			return -1;
		}
		jw->afterkey = 0;
	} else
		jw_sep(jw);
	return jw->error ? -1 : 0;
}

static void
jw_begin(struct qmb_jw *jw, int obj)
{
	if (jw->error)
		return;
	if (jw->depth >= QMB_JSON_DEPTH) {
		jw_misuse(jw);
		return;
	}
	if (jw_prep(jw) == -1)
		return;
	jw_put(jw, obj ? "{" : "[", 1);
	jw->depth++;
	jw->first[jw->depth] = 1;
	jw->isobj[jw->depth] = (unsigned char)obj;
}

static void
jw_end(struct qmb_jw *jw, int obj)
{
	int d = jw->depth;

	if (jw->error)
		return;
	if (d == 0 || jw->isobj[d] != obj || jw->afterkey) {
		jw_misuse(jw);
		return;
	}
	if (jw->pretty && !jw->first[d])
		jw_newline(jw, d - 1);
	jw_put(jw, obj ? "}" : "]", 1);
	jw->depth--;
}

void
qmb_jw_obj_begin(struct qmb_jw *jw)
{
	jw_begin(jw, 1);
}

void
qmb_jw_obj_end(struct qmb_jw *jw)
{
	jw_end(jw, 1);
}

void
qmb_jw_arr_begin(struct qmb_jw *jw)
{
	jw_begin(jw, 0);
}

void
qmb_jw_arr_end(struct qmb_jw *jw)
{
	jw_end(jw, 0);
}

static void
jw_escape(struct qmb_jw *jw, const char *s, size_t n)
{
	if (jw->error == 0 && qmb_json_escape(jw->buf, s, n) == -1)
		jw->error = jw->buf->error ? jw->buf->error : ENOMEM;
}

void
qmb_jw_key(struct qmb_jw *jw, const char *key)
{
	if (jw->error)
		return;
	if (key == NULL || jw->depth == 0 || !jw->isobj[jw->depth] ||
	    jw->afterkey) {
		jw_misuse(jw);
		return;
	}
	jw_sep(jw);
	jw_escape(jw, key, strlen(key));
	jw_puts(jw, jw->pretty ? ": " : ":");
	jw->afterkey = 1;
}

void
qmb_jw_strn(struct qmb_jw *jw, const char *s, size_t n)
{
	if (s == NULL) {
		qmb_jw_null(jw);
		return;
	}
	if (jw_prep(jw) == 0)
		jw_escape(jw, s, n);
}

void
qmb_jw_str(struct qmb_jw *jw, const char *s)
{
	qmb_jw_strn(jw, s, s != NULL ? strlen(s) : 0);
}

void
qmb_jw_int(struct qmb_jw *jw, int64_t v)
{
	char tmp[32];
	int n;

	if (jw_prep(jw) == -1)
		return;
	n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	jw_put(jw, tmp, (size_t)n);
}

void
qmb_jw_bool(struct qmb_jw *jw, int v)
{
	if (jw_prep(jw) == 0)
		jw_puts(jw, v ? "true" : "false");
}

void
qmb_jw_null(struct qmb_jw *jw)
{
	if (jw_prep(jw) == 0)
		jw_puts(jw, "null");
}

/* The text is checked anyway, so the output stays valid JSON. */
void
qmb_jw_numtext(struct qmb_jw *jw, const char *s)
{
	if (jw->error)
		return;
	if (s == NULL || !qmb_jlex_number(s, strlen(s))) {
		jw_misuse(jw);
		return;
	}
	if (jw_prep(jw) == 0)
		jw_puts(jw, s);
}

/* A number node made by hand may lack its text. */
static void
jw_numval(struct qmb_jw *jw, const struct qmb_jv *v)
{
	char tmp[32];

	if (v->num != NULL)
		qmb_jw_numtext(jw, v->num);
	else if (v->isint)
		qmb_jw_int(jw, v->i64);
	else if (isfinite(v->dbl)) {
		snprintf(tmp, sizeof(tmp), "%.17g", v->dbl);
		qmb_jw_numtext(jw, tmp);
	} else
		jw_misuse(jw);
}

/* Write v; a container is only opened.  1 when one was opened. */
static int
jw_open(struct qmb_jw *jw, const struct qmb_jv *v)
{
	switch (v->type) {
	case QMB_JNULL:
		qmb_jw_null(jw);
		return 0;
	case QMB_JFALSE:
	case QMB_JTRUE:
		qmb_jw_bool(jw, v->type == QMB_JTRUE);
		return 0;
	case QMB_JNUM:
		jw_numval(jw, v);
		return 0;
	case QMB_JSTR:
		qmb_jw_strn(jw, v->str, v->len);
		return 0;
	case QMB_JARR:
	case QMB_JOBJ:
		jw_begin(jw, v->type == QMB_JOBJ);
		return jw->error == 0;
	}
	jw_misuse(jw);
	return 0;
}

void
qmb_jw_value(struct qmb_jw *jw, const struct qmb_jv *v)
{
	struct {
		const struct qmb_jv	*c;
		size_t			 i;
	} st[QMB_JSON_DEPTH];
	const struct qmb_jv *k;
	int sp = 0;

	if (v == NULL) {
		jw_misuse(jw);
		return;
	}
	if (jw_open(jw, v)) {
		st[0].c = v;
		st[0].i = 0;
		sp = 1;
	}
	while (sp > 0 && jw->error == 0) {
		if (st[sp - 1].i == st[sp - 1].c->len) {
			jw_end(jw, st[--sp].c->type == QMB_JOBJ);
			continue;
		}
		k = &st[sp - 1].c->kids[st[sp - 1].i++];
		if (st[sp - 1].c->type == QMB_JOBJ)
			qmb_jw_key(jw, k->key != NULL ? k->key : "");
		if (jw_open(jw, k) && sp < QMB_JSON_DEPTH) {
			st[sp].c = k;
			st[sp].i = 0;
			sp++;
		} else if (jw->error == 0 && (k->type == QMB_JARR ||
		    k->type == QMB_JOBJ))
			jw_misuse(jw);
	}
}

void
qmb_jw_kstr(struct qmb_jw *jw, const char *key, const char *val)
{
	qmb_jw_key(jw, key);
	qmb_jw_str(jw, val);
}

void
qmb_jw_kint(struct qmb_jw *jw, const char *key, int64_t val)
{
	qmb_jw_key(jw, key);
	qmb_jw_int(jw, val);
}

int
qmb_jw_finish(struct qmb_jw *jw)
{
	if (jw->error == 0 && jw->buf->error != 0)
		jw->error = jw->buf->error;
	if (jw->error != 0 || jw->depth != 0 || jw->first[0])
		return -1;
	return 0;
}

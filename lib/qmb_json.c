/* SPDX-License-Identifier: MIT */
/*
 * The JSON reader; see qmb_json.h for the contract.  The lexical
 * rules (UTF-8, numbers, string bodies) are qmb_jlex.c.
 *
 * The reader runs in five steps, none recursive:
 *  1. prescan: size limit, BOM, NUL bytes and nesting depth, in one pass
 *     that follows jsmn's idea of strings and primitives, so that jsmn
 *     never sees a document deeper than QMB_JSON_DEPTH (its bracket
 *     matching walks up the parent links, which is O(depth));
 *  2. tokenize: jsmn counts the tokens, then fills them;
 *  3. walk: the tokens in text order with an explicit stack, checking
 *     every byte between tokens, the role of each token (key or value),
 *     each primitive and each string, which is decoded into the arena;
 *  4. build: one node per value, each container's kids laid out as one
 *     contiguous block, strings taken from the arena in the same order;
 *  5. dupcheck: every object's keys sorted, neighbours compared.
 * After jsmn has run, the walk reuses each token's size and parent
 * fields for its own bookkeeping (see walk_take and build).
 */

#ifndef JSMN_STRICT
#define JSMN_STRICT
#endif
#ifndef JSMN_PARENT_LINKS
#define JSMN_PARENT_LINKS	/* without it jsmn is quadratic on ',' */
#endif

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jsmn.h>

#include "qmb_json.h"

#if LLONG_MAX != INT64_MAX
#error "strtoll must yield exactly int64_t"
#endif

#define PAR_KEY		(-2)	/* token parent mark: an object key */

enum { S_EMPTY, S_KEY, S_VAL };		/* container states */
enum { P_OUT, P_STR, P_PRIM };		/* prescan states */

struct frame {
	int		 tok;		/* the container's token */
	int		 obj;
	int		 state;
	size_t		 close;		/* offset of its closing bracket */
};

struct kent {
	const char	*key;
	size_t		 off;
};

struct pctx {
	const unsigned char *t;
	size_t		 len;
	size_t		 max;
	int		 code;
	struct qmb_err	*err;
	jsmntok_t	*tok;
	int		 ntok;
	size_t		 nval;
	size_t		 nkey;
	char		*arena;
	size_t		 apos;
	struct qmb_jv	*nodes;
	struct kent	*ents;
	struct frame	 st[QMB_JSON_DEPTH];
	int		 sp;
	size_t		 pos;
	int		 done;
};

static int	perr(struct pctx *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
isws(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* The type of the literal s[0..n), or -1. */
static int
literal(const char *s, size_t n)
{
	if (n == 4 && memcmp(s, "true", 4) == 0)
		return QMB_JTRUE;
	if (n == 5 && memcmp(s, "false", 5) == 0)
		return QMB_JFALSE;
	if (n == 4 && memcmp(s, "null", 4) == 0)
		return QMB_JNULL;
	return -1;
}

static void *
allocn(size_t n, size_t size)
{
	return reallocarray(NULL, n ? n : 1, size);
}

/*
 * Reader: errors.
 */

static int
perr(struct pctx *c, size_t off, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return qmb_errf(c->err, c->code, "invalid JSON at byte %zu: %s",
	    off, what);
}

static int
nomem(struct pctx *c)
{
	errno = ENOMEM;
	return qmb_errsys(c->err, qmb_err_code_for_errno(ENOMEM),
	    "parse JSON");
}

/* "unexpected character 'x'" or "unexpected byte 0xNN" at off. */
static int
perr_byte(struct pctx *c, size_t off)
{
	unsigned char ch;

	if (off >= c->len)
		return perr(c, c->len, "unexpected end of input");
	ch = c->t[off];
	if (ch > 0x20 && ch < 0x7f)
		return perr(c, off, "unexpected character '%c'", ch);
	return perr(c, off, "unexpected byte 0x%02x", ch);
}

static size_t
skipws(const struct pctx *c, size_t p, size_t end)
{
	while (p < end && isws(c->t[p]))
		p++;
	return p;
}

/*
 * Reader step 1: prescan.
 */

static int
prim_delim(unsigned char ch)
{
	return isws(ch) || ch == ',' || ch == ']' || ch == '}';
}

/* One byte outside strings and primitives; the new state or -1. */
static int
prescan_out(struct pctx *c, size_t i, int *depth)
{
	unsigned char ch = c->t[i];

	if (ch == '"')
		return P_STR;
	if (ch == '[' || ch == '{') {
		if (++*depth > QMB_JSON_DEPTH)
			return perr(c, i, "nesting deeper than %d",
			    QMB_JSON_DEPTH);
	} else if (ch == ']' || ch == '}') {
		if (*depth > 0)
			--*depth;
	} else if (!isws(ch) && ch != ':' && ch != ',')
		return P_PRIM;
	return P_OUT;
}

static int
prescan(struct pctx *c)
{
	size_t i;
	int st = P_OUT, depth = 0;

	if (c->len > c->max)
		return perr(c, c->max, "text longer than %zu bytes", c->max);
	if (c->len >= 3 && memcmp(c->t, "\xef\xbb\xbf", 3) == 0)
		return perr(c, 0, "byte order mark");
	for (i = 0; i < c->len; i++) {
		if (c->t[i] == '\0')
			return perr(c, i, "NUL byte");
		if (st == P_STR) {
			if (c->t[i] == '\\' && i + 1 < c->len &&
			    c->t[i + 1] != '\0')
				i++;
			else if (c->t[i] == '"')
				st = P_OUT;
		} else if (st == P_OUT || prim_delim(c->t[i])) {
			if ((st = prescan_out(c, i, &depth)) == -1)
				return -1;
		}
	}
	return 0;
}

/*
 * Reader step 2: tokenize.
 */

static int
decode_str(struct pctx *, size_t, size_t, char **);

/* jsmn refused a string starting at off: find the exact fault. */
static int
jsmn_badstr(struct pctx *c, size_t off)
{
	char *tmp, *o;
	int r;

	if ((tmp = malloc(c->len - off)) == NULL)
		return nomem(c);
	o = tmp;
	r = decode_str(c, off + 1, c->len, &o);
	free(tmp);
	if (r == -1)
		return -1;
	return perr(c, off, "invalid string");
}

static int
jsmn_fail(struct pctx *c, int r, size_t pos)
{
	size_t q;

	if (r == JSMN_ERROR_PART) {
		if (pos < c->len && c->t[pos] == '"')
			return perr(c, pos, "unterminated string");
		return perr(c, c->len, "unexpected end of input");
	}
	if (r == JSMN_ERROR_NOMEM || pos >= c->len)
		return perr(c, pos, "cannot tokenize");
	if (c->t[pos] == '"')
		return jsmn_badstr(c, pos);
	/* a primitive holding a control or non-ASCII byte: point at it */
	for (q = pos; q < c->len && !prim_delim(c->t[q]); q++)
		if (c->t[q] < 0x20 || c->t[q] >= 0x7f)
			return perr_byte(c, q);
	return perr_byte(c, pos);
}

/* A top-level primitive: jsmn (strict) wants a delimiter after it. */
static int
tokenize_prim(struct pctx *c, size_t s)
{
	size_t e;

	for (e = s; e < c->len && !prim_delim(c->t[e]); e++)
		continue;
	if (e == s)
		return perr(c, s, "expected value");
	if ((c->tok = malloc(sizeof(*c->tok))) == NULL)
		return nomem(c);
	c->tok->type = JSMN_PRIMITIVE;
	c->tok->start = (int)s;
	c->tok->end = (int)e;
	c->tok->size = 0;
	c->tok->parent = -1;
	c->ntok = 1;
	return 0;
}

static int
tokenize(struct pctx *c)
{
	jsmn_parser p;
	size_t s;
	int n;

	if (c->len >= INT_MAX)
		return perr(c, INT_MAX - 1, "text longer than %d bytes",
		    INT_MAX - 1);
	s = skipws(c, 0, c->len);
	if (s == c->len)
		return perr(c, s, "unexpected end of input");
	if (c->t[s] != '{' && c->t[s] != '[' && c->t[s] != '"')
		return tokenize_prim(c, s);
	jsmn_init(&p);
	n = jsmn_parse(&p, (const char *)c->t, c->len, NULL, 0);
	if (n < 0)
		return jsmn_fail(c, n, p.pos);
	if ((c->tok = allocn((size_t)n, sizeof(*c->tok))) == NULL)
		return nomem(c);
	jsmn_init(&p);
	n = jsmn_parse(&p, (const char *)c->t, c->len, c->tok,
	    (unsigned int)n);
	if (n < 0)
		return jsmn_fail(c, n, p.pos);
	c->ntok = n;
	return 0;
}

/*
 * Reader step 3: walk.  Strings first.
 */

/* Decode the string body t[s..e) to *op, NUL-terminated. */
static int
decode_str(struct pctx *c, size_t s, size_t e, char **op)
{
	struct qmb_jlex_err er;

	if (qmb_jlex_unquote(c->t, s, e, op, &er) == -1)
		return perr(c, er.at, "%s", er.why);
	return 0;
}

static int
walk_str(struct pctx *c, const jsmntok_t *k)
{
	char *o = c->arena + c->apos;

	if (decode_str(c, (size_t)k->start, (size_t)k->end, &o) == -1)
		return -1;
	c->apos = (size_t)(o - c->arena);
	return 0;
}

/* A number is copied to the arena; a literal needs no storage. */
static int
walk_prim(struct pctx *c, const jsmntok_t *k)
{
	const char *s = (const char *)c->t + k->start;
	size_t n = (size_t)(k->end - k->start);

	if (literal(s, n) != -1)
		return 0;
	if (s[0] == 't' || s[0] == 'f' || s[0] == 'n')
		return perr(c, (size_t)k->start, "invalid literal");
	if (s[0] != '-' && (s[0] < '0' || s[0] > '9'))
		return perr_byte(c, (size_t)k->start);
	if (!qmb_jlex_number(s, n))
		return perr(c, (size_t)k->start, "invalid number");
	memcpy(c->arena + c->apos, s, n);
	c->arena[c->apos + n] = '\0';
	c->apos += n + 1;
	return 0;
}

/*
 * The bytes t[from..to) between two tokens: whitespace, then sep (when
 * not 0) and whitespace.  nosep: message when sep is missing; after:
 * message for anything else.
 */
static int
gap(struct pctx *c, size_t from, size_t to, int sep, const char *nosep,
    const char *after)
{
	size_t p;

	if (from > to)
		return perr_byte(c, to);
	p = skipws(c, from, to);
	if (sep) {
		if (p == to || c->t[p] != sep)
			return perr(c, p, "%s", nosep);
		p = skipws(c, p + 1, to);
	}
	if (p != to)
		return perr(c, p, "%s", after);
	return 0;
}

static size_t
tok_start(const jsmntok_t *k)
{
	return (size_t)k->start - (k->type == JSMN_STRING);
}

/* The bytes before token i, which starts at ts. */
static int
walk_before(struct pctx *c, int i, size_t ts)
{
	struct frame *f;
	int sep;

	if (c->sp == 0)
		return gap(c, c->pos, ts, 0, "", "expected value");
	f = &c->st[c->sp - 1];
	sep = f->state == S_EMPTY ? 0 : f->obj && f->state == S_KEY ? ':' :
	    ',';
	if (!f->obj)
		return gap(c, c->pos, ts, sep, "expected ',' or ']'",
		    "expected value");
	if (f->state == S_KEY)
		return gap(c, c->pos, ts, sep, "expected ':'",
		    "expected value");
	if (gap(c, c->pos, ts, sep, "expected ',' or '}'",
	    "expected string") == -1)
		return -1;
	if (c->tok[i].type != JSMN_STRING)
		return perr(c, ts, "expected string");
	return 0;
}

static int
walk_push(struct pctx *c, int i, size_t ts)
{
	jsmntok_t *k = &c->tok[i];
	struct frame *f;
	int obj = k->type == JSMN_OBJECT;

	if (c->sp == QMB_JSON_DEPTH)
		return perr(c, ts, "nesting deeper than %d", QMB_JSON_DEPTH);
	if (k->end <= k->start || c->t[k->end - 1] != (obj ? '}' : ']'))
		return perr_byte(c, ts);
	f = &c->st[c->sp++];
	f->tok = i;
	f->obj = obj;
	f->state = S_EMPTY;
	f->close = (size_t)k->end - 1;
	k->size = 0;
	c->pos = ts + 1;
	return 0;
}

/*
 * Token i as key or value.  From here on a token's parent is its
 * container's token (-1 for the root, PAR_KEY for a key) and a
 * container's size counts its values.
 */
static int
walk_take(struct pctx *c, int i, size_t ts)
{
	jsmntok_t *k = &c->tok[i];
	struct frame *f = c->sp > 0 ? &c->st[c->sp - 1] : NULL;

	if (f != NULL && f->obj && f->state != S_KEY) {
		k->parent = PAR_KEY;
		f->state = S_KEY;
		c->nkey++;
		c->pos = (size_t)k->end + 1;
		return walk_str(c, k);
	}
	k->parent = f != NULL ? f->tok : -1;
	c->nval++;
	if (f != NULL) {
		f->state = S_VAL;
		c->tok[f->tok].size++;
	}
	if (k->type == JSMN_OBJECT || k->type == JSMN_ARRAY)
		return walk_push(c, i, ts);
	k->size = 0;
	c->done = f == NULL;
	if (k->type == JSMN_STRING) {
		c->pos = (size_t)k->end + 1;
		return walk_str(c, k);
	}
	c->pos = (size_t)k->end;
	return walk_prim(c, k);
}

/* The bytes before a closing bracket. */
static int
close_gap(struct pctx *c, const struct frame *f)
{
	size_t p = skipws(c, c->pos, f->close), q;

	if (f->state == S_KEY) {
		if (gap(c, c->pos, f->close, ':', "expected ':'",
		    "expected value") == -1)
			return -1;
		return perr(c, f->close, "expected value");
	}
	if (p == f->close)
		return 0;
	if (f->state == S_EMPTY)
		return perr(c, p, f->obj ? "expected string or '}'" :
		    "expected value or ']'");
	if (c->t[p] != ',')
		return perr(c, p, f->obj ? "expected ',' or '}'" :
		    "expected ',' or ']'");
	q = skipws(c, p + 1, f->close);
	if (q == f->close)
		return perr(c, p, "trailing comma");
	return perr(c, q, f->obj ? "expected string" : "expected value");
}

static int
walk_close(struct pctx *c)
{
	struct frame *f = &c->st[c->sp - 1];

	if (f->close < c->pos)
		return perr_byte(c, f->close);
	if (close_gap(c, f) == -1)
		return -1;
	c->pos = f->close + 1;
	c->sp--;
	c->done = c->sp == 0;
	return 0;
}

/* Room for every decoded string and number text, with NULs. */
static int
arena_alloc(struct pctx *c)
{
	size_t n = 1;
	int i;

	for (i = 0; i < c->ntok; i++)
		if (c->tok[i].type == JSMN_STRING ||
		    c->tok[i].type == JSMN_PRIMITIVE)
			n += (size_t)(c->tok[i].end - c->tok[i].start) + 1;
	if ((c->arena = malloc(n)) == NULL)
		return nomem(c);
	return 0;
}

static int
walk(struct pctx *c)
{
	size_t ts;
	int i;

	if (arena_alloc(c) == -1)
		return -1;
	for (i = 0; i < c->ntok; i++) {
		ts = tok_start(&c->tok[i]);
		while (c->sp > 0 && c->st[c->sp - 1].close < ts)
			if (walk_close(c) == -1)
				return -1;
		if (c->done)
			return perr(c, skipws(c, c->pos, c->len),
			    "unexpected data after value");
		if (walk_before(c, i, ts) == -1 || walk_take(c, i, ts) == -1)
			return -1;
	}
	while (c->sp > 0)
		if (walk_close(c) == -1)
			return -1;
	return gap(c, c->pos, c->len, 0, "", "unexpected data after value");
}

/*
 * Reader step 4: build.
 */

static int
build_num(struct pctx *c, struct qmb_jv *v, size_t off)
{
	char *end;
	long long ll;

	v->type = QMB_JNUM;
	/* strtod assumes the C locale's decimal point */
	v->dbl = strtod(v->num, &end);
	if (*end != '\0')
		return perr(c, off, "invalid number");
	if (isinf(v->dbl))
		return perr(c, off, "number out of range");
	if (strpbrk(v->num, ".eE") != NULL)
		return 0;
	errno = 0;
	ll = strtoll(v->num, &end, 10);
	if (errno == 0 && *end == '\0') {
		v->isint = 1;
		v->i64 = (int64_t)ll;
	}
	return 0;
}

/* Fill v from token k; *ap walks the arena, *nextp the kids blocks. */
static int
build_one(struct pctx *c, jsmntok_t *k, struct qmb_jv *v, size_t *ap,
    int *nextp)
{
	const char *s = c->arena + *ap;
	int lit;

	switch (k->type) {
	case JSMN_OBJECT:
	case JSMN_ARRAY:
		v->type = k->type == JSMN_OBJECT ? QMB_JOBJ : QMB_JARR;
		v->len = (size_t)k->size;
		v->kids = v->len > 0 ? c->nodes + *nextp : NULL;
		/* size becomes the index of the next kid */
		k->size = *nextp;
		*nextp += (int)v->len;
		return 0;
	case JSMN_STRING:
		v->type = QMB_JSTR;
		v->str = s;
		v->len = strlen(s);
		*ap += v->len + 1;
		return 0;
	default:
		lit = literal((const char *)c->t + k->start,
		    (size_t)(k->end - k->start));
		if (lit != -1) {
			v->type = (enum qmb_jtype)lit;
			return 0;
		}
		v->num = s;
		*ap += strlen(s) + 1;
		return build_num(c, v, (size_t)k->start);
	}
}

static int
build(struct pctx *c)
{
	const char *key = NULL;
	struct qmb_jv *v;
	size_t a = 0, koff = 0, idx;
	int i, next = 1;

	if ((c->nodes = calloc(c->nval, sizeof(*c->nodes))) == NULL)
		return nomem(c);
	if (c->nkey > 0 &&
	    (c->ents = allocn(c->nval, sizeof(*c->ents))) == NULL)
		return nomem(c);
	for (i = 0; i < c->ntok; i++) {
		jsmntok_t *k = &c->tok[i];

		if (k->parent == PAR_KEY) {
			key = c->arena + a;
			a += strlen(key) + 1;
			koff = (size_t)k->start - 1;
			continue;
		}
		idx = k->parent < 0 ? 0 : (size_t)c->tok[k->parent].size++;
		v = &c->nodes[idx];
		if (key != NULL) {
			v->key = key;
			c->ents[idx].key = key;
			c->ents[idx].off = koff;
			key = NULL;
		}
		if (build_one(c, k, v, &a, &next) == -1)
			return -1;
	}
	return 0;
}

/*
 * Reader step 5: duplicate keys.
 */

static int
kent_cmp(const void *a, const void *b)
{
	const struct kent *x = a, *y = b;
	int r;

	if ((r = strcmp(x->key, y->key)) != 0)
		return r;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Offset of the first repeated key among e[0..n), or SIZE_MAX. */
static size_t
dup_in(struct kent *e, size_t n)
{
	size_t i, best = SIZE_MAX;

	qsort(e, n, sizeof(*e), kent_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(e[i - 1].key, e[i].key) == 0 && e[i].off < best)
			best = e[i].off;
	return best;
}

static int
dupcheck(struct pctx *c)
{
	const struct qmb_jv *v;
	size_t i, off, best = SIZE_MAX;

	for (i = 0; i < c->nval; i++) {
		v = &c->nodes[i];
		if (v->type != QMB_JOBJ || v->len < 2)
			continue;
		off = dup_in(c->ents + (v->kids - c->nodes), v->len);
		if (off < best)
			best = off;
	}
	if (best != SIZE_MAX)
		return perr(c, best, "duplicate key");
	return 0;
}

int
qmb_json_parse(const char *text, size_t len, size_t max, int code,
    struct qmb_json_doc *doc, struct qmb_err *err)
{
	struct pctx c;
	int r;

	doc->root = NULL;
	doc->mem = doc->strs = NULL;
	memset(&c, 0, sizeof(c));
	c.t = (const unsigned char *)text;
	c.len = len;
	c.max = max ? max : QMB_JSON_MAX;
	c.code = code ? code : QMB_EXIT_USAGE;
	c.err = err;
	if (text == NULL)
		c.len = 0;
	r = prescan(&c);
	if (r == 0)
		r = tokenize(&c);
	if (r == 0)
		r = walk(&c);
	if (r == 0)
		r = build(&c);
	if (r == 0)
		r = dupcheck(&c);
	free(c.tok);
	free(c.ents);
	if (r == -1) {
		free(c.nodes);
		free(c.arena);
		return -1;
	}
	doc->root = c.nodes;
	doc->mem = c.nodes;
	doc->strs = c.arena;
	return 0;
}

void
qmb_json_free(struct qmb_json_doc *doc)
{
	if (doc == NULL)
		return;
	free(doc->mem);
	free(doc->strs);
	doc->root = NULL;
	doc->mem = doc->strs = NULL;
}

const struct qmb_jv *
qmb_json_get(const struct qmb_jv *v, const char *key)
{
	size_t i;

	if (v == NULL || key == NULL || v->type != QMB_JOBJ)
		return NULL;
	for (i = 0; i < v->len; i++)
		if (v->kids[i].key != NULL && strcmp(v->kids[i].key, key) == 0)
			return &v->kids[i];
	return NULL;
}

const char *
qmb_json_get_str(const struct qmb_jv *v, const char *key)
{
	const struct qmb_jv *m = qmb_json_get(v, key);

	return m != NULL && m->type == QMB_JSTR ? m->str : NULL;
}

int
qmb_json_get_int(const struct qmb_jv *v, const char *key, int64_t *out)
{
	const struct qmb_jv *m = qmb_json_get(v, key);

	if (m == NULL || m->type != QMB_JNUM || !m->isint)
		return -1;
	if (out != NULL)
		*out = m->i64;
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * The reader is built for speed on large logs.  Lines that cannot match
 * are found without looking at each line: the chunk is searched for the
 * needles of one filter (its value as a JSON string, "C", or one of the
 * levels); the line around each hit is a candidate.  A JSON string can
 * spell a value with escapes; the letters, digits, '_', '-', '.', '@',
 * spaces and non-ASCII characters of a value can only be escaped as
 * \uXXXX, so a line holding "\u" is a candidate too (any backslash when
 * the value holds '"', '\', '/' or a control character).
 *
 * A candidate is then checked by a quick scanner that validates the
 * common case (strings without escapes, plain numbers, shallow nesting)
 * and picks the top-level members the filter needs; anything it is not
 * sure about goes to the strict parser (qmb_json), which has the last
 * word on what is valid.  So the quick path only ever accepts lines the
 * strict parser accepts, and selects the same ones.
 */
#include <sys/stat.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_clock.h"
#include "qmb_log.h"
#include "qmb_logread.h"

#define CHUNK		(1u << 20)
#define NEEDLES		5	/* the four levels and an escape */
#define NEEDLE_MAX	160
#define QDEPTH		16	/* deeper lines go to the strict parser */
#define QKEYS		64	/* keys held for the duplicate check */

static const char *const levels[] = { "DEBUG", "INFO", "WARN", "ERROR" };

void
qmb_logfilter_init(struct qmb_logfilter *f)
{
	memset(f, 0, sizeof(*f));
	f->min_level = -1;
	f->since = INT64_MIN;
	f->until = INT64_MAX;
}

static int
filtering(const struct qmb_logfilter *f)
{
	return f->min_level > 0 || f->stage || f->component || f->action ||
	    f->session_id || f->since != INT64_MIN || f->until != INT64_MAX;
}

/* ---- needles ------------------------------------------------------ */

struct needles {
	int		 n;
	char		 pat[NEEDLES][NEEDLE_MAX + 2];
	size_t		 len[NEEDLES];
	size_t		 rare[NEEDLES];	/* the byte memchr looks for */
	size_t		 next[NEEDLES];	/* cached hit at or after pos */
	int		 valid[NEEDLES];
};

/* Can v only be escaped as \uXXXX? */
static int
plain(const char *v)
{
	for (; *v != '\0'; v++)
		if (*v == '"' || *v == '\\' || *v == '/' ||
		    (unsigned char)*v < 0x20)
			return 0;
	return 1;
}

/*
 * How common a byte is in a log line, roughly: JSON punctuation and
 * lowercase letters (in English order) are common, capitals and other
 * punctuation rare.  The rarest byte of a needle is the one searched;
 * needles_tune does better once some of the data has been read.
 */
static int
common(unsigned char c)
{
	static const char lower[] = "zqjxkvbpygfwmucldrhsnioate";
	const char *p;

	if (c >= 'a' && c <= 'z')
		return 40 + (int)((p = strchr(lower, c)) - lower);
	if (c >= '0' && c <= '9')
		return 60;
	if (strchr("\"\\:,{}_-. ", c) != NULL)
		return 80;
	return 10 + (c >= 'A' && c <= 'Z');
}

static void
set_rare(struct needles *nd, int i)
{
	size_t k, best = 0;

	for (k = 1; k < nd->len[i]; k++)
		if (common((unsigned char)nd->pat[i][k]) <
		    common((unsigned char)nd->pat[i][best]))
			best = k;
	nd->rare[i] = best;
}

/* Pick each needle's rarest byte by its frequency in a sample of the data. */
static void
needles_tune(struct needles *nd, const char *buf, size_t n)
{
	unsigned long hist[256] = { 0 };
	const unsigned char *p;
	size_t i, k, best;
	int j;

	for (i = 0; i < n && i < 65536; i++)
		hist[(unsigned char)buf[i]]++;
	for (j = 0; j < nd->n; j++) {
		p = (const unsigned char *)nd->pat[j];
		for (best = 0, k = 1; k < nd->len[j]; k++)
			if (hist[p[k]] < hist[p[best]])
				best = k;
		nd->rare[j] = best;
	}
}

static int
add_value(struct needles *nd, const char *v)
{
	size_t n = strlen(v);

	if (n > NEEDLE_MAX || nd->n >= NEEDLES - 1)
		return -1;
	nd->pat[nd->n][0] = '"';
	memcpy(nd->pat[nd->n] + 1, v, n);
	nd->pat[nd->n][n + 1] = '"';
	nd->len[nd->n] = n + 2;
	set_rare(nd, nd->n++);
	return 0;
}

/*
 * The needles of one string filter: a line can only match when it holds
 * one of them.  The filter with the longest shortest needle is chosen
 * (the session id last: every line of a session log holds it).
 * n is 0 when no string filter is usable: every line is a candidate.
 */
static void
needles_init(const struct qmb_logfilter *f, struct needles *nd)
{
	const char *vals[3] = { f->stage, f->component, f->action };
	const char *best = NULL;
	size_t blen = 0;
	int i, l;

	memset(nd, 0, sizeof(*nd));
	if (f->min_level > 0)	/* the shortest of the levels it admits */
		blen = strlen(levels[f->min_level == 3 ? 3 : 2]) + 2;
	for (i = 0; i < 3; i++)
		if (vals[i] != NULL && strlen(vals[i]) <= NEEDLE_MAX &&
		    strlen(vals[i]) + 2 > blen) {
			best = vals[i];
			blen = strlen(vals[i]) + 2;
		}
	if (best == NULL && f->min_level <= 0 && f->session_id != NULL &&
	    strlen(f->session_id) <= NEEDLE_MAX)
		best = f->session_id;
	if (best != NULL)
		add_value(nd, best);
	else if (f->min_level > 0)
		for (l = f->min_level; l < 4; l++)
			add_value(nd, levels[l]);
	else
		return;
	if (best == NULL || plain(best)) {
		memcpy(nd->pat[nd->n], "\\u", 3);
		nd->len[nd->n++] = 2;
	} else {
		memcpy(nd->pat[nd->n], "\\", 2);
		nd->len[nd->n++] = 1;
	}
	nd->rare[nd->n - 1] = 0;
}

/* The first match of needle i in buf[pos..n), or n. */
static size_t
find(const struct needles *nd, int i, const char *buf, size_t n, size_t pos)
{
	size_t len = nd->len[i], r = nd->rare[i];
	const char *p, *c = nd->pat[i];

	while (pos + len <= n) {
		if ((p = memchr(buf + pos + r, c[r], n - pos - len + 1)) == NULL)
			break;
		pos = (size_t)(p - buf) - r;
		if (memcmp(buf + pos, c, len) == 0)
			return pos;
		pos++;
	}
	return n;
}

/* The first candidate hit in buf[pos..n), or NULL. */
static const char *
needles_next(struct needles *nd, const char *buf, size_t n, size_t pos)
{
	size_t best = n;
	int i;

	for (i = 0; i < nd->n; i++) {
		if (!nd->valid[i] || nd->next[i] < pos) {
			nd->next[i] = find(nd, i, buf, n, pos);
			nd->valid[i] = 1;
		}
		if (nd->next[i] < best)
			best = nd->next[i];
	}
	return best < n ? buf + best : NULL;
}

/* ---- the quick scanner ---------------------------------------------- */

enum { K_LEVEL, K_STAGE, K_COMPONENT, K_ACTION, K_SESSION, K_TIME, K_N };
static const char *const keynames[K_N] = { "level", "stage", "component",
    "action", "session_id", "timestamp" };
static const size_t keylens[K_N] = { 5, 5, 9, 6, 10, 9 };

struct top {
	const char	*v[K_N];	/* string value, or NULL */
	size_t		 n[K_N];
};

/* Bytes that end the fast loop inside a string. */
static unsigned char stop[256];

static void
stop_init(void)
{
	int c;

	if (stop['"'])
		return;
	for (c = 0; c < 0x20; c++)
		stop[c] = 1;
	for (c = 0x80; c < 0x100; c++)
		stop[c] = 2;
	stop['"'] = 1;
	stop['\\'] = 1;
}

static const char *
ws(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

/* Does any of the 8 bytes at u stop the fast loop?  (SWAR tests.) */
static int
special8(const unsigned char *u)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	uint64_t x, q, b;

	memcpy(&x, u, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return (x & high) != 0 || ((x - ones * 0x20) & ~x & high) != 0 ||
	    ((q - ones) & ~q & high) != 0 || ((b - ones) & ~b & high) != 0;
}

/* A string without escapes at s (on its quote); NULL to fall back. */
static const char *
qstring(const char *s, const char *e, const char **v, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s + 1;
	const unsigned char *end = (const unsigned char *)e;
	int hi = 0;

	for (;;) {
		while (end - u >= 8 && !special8(u))
			u += 8;
		while (u < end && stop[*u] == 0)
			u++;
		if (u == end)
			return NULL;
		if (*u == '"')
			break;
		if (stop[*u] == 1)
			return NULL;
		hi = 1;
		u++;
	}
	*v = s + 1;
	*n = (size_t)((const char *)u - *v);
	if (hi && qmb_utf8_valid(*v, *n) == -1)
		return NULL;
	return (const char *)u + 1;
}

static int
isdigit_(char c)
{
	return c >= '0' && c <= '9';
}

/* A plain number (no exponent, not too long); NULL to fall back. */
static const char *
qnumber(const char *s, const char *e)
{
	const char *b = s;

	if (s < e && *s == '-')
		s++;
	if (s < e && *s == '0')
		s++;
	else if (s < e && *s >= '1' && *s <= '9')
		while (s < e && isdigit_(*s))
			s++;
	else
		return NULL;
	if (s < e && *s == '.') {
		if (++s == e || !isdigit_(*s))
			return NULL;
		while (s < e && isdigit_(*s))
			s++;
	}
	if (s < e && (*s == 'e' || *s == 'E'))
		return NULL;
	return s - b > 24 ? NULL : s;
}

/*
 * Validate line the quick way and find its top-level strings.  0 when
 * the line is a valid JSON object (the strict parser would agree), -1
 * when unsure.
 */
static int
quick_scan(const char *line, size_t len, struct top *t)
{
	enum { VALUE, AFTER, KEY } st = VALUE;
	const char *s = line, *e = line + len, *v;
	const char *kv[QKEYS];
	size_t kn[QKEYS], n;
	int kfirst[QDEPTH + 1];
	unsigned char isobj[QDEPTH + 1];
	int depth = 0, nk = 0, i, k = -1;

	memset(t, 0, sizeof(*t));
	s = ws(s, e);
	if (s == e || *s != '{')
		return -1;
	for (;;) {
		s = ws(s, e);
		if (st == AFTER && depth == 0)
			return s == e ? 0 : -1;
		if (s == e)
			return -1;
		if (st == AFTER) {
			if (*s == ',') {
				st = isobj[depth] ? KEY : VALUE;
			} else if (*s == (isobj[depth] ? '}' : ']')) {
				nk = kfirst[depth--];
			} else {
				return -1;
			}
			s++;
			continue;
		}
		if (st == KEY) {
			if (*s != '"' || (s = qstring(s, e, &v, &n)) == NULL ||
			    nk == QKEYS)
				return -1;
			for (i = kfirst[depth]; i < nk; i++)
				if (kn[i] == n && memcmp(kv[i], v, n) == 0)
					return -1;	/* the parser says why */
			kv[nk] = v;
			kn[nk++] = n;
			for (k = -1, i = 0; depth == 1 && i < K_N; i++)
				if (keylens[i] == n &&
				    memcmp(keynames[i], v, n) == 0)
					k = i;
			if ((s = ws(s, e)) == e || *s != ':')
				return -1;
			s++;
			st = VALUE;
			continue;
		}
		st = AFTER;
		switch (*s) {
		case '"':
			if ((s = qstring(s, e, &v, &n)) == NULL)
				return -1;
			if (depth == 1 && k >= 0) {
				t->v[k] = v;
				t->n[k] = n;
			}
			break;
		case '{':
		case '[':
			if (depth == QDEPTH)
				return -1;
			isobj[++depth] = *s == '{';
			kfirst[depth] = nk;
			s = ws(s + 1, e);
			if (s < e && *s == (isobj[depth] ? '}' : ']')) {
				s++;
				depth--;
			} else {
				st = isobj[depth] ? KEY : VALUE;
			}
			break;
		case 't':
			if (e - s < 4 || memcmp(s, "true", 4) != 0)
				return -1;
			s += 4;
			break;
		case 'f':
			if (e - s < 5 || memcmp(s, "false", 5) != 0)
				return -1;
			s += 5;
			break;
		case 'n':
			if (e - s < 4 || memcmp(s, "null", 4) != 0)
				return -1;
			s += 4;
			break;
		default:
			if ((s = qnumber(s, e)) == NULL)
				return -1;
			break;
		}
	}
}

static int
span_is(const struct top *t, int k, const char *want)
{
	return t->v[k] != NULL && strlen(want) == t->n[k] &&
	    memcmp(t->v[k], want, t->n[k]) == 0;
}

/* The filter on a quickly scanned line: 1, 0, or -2 to fall back. */
static int
quick_match(const struct qmb_logfilter *f, const char *line, size_t len)
{
	struct top t;
	char ts[64];
	int64_t ms;
	int l, any;

	if (quick_scan(line, len, &t) == -1)
		return -2;
	if (f->min_level > 0) {
		for (any = 0, l = f->min_level; l < 4 && !any; l++)
			any = span_is(&t, K_LEVEL, levels[l]);
		if (!any)
			return 0;
	}
	if ((f->stage && !span_is(&t, K_STAGE, f->stage)) ||
	    (f->component && !span_is(&t, K_COMPONENT, f->component)) ||
	    (f->action && !span_is(&t, K_ACTION, f->action)) ||
	    (f->session_id && !span_is(&t, K_SESSION, f->session_id)))
		return 0;
	if (f->since != INT64_MIN || f->until != INT64_MAX) {
		if (t.v[K_TIME] == NULL)
			return 0;
		if (t.n[K_TIME] >= sizeof(ts))
			return -2;
		memcpy(ts, t.v[K_TIME], t.n[K_TIME]);
		ts[t.n[K_TIME]] = '\0';
		if (qmb_time_parse(ts, &ms) == -1 || ms < f->since ||
		    ms > f->until)
			return 0;
	}
	return 1;
}

/* ---- the strict path ------------------------------------------------ */

static int
str_is(const struct qmb_jv *o, const char *k, const char *want)
{
	const char *v = qmb_json_get_str(o, k);

	return v != NULL && strcmp(v, want) == 0;
}

int
qmb_logfilter_match(const struct qmb_logfilter *f, const char *line,
    size_t len, struct qmb_json_doc *doc, const char **why)
{
	static struct qmb_err e;
	const char *lv, *ts;
	int64_t t;
	int l;

	if (len > QMB_LOGREAD_LINE_MAX) {
		*why = "line too long";
		return -1;
	}
	if (qmb_json_parse(line, len, QMB_LOGREAD_LINE_MAX, QMB_EXIT_CORRUPT,
	    doc, &e) == -1) {
		*why = e.msg;
		return -1;
	}
	if (doc->root->type != QMB_JOBJ) {
		*why = "not a JSON object";
		return -1;
	}
	if (f->min_level > 0 && ((lv = qmb_json_get_str(doc->root, "level")) ==
	    NULL || (l = qmb_level_parse(lv)) < f->min_level ||
	    strcmp(lv, levels[l]) != 0))
		return 0;
	if ((f->stage && !str_is(doc->root, "stage", f->stage)) ||
	    (f->component && !str_is(doc->root, "component", f->component)) ||
	    (f->action && !str_is(doc->root, "action", f->action)) ||
	    (f->session_id && !str_is(doc->root, "session_id", f->session_id)))
		return 0;
	if (f->since != INT64_MIN || f->until != INT64_MAX) {
		if ((ts = qmb_json_get_str(doc->root, "timestamp")) == NULL ||
		    qmb_time_parse(ts, &t) == -1)
			return 0;
		if (t < f->since || t > f->until)
			return 0;
	}
	return 1;
}

/* Only blanks: jq skips such a line, and so do we. */
static int
blank(const char *line, size_t len)
{
	return ws(line, line + len) == line + len;
}

/*
 * Test one candidate line: 1 selected, 0 not, -1 bad (why says so).
 * doc gets the parsed line when the strict parser ran.
 */
static int
test_line(struct qmb_logscan *s, const char *line, size_t len,
    struct qmb_json_doc *doc, const char **why)
{
	int m;

	if (!s->validate && !filtering(s->f))
		return 1;
	if (len <= QMB_LOGREAD_LINE_MAX &&
	    (m = quick_match(s->f, line, len)) != -2)
		return m;
	if (blank(line, len))
		return 0;
	return qmb_logfilter_match(s->f, line, len, doc, why);
}

/* ---- forwards ------------------------------------------------------- */

/* Line numbers, counted only when a bad line is reported. */
static struct {
	dev_t		 dev;
	ino_t		 ino;
	off_t		 off;
	unsigned long	 lines;
} lcache;

/* The 1-based number of the line at offset off of fd, or 0. */
static unsigned long
line_number(int fd, off_t off)
{
	char buf[65536];
	struct stat st;
	ssize_t r, i;
	off_t pos;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		return 0;
	if (st.st_dev != lcache.dev || st.st_ino != lcache.ino ||
	    off < lcache.off) {
		lcache.dev = st.st_dev;
		lcache.ino = st.st_ino;
		lcache.off = 0;
		lcache.lines = 0;
	}
	for (pos = lcache.off; pos < off; pos += r) {
		r = pread(fd, buf, (size_t)(off - pos) < sizeof(buf) ?
		    (size_t)(off - pos) : sizeof(buf), pos);
		if (r <= 0)
			return 0;
		for (i = 0; i < r; i++)
			lcache.lines += buf[i] == '\n';
	}
	lcache.off = off;
	return lcache.lines + 1;
}

struct fwd {
	struct qmb_logscan	*s;
	const char		*label;
	int			 fd;
	off_t			 base;	/* file offset of buf[0] */
};

/* One complete line at buf offset at: filter it and hand it on. */
static int
one_line(struct fwd *w, const char *buf, size_t at, size_t len)
{
	struct qmb_logscan *s = w->s;
	struct qmb_json_doc doc = { 0 };
	const char *why = NULL;
	int m, rc = 0;

	s->nlines++;
	if (len == 0)
		return 0;
	m = test_line(s, buf + at, len, &doc, &why);
	if (m == -1) {
		s->nbad++;
		if (s->bad)
			s->bad(s->arg, w->label, line_number(w->fd,
			    w->base + (off_t)at), why);
	} else if (m == 1) {
		s->nselected++;
		rc = s->line(s->arg, buf + at, len, doc.root);
	}
	qmb_json_free(&doc);
	return rc;
}

/*
 * The complete lines of buf[pos..n) (n just past a newline).  *used gets
 * the offset up to which lines were taken; -1 when the callback asked to
 * stop.
 */
static int
scan_lines(struct fwd *w, struct needles *nd, const char *buf, size_t pos,
    size_t n, size_t *used)
{
	const char *nl, *hit, *ls;
	int i;

	for (i = 0; i < NEEDLES; i++)
		nd->valid[i] = 0;
	while (pos < n) {
		if (nd->n > 0) {
			if ((hit = needles_next(nd, buf, n, pos)) == NULL)
				break;
			ls = memrchr(buf + pos, '\n', (size_t)(hit - buf) - pos);
			pos = ls ? (size_t)(ls - buf) + 1 : pos;
			nl = memchr(hit, '\n', n - (size_t)(hit - buf));
		} else {
			nl = memchr(buf + pos, '\n', n - pos);
		}
		if (one_line(w, buf, pos, (size_t)(nl - buf) - pos) == -1) {
			*used = (size_t)(nl - buf) + 1;
			return -1;
		}
		pos = (size_t)(nl - buf) + 1;
	}
	*used = n;
	return 0;
}

int
qmb_logscan_fd(struct qmb_logscan *s, int fd, const char *label, int final,
    uint64_t *consumed, struct qmb_err *err)
{
	struct needles nd;
	struct fwd w = { s, label, fd, 0 };
	char *buf, *nl;
	size_t have = 0, used, skip = 0, cap = CHUNK + QMB_LOGREAD_LINE_MAX;
	ssize_t r;
	int tuned = 0;

	stop_init();
	*consumed = 0;
	if ((w.base = lseek(fd, 0, SEEK_CUR)) == -1)
		w.base = 0;
	needles_init(s->f, &nd);
	if ((buf = malloc(cap)) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	for (;;) {
		r = read(fd, buf + have, cap - have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			free(buf);
			return qmb_errsys(err, QMB_EXIT_IO, "read '%s'", label);
		}
		if (!tuned && r > 0) {
			needles_tune(&nd, buf + have, (size_t)r);
			tuned = 1;
		}
		have += (size_t)r;
		used = 0;
		if (skip && (nl = memchr(buf, '\n', have)) != NULL) {
			skip = 0;	/* the end of an overlong line */
			used = (size_t)(nl - buf) + 1;
		}
		if (!skip && (nl = memrchr(buf + used, '\n', have - used)) != NULL &&
		    scan_lines(&w, &nd, buf, used, (size_t)(nl - buf) + 1,
		    &used) == -1) {
			s->stopped = 1;
			*consumed += used;
			free(buf);
			return 0;
		}
		if (skip)
			used = have;
		*consumed += used;
		w.base += (off_t)used;
		memmove(buf, buf + used, have - used);
		have -= used;
		if (have == cap) {
			/* an overlong line: report it, drop what we have */
			s->nlines++;
			s->nbad++;
			if (s->bad)
				s->bad(s->arg, label, line_number(fd, w.base),
				    "line too long");
			*consumed += have;
			w.base += (off_t)have;
			have = 0;
			skip = 1;
			continue;
		}
		if (r == 0)
			break;
	}
	if (have > 0 && final && !skip) {
		if (one_line(&w, buf, 0, have) == -1)
			s->stopped = 1;
		*consumed += have;
	}
	free(buf);
	return 0;
}

/* ---- backwards ------------------------------------------------------ */

void
qmb_lines_free(struct qmb_lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->len);
	memset(l, 0, sizeof(*l));
}

static int
keep(struct qmb_lines *out, const char *line, size_t len)
{
	char **v;
	size_t *ln;

	if ((v = realloc(out->v, (out->n + 1) * sizeof(*v))) == NULL)
		return -1;
	out->v = v;
	if ((ln = realloc(out->len, (out->n + 1) * sizeof(*ln))) == NULL)
		return -1;
	out->len = ln;
	if ((out->v[out->n] = malloc(len + 1)) == NULL)
		return -1;
	memcpy(out->v[out->n], line, len);
	out->v[out->n][len] = '\0';
	out->len[out->n++] = len;
	return 0;
}

/* Test one line found backwards; keep it when it matches. */
static int
tail_line(struct qmb_logscan *s, const struct needles *nd, const char *label,
    const char *line, size_t len, struct qmb_lines *out)
{
	struct qmb_json_doc doc = { 0 };
	const char *why = NULL;
	int i, m;

	if (len == 0)
		return 0;
	for (i = 0; i < nd->n; i++)
		if (memmem(line, len, nd->pat[i], nd->len[i]) != NULL)
			break;
	if (nd->n > 0 && i == nd->n)
		return 0;
	m = test_line(s, line, len, &doc, &why);
	qmb_json_free(&doc);
	if (m == -1) {
		s->nbad++;
		if (s->bad)
			s->bad(s->arg, label, 0, why);
		return 0;
	}
	if (m == 1) {
		s->nselected++;
		return keep(out, line, len);
	}
	return 0;
}

int
qmb_logscan_tail(struct qmb_logscan *s, int fd, const char *label,
    size_t want, struct qmb_lines *out, struct qmb_err *err)
{
	size_t cap = CHUNK + QMB_LOGREAD_LINE_MAX, have = 0, n;
	int first = 1, drop = 0, rc = 0;
	struct needles nd;
	struct stat st;
	char *buf, *k;
	off_t pos;

	stop_init();
	needles_init(s->f, &nd);
	if (fstat(fd, &st) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "stat '%s'", label);
	if ((buf = malloc(cap)) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	/* buf[0..have) is the file just before what was already taken; its
	 * last line ends at have (its newline excluded) */
	for (pos = st.st_size; out->n < want && rc == 0;) {
		if (!drop && (k = memrchr(buf, '\n', have)) != NULL) {
			rc = tail_line(s, &nd, label, k + 1,
			    have - (size_t)(k - buf) - 1, out);
			have = (size_t)(k - buf);
			continue;
		}
		if (pos == 0) {
			if (have > 0 && !drop)
				rc = tail_line(s, &nd, label, buf, have, out);
			break;
		}
		n = pos > (off_t)CHUNK ? CHUNK : (size_t)pos;
		if (have + n > cap) {
			s->nbad++;
			if (s->bad)
				s->bad(s->arg, label, 0, "line too long");
			have = 0;
			drop = 1;
		}
		memmove(buf + n, buf, have);
		if (pread(fd, buf, n, pos - (off_t)n) != (ssize_t)n) {
			free(buf);
			return qmb_errsys(err, QMB_EXIT_IO, "read '%s'", label);
		}
		pos -= (off_t)n;
		have += n;
		if (first && buf[have - 1] == '\n')
			have--;
		first = 0;
		if (drop && (k = memrchr(buf, '\n', have)) != NULL) {
			have = (size_t)(k - buf);
			drop = 0;
		} else if (drop) {
			have = 0;
		}
	}
	free(buf);
	if (rc == -1)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	return 0;
}

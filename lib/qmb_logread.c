/* SPDX-License-Identifier: MIT */
#include <sys/stat.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_clock.h"
#include "qmb_log.h"
#include "qmb_logread.h"

#define CHUNK (1u << 20)

static const char *const levels[] = { "DEBUG", "INFO", "WARN", "ERROR" };

void
qmb_logfilter_init(struct qmb_logfilter *f)
{
	memset(f, 0, sizeof(*f));
	f->min_level = -1;
	f->since = INT64_MIN;
	f->until = INT64_MAX;
}

/* Could the line hold "v" as a JSON string?  Escapes could spell it. */
static int
may_hold(const char *line, size_t len, const char *v)
{
	char needle[160];
	size_t n = strlen(v);

	if (n + 2 > sizeof(needle) || strpbrk(v, "\"\\") != NULL)
		return 1;
	needle[0] = '"';
	memcpy(needle + 1, v, n);
	needle[n + 1] = '"';
	return memmem(line, len, needle, n + 2) != NULL ||
	    memchr(line, '\\', len) != NULL;
}

static int
may_match(const struct qmb_logfilter *f, const char *line, size_t len)
{
	int l, any;

	if (f->stage && !may_hold(line, len, f->stage))
		return 0;
	if (f->component && !may_hold(line, len, f->component))
		return 0;
	if (f->action && !may_hold(line, len, f->action))
		return 0;
	if (f->session_id && !may_hold(line, len, f->session_id))
		return 0;
	if (f->min_level > 0) {
		for (any = 0, l = f->min_level; l < 4 && !any; l++)
			any = may_hold(line, len, levels[l]);
		if (!any)
			return 0;
	}
	return 1;
}

static int
filtering(const struct qmb_logfilter *f)
{
	return f->min_level > 0 || f->stage || f->component || f->action ||
	    f->session_id || f->since != INT64_MIN || f->until != INT64_MAX;
}

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

/* One complete line: filter it and hand it on. */
static int
one_line(struct qmb_logscan *s, const char *label, const char *line,
    size_t len)
{
	struct qmb_json_doc doc = { 0 };
	const char *why = NULL;
	int m, rc = 0;

	s->nlines++;
	if (len == 0)
		return 0;
	if (!s->validate && !filtering(s->f)) {
		s->nselected++;
		return s->line(s->arg, line, len, NULL);
	}
	if (!may_match(s->f, line, len) && !s->validate)
		return 0;
	m = qmb_logfilter_match(s->f, line, len, &doc, &why);
	if (m == -1) {
		s->nbad++;
		if (s->bad)
			s->bad(s->arg, label, s->nlines, why);
	} else if (m == 1) {
		s->nselected++;
		rc = s->line(s->arg, line, len, doc.root);
	}
	qmb_json_free(&doc);
	return rc;
}

int
qmb_logscan_fd(struct qmb_logscan *s, int fd, const char *label, int final,
    uint64_t *consumed, struct qmb_err *err)
{
	char *buf;
	size_t have = 0, start, skip = 0;
	ssize_t r;
	char *nl;

	*consumed = 0;
	if ((buf = malloc(CHUNK + QMB_LOGREAD_LINE_MAX)) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	for (;;) {
		r = read(fd, buf + have, CHUNK + QMB_LOGREAD_LINE_MAX - have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			free(buf);
			return qmb_errsys(err, QMB_EXIT_IO, "read '%s'", label);
		}
		have += (size_t)r;
		for (start = 0; start < have; start = (size_t)(nl - buf) + 1) {
			if ((nl = memchr(buf + start, '\n', have - start)) == NULL)
				break;
			if (skip) {
				skip = 0;
			} else if (one_line(s, label, buf + start,
			    (size_t)(nl - buf) - start) == -1) {
				s->stopped = 1;
				*consumed += (size_t)(nl - buf) + 1;
				free(buf);
				return 0;
			}
		}
		*consumed += start;
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have == CHUNK + QMB_LOGREAD_LINE_MAX) {
			/* an overlong line: report it, drop what we have */
			s->nlines++;
			s->nbad++;
			if (s->bad && !skip)
				s->bad(s->arg, label, s->nlines, "line too long");
			*consumed += have;
			have = 0;
			skip = 1;
			continue;
		}
		if (r == 0)
			break;
	}
	if (have > 0 && final && !skip) {
		if (one_line(s, label, buf, have) == -1)
			s->stopped = 1;
		*consumed += have;
	}
	free(buf);
	return 0;
}

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
tail_line(struct qmb_logscan *s, const char *label, const char *line,
    size_t len, struct qmb_lines *out)
{
	struct qmb_json_doc doc = { 0 };
	const char *why = NULL;
	int m;

	if (len == 0)
		return 0;
	if (!s->validate && !filtering(s->f))
		m = 1;
	else if (!may_match(s->f, line, len) && !s->validate)
		m = 0;
	else
		m = qmb_logfilter_match(s->f, line, len, &doc, &why);
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
	struct stat st;
	char *buf, *k;
	off_t pos;

	if (fstat(fd, &st) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "stat '%s'", label);
	if ((buf = malloc(cap)) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	/* buf[0..have) is the file just before what was already taken; its
	 * last line ends at have (its newline excluded) */
	for (pos = st.st_size; out->n < want && rc == 0;) {
		if (!drop && (k = memrchr(buf, '\n', have)) != NULL) {
			rc = tail_line(s, label, k + 1, have - (size_t)(k - buf) - 1,
			    out);
			have = (size_t)(k - buf);
			continue;
		}
		if (pos == 0) {
			if (have > 0 && !drop)
				rc = tail_line(s, label, buf, have, out);
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

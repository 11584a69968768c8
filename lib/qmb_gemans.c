/* SPDX-License-Identifier: MIT */
/*
 * Reading Gemini's answers.  Invariant: a result's msg always says what
 * happened in one line, quoting at most MSG_TEXT bytes of server text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "qmb_gemans.h"
#include "qmb_json.h"

#define MSG_TEXT	200	/* bytes of server text quoted in a message */

void
qmb_gem_result_init(struct qmb_gem_result *r)
{
	memset(r, 0, sizeof(*r));
	qmb_buf_init(&r->text, QMB_GEM_MAX_ANSWER);
	r->in_count = r->out_count = r->all_count = -1;
}

void
qmb_gem_result_free(struct qmb_gem_result *r)
{
	qmb_buf_free(&r->text);
}

int
qmb_gem_duration_ms(const char *s, long *ms)
{
	long sec = 0, ns = 0, scale = 100000000;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 9)
			return -1;
		sec = sec * 10 + (*s - '0');
	}
	if (digits == 0)
		return -1;
	if (*s == '.') {
		for (s++, digits = 0; *s >= '0' && *s <= '9'; s++, digits++)
			if (digits < 9) {
				ns += (*s - '0') * scale;
				scale /= 10;
			}
		if (digits == 0)
			return -1;
	}
	if (s[0] != 's' || s[1] != '\0')
		return -1;
	*ms = sec * 1000 + (ns + 999999) / 1000000;
	return 0;
}

/* Copy server text into a message: one line, printable, bounded. */
static void
quote(char *out, size_t size, const char *s)
{
	size_t i, n = 0;

	for (i = 0; s != NULL && s[i] != '\0' && n + 1 < size && i < MSG_TEXT;
	    i++)
		out[n++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' :
		    s[i];
	if (s != NULL && s[i] != '\0' && n + 4 < size) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	/* do not end in the middle of a UTF-8 sequence */
	if (qmb_utf8_valid(out, n) == -1)
		while (n > 0 && ((unsigned char)out[n - 1] & 0x80)) {
			out[--n] = '\0';
			if (qmb_utf8_valid(out, n) == 0)
				break;
		}
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

struct envelope {
	const char	*status;
	const char	*message;
	const char	*reason;	/* ErrorInfo */
	const char	*quota;		/* QuotaFailure quotaId */
	const char	*field;		/* BadRequest field */
	long		 delay_ms;	/* RetryInfo, -1 when none */
	int		 daily;
};

static void
read_details(const struct qmb_jv *d, struct envelope *e)
{
	const struct qmb_jv *v, *x;
	const char *type, *q;
	size_t i, j;

	for (i = 0; d != NULL && d->type == QMB_JARR && i < d->len; i++) {
		x = &d->kids[i];
		if ((type = qmb_json_get_str(x, "@type")) == NULL)
			continue;
		if (ends_with(type, "google.rpc.ErrorInfo"))
			e->reason = qmb_json_get_str(x, "reason");
		else if (ends_with(type, "google.rpc.RetryInfo") &&
		    (q = qmb_json_get_str(x, "retryDelay")) != NULL)
			qmb_gem_duration_ms(q, &e->delay_ms);
		else if (ends_with(type, "google.rpc.QuotaFailure") &&
		    (v = qmb_json_get(x, "violations")) != NULL &&
		    v->type == QMB_JARR)
			for (j = 0; j < v->len; j++) {
				if ((q = qmb_json_get_str(&v->kids[j],
				    "quotaId")) == NULL)
					continue;
				if (e->quota == NULL || !e->daily)
					e->quota = q;
				if (strstr(q, "PerDay") != NULL ||
				    strstr(q, "Daily") != NULL)
					e->daily = 1;
			}
		else if (ends_with(type, "google.rpc.BadRequest") &&
		    (v = qmb_json_get(x, "fieldViolations")) != NULL &&
		    v->type == QMB_JARR && v->len > 0)
			e->field = qmb_json_get_str(&v->kids[0], "field");
	}
}

static enum qmb_gem_class
set(struct qmb_gem_result *r, enum qmb_gem_class cls, int retryable)
{
	r->cls = cls;
	r->retryable = retryable;
	return cls;
}

static enum qmb_gem_class
parse_error(long http, const char *body, size_t len, long ra_s, long max_ms,
    struct qmb_gem_result *r)
{
	struct qmb_json_doc doc = { 0 };
	struct envelope e = { NULL, NULL, NULL, NULL, NULL, -1, 0 };
	const struct qmb_jv *root = NULL, *err = NULL;
	char what[MSG_TEXT + 8], fld[80];
	long hint = 0;
	enum qmb_gem_class cls;
	int retry = 0;

	if (len > 0 && qmb_json_parse(body, len, QMB_GEM_MAX_ANSWER,
	    QMB_EXIT_REMOTE, &doc, NULL) == 0) {
		root = doc.root;
		if (root->type == QMB_JARR && root->len == 1)
			root = &root->kids[0];
		if ((err = qmb_json_get(root, "error")) != NULL &&
		    err->type == QMB_JOBJ) {
			e.status = qmb_json_get_str(err, "status");
			e.message = qmb_json_get_str(err, "message");
			read_details(qmb_json_get(err, "details"), &e);
		}
	}
	quote(what, sizeof(what), e.message);
	fld[0] = '\0';
	if (e.field != NULL)
		snprintf(fld, sizeof(fld), " [field %.60s]", e.field);
	if (err == NULL)
		snprintf(r->msg, sizeof(r->msg), "HTTP %ld with %s body", http,
		    len == 0 ? "an empty" : "a non-JSON");
	else
		snprintf(r->msg, sizeof(r->msg), "HTTP %ld%s%s: %s%s%s%s%s", http,
		    e.status ? " " : "", e.status ? e.status : "", what,
		    e.reason ? " (" : "", e.reason ? e.reason : "",
		    e.reason ? ")" : "", fld);
	if (http == 429 || http == 503) {
		hint = e.delay_ms >= 0 ? e.delay_ms :
		    ra_s > 0 ? ra_s * 1000 : 0;
		r->hint_ms = hint;
	}
	if (http == 400)
		cls = (e.reason != NULL && strcmp(e.reason, "API_KEY_INVALID") == 0) ||
		    (e.message != NULL && strstr(e.message, "API key") != NULL) ?
		    QMB_GEM_AUTH : QMB_GEM_REQUEST;
	else if (http == 401 || http == 403)
		cls = QMB_GEM_AUTH;
	else if (http == 404)
		cls = QMB_GEM_NOTFOUND;
	else if (http == 429) {
		cls = QMB_GEM_RATE;
		retry = !e.daily && hint <= max_ms;
		if (e.daily)
			snprintf(r->msg, sizeof(r->msg),
			    "HTTP 429: daily quota %.100s exhausted: retry after %lds",
			    e.quota, (hint + 999) / 1000);
		else if (!retry)
			snprintf(r->msg, sizeof(r->msg),
			    "HTTP 429: rate limited: retry after %lds",
			    (hint + 999) / 1000);
	} else if (http == 408 || http == 500 || http == 502 || http == 504) {
		cls = QMB_GEM_SERVER;
		retry = 1;
	} else if (http == 503) {
		cls = QMB_GEM_SERVER;
		retry = hint <= max_ms;
	} else if (http >= 500)
		cls = QMB_GEM_SERVER;
	else if (http >= 300 && http < 400) {
		cls = QMB_GEM_REQUEST;
		snprintf(r->msg, sizeof(r->msg),
		    "HTTP %ld: a redirect, which is never followed (check the URL)",
		    http);
	} else if (http >= 400)
		cls = QMB_GEM_REQUEST;
	else
		cls = QMB_GEM_INVALID;
	qmb_json_free(&doc);
	return set(r, cls, retry);
}

static int
blocked_reason(const char *fr)
{
	static const char *const words[] = {
		"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED", "SPII"
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(fr, words[i]) != NULL)
			return 1;
	return 0;
}

static void
read_usage(const struct qmb_jv *root, struct qmb_gem_result *r)
{
	const struct qmb_jv *u = qmb_json_get(root, "usageMetadata");
	const char *mv = qmb_json_get_str(root, "modelVersion");

	if (mv != NULL)
		quote(r->model_version, sizeof(r->model_version), mv);
	qmb_json_get_int(u, "promptTokenCount", &r->in_count);
	qmb_json_get_int(u, "candidatesTokenCount", &r->out_count);
	qmb_json_get_int(u, "totalTokenCount", &r->all_count);
}

/* Concatenate the text parts of a candidate, thoughts skipped. */
static void
collect_text(const struct qmb_jv *cand, struct qmb_buf *b)
{
	const struct qmb_jv *parts, *p, *t;
	size_t i;

	parts = qmb_json_get(qmb_json_get(cand, "content"), "parts");
	for (i = 0; parts != NULL && parts->type == QMB_JARR && i < parts->len;
	    i++) {
		p = &parts->kids[i];
		if ((t = qmb_json_get(p, "thought")) != NULL &&
		    t->type == QMB_JTRUE)
			continue;
		if ((t = qmb_json_get(p, "text")) != NULL && t->type == QMB_JSTR)
			qmb_buf_add(b, t->str, t->len);
	}
}

static enum qmb_gem_class
parse_ok(const char *body, size_t len, int ping, struct qmb_gem_result *r)
{
	struct qmb_json_doc doc = { 0 };
	const struct qmb_jv *c, *cand;
	const char *fr, *block;
	char head[64];
	enum qmb_gem_class cls = QMB_GEM_INVALID;

	if (qmb_json_parse(body, len, QMB_GEM_MAX_ANSWER, QMB_EXIT_REMOTE, &doc,
	    NULL) == -1 || doc.root->type != QMB_JOBJ) {
		snprintf(r->msg, sizeof(r->msg),
		    "Gemini's answer (HTTP 200) is not a JSON object");
		goto out;
	}
	read_usage(doc.root, r);
	if (ping) {
		cls = QMB_GEM_OK;
		goto out;
	}
	c = qmb_json_get(doc.root, "candidates");
	if (c == NULL || c->type != QMB_JARR || c->len == 0) {
		block = qmb_json_get_str(qmb_json_get(doc.root,
		    "promptFeedback"), "blockReason");
		if (block != NULL) {
			cls = QMB_GEM_BLOCKED;
			snprintf(r->msg, sizeof(r->msg),
			    "Gemini blocked the prompt (blockReason %.40s)", block);
		} else
			snprintf(r->msg, sizeof(r->msg),
			    "Gemini's answer has no candidates");
		goto out;
	}
	cand = &c->kids[0];
	if ((fr = qmb_json_get_str(cand, "finishReason")) != NULL)
		quote(r->finish, sizeof(r->finish), fr);
	collect_text(cand, &r->text);
	if (r->text.error) {
		snprintf(r->msg, sizeof(r->msg), "Gemini's answer is too large");
		goto out;
	}
	if (fr != NULL && strcmp(fr, "STOP") != 0) {
		if (strcmp(fr, "MAX_TOKENS") == 0) {
			cls = QMB_GEM_TRUNCATED;
			snprintf(r->msg, sizeof(r->msg),
			    "Gemini's answer was cut short (finishReason MAX_TOKENS, %zu bytes of text)",
			    r->text.len);
		} else if (blocked_reason(fr)) {
			cls = QMB_GEM_BLOCKED;
			snprintf(r->msg, sizeof(r->msg),
			    "Gemini blocked its answer (finishReason %s)", r->finish);
		} else
			snprintf(r->msg, sizeof(r->msg),
			    "Gemini stopped without an answer (finishReason %s)",
			    r->finish);
		goto out;
	}
	if (r->text.len == 0) {
		snprintf(r->msg, sizeof(r->msg), "Gemini's answer has no text");
		goto out;
	}
	if (qmb_gem_json_span(r->text.data, r->text.len, &r->json_off,
	    &r->json_len) == -1) {
		quote(head, 48, r->text.data);
		snprintf(r->msg, sizeof(r->msg),
		    "Gemini's answer holds no JSON review (it begins \"%s\")", head);
		goto out;
	}
	cls = QMB_GEM_OK;
out:
	qmb_json_free(&doc);
	return set(r, cls, 0);
}

enum qmb_gem_class
qmb_gem_parse(long http, const char *body, size_t len, long retry_after_s,
    int ping, long max_ms, struct qmb_gem_result *r)
{
	qmb_buf_reset(&r->text);
	r->msg[0] = r->finish[0] = '\0';
	r->hint_ms = 0;
	r->json_off = r->json_len = 0;
	r->http = http;
	if (body == NULL)
		body = "";
	if (http == 200)
		return parse_ok(body, len, ping, r);
	return parse_error(http, body, len, retry_after_s,
	    max_ms > 0 ? max_ms : QMB_GEM_MAX_MS, r);
}

static int
is_object(const char *s, size_t n)
{
	struct qmb_json_doc doc = { 0 };
	int ok;

	if (n < 2 || s[0] != '{')
		return 0;
	ok = qmb_json_parse(s, n, QMB_GEM_MAX_ANSWER, QMB_EXIT_REMOTE, &doc,
	    NULL) == 0 && doc.root->type == QMB_JOBJ;
	qmb_json_free(&doc);
	return ok;
}

static void
trim(const char *t, size_t *a, size_t *b)
{
	while (*a < *b && strchr(" \t\r\n", t[*a]) != NULL)
		(*a)++;
	while (*b > *a && strchr(" \t\r\n", t[*b - 1]) != NULL)
		(*b)--;
}

static const char *
find(const char *t, size_t len, size_t from, const char *what)
{
	size_t n = strlen(what), i;

	for (i = from; i + n <= len; i++)
		if (memcmp(t + i, what, n) == 0)
			return t + i;
	return NULL;
}

int
qmb_gem_json_span(const char *t, size_t len, size_t *off, size_t *n)
{
	const char *f, *g, *nl;
	size_t a = 0, b = len, i;

	trim(t, &a, &b);
	if (is_object(t + a, b - a))
		goto found;
	/* one ``` fence, with or without a language tag */
	if ((f = find(t, len, 0, "```")) != NULL &&
	    (nl = memchr(f, '\n', len - (size_t)(f - t))) != NULL &&
	    (g = find(t, len, (size_t)(nl - t), "```")) != NULL) {
		a = (size_t)(nl + 1 - t);
		b = (size_t)(g - t);
		trim(t, &a, &b);
		if (is_object(t + a, b - a))
			goto found;
	}
	/* an object in prose: the first '{' to the last '}' */
	for (a = 0; a < len && t[a] != '{'; a++)
		;
	for (i = len; i > a && t[i - 1] != '}'; i--)
		;
	b = i;
	if (a < b && is_object(t + a, b - a))
		goto found;
	return -1;
found:
	*off = a;
	*n = b - a;
	return 0;
}

static void
redact_buf(struct qmb_buf *b, const char *key)
{
	static const char mark[] = "[REDACTED]";
	struct qmb_buf o;
	const char *p, *q;

	/* a key of a few letters would cut words of the review apart; real
	 * keys are tens of characters long */
	if (b->data == NULL || strlen(key) < 8 || strstr(b->data, key) == NULL)
		return;
	qmb_buf_init(&o, b->max);
	for (p = b->data; (q = strstr(p, key)) != NULL; p = q + strlen(key)) {
		qmb_buf_add(&o, p, (size_t)(q - p));
		qmb_buf_adds(&o, mark);
	}
	qmb_buf_adds(&o, p);
	qmb_buf_reset(b);
	qmb_buf_add(b, o.data ? o.data : "", o.len);
	qmb_buf_free(&o);
}

/* Replace every copy of key in s (NUL-terminated, size bytes). */
static void
redact(char *s, size_t size, const char *key)
{
	struct qmb_buf b;

	if (*key == '\0' || strstr(s, key) == NULL)
		return;
	qmb_buf_init(&b, 1 << 20);
	qmb_buf_adds(&b, s);
	redact_buf(&b, key);
	snprintf(s, size, "%s", b.data ? b.data : "");
	qmb_buf_free(&b);
}

void
qmb_gem_redact(struct qmb_gem_result *r, const char *key)
{
	redact(r->msg, sizeof(r->msg), key);
	redact_buf(&r->text, key);
}

/* SPDX-License-Identifier: MIT */
/*
 * The Gemini client.  Invariants: the key lives in the caller's buffer
 * and, for the length of one call, in one header line that is zeroed
 * before it is freed; it is never part of the URL, a message or a
 * result.  One easy handle serves every attempt of a call.  A result's
 * msg always says what happened in one line, without the key.
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "qmb_gemini.h"
#include "qmb_json.h"

#ifndef QMB_VERSION
#define QMB_VERSION "0.1.0"
#endif

#define KEY_HEADER	"x-goog-api-key: "
#define MSG_TEXT	200	/* bytes of server text quoted in a message */

/* ---- setup --------------------------------------------------------- */

int
qmb_gem_global_init(struct qmb_err *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return qmb_errf(err, QMB_EXIT_INTERNAL,
		    "internal: cannot initialise libcurl");
	return 0;
}

void
qmb_gem_global_cleanup(void)
{
	curl_global_cleanup();
}

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

/* ---- the key ------------------------------------------------------- */

static int
key_file(const char *file, char *buf, size_t size, struct qmb_err *err)
{
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_USAGE :
		    QMB_EXIT_IO, "open key file '%s'", file);
	if (fstat(fd, &st) == -1) {
		qmb_errsys(err, QMB_EXIT_IO, "stat key file '%s'", file);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		qmb_errf(err, QMB_EXIT_USAGE, "key file '%s' is not a regular file",
		    file);
		goto fail;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		qmb_errf(err, QMB_EXIT_USAGE,
		    "key file '%s' is open to group or others (mode %04o): run 'chmod 600 %s'",
		    file, (unsigned)(st.st_mode & 07777), file);
		goto fail;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		qmb_errf(err, QMB_EXIT_USAGE,
		    "key file '%s' belongs to another user", file);
		goto fail;
	}
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		if ((len += (size_t)n) == size - 1)
			break;
	if (n == -1) {
		qmb_errsys(err, QMB_EXIT_IO, "read key file '%s'", file);
		goto fail;
	}
	if (len == size - 1) {
		qmb_errf(err, QMB_EXIT_USAGE, "key file '%s' is too large for a key",
		    file);
		goto fail;
	}
	buf[len] = '\0';
	close(fd);
	return 0;
fail:
	explicit_bzero(buf, size);
	close(fd);
	return -1;
}

int
qmb_gem_key(const char *file, const char *google, const char *gemini,
    char *key, size_t size, const char **from, struct qmb_err *err)
{
	char buf[QMB_GEM_KEY_MAX + 64];
	const char *v = NULL, *src;
	size_t a, b, i;
	int rc = -1;

	key[0] = '\0';
	buf[0] = '\0';
	if (file != NULL) {
		if (key_file(file, buf, sizeof(buf), err) == -1)
			return -1;
		src = "the key file";
	} else if ((v = google) != NULL && *v != '\0')
		src = "GOOGLE_API_KEY";
	else if ((v = gemini) != NULL && *v != '\0')
		src = "GEMINI_API_KEY";
	else
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "no Gemini API key: set GEMINI_API_KEY (or GOOGLE_API_KEY), or give --key-file FILE (mode 0600)");
	if (from != NULL)
		*from = src;
	if (v != NULL) {
		if (strlen(v) >= sizeof(buf))
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "%s is too long for a key", src);
		memcpy(buf, v, strlen(v) + 1);
	}
	for (a = 0; buf[a] == ' ' || (buf[a] >= '\t' && buf[a] <= '\r'); a++)
		;
	for (b = strlen(buf); b > a && (buf[b - 1] == ' ' ||
	    (buf[b - 1] >= '\t' && buf[b - 1] <= '\r')); b--)
		;
	if (b == a) {
		qmb_errf(err, QMB_EXIT_USAGE, "%s holds no key", src);
		goto out;
	}
	for (i = a; i < b; i++)
		if ((unsigned char)buf[i] < 0x21 ||
		    (unsigned char)buf[i] > 0x7e) {
			qmb_errf(err, QMB_EXIT_USAGE,
			    "%s holds characters a key cannot have", src);
			goto out;
		}
	if (b - a >= size || b - a > QMB_GEM_KEY_MAX) {
		qmb_errf(err, QMB_EXIT_USAGE, "%s is too long for a key", src);
		goto out;
	}
	memcpy(key, buf + a, b - a);
	key[b - a] = '\0';
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/* ---- URL ----------------------------------------------------------- */

static int
loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "::1") == 0 || strcasecmp(host, "localhost") == 0;
}

int
qmb_gem_check_url(const char *url, struct qmb_err *err)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL;
	int rc = -1;

	if ((u = curl_url()) == NULL)
		return qmb_errf(err, QMB_EXIT_INTERNAL, "internal: out of memory");
	if (strchr(url, '\n') != NULL || strchr(url, ' ') != NULL ||
	    curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		qmb_errf(err, QMB_EXIT_USAGE,
		    "bad Gemini URL '%.200s': give a base such as https://generativelanguage.googleapis.com",
		    url);
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		qmb_errf(err, QMB_EXIT_USAGE,
		    "bad Gemini URL '%.200s': only https (or http to this machine) is spoken",
		    url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
		qmb_errf(err, QMB_EXIT_USAGE,
		    "bad Gemini URL: give the base without user, password or query");
		goto out;
	}
	if (strcmp(scheme, "http") == 0 && !loopback(host)) {
		qmb_errf(err, QMB_EXIT_USAGE,
		    "refusing to send the API key over plain http to '%.200s': use https (http is allowed only to 127.0.0.1, localhost or ::1)",
		    host);
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

int
qmb_gem_endpoint(const char *url, const char *model, struct qmb_buf *out,
    struct qmb_err *err)
{
	size_t n = strlen(url), i;

	if (strncmp(model, "models/", 7) == 0)
		model += 7;
	if (*model == '\0' || strlen(model) > 100)
		return qmb_errf(err, QMB_EXIT_USAGE, "bad Gemini model name '%.100s'",
		    model);
	for (i = 0; model[i] != '\0'; i++)
		if (!(model[i] >= 'a' && model[i] <= 'z') &&
		    !(model[i] >= 'A' && model[i] <= 'Z') &&
		    !(model[i] >= '0' && model[i] <= '9') &&
		    strchr("._-", model[i]) == NULL)
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "bad Gemini model name '%.100s': letters, digits, '.', '_' and '-' only",
			    model);
	while (n > 0 && url[n - 1] == '/')
		n--;
	qmb_buf_reset(out);
	qmb_buf_add(out, url, n);
	qmb_buf_addf(out, "/v1beta/models/%s:generateContent", model);
	if (out->error)
		return qmb_errf(err, QMB_EXIT_USAGE, "Gemini URL too long");
	return 0;
}

/* ---- the request body ---------------------------------------------- */

static void
text_part(struct qmb_jw *jw, const char *text)
{
	qmb_jw_key(jw, "parts");
	qmb_jw_arr_begin(jw);
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "text", text);
	qmb_jw_obj_end(jw);
	qmb_jw_arr_end(jw);
}

int
qmb_gem_body(const struct qmb_gem_prompt *pr, struct qmb_buf *out,
    struct qmb_err *err)
{
	struct qmb_json_doc schema = { 0 };
	struct qmb_jw jw;
	int rc;

	if (pr->schema != NULL && qmb_json_parse(pr->schema, strlen(pr->schema),
	    0, QMB_EXIT_INTERNAL, &schema, err) == -1)
		return -1;
	qmb_jw_init(&jw, out, 0);
	qmb_jw_obj_begin(&jw);
	if (pr->system != NULL) {
		qmb_jw_key(&jw, "systemInstruction");
		qmb_jw_obj_begin(&jw);
		text_part(&jw, pr->system);
		qmb_jw_obj_end(&jw);
	}
	qmb_jw_key(&jw, "contents");
	qmb_jw_arr_begin(&jw);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "role", "user");
	text_part(&jw, pr->user);
	qmb_jw_obj_end(&jw);
	qmb_jw_arr_end(&jw);
	qmb_jw_key(&jw, "generationConfig");
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "maxOutputTokens", pr->max_tokens > 0 ?
	    pr->max_tokens : QMB_GEM_MAX_TOKENS);
	if (pr->schema != NULL) {
		qmb_jw_kstr(&jw, "responseMimeType", "application/json");
		qmb_jw_key(&jw, "responseJsonSchema");
		qmb_jw_value(&jw, schema.root);
	}
	if (pr->temperature != NULL) {
		qmb_jw_key(&jw, "temperature");
		qmb_jw_numtext(&jw, pr->temperature);
	}
	qmb_jw_obj_end(&jw);
	qmb_jw_obj_end(&jw);
	rc = qmb_jw_finish(&jw);
	qmb_json_free(&schema);
	if (rc == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "the review request is too large");
	return 0;
}

/* ---- reading answers ----------------------------------------------- */

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

long
qmb_gem_backoff(int n, long base_ms, long max_ms, double jitter)
{
	double d;

	if (n < 1)
		n = 1;
	if (n > 30)
		return max_ms;
	d = (double)base_ms * (double)(1L << (n - 1)) +
	    jitter * (double)base_ms;
	return d >= (double)max_ms ? max_ms : (long)d;
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

/* ---- the transfer -------------------------------------------------- */

struct sink {
	struct qmb_buf	*b;
	int		 toobig;
};

static size_t
on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;

	if (qmb_buf_add(s->b, p, size * nmemb) == -1) {
		s->toobig = 1;
		return 0;
	}
	return size * nmemb;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000);
}

void
qmb_gem_sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static double
jitter(void)
{
	unsigned int r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned int)getpid() * 2654435761u;
	return (double)r / 4294967296.0;
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

static enum qmb_gem_class
transport(CURLcode code, int toobig, const char *ebuf, long timeout_ms,
    struct qmb_gem_result *r)
{
	const char *what = *ebuf ? ebuf : curl_easy_strerror(code);

	qmb_buf_reset(&r->text);
	r->hint_ms = 0;
	if (toobig)
		snprintf(r->msg, sizeof(r->msg),
		    "Gemini's answer is larger than %u MiB", QMB_GEM_MAX_ANSWER >> 20);
	else if (code == CURLE_OPERATION_TIMEDOUT)
		snprintf(r->msg, sizeof(r->msg), "no answer within %ld ms (curl 28)",
		    timeout_ms);
	else
		snprintf(r->msg, sizeof(r->msg), "%.300s (curl %d)", what, (int)code);
	if (toobig)
		return set(r, QMB_GEM_INVALID, 0);
	switch (code) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_OUT_OF_MEMORY:
		return set(r, QMB_GEM_CONFIG, 0);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return set(r, QMB_GEM_TRANSPORT, 0);
	default:
		return set(r, QMB_GEM_TRANSPORT, 1);
	}
}

struct call {
	CURL			*h;
	struct curl_slist	*hdrs;
	struct qmb_buf		 url, body, answer;
	char			 ebuf[CURL_ERROR_SIZE];
	struct sink		 sink;
	long			 timeout_ms;
};

static void
call_free(struct call *c)
{
	struct curl_slist *l;

	for (l = c->hdrs; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(c->hdrs);
	if (c->h != NULL)
		curl_easy_cleanup(c->h);
	qmb_buf_free(&c->url);
	qmb_buf_free(&c->body);
	qmb_buf_free(&c->answer);
}

static int
add_header(struct call *c, const char *line)
{
	struct curl_slist *l;

	if ((l = curl_slist_append(c->hdrs, line)) == NULL)
		return -1;
	c->hdrs = l;
	return 0;
}

static int
call_setup(struct call *c, const struct qmb_gem_cfg *cfg,
    const struct qmb_gem_prompt *pr, struct qmb_err *err)
{
	char kh[sizeof(KEY_HEADER) + QMB_GEM_KEY_MAX];
	int bad;

	if (qmb_gem_check_url(cfg->url, err) == -1 ||
	    qmb_gem_endpoint(cfg->url, cfg->model, &c->url, err) == -1 ||
	    qmb_gem_body(pr, &c->body, err) == -1)
		return -1;
	if (cfg->key == NULL || *cfg->key == '\0' ||
	    strlen(cfg->key) > QMB_GEM_KEY_MAX || strpbrk(cfg->key, "\r\n") != NULL)
		return qmb_errf(err, QMB_EXIT_USAGE, "no usable Gemini API key");
	snprintf(kh, sizeof(kh), "%s%s", KEY_HEADER, cfg->key);
	bad = add_header(c, "Content-Type: application/json") == -1 ||
	    add_header(c, "Accept: application/json") == -1 ||
	    add_header(c, "Expect:") == -1 || add_header(c, kh) == -1;
	explicit_bzero(kh, sizeof(kh));
	if (bad || (c->h = curl_easy_init()) == NULL)
		return qmb_errf(err, QMB_EXIT_INTERNAL, "internal: libcurl setup failed");
	c->sink.b = &c->answer;
	bad = curl_easy_setopt(c->h, CURLOPT_URL, c->url.data) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_POST, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, c->body.data) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)c->body.len) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdrs) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, c->timeout_ms) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS,
	    c->timeout_ms < QMB_GEM_CONNECT_MS ? c->timeout_ms :
	    QMB_GEM_CONNECT_MS) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	/* plain http goes to this machine only: never through a proxy */
	if (strncasecmp(cfg->url, "http:", 5) == 0)
		bad |= curl_easy_setopt(c->h, CURLOPT_NOPROXY, "*") != CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= curl_easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
#else
	bad |= curl_easy_setopt(c->h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK;
#endif
	bad |= curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_WRITEDATA, &c->sink) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, c->ebuf) != CURLE_OK;
	bad |= curl_easy_setopt(c->h, CURLOPT_USERAGENT,
	    "qmb-review/" QMB_VERSION) != CURLE_OK;
	if (bad)
		return qmb_errf(err, QMB_EXIT_INTERNAL,
		    "internal: libcurl refused an option");
	return 0;
}

/*
 * One transfer.  With CURLOPT_NOSIGNAL libcurl leaves SIGPIPE alone, and
 * a TLS write to a closed socket would raise it: ignore it meanwhile.
 */
static CURLcode
perform(struct call *c, long *http, long *ra_s)
{
	struct sigaction ign, old;
	curl_off_t ra = 0;
	CURLcode code;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	qmb_buf_reset(&c->answer);
	c->sink.toobig = 0;
	c->ebuf[0] = '\0';
	code = curl_easy_perform(c->h);
	sigaction(SIGPIPE, &old, NULL);
	*http = 0;
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, http);
	if (curl_easy_getinfo(c->h, CURLINFO_RETRY_AFTER, &ra) != CURLE_OK ||
	    ra < 0)
		ra = 0;
	*ra_s = ra > 86400 * 7 ? 86400 * 7 : (long)ra;
	return code;
}

static void
final_error(const struct qmb_gem_cfg *cfg, const struct qmb_gem_result *r,
    struct qmb_err *err)
{
	int code = qmb_gem_exit(r->cls);
	const char *model = cfg->model;

	if (strncmp(model, "models/", 7) == 0)
		model += 7;
	switch (r->cls) {
	case QMB_GEM_AUTH:
		qmb_errf(err, code,
		    "Gemini refused the API key (%s): check GEMINI_API_KEY, GOOGLE_API_KEY or --key-file",
		    r->msg);
		break;
	case QMB_GEM_NOTFOUND:
		qmb_errf(err, code,
		    "Gemini has no model '%s' (%s): check --model, QMB_GEMINI_MODEL or gemini_model",
		    model, r->msg);
		break;
	case QMB_GEM_REQUEST:
		qmb_errf(err, code, "Gemini refused the request (%s)", r->msg);
		break;
	case QMB_GEM_RATE:
		if (!r->retryable)
			qmb_errf(err, code, "Gemini rate limit (%s)", r->msg);
		else
			qmb_errf(err, code, "Gemini rate limited after %d attempt%s (%s)",
			    r->attempts, r->attempts == 1 ? "" : "s", r->msg);
		break;
	case QMB_GEM_SERVER:
		qmb_errf(err, code, "Gemini unavailable after %d attempt%s (%s)",
		    r->attempts, r->attempts == 1 ? "" : "s", r->msg);
		break;
	case QMB_GEM_TRANSPORT:
		qmb_errf(err, code, "Gemini unreachable after %d attempt%s (%s)",
		    r->attempts, r->attempts == 1 ? "" : "s", r->msg);
		break;
	default:
		qmb_errf(err, code, "%s", r->msg);
		break;
	}
}

int
qmb_gem_generate(const struct qmb_gem_cfg *cfg, const struct qmb_gem_prompt *pr,
    struct qmb_gem_result *r, struct qmb_err *err)
{
	struct qmb_gem_attempt at;
	struct call c;
	struct timespec t0, t1;
	long base = cfg->base_ms > 0 ? cfg->base_ms : QMB_GEM_BASE_MS;
	long max = cfg->max_ms > 0 ? cfg->max_ms : QMB_GEM_MAX_MS;
	long http, ra, wait;
	CURLcode code;
	int n, of = cfg->attempts > 0 ? cfg->attempts : 1;

	memset(&c, 0, sizeof(c));
	qmb_buf_init(&c.url, 4096);
	qmb_buf_init(&c.body, QMB_JSON_MAX + (QMB_JSON_MAX >> 1));
	qmb_buf_init(&c.answer, QMB_GEM_MAX_ANSWER);
	c.timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms :
	    QMB_GEM_TIMEOUT_MS;
	r->cls = QMB_GEM_CONFIG;
	if (call_setup(&c, cfg, pr, err) == -1) {
		snprintf(r->msg, sizeof(r->msg), "%s", err->msg);
		call_free(&c);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 1;; n++) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		code = perform(&c, &http, &ra);
		r->attempts = n;
		r->curl = (int)code;
		r->http = http;
		if (code == CURLE_OK)
			qmb_gem_parse(http, c.answer.data, c.answer.len, ra,
			    pr->ping, max, r);
		else
			transport(code, c.sink.toobig, c.ebuf, c.timeout_ms, r);
		redact(r->msg, sizeof(r->msg), cfg->key);
		redact_buf(&r->text, cfg->key);
		memset(&at, 0, sizeof(at));
		at.n = n;
		at.of = of;
		at.http = http;
		at.curl = (int)code;
		at.duration_ms = ms_since(&t1);
		at.sent = c.body.len;
		at.received = c.answer.len;
		at.cls = r->cls;
		at.msg = r->msg;
		at.retry = r->cls != QMB_GEM_OK && r->retryable && n < of;
		if (at.retry) {
			wait = qmb_gem_backoff(n, base, max, jitter());
			if (r->hint_ms > wait)
				wait = r->hint_ms;
			at.wait_ms = wait;
		}
		if (cfg->on_attempt != NULL)
			cfg->on_attempt(cfg->arg, &at);
		if (!at.retry)
			break;
		if (cfg->on_wait != NULL)
			cfg->on_wait(cfg->arg, n + 1, of, at.wait_ms);
		else
			qmb_gem_sleep_ms(at.wait_ms);
	}
	r->duration_ms = ms_since(&t0);
	call_free(&c);
	if (r->cls == QMB_GEM_OK)
		return 0;
	final_error(cfg, r, err);
	return -1;
}

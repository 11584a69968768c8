/* SPDX-License-Identifier: MIT */
/*
 * The Gemini client's transfer and retry policy, over libcurl.
 * Invariants: the key lives in the caller's buffer and, for the length
 * of one call, in one header line that is zeroed before it is freed; it
 * is never part of the URL, a message or a result.  One easy handle
 * serves every attempt of a call.  A result's msg always says what
 * happened in one line, without the key.
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

#include "qmb_clock.h"
#include "qmb_gemini.h"
#include "qmb_json.h"

#ifndef QMB_VERSION
#define QMB_VERSION "0.1.0"
#endif

#define KEY_HEADER	"x-goog-api-key: "

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
	r->retryable = 0;
	if (toobig)
		return r->cls = QMB_GEM_INVALID;
	switch (code) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_OUT_OF_MEMORY:
		return r->cls = QMB_GEM_CONFIG;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return r->cls = QMB_GEM_TRANSPORT;
	default:
		r->retryable = 1;
		return r->cls = QMB_GEM_TRANSPORT;
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
	int64_t t0, t1;
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
	t0 = qmb_mono_ms();
	for (n = 1;; n++) {
		t1 = qmb_mono_ms();
		code = perform(&c, &http, &ra);
		r->attempts = n;
		r->curl = (int)code;
		r->http = http;
		if (code == CURLE_OK)
			qmb_gem_parse(http, c.answer.data, c.answer.len, ra,
			    pr->ping, max, r);
		else
			transport(code, c.sink.toobig, c.ebuf, c.timeout_ms, r);
		qmb_gem_redact(r, cfg->key);
		memset(&at, 0, sizeof(at));
		at.n = n;
		at.of = of;
		at.http = http;
		at.curl = (int)code;
		at.duration_ms = (long)(qmb_mono_ms() - t1);
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
	r->duration_ms = (long)(qmb_mono_ms() - t0);
	call_free(&c);
	if (r->cls == QMB_GEM_OK)
		return 0;
	final_error(cfg, r, err);
	return -1;
}

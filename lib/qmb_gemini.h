/* SPDX-License-Identifier: MIT */
#ifndef QMB_GEMINI_H
#define QMB_GEMINI_H

/*
 * A client of Gemini's generateContent REST call over libcurl: the
 * request body, the key, the transfer, the reading of the answer and
 * the retry policy.  This is the only module that includes curl; it
 * never prints and never exits.
 *
 *	qmb_gem_global_init(err)		once, first thing in main
 *	qmb_gem_key(file, key, sizeof(key), &from, err)
 *	qmb_gem_generate(&cfg, &prompt, &res, err)
 *	qmb_gem_result_free(&res); explicit_bzero(key, ...)
 *	qmb_gem_global_cleanup()
 *
 * The request: POST {url}/v1beta/models/{model}:generateContent, the
 * key only in an x-goog-api-key header, never in the URL.  No redirect
 * is followed (it would carry the key elsewhere), only http and https
 * are spoken, TLS is verified, plain http is refused unless the host is
 * 127.0.0.1, localhost or ::1, and an answer above QMB_GEM_MAX_ANSWER is
 * cut off.  The key appears in no message, result or hook argument;
 * text the server sends back has any copy of the key replaced by
 * "[REDACTED]".
 *
 * The policy (advice of Google's docs and SDKs): up to cfg.attempts
 * attempts; transport failures, 408, 429, 500, 502, 503 and 504 are
 * retried after min(base * 2^(n-1) + U(0, base), max) ms, and a 429 or
 * 503 waits at least the server's hint (RetryInfo.retryDelay, else
 * Retry-After).  A hint above max or a per-day quota stops at once.
 * Everything else (400, 401, 403, 404, a blocked or cut-short answer,
 * an answer that is not the JSON asked for) is final at once.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"

#define QMB_GEM_MAX_ANSWER	(8u << 20)	/* bytes of one HTTP answer */
#define QMB_GEM_KEY_MAX		512		/* bytes of a key */
#define QMB_GEM_TIMEOUT_MS	180000L		/* one attempt, total */
#define QMB_GEM_CONNECT_MS	30000L		/* connecting, at most */
#define QMB_GEM_BASE_MS		1000L
#define QMB_GEM_MAX_MS		60000L
#define QMB_GEM_MAX_TOKENS	32768		/* thinking counts against it */

enum qmb_gem_class {
	QMB_GEM_OK,
	QMB_GEM_CONFIG,		/* bad URL or key source: nothing was sent */
	QMB_GEM_AUTH,		/* key missing, invalid or blocked */
	QMB_GEM_NOTFOUND,	/* 404: no such model */
	QMB_GEM_REQUEST,	/* another 4xx: the request was refused */
	QMB_GEM_RATE,		/* 429: rate limit or quota */
	QMB_GEM_SERVER,		/* 408, 5xx */
	QMB_GEM_TRANSPORT,	/* connect, reset, cut short, timeout */
	QMB_GEM_BLOCKED,	/* prompt or answer blocked (SAFETY ...) */
	QMB_GEM_TRUNCATED,	/* finishReason MAX_TOKENS */
	QMB_GEM_INVALID		/* an answer without the JSON asked for */
};

/* One attempt, as reported to cfg->on_attempt. */
struct qmb_gem_attempt {
	int		 n, of;		/* 1-based attempt, of at most */
	long		 http;		/* HTTP status, 0 when none */
	int		 curl;		/* CURLcode, 0 when the transfer ran */
	long		 duration_ms;
	size_t		 sent, received;	/* body bytes */
	enum qmb_gem_class cls;
	int		 retry;		/* another attempt follows */
	long		 wait_ms;	/* before it */
	const char	*msg;		/* what went wrong, "" when fine */
};

struct qmb_gem_cfg {
	const char	*url;		/* base, without the version */
	const char	*model;		/* "gemini-3.5-flash" or "models/..." */
	const char	*key;		/* never copied anywhere but a header */
	int		 attempts;	/* 1..99 */
	long		 timeout_ms;	/* one attempt; 0: QMB_GEM_TIMEOUT_MS */
	long		 base_ms;	/* 0: QMB_GEM_BASE_MS */
	long		 max_ms;	/* 0: QMB_GEM_MAX_MS */
	/* Called after each attempt (logging); may be NULL. */
	void		(*on_attempt)(void *arg,
			    const struct qmb_gem_attempt *);
	/*
	 * Called to wait ms before attempt next; it must sleep (a countdown
	 * on a terminal).  NULL: qmb_gem_generate sleeps itself.
	 */
	void		(*on_wait)(void *arg, int next, int of, long ms);
	void		*arg;
};

struct qmb_gem_prompt {
	const char	*system;	/* systemInstruction text, or NULL */
	const char	*user;		/* the user turn */
	const char	*schema;	/* responseJsonSchema text, or NULL */
	const char	*temperature;	/* number text, or NULL to omit */
	long		 max_tokens;	/* 0: QMB_GEM_MAX_TOKENS */
	int		 ping;		/* any JSON 200 is success */
};

struct qmb_gem_result {
	enum qmb_gem_class cls;
	int		 retryable;	/* this answer may be tried again */
	int		 attempts;	/* made */
	long		 http;		/* last status, 0 when none */
	int		 curl;		/* last CURLcode */
	long		 hint_ms;	/* the server's retry hint, or 0 */
	long		 duration_ms;	/* of all attempts, waits included */
	char		 model_version[128];
	char		 finish[40];	/* finishReason, "" when none */
	int64_t		 in_count, out_count, all_count;	/* usage, -1 */
	struct qmb_buf	 text;		/* the model's text, thoughts skipped */
	size_t		 json_off, json_len;	/* the JSON object in text */
	char		 msg[QMB_ERR_MSG];	/* what went wrong, "" when fine */
};

/* curl_global_init / curl_global_cleanup. */
int	qmb_gem_global_init(struct qmb_err *);
void	qmb_gem_global_cleanup(void);

/*
 * The key: from file when not NULL (a regular file of ours or root's,
 * no permission for group or others), else google (the value of
 * $GOOGLE_API_KEY, which the program reads), else gemini (of
 * $GEMINI_API_KEY); empty values count as unset; surrounding whitespace
 * is stripped.  *from names the source for messages ("GEMINI_API_KEY",
 * "the key file").  No key is a QMB_EXIT_USAGE error that says where to
 * put one.
 */
int	qmb_gem_key(const char *file, const char *google, const char *gemini,
	    char *key, size_t size, const char **from, struct qmb_err *);
/*
 * Check a base URL: http or https, no user or password, no query; plain
 * http only to a loopback host.  QMB_EXIT_USAGE when bad.
 */
int	qmb_gem_check_url(const char *url, struct qmb_err *);
/* The full endpoint for model into out. */
int	qmb_gem_endpoint(const char *url, const char *model,
	    struct qmb_buf *out, struct qmb_err *);
/* The request body for prompt into out. */
int	qmb_gem_body(const struct qmb_gem_prompt *, struct qmb_buf *out,
	    struct qmb_err *);

/*
 * Ask.  0 when res->cls is QMB_GEM_OK (then res->text holds the model's
 * text and, unless prompt->ping, res->json_off/json_len the JSON object
 * found in it); else -1 with res->cls, res->msg and err (the exit code of
 * qmb_gem_exit, the message naming what to do).  res must be freed with
 * qmb_gem_result_free either way.
 */
int	qmb_gem_generate(const struct qmb_gem_cfg *,
	    const struct qmb_gem_prompt *, struct qmb_gem_result *,
	    struct qmb_err *);
void	qmb_gem_result_init(struct qmb_gem_result *);
void	qmb_gem_result_free(struct qmb_gem_result *);

/*
 * Read one HTTP answer (status, body, Retry-After seconds or 0) into res:
 * cls, retryable, hint_ms, msg, and on 200 the text, finish, usage and
 * the JSON span.  Pure; for tests.  Returns res->cls.
 */
enum qmb_gem_class qmb_gem_parse(long http, const char *body, size_t len,
	    long retry_after_s, int ping, long max_ms, struct qmb_gem_result *);
/*
 * Find the JSON object in a model's text: the whole text, else the
 * inside of one ``` fence, else the outermost {...} in prose.  0 with
 * the span, or -1.
 */
int	qmb_gem_json_span(const char *text, size_t len, size_t *off,
	    size_t *n);
/* "22s", "45.837906927s" (protobuf Duration) into ms, rounded up. */
int	qmb_gem_duration_ms(const char *, long *ms);
/* The wait before attempt n + 1 with the given jitter draw in [0, 1). */
long	qmb_gem_backoff(int n, long base_ms, long max_ms, double jitter);
/* Sleep ms milliseconds, resuming after signals (on_wait hooks use it). */
void	qmb_gem_sleep_ms(long ms);

/*
 * The exit code of a class (DESIGN 3): the key, the model or the request
 * is wrong: usage (2); Gemini cannot be reached or is rate limited:
 * remote (7), a later try may work, so the request is queued; Gemini
 * answered but gave no usable review (blocked, cut short, not a review):
 * 1.  Inline, so that qmb_review, which uses them, needs no libcurl.
 */
static inline int
qmb_gem_exit(enum qmb_gem_class c)
{
	switch (c) {
	case QMB_GEM_OK:
		return QMB_EXIT_OK;
	case QMB_GEM_CONFIG: case QMB_GEM_AUTH: case QMB_GEM_NOTFOUND:
	case QMB_GEM_REQUEST:
		return QMB_EXIT_USAGE;
	case QMB_GEM_RATE: case QMB_GEM_SERVER: case QMB_GEM_TRANSPORT:
		return QMB_EXIT_REMOTE;
	case QMB_GEM_BLOCKED: case QMB_GEM_TRUNCATED: case QMB_GEM_INVALID:
		return QMB_EXIT_FAIL;
	}
	return QMB_EXIT_INTERNAL;
}

/* 1 when the request should wait in the queue (a later try may work). */
static inline int
qmb_gem_queueable(enum qmb_gem_class c)
{
	return qmb_gem_exit(c) == QMB_EXIT_REMOTE;
}

/* "ok", "auth", "rate_limited", ... for logs and JSON. */
static inline const char *
qmb_gem_class_name(enum qmb_gem_class c)
{
	static const char *const names[] = {
		"ok", "config", "auth", "model_not_found", "bad_request",
		"rate_limited", "server_error", "unreachable", "blocked",
		"truncated", "invalid_output"
	};

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] :
	    "unknown";
}

#endif

/* SPDX-License-Identifier: MIT */
#ifndef QMB_GEMANS_H
#define QMB_GEMANS_H

/*
 * Reading Gemini's answers: the class of an outcome and its exit code,
 * the result of a call, one HTTP answer read into a result (error
 * envelopes, retry hints, candidates, usage, the model's text with
 * thoughts skipped, the JSON object in it), and removing the key from
 * anything the server sent back.  Part of the Gemini client
 * (qmb_gemini.h).
 *
 * Owns no file.  Pure functions on memory: never calls libcurl, never
 * reads or writes files, never prints; messages quote server text on
 * one line, bounded, and never hold the key (qmb_gem_redact).
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_buf.h"
#include "qmb_err.h"

#define QMB_GEM_MAX_ANSWER	(8u << 20)	/* bytes of one HTTP answer */
#define QMB_GEM_MAX_MS		60000L		/* longest wait; a longer hint stops */

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

void	qmb_gem_result_init(struct qmb_gem_result *);
void	qmb_gem_result_free(struct qmb_gem_result *);

/*
 * Read one HTTP answer (status, body, Retry-After seconds or 0) into res:
 * cls, retryable, hint_ms, msg, and on 200 the text, finish, usage and
 * the JSON span.  A hint above max_ms or a per-day quota is not
 * retryable.  Returns res->cls.
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
/*
 * Replace every copy of key (8 bytes or more) in res->msg and res->text
 * with "[REDACTED]".
 */
void	qmb_gem_redact(struct qmb_gem_result *, const char *key);

/*
 * The exit code of a class (DESIGN 3): the key, the model or the request
 * is wrong: usage (2); Gemini cannot be reached or is rate limited:
 * remote (7), a later try may work, so the request is queued; Gemini
 * answered but gave no usable review (blocked, cut short, not a review):
 * 1.
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

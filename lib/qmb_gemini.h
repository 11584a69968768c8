/* SPDX-License-Identifier: MIT */
#ifndef QMB_GEMINI_H
#define QMB_GEMINI_H

/*
 * A client of Gemini's generateContent REST call over libcurl: the
 * transfer and the retry policy.  The request is built by qmb_gemreq.h
 * and the answer read by qmb_gemans.h; this header brings in both.  This
 * is the only module that includes curl; it never prints and never
 * exits, and owns no file.
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

#include "qmb_err.h"
#include "qmb_gemans.h"
#include "qmb_gemreq.h"

#define QMB_GEM_TIMEOUT_MS	180000L		/* one attempt, total */
#define QMB_GEM_CONNECT_MS	30000L		/* connecting, at most */
#define QMB_GEM_BASE_MS		1000L

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

/* curl_global_init / curl_global_cleanup. */
int	qmb_gem_global_init(struct qmb_err *);
void	qmb_gem_global_cleanup(void);

/*
 * Check a base URL: http or https, no user or password, no query; plain
 * http only to a loopback host.  QMB_EXIT_USAGE when bad.
 */
int	qmb_gem_check_url(const char *url, struct qmb_err *);
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

/* The wait before attempt n + 1 with the given jitter draw in [0, 1). */
long	qmb_gem_backoff(int n, long base_ms, long max_ms, double jitter);
/* Sleep ms milliseconds, resuming after signals (on_wait hooks use it). */
void	qmb_gem_sleep_ms(long ms);

#endif

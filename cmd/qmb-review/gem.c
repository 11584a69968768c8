/* SPDX-License-Identifier: MIT */
/*
 * The Gemini settings of a command, the key, the review prompt, and the
 * hooks that show attempts (-v) and the wait before the next one (a
 * countdown on a terminal).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_config.h"
#include "qmb_progress.h"
#include "review.h"

/* Progress steps sent so far (qmb_progress.h): they only grow. */
static long steps;

/* Why there is no key, for gem_ask (the lib hands it only the cfg). */
static struct qmb_err nokey = { QMB_EXIT_USAGE, 0, "no Gemini API key" };

static int
env_ms(const char *name, long dflt, long lo, long hi, long *out,
    struct qmb_err *err)
{
	const char *v = getenv(name);
	char *end;
	long n;

	*out = dflt;
	if (v == NULL || *v == '\0')
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end != '\0' || n < lo || n > hi)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "%s: bad value '%.40s' (milliseconds, %ld-%ld)", name, v, lo,
		    hi);
	*out = n;
	return 0;
}

static int
env_temperature(const char **out, struct qmb_err *err)
{
	const char *v = getenv("QMB_GEMINI_TEMPERATURE");
	struct qmb_json_doc doc = { 0 };
	int ok;

	*out = NULL;
	if (v == NULL || *v == '\0')
		return 0;
	ok = qmb_json_parse(v, strlen(v), 64, QMB_EXIT_USAGE, &doc,
	    NULL) == 0 &&
	    doc.root->type == QMB_JNUM && doc.root->dbl >= 0 &&
	    doc.root->dbl <= 2;
	qmb_json_free(&doc);
	if (!ok)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "QMB_GEMINI_TEMPERATURE: bad value '%.40s' (a number, 0-2)", v);
	*out = v;
	return 0;
}

static void
show_attempt(void *arg, const struct qmb_gem_attempt *a)
{
	struct gem *g = arg;

	if (a->http > 0)
		qmb_progress(++steps, 0, "attempt %d of %d: HTTP %ld in %ld ms%s%s",
		    a->n, a->of, a->http, a->duration_ms, *a->msg ? ": " : "",
		    a->msg);
	else
		qmb_progress(++steps, 0, "attempt %d of %d: no answer in %ld ms: %s",
		    a->n, a->of, a->duration_ms, a->msg);
	if (!g->o->c.verbose)
		return;
	if (a->http > 0)
		fprintf(stderr, "%s: attempt %d of %d: HTTP %ld in %ld ms%s%s\n",
		    qmb_progname(), a->n, a->of, a->http, a->duration_ms,
		    *a->msg ? ": " : "", a->msg);
	else
		fprintf(stderr, "%s: attempt %d of %d: no answer in %ld ms: %s\n",
		    qmb_progname(), a->n, a->of, a->duration_ms, a->msg);
}

/* Wait before the next attempt; on a terminal, count down. */
static void
show_wait(void *arg, int next, int of, long ms)
{
	struct gem *g = arg;
	long left, step;

	qmb_progress(++steps, 0, "waiting %ld s before attempt %d of %d",
	    (ms + 999) / 1000, next, of);
	if (g->o->c.quiet || !isatty(STDERR_FILENO)) {
		if (g->o->c.verbose)
			fprintf(stderr, "%s: waiting %ld ms before attempt %d of %d\n",
			    qmb_progname(), ms, next, of);
		qmb_gem_sleep_ms(ms);
		qmb_progress(++steps, 0, "asking Gemini: attempt %d of %d", next,
		    of);
		return;
	}
	for (left = ms; left > 0; left -= step) {
		fprintf(stderr, "\r%s: waiting for Gemini: attempt %d of %d in %ld s ",
		    qmb_progname(), next, of, (left + 999) / 1000);
		fflush(stderr);
		step = left % 1000 != 0 ? left % 1000 : 1000;
		qmb_gem_sleep_ms(step);
	}
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	qmb_progress(++steps, 0, "asking Gemini: attempt %d of %d", next, of);
}

int
gem_setup(const struct opts *o, struct qmb_proj *p, int attempts_dflt,
    struct gem *g, struct qmb_err *err)
{
	const struct qmb_config *cfg;
	const char *url, *e;
	long n;

	memset(g, 0, sizeof(*g));
	g->o = o;
	if ((cfg = qmb_config_get(p, err)) == NULL)
		return -1;
	url = cfg->gemini_url;
	if (strcmp(url, QMB_GEMINI_URL) == 0 &&
	    (e = getenv("GOOGLE_GEMINI_BASE_URL")) != NULL && *e != '\0')
		url = e;
	g->cfg.url = url;
	g->cfg.model = o->model != NULL ? o->model : cfg->gemini_model;
	g->cfg.attempts = (int)((o->set & O_ATTEMPTS) ? o->attempts :
	    attempts_dflt > 0 ? attempts_dflt : cfg->review_attempts);
	if (env_ms("QMB_TIMEOUT_MS", QMB_GEM_TIMEOUT_MS, 1, 3600000, &n,
	    err) == -1)
		return -1;
	g->cfg.timeout_ms = (o->set & O_TIMEOUT) ? o->timeout_ms : n;
	if (env_ms("QMB_RETRY_BASE_MS", QMB_GEM_BASE_MS, 1, 600000,
	    &g->cfg.base_ms, err) == -1 ||
	    env_ms("QMB_RETRY_MAX_MS", QMB_GEM_MAX_MS, 1, 3600000,
	    &g->cfg.max_ms, err) == -1 ||
	    env_temperature(&g->temperature, err) == -1)
		return -1;
	g->cfg.on_attempt = show_attempt;
	g->cfg.on_wait = show_wait;
	g->cfg.arg = g;
	return qmb_gem_check_url(url, err);
}

int
key_get(struct gem *g, struct qmb_err *err)
{
	if (qmb_gem_key(g->o->key_file, getenv("GOOGLE_API_KEY"),
	    getenv("GEMINI_API_KEY"), g->key, sizeof(g->key), &g->key_from,
	    err) == -1) {
		g->keyerr = *err;
		nokey = *err;
		g->cfg.key = NULL;
		return -1;
	}
	g->havekey = 1;
	g->cfg.key = g->key;
	return 0;
}

void
gem_done(struct gem *g)
{
	explicit_bzero(g->key, sizeof(g->key));
	g->cfg.key = NULL;
}

int
gem_ask(const struct qmb_gem_cfg *cfg, const struct qmb_gem_prompt *pr,
    struct qmb_gem_result *res, struct qmb_err *err)
{
	if (cfg->key == NULL || *cfg->key == '\0') {
		res->cls = QMB_GEM_CONFIG;
		snprintf(res->msg, sizeof(res->msg), "%s", nokey.msg);
		*err = nokey;
		return -1;
	}
	qmb_progress(++steps, 0, "asking Gemini (%s): attempt 1 of %d",
	    cfg->model, cfg->attempts);
	return qmb_gem_generate(cfg, pr, res, err);
}

int
prompt_text(struct qmb_buf *b, struct qmb_err *err)
{
	char path[PATH_MAX];

	qmb_buf_init(b, 1 << 20);
	if (qmb_prompt_find(getenv(QMB_PROMPT_ENV), path, sizeof(path),
	    err) == -1)
		return -1;
	return qmb_prompt_read(path, b, err);
}

void
say_warning(const struct opts *o, const struct qmb_review_outcome *out)
{
	if (out->warning[0] == '\0')
		return;
	if (strncmp(out->warning, "log:", 4) == 0 && !o->c.verbose)
		return;
	qmb_warn("%s", out->warning);
}

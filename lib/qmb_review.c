/* SPDX-License-Identifier: MIT */
/*
 * The run of one review and the bypass.  Invariants: a session only
 * changes through qmb_txn (the lock is never held while Gemini is
 * asked); a record written anywhere has passed qmb_rrecord; nothing here
 * ever sees the key except the ask function's configuration, which is
 * passed through untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_clock.h"
#include "qmb_gfail.h"
#include "qmb_io.h"
#include "qmb_jdoc.h"
#include "qmb_log.h"
#include "qmb_prompt.h"
#include "qmb_rcache.h"
#include "qmb_review.h"
#include "qmb_rqueue.h"
#include "qmb_rrecord.h"
#include "qmb_session.h"
#include "qmb_txn.h"

#define RAW_LOG_MAX	16384	/* bytes of a bad answer kept in the log */

/* Write stage2_output/gemini_review.json, pretty. */
static int
write_output(struct qmb_proj *p, const struct qmb_jv *rec, struct qmb_err *err)
{
	struct qmb_buf b;
	int fd, rc = -1;

	if ((fd = qmb_proj_outdir(p, err)) == -1)
		return -1;
	qmb_buf_init(&b, QMB_JSON_MAX);
	if (qmb_jdoc_pretty(rec, &b) == -1)
		qmb_errf(err, QMB_EXIT_IO, "review too large");
	else
		rc = qmb_atomic_write(fd, "gemini_review.json", b.data, b.len,
		    qmb_proj_fmode(p), err);
	if (rc == -1)
		qmb_err_prefix(err, "write stage2_output/gemini_review.json");
	qmb_buf_free(&b);
	close(fd);
	return rc;
}

void
qmb_review_outcome_init(struct qmb_review_outcome *o)
{
	memset(o, 0, sizeof(*o));
	qmb_buf_init(&o->record, QMB_JSON_MAX);
}

void
qmb_review_outcome_free(struct qmb_review_outcome *o)
{
	qmb_buf_free(&o->record);
}

struct run {
	struct qmb_review_job		*j;
	struct qmb_review_outcome	*o;
	const struct qmb_gem_cfg	*caller;	/* the job's hooks */
	char				*project, *model_type;
};

static void
warn_once(struct qmb_review_outcome *o, const char *what,
    const struct qmb_err *e)
{
	if (o->warning[0] == '\0')
		snprintf(o->warning, sizeof(o->warning), "%.40s: %.400s", what,
		    e->msg);
}

static void
glog(struct run *r, enum qmb_level lvl, const char *action, struct qmb_jw *jw,
    int global)
{
	struct qmb_logent e = { 0 };
	struct qmb_err le = QMB_ERR_INIT;

	if (qmb_jw_finish(jw) == -1)
		return;
	e.level = lvl;
	e.session_id = global ? NULL : r->j->session_id;
	e.stage = e.session_id ? "F" : NULL;
	e.component = "gemini";
	e.action = action;
	e.details = jw->buf->data;
	e.user_id = r->j->user;
	if (qmb_log_write(r->j->p, &e, &le) == -1)
		warn_once(r->o, "log", &le);
}

static void
on_attempt(void *arg, const struct qmb_gem_attempt *a)
{
	struct run *r = arg;
	struct qmb_buf b;
	struct qmb_jw jw;

	qmb_buf_init(&b, 8192);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "attempt", a->n);
	qmb_jw_kint(&jw, "of", a->of);
	qmb_jw_kint(&jw, "http_status", a->http);
	qmb_jw_kint(&jw, "curl_code", a->curl);
	qmb_jw_kint(&jw, "duration_ms", a->duration_ms);
	qmb_jw_kstr(&jw, "result", qmb_gem_class_name(a->cls));
	qmb_jw_kint(&jw, "sent_bytes", (int64_t)a->sent);
	qmb_jw_kint(&jw, "received_bytes", (int64_t)a->received);
	if (a->retry)
		qmb_jw_kint(&jw, "retry_in_ms", a->wait_ms);
	if (a->msg != NULL && *a->msg != '\0')
		qmb_jw_kstr(&jw, "error", a->msg);
	qmb_jw_obj_end(&jw);
	glog(r, QMB_INFO, "attempt", &jw, 0);
	qmb_buf_free(&b);
	if (r->caller->on_attempt != NULL)
		r->caller->on_attempt(r->caller->arg, a);
}

static void
on_wait(void *arg, int next, int of, long ms)
{
	struct run *r = arg;

	r->caller->on_wait(r->caller->arg, next, of, ms);
}

/* The script to review, and what the prompt says about it. */
static int
load(struct run *r, struct qmb_buf *script, struct qmb_err *err)
{
	struct qmb_review_job *j = r->j;
	struct qmb_buf cur;
	struct qmb_txn t;
	int rc = -1;

	if (j->session_id == NULL) {
		qmb_buf_add(script, j->script, j->script_len);
		return script->error ? qmb_errf(err, QMB_EXIT_USAGE,
		    "script too large") : 0;
	}
	if (qmb_txn_begin(&t, j->p, j->session_id, j->user, err) == -1)
		return -1;
	qmb_buf_init(&cur, qmb_io_max_file() * 2);
	if (t.s.ncompleted == QMB_NSTAGES &&
	    qmb_session_script(&t.s, -1, &cur) == 0)
		qmb_sha256(cur.data ? cur.data : "", cur.len, r->o->current);
	if (j->script != NULL)
		qmb_buf_add(script, j->script, j->script_len);
	else if (t.s.ncompleted < QMB_NSTAGES) {
		qmb_errf(err, QMB_EXIT_BUSY,
		    "session '%s' has %d of 6 stages approved: approve stage %c first (or review a file with --script)",
		    j->session_id, t.s.ncompleted, qmb_session_current(&t.s));
		goto out;
	} else
		qmb_buf_add(script, cur.data ? cur.data : "", cur.len);
	if (script->error) {
		qmb_errf(err, QMB_EXIT_USAGE, "script too large");
		goto out;
	}
	if ((r->project = strdup(t.s.project)) == NULL ||
	    (t.s.model_type != NULL &&
	    (r->model_type = strdup(t.s.model_type)) == NULL)) {
		qmb_errf(err, QMB_EXIT_IO, "out of memory");
		goto out;
	}
	rc = 0;
out:
	qmb_buf_free(&cur);
	qmb_txn_end(&t);
	return rc;
}

/* The cached record of the script, as a record with source "cache". */
static int
from_cache(struct run *r)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_jw jw;
	const struct qmb_jv *m;
	size_t i;

	if (qmb_rcache_get(r->j->p, r->o->sha, &doc, &e) == -1) {
		if (e.code != QMB_EXIT_NOTFOUND)
			warn_once(r->o, "cache ignored", &e);
		return -1;
	}
	qmb_buf_reset(&r->o->record);
	qmb_jw_init(&jw, &r->o->record, 0);
	qmb_jw_obj_begin(&jw);
	for (i = 0; i < doc.root->len; i++) {
		m = &doc.root->kids[i];
		qmb_jw_key(&jw, m->key);
		if (strcmp(m->key, "source") == 0)
			qmb_jw_str(&jw, "cache");
		else
			qmb_jw_value(&jw, m);
	}
	qmb_jw_obj_end(&jw);
	qmb_json_free(&doc);
	return qmb_jw_finish(&jw);
}

static void
note(struct run *r, int ok, const char *error)
{
	struct qmb_gfail f;
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf b;
	struct qmb_jw jw;

	if (qmb_gfail_note(r->j->p, ok, error, &f, &e) == -1) {
		warn_once(r->o, "failure count", &e);
		return;
	}
	r->o->failures = f.consecutive;
	if (ok || f.consecutive <= QMB_GFAIL_WARN)
		return;
	qmb_buf_init(&b, 4096);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "consecutive", f.consecutive);
	qmb_jw_kstr(&jw, "error", error);
	qmb_jw_obj_end(&jw);
	glog(r, QMB_WARN, "consecutive_failures", &jw, 1);
	qmb_buf_free(&b);
}

static void
append(struct qmb_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
append(struct qmb_err *err, const char *fmt, ...)
{
	size_t n = strlen(err->msg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
}

static void
queue_name(struct run *r)
{
	const struct qmb_review_job *j = r->j;

	if (j->queue_name != NULL)
		snprintf(r->o->queue_name, sizeof(r->o->queue_name), "%s",
		    j->queue_name);
	else if (j->session_id != NULL)
		snprintf(r->o->queue_name, sizeof(r->o->queue_name), "%s",
		    j->session_id);
	else
		snprintf(r->o->queue_name, sizeof(r->o->queue_name),
		    "script-%.16s", r->o->sha);
}

static int
enqueue(struct run *r, struct qmb_err *err)
{
	struct qmb_rqueue_req q;
	struct qmb_err e = QMB_ERR_INIT;
	const char *n = r->o->queue_name;
	int rc;

	memset(&q, 0, sizeof(q));
	snprintf(q.name, sizeof(q.name), "%s", n);
	if (r->j->session_id != NULL)
		snprintf(q.session_id, sizeof(q.session_id), "%s",
		    r->j->session_id);
	snprintf(q.script_sha256, sizeof(q.script_sha256), "%s", r->o->sha);
	snprintf(q.model, sizeof(q.model), "%s", r->j->gem.model);
	snprintf(q.user_id, sizeof(q.user_id), "%s", r->j->user);
	snprintf(q.error_class, sizeof(q.error_class), "%s",
	    qmb_gem_class_name(r->o->cls));
	snprintf(q.last_error, sizeof(q.last_error), "%s", err->msg);
	if (r->j->script != NULL &&
	    (q.script = strndup(r->j->script, r->j->script_len)) == NULL) {
		append(err, "; and the request could not be queued: out of memory");
		err->code = QMB_EXIT_IO;
		return -1;
	}
	q.tries = 1;
	rc = qmb_rqueue_put(r->j->p, &q, &e);
	qmb_rqueue_req_free(&q);
	if (rc == -1) {
		err->code = e.code;
		append(err, "; and the request could not be queued: %s", e.msg);
		return -1;
	}
	r->o->queued = 1;
	if (r->j->session_id != NULL && strcmp(n, r->j->session_id) == 0)
		append(err,
		    "; the request is queued: run 'qmb-review retry %s' later, or 'qmb-review bypass %s --reason TEXT' to go on without it",
		    n, n);
	else
		append(err, "; the request is queued as '%s': run 'qmb-review retry %s' later",
		    n, n);
	return 0;
}

/* Every way a review can fail ends here: log, count, maybe queue. */
static int
failed(struct run *r, const struct qmb_gem_result *res, struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	char msg[QMB_ERR_MSG];

	r->o->cls = res->cls;
	snprintf(msg, sizeof(msg), "%s", err->msg);
	qmb_buf_init(&b, RAW_LOG_MAX + 4096);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "result", qmb_gem_class_name(res->cls));
	qmb_jw_kstr(&jw, "error", msg);
	qmb_jw_kint(&jw, "attempts", res->attempts);
	qmb_jw_kint(&jw, "http_status", res->http);
	qmb_jw_kint(&jw, "duration_ms", res->duration_ms);
	qmb_jw_kstr(&jw, "script_sha256", r->o->sha);
	qmb_jw_kstr(&jw, "model", r->j->gem.model);
	if (res->text.len > 0) {
		qmb_jw_key(&jw, "raw");
		qmb_jw_strn(&jw, res->text.data, res->text.len > RAW_LOG_MAX ?
		    RAW_LOG_MAX : res->text.len);
		if (res->text.len > RAW_LOG_MAX)
			qmb_jw_kint(&jw, "raw_bytes", (int64_t)res->text.len);
	}
	if (res->cls != QMB_GEM_CONFIG)
		note(r, 0, msg);
	if (qmb_gem_queueable(res->cls) && r->j->queue &&
	    enqueue(r, err) == 0)
		qmb_jw_kstr(&jw, "queued", r->o->queue_name);
	qmb_jw_obj_end(&jw);
	glog(r, QMB_ERROR, "review_failed", &jw, 0);
	qmb_buf_free(&b);
	if (res->text.len > 0)
		append(err, "; the answer is kept in the log (qmb-log show %s -a review_failed)",
		    r->j->session_id ? r->j->session_id : "--global");
	return -1;
}

static int
record_session(struct run *r, const struct qmb_jv *rec, struct qmb_err *err)
{
	struct qmb_buf a, l, cur;
	struct qmb_txn t;
	int rc = -1;

	if (qmb_txn_begin(&t, r->j->p, r->j->session_id, r->j->user, err) == -1)
		return -1;
	qmb_buf_init(&a, QMB_JSON_MAX);
	qmb_buf_init(&l, 1 << 16);
	qmb_buf_init(&cur, qmb_io_max_file() * 2);
	if (qmb_rrecord_details(rec, NULL, &a, &l) == -1) {
		qmb_errf(err, QMB_EXIT_INTERNAL, "internal: review details");
		goto out;
	}
	if (qmb_txn_commit(&t, "review_recorded", a.data, l.data, "F", err) == -1)
		goto out;
	r->o->current[0] = '\0';
	if (t.s.ncompleted == QMB_NSTAGES &&
	    qmb_session_script(&t.s, -1, &cur) == 0)
		qmb_sha256(cur.data ? cur.data : "", cur.len, r->o->current);
	rc = 0;
out:
	qmb_buf_free(&a);
	qmb_buf_free(&l);
	qmb_buf_free(&cur);
	qmb_txn_end(&t);
	return rc;
}

/* Record o->record: cache, session (audit, state, log), output, queue. */
static int
recorded(struct run *r, const struct qmb_gem_result *res, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf b;
	struct qmb_jw jw;
	int64_t score = -1;
	int rc = -1;

	if (qmb_json_parse(r->o->record.data, r->o->record.len, 0,
	    QMB_EXIT_INTERNAL, &doc, err) == -1)
		return -1;
	if (!r->o->cached && qmb_rcache_put(r->j->p, r->o->sha,
	    r->o->record.data, r->o->record.len, &e) == -1)
		warn_once(r->o, "cache", &e);
	if (r->j->session_id != NULL) {
		if (record_session(r, doc.root, err) == -1) {
			append(err, " (the review is cached: run 'qmb-review run %s' again to record it)",
			    r->j->session_id);
			goto out;
		}
		if (strcmp(r->o->current, r->o->sha) == 0) {
			if (write_output(r->j->p, doc.root, &e) == -1)
				warn_once(r->o, "output", &e);
			else
				r->o->output = 1;
		}
	}
	if (qmb_rqueue_del(r->j->p, r->o->queue_name, &e) == -1)
		warn_once(r->o, "queue", &e);
	if (!r->o->cached)
		note(r, 1, NULL);
	qmb_buf_init(&b, 4096);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	if (qmb_json_get_int(doc.root, "score", &score) == 0)
		qmb_jw_kint(&jw, "score", score);
	qmb_jw_kstr(&jw, "review_status",
	    qmb_json_get_str(doc.root, "review_status"));
	qmb_jw_kint(&jw, "issues", (int64_t)qmb_rrecord_nissues(doc.root));
	qmb_jw_kstr(&jw, "source", r->o->cached ? "cache" : "gemini");
	qmb_jw_kstr(&jw, "script_sha256", r->o->sha);
	qmb_jw_kstr(&jw, "model", qmb_json_get_str(doc.root, "model"));
	if (res != NULL) {
		qmb_jw_kint(&jw, "attempts", res->attempts);
		qmb_jw_kint(&jw, "duration_ms", res->duration_ms);
		qmb_jw_key(&jw, "usage");
		qmb_jw_obj_begin(&jw);
		qmb_jw_kint(&jw, "prompt", res->in_count);
		qmb_jw_kint(&jw, "output", res->out_count);
		qmb_jw_kint(&jw, "total", res->all_count);
		qmb_jw_obj_end(&jw);
	}
	qmb_jw_obj_end(&jw);
	glog(r, QMB_INFO, r->o->cached ? "review_from_cache" : "review_received",
	    &jw, 0);
	qmb_buf_free(&b);
	rc = 0;
out:
	qmb_json_free(&doc);
	return rc;
}

static void
request_log(struct run *r, const struct qmb_buf *user)
{
	struct qmb_buf b;
	struct qmb_jw jw;

	qmb_buf_init(&b, 4096);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "url", r->j->gem.url);
	qmb_jw_kstr(&jw, "model", r->j->gem.model);
	qmb_jw_kstr(&jw, "script_sha256", r->o->sha);
	qmb_jw_kint(&jw, "prompt_bytes", (int64_t)user->len);
	qmb_jw_kint(&jw, "attempts", r->j->gem.attempts);
	qmb_jw_kint(&jw, "timeout_ms", r->j->gem.timeout_ms);
	qmb_jw_obj_end(&jw);
	glog(r, QMB_DEBUG, "request", &jw, 0);
	qmb_buf_free(&b);
}

static int
ask(struct run *r, const struct qmb_buf *script, struct qmb_err *err)
{
	struct qmb_review_job *j = r->j;
	struct qmb_gem_result res;
	struct qmb_gem_prompt pr = { 0 };
	struct qmb_gem_cfg cfg = j->gem;
	struct qmb_rrecord_meta m;
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf user;
	char ts[QMB_TIME_LEN + 1];
	int rc = -1;

	qmb_gem_result_init(&res);
	qmb_buf_init(&user, qmb_io_max_file() * 2 + 4096);
	if (qmb_prompt_user(r->project, r->model_type, script->data ?
	    script->data : "", script->len, &user) == -1) {
		qmb_errf(err, QMB_EXIT_USAGE, "script too large to review");
		goto out;
	}
	pr.system = j->system;
	pr.user = user.data;
	pr.schema = qmb_rrecord_schema();
	pr.temperature = j->temperature;
	cfg.on_attempt = on_attempt;
	cfg.on_wait = j->gem.on_wait != NULL ? on_wait : NULL;
	cfg.arg = r;
	request_log(r, &user);
	rc = j->ask(&cfg, &pr, &res, err);
	r->o->attempts = res.attempts;
	r->o->duration_ms = res.duration_ms;
	r->o->cls = res.cls;
	if (rc == -1) {
		rc = failed(r, &res, err);
		goto out;
	}
	qmb_time_fmt(qmb_now(), ts);
	m.model = res.model_version[0] ? res.model_version : j->gem.model;
	if (strncmp(m.model, "models/", 7) == 0)
		m.model += 7;
	m.reviewed_at = ts;
	m.script_sha256 = r->o->sha;
	m.source = "gemini";
	if (qmb_json_parse(res.text.data + res.json_off, res.json_len, 0,
	    QMB_EXIT_FAIL, &doc, err) == -1 ||
	    qmb_rrecord_make(doc.root, &m, &r->o->record, err) == -1) {
		res.cls = QMB_GEM_INVALID;
		rc = failed(r, &res, err);
		goto out;
	}
	rc = recorded(r, &res, err);
out:
	qmb_json_free(&doc);
	qmb_buf_free(&user);
	qmb_gem_result_free(&res);
	return rc;
}

int
qmb_review_run(struct qmb_review_job *j, struct qmb_review_outcome *o,
    struct qmb_err *err)
{
	struct run r = { j, o, &j->gem, NULL, NULL };
	struct qmb_buf script;
	int rc = -1;

	o->cls = QMB_GEM_CONFIG;
	qmb_buf_init(&script, qmb_io_max_file() * 2);
	if (j->session_id == NULL && j->script == NULL) {
		qmb_errf(err, QMB_EXIT_INTERNAL, "internal: nothing to review");
		goto out;
	}
	if (load(&r, &script, err) == -1)
		goto out;
	qmb_sha256(script.data ? script.data : "", script.len, o->sha);
	queue_name(&r);
	if (!j->no_cache && from_cache(&r) == 0) {
		o->cached = 1;
		o->cls = QMB_GEM_OK;
		rc = recorded(&r, NULL, err);
		goto out;
	}
	rc = ask(&r, &script, err);
out:
	free(r.project);
	free(r.model_type);
	qmb_buf_free(&script);
	return rc;
}

int
qmb_review_bypass(struct qmb_proj *p, const char *id, const char *user,
    const char *reason, struct qmb_review_outcome *o, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf script, a, l;
	struct qmb_txn t;
	int rc = -1;

	if (qmb_txn_begin(&t, p, id, user, err) == -1)
		return -1;
	qmb_buf_init(&script, qmb_io_max_file() * 2);
	qmb_buf_init(&a, QMB_JSON_MAX);
	qmb_buf_init(&l, 1 << 16);
	if (t.s.ncompleted < QMB_NSTAGES) {
		qmb_errf(err, QMB_EXIT_BUSY,
		    "session '%s' has %d of 6 stages approved: approve stage %c first",
		    id, t.s.ncompleted, qmb_session_current(&t.s));
		goto out;
	}
	if (qmb_session_script(&t.s, -1, &script) == -1) {
		qmb_errf(err, QMB_EXIT_IO, "script too large");
		goto out;
	}
	qmb_sha256(script.data ? script.data : "", script.len, o->sha);
	snprintf(o->current, sizeof(o->current), "%s", o->sha);
	if (qmb_rrecord_bypass(o->sha, user, reason, &o->record,
	    err) == -1 ||
	    qmb_json_parse(o->record.data, o->record.len, 0, QMB_EXIT_INTERNAL,
	    &doc, err) == -1)
		goto out;
	if (qmb_rrecord_details(doc.root, reason, &a, &l) == -1) {
		qmb_errf(err, QMB_EXIT_INTERNAL, "internal: bypass details");
		goto out;
	}
	if (qmb_txn_commit(&t, "review_bypassed", a.data, l.data, "F", err) == -1)
		goto out;
	qmb_txn_end(&t);
	if (write_output(p, doc.root, &e) == -1)
		warn_once(o, "output", &e);
	else
		o->output = 1;
	if (qmb_rqueue_del(p, id, &e) == -1)
		warn_once(o, "queue", &e);
	rc = 0;
	goto done;
out:
	qmb_txn_end(&t);
done:
	qmb_json_free(&doc);
	qmb_buf_free(&script);
	qmb_buf_free(&a);
	qmb_buf_free(&l);
	return rc;
}

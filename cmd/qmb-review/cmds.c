/* SPDX-License-Identifier: MIT */
/*
 * show, queue, bypass and ping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_log.h"
#include "qmb_session.h"
#include "review.h"

static int
emit(struct qmb_buf *b, struct qmb_err *err)
{
	if (b->error) {
		qmb_buf_free(b);
		return qmb_errf(err, QMB_EXIT_INTERNAL, "internal: output too large");
	}
	fputs(b->data ? b->data : "", stdout);
	qmb_buf_free(b);
	return 0;
}

/* A damaged session file is shown from its backup, with a warning. */
static int
load_ro(const struct opts *o, struct qmb_proj *p, const char *id,
    struct qmb_session *s, struct qmb_err *err)
{
	struct qmb_err e2 = QMB_ERR_INIT;
	enum qmb_cur cur;

	if (qmb_session_load(p, id, s, &cur, err) == 0)
		return 0;
	if (err->code != QMB_EXIT_CORRUPT ||
	    qmb_session_load_bak(p, id, s, &e2) == -1)
		return -1;
	if (!o->c.quiet)
		qmb_warn("session '%s' is damaged; showing its backup (run 'qmb-recover repair %s')",
		    id, id);
	return 0;
}

int
cmd_show(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_session s;
	struct qmb_buf b, script;
	struct qmb_jw jw;
	char sha[QMB_SHA256_HEX + 1];
	const char *cur = NULL;
	const struct qmb_jv *r;
	int rc = -1;

	(void)argc;
	if (qmb_id_check(argv[0], err) == -1 ||
	    load_ro(o, p, argv[0], &s, err) == -1)
		return -1;
	if (qmb_json_parse(s.reviews ? s.reviews : "[]", s.reviews ?
	    strlen(s.reviews) : 2, 0, QMB_EXIT_CORRUPT, &doc, err) == -1)
		goto out;
	if (doc.root->len == 0) {
		qmb_errf(err, QMB_EXIT_NOTFOUND,
		    "session '%s' has no review yet: run 'qmb-review run %s'",
		    argv[0], argv[0]);
		goto out;
	}
	r = &doc.root->kids[doc.root->len - 1];
	if (s.ncompleted == QMB_NSTAGES) {
		qmb_buf_init(&script, qmb_io_max_file() * 2);
		qmb_session_script(&s, -1, &script);
		qmb_sha256(script.data ? script.data : "", script.len, sha);
		qmb_buf_free(&script);
		cur = sha;
	} else
		cur = "";
	qmb_buf_init(&b, 64u << 20);
	if (o->c.json) {
		qmb_jw_init(&jw, &b, 0);
		qmb_jw_value(&jw, r);
		qmb_buf_addc(&b, '\n');
	} else
		qmb_rrecord_render(r, argv[0], cur, qmb_now(), &b);
	rc = emit(&b, err);
out:
	qmb_json_free(&doc);
	qmb_session_free(&s);
	return rc;
}

static void
queue_line(const struct opts *o, const struct qmb_rqueue_req *q,
    struct qmb_buf *b)
{
	struct qmb_jw jw;
	char ago[64];
	int64_t t;

	if (o->c.json) {
		qmb_jw_init(&jw, b, 0);
		qmb_jw_obj_begin(&jw);
		qmb_jw_kstr(&jw, "name", q->name);
		qmb_jw_key(&jw, "session_id");
		qmb_jw_str(&jw, q->session_id[0] ? q->session_id : NULL);
		qmb_jw_kstr(&jw, "script_sha256", q->script_sha256);
		qmb_jw_kstr(&jw, "model", q->model);
		qmb_jw_kstr(&jw, "user_id", q->user_id);
		qmb_jw_kstr(&jw, "queued_at", q->queued_at);
		qmb_jw_kstr(&jw, "updated_at", q->updated_at);
		qmb_jw_kint(&jw, "tries", q->tries);
		qmb_jw_kstr(&jw, "error_class", q->error_class);
		qmb_jw_kstr(&jw, "last_error", q->last_error);
		qmb_jw_obj_end(&jw);
		qmb_buf_addc(b, '\n');
		return;
	}
	ago[0] = '\0';
	if (qmb_time_parse(q->queued_at, &t) == 0)
		qmb_time_ago(t, qmb_now(), ago, sizeof(ago));
	qmb_buf_addf(b, "%s  %s, queued %s, %lld failed tr%s\n    last error: %.160s\n",
	    q->name, q->session_id[0] ? "session" : "script alone", ago,
	    (long long)q->tries, q->tries == 1 ? "y" : "ies", q->last_error);
}

int
cmd_queue(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_rqueue_req q;
	struct qmb_err e2;
	struct qmb_buf b;
	char **names;
	size_t n, i, shown = 0;
	int rc;

	(void)argc, (void)argv;
	if (qmb_rqueue_list(p, &names, &n, err) == -1)
		return -1;
	qmb_buf_init(&b, 64u << 20);
	for (i = 0; i < n; i++) {
		if (qmb_rqueue_get(p, names[i], &q, &e2) == -1)
			qmb_warn("%s", e2.msg);
		else {
			queue_line(o, &q, &b);
			qmb_rqueue_req_free(&q);
			shown++;
		}
		free(names[i]);
	}
	free(names);
	if (!o->c.json && !o->c.quiet) {
		if (shown == 0)
			qmb_buf_adds(&b, "No review is queued.\n");
		else
			qmb_buf_addf(&b, "%zu review%s queued: 'qmb-review retry' sends %s again.\n",
			    shown, shown == 1 ? "" : "s", shown == 1 ? "it" : "them");
	}
	rc = emit(&b, err);
	return rc;
}

int
cmd_bypass(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_review_outcome out;
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf b;
	struct qmb_jw jw;
	int rc = -1;

	(void)argc;
	qmb_review_outcome_init(&out);
	if (qmb_id_check(argv[0], err) == -1 ||
	    qmb_review_bypass(p, argv[0], o->c.user, o->reason, &out,
	    err) == -1)
		goto out;
	say_warning(o, &out);
	qmb_buf_init(&b, QMB_JSON_MAX);
	if (o->c.json) {
		if (qmb_json_parse(out.record.data, out.record.len, 0,
		    QMB_EXIT_INTERNAL, &doc, err) == -1) {
			qmb_buf_free(&b);
			goto out;
		}
		qmb_jw_init(&jw, &b, 0);
		qmb_jw_obj_begin(&jw);
		qmb_jw_kstr(&jw, "session_id", argv[0]);
		qmb_jw_kstr(&jw, "script_sha256", out.sha);
		qmb_jw_key(&jw, "review");
		qmb_jw_value(&jw, doc.root);
		qmb_jw_obj_end(&jw);
		qmb_buf_addc(&b, '\n');
	} else if (!o->c.quiet)
		qmb_buf_addf(&b, "Review of session %s bypassed by %s: %s\n"
		    "'qmb-session complete %s' can finish the session now.\n",
		    argv[0], o->c.user, o->reason, argv[0]);
	rc = emit(&b, err);
out:
	qmb_json_free(&doc);
	qmb_review_outcome_free(&out);
	return rc;
}

static void
ping_log(struct qmb_proj *p, const struct opts *o, const struct gem *g,
    const struct qmb_gem_result *res)
{
	struct qmb_logent e = { 0 };
	struct qmb_err le = QMB_ERR_INIT;
	struct qmb_buf b;
	struct qmb_jw jw;

	qmb_buf_init(&b, 4096);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "result", qmb_gem_class_name(res->cls));
	qmb_jw_kint(&jw, "http_status", res->http);
	qmb_jw_kint(&jw, "attempts", res->attempts);
	qmb_jw_kint(&jw, "duration_ms", res->duration_ms);
	qmb_jw_kstr(&jw, "url", g->cfg.url);
	qmb_jw_kstr(&jw, "model", g->cfg.model);
	if (res->msg[0] != '\0')
		qmb_jw_kstr(&jw, "error", res->msg);
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == 0) {
		e.level = res->cls == QMB_GEM_OK ? QMB_INFO : QMB_WARN;
		e.component = "gemini";
		e.action = "ping";
		e.details = b.data;
		e.user_id = o->c.user;
		if (qmb_log_write(p, &e, &le) == -1 && o->c.verbose)
			qmb_warn("log: %s", le.msg);
	}
	qmb_buf_free(&b);
}

int
cmd_ping(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_gem_prompt pr = { 0 };
	struct qmb_gem_result res;
	struct qmb_err e2 = QMB_ERR_INIT;
	struct qmb_buf b;
	struct qmb_jw jw;
	struct gem g;
	int rc = -1;

	(void)argc, (void)argv;
	qmb_gem_result_init(&res);
	if (gem_setup(o, p, 1, &g, err) == -1 || key_get(&g, err) == -1)
		goto out;
	pr.user = "Reply with the single word: pong";
	pr.max_tokens = 64;
	pr.ping = 1;
	rc = qmb_gem_generate(&g.cfg, &pr, &res, err);
	ping_log(p, o, &g, &res);
	qmb_buf_init(&b, 1 << 16);
	if (o->c.json) {
		qmb_jw_init(&jw, &b, 0);
		qmb_jw_obj_begin(&jw);
		qmb_jw_key(&jw, "ok");
		qmb_jw_bool(&jw, rc == 0);
		qmb_jw_kstr(&jw, "url", g.cfg.url);
		qmb_jw_kstr(&jw, "model", g.cfg.model);
		qmb_jw_kstr(&jw, "key_from", g.key_from);
		qmb_jw_kint(&jw, "http_status", res.http);
		qmb_jw_kint(&jw, "attempts", res.attempts);
		qmb_jw_kint(&jw, "duration_ms", res.duration_ms);
		qmb_jw_kstr(&jw, "result", qmb_gem_class_name(res.cls));
		if (rc == -1)
			qmb_jw_kstr(&jw, "message", err->msg);
		qmb_jw_obj_end(&jw);
		qmb_buf_addc(&b, '\n');
	} else if (rc == 0 && !o->c.quiet)
		qmb_buf_addf(&b, "Gemini answers: model %s at %s (HTTP 200 in %ld ms; the key from %s works).\n",
		    g.cfg.model, g.cfg.url, res.duration_ms, g.key_from);
	if (emit(&b, &e2) == -1 && rc == 0) {
		*err = e2;
		rc = -1;
	}
out:
	gem_done(&g);
	qmb_gem_result_free(&res);
	return rc;
}

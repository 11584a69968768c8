/* SPDX-License-Identifier: MIT */
/*
 * run and retry: ask Gemini, record the answer, queue what failed, and
 * work the queue one run at a time.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_lock.h"
#include "qmb_session.h"
#include "review.h"

/* --script FILE or -: UTF-8 text, not empty. */
static int
read_script(const char *file, struct qmb_buf *b, struct qmb_err *err)
{
	struct stat st;
	int fd, rc;

	qmb_buf_init(b, qmb_io_max_file());
	if (strcmp(file, "-") == 0)
		rc = qmb_io_read_fd(STDIN_FILENO, "standard input", b->max,
		    QMB_EXIT_USAGE, b, err);
	else {
		fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd == -1)
			return qmb_errsys(err, errno == ENOENT ?
			    QMB_EXIT_USAGE : QMB_EXIT_IO, "open '%s'", file);
		if (fstat(fd, &st) == -1 || S_ISDIR(st.st_mode)) {
			close(fd);
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "'%s' is not a file", file);
		}
		rc = qmb_io_read_fd(fd, file, b->max, QMB_EXIT_USAGE, b, err);
		close(fd);
	}
	if (rc == 0 && (b->len == 0 || memchr(b->data, '\0', b->len) != NULL ||
	    qmb_utf8_valid(b->data, b->len) == -1))
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "script '%s' is empty or not UTF-8 text", file);
	return rc;
}

static void
job_init(struct qmb_review_job *j, const struct opts *o, struct qmb_proj *p,
    struct gem *g, const struct qmb_buf *prompt)
{
	memset(j, 0, sizeof(*j));
	j->p = p;
	j->user = o->c.user;
	j->system = prompt->data;
	j->temperature = g->temperature;
	j->queue = 1;
	j->gem = g->cfg;
	j->ask = gem_ask;
}

static int
print_json(struct qmb_buf *b, struct qmb_jw *jw, struct qmb_err *err)
{
	qmb_jw_obj_end(jw);
	if (qmb_jw_finish(jw) == -1) {
		qmb_buf_free(b);
		return qmb_errf(err, QMB_EXIT_INTERNAL, "internal: JSON output");
	}
	printf("%s\n", b->data);
	qmb_buf_free(b);
	return 0;
}

static int
print_done(const struct opts *o, const char *id,
    const struct qmb_review_outcome *out, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf b;
	struct qmb_jw jw;

	if (o->c.quiet && !o->c.json)
		return 0;
	if (qmb_json_parse(out->record.data, out->record.len, 0,
	    QMB_EXIT_INTERNAL, &doc, err) == -1)
		return -1;
	qmb_buf_init(&b, QMB_JSON_MAX);
	if (o->c.json) {
		qmb_jw_init(&jw, &b, 0);
		qmb_jw_obj_begin(&jw);
		qmb_jw_key(&jw, "session_id");
		qmb_jw_str(&jw, id);
		qmb_jw_kstr(&jw, "script_sha256", out->sha);
		qmb_jw_kstr(&jw, "source", out->cached ? "cache" : "gemini");
		qmb_jw_kint(&jw, "attempts", out->attempts);
		qmb_jw_key(&jw, "output");
		qmb_jw_str(&jw, out->output ? "stage2_output/gemini_review.json" :
		    NULL);
		qmb_jw_key(&jw, "review");
		qmb_jw_value(&jw, doc.root);
		qmb_json_free(&doc);
		return print_json(&b, &jw, err);
	}
	qmb_rrecord_render(doc.root, id, id ? out->current : NULL, qmb_now(),
	    &b);
	if (out->cached)
		qmb_buf_adds(&b, "\n(From the cache: this script was reviewed before; --no-cache asks Gemini again.)\n");
	if (out->output)
		qmb_buf_adds(&b, "\nSaved to stage2_output/gemini_review.json.\n");
	if (id != NULL && strcmp(out->current, out->sha) == 0)
		qmb_buf_addf(&b, "Next: qmb-session complete %s\n", id);
	fputs(b.data ? b.data : "", stdout);
	qmb_buf_free(&b);
	qmb_json_free(&doc);
	return 0;
}

/* With --json, a failed run also says so on stdout, for programs. */
static void
print_failed(const struct opts *o, const char *id,
    const struct qmb_review_outcome *out, const struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	struct qmb_err e2;

	if (!o->c.json)
		return;
	qmb_buf_init(&b, 1 << 16);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_key(&jw, "session_id");
	qmb_jw_str(&jw, id);
	qmb_jw_kstr(&jw, "error", qmb_gem_class_name(out->cls));
	qmb_jw_kstr(&jw, "message", err->msg);
	qmb_jw_kint(&jw, "exit", err->code);
	qmb_jw_kint(&jw, "attempts", out->attempts);
	qmb_jw_key(&jw, "queued");
	qmb_jw_str(&jw, out->queued ? out->queue_name : NULL);
	print_json(&b, &jw, &e2);
}

int
cmd_run(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_review_job j;
	struct qmb_review_outcome out;
	struct qmb_buf prompt, script;
	struct qmb_err kerr = QMB_ERR_INIT;
	struct gem g;
	const char *id = argc > 0 ? argv[0] : NULL;
	int rc = -1;

	qmb_review_outcome_init(&out);
	qmb_buf_init(&prompt, 1);
	qmb_buf_init(&script, 1);
	if ((id != NULL && qmb_id_check(id, err) == -1) ||
	    gem_setup(o, p, 0, &g, err) == -1 ||
	    prompt_text(&prompt, err) == -1 ||
	    (o->script != NULL && read_script(o->script, &script, err) == -1))
		goto out;
	/* a missing key matters only if the cache cannot answer */
	if (key_get(&g, &kerr) == -1 && o->key_file != NULL) {
		*err = kerr;
		goto out;
	}
	job_init(&j, o, p, &g, &prompt);
	j.session_id = id;
	if (o->script != NULL) {
		j.script = script.data;
		j.script_len = script.len;
	}
	j.no_cache = (o->set & O_NO_CACHE) != 0;
	if (qmb_review_run(&j, &out, err) == -1) {
		print_failed(o, id, &out, err);
		say_warning(o, &out);
		goto out;
	}
	say_warning(o, &out);
	rc = print_done(o, id, &out, err);
out:
	gem_done(&g);
	qmb_buf_free(&prompt);
	qmb_buf_free(&script);
	qmb_review_outcome_free(&out);
	return rc;
}

/* ---- retry --------------------------------------------------------- */

static void
say(const struct opts *o, const char *name, const char *result,
    const char *msg)
{
	if (o->c.json)
		printf("{\"name\":\"%s\",\"result\":\"%s\"}\n", name, result);
	else if (!o->c.quiet)
		printf("%s\n", msg);
}

/* A damaged entry goes to .qmb/corrupt/ so it cannot block the queue. */
static int
set_aside(const struct opts *o, struct qmb_proj *p, const char *name,
    const struct qmb_err *why, struct qmb_err *err)
{
	char file[NAME_MAX + 1], kept[PATH_MAX];
	int qfd, cfd;

	snprintf(file, sizeof(file), "%s.json", name);
	if ((qfd = qmb_proj_dir(p, QMB_D_QUEUE_REVIEW, 0, err)) == -1 ||
	    (cfd = qmb_proj_dir(p, QMB_D_CORRUPT, 1, err)) == -1 ||
	    qmb_atomic_keep_corrupt(qfd, file, cfd, 1, kept, err) == -1)
		return -1;
	qmb_warn("%s; moved it to .qmb/corrupt/%s", why->msg, kept);
	(void)o;
	return 0;
}

/* 1 when the entry no longer needs a review (and was dropped). */
static int
stale(const struct opts *o, struct qmb_proj *p, const struct qmb_rqueue_req *q,
    struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_session s;
	const struct qmb_jv *r = NULL;
	struct qmb_buf script;
	enum qmb_cur cur;
	char sha[QMB_SHA256_HEX + 1], msg[QMB_ERR_MSG];
	const char *why = NULL;

	if (q->session_id[0] == '\0' || q->script != NULL)
		return 0;
	if (qmb_session_load(p, q->session_id, &s, &cur, err) == -1) {
		if (err->code != QMB_EXIT_NOTFOUND)
			return -1;
		why = "the session is gone";
	} else if (s.ncompleted < QMB_NSTAGES)
		why = "its stages are no longer all approved";
	else {
		qmb_buf_init(&script, qmb_io_max_file() * 2);
		qmb_session_script(&s, -1, &script);
		qmb_sha256(script.data ? script.data : "", script.len, sha);
		qmb_buf_free(&script);
		if (qmb_session_review_for(&s, sha, &doc, &r, err) == 0 &&
		    r != NULL)
			why = "its current script has a review already";
		qmb_json_free(&doc);
	}
	qmb_session_free(&s);
	if (why == NULL)
		return 0;
	if (qmb_rqueue_del(p, q->name, err) == -1)
		return -1;
	snprintf(msg, sizeof(msg), "Dropped the queued review of session %s: %s.",
	    q->session_id, why);
	say(o, q->name, "dropped", msg);
	return 1;
}

static int
retry_one(const struct opts *o, struct qmb_proj *p, struct gem *g,
    const struct qmb_buf *prompt, const char *name, struct qmb_err *err)
{
	struct qmb_rqueue_req q;
	struct qmb_review_job j;
	struct qmb_review_outcome out;
	struct qmb_json_doc doc = { 0 };
	char msg[QMB_ERR_MSG], ago[64];
	int64_t score = -1, t;
	int rc;

	if (qmb_rqueue_get(p, name, &q, err) == -1) {
		struct qmb_err why = *err;

		if (err->code == QMB_EXIT_CORRUPT)
			return set_aside(o, p, name, &why, err);
		return -1;
	}
	if ((rc = stale(o, p, &q, err)) != 0) {
		qmb_rqueue_req_free(&q);
		return rc == 1 ? 0 : -1;
	}
	qmb_review_outcome_init(&out);
	job_init(&j, o, p, g, prompt);
	j.session_id = q.session_id[0] ? q.session_id : NULL;
	if (q.script != NULL) {
		j.script = q.script;
		j.script_len = strlen(q.script);
	}
	if (o->model == NULL && q.model[0] != '\0')
		j.gem.model = q.model;
	j.queue_name = q.name;
	rc = qmb_review_run(&j, &out, err);
	say_warning(o, &out);
	if (rc == 0 && qmb_json_parse(out.record.data, out.record.len, 0,
	    QMB_EXIT_INTERNAL, &doc, err) == 0) {
		qmb_json_get_int(doc.root, "score", &score);
		ago[0] = '\0';
		if (qmb_time_parse(q.queued_at, &t) == 0)
			qmb_time_ago(t, qmb_now(), ago, sizeof(ago));
		snprintf(msg, sizeof(msg), "Reviewed %s%s: score %lld/100, %s (queued %s).",
		    j.session_id ? "session " : "", name, (long long)score,
		    strcmp(qmb_json_get_str(doc.root, "review_status"),
		    "approved") == 0 ? "approved" : "issues found", ago);
		say(o, name, "reviewed", msg);
		qmb_json_free(&doc);
	} else if (rc == -1 && o->c.json)
		print_failed(o, j.session_id, &out, err);
	qmb_review_outcome_free(&out);
	qmb_rqueue_req_free(&q);
	return rc;
}

int
cmd_retry(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	struct qmb_buf prompt;
	struct gem g;
	char **names = NULL, *one[1] = { NULL };
	size_t n = 0, i;
	int dfd, rc = -1;

	if (argc == 1 && qmb_id_check(argv[0], err) == -1)
		return -1;
	if ((dfd = qmb_proj_dir(p, QMB_D_QUEUE_REVIEW, 0, err)) == -1) {
		if (err->code != QMB_EXIT_NOTFOUND)
			return -1;
		if (argc == 1)
			return qmb_errf(err, QMB_EXIT_NOTFOUND,
			    "no queued review '%s' (see 'qmb-review queue')", argv[0]);
		if (o->c.verbose)
			fprintf(stderr, "%s: no review is queued\n", qmb_progname());
		return 0;
	}
	if (qmb_lock_take(&l, dfd, QMB_RQUEUE_LOCK, LOCK_EX, 0,
	    qmb_proj_fmode(p), "the review queue", err) == -1) {
		if (err->code != QMB_EXIT_BUSY)
			return -1;
		if (o->c.verbose)
			fprintf(stderr, "%s: another 'qmb-review retry' is working the queue\n",
			    qmb_progname());
		return 0;
	}
	qmb_buf_init(&prompt, 1);
	memset(&g, 0, sizeof(g));
	if (argc == 1) {
		char file[NAME_MAX + 1];

		snprintf(file, sizeof(file), "%s.json", argv[0]);
		if (faccessat(dfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == -1) {
			qmb_errf(err, QMB_EXIT_NOTFOUND,
			    "no queued review '%s' (see 'qmb-review queue')", argv[0]);
			goto out;
		}
		one[0] = argv[0];
		n = 1;
	} else if (qmb_rqueue_list(p, &names, &n, err) == -1)
		goto out;
	if (n == 0) {
		if (o->c.verbose)
			fprintf(stderr, "%s: no review is queued\n", qmb_progname());
		rc = 0;
		goto out;
	}
	if (gem_setup(o, p, 0, &g, err) == -1 ||
	    prompt_text(&prompt, err) == -1 || key_get(&g, err) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (retry_one(o, p, &g, &prompt, names ? names[i] : one[0],
		    err) == -1)
			goto out;
	rc = 0;
out:
	gem_done(&g);
	for (i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
	qmb_buf_free(&prompt);
	qmb_lock_release(&l);
	return rc;
}

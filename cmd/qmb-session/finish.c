/* SPDX-License-Identifier: MIT */
/*
 * Subcommands that move a whole session: import, complete, archive.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_retention.h"
#include "qmb_session.h"
#include "qmb_sha256.h"
#include "qmb_txn.h"
#include "qmb_view.h"
#include "session.h"

static int
say(const struct opts *o, const struct qmb_session *s, const char *msg,
    struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_jw jw;

	if (!o->c.json) {
		if (!o->c.quiet)
			printf("%s\n", msg);
		return 0;
	}
	qmb_buf_init(&b, 1 << 20);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_view_summary(s, &jw);
	qmb_jw_kstr(&jw, "message", msg);
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == -1) {
		qmb_buf_free(&b);
		return qmb_errf(err, QMB_EXIT_INTERNAL, "internal: JSON output");
	}
	printf("%s\n", b.data);
	qmb_buf_free(&b);
	return 0;
}

/* ---- import ------------------------------------------------------- */

static int
read_import(const char *file, struct qmb_json_doc *doc, struct qmb_session *s,
    struct qmb_err *err)
{
	struct qmb_buf b;
	int fd, rc;

	qmb_buf_init(&b, qmb_io_max_file());
	if (strcmp(file, "-") == 0)
		rc = qmb_io_read_fd(STDIN_FILENO, "standard input", b.max,
		    QMB_EXIT_USAGE, &b, err);
	else if ((fd = open_input(file, err)) == -1)
		rc = -1;
	else {
		rc = qmb_io_read_fd(fd, file, b.max, QMB_EXIT_USAGE, &b, err);
		close(fd);
	}
	if (rc == 0)
		rc = qmb_json_parse(b.data, b.len, b.max, QMB_EXIT_USAGE, doc, err);
	if (rc == 0)
		rc = qmb_session_from_jv(doc->root, NULL, QMB_EXIT_USAGE, s, err);
	if (rc == -1 && err->code == QMB_EXIT_USAGE)
		qmb_err_prefix(err, "import '%s'", file);
	qmb_buf_free(&b);
	return rc;
}

int
cmd_import(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_session in;
	struct qmb_audit_head h;
	struct qmb_txn t;
	struct qmb_buf d;
	struct qmb_jw jw;
	char msg[256];
	int rc = -1, exists;

	(void)argc;
	if (read_import(argv[0], &doc, &in, err) == -1) {
		qmb_json_free(&doc);
		return -1;
	}
	if (qmb_txn_begin(&t, p, in.id, o->c.user, err) == -1) {
		exists = err->code != QMB_EXIT_NOTFOUND;
		if (err->code == QMB_EXIT_BUSY || err->code == QMB_EXIT_IO ||
		    (exists && !(o->set & O_FORCE)))
			goto out;
		/* missing, or damaged and --force: lock and replace */
		qmb_txn_end(&t);
		if (qmb_session_lock(p, in.id, &t.lock, err) == -1)
			goto out;
		qmb_session_init(&t.s);
		t.p = p;
		t.user = o->c.user;
		t.cur = exists ? QMB_CUR_UNKNOWN : QMB_CUR_MISSING;
		if (qmb_audit_head(p, in.id, &h, err) == -1)
			goto end;
		if (h.seq > 0 && !(o->set & O_FORCE)) {
			qmb_errf(err, QMB_EXIT_BUSY,
			    "session '%s' has an audit trail; use --force to import over it",
			    in.id);
			goto end;
		}
	} else if (!(o->set & O_FORCE)) {
		qmb_errf(err, QMB_EXIT_BUSY,
		    "session '%s' exists; use --force to replace it", in.id);
		goto end;
	}
	snprintf(t.s.id, sizeof(t.s.id), "%s", in.id);
	qmb_buf_init(&d, qmb_io_max_file() + 4096);
	qmb_jw_init(&jw, &d, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_key(&jw, "session");
	qmb_jw_value(&jw, doc.root);
	qmb_jw_obj_end(&jw);
	rc = qmb_jw_finish(&jw) == -1 ? qmb_errf(err, QMB_EXIT_USAGE,
	    "import too large") : qmb_txn_commit(&t, "session_imported", d.data,
	    "{}", NULL, err);
	qmb_buf_free(&d);
	warn_txn(o, &t);
	if (rc == 0) {
		snprintf(msg, sizeof(msg), "Imported session %s (%s).", t.s.id,
		    t.s.project);
		rc = say(o, &t.s, msg, err);
	}
end:
	qmb_txn_end(&t);
out:
	qmb_session_free(&in);
	qmb_json_free(&doc);
	return rc;
}

/* ---- complete ----------------------------------------------------- */

static int
model_json(const struct qmb_session *s, const char *sha,
    const struct qmb_jv *review, const char *done_at, struct qmb_buf *b)
{
	struct qmb_jw jw;
	char st[2] = { 0, 0 };
	int i;

	qmb_jw_init(&jw, b, 1);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "session_id", s->id);
	qmb_jw_kstr(&jw, "project_name", s->project);
	qmb_jw_key(&jw, "model_type");
	qmb_jw_str(&jw, s->model_type);
	qmb_jw_key(&jw, "stages");
	qmb_jw_arr_begin(&jw);
	for (i = 0; i < QMB_NSTAGES; i++) {
		char h[QMB_SHA256_HEX + 1];

		st[0] = (char)('A' + i);
		qmb_sha256(s->parts[i], strlen(s->parts[i]), h);
		qmb_jw_obj_begin(&jw);
		qmb_jw_kstr(&jw, "stage", st);
		qmb_jw_kstr(&jw, "name", qmb_stage_name(i));
		qmb_jw_kint(&jw, "tables", qmb_script_tables(s->parts[i]));
		qmb_jw_kstr(&jw, "script_sha256", h);
		qmb_jw_obj_end(&jw);
	}
	qmb_jw_arr_end(&jw);
	qmb_jw_kstr(&jw, "script_sha256", sha);
	qmb_jw_key(&jw, "review");
	qmb_jw_value(&jw, review);
	qmb_jw_kstr(&jw, "completed_at", done_at);
	qmb_jw_kstr(&jw, "user_id", s->user_id);
	qmb_jw_obj_end(&jw);
	qmb_buf_addc(b, '\n');
	return qmb_jw_finish(&jw) == -1 || b->error ? -1 : 0;
}

static int
write_outputs(struct qmb_proj *p, const struct qmb_session *s,
    const struct qmb_buf *script, const char *sha, const struct qmb_jv *review,
    struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	char ts[QMB_TIME_LEN + 1];
	int fd, rc = -1;

	if ((fd = qmb_proj_outdir(p, err)) == -1)
		return -1;
	qmb_time_fmt(qmb_now(), ts);
	qmb_buf_init(&b, qmb_io_max_file() * 2);
	if (model_json(s, sha, review, s->complete ? s->completed_at : ts,
	    &b) == -1) {
		qmb_errf(err, QMB_EXIT_IO, "model.json too large");
		goto out;
	}
	if (qmb_atomic_write(fd, "script.qvs", script->data, script->len,
	    qmb_proj_fmode(p), err) == -1 ||
	    qmb_atomic_write(fd, "model.json", b.data, b.len, qmb_proj_fmode(p),
	    err) == -1)
		goto out;
	qmb_buf_reset(&b);
	qmb_jw_init(&jw, &b, 1);
	qmb_jw_value(&jw, review);
	qmb_buf_addc(&b, '\n');
	if (qmb_jw_finish(&jw) == -1 || qmb_atomic_write(fd, "gemini_review.json",
	    b.data, b.len, qmb_proj_fmode(p), err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		qmb_err_prefix(err, "write stage2_output");
	qmb_buf_free(&b);
	close(fd);
	return rc;
}

/* The review that lets s complete: for the current script, score ok. */
static int
usable_review(const struct opts *o, const struct qmb_session *s,
    const char *sha, struct qmb_json_doc *doc, const struct qmb_jv **r,
    struct qmb_err *err)
{
	const char *src;
	int64_t score = -1;

	if (qmb_session_review_for(s, sha, doc, r, err) == -1)
		return -1;
	if (*r == NULL)
		return qmb_errf(err, QMB_EXIT_NOTFOUND,
		    "no review of the current script of session '%s': run 'qmb-review run %s' (or 'qmb-review bypass %s --reason TEXT')",
		    s->id, s->id, s->id);
	src = qmb_json_get_str(*r, "source");
	qmb_json_get_int(*r, "score", &score);
	if ((o->set & O_MIN_SCORE) && (src == NULL || strcmp(src, "bypass")) &&
	    score < o->min_score)
		return qmb_errf(err, QMB_EXIT_FAIL,
		    "review score %lld is below --min-score %ld: fix the issues, re-approve and review again",
		    (long long)score, o->min_score);
	return 0;
}

int
cmd_complete(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	const struct qmb_jv *r;
	struct qmb_txn t;
	struct qmb_buf script;
	char sha[QMB_SHA256_HEX + 1], det[512], msg[256];
	int64_t score = -1;
	int rc = -1;

	(void)argc;
	if (qmb_txn_begin(&t, p, argv[0], o->c.user, err) == -1)
		return -1;
	qmb_buf_init(&script, qmb_io_max_file() * 2);
	if (t.s.ncompleted < QMB_NSTAGES) {
		qmb_errf(err, QMB_EXIT_BUSY,
		    "session '%s' has %d of 6 stages approved: approve stage %c first",
		    argv[0], t.s.ncompleted, qmb_session_current(&t.s));
		goto out;
	}
	if (qmb_session_script(&t.s, -1, &script) == -1) {
		qmb_errf(err, QMB_EXIT_IO, "script too large");
		goto out;
	}
	qmb_sha256(script.data, script.len, sha);
	if (usable_review(o, &t.s, sha, &doc, &r, err) == -1 ||
	    write_outputs(p, &t.s, &script, sha, r, err) == -1)
		goto out;
	qmb_json_get_int(r, "score", &score);
	if (t.s.complete) {
		snprintf(msg, sizeof(msg), "Session %s was already complete; stage2_output/ written again.",
		    t.s.id);
		rc = say(o, &t.s, msg, err);
		goto out;
	}
	snprintf(det, sizeof(det), "{\"script_sha256\":\"%s\",\"score\":%lld,\"review_source\":\"%s\"}",
	    sha, (long long)score, qmb_json_get_str(r, "source") ?
	    qmb_json_get_str(r, "source") : "gemini");
	if (qmb_txn_commit(&t, "script_approved", det, NULL, "F", err) == -1)
		goto out;
	warn_txn(o, &t);
	if (score >= 0)
		snprintf(msg, sizeof(msg), "\xe2\x9c\x85 Complete! Score: %lld/100", (long long)score);
	else
		snprintf(msg, sizeof(msg), "\xe2\x9c\x85 Complete! (review bypassed)");
	rc = say(o, &t.s, msg, err);
out:
	qmb_json_free(&doc);
	qmb_buf_free(&script);
	qmb_txn_end(&t);
	return rc;
}

/* ---- archive ------------------------------------------------------ */

int
cmd_archive(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_session s;
	enum qmb_cur cur;
	char msg[256];

	(void)argc;
	if (qmb_id_check(argv[0], err) == -1)
		return -1;
	if (archive_id(o, p, argv[0], err) == -1)
		return -1;
	snprintf(msg, sizeof(msg), "Archived session %s to .qmb/archive/sessions/.",
	    argv[0]);
	if (!o->c.json)
		return say(o, NULL, msg, err);
	qmb_session_init(&s);
	snprintf(s.id, sizeof(s.id), "%s", argv[0]);
	(void)cur;
	printf("{\"session_id\":\"%s\",\"status\":\"archived\",\"message\":\"Archived session %s to .qmb/archive/sessions/.\"}\n",
	    argv[0], argv[0]);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * The Gemini failure count: .qmb/gemini_failures.json, read by anyone,
 * rewritten whole (qmb_atomic) under .qmb/gemini_failures.lock.
 */
#include <sys/file.h>
#include <stdio.h>
#include <string.h>

#include "qmb_atomic.h"
#include "qmb_buf.h"
#include "qmb_clock.h"
#include "qmb_gfail.h"
#include "qmb_io.h"
#include "qmb_jdoc.h"
#include "qmb_json.h"
#include "qmb_lock.h"

#define GFAIL_MAX	(1 << 20)	/* bytes read of the file */

int
qmb_gfail_parse(const char *text, size_t len, struct qmb_gfail *f,
    struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	int rc = 0;

	memset(f, 0, sizeof(*f));
	f->found = 1;
	if (qmb_json_parse(text, len, GFAIL_MAX, QMB_EXIT_CORRUPT, &doc,
	    NULL) == -1 || doc.root->type != QMB_JOBJ ||
	    (qmb_json_get_int(doc.root, "consecutive", &f->consecutive) == -1 &&
	    qmb_json_get_int(doc.root, "consecutive_failures",
	    &f->consecutive) == -1) || f->consecutive < 0) {
		f->consecutive = 0;
		rc = qmb_errf(err, QMB_EXIT_CORRUPT,
		    "'.qmb/%s' holds no \"consecutive\" count", QMB_GFAIL_FILE);
	} else {
		qmb_jdoc_copy(f->last_failure_at, sizeof(f->last_failure_at),
		    doc.root, "last_failure_at");
		qmb_jdoc_copy(f->last_success_at, sizeof(f->last_success_at),
		    doc.root, "last_success_at");
		qmb_jdoc_copy(f->last_error, sizeof(f->last_error), doc.root,
		    "last_error");
	}
	qmb_json_free(&doc);
	return rc;
}

static int
read_at(int dfd, struct qmb_gfail *f, struct qmb_err *err)
{
	struct qmb_buf b;
	int rc;

	memset(f, 0, sizeof(*f));
	qmb_buf_init(&b, GFAIL_MAX);
	rc = qmb_io_read_file(dfd, QMB_GFAIL_FILE, b.max, QMB_EXIT_CORRUPT,
	    &b, err);
	if (rc == 0)
		rc = qmb_gfail_parse(b.data ? b.data : "", b.len, f, err);
	else if (err->code == QMB_EXIT_NOTFOUND)
		rc = 0;
	qmb_buf_free(&b);
	return rc;
}

int
qmb_gfail_read(struct qmb_proj *p, struct qmb_gfail *f, struct qmb_err *err)
{
	int dfd;

	memset(f, 0, sizeof(*f));
	if ((dfd = qmb_proj_dir(p, QMB_D_QMB, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	return read_at(dfd, f, err);
}

static int
write_at(struct qmb_proj *p, int dfd, const struct qmb_gfail *f,
    struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	int rc = -1;

	qmb_buf_init(&b, 1 << 16);
	qmb_jw_init(&jw, &b, 1);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "consecutive", f->consecutive);
	qmb_jw_key(&jw, "last_failure_at");
	qmb_jw_str(&jw, f->last_failure_at[0] ? f->last_failure_at : NULL);
	qmb_jw_key(&jw, "last_success_at");
	qmb_jw_str(&jw, f->last_success_at[0] ? f->last_success_at : NULL);
	qmb_jw_kstr(&jw, "last_error", f->last_error);
	qmb_jw_obj_end(&jw);
	qmb_buf_addc(&b, '\n');
	if (qmb_jw_finish(&jw) == 0)
		rc = qmb_atomic_write(dfd, QMB_GFAIL_FILE, b.data, b.len,
		    qmb_proj_fmode(p), err);
	else
		qmb_errf(err, QMB_EXIT_INTERNAL, "internal: failure count");
	qmb_buf_free(&b);
	return rc;
}

int
qmb_gfail_note(struct qmb_proj *p, int ok, const char *error,
    struct qmb_gfail *f, struct qmb_err *err)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	struct qmb_err e2 = QMB_ERR_INIT;
	char ts[QMB_TIME_LEN + 1];
	int dfd, rc;

	if ((dfd = qmb_proj_dir(p, QMB_D_QMB, 1, err)) == -1 ||
	    qmb_lock_take(&l, dfd, QMB_GFAIL_LOCK, LOCK_EX, qmb_lock_wait_ms(),
	    qmb_proj_fmode(p), "the Gemini failure count", err) == -1)
		return -1;
	/* a damaged count starts again from zero */
	if (read_at(dfd, f, &e2) == -1)
		memset(f, 0, sizeof(*f));
	qmb_time_fmt(qmb_now(), ts);
	if (ok) {
		f->consecutive = 0;
		snprintf(f->last_success_at, sizeof(f->last_success_at), "%s", ts);
	} else {
		f->consecutive++;
		snprintf(f->last_failure_at, sizeof(f->last_failure_at), "%s", ts);
		snprintf(f->last_error, sizeof(f->last_error), "%s",
		    error ? error : "");
	}
	f->found = 1;
	rc = write_at(p, dfd, f, err);
	qmb_lock_release(&l);
	return rc;
}

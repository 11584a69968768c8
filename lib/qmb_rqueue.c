/* SPDX-License-Identifier: MIT */
/*
 * The review queue, .qmb/queue/review/{name}.json.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_buf.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_jdoc.h"
#include "qmb_json.h"
#include "qmb_rqueue.h"

void
qmb_rqueue_req_free(struct qmb_rqueue_req *r)
{
	free(r->script);
	r->script = NULL;
}

int
qmb_rqueue_get(struct qmb_proj *p, const char *name,
    struct qmb_rqueue_req *r, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	char file[NAME_MAX + 1], label[NAME_MAX + 32];
	const char *s;
	int dfd;

	memset(r, 0, sizeof(*r));
	if (qmb_id_check(name, err) == -1)
		return -1;
	snprintf(file, sizeof(file), "%s.json", name);
	snprintf(label, sizeof(label), ".qmb/queue/review/%s", file);
	if ((dfd = qmb_proj_dir(p, QMB_D_QUEUE_REVIEW, 0, err)) == -1 ||
	    qmb_jdoc_read(dfd, file, label, &doc, err) == -1) {
		if (err->code == QMB_EXIT_NOTFOUND)
			qmb_errf(err, QMB_EXIT_NOTFOUND,
			    "no queued review '%s' (see 'qmb-review queue')", name);
		return -1;
	}
	if (doc.root->type != QMB_JOBJ ||
	    !qmb_sha256_is_hex(qmb_json_get_str(doc.root, "script_sha256"))) {
		qmb_json_free(&doc);
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "%s: not a queued review request", label);
	}
	snprintf(r->name, sizeof(r->name), "%s", name);
	qmb_jdoc_copy(r->session_id, sizeof(r->session_id), doc.root,
	    "session_id");
	qmb_jdoc_copy(r->script_sha256, sizeof(r->script_sha256), doc.root,
	    "script_sha256");
	qmb_jdoc_copy(r->model, sizeof(r->model), doc.root, "model");
	qmb_jdoc_copy(r->user_id, sizeof(r->user_id), doc.root, "user_id");
	qmb_jdoc_copy(r->queued_at, sizeof(r->queued_at), doc.root,
	    "queued_at");
	qmb_jdoc_copy(r->updated_at, sizeof(r->updated_at), doc.root,
	    "updated_at");
	qmb_jdoc_copy(r->error_class, sizeof(r->error_class), doc.root,
	    "error_class");
	qmb_jdoc_copy(r->last_error, sizeof(r->last_error), doc.root,
	    "last_error");
	qmb_json_get_int(doc.root, "tries", &r->tries);
	if ((s = qmb_json_get_str(doc.root, "script")) != NULL &&
	    (r->script = strdup(s)) == NULL) {
		qmb_json_free(&doc);
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	}
	qmb_json_free(&doc);
	return 0;
}

int
qmb_rqueue_put(struct qmb_proj *p, struct qmb_rqueue_req *r,
    struct qmb_err *err)
{
	struct qmb_rqueue_req old;
	struct qmb_err e2 = QMB_ERR_INIT;
	struct qmb_buf b;
	struct qmb_jw jw;
	char file[NAME_MAX + 1], ts[QMB_TIME_LEN + 1];
	int dfd, rc;

	if (qmb_id_check(r->name, err) == -1)
		return -1;
	qmb_time_fmt(qmb_now(), ts);
	if (qmb_rqueue_get(p, r->name, &old, &e2) == 0) {
		snprintf(r->queued_at, sizeof(r->queued_at), "%s", old.queued_at);
		r->tries += old.tries;
		qmb_rqueue_req_free(&old);
	}
	if (r->queued_at[0] == '\0')
		snprintf(r->queued_at, sizeof(r->queued_at), "%s", ts);
	snprintf(r->updated_at, sizeof(r->updated_at), "%s", ts);
	if ((dfd = qmb_proj_dir(p, QMB_D_QUEUE_REVIEW, 1, err)) == -1)
		return -1;
	qmb_buf_init(&b, QMB_JSON_MAX);
	qmb_jw_init(&jw, &b, 1);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "version", 1);
	qmb_jw_kstr(&jw, "name", r->name);
	qmb_jw_key(&jw, "session_id");
	qmb_jw_str(&jw, r->session_id[0] ? r->session_id : NULL);
	qmb_jw_kstr(&jw, "script_sha256", r->script_sha256);
	qmb_jw_key(&jw, "script");
	qmb_jw_str(&jw, r->script);
	qmb_jw_kstr(&jw, "model", r->model);
	qmb_jw_kstr(&jw, "user_id", r->user_id);
	qmb_jw_kstr(&jw, "queued_at", r->queued_at);
	qmb_jw_kstr(&jw, "updated_at", r->updated_at);
	qmb_jw_kint(&jw, "tries", r->tries);
	qmb_jw_kstr(&jw, "error_class", r->error_class);
	qmb_jw_kstr(&jw, "last_error", r->last_error);
	qmb_jw_obj_end(&jw);
	qmb_buf_addc(&b, '\n');
	snprintf(file, sizeof(file), "%s.json", r->name);
	if (qmb_jw_finish(&jw) == -1 || b.error)
		rc = qmb_errf(err, QMB_EXIT_IO, "review request too large to queue");
	else
		rc = qmb_atomic_write(dfd, file, b.data, b.len,
		    qmb_proj_fmode(p), err);
	qmb_buf_free(&b);
	return rc;
}

int
qmb_rqueue_del(struct qmb_proj *p, const char *name, struct qmb_err *err)
{
	char file[NAME_MAX + 1];
	int dfd;

	if (qmb_id_check(name, err) == -1)
		return -1;
	if ((dfd = qmb_proj_dir(p, QMB_D_QUEUE_REVIEW, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	snprintf(file, sizeof(file), "%s.json", name);
	if (qmb_io_unlinkat(dfd, file, 0) == -1) {
		if (errno == ENOENT)
			return 0;
		return qmb_errsys(err, QMB_EXIT_IO,
		    "remove '.qmb/queue/review/%s'", file);
	}
	return qmb_dir_sync(dfd, ".qmb/queue/review", err);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
qmb_rqueue_list(struct qmb_proj *p, char ***names, size_t *n,
    struct qmb_err *err)
{
	struct dirent *de;
	char **v = NULL, **nv;
	size_t len, cap = 0;
	DIR *d;
	int dfd;

	*names = NULL;
	*n = 0;
	if ((dfd = qmb_proj_dir(p, QMB_D_QUEUE_REVIEW, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	if ((dfd = dup(dfd)) == -1 || (d = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		return qmb_errsys(err, QMB_EXIT_IO, "read '.qmb/queue/review'");
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 || len - 5 > QMB_ID_MAX ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if ((v[*n] = strndup(de->d_name, len - 5)) == NULL)
			goto oom;
		if (qmb_id_check(v[*n], NULL) == -1) {
			free(v[*n]);
			continue;
		}
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), by_name);
	*names = v;
	return 0;
oom:
	closedir(d);
	while (*n > 0)
		free(v[--*n]);
	free(v);
	return qmb_errf(err, QMB_EXIT_IO, "out of memory");
}

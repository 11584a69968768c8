/* SPDX-License-Identifier: MIT */
/*
 * A session's audit trail as found: read, verified, replayed
 * (see qmb_trail.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "qmb_io.h"
#include "qmb_trail.h"
#include "qmb_verify.h"

void
qmb_trail_init(struct qmb_trail *t)
{
	memset(t, 0, sizeof(*t));
	/* a trail only grows: QMB_MAX_FILE bounds its entries, not it */
	qmb_buf_init(&t->text, (size_t)-1 / 4);
}

void
qmb_trail_free(struct qmb_trail *t)
{
	qmb_buf_free(&t->text);
}

/* Byte offset just past the n-th newline of text (n >= 1), or len. */
static size_t
line_end(const char *text, size_t len, int64_t n)
{
	const char *p = text, *nl;

	for (; n > 0 && p < text + len; n--) {
		if ((nl = memchr(p, '\n', (size_t)(text + len - p))) == NULL)
			return len;
		p = nl + 1;
	}
	return (size_t)(p - text);
}

/* The parsed entry number seq (1-based) of a trail's text. */
int
qmb_trail_entry(const struct qmb_trail *t, int64_t seq,
    struct qmb_json_doc *doc)
{
	size_t from = line_end(t->text.data, t->text.len, seq - 1);
	size_t to = line_end(t->text.data, t->text.len, seq);

	if (to <= from || qmb_json_parse(t->text.data + from, to - from - 1,
	    0, QMB_EXIT_CORRUPT, doc, NULL) == -1 || doc->root->type !=
	    QMB_JOBJ) {
		qmb_json_free(doc);
		return -1;
	}
	return 0;
}

static int
read_whole(struct qmb_proj *p, const char *id, struct qmb_buf *b,
    struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	int dfd;

	if ((dfd = qmb_proj_dir(p, QMB_D_AUDIT, 0, err)) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.audit.json", id);
	return qmb_io_read_file(dfd, name, b->max, QMB_EXIT_CORRUPT, b, err);
}

/* The project a trail's first entry names, even in a broken trail. */
static void
trail_project(struct qmb_trail *t)
{
	struct qmb_json_doc doc = { 0 };
	const struct qmb_jv *d;
	const char *proj = NULL;

	if (qmb_trail_entry(t, 1, &doc) == -1)
		return;
	if ((d = qmb_json_get(doc.root, "details")) != NULL) {
		proj = qmb_json_get_str(d, "project_name");
		if (proj == NULL)
			proj = qmb_json_get_str(qmb_json_get(d, "session"),
			    "project_name");
	}
	if (proj != NULL && qmb_name_check("project", proj, NULL) == 0)
		snprintf(t->project, sizeof(t->project), "%s", proj);
	qmb_json_free(&doc);
}

int
qmb_trail_load(struct qmb_proj *p, const char *id, struct qmb_trail *t,
    struct qmb_err *err)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_json_doc doc = { 0 };
	struct qmb_verify v;
	const char *type;

	memcpy(t->head, QMB_AUDIT_ZERO, sizeof(t->head));
	if (read_whole(p, id, &t->text, &e) == -1) {
		if (e.code == QMB_EXIT_NOTFOUND)
			return 0;
		if (e.code != QMB_EXIT_CORRUPT) {
			*err = e;
			return -1;
		}
		t->exists = 1;
		t->bad = 1;
		snprintf(t->what, sizeof(t->what), "%s", e.msg);
		qmb_buf_reset(&t->text);
		return 0;
	}
	t->exists = 1;
	memset(&v, 0, sizeof(v));
	qmb_verify_text(t->text.data, t->text.len, id, &v);
	t->n = v.entries;
	t->torn = v.torn;
	t->bad = v.torn ? 0 : v.bad_seq;
	t->chain_bad = t->bad;
	t->tampered = t->bad > 0 && v.tampered;
	snprintf(t->what, sizeof(t->what), "%s", v.what);
	memcpy(t->head, v.head, sizeof(t->head));
	t->good = line_end(t->text.data, t->text.len, t->n);
	trail_project(t);
	if (t->n > 0 && qmb_trail_entry(t, t->n, &doc) == 0) {
		if ((type = qmb_json_get_str(doc.root, "type")) != NULL)
			snprintf(t->last_type, sizeof(t->last_type), "%s", type);
		qmb_json_free(&doc);
	}
	return 0;
}

int
qmb_trail_apply(struct qmb_trail *t, const char *id, struct qmb_session *s,
    int64_t upto, int64_t *applied)
{
	struct qmb_err err = QMB_ERR_INIT;
	size_t from = line_end(t->text.data, t->text.len, s->audit_seq), to;
	int64_t seq;

	*applied = 0;
	for (seq = s->audit_seq + 1; seq <= upto; seq++, from = to) {
		struct qmb_json_doc doc = { 0 };
		const char *type;
		int rc;

		/* the next line, without scanning from the start again */
		to = line_end(t->text.data + from, t->text.len - from, 1) + from;
		if (to <= from || qmb_json_parse(t->text.data + from,
		    to - from - 1, 0, QMB_EXIT_CORRUPT, &doc, NULL) == -1 ||
		    doc.root->type != QMB_JOBJ) {
			qmb_json_free(&doc);
			snprintf(err.msg, sizeof(err.msg), "entry does not parse");
			rc = -1;
		} else {
			type = qmb_json_get_str(doc.root, "type");
			/* a trail may begin with an import instead */
			if (seq == 1 && s->id[0] == '\0' && type != NULL &&
			    strcmp(type, "session_imported") == 0)
				snprintf(s->id, sizeof(s->id), "%s", id);
			rc = qmb_session_apply(s, doc.root, &err);
		}
		qmb_json_free(&doc);
		if (rc == -1) {
			/* cut the trail back to what applied */
			t->n = seq - 1;
			t->bad = seq;
			t->torn = 0;
			snprintf(t->what, sizeof(t->what),
			    "entry does not apply: %.400s", err.msg);
			t->good = line_end(t->text.data, t->text.len, t->n);
			return -1;
		}
		(*applied)++;
	}
	return 0;
}


int
qmb_trail_wrap(const char *line, size_t len, int64_t pos,
    struct qmb_buf *details)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_audit_in in = { 0 };
	struct qmb_buf tmp;
	struct qmb_jw jw;
	int64_t seq;
	int rc = -1;

	qmb_buf_reset(details);
	if (qmb_json_parse(line, len, 0, QMB_EXIT_CORRUPT, &doc, NULL) == -1 ||
	    doc.root->type != QMB_JOBJ ||
	    qmb_json_get_str(doc.root, "type") == NULL)
		goto out;
	if (qmb_json_get_int(doc.root, "seq", &seq) == -1)
		seq = pos;
	qmb_jw_init(&jw, details, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "original_seq", seq);
	qmb_jw_kint(&jw, "line", pos);
	qmb_jw_key(&jw, "entry");
	qmb_jw_value(&jw, doc.root);
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == -1)
		goto out;
	/* it must be a valid audit entry's details (integers only) */
	in.session_id = "x";
	in.user_id = "x";
	in.type = "unvouched_entry";
	in.details = details->data;
	in.time = 1;
	qmb_buf_init(&tmp, details->len + 4096);
	rc = qmb_audit_format(&in, 1, QMB_AUDIT_ZERO, &tmp, NULL);
	qmb_buf_free(&tmp);
out:
	qmb_json_free(&doc);
	return rc;
}

void
qmb_trail_rest(const struct qmb_trail *t, int64_t *entries, int64_t *others)
{
	const char *p = t->text.data + t->good, *end = t->text.data +
	    t->text.len, *nl;
	struct qmb_buf d;
	int64_t pos = t->n;

	*entries = *others = 0;
	qmb_buf_init(&d, qmb_io_max_file() + 4096);
	for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL;
	    p = nl + 1) {
		pos++;
		if (qmb_trail_wrap(p, (size_t)(nl - p), pos, &d) == 0)
			(*entries)++;
		else
			(*others)++;
	}
	qmb_buf_free(&d);
}

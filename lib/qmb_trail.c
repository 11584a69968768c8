/* SPDX-License-Identifier: MIT */
/*
 * A session's audit trail as found: read, verified, replayed
 * (see qmb_trail.h).
 */
#include <stdio.h>
#include <string.h>

#include "qmb_io.h"
#include "qmb_trail.h"
#include "qmb_verify.h"

void
qmb_trail_init(struct qmb_trail *t)
{
	memset(t, 0, sizeof(*t));
	qmb_buf_init(&t->text, qmb_io_max_file());
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
	if (qmb_audit_read(p, id, &t->text, &e) == -1) {
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
	int64_t seq;

	*applied = 0;
	for (seq = s->audit_seq + 1; seq <= upto; seq++) {
		struct qmb_json_doc doc = { 0 };
		const char *type;
		int rc;

		if (qmb_trail_entry(t, seq, &doc) == -1) {
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


/* SPDX-License-Identifier: MIT */
/*
 * A state file as found, and what can be salvaged of a damaged one
 * (see qmb_salvage.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "qmb_buf.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_salvage.h"

void
qmb_salvage_init(struct qmb_cand *c)
{
	memset(c, 0, sizeof(*c));
	qmb_session_init(&c->s);
}

void
qmb_salvage_free(struct qmb_cand *c)
{
	qmb_session_free(&c->s);
}

/* "project_name": "NAME" in text that may not parse (a cut file). */
static void
scan_project(const char *text, size_t len, char *out, size_t size)
{
	static const char key[] = "\"project_name\"";
	const char *p, *end = text + len, *q;
	char name[QMB_NAME_MAX + 1];

	if ((p = memmem(text, len, key, sizeof(key) - 1)) == NULL)
		return;
	for (p += sizeof(key) - 1; p < end && (*p == ' ' || *p == ':'); p++)
		;
	if (p >= end || *p++ != '"' || (q = memchr(p, '"', (size_t)(end -
	    p))) == NULL || q - p > QMB_NAME_MAX || memchr(p, '\\',
	    (size_t)(q - p)) != NULL)
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(q - p), p);
	if (qmb_name_check("project", name, NULL) == 0)
		snprintf(out, size, "%s", name);
}

void
qmb_salvage_text(const char *text, size_t len, struct qmb_cand *c)
{
	struct qmb_json_doc doc = { 0 };
	const char *proj;
	int64_t v;

	scan_project(text, len, c->project, sizeof(c->project));
	if (qmb_json_parse(text, len, 0, QMB_EXIT_CORRUPT, &doc, NULL) == -1)
		return;
	if (doc.root->type == QMB_JOBJ) {
		if (qmb_json_get_int(doc.root, "version", &v) == 0 &&
		    v > QMB_SESSION_VERSION && c->st == QMB_C_DAMAGED) {
			c->st = QMB_C_NEWER;
			c->version = v;
		}
		proj = qmb_json_get_str(doc.root, "project_name");
		if (proj != NULL && qmb_name_check("project", proj, NULL) == 0)
			snprintf(c->project, sizeof(c->project), "%s", proj);
	}
	qmb_json_free(&doc);
}

int
qmb_salvage_load(int dfd, const char *id, const char *suffix,
    struct qmb_cand *c, struct qmb_err *err)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf b;
	char name[NAME_MAX + 1];

	c->st = QMB_C_MISSING;
	if (dfd == -1)
		return 0;
	snprintf(name, sizeof(name), "%s.json%s", id, suffix);
	qmb_buf_init(&b, qmb_io_max_file());
	if (qmb_io_read_file(dfd, name, b.max, QMB_EXIT_CORRUPT, &b,
	    &e) == -1) {
		qmb_buf_free(&b);
		if (e.code == QMB_EXIT_NOTFOUND)
			return 0;
		if (e.code != QMB_EXIT_CORRUPT) {
			*err = e;
			return -1;
		}
		c->st = QMB_C_DAMAGED;
		snprintf(c->why, sizeof(c->why), "%s", e.msg);
		return 0;
	}
	if (qmb_session_parse(b.data, b.len, id, QMB_EXIT_CORRUPT, &c->s,
	    &e) == 0) {
		c->st = QMB_C_VALID;
		snprintf(c->project, sizeof(c->project), "%s", c->s.project);
	} else {
		c->st = QMB_C_DAMAGED;
		snprintf(c->why, sizeof(c->why), "%s", b.len == 0 ?
		    "the file is empty" : e.msg);
		qmb_salvage_text(b.data, b.len, c);
	}
	qmb_buf_free(&b);
	return 0;
}


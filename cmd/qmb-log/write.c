/* SPDX-License-Identifier: MIT */
/*
 * qmb-log write: one entry from options, or JSON Lines from stdin.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_kv.h"
#include "qmb_log.h"
#include "qmb_session.h"
#include "log.h"

/* Check the fields every entry needs; messages name the field. */
static int
check_entry(const struct qmb_logent *e, const char *level,
    struct qmb_err *err)
{
	if (level == NULL || qmb_level_parse(level) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "invalid level '%.32s': use DEBUG, INFO, WARN or ERROR",
		    level ? level : "");
	if (e->session_id && qmb_id_check(e->session_id, err) == -1)
		return -1;
	if (e->stage && qmb_stage_index(e->stage) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "invalid stage '%.16s': use A, B, C, D, E or F", e->stage);
	if (e->component == NULL || qmb_name_check("component", e->component,
	    err) == -1 || e->action == NULL ||
	    qmb_name_check("action", e->action, err) == -1) {
		if (e->component == NULL || e->action == NULL)
			qmb_errf(err, QMB_EXIT_USAGE,
			    "an entry needs a component (-c) and an action (-a)");
		return -1;
	}
	if (e->user_id && qmb_name_check("user_id", e->user_id, err) == -1)
		return -1;
	return 0;
}

static int
write_one(const struct opts *o, struct qmb_proj *p, struct qmb_err *err)
{
	struct qmb_logent e = { 0 };
	struct qmb_buf d;
	char stage[2] = { 0, 0 };
	int rc;

	e.session_id = o->session;
	e.component = o->component;
	e.action = o->action;
	e.user_id = o->c.user;
	if (o->stage != NULL && qmb_stage_index(o->stage) >= 0) {
		stage[0] = (char)('A' + qmb_stage_index(o->stage));
		e.stage = stage;
	} else {
		e.stage = o->stage;
	}
	if (check_entry(&e, o->level, err) == -1)
		return -1;
	e.level = (enum qmb_level)qmb_level_parse(o->level);
	qmb_buf_init(&d, QMB_LOG_LINE_MAX);
	rc = qmb_kv_details(o->pairs, o->npairs, o->details, 0, &d, err);
	e.details = d.data;
	if (rc == 0)
		rc = qmb_log_write(p, &e, err);
	qmb_buf_free(&d);
	return rc;
}

/* ---- --stdin ------------------------------------------------------ */

static const char *
field(const struct qmb_jv *o, const char *k, int *bad)
{
	const struct qmb_jv *v = qmb_json_get(o, k);

	if (v == NULL)
		return NULL;
	if (v->type != QMB_JSTR)
		*bad = 1;
	return v->type == QMB_JSTR ? v->str : NULL;
}

static int
known_keys(const struct qmb_jv *o, struct qmb_err *err)
{
	static const char *const k[] = { "timestamp", "level", "session_id",
	    "stage", "component", "action", "details", "user_id" };
	size_t i, j;

	for (i = 0; i < o->len; i++) {
		for (j = 0; j < sizeof(k) / sizeof(k[0]); j++)
			if (strcmp(o->kids[i].key, k[j]) == 0)
				break;
		if (j == sizeof(k) / sizeof(k[0]))
			return qmb_errf(err, QMB_EXIT_USAGE, "unknown key '%.64s'",
			    o->kids[i].key);
	}
	return 0;
}

static int
stdin_entry(const struct opts *o, struct qmb_proj *p, const char *line,
    size_t len, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_logent e = { 0 };
	const struct qmb_jv *d;
	struct qmb_buf db;
	struct qmb_jw jw;
	const char *lv, *ts;
	int bad = 0, rc = -1;

	qmb_buf_init(&db, QMB_LOG_LINE_MAX);
	if (qmb_json_parse(line, len, QMB_LOG_LINE_MAX, QMB_EXIT_USAGE, &doc,
	    err) == -1)
		goto out;
	if (doc.root->type != QMB_JOBJ) {
		qmb_errf(err, QMB_EXIT_USAGE, "not a JSON object");
		goto out;
	}
	if (known_keys(doc.root, err) == -1)
		goto out;
	lv = field(doc.root, "level", &bad);
	e.session_id = field(doc.root, "session_id", &bad);
	if (e.session_id == NULL)
		e.session_id = o->session;
	e.stage = field(doc.root, "stage", &bad);
	e.component = field(doc.root, "component", &bad);
	e.action = field(doc.root, "action", &bad);
	e.user_id = field(doc.root, "user_id", &bad);
	if (e.user_id == NULL)
		e.user_id = o->c.user;
	ts = field(doc.root, "timestamp", &bad);
	d = qmb_json_get(doc.root, "details");
	if (bad || (d != NULL && d->type != QMB_JOBJ)) {
		qmb_errf(err, QMB_EXIT_USAGE,
		    "fields must be strings and details an object");
		goto out;
	}
	if (ts != NULL && qmb_time_parse(ts, &e.time) == -1) {
		qmb_errf(err, QMB_EXIT_USAGE, "invalid timestamp '%.40s'", ts);
		goto out;
	}
	if (check_entry(&e, lv, err) == -1)
		goto out;
	e.level = (enum qmb_level)qmb_level_parse(lv);
	if (d != NULL) {
		qmb_jw_init(&jw, &db, 0);
		qmb_jw_value(&jw, d);
		if (qmb_jw_finish(&jw) == -1) {
			qmb_errf(err, QMB_EXIT_USAGE, "details too large");
			goto out;
		}
		e.details = db.data;
	}
	rc = qmb_log_write(p, &e, err);
out:
	qmb_json_free(&doc);
	qmb_buf_free(&db);
	return rc;
}

static int
write_stdin(const struct opts *o, struct qmb_proj *p, struct qmb_err *err)
{
	struct qmb_err e = QMB_ERR_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0, bad = 0, good = 0;

	if (o->session && qmb_id_check(o->session, err) == -1)
		return -1;
	while ((n = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[strspn(line, " \t\r")] == '\0')
			continue;
		if (stdin_entry(o, p, line, (size_t)n, &e) == -1) {
			if (e.code != QMB_EXIT_USAGE) {
				free(line);
				*err = e;
				qmb_err_prefix(err, "line %lu", lineno);
				return -1;
			}
			fprintf(stderr, "%s: line %lu: %s\n", qmb_progname(),
			    lineno, e.msg);
			bad++;
			continue;
		}
		good++;
	}
	free(line);
	if (ferror(stdin))
		return qmb_errsys(err, QMB_EXIT_IO, "read standard input");
	if (o->c.verbose)
		fprintf(stderr, "%s: %lu entries written, %lu refused\n",
		    qmb_progname(), good, bad);
	if (bad > 0)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "%lu of %lu entries refused (the others were written)", bad,
		    bad + good);
	return 0;
}

int
cmd_write(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	(void)argc, (void)argv;
	if (o->use_stdin) {
		if (o->level || o->component || o->action || o->stage ||
		    o->npairs || o->details)
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "--stdin takes the entries' fields from the input; only -s may be given");
		return write_stdin(o, p, err);
	}
	if (o->level == NULL || o->component == NULL || o->action == NULL)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "write needs -l LEVEL, -c COMPONENT and -a ACTION (or --stdin)");
	return write_one(o, p, err);
}

/* SPDX-License-Identifier: MIT */
/*
 * qmb-recover check and repair: one result per session, as a table (or
 * account) for people and JSON Lines for programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_progress.h"
#include "recover.h"

/* Exit status of a run over several sessions. */
struct tally {
	size_t	n, ok, bad, todo, repaired, archived, rows;
	int	code;		/* first error, else 0 */
};

static void
print_json(const struct qmb_rec *r, int dry, int repair)
{
	struct qmb_buf b, msg;
	struct qmb_jw jw;
	size_t i;

	qmb_buf_init(&b, 1 << 20);
	qmb_buf_init(&msg, 1 << 16);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_recover_members(r, dry || !repair, &jw);
	if (repair) {
		qmb_jw_key(&jw, "dry_run");
		qmb_jw_bool(&jw, dry);
		qmb_recover_describe(r, dry, &msg);
		for (i = 0; i < msg.len; i++)
			if (msg.data[i] == '\n')
				msg.data[i] = i + 1 < msg.len ? ' ' : '\0';
		qmb_jw_kstr(&jw, "message", msg.data ? msg.data : "");
	}
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == 0)
		printf("%s\n", b.data);
	qmb_buf_free(&msg);
	qmb_buf_free(&b);
}

static void
print_row(const struct opts *o, const struct qmb_rec *r, struct tally *t)
{
	char st[2] = { '-', 0 };
	size_t i;

	if (r->has_state)
		st[0] = qmb_session_current(&r->state);
	if (o->c.quiet && r->nf == 0 && r->verdict == QMB_V_OK)
		return;
	if (t->rows++ == 0)
		printf("%-36s  %-16s  %-5s  %s\n", "SESSION", "PROJECT", "STAGE",
		    "VERDICT");
	printf("%-36s  %-16.16s  %-5s  %s\n", r->id,
	    r->project[0] ? r->project : "?", st, qmb_rec_verdict(r));
	for (i = 0; i < r->nf; i++)
		printf("    %s\n", r->f[i].msg);
}

static int
found_something(const struct qmb_rec *r)
{
	return r->nf > 0 || (r->verdict != QMB_V_OK &&
	    r->verdict != QMB_V_ARCHIVED);
}

static void
count(struct tally *t, const struct qmb_rec *r)
{
	t->n++;
	if (r->verdict == QMB_V_ARCHIVED)
		t->archived++;
	else if (found_something(r))
		t->bad++;
	if (r->verdict != QMB_V_ARCHIVED && qmb_rec_needs_repair(r))
		t->todo++;
	else
		t->ok++;
}

static void
failed(struct tally *t, const struct qmb_err *err)
{
	qmb_report(err);
	if (t->code == 0)
		t->code = err->code ? err->code : QMB_EXIT_INTERNAL;
}

/*
 * A session whose files could not be read (not a regular file, over
 * QMB_MAX_FILE, permission, I/O) is a finding of its own, "unreadable":
 * nothing proves it damaged, and repair leaves it alone.
 */
static void
print_unreadable(const struct opts *o, const char *id,
    const struct qmb_err *err, struct tally *t)
{
	struct qmb_buf b;
	struct qmb_jw jw;

	t->n++;
	t->bad++;
	if (o->c.json) {
		qmb_buf_init(&b, 4096);
		qmb_jw_init(&jw, &b, 0);
		qmb_jw_obj_begin(&jw);
		qmb_jw_kstr(&jw, "session_id", id);
		qmb_jw_kstr(&jw, "verdict", "unreadable");
		qmb_jw_key(&jw, "findings");
		qmb_jw_arr_begin(&jw);
		qmb_jw_str(&jw, err->msg);
		qmb_jw_arr_end(&jw);
		qmb_jw_obj_end(&jw);
		if (qmb_jw_finish(&jw) == 0)
			printf("%s\n", b.data);
		qmb_buf_free(&b);
		return;
	}
	if (t->rows++ == 0)
		printf("%-36s  %-16s  %-5s  %s\n", "SESSION", "PROJECT", "STAGE",
		    "VERDICT");
	printf("%-36s  %-16s  %-5s  %s\n    %s\n", id, "?", "-", "unreadable",
	    err->msg);
}

static void
check_one(const struct opts *o, struct qmb_proj *p, const char *id,
    struct tally *t, int header)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_rec r;

	if (qmb_classify_session(p, id, o->from, &r, &err) == -1) {
		if (err.code == QMB_EXIT_IO)
			print_unreadable(o, id, &err, t);
		else
			failed(t, &err);
		qmb_rec_free(&r);
		return;
	}
	count(t, &r);
	if (r.verdict == QMB_V_ARCHIVED && header && !o->c.verbose) {
		qmb_rec_free(&r);
		return;
	}
	if (o->c.json)
		print_json(&r, 1, 0);
	else
		print_row(o, &r, t);
	qmb_rec_free(&r);
}

static void
print_account(const struct opts *o, const struct qmb_rec *r, int dry)
{
	struct qmb_buf b;
	const char *s, *nl;

	if (o->c.json) {
		print_json(r, dry, 1);
		return;
	}
	qmb_buf_init(&b, 1 << 16);
	qmb_recover_describe(r, dry, &b);
	if (strcmp(r->id, "system") == 0)
		printf("Project logs:\n");
	else
		printf("Session %s (%s): %s\n", r->id, r->project[0] ? r->project :
		    "project unknown", qmb_rec_verdict(r));
	for (s = b.data; s != NULL && s < b.data + b.len; s = nl + 1) {
		nl = strchr(s, '\n');
		printf("  %.*s\n", (int)(nl - s), s);
	}
	qmb_buf_free(&b);
}

/* The project-wide findings: only shown when there are some. */
static void
project_wide(const struct opts *o, struct qmb_proj *p, struct tally *t,
    int repair)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_rec r;
	int rc;

	rc = qmb_repair_system(p, repair ? o->dry_run : 1, &r, &err);
	if (r.nf > 0) {
		t->bad++;
		t->repaired += r.repaired;
		if (repair)
			print_account(o, &r, o->dry_run);
		else if (o->c.json)
			print_json(&r, 1, 0);
		else
			print_row(o, &r, t);
	}
	if (rc == -1)
		failed(t, &err);
	qmb_rec_free(&r);
}

static void
summary(const struct opts *o, const struct tally *t, const char *verb)
{
	if (o->c.json || o->c.quiet)
		return;
	if (t->n == 0 && t->bad == 0)
		printf("No sessions to %s.\n", verb);
	else if (t->bad == 0)
		printf("%zu session%s checked: all ok.\n", t->n - t->archived,
		    t->n - t->archived == 1 ? "" : "s");
	else
		printf("%zu session%s checked: %zu ok, %zu with findings (see 'qmb-recover repair --all --dry-run').\n",
		    t->n - t->archived, t->n - t->archived == 1 ? "" : "s",
		    t->ok, t->bad);
}

int
cmd_check(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct tally t = { 0 };
	char **ids;
	size_t n, i;

	if (argc == 1) {
		if (qmb_id_check(argv[0], err) == -1)
			return -1;
		check_one(o, p, argv[0], &t, 0);
		return t.code ? t.code : t.bad ? QMB_EXIT_FAIL : 0;
	}
	if (qmb_ids_sessions(p, &ids, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		check_one(o, p, ids[i], &t, 1);
		qmb_progress((long)i + 1, (long)n, "session %zu of %zu: %s", i + 1,
		    n, ids[i]);
	}
	qmb_ids_free(ids, n);
	project_wide(o, p, &t, 0);
	summary(o, &t, "check");
	return t.code ? t.code : t.bad ? QMB_EXIT_FAIL : 0;
}

static void
repair_one(const struct opts *o, struct qmb_proj *p, const char *id,
    struct tally *t, int many)
{
	struct qmb_repair_opts ro;
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_rec r;
	int rc;

	ro.from = o->from;
	ro.dry_run = o->dry_run;
	ro.force = o->force;
	ro.user = o->c.user;
	rc = qmb_repair_session(p, id, &ro, &r, &err);
	count(t, &r);
	t->repaired += r.repaired;
	/* in a run over all sessions, the healthy ones are only counted */
	if ((rc == 0 || r.repaired) && (!many || o->c.verbose ||
	    (qmb_rec_needs_repair(&r) && r.verdict != QMB_V_ARCHIVED)))
		print_account(o, &r, o->dry_run);
	if (rc == -1)
		failed(t, &err);
	qmb_rec_free(&r);
}

int
cmd_repair(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct tally t = { 0 };
	char **ids;
	size_t n, i;

	if (argc == 1) {
		if (qmb_id_check(argv[0], err) == -1)
			return -1;
		repair_one(o, p, argv[0], &t, 0);
		return t.code;
	}
	if (qmb_ids_sessions(p, &ids, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		repair_one(o, p, ids[i], &t, 1);
		qmb_progress((long)i + 1, (long)n, "session %zu of %zu: %s", i + 1,
		    n, ids[i]);
	}
	qmb_ids_free(ids, n);
	project_wide(o, p, &t, 1);
	if (!o->c.json && !o->c.quiet) {
		if (o->dry_run)
			printf("%zu session%s checked, %zu to repair; nothing was changed (--dry-run).\n",
			    t.n - t.archived, t.n - t.archived == 1 ? "" : "s",
			    t.todo);
		else
			printf("%zu session%s checked, %zu repaired.\n",
			    t.n - t.archived, t.n - t.archived == 1 ? "" : "s",
			    t.repaired);
	}
	return t.code;
}

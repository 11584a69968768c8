/* SPDX-License-Identifier: MIT */
/*
 * The subcommands.  Each returns an exit code, or -1 with err filled.
 * Every change goes through qmb_txn: audit first, save second, log third.
 */
#include <sys/stat.h>
#include <dirent.h>
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
#include "qmb_format.h"
#include "qmb_index.h"
#include "qmb_json.h"
#include "qmb_session.h"
#include "qmb_sha256.h"
#include "qmb_txn.h"
#include "qmb_view.h"
#include "session.h"

/* Print a buffer built by the view functions; fails only on memory. */
static int
emit(struct qmb_buf *b, struct qmb_err *err)
{
	int rc = 0;

	if (b->error)
		rc = qmb_errf(err, QMB_EXIT_IO, "output too large");
	else if (b->len > 0)
		fwrite(b->data, 1, b->len, stdout);
	qmb_buf_free(b);
	return rc;
}

static void
json_begin(struct qmb_buf *b, struct qmb_jw *jw)
{
	qmb_buf_init(b, qmb_io_max_file() * 2 + 65536);
	qmb_jw_init(jw, b, 0);
	qmb_jw_obj_begin(jw);
}

static int
json_end(struct qmb_buf *b, struct qmb_jw *jw, struct qmb_err *err)
{
	qmb_jw_obj_end(jw);
	if (qmb_jw_finish(jw) == -1) {
		qmb_buf_free(b);
		return qmb_errf(err, QMB_EXIT_INTERNAL, "internal: JSON output");
	}
	qmb_buf_addc(b, '\n');
	return emit(b, err);
}

/* The summary object of a session, one line. */
static int
print_summary(const struct qmb_session *s, const char *extra_key,
    const char *extra_val, struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_jw jw;

	json_begin(&b, &jw);
	qmb_view_summary(s, &jw);
	if (extra_key != NULL)
		qmb_jw_kstr(&jw, extra_key, extra_val);
	return json_end(&b, &jw, err);
}

static void
warn_idle(const struct opts *o, const struct qmb_session *s)
{
	int64_t days = qmb_view_idle_days(s, qmb_now());

	if (o->idle_days > 0 && days >= o->idle_days && !o->c.quiet &&
	    !s->complete)
		qmb_warn("session '%s' has been idle for %lld days", s->id,
		    (long long)days);
}

/* ---- new, start, resume ------------------------------------------- */

static int
create(const struct opts *o, struct qmb_proj *p, const char *project,
    char *idout, struct qmb_err *err)
{
	struct qmb_txn t;
	struct qmb_buf d;
	struct qmb_jw jw;
	char id[37];
	int rc;

	if (qmb_name_check("project name", project, err) == -1)
		return -1;
	if (o->model_type && qmb_model_type_check(o->model_type, err) == -1)
		return -1;
	if (qmb_uuid7(id, err) == -1 ||
	    qmb_txn_create(&t, p, id, o->c.user, err) == -1)
		return -1;
	qmb_buf_init(&d, 4096);
	qmb_jw_init(&jw, &d, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "project_name", project);
	qmb_jw_key(&jw, "model_type");
	qmb_jw_str(&jw, o->model_type);
	qmb_jw_obj_end(&jw);
	rc = qmb_jw_finish(&jw) == -1 ? qmb_errf(err, QMB_EXIT_INTERNAL,
	    "internal: details") : qmb_txn_commit(&t, "session_created",
	    d.data, NULL, "A", err);
	qmb_buf_free(&d);
	warn_txn(o, &t);
	qmb_txn_end(&t);
	memcpy(idout, id, sizeof(id));
	return rc;
}

static int
print_created(const struct opts *o, struct qmb_proj *p, const char *id,
    struct qmb_err *err)
{
	struct qmb_session s;
	enum qmb_cur cur;
	int rc;

	if (!o->c.json && !o->c.tty) {
		printf("%s\n", id);
		return 0;
	}
	if (qmb_session_load(p, id, &s, &cur, err) == -1)
		return -1;
	if (o->c.json)
		rc = print_summary(&s, NULL, NULL, err);
	else {
		printf("Session created: %s\n  ID: %s\n"
		    "Stage A: Configuration - ready to build\n", s.project,
		    s.id);
		rc = 0;
	}
	qmb_session_free(&s);
	return rc;
}

int
cmd_new(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	char id[37];

	(void)argc;
	if (create(o, p, argv[0], id, err) == -1)
		return -1;
	return print_created(o, p, id, err);
}

static int
resume(const struct opts *o, struct qmb_proj *p, const char *id,
    struct qmb_err *err)
{
	struct qmb_txn t;
	struct qmb_buf b;

	if (qmb_txn_begin(&t, p, id, o->c.user, err) == -1)
		return -1;
	warn_idle(o, &t.s);
	if (qmb_txn_commit(&t, "session_resumed", NULL, NULL, NULL, err) == -1) {
		qmb_txn_end(&t);
		return -1;
	}
	warn_txn(o, &t);
	if (o->c.json) {
		int rc = print_summary(&t.s, "message", "Session restored", err);

		qmb_txn_end(&t);
		return rc;
	}
	qmb_buf_init(&b, 1 << 20);
	qmb_view_restore(&t.s, NULL, &b);
	qmb_txn_end(&t);
	return emit(&b, err);
}

int
cmd_resume(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	(void)argc;
	return resume(o, p, argv[0], err);
}

static int
listed(const struct opts *o, struct qmb_index_entry *e)
{
	const struct qmb_jv *sm;
	const char *pj;

	if (e->damage != NULL)
		return 0;
	if (strcmp(e->status, "complete") == 0 && !(o->set & O_ALL))
		return 0;
	if (o->project == NULL)
		return 1;
	sm = qmb_index_summary(e);
	pj = sm ? qmb_json_get_str(sm, "project_name") : NULL;
	return pj != NULL && strcmp(pj, o->project) == 0;
}

static int
list_json(const struct opts *o, struct qmb_index *ix, struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	size_t i;

	qmb_buf_init(&b, 256u << 20);
	for (i = 0; i < ix->n; i++) {
		if (listed(o, &ix->v[i])) {
			qmb_buf_adds(&b, ix->v[i].summary);
			qmb_buf_addc(&b, '\n');
		} else if (ix->v[i].damage != NULL) {
			qmb_jw_init(&jw, &b, 0);
			qmb_jw_obj_begin(&jw);
			qmb_jw_kstr(&jw, "session_id", ix->v[i].id);
			qmb_jw_kstr(&jw, "status",
			    qmb_format_msg_is_newer(ix->v[i].damage) ?
			    "newer_format" : "damaged");
			qmb_jw_kstr(&jw, "error", ix->v[i].damage);
			qmb_jw_obj_end(&jw);
			qmb_buf_addc(&b, '\n');
		}
	}
	return emit(&b, err);
}

static int
list_human(const struct opts *o, struct qmb_index *ix, struct qmb_err *err)
{
	struct qmb_buf b;
	int64_t now = qmb_now();
	size_t i, shown = 0;

	for (i = 0; i < ix->n; i++)
		shown += listed(o, &ix->v[i]);
	qmb_buf_init(&b, 256u << 20);
	if (shown == 0 && ix->ndamaged == 0)
		qmb_buf_adds(&b, "No saved sessions.\n");
	else if (shown > 0)
		qmb_buf_addf(&b, "Found %zu saved session%s:\n", shown,
		    shown == 1 ? "" : "s");
	for (i = 0, shown = 0; i < ix->n; i++) {
		if (listed(o, &ix->v[i])) {
			qmb_buf_addc(&b, '\n');
			qmb_view_list_summary((int)++shown,
			    qmb_index_summary(&ix->v[i]), now, &b);
		} else if (ix->v[i].damage != NULL) {
			qmb_buf_addf(&b, "\n%s: %s\n   %s\n",
			    qmb_format_msg_is_newer(ix->v[i].damage) ?
			    "Newer format" : "Damaged", ix->v[i].id,
			    ix->v[i].damage);
		}
	}
	return emit(&b, err);
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One archived session, as list prints them. */
static void
list_one_archived(const struct opts *o, const struct qmb_session *s,
    int n, struct qmb_buf *b)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf t;
	struct qmb_jw jw;

	qmb_buf_init(&t, 1 << 20);
	qmb_jw_init(&jw, &t, 0);
	qmb_jw_obj_begin(&jw);
	qmb_view_summary(s, &jw);
	qmb_jw_key(&jw, "archived");
	qmb_jw_bool(&jw, 1);
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == 0) {
		if (o->c.json) {
			qmb_buf_add(b, t.data, t.len);
			qmb_buf_addc(b, '\n');
		} else if (qmb_json_parse(t.data, t.len, 0, QMB_EXIT_INTERNAL,
		    &doc, NULL) == 0) {
			qmb_buf_addc(b, '\n');
			qmb_view_list_summary(n, doc.root, qmb_now(), b);
			qmb_buf_adds(b, "   (archived)\n");
		}
	}
	qmb_json_free(&doc);
	qmb_buf_free(&t);
}

/* list --all: the archived sessions too, after the others. */
static int
list_archived(const struct opts *o, struct qmb_proj *p, struct qmb_index *ix,
    struct qmb_err *err)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_session s;
	struct qmb_buf b;
	char **ids;
	size_t n, i, k;
	int shown = 0;

	if (qmb_session_archived_ids(p, &ids, &n, err) == -1)
		return -1;
	if (n > 1)
		qsort(ids, n, sizeof(char *), cmp_id);
	qmb_buf_init(&b, 256u << 20);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ix->n && strcmp(ix->v[k].id, ids[i]) != 0; k++)
			;
		if (k == ix->n && qmb_session_load_archived(p, ids[i], &s,
		    &e) == 0) {
			if (o->project == NULL || strcmp(o->project,
			    s.project) == 0) {
				if (shown++ == 0 && !o->c.json)
					qmb_buf_adds(&b, "\nArchived:\n");
				list_one_archived(o, &s, shown, &b);
			}
			qmb_session_free(&s);
		}
		free(ids[i]);
	}
	free(ids);
	return emit(&b, err);
}

int
cmd_list(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_index ix;
	size_t i, newer;
	int rc;

	(void)argc, (void)argv;
	if (qmb_index_load(p, &ix, err) == -1)
		return -1;
	rc = o->c.json ? list_json(o, &ix, err) : list_human(o, &ix, err);
	if (rc == 0 && (o->set & O_ALL))
		rc = list_archived(o, p, &ix, err);
	for (i = 0, newer = 0; i < ix.n; i++)
		newer += ix.v[i].damage != NULL &&
		    qmb_format_msg_is_newer(ix.v[i].damage);
	if (rc == 0 && ix.ndamaged > newer && !o->c.quiet)
		qmb_warn("%zu damaged session%s: run 'qmb-recover check'",
		    ix.ndamaged - newer, ix.ndamaged - newer == 1 ? "" : "s");
	if (rc == 0 && newer > 0 && !o->c.quiet)
		qmb_warn("%zu session%s written by a newer qmb: upgrade qmb",
		    newer, newer == 1 ? "" : "s");
	qmb_index_free(&ix);
	return rc;
}

/* The newest active session of a project into id; 0, or -1 when none. */
static int
latest_of(struct qmb_proj *p, const char *project, char *id,
    struct qmb_err *err)
{
	struct qmb_index ix;
	size_t i;
	int rc = -1;

	if (qmb_index_load(p, &ix, err) == -1)
		return -2;
	if (ix.ndamaged > 0)
		qmb_warn("%zu damaged session%s may belong to '%s' as well: run 'qmb-recover check'",
		    ix.ndamaged, ix.ndamaged == 1 ? "" : "s", project);
	for (i = 0; i < ix.n && rc == -1; i++) {
		const struct qmb_jv *r;
		const char *pj;

		if (ix.v[i].damage != NULL || strcmp(ix.v[i].status, "active"))
			continue;
		r = qmb_index_summary(&ix.v[i]);
		pj = r ? qmb_json_get_str(r, "project_name") : NULL;
		if (pj != NULL && strcmp(pj, project) == 0) {
			snprintf(id, QMB_ID_MAX + 1, "%s", ix.v[i].id);
			rc = 0;
		}
	}
	qmb_index_free(&ix);
	return rc;
}

static int
start_over(const struct opts *o, struct qmb_proj *p, const char *old,
    const char *project, struct qmb_err *err)
{
	char id[37];

	if (archive_id(o, p, old, err) == -1)
		return -1;
	if (!o->c.quiet && !o->c.json)
		fprintf(stderr, "Archived session %s (kept in .qmb/archive/sessions/).\n",
		    old);
	if (create(o, p, project, id, err) == -1)
		return -1;
	return print_created(o, p, id, err);
}

/* Ask on the terminal: c, s or v; returns the letter, or 0 on EOF. */
static int
ask(const struct qmb_session *s)
{
	struct qmb_buf b;
	char line[64];

	for (;;) {
		printf("\n[c]ontinue  [s]tart over  [v]iew saved? ");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			return 0;
		switch (line[0]) {
		case 'c': case 'C': case '\n': return 'c';
		case 's': case 'S': return 's';
		case 'v': case 'V':
			qmb_buf_init(&b, 64u << 20);
			qmb_buf_addc(&b, '\n');
			qmb_view_stages(s, 0, &b);
			if (b.error == 0)
				fwrite(b.data, 1, b.len, stdout);
			qmb_buf_free(&b);
			break;
		default:
			printf("Please answer c, s or v.\n");
		}
	}
}

static int
undecided(const struct opts *o, const struct qmb_session *s, struct qmb_err *err)
{
	struct qmb_buf b;

	if (o->c.json) {
		if (print_summary(s, "decision", "needed", err) == -1)
			return -1;
		return QMB_EXIT_SAVED;
	}
	qmb_buf_init(&b, 1 << 20);
	qmb_view_found(s, qmb_now(), &b);
	qmb_buf_addf(&b, "\nRun 'qmb-session start --resume %s' to continue, "
	    "or --new to start over.\n", s->project);
	if (emit(&b, err) == -1)
		return -1;
	return QMB_EXIT_SAVED;
}

int
cmd_start(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_session s;
	struct qmb_buf b;
	enum qmb_cur cur;
	char old[QMB_ID_MAX + 1], id[37];
	int rc, choice;

	(void)argc;
	if (qmb_name_check("project name", argv[0], err) == -1 ||
	    (rc = latest_of(p, argv[0], old, err)) == -2)
		return -1;
	if (rc == -1) {
		if (create(o, p, argv[0], id, err) == -1)
			return -1;
		return print_created(o, p, id, err);
	}
	if (o->set & (O_RESUME | O_NEW))
		choice = (o->set & O_RESUME) ? 'c' : 's';
	else {
		if (qmb_session_load(p, old, &s, &cur, err) == -1)
			return -1;
		choice = 0;
		if (o->c.tty && isatty(STDIN_FILENO) && !o->c.json) {
			qmb_buf_init(&b, 1 << 20);
			qmb_view_found(&s, qmb_now(), &b);
			if (emit(&b, err) == -1) {
				qmb_session_free(&s);
				return -1;
			}
			choice = ask(&s);
		}
		if (choice == 0) {
			rc = undecided(o, &s, err);
			qmb_session_free(&s);
			return rc;
		}
		qmb_session_free(&s);
	}
	if (choice == 'c')
		return resume(o, p, old, err);
	return start_over(o, p, old, argv[0], err);
}

/* ---- show, script, export ----------------------------------------- */

/* Set by load_ro: the session came from the archive. */
static int ro_archived;

/*
 * Read a session for display: fall back to .bak with a warning, or to
 * the archive.
 */
static int
load_ro(const struct opts *o, struct qmb_proj *p, const char *id,
    struct qmb_session *s, struct qmb_err *err)
{
	struct qmb_err e2 = QMB_ERR_INIT;
	enum qmb_cur cur;

	ro_archived = 0;
	if (qmb_session_load(p, id, s, &cur, err) == 0)
		return 0;
	if (err->code == QMB_EXIT_NOTFOUND) {
		/* an archived session (of qmb or of the TypeScript tool) */
		if (qmb_session_load_archived(p, id, s, &e2) == -1) {
			if (e2.code != QMB_EXIT_NOTFOUND)
				*err = e2;
			return -1;
		}
		ro_archived = 1;
		return 0;
	}
	if (err->code != QMB_EXIT_CORRUPT || qmb_format_is_newer(err) ||
	    qmb_session_load_bak(p, id, s, &e2) == -1)
		return -1;
	if (!o->c.quiet)
		qmb_warn("session '%s' is damaged; showing its backup (run 'qmb-recover repair %s')",
		    id, id);
	return 0;
}

static void
show_reviews(const struct qmb_session *s, struct qmb_buf *b)
{
	struct qmb_json_doc doc = { 0 };
	const struct qmb_jv *r;
	int64_t score;

	if (qmb_json_parse(s->reviews, strlen(s->reviews), 0, QMB_EXIT_CORRUPT,
	    &doc, NULL) == -1 || doc.root->len == 0) {
		qmb_json_free(&doc);
		return;
	}
	r = &doc.root->kids[doc.root->len - 1];
	qmb_buf_adds(b, "Last review: ");
	if (qmb_json_get_int(r, "score", &score) == 0)
		qmb_buf_addf(b, "%lld/100, ", (long long)score);
	qmb_buf_addf(b, "%s (%s)\n",
	    qmb_json_get_str(r, "review_status") ? qmb_json_get_str(r,
	    "review_status") : "?", qmb_json_get_str(r, "source") ?
	    qmb_json_get_str(r, "source") : "?");
	qmb_json_free(&doc);
}

int
cmd_show(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_session s;
	struct qmb_buf b;
	char rel[64];
	size_t i;
	int64_t t;

	(void)argc;
	if (qmb_id_check(argv[0], err) == -1 || load_ro(o, p, argv[0], &s, err) == -1)
		return -1;
	if (!ro_archived)
		warn_idle(o, &s);
	qmb_buf_init(&b, 64u << 20);
	if (o->c.json) {
		struct qmb_jw jw;

		qmb_jw_init(&jw, &b, 0);
		qmb_jw_obj_begin(&jw);
		qmb_session_members(&s, &jw);
		if (s.version < QMB_SESSION_VERSION)
			qmb_jw_kint(&jw, "format", s.version);
		qmb_jw_obj_end(&jw);
		qmb_buf_addc(&b, '\n');
	} else {
		rel[0] = '\0';
		if (qmb_time_parse(s.updated_at, &t) == 0)
			qmb_time_ago(t, qmb_now(), rel, sizeof(rel));
		qmb_buf_addf(&b, "Session: %s\nID: %s\nStatus: %s\nModel type: %s\n",
		    s.project, s.id, ro_archived ? (s.complete ?
		    "archived (complete)" : "archived") : s.complete ?
		    "complete" : "active",
		    s.model_type ? s.model_type : "(not chosen)");
		if (s.version < QMB_SESSION_VERSION)
			qmb_buf_addf(&b, "Format: %s\n", QMB_VIEW_LEGACY);
		qmb_buf_adds(&b, "Progress: ");
		qmb_view_progress(&s, &b);
		qmb_buf_addf(&b, "\nLast saved: %s (%s)\n\n", rel, s.updated_at);
		qmb_view_stages(&s, 0, &b);
		if (s.ntables > 0) {
			qmb_buf_adds(&b, "\nPending tables:");
			for (i = 0; i < s.ntables; i++)
				qmb_buf_addf(&b, "%s %s", i ? "," : "", s.tables[i]);
			qmb_buf_addc(&b, '\n');
		}
		qmb_buf_addc(&b, '\n');
		show_reviews(&s, &b);
		if (s.complete)
			qmb_buf_addf(&b, "Completed %s.\n", s.completed_at);
		else if (s.ncompleted < QMB_NSTAGES)
			qmb_buf_addf(&b, "Continuing from Stage %c...\n",
			    qmb_session_current(&s));
		else
			qmb_buf_adds(&b, "All stages approved; pending review.\n");
	}
	qmb_session_free(&s);
	return emit(&b, err);
}

int
cmd_script(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_session s;
	struct qmb_buf b;
	char sha[QMB_SHA256_HEX + 1], st[2] = { 0, 0 };
	int idx = -1;

	(void)argc;
	if (o->stage != NULL && (idx = qmb_stage_index(o->stage)) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "invalid stage '%.16s': use A, B, C, D, E or F", o->stage);
	if (qmb_id_check(argv[0], err) == -1 || load_ro(o, p, argv[0], &s, err) == -1)
		return -1;
	if (idx >= s.ncompleted) {
		qmb_session_free(&s);
		return qmb_errf(err, QMB_EXIT_NOTFOUND,
		    "stage %c of session '%s' is not approved yet", 'A' + idx,
		    argv[0]);
	}
	qmb_buf_init(&b, qmb_io_max_file() * 2);
	if (idx >= 0)
		qmb_buf_adds(&b, s.parts[idx]);
	else
		qmb_session_script(&s, -1, &b);
	if (o->c.json) {
		struct qmb_buf j;
		struct qmb_jw jw;

		qmb_sha256(b.data ? b.data : "", b.len, sha);
		json_begin(&j, &jw);
		qmb_jw_kstr(&jw, "session_id", s.id);
		if (idx >= 0) {
			st[0] = (char)('A' + idx);
			qmb_jw_kstr(&jw, "stage", st);
		}
		qmb_jw_kstr(&jw, "script_sha256", sha);
		qmb_jw_key(&jw, "script");
		qmb_jw_strn(&jw, b.data ? b.data : "", b.len);
		qmb_buf_free(&b);
		qmb_session_free(&s);
		return json_end(&j, &jw, err);
	}
	qmb_session_free(&s);
	return emit(&b, err);
}

int
cmd_export(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_session s;
	struct qmb_buf b;
	int rc;

	(void)argc;
	if (qmb_id_check(argv[0], err) == -1 || load_ro(o, p, argv[0], &s, err) == -1)
		return -1;
	qmb_buf_init(&b, qmb_io_max_file() * 2);
	rc = qmb_session_write(&s, !o->c.json, &b, err);
	if (rc == 0 && o->c.json)
		qmb_buf_addc(&b, '\n');
	qmb_session_free(&s);
	if (rc == -1) {
		qmb_buf_free(&b);
		return -1;
	}
	return emit(&b, err);
}

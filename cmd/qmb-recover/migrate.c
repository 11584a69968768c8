/* SPDX-License-Identifier: MIT */
/*
 * qmb-recover migrate: convert what the TypeScript QlikModelBuilder wrote
 * (qmb_migrate.h), session by session, saying what was kept.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_json.h"
#include "qmb_migrate.h"
#include "recover.h"

static const char *
status_of(const struct qmb_mig_res *r, int dry)
{
	switch (r->state) {
	case QMB_MIG_DONE:	return dry ? "would_migrate" : "migrated";
	case QMB_MIG_FINISHED:	return dry ? "would_finish" : "finished";
	default:		return "current";
	}
}

static void
print_json(const struct qmb_mig_res *r, int dry)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	const char *p, *nl;

	qmb_buf_init(&b, 4u << 20);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	if (r->id[0] != '\0')
		qmb_jw_kstr(&jw, "session_id", r->id);
	else
		qmb_jw_kstr(&jw, "project_logs", "init.log");
	qmb_jw_kstr(&jw, "status", status_of(r, dry));
	qmb_jw_key(&jw, "dry_run");
	qmb_jw_bool(&jw, dry);
	if (r->state == QMB_MIG_DONE && r->id[0] != '\0') {
		qmb_jw_kstr(&jw, "project_name", r->project);
		qmb_jw_key(&jw, "archived");
		qmb_jw_bool(&jw, r->archived);
		qmb_jw_kint(&jw, "stages", r->stages);
		qmb_jw_kint(&jw, "pending_tables", r->tables);
		qmb_jw_kint(&jw, "reviews", r->reviews);
		qmb_jw_kint(&jw, "legacy_entries", r->entries);
		qmb_jw_kint(&jw, "trail_entries", r->trail);
	}
	qmb_jw_key(&jw, "actions");
	qmb_jw_arr_begin(&jw);
	for (p = r->text.data; p != NULL && p < r->text.data + r->text.len;
	    p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		while (*p == ' ')
			p++;
		qmb_jw_strn(&jw, p, (size_t)(nl - p));
	}
	qmb_jw_arr_end(&jw);
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == 0)
		printf("%s\n", b.data);
	qmb_buf_free(&b);
}

static void
print_human(const struct qmb_mig_res *r, int dry, int quiet)
{
	if (quiet && !dry)
		return;
	if (r->id[0] == '\0') {
		if (r->state != QMB_MIG_NONE)
			printf("%s the project log init.log:\n%s",
			    dry ? "Would move" : "Moved", r->text.data);
		return;
	}
	switch (r->state) {
	case QMB_MIG_DONE:
		printf("%s session %s (%s)%s from the TypeScript tool's format:\n%s",
		    dry ? "Would migrate" : "Migrated", r->id, r->project,
		    r->archived ? ", archived," : "", r->text.data);
		break;
	case QMB_MIG_FINISHED:
		printf("%s the migration of session %s:\n%s",
		    dry ? "Would finish" : "Finished", r->id, r->text.data);
		break;
	default:
		printf("Session %s: nothing to migrate (format %d already).\n",
		    r->id, 1);
	}
}

static int
one(const struct opts *o, struct qmb_proj *p, const char *id, int project,
    struct qmb_err *err)
{
	struct qmb_mig_res r;
	int rc;

	qmb_mig_res_init(&r);
	rc = project ? qmb_migrate_project(p, o->dry_run, &r, err) :
	    qmb_migrate_session(p, id, o->dry_run, 0, &r, err);
	if (rc == 0 && (!project || r.state != QMB_MIG_NONE)) {
		if (o->c.json)
			print_json(&r, o->dry_run);
		else
			print_human(&r, o->dry_run, o->c.quiet);
	}
	if (rc == 0 && r.warning[0] != '\0')
		qmb_warn("session '%s': audit mirror not written: %s", r.id,
		    r.warning);
	if (rc == 0 && r.logerr[0] != '\0' && o->c.verbose)
		qmb_warn("session '%s': log not written: %s", r.id, r.logerr);
	qmb_mig_res_free(&r);
	return rc;
}

/* Does id exist at all (a state, an archive or legacy files)? */
static int
known(struct qmb_proj *p, const char *id)
{
	char name[NAME_MAX + 1];
	int dfd, k;
	static const enum qmb_dir dirs[] = {
		QMB_D_SESSIONS, QMB_D_ARCHIVE, QMB_D_ARCHIVE_SESSIONS,
	};
	struct qmb_err e = QMB_ERR_INIT;

	snprintf(name, sizeof(name), "%s.json", id);
	for (k = 0; k < 3; k++)
		if ((dfd = qmb_proj_dir(p, dirs[k], 0, &e)) != -1 &&
		    faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			return 1;
	return qmb_migrate_pending(p, id);
}

int
cmd_migrate(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_err e;
	char **ids = NULL;
	size_t n = 0, i;
	int rc = 0, first = 0;

	if (o->all && qmb_migrate_ids(p, &ids, &n, err) == -1)
		return -1;
	if (o->all && n == 0 && !o->c.quiet && !o->c.json)
		printf("Nothing to migrate: no files of the TypeScript tool.\n");
	for (i = 0; i < (o->all ? n : (size_t)argc); i++) {
		const char *id = o->all ? ids[i] : argv[i];

		e = (struct qmb_err)QMB_ERR_INIT;
		if (!o->all && qmb_id_check(id, &e) == 0 && !known(p, id))
			qmb_errf(&e, QMB_EXIT_NOTFOUND,
			    "no session '%s' (see 'qmb-session list --all')", id);
		else if (e.code == 0 && one(o, p, id, 0, &e) == 0)
			continue;
		rc = qmb_report(&e);
		if (first == 0)
			first = rc;
	}
	if (o->all) {
		e = (struct qmb_err)QMB_ERR_INIT;
		if (one(o, p, NULL, 1, &e) == -1 && first == 0)
			first = qmb_report(&e);
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	(void)err;
	return first;
}

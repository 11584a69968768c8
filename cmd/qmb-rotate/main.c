/* SPDX-License-Identifier: MIT */
/*
 * qmb-rotate: rotate the logs of a project and, with --retention, apply
 * the retention rules (DESIGN 7).  Made for cron: one run at a time, and
 * silent unless it acted or failed.
 */
#include <stdio.h>
#include <string.h>

#include "qmb_clock.h"
#include "qmb_config.h"
#include "qmb_json.h"
#include "qmb_lock.h"
#include "qmb_prog.h"
#include "qmb_progress.h"
#include "qmb_retention.h"
#include "rotate.h"

struct opts {
	struct qmb_common	 c;
	struct qmb_config	 set;		/* --max-size, --keep */
	const char		*max_size, *keep;
	int			 retention, dry_run;
};

struct out {
	const struct opts	*o;
	int			 acted;
	int			 code;		/* first failure */
	long			 steps;		/* progress sent */
};

/* --max-size and --keep take the values the settings take. */
static int
check_values(void *arg, struct qmb_err *err)
{
	struct opts *o = arg;

	qmb_config_defaults(&o->set);
	if (o->max_size != NULL && qmb_config_set(&o->set, "log_max_size",
	    o->max_size, "--max-size", err) == -1)
		return -1;
	if (o->keep != NULL && qmb_config_set(&o->set, "log_keep", o->keep,
	    "--keep", err) == -1)
		return -1;
	return 0;
}

static void
report(void *arg, const struct qmb_raction *a)
{
	struct out *out = arg;
	struct qmb_buf b;
	struct qmb_jw jw;

	if (a->failed) {
		fflush(stdout);
		fprintf(stderr, "%s: %s: %s\n", rotate_spec.name, a->what, a->err.msg);
		if (out->code == 0)
			out->code = a->err.code ? a->err.code :
			    QMB_EXIT_INTERNAL;
	} else if (a->kind != QMB_RA_SKIP) {
		out->acted = 1;
	}
	if (a->kind != QMB_RA_SKIP)
		qmb_progress(++out->steps, 0, "%s%s", a->what,
		    a->failed ? ": failed" : "");
	if ((a->kind == QMB_RA_SKIP && !out->o->c.verbose) ||
	    (out->o->c.quiet && !a->failed) || (a->failed && !out->o->c.json))
		return;
	if (!out->o->c.json) {
		printf("%s\n", a->what);
		return;
	}
	qmb_buf_init(&b, 8192);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "action", qmb_retention_action(a->kind));
	qmb_jw_kstr(&jw, "subject", a->subject);
	qmb_jw_kstr(&jw, "message", a->what);
	qmb_jw_key(&jw, "dry_run");
	qmb_jw_bool(&jw, a->dry_run);
	qmb_jw_key(&jw, "ok");
	qmb_jw_bool(&jw, !a->failed);
	if (a->failed)
		qmb_jw_kstr(&jw, "error", a->err.msg);
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == 0)
		printf("%s\n", b.data);
	qmb_buf_free(&b);
}

static int
run(void *arg, const struct qmb_cli *cli, struct qmb_proj *p,
    struct qmb_err *err)
{
	struct opts *o = arg;
	struct qmb_rotate_opts ro = { 0 };
	struct qmb_lock l = QMB_LOCK_INIT;
	struct out out = { 0 };
	int rc;

	(void)cli;
	if (qmb_proj_dir(p, QMB_D_QMB, 0, err) == -1) {
		if (err->code != QMB_EXIT_NOTFOUND)
			return -1;
		if (o->c.verbose)
			fprintf(stderr, "%s: no .qmb/ in '%s': nothing to do\n",
			    rotate_spec.name, p->root);
		return 0;
	}
	if (qmb_retention_lock(p, &l, err) == -1) {
		if (err->code != QMB_EXIT_BUSY)
			return -1;
		if (o->c.verbose)
			fprintf(stderr, "%s: another qmb-rotate is running in '%s'; nothing done\n",
			    rotate_spec.name, p->root);
		return 0;
	}
	out.o = o;
	ro.max_size = o->max_size ? o->set.log_max_size : 0;
	ro.keep = o->keep ? o->set.log_keep : 0;
	ro.dry_run = o->dry_run;
	ro.now = qmb_now();
	ro.user = o->c.user;
	ro.report = report;
	ro.arg = &out;
	rc = qmb_retention_rotate(p, &ro, err);
	if (rc == 0 && o->retention)
		rc = qmb_retention_run(p, &ro, err);
	qmb_lock_release(&l);
	if (rc == -1)
		return -1;
	if (!out.acted && o->c.verbose && !o->c.json)
		fprintf(stderr, "%s: nothing to do\n", rotate_spec.name);
	return out.code;
}

static void
take(void *arg, const struct qmb_cli *cli)
{
	struct opts *o = arg;

	o->max_size = cli->arg[I_MAX_SIZE];
	o->keep = cli->arg[I_KEEP];
	o->retention = (cli->set >> I_RETENTION) & 1;
	o->dry_run = (cli->set >> I_DRY_RUN) & 1;
}

int
main(int argc, char *argv[])
{
	static struct opts o;
	static const struct qmb_cli_main m = {
		.spec = &rotate_spec, .common = &o.c, .opts = &o, .config = 1,
		.take = take, .prepare = check_values, .run = run,
	};

	return qmb_cli_main(&m, argc, argv);
}

/* SPDX-License-Identifier: MIT */
/*
 * qmb-rotate: rotate the logs of a project and, with --retention, apply
 * the retention rules (DESIGN 7).  Made for cron: one run at a time, and
 * silent unless it acted or failed.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "qmb_clock.h"
#include "qmb_config.h"
#include "qmb_json.h"
#include "qmb_lock.h"
#include "qmb_prog.h"
#include "qmb_progress.h"
#include "qmb_retention.h"

enum { OPT_MAX_SIZE = 256, OPT_KEEP,
    OPT_RETENTION, OPT_DRY_RUN };

static char progname[] = "qmb-rotate";

static const char usage_str[] =
"usage: qmb-rotate [-hqVv] [-C dir] [--json] [--user id] [--wait seconds]\n"
"                  [--max-size size] [--keep n] [--retention] [--dry-run]\n";

static const char help_str[] =
"\nRotate every log at or over its size limit; with --retention, also\n"
"archive inactive sessions, delete the logs of completed sessions and\n"
"compress old audit trails.  Silent unless it acted or failed.\n"
"\noptions:\n"
"      --max-size=SIZE     rotate logs at this size (K, M, G; default:\n"
"                          log_max_size, global_log_max_size)\n"
"      --keep=N            rotated files kept per log (default: log_keep)\n"
"      --retention         also apply the retention rules\n"
"      --dry-run           list what would be done, change nothing\n"
"  -C, --directory=DIR     project folder\n"
"      --json              print each action as a JSON line\n"
"  -q, --quiet             print only failures\n"
"  -v, --verbose           also say what was left alone, and why\n"
"      --user=ID           who the audit entries name (default: $QMB_USER,\n"
"                          else the login name)\n"
"      --wait=SECONDS      how long to wait for a busy log or session\n"
"                          (default 10)\n"
"  -h, --help              show this help\n"
"  -V, --version           show the version\n";

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

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		QMB_COMMON_LONG,
		{ "max-size",	required_argument, NULL, OPT_MAX_SIZE },
		{ "keep",	required_argument, NULL, OPT_KEEP },
		{ "retention",	no_argument,	   NULL, OPT_RETENTION },
		{ "dry-run",	no_argument,	   NULL, OPT_DRY_RUN },
		{ NULL, 0, NULL, 0 }
	};
	int ch, r, ex;

	while ((ch = getopt_long(argc, argv, QMB_COMMON_SHORT, longopts,
	    NULL)) != -1) {
		if ((r = qmb_common_opt(&o->c, ch, optarg, usage_str, help_str,
		    &ex)) != 0) {
			if (r == -1)
				return ex == 0 ? -1 : ex;
			continue;
		}
		switch (ch) {
		case OPT_MAX_SIZE: o->max_size = optarg; break;
		case OPT_KEEP: o->keep = optarg; break;
		case OPT_RETENTION: o->retention = 1; break;
		case OPT_DRY_RUN: o->dry_run = 1; break;
		default:
			return qmb_usage(usage_str);
		}
	}
	return 0;
}

/* --max-size and --keep take the values the settings take. */
static int
check_values(struct opts *o, struct qmb_err *err)
{
	qmb_config_defaults(&o->set);
	if (o->max_size != NULL && qmb_config_set(&o->set, "log_max_size",
	    o->max_size, "--max-size", err) == -1)
		return -1;
	if (o->keep != NULL && qmb_config_set(&o->set, "log_keep", o->keep,
	    "--keep", err) == -1)
		return -1;
	if (o->keep != NULL && o->set.log_keep > 20)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "--keep: at most 20 rotated files per log");
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
		fprintf(stderr, "%s: %s: %s\n", progname, a->what, a->err.msg);
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
run(struct opts *o, struct qmb_proj *p, struct qmb_err *err)
{
	struct qmb_rotate_opts ro = { 0 };
	struct qmb_lock l = QMB_LOCK_INIT;
	struct out out = { 0 };
	int rc;

	if (qmb_proj_dir(p, QMB_D_QMB, 0, err) == -1) {
		if (err->code != QMB_EXIT_NOTFOUND)
			return -1;
		if (o->c.verbose)
			fprintf(stderr, "%s: no .qmb/ in '%s': nothing to do\n",
			    progname, p->root);
		return 0;
	}
	if (qmb_retention_lock(p, &l, err) == -1) {
		if (err->code != QMB_EXIT_BUSY)
			return -1;
		if (o->c.verbose)
			fprintf(stderr, "%s: another qmb-rotate is running in '%s'; nothing done\n",
			    progname, p->root);
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
		fprintf(stderr, "%s: nothing to do\n", progname);
	return out.code;
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_proj p;
	int rc;

	memset(&o, 0, sizeof(o));
	argv[0] = progname;
	qmb_setprogname(progname);
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? -rc - 1 : rc;
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected operand '%s'\n", progname,
		    argv[optind]);
		return qmb_usage(usage_str);
	}
	if (check_values(&o, &err) == -1)
		return qmb_report(&err);
	qmb_common_finish(&o.c);
	if (qmb_proj_open(&p, o.c.dir, &err) == -1 ||
	    qmb_config_get(&p, &err) == NULL)
		return qmb_report(&err);
	rc = run(&o, &p, &err);
	qmb_proj_close(&p);
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

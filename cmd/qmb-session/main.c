/* SPDX-License-Identifier: MIT */
/*
 * qmb-session: create, resume, approve and complete QlikModelBuilder
 * sessions whose state lives in .qmb/sessions/ID.json.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_config.h"
#include "qmb_session.h"
#include "session.h"

enum {
	OPT_MODEL_TYPE = 256, OPT_RESUME, OPT_NEW, OPT_ALL, OPT_PROJECT,
	OPT_STAGE, OPT_FORCE, OPT_MIN_SCORE
};

static char progname[] = "qmb-session";

static const char usage_str[] =
"usage: qmb-session [-hqVv] [-C dir] [--json] [--user id] [--wait seconds]\n"
"                   command [argument ...]\n";

static const char help_str[] =
"\ncommands:\n"
"  new PROJECT [--model-type TYPE]   create a session, print its id\n"
"  start PROJECT [--resume|--new]    continue a saved session or start one\n"
"  list [--all] [--project NAME]     saved sessions, newest first\n"
"  show ID                           stages, tables and reviews of a session\n"
"  resume ID                         restore a session and say where it stands\n"
"  approve ID STAGE [FILE|-]         approve the script part of a stage\n"
"  revert ID STAGE                   withdraw approval of STAGE and later ones\n"
"  set-model ID TYPE                 star_schema, snowflake, link_table,\n"
"                                    concatenated\n"
"  tables ID [add|remove|set NAME...] show or change the pending tables\n"
"  script ID [--stage S]             print the approved script\n"
"  export ID                         print the session as JSON\n"
"  import FILE|- [--force]           load an exported session\n"
"  complete ID [--min-score N]       finish: write stage2_output/\n"
"  archive ID                        move a session to .qmb/archive/\n"
"\noptions:\n"
"  -C, --directory=DIR   project folder (default: $QMB_PROJECT_DIR, else the\n"
"                        nearest folder upward holding .qmb/)\n"
"      --json            print JSON (JSON Lines for lists)\n"
"  -q, --quiet           print only results\n"
"  -v, --verbose         say more, including log failures\n"
"      --user=ID         who acts (default: $QMB_USER, else the login name)\n"
"      --wait=SECONDS    how long to wait for a busy session (default 10)\n"
"      --model-type=TYPE, --resume, --new, --all, --project=NAME,\n"
"      --stage=S, --force, --min-score=N   see the commands above\n"
"  -h, --help            show this help\n"
"  -V, --version         show the version\n";

static const struct verb {
	struct qmb_verb	 v;
	cmd_fn		*fn;
} verbs[] = {
	{ { "new", 1, 1, O_MODEL_TYPE }, cmd_new },
	{ { "start", 1, 1, O_RESUME | O_NEW | O_MODEL_TYPE }, cmd_start },
	{ { "list", 0, 0, O_ALL | O_PROJECT }, cmd_list },
	{ { "show", 1, 1, 0 }, cmd_show },
	{ { "resume", 1, 1, 0 }, cmd_resume },
	{ { "approve", 2, 3, 0 }, cmd_approve },
	{ { "revert", 2, 2, 0 }, cmd_revert },
	{ { "set-model", 2, 2, 0 }, cmd_set_model },
	{ { "tables", 1, 1 << 20, 0 }, cmd_tables },
	{ { "script", 1, 1, O_STAGE }, cmd_script },
	{ { "export", 1, 1, 0 }, cmd_export },
	{ { "import", 1, 1, O_FORCE }, cmd_import },
	{ { "complete", 1, 1, O_MIN_SCORE }, cmd_complete },
	{ { "archive", 1, 1, 0 }, cmd_archive },
};

static const char *const optnames[] = {
	"--model-type", "--resume", "--new", "--all", "--project", "--stage",
	"--force", "--min-score",
};

static int
parse_min_score(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < 0 || v > 100)
		return -1;
	*out = v;
	return 0;
}

static int
bad_value(const char *opt, const char *v, const char *what, int *exitp)
{
	fprintf(stderr, "%s: invalid %s '%s': %s\n", progname, opt, v, what);
	*exitp = QMB_EXIT_USAGE;
	return -1;
}

/* 0, or -1 when main is to return *exitp. */
static int
parse_opts(int argc, char **argv, struct opts *o, int *exitp)
{
	static const struct option longopts[] = {
		QMB_COMMON_LONG,
		{ "model-type",	required_argument, NULL, OPT_MODEL_TYPE },
		{ "resume",	no_argument,	   NULL, OPT_RESUME },
		{ "new",	no_argument,	   NULL, OPT_NEW },
		{ "all",	no_argument,	   NULL, OPT_ALL },
		{ "project",	required_argument, NULL, OPT_PROJECT },
		{ "stage",	required_argument, NULL, OPT_STAGE },
		{ "force",	no_argument,	   NULL, OPT_FORCE },
		{ "min-score",	required_argument, NULL, OPT_MIN_SCORE },
		{ NULL, 0, NULL, 0 }
	};
	int ch, r;

	while ((ch = getopt_long(argc, argv, QMB_COMMON_SHORT, longopts,
	    NULL)) != -1) {
		if ((r = qmb_common_opt(&o->c, ch, optarg, usage_str, help_str,
		    exitp)) != 0) {
			if (r == -1)
				return -1;
			continue;
		}
		switch (ch) {
		case OPT_MODEL_TYPE: o->model_type = optarg; o->set |= O_MODEL_TYPE; break;
		case OPT_RESUME: o->set |= O_RESUME; break;
		case OPT_NEW: o->set |= O_NEW; break;
		case OPT_ALL: o->set |= O_ALL; break;
		case OPT_PROJECT: o->project = optarg; o->set |= O_PROJECT; break;
		case OPT_STAGE: o->stage = optarg; o->set |= O_STAGE; break;
		case OPT_FORCE: o->set |= O_FORCE; break;
		case OPT_MIN_SCORE:
			if (parse_min_score(optarg, &o->min_score) == -1)
				return bad_value("--min-score", optarg, "give 0-100",
				    exitp);
			o->set |= O_MIN_SCORE;
			break;
		default:
			*exitp = qmb_usage(usage_str);
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct qmb_err err = QMB_ERR_INIT;
	const struct qmb_config *cfg;
	struct qmb_proj p;
	const struct verb *v;
	int rc;

	argv[0] = progname;
	qmb_setprogname(progname);
	if (parse_opts(argc, argv, &o, &rc) == -1)
		return rc;
	argc -= optind, argv += optind;
	if (argc < 1)
		return qmb_usage(usage_str);
	if ((v = qmb_verb_find(verbs, sizeof(verbs) / sizeof(verbs[0]),
	    sizeof(verbs[0]), argv[0])) == NULL) {
		fprintf(stderr, "%s: unknown command '%s'\n", progname, argv[0]);
		return qmb_usage(usage_str);
	}
	if ((rc = qmb_verb_check(&v->v, o.set, optnames, argc - 1,
	    usage_str)) != 0)
		return rc;
	if ((o.set & O_RESUME) && (o.set & O_NEW)) {
		fprintf(stderr, "%s: --resume and --new exclude each other\n",
		    progname);
		return qmb_usage(usage_str);
	}
	qmb_common_finish(&o.c);
	if (qmb_name_check("--user", o.c.user, &err) == -1)
		return qmb_report(&err);
	if (qmb_proj_open(&p, o.c.dir, &err) == -1 ||
	    (cfg = qmb_config_get(&p, &err)) == NULL)
		return qmb_report(&err);
	o.idle_days = cfg->idle_warn_days;
	rc = v->fn(&o, &p, argc - 1, argv + 1, &err);
	qmb_proj_close(&p);
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

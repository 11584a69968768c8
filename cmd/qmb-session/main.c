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
	OPT_JSON = 256, OPT_USER, OPT_WAIT, OPT_VERSION, OPT_MODEL_TYPE,
	OPT_RESUME, OPT_NEW, OPT_ALL, OPT_PROJECT, OPT_STAGE, OPT_FORCE,
	OPT_MIN_SCORE
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
	const char	*name;
	cmd_fn		*fn;
	int		 min, max;	/* operands after the verb */
	unsigned	 allowed;
} verbs[] = {
	{ "new",	cmd_new,	1, 1, O_MODEL_TYPE },
	{ "start",	cmd_start,	1, 1, O_RESUME | O_NEW | O_MODEL_TYPE },
	{ "list",	cmd_list,	0, 0, O_ALL | O_PROJECT },
	{ "show",	cmd_show,	1, 1, 0 },
	{ "resume",	cmd_resume,	1, 1, 0 },
	{ "approve",	cmd_approve,	2, 3, 0 },
	{ "revert",	cmd_revert,	2, 2, 0 },
	{ "set-model",	cmd_set_model,	2, 2, 0 },
	{ "tables",	cmd_tables,	1, 1 << 20, 0 },
	{ "script",	cmd_script,	1, 1, O_STAGE },
	{ "export",	cmd_export,	1, 1, 0 },
	{ "import",	cmd_import,	1, 1, O_FORCE },
	{ "complete",	cmd_complete,	1, 1, O_MIN_SCORE },
	{ "archive",	cmd_archive,	1, 1, 0 },
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
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "directory",	required_argument, NULL, 'C' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "quiet",	no_argument,	   NULL, 'q' },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ "json",	no_argument,	   NULL, OPT_JSON },
		{ "user",	required_argument, NULL, OPT_USER },
		{ "wait",	required_argument, NULL, OPT_WAIT },
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
	int ch;

	while ((ch = getopt_long(argc, argv, "C:hqvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C': o->c.dir = optarg; break;
		case 'q': o->c.quiet = 1; break;
		case 'v': o->c.verbose = 1; break;
		case 'h': return qmb_help(usage_str, help_str) + 1000;
		case 'V': return qmb_version() + 1000;
		case OPT_JSON: o->c.json = 1; break;
		case OPT_USER: o->c.user = optarg; break;
		case OPT_WAIT:
			if (qmb_parse_wait(optarg) == -1) {
				fprintf(stderr, "%s: invalid --wait '%s': give seconds (0-86400)\n",
				    progname, optarg);
				return QMB_EXIT_USAGE;
			}
			break;
		case OPT_MODEL_TYPE: o->model_type = optarg; o->set |= O_MODEL_TYPE; break;
		case OPT_RESUME: o->set |= O_RESUME; break;
		case OPT_NEW: o->set |= O_NEW; break;
		case OPT_ALL: o->set |= O_ALL; break;
		case OPT_PROJECT: o->project = optarg; o->set |= O_PROJECT; break;
		case OPT_STAGE: o->stage = optarg; o->set |= O_STAGE; break;
		case OPT_FORCE: o->set |= O_FORCE; break;
		case OPT_MIN_SCORE:
			if (parse_min_score(optarg, &o->min_score) == -1) {
				fprintf(stderr, "%s: invalid --min-score '%s': give 0-100\n",
				    progname, optarg);
				return QMB_EXIT_USAGE;
			}
			o->set |= O_MIN_SCORE;
			break;
		default:
			return qmb_usage(usage_str);
		}
	}
	return 0;
}

static const struct verb *
find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

/* 0 when the options and operand count suit the verb, else exit 2. */
static int
check_verb(const struct verb *v, const struct opts *o, int nargs)
{
	unsigned extra = o->set & ~v->allowed;
	size_t i;

	for (i = 0; extra != 0; i++, extra >>= 1)
		if (extra & 1) {
			fprintf(stderr, "%s: option %s does not apply to '%s'\n",
			    progname, optnames[i], v->name);
			return qmb_usage(usage_str);
		}
	if ((o->set & O_RESUME) && (o->set & O_NEW)) {
		fprintf(stderr, "%s: --resume and --new exclude each other\n",
		    progname);
		return qmb_usage(usage_str);
	}
	if (nargs < v->min || nargs > v->max) {
		fprintf(stderr, "%s: '%s' takes %s operands\n", progname, v->name,
		    nargs < v->min ? "more" : "fewer");
		return qmb_usage(usage_str);
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
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc >= 1000 ? rc - 1000 : rc;
	argc -= optind, argv += optind;
	if (argc < 1)
		return qmb_usage(usage_str);
	if ((v = find_verb(argv[0])) == NULL) {
		fprintf(stderr, "%s: unknown command '%s'\n", progname, argv[0]);
		return qmb_usage(usage_str);
	}
	if ((rc = check_verb(v, &o, argc - 1)) != 0)
		return rc;
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

/* SPDX-License-Identifier: MIT */
/*
 * qmb-recover: classify and repair damaged sessions (DESIGN 4), run the
 * health checks and the recovery report.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "qmb_config.h"
#include "recover.h"

enum { OPT_ALL = 256, OPT_DRY_RUN, OPT_FROM,
    OPT_SINCE };

static char progname[] = "qmb-recover";

static const char usage_str[] =
"usage: qmb-recover [-hqVv] [-C dir] [--json] [--user id] [--wait seconds]\n"
"                   check [id | --all]\n"
"       qmb-recover repair id | --all [--dry-run] [--from bak | audit]\n"
"       qmb-recover migrate id ... | --all [--dry-run]\n"
"       qmb-recover health\n"
"       qmb-recover report [--since time]\n";

static const char help_str[] =
"\ncommands:\n"
"  check [ID]      classify sessions and list what is wrong (default: all)\n"
"  repair ID       repair a session: roll forward, .bak, audit replay or\n"
"                  a fresh start; damaged files go to .qmb/corrupt/\n"
"  migrate ID...   convert sessions of the TypeScript QlikModelBuilder in\n"
"                  place; the originals are kept in .qmb/migrated/\n"
"  health          disk space, log sizes, idle sessions, Gemini failures\n"
"  report          recovery metrics of the last 7 days (or --since)\n"
"\noptions:\n"
"      --all               every session (check, repair, migrate)\n"
"      --dry-run           repair, migrate: say what would be done, change\n"
"                          nothing\n"
"      --from=SOURCE       repair: take the state from 'bak' or 'audit'\n"
"      --since=TIME        report: a duration (7d, 24h) or a date\n"
"  -C, --directory=DIR     project folder\n"
"      --json              print JSON (JSON Lines for lists)\n"
"  -q, --quiet             print only problems\n"
"  -v, --verbose           say more\n"
"      --user=ID           who repairs (default: $QMB_USER, else the login name)\n"
"      --wait=SECONDS      how long to wait for a busy session (default 10)\n"
"  -h, --help              show this help\n"
"  -V, --version           show the version\n";

static const struct verb {
	const char	*name;
	cmd_fn		*fn;
	int		 min, max;
} verbs[] = {
	{ "check", cmd_check, 0, 1 },
	{ "repair", cmd_repair, 0, 1 },
	{ "migrate", cmd_migrate, 0, 4096 },
	{ "health", cmd_health, 0, 0 },
	{ "report", cmd_report, 0, 0 },
};

static int
parse_from(const char *s, struct opts *o)
{
	if (strcmp(s, "bak") == 0)
		o->from = QMB_FROM_BAK;
	else if (strcmp(s, "audit") == 0)
		o->from = QMB_FROM_AUDIT;
	else {
		fprintf(stderr, "%s: invalid --from '%s': use 'bak' or 'audit'\n",
		    progname, s);
		return QMB_EXIT_USAGE;
	}
	return 0;
}

static int
parse_opts(int argc, char **argv, struct opts *o, int *from_set)
{
	static const struct option longopts[] = {
		QMB_COMMON_LONG,
		{ "all",	no_argument,	   NULL, OPT_ALL },
		{ "dry-run",	no_argument,	   NULL, OPT_DRY_RUN },
		{ "from",	required_argument, NULL, OPT_FROM },
		{ "since",	required_argument, NULL, OPT_SINCE },
		{ NULL, 0, NULL, 0 }
	};
	int ch, r, ex, rc;

	while ((ch = getopt_long(argc, argv, QMB_COMMON_SHORT, longopts,
	    NULL)) != -1) {
		if ((r = qmb_common_opt(&o->c, ch, optarg, usage_str, help_str,
		    &ex)) != 0) {
			if (r == -1)
				return ex == 0 ? -1 : ex;
			continue;
		}
		switch (ch) {
		case OPT_ALL: o->all = 1; break;
		case OPT_DRY_RUN: o->dry_run = 1; break;
		case OPT_FROM:
			if ((rc = parse_from(optarg, o)) != 0)
				return rc;
			*from_set = 1;
			break;
		case OPT_SINCE: o->since = optarg; break;
		default:
			return qmb_usage(usage_str);
		}
	}
	return 0;
}

static int
misuse(const char *msg, const char *verb)
{
	fprintf(stderr, "%s: %s '%s'\n", progname, msg, verb);
	return qmb_usage(usage_str);
}

/* Which options each command takes. */
static int
check(const struct verb *v, const struct opts *o, int nargs, int from_set)
{
	int repair = strcmp(v->name, "repair") == 0;
	int migrate = strcmp(v->name, "migrate") == 0;

	if (nargs < v->min || nargs > v->max)
		return misuse("wrong number of operands for", v->name);
	if (o->all && nargs > 0)
		return misuse("give an id or --all, not both, to", v->name);
	if (o->all && !repair && !migrate && strcmp(v->name, "check") != 0)
		return misuse("--all only applies to 'check', 'repair' and 'migrate', not",
		    v->name);
	if ((repair || migrate) && !o->all && nargs == 0)
		return misuse("give a session id or --all to", v->name);
	if (o->dry_run && !repair && !migrate)
		return misuse("--dry-run only applies to 'repair' and 'migrate', not",
		    v->name);
	if (from_set && !repair)
		return misuse("--from only applies to 'repair', not", v->name);
	if (o->since && strcmp(v->name, "report") != 0)
		return misuse("--since only applies to 'report', not", v->name);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_proj p;
	const struct verb *v = NULL;
	size_t i;
	int rc, from_set = 0;

	argv[0] = progname;
	qmb_setprogname(progname);
	if ((rc = parse_opts(argc, argv, &o, &from_set)) != 0)
		return rc < 0 ? -rc - 1 : rc;
	argc -= optind, argv += optind;
	if (argc < 1)
		return qmb_usage(usage_str);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, argv[0]) == 0)
			v = &verbs[i];
	if (v == NULL)
		return misuse("unknown command", argv[0]);
	if ((rc = check(v, &o, argc - 1, from_set)) != 0)
		return rc;
	qmb_common_finish(&o.c);
	if (qmb_proj_open(&p, o.c.dir, &err) == -1 ||
	    qmb_config_get(&p, &err) == NULL)
		return qmb_report(&err);
	rc = v->fn(&o, &p, argc - 1, argv + 1, &err);
	qmb_proj_close(&p);
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

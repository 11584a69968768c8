/* SPDX-License-Identifier: MIT */
/*
 * qmb-log: write and read the JSON-Lines logs in .qmb/logs/.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_config.h"
#include "log.h"

enum {
	OPT_DETAILS = 256, OPT_STDIN, OPT_GLOBAL,
	OPT_ROTATED, OPT_PRETTY, OPT_SINCE, OPT_UNTIL
};

static char progname[] = "qmb-log";

static const char usage_str[] =
"usage: qmb-log [-hqVv] [-C dir] [--json] [--user id] [--wait seconds]\n"
"               write [-s id] -l level -c component -a action [-S stage]\n"
"                     [-d key=value ...] [--details json]\n"
"       qmb-log write --stdin [-s id]\n"
"       qmb-log show [id | --global] [-f] [-l level] [-S stage] [-c component]\n"
"                    [-a action] [--since time] [--until time] [-n count]\n"
"                    [--rotated] [--pretty]\n";

static const char help_str[] =
"\ncommands:\n"
"  write            append one entry (or JSON Lines from standard input)\n"
"  show [ID]        print a session's log (default: the global log)\n"
"\noptions:\n"
"  -s, --session=ID        the session an entry belongs to\n"
"  -l, --level=LEVEL       DEBUG, INFO, WARN or ERROR (show: the minimum)\n"
"  -c, --component=NAME    the component (script_builder, session, ...)\n"
"  -a, --action=NAME       what happened (table_generated, ...)\n"
"  -S, --stage=STAGE       A to F\n"
"  -d, --data=KEY=VALUE    a details member; numbers, true, false and null\n"
"                          are typed, anything else is a string\n"
"      --details=JSON      details as a JSON object\n"
"      --stdin             read entries as JSON Lines from standard input\n"
"      --global            show the global log (qmb.log)\n"
"  -f, --follow            keep printing lines as they are written\n"
"  -n, --lines=N           only the last N matching entries\n"
"      --since=TIME        entries at or after TIME (ISO 8601, or 10m, 2h, 7d ago)\n"
"      --until=TIME        entries at or before TIME\n"
"      --rotated           include the rotated files, oldest first\n"
"      --pretty            one aligned line per entry (default on a terminal)\n"
"  -C, --directory=DIR     project folder\n"
"      --json              print the entries as JSON Lines (default elsewhere)\n"
"  -q, --quiet             no warnings about skipped lines\n"
"  -v, --verbose           say more\n"
"      --user=ID           who writes (default: $QMB_USER, else the login name)\n"
"      --wait=SECONDS      how long to wait for a busy log (default 10)\n"
"  -h, --help              show this help\n"
"  -V, --version           show the version\n";

static int
parse_count(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < 0 || v > 100000000L)
		return -1;
	*out = v;
	return 0;
}

static int
bad_value(const char *opt, const char *v, const char *what)
{
	fprintf(stderr, "%s: invalid %s '%s': %s\n", progname, opt, v, what);
	return QMB_EXIT_USAGE;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		QMB_COMMON_LONG,
		{ "session",	required_argument, NULL, 's' },
		{ "level",	required_argument, NULL, 'l' },
		{ "component",	required_argument, NULL, 'c' },
		{ "action",	required_argument, NULL, 'a' },
		{ "stage",	required_argument, NULL, 'S' },
		{ "data",	required_argument, NULL, 'd' },
		{ "details",	required_argument, NULL, OPT_DETAILS },
		{ "stdin",	no_argument,	   NULL, OPT_STDIN },
		{ "global",	no_argument,	   NULL, OPT_GLOBAL },
		{ "follow",	no_argument,	   NULL, 'f' },
		{ "lines",	required_argument, NULL, 'n' },
		{ "since",	required_argument, NULL, OPT_SINCE },
		{ "until",	required_argument, NULL, OPT_UNTIL },
		{ "rotated",	no_argument,	   NULL, OPT_ROTATED },
		{ "pretty",	no_argument,	   NULL, OPT_PRETTY },
		{ NULL, 0, NULL, 0 }
	};
	int ch, r, ex;

	while ((ch = getopt_long(argc, argv, QMB_COMMON_SHORT "s:l:c:a:S:d:fn:", longopts,
	    NULL)) != -1) {
		if ((r = qmb_common_opt(&o->c, ch, optarg, usage_str, help_str,
		    &ex)) != 0) {
			if (r == -1)
				return ex == 0 ? -1 : ex;
			continue;
		}
		switch (ch) {
		case 's': o->session = optarg; break;
		case 'l': o->level = optarg; break;
		case 'c': o->component = optarg; break;
		case 'a': o->action = optarg; break;
		case 'S': o->stage = optarg; break;
		case 'd':
			if (o->npairs == MAXPAIRS)
				return bad_value("-d", optarg, "too many -d options");
			o->pairs[o->npairs++] = optarg;
			break;
		case OPT_DETAILS: o->details = optarg; break;
		case OPT_STDIN: o->use_stdin = 1; break;
		case OPT_GLOBAL: o->global = 1; break;
		case 'f': o->follow = 1; break;
		case 'n':
			if (parse_count(optarg, &o->last) == -1)
				return bad_value("-n", optarg, "give a count");
			break;
		case OPT_SINCE: o->since = optarg; break;
		case OPT_UNTIL: o->until = optarg; break;
		case OPT_ROTATED: o->rotated = 1; break;
		case OPT_PRETTY: o->pretty = 1; break;
		default:
			return qmb_usage(usage_str);
		}
	}
	return 0;
}

/* Options that belong to the other command are usage errors. */
static int
check(const char *verb, const struct opts *o, int nargs)
{
	const char *bad = NULL;

	if (strcmp(verb, "write") == 0) {
		if (o->global || o->rotated || o->follow || o->pretty ||
		    o->last >= 0 || o->since || o->until)
			bad = "show options do not apply to 'write'";
		else if (nargs != 0)
			bad = "'write' takes no operands";
	} else {
		if (o->npairs || o->details || o->use_stdin)
			bad = "write options do not apply to 'show'";
		else if (nargs > 1 || (nargs == 1 && (o->global || o->session)))
			bad = "'show' takes one session id, or --global";
	}
	if (bad == NULL)
		return 0;
	fprintf(stderr, "%s: %s\n", progname, bad);
	return qmb_usage(usage_str);
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_proj p;
	int rc, isw;

	argv[0] = progname;
	qmb_setprogname(progname);
	o.last = -1;
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? -rc - 1 : rc;
	argc -= optind, argv += optind;
	if (argc < 1)
		return qmb_usage(usage_str);
	if (strcmp(argv[0], "write") != 0 && strcmp(argv[0], "show") != 0) {
		fprintf(stderr, "%s: unknown command '%s'\n", progname, argv[0]);
		return qmb_usage(usage_str);
	}
	if ((rc = check(argv[0], &o, argc - 1)) != 0)
		return rc;
	isw = strcmp(argv[0], "write") == 0;
	qmb_common_finish(&o.c);
	if (qmb_proj_open(&p, o.c.dir, &err) == -1 ||
	    qmb_config_get(&p, &err) == NULL)
		return qmb_report(&err);
	rc = (isw ? cmd_write : cmd_show)(&o, &p, argc - 1, argv + 1, &err);
	qmb_proj_close(&p);
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

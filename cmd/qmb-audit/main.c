/* SPDX-License-Identifier: MIT */
/*
 * qmb-audit: append to, show, verify and export the hash-chained audit
 * trails in .qmb/audit/.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "qmb_config.h"
#include "audit.h"

enum {
	OPT_SCRIPT = 256, OPT_DETAILS, OPT_ALL };

static char progname[] = "qmb-audit";

static const char usage_str[] =
"usage: qmb-audit [-hqVv] [-C dir] [--json] [--user id] [--wait seconds]\n"
"                 append id -t type [-d key=value ...] [--details json]\n"
"                        [--script file]\n"
"       qmb-audit show id [-t type]\n"
"       qmb-audit verify [id | --all]\n"
"       qmb-audit export id\n"
"       qmb-audit hash [file | -]\n";

static const char help_str[] =
"\ncommands:\n"
"  append ID       add an entry to a session's trail\n"
"  show ID         list the entries (a table on a terminal, else JSON Lines)\n"
"  verify [ID]     check every hash, link, seq and time (all trails: --all)\n"
"  export ID       the trail and a summary anyone can re-verify\n"
"  hash [FILE]     the SHA-256 of a file or standard input\n"
"\noptions:\n"
"  -t, --type=TYPE         entry type (append: lowercase, digits, '_')\n"
"  -d, --data=KEY=VALUE    a details member; integers, true, false and null\n"
"                          are typed, anything else is a string\n"
"      --details=JSON      details as a JSON object\n"
"      --script=FILE       add FILE's SHA-256 and content to the details\n"
"      --all               verify every trail, archived ones included\n"
"  -C, --directory=DIR     project folder\n"
"      --json              print JSON (JSON Lines for lists)\n"
"  -q, --quiet             print only results\n"
"  -v, --verbose           say more\n"
"      --user=ID           who appends (default: $QMB_USER, else the login name)\n"
"      --wait=SECONDS      how long to wait for a busy session (default 10)\n"
"  -h, --help              show this help\n"
"  -V, --version           show the version\n";

static const struct verb {
	const char	*name;
	cmd_fn		*fn;
	int		 min, max;
} verbs[] = {
	{ "append", cmd_append, 1, 1 },
	{ "show", cmd_show, 1, 1 },
	{ "verify", cmd_verify, 0, 1 },
	{ "export", cmd_export, 1, 1 },
	{ "hash", cmd_hash, 0, 1 },
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		QMB_COMMON_LONG,
		{ "type",	required_argument, NULL, 't' },
		{ "data",	required_argument, NULL, 'd' },
		{ "details",	required_argument, NULL, OPT_DETAILS },
		{ "script",	required_argument, NULL, OPT_SCRIPT },
		{ "all",	no_argument,	   NULL, OPT_ALL },
		{ NULL, 0, NULL, 0 }
	};
	int ch, r, ex;

	while ((ch = getopt_long(argc, argv, QMB_COMMON_SHORT "t:d:", longopts,
	    NULL)) != -1) {
		if ((r = qmb_common_opt(&o->c, ch, optarg, usage_str, help_str,
		    &ex)) != 0) {
			if (r == -1)
				return ex == 0 ? -1 : ex;
			continue;
		}
		switch (ch) {
		case 't': o->type = optarg; break;
		case 'd':
			if (o->npairs == MAXPAIRS) {
				fprintf(stderr, "%s: too many -d options\n", progname);
				return QMB_EXIT_USAGE;
			}
			o->pairs[o->npairs++] = optarg;
			break;
		case OPT_DETAILS: o->details = optarg; break;
		case OPT_SCRIPT: o->script = optarg; break;
		case OPT_ALL: o->all = 1; break;
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
check(const struct verb *v, const struct opts *o, int nargs)
{
	int isappend = strcmp(v->name, "append") == 0;

	if (nargs < v->min || nargs > v->max)
		return misuse("wrong number of operands for", v->name);
	if (!isappend && (o->npairs || o->details || o->script))
		return misuse("-d, --details and --script only apply to 'append', not",
		    v->name);
	if (o->type && !isappend && strcmp(v->name, "show") != 0)
		return misuse("-t does not apply to", v->name);
	if (isappend && o->type == NULL)
		return misuse("-t TYPE is required for", v->name);
	if (o->all && (strcmp(v->name, "verify") != 0 || nargs > 0))
		return misuse("--all applies to 'verify' without an id, not", v->name);
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
	int rc;

	argv[0] = progname;
	qmb_setprogname(progname);
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? -rc - 1 : rc;
	argc -= optind, argv += optind;
	if (argc < 1)
		return qmb_usage(usage_str);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, argv[0]) == 0)
			v = &verbs[i];
	if (v == NULL)
		return misuse("unknown command", argv[0]);
	if ((rc = check(v, &o, argc - 1)) != 0)
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

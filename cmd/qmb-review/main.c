/* SPDX-License-Identifier: MIT */
/*
 * qmb-review: send a session's assembled load script to Google Gemini
 * for review, record the answer, queue what could not be sent, and let
 * a person approve without a review.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_session.h"
#include "review.h"

enum {
	OPT_MODEL = 256, OPT_ATTEMPTS, OPT_TIMEOUT, OPT_NO_CACHE, OPT_SCRIPT, OPT_KEY_FILE, OPT_REASON, OPT_ALL
};

static char progname[] = "qmb-review";

static const char usage_str[] =
"usage: qmb-review [-hqVv] [-C dir] [--json] [--user id] [--wait seconds]\n"
"                  command [argument ...]\n";

static const char help_str[] =
"\ncommands:\n"
"  run [ID] [--script FILE|-]   review the session's script (or FILE) and\n"
"                               record the answer\n"
"  show ID                      the last review of a session\n"
"  queue                        review requests waiting for Gemini\n"
"  retry [NAME|--all]           send queued requests again (cron-safe):\n"
"                               NAME is a session id or script-HASH\n"
"  bypass ID --reason TEXT      approve the script without a review\n"
"  ping                         check that the key and the endpoint work\n"
"\noptions:\n"
"      --model=MODEL     Gemini model (default: gemini_model setting)\n"
"      --attempts=N      attempts before giving up (default 3; ping: 1)\n"
"      --timeout=SECONDS one attempt's limit (default 180)\n"
"      --no-cache        ask Gemini even when the script was reviewed\n"
"      --script=FILE     review FILE ('-': standard input) instead\n"
"      --key-file=FILE   read the API key from FILE (mode 0600)\n"
"      --reason=TEXT     why the review is bypassed\n"
"      --all             retry every queued request (the default)\n"
"  -C, --directory=DIR   project folder (default: $QMB_PROJECT_DIR, else the\n"
"                        nearest folder upward holding .qmb/)\n"
"      --json            print JSON (JSON Lines for lists)\n"
"  -q, --quiet           print only results\n"
"  -v, --verbose         say more: each attempt, waits, log failures\n"
"      --user=ID         who acts (default: $QMB_USER, else the login name)\n"
"      --wait=SECONDS    how long to wait for a busy session (default 10)\n"
"  -h, --help            show this help\n"
"  -V, --version         show the version\n";

static const struct verb {
	struct qmb_verb	 v;
	cmd_fn		*fn;
} verbs[] = {
	{ { "run", 0, 1, O_MODEL | O_ATTEMPTS | O_TIMEOUT | O_NO_CACHE |
	    O_SCRIPT | O_KEY_FILE }, cmd_run },
	{ { "show", 1, 1, 0 }, cmd_show },
	{ { "queue", 0, 0, 0 }, cmd_queue },
	{ { "retry", 0, 1, O_MODEL | O_ATTEMPTS | O_TIMEOUT | O_KEY_FILE |
	    O_ALL }, cmd_retry },
	{ { "bypass", 1, 1, O_REASON }, cmd_bypass },
	{ { "ping", 0, 0, O_MODEL | O_ATTEMPTS | O_TIMEOUT | O_KEY_FILE },
	    cmd_ping },
};

static const char *const optnames[] = {
	"--model", "--attempts", "--timeout", "--no-cache", "--script",
	"--key-file", "--reason", "--all",
};

static int
bad_value(const char *opt, const char *v, const char *want, int *exitp)
{
	fprintf(stderr, "%s: invalid %s '%.64s': %s\n", progname, opt, v, want);
	*exitp = QMB_EXIT_USAGE;
	return -1;
}

static int
parse_attempts(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < 1 || v > 99)
		return -1;
	*out = v;
	return 0;
}

static int
parse_timeout(const char *s, long *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0.001) || v > 3600)
		return -1;
	*ms = (long)(v * 1000.0 + 0.5);
	return 0;
}

static int
parse_opts(int argc, char **argv, struct opts *o, int *exitp)
{
	static const struct option longopts[] = {
		QMB_COMMON_LONG,
		{ "model",	required_argument, NULL, OPT_MODEL },
		{ "attempts",	required_argument, NULL, OPT_ATTEMPTS },
		{ "timeout",	required_argument, NULL, OPT_TIMEOUT },
		{ "no-cache",	no_argument,	   NULL, OPT_NO_CACHE },
		{ "script",	required_argument, NULL, OPT_SCRIPT },
		{ "key-file",	required_argument, NULL, OPT_KEY_FILE },
		{ "reason",	required_argument, NULL, OPT_REASON },
		{ "all",	no_argument,	   NULL, OPT_ALL },
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
		case OPT_MODEL: o->model = optarg; o->set |= O_MODEL; break;
		case OPT_ATTEMPTS:
			if (parse_attempts(optarg, &o->attempts) == -1)
				return bad_value("--attempts", optarg, "give 1-99",
				    exitp);
			o->set |= O_ATTEMPTS;
			break;
		case OPT_TIMEOUT:
			if (parse_timeout(optarg, &o->timeout_ms) == -1)
				return bad_value("--timeout", optarg,
				    "give seconds (0.001-3600)", exitp);
			o->set |= O_TIMEOUT;
			break;
		case OPT_NO_CACHE: o->set |= O_NO_CACHE; break;
		case OPT_SCRIPT: o->script = optarg; o->set |= O_SCRIPT; break;
		case OPT_KEY_FILE:
			o->key_file = optarg;
			o->set |= O_KEY_FILE;
			break;
		case OPT_REASON: o->reason = optarg; o->set |= O_REASON; break;
		case OPT_ALL: o->set |= O_ALL; break;
		default:
			*exitp = qmb_usage(usage_str);
			return -1;
		}
	}
	return 0;
}

/* 0 when the options and operand count suit the verb, else exit 2. */
static int
check_verb(const struct verb *v, const struct opts *o, int nargs)
{
	int rc;

	if ((rc = qmb_verb_check(&v->v, o->set, optnames, nargs,
	    usage_str)) != 0)
		return rc;
	if (v->fn == cmd_run && nargs == 0 && o->script == NULL) {
		fprintf(stderr, "%s: 'run' needs a session ID or --script FILE\n",
		    progname);
		return qmb_usage(usage_str);
	}
	if (v->fn == cmd_retry && nargs == 1 && (o->set & O_ALL)) {
		fprintf(stderr, "%s: give an ID or --all, not both\n", progname);
		return qmb_usage(usage_str);
	}
	if (v->fn == cmd_bypass && o->reason == NULL) {
		fprintf(stderr, "%s: 'bypass' needs --reason TEXT\n", progname);
		return qmb_usage(usage_str);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct qmb_err err = QMB_ERR_INIT;
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
	if ((rc = check_verb(v, &o, argc - 1)) != 0)
		return rc;
	qmb_common_finish(&o.c);
	if (qmb_name_check("--user", o.c.user, &err) == -1)
		return qmb_report(&err);
	if (qmb_gem_global_init(&err) == -1)
		return qmb_report(&err);
	if (qmb_proj_open(&p, o.c.dir, &err) == -1) {
		qmb_gem_global_cleanup();
		return qmb_report(&err);
	}
	rc = v->fn(&o, &p, argc - 1, argv + 1, &err);
	qmb_proj_close(&p);
	qmb_gem_global_cleanup();
	if (rc == -1)
		return qmb_report(&err);
	return qmb_close_stdout(rc);
}

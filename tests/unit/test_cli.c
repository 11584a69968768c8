/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the command-line interpreter (qmb_cli.h): a small spec,
 * parsed from argument vectors; usage errors are exit code 2 and their
 * messages go to stderr.
 */
#include <stdio.h>
#include <string.h>

#include "qmb_cli.h"
#include "tap.h"

enum { I_ALL, I_N, I_FROM, I_DATA, I_REASON };

static const char *const froms[] = { "bak\tthe .bak", "audit", NULL };

static const struct qmb_cli_opt opts[] = {
	{ "all", 0, { QMB_K_FLAG, NULL }, NULL, "all", 0, 0, NULL, 0 },
	{ "count", 'n', { QMB_K_INT, NULL }, "N", "a count", 0, 100,
	    "give 0-100", 0 },
	{ "from", 0, { QMB_K_ENUM, froms }, "SOURCE", "where", 0, 0,
	    "use 'bak' or 'audit'", 0 },
	{ "data", 'd', { QMB_K_TEXT, NULL }, "KEY=VALUE", "a pair", 0, 0,
	    NULL, 1 },
	{ "reason", 0, { QMB_K_TEXT, NULL }, "TEXT", "why", 0, 0, NULL, 0 },
};

static const struct qmb_cli_cmd cmds[] = {
	{ "list", "", "list", 0, 0, 1 << I_ALL | 1 << I_N, 0, { { 0, NULL } } },
	{ "show", "ID", "show", 1, 1, 1 << I_FROM | 1 << I_DATA, 0,
	    { { QMB_K_SESSION, NULL } } },
	{ "approve", "ID STAGE [FILE]", "approve", 2, 3, 0, 0,
	    { { QMB_K_SESSION, NULL } } },
	{ "bypass", "ID", "bypass", 1, 1, 1 << I_REASON, 1 << I_REASON,
	    { { QMB_K_SESSION, NULL } } },
};

static int
check(const struct qmb_cli *cli, char *msg, size_t size)
{
	if (cli->argc == 1 && strcmp(cli->argv[0], "forbidden") == 0) {
		snprintf(msg, size, "not that one");
		return -1;
	}
	return 0;
}

static const struct qmb_cli_prog spec = {
	.name = "qmb-test", .common = QMB_CO_ALL,
	.opts = opts, .nopts = sizeof(opts) / sizeof(opts[0]),
	.cmds = cmds, .ncmds = sizeof(cmds) / sizeof(cmds[0]),
	.check = check,
};

static const struct qmb_cli_prog bare = {
	.name = "qmb-bare",
	.common = 1u << QMB_CO_DIR | 1u << QMB_CO_VERBOSE,
	.max = 0,
};

/* Parse the words (NULL-ended): 0 or the exit code of a refusal. */
static int
parse(const struct qmb_cli_prog *p, struct qmb_common *c, struct qmb_cli *cli,
    const char **words)
{
	static char store[32][64];
	char *argv[33];
	int argc, rc = 0;

	for (argc = 0; words[argc] != NULL && argc < 32; argc++) {
		snprintf(store[argc], sizeof(store[argc]), "%s", words[argc]);
		argv[argc] = store[argc];
	}
	argv[argc] = NULL;
	memset(c, 0, sizeof(*c));
	if (qmb_cli_parse(p, c, cli, argc, argv, &rc) == 0)
		return 0;
	return rc == 0 ? -1 : rc;
}

#define W(...) ((const char *[]){ "qmb-test", __VA_ARGS__, NULL })

int
main(void)
{
	struct qmb_common c;
	struct qmb_cli cli;

	ok(parse(&spec, &c, &cli, W("-q", "show", "X", "--from", "audit",
	    "-d", "a=1", "--data=b=2")) == 0 && cli.cmd == &cmds[1] &&
	    cli.argc == 1 && strcmp(cli.argv[0], "X") == 0 && c.quiet,
	    "options before and after the command and its operand");
	ok(cli.set == (1u << I_FROM | 1u << I_DATA) &&
	    strcmp(cli.arg[I_FROM], "audit") == 0, "the set bits and the values");
	ok(cli.nlist == 2 && strcmp(cli.list[0], "a=1") == 0 &&
	    strcmp(cli.list[1], "b=2") == 0, "a repeated option keeps each value");
	ok(parse(&spec, &c, &cli, W("list", "-n", "42", "-C", "/tmp", "--json",
	    "--user", "u")) == 0 && cli.num[I_N] == 42 && c.json &&
	    strcmp(c.dir, "/tmp") == 0 && strcmp(c.user, "u") == 0,
	    "a number and the common options");
	ok(parse(&spec, &c, &cli, W("list", "-n", "101")) == 2,
	    "a number out of range is a usage error");
	ok(parse(&spec, &c, &cli, W("list", "-n", "4x")) == 2,
	    "a number with trailing text is a usage error");
	ok(parse(&spec, &c, &cli, W("show", "X", "--from", "tape")) == 2,
	    "a value not in the list is a usage error");
	ok(parse(&spec, &c, &cli, W("show", "X", "--from=bak")) == 0,
	    "a listed value is taken without its description");
	ok(parse(&spec, &c, &cli, W("lsit")) == 2, "an unknown command");
	ok(parse(&spec, &c, &cli, W("show", "X", "--all")) == 2,
	    "an option the command does not take");
	ok(parse(&spec, &c, &cli, W("show")) == 2, "too few operands");
	ok(parse(&spec, &c, &cli, W("show", "a", "b")) == 2, "too many operands");
	ok(parse(&spec, &c, &cli, W("approve", "a", "B")) == 0 &&
	    parse(&spec, &c, &cli, W("approve", "a", "B", "f")) == 0,
	    "optional operands");
	ok(parse(&spec, &c, &cli, W("bypass", "X")) == 2,
	    "a needed option missing");
	ok(parse(&spec, &c, &cli, W("bypass", "X", "--reason", "r")) == 0,
	    "a needed option given");
	ok(parse(&spec, &c, &cli, W("show", "forbidden")) == 2,
	    "the program's own check refuses");
	ok(parse(&spec, &c, &cli, W("--wait", "soon", "list")) == 2 &&
	    parse(&spec, &c, &cli, W("--wait", "nan", "list")) == 2 &&
	    parse(&spec, &c, &cli, W("--wait", "0.5", "list")) == 0,
	    "--wait takes seconds");
	ok(parse(&spec, &c, &cli, W("--frobnicate", "list")) == 2,
	    "an unknown option");
	ok(parse(&spec, &c, &cli, (const char *[]){ "qmb-test", NULL }) == 2,
	    "no command");
	ok(parse(&spec, &c, &cli, W("--", "list")) == 0 &&
	    cli.cmd == &cmds[0], "-- ends the options");
	ok(parse(&bare, &c, &cli, W("-v", "-C", "d")) == 0 && c.verbose &&
	    cli.cmd == NULL && cli.argc == 0, "a program without commands");
	ok(parse(&bare, &c, &cli, W("extra")) == 2 &&
	    parse(&bare, &c, &cli, W("--json")) == 2,
	    "an operand or an option it does not take");

	ok(qmb_cli_nearest(&spec, "lsit") == &cmds[0] &&
	    qmb_cli_nearest(&spec, "shwo") == &cmds[1] &&
	    qmb_cli_nearest(&spec, "aprove") == &cmds[2],
	    "the nearest command: swapped, missing letters");
	ok(qmb_cli_nearest(&spec, "frobnicate") == NULL &&
	    qmb_cli_nearest(&spec, "x") == NULL &&
	    qmb_cli_nearest(&spec, "") == NULL, "nothing near");
	ok(qmb_cli_cmd_find(&spec, "bypass") == &cmds[3] &&
	    qmb_cli_cmd_find(&spec, "by") == NULL, "finding a command");
	return tap_done();
}

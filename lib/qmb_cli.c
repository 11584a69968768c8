/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_cli.h"
#include "qmb_lock.h"

/* getopt_long codes: a letter, else these plus the option's index. */
enum { CODE_COMMON = 128, CODE_PROG = 256 };

const char *const qmb_cli_stages[] = {
	"A\tConfiguration", "B\tDimensions", "C\tFacts", "D\tLink Tables",
	"E\tCalendars", "F\tSTORE & Cleanup", NULL
};

static const struct qmb_cli_opt common[QMB_CO_COUNT] = {
	[QMB_CO_DIR] = { "directory", 'C', { QMB_K_DIR, NULL }, "DIR",
	    "project folder (default: $QMB_PROJECT_DIR, else the\n"
	    "nearest folder upward holding .qmb/)", 0, 0, NULL, 0 },
	[QMB_CO_JSON] = { "json", 0, { QMB_K_FLAG, NULL }, NULL,
	    "print JSON (JSON Lines for lists)", 0, 0, NULL, 0 },
	[QMB_CO_QUIET] = { "quiet", 'q', { QMB_K_FLAG, NULL }, NULL,
	    "print only results", 0, 0, NULL, 0 },
	[QMB_CO_VERBOSE] = { "verbose", 'v', { QMB_K_FLAG, NULL }, NULL,
	    "say more", 0, 0, NULL, 0 },
	[QMB_CO_USER] = { "user", 0, { QMB_K_TEXT, NULL }, "ID",
	    "who acts (default: $QMB_USER, else the login name)", 0, 0,
	    NULL, 0 },
	[QMB_CO_WAIT] = { "wait", 0, { QMB_K_REAL, NULL }, "SECONDS",
	    "how long to wait for a busy session (default 10)", 0, 86400,
	    "give seconds (0-86400)", 0 },
	[QMB_CO_HELP] = { "help", 'h', { QMB_K_FLAG, NULL }, NULL,
	    "show this help", 0, 0, NULL, 0 },
	[QMB_CO_VERSION] = { "version", 'V', { QMB_K_FLAG, NULL }, NULL,
	    "show the version", 0, 0, NULL, 0 },
};

const struct qmb_cli_opt *
qmb_cli_common(const struct qmb_cli_prog *prog, int i, struct qmb_cli_opt *buf)
{
	*buf = common[i];
	if (prog->common_help[i] != NULL)
		buf->help = prog->common_help[i];
	return buf;
}

const struct qmb_cli_cmd *
qmb_cli_cmd_find(const struct qmb_cli_prog *prog, const char *name)
{
	size_t i;

	for (i = 0; i < prog->ncmds; i++)
		if (strcmp(prog->cmds[i].name, name) == 0)
			return &prog->cmds[i];
	return NULL;
}

/* Edits (insert, delete, change, swap two neighbours) from a to b. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[33][33], c, best;

	if (la > 32 || lb > 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			c = a[i - 1] != b[j - 1];
			best = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const struct qmb_cli_cmd *
qmb_cli_nearest(const struct qmb_cli_prog *prog, const char *name)
{
	const struct qmb_cli_cmd *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; i < prog->ncmds; i++) {
		d = distance(name, prog->cmds[i].name);
		if (d < bestd && d < strlen(prog->cmds[i].name) / 2 + 1) {
			bestd = d;
			best = &prog->cmds[i];
		}
	}
	return best;
}

/* ---- usage and help ----------------------------------------------------- */

/* "-t" or "--name": how messages name an option. */
static const char *
optname(const struct qmb_cli_opt *o, char *buf, size_t size)
{
	if (o->letter)
		snprintf(buf, size, "-%c", o->letter);
	else
		snprintf(buf, size, "--%s", o->name);
	return buf;
}

/* Words of a synopsis, wrapped under the column where they started. */
struct line {
	FILE	*f;
	size_t	 col, indent;
};

static void
put_word(struct line *l, const char *w)
{
	size_t n = strlen(w);

	if (l->col + 1 + n > 79 && l->col > l->indent) {
		fprintf(l->f, "\n%*s", (int)l->indent, "");
		l->col = l->indent;
	} else if (l->col != l->indent) {
		fputc(' ', l->f);
		l->col++;
	}
	fputs(w, l->f);
	l->col += n;
}

/* An option as a synopsis word: [-t type], --reason TEXT, [-d k=v ...]. */
static void
put_optword(struct line *l, const struct qmb_cli_opt *o, int need, int lower)
{
	char w[160], meta[64], name[64];
	size_t i;

	snprintf(meta, sizeof(meta), "%s%s", o->meta ? " " : "",
	    o->meta ? o->meta : "");
	for (i = 0; lower && meta[i] != '\0'; i++)
		meta[i] = (char)tolower((unsigned char)meta[i]);
	snprintf(w, sizeof(w), "%s%s%s%s%s", need ? "" : "[",
	    optname(o, name, sizeof(name)), meta, o->multi ? " ..." : "",
	    need ? "" : "]");
	put_word(l, w);
}

/* The common options as the usage shows them: [-hqVv] [-C dir] ... */
static void
put_common(struct line *l, const struct qmb_cli_prog *prog)
{
	char flags[16] = "[-", *p = flags + 2;
	static const int order[] = { QMB_CO_HELP, QMB_CO_QUIET, QMB_CO_VERSION,
	    QMB_CO_VERBOSE };
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (prog->common & (1u << order[i]))
			*p++ = (char)common[order[i]].letter;
	*p++ = ']';
	*p = '\0';
	if (p - flags > 3)
		put_word(l, flags);
	if (prog->common & (1u << QMB_CO_DIR))
		put_word(l, "[-C dir]");
	if (prog->common & (1u << QMB_CO_JSON))
		put_word(l, "[--json]");
	if (prog->common & (1u << QMB_CO_USER))
		put_word(l, "[--user id]");
	if (prog->common & (1u << QMB_CO_WAIT))
		put_word(l, "[--wait seconds]");
}

/* The operands of a synopsis, word by word so that they wrap. */
static void
put_args(struct line *l, const char *args)
{
	char w[128];
	size_t n;
	int depth = 0;

	while (*args != '\0') {
		while (*args == ' ')
			args++;
		for (n = 0; args[n] != '\0' && (depth > 0 || args[n] != ' ');
		    n++) {
			if (args[n] == '[')
				depth++;
			else if (args[n] == ']')
				depth--;
		}
		if (n == 0)
			break;
		snprintf(w, sizeof(w), "%.*s", (int)n, args);
		put_word(l, w);
		args += n;
	}
}

static void
put_synopsis(const struct qmb_cli_prog *prog, const struct qmb_cli_cmd *cmd,
    FILE *f)
{
	struct line l = { f, 0, 0 };
	size_t i;

	fprintf(f, "usage: %s", prog->name);
	l.col = strlen("usage: ") + strlen(prog->name);
	l.indent = l.col + 1;
	if (cmd == NULL) {
		put_common(&l, prog);
		if (prog->ncmds > 0) {
			fprintf(f, "\n%*s", (int)l.indent, "");
			l.col = l.indent;
			put_word(&l, "command [argument ...]");
		}
		for (i = 0; i < prog->nopts && prog->ncmds == 0; i++)
			put_optword(&l, &prog->opts[i], 0, 1);
	} else {
		put_word(&l, "[options]");
		put_word(&l, cmd->name);
		l.indent = l.col + 1;
		put_args(&l, cmd->args);
		for (i = 0; i < prog->nopts; i++)
			if (cmd->opts & (1u << i))
				put_optword(&l, &prog->opts[i],
				    (cmd->need >> i) & 1, 0);
	}
	fputc('\n', f);
}

void
qmb_cli_usage(const struct qmb_cli_prog *prog, const struct qmb_cli_cmd *cmd,
    FILE *f)
{
	put_synopsis(prog, cmd, f);
	fprintf(f, "Try '%s%s%s --help' for more information.\n", prog->name,
	    cmd ? " " : "", cmd ? cmd->name : "");
}

/* "  left   help", the help's further lines under its first. */
static void
put_item(FILE *f, const char *left, size_t width, const char *help)
{
	const char *nl;

	fprintf(f, "  %s", left);
	if (strlen(left) > width)
		fprintf(f, "\n%*s", (int)width + 4, "");
	else
		fprintf(f, "%*s", (int)(width + 2 - strlen(left)), "");
	while ((nl = strchr(help, '\n')) != NULL) {
		fprintf(f, "%.*s\n%*s", (int)(nl - help), help, (int)width + 4,
		    "");
		help = nl + 1;
	}
	fprintf(f, "%s\n", help);
}

/* "-C, --directory=DIR" or "    --json" */
static void
opt_left(const struct qmb_cli_opt *o, char *buf, size_t size)
{
	snprintf(buf, size, "%c%c%c --%s%s%s", o->letter ? '-' : ' ',
	    o->letter ? o->letter : ' ', o->letter ? ',' : ' ', o->name,
	    o->meta ? "=" : "", o->meta ? o->meta : "");
}

static void
put_options(const struct qmb_cli_prog *prog, unsigned mask, FILE *f)
{
	struct qmb_cli_opt buf;
	char left[96];
	size_t i, width = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < prog->nopts; i++)
			if (mask & (1u << i)) {
				opt_left(&prog->opts[i], left, sizeof(left));
				if (pass == 0 && strlen(left) <= 24 &&
				    strlen(left) > width)
					width = strlen(left);
				else if (pass == 1)
					put_item(f, left, width,
					    prog->opts[i].help);
			}
		for (i = 0; i < QMB_CO_COUNT; i++)
			if (prog->common & (1u << i)) {
				opt_left(qmb_cli_common(prog, (int)i, &buf), left,
				    sizeof(left));
				if (pass == 0 && strlen(left) > width)
					width = strlen(left);
				else if (pass == 1)
					put_item(f, left, width, buf.help);
			}
	}
}

/* "NAME ARGS" and the options it needs, for the list of commands. */
static void
cmd_left(const struct qmb_cli_prog *prog, const struct qmb_cli_cmd *c,
    char *buf, size_t size)
{
	size_t i, n;

	n = (size_t)snprintf(buf, size, "%s%s%s", c->name, *c->args ? " " : "",
	    c->args);
	for (i = 0; i < prog->nopts && n < size; i++)
		if (c->need & (1u << i))
			n += (size_t)snprintf(buf + n, size - n, " --%s %s",
			    prog->opts[i].name, prog->opts[i].meta);
}

int
qmb_cli_help(const struct qmb_cli_prog *prog, const struct qmb_cli_cmd *cmd)
{
	char left[160];
	size_t i, width = 0;

	put_synopsis(prog, cmd, stdout);
	if (cmd != NULL) {
		printf("\n%s\n", cmd->help);
		printf("\noptions:\n");
		put_options(prog, cmd->opts, stdout);
		return qmb_close_stdout(QMB_EXIT_OK);
	}
	if (prog->about != NULL)
		printf("\n%s", prog->about);
	if (prog->ncmds > 0) {
		printf("\ncommands:\n");
		for (i = 0; i < prog->ncmds; i++) {
			cmd_left(prog, &prog->cmds[i], left, sizeof(left));
			if (strlen(left) <= 28 && strlen(left) > width)
				width = strlen(left);
		}
		for (i = 0; i < prog->ncmds; i++) {
			cmd_left(prog, &prog->cmds[i], left, sizeof(left));
			put_item(stdout, left, width, prog->cmds[i].help);
		}
	}
	printf("\noptions:\n");
	put_options(prog, ~0u, stdout);
	if (prog->ncmds > 0)
		printf("\n'%s help COMMAND' or '%s COMMAND --help' shows the "
		    "usage and\noptions of a command.\n", prog->name,
		    prog->name);
	return qmb_close_stdout(QMB_EXIT_OK);
}

int
qmb_cli_misuse(const struct qmb_cli *cli, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", cli->prog->name, msg);
	qmb_cli_usage(cli->prog, cli->cmd, stderr);
	return QMB_EXIT_USAGE;
}

static int	find_cmd(struct qmb_cli *, const char *);

/* ---- parsing ------------------------------------------------------------- */

/* The word before any tab of a "word\tdescription" value. */
static int
value_is(const char *v, const char *s)
{
	size_t n = strcspn(v, "\t");

	return strncmp(v, s, n) == 0 && s[n] == '\0';
}

/*
 * Numbers are written in decimal only: an optional minus, digits and,
 * for a real, a fraction ("0.5").  No plus, blanks, hex (0x10),
 * exponents (1e3), nan or inf, which strtol and strtod would take.
 */
static int
decimal(const char *s, int frac)
{
	size_t n;

	if (*s == '-')
		s++;
	if ((n = strspn(s, "0123456789")) == 0)
		return 0;
	s += n;
	if (frac && *s == '.' && strspn(s + 1, "0123456789") > 0)
		s += 1 + strspn(s + 1, "0123456789");
	return *s == '\0';
}

/* Check a value by its kind: 0, or -1 after the one-line message. */
static int
check_value(const struct qmb_cli_prog *prog, const struct qmb_cli_opt *o,
    const char *s, double *num)
{
	char name[64], *end;
	const char *const *v;
	int ok = 1;

	errno = 0;
	switch (o->val.kind) {
	case QMB_K_INT:
		*num = (double)strtol(s, &end, 10);
		ok = decimal(s, 0) && end != s && *end == '\0' && errno == 0 &&
		    *num >= o->lo && *num <= o->hi;
		break;
	case QMB_K_REAL:
		*num = strtod(s, &end);
		ok = decimal(s, 1) && end != s && *end == '\0' && errno == 0 &&
		    *num >= o->lo && *num <= o->hi;
		break;
	case QMB_K_ENUM:
		for (ok = 0, v = o->val.values; *v != NULL && !ok; v++)
			ok = value_is(*v, s);
		break;
	default:
		break;
	}
	if (ok)
		return 0;
	fprintf(stderr, "%s: invalid %s '%.64s': %s\n", prog->name,
	    optname(o, name, sizeof(name)), s, o->want);
	return -1;
}

struct table {
	char		 shorts[2 * (QMB_CO_COUNT + QMB_CLI_MAXOPT) + 1];
	struct option	 longs[QMB_CO_COUNT + QMB_CLI_MAXOPT + 1];
};

static void
add_opt(struct table *t, size_t *ns, size_t *nl, const struct qmb_cli_opt *o,
    int code)
{
	if (o->letter) {
		t->shorts[(*ns)++] = (char)o->letter;
		if (o->meta != NULL)
			t->shorts[(*ns)++] = ':';
	}
	t->longs[*nl].name = o->name;
	t->longs[*nl].has_arg = o->meta ? required_argument : no_argument;
	t->longs[*nl].flag = NULL;
	t->longs[(*nl)++].val = o->letter ? o->letter : code;
}

static void
make_table(const struct qmb_cli_prog *prog, struct table *t)
{
	size_t i, ns = 0, nl = 0;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < QMB_CO_COUNT; i++)
		if (prog->common & (1u << i))
			add_opt(t, &ns, &nl, &common[i], CODE_COMMON + (int)i);
	for (i = 0; i < prog->nopts && i < QMB_CLI_MAXOPT; i++)
		add_opt(t, &ns, &nl, &prog->opts[i], CODE_PROG + (int)i);
}

/* The option getopt_long's code stands for: common (*isc) or program. */
static int
decode(const struct qmb_cli_prog *prog, int ch, int *isc)
{
	size_t i;

	*isc = ch >= CODE_COMMON && ch < CODE_PROG;
	if (ch >= CODE_PROG)
		return ch - CODE_PROG;
	if (*isc)
		return ch - CODE_COMMON;
	for (i = 0; i < QMB_CO_COUNT; i++)
		if ((prog->common & (1u << i)) && common[i].letter == ch) {
			*isc = 1;
			return (int)i;
		}
	for (i = 0; i < prog->nopts; i++)
		if (prog->opts[i].letter == ch)
			return (int)i;
	return -1;
}

/* Apply a common option; -1 when main is to return *exitp. */
static int
set_common(const struct qmb_cli_prog *prog, struct qmb_common *c, int i,
    const char *arg, int *help, int *exitp)
{
	double v;

	switch (i) {
	case QMB_CO_DIR: c->dir = arg; break;
	case QMB_CO_JSON: c->json = 1; break;
	case QMB_CO_QUIET: c->quiet = 1; break;
	case QMB_CO_VERBOSE: c->verbose = 1; break;
	case QMB_CO_USER:
		if (*arg == '\0') {
			fprintf(stderr, "%s: invalid --user '': give who acts, such as a mail address\n",
			    prog->name);
			*exitp = QMB_EXIT_USAGE;
			return -1;
		}
		c->user = arg;
		break;
	case QMB_CO_HELP: *help = 1; break;
	case QMB_CO_VERSION:
		*exitp = qmb_version();
		return -1;
	case QMB_CO_WAIT:
		if (check_value(prog, &common[i], arg, &v) == -1) {
			*exitp = QMB_EXIT_USAGE;
			return -1;
		}
		qmb_lock_set_wait(v);
		break;
	}
	return 0;
}

static int
set_prog(const struct qmb_cli_prog *prog, struct qmb_cli *cli, int i,
    const char *arg, int *exitp)
{
	const struct qmb_cli_opt *o = &prog->opts[i];
	char name[64];

	if (o->meta != NULL && check_value(prog, o, arg, &cli->num[i]) == -1) {
		*exitp = QMB_EXIT_USAGE;
		return -1;
	}
	cli->set |= 1u << i;
	cli->arg[i] = arg;
	if (o->multi) {
		if (cli->nlist == QMB_CLI_MAXLIST) {
			fprintf(stderr, "%s: too many %s options\n", prog->name,
			    optname(o, name, sizeof(name)));
			*exitp = QMB_EXIT_USAGE;
			return -1;
		}
		cli->list[cli->nlist++] = arg;
	}
	return 0;
}

static int
parse_opts(const struct qmb_cli_prog *prog, struct qmb_common *c,
    struct qmb_cli *cli, int argc, char **argv, int *help, int *exitp)
{
	struct table t;
	int ch, i, isc;

	make_table(prog, &t);
#ifdef __GLIBC__
	optind = 0;		/* start afresh, also after an earlier parse */
#else
	optind = 1;
#endif
	while ((ch = getopt_long(argc, argv, t.shorts, t.longs, NULL)) != -1) {
		if (ch == '?' || (i = decode(prog, ch, &isc)) == -1) {
			qmb_cli_usage(prog, NULL, stderr);
			*exitp = QMB_EXIT_USAGE;
			return -1;
		}
		if (isc ? set_common(prog, c, i, optarg, help, exitp) :
		    set_prog(prog, cli, i, optarg, exitp))
			return -1;
	}
	return 0;
}

/* The nth operand word of a synopsis ("ID STAGE [FILE|-]"), for messages. */
static void
nth_arg(const char *args, int n, char *buf, size_t size)
{
	size_t len;
	int depth;

	for (;;) {
		while (*args == ' ')
			args++;
		for (len = 0, depth = 0; args[len] != '\0' &&
		    (depth > 0 || args[len] != ' '); len++)
			depth += args[len] == '[' ? 1 : args[len] == ']' ? -1 : 0;
		if (n-- == 0 || len == 0)
			break;
		args += len;
	}
	snprintf(buf, size, "%.*s", (int)len, args);
}

/* The checks every command gets: operand count, options, needed ones. */
static int
check_cmd(const struct qmb_cli *cli)
{
	const struct qmb_cli_prog *prog = cli->prog;
	const struct qmb_cli_cmd *cmd = cli->cmd;
	unsigned extra = cli->set & ~cmd->opts, need = cmd->need & ~cli->set;
	char buf[96];
	size_t i;

	for (i = 0; i < prog->nopts; i++)
		if (extra & (1u << i))
			return qmb_cli_misuse(cli, "option --%s does not apply "
			    "to '%s'", prog->opts[i].name, cmd->name);
	if (cli->argc < cmd->min) {
		nth_arg(cmd->args, cli->argc, buf, sizeof(buf));
		return qmb_cli_misuse(cli, "'%s' takes more operands: %s is "
		    "missing", cmd->name, buf);
	}
	if (cli->argc > cmd->max)
		return qmb_cli_misuse(cli, "'%s' takes fewer operands (%s)",
		    cmd->name, *cmd->args ? cmd->args : "none");
	for (i = 0; i < prog->nopts; i++)
		if (need & (1u << i))
			return qmb_cli_misuse(cli, "'%s' needs %s %s", cmd->name,
			    optname(&prog->opts[i], buf, sizeof(buf)),
			    prog->opts[i].meta);
	return 0;
}

/*
 * help [COMMAND] (ishelp), or --help: the command's help when a known
 * command is on the line, else the program's.
 */
static int
do_help(struct qmb_cli *cli, int argc, char **argv, int ishelp)
{
	const struct qmb_cli_cmd *cmd = NULL;
	int i = argc > 0 && strcmp(argv[0], "help") == 0;

	if (cli->prog->ncmds > 0 && argc > i)
		cmd = qmb_cli_cmd_find(cli->prog, argv[i]);
	if (cmd == NULL && ishelp && argc > 1) {
		if (argc > 2)
			return qmb_cli_misuse(cli, "'help' takes fewer operands "
			    "([COMMAND])");
		return find_cmd(cli, argv[1]);
	}
	return qmb_cli_help(cli->prog, cmd);
}

static int
find_cmd(struct qmb_cli *cli, const char *name)
{
	const struct qmb_cli_cmd *near;

	if ((cli->cmd = qmb_cli_cmd_find(cli->prog, name)) != NULL)
		return 0;
	if ((near = qmb_cli_nearest(cli->prog, name)) != NULL)
		return qmb_cli_misuse(cli, "unknown command '%s'; did you mean "
		    "'%s'?", name, near->name);
	return qmb_cli_misuse(cli, "unknown command '%s'", name);
}

int
qmb_cli_parse(const struct qmb_cli_prog *prog, struct qmb_common *c,
    struct qmb_cli *cli, int argc, char **argv, int *exitp)
{
	char msg[256];
	int help = 0;

	memset(cli, 0, sizeof(*cli));
	cli->prog = prog;
	if (argc > 1 && strcmp(argv[1], "--complete") == 0) {
		*exitp = qmb_cli_complete(prog, argc - 2, argv + 2);
		return -1;
	}
	if (parse_opts(prog, c, cli, argc, argv, &help, exitp) == -1)
		return -1;
	argc -= optind, argv += optind;
	if (help || (prog->ncmds > 0 && argc > 0 &&
	    strcmp(argv[0], "help") == 0)) {
		*exitp = do_help(cli, argc, argv, !help);
		return -1;
	}
	if (prog->ncmds == 0) {
		cli->argc = argc, cli->argv = argv;
		if (argc > prog->max) {
			*exitp = qmb_cli_misuse(cli, "unexpected operand '%s'",
			    argv[prog->max]);
			return -1;
		}
	} else if (argc < 1) {
		qmb_cli_usage(prog, NULL, stderr);
		*exitp = QMB_EXIT_USAGE;
		return -1;
	} else if ((*exitp = find_cmd(cli, argv[0])) != 0) {
		return -1;
	} else {
		cli->argc = argc - 1, cli->argv = argv + 1;
	}
	if (prog->check != NULL && prog->check(cli, msg, sizeof(msg)) == -1) {
		*exitp = qmb_cli_misuse(cli, "%s", msg);
		return -1;
	}
	if (cli->cmd != NULL && (*exitp = check_cmd(cli)) != 0)
		return -1;
	return 0;
}

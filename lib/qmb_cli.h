/* SPDX-License-Identifier: MIT */
#ifndef QMB_CLI_H
#define QMB_CLI_H

/*
 * One declarative description of each program's command line (its
 * commands, their operands, its options, what kind of value each takes
 * and a line of help) and the interpreter that serves it: the option
 * parser, the checks every program shares (unknown command, operand
 * counts, options that do not apply, required options, number ranges),
 * --help for the program and for each command, the usage on a usage
 * error, and the hidden --complete entry the shell completions call.
 * Like qmb_prog.h this is the program-facing layer: it prints (help and
 * candidates on stdout, usage errors on stderr) and never exits.
 *
 * The specs live in cmd/PROG/spec.c; man/PROG.1's SYNOPSIS is checked
 * against them by the tests.
 */

#include <stddef.h>

#include "qmb_paths.h"
#include "qmb_prog.h"

/* What a value is: how it is checked and how it is completed. */
enum qmb_cli_kind {
	QMB_K_FLAG,		/* an option without a value */
	QMB_K_TEXT,		/* anything; values[] are only suggestions */
	QMB_K_ENUM,		/* one of values[] */
	QMB_K_INT,		/* an integer in [lo, hi] */
	QMB_K_REAL,		/* a decimal number in [lo, hi] (seconds) */
	QMB_K_FILE,		/* a file name, or - for standard input */
	QMB_K_DIR,		/* a folder */
	QMB_K_SESSION,		/* a saved session: .qmb/sessions/ID.json */
	QMB_K_PROJECT,		/* the project name of a saved session */
	QMB_K_LOGGED,		/* a session with a log or a state file */
	QMB_K_TRAIL,		/* a session with an audit trail, archived too */
	QMB_K_DAMAGED,		/* a session with a state, .bak or trail */
	QMB_K_QUEUED,		/* a queued review request */
	QMB_K_COMMAND		/* a command of the program (help's operand) */
};

/* A value: its kind and, for some kinds, the words it may be. */
struct qmb_cli_val {
	enum qmb_cli_kind	 kind;
	const char *const	*values;	/* "word" or "word\tdescription", NULL-ended */
};

struct qmb_cli_opt {
	const char		*name;		/* the long name, without -- */
	int			 letter;	/* the short one, or 0 */
	struct qmb_cli_val	 val;
	const char		*meta;		/* "TYPE" in --help; NULL for flags */
	const char		*help;		/* one line; '\n' continues it */
	double			 lo, hi;	/* QMB_K_INT, QMB_K_REAL */
	const char		*want;		/* "invalid --x 'v': WANT" */
	int			 multi;		/* every value is kept (-d) */
};

/*
 * Spec entries: an option without a value; with a value of a kind (and
 * its words); with a number in [lo, hi] or one of values (want: what the
 * error asks for); repeated, each value kept.
 */
#define QMB_FLAG(name, letter, help) \
	{ name, letter, { QMB_K_FLAG, NULL }, NULL, help, 0, 0, NULL, 0 }
#define QMB_VAL(name, letter, kind, values, meta, help) \
	{ name, letter, { kind, values }, meta, help, 0, 0, NULL, 0 }
#define QMB_CHECKED(name, letter, kind, values, meta, help, lo, hi, want) \
	{ name, letter, { kind, values }, meta, help, lo, hi, want, 0 }
#define QMB_LIST(name, letter, meta, help) \
	{ name, letter, { QMB_K_TEXT, NULL }, meta, help, 0, 0, NULL, 1 }

#define QMB_CLI_OPERANDS 3

struct qmb_cli_cmd {
	const char		*name;
	const char		*args;		/* the operands: "ID STAGE [FILE|-]" */
	const char		*help;		/* one line */
	int			 min, max;	/* operand count */
	unsigned		 opts;		/* bits of the options it takes */
	unsigned		 need;		/* bits of the options it needs */
	/* what each operand is; the last one given repeats */
	struct qmb_cli_val	 operand[QMB_CLI_OPERANDS];
};

/* The stage letters with their names, for values and operands. */
extern const char *const qmb_cli_stages[];

/* A command: name, operands, help, count, options taken and needed, kinds. */
#define QMB_CMD(name, args, help, min, max, opts, need, ...) \
	{ name, args, help, min, max, opts, need, { __VA_ARGS__ } }
/* An operand of a kind without words. */
#define QMB_ARG(kind)	{ kind, NULL }

/* The common options of DESIGN 3, as bits of qmb_cli_prog.common. */
enum {
	QMB_CO_DIR, QMB_CO_JSON, QMB_CO_QUIET, QMB_CO_VERBOSE, QMB_CO_USER,
	QMB_CO_WAIT, QMB_CO_HELP, QMB_CO_VERSION, QMB_CO_COUNT
};
#define QMB_CO_ALL	((1u << QMB_CO_COUNT) - 1)

struct qmb_cli;

struct qmb_cli_prog {
	const char		*name;
	const char		*about;		/* --help's text after the usage */
	unsigned		 common;	/* QMB_CO_* bits it takes */
	const char		*common_help[QMB_CO_COUNT];	/* NULL: the usual */
	const struct qmb_cli_opt *opts;		/* bit i of a mask is opts[i] */
	size_t			 nopts;
	const struct qmb_cli_cmd *cmds;		/* none: operands as cmd[0] */
	size_t			 ncmds;
	/* a program without commands: its operands */
	int			 min, max;
	/*
	 * Checks of its own, before the operand count and the options that
	 * do not apply: 0, or -1 with the one-line message in msg.
	 */
	int			(*check)(const struct qmb_cli *, char *msg,
				    size_t size);
	/*
	 * Saved sessions (or their project names) with descriptions, for
	 * the completions: qmb_cli_indexed, or NULL for the bare ids.
	 */
	void			(*sessions)(struct qmb_proj *, int projects,
				    void (*add)(void *, const char *word,
				    const char *desc), void *arg);
};

/* A spec's option and command tables. */
#define QMB_TABLES(o, c) \
	.opts = o, .nopts = sizeof(o) / sizeof((o)[0]), \
	.cmds = c, .ncmds = sizeof(c) / sizeof((c)[0])

#define QMB_CLI_MAXOPT	24
#define QMB_CLI_MAXLIST	256

/* A parsed command line. */
struct qmb_cli {
	const struct qmb_cli_prog *prog;
	const struct qmb_cli_cmd *cmd;		/* NULL without commands */
	unsigned		 set;		/* bit i: opts[i] was given */
	const char		*arg[QMB_CLI_MAXOPT];	/* its last value */
	double			 num[QMB_CLI_MAXOPT];	/* QMB_K_INT, QMB_K_REAL */
	const char		*list[QMB_CLI_MAXLIST + 1];	/* multi values */
	int			 nlist;
	int			 argc;		/* operands after the command */
	char			**argv;
};

/*
 * Parse argv by the spec: the common options into c, the program's into
 * cli.  0: go on with cli->cmd and its operands.  -1: main is to return
 * *exitp, everything already printed (--help, --version, --complete, a
 * usage error).
 */
int	qmb_cli_parse(const struct qmb_cli_prog *, struct qmb_common *c,
	    struct qmb_cli *cli, int argc, char **argv, int *exitp);

/* The usage error "PROG: MESSAGE" and the usage; returns 2. */
int	qmb_cli_misuse(const struct qmb_cli *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* --help of the program (cmd NULL) or of a command, on stdout; exit code. */
int	qmb_cli_help(const struct qmb_cli_prog *, const struct qmb_cli_cmd *);
/* The usage of the program or a command on f. */
void	qmb_cli_usage(const struct qmb_cli_prog *, const struct qmb_cli_cmd *,
	    FILE *f);

/* The command named name, or NULL. */
const struct qmb_cli_cmd *qmb_cli_cmd_find(const struct qmb_cli_prog *,
	    const char *name);
/* The command nearest to a misspelt name (two edits at most), or NULL. */
const struct qmb_cli_cmd *qmb_cli_nearest(const struct qmb_cli_prog *,
	    const char *name);
/* The common option i (QMB_CO_*) as the program describes it. */
const struct qmb_cli_opt *qmb_cli_common(const struct qmb_cli_prog *,
	    int i, struct qmb_cli_opt *buf);

/*
 * PROG --complete SHELL -- WORD...: the candidates for the last WORD of
 * a command line (qmb_complete.c).  The first line says what to offer:
 * "words", "files" or "dirs", a tab and the part of the word before the
 * value (--script=); "words" is followed by one candidate a line, with
 * a tab and a description for the shells that show them.  Exit code.
 */
int	qmb_cli_complete(const struct qmb_cli_prog *, int argc, char **argv);

/*
 * The main of a program with a project (qmb_cli_main.c): parse by spec
 * into common (the head of opts) and take() the program's options into
 * opts; fill in the common options, check --user's name when user is
 * set, prepare() (0 or -1 with err), open the project (and its settings
 * when config is set), run() the command (an exit code, or -1 with err),
 * done(); report an error; check that stdout was written.
 */
struct qmb_cli_main {
	const struct qmb_cli_prog *spec;
	struct qmb_common	*common;
	void			*opts;
	int			 user, config;
	void			(*take)(void *opts, const struct qmb_cli *);
	int			(*prepare)(void *opts, struct qmb_err *);
	int			(*run)(void *opts, const struct qmb_cli *,
				    struct qmb_proj *, struct qmb_err *);
	void			(*done)(void *opts);
};

int	qmb_cli_main(const struct qmb_cli_main *, int argc, char **argv);

/* Sessions from the index with "project, stage X" (qmb_cli_index.c). */
void	qmb_cli_indexed(struct qmb_proj *, int projects,
	    void (*add)(void *, const char *, const char *), void *arg);

#endif

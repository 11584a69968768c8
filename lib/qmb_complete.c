/* SPDX-License-Identifier: MIT */
/*
 * PROG --complete SHELL -- WORD...: what the shell completions offer,
 * from the program's own description (qmb_cli.h).  The words are the
 * command line up to the cursor; the last is the one being completed.
 * bash splits "--stage=B" into "--stage", "=", "B"; those are joined
 * again here.  Session ids come from the project the line names (-C),
 * found as the program finds it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_cli.h"
#include "qmb_paths.h"

#define MAXWORDS 256

struct ctx {
	const struct qmb_cli_prog *prog;
	int			 desc;		/* the shell shows descriptions */
	const char		*dir;		/* -C on the line */
	const struct qmb_cli_cmd *cmd;
	int			 havecmd;	/* a command word was given */
	int			 helpcmd;	/* it was "help" */
	int			 nargs;		/* operands after it */
	int			 ddash;		/* "--" ended the options */
	const struct qmb_cli_opt *pending;	/* wants the next word */
	const char		*pre;		/* "--opt=" before candidates */
	struct qmb_cli_opt	 cbuf;
};

/* The option named by "--name", "--name=..." or letter, common or not. */
static const struct qmb_cli_opt *
lookup(struct ctx *x, const char *name, size_t len, int letter)
{
	const struct qmb_cli_prog *prog = x->prog;
	const struct qmb_cli_opt *o;
	size_t i;

	for (i = 0; i < QMB_CO_COUNT; i++) {
		if (!(prog->common & (1u << i)))
			continue;
		o = qmb_cli_common(prog, (int)i, &x->cbuf);
		if (letter ? o->letter == letter :
		    strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	}
	for (i = 0; i < prog->nopts; i++) {
		o = &prog->opts[i];
		if (letter ? o->letter == letter :
		    strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	}
	return NULL;
}

static int
is_dir_opt(const struct qmb_cli_opt *o)
{
	return o != NULL && o->letter == 'C' && strcmp(o->name, "directory") == 0;
}

/* An option word before the cursor: note -C and what wants a value. */
static void
see_option(struct ctx *x, const char *w)
{
	const struct qmb_cli_opt *o;
	const char *eq;

	if (w[1] == '-') {
		eq = strchr(w, '=');
		o = lookup(x, w + 2, eq ? (size_t)(eq - w - 2) : strlen(w + 2), 0);
		if (o != NULL && o->meta != NULL && eq == NULL)
			x->pending = o;
		else if (is_dir_opt(o) && eq != NULL)
			x->dir = eq + 1;
		return;
	}
	for (w++; *w != '\0'; w++) {
		o = lookup(x, NULL, 0, *w);
		if (o == NULL || o->meta == NULL)
			continue;
		if (w[1] == '\0')
			x->pending = o;
		else if (is_dir_opt(o))
			x->dir = w + 1;
		return;
	}
}

static void
see_word(struct ctx *x, const char *w)
{
	if (x->pending != NULL) {
		if (is_dir_opt(x->pending))
			x->dir = w;
		x->pending = NULL;
	} else if (!x->ddash && strcmp(w, "--") == 0) {
		x->ddash = 1;
	} else if (!x->ddash && w[0] == '-' && w[1] != '\0') {
		see_option(x, w);
	} else if (x->prog->ncmds > 0 && !x->havecmd) {
		x->havecmd = 1;
		x->helpcmd = strcmp(w, "help") == 0;
		x->cmd = qmb_cli_cmd_find(x->prog, w);
	} else {
		x->nargs++;
	}
}

/* One candidate, when it starts with what is typed. */
static void
offer(const struct ctx *x, const char *typed, const char *word, size_t len,
    const char *desc)
{
	if (strncmp(word, typed, strlen(typed)) != 0 || len < strlen(typed))
		return;
	printf("%s%.*s", x->pre, (int)len, word);
	if (x->desc && desc != NULL && *desc != '\0') {
		putchar('\t');
		for (; *desc != '\0' && *desc != '\n'; desc++)
			putchar(*desc == '\t' ? ' ' : *desc);
	}
	putchar('\n');
}

static void
offer_values(const struct ctx *x, const char *typed, const char *const *v)
{
	const char *tab;

	for (; v != NULL && *v != NULL; v++) {
		tab = strchr(*v, '\t');
		offer(x, typed, *v, tab ? (size_t)(tab - *v) : strlen(*v),
		    tab ? tab + 1 : NULL);
	}
}

static void
offer_commands(const struct ctx *x, const char *typed)
{
	size_t i;

	for (i = 0; i < x->prog->ncmds; i++)
		offer(x, typed, x->prog->cmds[i].name,
		    strlen(x->prog->cmds[i].name), x->prog->cmds[i].help);
}

static void
offer_option(const struct ctx *x, const struct qmb_cli_opt *o,
    const char *typed)
{
	char w[64];

	if (o->letter) {
		snprintf(w, sizeof(w), "-%c", o->letter);
		offer(x, typed, w, strlen(w), o->help);
	}
	snprintf(w, sizeof(w), "--%s", o->name);
	offer(x, typed, w, strlen(w), o->help);
}

/* The program's options (those of the command given), then the common ones. */
static void
offer_options(struct ctx *x, const char *typed)
{
	const struct qmb_cli_prog *prog = x->prog;
	struct qmb_cli_opt buf;
	size_t i;

	for (i = 0; i < prog->nopts; i++)
		if (x->cmd == NULL || (x->cmd->opts & (1u << i)))
			offer_option(x, &prog->opts[i], typed);
	for (i = 0; i < QMB_CO_COUNT; i++)
		if (prog->common & (1u << i))
			offer_option(x, qmb_cli_common(prog, (int)i, &buf), typed);
}

/* ---- names found in the project ------------------------------------------- */

/* Names and their descriptions, offered sorted and each once. */
struct names {
	char	**v;
	size_t	  n, cap;
};

static void
names_add(struct names *nm, const char *word, const char *desc)
{
	size_t len = strlen(word) + 1 + (desc ? strlen(desc) : 0) + 1;
	char **nv, *s;

	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? nm->cap * 2 : 64;
		if ((nv = realloc(nm->v, nm->cap * sizeof(*nv))) == NULL)
			return;
		nm->v = nv;
	}
	if ((s = malloc(len)) == NULL)
		return;
	snprintf(s, len, "%s%c%s", word, '\0', desc ? desc : "");
	nm->v[nm->n++] = s;
}

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_offer(const struct ctx *x, struct names *nm, const char *typed)
{
	size_t i;

	qsort(nm->v, nm->n, sizeof(*nm->v), names_cmp);
	for (i = 0; i < nm->n; i++) {
		if (i == 0 || strcmp(nm->v[i], nm->v[i - 1]) != 0)
			offer(x, typed, nm->v[i], strlen(nm->v[i]),
			    nm->v[i] + strlen(nm->v[i]) + 1);
	}
	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
}

/* The name of an entry without its suffix, when it has it and is an id. */
static int
strip(const char *name, const char *suffix, char *out, size_t size)
{
	size_t n = strlen(name), s = strlen(suffix);
	struct qmb_err err = QMB_ERR_INIT;

	if (n <= s || n - s >= size || strcmp(name + n - s, suffix) != 0)
		return -1;
	memcpy(out, name, n - s);
	out[n - s] = '\0';
	return qmb_id_check(out, &err);
}

/* The ids of a folder's files that end in suffix. */
static void
add_dir(struct names *nm, struct qmb_proj *p, enum qmb_dir d,
    const char *suffix)
{
	char id[QMB_ID_MAX + 1];
	struct qmb_err err = QMB_ERR_INIT;
	struct dirent *de;
	DIR *dp;
	int fd;

	if ((fd = qmb_proj_dir(p, d, 0, &err)) == -1 ||
	    (fd = dup(fd)) == -1)
		return;
	if ((dp = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(dp)) != NULL)
		if (strip(de->d_name, suffix, id, sizeof(id)) == 0 &&
		    strcmp(id, "qmb") != 0)
			names_add(nm, id, NULL);
	closedir(dp);
}

static void
add_name(void *arg, const char *word, const char *desc)
{
	names_add(arg, word, desc);
}

static int
open_proj(const struct ctx *x, struct qmb_proj *p)
{
	struct qmb_err err = QMB_ERR_INIT;
	const char *home = getenv("HOME");
	char dir[4096];

	if (x->dir != NULL && strncmp(x->dir, "~/", 2) == 0 && home != NULL) {
		snprintf(dir, sizeof(dir), "%s%s", home, x->dir + 1);
		return qmb_proj_open(p, dir, &err);
	}
	return qmb_proj_open(p, x->dir, &err);
}

/* Offer every name of a kind that lives in the project. */
static void
offer_found(const struct ctx *x, enum qmb_cli_kind kind, const char *typed)
{
	struct names nm = { NULL, 0, 0 };
	struct qmb_proj p;

	if (open_proj(x, &p) == -1)
		return;
	switch (kind) {
	case QMB_K_SESSION:
		if (x->desc && x->prog->sessions != NULL)
			x->prog->sessions(&p, 0, add_name, &nm);
		else
			add_dir(&nm, &p, QMB_D_SESSIONS, ".json");
		break;
	case QMB_K_PROJECT:
		if (x->prog->sessions != NULL)
			x->prog->sessions(&p, 1, add_name, &nm);
		break;
	case QMB_K_LOGGED:
		add_dir(&nm, &p, QMB_D_LOGS, ".log");
		add_dir(&nm, &p, QMB_D_SESSIONS, ".json");
		break;
	case QMB_K_TRAIL:
		add_dir(&nm, &p, QMB_D_AUDIT, ".audit.json");
		add_dir(&nm, &p, QMB_D_ARCHIVE_AUDIT, ".audit.json.gz");
		break;
	case QMB_K_DAMAGED:
		add_dir(&nm, &p, QMB_D_SESSIONS, ".json");
		add_dir(&nm, &p, QMB_D_SESSIONS, ".json.bak");
		add_dir(&nm, &p, QMB_D_AUDIT, ".audit.json");
		break;
	case QMB_K_QUEUED:
		add_dir(&nm, &p, QMB_D_QUEUE_REVIEW, ".json");
		break;
	default:
		break;
	}
	qmb_proj_close(&p);
	names_offer(x, &nm, typed);
}

/* What a value of this kind may be; pre is the word before the value. */
static void
offer_value(struct ctx *x, const struct qmb_cli_val *v, const char *pre,
    const char *typed)
{
	switch (v->kind) {
	case QMB_K_FILE:
		printf("files\t%s\n", pre);
		return;
	case QMB_K_DIR:
		printf("dirs\t%s\n", pre);
		return;
	default:
		break;
	}
	printf("words\t%s\n", pre);
	x->pre = pre;
	if (v->kind == QMB_K_COMMAND)
		offer_commands(x, typed);
	else if (v->kind >= QMB_K_SESSION)
		offer_found(x, v->kind, typed);
	else
		offer_values(x, typed, v->values);
}

static void
offer_operand(struct ctx *x, const char *typed)
{
	static const struct qmb_cli_val command = { QMB_K_COMMAND, NULL };
	static const struct qmb_cli_val none = { QMB_K_FLAG, NULL };
	const struct qmb_cli_cmd *c = x->cmd;
	int i = x->nargs;

	if (x->prog->ncmds > 0 && !x->havecmd)
		offer_value(x, &command, "", typed);
	else if (x->helpcmd)
		offer_value(x, x->nargs == 0 ? &command : &none, "", typed);
	else if (c == NULL || i >= c->max)
		offer_value(x, &none, "", typed);
	else
		offer_value(x, &c->operand[i < QMB_CLI_OPERANDS ? i :
		    QMB_CLI_OPERANDS - 1], "", typed);
}

/*
 * Join bash's "--opt" "=" "value" into "--opt=value"; *split says the
 * last word was split so (the shell then replaces the value alone).
 */
static int
join(int argc, char **argv, char **w, char *buf, size_t size, int *split)
{
	int i, n = 0;
	size_t used = 0, len;

	for (i = 0; i < argc && n < MAXWORDS; i++) {
		*split = 0;
		if (strcmp(argv[i], "=") == 0 && n > 0 &&
		    strncmp(w[n - 1], "--", 2) == 0 && strchr(w[n - 1], '=') == NULL) {
			len = strlen(w[n - 1]) + 1 + (i + 1 < argc ?
			    strlen(argv[i + 1]) : 0) + 1;
			if (used + len > size)
				break;
			snprintf(buf + used, len, "%s=%s", w[n - 1],
			    i + 1 < argc ? argv[i + 1] : "");
			w[n - 1] = buf + used;
			used += len;
			i++;
			*split = 1;
			continue;
		}
		w[n++] = argv[i];
	}
	return n;
}

int
qmb_cli_complete(const struct qmb_cli_prog *prog, int argc, char **argv)
{
	char buf[16384];
	struct ctx x;
	char *w[MAXWORDS], pre[96];
	const struct qmb_cli_opt *o;
	const char *cur, *eq;
	int n, i, split = 0;

	memset(&x, 0, sizeof(x));
	x.prog = prog;
	x.pre = "";
	if (argc < 3 || strcmp(argv[1], "--") != 0) {
		fprintf(stderr, "usage: %s --complete bash|zsh|fish -- word ...\n",
		    prog->name);
		return QMB_EXIT_USAGE;
	}
	x.desc = strcmp(argv[0], "bash") != 0;
	n = join(argc - 2, argv + 2, w, buf, sizeof(buf), &split);
	for (i = 1; i < n - 1; i++)
		see_word(&x, w[i]);
	cur = n > 1 ? w[n - 1] : "";
	if (x.pending != NULL) {
		offer_value(&x, &x.pending->val, "", cur);
	} else if (!x.ddash && strncmp(cur, "--", 2) == 0 &&
	    (eq = strchr(cur, '=')) != NULL) {
		o = lookup(&x, cur + 2, (size_t)(eq - cur - 2), 0);
		snprintf(pre, sizeof(pre), "%.*s", split ? 0 : (int)(eq - cur + 1),
		    cur);
		if (o != NULL && o->meta != NULL)
			offer_value(&x, &o->val, pre, eq + 1);
		else
			printf("words\t\n");
	} else if (!x.ddash && cur[0] == '-') {
		printf("words\t\n");
		offer_options(&x, cur);
	} else {
		offer_operand(&x, cur);
	}
	return qmb_close_stdout(QMB_EXIT_OK);
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_lock.h"
#include "qmb_prog.h"

#ifndef QMB_VERSION
#define QMB_VERSION "0.1.0"
#endif

static const char *progname = "qmb";

void
qmb_setprogname(const char *name)
{
	progname = name;
}

const char *
qmb_progname(void)
{
	return progname;
}

int
qmb_usage(const char *usage)
{
	fputs(usage, stderr);
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	return QMB_EXIT_USAGE;
}

int
qmb_help(const char *usage, const char *help)
{
	fputs(usage, stdout);
	fputs(help, stdout);
	return qmb_close_stdout(QMB_EXIT_OK);
}

int
qmb_version(void)
{
	printf("%s %s\n", progname, QMB_VERSION);
	return qmb_close_stdout(QMB_EXIT_OK);
}

/*
 * Messages quote what the user gave (ids, file names): control characters
 * in them must neither break the one-line rule nor reach the terminal.
 */
static void
put_clean(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
}

int
qmb_report(const struct qmb_err *err)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	put_clean(err->msg[0] ? err->msg :
	    "internal error: failure without a message");
	fputc('\n', stderr);
	return err->code ? err->code : QMB_EXIT_INTERNAL;
}

void
qmb_warn(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: warning: ", progname);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put_clean(msg);
	fputc('\n', stderr);
}

int
qmb_close_stdout(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "%s: write to standard output: %s\n", progname,
		    strerror(errno));
		return QMB_EXIT_IO;
	}
	return code;
}

void
qmb_common_finish(struct qmb_common *c)
{
	struct passwd *pw;
	const char *nc = getenv("NO_COLOR");

	if (c->user == NULL || *c->user == '\0')
		c->user = getenv("QMB_USER");
	if (c->user == NULL || *c->user == '\0')
		c->user = getenv("LOGNAME");
	if ((c->user == NULL || *c->user == '\0') &&
	    (pw = getpwuid(geteuid())) != NULL)
		c->user = pw->pw_name;
	if (c->user == NULL || *c->user == '\0')
		c->user = "unknown";
	c->tty = isatty(STDOUT_FILENO);
	c->color = c->tty && (nc == NULL || *nc == '\0');
}

int
qmb_parse_wait(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || v < 0 || v > 86400)
		return -1;
	qmb_lock_set_wait(v);
	return 0;
}

int
qmb_common_opt(struct qmb_common *c, int ch, const char *arg,
    const char *usage, const char *help, int *exitp)
{
	switch (ch) {
	case 'C': c->dir = arg; return 1;
	case 'q': c->quiet = 1; return 1;
	case 'v': c->verbose = 1; return 1;
	case QMB_OPT_JSON: c->json = 1; return 1;
	case QMB_OPT_USER: c->user = arg; return 1;
	case 'h':
		*exitp = qmb_help(usage, help);
		return -1;
	case 'V':
		*exitp = qmb_version();
		return -1;
	case QMB_OPT_WAIT:
		if (qmb_parse_wait(arg) == 0)
			return 1;
		fprintf(stderr, "%s: invalid --wait '%s': give seconds (0-86400)\n",
		    progname, arg);
		*exitp = QMB_EXIT_USAGE;
		return -1;
	default:
		return 0;
	}
}

const void *
qmb_verb_find(const void *table, size_t n, size_t size, const char *name)
{
	const char *p = table;
	size_t i;

	for (i = 0; i < n; i++, p += size)
		if (strcmp(((const struct qmb_verb *)(const void *)p)->name,
		    name) == 0)
			return p;
	return NULL;
}

int
qmb_verb_check(const struct qmb_verb *v, unsigned set,
    const char *const *optnames, int nargs, const char *usage)
{
	unsigned extra = set & ~v->allowed;
	size_t i;

	for (i = 0; extra != 0; i++, extra >>= 1)
		if (extra & 1) {
			fprintf(stderr, "%s: option %s does not apply to '%s'\n",
			    progname, optnames[i], v->name);
			return qmb_usage(usage);
		}
	if (nargs < v->min || nargs > v->max) {
		fprintf(stderr, "%s: '%s' takes %s operands\n", progname,
		    v->name, nargs < v->min ? "more" : "fewer");
		return qmb_usage(usage);
	}
	return 0;
}

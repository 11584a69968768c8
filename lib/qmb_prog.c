/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_exit.h"
#include "qmb_prog.h"

#ifndef QMB_VERSION
#define QMB_VERSION "0.1.0"
#endif

static const char *progname = "qmb";
static int stdout_closed;	/* fd 1 was closed when the program started */
static int commits;		/* changes committed by this process */

/*
 * Standard descriptors that are closed get /dev/null, so that no file the
 * program opens can become its standard output; a closed standard output
 * is remembered and reported when the program ends.
 */
static void
std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			continue;
		if (fd == STDOUT_FILENO)
			stdout_closed = 1;
	}
}

void
qmb_setprogname(const char *name)
{
	progname = name;
	std_fds();
}

int
qmb_stdout_closed(void)
{
	return stdout_closed;
}

void
qmb_committed(void)
{
	commits++;
}

const char *
qmb_progname(void)
{
	return progname;
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
	int e = EBADF;

	if (!stdout_closed && fflush(stdout) == 0 && !ferror(stdout) &&
	    fclose(stdout) == 0)
		return code;
	if (!stdout_closed)
		e = errno;
	if (code == QMB_EXIT_OK && commits > 0) {
		/* committed: failing now would invite a retry, a duplicate */
		fprintf(stderr, "%s: warning: the change is saved, but standard output could not be written: %s\n",
		    progname, strerror(e));
		return code;
	}
	fprintf(stderr, "%s: write to standard output: %s\n", progname,
	    strerror(e));
	return QMB_EXIT_IO;
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

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the progress channel (qmb_progress): the lines written to
 * the descriptor $QMB_PROGRESS_FD names, and silence without one.  The
 * descriptor is looked up once per process, so each case runs in a child.
 */
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_progress.h"
#include "tap.h"

/*
 * What a child that sets the variable to val (or to the pipe's descriptor)
 * and sends two lines writes to the pipe or to its standard output.
 */
static void
run(const char *val, int use_pipe_fd, char *got, size_t size)
{
	char fd[16];
	int p[2], st;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	got[0] = '\0';
	if (pipe(p) == -1)
		return;
	if ((pid = fork()) == 0) {
		close(p[0]);
		/* standard output too: a line written there would show */
		dup2(p[1], STDOUT_FILENO);
		snprintf(fd, sizeof(fd), "%d", p[1]);
		if (val == NULL)
			unsetenv("QMB_PROGRESS_FD");
		else
			setenv("QMB_PROGRESS_FD", use_pipe_fd ? fd : val, 1);
		qmb_progress(1, 3, "session %d of %d: \"%s\"", 1, 3, "a\tb");
		qmb_progress(2, 0, "waiting %d s", 2);
		_exit(0);
	}
	close(p[1]);
	while (len + 1 < size && (n = read(p[0], got + len, size - len - 1)) > 0)
		len += (size_t)n;
	got[len] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
}

int
main(void)
{
	char got[1024];

	run("", 1, got, sizeof(got));
	ok(strcmp(got, "{\"progress\":1,\"total\":3,\"message\":\"session 1 of 3: "
	    "\\\"a\\tb\\\"\"}\n{\"progress\":2,\"message\":\"waiting 2 s\"}\n") == 0,
	    "two lines, escaped, total only when known: %s", got);
	run(NULL, 0, got, sizeof(got));
	ok(got[0] == '\0', "no variable: nothing");
	run("1", 0, got, sizeof(got));
	ok(got[0] == '\0', "standard output is never the channel");
	run("999", 0, got, sizeof(got));
	ok(got[0] == '\0', "a descriptor that is not open: nothing, no failure");
	run("3x", 0, got, sizeof(got));
	ok(got[0] == '\0', "not a number: nothing");
	return tap_done();
}

/* SPDX-License-Identifier: MIT */
/*
 * Running a sibling program: arguments as given (never a shell), its
 * input from a pipe, its output and errors captured with a bound.
 * Running the program itself (rather than its library calls) means an
 * MCP call and a CLI call leave exactly the same files behind.
 */
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp.h"

#define CAPTURE_MAX (64u << 20)
#define ARG_ONE_MAX (128u << 10)	/* Linux MAX_ARG_STRLEN, with its NUL */

/* The child: its descriptors, then the program (by path, else by PATH). */
static void
child(const char *path, char *const *args, int in[2], int out[2], int err[2])
{
	dup2(in[0], STDIN_FILENO);
	dup2(out[1], STDOUT_FILENO);
	dup2(err[1], STDERR_FILENO);
	close(in[0]), close(in[1]), close(out[0]), close(out[1]);
	close(err[0]), close(err[1]);
	setenv("NO_COLOR", "1", 1);
	signal(SIGPIPE, SIG_DFL);	/* as from a shell, not as the server */
	if (path[0] != '\0')
		execv(path, args);
	execvp(args[0], args);
	fprintf(stderr, "%s: cannot run: %s\n", args[0], strerror(errno));
	_exit(127);
}

static void
close_pair(int p[2])
{
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
}

/* prog [-C dir] argv...: a NULL-terminated array to free, or NULL. */
static char **
make_args(struct mcp *m, const char *prog, const char *const *argv)
{
	char **args;
	size_t n = 0, i;

	while (argv[n] != NULL)
		n++;
	if ((args = calloc(n + 4, sizeof(*args))) == NULL)
		return NULL;
	i = 0;
	args[i++] = (char *)prog;
	if (m->dir != NULL) {
		args[i++] = "-C";
		args[i++] = (char *)m->dir;
	}
	for (n = 0; argv[n] != NULL; n++)
		args[i++] = (char *)argv[n];
	args[i] = NULL;
	return args;
}

static void
pump(int infd, const char *input, size_t inlen, int outfd, int errfd,
    struct run *r)
{
	struct pollfd p[3];
	char chunk[65536];
	size_t off = 0;
	ssize_t n;
	int i, open_fds = 2;

	p[0].fd = outfd, p[0].events = POLLIN;
	p[1].fd = errfd, p[1].events = POLLIN;
	p[2].fd = inlen > 0 ? infd : -1, p[2].events = POLLOUT;
	if (inlen == 0)
		close(infd);
	else
		fcntl(infd, F_SETFL, O_NONBLOCK);
	while (open_fds > 0) {
		if (poll(p, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[2].fd != -1 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = write(infd, input + off, inlen - off);
			if (n > 0)
				off += (size_t)n;
			if ((n == -1 && errno != EAGAIN) || off == inlen) {
				close(infd);
				p[2].fd = -1;
			}
		}
		for (i = 0; i < 2; i++) {
			if (p[i].fd == -1 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, chunk, sizeof(chunk));
			if (n <= 0) {
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			qmb_buf_add(i == 0 ? &r->out : &r->err, chunk, (size_t)n);
		}
	}
	if (p[2].fd != -1)
		close(infd);
}

/*
 * An argument longer than the system takes on a command line would make
 * exec fail (E2BIG): say so as the program would refuse a bad argument.
 */
static int
too_long(const char *prog, const char *const *argv, struct run *r)
{
	size_t i, n;

	for (i = 0; argv[i] != NULL; i++) {
		if ((n = strlen(argv[i])) < ARG_ONE_MAX)
			continue;
		r->status = QMB_EXIT_USAGE;
		qmb_buf_addf(&r->err,
		    "%s: an argument is too long (%zu bytes; at most %u fit on a command line)\n",
		    prog, n, ARG_ONE_MAX - 1);
		return 1;
	}
	return 0;
}

int
mcp_run(struct mcp *m, const char *prog, const char *const *argv,
    const char *input, size_t inlen, struct run *r)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, st;
	char path[4352] = "", **args;
	pid_t pid = -1;

	qmb_buf_init(&r->out, CAPTURE_MAX);
	qmb_buf_init(&r->err, 1u << 20);
	r->status = 127;
	if (m->dry)
		return -1;	/* fuzzing: no program runs */
	if (too_long(prog, argv, r)) {
		qmb_buf_add(&r->out, "", 0);
		qmb_buf_add(&r->err, "", 0);
		return 0;
	}
	if ((args = make_args(m, prog, argv)) == NULL)
		return -1;
	if (m->bindir[0] != '\0')
		snprintf(path, sizeof(path), "%s/%s", m->bindir, prog);
	if (pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0 &&
	    pipe2(err, O_CLOEXEC) == 0 && (pid = fork()) == 0)
		child(path, args, in, out, err);
	free(args);
	if (pid == -1) {
		close_pair(in), close_pair(out), close_pair(err);
		return -1;
	}
	close(in[0]), close(out[1]), close(err[1]);
	pump(in[1], input, inlen, out[0], err[0], r);
	close(out[0]), close(err[0]);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	qmb_buf_add(&r->out, "", 0);
	qmb_buf_add(&r->err, "", 0);
	return 0;
}

void
mcp_run_free(struct run *r)
{
	qmb_buf_free(&r->out);
	qmb_buf_free(&r->err);
}

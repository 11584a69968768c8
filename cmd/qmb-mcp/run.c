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
#define KILL_AFTER_MS 5000	/* SIGTERM, then SIGKILL after this long */
#define ARG_ONE_MAX (128u << 10)	/* Linux MAX_ARG_STRLEN, with its NUL */

/*
 * The child: its descriptors (0, 1, 2 and the progress channel; every
 * other one is close-on-exec), its own process group, then the program
 * (by path, else by PATH).
 */
static void
child(const char *path, char *const *args, int in[2], int out[2], int err[2],
    int prog[2])
{
	char fd[16];

	setpgid(0, 0);
	dup2(in[0], STDIN_FILENO);
	dup2(out[1], STDOUT_FILENO);
	dup2(err[1], STDERR_FILENO);
	if (prog[1] == MCP_PROGRESS_FD)
		fcntl(prog[1], F_SETFD, 0);
	else
		dup2(prog[1], MCP_PROGRESS_FD);
	snprintf(fd, sizeof(fd), "%d", MCP_PROGRESS_FD);
	setenv("QMB_PROGRESS_FD", fd, 1);
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

/* Complete lines of the progress channel go on; a partial one waits. */
static void
progress_in(struct mcp *m, struct qmb_buf *pb)
{
	char *s = pb->data, *nl;
	size_t rest;

	while ((nl = memchr(s, '\n', pb->len - (size_t)(s - pb->data))) != NULL) {
		mcp_progress_line(m, s, (size_t)(nl - s));
		s = nl + 1;
	}
	rest = pb->len - (size_t)(s - pb->data);
	memmove(pb->data, s, rest);
	pb->len = rest;
	if (pb->error || rest > 8192)	/* a line that long is no progress */
		qmb_buf_reset(pb);
}

enum { P_OUT, P_ERR, P_PROG, P_STDIN, P_IN, P_N };

/*
 * Feed the input, collect stdout and stderr, pass progress on, and go on
 * reading the server's own input (a cancellation may come) until the
 * program closes its output.  A cancelled program gets SIGTERM at once
 * (mcp_cancel) and SIGKILL KILL_AFTER_MS later.
 */
static void
pump(struct mcp *m, int infd, const char *input, size_t inlen, int outfd,
    int errfd, int progfd, struct run *r)
{
	struct pollfd p[P_N];
	struct qmb_buf pb;
	char chunk[65536];
	size_t off = 0;
	ssize_t n;
	int i, open_fds = 2, wait_ms, killed = 0;

	qmb_buf_init(&pb, 1u << 16);
	p[P_OUT].fd = outfd, p[P_OUT].events = POLLIN;
	p[P_ERR].fd = errfd, p[P_ERR].events = POLLIN;
	p[P_PROG].fd = progfd, p[P_PROG].events = POLLIN;
	p[P_STDIN].fd = m->input != NULL && !m->input_done ? m->input_fd : -1;
	p[P_STDIN].events = POLLIN;
	p[P_IN].fd = inlen > 0 ? infd : -1, p[P_IN].events = POLLOUT;
	if (inlen == 0)
		close(infd);
	else
		fcntl(infd, F_SETFL, O_NONBLOCK);
	while (open_fds > 0) {
		if (m->stop != NULL && *m->stop && !m->cancelled) {
			/* the server itself is told to stop: its program first */
			snprintf(m->reason, sizeof(m->reason), "qmb-mcp stopped by "
			    "signal %d", (int)*m->stop);
			mcp_cancel(m);
		}
		wait_ms = m->cancelled && !killed ? KILL_AFTER_MS : -1;
		if ((i = poll(p, P_N, wait_ms)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (i == 0) {
			/* it did not stop on SIGTERM */
			kill(-m->child, SIGKILL);
			killed = 1;
			continue;
		}
		if (p[P_IN].fd != -1 && (p[P_IN].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = write(infd, input + off, inlen - off);
			if (n > 0)
				off += (size_t)n;
			if ((n == -1 && errno != EAGAIN) || off == inlen) {
				close(infd);
				p[P_IN].fd = -1;
			}
		}
		if (p[P_STDIN].fd != -1 &&
		    (p[P_STDIN].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    m->input(m) == -1)
			p[P_STDIN].fd = -1;
		if (p[P_PROG].fd != -1 &&
		    (p[P_PROG].revents & (POLLIN | POLLHUP | POLLERR))) {
			n = read(p[P_PROG].fd, chunk, sizeof(chunk));
			if (n <= 0)
				p[P_PROG].fd = -1;
			else if (qmb_buf_add(&pb, chunk, (size_t)n) == 0)
				progress_in(m, &pb);
			else
				qmb_buf_reset(&pb);
		}
		for (i = P_OUT; i <= P_ERR; i++) {
			if (p[i].fd == -1 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, chunk, sizeof(chunk));
			if (n <= 0) {
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			qmb_buf_add(i == P_OUT ? &r->out : &r->err, chunk, (size_t)n);
		}
	}
	if (p[P_IN].fd != -1)
		close(infd);
	qmb_buf_free(&pb);
}

void
mcp_cancel(struct mcp *m)
{
	m->cancelled = 1;
	if (m->child > 0)
		kill(-m->child, SIGTERM);
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
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int pr[2] = { -1, -1 }, st;
	char path[4352] = "", **args;
	pid_t pid = -1;

	qmb_buf_init(&r->out, CAPTURE_MAX);
	qmb_buf_init(&r->err, 1u << 20);
	r->status = 127;
	if (m->dry)
		return -1;	/* fuzzing: no program runs */
	if (m->cancelled) {
		/* the call was cancelled: its next program does not start */
		r->status = 128 + SIGTERM;
		return 0;
	}
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
	    pipe2(err, O_CLOEXEC) == 0 && pipe2(pr, O_CLOEXEC) == 0 &&
	    (pid = fork()) == 0)
		child(path, args, in, out, err, pr);
	free(args);
	if (pid == -1) {
		close_pair(in), close_pair(out), close_pair(err), close_pair(pr);
		return -1;
	}
	setpgid(pid, pid);	/* also here: no race with a cancellation */
	m->child = pid;
	close(in[0]), close(out[1]), close(err[1]), close(pr[1]);
	pump(m, in[1], input, inlen, out[0], err[0], pr[0], r);
	close(out[0]), close(err[0]), close(pr[0]);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			m->child = 0;
			return -1;
		}
	m->child = 0;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (m->cancelled && WIFSIGNALED(st))
		m->killed = 1;
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

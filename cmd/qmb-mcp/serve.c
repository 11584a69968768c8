/* SPDX-License-Identifier: MIT */
/*
 * The server's loop: read standard input, cut it into lines, queue them,
 * and handle them one at a time.  While a tool's program runs, run.c
 * calls mcp->input() whenever standard input is readable, so reading
 * never stops: a cancellation stops the program at once, a ping is
 * answered at once, anything else waits in the queue for its turn.
 *
 * Invariants: the queue holds whole lines in the order they came; a
 * line longer than the limit is queued as a marker (answered -32600) and
 * the rest of it skipped; the server answers in order, except pings and
 * progress sent while a program runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp.h"

struct line {
	char		*s;		/* NULL for a line that was too long */
	size_t		 len;
	struct line	*next;
};

struct inbox {
	char		*buf;
	size_t		 have, cap, max;
	int		 skipping;	/* inside a line too long */
	struct line	*head, *tail;
	struct qmb_buf	 out;		/* replies, written after each line */
};

static struct inbox ib;
static volatile sig_atomic_t stop_sig;

static void
on_signal(int sig)
{
	stop_sig = sig;
}

/*
 * SIGTERM, SIGINT and SIGHUP (a client shutting the server down) stop
 * the running program first (run.c sees stop_sig), record the abandoned
 * call, then end the loop; no SA_RESTART, so a blocked read or poll
 * returns at once.
 */
static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int
send_out(struct qmb_buf *out)
{
	size_t off = 0;
	ssize_t w;

	while (off < out->len) {
		w = write(STDOUT_FILENO, out->data + off, out->len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			qmb_buf_reset(out);
			if (w == 0)
				errno = EIO;
			return -1;
		}
		off += (size_t)w;
	}
	qmb_buf_reset(out);
	return 0;
}

static void
emit(struct mcp *m, struct qmb_buf *b)
{
	(void)m;
	send_out(b);
}

static void
push(struct mcp *m, const char *s, size_t len, int too_long)
{
	struct qmb_buf now;
	struct line *l;

	if (!too_long && m->child > 0) {
		/* a program runs: a cancellation or a ping cannot wait */
		qmb_buf_init(&now, 4096);
		if (mcp_early(m, s, len, &now) == 1) {
			send_out(&now);
			qmb_buf_free(&now);
			return;
		}
		qmb_buf_free(&now);
	} else if (!too_long && mcp_early(m, s, len, NULL) == 1) {
		return;		/* a cancellation: nothing to answer */
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return;
	if (!too_long && (l->s = malloc(len + 1)) == NULL) {
		free(l);
		return;
	}
	if (!too_long) {
		memcpy(l->s, s, len);
		l->s[len] = '\0';
		l->len = len;
	}
	if (ib.tail != NULL)
		ib.tail->next = l;
	else
		ib.head = l;
	ib.tail = l;
}

/* Read what is there; queue each complete line.  -1 at the end. */
static int
input(struct mcp *m)
{
	size_t start, len;
	char *nl, *nbuf;
	ssize_t r;

	if (ib.have == ib.cap && ib.cap < ib.max + 1) {
		ib.cap = ib.cap * 2 > ib.max + 1 ? ib.max + 1 : ib.cap * 2;
		if ((nbuf = realloc(ib.buf, ib.cap)) == NULL)
			return m->input_done = 1, -1;
		ib.buf = nbuf;
	}
	do
		r = read(m->input_fd, ib.buf + ib.have, ib.cap - ib.have);
	while (r == -1 && errno == EINTR && !stop_sig);
	if (r <= 0) {
		/* the end: a last line without a newline still counts */
		if (ib.have > 0 && !ib.skipping)
			push(m, ib.buf, ib.have, 0);
		ib.have = 0;
		return m->input_done = 1, -1;
	}
	ib.have += (size_t)r;
	for (start = 0; (nl = memchr(ib.buf + start, '\n', ib.have - start)) !=
	    NULL; start = (size_t)(nl - ib.buf) + 1) {
		len = (size_t)(nl - ib.buf) - start;
		if (!ib.skipping)
			push(m, ib.buf + start, len, len > ib.max);
		ib.skipping = 0;	/* the end of a refused line */
	}
	memmove(ib.buf, ib.buf + start, ib.have - start);
	ib.have -= start;
	if (ib.have > ib.max) {
		/* refuse the oversized line now, then skip to its end */
		if (!ib.skipping)
			push(m, NULL, 0, 1);
		ib.skipping = 1;
		ib.have = 0;
	}
	return 0;
}

static void
handle(struct mcp *m, struct line *l)
{
	if (l->s == NULL)
		mcp_too_long(&ib.out, ib.max);
	else
		mcp_handle(m, l->s, l->len, &ib.out);
	if (m->verbose && l->s != NULL)
		fprintf(stderr, "qmb-mcp: %s\n", m->method[0] ? m->method :
		    "(not a valid message)");
}

int
mcp_serve(struct mcp *m, size_t max)
{
	struct line *l;
	int rc = 0;

	ib.max = max;
	ib.cap = 1 << 16;
	if ((ib.buf = malloc(ib.cap)) == NULL)
		return 6;
	qmb_buf_init(&ib.out, max * 2 + (1u << 20));
	m->input = input;
	m->emit = emit;
	m->input_fd = STDIN_FILENO;
	m->stop = &stop_sig;
	catch_signals();
	for (;;) {
		while (!stop_sig && (l = ib.head) != NULL) {
			ib.head = l->next;
			if (ib.head == NULL)
				ib.tail = NULL;
			handle(m, l);
			free(l->s);
			free(l);
			if (send_out(&ib.out) == -1) {
				/* a client gone (EPIPE) ends the session */
				if (errno != EPIPE) {
					fprintf(stderr, "qmb-mcp: write to standard "
					    "output: %s\n", strerror(errno));
					rc = 6;
				}
				goto done;
			}
		}
		if (m->input_done || stop_sig)
			break;
		input(m);
	}
done:
	if (stop_sig)
		rc = 128 + stop_sig;
	while ((l = ib.head) != NULL) {
		ib.head = l->next;
		free(l->s);
		free(l);
	}
	free(ib.buf);
	qmb_buf_free(&ib.out);
	return rc;
}

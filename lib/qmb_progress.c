/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_buf.h"
#include "qmb_json.h"
#include "qmb_progress.h"

/* -2: not looked up yet; -1: no channel */
static int progress_fd = -2;

static int
channel(void)
{
	const char *s;
	char *end;
	long n;

	if (progress_fd != -2)
		return progress_fd;
	progress_fd = -1;
	if ((s = getenv("QMB_PROGRESS_FD")) == NULL || *s == '\0')
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	/* 0, 1 and 2 are the program's own: never progress */
	if (errno || *end != '\0' || n < 3 || n > 1023 ||
	    fcntl((int)n, F_GETFD) == -1)
		return -1;
	progress_fd = (int)n;
	return progress_fd;
}

void
qmb_progress(long progress, long total, const char *fmt, ...)
{
	char msg[512];
	struct qmb_buf b;
	va_list ap;
	ssize_t w;
	size_t off;
	int fd;

	if ((fd = channel()) == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	qmb_buf_init(&b, 4096);
	qmb_buf_addf(&b, "{\"progress\":%ld", progress);
	if (total > 0)
		qmb_buf_addf(&b, ",\"total\":%ld", total);
	qmb_buf_adds(&b, ",\"message\":");
	qmb_json_escape(&b, msg, strlen(msg));
	qmb_buf_adds(&b, "}\n");
	off = 0;
	while (!b.error && off < b.len) {
		w = write(fd, b.data + off, b.len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	qmb_buf_free(&b);
}

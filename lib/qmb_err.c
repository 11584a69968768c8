/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "qmb_err.h"

static void
vset(struct qmb_err *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int
qmb_errf(struct qmb_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	err->sys = 0;
	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	return -1;
}

int
qmb_errsys(struct qmb_err *err, int code, const char *fmt, ...)
{
	int saved = errno;
	size_t n;
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	err->sys = saved;
	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	if (n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
		    strerror(saved));
	errno = saved;
	return -1;
}

int
qmb_err_code_for_errno(int e)
{
	switch (e) {
	case ENOENT:
		return QMB_EXIT_NOTFOUND;
	case EWOULDBLOCK:
		return QMB_EXIT_BUSY;
	case ENAMETOOLONG:
	case ELOOP:
		return QMB_EXIT_USAGE;
	default:
		return QMB_EXIT_IO;
	}
}

void
qmb_err_prefix(struct qmb_err *err, const char *fmt, ...)
{
	char old[QMB_ERR_MSG];
	size_t n;
	va_list ap;

	if (err == NULL)
		return;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	if (n + 2 < sizeof(err->msg)) {
		memcpy(err->msg + n, ": ", 3);
		n += 2;
		memcpy(err->msg + n, old, sizeof(err->msg) - n - 1);
		err->msg[sizeof(err->msg) - 1] = '\0';
	}
}

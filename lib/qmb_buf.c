/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_buf.h"

void
qmb_buf_init(struct qmb_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->error = 0;
}

void
qmb_buf_free(struct qmb_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
qmb_buf_reset(struct qmb_buf *b)
{
	b->len = 0;
	b->error = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int
grow(struct qmb_buf *b, size_t need)
{
	size_t ncap;
	char *p;

	if (b->error)
		return -1;
	if (need > b->max || need + 1 < need) {
		b->error = EFBIG;
		return -1;
	}
	if (need + 1 <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need + 1)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if ((p = realloc(b->data, ncap)) == NULL) {
		b->error = ENOMEM;
		return -1;
	}
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
qmb_buf_add(struct qmb_buf *b, const void *p, size_t n)
{
	if (grow(b, b->len + n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
qmb_buf_addc(struct qmb_buf *b, char c)
{
	return qmb_buf_add(b, &c, 1);
}

int
qmb_buf_adds(struct qmb_buf *b, const char *s)
{
	return qmb_buf_add(b, s, strlen(s));
}

int
qmb_buf_addf(struct qmb_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, b->len + (size_t)n) == -1) {
		if (n < 0)
			b->error = EINVAL;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *
qmb_buf_steal(struct qmb_buf *b, size_t *lenp)
{
	char *p;

	if (grow(b, b->len) == -1)
		return NULL;
	p = b->data;
	if (lenp != NULL)
		*lenp = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

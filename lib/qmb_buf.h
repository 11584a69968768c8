/* SPDX-License-Identifier: MIT */
#ifndef QMB_BUF_H
#define QMB_BUF_H

/*
 * A growable byte buffer with a hard maximum set at init.  Appends past
 * the maximum, or a failed allocation, set a sticky error (b->error is
 * EFBIG or ENOMEM) and return -1; later appends do nothing, so a caller
 * may build a whole document and check once.  data is always
 * NUL-terminated when non-NULL (the NUL is not counted in len).
 * The buffer owns data; qmb_buf_free releases it.
 */

#include <stddef.h>

struct qmb_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
	int	 error;		/* 0, EFBIG or ENOMEM */
};

void	qmb_buf_init(struct qmb_buf *, size_t max);
void	qmb_buf_free(struct qmb_buf *);
void	qmb_buf_reset(struct qmb_buf *);	/* len = 0, error = 0 */
int	qmb_buf_add(struct qmb_buf *, const void *, size_t);
int	qmb_buf_addc(struct qmb_buf *, char);
int	qmb_buf_adds(struct qmb_buf *, const char *);
int	qmb_buf_addf(struct qmb_buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Take ownership of data (NUL-terminated); the buffer is left empty. */
char	*qmb_buf_steal(struct qmb_buf *, size_t *lenp);

#endif

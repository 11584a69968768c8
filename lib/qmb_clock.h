/* SPDX-License-Identifier: MIT */
#ifndef QMB_CLOCK_H
#define QMB_CLOCK_H

/*
 * Time as milliseconds since the epoch, UTC.  Text is ISO 8601 with
 * milliseconds and a Z ("2026-01-21T14:30:00.123Z", QMB_TIME_LEN bytes
 * plus NUL).  qmb_now() honours $QMB_NOW (the same text) so tests can
 * pretend a date; nothing else reads it.
 */

#include <stddef.h>
#include <stdint.h>

#define QMB_TIME_LEN 24

int64_t	qmb_now(void);
/* A monotonic clock in milliseconds, for measuring waits; not a date. */
int64_t	qmb_mono_ms(void);
/* buf must hold QMB_TIME_LEN + 1 bytes. */
void	qmb_time_fmt(int64_t ms, char *buf);
/*
 * Parse "YYYY-MM-DDTHH:MM:SS[.f...](Z|+hh:mm|-hh:mm)" or a date alone
 * ("YYYY-MM-DD", midnight UTC).  0 or -1.
 */
int	qmb_time_parse(const char *, int64_t *ms);
/*
 * A duration "90s", "10m", "2h", "7d", "1w" into milliseconds.  0 or -1.
 */
int	qmb_duration_parse(const char *, int64_t *ms);
/* "just now", "1 minute ago", "10 minutes ago", "2 days ago", "in 3 hours". */
void	qmb_time_ago(int64_t then, int64_t now, char *buf, size_t size);

#endif

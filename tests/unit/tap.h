/* SPDX-License-Identifier: MIT */
#ifndef QMB_TAP_H
#define QMB_TAP_H

/*
 * A minimal TAP producer for the library's unit tests.  Each test binary
 * prints "ok N - name" or "not ok N - name", then "1..N"; its exit status
 * is 1 when any check failed.  make check counts the lines.
 */

#include <stdio.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do {						\
	int tap_c_ = (cond) ? 1 : 0;					\
	tap_n++;							\
	if (!tap_c_)							\
		tap_failed++;						\
	printf("%sok %d - ", tap_c_ ? "" : "not ", tap_n);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!tap_c_)							\
		printf("#   failed at %s:%d\n", __FILE__, __LINE__);	\
} while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif

/* SPDX-License-Identifier: MIT */
#ifndef QMB_KV_H
#define QMB_KV_H

/*
 * Details objects from the command line: a --details JSON object, then
 * -d KEY=VALUE pairs (a later pair of the same key wins).  A value is a
 * JSON number, true, false or null when it parses as one, else a string.
 * With ints_only set, a number that is not an integer is refused (audit
 * entries hash integers only).
 */

#include "qmb_buf.h"
#include "qmb_err.h"

int	qmb_kv_details(const char *const *pairs, int npairs, const char *json,
	    int ints_only, struct qmb_buf *out, struct qmb_err *);

#endif

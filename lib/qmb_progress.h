/* SPDX-License-Identifier: MIT */
#ifndef QMB_PROGRESS_H
#define QMB_PROGRESS_H

/*
 * Progress of a long command for the program that runs it (qmb-mcp turns
 * it into MCP progress notifications).  The channel is a descriptor that
 * the parent names in $QMB_PROGRESS_FD; each call writes one JSON line to
 * it, in one write(2):
 *
 *	{"progress":3,"total":10,"message":"session 3 of 10: ok"}
 *
 * progress grows from call to call (the caller counts); "total" is left
 * out when total is 0 (unknown).  Without the variable, or when it does
 * not name an open descriptor, nothing is written.  A failed write is
 * ignored: progress is advice, never a reason to fail.  This module is
 * the library's one writer to a descriptor, and only to the one it is
 * handed.
 */

void	qmb_progress(long progress, long total, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif

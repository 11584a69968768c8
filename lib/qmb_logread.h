/* SPDX-License-Identifier: MIT */
#ifndef QMB_LOGREAD_H
#define QMB_LOGREAD_H

/*
 * Reading JSON-Lines logs: a filter that selects exactly the lines jq's
 * select() would (level at least L, stage, component and action equal,
 * timestamp within [since, until]), and scanners over a file forwards
 * (streaming, bounded memory) and backwards (the last N matches without
 * reading the whole file).
 *
 * Speed: a line can only match a string filter if its bytes contain the
 * value as a JSON string ("C") or a backslash (an escape could spell
 * it); other lines are rejected without parsing.  Candidates are parsed
 * strictly.  A line that does not parse as a JSON object is "bad": it is
 * counted and passed to the bad callback, never fatal.
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_err.h"
#include "qmb_json.h"

#define QMB_LOGREAD_LINE_MAX	(1u << 20)	/* longer lines are bad */

struct qmb_logfilter {
	int		 min_level;	/* -1: any */
	const char	*stage;		/* NULL: any */
	const char	*component;
	const char	*action;
	const char	*session_id;
	int64_t		 since, until;	/* ms; INT64_MIN/INT64_MAX: open */
};

void	qmb_logfilter_init(struct qmb_logfilter *);

/*
 * Called for each selected line (without its newline); doc is the parsed
 * line when the filter needed to parse it, else NULL.  Return -1 to stop.
 */
typedef int	qmb_line_fn(void *arg, const char *line, size_t len,
		    const struct qmb_jv *doc);
/* Called for each bad line: where it is (1-based line number or 0). */
typedef void	qmb_bad_fn(void *arg, const char *what, unsigned long lineno,
		    const char *why);

struct qmb_logscan {
	const struct qmb_logfilter *f;
	qmb_line_fn	*line;
	qmb_bad_fn	*bad;
	void		*arg;
	int		 validate;	/* parse every line, even unfiltered */
	unsigned long	 nlines, nselected, nbad;
	int		 stopped;
};

/* 1 when line matches the filter, 0 when not, -1 when it is bad. */
int	qmb_logfilter_match(const struct qmb_logfilter *, const char *line,
	    size_t len, struct qmb_json_doc *doc, const char **why);

/*
 * Scan fd from its current offset to EOF.  label names the file in bad
 * reports.  A last line without newline is processed only when final is
 * set (a follower waits for the rest); *consumed gets the bytes used.
 */
int	qmb_logscan_fd(struct qmb_logscan *, int fd, const char *label,
	    int final, uint64_t *consumed, struct qmb_err *);
/* Lines kept by qmb_logscan_tail, newest first; the caller frees. */
struct qmb_lines {
	char	**v;
	size_t	 *len;
	size_t	  n;
};

void	qmb_lines_free(struct qmb_lines *);
/*
 * Add to out the last selected lines of fd (the whole file, read
 * backwards from its end) until out holds want lines; newest first.
 * line() is not called.  0 or -1.
 */
int	qmb_logscan_tail(struct qmb_logscan *, int fd, const char *label,
	    size_t want, struct qmb_lines *out, struct qmb_err *);

#endif

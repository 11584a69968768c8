/* SPDX-License-Identifier: MIT */
#ifndef QMB_SALVAGE_H
#define QMB_SALVAGE_H

/*
 * A session state file (.qmb/sessions/ID.json or ID.json.bak) as found,
 * for recovery: valid, missing, damaged, or written by a newer qmb; and
 * of a file that does not validate, whatever can still be read of it
 * (its project name, its state version), even from a file cut short.
 *
 * Owns: nothing on disk.  Reads only: never locks, writes, moves or
 * repairs a file (qmb_repair does, under the session lock).
 */

#include <stddef.h>
#include <stdint.h>

#include "qmb_err.h"
#include "qmb_session.h"

enum qmb_cand_st {
	QMB_C_MISSING,		/* no such file */
	QMB_C_VALID,		/* parses and validates: s holds it */
	QMB_C_DAMAGED,		/* does not validate: why says so */
	QMB_C_NEWER		/* a state version newer than ours */
};

struct qmb_cand {
	enum qmb_cand_st	 st;
	struct qmb_session	 s;		/* QMB_C_VALID */
	char			 why[QMB_ERR_MSG];
	int64_t			 version;	/* QMB_C_NEWER */
	char			 project[QMB_NAME_MAX + 1];	/* or "" */
	/* set by classification (qmb_classify) */
	int			 fits;		/* agrees with the trail */
	int			 ahead;		/* beyond its trail */
};

void	qmb_salvage_init(struct qmb_cand *);
void	qmb_salvage_free(struct qmb_cand *);
/*
 * Read dfd/ID.json+suffix (dfd -1: the folder is missing) into c.  A
 * missing, damaged or newer file is not an error; a read error is.
 */
int	qmb_salvage_load(int dfd, const char *id, const char *suffix,
	    struct qmb_cand *c, struct qmb_err *);
/*
 * What can still be read of text that does not validate as a state:
 * the project name (even from a file cut short) and, when it parses,
 * a newer state version (a damaged c becomes QMB_C_NEWER).
 */
void	qmb_salvage_text(const char *text, size_t len, struct qmb_cand *c);

#endif

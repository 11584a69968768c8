/* SPDX-License-Identifier: MIT */
#ifndef QMB_SESSION_CMD_H
#define QMB_SESSION_CMD_H

#include "qmb_err.h"
#include "qmb_json.h"
#include "qmb_paths.h"
#include "qmb_cli.h"
#include "qmb_prog.h"

/* Options that only some subcommands take: spec.c's opts[] in order. */
enum {
	I_MODEL_TYPE, I_RESUME, I_NEW, I_ALL, I_PROJECT, I_STAGE, I_FORCE,
	I_MIN_SCORE
};
/* ... as bits of opts.set */
enum {
	O_MODEL_TYPE = 1 << I_MODEL_TYPE, O_RESUME = 1 << I_RESUME,
	O_NEW = 1 << I_NEW, O_ALL = 1 << I_ALL, O_PROJECT = 1 << I_PROJECT,
	O_STAGE = 1 << I_STAGE, O_FORCE = 1 << I_FORCE,
	O_MIN_SCORE = 1 << I_MIN_SCORE
};

extern const struct qmb_cli_prog session_spec;

struct opts {
	struct qmb_common	 c;
	unsigned		 set;
	const char		*model_type;
	const char		*project;
	const char		*stage;
	long			 min_score;
	long			 idle_days;	/* config idle_warn_days */
};

typedef int cmd_fn(const struct opts *, struct qmb_proj *, int argc,
    char **argv, struct qmb_err *);

cmd_fn	cmd_new, cmd_start, cmd_list, cmd_show, cmd_resume, cmd_approve,
	cmd_revert, cmd_set_model, cmd_tables, cmd_script, cmd_export,
	cmd_import, cmd_complete, cmd_archive;

/* shared.c: what change.c, cmds.c and finish.c share. */

/* Details and log texts are built with a writer into a bounded buffer. */
struct doc {
	struct qmb_buf	b;
	struct qmb_jw	jw;
};

void	doc_begin(struct doc *, size_t max);
/* Close the object; a full buffer is a usage error (input too large). */
int	doc_end(struct doc *, struct qmb_err *);

struct qmb_txn;
/* Warn about a transaction's side effects (log, mirror, roll forward). */
void	warn_txn(const struct opts *, const struct qmb_txn *);

/* Archive a session (used by archive and by start's "start over"). */
int	archive_id(const struct opts *, struct qmb_proj *, const char *id,
	    struct qmb_err *);

/* Open a file the user names for reading (not a directory); fd or -1. */
int	open_input(const char *file, struct qmb_err *);

#endif

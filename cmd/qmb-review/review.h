/* SPDX-License-Identifier: MIT */
#ifndef QMB_REVIEW_CMD_H
#define QMB_REVIEW_CMD_H

#include "qmb_cli.h"
#include "qmb_err.h"
#include "qmb_gemini.h"
#include "qmb_paths.h"
#include "qmb_prog.h"
#include "qmb_prompt.h"
#include "qmb_rcache.h"
#include "qmb_review.h"
#include "qmb_rqueue.h"
#include "qmb_rrecord.h"

/* Options that only some subcommands take, as bits of opts.set. */
enum {
	I_MODEL, I_ATTEMPTS, I_TIMEOUT, I_NO_CACHE, I_SCRIPT, I_KEY_FILE,
	I_REASON, I_ALL
};
enum {
	O_MODEL = 1 << I_MODEL, O_ATTEMPTS = 1 << I_ATTEMPTS,
	O_TIMEOUT = 1 << I_TIMEOUT, O_NO_CACHE = 1 << I_NO_CACHE,
	O_SCRIPT = 1 << I_SCRIPT, O_KEY_FILE = 1 << I_KEY_FILE,
	O_REASON = 1 << I_REASON, O_ALL = 1 << I_ALL
};

/* The command line (spec.c). */
extern const struct qmb_cli_prog review_spec;

struct opts {
	struct qmb_common	 c;
	unsigned		 set;
	const char		*model;		/* --model */
	long			 attempts;	/* --attempts */
	long			 timeout_ms;	/* --timeout, or 0 */
	const char		*script;	/* --script FILE or - */
	const char		*key_file;	/* --key-file */
	const char		*reason;	/* --reason */
};

typedef int cmd_fn(const struct opts *, struct qmb_proj *, int argc,
    char **argv, struct qmb_err *);

cmd_fn	cmd_run, cmd_show, cmd_queue, cmd_retry, cmd_bypass, cmd_ping;

/*
 * The Gemini settings for a command: url, model, attempts, timeouts
 * (DESIGN 7, environment knobs, options) and the hooks that show
 * progress.  The key is fetched separately (key_get), since a run
 * answered from the cache needs none.
 */
struct gem {
	struct qmb_gem_cfg	 cfg;
	char			 key[QMB_GEM_KEY_MAX + 1];
	const char		*key_from;
	struct qmb_err		 keyerr;	/* why there is no key */
	int			 havekey;
	const char		*temperature;	/* $QMB_GEMINI_TEMPERATURE */
	const struct opts	*o;
};

int	gem_setup(const struct opts *, struct qmb_proj *, int attempts_dflt,
	    struct gem *, struct qmb_err *);
/* Fetch the key; 0, or -1 with err (also kept in g->keyerr). */
int	key_get(struct gem *, struct qmb_err *);
void	gem_done(struct gem *);
/* qmb_gem_generate, or the key error when there is no key. */
int	gem_ask(const struct qmb_gem_cfg *, const struct qmb_gem_prompt *,
	    struct qmb_gem_result *, struct qmb_err *);
/* The review prompt's text (caller frees). */
int	prompt_text(struct qmb_buf *, struct qmb_err *);
/* Print a side failure of a review (cache, output, log under -v). */
void	say_warning(const struct opts *, const struct qmb_review_outcome *);

#endif

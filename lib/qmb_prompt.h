/* SPDX-License-Identifier: MIT */
#ifndef QMB_PROMPT_H
#define QMB_PROMPT_H

/*
 * The prompt of a review: finding and reading the system prompt file
 * (share/review-prompt.txt), and writing the user turn that carries the
 * script.
 *
 * Owns no file of .qmb/; reads only the prompt file it is given or
 * finds.  Never writes, never prints, never calls Gemini.
 */

#include <stddef.h>

#include "qmb_buf.h"
#include "qmb_err.h"

#define QMB_PROMPT_ENV	"QMB_REVIEW_PROMPT"
#define QMB_PROMPT_NAME	"review-prompt.txt"

/*
 * The prompt file: given (the program's $QMB_REVIEW_PROMPT) when not NULL
 * or empty, else share/review-prompt.txt next to the program (source
 * tree), else ../share/qmb/review-prompt.txt relative to it (installed).
 * The path goes to path (PATH_MAX).
 */
int	qmb_prompt_find(const char *given, char *path, size_t size,
	    struct qmb_err *);
/* Read it: at most 1 MiB of UTF-8 text without NUL, not empty. */
int	qmb_prompt_read(const char *path, struct qmb_buf *, struct qmb_err *);
/* The user turn: what the script is, then the script between markers. */
int	qmb_prompt_user(const char *project, const char *model_type,
	    const char *script, size_t len, struct qmb_buf *out);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef QMB_GEMREQ_H
#define QMB_GEMREQ_H

/*
 * Building a Gemini generateContent request: the API key, the endpoint
 * and the JSON body.  Part of the Gemini client (qmb_gemini.h, which
 * checks the base URL with libcurl's parser and sends the request).
 *
 * The request: POST {url}/v1beta/models/{model}:generateContent with
 * {"systemInstruction","contents","generationConfig"}; the key goes
 * only into a header, never into the URL or the body.
 *
 * Owns no file of .qmb/; reads only the key file it is given.  Never
 * calls libcurl, never sends anything, never prints; the key appears in
 * no message.
 */

#include <stddef.h>

#include "qmb_buf.h"
#include "qmb_err.h"

#define QMB_GEM_KEY_MAX		512		/* bytes of a key */
#define QMB_GEM_MAX_TOKENS	32768		/* thinking counts against it */

struct qmb_gem_prompt {
	const char	*system;	/* systemInstruction text, or NULL */
	const char	*user;		/* the user turn */
	const char	*schema;	/* responseJsonSchema text, or NULL */
	const char	*temperature;	/* number text, or NULL to omit */
	long		 max_tokens;	/* 0: QMB_GEM_MAX_TOKENS */
	int		 ping;		/* any JSON 200 is success */
};

/*
 * The key: from file when not NULL (a regular file of ours or root's,
 * no permission for group or others), else google (the value of
 * $GOOGLE_API_KEY, which the program reads), else gemini (of
 * $GEMINI_API_KEY); empty values count as unset; surrounding whitespace
 * is stripped.  *from names the source for messages ("GEMINI_API_KEY",
 * "the key file").  No key is a QMB_EXIT_USAGE error that says where to
 * put one.
 */
int	qmb_gem_key(const char *file, const char *google, const char *gemini,
	    char *key, size_t size, const char **from, struct qmb_err *);
/*
 * The full endpoint for model ("gemini-x" or "models/gemini-x": letters,
 * digits, '.', '_', '-') into out; QMB_EXIT_USAGE for a bad name.
 */
int	qmb_gem_endpoint(const char *url, const char *model,
	    struct qmb_buf *out, struct qmb_err *);
/* The request body for prompt into out. */
int	qmb_gem_body(const struct qmb_gem_prompt *, struct qmb_buf *out,
	    struct qmb_err *);

#endif

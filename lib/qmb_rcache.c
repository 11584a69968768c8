/* SPDX-License-Identifier: MIT */
/*
 * The review cache, .qmb/cache/review/{sha}.json.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "qmb_atomic.h"
#include "qmb_buf.h"
#include "qmb_jdoc.h"
#include "qmb_rcache.h"
#include "qmb_rrecord.h"
#include "qmb_sha256.h"

int
qmb_rcache_get(struct qmb_proj *p, const char *sha,
    struct qmb_json_doc *doc, struct qmb_err *err)
{
	char name[NAME_MAX + 1], label[NAME_MAX + 32];
	const char *s;
	int dfd;

	if (!qmb_sha256_is_hex(sha))
		return qmb_errf(err, QMB_EXIT_INTERNAL, "internal: bad hash");
	snprintf(name, sizeof(name), "%s.json", sha);
	snprintf(label, sizeof(label), ".qmb/cache/review/%s", name);
	if ((dfd = qmb_proj_dir(p, QMB_D_CACHE_REVIEW, 0, err)) == -1 ||
	    qmb_jdoc_read(dfd, name, label, doc, err) == -1)
		return -1;
	if (qmb_rrecord_check(doc->root, QMB_EXIT_CORRUPT, err) == -1 ||
	    strcmp(qmb_json_get_str(doc->root, "script_sha256"), sha) != 0 ||
	    (s = qmb_json_get_str(doc->root, "source")) == NULL ||
	    strcmp(s, "gemini") != 0) {
		if (err->code != QMB_EXIT_CORRUPT)
			qmb_errf(err, QMB_EXIT_CORRUPT,
			    "not a Gemini review of this script");
		qmb_err_prefix(err, "%s", label);
		qmb_json_free(doc);
		return -1;
	}
	return 0;
}

int
qmb_rcache_put(struct qmb_proj *p, const char *sha, const char *rec,
    size_t len, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf b;
	char name[NAME_MAX + 1];
	int dfd, rc = -1;

	snprintf(name, sizeof(name), "%s.json", sha);
	qmb_buf_init(&b, QMB_JSON_MAX);
	if ((dfd = qmb_proj_dir(p, QMB_D_CACHE_REVIEW, 1, err)) == -1 ||
	    qmb_json_parse(rec, len, 0, QMB_EXIT_INTERNAL, &doc, err) == -1)
		goto out;
	if (qmb_jdoc_pretty(doc.root, &b) == -1) {
		qmb_errf(err, QMB_EXIT_IO, "review too large for the cache");
		goto out;
	}
	rc = qmb_atomic_write(dfd, name, b.data, b.len, qmb_proj_fmode(p), err);
out:
	qmb_json_free(&doc);
	qmb_buf_free(&b);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * JSON documents kept in files (see qmb_jdoc.h).
 */
#include <stdio.h>

#include "qmb_io.h"
#include "qmb_jdoc.h"

int
qmb_jdoc_read(int dfd, const char *name, const char *label,
    struct qmb_json_doc *doc, struct qmb_err *err)
{
	struct qmb_buf b;
	int rc;

	qmb_buf_init(&b, qmb_io_max_file());
	rc = qmb_io_read_file(dfd, name, b.max, QMB_EXIT_CORRUPT, &b, err);
	if (rc == 0 && (rc = qmb_json_parse(b.data, b.len, b.max,
	    QMB_EXIT_CORRUPT, doc, err)) == -1)
		qmb_err_prefix(err, "%s", label);
	qmb_buf_free(&b);
	return rc;
}

int
qmb_jdoc_pretty(const struct qmb_jv *v, struct qmb_buf *b)
{
	struct qmb_jw jw;

	qmb_jw_init(&jw, b, 1);
	qmb_jw_value(&jw, v);
	qmb_buf_addc(b, '\n');
	return qmb_jw_finish(&jw) == -1 || b->error ? -1 : 0;
}

void
qmb_jdoc_copy(char *dst, size_t size, const struct qmb_jv *o, const char *key)
{
	const char *s = qmb_json_get_str(o, key);

	snprintf(dst, size, "%s", s ? s : "");
}

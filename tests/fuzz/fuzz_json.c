/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the JSON reader and writer: what qmb_json_parse
 * accepts, qmb_jw_value writes as valid JSON that parses again and
 * writes back to the same bytes; what it refuses leaves the document
 * empty and says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_exit.h"
#include "qmb_json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Write v compactly (or indented) into b; abort if the writer fails. */
static void
json_write(const struct qmb_jv *v, int pretty, struct qmb_buf *b)
{
	struct qmb_jw jw;

	qmb_jw_init(&jw, b, pretty);
	qmb_jw_value(&jw, v);
	if (qmb_jw_finish(&jw) == -1)
		abort();
}

/* text must parse and write back to exactly want (when want is given). */
static void
json_again(const struct qmb_buf *text, const struct qmb_buf *want)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf b;

	if (qmb_json_parse(text->data, text->len, text->len + 1,
	    QMB_EXIT_INTERNAL, &doc, NULL) == -1)
		abort();
	qmb_buf_init(&b, 256u << 20);
	json_write(doc.root, 0, &b);
	if (want != NULL && (b.len != want->len ||
	    memcmp(b.data, want->data, b.len) != 0))
		abort();
	qmb_buf_free(&b);
	qmb_json_free(&doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf compact, pretty;

	if (qmb_json_parse((const char *)data, size, size + 1, QMB_EXIT_USAGE,
	    &doc, &err) == -1) {
		if (doc.root != NULL || doc.mem != NULL || doc.strs != NULL ||
		    err.code != QMB_EXIT_USAGE || err.msg[0] == '\0')
			abort();
		return 0;
	}
	qmb_buf_init(&compact, 256u << 20);
	qmb_buf_init(&pretty, 256u << 20);
	json_write(doc.root, 0, &compact);
	json_write(doc.root, 1, &pretty);
	json_again(&compact, &compact);		/* a fixed point */
	json_again(&pretty, &compact);		/* same value, indented */
	qmb_buf_free(&compact);
	qmb_buf_free(&pretty);
	qmb_json_free(&doc);
	return 0;
}

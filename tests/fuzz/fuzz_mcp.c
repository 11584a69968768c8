/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for qmb-mcp's message handler: one input is one line.
 * The server runs dry (struct mcp .dry), so tools start no program; what
 * is checked is the protocol layer: no crash, no leak, no undefined
 * behaviour, and every reply is one line of valid JSON, a JSON-RPC 2.0
 * response with an id and exactly one of result and error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_exit.h"
#include "qmb_json.h"
#include "mcp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
mcp_reply_check(const struct qmb_buf *out)
{
	struct qmb_json_doc doc = { 0 };
	const struct qmb_jv *r;
	const char *v;

	if (out->len == 0)
		return;
	/* one line, ended by a newline */
	if (out->data[out->len - 1] != '\n' ||
	    memchr(out->data, '\n', out->len - 1) != NULL)
		abort();
	if (qmb_json_parse(out->data, out->len - 1, out->len, QMB_EXIT_INTERNAL,
	    &doc, NULL) == -1)
		abort();
	r = doc.root;
	v = qmb_json_get_str(r, "jsonrpc");
	if (r->type != QMB_JOBJ || v == NULL || strcmp(v, "2.0") != 0 ||
	    qmb_json_get(r, "id") == NULL ||
	    (qmb_json_get(r, "result") == NULL) ==
	    (qmb_json_get(r, "error") == NULL))
		abort();
	qmb_json_free(&doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mcp m;
	struct qmb_buf out;

	m.dry = 1;
	qmb_buf_init(&out, 64u << 20);
	mcp_handle(&m, (const char *)data, size, &out);
	mcp_reply_check(&out);
	qmb_buf_free(&out);
	return 0;
}

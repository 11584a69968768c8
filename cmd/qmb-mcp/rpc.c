/* SPDX-License-Identifier: MIT */
/*
 * The JSON-RPC layer: validation, the lifecycle, dispatch.  Requests get
 * exactly one reply with their id echoed byte for byte; notifications
 * never get one.
 */
#include <stdio.h>
#include <string.h>

#include "qmb_io.h"
#include "mcp.h"

#define V_NEW	"2025-11-25"
#define V_OLD	"2025-06-18"

#ifndef QMB_VERSION
#define QMB_VERSION "0.1.0"
#endif

struct req {
	const struct qmb_jv	*id;	/* NULL for a notification */
	const char		*method;
	const struct qmb_jv	*params;
};

static void
begin(struct qmb_jw *jw, struct qmb_buf *out, const struct qmb_jv *id)
{
	qmb_jw_init(jw, out, 0);
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "jsonrpc", "2.0");
	qmb_jw_key(jw, "id");
	if (id == NULL)
		qmb_jw_null(jw);
	else
		qmb_jw_value(jw, id);
}

/* End the reply begun at mark; one too large becomes an error for id. */
static void
finish(struct qmb_jw *jw, struct qmb_buf *out, size_t mark,
    const struct qmb_jv *id)
{
	struct qmb_jw idw;

	qmb_jw_obj_end(jw);
	if (qmb_jw_finish(jw) == -1) {
		out->len = mark;
		out->error = 0;
		qmb_buf_adds(out, "{\"jsonrpc\":\"2.0\",\"id\":");
		qmb_jw_init(&idw, out, 0);
		if (id != NULL)
			qmb_jw_value(&idw, id);
		else
			qmb_jw_null(&idw);
		qmb_buf_adds(out, ",\"error\":{\"code\":-32603,\"message\":"
		    "\"Internal error: reply too large\"}}");
	}
	qmb_buf_addc(out, '\n');
}

static void
error_reply(struct qmb_buf *out, const struct qmb_jv *id, int code,
    const char *msg)
{
	struct qmb_jw jw;
	size_t mark = out->len;

	begin(&jw, out, id);
	qmb_jw_key(&jw, "error");
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "code", code);
	qmb_jw_kstr(&jw, "message", msg);
	qmb_jw_obj_end(&jw);
	finish(&jw, out, mark, id);
}

void
mcp_too_long(struct qmb_buf *out, size_t limit)
{
	char msg[128];

	snprintf(msg, sizeof(msg),
	    "Invalid Request: message longer than %zu bytes (QMB_MCP_MAX_LINE)",
	    limit);
	error_reply(out, NULL, -32600, msg);
}

/* An id is a string or an integer (0 included), echoed as written. */
static int
valid_id(const struct qmb_jv *id)
{
	const char *p;

	if (id->type == QMB_JSTR)
		return 1;
	if (id->type != QMB_JNUM)
		return 0;
	for (p = id->num + (*id->num == '-'); *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* 0 when doc is a well-formed request or notification. */
static int
parse_req(const struct qmb_jv *root, struct req *r, const char **why)
{
	const struct qmb_jv *v;

	memset(r, 0, sizeof(*r));
	if (root->type == QMB_JARR) {
		*why = "Invalid Request: batches are not supported";
		return -1;
	}
	if (root->type != QMB_JOBJ) {
		*why = "Invalid Request: not an object";
		return -1;
	}
	if ((v = qmb_json_get(root, "id")) != NULL) {
		if (!valid_id(v)) {
			*why = "Invalid Request: id must be a string or an integer";
			return -1;
		}
		r->id = v;
	}
	v = qmb_json_get(root, "jsonrpc");
	if (v == NULL || v->type != QMB_JSTR || strcmp(v->str, "2.0") != 0) {
		*why = "Invalid Request: jsonrpc must be \"2.0\"";
		return -1;
	}
	r->method = qmb_json_get_str(root, "method");
	if (r->method == NULL) {
		*why = "Invalid Request: method must be a string";
		return -1;
	}
	r->params = qmb_json_get(root, "params");
	if (r->params != NULL && r->params->type != QMB_JOBJ &&
	    r->params->type != QMB_JARR) {
		*why = "Invalid Request: params must be an object";
		return -1;
	}
	return 0;
}

static void
initialize(struct mcp *m, const struct req *r, struct qmb_buf *out)
{
	const char *want = r->params ? qmb_json_get_str(r->params,
	    "protocolVersion") : NULL;
	struct qmb_jw jw;
	size_t mark = out->len;

	if (r->params == NULL || r->params->type != QMB_JOBJ || want == NULL) {
		error_reply(out, r->id, -32602,
		    "Invalid params: initialize needs params.protocolVersion");
		return;
	}
	m->initialized = 1;
	begin(&jw, out, r->id);
	qmb_jw_key(&jw, "result");
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "protocolVersion", strcmp(want, V_OLD) == 0 ? V_OLD :
	    V_NEW);
	qmb_jw_key(&jw, "capabilities");
	qmb_jw_obj_begin(&jw);
	qmb_jw_key(&jw, "tools");
	qmb_jw_obj_begin(&jw);
	qmb_jw_key(&jw, "listChanged");
	qmb_jw_bool(&jw, 0);
	qmb_jw_obj_end(&jw);
	qmb_jw_obj_end(&jw);
	qmb_jw_key(&jw, "serverInfo");
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "name", "qmb");
	qmb_jw_kstr(&jw, "title", "QlikModelBuilder operations and recovery");
	qmb_jw_kstr(&jw, "version", QMB_VERSION);
	qmb_jw_obj_end(&jw);
	qmb_jw_kstr(&jw, "instructions",
	    "Tools for QlikModelBuilder sessions (stages A Configuration, "
	    "B Dimensions, C Facts, D Link Tables, E Calendars, F STORE & "
	    "Cleanup). When a user returns, call qmb_start_session (mode ask) "
	    "or qmb_list_sessions first; approve each stage only after the "
	    "user approved it; after F, request the Gemini review, then "
	    "complete the session.");
	qmb_jw_obj_end(&jw);
	finish(&jw, out, mark, r->id);
}

static void
empty_result(const struct req *r, struct qmb_buf *out)
{
	struct qmb_jw jw;
	size_t mark = out->len;

	begin(&jw, out, r->id);
	qmb_jw_key(&jw, "result");
	qmb_jw_obj_begin(&jw);
	qmb_jw_obj_end(&jw);
	finish(&jw, out, mark, r->id);
}

static void
tools_list(const struct req *r, struct qmb_buf *out)
{
	struct qmb_jw jw;
	size_t mark = out->len;

	if (r->params != NULL && qmb_json_get(r->params, "cursor") != NULL) {
		/* one page holds every tool, so no cursor was ever issued */
		error_reply(out, r->id, -32602, "Invalid params: unknown cursor");
		return;
	}
	begin(&jw, out, r->id);
	qmb_jw_key(&jw, "result");
	qmb_jw_obj_begin(&jw);
	qmb_jw_key(&jw, "tools");
	mcp_tools_list(&jw);
	qmb_jw_obj_end(&jw);
	finish(&jw, out, mark, r->id);
}

static void
tools_call(struct mcp *m, const struct req *r, struct qmb_buf *out)
{
	const char *name;
	const struct qmb_jv *args;
	struct qmb_jw jw;
	char msg[512];
	size_t mark = out->len;
	int code;

	if (r->params == NULL || r->params->type != QMB_JOBJ ||
	    (name = qmb_json_get_str(r->params, "name")) == NULL) {
		error_reply(out, r->id, -32602, "Invalid params: tools/call needs a name");
		return;
	}
	args = qmb_json_get(r->params, "arguments");
	if (args != NULL && args->type != QMB_JOBJ) {
		error_reply(out, r->id, -32602,
		    "Invalid params: arguments must be an object");
		return;
	}
	begin(&jw, out, r->id);
	qmb_jw_key(&jw, "result");
	if (mcp_tools_call(m, name, args, &jw, &code, msg, sizeof(msg)) == -1) {
		out->len = mark;
		out->error = 0;
		error_reply(out, r->id, code, msg);
		return;
	}
	finish(&jw, out, mark, r->id);
}

static void
dispatch(struct mcp *m, const struct req *r, struct qmb_buf *out)
{
	char msg[160];

	if (strcmp(r->method, "initialize") == 0)
		initialize(m, r, out);
	else if (strcmp(r->method, "ping") == 0)
		empty_result(r, out);
	else if (strcmp(r->method, "tools/list") == 0)
		tools_list(r, out);
	else if (strcmp(r->method, "tools/call") == 0)
		tools_call(m, r, out);
	else {
		snprintf(msg, sizeof(msg), "Method not found: %.100s", r->method);
		error_reply(out, r->id, -32601, msg);
	}
}

void
mcp_handle(struct mcp *m, const char *line, size_t len, struct qmb_buf *out)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_err err = QMB_ERR_INIT;
	struct req r;
	const char *why;
	char msg[sizeof(err.msg) + 16];
	size_t mark = out->len;

	m->method[0] = '\0';
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
	    line[len - 1] == '\t'))
		len--;
	if (len == 0)
		return;
	/* main() bounds the line; the parser takes what it is given */
	if (qmb_json_parse(line, len, len + 1, QMB_EXIT_USAGE, &doc,
	    &err) == -1) {
		snprintf(msg, sizeof(msg), "Parse error: %s", err.msg);
		error_reply(out, NULL, -32700, msg);
		return;
	}
	if (parse_req(doc.root, &r, &why) == -1) {
		const struct qmb_jv *id = doc.root->type == QMB_JOBJ ?
		    qmb_json_get(doc.root, "id") : NULL;

		error_reply(out, id && valid_id(id) ? id : NULL, -32600, why);
		qmb_json_free(&doc);
		return;
	}
	snprintf(m->method, sizeof(m->method), "%s", r.method);
	if (r.id != NULL)
		dispatch(m, &r, out);
	else if (strcmp(r.method, "notifications/initialized") == 0)
		m->initialized = 1;	/* other notifications: nothing */
	qmb_json_free(&doc);
	if (out->error) {
		out->len = mark;
		out->error = 0;
		error_reply(out, NULL, -32603, "Internal error: reply too large");
	}
}

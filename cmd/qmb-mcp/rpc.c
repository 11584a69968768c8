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

/*
 * The versions answered as asked; any other is answered with the newest
 * (never refused), as before.  What a version adds: 2025-06-18 titles,
 * structured results and output schemas; 2025-11-25 also a description
 * and icons of the server.
 */
static const char *const versions[] = { V_NEW, V_OLD, NULL };

#define ICON "data:image/svg+xml;base64," \
    "PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnIHZpZXdCb3g9JzAg" \
    "MCAxNiAxNic+PHJlY3Qgd2lkdGg9JzE2JyBoZWlnaHQ9JzE2JyByeD0nMycgZmlsbD0n" \
    "IzAwOTg0NScvPjxwYXRoIGQ9J000IDEyVjRoM2wyIDQgMi00djgnIHN0cm9rZT0nI2Zm" \
    "Zicgc3Ryb2tlLXdpZHRoPScxLjUnIGZpbGw9J25vbmUnLz48L3N2Zz4="

static void
capability(struct qmb_jw *jw, const char *name, int subscribe)
{
	qmb_jw_key(jw, name);
	qmb_jw_obj_begin(jw);
	if (subscribe) {
		qmb_jw_key(jw, "subscribe");
		qmb_jw_bool(jw, 0);
	}
	if (strcmp(name, "completions") != 0) {
		qmb_jw_key(jw, "listChanged");
		qmb_jw_bool(jw, 0);
	}
	qmb_jw_obj_end(jw);
}

static void
initialize(struct mcp *m, const struct req *r, struct qmb_buf *out)
{
	const char *want = r->params ? qmb_json_get_str(r->params,
	    "protocolVersion") : NULL, *v = V_NEW;
	struct qmb_jw jw;
	size_t mark = out->len, i;

	if (r->params == NULL || r->params->type != QMB_JOBJ || want == NULL) {
		error_reply(out, r->id, -32602,
		    "Invalid params: initialize needs params.protocolVersion");
		return;
	}
	for (i = 0; versions[i] != NULL; i++)
		if (strcmp(want, versions[i]) == 0)
			v = versions[i];
	snprintf(m->version, sizeof(m->version), "%s", v);
	m->initialized = 1;
	begin(&jw, out, r->id);
	qmb_jw_key(&jw, "result");
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "protocolVersion", v);
	qmb_jw_key(&jw, "capabilities");
	qmb_jw_obj_begin(&jw);
	capability(&jw, "tools", 0);
	capability(&jw, "prompts", 0);
	capability(&jw, "resources", 1);
	capability(&jw, "completions", 0);
	qmb_jw_obj_end(&jw);
	qmb_jw_key(&jw, "serverInfo");
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "name", "qmb");
	qmb_jw_kstr(&jw, "title", "QlikModelBuilder operations and recovery");
	qmb_jw_kstr(&jw, "version", QMB_VERSION);
	if (strcmp(v, V_NEW) == 0) {
		qmb_jw_kstr(&jw, "description", "Sessions, logs, audit trails, "
		    "Gemini review and recovery of QlikModelBuilder's data model "
		    "builder, from the qmb programs.");
		qmb_jw_key(&jw, "icons");
		qmb_jw_arr_begin(&jw);
		qmb_jw_obj_begin(&jw);
		qmb_jw_kstr(&jw, "src", ICON);
		qmb_jw_kstr(&jw, "mimeType", "image/svg+xml");
		qmb_jw_key(&jw, "sizes");
		qmb_jw_arr_begin(&jw);
		qmb_jw_str(&jw, "any");
		qmb_jw_arr_end(&jw);
		qmb_jw_obj_end(&jw);
		qmb_jw_arr_end(&jw);
	}
	qmb_jw_obj_end(&jw);
	qmb_jw_kstr(&jw, "instructions",
	    "Tools for QlikModelBuilder sessions (stages A Configuration, "
	    "B Dimensions, C Facts, D Link Tables, E Calendars, F STORE & "
	    "Cleanup). When a user returns, call qmb_start_session (mode ask) "
	    "or qmb_list_sessions first; approve each stage only after the "
	    "user approved it; after F, request the Gemini review, then "
	    "complete the session. Each result's structuredContent.message is "
	    "what the qmb command prints: show it to the user as it is. "
	    "Prompts resume, review and recover guide those conversations; "
	    "qmb://sessions/{id} (and /script, /audit) read a session.");
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

/* v as compact JSON into buf (size MCP_ID_MAX); "" when too long. */
static void
json_text(const struct qmb_jv *v, char *buf)
{
	struct qmb_buf b;
	struct qmb_jw jw;

	buf[0] = '\0';
	if (v == NULL)
		return;
	qmb_buf_init(&b, MCP_ID_MAX - 1);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_value(&jw, v);
	if (qmb_jw_finish(&jw) == 0)
		memcpy(buf, b.data, b.len + 1);
	qmb_buf_free(&b);
}

/* The request that now runs: its id, and its progress token if any. */
static void
call_begin(struct mcp *m, const struct req *r)
{
	const struct qmb_jv *meta = qmb_json_get(r->params, "_meta"), *t;

	json_text(r->id, m->call_id);
	t = meta != NULL && meta->type == QMB_JOBJ ?
	    qmb_json_get(meta, "progressToken") : NULL;
	json_text(t != NULL && (t->type == QMB_JSTR || t->type == QMB_JNUM) ?
	    t : NULL, m->token);
	m->progress = -1;
	m->cancelled = m->killed = 0;
	m->reason[0] = '\0';
}

static void
call_end(struct mcp *m)
{
	m->call_id[0] = m->token[0] = '\0';
	m->cancelled = m->killed = 0;
}

/* Was this request cancelled before it was read?  Then forget it. */
static int
dropped(struct mcp *m, const struct qmb_jv *id)
{
	char text[MCP_ID_MAX];
	unsigned i;

	json_text(id, text);
	for (i = 0; text[0] != '\0' && i < MCP_DROPPED; i++)
		if (strcmp(m->dropped[i], text) == 0) {
			m->dropped[i][0] = '\0';
			return 1;
		}
	return 0;
}

void
mcp_progress_line(struct mcp *m, const char *line, size_t len)
{
	struct qmb_json_doc doc = { 0 };
	const char *msg;
	struct qmb_buf b;
	int64_t n, total;

	if (m->token[0] == '\0' || m->emit == NULL ||
	    qmb_json_parse(line, len, len + 1, QMB_EXIT_USAGE, &doc, NULL) == -1)
		return;
	/* progress only grows: anything else is not passed on */
	if (qmb_json_get_int(doc.root, "progress", &n) == 0 && n > m->progress) {
		m->progress = (long)n;
		qmb_buf_init(&b, 8192);
		qmb_buf_adds(&b, "{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"notifications/progress\",\"params\":{\"progressToken\":");
		qmb_buf_adds(&b, m->token);
		qmb_buf_addf(&b, ",\"progress\":%lld", (long long)n);
		if (qmb_json_get_int(doc.root, "total", &total) == 0 && total > 0)
			qmb_buf_addf(&b, ",\"total\":%lld", (long long)total);
		if ((msg = qmb_json_get_str(doc.root, "message")) != NULL) {
			qmb_buf_adds(&b, ",\"message\":");
			qmb_json_escape(&b, msg, strlen(msg));
		}
		qmb_buf_adds(&b, "}}\n");
		if (!b.error)
			m->emit(m, &b);
		qmb_buf_free(&b);
	}
	qmb_json_free(&doc);
}

int
mcp_early(struct mcp *m, const char *line, size_t len, struct qmb_buf *out)
{
	struct qmb_json_doc doc = { 0 };
	const struct qmb_jv *id, *p;
	const char *method, *why;
	char text[MCP_ID_MAX];
	struct req r;
	int done = 0;

	if (qmb_json_parse(line, len, len + 1, QMB_EXIT_USAGE, &doc, NULL) == -1)
		return 0;
	if (parse_req(doc.root, &r, &why) == -1) {
		qmb_json_free(&doc);
		return 0;
	}
	method = r.method;
	if (r.id == NULL && strcmp(method, "notifications/cancelled") == 0) {
		p = r.params;
		id = p != NULL && p->type == QMB_JOBJ ? qmb_json_get(p,
		    "requestId") : NULL;
		json_text(id != NULL && valid_id(id) ? id : NULL, text);
		if (text[0] != '\0' && strcmp(text, m->call_id) == 0) {
			snprintf(m->reason, sizeof(m->reason), "%s",
			    qmb_json_get_str(p, "reason") ? qmb_json_get_str(p,
			    "reason") : "");
			mcp_cancel(m);
		} else if (text[0] != '\0') {
			/* not read yet (or already answered): drop it if it comes */
			memcpy(m->dropped[m->ndropped++ % MCP_DROPPED], text,
			    sizeof(text));
		}
		done = 1;
		if (m->verbose)
			fprintf(stderr, "qmb-mcp: %s %s\n", method, text);
	} else if (r.id != NULL && out != NULL && strcmp(method, "ping") == 0) {
		empty_result(&r, out);
		done = 1;
	}
	qmb_json_free(&doc);
	return done;
}

static void
tools_call(struct mcp *m, const struct req *r, struct qmb_buf *out)
{
	const char *name;
	const struct qmb_jv *args;
	struct qmb_jw jw;
	char msg[512];
	size_t mark = out->len;
	int code, rc;

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
	call_begin(m, r);
	begin(&jw, out, r->id);
	qmb_jw_key(&jw, "result");
	rc = mcp_tools_call(m, name, args, &jw, &code, msg, sizeof(msg));
	if (m->cancelled) {
		/* a cancelled request is not answered */
		out->len = mark;
		out->error = 0;
	} else if (rc == -1) {
		out->len = mark;
		out->error = 0;
		error_reply(out, r->id, code, msg);
	} else
		finish(&jw, out, mark, r->id);
	call_end(m);
}

typedef int context_fn(struct mcp *, const struct qmb_jv *, struct qmb_jw *,
    int *, char *, size_t);

/* A method answered by one of context.c's functions. */
static void
context(struct mcp *m, const struct req *r, struct qmb_buf *out,
    context_fn *fn)
{
	struct qmb_jw jw;
	char msg[600];
	size_t mark = out->len;
	int code = -32603;

	if (r->params != NULL && r->params->type != QMB_JOBJ) {
		error_reply(out, r->id, -32602, "Invalid params: params must be "
		    "an object");
		return;
	}
	begin(&jw, out, r->id);
	qmb_jw_key(&jw, "result");
	if (fn(m, r->params, &jw, &code, msg, sizeof(msg)) == -1) {
		out->len = mark;
		out->error = 0;
		error_reply(out, r->id, code, msg);
		return;
	}
	finish(&jw, out, mark, r->id);
}

static const struct {
	const char	*method;
	context_fn	*fn;
} contexts[] = {
	{ "prompts/list", mcp_prompts_list },
	{ "prompts/get", mcp_prompts_get },
	{ "resources/list", mcp_resources_list },
	{ "resources/templates/list", mcp_templates_list },
	{ "resources/read", mcp_resources_read },
	{ "completion/complete", mcp_complete },
};

static void
dispatch(struct mcp *m, const struct req *r, struct qmb_buf *out)
{
	char msg[160];
	size_t i;

	for (i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++)
		if (strcmp(r->method, contexts[i].method) == 0) {
			context(m, r, out, contexts[i].fn);
			return;
		}

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
	if (r.id != NULL && strcmp(r.method, "initialize") != 0 &&
	    dropped(m, r.id))
		;	/* cancelled before its turn: no answer */
	else if (r.id != NULL)
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

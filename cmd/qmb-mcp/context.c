/* SPDX-License-Identifier: MIT */
/*
 * Prompts, resources and completion: what a client offers its user
 * beside tools (Claude Code: slash commands and @-mentions).  Like the
 * tools, they run the programs, and only their read-only commands.
 *
 * Resources: qmb://sessions (the list), qmb://health, and per session
 * qmb://sessions/{id} (the state, JSON), .../script (the approved load
 * script) and .../audit (the trail, JSON Lines).  resources/list pages
 * through the sessions PAGE at a time with an opaque cursor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_exit.h"
#include "result.h"
#include "tools.h"

#define PAGE		50	/* resources a page */
#define COMPLETE_MAX	100	/* values a completion returns */
#define E_NOTFOUND	-32002	/* MCP: resource not found */

#define SCRIPT_MIME	"text/x-qlik-script"
#define JSONL_MIME	"application/jsonl"

static int
fail(int *code, char *msg, size_t size, int c, const char *text)
{
	*code = c;
	if (text != msg)
		snprintf(msg, size, "%s", text);
	return -1;
}

/* The sessions of the project, newest first (list --json --all). */
static int
sessions(struct mcp *m, struct lines *ls)
{
	const char *argv[] = { "list", "--json", "--all", NULL };
	struct run r;

	ls->v = NULL;
	ls->n = 0;
	if (mcp_run(m, "qmb-session", argv, NULL, 0, &r) == -1) {
		mcp_run_free(&r);
		return -1;
	}
	if (r.status == 0)
		lines_parse(&r.out, ls);
	mcp_run_free(&r);
	return 0;
}

/* ---- prompts --------------------------------------------------------- */

struct prompt {
	const char	*name, *title, *desc;
	const char	*arg, *argdesc;
	int		 required;
};

static const struct prompt prompts[] = {
	{ "resume", "Resume a project",
	  "The user returns: show what is saved and ask whether to continue, "
	  "start over or view it.",
	  "project", "The project name (default: every unfinished project).", 0 },
	{ "review", "Review the script with Gemini",
	  "Run the Gemini review of a session's finished script and explain "
	  "the score and each issue.",
	  "session", "The session id.", 1 },
	{ "recover", "Check and recover a session",
	  "Check a session for damage, say what would be restored, and ask "
	  "before repairing it.",
	  "session", "The session id.", 1 },
};
#define NPROMPTS (sizeof(prompts) / sizeof(prompts[0]))

int
mcp_prompts_list(struct mcp *m, const struct qmb_jv *params, struct qmb_jw *jw,
    int *code, char *msg, size_t size)
{
	size_t i;

	(void)m;
	if (params != NULL && qmb_json_get(params, "cursor") != NULL)
		return fail(code, msg, size, -32602, "Invalid params: unknown cursor");
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "prompts");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < NPROMPTS; i++) {
		qmb_jw_obj_begin(jw);
		qmb_jw_kstr(jw, "name", prompts[i].name);
		qmb_jw_kstr(jw, "title", prompts[i].title);
		qmb_jw_kstr(jw, "description", prompts[i].desc);
		qmb_jw_key(jw, "arguments");
		qmb_jw_arr_begin(jw);
		qmb_jw_obj_begin(jw);
		qmb_jw_kstr(jw, "name", prompts[i].arg);
		qmb_jw_kstr(jw, "description", prompts[i].argdesc);
		qmb_jw_key(jw, "required");
		qmb_jw_bool(jw, prompts[i].required);
		qmb_jw_obj_end(jw);
		qmb_jw_arr_end(jw);
		qmb_jw_obj_end(jw);
	}
	qmb_jw_arr_end(jw);
	qmb_jw_obj_end(jw);
	return 0;
}

/* Run a read-only command for a prompt's text; -1 with its message. */
static int
words(struct mcp *m, const char *prog, const char *const *argv, unsigned ok,
    struct run *r, int *code, char *msg, size_t size)
{
	const char *e, *nl;

	if (mcp_run(m, prog, argv, NULL, 0, r) == -1) {
		mcp_run_free(r);
		snprintf(msg, size, "qmb-mcp: cannot run %s", prog);
		return fail(code, msg, size, -32603, msg);
	}
	if (r->status == 0 || (r->status < 32 && (ok & (1u << r->status))))
		return 0;
	/* the program's own last line, as a tool failure shows it */
	e = r->err.data != NULL ? r->err.data : "";
	while ((nl = strchr(e, '\n')) != NULL && nl[1] != '\0')
		e = nl + 1;
	*code = -32602;
	snprintf(msg, size, "%.*s (exit %d: %s)", (int)strcspn(e, "\n"), e,
	    r->status, exit_meaning(r->status));
	mcp_run_free(r);
	return -1;
}

static void
message(struct qmb_jw *jw, const char *desc, const char *text)
{
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "description", desc);
	qmb_jw_key(jw, "messages");
	qmb_jw_arr_begin(jw);
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "role", "user");
	qmb_jw_key(jw, "content");
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "type", "text");
	qmb_jw_kstr(jw, "text", text);
	qmb_jw_obj_end(jw);
	qmb_jw_obj_end(jw);
	qmb_jw_arr_end(jw);
	qmb_jw_obj_end(jw);
}

/* The active sessions of project (NULL: all) into ls. */
static void
active(struct mcp *m, const char *project, struct lines *ls)
{
	const char *argv[5] = { "list", "--json" };
	struct run r;

	if (project != NULL) {
		argv[2] = "--project";
		argv[3] = project;
	}
	ls->v = NULL;
	ls->n = 0;
	if (mcp_run(m, "qmb-session", argv, NULL, 0, &r) == 0 && r.status == 0)
		lines_parse(&r.out, ls);
	mcp_run_free(&r);
}

static int
prompt_resume(struct mcp *m, const char *project, struct qmb_jw *jw,
    int *code, char *msg, size_t size)
{
	const char *largv[5] = { "list" };
	const char *sargv[] = { "show", "--", NULL, NULL };
	struct qmb_buf t;
	struct lines ls;
	struct run r;

	active(m, project, &ls);
	qmb_buf_init(&t, 1u << 22);
	if (ls.n == 0) {
		qmb_buf_addf(&t, "The user wants to work on %s%s%s in "
		    "QlikModelBuilder, and nothing unfinished is saved%s. "
		    "Say so, and offer to start a new session with "
		    "qmb_start_session%s.\n", project ? "the project \"" : "",
		    project ? project : "a data model", project ? "\"" : "",
		    project ? " for it" : "", project ? " (mode ask)" : "");
	} else if (ls.n == 1) {
		sargv[2] = qmb_json_get_str(ls.v[0].root, "session_id");
		if (words(m, "qmb-session", sargv, 0, &r, code, msg, size) == -1) {
			lines_free(&ls);
			qmb_buf_free(&t);
			return -1;
		}
		qmb_buf_addf(&t, "The user is returning to QlikModelBuilder. "
		    "This unfinished session is saved:\n\n%s\n"
		    "Greet them with it in a few lines (project, progress, "
		    "last saved) and ask:\n\n"
		    "[Continue] [Start over] [View saved]\n\n"
		    "Continue: call qmb_start_session with project_name \"%s\" "
		    "and mode \"resume\", then carry on from the stage it names. "
		    "Start over: the same with mode \"new\" (the saved session "
		    "is archived, never deleted). View saved: show the approved "
		    "parts (qmb_get_script), then ask again. Record a stage "
		    "with qmb_approve_stage only after the user approves it.\n",
		    run_text(&r), qmb_json_get_str(ls.v[0].root,
		    "project_name"));
		mcp_run_free(&r);
	} else {
		if (project != NULL) {
			largv[1] = "--project";
			largv[2] = project;
		}
		if (words(m, "qmb-session", largv, 0, &r, code, msg, size) == -1) {
			lines_free(&ls);
			qmb_buf_free(&t);
			return -1;
		}
		qmb_buf_addf(&t, "The user is returning to QlikModelBuilder. "
		    "These unfinished sessions are saved:\n\n%s\n"
		    "Show them briefly and ask which one to continue. Then call "
		    "qmb_resume_session with its session_id (or "
		    "qmb_start_session with mode \"new\" to start over), and "
		    "carry on from the stage it names.\n", run_text(&r));
		mcp_run_free(&r);
	}
	message(jw, "The user returns: the saved state and the choice", t.data);
	lines_free(&ls);
	qmb_buf_free(&t);
	return 0;
}

static int
prompt_review(struct mcp *m, const char *id, struct qmb_jw *jw, int *code,
    char *msg, size_t size)
{
	const char *argv[] = { "show", "--", id, NULL };
	struct qmb_buf t;
	struct run r;

	if (words(m, "qmb-session", argv, 0, &r, code, msg, size) == -1)
		return -1;
	qmb_buf_init(&t, 1u << 22);
	qmb_buf_addf(&t, "Review the finished Qlik load script of this "
	    "QlikModelBuilder session with Gemini:\n\n%s\n"
	    "1. Call qmb_request_review with session_id \"%s\". It needs all six "
	    "stages approved; if one is missing, say which and stop.\n"
	    "2. Explain the result to the user: the score out of 100 and the "
	    "status, then each issue, critical first, with where it is (table, "
	    "line, field), why it matters, the recommendation and the fix "
	    "example.\n"
	    "3. Say what comes next: fix an issue by revising its stage "
	    "(qmb_revert_stage, then approve again), or, if the user accepts "
	    "the result, finish with qmb_complete_session.\n"
	    "If Gemini cannot be reached (exit 7), the request is queued: offer "
	    "to try again later, or to go on without a review "
	    "(qmb_bypass_review, with the user's reason).\n", run_text(&r), id);
	message(jw, "Run the Gemini review and explain the result", t.data);
	qmb_buf_free(&t);
	mcp_run_free(&r);
	return 0;
}

static int
prompt_recover(struct mcp *m, const char *id, struct qmb_jw *jw, int *code,
    char *msg, size_t size)
{
	const char *argv[] = { "repair", "--dry-run", "--", id, NULL };
	struct qmb_buf t;
	struct run r;

	if (words(m, "qmb-recover", argv, 0, &r, code, msg, size) == -1)
		return -1;
	qmb_buf_init(&t, 1u << 22);
	qmb_buf_addf(&t, "Check QlikModelBuilder session %s for damage and "
	    "recover it if needed. A dry run of the repair (nothing was "
	    "changed) says:\n\n%s\n"
	    "Tell the user in plain words what state the session is in and "
	    "what a repair would restore: up to which stage, and what, if "
	    "anything, would be lost. Damaged files are kept in "
	    ".qmb/corrupt/, never deleted. If nothing needs repair, say so and "
	    "stop. Otherwise ask the user before repairing; only after they "
	    "agree, call qmb_recover_session with session_id \"%s\", then "
	    "qmb_check_sessions to confirm, and say where work continues.\n",
	    id, run_text(&r), id);
	message(jw, "Check, say what would be restored, ask before repairing",
	    t.data);
	qmb_buf_free(&t);
	mcp_run_free(&r);
	return 0;
}

int
mcp_prompts_get(struct mcp *m, const struct qmb_jv *params, struct qmb_jw *jw,
    int *code, char *msg, size_t size)
{
	const char *name = params ? qmb_json_get_str(params, "name") : NULL;
	const struct qmb_jv *args = params ? qmb_json_get(params, "arguments") :
	    NULL, *v;
	const struct prompt *p = NULL;
	const char *val = NULL;
	size_t i;

	for (i = 0; name != NULL && i < NPROMPTS; i++)
		if (strcmp(prompts[i].name, name) == 0)
			p = &prompts[i];
	if (p == NULL) {
		snprintf(msg, size, "Invalid params: unknown prompt '%.64s'",
		    name ? name : "");
		return fail(code, msg, size, -32602, msg);
	}
	if (args != NULL && args->type != QMB_JOBJ)
		return fail(code, msg, size, -32602,
		    "Invalid params: arguments must be an object");
	for (i = 0; args != NULL && i < args->len; i++) {
		v = &args->kids[i];
		if (strcmp(v->key, p->arg) != 0 || v->type != QMB_JSTR) {
			snprintf(msg, size, "Invalid params: prompt %s takes one "
			    "argument, '%s', a string", p->name, p->arg);
			return fail(code, msg, size, -32602, msg);
		}
		val = *v->str != '\0' ? v->str : NULL;
	}
	if (val == NULL && p->required) {
		snprintf(msg, size, "Invalid params: prompt %s needs '%s'",
		    p->name, p->arg);
		return fail(code, msg, size, -32602, msg);
	}
	if (strcmp(p->name, "resume") == 0)
		return prompt_resume(m, val, jw, code, msg, size);
	if (strcmp(p->name, "review") == 0)
		return prompt_review(m, val, jw, code, msg, size);
	return prompt_recover(m, val, jw, code, msg, size);
}

/* ---- resources ------------------------------------------------------- */

static void
resource(struct qmb_jw *jw, const char *uri, const char *name,
    const char *title, const char *desc, const char *mime)
{
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "uri", uri);
	qmb_jw_kstr(jw, "name", name);
	if (title != NULL)
		qmb_jw_kstr(jw, "title", title);
	qmb_jw_kstr(jw, "description", desc);
	qmb_jw_kstr(jw, "mimeType", mime);
	qmb_jw_obj_end(jw);
}

/* The cursor is the index of the page's first session, as text. */
static int
cursor(const struct qmb_jv *params, size_t *first)
{
	const struct qmb_jv *c = params ? qmb_json_get(params, "cursor") : NULL;
	char *end;
	unsigned long n;

	*first = 0;
	if (c == NULL)
		return 0;
	if (c->type != QMB_JSTR || strncmp(c->str, "sessions:", 9) != 0)
		return -1;
	n = strtoul(c->str + 9, &end, 10);
	if (end == c->str + 9 || *end != '\0' || n == 0 || n > 100000000)
		return -1;
	*first = n;
	return 0;
}

int
mcp_resources_list(struct mcp *m, const struct qmb_jv *params,
    struct qmb_jw *jw, int *code, char *msg, size_t size)
{
	char uri[128], name[256], next[32];
	const char *id, *proj, *cur;
	struct lines ls;
	size_t first, i;

	if (cursor(params, &first) == -1)
		return fail(code, msg, size, -32602, "Invalid params: unknown cursor");
	if (sessions(m, &ls) == -1)
		return fail(code, msg, size, -32603, "qmb-mcp: cannot run qmb-session");
	if (first > 0 && first >= ls.n) {
		lines_free(&ls);
		return fail(code, msg, size, -32602, "Invalid params: unknown cursor");
	}
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "resources");
	qmb_jw_arr_begin(jw);
	if (first == 0) {
		resource(jw, "qmb://sessions", "sessions", "Saved sessions",
		    "The saved sessions of this project with their progress, "
		    "as qmb-session list prints them.", "text/plain");
		resource(jw, "qmb://health", "health", "Health checks",
		    "Free disk, log sizes, idle sessions, Gemini failures.",
		    "text/plain");
	}
	for (i = first; i < ls.n && i < first + PAGE; i++) {
		id = qmb_json_get_str(ls.v[i].root, "session_id");
		proj = qmb_json_get_str(ls.v[i].root, "project_name");
		cur = qmb_json_get_str(ls.v[i].root, "current_stage");
		if (id == NULL)
			continue;
		snprintf(uri, sizeof(uri), "qmb://sessions/%s", id);
		snprintf(name, sizeof(name), "%s (%s, Stage %s)",
		    proj ? proj : "(damaged)", id, cur ? cur : "?");
		resource(jw, uri, name, NULL, "The session's state (JSON); its "
		    "script and audit trail are .../script and .../audit.",
		    "application/json");
	}
	qmb_jw_arr_end(jw);
	if (i < ls.n) {
		snprintf(next, sizeof(next), "sessions:%zu", i);
		qmb_jw_kstr(jw, "nextCursor", next);
	}
	qmb_jw_obj_end(jw);
	lines_free(&ls);
	return 0;
}

static const struct {
	const char *uri, *name, *title, *desc, *mime;
} templates[] = {
	{ "qmb://sessions/{id}", "session", "Session state",
	  "A session's state as JSON (qmb-session export).", "application/json" },
	{ "qmb://sessions/{id}/script", "script", "Approved load script",
	  "The approved Qlik load script, parts A..F in order.", SCRIPT_MIME },
	{ "qmb://sessions/{id}/audit", "audit", "Audit trail",
	  "The session's hash-chained audit trail, JSON Lines.", JSONL_MIME },
};
#define NTEMPLATES (sizeof(templates) / sizeof(templates[0]))

int
mcp_templates_list(struct mcp *m, const struct qmb_jv *params,
    struct qmb_jw *jw, int *code, char *msg, size_t size)
{
	size_t i;

	(void)m;
	if (params != NULL && qmb_json_get(params, "cursor") != NULL)
		return fail(code, msg, size, -32602, "Invalid params: unknown cursor");
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "resourceTemplates");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < NTEMPLATES; i++) {
		qmb_jw_obj_begin(jw);
		qmb_jw_kstr(jw, "uriTemplate", templates[i].uri);
		qmb_jw_kstr(jw, "name", templates[i].name);
		qmb_jw_kstr(jw, "title", templates[i].title);
		qmb_jw_kstr(jw, "description", templates[i].desc);
		qmb_jw_kstr(jw, "mimeType", templates[i].mime);
		qmb_jw_obj_end(jw);
	}
	qmb_jw_arr_end(jw);
	qmb_jw_obj_end(jw);
	return 0;
}

/* uri -> the command that reads it and the type of what it prints. */
static int
route(const char *uri, char *id, const char **what, const char **mime)
{
	const char *rest, *slash;
	size_t n;

	*what = NULL;
	if (strcmp(uri, "qmb://sessions") == 0 || strcmp(uri, "qmb://health") == 0) {
		*what = uri + 6;
		*mime = "text/plain";
		return 0;
	}
	if (strncmp(uri, "qmb://sessions/", 15) != 0)
		return -1;
	rest = uri + 15;
	n = (slash = strchr(rest, '/')) != NULL ? (size_t)(slash - rest) :
	    strlen(rest);
	if (n == 0 || n > 64)
		return -1;
	memcpy(id, rest, n);
	id[n] = '\0';
	if (slash == NULL) {
		*what = "state";
		*mime = "application/json";
	} else if (strcmp(slash, "/script") == 0) {
		*what = "script";
		*mime = SCRIPT_MIME;
	} else if (strcmp(slash, "/audit") == 0) {
		*what = "audit";
		*mime = JSONL_MIME;
	} else
		return -1;
	return 0;
}

int
mcp_resources_read(struct mcp *m, const struct qmb_jv *params,
    struct qmb_jw *jw, int *code, char *msg, size_t size)
{
	const char *uri = params ? qmb_json_get_str(params, "uri") : NULL;
	const char *what, *mime, *prog = "qmb-session", *argv[6] = { NULL };
	char id[80];
	unsigned ok = 0;
	struct run r;
	int n;

	if (uri == NULL)
		return fail(code, msg, size, -32602,
		    "Invalid params: resources/read needs a uri");
	if (route(uri, id, &what, &mime) == -1) {
		snprintf(msg, size, "Resource not found: %.200s", uri);
		return fail(code, msg, size, E_NOTFOUND, msg);
	}
	if (strcmp(what, "sessions") == 0) {
		argv[0] = "list";
		argv[1] = "--all";
	} else if (strcmp(what, "health") == 0) {
		prog = "qmb-recover";
		argv[0] = "health";
		ok = 1u << QMB_EXIT_FAIL;
	} else {
		n = 0;
		argv[n++] = strcmp(what, "state") == 0 ? "export" :
		    strcmp(what, "script") == 0 ? "script" : "show";
		if (strcmp(what, "audit") == 0) {
			prog = "qmb-audit";
			argv[n++] = "--json";
		}
		argv[n++] = "--";
		argv[n++] = id;
	}
	if (words(m, prog, argv, ok, &r, code, msg, size) == -1) {
		/* a session that is not there is a resource that is not */
		if (r.status == QMB_EXIT_NOTFOUND || r.status == QMB_EXIT_USAGE)
			*code = E_NOTFOUND;
		return -1;
	}
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "contents");
	qmb_jw_arr_begin(jw);
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "uri", uri);
	qmb_jw_kstr(jw, "mimeType", mime);
	qmb_jw_kstr(jw, "text", run_text(&r));
	qmb_jw_obj_end(jw);
	qmb_jw_arr_end(jw);
	qmb_jw_obj_end(jw);
	mcp_run_free(&r);
	return 0;
}

/* ---- completion ------------------------------------------------------ */

/*
 * Values for {id} of a template, for the session argument of a prompt
 * (session ids, newest first), and for a prompt's project (names): those
 * that begin with what was typed, or contain it.
 */
int
mcp_complete(struct mcp *m, const struct qmb_jv *params, struct qmb_jw *jw,
    int *code, char *msg, size_t size)
{
	const struct qmb_jv *ref = params ? qmb_json_get(params, "ref") : NULL;
	const struct qmb_jv *arg = params ? qmb_json_get(params, "argument") : NULL;
	const char *type, *name, *value, *key = "session_id", *v;
	struct lines ls;
	size_t i, j, n = 0, total = 0;
	const char *seen[COMPLETE_MAX];
	int dup;

	type = ref ? qmb_json_get_str(ref, "type") : NULL;
	name = arg ? qmb_json_get_str(arg, "name") : NULL;
	value = arg ? qmb_json_get_str(arg, "value") : NULL;
	if (type == NULL || name == NULL || value == NULL)
		return fail(code, msg, size, -32602, "Invalid params: "
		    "completion/complete needs ref.type, argument.name and "
		    "argument.value");
	if (strcmp(type, "ref/resource") == 0) {
		v = qmb_json_get_str(ref, "uri");
		if (v == NULL || strncmp(v, "qmb://sessions/{id}", 19) != 0 ||
		    strcmp(name, "id") != 0)
			key = NULL;
	} else if (strcmp(type, "ref/prompt") == 0) {
		v = qmb_json_get_str(ref, "name");
		if (v != NULL && strcmp(v, "resume") == 0 &&
		    strcmp(name, "project") == 0)
			key = "project_name";
		else if (v == NULL || strcmp(v, "resume") == 0 ||
		    strcmp(name, "session") != 0)
			key = NULL;
	} else
		return fail(code, msg, size, -32602,
		    "Invalid params: ref.type must be ref/prompt or ref/resource");
	ls.n = 0;
	ls.v = NULL;
	if (key != NULL && sessions(m, &ls) == -1)
		return fail(code, msg, size, -32603, "qmb-mcp: cannot run qmb-session");
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "completion");
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "values");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < ls.n; i++) {
		v = qmb_json_get_str(ls.v[i].root, key);
		if (v == NULL || (strncmp(v, value, strlen(value)) != 0 &&
		    strstr(v, value) == NULL))
			continue;
		for (dup = 0, j = 0; j < n; j++)
			dup |= strcmp(seen[j], v) == 0;
		if (dup)
			continue;
		total++;
		if (n < COMPLETE_MAX) {
			seen[n++] = v;
			qmb_jw_str(jw, v);
		}
	}
	qmb_jw_arr_end(jw);
	qmb_jw_kint(jw, "total", (int64_t)total);
	qmb_jw_key(jw, "hasMore");
	qmb_jw_bool(jw, total > n);
	qmb_jw_obj_end(jw);
	qmb_jw_obj_end(jw);
	lines_free(&ls);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Log, audit, review and recovery tools.  As in session.c, "message" is
 * what the command prints to a user; a read-only command is run twice
 * (words, then --json), a changing one once, its structure read back.
 */
#include <stdio.h>
#include <string.h>

#include "qmb_exit.h"
#include "result.h"
#include "tools.h"

#define OK_FINDINGS (1u << QMB_EXIT_FAIL)

/* Each line of ls as an element of an array member name. */
static void
lines_member(struct qmb_jw *jw, const char *name, const struct lines *ls)
{
	size_t i;

	qmb_jw_key(jw, name);
	qmb_jw_arr_begin(jw);
	for (i = 0; i < ls->n; i++)
		qmb_jw_value(jw, ls->v[i].root);
	qmb_jw_arr_end(jw);
}

/* Every member of obj but "message" (the words are the program's own). */
static void
members(struct qmb_jw *jw, const struct qmb_jv *obj)
{
	size_t i;

	for (i = 0; obj != NULL && obj->type == QMB_JOBJ && i < obj->len; i++) {
		if (strcmp(obj->kids[i].key, "message") == 0)
			continue;
		qmb_jw_key(jw, obj->kids[i].key);
		qmb_jw_value(jw, &obj->kids[i]);
	}
}

/*
 * A read-only command: argv with --json for the structure (JSON Lines
 * into "name" when name is set, else one object's members), hargv for
 * the words.  Exit codes in ok are results (a check that found problems).
 */
struct ro {
	const char		*prog;
	const char *const	*argv;
	const char *const	*hargv;
	unsigned		 ok;
	const char		*name;
	const char		*empty;
};

static int
read_only(struct mcp *m, const struct ro *g, struct qmb_jw *jw)
{
	struct qmb_json_doc doc = { 0 };
	struct lines ls = { 0 };
	struct run r, h;

	if (run_checked(m, g->prog, g->argv, NULL, g->ok, &r, jw) == 1)
		return 0;
	if (run_checked(m, g->prog, g->hargv, NULL, g->ok, &h, jw) == 1) {
		mcp_run_free(&r);
		return 0;
	}
	res_ok_begin(jw, run_text(&h), NULL, g->empty);
	qmb_jw_kint(jw, "exit_code", r.status);
	qmb_jw_key(jw, "ok");
	qmb_jw_bool(jw, r.status == 0);
	if (g->name != NULL) {
		lines_parse(&r.out, &ls);
		lines_member(jw, g->name, &ls);
		lines_free(&ls);
	} else if (qmb_json_parse(r.out.data, r.out.len, 0, QMB_EXIT_CORRUPT,
	    &doc, NULL) == 0)
		members(jw, doc.root);
	res_ok_end(jw);
	qmb_json_free(&doc);
	mcp_run_free(&h);
	mcp_run_free(&r);
	return 0;
}

int
tool_log(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[16] = { "show", "--json", "-q" };
	const char *hargv[16] = { "show", "--pretty", "-q" };
	const char *id = arg_str(args, "session_id");
	struct lines ls;
	char lim[32];
	int64_t limit = 50;
	struct run r, h;
	int n = 3;

	if (id == NULL)
		argv[n++] = "--global";
	if (arg_str(args, "level")) {
		argv[n++] = "-l";
		argv[n++] = arg_str(args, "level");
	}
	if (arg_str(args, "since")) {
		argv[n++] = "--since";
		argv[n++] = arg_str(args, "since");
	}
	arg_int(args, "limit", &limit);
	snprintf(lim, sizeof(lim), "%lld", (long long)limit);
	argv[n++] = "-n";
	argv[n++] = lim;
	if (id != NULL) {
		argv[n++] = "--";
		argv[n++] = id;
	}
	argv[n] = NULL;
	memcpy(hargv + 3, argv + 3, (size_t)(n - 2) * sizeof(*argv));
	/* no global log yet is an empty one; no session log is an error */
	if (run_checked(m, "qmb-log", argv, NULL, id ? 0 : 1u << QMB_EXIT_NOTFOUND,
	    &r, jw) == 1)
		return 0;
	if (run_checked(m, "qmb-log", hargv, NULL, id ? 0 :
	    1u << QMB_EXIT_NOTFOUND, &h, jw) == 1) {
		mcp_run_free(&r);
		return 0;
	}
	lines_parse(&r.out, &ls);
	res_ok_begin(jw, run_text(&h), NULL, "No log entries.");
	qmb_jw_kint(jw, "count", (int64_t)ls.n);
	lines_member(jw, "entries", &ls);
	res_ok_end(jw);
	lines_free(&ls);
	mcp_run_free(&h);
	mcp_run_free(&r);
	return 0;
}

int
tool_verify(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "verify", "--json", id ? "--" : "--all", id, NULL };
	const char *hargv[] = { "verify", id ? "--" : "--all", id, NULL };
	struct lines ls;
	struct run r, h;

	if (run_checked(m, "qmb-audit", argv, NULL, OK_FINDINGS, &r, jw) == 1)
		return 0;
	if (run_checked(m, "qmb-audit", hargv, NULL, OK_FINDINGS, &h, jw) == 1) {
		mcp_run_free(&r);
		return 0;
	}
	lines_parse(&r.out, &ls);
	res_ok_begin(jw, run_text(&h), NULL, "No audit trails.");
	qmb_jw_key(jw, "intact");
	qmb_jw_bool(jw, r.status == 0);
	lines_member(jw, "trails", &ls);
	res_ok_end(jw);
	lines_free(&ls);
	mcp_run_free(&h);
	mcp_run_free(&r);
	return 0;
}

/* After a review or a bypass of id that printed r: the record read back. */
static int
reviewed(struct mcp *m, const char *id, const struct run *r, struct qmb_jw *jw)
{
	const char *argv[] = { "show", "--json", "-q", "--", id, NULL };
	struct qmb_json_doc doc = { 0 };
	struct run s;

	if (mcp_run(m, "qmb-review", argv, NULL, 0, &s) == -1 || s.status != 0 ||
	    qmb_json_parse(s.out.data, s.out.len, 0, QMB_EXIT_CORRUPT, &doc,
	    NULL) == -1 || doc.root->type != QMB_JOBJ) {
		qmb_json_free(&doc);
		mcp_run_free(&s);
		return res_text_error(jw, "qmb-mcp: the review was recorded but "
		    "could not be read back", QMB_EXIT_INTERNAL);
	}
	res_ok_begin(jw, run_text(r), NULL, NULL);
	qmb_jw_kstr(jw, "session_id", id);
	qmb_jw_key(jw, "review");
	qmb_jw_value(jw, doc.root);
	res_ok_end(jw);
	qmb_json_free(&doc);
	mcp_run_free(&s);
	return 0;
}

int
tool_review(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "run", "--", id, NULL };
	struct run r;

	if (run_or_error(m, "qmb-review", argv, NULL, &r, jw) == 1)
		return 0;
	reviewed(m, id, &r, jw);
	mcp_run_free(&r);
	return 0;
}

int
tool_bypass(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "bypass", "--reason", arg_str(args, "reason"),
	    "--", id, NULL };
	struct run r;

	if (run_or_error(m, "qmb-review", argv, NULL, &r, jw) == 1)
		return 0;
	reviewed(m, id, &r, jw);
	mcp_run_free(&r);
	return 0;
}

int
tool_check(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[] = { "check", "--json", id ? "--" : "--all", id, NULL };
	const char *hargv[] = { "check", id ? "--" : "--all", id, NULL };
	const struct ro g = { "qmb-recover", argv, hargv, OK_FINDINGS,
	    "sessions", "No sessions." };

	return read_only(m, &g, jw);
}

int
tool_recover(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[8] = { "repair", "--json" }, *hargv[7] = { "repair" };
	const char *cargv[] = { "check", "--json", id ? "--" : "--all", id, NULL };
	const struct ro g = { "qmb-recover", argv, hargv, 0, "sessions",
	    "Nothing to repair." };
	struct lines ls;
	struct run r, c;
	int n = 2, k = 1;

	if (id == NULL && !arg_bool(args, "all"))
		return res_text_error(jw, "qmb-mcp: qmb_recover_session needs "
		    "session_id, or all: true for every session", QMB_EXIT_USAGE);
	if (arg_bool(args, "dry_run"))
		argv[n++] = hargv[k++] = "--dry-run";
	if (arg_bool(args, "force"))
		argv[n++] = hargv[k++] = "--force";
	if (id != NULL) {
		argv[n++] = hargv[k++] = "--";
		argv[n++] = hargv[k++] = id;
	} else
		argv[n++] = hargv[k++] = "--all";
	argv[n] = hargv[k] = NULL;
	if (arg_bool(args, "dry_run"))
		return read_only(m, &g, jw);
	/* a repair runs once; the sessions are classified again after it */
	if (run_or_error(m, "qmb-recover", hargv, NULL, &r, jw) == 1)
		return 0;
	if (run_checked(m, "qmb-recover", cargv, NULL, OK_FINDINGS, &c, jw) == 0) {
		lines_parse(&c.out, &ls);
		res_ok_begin(jw, run_text(&r), NULL, "Nothing to repair.");
		qmb_jw_kint(jw, "exit_code", 0);
		qmb_jw_key(jw, "ok");
		qmb_jw_bool(jw, 1);
		lines_member(jw, "sessions", &ls);
		res_ok_end(jw);
		lines_free(&ls);
		mcp_run_free(&c);
	}
	mcp_run_free(&r);
	return 0;
}

int
tool_health(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[] = { "health", "--json", NULL };
	const char *hargv[] = { "health", NULL };
	const struct ro g = { "qmb-recover", argv, hargv, OK_FINDINGS, NULL,
	    "Healthy." };

	(void)args;
	return read_only(m, &g, jw);
}

/* Rotation acts: it runs once, and says what it did (or nothing). */
int
tool_rotate(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *argv[5] = { "--json" }, *hargv[4] = { NULL };
	const char *none = "Nothing to rotate: every log is under its limit.";
	int n = 1, k = 0, dry = arg_bool(args, "dry_run");
	const struct ro g = { "qmb-rotate", argv, hargv, 0, "actions", none };
	struct run r;

	if (dry)
		argv[n++] = hargv[k++] = "--dry-run";
	if (arg_bool(args, "retention"))
		argv[n++] = hargv[k++] = "--retention";
	argv[n] = hargv[k] = NULL;
	if (dry)
		return read_only(m, &g, jw);
	if (run_or_error(m, "qmb-rotate", hargv, NULL, &r, jw) == 1)
		return 0;
	res_ok_begin(jw, run_text(&r), NULL, none);
	qmb_jw_kint(jw, "exit_code", 0);
	qmb_jw_key(jw, "ok");
	qmb_jw_bool(jw, 1);
	qmb_jw_key(jw, "acted");
	qmb_jw_bool(jw, r.out.len > 0);
	res_ok_end(jw);
	mcp_run_free(&r);
	return 0;
}

/* details (an object argument) as JSON text into b; 0 or -1 (too large). */
static int
details_text(const struct qmb_jv *args, struct qmb_buf *b)
{
	const struct qmb_jv *d = qmb_json_get(args, "details");
	struct qmb_jw w;

	qmb_buf_init(b, 1u << 20);
	if (d == NULL)
		return 0;
	qmb_jw_init(&w, b, 0);
	qmb_jw_value(&w, d);
	return qmb_jw_finish(&w);
}

int
tool_audit_append(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *type = arg_str(args, "type");
	const char *argv[10] = { "append", "-t", type }, *script;
	const char *sargv[] = { "show", "--json", "-q", "-t", type, "--", id,
	    NULL };
	struct qmb_buf d;
	struct lines ls;
	struct run r, s;
	int n = 3;

	if (details_text(args, &d) == -1) {
		qmb_buf_free(&d);
		return res_text_error(jw, "qmb-mcp: 'details' is too large",
		    QMB_EXIT_USAGE);
	}
	if (d.len > 0) {
		argv[n++] = "--details";
		argv[n++] = d.data;
	}
	if ((script = arg_str(args, "script")) != NULL) {
		argv[n++] = "--script";
		argv[n++] = "-";
	}
	argv[n++] = "--";
	argv[n++] = id;
	argv[n] = NULL;
	if (run_or_error(m, "qmb-audit", argv, script, &r, jw) == 1) {
		qmb_buf_free(&d);
		return 0;
	}
	qmb_buf_free(&d);
	/* the entry: the last of its type (the trail is append-only) */
	if (mcp_run(m, "qmb-audit", sargv, NULL, 0, &s) == -1)
		qmb_buf_init(&s.out, 1);
	lines_parse(&s.out, &ls);
	res_ok_begin(jw, run_text(&r), NULL, NULL);
	qmb_jw_kstr(jw, "session_id", id);
	qmb_jw_key(jw, "entry");
	if (ls.n > 0)
		qmb_jw_value(jw, ls.v[ls.n - 1].root);
	else
		qmb_jw_null(jw);
	res_ok_end(jw);
	lines_free(&ls);
	mcp_run_free(&s);
	mcp_run_free(&r);
	return 0;
}

int
tool_log_write(struct mcp *m, const struct qmb_jv *args, struct qmb_jw *jw)
{
	const char *id = arg_str(args, "session_id");
	const char *argv[16] = { "write" };
	struct qmb_buf d, t;
	struct run r;
	int n = 1;

	if (details_text(args, &d) == -1) {
		qmb_buf_free(&d);
		return res_text_error(jw, "qmb-mcp: 'details' is too large",
		    QMB_EXIT_USAGE);
	}
	if (id != NULL) {
		argv[n++] = "-s";
		argv[n++] = id;
	}
	argv[n++] = "-l";
	argv[n++] = arg_str(args, "level");
	argv[n++] = "-c";
	argv[n++] = arg_str(args, "component");
	argv[n++] = "-a";
	argv[n++] = arg_str(args, "action");
	if (arg_str(args, "stage") != NULL) {
		argv[n++] = "-S";
		argv[n++] = arg_str(args, "stage");
	}
	if (d.len > 0) {
		argv[n++] = "--details";
		argv[n++] = d.data;
	}
	argv[n] = NULL;
	if (run_or_error(m, "qmb-log", argv, NULL, &r, jw) == 1) {
		qmb_buf_free(&d);
		return 0;
	}
	qmb_buf_init(&t, 1024);
	qmb_buf_addf(&t, "Wrote a %s entry (%s/%s) to %s%s.",
	    arg_str(args, "level"), arg_str(args, "component"),
	    arg_str(args, "action"), id ? "the log of session " : "the global log",
	    id ? id : "");
	res_ok_begin(jw, run_text(&r), NULL, t.data);
	qmb_jw_key(jw, "session_id");
	qmb_jw_str(jw, id);
	qmb_jw_kstr(jw, "level", arg_str(args, "level"));
	qmb_jw_kstr(jw, "component", arg_str(args, "component"));
	qmb_jw_kstr(jw, "action", arg_str(args, "action"));
	res_ok_end(jw);
	qmb_buf_free(&t);
	qmb_buf_free(&d);
	mcp_run_free(&r);
	return 0;
}

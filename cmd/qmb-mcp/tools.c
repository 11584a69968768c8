/* SPDX-License-Identifier: MIT */
/*
 * The tools: their descriptions and schemas, argument checking, and the
 * handlers that run the sibling programs.  Each tool's parameters are
 * declared once, in struct param arrays, and both its inputSchema and
 * its argument checks come from them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_clock.h"
#include "qmb_exit.h"
#include "qmb_json.h"
#include "qmb_session.h"
#include "qmb_view.h"
#include "mcp.h"
#include "result.h"
#include "tools.h"

static const char *const stages[] = { "A", "B", "C", "D", "E", "F", NULL };
static const char *const models[] = { "star_schema", "snowflake",
    "link_table", "concatenated", NULL };
static const char *const modes[] = { "ask", "resume", "new", NULL };
static const char *const levels[] = { "DEBUG", "INFO", "WARN", "ERROR", NULL };

#define ID	{ "session_id", P_STR, 1, NULL, \
    "The session id (from qmb_list_sessions or qmb_start_session)." }
#define ID_OPT	{ "session_id", P_STR, 0, NULL, \
    "A session id; omit for every session." }
#define STAGE	{ "stage", P_ENUM, 1, stages, \
    "A Configuration, B Dimensions, C Facts, D Link Tables, E Calendars, F STORE & Cleanup." }
#define DRY	{ "dry_run", P_BOOL, 0, NULL, \
    "Only say what would be done; change nothing." }
#define END	{ NULL, 0, 0, NULL, NULL }

static const struct param p_list[] = {
	{ "project_name", P_STR, 0, NULL, "Only sessions of this project." },
	{ "all", P_BOOL, 0, NULL, "Include completed sessions." },
	END
};
static const struct param p_id[] = { ID, END };
static const struct param p_start[] = {
	{ "project_name", P_STR, 1, NULL, "The project (model) name, e.g. SalesModel." },
	{ "mode", P_ENUM, 0, modes, "ask (default): if a saved session exists, "
	    "return it so the user can choose; resume: continue it; new: archive "
	    "it and start over." },
	{ "model_type", P_ENUM, 0, models, "The model type of a new session." },
	END
};
static const struct param p_approve[] = {
	ID, STAGE,
	{ "script", P_STR, 1, NULL, "The approved Qlik load script part of that stage." },
	END
};
static const struct param p_stage[] = { ID, STAGE, END };
static const struct param p_model[] = {
	ID, { "model_type", P_ENUM, 1, models, "The model type." }, END
};
static const struct param p_tables[] = {
	ID, { "tables", P_TABLES, 1, NULL, "Changes to the pending tables: "
	    "{\"add\": [names]}, {\"remove\": [names]} or {\"set\": [names]}." },
	END
};
static const struct param p_script[] = {
	ID, { "stage", P_ENUM, 0, stages, "Only this stage's part." }, END
};
static const struct param p_bypass[] = {
	ID, { "reason", P_STR, 1, NULL, "Why the review is bypassed (recorded in the audit trail)." },
	END
};
static const struct param p_complete[] = {
	ID, { "min_score", P_INT, 0, NULL, "Refuse to complete below this review score (0-100)." },
	END
};
static const struct param p_log[] = {
	{ "session_id", P_STR, 0, NULL, "The session; omit for the global log." },
	{ "level", P_ENUM, 0, levels, "The minimum level." },
	{ "since", P_STR, 0, NULL, "Entries at or after this time: ISO 8601 or an age (10m, 2h, 7d)." },
	{ "limit", P_INT, 0, NULL, "Only the last N matching entries (default 50)." },
	END
};
static const struct param p_recover[] = {
	{ "session_id", P_STR, 0, NULL, "The session to repair (or all: true)." },
	{ "all", P_BOOL, 0, NULL, "Repair every session that needs it." },
	{ "force", P_BOOL, 0, NULL, "Let the repair of a broken audit trail "
	  "drop lines that are no entry (a copy of the whole trail is kept); "
	  "ask the user first." },
	DRY, END
};
static const struct param p_none[] = { END };
static const struct param p_id_opt[] = { ID_OPT, END };
static const struct param p_rotate[] = {
	DRY,
	{ "retention", P_BOOL, 0, NULL, "Also apply retention: archive sessions "
	    "inactive 30 days, delete logs of sessions completed 7 days ago, "
	    "compress audit trails older than 90 days." },
	END
};
static const struct param p_import[] = {
	{ "session", P_OBJ, 1, NULL, "The session state as qmb_export_session "
	    "returned it (its \"session\" member)." },
	{ "force", P_BOOL, 0, NULL, "Replace a session of the same id that has "
	    "an audit trail." },
	END
};
static const struct param p_append[] = {
	ID,
	{ "type", P_STR, 1, NULL, "The entry type: lower-case letters, digits "
	    "and _, e.g. note, decision, user_feedback." },
	{ "details", P_OBJ, 0, NULL, "The entry's details (integers, strings, "
	    "booleans, null, objects, arrays; no fractions)." },
	{ "script", P_STR, 0, NULL, "A script text whose SHA-256 and content "
	    "go into the details." },
	END
};
static const struct param p_logw[] = {
	{ "session_id", P_STR, 0, NULL, "The session; omit for the global log." },
	{ "level", P_ENUM, 1, levels, "The entry's level." },
	{ "component", P_STR, 1, NULL, "What wrote it, e.g. script_builder." },
	{ "action", P_STR, 1, NULL, "What happened, e.g. table_generated." },
	{ "stage", P_ENUM, 0, stages, "The stage it belongs to." },
	{ "details", P_OBJ, 0, NULL, "Details; secrets (api_key, password, "
	    "token, ...) are written as [REDACTED]." },
	END
};

/*
 * Output schemas (structuredContent of successful calls); output_schema()
 * adds "message" (required) and the members of a failure.
 */
#define S_STR "{\"type\":\"string\"}"
#define S_INT "{\"type\":\"integer\"}"
#define S_BOOL "{\"type\":\"boolean\"}"
#define S_OBJ "{\"type\":\"object\"}"
#define S_OBJS "{\"type\":\"array\",\"items\":{\"type\":\"object\"}}"
#define S_STRS "{\"type\":\"array\",\"items\":" S_STR "}"
#define O_SUMMARY "{\"type\":\"object\",\"required\":[\"session_id\"," \
    "\"project_name\",\"status\",\"current_stage\",\"completed_stages\"]," \
    "\"properties\":{" \
    "\"session_id\":" S_STR ",\"project_name\":" S_STR "," \
    "\"status\":" S_STR ",\"current_stage\":" S_STR "," \
    "\"completed_stages\":" S_STRS "," \
    "\"progress\":" S_INT ",\"model_type\":{\"type\":[\"string\",\"null\"]}," \
    "\"pending_tables\":" S_STRS "," \
    "\"created_at\":" S_STR ",\"updated_at\":" S_STR "," \
    "\"revision\":" S_INT ",\"user_id\":" S_STR "}}"
#define O_CHANGE "{\"type\":\"object\",\"required\":[\"session\"]," \
    "\"properties\":{\"session\":" O_SUMMARY "}}"
#define O_CHECKS(name) "{\"type\":\"object\",\"required\":[\"exit_code\"," \
    "\"ok\",\"" name "\"],\"properties\":{\"exit_code\":" S_INT "," \
    "\"ok\":" S_BOOL ",\"" name "\":" S_OBJS "}}"
#define O_REVIEW "{\"type\":\"object\",\"required\":[\"session_id\",\"review\"]," \
    "\"properties\":{\"session_id\":" S_STR ",\"review\":{\"type\":\"object\"," \
    "\"properties\":{\"review_status\":" S_STR ",\"score\":" S_INT "," \
    "\"issues\":" S_OBJS ",\"summary\":" S_STR ",\"source\":" S_STR "}}}}"

/* Descriptions: what the tool does, then when to use it; a line each. */
const struct tool mcp_tools[] = {
	{ "qmb_list_sessions", "List saved sessions",
	  "List the saved QlikModelBuilder model-building sessions of this "
	  "project, newest first, with stage, progress and when last saved.\n"
	  "Use when the user returns, asks what is in progress, or you need a "
	  "session id.",
	  p_list, "{\"type\":\"object\",\"required\":[\"sessions\",\"count\"],"
	  "\"properties\":{\"count\":" S_INT ",\"sessions\":{\"type\":"
	  "\"array\",\"items\":" O_SUMMARY "}}}", A_READONLY, tool_list },
	{ "qmb_resume_session", "Resume a session",
	  "Restore a saved session and show what is approved and which stage "
	  "comes next (\"Continuing from Stage C...\").\n"
	  "Use after the user chose to continue a saved session.",
	  p_id, O_CHANGE, 0, tool_resume },
	{ "qmb_export_session", "Export a session",
	  "Return a session's full state as JSON; large ones are written to "
	  ".qmb/exports/ and the path is returned.\n"
	  "Use for a backup, to move a session elsewhere, or before "
	  "qmb_import_session.",
	  p_id, "{\"type\":\"object\",\"required\":[\"session_id\",\"inline\",\"bytes\"],"
	  "\"properties\":{\"session_id\":" S_STR ",\"inline\":" S_BOOL ","
	  "\"bytes\":" S_INT ",\"session\":" S_OBJ ",\"path\":" S_STR ","
	  "\"summary\":" O_SUMMARY "}}", A_READONLY, tool_export },
	{ "qmb_start_session", "Start or continue a project",
	  "Start work on a QlikModelBuilder project: creates a session, or finds "
	  "the saved one and offers [Continue] [Start over] [View saved].\n"
	  "Use first when the user names a project to build or return to; call "
	  "again with mode resume or new after they choose.",
	  p_start, "{\"type\":\"object\",\"required\":[\"outcome\",\"session\"],"
	  "\"properties\":{\"outcome\":{\"type\":\"string\",\"enum\":[\"created\","
	  "\"found\",\"resumed\",\"restarted\"]},\"session\":" O_SUMMARY ","
	  "\"next\":" S_STR "}}", 0, tool_start },
	{ "qmb_session_status", "Session status",
	  "Show one session: approved stages, the current stage, pending tables, "
	  "the model type and the last Gemini review.\n"
	  "Use to see where a session stands without changing it.",
	  p_id, "{\"type\":\"object\",\"required\":[\"session\",\"last_review\"],"
	  "\"properties\":{\"session\":" O_SUMMARY ",\"last_review\":"
	  "{\"type\":[\"object\",\"null\"]}}}", A_READONLY, tool_status },
	{ "qmb_approve_stage", "Approve a stage",
	  "Save the user's approval of a stage's Qlik load script part, durably "
	  "and audited with its SHA-256, and move to the next stage.\n"
	  "Use only after the user approved the part of the current stage (A to F).",
	  p_approve, O_CHANGE, 0, tool_approve },
	{ "qmb_revert_stage", "Revert to a stage",
	  "Withdraw the approval of a stage and every later one so work resumes "
	  "there; the parts stay in the audit trail.\n"
	  "Use when the user wants to redo an approved stage.",
	  p_stage, O_CHANGE, A_DESTRUCTIVE, tool_revert },
	{ "qmb_set_model_type", "Set the model type",
	  "Record the data model type: star_schema, snowflake, link_table or "
	  "concatenated.\n"
	  "Use when the user decides or changes the model type.",
	  p_model, O_CHANGE, A_IDEMPOTENT, tool_set_model },
	{ "qmb_update_tables", "Change pending tables",
	  "Add, remove or replace the tables still to be built in a session "
	  "(set, then add, then remove).\n"
	  "Use when the user plans, adds or drops fact or dimension tables.",
	  p_tables, O_CHANGE, 0, tool_tables },
	{ "qmb_get_script", "Get the approved script",
	  "Return the approved Qlik load script, all parts A..F in order or one "
	  "stage's part, with its SHA-256.\n"
	  "Use to show, check or build on what was approved.",
	  p_script, "{\"type\":\"object\",\"required\":[\"session_id\",\"script\","
	  "\"script_sha256\"],\"properties\":{\"session_id\":" S_STR ","
	  "\"stage\":" S_STR ",\"script\":" S_STR ",\"script_sha256\":" S_STR "}}",
	  A_READONLY, tool_script },
	{ "qmb_request_review", "Request the Gemini review",
	  "Send the finished script (six stages approved) to Google Gemini and "
	  "record the score and issues; when Gemini is down the request is "
	  "queued.\n"
	  "Use after Stage F is approved and before qmb_complete_session.",
	  p_id, O_REVIEW, A_OPENWORLD, tool_review },
	{ "qmb_bypass_review", "Bypass the review",
	  "Record a manual approval in place of a Gemini review, with the "
	  "reason, in the audit trail.\n"
	  "Use only when Gemini stays unavailable and the user decides to go on.",
	  p_bypass, O_REVIEW, 0, tool_bypass },
	{ "qmb_complete_session", "Complete the session",
	  "Finish a reviewed (or bypassed) session: write stage2_output/"
	  "model.json, script.qvs and gemini_review.json.\n"
	  "Use when all six stages are approved and the review is recorded.",
	  p_complete, O_CHANGE, 0, tool_complete },
	{ "qmb_read_log", "Read a log",
	  "Read a session's log (or the global log): time, level, stage, "
	  "component, action and details of each operation.\n"
	  "Use to find out what happened, what failed, or when.",
	  p_log, "{\"type\":\"object\",\"required\":[\"entries\",\"count\"],"
	  "\"properties\":{\"count\":" S_INT ",\"entries\":" S_OBJS "}}",
	  A_READONLY, tool_log },
	{ "qmb_write_log", "Write a log entry",
	  "Append one entry to a session's log (or the global log); secrets in "
	  "details are redacted.\n"
	  "Use to record a step, a decision or a problem met while building.",
	  p_logw, "{\"type\":\"object\",\"required\":[\"session_id\",\"level\","
	  "\"component\",\"action\"],\"properties\":{\"session_id\":{\"type\":"
	  "[\"string\",\"null\"]},\"level\":" S_STR ",\"component\":" S_STR ","
	  "\"action\":" S_STR "}}", 0, tool_log_write },
	{ "qmb_append_audit", "Append to the audit trail",
	  "Append an entry of your own type (a note, a decision) to a session's "
	  "hash-chained audit trail.\n"
	  "Use to put on record something the user decided or confirmed.",
	  p_append, "{\"type\":\"object\",\"required\":[\"session_id\",\"entry\"],"
	  "\"properties\":{\"session_id\":" S_STR ",\"entry\":{\"type\":"
	  "[\"object\",\"null\"]}}}", 0, tool_audit_append },
	{ "qmb_verify_audit", "Verify audit trails",
	  "Check a session's hash-chained audit trail (or all of them): every "
	  "hash, link, sequence number and time; names the first bad entry.\n"
	  "Use when tampering or damage is suspected, or to prove a trail intact.",
	  p_id_opt, "{\"type\":\"object\",\"required\":[\"intact\",\"trails\"],"
	  "\"properties\":{\"intact\":" S_BOOL ",\"trails\":" S_OBJS "}}",
	  A_READONLY, tool_verify },
	{ "qmb_check_sessions", "Check sessions for damage",
	  "Classify sessions (ok, behind-audit, restore-from-bak, "
	  "restore-from-audit, lost; tampered or broken-chain when the audit "
	  "chain is broken) and list stale files, torn lines, idle sessions.\n"
	  "Use when a session will not load, after a crash, or before repairing.",
	  p_id_opt, O_CHECKS("sessions"), A_READONLY, tool_check },
	{ "qmb_recover_session", "Repair a session",
	  "Repair a damaged session (or all): roll forward from the audit, "
	  "restore the backup or replay the trail; damaged files are kept.\n"
	  "Use after qmb_check_sessions finds damage; try dry_run first and ask "
	  "the user.",
	  p_recover, O_CHECKS("sessions"), A_DESTRUCTIVE, tool_recover },
	{ "qmb_archive_session", "Archive a session",
	  "Move a session out of the active list into .qmb/archive/ (kept, "
	  "never deleted).\n"
	  "Use when the user abandons or shelves a session.",
	  p_id, "{\"type\":\"object\",\"required\":[\"session_id\",\"archived\"],"
	  "\"properties\":{\"session_id\":" S_STR ",\"archived\":" S_BOOL "}}",
	  A_DESTRUCTIVE, tool_archive },
	{ "qmb_import_session", "Import a session",
	  "Load a session state exported by qmb_export_session into this project "
	  "(force replaces one with the same id).\n"
	  "Use to restore a backup or move a session from another project.",
	  p_import, O_CHANGE, A_DESTRUCTIVE, tool_import },
	{ "qmb_health", "Health checks",
	  "Check free disk, log sizes, idle sessions and Gemini failures, and "
	  "say which checks trip.\n"
	  "Use when something seems slow or failing, or for a routine check.",
	  p_none, "{\"type\":\"object\",\"required\":[\"exit_code\",\"ok\","
	  "\"status\",\"checks\"],\"properties\":{\"exit_code\":" S_INT ","
	  "\"ok\":" S_BOOL ",\"status\":" S_STR ",\"tripped\":" S_INT ","
	  "\"checks\":" S_OBJS "}}", A_READONLY, tool_health },
	{ "qmb_rotate_logs", "Rotate logs",
	  "Rotate every log over its size limit, and with retention archive "
	  "old sessions, delete old logs and compress old audit trails.\n"
	  "Use when the disk fills up or logs grow large (cron does it hourly).",
	  p_rotate, "{\"type\":\"object\",\"required\":[\"exit_code\",\"ok\"],"
	  "\"properties\":{\"exit_code\":" S_INT ",\"ok\":" S_BOOL ","
	  "\"acted\":" S_BOOL ",\"actions\":" S_OBJS "}}", A_DESTRUCTIVE,
	  tool_rotate },
	{ NULL, NULL, NULL, NULL, NULL, 0, NULL }
};

/* ---- schemas and argument checks ------------------------------------ */

static void
param_schema(struct qmb_jw *jw, const struct param *p)
{
	size_t i;

	qmb_jw_key(jw, p->name);
	qmb_jw_obj_begin(jw);
	switch (p->type) {
	case P_STR:
		qmb_jw_kstr(jw, "type", "string");
		break;
	case P_INT:
		qmb_jw_kstr(jw, "type", "integer");
		qmb_jw_kint(jw, "minimum", 0);
		qmb_jw_kint(jw, "maximum", P_INT_MAX);
		break;
	case P_BOOL:
		qmb_jw_kstr(jw, "type", "boolean");
		break;
	case P_OBJ:
		qmb_jw_kstr(jw, "type", "object");
		break;
	case P_ENUM:
		qmb_jw_kstr(jw, "type", "string");
		qmb_jw_key(jw, "enum");
		qmb_jw_arr_begin(jw);
		for (i = 0; p->enumv[i] != NULL; i++)
			qmb_jw_str(jw, p->enumv[i]);
		qmb_jw_arr_end(jw);
		break;
	case P_TABLES:
		qmb_jw_kstr(jw, "type", "object");
		qmb_jw_key(jw, "properties");
		qmb_jw_obj_begin(jw);
		for (i = 0; i < 3; i++) {
			qmb_jw_key(jw, i == 0 ? "add" : i == 1 ? "remove" : "set");
			qmb_jw_obj_begin(jw);
			qmb_jw_kstr(jw, "type", "array");
			qmb_jw_key(jw, "items");
			qmb_jw_obj_begin(jw);
			qmb_jw_kstr(jw, "type", "string");
			qmb_jw_obj_end(jw);
			qmb_jw_obj_end(jw);
		}
		qmb_jw_obj_end(jw);
		qmb_jw_key(jw, "additionalProperties");
		qmb_jw_bool(jw, 0);
		break;
	}
	qmb_jw_kstr(jw, "description", p->desc);
	qmb_jw_obj_end(jw);
}

static void
input_schema(struct qmb_jw *jw, const struct param *ps)
{
	const struct param *p;

	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "type", "object");
	qmb_jw_key(jw, "properties");
	qmb_jw_obj_begin(jw);
	for (p = ps; p->name != NULL; p++)
		param_schema(jw, p);
	qmb_jw_obj_end(jw);
	qmb_jw_key(jw, "required");
	qmb_jw_arr_begin(jw);
	for (p = ps; p->name != NULL; p++)
		if (p->required)
			qmb_jw_str(jw, p->name);
	qmb_jw_arr_end(jw);
	qmb_jw_key(jw, "additionalProperties");
	qmb_jw_bool(jw, 0);
	qmb_jw_obj_end(jw);
}

/* The members of a failure's structuredContent (result.c), and message. */
static void
error_members(struct qmb_jw *jw, const struct qmb_jv *props)
{
	static const char *const names[] = { "error", "exit_code", "meaning",
	    "message" };
	static const char *const descs[] = {
		"On failure: the program's message, as the CLI prints it.",
		"The program's exit code (see qmb(7)); 0 on success.",
		"On failure: what the exit code means.",
		"On success: exactly what the command prints to a user."
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (qmb_json_get(props, names[i]) != NULL)
			continue;
		qmb_jw_key(jw, names[i]);
		qmb_jw_obj_begin(jw);
		qmb_jw_kstr(jw, "type", i == 1 ? "integer" : "string");
		qmb_jw_kstr(jw, "description", descs[i]);
		qmb_jw_obj_end(jw);
	}
}

/*
 * A tool's outputSchema: its success shape, or a failure's (clients check
 * the structuredContent of failures against it too).  The success
 * shape's required members and message become one branch of an anyOf,
 * the failure's error and exit_code the other.
 */
static void
output_schema(struct qmb_jw *jw, const char *text)
{
	struct qmb_json_doc doc = { 0 };
	const struct qmb_jv *k;
	size_t i, j;

	if (qmb_json_parse(text, strlen(text), 0, QMB_EXIT_INTERNAL, &doc,
	    NULL) == -1) {
		qmb_jw_null(jw);
		return;
	}
	qmb_jw_obj_begin(jw);
	for (i = 0; i < doc.root->len; i++) {
		k = &doc.root->kids[i];
		if (strcmp(k->key, "required") == 0) {
			qmb_jw_key(jw, "anyOf");
			qmb_jw_arr_begin(jw);
			qmb_jw_obj_begin(jw);
			qmb_jw_key(jw, "required");
			qmb_jw_arr_begin(jw);
			for (j = 0; j < k->len; j++)
				qmb_jw_value(jw, &k->kids[j]);
			qmb_jw_str(jw, "message");
			qmb_jw_arr_end(jw);
			qmb_jw_obj_end(jw);
			qmb_jw_obj_begin(jw);
			qmb_jw_key(jw, "required");
			qmb_jw_arr_begin(jw);
			qmb_jw_str(jw, "error");
			qmb_jw_str(jw, "exit_code");
			qmb_jw_arr_end(jw);
			qmb_jw_obj_end(jw);
			qmb_jw_arr_end(jw);
			continue;
		}
		qmb_jw_key(jw, k->key);
		if (strcmp(k->key, "properties") != 0) {
			qmb_jw_value(jw, k);
			continue;
		}
		qmb_jw_obj_begin(jw);
		for (j = 0; j < k->len; j++) {
			qmb_jw_key(jw, k->kids[j].key);
			qmb_jw_value(jw, &k->kids[j]);
		}
		error_members(jw, k);
		qmb_jw_obj_end(jw);
	}
	qmb_jw_obj_end(jw);
	qmb_json_free(&doc);
}

int
mcp_tools_check(void)
{
	struct qmb_json_doc doc = { 0 };
	const struct tool *t;

	for (t = mcp_tools; t->name != NULL; t++) {
		if (qmb_json_parse(t->output, strlen(t->output), 0,
		    QMB_EXIT_INTERNAL, &doc, NULL) == -1)
			return -1;
		qmb_json_free(&doc);
	}
	return 0;
}

void
mcp_tools_list(struct qmb_jw *jw)
{
	const struct tool *t;

	qmb_jw_arr_begin(jw);
	for (t = mcp_tools; t->name != NULL; t++) {
		qmb_jw_obj_begin(jw);
		qmb_jw_kstr(jw, "name", t->name);
		qmb_jw_kstr(jw, "title", t->title);
		qmb_jw_kstr(jw, "description", t->desc);
		qmb_jw_key(jw, "inputSchema");
		input_schema(jw, t->params);
		qmb_jw_key(jw, "outputSchema");
		output_schema(jw, t->output);
		qmb_jw_key(jw, "annotations");
		qmb_jw_obj_begin(jw);
		qmb_jw_kstr(jw, "title", t->title);
		qmb_jw_key(jw, "readOnlyHint");
		qmb_jw_bool(jw, (t->ann & A_READONLY) != 0);
		qmb_jw_key(jw, "destructiveHint");
		qmb_jw_bool(jw, (t->ann & A_DESTRUCTIVE) != 0);
		qmb_jw_key(jw, "idempotentHint");
		qmb_jw_bool(jw, (t->ann & (A_IDEMPOTENT | A_READONLY)) != 0);
		qmb_jw_key(jw, "openWorldHint");
		qmb_jw_bool(jw, (t->ann & A_OPENWORLD) != 0);
		qmb_jw_obj_end(jw);
		qmb_jw_obj_end(jw);
	}
	qmb_jw_arr_end(jw);
}

static int
strings_only(const struct qmb_jv *a)
{
	size_t i;

	if (a->type != QMB_JARR)
		return 0;
	for (i = 0; i < a->len; i++)
		if (a->kids[i].type != QMB_JSTR)
			return 0;
	return 1;
}

static int
check_tables(const struct qmb_jv *v)
{
	size_t i;

	if (v->type != QMB_JOBJ || v->len == 0)
		return 0;
	for (i = 0; i < v->len; i++)
		if ((strcmp(v->kids[i].key, "add") && strcmp(v->kids[i].key,
		    "remove") && strcmp(v->kids[i].key, "set")) ||
		    !strings_only(&v->kids[i]))
			return 0;
	return 1;
}

static int
check_one(const struct param *p, const struct qmb_jv *v)
{
	size_t i;

	switch (p->type) {
	case P_STR:
		return v->type == QMB_JSTR;
	case P_INT:
		return v->type == QMB_JNUM && v->isint && v->i64 >= 0 &&
		    v->i64 <= P_INT_MAX;
	case P_BOOL:
		return v->type == QMB_JTRUE || v->type == QMB_JFALSE;
	case P_OBJ:
		return v->type == QMB_JOBJ;
	case P_ENUM:
		if (v->type != QMB_JSTR)
			return 0;
		for (i = 0; p->enumv[i] != NULL; i++)
			if (strcmp(v->str, p->enumv[i]) == 0)
				return 1;
		return 0;
	case P_TABLES:
		return check_tables(v);
	}
	return 0;
}

/* What a parameter takes, for the message about a bad value. */
static void
want(const struct param *p, const char *tool, char *msg, size_t size)
{
	char list[128];
	size_t i, n = 0;

	switch (p->type) {
	case P_STR:
		snprintf(msg, size, "Invalid params: '%s' of %s must be a string",
		    p->name, tool);
		break;
	case P_INT:
		snprintf(msg, size, "Invalid params: '%s' of %s must be an "
		    "integer from 0 to %d", p->name, tool, P_INT_MAX);
		break;
	case P_BOOL:
		snprintf(msg, size, "Invalid params: '%s' of %s must be true or "
		    "false", p->name, tool);
		break;
	case P_OBJ:
		snprintf(msg, size, "Invalid params: '%s' of %s must be an object",
		    p->name, tool);
		break;
	case P_ENUM:
		list[0] = '\0';
		for (i = 0; p->enumv[i] != NULL && n < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
			    i > 0 ? ", " : "", p->enumv[i]);
		snprintf(msg, size, "Invalid params: '%s' of %s must be one of %s",
		    p->name, tool, list);
		break;
	case P_TABLES:
		snprintf(msg, size, "Invalid params: '%s' of %s must be an object "
		    "with add, remove or set, each an array of table names",
		    p->name, tool);
		break;
	}
}

/* additionalProperties false, required, types: 0 or -1 with msg. */
static int
check_args(const struct tool *t, const struct qmb_jv *args, char *msg,
    size_t size)
{
	const struct param *p;
	const struct qmb_jv *v;
	size_t i;

	for (i = 0; args != NULL && i < args->len; i++) {
		for (p = t->params; p->name != NULL; p++)
			if (strcmp(p->name, args->kids[i].key) == 0)
				break;
		if (p->name == NULL) {
			snprintf(msg, size, "Invalid params: %s takes no argument '%.64s'",
			    t->name, args->kids[i].key);
			return -1;
		}
	}
	for (p = t->params; p->name != NULL; p++) {
		v = args ? qmb_json_get(args, p->name) : NULL;
		if (v == NULL && p->required) {
			snprintf(msg, size, "Invalid params: %s needs '%s'", t->name,
			    p->name);
			return -1;
		}
		if (v != NULL && !check_one(p, v)) {
			want(p, t->name, msg, size);
			return -1;
		}
	}
	return 0;
}

/*
 * A changing call was cancelled and its program stopped mid-way: the
 * program's own durability left nothing half-written; say so in the log
 * (the session's, else the global one) and in the session's trail.
 */
static void
abandoned(struct mcp *m, const struct tool *t, const struct qmb_jv *args)
{
	const char *id = arg_str(args, "session_id");
	char tool[128], why[200];
	const char *largv[16] = { "write", "-l", "WARN", "-c", "mcp", "-a",
	    "call_cancelled", "-d", tool, "-d", why };
	const char *aargv[] = { "append", "-t", "call_cancelled", "-d", tool,
	    "-d", why, "--", id, NULL };
	volatile sig_atomic_t *stop = m->stop;
	struct run r;
	int n = 11;

	snprintf(tool, sizeof(tool), "tool=%s", t->name);
	snprintf(why, sizeof(why), "reason=%s", m->reason[0] ? m->reason :
	    "cancelled by the client");
	if (id != NULL) {
		largv[n++] = "-s";
		largv[n++] = id;
	}
	largv[n] = NULL;
	/* these two run to the end, also when the server is told to stop */
	m->cancelled = 0;
	m->stop = NULL;
	if (mcp_run(m, "qmb-log", largv, NULL, 0, &r) == 0)
		mcp_run_free(&r);
	if (id != NULL && mcp_run(m, "qmb-audit", aargv, NULL, 0, &r) == 0)
		mcp_run_free(&r);
	m->cancelled = 1;
	m->stop = stop;
}

int
mcp_tools_call(struct mcp *m, const char *name, const struct qmb_jv *args,
    struct qmb_jw *jw, int *code, char *msg, size_t msgsize)
{
	const struct tool *t;

	for (t = mcp_tools; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			break;
	*code = -32602;
	if (t->name == NULL) {
		snprintf(msg, msgsize, "Invalid params: unknown tool '%.100s'", name);
		return -1;
	}
	if (check_args(t, args, msg, msgsize) == -1)
		return -1;
	if (!m->initialized && !(t->ann & A_READONLY)) {
		/* the MCP lifecycle: nothing changes before initialize */
		*code = -32002;
		snprintf(msg, msgsize,
		    "Server not initialized: '%.100s' changes a session and runs only after initialize",
		    name);
		return -1;
	}
	if (t->fn(m, args, jw) == 0 && m->killed && !(t->ann & A_READONLY))
		abandoned(m, t, args);
	return 0;
}

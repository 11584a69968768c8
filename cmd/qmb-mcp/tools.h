/* SPDX-License-Identifier: MIT */
#ifndef QMB_MCP_TOOLS_H
#define QMB_MCP_TOOLS_H

#include "qmb_json.h"
#include "mcp.h"

enum ptype { P_STR, P_INT, P_BOOL, P_ENUM, P_TABLES, P_OBJ };

#define P_INT_MAX	100000000	/* the largest integer argument */

struct param {
	const char		*name;
	enum ptype		 type;
	int			 required;
	const char *const	*enumv;		/* P_ENUM: NULL-terminated */
	const char		*desc;
};

enum { A_READONLY = 1, A_DESTRUCTIVE = 2, A_IDEMPOTENT = 4, A_OPENWORLD = 8 };

/* Writes the CallToolResult object; returns 0 (tool failures are results). */
typedef int tool_fn(struct mcp *, const struct qmb_jv *args, struct qmb_jw *);

struct tool {
	const char		*name;
	const char		*title;
	const char		*desc;
	const struct param	*params;
	const char		*output;	/* outputSchema as JSON text */
	int			 ann;
	tool_fn			*fn;
};

extern const struct tool mcp_tools[];

tool_fn	tool_list, tool_resume, tool_export, tool_start, tool_status,
	tool_approve, tool_revert, tool_set_model, tool_tables, tool_script,
	tool_review, tool_bypass, tool_complete, tool_log, tool_verify,
	tool_check, tool_recover, tool_health, tool_rotate, tool_archive,
	tool_import, tool_audit_append, tool_log_write;

/* The state of a session through show --json: 0, or -1 (session.c). */
struct qmb_session;
int	load_state(struct mcp *, const char *id, struct qmb_session *);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * A recovery result (see qmb_recover.h): its names, its findings, and
 * what it means in words and as JSON members.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_recover.h"
#include "qmb_view.h"

static const char *const verdicts[] = {
	"ok", "behind-audit", "restore-from-bak", "restore-from-audit", "lost",
	"newer-version", "archived", "salvaged",
};

static const char *const fkinds[] = {
	"session-damaged", "session-missing", "session-mismatch",
	"newer-version", "behind-audit", "ahead-of-audit", "bak-damaged",
	"audit-torn", "audit-broken", "log-torn", "stale-tmp", "idle",
	"legacy-format",
};

const char *
qmb_recover_verdict(enum qmb_verdict v)
{
	return verdicts[v];
}

const char *
qmb_recover_fkind(enum qmb_fkind k)
{
	return fkinds[k];
}

void
qmb_rec_init(struct qmb_rec *r)
{
	memset(r, 0, sizeof(*r));
	qmb_session_init(&r->state);
	r->idle_days = -1;
}

void
qmb_rec_free(struct qmb_rec *r)
{
	qmb_session_free(&r->state);
	r->has_state = 0;
	free(r->dropped);
	r->dropped = NULL;
}

int
qmb_rec_needs_repair(const struct qmb_rec *r)
{
	size_t i;

	if (r->verdict != QMB_V_OK && r->verdict != QMB_V_ARCHIVED)
		return 1;
	for (i = 0; i < r->nf; i++)
		if (r->f[i].kind != QMB_F_IDLE && r->f[i].kind != QMB_F_LEGACY)
			return 1;
	return 0;
}

void
qmb_rec_find(struct qmb_rec *r, enum qmb_fkind k, const char *path,
    const char *fmt, ...)
{
	struct qmb_recfind *f;
	va_list ap;

	if (r->nf == QMB_REC_FINDS)
		return;
	f = &r->f[r->nf++];
	f->kind = k;
	snprintf(f->path, sizeof(f->path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

const char *
qmb_recover_source(const struct qmb_rec *r)
{
	switch (r->verdict) {
	case QMB_V_BEHIND: return "audit";
	case QMB_V_BAK: return "bak";
	case QMB_V_AUDIT: return "replay";
	case QMB_V_LOST: return "fresh";
	case QMB_V_SALVAGED: return "salvage";
	default: return "session";
	}
}

/* ---- what a result means ---------------------------------------- */

static int
has(const struct qmb_rec *r, enum qmb_fkind k)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		if (r->f[i].kind == k)
			return 1;
	return 0;
}

/* The last approved stage, or 0. */
static char
last_stage(const struct qmb_session *s)
{
	return s->ncompleted > 0 ? (char)('A' + s->ncompleted - 1) : 0;
}

static void
say_bak(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	if (r->partial) {
		qmb_buf_adds(b, dry ? "Would restore from backup: last change may be lost.\n" :
		    "Restored from backup, last change may be lost.\n");
		if (r->ahead)
			qmb_buf_adds(b, "The audit trail cannot confirm the backup's latest entries.\n");
		else if (r->broken_at > 0)
			qmb_buf_addf(b, "The audit trail cannot confirm changes after entry %lld.\n",
			    (long long)r->entries);
	} else if (r->rolled > 0) {
		qmb_buf_addf(b, "%s from backup and %s forward %lld audit entr%s: nothing that was approved is lost.\n",
		    dry ? "Would restore" : "Restored", dry ? "roll it" : "rolled it",
		    (long long)r->rolled, r->rolled == 1 ? "y" : "ies");
	} else {
		qmb_buf_addf(b, "%s from backup, which the audit trail confirms is the last saved state: nothing that was approved is lost.\n",
		    dry ? "Would restore" : "Restored");
	}
}

static void
say_audit(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	char st = r->has_state ? last_stage(&r->state) : 0;

	if (st)
		qmb_buf_addf(b, "Can restore up to Stage %c", st);
	else
		qmb_buf_adds(b, "Can restore the session as created (no stage approved yet)");
	if (r->partial)
		qmb_buf_addf(b, ": the audit trail is damaged at entry %lld, so changes after entry %lld may be lost.\n",
		    (long long)r->broken_at, (long long)r->entries);
	else if (r->entries == 1)
		qmb_buf_adds(b, ": its one audit entry verifies, so nothing that was approved is lost.\n");
	else
		qmb_buf_addf(b, ": all %lld audit entries verify, so nothing that was approved is lost.\n",
		    (long long)r->entries);
	qmb_buf_adds(b, dry ? "Would rebuild it from the audit trail.\n" :
	    "Rebuilt it from the audit trail.\n");
}

/* Each field that was valid on its own was kept; say what was not. */
static void
say_salvaged(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	const char *p, *nl;

	qmb_buf_addf(b, "%s from the damaged %s every field that is valid on its own",
	    dry ? "Would salvage" : "Salvaged", r->salvaged_bak ?
	    "backup" : "session file");
	if (r->has_state)
		qmb_buf_addf(b, " (project %s, %d approved stage%s, %zu pending table%s)",
		    r->state.project, r->state.ncompleted,
		    r->state.ncompleted == 1 ? "" : "s", r->state.ntables,
		    r->state.ntables == 1 ? "" : "s");
	qmb_buf_adds(b, r->dropped && r->dropped[0] ? "; dropped:\n" :
	    "; nothing was dropped.\n");
	for (p = r->dropped; p && *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		qmb_buf_addf(b, "  - %.*s\n", (int)(nl - p), p);
	}
}

static void
say_verdict(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	switch (r->verdict) {
	case QMB_V_ARCHIVED:
		qmb_buf_addf(b, "Session %s is archived (.qmb/archive/sessions/): nothing to repair.\n",
		    r->id);
		break;
	case QMB_V_NEWER:
		qmb_buf_adds(b, "Left alone: the session file was written by a newer qmb; upgrade qmb, or repair with --from bak or --from audit.\n");
		break;
	case QMB_V_OK:
		if (!qmb_rec_needs_repair(r))
			qmb_buf_addf(b, "Session %s is healthy: nothing to repair.\n",
			    r->id);
		else
			qmb_buf_adds(b, dry ? "Would keep the session file as it is.\n" :
			    "Kept the session file as it is.\n");
		break;
	case QMB_V_BEHIND:
		qmb_buf_addf(b, "%s the session forward %lld audit entr%s%s\n",
		    dry ? "Would roll" : "Rolled", (long long)r->rolled,
		    r->rolled == 1 ? "y" : "ies", r->partial ? "." :
		    ": nothing that was approved is lost.");
		break;
	case QMB_V_BAK:
		say_bak(r, dry, b);
		break;
	case QMB_V_AUDIT:
		say_audit(r, dry, b);
		break;
	case QMB_V_SALVAGED:
		say_salvaged(r, dry, b);
		break;
	case QMB_V_LOST:
		if (dry)
			qmb_buf_addf(b, "Would start fresh: nothing of session %s can be recovered (no usable state, backup or audit entry). Sorry.\n",
			    r->id);
		else if (r->project[0] && strcmp(r->project, "recovered") != 0)
			qmb_buf_addf(b, "Sorry: nothing of session %s could be recovered, so it was started fresh as a new session of project %s at Stage A.\n",
			    r->id, r->project);
		else
			qmb_buf_addf(b, "Sorry: nothing of session %s could be recovered, not even its project name, so it was started fresh at Stage A as project 'recovered'.\n",
			    r->id);
		break;
	}
}

static void
say_actions(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	size_t i;

	if (r->ahead)
		qmb_buf_addf(b, "The audit trail lacks the session's latest entries; %s the state in it again.\n",
		    dry ? "would record" : "recorded");
	if (has(r, QMB_F_BROKEN) || ((r->verdict == QMB_V_LOST ||
	    r->verdict == QMB_V_SALVAGED) && r->trail_lost))
		qmb_buf_addf(b, "%s the damaged audit trail in .qmb/corrupt/ and %s the live trail to its %lld verified entr%s.\n",
		    dry ? "Would keep" : "Kept", dry ? "cut" : "cut",
		    (long long)r->entries, r->entries == 1 ? "y" : "ies");
	else if (has(r, QMB_F_TORN))
		qmb_buf_addf(b, "%s the torn last line off the audit trail (it was never acknowledged).\n",
		    dry ? "Would cut" : "Cut");
	if (has(r, QMB_F_LOGTORN))
		qmb_buf_addf(b, "%s the torn last line off the session log.\n",
		    dry ? "Would cut" : "Cut");
	if (has(r, QMB_F_TMP))
		qmb_buf_addf(b, "%s stale temporary files to .qmb/corrupt/.\n",
		    dry ? "Would move" : "Moved");
	if (has(r, QMB_F_BAK) && r->verdict != QMB_V_BAK)
		qmb_buf_addf(b, "%s the damaged backup to .qmb/corrupt/.\n",
		    dry ? "Would move" : "Moved");
	if (has(r, QMB_F_DAMAGED) || has(r, QMB_F_MISMATCH) ||
	    (has(r, QMB_F_NEWER) && r->verdict != QMB_V_NEWER))
		qmb_buf_addf(b, "%s the damaged session file in .qmb/corrupt/.\n",
		    dry ? "Would keep" : "Kept");
	if (dry)
		return;
	for (i = 0; i < r->nkept; i++)
		qmb_buf_addf(b, "Kept: %s\n", r->kept[i]);
	if (r->repaired && r->new_seq > 0)
		qmb_buf_addf(b, "Recorded the repair as audit entry %lld (session_recovered).\n",
		    (long long)r->new_seq);
}

void
qmb_recover_describe(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	say_verdict(r, dry, b);
	if (r->partial && (r->verdict == QMB_V_OK || r->verdict == QMB_V_BEHIND))
		qmb_buf_addf(b, "The audit trail is damaged at entry %lld: changes recorded from that entry on may be lost.\n",
		    (long long)r->broken_at);
	if (r->has_state && r->verdict != QMB_V_LOST &&
	    r->verdict != QMB_V_ARCHIVED && r->verdict != QMB_V_NEWER) {
		qmb_buf_adds(b, "Progress: ");
		qmb_view_progress(&r->state, b);
		qmb_buf_adds(b, ".\n");
	}
	if (r->verdict != QMB_V_NEWER && r->verdict != QMB_V_ARCHIVED)
		say_actions(r, dry, b);
}

void
qmb_recover_members(const struct qmb_rec *r, int dry, struct qmb_jw *jw)
{
	char st[2] = { 0, 0 };
	size_t i;

	qmb_jw_kstr(jw, "session_id", r->id);
	qmb_jw_key(jw, "project_name");
	qmb_jw_str(jw, r->project[0] ? r->project : NULL);
	qmb_jw_kstr(jw, "verdict", qmb_recover_verdict(r->verdict));
	qmb_jw_kstr(jw, "source", qmb_recover_source(r));
	qmb_jw_key(jw, "stage");
	st[0] = r->has_state ? qmb_session_current(&r->state) : 0;
	qmb_jw_str(jw, st[0] ? st : NULL);
	qmb_jw_kint(jw, "completed", r->has_state ? r->state.ncompleted : 0);
	qmb_jw_key(jw, "restore_up_to");
	st[0] = r->has_state ? last_stage(&r->state) : 0;
	qmb_jw_str(jw, st[0] ? st : NULL);
	qmb_jw_kint(jw, "entries", r->entries);
	qmb_jw_kint(jw, "broken_at", r->broken_at);
	qmb_jw_kint(jw, "rolled", r->rolled);
	qmb_jw_key(jw, "partial");
	qmb_jw_bool(jw, r->partial);
	qmb_jw_key(jw, "needs_repair");
	qmb_jw_bool(jw, qmb_rec_needs_repair(r));
	qmb_jw_key(jw, "findings");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < r->nf; i++) {
		qmb_jw_obj_begin(jw);
		qmb_jw_kstr(jw, "kind", qmb_recover_fkind(r->f[i].kind));
		qmb_jw_kstr(jw, "path", r->f[i].path);
		qmb_jw_kstr(jw, "message", r->f[i].msg);
		qmb_jw_obj_end(jw);
	}
	qmb_jw_arr_end(jw);
	if (dry)
		return;
	qmb_jw_key(jw, "repaired");
	qmb_jw_bool(jw, r->repaired);
	qmb_jw_kint(jw, "audit_seq", r->has_state ? r->state.audit_seq : 0);
	qmb_jw_key(jw, "kept");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < r->nkept; i++)
		qmb_jw_str(jw, r->kept[i]);
	qmb_jw_arr_end(jw);
}


/* SPDX-License-Identifier: MIT */
/*
 * qmb-recover health (seed 8.1) and report (the weekly recovery metrics).
 */
#include <stdint.h>
#include <stdio.h>

#include "qmb_clock.h"
#include "qmb_json.h"
#include "recover.h"

static const char *const hlabel[QMB_H_COUNT] = {
	"disk space", "log size", "session age", "gemini failures",
};

static int
health_json(const struct qmb_health *h)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	int i;

	qmb_buf_init(&b, 1 << 16);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "status", h->tripped ? "alert" : "ok");
	qmb_jw_kint(&jw, "tripped", h->tripped);
	qmb_jw_key(&jw, "checks");
	qmb_jw_arr_begin(&jw);
	for (i = 0; i < QMB_H_COUNT; i++) {
		qmb_jw_obj_begin(&jw);
		qmb_jw_kstr(&jw, "check", h->c[i].name);
		qmb_jw_kstr(&jw, "status", h->c[i].tripped ? "alert" : "ok");
		qmb_jw_kint(&jw, "value", h->c[i].value);
		qmb_jw_kint(&jw, "limit", h->c[i].limit);
		qmb_jw_kstr(&jw, "detail", h->c[i].what);
		if (h->c[i].source[0])
			qmb_jw_kstr(&jw, "source", h->c[i].source);
		qmb_jw_obj_end(&jw);
	}
	qmb_jw_arr_end(&jw);
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == 0)
		printf("%s\n", b.data);
	qmb_buf_free(&b);
	return 0;
}

int
cmd_health(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_health h;
	int i;

	(void)argc, (void)argv;
	if (qmb_health_check(p, qmb_now(), &h, err) == -1)
		return -1;
	if (o->c.json)
		health_json(&h);
	else {
		if (!o->c.quiet)
			printf("%-16s  %-6s  %s\n", "CHECK", "STATUS", "DETAIL");
		for (i = 0; i < QMB_H_COUNT; i++)
			if (!o->c.quiet || h.c[i].tripped)
				printf("%-16s  %-6s  %s\n", hlabel[i],
				    h.c[i].tripped ? "ALERT" : "ok", h.c[i].what);
		if (!o->c.quiet)
			printf(h.tripped ? "%d check%s tripped.\n" :
			    "All checks passed.\n", h.tripped,
			    h.tripped == 1 ? "" : "s");
	}
	return h.tripped ? QMB_EXIT_FAIL : 0;
}

/* ---- report ----------------------------------------------------- */

static const char *
range(const char *s, int64_t now, int64_t *since, struct qmb_err *err)
{
	int64_t d;

	if (qmb_duration_parse(s, &d) == 0) {
		*since = now - d;
		return NULL;
	}
	if (qmb_time_parse(s, since) == 0)
		return NULL;
	qmb_errf(err, QMB_EXIT_USAGE,
	    "invalid --since '%.64s': give a duration (7d, 24h, 30m) or a date (2026-01-21)",
	    s);
	return s;
}

struct row {
	const char	*key, *label;
	long		 v;
};

int
cmd_report(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_metrics m;
	struct qmb_buf b;
	struct qmb_jw jw;
	char from[QMB_TIME_LEN + 1], to[QMB_TIME_LEN + 1];
	int64_t now = qmb_now(), since;
	size_t i;

	(void)argc, (void)argv;
	if (range(o->since ? o->since : "7d", now, &since, err) != NULL ||
	    qmb_report_metrics(p, since, now, &m, err) == -1)
		return -1;
	{
		const struct row rows[] = {
			{ "sessions_created", "sessions created", m.created },
			{ "sessions_resumed", "sessions resumed", m.resumed },
			{ "sessions_completed", "sessions completed", m.completed },
			{ "sessions_archived", "sessions archived", m.archived },
			{ "bak_fallbacks", ".bak fallbacks", m.bak },
			{ "audit_restores", "audit restores", m.replay },
			{ "roll_forwards", "roll-forwards", m.audit + m.rolled },
			{ "fresh_starts", "fresh starts (data loss)", m.fresh },
			{ "other_repairs", "other repairs", m.session_fix },
			{ "torn_lines_cut", "torn lines cut", m.torn },
			{ "low_disk_warnings", "low disk warnings", m.low_disk },
			{ "gemini_failures", "Gemini failures", m.gemini_failures },
			{ "review_bypasses", "review bypasses", m.bypasses },
			{ "reviews", "reviews recorded", m.reviews },
		};

		qmb_time_fmt(since, from);
		qmb_time_fmt(now, to);
		if (!o->c.json) {
			printf("Recovery report, %s to %s\n", from, to);
			for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
				printf("  %-26s %6ld\n", rows[i].label, rows[i].v);
			if (m.bad_lines > 0)
				printf("  (%ld unreadable audit lines skipped)\n",
				    m.bad_lines);
			return 0;
		}
		qmb_buf_init(&b, 1 << 16);
		qmb_jw_init(&jw, &b, 0);
		qmb_jw_obj_begin(&jw);
		qmb_jw_kstr(&jw, "since", from);
		qmb_jw_kstr(&jw, "until", to);
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			qmb_jw_kint(&jw, rows[i].key, rows[i].v);
		qmb_jw_kint(&jw, "trails_read", m.trails);
		qmb_jw_kint(&jw, "unreadable_lines", m.bad_lines);
		qmb_jw_obj_end(&jw);
		if (qmb_jw_finish(&jw) == 0)
			printf("%s\n", b.data);
		qmb_buf_free(&b);
	}
	return 0;
}

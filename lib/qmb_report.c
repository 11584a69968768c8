/* SPDX-License-Identifier: MIT */
/*
 * The recovery report's counts (see qmb_report.h).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qmb_audit.h"
#include "qmb_buf.h"
#include "qmb_clock.h"
#include "qmb_ids.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_log.h"
#include "qmb_logread.h"
#include "qmb_report.h"
#include "qmb_verify.h"

static int
in_range(const struct qmb_metrics *m, const char *ts)
{
	int64_t t;

	return ts != NULL && qmb_time_parse(ts, &t) == 0 && t >= m->since &&
	    t <= m->until;
}

static void
count_entry(struct qmb_metrics *m, const struct qmb_jv *e)
{
	const char *type = qmb_json_get_str(e, "type"), *src;

	if (type == NULL || !in_range(m, qmb_json_get_str(e, "timestamp")))
		return;
	if (strcmp(type, "session_created") == 0) {
		src = qmb_json_get_str(qmb_json_get(e, "details"), "reason");
		m->created += src == NULL || strcmp(src, "recovery") != 0;
	} else if (strcmp(type, "session_resumed") == 0)
		m->resumed++;
	else if (strcmp(type, "script_approved") == 0)
		m->completed++;
	else if (strcmp(type, "session_archived") == 0)
		m->archived++;
	else if (strcmp(type, "review_bypassed") == 0)
		m->bypasses++;
	else if (strcmp(type, "review_recorded") == 0)
		m->reviews++;
	else if (strcmp(type, "session_recovered") == 0) {
		src = qmb_json_get_str(qmb_json_get(e, "details"), "source");
		if (src == NULL)
			m->session_fix++;
		else if (strcmp(src, "bak") == 0)
			m->bak++;
		else if (strcmp(src, "audit") == 0)
			m->audit++;
		else if (strcmp(src, "replay") == 0)
			m->replay++;
		else if (strcmp(src, "fresh") == 0)
			m->fresh++;
		else
			m->session_fix++;
	}
}

static void
count_trail(struct qmb_metrics *m, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	m->trails++;
	for (; p < end; p = nl + 1) {
		struct qmb_json_doc doc = { 0 };

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p)
			continue;
		if (qmb_json_parse(p, (size_t)(nl - p), 0, QMB_EXIT_CORRUPT,
		    &doc, NULL) == -1 || doc.root->type != QMB_JOBJ)
			m->bad_lines++;
		else
			count_entry(m, doc.root);
		qmb_json_free(&doc);
	}
}

/* Every trail in dir whose name ends in sfx. */
static int
count_trails(struct qmb_proj *p, struct qmb_metrics *m, enum qmb_dir d,
    const char *sfx, struct qmb_err *err)
{
	const char *const sv[] = { sfx, NULL };
	char name[NAME_MAX + 1], **ids;
	struct qmb_buf b;
	size_t n, i;
	int dfd, rc;

	if (qmb_ids_list(p, d, sv, &ids, &n, err) == -1)
		return -1;
	qmb_buf_init(&b, qmb_io_max_file());
	for (i = 0; i < n; i++) {
		struct qmb_err e = QMB_ERR_INIT;

		snprintf(name, sizeof(name), "%s%s", ids[i], sfx);
		if (d == QMB_D_AUDIT)
			rc = qmb_audit_read(p, ids[i], &b, &e);
		else if ((dfd = qmb_proj_dir(p, d, 0, &e)) == -1)
			rc = -1;
		else
			rc = qmb_gz_read(dfd, name, &b, &e);
		if (rc == 0)
			count_trail(m, b.data, b.len);
	}
	qmb_buf_free(&b);
	qmb_ids_free(ids, n);
	return 0;
}

static int
count_log_line(void *arg, const char *line, size_t len,
    const struct qmb_jv *doc)
{
	struct qmb_json_doc own = { 0 };
	struct qmb_metrics *m = arg;
	const char *action, *comp, *level;

	/* the scanner may have matched the line without parsing it */
	if (doc == NULL) {
		if (qmb_json_parse(line, len, 0, QMB_EXIT_CORRUPT, &own,
		    NULL) == -1)
			return 0;
		doc = own.root;
	}
	action = qmb_json_get_str(doc, "action");
	comp = qmb_json_get_str(doc, "component");
	level = qmb_json_get_str(doc, "level");
	if (action == NULL || comp == NULL || level == NULL)
		;
	else if (strcmp(action, "rolled_forward") == 0)
		m->rolled++;
	else if (strcmp(action, "low_disk_space") == 0)
		m->low_disk++;
	else if (strcmp(comp, "gemini") == 0 &&
	    strcmp(action, "review_failed") == 0 &&
	    qmb_level_parse(level) >= QMB_WARN)
		m->gemini_failures++;
	qmb_json_free(&own);
	return 0;
}

/* qmb.log and its rotated files. */
static int
count_global(struct qmb_proj *p, struct qmb_metrics *m, struct qmb_err *err)
{
	struct qmb_logfilter f;
	struct qmb_logscan s;
	char name[NAME_MAX + 1];
	uint64_t used;
	int dfd, fd, k, rc = 0;

	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	qmb_logfilter_init(&f);
	f.since = m->since;
	f.until = m->until;
	for (k = 0; k <= 20 && rc == 0; k++) {
		if (k == 0)
			snprintf(name, sizeof(name), "qmb.log");
		else
			snprintf(name, sizeof(name), "qmb.log.%d", k);
		if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC)) == -1)
			continue;
		memset(&s, 0, sizeof(s));
		s.f = &f;
		s.line = count_log_line;
		s.arg = m;
		rc = qmb_logscan_fd(&s, fd, name, 1, &used, err);
		close(fd);
	}
	return rc;
}

static int
torn_in_range(const char *name, void *arg, struct qmb_err *err)
{
	struct qmb_metrics *m = arg;
	char ts[QMB_TIME_LEN + 1];
	const char *t;

	(void)err;
	if ((t = strstr(name, ".torn-")) != NULL &&
	    strlen(t + 6) >= QMB_TIME_LEN) {
		snprintf(ts, sizeof(ts), "%.*s", QMB_TIME_LEN, t + 6);
		m->torn += in_range(m, ts);
	}
	return 0;
}

int
qmb_report_metrics(struct qmb_proj *p, int64_t since, int64_t until,
    struct qmb_metrics *m, struct qmb_err *err)
{
	memset(m, 0, sizeof(*m));
	m->since = since;
	m->until = until;
	if (count_trails(p, m, QMB_D_AUDIT, ".audit.json", err) == -1 ||
	    count_trails(p, m, QMB_D_ARCHIVE_AUDIT, ".audit.json.gz", err) == -1 ||
	    count_global(p, m, err) == -1 ||
	    qmb_ids_each(p, QMB_D_CORRUPT, torn_in_range, m, err) == -1)
		return -1;
	return 0;
}

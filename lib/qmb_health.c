/* SPDX-License-Identifier: MIT */
/*
 * Health checks (see qmb_health.h).
 */
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qmb_clock.h"
#include "qmb_config.h"
#include "qmb_gfail.h"
#include "qmb_health.h"
#include "qmb_ids.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_log.h"
#include "qmb_logread.h"
#include "qmb_session.h"

#define DAY_MS	86400000LL

static void
h_disk(struct qmb_proj *p, const struct qmb_config *c, struct qmb_health *h)
{
	char have[32], lim[32];
	struct statvfs v;

	h->c[QMB_H_DISK].name = "disk_space";
	h->c[QMB_H_DISK].limit = (long long)c->min_free_disk;
	qmb_config_fmt_size(c->min_free_disk, lim, sizeof(lim));
	if (fstatvfs(p->rootfd, &v) == -1) {
		snprintf(h->c[QMB_H_DISK].what, sizeof(h->c[0].what),
		    "cannot tell: %s", strerror(errno));
		h->c[QMB_H_DISK].tripped = 1;
		return;
	}
	h->c[QMB_H_DISK].value = (long long)v.f_bavail * (long long)v.f_frsize;
	qmb_config_fmt_size((unsigned long long)h->c[QMB_H_DISK].value, have,
	    sizeof(have));
	h->c[QMB_H_DISK].tripped = (unsigned long long)h->c[QMB_H_DISK].value <
	    c->min_free_disk;
	snprintf(h->c[QMB_H_DISK].what, sizeof(h->c[0].what),
	    "%s free (alert under %s)", have, lim);
}

static int
h_logs(struct qmb_proj *p, const struct qmb_config *c, struct qmb_health *h,
    struct qmb_err *err)
{
	static const char *const sfx[] = { ".log", NULL };
	char name[NAME_MAX + 1], big[NAME_MAX + 1] = "", a[32], l[32], **ids;
	unsigned long long lim, max = 0;
	struct stat st;
	size_t n, i;
	int dfd = -1, over = 0;

	h->c[QMB_H_LOGSIZE].name = "log_size";
	h->c[QMB_H_LOGSIZE].limit = (long long)c->log_max_size;
	qmb_config_fmt_size(c->log_max_size, l, sizeof(l));
	if (qmb_ids_list(p, QMB_D_LOGS, sfx, &ids, &n, err) == -1)
		return -1;
	if (n > 0)
		dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err);
	for (i = 0; i < n && dfd != -1; i++) {
		snprintf(name, sizeof(name), "%s.log", ids[i]);
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		lim = strcmp(ids[i], "qmb") == 0 ? c->global_log_max_size :
		    c->log_max_size;
		over += (unsigned long long)st.st_size > lim;
		if ((unsigned long long)st.st_size >= max) {
			max = (unsigned long long)st.st_size;
			memcpy(big, name, sizeof(big));
		}
	}
	qmb_ids_free(ids, n);
	h->c[QMB_H_LOGSIZE].value = (long long)max;
	h->c[QMB_H_LOGSIZE].tripped = over > 0;
	qmb_config_fmt_size(max, a, sizeof(a));
	if (big[0] == '\0')
		snprintf(h->c[QMB_H_LOGSIZE].what, sizeof(h->c[0].what),
		    "no logs yet");
	else if (over)
		snprintf(h->c[QMB_H_LOGSIZE].what, sizeof(h->c[0].what),
		    "%d log%s over the limit; largest .qmb/logs/%.80s (%s, limit %s): run qmb-rotate",
		    over, over == 1 ? "" : "s", big, a, l);
	else
		snprintf(h->c[QMB_H_LOGSIZE].what, sizeof(h->c[0].what),
		    "largest .qmb/logs/%.80s (%s, limit %s)", big, a, l);
	return 0;
}

static int
h_idle(struct qmb_proj *p, const struct qmb_config *c, int64_t now,
    struct qmb_health *h, struct qmb_err *err)
{
	static const char *const sfx[] = { ".json", NULL };
	char oldest[QMB_ID_MAX + 1] = "", **ids;
	int64_t t, worst = -1;
	size_t n, i;
	int idle = 0;

	h->c[QMB_H_IDLE].name = "session_age";
	h->c[QMB_H_IDLE].limit = c->idle_warn_days;
	if (qmb_ids_list(p, QMB_D_SESSIONS, sfx, &ids, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		struct qmb_err e = QMB_ERR_INIT;
		struct qmb_session s;
		enum qmb_cur cur;

		if (qmb_session_load(p, ids[i], &s, &cur, &e) == -1)
			continue;	/* damaged: qmb-recover check */
		if (!s.complete && qmb_time_parse(s.updated_at, &t) == 0 &&
		    now - t >= c->idle_warn_days * DAY_MS) {
			idle++;
			if (now - t > worst) {
				worst = now - t;
				memcpy(oldest, ids[i], strlen(ids[i]) + 1);
			}
		}
		qmb_session_free(&s);
	}
	qmb_ids_free(ids, n);
	h->c[QMB_H_IDLE].value = idle;
	h->c[QMB_H_IDLE].tripped = idle > 0;
	if (idle > 0)
		snprintf(h->c[QMB_H_IDLE].what, sizeof(h->c[0].what),
		    "%d session%s idle for %ld days or more (oldest: %s, %lld days)",
		    idle, idle == 1 ? "" : "s", c->idle_warn_days, oldest,
		    (long long)(worst / DAY_MS));
	else
		snprintf(h->c[QMB_H_IDLE].what, sizeof(h->c[0].what),
		    "no active session idle for %ld days or more",
		    c->idle_warn_days);
	return 0;
}

/* Newest first: a recorded count, else failures until anything else. */
static long long
failures_in(const struct qmb_lines *ls)
{
	struct qmb_json_doc doc = { 0 };
	const char *action, *level;
	long long n = 0;
	int64_t v;
	size_t i;

	for (i = 0; i < ls->n; i++) {
		if (qmb_json_parse(ls->v[i], ls->len[i], 0, QMB_EXIT_CORRUPT,
		    &doc, NULL) == -1)
			continue;
		action = qmb_json_get_str(doc.root, "action");
		level = qmb_json_get_str(doc.root, "level");
		if (qmb_json_get_int(qmb_json_get(doc.root, "details"),
		    "consecutive", &v) == 0) {
			qmb_json_free(&doc);
			return n > v ? n : v;
		}
		if (action == NULL || level == NULL ||
		    strcmp(action, "review_failed") != 0 ||
		    qmb_level_parse(level) < QMB_WARN) {
			qmb_json_free(&doc);
			break;
		}
		n++;
		qmb_json_free(&doc);
	}
	return n;
}

int
qmb_recover_gemini_failures(struct qmb_proj *p, long long *n, char *source,
    size_t ssize, struct qmb_err *err)
{
	struct qmb_logfilter f;
	struct qmb_logscan s;
	struct qmb_lines ls = { 0 };
	struct qmb_gfail g;
	int dfd, fd, rc;

	*n = 0;
	if ((rc = qmb_gfail_read(p, &g, err)) == -1 || g.found) {
		snprintf(source, ssize, ".qmb/%s", QMB_GFAIL_FILE);
		*n = g.consecutive;
		return rc;
	}
	snprintf(source, ssize, ".qmb/logs/qmb.log");
	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	if ((fd = openat(dfd, "qmb.log", O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return 0;
	qmb_logfilter_init(&f);
	f.component = "gemini";
	memset(&s, 0, sizeof(s));
	s.f = &f;
	rc = qmb_logscan_tail(&s, fd, ".qmb/logs/qmb.log", 64, &ls, err);
	close(fd);
	if (rc == 0)
		*n = failures_in(&ls);
	qmb_lines_free(&ls);
	return rc;
}

static int
h_gemini(struct qmb_proj *p, struct qmb_health *h, struct qmb_err *err)
{
	long long n;

	h->c[QMB_H_GEMINI].name = "gemini_failures";
	h->c[QMB_H_GEMINI].limit = QMB_GFAIL_WARN;
	if (qmb_recover_gemini_failures(p, &n, h->c[QMB_H_GEMINI].source,
	    sizeof(h->c[0].source), err) == -1)
		return -1;
	h->c[QMB_H_GEMINI].value = n;
	h->c[QMB_H_GEMINI].tripped = n > QMB_GFAIL_WARN;
	snprintf(h->c[QMB_H_GEMINI].what, sizeof(h->c[0].what),
	    "%lld consecutive failure%s (alert over %d)%s", n,
	    n == 1 ? "" : "s", QMB_GFAIL_WARN,
	    n > QMB_GFAIL_WARN ? ": see 'qmb-review queue'" : "");
	return 0;
}

int
qmb_health_check(struct qmb_proj *p, int64_t now, struct qmb_health *h,
    struct qmb_err *err)
{
	const struct qmb_config *c;
	int i;

	memset(h, 0, sizeof(*h));
	if ((c = qmb_config_get(p, err)) == NULL)
		return -1;
	h_disk(p, c, h);
	if (h_logs(p, c, h, err) == -1 || h_idle(p, c, now, h, err) == -1 ||
	    h_gemini(p, h, err) == -1)
		return -1;
	for (i = 0; i < QMB_H_COUNT; i++)
		h->tripped += h->c[i].tripped;
	return 0;
}


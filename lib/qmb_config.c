/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_clock.h"
#include "qmb_config.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_log.h"

enum kind { K_SIZE, K_COUNT, K_DAYS, K_STR };

static const struct key {
	const char	*name;
	enum kind	 kind;
	size_t		 off;
	size_t		 len;		/* K_STR: buffer size */
} keys[] = {
#define F(m) offsetof(struct qmb_config, m)
	{ "log_max_size", K_SIZE, F(log_max_size), 0 },
	{ "log_keep", K_COUNT, F(log_keep), 0 },
	{ "global_log_max_size", K_SIZE, F(global_log_max_size), 0 },
	{ "min_free_disk", K_SIZE, F(min_free_disk), 0 },
	{ "low_disk_keep", K_COUNT, F(low_disk_keep), 0 },
	{ "idle_warn_days", K_DAYS, F(idle_warn_days), 0 },
	{ "archive_after_days", K_DAYS, F(archive_after_days), 0 },
	{ "delete_logs_after_days", K_DAYS, F(delete_logs_after_days), 0 },
	{ "audit_archive_after_days", K_DAYS, F(audit_archive_after_days), 0 },
	{ "review_attempts", K_COUNT, F(review_attempts), 0 },
	{ "gemini_model", K_STR, F(gemini_model), 128 },
	{ "gemini_url", K_STR, F(gemini_url), 512 },
	{ "audit_mirror", K_STR, F(audit_mirror), PATH_MAX },
#undef F
};

void
qmb_config_defaults(struct qmb_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_max_size = 10ULL << 20;
	c->global_log_max_size = 10ULL << 20;
	c->min_free_disk = 500ULL << 20;
	c->log_keep = 5;
	c->low_disk_keep = 2;
	c->idle_warn_days = 7;
	c->archive_after_days = 30;
	c->delete_logs_after_days = 7;
	c->audit_archive_after_days = 90;
	c->review_attempts = 3;
	snprintf(c->gemini_model, sizeof(c->gemini_model), "%s", QMB_GEMINI_MODEL);
	snprintf(c->gemini_url, sizeof(c->gemini_url), "%s", QMB_GEMINI_URL);
}

static const struct key *
find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
set_num(struct qmb_config *c, const struct key *k, const char *v,
    const char *src, struct qmb_err *err)
{
	unsigned long long sz;
	char *end;
	long n;

	if (k->kind == K_SIZE) {
		if (qmb_size_parse(v, &sz) == -1 || sz == 0)
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "%s: bad size '%.40s' for %s (use bytes or K, M, G)",
			    src, v, k->name);
		*(unsigned long long *)(void *)((char *)c + k->off) = sz;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end != '\0' || n < (k->kind == K_DAYS ? 0 : 1) ||
	    n > (k->kind == K_DAYS ? 36500 : 99))
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "%s: bad value '%.40s' for %s (%s)", src, v, k->name,
		    k->kind == K_DAYS ? "whole days, 0-36500" : "a count, 1-99");
	*(long *)(void *)((char *)c + k->off) = n;
	return 0;
}

int
qmb_config_set(struct qmb_config *c, const char *name, const char *v,
    const char *src, struct qmb_err *err)
{
	const struct key *k = find(name);

	if (k == NULL)
		return qmb_errf(err, QMB_EXIT_USAGE, "%s: unknown setting '%.64s'",
		    src, name);
	if (k->kind != K_STR)
		return set_num(c, k, v, src, err);
	if (strlen(v) >= k->len || memchr(v, '\n', strlen(v)) != NULL)
		return qmb_errf(err, QMB_EXIT_USAGE, "%s: value of %s too long",
		    src, k->name);
	snprintf((char *)c + k->off, k->len, "%s", v);
	return 0;
}

static int
from_file(struct qmb_proj *p, struct qmb_config *c, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf b;
	char src[64];
	const char *v;
	size_t i;
	int dfd, rc = -1;

	if ((dfd = qmb_proj_dir(p, QMB_D_QMB, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	qmb_buf_init(&b, 1 << 20);
	if (qmb_io_read_file(dfd, "config.json", b.max, QMB_EXIT_USAGE, &b,
	    err) == -1) {
		qmb_buf_free(&b);
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	}
	if (qmb_json_parse(b.data, b.len, b.max, QMB_EXIT_USAGE, &doc, err) == -1 ||
	    doc.root->type != QMB_JOBJ) {
		if (doc.root != NULL)
			qmb_errf(err, QMB_EXIT_USAGE, "not a JSON object");
		qmb_err_prefix(err, ".qmb/config.json");
		goto out;
	}
	for (i = 0; i < doc.root->len; i++) {
		const struct qmb_jv *m = &doc.root->kids[i];

		snprintf(src, sizeof(src), ".qmb/config.json");
		if (m->type == QMB_JSTR)
			v = m->str;
		else if (m->type == QMB_JNUM)
			v = m->num;
		else {
			qmb_errf(err, QMB_EXIT_USAGE,
			    ".qmb/config.json: %.64s must be a string or a number",
			    m->key);
			goto out;
		}
		if (qmb_config_set(c, m->key, v, src, err) == -1)
			goto out;
	}
	rc = 0;
out:
	qmb_json_free(&doc);
	qmb_buf_free(&b);
	return rc;
}

static int
from_env(struct qmb_config *c, struct qmb_err *err)
{
	char var[64];
	const char *v;
	size_t i, j;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(var, sizeof(var), "QMB_%s", keys[i].name);
		for (j = 4; var[j] != '\0'; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		if ((v = getenv(var)) != NULL && *v != '\0' &&
		    qmb_config_set(c, keys[i].name, v, var, err) == -1)
			return -1;
	}
	return 0;
}

int
qmb_config_load(struct qmb_proj *p, struct qmb_config *c, struct qmb_err *err)
{
	qmb_config_defaults(c);
	if (from_file(p, c, err) == -1 || from_env(c, err) == -1)
		return -1;
	return 0;
}

const struct qmb_config *
qmb_config_get(struct qmb_proj *p, struct qmb_err *err)
{
	struct qmb_config *c;

	if (p->cfg != NULL)
		return p->cfg;
	if ((c = malloc(sizeof(*c))) == NULL) {
		qmb_errf(err, QMB_EXIT_IO, "out of memory");
		return NULL;
	}
	if (qmb_config_load(p, c, err) == -1) {
		free(c);
		return NULL;
	}
	p->cfg = c;
	return c;
}

void
qmb_config_fmt_size(unsigned long long v, char *buf, size_t n)
{
	static const char *const unit[] = { "KB", "MB", "GB", "TB" };
	double d = (double)v;
	int i = -1;

	if (v < 1024) {
		snprintf(buf, n, "%llu bytes", v);
		return;
	}
	while (d >= 1024 && i < 3) {
		d /= 1024;
		i++;
	}
	if (d >= 10 || d == (double)(long long)d)
		snprintf(buf, n, "%.0f %s", d, unit[i]);
	else
		snprintf(buf, n, "%.1f %s", d, unit[i]);
}

int
qmb_env_check(struct qmb_err *err)
{
	unsigned long long sz;
	const char *v;
	int64_t t;

	if ((v = getenv("QMB_MAX_FILE")) != NULL && *v != '\0' &&
	    (qmb_size_parse(v, &sz) == -1 || sz == 0 || sz > QMB_MAX_FILE_MAX))
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "QMB_MAX_FILE: bad size '%.40s' (whole bytes with an optional K, M or G suffix, 1 to 64G)",
		    v);
	if ((v = getenv("QMB_LOG_LEVEL")) != NULL && *v != '\0' &&
	    qmb_level_parse(v) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "QMB_LOG_LEVEL: bad level '%.40s' (DEBUG, INFO, WARN or ERROR)",
		    v);
	if ((v = getenv("QMB_NOW")) != NULL && *v != '\0' &&
	    qmb_time_parse(v, &t) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "QMB_NOW: bad time '%.40s' (ISO 8601, such as 2026-01-21T14:30:00Z)",
		    v);
	if ((v = getenv("QMB_SHARED")) != NULL && *v != '\0' &&
	    strcmp(v, "group") != 0)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "QMB_SHARED: bad value '%.40s' (group, or unset)", v);
	return 0;
}

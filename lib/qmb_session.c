/* SPDX-License-Identifier: MIT */
/*
 * Invariants of a struct qmb_session that passed qmb_session_parse or
 * was built by qmb_session_apply: parts[i] != NULL exactly for
 * i < ncompleted; completed_at is set exactly when complete; reviews is
 * the compact text of a JSON array of objects.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_format.h"
#include "qmb_io.h"
#include "qmb_session.h"
#include "qmb_sha256.h"

static const char *const stage_names[QMB_NSTAGES] = {
	"Configuration", "Dimensions", "Facts", "Link Tables", "Calendars",
	"STORE & Cleanup",
};

static const char *const model_types[] = {
	"star_schema", "snowflake", "link_table", "concatenated",
};

void
qmb_session_init(struct qmb_session *s)
{
	memset(s, 0, sizeof(*s));
	s->version = QMB_SESSION_VERSION;
	memcpy(s->audit_hash, QMB_AUDIT_ZERO, sizeof(s->audit_hash));
}

static void
free_tables(struct qmb_session *s)
{
	size_t i;

	for (i = 0; i < s->ntables; i++)
		free(s->tables[i]);
	free(s->tables);
	s->tables = NULL;
	s->ntables = 0;
}

void
qmb_session_free(struct qmb_session *s)
{
	int i;

	free(s->project);
	for (i = 0; i < QMB_NSTAGES; i++)
		free(s->parts[i]);
	free(s->model_type);
	free_tables(s);
	free(s->reviews);
	free(s->user_id);
	qmb_session_init(s);
}

int
qmb_stage_index(const char *s)
{
	if (s == NULL || s[0] == '\0' || s[1] != '\0')
		return -1;
	if (s[0] >= 'A' && s[0] <= 'F')
		return s[0] - 'A';
	if (s[0] >= 'a' && s[0] <= 'f')
		return s[0] - 'a';
	return -1;
}

const char *
qmb_stage_name(int idx)
{
	return idx >= 0 && idx < QMB_NSTAGES ? stage_names[idx] : "?";
}

char
qmb_session_current(const struct qmb_session *s)
{
	return (char)('A' + (s->ncompleted < QMB_NSTAGES ? s->ncompleted :
	    QMB_NSTAGES - 1));
}

int
qmb_model_type_check(const char *t, struct qmb_err *err)
{
	size_t i;

	for (i = 0; i < sizeof(model_types) / sizeof(model_types[0]); i++)
		if (strcmp(t, model_types[i]) == 0)
			return 0;
	return qmb_errf(err, QMB_EXIT_USAGE,
	    "unknown model type '%.64s': use star_schema, snowflake, link_table or concatenated",
	    t);
}

int
qmb_name_check(const char *what, const char *s, struct qmb_err *err)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > QMB_NAME_MAX)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "%s must be 1-%d bytes", what, QMB_NAME_MAX);
	if (qmb_utf8_valid(s, n) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE, "%s is not valid UTF-8",
		    what);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "%s contains a control character", what);
	return 0;
}

static int
oom(struct qmb_err *err)
{
	return qmb_errf(err, QMB_EXIT_IO, "out of memory");
}

/* Member k of o with type t (JNULL also admits a string when nullok). */
static const struct qmb_jv *
member(const struct qmb_jv *o, const char *k, enum qmb_jtype t, int code,
    struct qmb_err *err)
{
	const struct qmb_jv *v = qmb_json_get(o, k);

	if (v == NULL) {
		qmb_errf(err, code, "missing field '%s'", k);
		return NULL;
	}
	if (v->type != t && !(t == QMB_JTRUE && v->type == QMB_JFALSE)) {
		qmb_errf(err, code, "field '%s' has the wrong type", k);
		return NULL;
	}
	return v;
}

static int
time_field(const struct qmb_jv *o, const char *k, char *out, int code,
    struct qmb_err *err)
{
	const struct qmb_jv *v;
	int64_t ms;

	if ((v = member(o, k, QMB_JSTR, code, err)) == NULL)
		return -1;
	if (v->len >= 32 || qmb_time_parse(v->str, &ms) == -1)
		return qmb_errf(err, code, "field '%s' is not an ISO 8601 time",
		    k);
	memcpy(out, v->str, v->len + 1);
	return 0;
}

static int
int_field(const struct qmb_jv *o, const char *k, int64_t *out, int code,
    struct qmb_err *err)
{
	const struct qmb_jv *v;

	if ((v = member(o, k, QMB_JNUM, code, err)) == NULL)
		return -1;
	if (!v->isint || v->i64 < 0)
		return qmb_errf(err, code,
		    "field '%s' must be a non-negative integer", k);
	*out = v->i64;
	return 0;
}

static int
set_tables(struct qmb_session *s, const struct qmb_jv *a, int code,
    struct qmb_err *err)
{
	size_t i;

	free_tables(s);
	if (a->len > 0 && (s->tables = calloc(a->len, sizeof(char *))) == NULL)
		return oom(err);
	for (i = 0; i < a->len; i++) {
		if (a->kids[i].type != QMB_JSTR ||
		    qmb_name_check("table name", a->kids[i].str, NULL) == -1)
			return qmb_errf(err, code,
			    "pending_tables[%zu] is not a valid table name", i);
		if ((s->tables[i] = strdup(a->kids[i].str)) == NULL)
			return oom(err);
		s->ntables = i + 1;
	}
	return 0;
}

static int
set_reviews(struct qmb_session *s, const struct qmb_jv *a, int code,
    struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	size_t i;

	for (i = 0; i < a->len; i++)
		if (a->kids[i].type != QMB_JOBJ)
			return qmb_errf(err, code,
			    "gemini_reviews[%zu] is not an object", i);
	qmb_buf_init(&b, qmb_io_max_file());
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_value(&jw, a);
	if (qmb_jw_finish(&jw) == -1) {
		qmb_buf_free(&b);
		return oom(err);
	}
	free(s->reviews);
	s->reviews = qmb_buf_steal(&b, NULL);
	return s->reviews == NULL ? oom(err) : 0;
}

static int
set_stages(struct qmb_session *s, const struct qmb_jv *o, int code,
    struct qmb_err *err)
{
	const struct qmb_jv *done, *parts, *cur;
	size_t i;
	int idx;

	if ((done = member(o, "completed_stages", QMB_JARR, code, err)) == NULL ||
	    (parts = member(o, "approved_script_parts", QMB_JOBJ, code,
	    err)) == NULL || (cur = member(o, "current_stage", QMB_JSTR, code,
	    err)) == NULL)
		return -1;
	if (done->len > QMB_NSTAGES)
		return qmb_errf(err, code, "completed_stages has too many stages");
	for (i = 0; i < done->len; i++)
		if (done->kids[i].type != QMB_JSTR ||
		    qmb_stage_index(done->kids[i].str) != (int)i ||
		    !isupper((unsigned char)done->kids[i].str[0]))
			return qmb_errf(err, code,
			    "completed_stages must be a prefix of A..F in order");
	s->ncompleted = (int)done->len;
	for (i = 0; i < parts->len; i++) {
		idx = qmb_stage_index(parts->kids[i].key);
		if (idx < 0 || !isupper((unsigned char)parts->kids[i].key[0]) ||
		    parts->kids[i].type != QMB_JSTR)
			return qmb_errf(err, code,
			    "approved_script_parts has a bad member '%.16s'",
			    parts->kids[i].key);
		if (idx >= s->ncompleted)
			return qmb_errf(err, code,
			    "approved_script_parts has stage %s, which is not completed",
			    parts->kids[i].key);
		if ((s->parts[idx] = strdup(parts->kids[i].str)) == NULL)
			return oom(err);
	}
	for (idx = 0; idx < s->ncompleted; idx++)
		if (s->parts[idx] == NULL)
			return qmb_errf(err, code,
			    "completed stage %c has no approved part", 'A' + idx);
	if (cur->len != 1 || cur->str[0] != qmb_session_current(s))
		return qmb_errf(err, code,
		    "current_stage must be %c, the first stage not completed",
		    qmb_session_current(s));
	return 0;
}

static int
set_status(struct qmb_session *s, const struct qmb_jv *o, int code,
    struct qmb_err *err)
{
	const struct qmb_jv *v;

	if ((v = member(o, "status", QMB_JSTR, code, err)) == NULL)
		return -1;
	if (strcmp(v->str, "complete") == 0)
		s->complete = 1;
	else if (strcmp(v->str, "active") != 0)
		return qmb_errf(err, code, "status must be active or complete");
	if (s->complete && time_field(o, "completed_at", s->completed_at, code,
	    err) == -1)
		return -1;
	if (s->complete && s->ncompleted != QMB_NSTAGES)
		return qmb_errf(err, code,
		    "a complete session must have all six stages");
	return 0;
}

static int
set_model(struct qmb_session *s, const struct qmb_jv *o, int code,
    struct qmb_err *err)
{
	const struct qmb_jv *v = qmb_json_get(o, "model_type");

	if (v == NULL)
		return qmb_errf(err, code, "missing field 'model_type'");
	if (v->type == QMB_JNULL)
		return 0;
	if (v->type != QMB_JSTR || qmb_model_type_check(v->str, NULL) == -1)
		return qmb_errf(err, code, "model_type is not a known type");
	return (s->model_type = strdup(v->str)) == NULL ? oom(err) : 0;
}

static int
check_keys(const struct qmb_jv *o, int code, struct qmb_err *err)
{
	static const char *const known[] = {
		"version", "session_id", "project_name", "created_at",
		"updated_at", "status", "completed_at", "revision", "audit_seq",
		"audit_hash", "current_stage", "completed_stages", "model_type",
		"approved_script_parts", "pending_tables", "gemini_reviews",
		"user_id",
	};
	size_t i, j;

	for (i = 0; i < o->len; i++) {
		for (j = 0; j < sizeof(known) / sizeof(known[0]); j++)
			if (strcmp(o->kids[i].key, known[j]) == 0)
				break;
		if (j == sizeof(known) / sizeof(known[0]))
			return qmb_errf(err, code, "unknown field '%.64s'",
			    o->kids[i].key);
	}
	return 0;
}

static int from_jv(const struct qmb_jv *, const char *, int,
    struct qmb_session *, struct qmb_err *);

/* An older format: upgrade it in memory, read it, remember its format. */
static int
from_older(const struct qmb_jv *o, const char *id, int code,
    struct qmb_session *s, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf b;
	int64_t fmt = s->version;
	int rc;

	qmb_buf_init(&b, qmb_io_max_file() + 4096);
	rc = qmb_format_upgrade(o, fmt, &b, code, err);
	if (rc == 0)
		rc = qmb_json_parse(b.data, b.len, b.max, code, &doc, err);
	qmb_buf_free(&b);
	if (rc == 0)
		rc = from_jv(doc.root, id, code, s, err);
	qmb_json_free(&doc);
	if (rc == 0)
		s->version = fmt;
	return rc;
}

static int
from_jv(const struct qmb_jv *o, const char *id, int code,
    struct qmb_session *s, struct qmb_err *err)
{
	const struct qmb_jv *v;

	if (qmb_format_of(o, &s->version, code, err) == -1)
		return -1;
	if (s->version > QMB_FORMAT_CURRENT)
		return qmb_format_newer(err, code, s->version);
	if (s->version < QMB_FORMAT_CURRENT)
		return from_older(o, id, code, s, err);
	if (check_keys(o, code, err) == -1)
		return -1;
	if ((v = member(o, "session_id", QMB_JSTR, code, err)) == NULL)
		return -1;
	if (qmb_id_check(v->str, NULL) == -1 || (id && strcmp(v->str, id) != 0))
		return qmb_errf(err, code, "session_id '%.64s' %s", v->str,
		    id ? "does not match the file name" : "is not a valid id");
	memcpy(s->id, v->str, v->len + 1);
	if ((v = member(o, "project_name", QMB_JSTR, code, err)) == NULL)
		return -1;
	if (qmb_name_check("project_name", v->str, NULL) == -1)
		return qmb_errf(err, code, "project_name is not a valid name");
	if ((s->project = strdup(v->str)) == NULL)
		return oom(err);
	if ((v = member(o, "user_id", QMB_JSTR, code, err)) == NULL)
		return -1;
	if ((s->user_id = strdup(v->str)) == NULL)
		return oom(err);
	if (time_field(o, "created_at", s->created_at, code, err) == -1 ||
	    time_field(o, "updated_at", s->updated_at, code, err) == -1 ||
	    int_field(o, "revision", &s->revision, code, err) == -1 ||
	    int_field(o, "audit_seq", &s->audit_seq, code, err) == -1)
		return -1;
	if ((v = member(o, "audit_hash", QMB_JSTR, code, err)) == NULL)
		return -1;
	if (!qmb_sha256_is_hex(v->str) || (s->audit_seq == 0 &&
	    strcmp(v->str, QMB_AUDIT_ZERO) != 0))
		return qmb_errf(err, code, "audit_hash is not a SHA-256 hex digest");
	memcpy(s->audit_hash, v->str, 65);
	if (set_stages(s, o, code, err) == -1 || set_status(s, o, code, err) == -1 ||
	    set_model(s, o, code, err) == -1)
		return -1;
	if ((v = member(o, "pending_tables", QMB_JARR, code, err)) == NULL ||
	    set_tables(s, v, code, err) == -1)
		return -1;
	if ((v = member(o, "gemini_reviews", QMB_JARR, code, err)) == NULL ||
	    set_reviews(s, v, code, err) == -1)
		return -1;
	return 0;
}

int
qmb_session_from_jv(const struct qmb_jv *o, const char *id, int code,
    struct qmb_session *s, struct qmb_err *err)
{
	qmb_session_init(s);
	if (from_jv(o, id, code, s, err) == -1) {
		qmb_session_free(s);
		return -1;
	}
	return 0;
}

int
qmb_session_parse(const char *text, size_t len, const char *id, int code,
    struct qmb_session *s, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	int rc;

	qmb_session_init(s);
	if (qmb_json_parse(text, len, qmb_io_max_file(), code, &doc, err) == -1)
		return -1;
	rc = qmb_session_from_jv(doc.root, id, code, s, err);
	qmb_json_free(&doc);
	return rc;
}

int
qmb_session_valid(const char *text, size_t len)
{
	struct qmb_session s;

	if (qmb_session_parse(text, len, NULL, QMB_EXIT_CORRUPT, &s, NULL) == -1)
		return 0;
	qmb_session_free(&s);
	return 1;
}

static void
write_reviews(const struct qmb_session *s, struct qmb_jw *jw)
{
	struct qmb_json_doc doc = { 0 };
	const char *r = s->reviews ? s->reviews : "[]";

	if (qmb_json_parse(r, strlen(r), 0, QMB_EXIT_INTERNAL, &doc,
	    NULL) == -1) {
		jw->error = EINVAL;
		return;
	}
	qmb_jw_value(jw, doc.root);
	qmb_json_free(&doc);
}

void
qmb_session_members(const struct qmb_session *s, struct qmb_jw *jw)
{
	char cur[2] = { qmb_session_current(s), '\0' }, st[2] = { 0, 0 };
	size_t i;
	int k;

	/* what is written is always the current format */
	qmb_jw_kint(jw, "version", QMB_SESSION_VERSION);
	qmb_jw_kstr(jw, "session_id", s->id);
	qmb_jw_kstr(jw, "project_name", s->project);
	qmb_jw_kstr(jw, "created_at", s->created_at);
	qmb_jw_kstr(jw, "updated_at", s->updated_at);
	qmb_jw_kstr(jw, "status", s->complete ? "complete" : "active");
	if (s->complete)
		qmb_jw_kstr(jw, "completed_at", s->completed_at);
	qmb_jw_kint(jw, "revision", s->revision);
	qmb_jw_kint(jw, "audit_seq", s->audit_seq);
	qmb_jw_kstr(jw, "audit_hash", s->audit_hash);
	qmb_jw_kstr(jw, "current_stage", cur);
	qmb_jw_key(jw, "completed_stages");
	qmb_jw_arr_begin(jw);
	for (k = 0; k < s->ncompleted; k++) {
		st[0] = (char)('A' + k);
		qmb_jw_str(jw, st);
	}
	qmb_jw_arr_end(jw);
	qmb_jw_key(jw, "model_type");
	qmb_jw_str(jw, s->model_type);
	qmb_jw_key(jw, "approved_script_parts");
	qmb_jw_obj_begin(jw);
	for (k = 0; k < s->ncompleted; k++) {
		st[0] = (char)('A' + k);
		qmb_jw_kstr(jw, st, s->parts[k]);
	}
	qmb_jw_obj_end(jw);
	qmb_jw_key(jw, "pending_tables");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < s->ntables; i++)
		qmb_jw_str(jw, s->tables[i]);
	qmb_jw_arr_end(jw);
	qmb_jw_key(jw, "gemini_reviews");
	write_reviews(s, jw);
	qmb_jw_kstr(jw, "user_id", s->user_id);
}

int
qmb_session_write(const struct qmb_session *s, int pretty, struct qmb_buf *b,
    struct qmb_err *err)
{
	struct qmb_jw jw;

	qmb_jw_init(&jw, b, pretty);
	qmb_jw_obj_begin(&jw);
	qmb_session_members(s, &jw);
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == -1 || (pretty && qmb_buf_addc(b, '\n') == -1))
		return qmb_errf(err, QMB_EXIT_IO,
		    "session '%s' is too large to write (limit %zu bytes)",
		    s->id, b->max);
	return 0;
}

int
qmb_session_script(const struct qmb_session *s, int upto, struct qmb_buf *b)
{
	int i;

	if (upto < 0 || upto > s->ncompleted)
		upto = s->ncompleted;
	for (i = 0; i < upto; i++) {
		size_t n = strlen(s->parts[i]);

		qmb_buf_add(b, s->parts[i], n);
		if (n == 0 || s->parts[i][n - 1] != '\n')
			qmb_buf_addc(b, '\n');
	}
	return b->error ? -1 : 0;
}

/* A line "Name:" or "[Name With Spaces]:" labels a table. */
static int
is_label(const char *p, size_t n)
{
	size_t i = 0;

	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	while (i < n && isspace((unsigned char)p[i]))
		i++;
	if (n - i < 2 || p[n - 1] != ':')
		return 0;
	if (p[i] == '[')
		return p[n - 2] == ']';
	if (!isalpha((unsigned char)p[i]) && p[i] != '_')
		return 0;
	for (; i < n - 1; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '.')
			return 0;
	return 1;
}

int
qmb_script_tables(const char *s)
{
	const char *nl;
	int n = 0;

	for (; *s != '\0'; s = nl + 1) {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s) - 1;
		n += is_label(s, (size_t)(nl - s) + (*nl != '\n'));
		if (nl[0] == '\0' || nl[1] == '\0')
			break;
	}
	return n;
}

int
qmb_session_review_for(const struct qmb_session *s, const char *sha,
    struct qmb_json_doc *doc, const struct qmb_jv **out, struct qmb_err *err)
{
	const char *r = s->reviews ? s->reviews : "[]";
	const char *h;
	size_t i;

	*out = NULL;
	if (qmb_json_parse(r, strlen(r), 0, QMB_EXIT_CORRUPT, doc, err) == -1)
		return -1;
	for (i = doc->root->len; i > 0; i--) {
		h = qmb_json_get_str(&doc->root->kids[i - 1], "script_sha256");
		if (h != NULL && strcmp(h, sha) == 0) {
			*out = &doc->root->kids[i - 1];
			break;
		}
	}
	return 0;
}

static int
file_name(char *name, const char *id, const char *suffix, struct qmb_err *err)
{
	if (qmb_id_check(id, err) == -1)
		return -1;
	return qmb_path_fmt(name, NAME_MAX + 1, err, "%s.json%s", id, suffix);
}

static int
load_file(struct qmb_proj *p, const char *id, const char *suffix,
    struct qmb_session *s, enum qmb_cur *cur, struct qmb_err *err)
{
	struct qmb_buf b;
	char name[NAME_MAX + 1];
	int dfd, rc;

	qmb_session_init(s);
	*cur = QMB_CUR_MISSING;
	if (file_name(name, id, suffix, err) == -1)
		return -1;
	if ((dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 0, err)) == -1) {
		if (err->code == QMB_EXIT_NOTFOUND)
			qmb_errf(err, QMB_EXIT_NOTFOUND,
			    "no session '%s' (no sessions in '%s')", id,
			    p->root);
		return -1;
	}
	qmb_buf_init(&b, qmb_io_max_file());
	rc = qmb_io_read_file(dfd, name, b.max, QMB_EXIT_CORRUPT, &b, err);
	if (rc == -1 && err->code == QMB_EXIT_NOTFOUND)
		qmb_errf(err, QMB_EXIT_NOTFOUND,
		    "no session '%s' (see 'qmb-session list --all')", id);
	if (rc == 0) {
		*cur = QMB_CUR_INVALID;
		rc = qmb_session_parse(b.data, b.len, id, QMB_EXIT_CORRUPT, s,
		    err);
		if (rc == 0)
			*cur = QMB_CUR_VALID;
	} else if (err->code == QMB_EXIT_CORRUPT) {
		*cur = QMB_CUR_INVALID;
	}
	if (rc == -1 && qmb_format_is_newer(err))
		qmb_err_prefix(err, "session '%s%s'", id,
		    suffix[0] ? " backup" : "");
	else if (rc == -1 && err->code == QMB_EXIT_CORRUPT)
		qmb_err_prefix(err, "session '%s%s' is damaged (run 'qmb-recover repair %s')",
		    id, suffix[0] ? " backup" : "", id);
	qmb_buf_free(&b);
	return rc;
}

int
qmb_session_load_archived(struct qmb_proj *p, const char *id,
    struct qmb_session *s, struct qmb_err *err)
{
	static const enum qmb_dir where[2] = {
		QMB_D_ARCHIVE_SESSIONS, QMB_D_ARCHIVE,
	};
	struct qmb_buf b;
	char name[NAME_MAX + 1];
	int k, dfd, rc = -1;

	qmb_session_init(s);
	if (file_name(name, id, "", err) == -1)
		return -1;
	qmb_errf(err, QMB_EXIT_NOTFOUND,
	    "no session '%s' (see 'qmb-session list --all')", id);
	for (k = 0; k < 2 && rc == -1 && err->code == QMB_EXIT_NOTFOUND; k++) {
		struct qmb_err e = QMB_ERR_INIT;

		if ((dfd = qmb_proj_dir(p, where[k], 0, &e)) == -1)
			continue;
		qmb_buf_init(&b, qmb_io_max_file());
		if (qmb_io_read_file(dfd, name, b.max, QMB_EXIT_CORRUPT, &b,
		    &e) == 0) {
			rc = qmb_session_parse(b.data, b.len, id,
			    QMB_EXIT_CORRUPT, s, err);
			if (rc == -1 && !qmb_format_is_newer(err))
				qmb_err_prefix(err, "archived session '%s' is damaged",
				    id);
			else if (rc == -1)
				qmb_err_prefix(err, "archived session '%s'", id);
		} else if (e.code != QMB_EXIT_NOTFOUND)
			*err = e;
		qmb_buf_free(&b);
	}
	return rc;
}

int
qmb_session_archived_ids(struct qmb_proj *p, char ***ids, size_t *n,
    struct qmb_err *err)
{
	static const enum qmb_dir where[2] = {
		QMB_D_ARCHIVE_SESSIONS, QMB_D_ARCHIVE,
	};
	struct qmb_err e = QMB_ERR_INIT;
	struct dirent *de;
	char id[QMB_ID_MAX + 1], **v;
	size_t len, i;
	DIR *dp;
	int k, dfd, fd;

	*ids = NULL;
	*n = 0;
	for (k = 0; k < 2; k++) {
		if ((dfd = qmb_proj_dir(p, where[k], 0, &e)) == -1)
			continue;
		if ((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1 || (dp = fdopendir(fd)) == NULL) {
			if (fd != -1)
				close(fd);
			return qmb_errsys(err, QMB_EXIT_IO, "read '%s'",
			    qmb_proj_dirname(where[k]));
		}
		while ((de = readdir(dp)) != NULL) {
			len = strlen(de->d_name);
			if (len <= 5 || len - 5 > QMB_ID_MAX ||
			    strcmp(de->d_name + len - 5, ".json") != 0)
				continue;
			memcpy(id, de->d_name, len - 5);
			id[len - 5] = '\0';
			if (qmb_id_check(id, NULL) == -1)
				continue;
			for (i = 0; i < *n && strcmp((*ids)[i], id) != 0; i++)
				;
			if (i < *n)
				continue;
			if ((v = realloc(*ids, (*n + 1) * sizeof(*v))) == NULL ||
			    (v[*n] = strdup(id)) == NULL) {
				if (v != NULL)
					*ids = v;
				closedir(dp);
				return qmb_errf(err, QMB_EXIT_IO, "out of memory");
			}
			*ids = v;
			(*n)++;
		}
		closedir(dp);
	}
	return 0;
}

int
qmb_session_load(struct qmb_proj *p, const char *id, struct qmb_session *s,
    enum qmb_cur *cur, struct qmb_err *err)
{
	return load_file(p, id, "", s, cur, err);
}

int
qmb_session_load_bak(struct qmb_proj *p, const char *id,
    struct qmb_session *s, struct qmb_err *err)
{
	enum qmb_cur cur;

	return load_file(p, id, ".bak", s, &cur, err);
}

int
qmb_session_save_text(struct qmb_proj *p, const struct qmb_session *s,
    enum qmb_cur cur, const char *text, size_t len, int *replaced,
    struct qmb_err *err)
{
	struct qmb_save sv = { 0 };
	char name[NAME_MAX + 1];
	int rc;

	if (s->version != QMB_SESSION_VERSION)
		return qmb_errf(err, QMB_EXIT_INTERNAL,
		    "internal: session '%s' is in format %lld: migrate it before saving",
		    s->id, (long long)s->version);
	if (file_name(name, s->id, "", err) == -1)
		return -1;
	sv.name = name;
	sv.mode = qmb_proj_fmode(p);
	sv.cur = cur;
	sv.valid = qmb_session_valid;
	sv.replaced = replaced;
	if ((sv.dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 1, err)) == -1)
		return -1;
	sv.corruptfd = -1;
	if (cur != QMB_CUR_VALID && cur != QMB_CUR_MISSING &&
	    (sv.corruptfd = qmb_proj_dir(p, QMB_D_CORRUPT, 1, err)) == -1)
		return -1;
	if ((rc = qmb_atomic_save(&sv, text, len, err)) == -1)
		qmb_err_prefix(err, "save session '%s'", s->id);
	return rc;
}

int
qmb_session_restore_bak(struct qmb_proj *p, const char *id,
    struct qmb_err *err)
{
	char name[NAME_MAX + 1], bak[NAME_MAX + 1], tmp[NAME_MAX + 1];
	int dfd;

	if (file_name(name, id, "", err) == -1 ||
	    file_name(bak, id, ".bak", err) == -1 ||
	    file_name(tmp, id, ".tmp", err) == -1 ||
	    (dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 0, err)) == -1)
		return -1;
	if ((qmb_io_unlinkat(dfd, tmp, 0) == -1 && errno != ENOENT) ||
	    qmb_io_linkat(dfd, bak, dfd, tmp) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "restore '%s' from its backup",
		    name);
	if (qmb_io_renameat(dfd, tmp, name) == -1) {
		qmb_errsys(err, QMB_EXIT_IO, "restore '%s' from its backup", name);
		qmb_io_unlinkat(dfd, tmp, 0);
		return -1;
	}
	return qmb_dir_sync(dfd, ".qmb/sessions", err);
}

int
qmb_session_save(struct qmb_proj *p, const struct qmb_session *s,
    enum qmb_cur cur, struct qmb_err *err)
{
	struct qmb_buf b;
	int rc;

	qmb_buf_init(&b, qmb_io_max_file());
	rc = qmb_session_write(s, 1, &b, err);
	if (rc == 0)
		rc = qmb_session_save_text(p, s, cur, b.data, b.len, NULL, err);
	else
		qmb_err_prefix(err, "save session '%s'", s->id);
	qmb_buf_free(&b);
	return rc;
}

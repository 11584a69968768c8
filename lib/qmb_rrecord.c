/* SPDX-License-Identifier: MIT */
/*
 * The review record: checking and normalising (one walk serves a
 * model's answer and a stored record), bypass records, audit details,
 * and the text for people.  Invariant: every record this module writes
 * has passed review_walk.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "qmb_clock.h"
#include "qmb_rrecord.h"
#include "qmb_sha256.h"

#define TEXT_MAX	65536	/* bytes of one text field of a review */
#define ISSUES_MAX	1000

static const char schema[] =
"{\"type\":\"object\",\"properties\":{"
"\"review_status\":{\"type\":\"string\",\"enum\":[\"approved\",\"issues_found\"]},"
"\"score\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100},"
"\"issues\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
"\"issue_id\":{\"type\":\"string\"},"
"\"severity\":{\"type\":\"string\",\"enum\":[\"critical\",\"warning\",\"info\"]},"
"\"category\":{\"type\":\"string\",\"enum\":[\"syntax\",\"anti-pattern\","
"\"best-practice\",\"model-size\"]},"
"\"title\":{\"type\":\"string\"},"
"\"location\":{\"type\":\"object\",\"properties\":{"
"\"table\":{\"type\":\"string\"},\"line\":{\"type\":\"integer\",\"minimum\":0},"
"\"field\":{\"type\":\"string\"}}},"
"\"description\":{\"type\":\"string\"},"
"\"recommendation\":{\"type\":\"string\"},"
"\"fix_example\":{\"type\":\"string\"}},"
"\"required\":[\"issue_id\",\"severity\",\"category\",\"title\","
"\"description\",\"recommendation\"]}},"
"\"summary\":{\"type\":\"string\"}},"
"\"required\":[\"review_status\",\"score\",\"issues\",\"summary\"]}";

static const char *const statuses[] = { "approved", "issues_found", NULL };
static const char *const severities[] = { "critical", "warning", "info", NULL };
static const char *const categories[] = {
	"syntax", "anti-pattern", "best-practice", "model-size", NULL
};
static const char *const sources[] = { "gemini", "cache", "bypass", NULL };

const char *
qmb_rrecord_schema(void)
{
	return schema;
}

/* ---- checking records ---------------------------------------------- */

struct walk {
	int		 stored;	/* a record, not a model's answer */
	int		 code;		/* exit code of a bad one */
	struct qmb_err	*err;
	struct qmb_jw	*jw;
};

static int
bad(struct walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
bad(struct walk *w, const char *fmt, ...)
{
	char what[QMB_ERR_MSG - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return qmb_errf(w->err, w->code, "%s: %s", w->stored ?
	    "not a valid review record" : "Gemini's answer is not a valid review",
	    what);
}

/* The member of set equal to s ignoring case, or NULL. */
static const char *
word(const char *s, const char *const *set)
{
	for (; s != NULL && *set != NULL; set++)
		if (strcasecmp(s, *set) == 0)
			return *set;
	return NULL;
}

/*
 * A string member: *out is its text, "" when missing and optional.
 * A null counts as missing.
 */
static int
text(struct walk *w, const struct qmb_jv *o, const char *key, int required,
    const char *where, const char **out)
{
	const struct qmb_jv *v = qmb_json_get(o, key);

	*out = "";
	if (v == NULL || v->type == QMB_JNULL) {
		if (required)
			return bad(w, "%s%s is missing", where, key);
		return 0;
	}
	if (v->type != QMB_JSTR)
		return bad(w, "%s%s must be a string", where, key);
	if (v->len > TEXT_MAX)
		return bad(w, "%s%s is longer than %d bytes", where, key, TEXT_MAX);
	*out = v->str;
	return 0;
}

/* An integer in [lo, hi]; a model's 72.0 counts, a record's must be 72. */
static int
integer(struct walk *w, const struct qmb_jv *v, int64_t lo, int64_t hi,
    int64_t *out)
{
	if (v == NULL || v->type != QMB_JNUM)
		return -1;
	if (v->isint)
		*out = v->i64;
	else if (!w->stored && v->dbl >= -1e15 && v->dbl <= 1e15 &&
	    (double)(int64_t)v->dbl == v->dbl)
		*out = (int64_t)v->dbl;
	else
		return -1;
	return *out >= lo && *out <= hi ? 0 : -1;
}

static int
location(struct walk *w, const struct qmb_jv *loc, const char *where)
{
	const struct qmb_jv *line;
	const char *table, *field;
	char at[48];
	int64_t n = 0;

	snprintf(at, sizeof(at), "%slocation.", where);
	qmb_jw_key(w->jw, "location");
	qmb_jw_obj_begin(w->jw);
	if (loc != NULL && loc->type != QMB_JNULL && loc->type != QMB_JOBJ)
		return bad(w, "%slocation must be an object", where);
	if (text(w, loc, "table", 0, at, &table) == -1 ||
	    text(w, loc, "field", 0, at, &field) == -1)
		return -1;
	line = qmb_json_get(loc, "line");
	if (line != NULL && line->type != QMB_JNULL &&
	    integer(w, line, 0, INT32_MAX, &n) == -1)
		return bad(w, "%sline must be a whole number", at);
	qmb_jw_key(w->jw, "table");
	qmb_jw_str(w->jw, *table ? table : NULL);
	qmb_jw_key(w->jw, "line");
	if (line == NULL || line->type == QMB_JNULL)
		qmb_jw_null(w->jw);
	else
		qmb_jw_int(w->jw, n);
	qmb_jw_key(w->jw, "field");
	qmb_jw_str(w->jw, *field ? field : NULL);
	qmb_jw_obj_end(w->jw);
	return 0;
}

static int
issue(struct walk *w, const struct qmb_jv *x, size_t i)
{
	const char *id, *sev, *cat, *title, *desc, *rec, *fix;
	char where[32], gen[16];

	snprintf(where, sizeof(where), "issues[%zu].", i);
	if (x->type != QMB_JOBJ)
		return bad(w, "issues[%zu] must be an object", i);
	if ((sev = word(qmb_json_get_str(x, "severity"), severities)) == NULL)
		return bad(w, "%sseverity must be critical, warning or info",
		    where);
	if ((cat = word(qmb_json_get_str(x, "category"), categories)) == NULL)
		return bad(w,
		    "%scategory must be syntax, anti-pattern, best-practice or model-size",
		    where);
	if (text(w, x, "issue_id", 0, where, &id) == -1 ||
	    text(w, x, "title", 1, where, &title) == -1 ||
	    text(w, x, "description", 1, where, &desc) == -1 ||
	    text(w, x, "recommendation", 0, where, &rec) == -1 ||
	    text(w, x, "fix_example", 0, where, &fix) == -1)
		return -1;
	if (*id == '\0') {
		snprintf(gen, sizeof(gen), "QMB-%03u", (unsigned)(i + 1) % 100000);
		id = gen;
	}
	qmb_jw_obj_begin(w->jw);
	qmb_jw_kstr(w->jw, "issue_id", id);
	qmb_jw_kstr(w->jw, "severity", sev);
	qmb_jw_kstr(w->jw, "category", cat);
	qmb_jw_kstr(w->jw, "title", title);
	if (location(w, qmb_json_get(x, "location"), where) == -1)
		return -1;
	qmb_jw_kstr(w->jw, "description", desc);
	qmb_jw_kstr(w->jw, "recommendation", rec);
	qmb_jw_kstr(w->jw, "fix_example", fix);
	qmb_jw_obj_end(w->jw);
	return 0;
}

/* The stored members after "summary": check them and copy them. */
static int
stored_meta(struct walk *w, const struct qmb_jv *a)
{
	static const char *const keys[] = {
		"model", "reviewed_at", "script_sha256", "source", "user_id",
		"reason"
	};
	const char *src = word(qmb_json_get_str(a, "source"), sources);
	const char *v;
	size_t i;

	if (src == NULL)
		return bad(w, "source must be gemini, cache or bypass");
	if (!qmb_sha256_is_hex(qmb_json_get_str(a, "script_sha256")))
		return bad(w, "script_sha256 must be 64 lowercase hex digits");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (text(w, a, keys[i], i == 1 || (i == 0 &&
		    strcmp(src, "bypass") != 0), "", &v) == -1)
			return -1;
		if (*v != '\0' || (i >= 1 && i <= 3))
			qmb_jw_kstr(w->jw, keys[i], v);
	}
	return 0;
}

static int
review_walk(struct walk *w, const struct qmb_jv *a,
    const struct qmb_rrecord_meta *m)
{
	const struct qmb_jv *issues;
	const char *status, *summary, *src;
	int64_t score = -1;
	size_t i;

	if (a == NULL || a->type != QMB_JOBJ)
		return bad(w, "not a JSON object");
	src = w->stored ? qmb_json_get_str(a, "source") : NULL;
	if ((status = word(qmb_json_get_str(a, "review_status"), statuses)) == NULL)
		return bad(w, "review_status must be approved or issues_found");
	if (integer(w, qmb_json_get(a, "score"), 0, 100, &score) == -1 &&
	    (src == NULL || strcmp(src, "bypass") != 0 ||
	    qmb_json_get(a, "score") != NULL))
		return bad(w, "score must be a whole number from 0 to 100");
	issues = qmb_json_get(a, "issues");
	if (issues == NULL || issues->type != QMB_JARR)
		return bad(w, "issues must be an array");
	if (issues->len > ISSUES_MAX)
		return bad(w, "more than %d issues", ISSUES_MAX);
	qmb_jw_obj_begin(w->jw);
	qmb_jw_kstr(w->jw, "review_status", status);
	if (score >= 0)
		qmb_jw_kint(w->jw, "score", score);
	qmb_jw_key(w->jw, "issues");
	qmb_jw_arr_begin(w->jw);
	for (i = 0; i < issues->len; i++)
		if (issue(w, &issues->kids[i], i) == -1)
			return -1;
	qmb_jw_arr_end(w->jw);
	if (text(w, a, "summary", 1, "", &summary) == -1)
		return -1;
	qmb_jw_kstr(w->jw, "summary", summary);
	if (w->stored) {
		if (stored_meta(w, a) == -1)
			return -1;
	} else {
		qmb_jw_kstr(w->jw, "model", m->model);
		qmb_jw_kstr(w->jw, "reviewed_at", m->reviewed_at);
		qmb_jw_kstr(w->jw, "script_sha256", m->script_sha256);
		qmb_jw_kstr(w->jw, "source", m->source);
	}
	qmb_jw_obj_end(w->jw);
	return 0;
}

int
qmb_rrecord_make(const struct qmb_jv *answer, const struct qmb_rrecord_meta *m,
    struct qmb_buf *out, struct qmb_err *err)
{
	struct qmb_jw jw;
	struct walk w = { 0, QMB_EXIT_FAIL, err, &jw };

	qmb_buf_reset(out);
	qmb_jw_init(&jw, out, 0);
	if (review_walk(&w, answer, m) == -1)
		return -1;
	if (qmb_jw_finish(&jw) == -1)
		return qmb_errf(err, QMB_EXIT_FAIL,
		    "Gemini's answer is not a valid review: too large");
	return 0;
}

int
qmb_rrecord_check(const struct qmb_jv *rec, int code, struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	struct walk w = { 1, code, err, &jw };
	int rc;

	qmb_buf_init(&b, QMB_JSON_MAX);
	qmb_jw_init(&jw, &b, 0);
	rc = review_walk(&w, rec, NULL);
	qmb_buf_free(&b);
	return rc;
}

int
qmb_rrecord_bypass(const char *sha, const char *user, const char *reason,
    struct qmb_buf *out, struct qmb_err *err)
{
	struct qmb_jw jw;
	char ts[QMB_TIME_LEN + 1], sum[QMB_RRECORD_REASON_MAX + 300];
	size_t i, n = strlen(reason);

	for (i = 0; i < n && (reason[i] == ' ' || reason[i] == '\t'); i++)
		;
	if (i == n)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "bypass needs a reason: give --reason TEXT");
	if (n > QMB_RRECORD_REASON_MAX)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "--reason is longer than %d bytes", QMB_RRECORD_REASON_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)reason[i] < 0x20 || reason[i] == 0x7f)
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "--reason must be one line without control characters");
	if (qmb_utf8_valid(reason, n) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE, "--reason is not valid UTF-8");
	qmb_time_fmt(qmb_now(), ts);
	snprintf(sum, sizeof(sum), "Review bypassed by %.200s: %s", user, reason);
	qmb_buf_reset(out);
	qmb_jw_init(&jw, out, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "review_status", "approved");
	qmb_jw_key(&jw, "issues");
	qmb_jw_arr_begin(&jw);
	qmb_jw_arr_end(&jw);
	qmb_jw_kstr(&jw, "summary", sum);
	qmb_jw_kstr(&jw, "reviewed_at", ts);
	qmb_jw_kstr(&jw, "script_sha256", sha);
	qmb_jw_kstr(&jw, "source", "bypass");
	qmb_jw_kstr(&jw, "user_id", user);
	qmb_jw_kstr(&jw, "reason", reason);
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == -1)
		return qmb_errf(err, QMB_EXIT_INTERNAL, "internal: bypass record");
	return 0;
}

size_t
qmb_rrecord_nissues(const struct qmb_jv *rec)
{
	const struct qmb_jv *a = qmb_json_get(rec, "issues");

	return a != NULL && a->type == QMB_JARR ? a->len : 0;
}

static void
details_head(struct qmb_jw *jw, const struct qmb_jv *rec, const char *reason)
{
	int64_t score;

	qmb_jw_obj_begin(jw);
	if (reason != NULL)
		qmb_jw_kstr(jw, "reason", reason);
	else {
		if (qmb_json_get_int(rec, "score", &score) == 0)
			qmb_jw_kint(jw, "score", score);
		qmb_jw_kstr(jw, "review_status",
		    qmb_json_get_str(rec, "review_status"));
	}
	qmb_jw_kstr(jw, "script_sha256", qmb_json_get_str(rec, "script_sha256"));
	if (reason == NULL)
		qmb_jw_kstr(jw, "source", qmb_json_get_str(rec, "source"));
}

int
qmb_rrecord_details(const struct qmb_jv *rec, const char *reason,
    struct qmb_buf *audit, struct qmb_buf *log)
{
	struct qmb_jw a, l;

	qmb_jw_init(&a, audit, 0);
	details_head(&a, rec, reason);
	qmb_jw_key(&a, "review");
	qmb_jw_value(&a, rec);
	qmb_jw_obj_end(&a);
	qmb_jw_init(&l, log, 0);
	details_head(&l, rec, reason);
	qmb_jw_kint(&l, "issues", (int64_t)qmb_rrecord_nissues(rec));
	if (qmb_json_get_str(rec, "model") != NULL)
		qmb_jw_kstr(&l, "model", qmb_json_get_str(rec, "model"));
	qmb_jw_obj_end(&l);
	return qmb_jw_finish(&a) == -1 || qmb_jw_finish(&l) == -1 ? -1 : 0;
}

/* ---- rendering ----------------------------------------------------- */

static const char *
str_or(const struct qmb_jv *v, const char *key, const char *dflt)
{
	const char *s = qmb_json_get_str(v, key);

	return s != NULL && *s != '\0' ? s : dflt;
}

static void
render_issue(const struct qmb_jv *x, struct qmb_buf *b)
{
	const struct qmb_jv *loc = qmb_json_get(x, "location");
	const char *t = qmb_json_get_str(loc, "table");
	const char *f = qmb_json_get_str(loc, "field");
	int64_t line;
	int any = 0;

	qmb_buf_addf(b, "  %s  [%s] %s\n", str_or(x, "issue_id", "?"),
	    str_or(x, "category", "?"), str_or(x, "title", ""));
	if (t != NULL || f != NULL || qmb_json_get_int(loc, "line", &line) == 0) {
		qmb_buf_adds(b, "      at ");
		if (t != NULL) {
			qmb_buf_addf(b, "table %s", t);
			any = 1;
		}
		if (qmb_json_get_int(loc, "line", &line) == 0) {
			qmb_buf_addf(b, "%sline %lld", any ? ", " : "",
			    (long long)line);
			any = 1;
		}
		if (f != NULL)
			qmb_buf_addf(b, "%sfield %s", any ? ", " : "", f);
		qmb_buf_addc(b, '\n');
	}
	if (*str_or(x, "description", "") != '\0')
		qmb_buf_addf(b, "      %s\n", str_or(x, "description", ""));
	if (*str_or(x, "recommendation", "") != '\0')
		qmb_buf_addf(b, "      Fix: %s\n", str_or(x, "recommendation", ""));
	if (*str_or(x, "fix_example", "") != '\0')
		qmb_buf_addf(b, "      Example: %s\n", str_or(x, "fix_example", ""));
}

void
qmb_rrecord_render(const struct qmb_jv *rec, const char *id, const char *current,
    int64_t now, struct qmb_buf *b)
{
	static const char *const names[] = { "Critical", "Warning", "Info" };
	const struct qmb_jv *issues = qmb_json_get(rec, "issues");
	const char *src = str_or(rec, "source", "?");
	const char *sha = str_or(rec, "script_sha256", "");
	const char *at = str_or(rec, "reviewed_at", "");
	char ago[64];
	int64_t score, t;
	size_t i, k, n;

	qmb_buf_addf(b, "Review%s%s: ", id ? " of session " : "", id ? id : "");
	if (qmb_json_get_int(rec, "score", &score) == 0)
		qmb_buf_addf(b, "score %lld/100, ", (long long)score);
	qmb_buf_addf(b, "%s\n", strcmp(str_or(rec, "review_status", ""),
	    "approved") == 0 ? "approved" : "issues found");
	ago[0] = '\0';
	if (qmb_time_parse(at, &t) == 0)
		qmb_time_ago(t, now, ago, sizeof(ago));
	if (strcmp(src, "bypass") == 0)
		qmb_buf_addf(b, "Bypassed by %s %s: %s\n", str_or(rec, "user_id", "?"),
		    ago, str_or(rec, "reason", ""));
	else
		qmb_buf_addf(b, "Source: %s (%s), reviewed %s (%s)\n", src,
		    str_or(rec, "model", "?"), ago, at);
	qmb_buf_addf(b, "Script: %.12s", sha);
	if (current != NULL)
		qmb_buf_adds(b, *current && strcmp(current, sha) == 0 ?
		    " (the current script)" : " (not the current script)");
	qmb_buf_addc(b, '\n');
	n = issues != NULL && issues->type == QMB_JARR ? issues->len : 0;
	for (k = 0; k < 3; k++) {
		size_t c = 0;

		for (i = 0; i < n; i++)
			c += strcmp(str_or(&issues->kids[i], "severity", ""),
			    severities[k]) == 0;
		if (c == 0)
			continue;
		qmb_buf_addf(b, "\n%s (%zu)\n", names[k], c);
		for (i = 0; i < n; i++)
			if (strcmp(str_or(&issues->kids[i], "severity", ""),
			    severities[k]) == 0)
				render_issue(&issues->kids[i], b);
	}
	if (n == 0)
		qmb_buf_adds(b, "\nNo issues.\n");
	if (*str_or(rec, "summary", "") != '\0' && strcmp(src, "bypass") != 0)
		qmb_buf_addf(b, "\nSummary: %s\n", str_or(rec, "summary", ""));
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Gemini client (qmb_gemans: envelopes, text, JSON
 * span, classes; qmb_gemini: retry policy, URL; qmb_gemreq: key,
 * endpoint, body) and of the review records (qmb_rrecord: checking,
 * normalising, bypass, audit details).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_gemini.h"
#include "qmb_json.h"
#include "qmb_rrecord.h"
#include "tap.h"

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct qmb_gem_result res;

static enum qmb_gem_class
answer(long http, const char *body, long ra)
{
	return qmb_gem_parse(http, body, strlen(body), ra, 0, 60000, &res);
}

/* A 200 envelope whose only part holds text (JSON-escaped by caller). */
static enum qmb_gem_class
ok_text(const char *escaped, const char *finish)
{
	char body[4096];

	snprintf(body, sizeof(body),
	    "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":"
	    "[{\"text\":\"%s\"}]},\"finishReason\":\"%s\",\"index\":0}],"
	    "\"usageMetadata\":{\"promptTokenCount\":100,"
	    "\"candidatesTokenCount\":50,\"totalTokenCount\":150},"
	    "\"modelVersion\":\"gemini-x\"}", escaped, finish);
	return answer(200, body, 0);
}

static int
text_is(const char *want)
{
	return res.text.data != NULL && strcmp(res.text.data, want) == 0;
}

static void
test_ok_answers(void)
{
	ok(ok_text("{\\\"a\\\":1}", "STOP") == QMB_GEM_OK && text_is("{\"a\":1}") &&
	    res.json_off == 0 && res.json_len == 7, "plain JSON text");
	ok(strcmp(res.model_version, "gemini-x") == 0 && res.in_count == 100 &&
	    res.out_count == 50 && res.all_count == 150, "usage and model version");
	ok(ok_text("```json\\n{\\\"a\\\":1}\\n```", "STOP") == QMB_GEM_OK &&
	    res.json_len == 7 && memcmp(res.text.data + res.json_off, "{\"a\":1}",
	    7) == 0, "one fence stripped");
	ok(ok_text("Here it is: {\\\"a\\\": {\\\"b\\\": 2}} hope it helps",
	    "STOP") == QMB_GEM_OK && res.json_len == 15, "object in prose");
	ok(ok_text("The script looks fine.", "STOP") == QMB_GEM_INVALID &&
	    strstr(res.msg, "holds no JSON review") != NULL && !res.retryable,
	    "prose only: invalid output, not retried");
	ok(ok_text("{\\\"a\\\":", "MAX_TOKENS") == QMB_GEM_TRUNCATED &&
	    strstr(res.msg, "MAX_TOKENS") != NULL && !res.retryable,
	    "MAX_TOKENS: truncated");
	ok(ok_text("{}", "RECITATION") == QMB_GEM_BLOCKED, "RECITATION: blocked");
	ok(ok_text("{}", "SOMETHING_NEW") == QMB_GEM_INVALID &&
	    strstr(res.msg, "SOMETHING_NEW") != NULL, "unknown finishReason");
	ok(ok_text("", "STOP") == QMB_GEM_INVALID, "empty text");
	ok(answer(200, "{\"candidates\":[{\"content\":{\"parts\":["
	    "{\"text\":\"thinking...\",\"thought\":true},{\"text\":\"{\\\"a\\\"\"},"
	    "{\"text\":\":1}\",\"thoughtSignature\":\"x\"}]},\"finishReason\":\"STOP\"}]}",
	    0) == QMB_GEM_OK && text_is("{\"a\":1}"), "thought part skipped");
	ok(answer(200, "{\"candidates\":[{\"finishReason\":\"SAFETY\",\"index\":0,"
	    "\"safetyRatings\":[{\"blocked\":true}]}]}", 0) == QMB_GEM_BLOCKED &&
	    strstr(res.msg, "finishReason SAFETY") != NULL, "SAFETY without content");
	ok(answer(200, "{\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}", 0) ==
	    QMB_GEM_BLOCKED && strstr(res.msg, "blockReason SAFETY") != NULL,
	    "blocked prompt");
	ok(answer(200, "{\"candidates\":[]}", 0) == QMB_GEM_INVALID,
	    "no candidates");
	ok(answer(200, "<html>hi</html>", 0) == QMB_GEM_INVALID && !res.retryable,
	    "200 that is not JSON");
	ok(qmb_gem_parse(200, "{}", 2, 0, 1, 60000, &res) == QMB_GEM_OK,
	    "ping: any JSON 200 is fine");
}

static void
test_error_answers(void)
{
	ok(answer(429, "{\"error\":{\"code\":429,\"message\":\"Please retry in 1.2s.\","
	    "\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":"
	    "\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":"
	    "[{\"quotaId\":\"GenerateRequestsPerMinutePerProjectPerModel\"}]},"
	    "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
	    "\"retryDelay\":\"1s\"}]}}", 0) == QMB_GEM_RATE && res.retryable &&
	    res.hint_ms == 1000, "429 per minute: retried after RetryInfo");
	ok(answer(429, "{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\","
	    "\"message\":\"q\",\"details\":[{\"@type\":"
	    "\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":"
	    "[{\"quotaId\":\"GenerateRequestsPerDayPerProjectPerModel-FreeTier\"}]},"
	    "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
	    "\"retryDelay\":\"3600s\"}]}}", 0) == QMB_GEM_RATE && !res.retryable &&
	    strstr(res.msg, "retry after 3600s") != NULL &&
	    strstr(res.msg, "PerDay") != NULL, "429 per day: final, delay quoted");
	ok(answer(429, "{\"error\":{\"code\":429,\"message\":\"m\",\"details\":[{"
	    "\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
	    "\"retryDelay\":\"61.5s\"}]}}", 0) == QMB_GEM_RATE && !res.retryable &&
	    res.hint_ms == 61500, "429 hint above the cap: final");
	ok(answer(429, "{\"error\":{\"code\":429,\"message\":\"m\"}}", 5) ==
	    QMB_GEM_RATE && res.retryable && res.hint_ms == 5000,
	    "429 Retry-After honoured");
	ok(answer(503, "[{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\","
	    "\"status\":\"UNAVAILABLE\"}}]", 0) == QMB_GEM_SERVER && res.retryable &&
	    strcmp(res.msg, "HTTP 503 UNAVAILABLE: The model is overloaded.") == 0,
	    "503 in a one-element array: retried");
	ok(answer(500, "{\"error\":{\"code\":500,\"status\":\"INTERNAL\","
	    "\"message\":\"An internal error\"}}", 0) == QMB_GEM_SERVER &&
	    res.retryable, "500 retried");
	ok(answer(502, "<html>Bad Gateway</html>", 0) == QMB_GEM_SERVER &&
	    res.retryable && strcmp(res.msg, "HTTP 502 with a non-JSON body") == 0,
	    "502 HTML: retried, clean message");
	ok(answer(504, "", 0) == QMB_GEM_SERVER && res.retryable &&
	    strcmp(res.msg, "HTTP 504 with an empty body") == 0, "504 empty");
	ok(answer(408, "", 0) == QMB_GEM_SERVER && res.retryable, "408 retried");
	ok(answer(400, "{\"error\":{\"code\":400,\"message\":\"API key not valid. "
	    "Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\","
	    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
	    "\"reason\":\"API_KEY_INVALID\"}]}}", 0) == QMB_GEM_AUTH &&
	    !res.retryable && strstr(res.msg, "(API_KEY_INVALID)") != NULL,
	    "400 API_KEY_INVALID: auth");
	ok(answer(400, "{\"error\":{\"code\":400,\"message\":\"bad\",\"details\":[{"
	    "\"@type\":\"type.googleapis.com/google.rpc.BadRequest\","
	    "\"fieldViolations\":[{\"field\":\"contents\"}]}]}}", 0) ==
	    QMB_GEM_REQUEST && strstr(res.msg, "[field contents]") != NULL,
	    "400 other: request error naming the field");
	ok(answer(401, "{}", 0) == QMB_GEM_AUTH && !res.retryable, "401 auth");
	ok(answer(403, "{\"error\":{\"code\":403,\"message\":\"leaked\"}}", 0) ==
	    QMB_GEM_AUTH && !res.retryable, "403 auth");
	ok(answer(404, "{\"error\":{\"code\":404,\"message\":\"models/x is not found\"}}",
	    0) == QMB_GEM_NOTFOUND && !res.retryable, "404 model not found");
	ok(answer(301, "", 0) == QMB_GEM_REQUEST && strstr(res.msg, "redirect") !=
	    NULL, "a redirect is never followed");
	ok(answer(418, "{\"error\":{\"message\":\"x\\ny\"}}", 0) == QMB_GEM_REQUEST &&
	    strchr(res.msg, '\n') == NULL, "other 4xx; server text on one line");
}

static void
test_policy(void)
{
	long ms = 0;

	ok(qmb_gem_duration_ms("22s", &ms) == 0 && ms == 22000, "duration 22s");
	ok(qmb_gem_duration_ms("45.837906927s", &ms) == 0 && ms == 45838,
	    "duration with nanoseconds, rounded up");
	ok(qmb_gem_duration_ms("0.5s", &ms) == 0 && ms == 500, "duration 0.5s");
	ok(qmb_gem_duration_ms("1.0000001s", &ms) == 0 && ms == 1001,
	    "duration rest rounds up");
	ok(qmb_gem_duration_ms("s", &ms) == -1 && qmb_gem_duration_ms("5", &ms) ==
	    -1 && qmb_gem_duration_ms("1.s", &ms) == -1 &&
	    qmb_gem_duration_ms("-1s", &ms) == -1 &&
	    qmb_gem_duration_ms("1sx", &ms) == -1 &&
	    qmb_gem_duration_ms("99999999999s", &ms) == -1, "bad durations");
	ok(qmb_gem_backoff(1, 1000, 60000, 0) == 1000 &&
	    qmb_gem_backoff(2, 1000, 60000, 0) == 2000 &&
	    qmb_gem_backoff(3, 1000, 60000, 0.5) == 4500, "backoff doubles, jitter added");
	ok(qmb_gem_backoff(7, 1000, 60000, 0.99) == 60000 &&
	    qmb_gem_backoff(40, 1000, 60000, 0) == 60000, "backoff capped");
	ok(qmb_gem_exit(QMB_GEM_AUTH) == QMB_EXIT_USAGE &&
	    qmb_gem_exit(QMB_GEM_NOTFOUND) == QMB_EXIT_USAGE &&
	    qmb_gem_exit(QMB_GEM_RATE) == QMB_EXIT_REMOTE &&
	    qmb_gem_exit(QMB_GEM_TRANSPORT) == QMB_EXIT_REMOTE &&
	    qmb_gem_exit(QMB_GEM_SERVER) == QMB_EXIT_REMOTE &&
	    qmb_gem_exit(QMB_GEM_BLOCKED) == QMB_EXIT_FAIL &&
	    qmb_gem_exit(QMB_GEM_INVALID) == QMB_EXIT_FAIL &&
	    qmb_gem_exit(QMB_GEM_OK) == QMB_EXIT_OK, "exit codes of the classes");
	ok(qmb_gem_queueable(QMB_GEM_RATE) && !qmb_gem_queueable(QMB_GEM_AUTH) &&
	    !qmb_gem_queueable(QMB_GEM_INVALID), "only remote failures queue");
	ok(strcmp(qmb_gem_class_name(QMB_GEM_INVALID), "invalid_output") == 0 &&
	    strcmp(qmb_gem_class_name((enum qmb_gem_class)99), "unknown") == 0,
	    "class names");
}

static void
test_span(void)
{
	size_t off = 0, n = 0;
	const char *t;

	t = "  {\"a\":1}\n";
	ok(qmb_gem_json_span(t, strlen(t), &off, &n) == 0 && off == 2 && n == 7,
	    "span: whitespace trimmed");
	t = "```\n{\"a\":1}\n```";
	ok(qmb_gem_json_span(t, strlen(t), &off, &n) == 0 && off == 4 && n == 7,
	    "span: fence without a language");
	t = "Sure:\n```json\n{\"a\":\"}\"}\n```\nDone.";
	ok(qmb_gem_json_span(t, strlen(t), &off, &n) == 0 &&
	    strncmp(t + off, "{\"a\":\"}\"}", n) == 0, "span: fence inside prose");
	t = "no braces here";
	ok(qmb_gem_json_span(t, strlen(t), &off, &n) == -1, "span: none");
	t = "{ not json }";
	ok(qmb_gem_json_span(t, strlen(t), &off, &n) == -1, "span: braces, not JSON");
	t = "[1,2]";
	ok(qmb_gem_json_span(t, strlen(t), &off, &n) == -1, "span: not an object");
}

static void
test_url_key(void)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf b;
	char key[QMB_GEM_KEY_MAX + 1];
	const char *from = NULL;

	ok(qmb_gem_check_url("https://generativelanguage.googleapis.com", &e) == 0,
	    "https accepted");
	ok(qmb_gem_check_url("http://127.0.0.1:8080", &e) == 0 &&
	    qmb_gem_check_url("http://localhost/", &e) == 0 &&
	    qmb_gem_check_url("http://[::1]:9/", &e) == 0, "http to loopback");
	ok(qmb_gem_check_url("http://example.com", &e) == -1 &&
	    e.code == QMB_EXIT_USAGE && strstr(e.msg, "plain http") != NULL,
	    "http elsewhere refused");
	ok(qmb_gem_check_url("http://127.0.0.1@example.com/", &e) == -1,
	    "user part refused");
	ok(qmb_gem_check_url("http://127.0.0.1.example.com/", &e) == -1,
	    "loopback look-alike refused");
	ok(qmb_gem_check_url("https://x.example/?key=1", &e) == -1, "query refused");
	ok(qmb_gem_check_url("ftp://127.0.0.1/", &e) == -1 &&
	    qmb_gem_check_url("not a url", &e) == -1, "other schemes refused");
	qmb_buf_init(&b, 4096);
	ok(qmb_gem_endpoint("http://127.0.0.1:1//", "models/gemini-x", &b, &e) == 0 &&
	    strcmp(b.data, "http://127.0.0.1:1/v1beta/models/gemini-x:generateContent") == 0,
	    "endpoint: slashes and models/ prefix");
	ok(qmb_gem_endpoint("https://h", "a/b", &b, &e) == -1 &&
	    qmb_gem_endpoint("https://h", "", &b, &e) == -1 &&
	    qmb_gem_endpoint("https://h", "x?key=1", &b, &e) == -1, "bad model names");
	qmb_buf_free(&b);

	ok(qmb_gem_key(NULL, NULL, " \tAQ.abc\n", key, sizeof(key), &from,
	    &e) == 0 && strcmp(key, "AQ.abc") == 0 &&
	    strcmp(from, "GEMINI_API_KEY") == 0,
	    "key from GEMINI_API_KEY, whitespace stripped");
	ok(qmb_gem_key(NULL, "AQ.google", "AQ.abc", key, sizeof(key), &from,
	    &e) == 0 && strcmp(key, "AQ.google") == 0, "GOOGLE_API_KEY wins");
	ok(qmb_gem_key(NULL, "", "AQ.abc", key, sizeof(key), &from, &e) == 0 &&
	    strcmp(key, "AQ.abc") == 0, "an empty GOOGLE_API_KEY counts as unset");
	ok(qmb_gem_key(NULL, "AQ.a b", NULL, key, sizeof(key), &from, &e) == -1 &&
	    strstr(e.msg, "AQ.a") == NULL, "inner space refused, key not quoted");
	ok(qmb_gem_key(NULL, "   ", NULL, key, sizeof(key), &from, &e) == -1 &&
	    e.code == QMB_EXIT_USAGE, "blank key refused");
	ok(qmb_gem_key(NULL, NULL, NULL, key, sizeof(key), &from, &e) == -1 &&
	    strstr(e.msg, "GEMINI_API_KEY") != NULL, "no key: says where to set one");
}

static void
test_body(void)
{
	struct qmb_gem_prompt pr = { 0 };
	struct qmb_json_doc d = { 0 };
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf b;
	const struct qmb_jv *g;

	qmb_buf_init(&b, 1 << 20);
	pr.system = "sys";
	pr.user = "user \"text\"";
	pr.schema = qmb_rrecord_schema();
	ok(qmb_gem_body(&pr, &b, &e) == 0 &&
	    qmb_json_parse(b.data, b.len, 0, QMB_EXIT_USAGE, &d, &e) == 0,
	    "request body is JSON");
	g = qmb_json_get(d.root, "generationConfig");
	ok(g != NULL && strcmp(qmb_json_get_str(g, "responseMimeType"),
	    "application/json") == 0 && qmb_json_get(g, "temperature") == NULL &&
	    qmb_json_get(g, "responseJsonSchema") != NULL &&
	    qmb_json_get(g, "thinkingConfig") == NULL, "JSON asked, no temperature");
	ok(strstr(b.data, "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":"
	    "\"user \\\"text\\\"\"}]}]") != NULL, "the user turn");
	qmb_json_free(&d);
	qmb_buf_reset(&b);
	pr.schema = NULL;
	pr.temperature = "0.2";
	ok(qmb_gem_body(&pr, &b, &e) == 0 && strstr(b.data, "\"temperature\":0.2") &&
	    strstr(b.data, "responseMimeType") == NULL, "temperature when set");
	qmb_buf_free(&b);
}

/* ---- review records ----------------------------------------------- */

static struct qmb_json_doc rdoc;
static struct qmb_buf rec;
static struct qmb_err rerr;

static int
record(const char *answer_text)
{
	struct qmb_rrecord_meta m = { "gemini-x", "2026-01-21T10:00:00.000Z",
	    SHA, "gemini" };

	qmb_json_free(&rdoc);
	memset(&rerr, 0, sizeof(rerr));
	if (qmb_json_parse(answer_text, strlen(answer_text), 0, QMB_EXIT_USAGE,
	    &rdoc, &rerr) == -1)
		return -2;
	return qmb_rrecord_make(rdoc.root, &m, &rec, &rerr);
}

static int
starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
refused(const char *answer_text, const char *what)
{
	return record(answer_text) == -1 && rerr.code == QMB_EXIT_FAIL &&
	    strstr(rerr.msg, what) != NULL;
}

#define ISSUE(sev) "{\"issue_id\":\"QMB-001\",\"severity\":\"" sev "\"," \
	"\"category\":\"syntax\",\"title\":\"t\",\"description\":\"d\"," \
	"\"recommendation\":\"r\",\"fix_example\":\"f\"," \
	"\"location\":{\"table\":\"T\",\"line\":3,\"field\":\"F\"}}"

static void
test_records(void)
{
	struct qmb_json_doc d = { 0 };
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf a, l;
	const char *t;

	qmb_buf_init(&rec, 1 << 20);
	ok(record("{\"review_status\":\"issues_found\",\"score\":72,\"issues\":["
	    ISSUE("warning") "],\"summary\":\"s\",\"extra\":1}") == 0 &&
	    strcmp(rec.data, "{\"review_status\":\"issues_found\",\"score\":72,"
	    "\"issues\":[{\"issue_id\":\"QMB-001\",\"severity\":\"warning\","
	    "\"category\":\"syntax\",\"title\":\"t\",\"location\":{\"table\":\"T\","
	    "\"line\":3,\"field\":\"F\"},\"description\":\"d\",\"recommendation\":"
	    "\"r\",\"fix_example\":\"f\"}],\"summary\":\"s\",\"model\":\"gemini-x\","
	    "\"reviewed_at\":\"2026-01-21T10:00:00.000Z\",\"script_sha256\":\"" SHA
	    "\",\"source\":\"gemini\"}") == 0, "record in DESIGN 2.4 order, extras dropped");
	ok(record("{\"review_status\":\"Approved\",\"score\":100.0,\"issues\":[],"
	    "\"summary\":\"s\"}") == 0 &&
	    strstr(rec.data, "\"review_status\":\"approved\",\"score\":100,") != NULL,
	    "case folded, 100.0 written as 100");
	ok(record("{\"review_status\":\"issues_found\",\"score\":50,\"issues\":["
	    "{\"severity\":\"INFO\",\"category\":\"model-size\",\"title\":\"t\","
	    "\"description\":\"d\"}],\"summary\":\"s\"}") == 0 &&
	    strstr(rec.data, "\"issue_id\":\"QMB-001\",\"severity\":\"info\"") &&
	    strstr(rec.data, "\"location\":{\"table\":null,\"line\":null,"
	    "\"field\":null},") && strstr(rec.data, "\"fix_example\":\"\""),
	    "missing id generated, location nulls, optional texts empty");
	ok(refused("{\"review_status\":\"issues_found\",\"score\":72.5,"
	    "\"issues\":[],\"summary\":\"s\"}", "score must be a whole number"),
	    "fractional score refused");
	ok(refused("{\"review_status\":\"issues_found\",\"score\":101,"
	    "\"issues\":[],\"summary\":\"s\"}", "score"), "score above 100 refused");
	ok(refused("{\"review_status\":\"issues_found\",\"score\":\"72\","
	    "\"issues\":[],\"summary\":\"s\"}", "score"), "score as text refused");
	ok(refused("{\"review_status\":\"fine\",\"score\":7,\"issues\":[],"
	    "\"summary\":\"s\"}", "review_status must be"), "bad status refused");
	ok(refused("{\"review_status\":\"approved\",\"score\":7,\"issues\":["
	    ISSUE("fatal") "],\"summary\":\"s\"}", "issues[0].severity"),
	    "bad severity refused");
	ok(refused("{\"review_status\":\"approved\",\"score\":7,\"issues\":["
	    "{\"severity\":\"info\",\"category\":\"style\",\"title\":\"t\","
	    "\"description\":\"d\"}],\"summary\":\"s\"}", "issues[0].category"),
	    "bad category refused");
	ok(refused("{\"review_status\":\"approved\",\"score\":7,\"issues\":["
	    "{\"severity\":\"info\",\"category\":\"syntax\",\"description\":\"d\"}],"
	    "\"summary\":\"s\"}", "issues[0].title is missing"), "missing title");
	ok(refused("{\"review_status\":\"approved\",\"score\":7,\"issues\":["
	    "{\"severity\":\"info\",\"category\":\"syntax\",\"title\":\"t\","
	    "\"description\":\"d\",\"location\":{\"line\":1.5}}],\"summary\":\"s\"}",
	    "location.line"), "fractional line refused");
	ok(refused("{\"review_status\":\"approved\",\"score\":7,\"issues\":{},"
	    "\"summary\":\"s\"}", "issues must be an array"), "issues not an array");
	ok(refused("{\"review_status\":\"approved\",\"score\":7,\"issues\":[]}",
	    "summary is missing"), "missing summary");
	ok(refused("[]", "not a JSON object"), "not an object");

	/* stored records */
	record("{\"review_status\":\"approved\",\"score\":90,\"issues\":[],"
	    "\"summary\":\"s\"}");
	qmb_json_free(&rdoc);
	qmb_json_parse(rec.data, rec.len, 0, QMB_EXIT_USAGE, &rdoc, &rerr);
	ok(qmb_rrecord_check(rdoc.root, QMB_EXIT_CORRUPT, &e) == 0,
	    "a written record checks");
	qmb_json_free(&d);
	t = "{\"review_status\":\"approved\",\"score\":90.0,\"issues\":[],"
	    "\"summary\":\"s\",\"model\":\"m\",\"reviewed_at\":\"t\","
	    "\"script_sha256\":\"" SHA "\",\"source\":\"gemini\"}";
	qmb_json_parse(t, strlen(t), 0, QMB_EXIT_USAGE, &d, &e);
	ok(d.root != NULL && qmb_rrecord_check(d.root, QMB_EXIT_CORRUPT, &e) == -1 &&
	    e.code == QMB_EXIT_CORRUPT, "a stored float score is refused");
	qmb_json_free(&d);

	ok(qmb_rrecord_bypass(SHA, "u@x", "", &rec, &e) == -1 &&
	    e.code == QMB_EXIT_USAGE, "bypass needs a reason");
	ok(qmb_rrecord_bypass(SHA, "u@x", "a\nb", &rec, &e) == -1,
	    "bypass reason on one line");
	ok(qmb_rrecord_bypass(SHA, "u@x", "Gemini down", &rec, &e) == 0 &&
	    qmb_json_parse(rec.data, rec.len, 0, QMB_EXIT_USAGE, &d, &e) == 0 &&
	    qmb_rrecord_check(d.root, QMB_EXIT_CORRUPT, &e) == 0 &&
	    qmb_json_get(d.root, "score") == NULL &&
	    strcmp(qmb_json_get_str(d.root, "source"), "bypass") == 0 &&
	    strcmp(qmb_json_get_str(d.root, "reason"), "Gemini down") == 0,
	    "bypass record: no score, user and reason");
	qmb_buf_init(&a, 1 << 20);
	qmb_buf_init(&l, 1 << 20);
	ok(qmb_rrecord_details(d.root, "Gemini down", &a, &l) == 0 &&
	    starts(a.data, "{\"reason\":\"Gemini down\",\"script_sha256\":\"" SHA
	    "\",\"review\":{") && strstr(l.data, "\"review\"") == NULL,
	    "bypass details: reason, hash, review");
	qmb_json_free(&d);
	qmb_buf_reset(&a);
	qmb_buf_reset(&l);
	ok(qmb_rrecord_details(rdoc.root, NULL, &a, &l) == 0 &&
	    starts(a.data, "{\"score\":90,\"review_status\":\"approved\","
	    "\"script_sha256\":\"" SHA "\",\"source\":\"gemini\",\"review\":{") &&
	    strstr(l.data, "\"issues\":0") != NULL, "recorded details: integers only");
	qmb_buf_free(&a);
	qmb_buf_free(&l);
	qmb_json_free(&rdoc);
	qmb_buf_free(&rec);
}

int
main(void)
{
	qmb_gem_result_init(&res);
	test_ok_answers();
	test_error_answers();
	test_policy();
	test_span();
	test_url_key();
	test_body();
	test_records();
	qmb_gem_result_free(&res);
	return tap_done();
}

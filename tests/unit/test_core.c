/* SPDX-License-Identifier: MIT */
/* Unit tests: clock, sha256, ids, buffers, sizes, log lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_buf.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_log.h"
#include "qmb_paths.h"
#include "qmb_sha256.h"
#include "tap.h"

static void
test_clock(void)
{
	char buf[QMB_TIME_LEN + 1], rel[64];
	int64_t ms, d;

	qmb_time_fmt(0, buf);
	ok(strcmp(buf, "1970-01-01T00:00:00.000Z") == 0, "epoch formats");
	qmb_time_fmt(1768991400123LL, buf);
	ok(strcmp(buf, "2026-01-21T10:30:00.123Z") == 0, "a 2026 time formats: %s", buf);
	ok(qmb_time_parse("2026-01-21T10:30:00.123Z", &ms) == 0 &&
	    ms == 1768991400123LL, "parse with milliseconds");
	ok(qmb_time_parse("2026-01-21T10:30:00Z", &ms) == 0 &&
	    ms == 1768991400000LL, "parse without fraction");
	ok(qmb_time_parse("2026-01-21T12:30:00+02:00", &ms) == 0 &&
	    ms == 1768991400000LL, "parse with an offset");
	ok(qmb_time_parse("2026-01-21", &ms) == 0 && ms == 1768953600000LL,
	    "a date alone is midnight UTC");
	ok(qmb_time_parse("2024-02-29T00:00:00Z", &ms) == 0, "leap day");
	ok(qmb_time_parse("2026-13-01T00:00:00Z", &ms) == -1, "month 13 refused");
	ok(qmb_time_parse("2026-01-21T25:00:00Z", &ms) == -1, "hour 25 refused");
	ok(qmb_time_parse("2026-01-21T10:30:00", &ms) == -1, "no zone refused");
	ok(qmb_time_parse("yesterday", &ms) == -1, "words refused");
	ok(qmb_time_parse("", &ms) == -1, "empty refused");
	for (ms = -86400000LL * 400; ms < 86400000LL * 365 * 300;
	    ms += 86400000LL * 37 + 12345) {
		qmb_time_fmt(ms, buf);
		if (qmb_time_parse(buf, &d) == -1 || d != ms)
			break;
	}
	ok(ms >= 86400000LL * 365 * 300, "format/parse round trip over 300 years");
	ok(qmb_duration_parse("10m", &d) == 0 && d == 600000, "10m");
	ok(qmb_duration_parse("2h", &d) == 0 && d == 7200000, "2h");
	ok(qmb_duration_parse("7d", &d) == 0 && d == 604800000, "7d");
	ok(qmb_duration_parse("1w", &d) == 0 && d == 604800000, "1w");
	ok(qmb_duration_parse("90s", &d) == 0 && d == 90000, "90s");
	ok(qmb_duration_parse("10", &d) == -1, "a unit is required");
	ok(qmb_duration_parse("-1h", &d) == -1, "negative refused");
	ok(qmb_duration_parse("1hx", &d) == -1, "trailing junk refused");
	qmb_time_ago(0, 10 * 60000, rel, sizeof(rel));
	ok(strcmp(rel, "10 minutes ago") == 0, "10 minutes ago: %s", rel);
	qmb_time_ago(0, 60000, rel, sizeof(rel));
	ok(strcmp(rel, "1 minute ago") == 0, "1 minute ago");
	qmb_time_ago(0, 2 * 86400000LL + 5, rel, sizeof(rel));
	ok(strcmp(rel, "2 days ago") == 0, "2 days ago");
	qmb_time_ago(0, 30000, rel, sizeof(rel));
	ok(strcmp(rel, "just now") == 0, "just now");
	qmb_time_ago(3 * 3600000LL, 0, rel, sizeof(rel));
	ok(strcmp(rel, "in 3 hours") == 0, "future: %s", rel);
	setenv("QMB_NOW", "2026-01-21T10:30:00.123Z", 1);
	ok(qmb_now() == 1768991400123LL, "QMB_NOW overrides the clock");
	unsetenv("QMB_NOW");
	ok(qmb_now() > 1768991400123LL, "the real clock is later");
}

static void
test_sha(void)
{
	struct qmb_sha256 s;
	char hex[QMB_SHA256_HEX + 1];

	qmb_sha256("", 0, hex);
	ok(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
	    "sha256 of nothing");
	qmb_sha256("abc", 3, hex);
	ok(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
	    "sha256 of abc");
	qmb_sha256_init(&s);
	qmb_sha256_update(&s, "a", 1);
	qmb_sha256_update(&s, "bc", 2);
	qmb_sha256_hex(&s, hex);
	ok(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
	    "incremental sha256");
}

static void
test_ids(void)
{
	static const char *const bad[] = {
		"", ".", "..", "../../etc/passwd", "a/b", "a\\b", "-a", "_a",
		"a b", "a\nb", "%2e%2e", "\xd0\xb0", "a.json",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	struct qmb_err err = QMB_ERR_INIT;
	char u[37], v[37];
	size_t i, refused = 0;

	ok(qmb_id_check("abc-123_X", &err) == 0, "a plain id passes");
	ok(qmb_id_check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    &err) == 0, "64 characters pass");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused += qmb_id_check(bad[i], &err) == -1 &&
		    err.code == QMB_EXIT_USAGE;
	ok(refused == sizeof(bad) / sizeof(bad[0]), "hostile ids refused (%zu)",
	    refused);
	ok(strstr(err.msg, "invalid session id") != NULL, "message says why");
	ok(qmb_uuid7(u, &err) == 0 && strlen(u) == 36 && u[14] == '7' &&
	    strchr("89ab", u[19]) != NULL, "uuid7 shape: %s", u);
	ok(qmb_id_check(u, &err) == 0, "a uuid7 is a valid id");
	qmb_uuid7(v, &err);
	ok(strcmp(u, v) != 0, "two uuid7 differ");
	setenv("QMB_NOW", "2026-01-21T10:30:00.000Z", 1);
	qmb_uuid7(u, &err);
	setenv("QMB_NOW", "2026-01-21T10:30:01.000Z", 1);
	qmb_uuid7(v, &err);
	unsetenv("QMB_NOW");
	ok(strcmp(u, v) < 0, "uuid7 sorts by time");
}

static void
test_buf_size(void)
{
	struct qmb_buf b;
	unsigned long long v;
	char *p;
	size_t n;

	qmb_buf_init(&b, 8);
	ok(qmb_buf_adds(&b, "12345678") == 0 && b.len == 8, "fill to max");
	ok(qmb_buf_addc(&b, 'x') == -1 && b.error != 0, "past max fails");
	ok(qmb_buf_adds(&b, "") == -1, "error is sticky");
	qmb_buf_reset(&b);
	ok(qmb_buf_addf(&b, "%d-%s", 42, "ab") == 0 && strcmp(b.data, "42-ab") == 0,
	    "addf");
	p = qmb_buf_steal(&b, &n);
	ok(p != NULL && n == 5 && b.data == NULL, "steal");
	free(p);
	qmb_buf_free(&b);
	ok(qmb_size_parse("10M", &v) == 0 && v == 10485760ULL, "10M");
	ok(qmb_size_parse("512K", &v) == 0 && v == 524288ULL, "512K");
	ok(qmb_size_parse("1G", &v) == 0 && v == 1073741824ULL, "1G");
	ok(qmb_size_parse("4096", &v) == 0 && v == 4096ULL, "bytes");
	ok(qmb_size_parse("10MB", &v) == 0 && v == 10485760ULL, "10MB");
	ok(qmb_size_parse("10X", &v) == -1, "bad suffix");
	ok(qmb_size_parse("-1", &v) == -1, "negative");
	ok(qmb_size_parse("99999999999999999999G", &v) == -1, "overflow");
	setenv("QMB_MAX_FILE", "1M", 1);
	ok(qmb_io_max_file() == 1048576, "QMB_MAX_FILE");
	unsetenv("QMB_MAX_FILE");
	ok(qmb_io_max_file() == 16u << 20, "default 16 MiB");
}

static void
test_logline(void)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_logent e = { 0 };
	struct qmb_buf b;
	struct qmb_json_doc doc = { 0 };
	const struct qmb_jv *d;

	e.time = 1768991400123LL;
	e.level = QMB_INFO;
	e.session_id = "abc-123";
	e.stage = "B";
	e.component = "script_builder";
	e.action = "table_generated";
	e.details = "{\"table\":\"DIM_Customers\",\"fields\":5,"
	    "\"nested\":{\"API-Key\":\"k1\",\"list\":[{\"password\":\"p\"}]},"
	    "\"Bearer_Token\":\"t\",\"note\":\"x\"}";
	e.user_id = "user@company.com";
	qmb_buf_init(&b, 0);
	ok(qmb_log_format(&e, &b, &err) == 0, "format a line");
	ok(b.len > 0 && b.data[b.len - 1] == '\n' &&
	    memchr(b.data, '\n', b.len - 1) == NULL, "one line, newline last");
	ok(strncmp(b.data, "{\"timestamp\":\"2026-01-21T10:30:00.123Z\",\"level\":\"INFO\","
	    "\"session_id\":\"abc-123\",\"stage\":\"B\",\"component\":\"script_builder\","
	    "\"action\":\"table_generated\",\"details\":{\"table\":\"DIM_Customers\"",
	    strlen("{\"timestamp\":\"2026-01-21T10:30:00.123Z\",\"level\":\"INFO\","
	    "\"session_id\":\"abc-123\",\"stage\":\"B\",\"component\":\"script_builder\","
	    "\"action\":\"table_generated\",\"details\":{\"table\":\"DIM_Customers\"")) == 0,
	    "keys in DESIGN order");
	ok(qmb_json_parse(b.data, b.len, 0, 0, &doc, &err) == 0, "line parses");
	d = qmb_json_get(doc.root, "details");
	ok(strcmp(qmb_json_get_str(qmb_json_get(d, "nested"), "API-Key"),
	    "[REDACTED]") == 0, "nested api key redacted");
	ok(strcmp(qmb_json_get_str(&qmb_json_get(qmb_json_get(d, "nested"),
	    "list")->kids[0], "password"), "[REDACTED]") == 0,
	    "password inside an array redacted");
	ok(strcmp(qmb_json_get_str(d, "Bearer_Token"), "[REDACTED]") == 0,
	    "bearer token redacted");
	ok(strcmp(qmb_json_get_str(d, "note"), "x") == 0, "others kept");
	ok(strcmp(qmb_json_get_str(doc.root, "user_id"), "user@company.com") == 0,
	    "user_id last");
	qmb_json_free(&doc);
	e.stage = NULL;
	e.user_id = NULL;
	e.details = NULL;
	qmb_log_format(&e, &b, &err);
	ok(strstr(b.data, "\"stage\"") == NULL && strstr(b.data, "user_id") == NULL &&
	    strstr(b.data, "\"details\":{}") != NULL, "unknown stage and user omitted");
	e.details = "[1]";
	ok(qmb_log_format(&e, &b, &err) == -1 && err.code == QMB_EXIT_USAGE,
	    "details must be an object");
	ok(qmb_log_redact_key("access_token") && qmb_log_redact_key("Authorization") &&
	    qmb_log_redact_key("client-secret") && qmb_log_redact_key("CREDENTIALS") &&
	    !qmb_log_redact_key("table") && !qmb_log_redact_key("stage"),
	    "redaction keys");
	ok(qmb_level_parse("warn") == QMB_WARN && qmb_level_parse("ERROR") ==
	    QMB_ERROR && qmb_level_parse("loud") == -1, "levels");
	setenv("QMB_LOG_LEVEL", "WARN", 1);
	ok(qmb_log_threshold() == QMB_WARN, "QMB_LOG_LEVEL");
	unsetenv("QMB_LOG_LEVEL");
	qmb_buf_free(&b);
}

int
main(void)
{
	test_clock();
	test_sha();
	test_ids();
	test_buf_size();
	test_logline();
	return tap_done();
}

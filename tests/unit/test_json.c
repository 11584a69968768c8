/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_buf.h"
#include "qmb_err.h"
#include "qmb_json.h"
#include "tap.h"

static struct qmb_err err;
static struct qmb_json_doc doc;

/* Parse s[0..n) with the default limit; 0 or -1.  The doc stays. */
static int
parsen(const char *s, size_t n)
{
	qmb_json_free(&doc);
	memset(&err, 0, sizeof(err));
	return qmb_json_parse(s, n, 0, QMB_EXIT_CORRUPT, &doc, &err);
}

static int
parse(const char *s)
{
	return parsen(s, strlen(s));
}

static int
good(const char *s)
{
	return parse(s) == 0 && doc.root != NULL;
}

/* Refused, doc empty, and the message names byte off (off < 0: any). */
static int
badn(const char *s, size_t n, long off)
{
	char want[64];

	if (parsen(s, n) != -1 || doc.root != NULL || doc.mem != NULL ||
	    doc.strs != NULL || err.code != QMB_EXIT_CORRUPT ||
	    strncmp(err.msg, "invalid JSON at byte ", 21) != 0)
		return 0;
	if (off < 0)
		return 1;
	snprintf(want, sizeof(want), "invalid JSON at byte %ld: ", off);
	return strncmp(err.msg, want, strlen(want)) == 0;
}

static int
bad(const char *s, long off)
{
	return badn(s, strlen(s), off);
}

static int
msg_is(const char *s, const char *want)
{
	if (parse(s) != -1)
		return 0;
	if (strcmp(err.msg, want) != 0) {
		printf("# got \"%s\"\n", err.msg);
		return 0;
	}
	return 1;
}

/* The single string value parsed from s equals want[0..n). */
static int
str_is(const char *s, const char *want, size_t n)
{
	return parse(s) == 0 && doc.root->type == QMB_JSTR &&
	    doc.root->len == n && memcmp(doc.root->str, want, n) == 0 &&
	    doc.root->str[n] == '\0';
}

/* qmb_json_escape(s[0..n)) gives exactly want. */
static int
esc_is(const char *s, size_t n, const char *want)
{
	struct qmb_buf b;
	int r;

	qmb_buf_init(&b, 1 << 20);
	r = qmb_json_escape(&b, s, n) == 0 && b.len == strlen(want) &&
	    memcmp(b.data, want, b.len) == 0;
	if (!r)
		printf("# got %s\n", b.data ? b.data : "(null)");
	qmb_buf_free(&b);
	return r;
}

/* Parse s, write it back with qmb_jw_value, compare with want. */
static int
roundtrip(const char *s, int pretty, const char *want)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	int r;

	if (parse(s) == -1)
		return 0;
	qmb_buf_init(&b, 1 << 20);
	qmb_jw_init(&jw, &b, pretty);
	qmb_jw_value(&jw, doc.root);
	r = qmb_jw_finish(&jw) == 0 && strcmp(b.data, want) == 0;
	if (!r)
		printf("# got %s\n", b.data ? b.data : "(null)");
	qmb_buf_free(&b);
	return r;
}

static char *
repeat(const char *a, size_t na, const char *b, size_t nb)
{
	size_t la = strlen(a), lb = strlen(b), i;
	char *s = malloc(la * na + lb * nb + 1), *p = s;

	if (s == NULL)
		abort();
	for (i = 0; i < na; i++, p += la)
		memcpy(p, a, la);
	for (i = 0; i < nb; i++, p += lb)
		memcpy(p, b, lb);
	*p = '\0';
	return s;
}

static void
test_valid(void)
{
	const struct qmb_jv *v;

	ok(good("null") && doc.root->type == QMB_JNULL, "null");
	ok(good("true") && doc.root->type == QMB_JTRUE, "true");
	ok(good("false") && doc.root->type == QMB_JFALSE, "false");
	ok(good(" \t\r\n0 \t\r\n") && doc.root->type == QMB_JNUM &&
	    doc.root->isint && doc.root->i64 == 0, "0 with whitespace");
	ok(good("-0") && doc.root->isint && doc.root->i64 == 0 &&
	    strcmp(doc.root->num, "-0") == 0, "-0");
	ok(good("1.5") && !doc.root->isint && doc.root->dbl == 1.5 &&
	    strcmp(doc.root->num, "1.5") == 0, "1.5");
	ok(good("-12.25e1") && doc.root->dbl == -122.5, "-12.25e1");
	ok(good("1E+2") && doc.root->dbl == 100 && !doc.root->isint,
	    "1E+2 is not isint");
	ok(good("5e-1") && doc.root->dbl == 0.5, "5e-1");
	ok(good("0.0e-0") && doc.root->dbl == 0, "0.0e-0");
	ok(good("123456789") && doc.root->i64 == 123456789, "integer");
	ok(good("\"abc\"") && doc.root->type == QMB_JSTR &&
	    doc.root->len == 3 && strcmp(doc.root->str, "abc") == 0,
	    "string");
	ok(good("\"\"") && doc.root->len == 0 && doc.root->str[0] == '\0',
	    "empty string");
	ok(good("[]") && doc.root->type == QMB_JARR && doc.root->len == 0,
	    "empty array");
	ok(good("{}") && doc.root->type == QMB_JOBJ && doc.root->len == 0,
	    "empty object");
	ok(good(" [ 1 , 2 ,3 ] ") && doc.root->len == 3 &&
	    doc.root->kids[2].i64 == 3 && doc.root->kids[0].key == NULL,
	    "array with spaces");
	ok(good("{\"a\":[1,{\"b\":null},[]],\"c\":\"d\",\"e\":{}}"),
	    "nested document");
	v = doc.root;
	ok(v->len == 3 && strcmp(v->kids[0].key, "a") == 0 &&
	    strcmp(v->kids[1].key, "c") == 0 &&
	    strcmp(v->kids[2].key, "e") == 0,
	    "members keep their order");
	ok(v->kids[0].type == QMB_JARR && v->kids[0].len == 3 &&
	    v->kids[0].kids[1].type == QMB_JOBJ &&
	    strcmp(v->kids[0].kids[1].kids[0].key, "b") == 0 &&
	    v->kids[0].kids[1].kids[0].type == QMB_JNULL &&
	    v->kids[0].kids[2].len == 0, "nested kids");
	ok(v->kids[2].type == QMB_JOBJ && v->kids[2].len == 0,
	    "empty nested object");
	ok(good("[[1,[2,[3]]],[4],5]") && doc.root->kids[0].kids[1].kids[1]
	    .kids[0].i64 == 3 && doc.root->kids[1].kids[0].i64 == 4 &&
	    doc.root->kids[2].i64 == 5, "deep array layout");
	ok(good("{\"\":1}") && strcmp(doc.root->kids[0].key, "") == 0,
	    "empty key");
	ok(good("\"a\x7f\"") && doc.root->str[1] == 0x7f, "raw DEL accepted");
	ok(good("[\"x\",true,false,null,-1]") && doc.root->len == 5 &&
	    doc.root->kids[1].type == QMB_JTRUE &&
	    doc.root->kids[2].type == QMB_JFALSE &&
	    doc.root->kids[3].type == QMB_JNULL &&
	    doc.root->kids[4].i64 == -1, "mixed array");
}

static void
test_strings(void)
{
	ok(str_is("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8),
	    "simple escapes");
	ok(str_is("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6),
	    "\\u escapes, both cases of hex");
	ok(str_is("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4),
	    "surrogate pair joined");
	ok(str_is("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4),
	    "highest pair");
	ok(str_is("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9), "raw UTF-8");
	ok(str_is("\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"",
	    "\xef\xbf\xbf\xf4\x8f\xbf\xbf", 7), "U+FFFF and U+10FFFF");
	ok(bad("\"\\x\"", 1), "bad escape \\x");
	ok(bad("[\"ab\\u12\"]", 4), "short \\u12");
	ok(bad("\"\\u12G4\"", 1), "non-hex \\u12G4");
	ok(bad("\"\\ud800\"", 1), "lone high surrogate");
	ok(bad("\"\\udc00\"", 1), "lone low surrogate");
	ok(bad("\"\\ud800\\u0041\"", 1), "high then non-low");
	ok(bad("\"\\ud800x\"", 1), "high then text");
	ok(bad("\"\\ude00\\ud83d\"", 1), "pair in wrong order");
	ok(bad("\"\\u0000\"", 1), "\\u0000 refused");
	ok(bad("\"a\x01\"", 2), "raw control character");
	ok(bad("\"a\tb\"", 2), "raw tab");
	ok(bad("\"a\nb\"", 2), "raw newline");
	ok(bad("\"\xc0\x80\"", 1), "overlong C0 80");
	ok(bad("\"\xc1\xbf\"", 1), "overlong C1 BF");
	ok(bad("\"\xe0\x80\x80\"", 1), "overlong E0 80 80");
	ok(bad("\"\xf0\x80\x80\x80\"", 1), "overlong F0 80 80 80");
	ok(bad("\"ab\xed\xa0\x80\"", 3), "encoded surrogate ED A0 80");
	ok(bad("\"\xf4\x90\x80\x80\"", 1), "F4 90 80 80 above U+10FFFF");
	ok(bad("\"\xf5\x80\x80\x80\"", 1), "F5 lead byte");
	ok(bad("\"\xe2\x82\"", 1), "truncated 3-byte sequence");
	ok(bad("\"\xe2\x82x\"", 1), "interrupted 3-byte sequence");
	ok(bad("\"\x80\"", 1), "lone continuation byte");
	ok(bad("\"\xff\"", 1), "FF byte");
	ok(bad("\"abc", 0), "unterminated string");
	ok(bad("{\"\xc0\x80\":1}", 2), "bad UTF-8 in a key");
	ok(bad("[\"a\",\"\\q\"]", 6), "bad escape in second string");
}

static void
test_numbers(void)
{
	ok(bad("01", 0), "leading zero 01");
	ok(bad("[01]", 1), "leading zero in array");
	ok(bad("-01", 0), "-01");
	ok(bad("1.", 0), "1.");
	ok(bad("[1.]", 1), "[1.]");
	ok(bad(".5", 0), ".5");
	ok(bad("[.5]", 1), "[.5]");
	ok(bad("-", 0), "-");
	ok(bad("[-]", 1), "[-]");
	ok(bad("+1", 0), "+1");
	ok(bad("[+1]", 1), "[+1]");
	ok(bad("1e", 0), "1e");
	ok(bad("1e+", 0), "1e+");
	ok(bad("1.e5", 0), "1.e5");
	ok(bad("0x10", 0), "hex");
	ok(bad("NaN", 0), "NaN");
	ok(bad("[NaN]", 1), "[NaN]");
	ok(bad("Infinity", 0), "Infinity");
	ok(bad("-Infinity", 0), "-Infinity");
	ok(bad("tru", 0), "tru");
	ok(bad("[tru]", 1), "[tru]");
	ok(bad("nul", 0), "nul");
	ok(bad("True", 0), "True");
	ok(bad("truex", 0), "truex");
	ok(bad("[1e400]", 1), "1e400 refused");
	ok(bad("-1e400", 0), "-1e400 refused");
	ok(good("1e308") && doc.root->dbl == 1e308, "1e308 accepted");
	ok(good("1e-400") && doc.root->dbl == 0, "1e-400 underflows to 0");
	ok(good("9223372036854775807") && doc.root->isint &&
	    doc.root->i64 == INT64_MAX, "INT64_MAX");
	ok(good("-9223372036854775808") && doc.root->isint &&
	    doc.root->i64 == INT64_MIN, "INT64_MIN");
	ok(good("9223372036854775808") && !doc.root->isint &&
	    doc.root->dbl == 9223372036854775808.0, "INT64_MAX + 1 not int");
	ok(good("-9223372036854775809") && !doc.root->isint,
	    "INT64_MIN - 1 not int");
	ok(good("100000000000000000000000000000") && !doc.root->isint &&
	    doc.root->dbl == 1e29, "huge integer is a double");
	ok(good("1.0") && !doc.root->isint, "1.0 has a fraction");
}

static void
test_structure(void)
{
	ok(msg_is("", "invalid JSON at byte 0: unexpected end of input"),
	    "empty text");
	ok(bad("  \n ", 4), "whitespace only");
	ok(msg_is("[1,]", "invalid JSON at byte 2: trailing comma"),
	    "trailing comma in array");
	ok(bad("{\"a\":1,}", 6), "trailing comma in object");
	ok(msg_is("[1 2]", "invalid JSON at byte 3: expected ',' or ']'"),
	    "[1 2]");
	ok(bad("{\"a\" 1}", 5), "{\"a\" 1}");
	ok(msg_is("{\"a\":1 \"b\":2}",
	    "invalid JSON at byte 7: expected ',' or '}'"), "missing comma");
	ok(msg_is("{\"a\" \"b\"}", "invalid JSON at byte 5: expected ':'"),
	    "missing colon");
	ok(bad("{\"a\"}", 4), "key without value");
	ok(bad("{\"a\":}", 5), "colon without value");
	ok(bad("{\"a\"::1}", 5), "double colon");
	ok(bad("{,}", 1), "{,}");
	ok(bad("[,1]", 1), "[,1]");
	ok(bad("[1,,2]", 3), "[1,,2]");
	ok(bad("[,]", 1), "[,]");
	ok(bad("{1:2}", 1), "number key");
	ok(bad("{\"a\":1,2:3}", 7), "number key after comma");
	ok(bad("{[]:1}", 1), "array key");
	ok(bad("[\"a\":1]", -1), "colon in array");
	ok(bad("[1]]", 3), "extra close");
	ok(bad("[1] x", 4), "trailing garbage");
	ok(msg_is("[1] [2]",
	    "invalid JSON at byte 4: unexpected data after value"),
	    "two documents");
	ok(bad("1 2", 2), "two numbers");
	ok(bad("\"a\" \"b\"", 4), "two strings");
	ok(bad("{}{}", 2), "two objects");
	ok(bad("[1],", 3), "trailing comma at top");
	ok(bad("[}", 1), "mismatched [}");
	ok(bad("{\"a\":[1,2}", 9), "mismatched in object");
	ok(bad("{]", 1), "mismatched {]");
	ok(msg_is("[", "invalid JSON at byte 1: unexpected end of input"),
	    "unclosed [");
	ok(bad("{\"a\":1", 6), "unclosed object");
	ok(bad("[1,", -1), "unclosed after comma");
	ok(bad("]", 0), "lone ]");
	ok(bad(",", 0), "lone ,");
	ok(bad("['a']", 1), "single quotes");
	ok(bad("'a'", 0), "single quotes at top");
	ok(bad("[1,2]\x01", 5), "control byte after value");
	ok(bad("[\x01]", 1), "control byte in array");
	ok(bad("[1\x01]", 2), "control byte after number");
	ok(bad("[\xc3\xa9]", 1), "raw UTF-8 outside strings");
	ok(bad("\xef\xbb\xbf[]", 0), "BOM refused");
	ok(badn("[1,\0 2]", 7, 3), "NUL byte refused");
	ok(badn("\"a\0b\"", 5, 2), "NUL byte in string refused");
	ok(bad("[1]\f", 3), "form feed is not whitespace");
	ok(bad("[\"a\"\"b\"]", 4), "strings without comma");
	ok(bad("[[],[]", 6), "unclosed outer array");
	ok(bad("{\"a\":{\"b\":1}", 12), "unclosed outer object");
}

static void
test_dup_depth_size(void)
{
	char *s, *p;
	size_t n, i;

	ok(msg_is("{\"a\":1,\"a\":2}",
	    "invalid JSON at byte 7: duplicate key"), "duplicate key");
	ok(bad("{\"a\":1,\"b\":2,\"\\u0061\":3}", 13),
	    "duplicate through an escape");
	ok(bad("[{\"x\":{\"k\":1,\"j\":2,\"k\":3}}]", 19),
	    "duplicate in nested object");
	ok(good("{\"a\":{\"a\":1},\"b\":{\"a\":2}}"),
	    "same key in different objects");
	ok(good("{\"a\":1,\"A\":2,\"a \":3}"), "near-duplicates");
	ok(bad("{\"b\":1,\"a\":1,\"b\":2,\"a\":3}", 13),
	    "first repeated key reported");

	s = repeat("[", 64, "]", 64);
	ok(good(s), "depth 64 arrays accepted");
	free(s);
	s = repeat("[", 65, "]", 65);
	ok(msg_is(s, "invalid JSON at byte 64: nesting deeper than 64"),
	    "depth 65 arrays refused");
	free(s);
	s = repeat("{\"a\":", 63, "}", 65);
	s[63 * 5] = '{';
	ok(good(s), "depth 64 objects accepted");
	free(s);
	s = repeat("{\"a\":", 64, "}", 66);
	s[64 * 5] = '{';
	ok(bad(s, 64 * 5), "depth 65 objects refused");
	free(s);
	s = repeat("[", 1000000, "]", 1000000);
	ok(bad(s, 64), "depth 1e6 refused quickly");
	free(s);
	s = repeat("[", 1000000, "", 0);
	ok(bad(s, 64), "unclosed depth 1e6 refused");
	free(s);
	s = repeat("[1,\"", 1, "[", 1000000);
	ok(bad(s, -1), "deep brackets inside a string");
	free(s);
	s = repeat("[1\"", 1, "[", 1000000);
	ok(bad(s, -1), "deep brackets after a bad primitive");
	free(s);

	n = 1000000;
	if ((s = malloc(n * 20 + 3)) == NULL)
		abort();
	p = s;
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	strcpy(p, "}");
	ok(qmb_json_parse(s, strlen(s), 64u << 20, 0, &doc, &err) == 0 &&
	    doc.root->len == n, "object with 10^6 keys");
	ok(qmb_json_get_int(doc.root, "k999999", NULL) == 0 &&
	    strcmp(doc.root->kids[n - 1].key, "k999999") == 0,
	    "last of 10^6 keys");
	qmb_json_free(&doc);
	ok(qmb_json_parse(s, strlen(s), strlen(s) - 1, 0, &doc, &err) == -1 &&
	    err.code == QMB_EXIT_USAGE && doc.root == NULL &&
	    strstr(err.msg, "text longer than") != NULL,
	    "10^6 keys one byte over the limit");
	memcpy(strstr(s, "\"k999999\""), "\"k999998\"", 9);
	ok(qmb_json_parse(s, strlen(s), 64u << 20, 0, &doc, &err) == -1 &&
	    strstr(err.msg, "duplicate key") != NULL,
	    "10^6 keys with one duplicate refused");
	free(s);

	ok(qmb_json_parse("[1,2]", 5, 5, 0, &doc, &err) == 0,
	    "size equal to max accepted");
	qmb_json_free(&doc);
	ok(qmb_json_parse("[1,2]", 5, 4, 7, &doc, &err) == -1 &&
	    err.code == 7 && doc.root == NULL &&
	    strcmp(err.msg, "invalid JSON at byte 4: text longer than 4 "
	    "bytes") == 0, "size over max refused");
	ok(qmb_json_parse("[1,2]", 5, 0, 0, &doc, &err) == 0 &&
	    doc.root->len == 2, "max 0 means default");
	qmb_json_free(&doc);
	ok(qmb_json_parse("[1,2]", 3, 0, 0, &doc, &err) == -1 &&
	    err.code == QMB_EXIT_USAGE, "len honoured, code 0 is usage");
}

static void
test_get(void)
{
	const struct qmb_jv *v;
	int64_t i = 0;

	ok(good("{\"s\":\"x\",\"n\":42,\"f\":1.5,\"o\":{\"z\":-7},\"a\":[]}"),
	    "lookup document");
	v = doc.root;
	ok(qmb_json_get(v, "o") == &v->kids[3], "get member");
	ok(qmb_json_get(v, "missing") == NULL, "get missing");
	ok(qmb_json_get(&v->kids[4], "s") == NULL, "get on array");
	ok(qmb_json_get(NULL, "s") == NULL, "get on NULL");
	ok(qmb_json_get_str(v, "s") != NULL &&
	    strcmp(qmb_json_get_str(v, "s"), "x") == 0, "get_str");
	ok(qmb_json_get_str(v, "n") == NULL, "get_str of a number");
	ok(qmb_json_get_int(v, "n", &i) == 0 && i == 42, "get_int");
	ok(qmb_json_get_int(v, "f", &i) == -1, "get_int of a fraction");
	ok(qmb_json_get_int(v, "s", &i) == -1, "get_int of a string");
	ok(qmb_json_get_int(qmb_json_get(v, "o"), "z", &i) == 0 && i == -7,
	    "nested get_int");
	qmb_json_free(&doc);
	ok(doc.root == NULL && doc.mem == NULL && doc.strs == NULL,
	    "free resets doc");
	qmb_json_free(&doc);
	ok(1, "double free is harmless");
}

static void
test_utf8(void)
{
	ok(qmb_utf8_valid("", 0) == 0, "utf8 empty");
	ok(qmb_utf8_valid("abc\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 12) == 0,
	    "utf8 valid mix");
	ok(qmb_utf8_valid("\xf4\x8f\xbf\xbf", 4) == 0, "utf8 U+10FFFF");
	ok(qmb_utf8_valid("\xc0\x80", 2) == -1, "utf8 overlong 2");
	ok(qmb_utf8_valid("\xe0\x9f\xbf", 3) == -1, "utf8 overlong 3");
	ok(qmb_utf8_valid("\xed\xbf\xbf", 3) == -1, "utf8 surrogate");
	ok(qmb_utf8_valid("\xf4\x90\x80\x80", 4) == -1, "utf8 > U+10FFFF");
	ok(qmb_utf8_valid("\xe2\x82", 2) == -1, "utf8 truncated");
	ok(qmb_utf8_valid("\xe2\x82\xac", 2) == -1, "utf8 cut by n");
	ok(qmb_utf8_valid("a\0b", 3) == -1, "utf8 NUL refused");
}

static void
test_escape(void)
{
	ok(esc_is("\x01\x7f\x1f/\t\b\f\r\n\"\\\x1b", 12,
	    "\"\\u0001\\u007f\\u001f/\\t\\b\\f\\r\\n\\\"\\\\\\u001b\""),
	    "control characters escaped like jq -c");
	ok(esc_is("\xe2\x80\xa8\xc3\xa9\xf0\x9f\x98\x80<>&'", 13,
	    "\"\xe2\x80\xa8\xc3\xa9\xf0\x9f\x98\x80<>&'\""),
	    "valid UTF-8 stays raw");
	ok(esc_is("a\0b", 3, "\"a\\u0000b\""), "NUL as \\u0000");
	ok(esc_is("", 0, "\"\""), "empty string");
	ok(esc_is("\xe0\x80\x80", 3, "\"\xef\xbf\xbd\""), "E0 80 80: one");
	ok(esc_is("\xc0\x80", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""),
	    "C0 80: two");
	ok(esc_is("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\""), "ED A0 80: one");
	ok(esc_is("\xf4\x90\x80\x80", 4, "\"\xef\xbf\xbd\""),
	    "F4 90 80 80: one");
	ok(esc_is("\xe2\x82", 2, "\"\xef\xbf\xbd\""), "E2 82: one");
	ok(esc_is("\xe2\x82x", 3, "\"\xef\xbf\xbdx\""), "E2 82 x");
	ok(esc_is("\x80\x80", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""), "80 80");
	ok(esc_is("\xff", 1, "\"\xef\xbf\xbd\""), "FF");
	ok(esc_is("\xf0\x9f\x98", 3, "\"\xef\xbf\xbd\""), "F0 9F 98");
	ok(esc_is("x\xc3", 2, "\"x\xef\xbf\xbd\""), "x C3");
	ok(esc_is("\xc3" "a", 2, "\"\xef\xbf\xbd" "a\""), "C3 a");
	ok(esc_is("\xf8\x88\x80\x80\x80", 5,
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
	    "F8 88 80 80 80: five");
}

static void
test_writer(void)
{
	struct qmb_buf b;
	struct qmb_jw jw;

	qmb_buf_init(&b, 1 << 20);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "s", "a/b");
	qmb_jw_kint(&jw, "min", INT64_MIN);
	qmb_jw_kint(&jw, "max", INT64_MAX);
	qmb_jw_key(&jw, "l");
	qmb_jw_arr_begin(&jw);
	qmb_jw_bool(&jw, 1);
	qmb_jw_bool(&jw, 0);
	qmb_jw_null(&jw);
	qmb_jw_str(&jw, NULL);
	qmb_jw_numtext(&jw, "-1.5e3");
	qmb_jw_obj_begin(&jw);
	qmb_jw_obj_end(&jw);
	qmb_jw_arr_begin(&jw);
	qmb_jw_arr_end(&jw);
	qmb_jw_arr_end(&jw);
	qmb_jw_key(&jw, "k\"");
	qmb_jw_strn(&jw, "x\001y", 3);
	qmb_jw_obj_end(&jw);
	ok(qmb_jw_finish(&jw) == 0 && strcmp(b.data, "{\"s\":\"a/b\","
	    "\"min\":-9223372036854775808,\"max\":9223372036854775807,"
	    "\"l\":[true,false,null,null,-1.5e3,{},[]],"
	    "\"k\\\"\":\"x\\u0001y\"}") == 0, "compact writer");
	ok(good(b.data), "compact output parses back");

	qmb_buf_reset(&b);
	qmb_jw_init(&jw, &b, 1);
	qmb_jw_obj_begin(&jw);
	qmb_jw_key(&jw, "a");
	qmb_jw_arr_begin(&jw);
	qmb_jw_int(&jw, 1);
	qmb_jw_obj_begin(&jw);
	qmb_jw_key(&jw, "b");
	qmb_jw_null(&jw);
	qmb_jw_key(&jw, "c");
	qmb_jw_arr_begin(&jw);
	qmb_jw_arr_end(&jw);
	qmb_jw_obj_end(&jw);
	qmb_jw_obj_begin(&jw);
	qmb_jw_obj_end(&jw);
	qmb_jw_arr_end(&jw);
	qmb_jw_kstr(&jw, "d", "x");
	qmb_jw_obj_end(&jw);
	/* jq . on the same document, less the final newline */
	ok(qmb_jw_finish(&jw) == 0 && strcmp(b.data,
	    "{\n"
	    "  \"a\": [\n"
	    "    1,\n"
	    "    {\n"
	    "      \"b\": null,\n"
	    "      \"c\": []\n"
	    "    },\n"
	    "    {}\n"
	    "  ],\n"
	    "  \"d\": \"x\"\n"
	    "}") == 0, "pretty writer matches jq");

	qmb_buf_reset(&b);
	qmb_jw_init(&jw, &b, 1);
	qmb_jw_int(&jw, 5);
	ok(qmb_jw_finish(&jw) == 0 && strcmp(b.data, "5") == 0,
	    "scalar document");
	qmb_buf_reset(&b);
	qmb_jw_init(&jw, &b, 1);
	qmb_jw_arr_begin(&jw);
	qmb_jw_arr_end(&jw);
	ok(qmb_jw_finish(&jw) == 0 && strcmp(b.data, "[]") == 0,
	    "pretty empty array");
	qmb_buf_free(&b);
}

/* Run f on a fresh writer; return its error after finish. */
static int
misuse(void (*f)(struct qmb_jw *), int *fin)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	int e;

	qmb_buf_init(&b, 1 << 20);
	qmb_jw_init(&jw, &b, 0);
	f(&jw);
	*fin = qmb_jw_finish(&jw);
	e = jw.error;
	qmb_buf_free(&b);
	return e;
}

static void
m_nokey(struct qmb_jw *jw)
{
	qmb_jw_obj_begin(jw);
	qmb_jw_int(jw, 1);
	qmb_jw_obj_end(jw);
}

static void
m_endonly(struct qmb_jw *jw)
{
	qmb_jw_arr_end(jw);
}

static void
m_wrongend(struct qmb_jw *jw)
{
	qmb_jw_obj_begin(jw);
	qmb_jw_arr_end(jw);
}

static void
m_keyinarr(struct qmb_jw *jw)
{
	qmb_jw_arr_begin(jw);
	qmb_jw_key(jw, "a");
}

static void
m_keytop(struct qmb_jw *jw)
{
	qmb_jw_key(jw, "a");
}

static void
m_twokeys(struct qmb_jw *jw)
{
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "a");
	qmb_jw_key(jw, "b");
}

static void
m_keyend(struct qmb_jw *jw)
{
	qmb_jw_obj_begin(jw);
	qmb_jw_key(jw, "a");
	qmb_jw_obj_end(jw);
}

static void
m_twotop(struct qmb_jw *jw)
{
	qmb_jw_int(jw, 1);
	qmb_jw_int(jw, 2);
}

static void
m_open(struct qmb_jw *jw)
{
	qmb_jw_arr_begin(jw);
}

static void
m_nothing(struct qmb_jw *jw)
{
	(void)jw;
}

static void
m_deep64(struct qmb_jw *jw)
{
	int i;

	for (i = 0; i < QMB_JSON_DEPTH; i++)
		qmb_jw_arr_begin(jw);
	for (i = 0; i < QMB_JSON_DEPTH; i++)
		qmb_jw_arr_end(jw);
}

static void
m_deep65(struct qmb_jw *jw)
{
	int i;

	for (i = 0; i < QMB_JSON_DEPTH + 1; i++)
		qmb_jw_arr_begin(jw);
	for (i = 0; i < QMB_JSON_DEPTH + 1; i++)
		qmb_jw_arr_end(jw);
}

static void
m_badnum(struct qmb_jw *jw)
{
	qmb_jw_numtext(jw, "01");
}

static void
m_sticky(struct qmb_jw *jw)
{
	qmb_jw_arr_end(jw);
	qmb_jw_int(jw, 1);
}

static void
m_nullval(struct qmb_jw *jw)
{
	qmb_jw_value(jw, NULL);
}

static void
test_misuse(void)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	int fin;

	ok(misuse(m_nokey, &fin) == EINVAL && fin == -1,
	    "value in object without key");
	ok(misuse(m_endonly, &fin) == EINVAL && fin == -1,
	    "end without begin");
	ok(misuse(m_wrongend, &fin) == EINVAL, "arr_end closes an object");
	ok(misuse(m_keyinarr, &fin) == EINVAL, "key in array");
	ok(misuse(m_keytop, &fin) == EINVAL, "key at top level");
	ok(misuse(m_twokeys, &fin) == EINVAL, "two keys in a row");
	ok(misuse(m_keyend, &fin) == EINVAL, "key then end");
	ok(misuse(m_twotop, &fin) == EINVAL && fin == -1,
	    "two top-level values");
	ok(misuse(m_open, &fin) == 0 && fin == -1, "unclosed array");
	ok(misuse(m_nothing, &fin) == 0 && fin == -1, "nothing written");
	ok(misuse(m_deep64, &fin) == 0 && fin == 0, "writer depth 64");
	ok(misuse(m_deep65, &fin) == EINVAL && fin == -1,
	    "writer depth 65");
	ok(misuse(m_badnum, &fin) == EINVAL, "numtext checks its text");
	ok(misuse(m_sticky, &fin) == EINVAL && fin == -1, "error is sticky");
	ok(misuse(m_nullval, &fin) == EINVAL, "value NULL");

	qmb_buf_init(&b, 10);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_str(&jw, "0123456789abcdef");
	ok(jw.error == EFBIG && qmb_jw_finish(&jw) == -1,
	    "buffer max: EFBIG");
	qmb_jw_int(&jw, 1);
	ok(jw.error == EFBIG, "buffer error sticky");
	qmb_buf_reset(&b);
	ok(qmb_json_escape(&b, "0123456789", 10) == -1 && b.error == EFBIG,
	    "escape past max");
	qmb_buf_reset(&b);
	ok(qmb_json_escape(&b, "01234567", 8) == 0 && b.len == 10,
	    "escape fits max exactly");
	qmb_buf_reset(&b);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_arr_begin(&jw);
	qmb_jw_int(&jw, 1234);
	qmb_jw_int(&jw, 5678);
	qmb_jw_arr_end(&jw);
	ok(jw.error == EFBIG && qmb_jw_finish(&jw) == -1,
	    "buffer max in an array");
	qmb_buf_free(&b);
}

static void
test_roundtrip(void)
{
	const char *s;
	char *deep;
	struct qmb_buf b;
	struct qmb_jw jw;

	s = "{\"a\":[1.50,-0,1E2,0.0e-0,\"x\\u00e9\\ud83d\\ude00\"],"
	    "\"b\":{\"c\":{},\"d\":[],\"e\":[[[null]]]},\"f\":true,"
	    "\"\\u0001\":\"\\/\\t\"}";
	ok(roundtrip(s, 0, "{\"a\":[1.50,-0,1E2,0.0e-0,\"x\xc3\xa9\xf0\x9f"
	    "\x98\x80\"],\"b\":{\"c\":{},\"d\":[],\"e\":[[[null]]]},"
	    "\"f\":true,\"\\u0001\":\"/\\t\"}"), "round trip compact");
	ok(roundtrip(" [ 1 , { \"a\" : [ ] } ] ", 0, "[1,{\"a\":[]}]"),
	    "round trip drops whitespace");
	ok(roundtrip("{\"a\":[1,{\"b\":null,\"c\":[]},{}],\"d\":\"x\"}", 1,
	    "{\n  \"a\": [\n    1,\n    {\n      \"b\": null,\n"
	    "      \"c\": []\n    },\n    {}\n  ],\n  \"d\": \"x\"\n}"),
	    "round trip pretty golden");
	ok(roundtrip("\"\\u007f\"", 0, "\"\\u007f\""), "DEL round trip");
	ok(roundtrip("42", 0, "42"), "scalar round trip");
	deep = repeat("[", 64, "]", 64);
	ok(roundtrip(deep, 0, deep), "depth 64 round trip");

	ok(parse(deep) == 0, "deep doc again");
	qmb_buf_init(&b, 1 << 20);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_arr_begin(&jw);
	qmb_jw_value(&jw, doc.root);
	ok(jw.error == EINVAL && qmb_jw_finish(&jw) == -1,
	    "value too deep for the writer");
	qmb_buf_free(&b);
	free(deep);

	ok(parse("{\"k\":[1,2]}") == 0, "value inside a writer");
	qmb_buf_init(&b, 1 << 20);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_key(&jw, "x");
	qmb_jw_value(&jw, doc.root);
	qmb_jw_key(&jw, "y");
	qmb_jw_value(&jw, &doc.root->kids[0].kids[1]);
	qmb_jw_obj_end(&jw);
	ok(qmb_jw_finish(&jw) == 0 &&
	    strcmp(b.data, "{\"x\":{\"k\":[1,2]},\"y\":2}") == 0,
	    "qmb_jw_value nested in a writer");
	qmb_buf_free(&b);
}

int
main(void)
{
	test_valid();
	test_strings();
	test_numbers();
	test_structure();
	test_dup_depth_size();
	test_get();
	test_utf8();
	test_escape();
	test_writer();
	test_misuse();
	test_roundtrip();
	qmb_json_free(&doc);
	return tap_done();
}

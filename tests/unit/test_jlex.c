/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of JSON's lexical rules (qmb_jlex): UTF-8 sequences, jq's
 * grouping of bad bytes, the number grammar, and string bodies decoded
 * with the offset and reason of a fault.
 */
#include <stdio.h>
#include <string.h>

#include "qmb_jlex.h"
#include "tap.h"

static char out[256];
static struct qmb_jlex_err er;

/* Decode body (without quotes); 0 and the text in out, or -1 and er. */
static int
unq(const char *body)
{
	char *o = out;

	er.at = 0;
	er.why = NULL;
	return qmb_jlex_unquote((const unsigned char *)body, 0, strlen(body),
	    &o, &er);
}

static size_t
len8(const char *s)
{
	return qmb_utf8_len((const unsigned char *)s, strlen(s));
}

static size_t
bad8(const char *s)
{
	return qmb_utf8_bad((const unsigned char *)s, strlen(s));
}

static void
test_utf8(void)
{
	ok(len8("a") == 1 && len8("\xc3\xa9") == 2 && len8("\xe2\x82\xac") == 3 &&
	    len8("\xf0\x9f\x98\x80") == 4, "sequence lengths 1 to 4");
	ok(len8("\xc0\xaf") == 0 && len8("\xe0\x80\xaf") == 0 &&
	    len8("\xf0\x80\x80\xaf") == 0, "overlongs refused");
	ok(len8("\xed\xa0\x80") == 0, "surrogates refused");
	ok(len8("\xf4\x90\x80\x80") == 0 && len8("\xf4\x8f\xbf\xbf") == 4,
	    "nothing above U+10FFFF");
	ok(len8("\xe2\x82") == 0 && len8("\x80") == 0, "cut short, lone continuation");
	ok(qmb_utf8_valid("ok \xc3\xa9", 5) == 0 &&
	    qmb_utf8_valid("a\0b", 3) == -1, "valid text; NUL refused");
	ok(bad8("\x80zz") == 1 && bad8("\xff") == 1, "a byte that starts nothing: 1");
	ok(bad8("\xe2\x82zz") == 2 && bad8("\xf0\x9f\x98") == 3,
	    "a cut sequence: lead and its continuations");
	ok(bad8("\xe2\x82\x82\x82") == 3, "at most the announced length");
}

static void
test_numbers(void)
{
	static const char *const good[] = {
		"0", "-0", "7", "-12", "0.5", "1e3", "1E+3", "2.5e-10", "10"
	};
	static const char *const badn[] = {
		"", "-", "01", "+1", ".5", "1.", "1e", "1e+", "0x1", "1 ", "--1",
		"NaN"
	};
	size_t i;
	int all = 1;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		all &= qmb_jlex_number(good[i], strlen(good[i]));
	ok(all, "the RFC 8259 forms");
	for (i = 0, all = 1; i < sizeof(badn) / sizeof(badn[0]); i++)
		if (qmb_jlex_number(badn[i], strlen(badn[i]))) {
			printf("# accepted '%s'\n", badn[i]);
			all = 0;
		}
	ok(all, "everything else refused");
}

static void
test_strings(void)
{
	ok(unq("plain") == 0 && strcmp(out, "plain") == 0, "plain text");
	ok(unq("a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t") == 0 &&
	    strcmp(out, "a\"b\\c/d\b\f\n\r\t") == 0, "the short escapes");
	ok(unq("\\u00e9\\u20AC") == 0 && strcmp(out, "\xc3\xa9\xe2\x82\xac") == 0,
	    "\\u escapes, either case");
	ok(unq("\\ud83d\\ude00") == 0 && strcmp(out, "\xf0\x9f\x98\x80") == 0,
	    "a surrogate pair joined");
	ok(unq("ab\\ud83dx") == -1 && er.at == 2 &&
	    strcmp(er.why, "unpaired surrogate") == 0, "a lone high surrogate");
	ok(unq("\\ude00") == -1 && strcmp(er.why, "unpaired surrogate") == 0,
	    "a lone low surrogate");
	ok(unq("x\\u0000") == -1 && er.at == 1 &&
	    strcmp(er.why, "\\u0000 in string") == 0, "\\u0000 refused");
	ok(unq("\\u12g4") == -1 && strcmp(er.why, "invalid \\u escape") == 0,
	    "a bad hex digit");
	ok(unq("\\x") == -1 && strcmp(er.why, "invalid escape") == 0,
	    "an unknown escape");
	ok(unq("abc\\") == -1 && er.at == 3, "a backslash at the end");
	ok(unq("a\tb") == -1 && er.at == 1 &&
	    strcmp(er.why, "control character in string") == 0,
	    "a raw control character");
	ok(unq("ok\xc3(") == -1 && er.at == 2 &&
	    strcmp(er.why, "invalid UTF-8") == 0, "bad UTF-8, with its offset");
	ok(unq("") == 0 && out[0] == '\0', "an empty body");
}

int
main(void)
{
	test_utf8();
	test_numbers();
	test_strings();
	return tap_done();
}

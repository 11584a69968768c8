/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Gemini client's parts not covered by test_review:
 * the key file (qmb_gemreq), removing the key from what the server sent
 * back and a fresh result (qmb_gemans).
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_gemini.h"
#include "tap.h"

#define KEY "AQ.secret-key-0123456789"

static char tmpdir[] = "/tmp/qmb-unit-XXXXXX";

static void
test_redact(void)
{
	struct qmb_gem_result r;

	qmb_gem_result_init(&r);
	ok(r.in_count == -1 && r.out_count == -1 && r.all_count == -1 &&
	    r.cls == QMB_GEM_OK && r.text.len == 0, "a fresh result");
	snprintf(r.msg, sizeof(r.msg), "API key " KEY " not valid: " KEY);
	qmb_buf_adds(&r.text, "echo: " KEY "!");
	qmb_gem_redact(&r, KEY);
	ok(strcmp(r.msg, "API key [REDACTED] not valid: [REDACTED]") == 0,
	    "every copy of the key in the message");
	ok(strcmp(r.text.data, "echo: [REDACTED]!") == 0, "and in the text");
	snprintf(r.msg, sizeof(r.msg), "the word abc stays");
	qmb_buf_reset(&r.text);
	qmb_buf_adds(&r.text, "abc");
	qmb_gem_redact(&r, "abc");
	ok(strcmp(r.msg, "the word abc stays") == 0 &&
	    strcmp(r.text.data, "abc") == 0, "a key under 8 bytes cuts nothing");
	qmb_gem_redact(&r, "");
	ok(strcmp(r.msg, "the word abc stays") == 0, "an empty key cuts nothing");
	qmb_gem_result_free(&r);
}

static int
key_at(const char *text, mode_t mode, char *key, size_t size,
    struct qmb_err *e)
{
	char path[256];
	const char *from = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/key", tmpdir);
	unlink(path);
	if ((f = fopen(path, "w")) == NULL)
		return 99;
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return qmb_gem_key(path, "AQ.google", "AQ.gemini", key, size, &from, e);
}

static void
test_key_file(void)
{
	struct qmb_err e = QMB_ERR_INIT;
	char key[QMB_GEM_KEY_MAX + 1], big[QMB_GEM_KEY_MAX + 200];
	const char *from = NULL;

	ok(key_at("  " KEY "\n", 0600, key, sizeof(key), &e) == 0 &&
	    strcmp(key, KEY) == 0, "a key file wins, whitespace stripped");
	ok(key_at(KEY, 0644, key, sizeof(key), &e) == -1 &&
	    e.code == QMB_EXIT_USAGE && strstr(e.msg, "chmod 600") != NULL &&
	    strstr(e.msg, KEY) == NULL, "a file others can read is refused");
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(key_at(big, 0600, key, sizeof(key), &e) == -1 &&
	    e.code == QMB_EXIT_USAGE, "a file too large for a key is refused");
	ok(qmb_gem_key(tmpdir, NULL, NULL, key, sizeof(key), &from, &e) == -1 &&
	    strstr(e.msg, "not a regular file") != NULL, "a folder is refused");
	ok(qmb_gem_key("/nonexistent/key", NULL, "AQ.gemini", key, sizeof(key),
	    &from, &e) == -1 && e.code == QMB_EXIT_USAGE,
	    "a missing key file is an error, not a fallback");
}

int
main(void)
{
	char path[256];

	if (mkdtemp(tmpdir) == NULL)
		return 2;
	test_redact();
	test_key_file();
	snprintf(path, sizeof(path), "%s/key", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return tap_done();
}

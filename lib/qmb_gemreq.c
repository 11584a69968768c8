/* SPDX-License-Identifier: MIT */
/*
 * Building a Gemini request: the key, the endpoint, the body.
 * Invariant: the key read here stays in the caller's buffer; messages
 * name where it came from, never what it is.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_gemreq.h"
#include "qmb_json.h"

/* ---- the key ------------------------------------------------------- */

static int
key_file(const char *file, char *buf, size_t size, struct qmb_err *err)
{
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_USAGE :
		    QMB_EXIT_IO, "open key file '%s'", file);
	if (fstat(fd, &st) == -1) {
		qmb_errsys(err, QMB_EXIT_IO, "stat key file '%s'", file);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		qmb_errf(err, QMB_EXIT_USAGE, "key file '%s' is not a regular file",
		    file);
		goto fail;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		qmb_errf(err, QMB_EXIT_USAGE,
		    "key file '%s' is open to group or others (mode %04o): run 'chmod 600 %s'",
		    file, (unsigned)(st.st_mode & 07777), file);
		goto fail;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		qmb_errf(err, QMB_EXIT_USAGE,
		    "key file '%s' belongs to another user", file);
		goto fail;
	}
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		if ((len += (size_t)n) == size - 1)
			break;
	if (n == -1) {
		qmb_errsys(err, QMB_EXIT_IO, "read key file '%s'", file);
		goto fail;
	}
	if (len == size - 1) {
		qmb_errf(err, QMB_EXIT_USAGE, "key file '%s' is too large for a key",
		    file);
		goto fail;
	}
	buf[len] = '\0';
	close(fd);
	return 0;
fail:
	explicit_bzero(buf, size);
	close(fd);
	return -1;
}

int
qmb_gem_key(const char *file, const char *google, const char *gemini,
    char *key, size_t size, const char **from, struct qmb_err *err)
{
	char buf[QMB_GEM_KEY_MAX + 64];
	const char *v = NULL, *src;
	size_t a, b, i;
	int rc = -1;

	key[0] = '\0';
	buf[0] = '\0';
	if (file != NULL) {
		if (key_file(file, buf, sizeof(buf), err) == -1)
			return -1;
		src = "the key file";
	} else if ((v = google) != NULL && *v != '\0')
		src = "GOOGLE_API_KEY";
	else if ((v = gemini) != NULL && *v != '\0')
		src = "GEMINI_API_KEY";
	else
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "no Gemini API key: set GEMINI_API_KEY (or GOOGLE_API_KEY), or give --key-file FILE (mode 0600)");
	if (from != NULL)
		*from = src;
	if (v != NULL) {
		if (strlen(v) >= sizeof(buf))
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "%s is too long for a key", src);
		memcpy(buf, v, strlen(v) + 1);
	}
	for (a = 0; buf[a] == ' ' || (buf[a] >= '\t' && buf[a] <= '\r'); a++)
		;
	for (b = strlen(buf); b > a && (buf[b - 1] == ' ' ||
	    (buf[b - 1] >= '\t' && buf[b - 1] <= '\r')); b--)
		;
	if (b == a) {
		qmb_errf(err, QMB_EXIT_USAGE, "%s holds no key", src);
		goto out;
	}
	for (i = a; i < b; i++)
		if ((unsigned char)buf[i] < 0x21 ||
		    (unsigned char)buf[i] > 0x7e) {
			qmb_errf(err, QMB_EXIT_USAGE,
			    "%s holds characters a key cannot have", src);
			goto out;
		}
	if (b - a >= size || b - a > QMB_GEM_KEY_MAX) {
		qmb_errf(err, QMB_EXIT_USAGE, "%s is too long for a key", src);
		goto out;
	}
	memcpy(key, buf + a, b - a);
	key[b - a] = '\0';
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

int
qmb_gem_endpoint(const char *url, const char *model, struct qmb_buf *out,
    struct qmb_err *err)
{
	size_t n = strlen(url), i;

	if (strncmp(model, "models/", 7) == 0)
		model += 7;
	if (*model == '\0' || strlen(model) > 100)
		return qmb_errf(err, QMB_EXIT_USAGE, "bad Gemini model name '%.100s'",
		    model);
	for (i = 0; model[i] != '\0'; i++)
		if (!(model[i] >= 'a' && model[i] <= 'z') &&
		    !(model[i] >= 'A' && model[i] <= 'Z') &&
		    !(model[i] >= '0' && model[i] <= '9') &&
		    strchr("._-", model[i]) == NULL)
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "bad Gemini model name '%.100s': letters, digits, '.', '_' and '-' only",
			    model);
	while (n > 0 && url[n - 1] == '/')
		n--;
	qmb_buf_reset(out);
	qmb_buf_add(out, url, n);
	qmb_buf_addf(out, "/v1beta/models/%s:generateContent", model);
	if (out->error)
		return qmb_errf(err, QMB_EXIT_USAGE, "Gemini URL too long");
	return 0;
}

/* ---- the request body ---------------------------------------------- */

static void
text_part(struct qmb_jw *jw, const char *text)
{
	qmb_jw_key(jw, "parts");
	qmb_jw_arr_begin(jw);
	qmb_jw_obj_begin(jw);
	qmb_jw_kstr(jw, "text", text);
	qmb_jw_obj_end(jw);
	qmb_jw_arr_end(jw);
}

int
qmb_gem_body(const struct qmb_gem_prompt *pr, struct qmb_buf *out,
    struct qmb_err *err)
{
	struct qmb_json_doc schema = { 0 };
	struct qmb_jw jw;
	int rc;

	if (pr->schema != NULL && qmb_json_parse(pr->schema, strlen(pr->schema),
	    0, QMB_EXIT_INTERNAL, &schema, err) == -1)
		return -1;
	qmb_jw_init(&jw, out, 0);
	qmb_jw_obj_begin(&jw);
	if (pr->system != NULL) {
		qmb_jw_key(&jw, "systemInstruction");
		qmb_jw_obj_begin(&jw);
		text_part(&jw, pr->system);
		qmb_jw_obj_end(&jw);
	}
	qmb_jw_key(&jw, "contents");
	qmb_jw_arr_begin(&jw);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "role", "user");
	text_part(&jw, pr->user);
	qmb_jw_obj_end(&jw);
	qmb_jw_arr_end(&jw);
	qmb_jw_key(&jw, "generationConfig");
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "maxOutputTokens", pr->max_tokens > 0 ?
	    pr->max_tokens : QMB_GEM_MAX_TOKENS);
	if (pr->schema != NULL) {
		qmb_jw_kstr(&jw, "responseMimeType", "application/json");
		qmb_jw_key(&jw, "responseJsonSchema");
		qmb_jw_value(&jw, schema.root);
	}
	if (pr->temperature != NULL) {
		qmb_jw_key(&jw, "temperature");
		qmb_jw_numtext(&jw, pr->temperature);
	}
	qmb_jw_obj_end(&jw);
	qmb_jw_obj_end(&jw);
	rc = qmb_jw_finish(&jw);
	qmb_json_free(&schema);
	if (rc == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "the review request is too large");
	return 0;
}

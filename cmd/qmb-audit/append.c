/* SPDX-License-Identifier: MIT */
/*
 * qmb-audit append, show and hash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_kv.h"
#include "qmb_mirror.h"
#include "qmb_sha256.h"
#include "qmb_txn.h"
#include "qmb_verify.h"
#include "audit.h"

static int
read_input(const char *file, struct qmb_buf *b, struct qmb_err *err)
{
	int fd, rc;

	qmb_buf_init(b, qmb_io_max_file());
	if (file == NULL || strcmp(file, "-") == 0)
		return qmb_io_read_fd(STDIN_FILENO, "standard input", b->max,
		    QMB_EXIT_USAGE, b, err);
	if ((fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "open '%s'", file);
	rc = qmb_io_read_fd(fd, file, b->max, QMB_EXIT_USAGE, b, err);
	close(fd);
	return rc;
}

/* details + the script's hash and content (unless -d set them). */
static int
add_script(const struct opts *o, struct qmb_buf *d, struct qmb_err *err)
{
	struct qmb_buf s;
	char sha[QMB_SHA256_HEX + 1];
	int rc = -1;

	if (read_input(o->script, &s, err) == -1)
		goto out;
	if (memchr(s.data, '\0', s.len) || qmb_utf8_valid(s.data, s.len) == -1) {
		qmb_errf(err, QMB_EXIT_USAGE,
		    "--script '%s' is not UTF-8 text", o->script);
		goto out;
	}
	qmb_sha256(s.data, s.len, sha);
	d->data[--d->len] = '\0';		/* reopen the object */
	qmb_buf_addf(d, "%s\"script_sha256\":\"%s\",\"content\":",
	    d->len > 1 ? "," : "", sha);
	qmb_json_escape(d, s.data, s.len);
	qmb_buf_addc(d, '}');
	rc = d->error ? qmb_errf(err, QMB_EXIT_USAGE, "--script too large") : 0;
out:
	qmb_buf_free(&s);
	return rc;
}

/* Would this entry apply to the session?  Tried on a fresh copy. */
static int
try_apply(struct qmb_proj *p, const struct qmb_txn *t, const char *type,
    const char *details, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_session copy;
	struct qmb_buf e;
	enum qmb_cur cur;
	char ts[QMB_TIME_LEN + 1];
	int rc;

	qmb_time_fmt(qmb_now(), ts);
	qmb_buf_init(&e, qmb_io_max_file() + 1024);
	qmb_buf_addf(&e, "{\"seq\":%lld,\"timestamp\":\"%s\",\"session_id\":\"%s\","
	    "\"user_id\":\"u\",\"type\":\"%s\",\"details\":%s,\"prev\":\"%s\","
	    "\"hash\":\"%s\"}", (long long)t->s.audit_seq + 1, ts, t->s.id, type,
	    details, QMB_AUDIT_ZERO, QMB_AUDIT_ZERO);
	rc = qmb_session_load(p, t->s.id, &copy, &cur, err);
	if (rc == 0 && (rc = qmb_json_parse(e.data, e.len, e.max,
	    QMB_EXIT_USAGE, &doc, err)) == 0 &&
	    (rc = qmb_session_apply(&copy, doc.root, err)) == -1) {
		err->code = QMB_EXIT_USAGE;
		qmb_err_prefix(err, "a '%s' entry cannot apply to session '%s'",
		    type, t->s.id);
	}
	qmb_session_free(&copy);
	qmb_json_free(&doc);
	qmb_buf_free(&e);
	return rc;
}

/* No state (an archived session): append to the trail alone. */
static int
append_bare(const struct opts *o, struct qmb_proj *p, const char *id,
    const char *details, struct qmb_audit_head *h, struct qmb_err *err)
{
	struct qmb_audit_in in = { 0 };
	struct qmb_lock l = QMB_LOCK_INIT;
	struct qmb_buf line;
	int rc;

	if (qmb_session_lock(p, id, &l, err) == -1)
		return -1;
	if ((rc = qmb_audit_head(p, id, h, err)) == 0 && h->seq == 0)
		rc = qmb_errf(err, QMB_EXIT_NOTFOUND,
		    "no session '%s' and no audit trail for it", id);
	in.session_id = id;
	in.user_id = o->c.user;
	in.type = o->type;
	in.details = details;
	qmb_buf_init(&line, qmb_io_max_file() + 1024);
	if (rc == 0)
		rc = qmb_audit_append(p, &in, h, &line, err);
	if (rc == 0 && h->mirror_error[0] != '\0')
		qmb_warn("%s", h->mirror_error);
	qmb_buf_free(&line);
	qmb_lock_release(&l);
	return rc;
}

static int
append_txn(const struct opts *o, struct qmb_proj *p, const char *id,
    const char *details, struct qmb_audit_head *h, struct qmb_err *err)
{
	struct qmb_txn t;
	int rc;

	if (qmb_txn_begin(&t, p, id, o->c.user, err) == -1) {
		if (err->code == QMB_EXIT_NOTFOUND)
			return append_bare(o, p, id, details, h, err);
		return -1;
	}
	if (t.migrated && !o->c.quiet)
		qmb_warn("session '%s' was in the TypeScript tool's format; migrated first (originals in .qmb/migrated/%s/)",
		    id, id);
	rc = try_apply(p, &t, o->type, details, err);
	if (rc == 0)
		rc = qmb_txn_commit(&t, o->type, details, NULL, NULL, err);
	if (rc == 0) {
		h->seq = t.s.audit_seq;
		memcpy(h->hash, t.s.audit_hash, sizeof(h->hash));
	}
	if (t.logfailed && o->c.verbose)
		qmb_warn("log not written: %s", t.logerr.msg);
	qmb_txn_end(&t);
	return rc;
}

int
cmd_append(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_audit_head h;
	struct qmb_buf d;
	int rc;

	(void)argc;
	if (qmb_id_check(argv[0], err) == -1 ||
	    qmb_audit_type_check(o->type, err) == -1)
		return -1;
	qmb_buf_init(&d, qmb_io_max_file() + 65536);
	rc = qmb_kv_details(o->pairs, o->npairs, o->details, 1, &d, err);
	if (rc == 0 && o->script)
		rc = add_script(o, &d, err);
	if (rc == 0)
		rc = append_txn(o, p, argv[0], d.data, &h, err);
	qmb_buf_free(&d);
	if (rc == -1)
		return -1;
	if (o->c.json)
		printf("{\"session_id\":\"%s\",\"seq\":%lld,\"type\":\"%s\",\"hash\":\"%s\"}\n",
		    argv[0], (long long)h.seq, o->type, h.hash);
	else if (!o->c.quiet)
		printf("Appended entry %lld (%s) to the audit trail of %s.\n",
		    (long long)h.seq, o->type, argv[0]);
	return 0;
}

/* ---- show --------------------------------------------------------- */

static void
summary(const struct qmb_jv *d, struct qmb_buf *b)
{
	size_t i;
	struct qmb_jw jw;

	for (i = 0; d != NULL && i < d->len; i++) {
		const struct qmb_jv *k = &d->kids[i];

		if (strcmp(k->key, "content") == 0) {
			qmb_buf_addf(b, " content=(%zu bytes)", k->len);
			continue;
		}
		if (strcmp(k->key, "script_sha256") == 0 && k->type == QMB_JSTR) {
			qmb_buf_addf(b, " %s=%.12s", k->key, k->str);
			continue;
		}
		qmb_buf_addf(b, " %s=", k->key);
		if (k->type == QMB_JSTR && k->len < 80 &&
		    strpbrk(k->str, " \n\t\"") == NULL && k->len > 0) {
			qmb_buf_adds(b, k->str);
			continue;
		}
		qmb_jw_init(&jw, b, 0);
		qmb_jw_value(&jw, k);
		if (b->len > 4000)
			break;
	}
}

static int
show_line(const struct opts *o, const char *line, size_t len, int table,
    struct qmb_buf *out)
{
	struct qmb_json_doc doc = { 0 };
	const char *type;
	int64_t seq = 0;

	if (qmb_json_parse(line, len, qmb_io_max_file(), QMB_EXIT_CORRUPT, &doc,
	    NULL) == -1 || doc.root->type != QMB_JOBJ) {
		qmb_json_free(&doc);
		return -1;
	}
	type = qmb_json_get_str(doc.root, "type");
	if (o->type == NULL || (type && strcmp(type, o->type) == 0)) {
		if (!table) {
			qmb_buf_add(out, line, len);
			qmb_buf_addc(out, '\n');
		} else {
			qmb_json_get_int(doc.root, "seq", &seq);
			qmb_buf_addf(out, "%5lld  %-24s  %-20s  %-20s ",
			    (long long)seq, qmb_json_get_str(doc.root, "timestamp"),
			    type ? type : "?", qmb_json_get_str(doc.root, "user_id") ?
			    qmb_json_get_str(doc.root, "user_id") : "?");
			summary(qmb_json_get(doc.root, "details"), out);
			qmb_buf_addc(out, '\n');
		}
	}
	qmb_json_free(&doc);
	return 0;
}

int
cmd_show(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_verify r = { 0 };
	struct qmb_buf b, out;
	const char *s, *nl;
	int table = o->c.tty && !o->c.json;
	unsigned long bad = 0;

	(void)argc;
	qmb_buf_init(&b, qmb_io_max_file());
	if (qmb_verify_read(p, argv[0], &b, &r, err) == -1) {
		qmb_buf_free(&b);
		return -1;
	}
	qmb_buf_init(&out, 256u << 20);
	if (table)
		qmb_buf_addf(&out, "%5s  %-24s  %-20s  %-20s  %s\n", "SEQ", "TIME",
		    "TYPE", "USER", "DETAILS");
	for (s = b.data; s < b.data + b.len; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(b.data + b.len - s))) == NULL)
			nl = b.data + b.len;
		if (nl > s && show_line(o, s, (size_t)(nl - s), table, &out) == -1)
			bad++;
	}
	qmb_buf_free(&b);
	if (out.error == 0 && out.len > 0)
		fwrite(out.data, 1, out.len, stdout);
	qmb_buf_free(&out);
	if (bad > 0 && !o->c.quiet)
		qmb_warn("skipped %lu invalid line%s (run 'qmb-audit verify %s')",
		    bad, bad == 1 ? "" : "s", argv[0]);
	return 0;
}

/* ---- hash --------------------------------------------------------- */

int
cmd_hash(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	const char *file = argc > 0 ? argv[0] : "-";
	char sha[QMB_SHA256_HEX + 1];
	struct qmb_buf b;

	(void)p;
	if (read_input(file, &b, err) == -1) {
		qmb_buf_free(&b);
		return -1;
	}
	qmb_sha256(b.data, b.len, sha);
	if (o->c.json) {
		struct qmb_buf j;
		struct qmb_jw jw;

		qmb_buf_init(&j, 8192);
		qmb_jw_init(&jw, &j, 0);
		qmb_jw_obj_begin(&jw);
		qmb_jw_kstr(&jw, "sha256", sha);
		qmb_jw_kstr(&jw, "file", file);
		qmb_jw_kint(&jw, "bytes", (int64_t)b.len);
		qmb_jw_obj_end(&jw);
		if (qmb_jw_finish(&jw) == 0)
			printf("%s\n", j.data);
		qmb_buf_free(&j);
	} else {
		printf("%s  %s\n", sha, file);
	}
	qmb_buf_free(&b);
	return 0;
}

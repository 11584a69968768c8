/* SPDX-License-Identifier: MIT */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_sha256.h"
#include "qmb_verify.h"

static int
broken(struct qmb_verify *r, int64_t seq, const char *what)
{
	r->bad_seq = seq;
	snprintf(r->what, sizeof(r->what), "%s", what);
	return 1;
}

/* The checks beyond the chain: time order, session, content hashes. */
static int
check_entry(const struct qmb_jv *e, const char *id, struct qmb_verify *r,
    int64_t seq)
{
	const char *ts = qmb_json_get_str(e, "timestamp");
	const char *sid = qmb_json_get_str(e, "session_id");
	const char *type = qmb_json_get_str(e, "type");
	const struct qmb_jv *d = qmb_json_get(e, "details"), *lg;
	const char *c, *h;
	char calc[QMB_SHA256_HEX + 1];
	int64_t t, prev;

	if (qmb_time_parse(ts, &t) == -1)
		return broken(r, seq, "timestamp is not an ISO 8601 time");
	if (r->last_time[0] && qmb_time_parse(r->last_time, &prev) == 0 &&
	    t < prev) {
		/* a warning: the entry keeps the latest time as last_time */
		if (r->time_back++ == 0)
			r->time_back_seq = seq;
		ts = NULL;
	}
	if (sid == NULL || (id != NULL && strcmp(sid, id) != 0))
		return broken(r, seq, "entry names another session");
	if (d == NULL || d->type != QMB_JOBJ)
		return broken(r, seq, "details is not an object");
	c = qmb_json_get_str(d, "content");
	h = qmb_json_get_str(d, "script_sha256");
	lg = qmb_json_get(d, "legacy");
	/* a legacy approval kept its script's hash, not always the script */
	if (strcmp(type, "stage_approved") == 0 && (c != NULL ||
	    lg == NULL || lg->type != QMB_JTRUE)) {
		if (c == NULL || h == NULL)
			return broken(r, seq,
			    "stage_approved without content or script_sha256");
		qmb_sha256(c, strlen(c), calc);
		if (strcmp(calc, h) != 0)
			return broken(r, seq,
			    "stage_approved content does not match its script_sha256");
	}
	if (ts == NULL)
		return 0;
	if (r->first_time[0] == '\0')
		snprintf(r->first_time, sizeof(r->first_time), "%s", ts);
	snprintf(r->last_time, sizeof(r->last_time), "%s", ts);
	return 0;
}

/*
 * The line must be exactly what the writer wrote: the members of DESIGN
 * 2.3 in their order, compact, escaped as jq -c escapes.  The hash only
 * covers the values, so without this a changed byte that keeps the
 * values (a space, an escape spelled another way) would go unnoticed,
 * and the bytes of the trail (what a mirror, an export and sha256sum
 * see) would no longer be the ones that were hashed.
 */
static int
canonical(const char *line, size_t len, const struct qmb_jv *root,
    struct qmb_verify *r, int64_t seq)
{
	static const char *const order[] = { "seq", "timestamp", "session_id",
	    "user_id", "type", "details", "prev", "hash" };
	struct qmb_buf b;
	struct qmb_jw jw;
	size_t i;
	int same;

	if (root->len != sizeof(order) / sizeof(order[0]))
		return broken(r, seq, "entry does not have exactly the members "
		    "seq, timestamp, session_id, user_id, type, details, prev, hash");
	for (i = 0; i < root->len; i++)
		if (strcmp(root->kids[i].key, order[i]) != 0)
			return broken(r, seq, "entry members are not in the order "
			    "seq, timestamp, session_id, user_id, type, details, prev, hash");
	qmb_buf_init(&b, len + 64);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_value(&jw, root);
	same = qmb_jw_finish(&jw) == 0 && b.len == len &&
	    memcmp(b.data, line, len) == 0;
	qmb_buf_free(&b);
	if (!same)
		return broken(r, seq, "entry is not written as qmb writes it "
		    "(spacing or escapes changed)");
	return 0;
}

int
qmb_verify_text(const char *text, size_t len, const char *id,
    struct qmb_verify *r)
{
	struct qmb_err err = QMB_ERR_INIT;
	const char *p = text, *end = text + len, *nl;
	char hash[QMB_SHA256_HEX + 1];
	int64_t seq = 0;

	memcpy(r->head, QMB_AUDIT_ZERO, sizeof(r->head));
	r->entries = 0;
	r->bad_seq = 0;
	r->what[0] = r->first_time[0] = r->last_time[0] = '\0';
	r->torn = 0;
	r->time_back = r->time_back_seq = 0;
	r->want_hash[0] = '\0';
	for (; p < end; p = nl + 1) {
		struct qmb_json_doc doc = { 0 };
		int bad;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			r->torn = 1;
			return broken(r, seq + 1,
			    "the last line is torn (cut short by a crash)");
		}
		bad = qmb_audit_check_line(p, (size_t)(nl - p), seq + 1, r->head,
		    &doc, hash, &err) == -1 ||
		    canonical(p, (size_t)(nl - p), doc.root, r, seq + 1) != 0 ||
		    check_entry(doc.root, id, r, seq + 1) != 0;
		qmb_json_free(&doc);
		if (bad) {
			if (r->bad_seq == 0)
				broken(r, seq + 1, err.msg);
			return 1;
		}
		seq++;
		memcpy(r->head, hash, sizeof(hash));
		if (seq == r->want_seq)
			memcpy(r->want_hash, hash, sizeof(hash));
		r->entries = seq;
	}
	return 0;
}

int
qmb_gz_read(int dfd, const char *name, struct qmb_buf *b, struct qmb_err *err)
{
	char chunk[65536];
	gzFile gz;
	int fd, n;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "open '%s'", name);
	if ((gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		return qmb_errf(err, QMB_EXIT_IO, "open '%s': out of memory", name);
	}
	qmb_buf_reset(b);
	b->max = qmb_io_max_file();
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0)
		if (qmb_buf_add(b, chunk, (size_t)n) == -1) {
			gzclose(gz);
			return qmb_errf(err, QMB_EXIT_CORRUPT,
			    "'%s' is too large once uncompressed (limit %zu bytes)",
			    name, b->max);
		}
	if (n < 0 || gzclose(gz) != Z_OK)
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "'%s' is not a valid gzip file", name);
	return qmb_buf_add(b, "", 0) == -1 ? qmb_errf(err, QMB_EXIT_IO,
	    "out of memory") : 0;
}

int
qmb_verify_read(struct qmb_proj *p, const char *id, struct qmb_buf *b,
    struct qmb_verify *r, struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	int dfd;

	if (qmb_id_check(id, err) == -1)
		return -1;
	r->archived = 0;
	snprintf(r->path, sizeof(r->path), ".qmb/audit/%s.audit.json", id);
	if (qmb_audit_read(p, id, b, err) == 0)
		return 0;
	if (err->code != QMB_EXIT_NOTFOUND)
		return -1;
	snprintf(name, sizeof(name), "%s.audit.json.gz", id);
	if ((dfd = qmb_proj_dir(p, QMB_D_ARCHIVE_AUDIT, 0, err)) == -1 ||
	    qmb_gz_read(dfd, name, b, err) == -1) {
		if (err->code == QMB_EXIT_NOTFOUND)
			qmb_errf(err, QMB_EXIT_NOTFOUND,
			    "no audit trail for session '%s'", id);
		return -1;
	}
	r->archived = 1;
	snprintf(r->path, sizeof(r->path), ".qmb/archive/audit/%s", name);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Invariant: the trail is a sequence of complete lines, each ending in
 * '\n', whose seq counts from 1 and whose prev is the hash of the line
 * before; only the last line may be torn (a crash mid-append), and a torn
 * line was never acknowledged, so cutting it loses nothing.
 */
#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_log.h"
#include "qmb_mirror.h"
#include "qmb_tail.h"

#define CHUNK		65536
#define MAX_SAFE_INT	9007199254740991LL

int
qmb_audit_type_check(const char *t, struct qmb_err *err)
{
	size_t i;

	for (i = 0; t[i] != '\0'; i++)
		if (i >= 64 || !(islower((unsigned char)t[i]) ||
		    (i > 0 && (isdigit((unsigned char)t[i]) || t[i] == '_'))))
			break;
	if (i == 0 || t[i] != '\0')
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "invalid audit type '%.80s': use lowercase letters, digits and '_'",
		    t);
	return 0;
}

/* 0 when every number in v is an integer jq prints the same way. */
static int
ints_only(const struct qmb_jv *v, size_t n)
{
	const struct qmb_jv *stack[QMB_JSON_DEPTH + 1];
	size_t idx[QMB_JSON_DEPTH + 1];
	int sp = 0;

	stack[0] = v;
	idx[0] = 0;
	(void)n;
	while (sp >= 0) {
		const struct qmb_jv *c = stack[sp], *k;

		if (idx[sp] >= c->len) {
			sp--;
			continue;
		}
		k = &c->kids[idx[sp]++];
		if (k->type == QMB_JNUM && (!k->isint || k->i64 > MAX_SAFE_INT ||
		    k->i64 < -MAX_SAFE_INT))
			return -1;
		if ((k->type == QMB_JOBJ || k->type == QMB_JARR) &&
		    sp < QMB_JSON_DEPTH) {
			stack[++sp] = k;
			idx[sp] = 0;
		}
	}
	return 0;
}

int
qmb_audit_format(const struct qmb_audit_in *in, int64_t seq, const char *prev,
    struct qmb_buf *out, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_jw jw;
	char ts[QMB_TIME_LEN + 1];
	const char *d = in->details ? in->details : "{}";

	if (qmb_json_parse(d, strlen(d), qmb_io_max_file(), QMB_EXIT_USAGE,
	    &doc, err) == -1)
		return -1;
	if (doc.root->type != QMB_JOBJ || ints_only(doc.root, 0) == -1) {
		qmb_json_free(&doc);
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "audit details must be a JSON object with integer numbers only");
	}
	qmb_time_fmt(in->time ? in->time : qmb_now(), ts);
	qmb_buf_reset(out);
	qmb_jw_init(&jw, out, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "seq", seq);
	qmb_jw_kstr(&jw, "timestamp", ts);
	qmb_jw_kstr(&jw, "session_id", in->session_id);
	qmb_jw_kstr(&jw, "user_id", in->user_id);
	qmb_jw_kstr(&jw, "type", in->type);
	qmb_jw_key(&jw, "details");
	qmb_jw_value(&jw, doc.root);
	qmb_jw_kstr(&jw, "prev", prev);
	qmb_jw_obj_end(&jw);
	qmb_json_free(&doc);
	if (qmb_jw_finish(&jw) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE, "audit entry too large");
	return 0;
}

static int
read_range(int fd, off_t from, off_t to, struct qmb_buf *b, struct qmb_err *err)
{
	size_t n = (size_t)(to - from);

	qmb_buf_reset(b);
	if (n > qmb_io_max_file())
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "audit entry too large (limit %zu bytes)", qmb_io_max_file());
	b->max = n + 1;
	while (b->len < n) {
		char tmp[CHUNK];
		size_t want = n - b->len > CHUNK ? CHUNK : n - b->len;
		ssize_t r = pread(fd, tmp, want, from + (off_t)b->len);

		if (r <= 0)
			return qmb_errsys(err, QMB_EXIT_IO, "read audit trail");
		if (qmb_buf_add(b, tmp, (size_t)r) == -1)
			return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	}
	return 0;
}

static int
hash_entry(const struct qmb_jv *root, char *hex, struct qmb_err *err)
{
	struct qmb_buf b;
	struct qmb_jw jw;
	size_t i;

	qmb_buf_init(&b, qmb_io_max_file() + 1024);
	qmb_jw_init(&jw, &b, 0);
	qmb_jw_obj_begin(&jw);
	for (i = 0; i < root->len; i++) {
		if (strcmp(root->kids[i].key, "hash") == 0)
			continue;
		qmb_jw_key(&jw, root->kids[i].key);
		qmb_jw_value(&jw, &root->kids[i]);
	}
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == -1) {
		qmb_buf_free(&b);
		return qmb_errf(err, QMB_EXIT_CORRUPT, "audit entry too large");
	}
	qmb_sha256(b.data, b.len, hex);
	qmb_buf_free(&b);
	return 0;
}

int
qmb_audit_check_line(const char *line, size_t len, int64_t want_seq,
    const char *want_prev, struct qmb_json_doc *doc, char *hash,
    struct qmb_err *err)
{
	char calc[QMB_SHA256_HEX + 1];
	const char *h, *prev;
	int64_t seq;

	if (qmb_json_parse(line, len, qmb_io_max_file() + 1024,
	    QMB_EXIT_CORRUPT, doc, err) == -1)
		return -1;
	if (doc->root->type != QMB_JOBJ ||
	    qmb_json_get_int(doc->root, "seq", &seq) == -1 ||
	    (h = qmb_json_get_str(doc->root, "hash")) == NULL ||
	    (prev = qmb_json_get_str(doc->root, "prev")) == NULL ||
	    qmb_json_get_str(doc->root, "timestamp") == NULL ||
	    qmb_json_get_str(doc->root, "type") == NULL)
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "entry lacks seq, timestamp, type, prev or hash");
	if (want_seq > 0 && seq != want_seq)
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "seq is %lld, expected %lld", (long long)seq,
		    (long long)want_seq);
	if (want_prev != NULL && strcmp(prev, want_prev) != 0)
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "prev does not match the hash of entry %lld",
		    (long long)seq - 1);
	if (hash_entry(doc->root, calc, err) == -1)
		return -1;
	if (strcmp(calc, h) != 0)
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "hash mismatch: the entry was changed after it was written");
	memcpy(hash, calc, sizeof(calc));
	return 0;
}

static int
open_trail(struct qmb_proj *p, const char *id, int flags, int *fdp,
    struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	struct stat st;
	int dfd, fd;

	if ((dfd = qmb_proj_dir(p, QMB_D_AUDIT, (flags & O_CREAT) != 0,
	    err)) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.audit.json", id);
	fd = qmb_io_openat(dfd, name, flags | O_NONBLOCK, qmb_proj_fmode(p));
	if (fd == -1)
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "open '.qmb/audit/%s'", name);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_nlink != 1 || st.st_uid != geteuid()) {
		close(fd);
		return qmb_errf(err, QMB_EXIT_IO,
		    "'.qmb/audit/%s' is not a plain file of ours (link, FIFO or other owner); refusing to use it",
		    name);
	}
	*fdp = fd;
	return dfd;
}

/* Find the head of an open trail; *frag is where a torn tail starts. */
static int
read_head(int fd, struct qmb_audit_head *h, off_t *frag, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf line;
	struct stat st;
	off_t start, end;
	char last;
	int rc;

	memset(h, 0, sizeof(*h));
	memcpy(h->hash, QMB_AUDIT_ZERO, sizeof(QMB_AUDIT_ZERO));
	if (fstat(fd, &st) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "stat audit trail");
	*frag = st.st_size;
	if (st.st_size == 0)
		return 0;
	if (pread(fd, &last, 1, st.st_size - 1) != 1)
		return qmb_errsys(err, QMB_EXIT_IO, "read audit trail");
	if (last != '\n') {
		h->torn = 1;
		if (qmb_tail_line_start(fd, st.st_size, frag) == -1)
			return qmb_errsys(err, QMB_EXIT_IO, "read audit trail");
	}
	if (*frag == 0)
		return 0;
	end = *frag - 1;
	if (qmb_tail_line_start(fd, end, &start) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "read audit trail");
	qmb_buf_init(&line, qmb_io_max_file() + 1);
	rc = read_range(fd, start, end, &line, err);
	if (rc == 0 && (rc = qmb_audit_check_line(line.data, line.len, 0, NULL,
	    &doc, h->hash, err)) == 0) {
		qmb_json_get_int(doc.root, "seq", &h->seq);
		snprintf(h->time, sizeof(h->time), "%s",
		    qmb_json_get_str(doc.root, "timestamp"));
	} else if (err->code == QMB_EXIT_CORRUPT) {
		qmb_err_prefix(err, "last audit entry");
	}
	qmb_json_free(&doc);
	qmb_buf_free(&line);
	return rc;
}

int
qmb_audit_head(struct qmb_proj *p, const char *id, struct qmb_audit_head *h,
    struct qmb_err *err)
{
	off_t frag;
	int fd, rc;

	memset(h, 0, sizeof(*h));
	memcpy(h->hash, QMB_AUDIT_ZERO, sizeof(QMB_AUDIT_ZERO));
	if (open_trail(p, id, O_RDONLY, &fd, err) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	rc = read_head(fd, h, &frag, err);
	close(fd);
	return rc;
}

static int
write_entry(int fd, off_t size, struct qmb_buf *line, struct qmb_err *err)
{
	ssize_t w = qmb_io_write(fd, line->data, line->len);

	if (w == (ssize_t)line->len && qmb_io_fdatasync(fd) == 0)
		return 0;
	if (w == -1 || w == (ssize_t)line->len)
		qmb_errsys(err, QMB_EXIT_IO, "append to audit trail");
	else
		qmb_errf(err, QMB_EXIT_IO,
		    "append to audit trail: short write (disk full?)");
	/* the lock is held, so size is exactly where this entry began */
	if (ftruncate(fd, size) == 0)
		fdatasync(fd);
	return -1;
}

/* A failed first append leaves no empty trail behind. */
static void
drop_empty(int dfd, const char *id, int fd)
{
	char name[NAME_MAX + 1];
	struct stat st;

	snprintf(name, sizeof(name), "%s.audit.json", id);
	if (fstat(fd, &st) == 0 && st.st_size == 0)
		(void)qmb_io_unlinkat(dfd, name, 0);
}

/*
 * The entry that created the trail is written but the directory could
 * not be synced: remove it again; when that fails it stands
 * (QMB_EXIT_PENDING).
 */
static void
unmake(int dfd, const char *id, int fd, struct qmb_err *err)
{
	char name[NAME_MAX + 1];

	snprintf(name, sizeof(name), "%s.audit.json", id);
	if (qmb_io_ftruncate(fd, 0) == 0 && qmb_io_fdatasync(fd) == 0) {
		(void)qmb_io_unlinkat(dfd, name, 0);
		return;
	}
	qmb_err_prefix(err, "entry 1 of '.qmb/audit/%s' is written and could not be withdrawn (see 'qmb-recover check')", name);
	err->code = QMB_EXIT_PENDING;
}

/* The caller's head, if it gave one for a whole trail: 0, else -1. */
static int
known_head(const struct qmb_audit_in *in, int fd, struct qmb_audit_head *h,
    off_t *frag)
{
	struct stat st;

	if (in->known == NULL || in->known->torn || in->known->seq < 1 ||
	    fstat(fd, &st) == -1)
		return -1;
	*h = *in->known;
	*frag = st.st_size;
	return 0;
}

static void
mirror(struct qmb_proj *p, const char *id, const struct qmb_buf *line,
    struct qmb_audit_head *h)
{
	struct qmb_err e = QMB_ERR_INIT;

	h->mirror_error[0] = '\0';
	if (qmb_mirror_append(p, id, line->data, line->len - 1, &h->mirror_at,
	    &e) == -1)
		memcpy(h->mirror_error, e.msg, sizeof(h->mirror_error));
}

/*
 * The time of the new entry: now, or the head's time when the clock went
 * back (NTP steps, a wrong QMB_NOW), so time never goes back in a trail.
 */
static int64_t
entry_time(struct qmb_proj *p, const struct qmb_audit_in *in,
    const struct qmb_audit_head *h)
{
	static int warned;
	struct qmb_logent e = { 0 };
	struct qmb_err lerr = QMB_ERR_INIT;
	char det[160], now[QMB_TIME_LEN + 1];
	int64_t t = in->time ? in->time : qmb_now(), head;

	if (h->seq < 1 || h->time[0] == '\0' ||
	    qmb_time_parse(h->time, &head) == -1 || t >= head)
		return t;
	if (!warned) {
		warned = 1;
		qmb_time_fmt(t, now);
		snprintf(det, sizeof(det),
		    "{\"clock\":\"%s\",\"head\":\"%.32s\",\"seq\":%lld}", now,
		    h->time, (long long)h->seq + 1);
		e.level = QMB_WARN;
		e.session_id = in->session_id;
		e.component = "audit";
		e.action = "clock_went_back";
		e.details = det;
		e.user_id = in->user_id;
		(void)qmb_log_write(p, &e, &lerr);
	}
	return head;
}

/* Refuse an entry that would take the trail past QMB_MAX_FILE. */
static int
check_limit(const char *id, off_t size, size_t len, struct qmb_err *err)
{
	size_t max = qmb_io_max_file();

	if ((unsigned long long)size + len <= max)
		return 0;
	return qmb_errf(err, QMB_EXIT_IO,
	    "the audit trail of session '%s' would be %llu bytes, over QMB_MAX_FILE (%zu bytes): raise QMB_MAX_FILE; nothing was changed",
	    id, (unsigned long long)size + len, max);
}

static void
set_time(struct qmb_audit_head *h, const char *line)
{
	const char *t = strstr(line, "\"timestamp\":\"");

	h->time[0] = '\0';
	if (t != NULL)
		snprintf(h->time, sizeof(h->time), "%.*s", QMB_TIME_LEN, t + 13);
}

int
qmb_audit_append(struct qmb_proj *p, const struct qmb_audit_in *in,
    struct qmb_audit_head *head, struct qmb_buf *lineout, struct qmb_err *err)
{
	struct qmb_audit_in tin;
	struct qmb_audit_head h;
	struct qmb_buf line;
	char name[NAME_MAX + 1];
	off_t frag;
	int fd, dfd, rc = -1;

	if ((dfd = open_trail(p, in->session_id, O_RDWR | O_APPEND | O_CREAT,
	    &fd, err)) == -1)
		return -1;
	qmb_buf_init(&line, qmb_io_max_file() + 1024);
	if (known_head(in, fd, &h, &frag) == -1 &&
	    read_head(fd, &h, &frag, err) == -1)
		goto out;
	/* a torn tail was never acknowledged: keep it, cut it off */
	snprintf(name, sizeof(name), "%s.audit.json", in->session_id);
	if (h.torn && qmb_tail_cut_fd(p, fd, name, NULL, err) == -1)
		goto out;
	tin = *in;
	tin.time = entry_time(p, in, &h);
	if (qmb_audit_format(&tin, h.seq + 1, h.hash, &line, err) == -1)
		goto out;
	head->seq = h.seq + 1;
	qmb_sha256(line.data, line.len, head->hash);
	line.len--;	/* drop the closing brace, add the hash */
	qmb_buf_addf(&line, ",\"hash\":\"%s\"}\n", head->hash);
	if (line.error) {
		qmb_errf(err, QMB_EXIT_USAGE, "audit entry too large");
		goto out;
	}
	if (check_limit(in->session_id, frag, line.len, err) == -1 ||
	    (in->precheck != NULL &&
	    in->precheck(in->ctx, line.data, line.len - 1, err) == -1))
		goto out;
	head->at = frag;
	head->mirror_at = -1;
	if (write_entry(fd, frag, &line, err) == -1)
		goto out;
	if (frag == 0 && qmb_dir_sync(dfd, ".qmb/audit", err) == -1) {
		unmake(dfd, in->session_id, fd, err);
		goto out;
	}
	set_time(head, line.data);
	head->torn = 0;
	mirror(p, in->session_id, &line, head);
	if (lineout != NULL) {
		qmb_buf_reset(lineout);
		qmb_buf_add(lineout, line.data, line.len - 1);
	}
	rc = 0;
out:
	if (rc == -1 && err->code != QMB_EXIT_PENDING)
		drop_empty(dfd, in->session_id, fd);
	qmb_buf_free(&line);
	close(fd);
	return rc;
}

int
qmb_audit_takeback(struct qmb_proj *p, const char *id,
    const struct qmb_audit_head *h, struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	int fd, dfd, rc = 0;

	if ((dfd = open_trail(p, id, O_RDWR, &fd, err)) == -1)
		return -1;
	if (qmb_io_ftruncate(fd, (off_t)h->at) == -1 ||
	    qmb_io_fdatasync(fd) == -1)
		rc = qmb_errsys(err, QMB_EXIT_IO,
		    "take back audit entry %lld of session '%s'",
		    (long long)h->seq, id);
	close(fd);
	/* a trail this entry created goes; left empty it would be harmless */
	snprintf(name, sizeof(name), "%s.audit.json", id);
	if (rc == 0 && h->at == 0)
		(void)qmb_io_unlinkat(dfd, name, 0);
	if (rc == 0 && h->mirror_at >= 0 &&
	    qmb_mirror_takeback(p, id, h->mirror_at, err) == -1)
		rc = -1;
	return rc;
}

int
qmb_audit_read(struct qmb_proj *p, const char *id, struct qmb_buf *b,
    struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	int dfd;

	if ((dfd = qmb_proj_dir(p, QMB_D_AUDIT, 0, err)) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.audit.json", id);
	b->max = qmb_io_max_file();
	return qmb_io_read_file(dfd, name, b->max, QMB_EXIT_CORRUPT, b, err);
}

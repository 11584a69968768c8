/* SPDX-License-Identifier: MIT */
/*
 * Migration of the TypeScript tool's files (see qmb_migrate.h for the
 * sequence and why each crash point leaves a session either untouched or
 * migrated).
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_format.h"
#include "qmb_io.h"
#include "qmb_lock.h"
#include "qmb_log.h"
#include "qmb_migrate.h"
#include "qmb_mirror.h"
#include "qmb_session.h"
#include "qmb_sha256.h"
#include "qmb_txn.h"

#define MAX_LEGACY_ROT	9	/* the tool keeps 5; look a little further */
#define PROJECT_DIR	"_project"	/* never an id: ids start alnum */

/* A file of the TypeScript tool: where it is, its name relative to .qmb/. */
struct lfile {
	enum qmb_dir	 dir;		/* QMB_D_QMB, _SESSIONS, _LOGS, _ARCHIVE */
	char		 name[NAME_MAX + 1];
};

struct laudit {
	struct lfile		 f;
	struct qmb_buf		 b;
	struct qmb_json_doc	 doc;	/* root NULL when it does not parse */
	char			 sha[QMB_SHA256_HEX + 1];
	int			 entries;
};

struct ctx {
	struct qmb_proj		*p;
	const char		*id;
	int			 dry;
	struct qmb_mig_res	*r;
	struct lfile		 state;		/* sessions/ID.json or archive/ID.json */
	struct qmb_buf		 sb;		/* its bytes */
	char			 ssha[QMB_SHA256_HEX + 1];
	struct qmb_session	 s;		/* read from it */
	struct laudit		 au[2];
	int			 nau;
};

static const char *
sub_of(enum qmb_dir d)
{
	switch (d) {
	case QMB_D_SESSIONS:	return "sessions/";
	case QMB_D_LOGS:	return "logs/";
	case QMB_D_ARCHIVE:	return "archive/";
	default:		return "";
	}
}

static int
oom(struct qmb_err *err)
{
	return qmb_errf(err, QMB_EXIT_IO, "out of memory");
}

void
qmb_mig_res_init(struct qmb_mig_res *r)
{
	memset(r, 0, sizeof(*r));
	qmb_buf_init(&r->text, 1u << 20);
}

void
qmb_mig_res_free(struct qmb_mig_res *r)
{
	free(r->project);
	qmb_buf_free(&r->text);
	r->project = NULL;
}

/* Does .qmb/<dir>/name exist (no link followed)?  Missing dir: no. */
static int
exists_in(struct qmb_proj *p, enum qmb_dir d, const char *name)
{
	struct qmb_err e = QMB_ERR_INIT;
	int dfd = qmb_proj_dir(p, d, 0, &e);

	return dfd != -1 && faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* ---- copies kept in .qmb/migrated/ -------------------------------- */

/* migrated/<top>/<sub> (created unless dry), or -1. */
static int
mdir_open(struct qmb_proj *p, const char *top, enum qmb_dir d, int create,
    struct qmb_err *err)
{
	const char *sub = sub_of(d);
	char part[NAME_MAX + 1];
	int fd, pfd, i, n = sub[0] ? 2 : 1;

	if ((pfd = qmb_proj_dir(p, QMB_D_MIGRATED, create, err)) == -1)
		return -1;
	pfd = dup(pfd);
	for (i = 0; i < n && pfd != -1; i++) {
		snprintf(part, sizeof(part), "%s", i == 0 ? top : sub);
		if (i == 1)
			part[strlen(part) - 1] = '\0';	/* the '/' */
		fd = openat(pfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd == -1 && errno == ENOENT && create) {
			if (qmb_io_mkdirat(pfd, part, qmb_proj_dmode(p)) == -1 &&
			    errno != EEXIST) {
				qmb_errsys(err, QMB_EXIT_IO,
				    "mkdir '.qmb/migrated/%s'", part);
				close(pfd);
				return -1;
			}
			if (qmb_dir_sync(pfd, ".qmb/migrated", err) == -1) {
				close(pfd);
				return -1;
			}
			fd = openat(pfd, part, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd == -1)
			qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
			    QMB_EXIT_IO, "open '.qmb/migrated/%s'", part);
		close(pfd);
		pfd = fd;
	}
	return pfd;
}

/* 1 when the two files hold the same bytes, 0 when not, -1 on error. */
static int
same_bytes(int adfd, const char *a, int bdfd, const char *b)
{
	char x[65536], y[65536];
	ssize_t n, m;
	int fa, fb, rc = -1;

	if ((fa = openat(adfd, a, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if ((fb = openat(bdfd, b, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		close(fa);
		return -1;
	}
	for (;;) {
		n = read(fa, x, sizeof(x));
		m = n > 0 ? read(fb, y, (size_t)n) : read(fb, y, 1);
		if (n < 0 || m < 0)
			break;
		if (n != m || memcmp(x, y, (size_t)n) != 0) {
			rc = 0;
			break;
		}
		if (n == 0) {
			rc = 1;
			break;
		}
	}
	close(fa);
	close(fb);
	return rc;
}

/* Copy sdfd/name to ddfd/dname: temporary, fsync, rename. */
static int
copy_file(int sdfd, const char *name, int ddfd, const char *dname,
    mode_t mode, struct qmb_err *err)
{
	char tmp[NAME_MAX + 1], buf[65536];
	ssize_t n;
	int in, out, rc = -1;

	if (qmb_path_fmt(tmp, sizeof(tmp), err, ".%.200s.tmp", dname) == -1)
		return -1;
	if ((in = qmb_io_openat(sdfd, name, O_RDONLY, 0)) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "open '%s'", name);
	(void)unlinkat(ddfd, tmp, 0);	/* left by a killed run */
	if ((out = qmb_io_openat(ddfd, tmp, O_WRONLY | O_CREAT | O_EXCL,
	    mode)) == -1) {
		qmb_errsys(err, QMB_EXIT_IO, "create '.qmb/migrated/%s'", tmp);
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (qmb_io_write_all(out, buf, (size_t)n) == -1)
			break;
	if (n != 0)
		qmb_errsys(err, QMB_EXIT_IO, "copy '%s'", name);
	else if (qmb_io_fsync(out) == -1)
		qmb_errsys(err, QMB_EXIT_IO, "fsync '.qmb/migrated/%s'", tmp);
	else
		rc = 0;
	close(in);
	if (close(out) == -1 && rc == 0)
		rc = qmb_errsys(err, QMB_EXIT_IO, "close '%s'", tmp);
	if (rc == 0 && qmb_io_renameat(ddfd, tmp, dname) == -1)
		rc = qmb_errsys(err, QMB_EXIT_IO, "rename '.qmb/migrated/%s'",
		    dname);
	if (rc == -1)
		(void)unlinkat(ddfd, tmp, 0);
	return rc;
}

/*
 * Replace dfd/name with data: ".NAME.tmp" (a stale one from a killed run
 * is removed first, so a later run never leaves one behind), fsync,
 * rename, fsync the folder.
 */
static int
write_whole(int dfd, const char *name, const char *label, const void *data,
    size_t len, mode_t mode, struct qmb_err *err)
{
	char tmp[NAME_MAX + 1];
	int fd, rc = -1;

	if (qmb_path_fmt(tmp, sizeof(tmp), err, ".%.200s.tmp", name) == -1)
		return -1;
	(void)unlinkat(dfd, tmp, 0);
	if ((fd = qmb_io_openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL,
	    mode)) == -1)
		return qmb_errsys(err, QMB_EXIT_IO, "create '%s/%s'", label, tmp);
	if (qmb_io_write_all(fd, data, len) == -1)
		qmb_errsys(err, QMB_EXIT_IO, "write '%s/%s'", label, tmp);
	else if (qmb_io_fsync(fd) == -1)
		qmb_errsys(err, QMB_EXIT_IO, "fsync '%s/%s'", label, tmp);
	else
		rc = 0;
	if (close(fd) == -1 && rc == 0)
		rc = qmb_errsys(err, QMB_EXIT_IO, "close '%s/%s'", label, tmp);
	if (rc == 0 && qmb_io_renameat(dfd, tmp, name) == -1)
		rc = qmb_errsys(err, QMB_EXIT_IO, "rename '%s/%s'", label, name);
	if (rc == -1) {
		(void)unlinkat(dfd, tmp, 0);
		return -1;
	}
	return qmb_dir_sync(dfd, label, err);
}

/*
 * Make sure .qmb/migrated/<top>/<rel> holds f's bytes: an equal copy is
 * kept, a different one is left and the copy goes to <rel>.N.  0 when a
 * byte-identical copy exists afterwards (so f may go).
 */
static int
keep(struct qmb_proj *p, const char *top, const struct lfile *f, int dry,
    struct qmb_buf *text, struct qmb_err *err)
{
	char dname[NAME_MAX + 1];
	int sdfd, ddfd, k, same;

	if (dry) {
		char line[3 * NAME_MAX + 64];

		snprintf(line, sizeof(line),
		    "  keep %s%s as .qmb/migrated/%s/%s%s\n", sub_of(f->dir),
		    f->name, top, sub_of(f->dir), f->name);
		if (text->data == NULL || strstr(text->data, line) == NULL)
			qmb_buf_adds(text, line);
		return 0;
	}
	if ((sdfd = qmb_proj_dir(p, f->dir, 0, err)) == -1 ||
	    (ddfd = mdir_open(p, top, f->dir, 1, err)) == -1)
		return -1;
	snprintf(dname, sizeof(dname), ".%.200s.tmp", f->name);
	(void)unlinkat(ddfd, dname, 0);		/* left by a killed run */
	for (k = 0; k < 100; k++) {
		snprintf(dname, sizeof(dname), k ? "%s.%d" : "%s", f->name, k);
		if (faccessat(ddfd, dname, F_OK, AT_SYMLINK_NOFOLLOW) == -1)
			break;
		if ((same = same_bytes(sdfd, f->name, ddfd, dname)) == 1) {
			close(ddfd);
			return 0;
		}
		if (same == -1) {
			close(ddfd);
			return qmb_errsys(err, QMB_EXIT_IO, "compare '%s'",
			    f->name);
		}
	}
	if (k == 100 || copy_file(sdfd, f->name, ddfd, dname,
	    qmb_proj_fmode(p), err) == -1 ||
	    qmb_dir_sync(ddfd, ".qmb/migrated", err) == -1) {
		if (k == 100)
			qmb_errf(err, QMB_EXIT_IO,
			    "too many copies of '%s' in .qmb/migrated/%s", f->name,
			    top);
		close(ddfd);
		return -1;
	}
	close(ddfd);
	qmb_buf_addf(text, "  kept %s%s as .qmb/migrated/%s/%s%s\n",
	    sub_of(f->dir), f->name, top, sub_of(f->dir), dname);
	return 0;
}

/* Keep f, then remove it. */
static int
keep_remove(struct qmb_proj *p, const char *top, const struct lfile *f,
    int dry, struct qmb_buf *text, struct qmb_err *err)
{
	int dfd;

	if (keep(p, top, f, dry, text, err) == -1)
		return -1;
	if (dry) {
		qmb_buf_addf(text, "  remove %s%s\n", sub_of(f->dir), f->name);
		return 0;
	}
	if ((dfd = qmb_proj_dir(p, f->dir, 0, err)) == -1)
		return -1;
	if (qmb_io_unlinkat(dfd, f->name, 0) == -1 && errno != ENOENT)
		return qmb_errsys(err, QMB_EXIT_IO, "remove '%s%s'",
		    sub_of(f->dir), f->name);
	if (qmb_dir_sync(dfd, sub_of(f->dir), err) == -1)
		return -1;
	qmb_buf_addf(text, "  removed %s%s\n", sub_of(f->dir), f->name);
	return 0;
}

/* ---- logs --------------------------------------------------------- */

static int
log_name(char *out, const char *base, int k)
{
	return snprintf(out, NAME_MAX + 1, k ? "%s.log.%d" : "%s.log", base,
	    k) > NAME_MAX ? -1 : 0;
}

/* The highest k of logs/base.log.k (0: none); *cur: base.log exists. */
static int
rotations(int ldfd, const char *base, int *cur)
{
	char n[NAME_MAX + 1];
	int k, top = 0;

	log_name(n, base, 0);
	*cur = faccessat(ldfd, n, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	for (k = 1; k <= 99; k++) {
		log_name(n, base, k);
		if (faccessat(ldfd, n, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			top = k;
	}
	return top;
}

/*
 * Move .qmb/base.log[.k] into .qmb/logs/, newest first.  Where logs/
 * already has files of base, the legacy ones go after its rotations (they
 * are older), so `qmb-log show --rotated` reads everything in order.
 * link+unlink never replaces a file a logger has just made.
 */
static int
move_logs(struct qmb_proj *p, const char *top, const char *base, int dry,
    struct qmb_buf *text, struct qmb_err *err)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	struct lfile f;
	char to[NAME_MAX + 1], lk[NAME_MAX + 1];
	int qfd, ldfd = -1, k, cur = 0, m = 0, rc = 0;

	if ((qfd = qmb_proj_dir(p, QMB_D_QMB, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	f.dir = QMB_D_QMB;
	for (k = 0; k <= MAX_LEGACY_ROT && rc == 0; k++) {
		log_name(f.name, base, k);
		if (faccessat(qfd, f.name, F_OK, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (ldfd == -1 && !dry) {
			if ((ldfd = qmb_proj_dir(p, QMB_D_LOGS, 1, err)) == -1)
				return -1;
			snprintf(lk, sizeof(lk), "%s.log.lock", base);
			if (qmb_lock_take(&l, ldfd, lk, LOCK_EX,
			    qmb_lock_wait_ms(), qmb_proj_fmode(p), "log", err) == -1)
				return -1;
			m = rotations(ldfd, base, &cur);
		} else if (ldfd == -1) {
			int d = qmb_proj_dir(p, QMB_D_LOGS, 0, err);

			m = d == -1 ? 0 : rotations(d, base, &cur);
			ldfd = -2;
		}
		log_name(to, base, (cur || m) ? m + 1 + k : k);
		if ((rc = keep(p, top, &f, dry, text, err)) == -1)
			break;
		if (dry) {
			qmb_buf_addf(text, "  move %s to logs/%s\n", f.name, to);
			continue;
		}
		if (qmb_io_linkat(qfd, f.name, ldfd, to) == -1)
			rc = qmb_errsys(err, QMB_EXIT_IO, "link '%s' to 'logs/%s'",
			    f.name, to);
		else if (qmb_dir_sync(ldfd, ".qmb/logs", err) == -1)
			rc = -1;
		else if (qmb_io_unlinkat(qfd, f.name, 0) == -1)
			rc = qmb_errsys(err, QMB_EXIT_IO, "remove '%s'", f.name);
		else
			qmb_buf_addf(text, "  moved %s to logs/%s\n", f.name, to);
	}
	if (rc == 0 && ldfd >= 0)
		rc = qmb_dir_sync(qfd, ".qmb", err);
	qmb_lock_release(&l);
	return rc;
}

/* ---- reading the legacy files ------------------------------------- */

static int
read_into(struct qmb_proj *p, const struct lfile *f, struct qmb_buf *b,
    struct qmb_err *err)
{
	int dfd;

	if ((dfd = qmb_proj_dir(p, f->dir, 0, err)) == -1)
		return -1;
	qmb_buf_init(b, qmb_io_max_file());
	return qmb_io_read_file(dfd, f->name, b->max, QMB_EXIT_CORRUPT, b,
	    err);
}

/* The legacy audit arrays of id (root layout first). */
static int
read_audits(struct ctx *c, struct qmb_err *err)
{
	static const enum qmb_dir where[2] = { QMB_D_QMB, QMB_D_LOGS };
	struct laudit *a;
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		a = &c->au[c->nau];
		memset(a, 0, sizeof(*a));
		a->f.dir = where[k];
		snprintf(a->f.name, sizeof(a->f.name), "%s.audit.json", c->id);
		if (!exists_in(c->p, a->f.dir, a->f.name))
			continue;
		if (read_into(c->p, &a->f, &a->b, err) == -1) {
			qmb_buf_free(&a->b);
			return -1;
		}
		c->nau++;
		qmb_sha256(a->b.data, a->b.len, a->sha);
		if (qmb_json_parse(a->b.data, a->b.len, a->b.max,
		    QMB_EXIT_CORRUPT, &a->doc, NULL) == -1 ||
		    a->doc.root->type != QMB_JARR) {
			qmb_json_free(&a->doc);
			a->doc.root = NULL;
			qmb_buf_addf(&c->r->text,
			    "  note: %s%s is not a JSON array; kept, not imported\n",
			    sub_of(a->f.dir), a->f.name);
			continue;
		}
		for (i = 0; i < a->doc.root->len; i++)
			a->entries += a->doc.root->kids[i].type == QMB_JOBJ;
	}
	return 0;
}

static void
ctx_free(struct ctx *c)
{
	int k;

	for (k = 0; k < c->nau; k++) {
		qmb_json_free(&c->au[k].doc);
		qmb_buf_free(&c->au[k].b);
	}
	qmb_buf_free(&c->sb);
	qmb_session_free(&c->s);
}

/* ---- the new trail ------------------------------------------------ */

struct lent {
	const struct qmb_jv	*e;
	int64_t			 t;
	size_t			 order;
};

static int
lent_cmp(const void *a, const void *b)
{
	const struct lent *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Does compact JSON text hold a number that is not an integer? */
static int
has_fraction(const char *s)
{
	int instr = 0;

	for (; *s; s++) {
		if (instr) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '"')
				instr = 0;
		} else if (*s == '"')
			instr = 1;
		else if (*s == '.' || *s == 'e' || *s == 'E')
			return 1;
	}
	return 0;
}

/* A legacy member into details: fractions become their text. */
static void
member_value(struct qmb_jw *jw, const char *key, const struct qmb_jv *v)
{
	struct qmb_buf t;
	struct qmb_jw tw;

	qmb_jw_key(jw, key);
	if (v->type == QMB_JNUM) {
		if (v->isint)
			qmb_jw_value(jw, v);
		else
			qmb_jw_str(jw, v->num);
		return;
	}
	if (v->type != QMB_JOBJ && v->type != QMB_JARR) {
		qmb_jw_value(jw, v);
		return;
	}
	qmb_buf_init(&t, qmb_io_max_file());
	qmb_jw_init(&tw, &t, 0);
	qmb_jw_value(&tw, v);
	if (qmb_jw_finish(&tw) == 0 && has_fraction(t.data))
		qmb_jw_str(jw, t.data);
	else
		qmb_jw_value(jw, v);
	qmb_buf_free(&t);
}

static const char *
stage_of_hash(const struct qmb_session *s, const char *h)
{
	static const char names[QMB_NSTAGES][2] = {
		"A", "B", "C", "D", "E", "F" };
	char calc[QMB_SHA256_HEX + 1];
	int i;

	for (i = 0; h != NULL && i < s->ncompleted; i++) {
		qmb_sha256(s->parts[i], strlen(s->parts[i]), calc);
		if (strcmp(calc, h) == 0)
			return names[i];
	}
	return NULL;
}

static int
reserved(const char *k)
{
	static const char *const r[] = {
		"audit_type", "timestamp", "session_id", "user_id",
		"script_hash", "legacy", "stage", "script_sha256",
	};
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (strcmp(k, r[i]) == 0)
			return 1;
	return 0;
}

/* The details of one legacy entry; its type goes to type. */
static int
legacy_details(const struct ctx *c, const struct lent *le, char *type,
    struct qmb_buf *d)
{
	const struct qmb_jv *e = le->e;
	const char *at = qmb_json_get_str(e, "audit_type");
	const char *ts = qmb_json_get_str(e, "timestamp");
	const char *sid = qmb_json_get_str(e, "session_id");
	const char *h = qmb_json_get_str(e, "script_hash");
	char back[QMB_TIME_LEN + 1], key[NAME_MAX + 1];
	struct qmb_jw jw;
	size_t i;

	if (at != NULL && qmb_audit_type_check(at, NULL) == 0)
		snprintf(type, 65, "%s", at);
	else
		snprintf(type, 65, "legacy_entry");
	qmb_time_fmt(le->t, back);
	qmb_buf_reset(d);
	qmb_jw_init(&jw, d, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_key(&jw, "legacy");
	qmb_jw_bool(&jw, 1);
	if (strcmp(type, "legacy_entry") == 0 && qmb_json_get(e,
	    "audit_type") != NULL)
		member_value(&jw, "audit_type", qmb_json_get(e, "audit_type"));
	if (h != NULL) {
		qmb_jw_kstr(&jw, "script_sha256", h);
		if (stage_of_hash(&c->s, h) != NULL)
			qmb_jw_kstr(&jw, "stage", stage_of_hash(&c->s, h));
	}
	for (i = 0; i < e->len; i++) {
		if (reserved(e->kids[i].key)) {
			if (strcmp(e->kids[i].key, "legacy") != 0 &&
			    strcmp(e->kids[i].key, "stage") != 0 &&
			    strcmp(e->kids[i].key, "script_sha256") != 0)
				continue;
			snprintf(key, sizeof(key), "legacy_%s", e->kids[i].key);
			member_value(&jw, key, &e->kids[i]);
			continue;
		}
		member_value(&jw, e->kids[i].key, &e->kids[i]);
	}
	if (ts == NULL || strcmp(ts, back) != 0)
		member_value(&jw, "timestamp", qmb_json_get(e, "timestamp") ?
		    qmb_json_get(e, "timestamp") : qmb_json_get(e, "legacy"));
	if (sid != NULL && strcmp(sid, c->id) != 0)
		qmb_jw_kstr(&jw, "legacy_session_id", sid);
	qmb_jw_obj_end(&jw);
	return qmb_jw_finish(&jw);
}

/* Append one entry to the trail text; the chain head moves on. */
static int
add_entry(struct qmb_buf *trail, const struct qmb_audit_in *in, int64_t seq,
    char *prev, struct qmb_err *err)
{
	struct qmb_buf line;
	int rc;

	qmb_buf_init(&line, qmb_io_max_file() + 4096);
	rc = qmb_audit_format(in, seq, prev, &line, err);
	if (rc == 0) {
		qmb_sha256(line.data, line.len, prev);
		line.len--;	/* the closing brace */
		qmb_buf_add(trail, line.data, line.len);
		qmb_buf_addf(trail, ",\"hash\":\"%s\"}\n", prev);
		if (trail->error)
			rc = qmb_errf(err, QMB_EXIT_IO,
			    "the new audit trail of '%s' is too large", in->session_id);
	}
	qmb_buf_free(&line);
	return rc;
}

static int
imported_details(const struct ctx *c, struct qmb_buf *d)
{
	char now[QMB_TIME_LEN + 1], rel[NAME_MAX + 16];
	struct qmb_jw jw;
	int k, total = 0;

	for (k = 0; k < c->nau; k++)
		total += c->au[k].doc.root ? c->au[k].entries : 0;
	qmb_time_fmt(qmb_now(), now);
	qmb_buf_reset(d);
	qmb_jw_init(&jw, d, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kint(&jw, "format", c->s.version);
	snprintf(rel, sizeof(rel), "%s%s", sub_of(c->state.dir), c->state.name);
	qmb_jw_kstr(&jw, "source", rel);
	qmb_jw_kstr(&jw, "session_sha256", c->ssha);
	qmb_jw_key(&jw, "audit_sha256");
	qmb_jw_str(&jw, c->nau > 0 ? c->au[0].sha : NULL);
	qmb_jw_kint(&jw, "entries", total);
	qmb_jw_key(&jw, "audit_files");
	qmb_jw_arr_begin(&jw);
	for (k = 0; k < c->nau; k++) {
		qmb_jw_obj_begin(&jw);
		snprintf(rel, sizeof(rel), "%s%s", sub_of(c->au[k].f.dir),
		    c->au[k].f.name);
		qmb_jw_kstr(&jw, "file", rel);
		qmb_jw_kstr(&jw, "sha256", c->au[k].sha);
		qmb_jw_kint(&jw, "entries", c->au[k].entries);
		qmb_jw_key(&jw, "imported");
		qmb_jw_bool(&jw, c->au[k].doc.root != NULL);
		qmb_jw_obj_end(&jw);
	}
	qmb_jw_arr_end(&jw);
	qmb_jw_kstr(&jw, "imported_at", now);
	qmb_jw_key(&jw, "session");
	qmb_jw_obj_begin(&jw);
	qmb_session_members(&c->s, &jw);
	qmb_jw_obj_end(&jw);
	qmb_jw_obj_end(&jw);
	return qmb_jw_finish(&jw);
}

/* Every legacy entry that is an object, oldest first (stable). */
static struct lent *
collect(const struct ctx *c, size_t *n, int64_t t0)
{
	struct lent *v;
	size_t i, total = 0;
	int64_t last = t0, t;
	int k;

	for (k = 0; k < c->nau; k++)
		total += c->au[k].doc.root ? c->au[k].doc.root->len : 0;
	if ((v = calloc(total + 1, sizeof(*v))) == NULL)
		return NULL;
	*n = 0;
	for (k = 0; k < c->nau; k++) {
		const struct qmb_jv *a = c->au[k].doc.root;

		for (i = 0; a != NULL && i < a->len; i++) {
			const char *ts;

			if (a->kids[i].type != QMB_JOBJ)
				continue;
			ts = qmb_json_get_str(&a->kids[i], "timestamp");
			if (ts == NULL || qmb_time_parse(ts, &t) == -1)
				t = last;	/* unreadable: where it stands */
			last = t;
			v[*n].e = &a->kids[i];
			v[*n].t = t;
			v[*n].order = *n;
			(*n)++;
		}
	}
	qsort(v, *n, sizeof(*v), lent_cmp);
	return v;
}

/* The whole new trail of c's session into trail. */
static int
build_trail(struct ctx *c, struct qmb_buf *trail, struct qmb_err *err)
{
	struct qmb_audit_in in = { 0 };
	struct qmb_buf d;
	struct lent *v;
	char prev[QMB_SHA256_HEX + 1], type[65];
	int64_t t0, seq = 1;
	size_t i, n = 0;
	int rc;

	if (qmb_time_parse(c->s.created_at, &t0) == -1)
		return qmb_errf(err, QMB_EXIT_CORRUPT, "session '%s': bad created_at",
		    c->id);
	if ((v = collect(c, &n, t0)) == NULL)
		return oom(err);
	if (n > 0 && v[0].t < t0)
		t0 = v[0].t;	/* nothing may come before the import */
	memcpy(prev, QMB_AUDIT_ZERO, sizeof(prev));
	qmb_buf_init(&d, qmb_io_max_file() + 4096);
	in.session_id = c->id;
	in.user_id = c->s.user_id;
	in.type = "legacy_imported";
	in.time = t0 > 0 ? t0 : 1;
	rc = imported_details(c, &d) == -1 ? qmb_errf(err, QMB_EXIT_IO,
	    "session '%s' is too large to migrate", c->id) :
	    (in.details = d.data, add_entry(trail, &in, seq, prev, err));
	for (i = 0; rc == 0 && i < n; i++) {
		const char *u = qmb_json_get_str(v[i].e, "user_id");

		if (legacy_details(c, &v[i], type, &d) == -1) {
			rc = qmb_errf(err, QMB_EXIT_IO,
			    "legacy audit entry %zu of '%s' is too large", i + 1,
			    c->id);
			break;
		}
		in.type = type;
		in.details = d.data;
		in.user_id = u != NULL && u[0] != '\0' ? u : c->s.user_id;
		in.time = v[i].t > 0 ? v[i].t : 1;
		rc = add_entry(trail, &in, ++seq, prev, err);
	}
	c->r->entries = (int)n;
	c->r->trail = seq;
	free(v);
	qmb_buf_free(&d);
	return rc;
}

/*
 * An existing trail of a legacy session: 1 when it is the one an
 * interrupted migration of this very file wrote (use it), 0 when there
 * is none, -1 (BUSY) when it is something else.
 */
static int
earlier_trail(struct ctx *c, struct qmb_buf *trail, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_audit_head h;
	const char *nl, *sha = NULL;
	int ok;

	if (qmb_audit_head(c->p, c->id, &h, err) == -1)
		return -1;
	if (h.seq == 0 && !h.torn)
		return 0;
	if (qmb_audit_read(c->p, c->id, trail, err) == -1)
		return -1;
	nl = memchr(trail->data, '\n', trail->len);
	ok = nl != NULL && qmb_json_parse(trail->data,
	    (size_t)(nl - trail->data), trail->max, QMB_EXIT_CORRUPT, &doc,
	    NULL) == 0;
	if (ok && qmb_json_get_str(doc.root, "type") != NULL &&
	    strcmp(qmb_json_get_str(doc.root, "type"), "legacy_imported") == 0)
		sha = qmb_json_get_str(qmb_json_get(doc.root, "details"),
		    "session_sha256");
	ok = sha != NULL && strcmp(sha, c->ssha) == 0;
	qmb_json_free(&doc);
	if (ok)
		return 1;
	return qmb_errf(err, QMB_EXIT_BUSY,
	    "session '%s' is in the legacy format but already has an audit trail of its own (run 'qmb-recover check %s')",
	    c->id, c->id);
}

static void
summarize(struct ctx *c, const struct qmb_session *s)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf *t = &c->r->text;
	size_t i;
	int k;

	c->r->stages = s->ncompleted;
	c->r->tables = (int)s->ntables;
	if (qmb_json_parse(s->reviews, strlen(s->reviews), 0,
	    QMB_EXIT_CORRUPT, &doc, NULL) == 0)
		c->r->reviews = (int)doc.root->len;
	qmb_json_free(&doc);
	free(c->r->project);
	c->r->project = strdup(s->project);
	qmb_buf_addf(t, "  stages approved: %d/6", s->ncompleted);
	for (k = 0; k < s->ncompleted; k++)
		qmb_buf_addf(t, "%s%c (%zu bytes)", k ? ", " : " - ", 'A' + k,
		    strlen(s->parts[k]));
	qmb_buf_addf(t, "\n  model type: %s\n  pending tables: %zu",
	    s->model_type ? s->model_type : "(not chosen)", s->ntables);
	for (i = 0; i < s->ntables; i++)
		qmb_buf_addf(t, "%s%s", i ? ", " : " - ", s->tables[i]);
	qmb_buf_addf(t, "\n  reviews: %d\n", c->r->reviews);
}

/* Write the trail text whole, then copy it to the mirror. */
static int
write_trail(struct ctx *c, const struct qmb_buf *trail, struct qmb_err *err)
{
	struct qmb_err me = QMB_ERR_INIT;
	char name[NAME_MAX + 1];
	const char *p, *end, *nl;
	int64_t at;
	int dfd;

	snprintf(name, sizeof(name), "%s.audit.json", c->id);
	if ((dfd = qmb_proj_dir(c->p, QMB_D_AUDIT, 1, err)) == -1 ||
	    write_whole(dfd, name, ".qmb/audit", trail->data, trail->len,
	    qmb_proj_fmode(c->p), err) == -1)
		return -1;
	end = trail->data + trail->len;
	for (p = trail->data; p < end && (nl = memchr(p, '\n',
	    (size_t)(end - p))) != NULL; p = nl + 1)
		if (qmb_mirror_append(c->p, c->id, p, (size_t)(nl - p), &at,
		    &me) == -1) {
			snprintf(c->r->warning, sizeof(c->r->warning), "%s",
			    me.msg);
			break;
		}
	return 0;
}

/* Save the migrated state where its legacy file was. */
static int
commit(struct ctx *c, const struct qmb_session *s, struct qmb_err *err)
{
	struct qmb_buf b;
	char name[NAME_MAX + 1];
	int dfd, rc;

	if (c->state.dir == QMB_D_SESSIONS)
		return qmb_session_save(c->p, s, QMB_CUR_VALID, err);
	snprintf(name, sizeof(name), "%s.json", c->id);
	if ((dfd = qmb_proj_dir(c->p, QMB_D_ARCHIVE_SESSIONS, 1, err)) == -1)
		return -1;
	qmb_buf_init(&b, qmb_io_max_file() + 4096);
	rc = qmb_session_write(s, 1, &b, err);
	if (rc == 0)
		rc = write_whole(dfd, name, ".qmb/archive/sessions", b.data,
		    b.len, qmb_proj_fmode(c->p), err);
	qmb_buf_free(&b);
	return rc;
}

static void
log_migrated(struct ctx *c)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_logent le = { 0 };
	char det[256];

	snprintf(det, sizeof(det),
	    "{\"format\":0,\"entries\":%d,\"originals\":\".qmb/migrated/%s/\"}",
	    c->r->entries, c->id);
	le.level = QMB_INFO;
	le.session_id = c->id;
	le.component = "migrate";
	le.action = "session_migrated";
	le.details = det;
	le.user_id = c->s.user_id;
	if (qmb_log_write(c->p, &le, &e) == -1)
		snprintf(c->r->logerr, sizeof(c->r->logerr), "%.400s", e.msg);
}

static int keep_logs(struct ctx *, struct qmb_err *);

/* Steps 1-3 for a legacy state file already read into c. */
static int
convert(struct ctx *c, struct qmb_err *err)
{
	struct qmb_session n;
	struct qmb_buf trail;
	int k, reuse, rc = -1;

	qmb_session_init(&n);
	qmb_buf_init(&trail, 4 * qmb_io_max_file());
	if (read_audits(c, err) == -1 ||
	    (reuse = earlier_trail(c, &trail, err)) == -1)
		goto out;
	if (!reuse && build_trail(c, &trail, err) == -1)
		goto out;
	if (qmb_session_replay(&n, trail.data, trail.len, 0, err) == -1) {
		qmb_err_prefix(err, "internal: migration of '%s'", c->id);
		err->code = QMB_EXIT_INTERNAL;
		goto out;
	}
	n.version = QMB_SESSION_VERSION;
	c->r->trail = n.audit_seq;
	summarize(c, &n);
	qmb_buf_addf(&c->r->text, "  audit: %d legacy entr%s after legacy_imported; trail of %lld entries\n",
	    c->r->entries, c->r->entries == 1 ? "y" : "ies",
	    (long long)n.audit_seq);
	if (keep_logs(c, err) == -1 ||
	    keep(c->p, c->id, &c->state, c->dry, &c->r->text, err) == -1)
		goto out;
	if (c->state.dir == QMB_D_SESSIONS) {
		struct lfile bak = c->state;

		snprintf(bak.name, sizeof(bak.name), "%s.json.bak", c->id);
		if (exists_in(c->p, bak.dir, bak.name) &&
		    keep(c->p, c->id, &bak, c->dry, &c->r->text, err) == -1)
			goto out;
	}
	for (k = 0; k < c->nau; k++)
		if (keep(c->p, c->id, &c->au[k].f, c->dry, &c->r->text,
		    err) == -1)
			goto out;
	if (c->dry) {
		qmb_buf_addf(&c->r->text, "  write audit/%s.audit.json (%lld entries)\n  save %s%s in format %d\n",
		    c->id, (long long)n.audit_seq, c->state.dir ==
		    QMB_D_SESSIONS ? "sessions/" : "archive/sessions/",
		    c->state.name, QMB_FORMAT_CURRENT);
		rc = 0;
		goto out;
	}
	if ((!reuse && write_trail(c, &trail, err) == -1) ||
	    commit(c, &n, err) == -1)
		goto out;
	qmb_buf_addf(&c->r->text, "  wrote audit/%s.audit.json; saved %s%s in format %d\n",
	    c->id, c->state.dir == QMB_D_SESSIONS ? "sessions/" :
	    "archive/sessions/", c->state.name, QMB_FORMAT_CURRENT);
	rc = 0;
out:
	qmb_session_free(&n);
	qmb_buf_free(&trail);
	return rc;
}

/* ---- step 4 and what an interrupted run left -------------------- */

/* The details of the trail's first entry if it is a legacy_imported. */
static const struct qmb_jv *
first_import(struct ctx *c, struct qmb_json_doc *doc, struct qmb_buf *b)
{
	struct qmb_err e = QMB_ERR_INIT;
	const char *nl, *type;

	qmb_buf_init(b, 4 * qmb_io_max_file());
	if (qmb_audit_read(c->p, c->id, b, &e) == -1 ||
	    (nl = memchr(b->data, '\n', b->len)) == NULL ||
	    qmb_json_parse(b->data, (size_t)(nl - b->data), b->max,
	    QMB_EXIT_CORRUPT, doc, NULL) == -1)
		return NULL;
	type = qmb_json_get_str(doc->root, "type");
	if (type == NULL || strcmp(type, "legacy_imported") != 0)
		return NULL;
	return qmb_json_get(doc->root, "details");
}

static int
listed_sha(const struct qmb_jv *det, const char *sha)
{
	const struct qmb_jv *a = qmb_json_get(det, "audit_files");
	const char *h;
	size_t i;

	for (i = 0; a != NULL && a->type == QMB_JARR && i < a->len; i++)
		if ((h = qmb_json_get_str(&a->kids[i], "sha256")) != NULL &&
		    strcmp(h, sha) == 0)
			return 1;
	return 0;
}

/* sha256 of a legacy file; -1 when it cannot be read. */
static int
file_sha(struct ctx *c, const struct lfile *f, char *sha, struct qmb_err *err)
{
	struct qmb_buf b;
	int rc = read_into(c->p, f, &b, err);

	if (rc == 0)
		qmb_sha256(b.data, b.len, sha);
	qmb_buf_free(&b);
	return rc;
}

/*
 * Step 4: remove the legacy audit arrays and archive file the trail
 * imported, move the logs.  planned: a dry run of a conversion (there is
 * no trail yet; everything read is what it would import).
 */
static int
finish(struct ctx *c, int planned, struct qmb_err *err)
{
	static const enum qmb_dir where[2] = { QMB_D_QMB, QMB_D_LOGS };
	struct qmb_json_doc doc = { 0 };
	const struct qmb_jv *det = NULL;
	struct qmb_buf tb;
	struct lfile f;
	char sha[QMB_SHA256_HEX + 1];
	const char *ss;
	int k, rc = 0;

	qmb_buf_init(&tb, 0);
	if (!planned)
		det = first_import(c, &doc, &tb);
	for (k = 0; k < 2 && rc == 0; k++) {
		f.dir = where[k];
		snprintf(f.name, sizeof(f.name), "%s.audit.json", c->id);
		if (!exists_in(c->p, f.dir, f.name))
			continue;
		if ((rc = file_sha(c, &f, sha, err)) == -1)
			break;
		if (planned || (det != NULL && listed_sha(det, sha)))
			rc = keep_remove(c->p, c->id, &f, c->dry, &c->r->text,
			    err);
		else
			qmb_buf_addf(&c->r->text,
			    "  note: %s%s was not imported by this session's trail; left alone\n",
			    sub_of(f.dir), f.name);
	}
	f.dir = QMB_D_ARCHIVE;
	snprintf(f.name, sizeof(f.name), "%s.json", c->id);
	if (rc == 0 && c->r->archived && exists_in(c->p, f.dir, f.name) &&
	    (rc = file_sha(c, &f, sha, err)) == 0) {
		ss = det ? qmb_json_get_str(det, "session_sha256") : NULL;
		if (planned || (ss != NULL && strcmp(ss, sha) == 0))
			rc = keep_remove(c->p, c->id, &f, c->dry, &c->r->text,
			    err);
	}
	if (rc == 0)
		rc = move_logs(c->p, c->id, c->id, c->dry, &c->r->text, err);
	qmb_json_free(&doc);
	qmb_buf_free(&tb);
	return rc;
}

/* Keep the logs the tool wrote in .qmb/logs/ too: qmb appends to them. */
static int
keep_logs(struct ctx *c, struct qmb_err *err)
{
	struct lfile f;
	int k;

	f.dir = QMB_D_LOGS;
	for (k = 0; k <= MAX_LEGACY_ROT; k++) {
		log_name(f.name, c->id, k);
		if (exists_in(c->p, f.dir, f.name) &&
		    keep(c->p, c->id, &f, c->dry, &c->r->text, err) == -1)
			return -1;
	}
	return 0;
}

/* Find the state: a live file, else a legacy archive (or its result). */
static void
locate(struct ctx *c)
{
	char name[NAME_MAX + 1];

	snprintf(name, sizeof(name), "%s.json", c->id);
	c->state.name[0] = '\0';
	if (exists_in(c->p, QMB_D_SESSIONS, name)) {
		c->state.dir = QMB_D_SESSIONS;
	} else if (exists_in(c->p, QMB_D_ARCHIVE_SESSIONS, name)) {
		c->state.dir = QMB_D_ARCHIVE_SESSIONS;
		c->r->archived = exists_in(c->p, QMB_D_ARCHIVE, name);
	} else if (exists_in(c->p, QMB_D_ARCHIVE, name)) {
		c->state.dir = QMB_D_ARCHIVE;
		c->r->archived = 1;
	} else
		return;
	memcpy(c->state.name, name, sizeof(name));
}

static int
run(struct ctx *c, struct qmb_err *err)
{
	size_t before;
	int rc;

	locate(c);
	if (c->state.name[0] != '\0') {
		if (read_into(c->p, &c->state, &c->sb, err) == -1)
			return -1;
		qmb_sha256(c->sb.data, c->sb.len, c->ssha);
		if (qmb_session_parse(c->sb.data, c->sb.len, c->id,
		    QMB_EXIT_CORRUPT, &c->s, err) == -1) {
			if (qmb_format_is_newer(err))
				qmb_err_prefix(err, "session '%s'", c->id);
			else
				qmb_err_prefix(err, "session '%s' is damaged (run 'qmb-recover repair %s' first)",
				    c->id, c->id);
			return -1;
		}
		free(c->r->project);
		c->r->project = strdup(c->s.project);
	}
	if (c->state.name[0] != '\0' && c->s.version < QMB_FORMAT_CURRENT) {
		c->r->state = QMB_MIG_DONE;
		if (convert(c, err) == -1)
			return -1;
		return finish(c, c->dry, err);
	}
	before = c->r->text.len;
	rc = finish(c, 0, err);
	if (rc == 0 && c->r->text.len > before)
		c->r->state = QMB_MIG_FINISHED;
	return rc;
}

int
qmb_migrate_session(struct qmb_proj *p, const char *id, int dry_run,
    int locked, struct qmb_mig_res *r, struct qmb_err *err)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	struct ctx c;
	int rc;

	if (qmb_id_check(id, err) == -1)
		return -1;
	memset(&c, 0, sizeof(c));
	c.p = p;
	c.id = id;
	c.dry = dry_run;
	c.r = r;
	qmb_session_init(&c.s);
	qmb_buf_init(&c.sb, 0);
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->state = QMB_MIG_NONE;
	if (!dry_run && !locked && qmb_session_lock(p, id, &l, err) == -1)
		return -1;
	rc = run(&c, err);
	if (rc == 0 && r->state == QMB_MIG_DONE && !dry_run)
		log_migrated(&c);
	ctx_free(&c);
	qmb_lock_release(&l);
	return rc;
}

/* ---- finding what is left ---------------------------------------- */

/* id of a legacy name in dir d, or -1. */
static int
legacy_id(enum qmb_dir d, const char *name, char *id)
{
	static const char *const sfx[] = { ".json", ".audit.json", ".log" };
	const char *dot;
	size_t n;
	int i, k;

	for (i = 0; i < 3; i++) {
		if (d == QMB_D_SESSIONS && i != 0)
			continue;
		if (d == QMB_D_ARCHIVE && i != 0)
			continue;
		if (d == QMB_D_LOGS && i != 1)
			continue;
		if (d == QMB_D_QMB && i == 0)
			continue;
		n = strlen(name);
		if ((dot = strstr(name, sfx[i])) == NULL)
			continue;
		/* "ID.log" or "ID.log.K" */
		if (i == 2 && dot[4] != '\0' && (dot[4] != '.' ||
		    (k = (int)strtol(dot + 5, NULL, 10)) < 1 ||
		    k > MAX_LEGACY_ROT))
			continue;
		if (i != 2 && dot + strlen(sfx[i]) != name + n)
			continue;
		n = (size_t)(dot - name);
		if (n == 0 || n > QMB_ID_MAX)
			continue;
		memcpy(id, name, n);
		id[n] = '\0';
		if (qmb_id_check(id, NULL) == 0 && strcmp(id, "init") != 0 &&
		    strcmp(id, "qmb") != 0)
			return 0;
	}
	return -1;
}

static int
add_id(char ***ids, size_t *n, const char *id)
{
	char **v;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*ids)[i], id) == 0)
			return 0;
	if ((v = realloc(*ids, (*n + 1) * sizeof(char *))) == NULL)
		return -1;
	*ids = v;
	if ((v[*n] = strdup(id)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
qmb_migrate_pending(struct qmb_proj *p, const char *id)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_session s;
	char name[NAME_MAX + 1];
	int k;

	snprintf(name, sizeof(name), "%s.audit.json", id);
	if (exists_in(p, QMB_D_QMB, name) || exists_in(p, QMB_D_LOGS, name))
		return 1;
	for (k = 0; k <= MAX_LEGACY_ROT; k++) {
		log_name(name, id, k);
		if (exists_in(p, QMB_D_QMB, name))
			return 1;
	}
	snprintf(name, sizeof(name), "%s.json", id);
	if (exists_in(p, QMB_D_ARCHIVE, name))
		return 1;
	if (qmb_session_load(p, id, &s, &(enum qmb_cur){ 0 }, &e) == 0) {
		k = s.version < QMB_FORMAT_CURRENT;
		qmb_session_free(&s);
		return k;
	}
	return 0;
}

int
qmb_migrate_ids(struct qmb_proj *p, char ***ids, size_t *n,
    struct qmb_err *err)
{
	static const enum qmb_dir dirs[] = {
		QMB_D_SESSIONS, QMB_D_ARCHIVE, QMB_D_QMB, QMB_D_LOGS,
	};
	struct qmb_err e = QMB_ERR_INIT;
	struct dirent *de;
	char id[QMB_ID_MAX + 1];
	size_t i;
	DIR *dp;
	int dfd, fd;

	*ids = NULL;
	*n = 0;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if ((dfd = qmb_proj_dir(p, dirs[i], 0, &e)) == -1)
			continue;
		if ((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1 || (dp = fdopendir(fd)) == NULL) {
			if (fd != -1)
				close(fd);
			return qmb_errsys(err, QMB_EXIT_IO, "read '%s'",
			    qmb_proj_dirname(dirs[i]));
		}
		while ((de = readdir(dp)) != NULL)
			if (legacy_id(dirs[i], de->d_name, id) == 0 &&
			    qmb_migrate_pending(p, id) && add_id(ids, n, id) == -1) {
				closedir(dp);
				return oom(err);
			}
		closedir(dp);
	}
	if (*n > 1)
		qsort(*ids, *n, sizeof(char *), cmp_str);
	return 0;
}

int
qmb_migrate_project(struct qmb_proj *p, int dry_run, struct qmb_mig_res *r,
    struct qmb_err *err)
{
	r->id[0] = '\0';
	r->state = QMB_MIG_NONE;
	if (move_logs(p, PROJECT_DIR, "init", dry_run, &r->text, err) == -1)
		return -1;
	if (r->text.len > 0)
		r->state = QMB_MIG_DONE;
	return 0;
}

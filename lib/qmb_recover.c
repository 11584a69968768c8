/* SPDX-License-Identifier: MIT */
/*
 * Recovery of sessions (DESIGN 4), health checks and recovery metrics.
 *
 * Invariants of a repair: nothing that holds data is removed; a damaged
 * file is linked or moved into .qmb/corrupt/ before anything replaces
 * it.  The state changes only through qmb_txn_commit, so the audit trail
 * stays the session's write-ahead log: after a repair the live trail
 * verifies from entry 1 and its head is the state's audit_seq/audit_hash.
 * Entries past the first bad one of a broken trail are never applied.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_config.h"
#include "qmb_gfail.h"
#include "qmb_io.h"
#include "qmb_lock.h"
#include "qmb_log.h"
#include "qmb_logread.h"
#include "qmb_mirror.h"
#include "qmb_recover.h"
#include "qmb_txn.h"
#include "qmb_verify.h"
#include "qmb_view.h"

#define DAY_MS	86400000LL

static const char *const verdicts[] = {
	"ok", "behind-audit", "restore-from-bak", "restore-from-audit", "lost",
	"newer-version", "archived",
};

static const char *const fkinds[] = {
	"session-damaged", "session-missing", "session-mismatch",
	"newer-version", "behind-audit", "ahead-of-audit", "bak-damaged",
	"audit-torn", "audit-broken", "log-torn", "stale-tmp", "idle",
};

/* One state file (.json or .json.bak) as found. */
enum { C_MISSING, C_VALID, C_DAMAGED, C_NEWER };

struct cand {
	int			 st;
	struct qmb_session	 s;		/* C_VALID */
	char			 why[QMB_ERR_MSG];
	int64_t			 version;	/* C_NEWER */
	char			 project[QMB_NAME_MAX + 1];
	int			 fits;		/* agrees with trail */
	int			 ahead;		/* beyond its trail */
};

/* The audit trail as found. */
struct trail {
	int		 exists;
	struct qmb_buf	 text;
	int64_t		 n;		/* verified entries */
	size_t		 good;		/* their bytes */
	int64_t		 bad;		/* first bad entry, or 0 */
	int		 torn;
	char		 what[QMB_ERR_MSG];
	char		 head[QMB_SHA256_HEX + 1];
	char		 last_type[64];
	char		 project[QMB_NAME_MAX + 1];
};

enum base { B_NONE, B_JSON, B_BAK, B_REPLAY, B_FRESH };

struct exam {
	char		 id[QMB_ID_MAX + 1];
	struct cand	 json, bak;
	struct trail	 t;
	int		 tmp[2];	/* stale .json.tmp, .json.bak.tmp */
	long		 logtorn;	/* the session log is torn */
	int		 archived;	/* in archive/sessions/ */
	enum base	 base;
	int		 import;	/* record the state again */
	int		 cutback;	/* keep the trail, cut it back */
};

static const char *const tmpname[2] = { ".json.tmp", ".json.bak.tmp" };

const char *
qmb_recover_verdict(enum qmb_verdict v)
{
	return verdicts[v];
}

const char *
qmb_recover_fkind(enum qmb_fkind k)
{
	return fkinds[k];
}

void
qmb_rec_init(struct qmb_rec *r)
{
	memset(r, 0, sizeof(*r));
	qmb_session_init(&r->state);
	r->idle_days = -1;
}

void
qmb_rec_free(struct qmb_rec *r)
{
	qmb_session_free(&r->state);
	r->has_state = 0;
}

int
qmb_rec_needs_repair(const struct qmb_rec *r)
{
	size_t i;

	if (r->verdict != QMB_V_OK && r->verdict != QMB_V_ARCHIVED)
		return 1;
	for (i = 0; i < r->nf; i++)
		if (r->f[i].kind != QMB_F_IDLE)
			return 1;
	return 0;
}

static void
find(struct qmb_rec *r, enum qmb_fkind k, const char *path, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
find(struct qmb_rec *r, enum qmb_fkind k, const char *path, const char *fmt,
    ...)
{
	struct qmb_recfind *f;
	va_list ap;

	if (r->nf == QMB_REC_FINDS)
		return;
	f = &r->f[r->nf++];
	f->kind = k;
	snprintf(f->path, sizeof(f->path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

static void
exam_init(struct exam *e, const char *id)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	qmb_session_init(&e->json.s);
	qmb_session_init(&e->bak.s);
	qmb_buf_init(&e->t.text, qmb_io_max_file());
	e->logtorn = -1;
}

static void
exam_free(struct exam *e)
{
	qmb_session_free(&e->json.s);
	qmb_session_free(&e->bak.s);
	qmb_buf_free(&e->t.text);
}

/* ---- ids --------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The id in name when it ends in one of sfx (NULL-terminated). */
static int
stem_of(const char *name, const char *const *sfx, char *id)
{
	size_t n = strlen(name), l;

	for (; *sfx != NULL; sfx++) {
		l = strlen(*sfx);
		if (n <= l || n - l > QMB_ID_MAX ||
		    strcmp(name + n - l, *sfx) != 0)
			continue;
		memcpy(id, name, n - l);
		id[n - l] = '\0';
		return qmb_id_check(id, NULL);
	}
	return -1;
}

typedef int name_fn(const char *name, void *arg, struct qmb_err *);

/* Call fn for each entry of a folder but . and ..; a missing one has none. */
static int
each_name(struct qmb_proj *p, enum qmb_dir d, name_fn *fn, void *arg,
    struct qmb_err *err)
{
	struct dirent *de;
	DIR *dir;
	int dfd, fd, rc = 0;

	if ((dfd = qmb_proj_dir(p, d, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	if ((fd = dup(dfd)) == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return qmb_errsys(err, QMB_EXIT_IO, "read '%s'",
		    qmb_proj_dirname(d));
	}
	rewinddir(dir);
	while (rc == 0 && (de = readdir(dir)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			rc = fn(de->d_name, arg, err);
	closedir(dir);
	return rc;
}

struct idlist {
	const char *const	*sfx;
	char			**v;
	size_t			 n;
};

static int
add_id(const char *name, void *arg, struct qmb_err *err)
{
	struct idlist *l = arg;
	char id[QMB_ID_MAX + 1], **v;

	if (stem_of(name, l->sfx, id) == -1)
		return 0;
	if ((v = realloc(l->v, (l->n + 1) * sizeof(*v))) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	l->v = v;
	if ((v[l->n] = strdup(id)) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	l->n++;
	return 0;
}

static int
add_ids(struct qmb_proj *p, enum qmb_dir d, const char *const *sfx,
    char ***ids, size_t *n, struct qmb_err *err)
{
	struct idlist l;
	int rc;

	l.sfx = sfx;
	l.v = *ids;
	l.n = *n;
	rc = each_name(p, d, add_id, &l, err);
	*ids = l.v;
	*n = l.n;
	return rc;
}

int
qmb_recover_exists(struct qmb_proj *p, enum qmb_dir d, const char *id,
    const char *suffix)
{
	struct qmb_err e = QMB_ERR_INIT;
	char name[NAME_MAX + 1];
	int dfd;

	if ((dfd = qmb_proj_dir(p, d, 0, &e)) == -1)
		return 0;
	snprintf(name, sizeof(name), "%s%s", id, suffix);
	return faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Live state files of id in .qmb/sessions/ (json, bak or a temp). */
static int
has_state_files(struct qmb_proj *p, const char *id)
{
	return qmb_recover_exists(p, QMB_D_SESSIONS, id, ".json") ||
	    qmb_recover_exists(p, QMB_D_SESSIONS, id, ".json.bak") ||
	    qmb_recover_exists(p, QMB_D_SESSIONS, id, ".json.tmp") ||
	    qmb_recover_exists(p, QMB_D_SESSIONS, id, ".json.bak.tmp");
}

/* Sort and drop repeats. */
static void
uniq(char **ids, size_t *n)
{
	size_t i, j;

	if (*n == 0)
		return;
	qsort(ids, *n, sizeof(*ids), cmp_str);
	for (i = j = 0; i < *n; i++) {
		if (j > 0 && strcmp(ids[j - 1], ids[i]) == 0) {
			free(ids[i]);
			continue;
		}
		ids[j++] = ids[i];
	}
	*n = j;
}

int
qmb_recover_list(struct qmb_proj *p, enum qmb_dir d, const char *const *sfx,
    char ***ids, size_t *n, struct qmb_err *err)
{
	*ids = NULL;
	*n = 0;
	if (add_ids(p, d, sfx, ids, n, err) == -1) {
		qmb_recover_ids_free(*ids, *n);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	uniq(*ids, n);
	return 0;
}

int
qmb_recover_ids(struct qmb_proj *p, char ***ids, size_t *n,
    struct qmb_err *err)
{
	static const char *const ssfx[] = {
		".json", ".json.bak", ".json.tmp", ".json.bak.tmp", NULL
	};
	static const char *const asfx[] = { ".audit.json", NULL };
	size_t i, j;

	*ids = NULL;
	*n = 0;
	if (add_ids(p, QMB_D_SESSIONS, ssfx, ids, n, err) == -1 ||
	    add_ids(p, QMB_D_AUDIT, asfx, ids, n, err) == -1) {
		qmb_recover_ids_free(*ids, *n);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	uniq(*ids, n);
	for (i = j = 0; i < *n; i++) {
		if (!has_state_files(p, (*ids)[i]) &&
		    qmb_recover_exists(p, QMB_D_ARCHIVE_SESSIONS, (*ids)[i], ".json")) {
			free((*ids)[i]);
			continue;
		}
		(*ids)[j++] = (*ids)[i];
	}
	*n = j;
	return 0;
}

void
qmb_recover_ids_free(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* ---- reading what is there ------------------------------------- */

/* "project_name": "NAME" in text that may not parse (a cut file). */
static void
scan_project(const char *text, size_t len, char *out, size_t size)
{
	static const char key[] = "\"project_name\"";
	const char *p, *end = text + len, *q;
	char name[QMB_NAME_MAX + 1];

	if ((p = memmem(text, len, key, sizeof(key) - 1)) == NULL)
		return;
	for (p += sizeof(key) - 1; p < end && (*p == ' ' || *p == ':'); p++)
		;
	if (p >= end || *p++ != '"' || (q = memchr(p, '"', (size_t)(end -
	    p))) == NULL || q - p > QMB_NAME_MAX || memchr(p, '\\',
	    (size_t)(q - p)) != NULL)
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(q - p), p);
	if (qmb_name_check("project", name, NULL) == 0)
		snprintf(out, size, "%s", name);
}

/* What can still be read of a state that does not validate. */
static void
salvage(const char *text, size_t len, struct cand *c)
{
	struct qmb_json_doc doc = { 0 };
	const char *proj;
	int64_t v;

	scan_project(text, len, c->project, sizeof(c->project));
	if (qmb_json_parse(text, len, 0, QMB_EXIT_CORRUPT, &doc, NULL) == -1)
		return;
	if (doc.root->type == QMB_JOBJ) {
		if (qmb_json_get_int(doc.root, "version", &v) == 0 &&
		    v > QMB_SESSION_VERSION && c->st == C_DAMAGED) {
			c->st = C_NEWER;
			c->version = v;
		}
		proj = qmb_json_get_str(doc.root, "project_name");
		if (proj != NULL && qmb_name_check("project", proj, NULL) == 0)
			snprintf(c->project, sizeof(c->project), "%s", proj);
	}
	qmb_json_free(&doc);
}

static int
load_cand(int dfd, const char *id, const char *suffix, struct cand *c,
    struct qmb_err *err)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf b;
	char name[NAME_MAX + 1];

	c->st = C_MISSING;
	if (dfd == -1)
		return 0;
	snprintf(name, sizeof(name), "%s.json%s", id, suffix);
	qmb_buf_init(&b, qmb_io_max_file());
	if (qmb_io_read_file(dfd, name, b.max, QMB_EXIT_CORRUPT, &b,
	    &e) == -1) {
		qmb_buf_free(&b);
		if (e.code == QMB_EXIT_NOTFOUND)
			return 0;
		if (e.code != QMB_EXIT_CORRUPT) {
			*err = e;
			return -1;
		}
		c->st = C_DAMAGED;
		snprintf(c->why, sizeof(c->why), "%s", e.msg);
		return 0;
	}
	if (qmb_session_parse(b.data, b.len, id, QMB_EXIT_CORRUPT, &c->s,
	    &e) == 0) {
		c->st = C_VALID;
		snprintf(c->project, sizeof(c->project), "%s", c->s.project);
	} else {
		c->st = C_DAMAGED;
		snprintf(c->why, sizeof(c->why), "%s", b.len == 0 ?
		    "the file is empty" : e.msg);
		salvage(b.data, b.len, c);
	}
	qmb_buf_free(&b);
	return 0;
}

/* Byte offset just past the n-th newline of text (n >= 1), or len. */
static size_t
line_end(const char *text, size_t len, int64_t n)
{
	const char *p = text, *nl;

	for (; n > 0 && p < text + len; n--) {
		if ((nl = memchr(p, '\n', (size_t)(text + len - p))) == NULL)
			return len;
		p = nl + 1;
	}
	return (size_t)(p - text);
}

/* The parsed entry number seq (1-based) of a trail's text. */
static int
entry_at(const struct trail *t, int64_t seq, struct qmb_json_doc *doc)
{
	size_t from = line_end(t->text.data, t->text.len, seq - 1);
	size_t to = line_end(t->text.data, t->text.len, seq);

	if (to <= from || qmb_json_parse(t->text.data + from, to - from - 1,
	    0, QMB_EXIT_CORRUPT, doc, NULL) == -1 || doc->root->type !=
	    QMB_JOBJ) {
		qmb_json_free(doc);
		return -1;
	}
	return 0;
}

/* The project a trail's first entry names, even in a broken trail. */
static void
trail_project(struct trail *t)
{
	struct qmb_json_doc doc = { 0 };
	const struct qmb_jv *d;
	const char *proj = NULL;

	if (entry_at(t, 1, &doc) == -1)
		return;
	if ((d = qmb_json_get(doc.root, "details")) != NULL) {
		proj = qmb_json_get_str(d, "project_name");
		if (proj == NULL)
			proj = qmb_json_get_str(qmb_json_get(d, "session"),
			    "project_name");
	}
	if (proj != NULL && qmb_name_check("project", proj, NULL) == 0)
		snprintf(t->project, sizeof(t->project), "%s", proj);
	qmb_json_free(&doc);
}

static int
load_trail(struct qmb_proj *p, const char *id, struct trail *t,
    struct qmb_err *err)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_json_doc doc = { 0 };
	struct qmb_verify v;
	const char *type;

	memcpy(t->head, QMB_AUDIT_ZERO, sizeof(t->head));
	if (qmb_audit_read(p, id, &t->text, &e) == -1) {
		if (e.code == QMB_EXIT_NOTFOUND)
			return 0;
		if (e.code != QMB_EXIT_CORRUPT) {
			*err = e;
			return -1;
		}
		t->exists = 1;
		t->bad = 1;
		snprintf(t->what, sizeof(t->what), "%s", e.msg);
		qmb_buf_reset(&t->text);
		return 0;
	}
	t->exists = 1;
	memset(&v, 0, sizeof(v));
	qmb_verify_text(t->text.data, t->text.len, id, &v);
	t->n = v.entries;
	t->torn = v.torn;
	t->bad = v.torn ? 0 : v.bad_seq;
	snprintf(t->what, sizeof(t->what), "%s", v.what);
	memcpy(t->head, v.head, sizeof(t->head));
	t->good = line_end(t->text.data, t->text.len, t->n);
	trail_project(t);
	if (t->n > 0 && entry_at(t, t->n, &doc) == 0) {
		if ((type = qmb_json_get_str(doc.root, "type")) != NULL)
			snprintf(t->last_type, sizeof(t->last_type), "%s", type);
		qmb_json_free(&doc);
	}
	return 0;
}

/* Does a valid state agree with the verified part of the trail? */
static void
fit(const struct trail *t, const char *id, struct cand *c)
{
	struct qmb_verify v;

	c->fits = c->ahead = 0;
	if (c->st != C_VALID)
		return;
	if (c->s.audit_seq > t->n) {
		c->ahead = 1;
		return;
	}
	if (c->s.audit_seq == 0) {
		c->fits = t->n == 0;
		return;
	}
	memset(&v, 0, sizeof(v));
	v.want_seq = c->s.audit_seq;
	qmb_verify_text(t->text.data, t->good, id, &v);
	c->fits = strcmp(v.want_hash, c->s.audit_hash) == 0;
}

/*
 * Apply entries (s->audit_seq, upto] of the verified trail to s.  An
 * entry that does not apply ends the usable trail there.
 */
static int
apply_upto(struct exam *e, struct qmb_session *s, int64_t upto,
    int64_t *applied)
{
	struct qmb_err err = QMB_ERR_INIT;
	int64_t seq;

	*applied = 0;
	for (seq = s->audit_seq + 1; seq <= upto; seq++) {
		struct qmb_json_doc doc = { 0 };
		const char *type;
		int rc;

		if (entry_at(&e->t, seq, &doc) == -1) {
			snprintf(err.msg, sizeof(err.msg), "entry does not parse");
			rc = -1;
		} else {
			type = qmb_json_get_str(doc.root, "type");
			/* a trail may begin with an import instead */
			if (seq == 1 && s->id[0] == '\0' && type != NULL &&
			    strcmp(type, "session_imported") == 0)
				snprintf(s->id, sizeof(s->id), "%s", e->id);
			rc = qmb_session_apply(s, doc.root, &err);
		}
		qmb_json_free(&doc);
		if (rc == -1) {
			/* cut the trail back to what applied */
			e->t.n = seq - 1;
			e->t.bad = seq;
			e->t.torn = 0;
			snprintf(e->t.what, sizeof(e->t.what),
			    "entry does not apply: %.400s", err.msg);
			e->t.good = line_end(e->t.text.data, e->t.text.len,
			    e->t.n);
			return -1;
		}
		(*applied)++;
	}
	return 0;
}

/* 1 when the regular file fd is not empty and does not end in '\n'. */
static int
torn_fd(int fd, off_t *size)
{
	struct stat st;
	char last;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	*size = st.st_size;
	return pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n';
}

static int
check_tmp_and_log(struct qmb_proj *p, struct exam *e, struct qmb_err *err)
{
	char name[NAME_MAX + 1];
	off_t size;
	int i, dfd, fd;

	if ((dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 0, err)) != -1)
		for (i = 0; i < 2; i++) {
			snprintf(name, sizeof(name), "%s%s", e->id, tmpname[i]);
			e->tmp[i] = faccessat(dfd, name, F_OK,
			    AT_SYMLINK_NOFOLLOW) == 0;
		}
	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	snprintf(name, sizeof(name), "%s.log", e->id);
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return 0;
	if (torn_fd(fd, &size))
		e->logtorn = 1;
	close(fd);
	return 0;
}

static int
exam_load(struct qmb_proj *p, struct exam *e, struct qmb_err *err)
{
	struct qmb_err e2 = QMB_ERR_INIT;
	int dfd;

	dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 0, &e2);
	if (dfd == -1 && e2.code != QMB_EXIT_NOTFOUND) {
		*err = e2;
		return -1;
	}
	if (load_cand(dfd, e->id, "", &e->json, err) == -1 ||
	    load_cand(dfd, e->id, ".bak", &e->bak, err) == -1 ||
	    load_trail(p, e->id, &e->t, err) == -1 ||
	    check_tmp_and_log(p, e, err) == -1)
		return -1;
	e->archived = qmb_recover_exists(p, QMB_D_ARCHIVE_SESSIONS, e->id, ".json");
	return 0;
}

/* ---- classification -------------------------------------------- */

static void
take_state(struct qmb_rec *r, struct cand *c)
{
	qmb_session_free(&r->state);
	r->state = c->s;
	qmb_session_init(&c->s);
	r->has_state = 1;
	r->base_seq = r->state.audit_seq;
}

/* Start from a state file; roll it forward when it fits the trail. */
static void
from_file(struct exam *e, struct qmb_rec *r, struct cand *c, enum base b)
{
	int64_t n = 0;

	e->base = b;
	r->ahead = c->ahead;
	take_state(r, c);
	if (!r->ahead && apply_upto(e, &r->state, e->t.n, &n) == -1)
		r->partial = 1;
	r->rolled = n;
}

/* Rebuild from the trail; 0 when at least its first entry applied. */
static int
from_trail(struct exam *e, struct qmb_rec *r)
{
	struct qmb_session s;
	int64_t n = 0;

	if (e->t.n == 0)
		return -1;
	qmb_session_init(&s);
	apply_upto(e, &s, e->t.n, &n);
	if (n == 0) {
		qmb_session_free(&s);
		return -1;
	}
	qmb_session_free(&r->state);
	r->state = s;
	r->has_state = 1;
	r->rolled = n;
	r->base_seq = 0;
	e->base = B_REPLAY;
	return 0;
}

static int
choose(struct exam *e, struct qmb_rec *r, struct qmb_err *err)
{
	struct cand *j = &e->json, *b = &e->bak;

	switch (r->from) {
	case QMB_FROM_BAK:
		if (b->st != C_VALID || (!b->fits && !b->ahead))
			return qmb_errf(err, QMB_EXIT_CORRUPT,
			    "session '%s': the backup cannot be used: %s",
			    e->id, b->st == C_MISSING ? "there is none" :
			    b->st != C_VALID ? b->why :
			    "it does not match the audit trail");
		from_file(e, r, b, B_BAK);
		r->verdict = QMB_V_BAK;
		return 0;
	case QMB_FROM_AUDIT:
		if (from_trail(e, r) == -1)
			return qmb_errf(err, QMB_EXIT_CORRUPT,
			    "session '%s': the audit trail has no entry to rebuild from",
			    e->id);
		r->verdict = QMB_V_AUDIT;
		return 0;
	case QMB_FROM_AUTO:
		break;
	}
	if (j->st == C_NEWER) {
		r->verdict = QMB_V_NEWER;
	} else if (j->fits || j->ahead) {
		from_file(e, r, j, B_JSON);
		r->verdict = r->rolled > 0 ? QMB_V_BEHIND : QMB_V_OK;
	} else if (b->fits || b->ahead) {
		from_file(e, r, b, B_BAK);
		r->verdict = QMB_V_BAK;
	} else if (j->st == C_MISSING && b->st == C_MISSING &&
	    (e->archived || strcmp(e->t.last_type, "session_archived") == 0)) {
		r->verdict = QMB_V_ARCHIVED;	/* moved away on purpose */
	} else if (from_trail(e, r) == 0) {
		r->verdict = QMB_V_AUDIT;
	} else {
		r->verdict = QMB_V_LOST;
		e->base = B_FRESH;
	}
	return 0;
}

/* What may be lost, and what the trail needs. */
static void
settle(struct exam *e, struct qmb_rec *r)
{
	r->entries = e->t.n;
	r->broken_at = e->t.bad;
	r->torn = e->t.torn;
	switch (r->verdict) {
	case QMB_V_OK:
	case QMB_V_BEHIND:
		/* entries past the break that the state does not hold */
		r->partial |= e->t.bad > 0 && !r->ahead;
		break;
	case QMB_V_BAK:
		r->partial |= r->ahead || e->t.bad > 0;
		break;
	case QMB_V_AUDIT:
		r->partial |= e->t.bad > 0;
		break;
	case QMB_V_LOST:
		r->partial = 1;
		r->trail_lost = e->t.exists;
		break;
	default:
		break;
	}
	if (r->has_state && r->state.project != NULL)
		snprintf(r->project, sizeof(r->project), "%s", r->state.project);
	else if (e->json.project[0])
		snprintf(r->project, sizeof(r->project), "%s", e->json.project);
	else if (e->bak.project[0])
		snprintf(r->project, sizeof(r->project), "%s", e->bak.project);
	else
		snprintf(r->project, sizeof(r->project), "%s", e->t.project);
	e->cutback = e->t.exists && (e->t.bad > 0 || r->verdict == QMB_V_LOST);
	e->import = r->has_state && r->ahead;
}

static void
findings(struct qmb_proj *p, struct exam *e, struct qmb_rec *r)
{
	struct qmb_err err = QMB_ERR_INIT;
	const struct qmb_config *cfg = qmb_config_get(p, &err);
	char sp[160], bp[160], ap[160];
	int64_t t, days;
	int i;

	snprintf(sp, sizeof(sp), ".qmb/sessions/%s.json", e->id);
	snprintf(bp, sizeof(bp), ".qmb/sessions/%s.json.bak", e->id);
	snprintf(ap, sizeof(ap), ".qmb/audit/%s.audit.json", e->id);
	if (e->json.st == C_DAMAGED)
		find(r, QMB_F_DAMAGED, sp, "session file damaged: %s",
		    e->json.why);
	else if (e->json.st == C_NEWER)
		find(r, QMB_F_NEWER, sp,
		    "written by a newer qmb (state version %lld): upgrade qmb, or repair with --from bak or --from audit",
		    (long long)e->json.version);
	else if (e->json.st == C_MISSING && r->verdict != QMB_V_ARCHIVED)
		find(r, QMB_F_MISSING, sp, "session file missing");
	else if (e->json.st == C_VALID && !e->json.fits && !e->json.ahead)
		find(r, QMB_F_MISMATCH, sp,
		    "session file does not match its audit trail at entry %lld",
		    (long long)e->json.s.audit_seq);
	if (e->bak.st == C_DAMAGED || e->bak.st == C_NEWER)
		find(r, QMB_F_BAK, bp, "backup damaged: %s", e->bak.why);
	if (r->verdict == QMB_V_BEHIND)
		find(r, QMB_F_BEHIND, sp,
		    "session is %lld audit entr%s behind its trail (roll forward)",
		    (long long)r->rolled, r->rolled == 1 ? "y" : "ies");
	if (r->ahead)
		find(r, QMB_F_AHEAD, ap, e->t.exists ?
		    "session file is newer than its audit trail (the session includes entry %lld, the trail verifies up to %lld)" :
		    "session file is newer than its audit trail (the session includes entry %lld, the trail is missing)",
		    (long long)r->base_seq, (long long)e->t.n);
	if (e->t.torn)
		find(r, QMB_F_TORN, ap,
		    "torn last line in the audit trail (a write cut short, never acknowledged)");
	if (e->t.bad > 0)
		find(r, QMB_F_BROKEN, ap, "audit chain broken at entry %lld: %s",
		    (long long)e->t.bad, e->t.what);
	if (e->logtorn > 0) {
		snprintf(ap, sizeof(ap), ".qmb/logs/%s.log", e->id);
		find(r, QMB_F_LOGTORN, ap, "torn last line in the session log");
	}
	for (i = 0; i < 2; i++)
		if (e->tmp[i]) {
			snprintf(ap, sizeof(ap), ".qmb/sessions/%s%s", e->id,
			    tmpname[i]);
			find(r, QMB_F_TMP, ap,
			    "stale temporary file (a save that never finished)");
		}
	if (!r->has_state || r->state.complete || cfg == NULL ||
	    r->verdict == QMB_V_LOST ||
	    qmb_time_parse(r->state.updated_at, &t) == -1)
		return;
	days = (qmb_now() - t) / DAY_MS;
	if (days >= cfg->idle_warn_days) {
		r->idle_days = (int)days;
		find(r, QMB_F_IDLE, sp, "idle for %lld days (last saved %s)",
		    (long long)days, r->state.updated_at);
	}
}

static int
classify(struct qmb_proj *p, struct exam *e, struct qmb_rec *r,
    struct qmb_err *err)
{
	if (exam_load(p, e, err) == -1)
		return -1;
	fit(&e->t, e->id, &e->json);
	fit(&e->t, e->id, &e->bak);
	if (choose(e, r, err) == -1)
		return -1;
	settle(e, r);
	findings(p, e, r);
	return 0;
}

/* Lock the session unless it has no files at all; NOTFOUND then. */
static int
begin(struct qmb_proj *p, const char *id, struct qmb_rec *r,
    struct qmb_lock *l, struct qmb_err *err)
{
	l->fd = -1;
	if (qmb_id_check(id, err) == -1)
		return -1;
	snprintf(r->id, sizeof(r->id), "%s", id);
	if (!has_state_files(p, id) && !qmb_recover_exists(p, QMB_D_AUDIT, id,
	    ".audit.json")) {
		if (qmb_recover_exists(p, QMB_D_ARCHIVE_SESSIONS, id, ".json")) {
			r->verdict = QMB_V_ARCHIVED;
			return 1;
		}
		return qmb_errf(err, QMB_EXIT_NOTFOUND,
		    "no session '%s' (no state, backup or audit trail)", id);
	}
	return qmb_session_lock(p, id, l, err);
}

int
qmb_recover_check(struct qmb_proj *p, const char *id, enum qmb_from from,
    struct qmb_rec *r, struct qmb_err *err)
{
	struct qmb_lock l;
	struct exam e;
	int rc;

	qmb_rec_init(r);
	r->from = from;
	if ((rc = begin(p, id, r, &l, err)) != 0)
		return rc == 1 ? 0 : -1;
	exam_init(&e, id);
	rc = classify(p, &e, r, err);
	exam_free(&e);
	qmb_lock_release(&l);
	return rc;
}

/* ---- repair ----------------------------------------------------- */

static const char *
source_name(const struct qmb_rec *r)
{
	switch (r->verdict) {
	case QMB_V_BEHIND: return "audit";
	case QMB_V_BAK: return "bak";
	case QMB_V_AUDIT: return "replay";
	case QMB_V_LOST: return "fresh";
	default: return "session";
	}
}

static void
note_kept(struct qmb_rec *r, const char *path)
{
	if (r->nkept < QMB_REC_KEPT)
		snprintf(r->kept[r->nkept++], sizeof(r->kept[0]), "%.159s",
		    path);
}

/* Link (or move) dir/name into .qmb/corrupt/ and note where it went. */
static int
keep(struct qmb_proj *p, struct qmb_rec *r, enum qmb_dir d, const char *name,
    int move, struct qmb_err *err)
{
	char kept[PATH_MAX];
	int dfd, cfd;

	if ((dfd = qmb_proj_dir(p, d, 0, err)) == -1 ||
	    (cfd = qmb_proj_dir(p, QMB_D_CORRUPT, 1, err)) == -1 ||
	    qmb_atomic_keep_corrupt(dfd, name, cfd, move, kept, err) == -1)
		return -1;
	note_kept(r, kept);
	r->repaired = 1;
	return 0;
}

/* Offset where the last, unfinished line of fd begins. */
static int
frag_start(int fd, off_t size, off_t *start)
{
	char buf[65536];
	off_t pos = size;
	size_t n;

	while (pos > 0) {
		n = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
		pos -= (off_t)n;
		if (pread(fd, buf, n, pos) != (ssize_t)n)
			return -1;
		while (n > 0)
			if (buf[--n] == '\n') {
				*start = pos + (off_t)n + 1;
				return 0;
			}
	}
	*start = 0;
	return 0;
}

/* A free name NAME.torn-TIME[-N] in the corrupt folder. */
static int
torn_name(int cfd, const char *name, char *dst, size_t size,
    struct qmb_err *err)
{
	char ts[QMB_TIME_LEN + 1];
	int n;

	qmb_time_fmt(qmb_now(), ts);
	for (n = 0; n < 100; n++) {
		if (qmb_path_fmt(dst, size, err, n ? "%.180s.torn-%s-%d" :
		    "%.180s.torn-%s", name, ts, n) == -1)
			return -1;
		if (faccessat(cfd, dst, F_OK, AT_SYMLINK_NOFOLLOW) == -1 &&
		    errno == ENOENT)
			return 0;
	}
	return qmb_errf(err, QMB_EXIT_IO, "keep torn line of '%s': too many copies",
	    name);
}

/* Keep the fragment fd[start..size) as .qmb/corrupt/NAME.torn-TIME. */
static int
keep_frag(struct qmb_proj *p, int fd, const char *name, off_t start,
    off_t size, char *kept, struct qmb_err *err)
{
	char dst[NAME_MAX + 1], *frag;
	size_t len = (size_t)(size - start);
	int cfd, rc = -1;

	if (len > qmb_io_max_file())
		return qmb_errf(err, QMB_EXIT_CORRUPT,
		    "the torn last line of '%s' is too large to keep", name);
	if ((frag = malloc(len)) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	if (pread(fd, frag, len, start) != (ssize_t)len)
		qmb_errsys(err, QMB_EXIT_IO, "read '%s'", name);
	else if ((cfd = qmb_proj_dir(p, QMB_D_CORRUPT, 1, err)) != -1 &&
	    torn_name(cfd, name, dst, sizeof(dst), err) == 0 &&
	    qmb_atomic_create(cfd, dst, frag, len, qmb_proj_fmode(p),
	    err) == 0) {
		if (kept != NULL)
			snprintf(kept, 160, ".qmb/corrupt/%.140s", dst);
		rc = 0;
	}
	free(frag);
	return rc;
}

long
qmb_recover_cut_torn(struct qmb_proj *p, int dfd, const char *name,
    char *kept, struct qmb_err *err)
{
	off_t start, size = 0;
	long rc = -1;
	int fd;

	if ((fd = qmb_io_openat(dfd, name, O_RDWR | O_NONBLOCK, 0)) == -1)
		return errno == ENOENT ? 0 : qmb_errsys(err, QMB_EXIT_IO,
		    "open '%s'", name);
	if (!torn_fd(fd, &size))
		rc = 0;
	else if (frag_start(fd, size, &start) == -1)
		qmb_errsys(err, QMB_EXIT_IO, "read '%s'", name);
	else if (keep_frag(p, fd, name, start, size, kept, err) == 0) {
		/* the fragment was never acknowledged: cut it off */
		if (qmb_io_ftruncate(fd, start) == -1 ||
		    qmb_io_fdatasync(fd) == -1)
			qmb_errsys(err, QMB_EXIT_IO,
			    "cut the torn line of '%s'", name);
		else
			rc = (long)(size - start);
	}
	close(fd);
	return rc;
}

/* Cut the torn last line of logs/name under the log's lock. */
static long
cut_log(struct qmb_proj *p, const char *name, char *kept, struct qmb_err *err)
{
	struct qmb_lock l = QMB_LOCK_INIT;
	char lk[NAME_MAX + 1], what[NAME_MAX + 16];
	long n;
	int dfd;

	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	snprintf(lk, sizeof(lk), "%s.lock", name);
	snprintf(what, sizeof(what), "log '%s'", name);
	if (qmb_lock_take(&l, dfd, lk, LOCK_EX, qmb_lock_wait_ms(),
	    qmb_proj_fmode(p), what, err) == -1)
		return -1;
	n = qmb_recover_cut_torn(p, dfd, name, kept, err);
	qmb_lock_release(&l);
	return n;
}

static int
fix_trail_file(struct qmb_proj *p, struct exam *e, struct qmb_rec *r,
    struct qmb_err *err)
{
	char name[NAME_MAX + 1], kept[160];
	int afd;

	if (!e->t.exists)
		return 0;
	snprintf(name, sizeof(name), "%s.audit.json", e->id);
	if ((afd = qmb_proj_dir(p, QMB_D_AUDIT, 0, err)) == -1)
		return -1;
	if (e->cutback) {
		/* keep the whole trail, then put back its verified part */
		if (keep(p, r, QMB_D_AUDIT, name, e->t.n == 0, err) == -1)
			return -1;
		return e->t.n == 0 ? 0 : qmb_atomic_write(afd, name,
		    e->t.text.data, e->t.good, qmb_proj_fmode(p), err);
	}
	if (!e->t.torn)
		return 0;
	if (qmb_recover_cut_torn(p, afd, name, kept, err) == -1)
		return -1;
	note_kept(r, kept);
	r->repaired = 1;
	return 0;
}

/*
 * The trail as the repair leaves it; the audit mirror follows when its
 * copy no longer extends it (cut back, cut short, gone): that copy is
 * kept beside the new one, never lost.
 */
static int
fix_trail(struct qmb_proj *p, struct exam *e, struct qmb_rec *r,
    struct qmb_err *err)
{
	struct qmb_err me = QMB_ERR_INIT;
	enum qmb_mirror_cmp cmp;
	char what[256];

	if (fix_trail_file(p, e, r, err) == -1)
		return -1;
	if (qmb_mirror_compare(p, e->id, &cmp, what, sizeof(what), &me) == 0 &&
	    cmp == QMB_MIRROR_DIFFERS)
		(void)qmb_mirror_restart(p, e->id, &me);
	return 0;
}

/* Move aside what the repair will not use; the cursor for the save. */
static int
set_aside(struct qmb_proj *p, struct exam *e, struct qmb_rec *r,
    enum qmb_cur *cur, struct qmb_err *err)
{
	char name[NAME_MAX + 1], kept[160];
	struct cand *b = &e->bak, *j = &e->json;
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s%s", e->id, tmpname[i]);
		if (e->tmp[i] && keep(p, r, QMB_D_SESSIONS, name, 1, err) == -1)
			return -1;
	}
	if (e->logtorn > 0) {
		snprintf(name, sizeof(name), "%s.log", e->id);
		if (cut_log(p, name, kept, err) == -1)
			return -1;
		note_kept(r, kept);
	}
	if (fix_trail(p, e, r, err) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.json.bak", e->id);
	if ((b->st == C_DAMAGED || b->st == C_NEWER || (b->st == C_VALID &&
	    !b->fits && !b->ahead)) && e->base != B_BAK &&
	    keep(p, r, QMB_D_SESSIONS, name, 1, err) == -1)
		return -1;
	*cur = QMB_CUR_MISSING;
	if (j->st == C_VALID && (j->fits || j->ahead)) {
		*cur = QMB_CUR_VALID;	/* good: it becomes the .bak */
	} else if (j->st != C_MISSING) {
		snprintf(name, sizeof(name), "%s.json", e->id);
		if (keep(p, r, QMB_D_SESSIONS, name, 0, err) == -1)
			return -1;
	}
	return 0;
}

static void
recovered_details(const struct qmb_rec *r, const struct qmb_session *s,
    struct qmb_buf *b)
{
	struct qmb_jw jw;
	char st[2] = { 0, 0 };
	size_t i;

	st[0] = qmb_session_current(s);
	qmb_jw_init(&jw, b, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "source", source_name(r));
	qmb_jw_kstr(&jw, "verdict", qmb_recover_verdict(r->verdict));
	qmb_jw_kint(&jw, "entries", r->entries);
	qmb_jw_kint(&jw, "rolled", r->rolled);
	qmb_jw_kint(&jw, "broken_at", r->broken_at);
	qmb_jw_key(&jw, "torn_cut");
	qmb_jw_bool(&jw, r->torn);
	qmb_jw_key(&jw, "partial");
	qmb_jw_bool(&jw, r->partial);
	qmb_jw_kstr(&jw, "stage", st);
	qmb_jw_kint(&jw, "completed", s->ncompleted);
	qmb_jw_key(&jw, "kept");
	qmb_jw_arr_begin(&jw);
	for (i = 0; i < r->nkept; i++)
		qmb_jw_str(&jw, r->kept[i]);
	qmb_jw_arr_end(&jw);
	qmb_jw_obj_end(&jw);
	qmb_jw_finish(&jw);
}

static int
commit_created(struct qmb_txn *t, const struct qmb_rec *r,
    struct qmb_err *err)
{
	struct qmb_buf d;
	struct qmb_jw jw;
	int rc;

	qmb_buf_init(&d, 4096);
	qmb_jw_init(&jw, &d, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "project_name", r->project[0] ? r->project :
	    "recovered");
	qmb_jw_key(&jw, "model_type");
	qmb_jw_null(&jw);
	qmb_jw_kstr(&jw, "reason", "recovery");
	qmb_jw_obj_end(&jw);
	rc = qmb_jw_finish(&jw) == -1 ? qmb_errf(err, QMB_EXIT_INTERNAL,
	    "internal: details") : qmb_txn_commit(t, "session_created", d.data,
	    NULL, "A", err);
	qmb_buf_free(&d);
	return rc;
}

/* Record the whole state in the trail (it is ahead of the trail). */
static int
commit_imported(struct qmb_txn *t, struct qmb_err *err)
{
	struct qmb_buf d, st;
	int rc;

	qmb_buf_init(&st, qmb_io_max_file());
	qmb_buf_init(&d, qmb_io_max_file() + 4096);
	if ((rc = qmb_session_write(&t->s, 0, &st, err)) == 0) {
		qmb_buf_addf(&d, "{\"session\":%s,\"reason\":\"recovery\"}",
		    st.data);
		rc = d.error ? qmb_errf(err, QMB_EXIT_IO, "state too large") :
		    qmb_txn_commit(t, "session_imported", d.data,
		    "{\"reason\":\"recovery\"}", NULL, err);
	}
	qmb_buf_free(&st);
	qmb_buf_free(&d);
	return rc;
}

static void
log_repair(struct qmb_proj *p, const struct qmb_rec *r, const char *details,
    const char *user)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_logent le = { 0 };

	le.level = QMB_WARN;
	le.session_id = r->id;
	le.component = "recover";
	le.action = "session_recovered";
	le.details = details;
	le.user_id = user;
	qmb_log_write(p, &le, &e);
}

static int
execute(struct qmb_proj *p, struct exam *e, struct qmb_rec *r,
    struct qmb_lock *l, const char *user, struct qmb_err *err)
{
	struct qmb_txn t;
	struct qmb_buf d;
	enum qmb_cur cur;
	int rc = -1;

	if (set_aside(p, e, r, &cur, err) == -1)
		return -1;
	memset(&t, 0, sizeof(t));
	t.p = p;
	t.lock = *l;		/* the transaction releases it */
	l->fd = -1;
	t.user = user;
	t.cur = cur;
	qmb_session_init(&t.s);
	qmb_buf_init(&d, 1 << 16);
	r->repaired = 1;
	if (r->verdict == QMB_V_LOST) {
		snprintf(t.s.id, sizeof(t.s.id), "%s", e->id);
		if (commit_created(&t, r, err) == -1)
			goto out;
	} else {
		t.s = r->state;
		qmb_session_init(&r->state);
		r->has_state = 0;
		if (e->import && commit_imported(&t, err) == -1)
			goto out;
	}
	recovered_details(r, &t.s, &d);
	if (qmb_txn_commit(&t, "session_recovered", d.data, NULL, NULL,
	    err) == -1)
		goto out;
	log_repair(p, r, d.data, user);
	rc = 0;
out:
	if (t.s.id[0] != '\0' && t.s.project != NULL) {
		qmb_session_free(&r->state);
		r->state = t.s;
		qmb_session_init(&t.s);
		r->has_state = 1;
		r->new_seq = r->state.audit_seq;
		snprintf(r->project, sizeof(r->project), "%s", r->state.project);
	}
	qmb_buf_free(&d);
	qmb_txn_end(&t);
	return rc;
}

int
qmb_recover_repair(struct qmb_proj *p, const char *id,
    const struct qmb_repair_opts *o, struct qmb_rec *r, struct qmb_err *err)
{
	struct qmb_lock l;
	struct exam e;
	int rc;

	qmb_rec_init(r);
	r->from = o->from;
	if ((rc = begin(p, id, r, &l, err)) != 0)
		return rc == 1 ? 0 : -1;
	exam_init(&e, id);
	if ((rc = classify(p, &e, r, err)) == 0 && !o->dry_run) {
		if (r->verdict == QMB_V_NEWER)
			rc = qmb_errf(err, QMB_EXIT_CORRUPT,
			    "session '%s' was written by a newer qmb (state version %lld); left alone: upgrade qmb, or repair with --from bak or --from audit",
			    id, (long long)e.json.version);
		else if (qmb_rec_needs_repair(r))
			rc = execute(p, &e, r, &l, o->user, err);
	}
	exam_free(&e);
	qmb_lock_release(&l);
	return rc;
}

/* ---- what a result means ---------------------------------------- */

static int
has(const struct qmb_rec *r, enum qmb_fkind k)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		if (r->f[i].kind == k)
			return 1;
	return 0;
}

/* The last approved stage, or 0. */
static char
last_stage(const struct qmb_session *s)
{
	return s->ncompleted > 0 ? (char)('A' + s->ncompleted - 1) : 0;
}

static void
say_bak(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	if (r->partial) {
		qmb_buf_adds(b, dry ? "Would restore from backup: last change may be lost.\n" :
		    "Restored from backup, last change may be lost.\n");
		if (r->ahead)
			qmb_buf_adds(b, "The audit trail cannot confirm the backup's latest entries.\n");
		else if (r->broken_at > 0)
			qmb_buf_addf(b, "The audit trail cannot confirm changes after entry %lld.\n",
			    (long long)r->entries);
	} else if (r->rolled > 0) {
		qmb_buf_addf(b, "%s from backup and %s forward %lld audit entr%s: nothing that was approved is lost.\n",
		    dry ? "Would restore" : "Restored", dry ? "roll it" : "rolled it",
		    (long long)r->rolled, r->rolled == 1 ? "y" : "ies");
	} else {
		qmb_buf_addf(b, "%s from backup, which the audit trail confirms is the last saved state: nothing that was approved is lost.\n",
		    dry ? "Would restore" : "Restored");
	}
}

static void
say_audit(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	char st = r->has_state ? last_stage(&r->state) : 0;

	if (st)
		qmb_buf_addf(b, "Can restore up to Stage %c", st);
	else
		qmb_buf_adds(b, "Can restore the session as created (no stage approved yet)");
	if (r->partial)
		qmb_buf_addf(b, ": the audit trail is damaged at entry %lld, so changes after entry %lld may be lost.\n",
		    (long long)r->broken_at, (long long)r->entries);
	else if (r->entries == 1)
		qmb_buf_adds(b, ": its one audit entry verifies, so nothing that was approved is lost.\n");
	else
		qmb_buf_addf(b, ": all %lld audit entries verify, so nothing that was approved is lost.\n",
		    (long long)r->entries);
	qmb_buf_adds(b, dry ? "Would rebuild it from the audit trail.\n" :
	    "Rebuilt it from the audit trail.\n");
}

static void
say_verdict(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	switch (r->verdict) {
	case QMB_V_ARCHIVED:
		qmb_buf_addf(b, "Session %s is archived (.qmb/archive/sessions/): nothing to repair.\n",
		    r->id);
		break;
	case QMB_V_NEWER:
		qmb_buf_adds(b, "Left alone: the session file was written by a newer qmb; upgrade qmb, or repair with --from bak or --from audit.\n");
		break;
	case QMB_V_OK:
		if (!qmb_rec_needs_repair(r))
			qmb_buf_addf(b, "Session %s is healthy: nothing to repair.\n",
			    r->id);
		else
			qmb_buf_adds(b, dry ? "Would keep the session file as it is.\n" :
			    "Kept the session file as it is.\n");
		break;
	case QMB_V_BEHIND:
		qmb_buf_addf(b, "%s the session forward %lld audit entr%s%s\n",
		    dry ? "Would roll" : "Rolled", (long long)r->rolled,
		    r->rolled == 1 ? "y" : "ies", r->partial ? "." :
		    ": nothing that was approved is lost.");
		break;
	case QMB_V_BAK:
		say_bak(r, dry, b);
		break;
	case QMB_V_AUDIT:
		say_audit(r, dry, b);
		break;
	case QMB_V_LOST:
		if (dry)
			qmb_buf_addf(b, "Would start fresh: nothing of session %s can be recovered (no usable state, backup or audit entry). Sorry.\n",
			    r->id);
		else if (r->project[0] && strcmp(r->project, "recovered") != 0)
			qmb_buf_addf(b, "Sorry: nothing of session %s could be recovered, so it was started fresh as a new session of project %s at Stage A.\n",
			    r->id, r->project);
		else
			qmb_buf_addf(b, "Sorry: nothing of session %s could be recovered, not even its project name, so it was started fresh at Stage A as project 'recovered'.\n",
			    r->id);
		break;
	}
}

static void
say_actions(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	size_t i;

	if (r->ahead)
		qmb_buf_addf(b, "The audit trail lacks the session's latest entries; %s the state in it again.\n",
		    dry ? "would record" : "recorded");
	if (has(r, QMB_F_BROKEN) || (r->verdict == QMB_V_LOST &&
	    r->trail_lost))
		qmb_buf_addf(b, "%s the damaged audit trail in .qmb/corrupt/ and %s the live trail to its %lld verified entr%s.\n",
		    dry ? "Would keep" : "Kept", dry ? "cut" : "cut",
		    (long long)r->entries, r->entries == 1 ? "y" : "ies");
	else if (has(r, QMB_F_TORN))
		qmb_buf_addf(b, "%s the torn last line off the audit trail (it was never acknowledged).\n",
		    dry ? "Would cut" : "Cut");
	if (has(r, QMB_F_LOGTORN))
		qmb_buf_addf(b, "%s the torn last line off the session log.\n",
		    dry ? "Would cut" : "Cut");
	if (has(r, QMB_F_TMP))
		qmb_buf_addf(b, "%s stale temporary files to .qmb/corrupt/.\n",
		    dry ? "Would move" : "Moved");
	if (has(r, QMB_F_BAK) && r->verdict != QMB_V_BAK)
		qmb_buf_addf(b, "%s the damaged backup to .qmb/corrupt/.\n",
		    dry ? "Would move" : "Moved");
	if (has(r, QMB_F_DAMAGED) || has(r, QMB_F_MISMATCH) ||
	    (has(r, QMB_F_NEWER) && r->verdict != QMB_V_NEWER))
		qmb_buf_addf(b, "%s the damaged session file in .qmb/corrupt/.\n",
		    dry ? "Would keep" : "Kept");
	if (dry)
		return;
	for (i = 0; i < r->nkept; i++)
		qmb_buf_addf(b, "Kept: %s\n", r->kept[i]);
	if (r->repaired && r->new_seq > 0)
		qmb_buf_addf(b, "Recorded the repair as audit entry %lld (session_recovered).\n",
		    (long long)r->new_seq);
}

void
qmb_recover_describe(const struct qmb_rec *r, int dry, struct qmb_buf *b)
{
	say_verdict(r, dry, b);
	if (r->partial && (r->verdict == QMB_V_OK || r->verdict == QMB_V_BEHIND))
		qmb_buf_addf(b, "The audit trail is damaged at entry %lld: changes recorded from that entry on may be lost.\n",
		    (long long)r->broken_at);
	if (r->has_state && r->verdict != QMB_V_LOST &&
	    r->verdict != QMB_V_ARCHIVED && r->verdict != QMB_V_NEWER) {
		qmb_buf_adds(b, "Progress: ");
		qmb_view_progress(&r->state, b);
		qmb_buf_adds(b, ".\n");
	}
	if (r->verdict != QMB_V_NEWER && r->verdict != QMB_V_ARCHIVED)
		say_actions(r, dry, b);
}

void
qmb_recover_members(const struct qmb_rec *r, int dry, struct qmb_jw *jw)
{
	char st[2] = { 0, 0 };
	size_t i;

	qmb_jw_kstr(jw, "session_id", r->id);
	qmb_jw_key(jw, "project_name");
	qmb_jw_str(jw, r->project[0] ? r->project : NULL);
	qmb_jw_kstr(jw, "verdict", qmb_recover_verdict(r->verdict));
	qmb_jw_kstr(jw, "source", source_name(r));
	qmb_jw_key(jw, "stage");
	st[0] = r->has_state ? qmb_session_current(&r->state) : 0;
	qmb_jw_str(jw, st[0] ? st : NULL);
	qmb_jw_kint(jw, "completed", r->has_state ? r->state.ncompleted : 0);
	qmb_jw_key(jw, "restore_up_to");
	st[0] = r->has_state ? last_stage(&r->state) : 0;
	qmb_jw_str(jw, st[0] ? st : NULL);
	qmb_jw_kint(jw, "entries", r->entries);
	qmb_jw_kint(jw, "broken_at", r->broken_at);
	qmb_jw_kint(jw, "rolled", r->rolled);
	qmb_jw_key(jw, "partial");
	qmb_jw_bool(jw, r->partial);
	qmb_jw_key(jw, "needs_repair");
	qmb_jw_bool(jw, qmb_rec_needs_repair(r));
	qmb_jw_key(jw, "findings");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < r->nf; i++) {
		qmb_jw_obj_begin(jw);
		qmb_jw_kstr(jw, "kind", qmb_recover_fkind(r->f[i].kind));
		qmb_jw_kstr(jw, "path", r->f[i].path);
		qmb_jw_kstr(jw, "message", r->f[i].msg);
		qmb_jw_obj_end(jw);
	}
	qmb_jw_arr_end(jw);
	if (dry)
		return;
	qmb_jw_key(jw, "repaired");
	qmb_jw_bool(jw, r->repaired);
	qmb_jw_kint(jw, "audit_seq", r->has_state ? r->state.audit_seq : 0);
	qmb_jw_key(jw, "kept");
	qmb_jw_arr_begin(jw);
	for (i = 0; i < r->nkept; i++)
		qmb_jw_str(jw, r->kept[i]);
	qmb_jw_arr_end(jw);
}

/* ---- project-wide: logs without a live session ----------------- */

static int
system_logs(struct qmb_proj *p, struct qmb_rec *r, int repair,
    struct qmb_err *err)
{
	static const char *const sfx[] = { ".log", NULL };
	char name[NAME_MAX + 1], path[160], kept[160], **ids;
	off_t size;
	size_t n, i;
	int dfd, fd, torn, rc = 0;

	if (qmb_recover_list(p, QMB_D_LOGS, sfx, &ids, &n, err) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		/* a live session's log is its own repair's */
		if (strcmp(ids[i], "qmb") != 0 && has_state_files(p, ids[i]))
			continue;
		snprintf(name, sizeof(name), "%s.log", ids[i]);
		if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1 ||
		    (fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC)) == -1)
			continue;
		torn = torn_fd(fd, &size);
		close(fd);
		if (!torn)
			continue;
		snprintf(path, sizeof(path), ".qmb/logs/%.140s", name);
		find(r, QMB_F_LOGTORN, path, "torn last line in %s", path);
		if (repair && cut_log(p, name, kept, err) == -1)
			rc = -1;
		else if (repair) {
			note_kept(r, kept);
			r->repaired = 1;
		}
	}
	qmb_recover_ids_free(ids, n);
	return rc;
}

int
qmb_recover_check_system(struct qmb_proj *p, struct qmb_rec *r,
    struct qmb_err *err)
{
	qmb_rec_init(r);
	snprintf(r->id, sizeof(r->id), "system");
	return system_logs(p, r, 0, err);
}

int
qmb_recover_repair_system(struct qmb_proj *p, int dry_run, struct qmb_rec *r,
    struct qmb_err *err)
{
	qmb_rec_init(r);
	snprintf(r->id, sizeof(r->id), "system");
	return system_logs(p, r, !dry_run, err);
}

/* ---- health (seed 8.1) ------------------------------------------ */

void
qmb_recover_fmt_size(unsigned long long v, char *buf, size_t n)
{
	static const char *const unit[] = { "KB", "MB", "GB", "TB" };
	double d = (double)v;
	int i = -1;

	if (v < 1024) {
		snprintf(buf, n, "%llu bytes", v);
		return;
	}
	while (d >= 1024 && i < 3) {
		d /= 1024;
		i++;
	}
	if (d >= 10 || d == (double)(long long)d)
		snprintf(buf, n, "%.0f %s", d, unit[i]);
	else
		snprintf(buf, n, "%.1f %s", d, unit[i]);
}

static void
h_disk(struct qmb_proj *p, const struct qmb_config *c, struct qmb_health *h)
{
	char have[32], lim[32];
	struct statvfs v;

	h->c[QMB_H_DISK].name = "disk_space";
	h->c[QMB_H_DISK].limit = (long long)c->min_free_disk;
	qmb_recover_fmt_size(c->min_free_disk, lim, sizeof(lim));
	if (fstatvfs(p->rootfd, &v) == -1) {
		snprintf(h->c[QMB_H_DISK].what, sizeof(h->c[0].what),
		    "cannot tell: %s", strerror(errno));
		h->c[QMB_H_DISK].tripped = 1;
		return;
	}
	h->c[QMB_H_DISK].value = (long long)v.f_bavail * (long long)v.f_frsize;
	qmb_recover_fmt_size((unsigned long long)h->c[QMB_H_DISK].value, have,
	    sizeof(have));
	h->c[QMB_H_DISK].tripped = (unsigned long long)h->c[QMB_H_DISK].value <
	    c->min_free_disk;
	snprintf(h->c[QMB_H_DISK].what, sizeof(h->c[0].what),
	    "%s free (alert under %s)", have, lim);
}

static int
h_logs(struct qmb_proj *p, const struct qmb_config *c, struct qmb_health *h,
    struct qmb_err *err)
{
	static const char *const sfx[] = { ".log", NULL };
	char name[NAME_MAX + 1], big[NAME_MAX + 1] = "", a[32], l[32], **ids;
	unsigned long long lim, max = 0;
	struct stat st;
	size_t n, i;
	int dfd = -1, over = 0;

	h->c[QMB_H_LOGSIZE].name = "log_size";
	h->c[QMB_H_LOGSIZE].limit = (long long)c->log_max_size;
	qmb_recover_fmt_size(c->log_max_size, l, sizeof(l));
	if (qmb_recover_list(p, QMB_D_LOGS, sfx, &ids, &n, err) == -1)
		return -1;
	if (n > 0)
		dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err);
	for (i = 0; i < n && dfd != -1; i++) {
		snprintf(name, sizeof(name), "%s.log", ids[i]);
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		lim = strcmp(ids[i], "qmb") == 0 ? c->global_log_max_size :
		    c->log_max_size;
		over += (unsigned long long)st.st_size > lim;
		if ((unsigned long long)st.st_size >= max) {
			max = (unsigned long long)st.st_size;
			memcpy(big, name, sizeof(big));
		}
	}
	qmb_recover_ids_free(ids, n);
	h->c[QMB_H_LOGSIZE].value = (long long)max;
	h->c[QMB_H_LOGSIZE].tripped = over > 0;
	qmb_recover_fmt_size(max, a, sizeof(a));
	if (big[0] == '\0')
		snprintf(h->c[QMB_H_LOGSIZE].what, sizeof(h->c[0].what),
		    "no logs yet");
	else if (over)
		snprintf(h->c[QMB_H_LOGSIZE].what, sizeof(h->c[0].what),
		    "%d log%s over the limit; largest .qmb/logs/%.80s (%s, limit %s): run qmb-rotate",
		    over, over == 1 ? "" : "s", big, a, l);
	else
		snprintf(h->c[QMB_H_LOGSIZE].what, sizeof(h->c[0].what),
		    "largest .qmb/logs/%.80s (%s, limit %s)", big, a, l);
	return 0;
}

static int
h_idle(struct qmb_proj *p, const struct qmb_config *c, int64_t now,
    struct qmb_health *h, struct qmb_err *err)
{
	static const char *const sfx[] = { ".json", NULL };
	char oldest[QMB_ID_MAX + 1] = "", **ids;
	int64_t t, worst = -1;
	size_t n, i;
	int idle = 0;

	h->c[QMB_H_IDLE].name = "session_age";
	h->c[QMB_H_IDLE].limit = c->idle_warn_days;
	if (qmb_recover_list(p, QMB_D_SESSIONS, sfx, &ids, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		struct qmb_err e = QMB_ERR_INIT;
		struct qmb_session s;
		enum qmb_cur cur;

		if (qmb_session_load(p, ids[i], &s, &cur, &e) == -1)
			continue;	/* damaged: qmb-recover check */
		if (!s.complete && qmb_time_parse(s.updated_at, &t) == 0 &&
		    now - t >= c->idle_warn_days * DAY_MS) {
			idle++;
			if (now - t > worst) {
				worst = now - t;
				memcpy(oldest, ids[i], strlen(ids[i]) + 1);
			}
		}
		qmb_session_free(&s);
	}
	qmb_recover_ids_free(ids, n);
	h->c[QMB_H_IDLE].value = idle;
	h->c[QMB_H_IDLE].tripped = idle > 0;
	if (idle > 0)
		snprintf(h->c[QMB_H_IDLE].what, sizeof(h->c[0].what),
		    "%d session%s idle for %ld days or more (oldest: %s, %lld days)",
		    idle, idle == 1 ? "" : "s", c->idle_warn_days, oldest,
		    (long long)(worst / DAY_MS));
	else
		snprintf(h->c[QMB_H_IDLE].what, sizeof(h->c[0].what),
		    "no active session idle for %ld days or more",
		    c->idle_warn_days);
	return 0;
}

/* Newest first: a recorded count, else failures until anything else. */
static long long
failures_in(const struct qmb_lines *ls)
{
	struct qmb_json_doc doc = { 0 };
	const char *action, *level;
	long long n = 0;
	int64_t v;
	size_t i;

	for (i = 0; i < ls->n; i++) {
		if (qmb_json_parse(ls->v[i], ls->len[i], 0, QMB_EXIT_CORRUPT,
		    &doc, NULL) == -1)
			continue;
		action = qmb_json_get_str(doc.root, "action");
		level = qmb_json_get_str(doc.root, "level");
		if (qmb_json_get_int(qmb_json_get(doc.root, "details"),
		    "consecutive", &v) == 0) {
			qmb_json_free(&doc);
			return n > v ? n : v;
		}
		if (action == NULL || level == NULL ||
		    strcmp(action, "review_failed") != 0 ||
		    qmb_level_parse(level) < QMB_WARN) {
			qmb_json_free(&doc);
			break;
		}
		n++;
		qmb_json_free(&doc);
	}
	return n;
}

int
qmb_recover_gemini_failures(struct qmb_proj *p, long long *n, char *source,
    size_t ssize, struct qmb_err *err)
{
	struct qmb_logfilter f;
	struct qmb_logscan s;
	struct qmb_lines ls = { 0 };
	struct qmb_gfail g;
	int dfd, fd, rc;

	*n = 0;
	if ((rc = qmb_gfail_read(p, &g, err)) == -1 || g.found) {
		snprintf(source, ssize, ".qmb/%s", QMB_GFAIL_FILE);
		*n = g.consecutive;
		return rc;
	}
	snprintf(source, ssize, ".qmb/logs/qmb.log");
	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	if ((fd = openat(dfd, "qmb.log", O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return 0;
	qmb_logfilter_init(&f);
	f.component = "gemini";
	memset(&s, 0, sizeof(s));
	s.f = &f;
	rc = qmb_logscan_tail(&s, fd, ".qmb/logs/qmb.log", 64, &ls, err);
	close(fd);
	if (rc == 0)
		*n = failures_in(&ls);
	qmb_lines_free(&ls);
	return rc;
}

static int
h_gemini(struct qmb_proj *p, struct qmb_health *h, struct qmb_err *err)
{
	long long n;

	h->c[QMB_H_GEMINI].name = "gemini_failures";
	h->c[QMB_H_GEMINI].limit = QMB_GFAIL_WARN;
	if (qmb_recover_gemini_failures(p, &n, h->c[QMB_H_GEMINI].source,
	    sizeof(h->c[0].source), err) == -1)
		return -1;
	h->c[QMB_H_GEMINI].value = n;
	h->c[QMB_H_GEMINI].tripped = n > QMB_GFAIL_WARN;
	snprintf(h->c[QMB_H_GEMINI].what, sizeof(h->c[0].what),
	    "%lld consecutive failure%s (alert over %d)%s", n,
	    n == 1 ? "" : "s", QMB_GFAIL_WARN,
	    n > QMB_GFAIL_WARN ? ": see 'qmb-review queue'" : "");
	return 0;
}

int
qmb_recover_health(struct qmb_proj *p, int64_t now, struct qmb_health *h,
    struct qmb_err *err)
{
	const struct qmb_config *c;
	int i;

	memset(h, 0, sizeof(*h));
	if ((c = qmb_config_get(p, err)) == NULL)
		return -1;
	h_disk(p, c, h);
	if (h_logs(p, c, h, err) == -1 || h_idle(p, c, now, h, err) == -1 ||
	    h_gemini(p, h, err) == -1)
		return -1;
	for (i = 0; i < QMB_H_COUNT; i++)
		h->tripped += h->c[i].tripped;
	return 0;
}

/* ---- metrics --------------------------------------------------- */

static int
in_range(const struct qmb_metrics *m, const char *ts)
{
	int64_t t;

	return ts != NULL && qmb_time_parse(ts, &t) == 0 && t >= m->since &&
	    t <= m->until;
}

static void
count_entry(struct qmb_metrics *m, const struct qmb_jv *e)
{
	const char *type = qmb_json_get_str(e, "type"), *src;

	if (type == NULL || !in_range(m, qmb_json_get_str(e, "timestamp")))
		return;
	if (strcmp(type, "session_created") == 0) {
		src = qmb_json_get_str(qmb_json_get(e, "details"), "reason");
		m->created += src == NULL || strcmp(src, "recovery") != 0;
	} else if (strcmp(type, "session_resumed") == 0)
		m->resumed++;
	else if (strcmp(type, "script_approved") == 0)
		m->completed++;
	else if (strcmp(type, "session_archived") == 0)
		m->archived++;
	else if (strcmp(type, "review_bypassed") == 0)
		m->bypasses++;
	else if (strcmp(type, "review_recorded") == 0)
		m->reviews++;
	else if (strcmp(type, "session_recovered") == 0) {
		src = qmb_json_get_str(qmb_json_get(e, "details"), "source");
		if (src == NULL)
			m->session_fix++;
		else if (strcmp(src, "bak") == 0)
			m->bak++;
		else if (strcmp(src, "audit") == 0)
			m->audit++;
		else if (strcmp(src, "replay") == 0)
			m->replay++;
		else if (strcmp(src, "fresh") == 0)
			m->fresh++;
		else
			m->session_fix++;
	}
}

static void
count_trail(struct qmb_metrics *m, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	m->trails++;
	for (; p < end; p = nl + 1) {
		struct qmb_json_doc doc = { 0 };

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p)
			continue;
		if (qmb_json_parse(p, (size_t)(nl - p), 0, QMB_EXIT_CORRUPT,
		    &doc, NULL) == -1 || doc.root->type != QMB_JOBJ)
			m->bad_lines++;
		else
			count_entry(m, doc.root);
		qmb_json_free(&doc);
	}
}

/* Every trail in dir whose name ends in sfx. */
static int
count_trails(struct qmb_proj *p, struct qmb_metrics *m, enum qmb_dir d,
    const char *sfx, struct qmb_err *err)
{
	const char *const sv[] = { sfx, NULL };
	char name[NAME_MAX + 1], **ids;
	struct qmb_buf b;
	size_t n, i;
	int dfd, rc;

	if (qmb_recover_list(p, d, sv, &ids, &n, err) == -1)
		return -1;
	qmb_buf_init(&b, qmb_io_max_file());
	for (i = 0; i < n; i++) {
		struct qmb_err e = QMB_ERR_INIT;

		snprintf(name, sizeof(name), "%s%s", ids[i], sfx);
		if (d == QMB_D_AUDIT)
			rc = qmb_audit_read(p, ids[i], &b, &e);
		else if ((dfd = qmb_proj_dir(p, d, 0, &e)) == -1)
			rc = -1;
		else
			rc = qmb_gz_read(dfd, name, &b, &e);
		if (rc == 0)
			count_trail(m, b.data, b.len);
	}
	qmb_buf_free(&b);
	qmb_recover_ids_free(ids, n);
	return 0;
}

static int
count_log_line(void *arg, const char *line, size_t len,
    const struct qmb_jv *doc)
{
	struct qmb_json_doc own = { 0 };
	struct qmb_metrics *m = arg;
	const char *action, *comp, *level;

	/* the scanner may have matched the line without parsing it */
	if (doc == NULL) {
		if (qmb_json_parse(line, len, 0, QMB_EXIT_CORRUPT, &own,
		    NULL) == -1)
			return 0;
		doc = own.root;
	}
	action = qmb_json_get_str(doc, "action");
	comp = qmb_json_get_str(doc, "component");
	level = qmb_json_get_str(doc, "level");
	if (action == NULL || comp == NULL || level == NULL)
		;
	else if (strcmp(action, "rolled_forward") == 0)
		m->rolled++;
	else if (strcmp(action, "low_disk_space") == 0)
		m->low_disk++;
	else if (strcmp(comp, "gemini") == 0 &&
	    strcmp(action, "review_failed") == 0 &&
	    qmb_level_parse(level) >= QMB_WARN)
		m->gemini_failures++;
	qmb_json_free(&own);
	return 0;
}

/* qmb.log and its rotated files. */
static int
count_global(struct qmb_proj *p, struct qmb_metrics *m, struct qmb_err *err)
{
	struct qmb_logfilter f;
	struct qmb_logscan s;
	char name[NAME_MAX + 1];
	uint64_t used;
	int dfd, fd, k, rc = 0;

	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	qmb_logfilter_init(&f);
	f.since = m->since;
	f.until = m->until;
	for (k = 0; k <= 20 && rc == 0; k++) {
		if (k == 0)
			snprintf(name, sizeof(name), "qmb.log");
		else
			snprintf(name, sizeof(name), "qmb.log.%d", k);
		if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC)) == -1)
			continue;
		memset(&s, 0, sizeof(s));
		s.f = &f;
		s.line = count_log_line;
		s.arg = m;
		rc = qmb_logscan_fd(&s, fd, name, 1, &used, err);
		close(fd);
	}
	return rc;
}

static int
torn_in_range(const char *name, void *arg, struct qmb_err *err)
{
	struct qmb_metrics *m = arg;
	char ts[QMB_TIME_LEN + 1];
	const char *t;

	(void)err;
	if ((t = strstr(name, ".torn-")) != NULL &&
	    strlen(t + 6) >= QMB_TIME_LEN) {
		snprintf(ts, sizeof(ts), "%.*s", QMB_TIME_LEN, t + 6);
		m->torn += in_range(m, ts);
	}
	return 0;
}

int
qmb_recover_metrics(struct qmb_proj *p, int64_t since, int64_t until,
    struct qmb_metrics *m, struct qmb_err *err)
{
	memset(m, 0, sizeof(*m));
	m->since = since;
	m->until = until;
	if (count_trails(p, m, QMB_D_AUDIT, ".audit.json", err) == -1 ||
	    count_trails(p, m, QMB_D_ARCHIVE_AUDIT, ".audit.json.gz", err) == -1 ||
	    count_global(p, m, err) == -1 ||
	    each_name(p, QMB_D_CORRUPT, torn_in_range, m, err) == -1)
		return -1;
	return 0;
}

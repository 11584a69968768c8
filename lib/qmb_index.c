/* SPDX-License-Identifier: MIT */
/*
 * Index file format, one line per session file:
 *	NAME INO SIZE MTIME_SEC MTIME_NSEC STATUS UPDATED_AT SUMMARY-JSON
 * The first line is "qmb-index 2".  Anything else is ignored.  Status and
 * time are outside the JSON so that listing needs no JSON parsing.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_buf.h"
#include "qmb_index.h"
#include "qmb_io.h"
#include "qmb_session.h"
#include "qmb_view.h"

#define INDEX_NAME	"sessions.idx"
#define INDEX_MAGIC	"qmb-index 2\n"

struct key {
	unsigned long long	ino, size;
	long long		sec, nsec;
};

struct cached {
	char		*name;		/* these point into the index text */
	struct key	 k;
	const char	*status, *updated, *json;
	size_t		 len;
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct cached *)a)->name,
	    ((const struct cached *)b)->name);
}

static int
parse_key(const char *p, struct key *k, const char **rest)
{
	unsigned long long v[4];
	char *end;
	int i;

	for (i = 0; i < 4; i++) {
		if (*p < '0' || *p > '9')
			return -1;
		v[i] = strtoull(p, &end, 10);
		if (*end != ' ')
			return -1;
		p = end + 1;
	}
	k->ino = v[0], k->size = v[1];
	k->sec = (long long)v[2], k->nsec = (long long)v[3];
	*rest = p;
	return 0;
}

/* Cut the word at *w (ending in a space, 1-31 bytes); *rest follows it. */
static int
word(const char **w, const char **rest)
{
	char *sp = strchr(*w, ' ');

	if (sp == NULL || sp == *w || sp - *w > 31)
		return -1;
	*sp = '\0';
	*rest = sp + 1;
	return 0;
}

/* Parse the index text in place into a sorted table. */
static size_t
parse_index(char *text, size_t len, struct cached **out)
{
	struct cached *v = NULL, *nv;
	size_t n = 0;
	char *p, *nl, *end = text + len;
	*out = NULL;
	if (len < sizeof(INDEX_MAGIC) - 1 ||
	    memcmp(text, INDEX_MAGIC, sizeof(INDEX_MAGIC) - 1) != 0)
		return 0;
	for (p = text + sizeof(INDEX_MAGIC) - 1; p < end; p = nl + 1) {
		struct cached c;
		char *sp;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		*nl = '\0';
		if ((sp = strchr(p, ' ')) == NULL)
			continue;
		*sp = '\0';
		c.name = p;
		if (parse_key(sp + 1, &c.k, &c.status) == -1 ||
		    word(&c.status, &c.updated) == -1 ||
		    word(&c.updated, &c.json) == -1)
			continue;
		c.len = (size_t)(nl - c.json);
		if (c.len < 2 || c.json[0] != '{' || c.json[c.len - 1] != '}')
			continue;
		if (n % 1024 == 0) {
			if ((nv = realloc(v, (n + 1024) * sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		v[n++] = c;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_name);
	*out = v;
	return n;
}

static int
add_entry(struct qmb_index *ix, const char *id, const char *json, size_t len,
    const char *status, const char *updated, const char *damage,
    const struct stat *st)
{
	struct qmb_index_entry *e, *nv;

	if (ix->n % 256 == 0) {
		if ((nv = realloc(ix->v, (ix->n + 256) * sizeof(*nv))) == NULL)
			return -1;
		ix->v = nv;
	}
	e = &ix->v[ix->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->key[0] = (unsigned long long)st->st_ino;
	e->key[1] = (unsigned long long)st->st_size;
	e->key[2] = (unsigned long long)st->st_mtim.tv_sec;
	e->key[3] = (unsigned long long)st->st_mtim.tv_nsec;
	if (damage != NULL) {
		if ((e->damage = strdup(damage)) == NULL)
			return -1;
		ix->ndamaged++;
	} else {
		if ((e->summary = strndup(json, len)) == NULL)
			return -1;
		snprintf(e->status, sizeof(e->status), "%s", status);
		snprintf(e->updated, sizeof(e->updated), "%s", updated);
	}
	ix->n++;
	return 0;
}

const struct qmb_jv *
qmb_index_summary(struct qmb_index_entry *e)
{
	if (e->summary == NULL)
		return NULL;
	if (e->doc.root == NULL && qmb_json_parse(e->summary,
	    strlen(e->summary), 0, QMB_EXIT_CORRUPT, &e->doc, NULL) == -1)
		return NULL;
	return e->doc.root->type == QMB_JOBJ ? e->doc.root : NULL;
}

/* Read and validate one session file; its summary goes to the index. */
static int
read_session(struct qmb_proj *p, struct qmb_index *ix, const char *id,
    const struct stat *st, struct qmb_buf *line)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_session s;
	enum qmb_cur cur;
	struct qmb_jw jw;
	int rc;

	ix->rebuilt++;
	if (qmb_session_load(p, id, &s, &cur, &e) == -1) {
		if (e.code == QMB_EXIT_NOTFOUND)
			return 0;	/* archived meanwhile */
		return add_entry(ix, id, NULL, 0, NULL, NULL, e.msg, st);
	}
	qmb_buf_reset(line);
	qmb_jw_init(&jw, line, 0);
	qmb_jw_obj_begin(&jw);
	qmb_view_summary(&s, &jw);
	qmb_jw_obj_end(&jw);
	rc = qmb_jw_finish(&jw) == -1 ? -1 : add_entry(ix, id, line->data,
	    line->len, s.complete ? "complete" : "active", s.updated_at, NULL,
	    st);
	qmb_session_free(&s);
	return rc;
}

static int
id_of(const char *name, char *id)
{
	size_t n = strlen(name);

	if (n <= 5 || n - 5 > QMB_ID_MAX || strcmp(name + n - 5, ".json") != 0)
		return -1;
	memcpy(id, name, n - 5);
	id[n - 5] = '\0';
	return qmb_id_check(id, NULL);
}

static void
write_index(struct qmb_proj *p, const struct qmb_index *ix)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_buf out;
	size_t i;
	int cfd;

	qmb_buf_init(&out, 256u << 20);
	qmb_buf_adds(&out, INDEX_MAGIC);
	for (i = 0; i < ix->n; i++)
		if (ix->v[i].damage == NULL)
			qmb_buf_addf(&out, "%s.json %llu %llu %llu %llu %s %s %s\n",
			    ix->v[i].id, ix->v[i].key[0], ix->v[i].key[1],
			    ix->v[i].key[2], ix->v[i].key[3], ix->v[i].status,
			    ix->v[i].updated, ix->v[i].summary);
	if (out.error == 0 && (cfd = qmb_proj_dir(p, QMB_D_CACHE, 1, &e)) != -1)
		qmb_atomic_write(cfd, INDEX_NAME, out.data, out.len,
		    qmb_proj_fmode(p), &e);
	qmb_buf_free(&out);
}

static int
newest_first(const void *a, const void *b)
{
	const struct qmb_index_entry *x = a, *y = b;
	const char *ux, *uy;
	int c;

	if ((x->damage != NULL) != (y->damage != NULL))
		return x->damage != NULL ? 1 : -1;
	if (x->damage != NULL)
		return strcmp(x->id, y->id);
	ux = x->updated, uy = y->updated;
	c = strcmp(uy, ux);
	return c ? c : strcmp(y->id, x->id);
}

/* Walk the sessions folder, using cached summaries where keys match. */
static int
walk(struct qmb_proj *p, int dfd, struct cached *cv, size_t cn,
    struct qmb_index *ix, struct qmb_err *err)
{
	struct qmb_buf line;
	struct dirent *de;
	struct stat st;
	struct cached want, *hit;
	char id[QMB_ID_MAX + 1];
	DIR *d;
	int fd, rc = 0;

	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return qmb_errsys(err, QMB_EXIT_IO, "read '.qmb/sessions'");
	}
	rewinddir(d);
	qmb_buf_init(&line, 1u << 20);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (id_of(de->d_name, id) == -1 ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		want.name = de->d_name;
		hit = cn ? bsearch(&want, cv, cn, sizeof(*cv), by_name) : NULL;
		if (hit != NULL && S_ISREG(st.st_mode) &&
		    hit->k.ino == (unsigned long long)st.st_ino &&
		    hit->k.size == (unsigned long long)st.st_size &&
		    hit->k.sec == (long long)st.st_mtim.tv_sec &&
		    hit->k.nsec == (long long)st.st_mtim.tv_nsec &&
		    (rc = add_entry(ix, id, hit->json, hit->len, hit->status,
		    hit->updated, NULL, &st)) == 0)
			continue;
		if (rc == -1)
			break;
		rc = read_session(p, ix, id, &st, &line);
	}
	qmb_buf_free(&line);
	closedir(d);
	return rc == -1 ? qmb_errf(err, QMB_EXIT_IO, "out of memory") : 0;
}

int
qmb_index_load(struct qmb_proj *p, struct qmb_index *ix, struct qmb_err *err)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct cached *cv = NULL;
	struct qmb_buf text;
	size_t cn = 0;
	int dfd, cfd, rc;

	memset(ix, 0, sizeof(*ix));
	if ((dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 0, err)) == -1)
		return err->code == QMB_EXIT_NOTFOUND ? 0 : -1;
	qmb_buf_init(&text, 256u << 20);
	if ((cfd = qmb_proj_dir(p, QMB_D_CACHE, 0, &e)) != -1 &&
	    qmb_io_read_file(cfd, INDEX_NAME, text.max, QMB_EXIT_CORRUPT, &text,
	    &e) == 0)
		cn = parse_index(text.data, text.len, &cv);
	rc = walk(p, dfd, cv, cn, ix, err);
	/* rewritten when a file was read, or when a cached one went away */
	if (rc == 0 && (ix->rebuilt > 0 || cn != ix->n - ix->ndamaged))
		write_index(p, ix);
	if (ix->n > 1)
		qsort(ix->v, ix->n, sizeof(*ix->v), newest_first);
	free(cv);
	qmb_buf_free(&text);
	if (rc == -1)
		qmb_index_free(ix);
	return rc;
}

void
qmb_index_free(struct qmb_index *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++) {
		free(ix->v[i].summary);
		free(ix->v[i].damage);
		qmb_json_free(&ix->v[i].doc);
	}
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}

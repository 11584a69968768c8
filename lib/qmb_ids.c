/* SPDX-License-Identifier: MIT */
/*
 * The session ids behind the store's file names (see qmb_ids.h).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_ids.h"

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

/* Call fn for each entry of a folder but . and ..; a missing one has none. */
int
qmb_ids_each(struct qmb_proj *p, enum qmb_dir d, qmb_ids_fn *fn, void *arg,
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
	rc = qmb_ids_each(p, d, add_id, &l, err);
	*ids = l.v;
	*n = l.n;
	return rc;
}

int
qmb_ids_exists(struct qmb_proj *p, enum qmb_dir d, const char *id,
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
int
qmb_ids_has_state(struct qmb_proj *p, const char *id)
{
	return qmb_ids_exists(p, QMB_D_SESSIONS, id, ".json") ||
	    qmb_ids_exists(p, QMB_D_SESSIONS, id, ".json.bak") ||
	    qmb_ids_exists(p, QMB_D_SESSIONS, id, ".json.tmp") ||
	    qmb_ids_exists(p, QMB_D_SESSIONS, id, ".json.bak.tmp");
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
qmb_ids_list(struct qmb_proj *p, enum qmb_dir d, const char *const *sfx,
    char ***ids, size_t *n, struct qmb_err *err)
{
	*ids = NULL;
	*n = 0;
	if (add_ids(p, d, sfx, ids, n, err) == -1) {
		qmb_ids_free(*ids, *n);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	uniq(*ids, n);
	return 0;
}

int
qmb_ids_sessions(struct qmb_proj *p, char ***ids, size_t *n,
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
		qmb_ids_free(*ids, *n);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	uniq(*ids, n);
	for (i = j = 0; i < *n; i++) {
		if (!qmb_ids_has_state(p, (*ids)[i]) &&
		    qmb_ids_exists(p, QMB_D_ARCHIVE_SESSIONS, (*ids)[i], ".json")) {
			free((*ids)[i]);
			continue;
		}
		(*ids)[j++] = (*ids)[i];
	}
	*n = j;
	return 0;
}

void
qmb_ids_free(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* SPDX-License-Identifier: MIT */
/* Unit tests of qmb_ids: which sessions the store holds. */
#include <sys/stat.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_ids.h"
#include "tap.h"

static char tmpdir[] = "/tmp/qmb-unit-XXXXXX";

static void
touch(struct qmb_proj *p, enum qmb_dir d, const char *name)
{
	struct qmb_err err = QMB_ERR_INIT;
	int dfd = qmb_proj_dir(p, d, 1, &err), fd;

	if (dfd != -1 && (fd = openat(dfd, name, O_WRONLY | O_CREAT,
	    0600)) != -1)
		close(fd);
}

/* The ids joined by spaces. */
static const char *
joined(char **ids, size_t n)
{
	static char out[1024];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strncat(out, " ", sizeof(out) - strlen(out) - 1);
		strncat(out, ids[i], sizeof(out) - strlen(out) - 1);
	}
	return out;
}

static int
count(const char *name, void *arg, struct qmb_err *err)
{
	int *n = arg;

	(void)err;
	(void)name;
	return ++*n == 2 ? 7 : 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(path);
}

int
main(void)
{
	static const char *const logs[] = { ".log", ".log.1", NULL };
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_proj p;
	char **ids;
	size_t n;
	int k = 0;

	if (mkdtemp(tmpdir) == NULL || qmb_proj_open(&p, tmpdir, &err) == -1)
		return 2;
	ok(qmb_ids_sessions(&p, &ids, &n, &err) == 0 && n == 0,
	    "a project without folders has no sessions");
	qmb_ids_free(ids, n);
	ok(qmb_ids_list(&p, QMB_D_LOGS, logs, &ids, &n, &err) == 0 && n == 0,
	    "a missing folder lists nothing");
	qmb_ids_free(ids, n);

	touch(&p, QMB_D_SESSIONS, "beta.json");
	touch(&p, QMB_D_SESSIONS, "beta.json.bak");
	touch(&p, QMB_D_SESSIONS, "alpha.json.bak");
	touch(&p, QMB_D_SESSIONS, "tmp1.json.tmp");
	touch(&p, QMB_D_SESSIONS, "bad id.json");
	touch(&p, QMB_D_SESSIONS, ".json");
	touch(&p, QMB_D_SESSIONS, "notes.txt");
	touch(&p, QMB_D_AUDIT, "gamma.audit.json");
	touch(&p, QMB_D_AUDIT, "beta.audit.json");
	/* archived: a trail left behind, the state in the archive */
	touch(&p, QMB_D_AUDIT, "old.audit.json");
	touch(&p, QMB_D_ARCHIVE_SESSIONS, "old.json");
	/* archived, but live state files came back: still a session */
	touch(&p, QMB_D_SESSIONS, "back.json");
	touch(&p, QMB_D_ARCHIVE_SESSIONS, "back.json");

	ok(qmb_ids_sessions(&p, &ids, &n, &err) == 0 &&
	    strcmp(joined(ids, n), "alpha back beta gamma tmp1") == 0,
	    "sessions: sorted, each once, valid ids only, archived left out (%s)",
	    joined(ids, n));
	qmb_ids_free(ids, n);

	touch(&p, QMB_D_LOGS, "qmb.log");
	touch(&p, QMB_D_LOGS, "qmb.log.1");
	touch(&p, QMB_D_LOGS, "s1.log.1");
	touch(&p, QMB_D_LOGS, "s1.log.2");
	touch(&p, QMB_D_LOGS, "s2.log.lock");
	ok(qmb_ids_list(&p, QMB_D_LOGS, logs, &ids, &n, &err) == 0 &&
	    strcmp(joined(ids, n), "qmb s1") == 0,
	    "list: only the suffixes asked for, each id once (%s)",
	    joined(ids, n));
	qmb_ids_free(ids, n);

	ok(qmb_ids_exists(&p, QMB_D_SESSIONS, "beta", ".json.bak") == 1 &&
	    qmb_ids_exists(&p, QMB_D_SESSIONS, "beta", ".json.tmp") == 0 &&
	    qmb_ids_exists(&p, QMB_D_CACHE, "beta", ".json") == 0,
	    "exists: a file, a missing file, a missing folder");
	symlinkat("/nonexistent", qmb_proj_dir(&p, QMB_D_SESSIONS, 0, &err),
	    "dangling.json");
	ok(qmb_ids_exists(&p, QMB_D_SESSIONS, "dangling", ".json") == 1,
	    "exists does not follow a link");
	ok(qmb_ids_has_state(&p, "tmp1") == 1 &&
	    qmb_ids_has_state(&p, "gamma") == 0 &&
	    qmb_ids_has_state(&p, "alpha") == 1,
	    "has_state: a temporary or a backup counts, a trail does not");
	ok(qmb_ids_each(&p, QMB_D_AUDIT, count, &k, &err) == 7 && k == 2,
	    "each stops at the first non-zero return and returns it");
	qmb_proj_close(&p);
	if (getenv("QMB_KEEP") == NULL)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

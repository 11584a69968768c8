/* SPDX-License-Identifier: MIT */
/* Unit tests of torn tails: qmb_tail (detect, find the line start, cut). */
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_audit.h"
#include "qmb_io.h"
#include "qmb_paths.h"
#include "qmb_tail.h"
#include "tap.h"

static char tmpdir[] = "/tmp/qmb-unit-XXXXXX";

static int
put(int dfd, const char *name, const char *data, size_t len)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t w;

	if (fd == -1)
		return -1;
	w = write(fd, data, len);
	close(fd);
	return w == (ssize_t)len ? 0 : -1;
}

static off_t
size_of(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, 0) == -1 ? -1 : st.st_size;
}

static int
torn_file(int dfd, const char *name, off_t *size)
{
	int fd = openat(dfd, name, O_RDONLY), t;

	if (fd == -1)
		return -1;
	t = qmb_tail_torn(fd, size);
	close(fd);
	return t;
}

static void
test_torn(int dfd)
{
	off_t size = -1;

	put(dfd, "empty", "", 0);
	put(dfd, "whole", "a\nb\n", 4);
	put(dfd, "torn", "a\nb", 3);
	mkdirat(dfd, "dir", 0700);
	ok(torn_file(dfd, "empty", &size) == 0, "an empty file is whole");
	ok(torn_file(dfd, "whole", &size) == 0, "a file ending in a newline is whole");
	ok(torn_file(dfd, "torn", &size) == 1 && size == 3,
	    "a file without its last newline is torn (size %lld)",
	    (long long)size);
	ok(torn_file(dfd, "dir", &size) == 0, "a folder is never torn");
}

static void
test_line_start(int dfd)
{
	static char big[200000];
	off_t start = -1;
	int fd;

	memset(big, 'x', sizeof(big));
	big[9] = '\n';			/* a short first line */
	put(dfd, "big", big, sizeof(big));
	fd = openat(dfd, "big", O_RDONLY);
	ok(qmb_tail_line_start(fd, sizeof(big), &start) == 0 && start == 10,
	    "the start of a 200 KB last line is found across chunks (%lld)",
	    (long long)start);
	ok(qmb_tail_line_start(fd, 9, &start) == 0 && start == 0,
	    "the first line (its newline at 9) starts at 0");
	ok(qmb_tail_line_start(fd, 10, &start) == 0 && start == 10,
	    "the newline at 9 ends the line before 10");
	close(fd);
	put(dfd, "one", "abc", 3);
	fd = openat(dfd, "one", O_RDONLY);
	ok(qmb_tail_line_start(fd, 3, &start) == 0 && start == 0,
	    "a file without a newline starts at 0");
	close(fd);
	put(dfd, "two", "one\ntwo\n", 8);
	fd = openat(dfd, "two", O_RDONLY);
	ok(qmb_tail_line_start(fd, 7, &start) == 0 && start == 4,
	    "the line ending before the last newline starts after the first");
	close(fd);
}

static void
test_cut(int dfd)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_proj p;
	struct qmb_buf b;
	char kept[QMB_TAIL_KEPT] = "", kept2[QMB_TAIL_KEPT] = "";
	int cfd;

	ok(qmb_proj_open(&p, tmpdir, &err) == 0, "open a project: %s", err.msg);
	put(dfd, "log", "{\"a\":1}\n{\"b\":2}\n{\"c\":", 22);
	ok(qmb_tail_cut(&p, dfd, "log", kept, &err) == 6,
	    "cut returns the bytes cut: %s", err.msg);
	ok(size_of(dfd, "log") == 16, "the file ends at its last complete line");
	ok(strncmp(kept, ".qmb/corrupt/log.torn-", 22) == 0,
	    "the fragment is kept as .qmb/corrupt/NAME.torn-TIME (%s)", kept);
	cfd = qmb_proj_dir(&p, QMB_D_CORRUPT, 0, &err);
	qmb_buf_init(&b, 1 << 20);
	ok(cfd != -1 && qmb_io_read_file(cfd, kept + 13, b.max,
	    QMB_EXIT_CORRUPT, &b, &err) == 0 && b.len == 6 &&
	    memcmp(b.data, "{\"c\":", 6) == 0, "the kept copy holds the fragment");
	qmb_buf_free(&b);
	ok(qmb_tail_cut(&p, dfd, "log", kept, &err) == 0,
	    "a whole file has nothing to cut");
	put(dfd, "log", "x\ny", 3);
	ok(qmb_tail_cut(&p, dfd, "log", kept2, &err) == 1 &&
	    strcmp(kept, kept2) != 0 && size_of(dfd, "log") == 2,
	    "a second cut in the same second gets its own name (%s)", kept2);
	put(dfd, "all", "no newline", 10);
	ok(qmb_tail_cut(&p, dfd, "all", NULL, &err) == 10 &&
	    size_of(dfd, "all") == 0, "a file of one torn line is cut to empty");
	ok(qmb_tail_cut(&p, dfd, "missing", NULL, &err) == 0,
	    "a missing file has nothing to cut");
	qmb_proj_close(&p);
}

/* Append raw bytes to tmpdir/rel. */
static void
tear(const char *rel, const char *frag)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	if ((fd = open(path, O_WRONLY | O_APPEND)) == -1)
		return;
	if (write(fd, frag, strlen(frag)) != (ssize_t)strlen(frag))
		perror(path);
	close(fd);
}

/* Files of tmpdir/.qmb/corrupt whose name begins with prefix. */
static int
count_kept(const char *prefix)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int k = 0;

	snprintf(path, sizeof(path), "%s/.qmb/corrupt", tmpdir);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		k += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return k;
}

/* The audit trail and its mirror cut their torn tails the same way. */
static void
test_users(int dfd)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_audit_in in = { .session_id = "a1", .user_id = "u",
	    .type = "note", .details = "{\"a\":1}" };
	struct qmb_audit_head h;
	struct qmb_proj p;
	struct qmb_buf t, m;
	int i, ok_all = 1;

	setenv("QMB_AUDIT_MIRROR", "mirror", 1);
	ok(qmb_proj_open(&p, tmpdir, &err) == 0 &&
	    qmb_audit_append(&p, &in, &h, NULL, &err) == 0 &&
	    h.mirror_error[0] == '\0', "append with a mirror: %s %s", err.msg,
	    h.mirror_error);
	for (i = 0; i < 3; i++) {
		tear(".qmb/audit/a1.audit.json", "{\"seq\":9,\"ti");
		tear("mirror/a1.audit.json", "{\"seq\":9");
		if (qmb_audit_append(&p, &in, &h, NULL, &err) == -1 ||
		    h.seq != i + 2 || h.mirror_error[0] != '\0')
			ok_all = 0;
	}
	ok(ok_all, "three torn tails in a row are cut, each append goes on: %s",
	    err.msg);
	qmb_buf_init(&t, 1 << 20);
	qmb_buf_init(&m, 1 << 20);
	ok(qmb_audit_read(&p, "a1", &t, &err) == 0 &&
	    qmb_io_read_file(openat(dfd, "mirror", O_RDONLY | O_DIRECTORY),
	    "a1.audit.json", m.max, QMB_EXIT_CORRUPT, &m, &err) == 0 &&
	    t.len == m.len && memcmp(t.data, m.data, t.len) == 0 &&
	    strstr(t.data, "\"ti{") == NULL,
	    "trail and mirror hold the same whole lines");
	qmb_buf_free(&t);
	qmb_buf_free(&m);
	ok(count_kept("a1.audit.json.torn-") == 3,
	    "each fragment of the trail is kept under its own name");
	qmb_proj_close(&p);
	unsetenv("QMB_AUDIT_MIRROR");
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
	int dfd;

	if (mkdtemp(tmpdir) == NULL ||
	    (dfd = open(tmpdir, O_RDONLY | O_DIRECTORY)) == -1)
		return 2;
	test_torn(dfd);
	test_line_start(dfd);
	test_cut(dfd);
	test_users(dfd);
	close(dfd);
	if (getenv("QMB_KEEP") == NULL)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

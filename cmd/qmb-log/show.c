/* SPDX-License-Identifier: MIT */
/*
 * qmb-log show: select entries of a log, print them raw (JSON Lines, so
 * jq works) or pretty, optionally the last N only, optionally following
 * the file across rotations like tail -F.
 */
#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qmb_clock.h"
#include "qmb_json.h"
#include "qmb_log.h"
#include "qmb_session.h"
#include "log.h"

#define MAX_ROTATED	99
#define BAD_SHOWN	10

struct out {
	const struct opts	*o;
	int			 pretty;
	int			 color;
	unsigned long		 bad;
};

static void
pretty_details(const struct qmb_jv *d, struct qmb_buf *b)
{
	struct qmb_jw jw;
	size_t i;

	for (i = 0; d != NULL && d->type == QMB_JOBJ && i < d->len; i++) {
		qmb_buf_addf(b, " %s=", d->kids[i].key);
		if (d->kids[i].type == QMB_JSTR &&
		    strpbrk(d->kids[i].str, " \t\n\"") == NULL &&
		    d->kids[i].len > 0) {
			qmb_buf_adds(b, d->kids[i].str);
			continue;
		}
		qmb_jw_init(&jw, b, 0);
		qmb_jw_value(&jw, &d->kids[i]);
	}
}

static int
print_pretty(struct out *u, const struct qmb_jv *e)
{
	static const char *const col[] = { "\033[2m", "", "\033[33m", "\033[31m" };
	struct qmb_buf b;
	const char *ts = qmb_json_get_str(e, "timestamp");
	const char *lv = qmb_json_get_str(e, "level");
	const char *st = qmb_json_get_str(e, "stage");
	int l = lv ? qmb_level_parse(lv) : -1;

	qmb_buf_init(&b, 1 << 20);
	if (u->color && l >= 0 && *col[l])
		qmb_buf_adds(&b, col[l]);
	qmb_buf_addf(&b, "%-24s %-5s %-1s %-16s %-20s",
	    ts ? ts : "-", lv ? lv : "-", st ? st : "-",
	    qmb_json_get_str(e, "component") ? qmb_json_get_str(e, "component") : "-",
	    qmb_json_get_str(e, "action") ? qmb_json_get_str(e, "action") : "-");
	pretty_details(qmb_json_get(e, "details"), &b);
	if (qmb_json_get_str(e, "session_id") && u->o->global)
		qmb_buf_addf(&b, " [%s]", qmb_json_get_str(e, "session_id"));
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	if (u->color && l >= 0 && *col[l])
		qmb_buf_adds(&b, "\033[0m");
	qmb_buf_addc(&b, '\n');
	if (b.error == 0)
		fwrite(b.data, 1, b.len, stdout);
	qmb_buf_free(&b);
	return 0;
}

static int
on_line(void *arg, const char *line, size_t len, const struct qmb_jv *doc)
{
	struct out *u = arg;
	struct qmb_json_doc d = { 0 };
	int rc;

	if (!u->pretty) {
		fwrite(line, 1, len, stdout);
		putchar('\n');
		return ferror(stdout) ? -1 : 0;
	}
	if (doc != NULL)
		return print_pretty(u, doc);
	if (qmb_json_parse(line, len, QMB_LOGREAD_LINE_MAX, QMB_EXIT_CORRUPT,
	    &d, NULL) == -1 || d.root->type != QMB_JOBJ) {
		qmb_json_free(&d);
		return 0;
	}
	rc = print_pretty(u, d.root);
	qmb_json_free(&d);
	return rc;
}

static void
on_bad(void *arg, const char *file, unsigned long lineno, const char *why)
{
	struct out *u = arg;

	if (++u->bad > BAD_SHOWN || u->o->c.quiet)
		return;
	if (lineno > 0)
		qmb_warn("skipped invalid line %lu of '%s': %s", lineno, file, why);
	else
		qmb_warn("skipped an invalid line of '%s': %s", file, why);
}

static int
parse_when(const char *s, const char *opt, int64_t *ms, struct qmb_err *err)
{
	int64_t d;

	if (qmb_duration_parse(s, &d) == 0) {
		*ms = qmb_now() - d;
		return 0;
	}
	if (qmb_time_parse(s, ms) == 0)
		return 0;
	return qmb_errf(err, QMB_EXIT_USAGE,
	    "invalid %s '%.40s': give an ISO 8601 time or an age such as 10m, 2h, 7d",
	    opt, s);
}

static int
make_filter(const struct opts *o, struct qmb_logfilter *f, char *stage,
    struct qmb_err *err)
{
	qmb_logfilter_init(f);
	if (o->level != NULL && (f->min_level = qmb_level_parse(o->level)) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "invalid level '%.32s': use DEBUG, INFO, WARN or ERROR", o->level);
	if (o->stage != NULL) {
		if (qmb_stage_index(o->stage) == -1)
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "invalid stage '%.16s': use A, B, C, D, E or F", o->stage);
		stage[0] = (char)('A' + qmb_stage_index(o->stage));
		f->stage = stage;
	}
	f->component = o->component;
	f->action = o->action;
	if (o->since && parse_when(o->since, "--since", &f->since, err) == -1)
		return -1;
	if (o->until && parse_when(o->until, "--until", &f->until, err) == -1)
		return -1;
	return 0;
}

static int
open_log(int dfd, const char *name, struct qmb_err *err)
{
	struct stat st;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return qmb_errsys(err, errno == ENOENT ? QMB_EXIT_NOTFOUND :
		    QMB_EXIT_IO, "open '.qmb/logs/%s'", name);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return qmb_errf(err, QMB_EXIT_IO,
		    "'.qmb/logs/%s' is not a regular file", name);
	}
	return fd;
}

/* The files to read, oldest first: NAME.k ... NAME.1, NAME. */
static int
file_list(const struct opts *o, int dfd, const char *name,
    char (*files)[NAME_MAX + 1])
{
	int k, n = 0;

	for (k = o->rotated ? MAX_ROTATED : 0; k >= 1; k--) {
		snprintf(files[n], NAME_MAX + 1, "%.200s.%d", name, k);
		if (faccessat(dfd, files[n], F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			n++;
	}
	snprintf(files[n++], NAME_MAX + 1, "%.200s", name);
	return n;
}

static int
scan_all(struct qmb_logscan *s, int dfd, char (*files)[NAME_MAX + 1], int n,
    struct qmb_err *err)
{
	uint64_t used;
	int i, fd, seen = 0;

	for (i = 0; i < n && !s->stopped; i++) {
		if ((fd = open_log(dfd, files[i], err)) == -1) {
			if (err->code == QMB_EXIT_NOTFOUND)
				continue;
			return -1;
		}
		seen++;
		if (qmb_logscan_fd(s, fd, files[i], 1, &used, err) == -1) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return seen;
}

static int
tail_all(struct qmb_logscan *s, int dfd, char (*files)[NAME_MAX + 1], int n,
    size_t want, struct qmb_err *err)
{
	struct qmb_lines lines = { 0 };
	size_t i;
	int k, fd, seen = 0;

	for (k = n - 1; k >= 0 && (seen == 0 || lines.n < want); k--) {
		if ((fd = open_log(dfd, files[k], err)) == -1) {
			if (err->code == QMB_EXIT_NOTFOUND)
				continue;
			qmb_lines_free(&lines);
			return -1;
		}
		seen++;
		if (lines.n < want && qmb_logscan_tail(s, fd, files[k], want,
		    &lines, err) == -1) {
			close(fd);
			qmb_lines_free(&lines);
			return -1;
		}
		close(fd);
	}
	for (i = lines.n; i > 0; i--)
		if (s->line(s->arg, lines.v[i - 1], lines.len[i - 1], NULL) == -1)
			break;
	qmb_lines_free(&lines);
	return seen;
}

static void
nap(void)
{
	struct timespec ts = { 0, 200 * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * After a rotation: the file followed is now NAME.k; NAME.k-1 ... NAME.1
 * were written and rotated in between polls.  Read them whole, oldest
 * first, so no line is missed (tail -F would miss them).
 */
static void
catch_up(struct qmb_logscan *s, int dfd, const char *name,
    const struct stat *old)
{
	struct qmb_err e = QMB_ERR_INIT;
	char f[NAME_MAX + 1];
	struct stat st;
	uint64_t used;
	int k, fd, found = 0;

	for (k = 1; k <= MAX_ROTATED && !found; k++) {
		snprintf(f, sizeof(f), "%.200s.%d", name, k);
		if (fstatat(dfd, f, &st, AT_SYMLINK_NOFOLLOW) == -1)
			return;
		if (st.st_ino == old->st_ino && st.st_dev == old->st_dev)
			found = k;
	}
	for (k = found - 1; k >= 1 && !s->stopped; k--) {
		snprintf(f, sizeof(f), "%.200s.%d", name, k);
		if ((fd = open_log(dfd, f, &e)) == -1)
			continue;
		qmb_logscan_fd(s, fd, f, 1, &used, &e);
		close(fd);
	}
}

/*
 * Follow name like tail -F: from its start (or its end with at_end),
 * then new lines as they come, and the new file after a rotation.
 */
static int
follow(struct qmb_logscan *s, int dfd, const char *name, int at_end,
    struct qmb_err *err)
{
	struct stat fst, pst;
	uint64_t used;
	off_t off = 0;
	int fd;

	while ((fd = open_log(dfd, name, err)) == -1 &&
	    err->code == QMB_EXIT_NOTFOUND)
		nap();
	if (fd == -1)
		return -1;
	if (at_end)
		off = lseek(fd, 0, SEEK_END);
	for (;;) {
		if (qmb_logscan_fd(s, fd, name, 0, &used, err) == -1)
			break;
		off += (off_t)used;
		lseek(fd, off, SEEK_SET);
		if (fflush(stdout) != 0 || s->stopped)
			break;
		if (fstat(fd, &fst) == 0 && fstatat(dfd, name, &pst,
		    AT_SYMLINK_NOFOLLOW) == 0 && (fst.st_ino != pst.st_ino ||
		    fst.st_dev != pst.st_dev)) {
			/* rotated: finish the old file, then start the new */
			qmb_logscan_fd(s, fd, name, 1, &used, err);
			close(fd);
			catch_up(s, dfd, name, &fst);
			if ((fd = open_log(dfd, name, err)) == -1)
				return -1;
			off = 0;
			continue;
		}
		nap();
	}
	close(fd);
	return ferror(stdout) ? qmb_errsys(err, QMB_EXIT_IO, "write") : 0;
}

int
cmd_show(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	static char files[MAX_ROTATED + 1][NAME_MAX + 1];
	struct qmb_logfilter f;
	struct qmb_logscan s = { 0 };
	struct out u = { 0 };
	char name[NAME_MAX + 1], stage[2] = { 0, 0 };
	const char *id = argc > 0 ? argv[0] : o->session;
	int dfd, n, seen;

	if (id != NULL && qmb_id_check(id, err) == -1)
		return -1;
	if (make_filter(o, &f, stage, err) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.log", id ? id : "qmb");
	if ((dfd = qmb_proj_dir(p, QMB_D_LOGS, o->follow, err)) == -1) {
		if (err->code == QMB_EXIT_NOTFOUND)
			qmb_errf(err, QMB_EXIT_NOTFOUND, "no logs in '%s'", p->root);
		return -1;
	}
	u.o = o;
	u.pretty = o->pretty || (o->c.tty && !o->c.json);
	u.color = u.pretty && o->c.color;
	s.f = &f;
	s.line = on_line;
	s.bad = on_bad;
	s.arg = &u;
	s.validate = 1;
	if (!u.pretty)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	n = file_list(o, dfd, name, files);
	if (o->last >= 0)
		seen = tail_all(&s, dfd, files, n, (size_t)o->last, err);
	else	/* a follower reads the live file itself */
		seen = scan_all(&s, dfd, files, o->follow ? n - 1 : n, err);
	if (seen == -1)
		return -1;
	if (seen == 0 && !o->follow)
		return qmb_errf(err, QMB_EXIT_NOTFOUND, "no log '.qmb/logs/%s'%s",
		    name, id ? " (has the session written anything?)" : "");
	if (o->follow && !s.stopped &&
	    follow(&s, dfd, name, o->last >= 0, err) == -1)
		return -1;
	if (u.bad > 0 && !o->c.quiet)
		qmb_warn("skipped %lu invalid line%s", u.bad, u.bad == 1 ? "" : "s");
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Subcommands that change a session: approve, revert, set-model,
 * tables, import, complete, archive.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_atomic.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_session.h"
#include "qmb_sha256.h"
#include "qmb_txn.h"
#include "qmb_view.h"
#include "session.h"

static int
finish(const struct opts *o, struct qmb_txn *t, const char *msg,
    struct qmb_err *err)
{
	struct doc d;
	int rc = 0;

	warn_txn(o, t);
	if (o->c.json) {
		doc_begin(&d, qmb_io_max_file() + 65536);
		qmb_view_summary(&t->s, &d.jw);
		qmb_jw_kstr(&d.jw, "message", msg);
		if ((rc = doc_end(&d, err)) == 0)
			printf("%s\n", d.b.data);
		qmb_buf_free(&d.b);
	} else if (!o->c.quiet) {
		printf("%s\n", msg);
	}
	qmb_txn_end(t);
	return rc;
}

static int
begin_active(const struct opts *o, struct qmb_proj *p, const char *id,
    struct qmb_txn *t, struct qmb_err *err)
{
	if (qmb_txn_begin(t, p, id, o->c.user, err) == -1)
		return -1;
	if (t->s.complete) {
		qmb_txn_end(t);
		return qmb_errf(err, QMB_EXIT_BUSY,
		    "session '%s' is complete and can no longer change; start a new one",
		    id);
	}
	return 0;
}

static int
stage_arg(const char *s, struct qmb_err *err)
{
	int idx = qmb_stage_index(s);

	if (idx == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "invalid stage '%.16s': use A, B, C, D, E or F", s);
	return idx;
}

/* ---- approve ------------------------------------------------------ */

static int
read_part(const char *file, struct qmb_buf *b, struct qmb_err *err)
{
	int fd, rc;

	qmb_buf_init(b, qmb_io_max_file());
	if (file == NULL || strcmp(file, "-") == 0) {
		if (isatty(STDIN_FILENO))
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "give the script part as FILE or on standard input, not a terminal");
		rc = qmb_io_read_fd(STDIN_FILENO, "standard input", b->max,
		    QMB_EXIT_USAGE, b, err);
	} else {
		if ((fd = open_input(file, err)) == -1)
			return -1;
		rc = qmb_io_read_fd(fd, file, b->max, QMB_EXIT_USAGE, b, err);
		close(fd);
	}
	if (rc == -1)
		return -1;
	if (memchr(b->data, '\0', b->len) != NULL)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "the script part contains a NUL byte");
	if (qmb_utf8_valid(b->data, b->len) == -1)
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "the script part is not valid UTF-8");
	if (b->data[strspn(b->data, " \t\r\n")] == '\0')
		return qmb_errf(err, QMB_EXIT_USAGE, "the script part is empty");
	return 0;
}

static int
check_order(const struct qmb_session *s, int idx, struct qmb_err *err)
{
	if (idx == s->ncompleted && idx < QMB_NSTAGES)
		return 0;
	if (idx == s->ncompleted - 1)
		return 0;	/* re-approve the latest stage */
	if (idx < s->ncompleted)
		return qmb_errf(err, QMB_EXIT_BUSY,
		    "stage order violated: stage %c is already approved and %c came after it (revert to %c first)",
		    'A' + idx, 'A' + s->ncompleted - 1, 'A' + idx);
	return qmb_errf(err, QMB_EXIT_BUSY,
	    "stage order violated: stage %c is not current; approve stage %c (%s) first",
	    'A' + idx, qmb_session_current(s), qmb_stage_name(s->ncompleted));
}

int
cmd_approve(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_txn t;
	struct qmb_buf part;
	struct doc d, l;
	char sha[QMB_SHA256_HEX + 1], st[2] = { 0, 0 }, msg[256];
	int idx, rc = -1, re;

	if ((idx = stage_arg(argv[1], err)) == -1 ||
	    qmb_id_check(argv[0], err) == -1)
		return -1;
	if (read_part(argc > 2 ? argv[2] : NULL, &part, err) == -1) {
		qmb_buf_free(&part);
		return -1;
	}
	if (begin_active(o, p, argv[0], &t, err) == -1) {
		qmb_buf_free(&part);
		return -1;
	}
	st[0] = (char)('A' + idx);
	re = idx < t.s.ncompleted;
	qmb_sha256(part.data, part.len, sha);
	doc_begin(&d, qmb_io_max_file() + 4096);
	qmb_jw_kstr(&d.jw, "stage", st);
	qmb_jw_kstr(&d.jw, "script_sha256", sha);
	qmb_jw_kstr(&d.jw, "content", part.data);
	doc_begin(&l, 4096);
	qmb_jw_kstr(&l.jw, "stage", st);
	qmb_jw_kstr(&l.jw, "script_sha256", sha);
	qmb_jw_kint(&l.jw, "bytes", (int64_t)part.len);
	qmb_jw_kint(&l.jw, "tables", qmb_script_tables(part.data));
	if (re)
		qmb_jw_key(&l.jw, "reapproved"), qmb_jw_bool(&l.jw, 1);
	if (check_order(&t.s, idx, err) == 0 && doc_end(&d, err) == 0 &&
	    doc_end(&l, err) == 0 && qmb_txn_commit(&t, "stage_approved",
	    d.b.data, l.b.data, st, err) == 0)
		rc = 0;
	qmb_buf_free(&d.b);
	qmb_buf_free(&l.b);
	qmb_buf_free(&part);
	if (rc == -1) {
		qmb_txn_end(&t);
		return -1;
	}
	if (t.s.ncompleted < QMB_NSTAGES)
		snprintf(msg, sizeof(msg), "Stage %c: %s %sapproved. Next: Stage %c: %s.",
		    st[0], qmb_stage_name(idx), re ? "re-" : "",
		    qmb_session_current(&t.s), qmb_stage_name(t.s.ncompleted));
	else
		snprintf(msg, sizeof(msg), "Stage %c: %s %sapproved. All six stages done: review the script, then complete.",
		    st[0], qmb_stage_name(idx), re ? "re-" : "");
	return finish(o, &t, msg, err);
}

/* ---- revert, set-model -------------------------------------------- */

int
cmd_revert(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_txn t;
	struct doc d;
	char st[2] = { 0, 0 }, msg[256];
	int idx, n, rc;

	(void)argc;
	if ((idx = stage_arg(argv[1], err)) == -1 ||
	    begin_active(o, p, argv[0], &t, err) == -1)
		return -1;
	if (idx >= t.s.ncompleted) {
		qmb_txn_end(&t);
		return qmb_errf(err, QMB_EXIT_BUSY,
		    "stage %c of session '%s' is not approved; nothing to revert",
		    'A' + idx, argv[0]);
	}
	st[0] = (char)('A' + idx);
	n = t.s.ncompleted - idx;
	doc_begin(&d, 4096);
	qmb_jw_kstr(&d.jw, "stage", st);
	qmb_jw_kint(&d.jw, "stages_withdrawn", n);
	rc = doc_end(&d, err) == 0 ? qmb_txn_commit(&t, "stage_reverted",
	    d.b.data, NULL, st, err) : -1;
	qmb_buf_free(&d.b);
	if (rc == -1) {
		qmb_txn_end(&t);
		return -1;
	}
	snprintf(msg, sizeof(msg), "Reverted to Stage %c: %s (%d stage%s withdrawn; their parts stay in the audit trail).",
	    st[0], qmb_stage_name(idx), n, n == 1 ? "" : "s");
	return finish(o, &t, msg, err);
}

int
cmd_set_model(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_txn t;
	struct doc d;
	char msg[256];
	int rc;

	(void)argc;
	if (qmb_model_type_check(argv[1], err) == -1 ||
	    begin_active(o, p, argv[0], &t, err) == -1)
		return -1;
	if (t.s.model_type != NULL && strcmp(t.s.model_type, argv[1]) == 0) {
		snprintf(msg, sizeof(msg), "Model type is already %s.", argv[1]);
		return finish(o, &t, msg, err);
	}
	doc_begin(&d, 4096);
	qmb_jw_kstr(&d.jw, "model_type", argv[1]);
	qmb_jw_key(&d.jw, "previous");
	qmb_jw_str(&d.jw, t.s.model_type);
	rc = doc_end(&d, err) == 0 ? qmb_txn_commit(&t, "model_type_selected",
	    d.b.data, NULL, NULL, err) : -1;
	qmb_buf_free(&d.b);
	if (rc == -1) {
		qmb_txn_end(&t);
		return -1;
	}
	snprintf(msg, sizeof(msg), "Model type set to %s.", argv[1]);
	return finish(o, &t, msg, err);
}

/* ---- tables ------------------------------------------------------- */

static int
has(char **v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

/* The list after op, into a new array of borrowed pointers. */
static int
tables_after(const struct qmb_session *s, const char *op, int argc,
    char **argv, char ***out, size_t *nout, struct qmb_err *err)
{
	char **v;
	size_t n = 0, i;
	int k;

	if ((v = calloc(s->ntables + (size_t)argc + 1, sizeof(char *))) == NULL)
		return qmb_errf(err, QMB_EXIT_IO, "out of memory");
	if (strcmp(op, "set") != 0)
		for (i = 0; i < s->ntables; i++)
			if (strcmp(op, "remove") != 0 || !has(argv, (size_t)argc,
			    s->tables[i]))
				v[n++] = s->tables[i];
	for (k = 0; k < argc && strcmp(op, "remove") != 0; k++)
		if (!has(v, n, argv[k]))
			v[n++] = argv[k];
	for (k = 0; k < argc && strcmp(op, "remove") == 0; k++)
		if (!has(s->tables, s->ntables, argv[k])) {
			free(v);
			return qmb_errf(err, QMB_EXIT_NOTFOUND,
			    "table '%.100s' is not pending in session '%s'",
			    argv[k], s->id);
		}
	*out = v;
	*nout = n;
	return 0;
}

static int
print_tables(const struct opts *o, struct qmb_txn *t, struct qmb_err *err)
{
	size_t i;

	if (o->c.json)
		return finish(o, t, "pending tables", err);
	warn_txn(o, t);
	if (t->s.ntables == 0 && !o->c.quiet)
		fprintf(stderr, "No pending tables.\n");
	for (i = 0; i < t->s.ntables; i++)
		printf("%s\n", t->s.tables[i]);
	qmb_txn_end(t);
	return 0;
}

int
cmd_tables(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_txn t;
	struct doc d;
	char **after = NULL;
	size_t n = 0, i;
	int k, rc;
	const char *op = argc > 1 ? argv[1] : NULL;

	if (op != NULL && strcmp(op, "add") && strcmp(op, "remove") &&
	    strcmp(op, "set"))
		return qmb_errf(err, QMB_EXIT_USAGE,
		    "unknown tables operation '%.32s': use add, remove or set", op);
	if (op != NULL && strcmp(op, "set") != 0 && argc < 3)
		return qmb_errf(err, QMB_EXIT_USAGE, "tables %s needs table names",
		    op);
	for (k = 2; k < argc; k++)
		if (qmb_name_check("table name", argv[k], err) == -1)
			return -1;
	if (op == NULL) {
		if (qmb_txn_begin(&t, p, argv[0], o->c.user, err) == -1)
			return -1;
		return print_tables(o, &t, err);
	}
	if (begin_active(o, p, argv[0], &t, err) == -1)
		return -1;
	if (tables_after(&t.s, op, argc - 2, argv + 2, &after, &n, err) == -1) {
		qmb_txn_end(&t);
		return -1;
	}
	doc_begin(&d, qmb_io_max_file());
	qmb_jw_kstr(&d.jw, "op", op);
	qmb_jw_key(&d.jw, "tables");
	qmb_jw_arr_begin(&d.jw);
	for (k = 2; k < argc; k++)
		qmb_jw_str(&d.jw, argv[k]);
	qmb_jw_arr_end(&d.jw);
	qmb_jw_key(&d.jw, "pending_tables");
	qmb_jw_arr_begin(&d.jw);
	for (i = 0; i < n; i++)
		qmb_jw_str(&d.jw, after[i]);
	qmb_jw_arr_end(&d.jw);
	free(after);
	rc = doc_end(&d, err) == 0 ? qmb_txn_commit(&t, "tables_changed",
	    d.b.data, NULL, NULL, err) : -1;
	qmb_buf_free(&d.b);
	if (rc == -1) {
		qmb_txn_end(&t);
		return -1;
	}
	return print_tables(o, &t, err);
}

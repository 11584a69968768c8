/* SPDX-License-Identifier: MIT */
/*
 * qmb-audit verify and export.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmb_audit.h"
#include "qmb_clock.h"
#include "qmb_io.h"
#include "qmb_json.h"
#include "qmb_mirror.h"
#include "qmb_session.h"
#include "qmb_sha256.h"
#include "qmb_verify.h"
#include "audit.h"

struct result {
	struct qmb_verify	v;
	char			trouble[QMB_ERR_MSG];	/* missing, unreadable */
	char			state[256];	/* the session file's view */
	int			state_bad;
	enum qmb_mirror_cmp	mirror;
	char			mirror_what[256];
};

/* The session state, or its backup: 1 when there is one. */
static int
load_state(struct qmb_proj *p, const char *id, struct qmb_session *s)
{
	struct qmb_err e = QMB_ERR_INIT;
	enum qmb_cur cur;

	return qmb_session_load(p, id, s, &cur, &e) == 0 ||
	    qmb_session_load_bak(p, id, s, &e) == 0;
}

/* The session state must agree with the verified trail. */
static void
check_state(const struct qmb_session *s, struct result *r)
{
	if (s->audit_seq > r->v.entries && !r->v.bad_seq) {
		snprintf(r->state, sizeof(r->state),
		    "trail cut short: the session includes %lld entries, the trail has %lld",
		    (long long)s->audit_seq, (long long)r->v.entries);
		r->state_bad = 1;
	} else if (s->audit_seq > 0 && r->v.want_hash[0] &&
	    strcmp(r->v.want_hash, s->audit_hash) != 0) {
		snprintf(r->state, sizeof(r->state),
		    "entry %lld differs from the one the session includes",
		    (long long)s->audit_seq);
		r->state_bad = 1;
	} else if (s->audit_seq < r->v.entries) {
		snprintf(r->state, sizeof(r->state),
		    "the session is %lld entr%s behind its trail (rolled forward on next use)",
		    (long long)(r->v.entries - s->audit_seq),
		    r->v.entries - s->audit_seq == 1 ? "y" : "ies");
	}
}

/*
 * No trail: a session that has entries, or a mirror that holds some, says
 * it was lost (broken); else there is nothing to verify (not found).
 */
static int
missing(struct qmb_proj *p, const char *id, struct result *r)
{
	struct qmb_err e = QMB_ERR_INIT;
	struct qmb_session s;
	int64_t want = 0;
	int mirrored;

	if (load_state(p, id, &s)) {
		want = s.audit_seq;
		qmb_session_free(&s);
	}
	if (qmb_mirror_compare(p, id, "", 0, &r->mirror, r->mirror_what,
	    sizeof(r->mirror_what), &e) == -1)
		r->mirror = QMB_MIRROR_NONE;
	mirrored = r->mirror == QMB_MIRROR_DIFFERS &&
	    strncmp(r->mirror_what, "the trail is missing", 20) == 0;
	if (want == 0 && !mirrored)
		return -1;		/* err says: not found */
	snprintf(r->trouble, sizeof(r->trouble), "the audit trail is missing%s",
	    mirrored ? " (the audit mirror still holds a copy)" : "");
	if (want > 0)
		snprintf(r->state, sizeof(r->state),
		    "the session includes %lld entries", (long long)want);
	r->state_bad = want > 0;
	snprintf(r->v.path, sizeof(r->v.path), ".qmb/audit/%s.audit.json", id);
	return 0;
}

static int
verify_one(struct qmb_proj *p, const char *id, struct result *r,
    struct qmb_err *err)
{
	struct qmb_session s;
	struct qmb_buf b;
	int rc, have;

	memset(r, 0, sizeof(*r));
	qmb_buf_init(&b, qmb_io_max_file());
	if (qmb_verify_read(p, id, &b, &r->v, err) == -1) {
		qmb_buf_free(&b);
		if (err->code == QMB_EXIT_NOTFOUND)
			return missing(p, id, r);
		if (err->code != QMB_EXIT_CORRUPT)
			return -1;
		/* a bad archive, a trail too large: broken, not fatal */
		snprintf(r->trouble, sizeof(r->trouble), "%s", err->msg);
		return 0;
	}
	/* no state (archived or lost): the trail alone */
	if ((have = load_state(p, id, &s)))
		r->v.want_seq = s.audit_seq;
	qmb_verify_text(b.data, b.len, id, &r->v);
	if (have) {
		check_state(&s, r);
		qmb_session_free(&s);
	}
	rc = qmb_mirror_compare(p, id, b.data, b.len, &r->mirror, r->mirror_what,
	    sizeof(r->mirror_what), err);
	qmb_buf_free(&b);
	return rc;
}

static int
broken(const struct result *r)
{
	return r->v.bad_seq != 0 || r->trouble[0] || r->state_bad ||
	    r->mirror == QMB_MIRROR_DIFFERS;
}

static void
report(const struct opts *o, const char *id, const struct result *r)
{
	struct qmb_buf b;
	struct qmb_jw jw;

	if (o->c.json) {
		qmb_buf_init(&b, 8192);
		qmb_jw_init(&jw, &b, 0);
		qmb_jw_obj_begin(&jw);
		qmb_jw_kstr(&jw, "session_id", id);
		qmb_jw_kstr(&jw, "status", r->v.torn ? "torn" : broken(r) ?
		    "broken" : "ok");
		qmb_jw_kint(&jw, "entries", r->v.entries);
		qmb_jw_kstr(&jw, "head", r->v.head);
		qmb_jw_kint(&jw, "bad_seq", r->v.bad_seq);
		qmb_jw_kstr(&jw, "problem", r->trouble[0] ? r->trouble : r->v.what);
		qmb_jw_kstr(&jw, "session", r->state);
		qmb_jw_kstr(&jw, "mirror", r->mirror == QMB_MIRROR_NONE ? "none" :
		    r->mirror == QMB_MIRROR_SAME ? "same" : "differs");
		qmb_jw_kstr(&jw, "mirror_problem", r->mirror_what);
		qmb_jw_kstr(&jw, "path", r->v.path);
		qmb_jw_kint(&jw, "time_out_of_order", r->v.time_back);
		qmb_jw_obj_end(&jw);
		if (qmb_jw_finish(&jw) == 0)
			printf("%s\n", b.data);
		qmb_buf_free(&b);
		return;
	}
	if (r->trouble[0])
		printf("%s: BROKEN: %s\n", id, r->trouble);
	else if (r->v.bad_seq)
		printf("%s: BROKEN at entry %lld: %s\n", id, (long long)r->v.bad_seq,
		    r->v.what);
	else if (!o->c.quiet || broken(r))
		printf("%s: %s (%lld entries, head %.12s, %s)\n", id,
		    broken(r) ? "BROKEN" : "ok", (long long)r->v.entries, r->v.head,
		    r->v.path);
	if (r->state[0] && (!o->c.quiet || r->state_bad))
		printf("  session: %s\n", r->state);
	if (r->v.time_back > 0)
		printf("  warning: %lld entr%s stamped earlier than an entry before (first: entry %lld); the clock went back when they were written\n",
		    (long long)r->v.time_back, r->v.time_back == 1 ? "y" : "ies",
		    (long long)r->v.time_back_seq);
	if (r->mirror == QMB_MIRROR_DIFFERS)
		printf("  mirror: %s\n", r->mirror_what);
	else if (r->mirror == QMB_MIRROR_SAME && o->c.verbose)
		printf("  mirror: identical\n");
}

/* Every trail id in a folder: NAME.audit.json or NAME.audit.json.gz. */
static int
ids_in(int dfd, const char *suffix, char ***ids, size_t *n)
{
	struct dirent *de;
	size_t sl = strlen(suffix), l;
	DIR *d;
	int fd;
	char **v;

	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l <= sl || strcmp(de->d_name + l - sl, suffix) != 0 ||
		    l - sl > QMB_ID_MAX)
			continue;
		if ((v = realloc(*ids, (*n + 1) * sizeof(*v))) == NULL)
			break;
		*ids = v;
		if ((v[*n] = strndup(de->d_name, l - sl)) == NULL)
			break;
		if (qmb_id_check(v[*n], NULL) == 0)
			(*n)++;
		else
			free(v[*n]);
	}
	closedir(d);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
all_ids(struct qmb_proj *p, char ***ids, size_t *n, struct qmb_err *err)
{
	int dfd;
	size_t i, j;

	*ids = NULL;
	*n = 0;
	if ((dfd = qmb_proj_dir(p, QMB_D_AUDIT, 0, err)) != -1)
		ids_in(dfd, ".audit.json", ids, n);
	else if (err->code != QMB_EXIT_NOTFOUND)
		return -1;
	if ((dfd = qmb_proj_dir(p, QMB_D_ARCHIVE_AUDIT, 0, err)) != -1)
		ids_in(dfd, ".audit.json.gz", ids, n);
	else if (err->code != QMB_EXIT_NOTFOUND)
		return -1;
	/* a session whose trail is gone is a broken trail */
	if ((dfd = qmb_proj_dir(p, QMB_D_SESSIONS, 0, err)) != -1)
		ids_in(dfd, ".json", ids, n);
	else if (err->code != QMB_EXIT_NOTFOUND)
		return -1;
	qsort(*ids, *n, sizeof(**ids), cmp_str);
	for (i = j = 0; i < *n; i++) {	/* an id both live and archived once */
		if (j > 0 && strcmp((*ids)[j - 1], (*ids)[i]) == 0) {
			free((*ids)[i]);
			continue;
		}
		(*ids)[j++] = (*ids)[i];
	}
	*n = j;
	return 0;
}

int
cmd_verify(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct result r;
	char **ids;
	size_t n, i, bad = 0, checked = 0;
	int rc = 0;

	if (argc == 1) {
		if (qmb_id_check(argv[0], err) == -1 || verify_one(p, argv[0], &r,
		    err) == -1)
			return -1;
		report(o, argv[0], &r);
		return broken(&r) ? QMB_EXIT_FAIL : 0;
	}
	if (all_ids(p, &ids, &n, err) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		if (verify_one(p, ids[i], &r, err) == -1) {
			if (err->code != QMB_EXIT_NOTFOUND) {
				rc = -1;
				break;
			}
			continue;	/* a session without entries */
		}
		report(o, ids[i], &r);
		bad += broken(&r);
		checked++;
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	if (rc == -1)
		return -1;
	if (!o->c.json && !o->c.quiet)
		printf("%zu trail%s checked, %zu broken\n", checked,
		    checked == 1 ? "" : "s", bad);
	return bad > 0 ? QMB_EXIT_FAIL : 0;
}

/* ---- export ------------------------------------------------------- */

int
cmd_export(const struct opts *o, struct qmb_proj *p, int argc, char **argv,
    struct qmb_err *err)
{
	struct qmb_verify r = { 0 };
	struct qmb_json_doc doc = { 0 };
	struct qmb_buf b, out;
	struct qmb_jw jw;
	char sha[QMB_SHA256_HEX + 1], ts[QMB_TIME_LEN + 1];
	int rc = -1;

	(void)argc, (void)o;
	qmb_buf_init(&b, qmb_io_max_file());
	qmb_buf_init(&out, qmb_io_max_file() * 2 + 65536);
	if (qmb_id_check(argv[0], err) == -1 ||
	    qmb_verify_read(p, argv[0], &b, &r, err) == -1)
		goto out;
	if (qmb_verify_text(b.data, b.len, argv[0], &r) != 0) {
		qmb_errf(err, QMB_EXIT_CORRUPT,
		    "the audit trail of '%s' is broken at entry %lld: %s (run 'qmb-audit verify %s')",
		    argv[0], (long long)r.bad_seq, r.what, argv[0]);
		goto out;
	}
	qmb_sha256(b.data, b.len, sha);
	qmb_time_fmt(qmb_now(), ts);
	qmb_jw_init(&jw, &out, 0);
	qmb_jw_obj_begin(&jw);
	qmb_jw_kstr(&jw, "session_id", argv[0]);
	qmb_jw_kstr(&jw, "exported_at", ts);
	qmb_jw_kint(&jw, "entries", r.entries);
	qmb_jw_kstr(&jw, "head", r.head);
	qmb_jw_kstr(&jw, "first_timestamp", r.first_time);
	qmb_jw_kstr(&jw, "last_timestamp", r.last_time);
	qmb_jw_kstr(&jw, "trail_sha256", sha);
	qmb_jw_key(&jw, "trail");
	qmb_jw_arr_begin(&jw);
	{
		const char *s, *nl;

		for (s = b.data; s < b.data + b.len; s = nl + 1) {
			nl = memchr(s, '\n', (size_t)(b.data + b.len - s));
			if (qmb_json_parse(s, (size_t)(nl - s), b.max,
			    QMB_EXIT_CORRUPT, &doc, err) == -1)
				goto out;
			qmb_jw_value(&jw, doc.root);
			qmb_json_free(&doc);
		}
	}
	qmb_jw_arr_end(&jw);
	qmb_jw_obj_end(&jw);
	if (qmb_jw_finish(&jw) == -1) {
		qmb_errf(err, QMB_EXIT_IO, "export too large");
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	putchar('\n');
	rc = 0;
out:
	qmb_json_free(&doc);
	qmb_buf_free(&b);
	qmb_buf_free(&out);
	return rc;
}

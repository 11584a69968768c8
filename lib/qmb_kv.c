/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmb_json.h"
#include "qmb_kv.h"

#define KEY_MAX 256

/*
 * A number as jq prints it (1e3 as 1000, 1.50 as 1.5), so that lines
 * stay byte-identical under `jq -c`: integral values as integers, others
 * in the shortest form that reads back as the same double.
 */
static void
canonical_number(struct qmb_jw *jw, double d)
{
	char buf[40];
	int prec;

	if (d == (double)(long long)d && d > -1e17 && d < 1e17) {
		snprintf(buf, sizeof(buf), "%lld", (long long)d);
	} else {
		for (prec = 1; prec <= 17; prec++) {
			snprintf(buf, sizeof(buf), "%.*g", prec, d);
			if (strtod(buf, NULL) == d)
				break;
		}
	}
	qmb_jw_numtext(jw, buf);
}

static int
typed_value(struct qmb_jw *jw, const char *key, const char *v, int ints_only,
    struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	size_t n = strlen(v);
	int rc = 0;

	if (n > 0 && n < 64 && v[0] > ' ' && v[n - 1] > ' ' &&
	    qmb_json_parse(v, n, 64, QMB_EXIT_USAGE, &doc, NULL) == 0 &&
	    doc.root->type != QMB_JSTR && doc.root->type != QMB_JARR &&
	    doc.root->type != QMB_JOBJ) {
		if (ints_only && doc.root->type == QMB_JNUM && !doc.root->isint)
			rc = qmb_errf(err, QMB_EXIT_USAGE,
			    "-d %.64s=%.64s: only integers are allowed here", key, v);
		else if (doc.root->type == QMB_JNUM && !doc.root->isint)
			canonical_number(jw, doc.root->dbl);
		else
			qmb_jw_value(jw, doc.root);
	} else {
		qmb_jw_str(jw, v);
	}
	qmb_json_free(&doc);
	return rc;
}

/* Is key set by a pair at index from or later? */
static int
pair_sets(const char *const *pairs, int n, int from, const char *key)
{
	size_t len = strlen(key);
	int k;

	for (k = from; k < n; k++)
		if (strncmp(pairs[k], key, len) == 0 && pairs[k][len] == '=')
			return 1;
	return 0;
}

static int
check_pairs(const char *const *pairs, int n, struct qmb_err *err)
{
	const char *eq;
	int k;

	for (k = 0; k < n; k++) {
		eq = strchr(pairs[k], '=');
		if (eq == NULL || eq == pairs[k] || eq - pairs[k] >= KEY_MAX)
			return qmb_errf(err, QMB_EXIT_USAGE,
			    "invalid -d '%.80s': use KEY=VALUE", pairs[k]);
	}
	return 0;
}

static int
parse_json(const char *json, struct qmb_json_doc *doc, struct qmb_err *err)
{
	if (json == NULL)
		return 0;
	if (qmb_json_parse(json, strlen(json), QMB_JSON_MAX, QMB_EXIT_USAGE, doc,
	    err) == -1 || doc->root->type != QMB_JOBJ) {
		if (doc->root != NULL)
			qmb_errf(err, QMB_EXIT_USAGE, "not a JSON object");
		qmb_json_free(doc);
		qmb_err_prefix(err, "--details");
		return -1;
	}
	return 0;
}

int
qmb_kv_details(const char *const *pairs, int npairs, const char *json,
    int ints_only, struct qmb_buf *out, struct qmb_err *err)
{
	struct qmb_json_doc doc = { 0 };
	struct qmb_jw jw;
	char key[KEY_MAX];
	size_t i, n;
	int k, rc = 0;

	if (check_pairs(pairs, npairs, err) == -1 || parse_json(json, &doc,
	    err) == -1)
		return -1;
	qmb_jw_init(&jw, out, 0);
	qmb_jw_obj_begin(&jw);
	for (i = 0; doc.root != NULL && i < doc.root->len; i++) {
		if (pair_sets(pairs, npairs, 0, doc.root->kids[i].key))
			continue;
		qmb_jw_key(&jw, doc.root->kids[i].key);
		qmb_jw_value(&jw, &doc.root->kids[i]);
	}
	for (k = 0; k < npairs && rc == 0; k++) {
		n = (size_t)(strchr(pairs[k], '=') - pairs[k]);
		memcpy(key, pairs[k], n);
		key[n] = '\0';
		if (pair_sets(pairs, npairs, k + 1, key))
			continue;
		qmb_jw_key(&jw, key);
		rc = typed_value(&jw, key, pairs[k] + n + 1, ints_only, err);
	}
	qmb_jw_obj_end(&jw);
	qmb_json_free(&doc);
	if (rc == 0 && qmb_jw_finish(&jw) == -1)
		rc = qmb_errf(err, QMB_EXIT_USAGE, "details too large");
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * Session ids with their project and stage for the completions, from
 * the session index; in a file of its own so that only the programs
 * that name it in their spec link the index.
 */
#include <stdio.h>
#include <string.h>

#include "qmb_cli.h"
#include "qmb_index.h"
#include "qmb_json.h"

void
qmb_cli_indexed(struct qmb_proj *p, int projects,
    void (*add)(void *, const char *, const char *), void *arg)
{
	struct qmb_err err = QMB_ERR_INIT;
	struct qmb_index idx;
	const struct qmb_jv *s;
	const char *name, *stage;
	char desc[256];
	size_t i;

	if (qmb_index_load(p, &idx, &err) == -1)
		return;
	for (i = 0; i < idx.n; i++) {
		if ((s = qmb_index_summary(&idx.v[i])) == NULL)
			continue;
		name = qmb_json_get_str(s, "project_name");
		stage = qmb_json_get_str(s, "current_stage");
		if (projects) {
			if (name != NULL)
				add(arg, name, NULL);
			continue;
		}
		snprintf(desc, sizeof(desc), "%s, stage %s%s",
		    name ? name : "?", stage ? stage : "?",
		    strcmp(idx.v[i].status, "complete") == 0 ? ", complete" : "");
		add(arg, idx.v[i].id, desc);
	}
	qmb_index_free(&idx);
}

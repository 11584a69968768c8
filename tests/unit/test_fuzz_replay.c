/* SPDX-License-Identifier: MIT */
/*
 * make check's replay of the fuzz corpora: every file under
 * tests/fuzz/corpus/mcp and tests/fuzz/corpus/json goes once through its
 * libFuzzer target, built here without libFuzzer (and under ASan and
 * UBSan with SANITIZE=1).  A target that finds a broken invariant
 * aborts, so a failing input shows as the last "# file" line.
 * With arguments, replays those files through both targets instead.
 */
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define LLVMFuzzerTestOneInput fuzz_mcp_one
#include "../fuzz/fuzz_mcp.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_json_one
#include "../fuzz/fuzz_json.c"
#undef LLVMFuzzerTestOneInput

typedef int target_fn(const uint8_t *, size_t);

/* Read a whole file; NULL on failure. */
static uint8_t *
slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL, *p;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((p = realloc(data, cap)) == NULL)
				break;
			data = p;
		}
		if ((n = fread(data + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	*lenp = len;
	return data;
}

static int
replay_file(const char *path, target_fn *fn)
{
	uint8_t *data;
	size_t len = 0;

	printf("# %s\n", path);
	fflush(stdout);
	if ((data = slurp(path, &len)) == NULL)
		return -1;
	fn(data, len);
	free(data);
	return 0;
}

/* Replay every file of dir; the number replayed, negative on a failure. */
static int
replay_dir(const char *dir, target_fn *fn)
{
	struct dirent **names;
	char path[PATH_MAX];
	int i, n, done = 0;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			if (replay_file(path, fn) == 0)
				done++;
			else
				done = INT_MIN;
		}
		free(names[i]);
	}
	free(names);
	return done;
}

int
main(int argc, char *argv[])
{
	char self[PATH_MAX], dir[PATH_MAX + 32];
	int i, n;

	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			ok(replay_file(argv[i], fuzz_mcp_one) == 0, "mcp: %s", argv[i]);
			ok(replay_file(argv[i], fuzz_json_one) == 0, "json: %s", argv[i]);
		}
		return tap_done();
	}
	/* the corpora sit at ../fuzz/corpus from this program */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(dir, sizeof(dir), "%s/../fuzz/corpus/mcp", dirname(self));
	n = replay_dir(dir, fuzz_mcp_one);
	ok(n >= 20, "fuzz corpus mcp: %d inputs replayed", n);
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(dir, sizeof(dir), "%s/../fuzz/corpus/json", dirname(self));
	n = replay_dir(dir, fuzz_json_one);
	ok(n >= 20, "fuzz corpus json: %d inputs replayed", n);
	return tap_done();
}

/* SPDX-License-Identifier: MIT */
/*
 * bench_exec: time whole processes without a shell in between.
 *
 *	bench_exec [-n runs] [-i file] [-o file] [-g pattern] -- prog [arg ...]
 *
 * Runs prog runs times, one after the other, each with stdin from file
 * (default /dev/null) and stdout to file (default /dev/null), stderr
 * inherited.  With -g, the paths matching pattern (glob(3), sorted) are
 * appended to the arguments.  The time of one run is from just before
 * posix_spawn to the return of waitpid, on CLOCK_MONOTONIC.  Prints one
 * line of milliseconds:
 *
 *	runs=N min=X median=X mean=X max=X
 *
 * Exits 1 if any run failed (non-zero status or a signal).
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <glob.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_exec [-n runs] [-i file] [-o file] "
	    "[-g pattern] -- prog [arg ...]\n");
	exit(2);
}

/* One run; its time in ms, or -1 when it failed. */
static double
run_once(char **av, const char *in, const char *out)
{
	posix_spawn_file_actions_t fa;
	double t0, t1;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	t0 = now_ms();
	if (posix_spawn(&pid, av[0], &fa, NULL, av, environ) != 0) {
		perror(av[0]);
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	if (waitpid(pid, &st, 0) == -1) {
		perror("waitpid");
		return -1;
	}
	t1 = now_ms();
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench_exec: %s: %s %d\n", av[0],
		    WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		return -1;
	}
	return t1 - t0;
}

int
main(int argc, char *argv[])
{
	const char *in = "/dev/null", *out = "/dev/null", *pat = NULL;
	char **av;
	double *t, sum = 0;
	glob_t g;
	long runs = 10, i;
	size_t n, k;
	int ch;

	while ((ch = getopt(argc, argv, "+n:i:o:g:")) != -1) {
		switch (ch) {
		case 'n':
			runs = strtol(optarg, NULL, 10);
			break;
		case 'i':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'g':
			pat = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind, argv += optind;
	if (argc < 1 || runs < 1)
		usage();
	memset(&g, 0, sizeof(g));
	if (pat != NULL && glob(pat, 0, NULL, &g) != 0) {
		fprintf(stderr, "bench_exec: no match for '%s'\n", pat);
		return 2;
	}
	n = (size_t)argc + g.gl_pathc;
	if ((av = calloc(n + 1, sizeof(*av))) == NULL ||
	    (t = calloc((size_t)runs, sizeof(*t))) == NULL) {
		perror("calloc");
		return 2;
	}
	for (k = 0; k < (size_t)argc; k++)
		av[k] = argv[k];
	for (k = 0; k < g.gl_pathc; k++)
		av[argc + k] = g.gl_pathv[k];
	for (i = 0; i < runs; i++) {
		if ((t[i] = run_once(av, in, out)) < 0)
			return 1;
		sum += t[i];
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	printf("runs=%ld min=%.3f median=%.3f mean=%.3f max=%.3f\n", runs,
	    t[0], t[runs / 2], sum / runs, t[runs - 1]);
	globfree(&g);
	free(av);
	free(t);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * bench_read: many session files, and the floor of reading them.
 *
 *	bench_read clone DIR ID N
 *		Copy DIR/ID.json into N files DIR/NEWID.json, each with every
 *		occurrence of ID replaced by NEWID (ID with its last 12
 *		characters replaced by a counter, so NEWID is as long as ID).
 *	bench_read read DIR RUNS [BYTES]
 *		Read every DIR/ *.json with open/read/close (only the first
 *		BYTES of each with BYTES > 0), RUNS times, and print the best
 *		time: "files=N bytes=N min=X" (ms).
 *	bench_read stat DIR RUNS
 *		The same with fstatat instead of open/read/close.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ	(1u << 20)

static char	buf[BUFSZ];

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Read dfd/name into buf, at most max bytes (0: all); 0 or -1. */
static int
slurp(int dfd, const char *name, size_t max, size_t *len)
{
	ssize_t r = 0;
	size_t lim = max > 0 && max < BUFSZ - 1 ? max : BUFSZ - 1;
	int fd;

	*len = 0;
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	while (*len < lim && (r = read(fd, buf + *len, lim - *len)) > 0)
		*len += (size_t)r;
	close(fd);
	if (r == -1)
		return -1;
	if (max == 0 && *len == lim) {
		errno = EFBIG;
		return -1;
	}
	return 0;
}

static int
spew(int dfd, const char *name, const char *data, size_t len)
{
	ssize_t w;
	int fd;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	while (len > 0 && (w = write(fd, data, len)) > 0)
		data += w, len -= (size_t)w;
	return close(fd) == -1 || len != 0 ? -1 : 0;
}

static int
do_clone(const char *dir, const char *id, long n)
{
	char name[160], newid[128], *out, *p, *q;
	size_t len, idlen = strlen(id), olen;
	long i;
	int dfd;

	if (idlen < 12 || idlen > 64) {
		fprintf(stderr, "bench_read: id '%s' too short or long\n", id);
		return 1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1) {
		perror(dir);
		return 1;
	}
	snprintf(name, sizeof(name), "%s.json", id);
	if (slurp(dfd, name, 0, &len) == -1) {
		perror(name);
		return 1;
	}
	if ((out = malloc(len + 1)) == NULL) {
		perror("malloc");
		return 1;
	}
	buf[len] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(newid, sizeof(newid), "%.*s%012lx", (int)(idlen - 12),
		    id, (unsigned long)i);
		/* replace every occurrence (same length, so same size) */
		olen = 0;
		for (p = buf; (q = strstr(p, id)) != NULL; p = q + idlen) {
			memcpy(out + olen, p, (size_t)(q - p));
			olen += (size_t)(q - p);
			memcpy(out + olen, newid, idlen);
			olen += idlen;
		}
		memcpy(out + olen, p, len - (size_t)(p - buf));
		olen += len - (size_t)(p - buf);
		snprintf(name, sizeof(name), "%s.json", newid);
		if (spew(dfd, name, out, olen) == -1) {
			perror(name);
			return 1;
		}
	}
	free(out);
	close(dfd);
	return 0;
}

static int
do_read(const char *dir, long runs, int statonly, size_t max)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	double t0, t, best = -1;
	size_t len, bytes = 0, files = 0, nl;
	long r;
	int rc;

	for (r = 0; r < runs; r++) {
		t0 = now_ms();
		if ((d = opendir(dir)) == NULL) {
			perror(dir);
			return 1;
		}
		files = bytes = 0;
		while ((de = readdir(d)) != NULL) {
			nl = strlen(de->d_name);
			if (nl <= 5 || strcmp(de->d_name + nl - 5, ".json") != 0)
				continue;
			if (statonly) {
				rc = fstatat(dirfd(d), de->d_name, &st,
				    AT_SYMLINK_NOFOLLOW);
				len = (size_t)st.st_size;
			} else
				rc = slurp(dirfd(d), de->d_name, max, &len);
			if (rc == -1) {
				perror(de->d_name);
				return 1;
			}
			files++, bytes += len;
		}
		closedir(d);
		t = now_ms() - t0;
		if (best < 0 || t < best)
			best = t;
	}
	printf("files=%zu bytes=%zu min=%.3f\n", files, bytes, best);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 5 && strcmp(argv[1], "clone") == 0)
		return do_clone(argv[2], argv[3], strtol(argv[4], NULL, 10));
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "read") == 0)
		return do_read(argv[2], strtol(argv[3], NULL, 10), 0,
		    argc == 5 ? (size_t)strtoul(argv[4], NULL, 10) : 0);
	if (argc == 4 && strcmp(argv[1], "stat") == 0)
		return do_read(argv[2], strtol(argv[3], NULL, 10), 1, 0);
	fprintf(stderr, "usage: bench_read clone DIR ID N | "
	    "read DIR RUNS [BYTES] | stat DIR RUNS\n");
	return 2;
}

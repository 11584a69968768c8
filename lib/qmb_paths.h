/* SPDX-License-Identifier: MIT */
#ifndef QMB_PATHS_H
#define QMB_PATHS_H

/*
 * The project layout (DESIGN 2).  A struct qmb_proj names the project
 * folder and holds directory descriptors for .qmb/ and its subfolders,
 * each opened with O_DIRECTORY|O_NOFOLLOW relative to its parent, so no
 * symbolic link inside .qmb/ is ever followed.  Subfolders are opened
 * (and created, 0700 or 2770 with QMB_SHARED=group) on first use.
 *
 * Finding the project: -C DIR, else $QMB_PROJECT_DIR, else the nearest
 * ancestor of the working directory holding .qmb/, else the working
 * directory.  .qmb/ must belong to us and not be writable by others
 * (group-writable is allowed with QMB_SHARED=group).
 */

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "qmb_err.h"

struct qmb_config;

#define QMB_ID_MAX 64

enum qmb_dir {
	QMB_D_QMB, QMB_D_SESSIONS, QMB_D_LOGS, QMB_D_AUDIT, QMB_D_CORRUPT,
	QMB_D_ARCHIVE, QMB_D_ARCHIVE_SESSIONS, QMB_D_ARCHIVE_AUDIT,
	QMB_D_QUEUE, QMB_D_QUEUE_REVIEW, QMB_D_CACHE, QMB_D_CACHE_REVIEW,
	QMB_D_EXPORTS, QMB_D_MIGRATED, QMB_D_COUNT
};

struct qmb_proj {
	char	root[PATH_MAX];		/* absolute project folder */
	int	rootfd;
	int	fd[QMB_D_COUNT];	/* -1 until opened */
	int	shared;			/* QMB_SHARED=group */
	struct qmb_config *cfg;		/* loaded on demand, qmb_config.h */
};

/* Find the project; nothing is created.  dir is -C or NULL. */
int	qmb_proj_open(struct qmb_proj *, const char *dir, struct qmb_err *);
void	qmb_proj_close(struct qmb_proj *);
/*
 * The descriptor of a folder, opening it (and, when create is set, making
 * it and its parents) on first use.  Without create, a missing folder is
 * QMB_EXIT_NOTFOUND.  Returns the fd or -1.
 */
int	qmb_proj_dir(struct qmb_proj *, enum qmb_dir, int create,
	    struct qmb_err *);
/*
 * The project's output folder stage2_output/ (next to .qmb/), made when
 * missing, opened without following a symbolic link.  A new descriptor
 * the caller closes, or -1.
 */
#define QMB_OUTDIR	"stage2_output"
int	qmb_proj_outdir(struct qmb_proj *, struct qmb_err *);
/* The path of a folder relative to the project ("".qmb/sessions"). */
const char *qmb_proj_dirname(enum qmb_dir);
/* Mode bits for new files and folders. */
mode_t	qmb_proj_fmode(const struct qmb_proj *);
mode_t	qmb_proj_dmode(const struct qmb_proj *);

/* 0 when id matches ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$, else -1 (err: usage). */
int	qmb_id_check(const char *id, struct qmb_err *);
/* A new UUIDv7 (36 chars + NUL). */
int	qmb_uuid7(char out[37], struct qmb_err *);
/* snprintf into a PATH_MAX buffer; -1 (usage, "path too long") on truncation. */
int	qmb_path_fmt(char *out, size_t size, struct qmb_err *, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* fsync a directory descriptor. */
int	qmb_dir_sync(int dfd, const char *label, struct qmb_err *);

#endif

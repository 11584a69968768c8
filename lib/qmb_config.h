/* SPDX-License-Identifier: MIT */
#ifndef QMB_CONFIG_H
#define QMB_CONFIG_H

/*
 * Settings of DESIGN 7.  Each key has a default, may be set in
 * .qmb/config.json (a JSON object), is overridden by the environment
 * variable QMB_ + the key in capitals, and by a command-line option
 * (qmb_config_set).  Sizes take K/M/G suffixes.  An unknown key or a bad
 * value is a usage error that names the key and where it came from.
 */

#include <limits.h>

#include "qmb_err.h"
#include "qmb_paths.h"

struct qmb_config {
	unsigned long long	log_max_size;		/* 10M */
	unsigned long long	global_log_max_size;	/* 10M */
	unsigned long long	min_free_disk;		/* 500M */
	long			log_keep;		/* 5 */
	long			low_disk_keep;		/* 2 */
	long			idle_warn_days;		/* 7 */
	long			archive_after_days;	/* 30 */
	long			delete_logs_after_days;	/* 7 */
	long			audit_archive_after_days; /* 90 */
	long			review_attempts;	/* 3 */
	char			gemini_model[128];
	char			gemini_url[512];
	char			audit_mirror[PATH_MAX];	/* "" when unset */
};

#define QMB_GEMINI_MODEL	"gemini-3.5-flash"
#define QMB_GEMINI_URL		"https://generativelanguage.googleapis.com"

void	qmb_config_defaults(struct qmb_config *);
/* Defaults, then .qmb/config.json if present, then the environment. */
int	qmb_config_load(struct qmb_proj *, struct qmb_config *, struct qmb_err *);
/* Set key from text; source names it in errors ("--keep", "QMB_LOG_KEEP"). */
int	qmb_config_set(struct qmb_config *, const char *key, const char *value,
	    const char *source, struct qmb_err *);
/*
 * The project's configuration, loaded once and kept with the project
 * (freed by qmb_proj_close).  NULL with err on a bad configuration.
 */
const struct qmb_config *qmb_config_get(struct qmb_proj *, struct qmb_err *);
/*
 * Check the settings that are read from the environment alone:
 * QMB_MAX_FILE (a size: whole bytes with an optional K, M or G suffix,
 * 1 byte to 64G), QMB_LOG_LEVEL (DEBUG, INFO, WARN or ERROR), QMB_NOW (an
 * ISO 8601 time), QMB_SHARED ("group").  Empty is unset.  A bad value is
 * a usage error naming the variable.  qmb_proj_open calls it.
 */
int	qmb_env_check(struct qmb_err *);

/* A size in words: "512 bytes", "1.5 KB", "12 MB", "80 GB". */
void	qmb_config_fmt_size(unsigned long long, char *buf, size_t size);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef QMB_ROTATE_CMD_H
#define QMB_ROTATE_CMD_H

#include "qmb_cli.h"

/* The options: spec.c's opts[] in order. */
enum { I_MAX_SIZE, I_KEEP, I_RETENTION, I_DRY_RUN };

extern const struct qmb_cli_prog rotate_spec;

#endif

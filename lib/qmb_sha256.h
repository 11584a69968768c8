/* SPDX-License-Identifier: MIT */
#ifndef QMB_SHA256_H
#define QMB_SHA256_H

/*
 * SHA-256 through mbedTLS.  This module alone includes mbedTLS and
 * bridges the 2.x (_ret) and 3.x names.  Hex digests are lowercase,
 * QMB_SHA256_HEX bytes plus NUL.
 */

#include <stddef.h>

#define QMB_SHA256_HEX 64

struct qmb_sha256 {
	_Alignas(16) unsigned char ctx[256];	/* mbedtls_sha256_context, opaque */
};

void	qmb_sha256_init(struct qmb_sha256 *);
void	qmb_sha256_update(struct qmb_sha256 *, const void *, size_t);
/* Finish into hex (QMB_SHA256_HEX + 1 bytes) and release the context. */
void	qmb_sha256_hex(struct qmb_sha256 *, char *hex);
/* One call: hex digest of p[0..n). */
void	qmb_sha256(const void *p, size_t n, char *hex);
/* 1 when s is a hex digest as written here (64 lowercase hex digits). */
int	qmb_sha256_is_hex(const char *s);

#endif

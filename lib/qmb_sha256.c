/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "qmb_sha256.h"

_Static_assert(sizeof(mbedtls_sha256_context) <= sizeof(((struct qmb_sha256 *)0)->ctx),
    "struct qmb_sha256 too small for mbedtls_sha256_context");

#if MBEDTLS_VERSION_MAJOR < 3
#define sha_starts	mbedtls_sha256_starts_ret
#define sha_update	mbedtls_sha256_update_ret
#define sha_finish	mbedtls_sha256_finish_ret
#else
#define sha_starts	mbedtls_sha256_starts
#define sha_update	mbedtls_sha256_update
#define sha_finish	mbedtls_sha256_finish
#endif

static mbedtls_sha256_context *
ctxof(struct qmb_sha256 *s)
{
	return (mbedtls_sha256_context *)(void *)s->ctx;
}

void
qmb_sha256_init(struct qmb_sha256 *s)
{
	mbedtls_sha256_init(ctxof(s));
	sha_starts(ctxof(s), 0);
}

void
qmb_sha256_update(struct qmb_sha256 *s, const void *p, size_t n)
{
	sha_update(ctxof(s), p, n);
}

void
qmb_sha256_hex(struct qmb_sha256 *s, char *hex)
{
	static const char x[] = "0123456789abcdef";
	unsigned char d[32];
	int i;

	sha_finish(ctxof(s), d);
	mbedtls_sha256_free(ctxof(s));
	for (i = 0; i < 32; i++) {
		hex[2 * i] = x[d[i] >> 4];
		hex[2 * i + 1] = x[d[i] & 15];
	}
	hex[64] = '\0';
}

void
qmb_sha256(const void *p, size_t n, char *hex)
{
	struct qmb_sha256 s;

	qmb_sha256_init(&s);
	qmb_sha256_update(&s, p, n);
	qmb_sha256_hex(&s, hex);
}

int
qmb_sha256_is_hex(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < QMB_SHA256_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s != NULL && s[QMB_SHA256_HEX] == '\0';
}

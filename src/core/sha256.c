/* sha256.c: SHA-256 through libcrypto's one-shot EVP_Digest (see sha256.h). */
#include "core/sha256.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

void pp_hex(const unsigned char *bytes, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * n] = '\0';
}

/* EVP only fails on allocation failure inside OpenSSL: nothing to recover. */
static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "planpipe: fatal: %s failed\n", what);
		abort();
	}
}

void pp_sha256_hex(const void *data, size_t len, char hex[PP_SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	check(EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32, "SHA-256");
	pp_hex(md, mdlen, hex);
}

void pp_git_blob_oid(const void *data, size_t len, unsigned char oid[PP_GIT_OID_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char header[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int n = snprintf(header, sizeof(header), "blob %zu", len);

	check(ctx != NULL, "SHA-1");
	/* The header's NUL terminator is part of what git hashes. */
	check(EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
		      EVP_DigestUpdate(ctx, header, (size_t)n + 1) == 1 &&
		      EVP_DigestUpdate(ctx, data, len) == 1 &&
		      EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 20,
	      "SHA-1");
	EVP_MD_CTX_free(ctx);
	memcpy(oid, md, PP_GIT_OID_LEN);
}

void pp_git_blob_id(const void *data, size_t len, char hex[PP_GIT_OID_HEX_LEN + 1])
{
	unsigned char oid[PP_GIT_OID_LEN];

	pp_git_blob_oid(data, len, oid);
	pp_hex(oid, PP_GIT_OID_LEN, hex);
}

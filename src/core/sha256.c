/* sha256.c: SHA-256 through libcrypto's one-shot EVP_Digest (see sha256.h). */
#include "core/sha256.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

void pp_sha256_hex(const void *data, size_t len, char hex[PP_SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char digits[] = "0123456789abcdef";
	unsigned int i;

	/* EVP_Digest only fails on allocation failure inside OpenSSL. */
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		fputs("planpipe: fatal: SHA-256 failed\n", stderr);
		abort();
	}
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

/* sha256.h: SHA-256 digests as lowercase hex, from OpenSSL's libcrypto. */
#ifndef PP_CORE_SHA256_H
#define PP_CORE_SHA256_H

#include <stddef.h>

#define PP_SHA256_HEX_LEN 64

/* Writes the digest of data[0..len) as 64 hex digits and a NUL into hex. */
void pp_sha256_hex(const void *data, size_t len, char hex[PP_SHA256_HEX_LEN + 1]);

#endif

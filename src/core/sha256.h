/* sha256.h: SHA-256 digests and git blob ids as lowercase hex, from OpenSSL's libcrypto. */
#ifndef PP_CORE_SHA256_H
#define PP_CORE_SHA256_H

#include <stddef.h>

#define PP_SHA256_HEX_LEN 64

/* Writes bytes[0..n) as 2n lowercase hex digits and a NUL into hex (2n + 1 bytes). */
void pp_hex(const unsigned char *bytes, size_t n, char *hex);

/* Writes the digest of data[0..len) as 64 hex digits and a NUL into hex. */
void pp_sha256_hex(const void *data, size_t len, char hex[PP_SHA256_HEX_LEN + 1]);

#define PP_GIT_OID_LEN     20
#define PP_GIT_OID_HEX_LEN 40

/* git's object id of a blob holding data[0..len) (below), as its 20 bytes. */
void pp_git_blob_oid(const void *data, size_t len, unsigned char oid[PP_GIT_OID_LEN]);

/*
 * Writes git's object id of a blob holding data[0..len): the SHA-1 of
 * "blob LEN\0" + data, as `git hash-object` prints it, so that a file's id is
 * known without git and matches the repository's.
 */
void pp_git_blob_id(const void *data, size_t len, char hex[PP_GIT_OID_HEX_LEN + 1]);

#endif

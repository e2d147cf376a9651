/*
 * tests/unit/core/sha256.c: src/core/sha256.c against known vectors: FIPS
 * 180-2's SHA-256 examples, git blob ids as `git hash-object` prints them,
 * and the hex encoding they share with the backup manifest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "core/sha256.h"

static void sha256_of(const void *data, size_t len, const char *want)
{
	char hex[PP_SHA256_HEX_LEN + 1];

	memset(hex, 'x', sizeof(hex));
	pp_sha256_hex(data, len, hex);
	assert_int_equal(strlen(hex), PP_SHA256_HEX_LEN);
	assert_string_equal(hex, want);
}

static void fips_vectors(void **state)
{
	static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char *million;

	(void)state;
	sha256_of("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_of("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_of(two_blocks, strlen(two_blocks),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	million = malloc(1000000);
	assert_non_null(million);
	memset(million, 'a', 1000000);
	sha256_of(million, 1000000,
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void git_blob_ids(void **state)
{
	char hex[PP_GIT_OID_HEX_LEN + 1];

	(void)state;
	pp_git_blob_id("", 0, hex);
	assert_string_equal(hex, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
	pp_git_blob_id("hello world\n", 12, hex);
	assert_string_equal(hex, "3b18e512dba79e4c8300dd08aeb37f8e728b8dad");
	/* A NUL inside the data is data: the length counts, not strlen. */
	pp_git_blob_id("a\0b", 3, hex);
	assert_string_equal(hex, "20b5be91886d0b6f26dc98a225c0dac05fe2c86e");
}

/* The raw id is the same id: its 20 bytes, as the importer keeps them. */
static void git_blob_oid_is_the_id_raw(void **state)
{
	static const unsigned char want[PP_GIT_OID_LEN] = {0x3b, 0x18, 0xe5, 0x12, 0xdb, 0xa7, 0x9e,
							   0x4c, 0x83, 0x00, 0xdd, 0x08, 0xae, 0xb3,
							   0x7f, 0x8e, 0x72, 0x8b, 0x8d, 0xad};
	unsigned char oid[PP_GIT_OID_LEN];

	(void)state;
	pp_git_blob_oid("hello world\n", 12, oid);
	assert_memory_equal(oid, want, sizeof(want));
}

static void hex_digits(void **state)
{
	static const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
	char hex[9];

	(void)state;
	memset(hex, 'x', sizeof(hex));
	pp_hex(bytes, sizeof(bytes), hex);
	assert_string_equal(hex, "000fa5ff");
	pp_hex(bytes, 0, hex);
	assert_string_equal(hex, "");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(fips_vectors),
	cmocka_unit_test(git_blob_ids),
	cmocka_unit_test(git_blob_oid_is_the_id_raw),
	cmocka_unit_test(hex_digits),
};

UNIT_MAIN("sha256", tests)

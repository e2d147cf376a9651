/*
 * tests/unit/cli/cmd_user.c: src/cli/cmd_user.c's pure parts
 * (cmd_user_int.h): the command line (the actions, add's options with add
 * alone, the exact refusals, --help within 80 columns), the token's form
 * and the hash the database keeps, and the closing line's words. (The
 * actions against the database: tests/integration/test_api_*.c, test_cli.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "capture.h"
#include "cli/cmd_user_int.h"

static int parse(int argc, char **argv, void *ctx)
{
	return user_parse_args(argc, argv, ctx);
}

/* args must be refused with exactly err on standard error, nothing on standard output. */
static void refused(const char *const *args, const char *err)
{
	user_args a;

	pp_t_expect_argv(parse, args, &a, -1, "", err);
}

static void add_takes_its_options_anywhere(void **state)
{
	const char *args[] = {"user",    "--name",  "Alice A",       "add", "alice",
			      "--admin", "--email", "a@example.org", NULL};
	user_args a;

	(void)state;
	pp_t_expect_argv(parse, args, &a, 0, "", "");
	assert_string_equal(a.action, "add");
	assert_string_equal(a.handle, "alice");
	assert_string_equal(a.name, "Alice A");
	assert_string_equal(a.email, "a@example.org");
	assert_int_equal(a.admin, 1);
}

static void every_action_takes_a_handle(void **state)
{
	const char *actions[] = {"add", "token", "disable", "enable"};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(actions); i++) {
		const char *args[] = {"user", actions[i], "bob", NULL};
		user_args a;

		pp_t_expect_argv(parse, args, &a, 0, "", "");
		unit_str_equal(actions[i], a.action, actions[i]);
		unit_str_equal(actions[i], a.handle, "bob");
		unit_str_equal(actions[i], a.name, NULL);
		unit_str_equal(actions[i], a.email, NULL);
		unit_int_equal(actions[i], a.admin, 0);
	}
}

#define OPERANDS                                                                                   \
	"planpipe user: error: expected an action and a handle (see planpipe user --help)\n"
#define ADD_ONLY "planpipe user: error: --admin, --name and --email go with add\n"
#define ACTION   "planpipe user: error: the action is add, token, disable or enable\n"

/* Command lines refused, each with its message (checked in this order by the parse). */
static const struct {
	const char *args[6];
	const char *err;
} refusals[] = {
	{{"user"}, OPERANDS},
	{{"user", "add"}, OPERANDS},
	{{"user", "add", "alice", "bob"}, OPERANDS},
	{{"user", "token", "alice", "--admin"}, ADD_ONLY},
	{{"user", "disable", "alice", "--name", "A"}, ADD_ONLY},
	{{"user", "enable", "alice", "--email=a@example.org"}, ADD_ONLY},
	{{"user", "remove", "alice", "--admin"}, ADD_ONLY},
	{{"user", "remove", "alice"}, ACTION},
	{{"user", "ADD", "alice"}, ACTION},
};

static void refusals_say_why(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(refusals); i++)
		refused(refusals[i].args, refusals[i].err);
}

static void help_prints_the_usage_within_80_columns(void **state)
{
	const char *args[] = {"user", "--help", NULL};
	const char *bad[] = {"user", "--bogus", "add", "alice", NULL};
	char *out, *err, *bad_out;
	user_args a;

	(void)state;
	assert_int_equal(pp_t_capture_argv(parse, args, &a, &out, &err), 1);
	assert_string_equal(err, "");
	assert_ptr_equal(strstr(out, "usage: planpipe user add HANDLE"), out);
	pp_t_assert_width(out, 80);
	free(err);
	/* An unknown option: getopt's message, then the same usage on standard error. */
	assert_int_equal(pp_t_capture_argv(parse, bad, &a, &bad_out, &err), -1);
	assert_non_null(strstr(err, "'--bogus'\n"));
	assert_string_equal(strstr(err, "usage: "), out);
	free(bad_out);
	free(err);
	free(out);
}

/* "pp_", 43 characters of base64url; the hash is the bytea literal of the token's SHA-256. */
static void token_is_pp_and_base64url_with_its_hash(void **state)
{
	char token[USER_TOKEN_LEN + 1], hash[PP_SHA256_HEX_LEN + 3], hex[PP_SHA256_HEX_LEN + 1];
	char again[USER_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(USER_TOKEN_LEN, 46);
	assert_int_equal(user_new_token(token, hash), 0);
	assert_int_equal(strlen(token), USER_TOKEN_LEN);
	assert_memory_equal(token, "pp_", 3);
	assert_int_equal(strspn(token + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					   "0123456789-_"),
			 USER_TOKEN_LEN - 3);
	pp_sha256_hex(token, strlen(token), hex);
	assert_memory_equal(hash, "\\x", 2);
	assert_string_equal(hash + 2, hex);
	assert_int_equal(user_new_token(again, hash), 0);
	assert_string_not_equal(again, token);
}

static void done_names_each_action(void **state)
{
	(void)state;
	assert_string_equal(user_done("add"), "added");
	assert_string_equal(user_done("token"), "has a new token");
	assert_string_equal(user_done("disable"), "disabled");
	assert_string_equal(user_done("enable"), "enabled");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(add_takes_its_options_anywhere),
	cmocka_unit_test(every_action_takes_a_handle),
	cmocka_unit_test(refusals_say_why),
	cmocka_unit_test(help_prints_the_usage_within_80_columns),
	cmocka_unit_test(token_is_pp_and_base64url_with_its_hash),
	cmocka_unit_test(done_names_each_action),
};

UNIT_MAIN("cmd_user", tests)

/*
 * cmd_user_int.h: the pure parts of `planpipe user` (cmd_user.c): its
 * command line, a new token with its hash, and the word that reports an
 * action, apart so that tests/unit/cli/cmd_user.c can reach them. Not for
 * other modules: names carry the user_ prefix, never pp_.
 */
#ifndef PP_CLI_CMD_USER_INT_H
#define PP_CLI_CMD_USER_INT_H

#include "core/sha256.h"

/* A token: "pp_" and USER_TOKEN_BYTES random bytes in base64url without padding. */
#define USER_TOKEN_BYTES 32
#define USER_TOKEN_LEN   (3 + (USER_TOKEN_BYTES * 4 + 2) / 3)

/* The command line: ACTION HANDLE and add's options (pointers into argv). */
typedef struct user_args {
	const char *action;
	const char *handle;
	const char *name;
	const char *email;
	int admin;
} user_args;

/*
 * Parses argv (argv[0] "user") into *a: 0; 1 when --help printed the usage
 * on standard output; -1 after printing a usage error on standard error
 * (not exactly an action and a handle, --admin, --name or --email with
 * another action than add, an unknown action). Reads no environment.
 */
int user_parse_args(int argc, char **argv, user_args *a);

/*
 * A new token into token (USER_TOKEN_LEN characters and a NUL) and the
 * bytea literal of its SHA-256 into hash ("\x" and 64 hex digits): 0, or
 * -1 when the kernel gave no random bytes. Reads getrandom(2).
 */
int user_new_token(char token[USER_TOKEN_LEN + 1], char hash[PP_SHA256_HEX_LEN + 3]);

/* How the closing line says action was done: "added", "has a new token", "disabled", "enabled". */
const char *user_done(const char *action);

#endif

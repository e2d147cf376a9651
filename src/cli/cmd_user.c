/*
 * cmd_user.c: `planpipe user add|token|disable|enable`, user management as
 * the schema owner (the API's role cannot write users).
 *
 * A token is "pp_" and 32 random bytes in base64url. Only its SHA-256 is
 * stored (users.api_token_hash); the token itself is printed once, alone on
 * standard output, so that `TOKEN=$(planpipe user add alice)` works.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cli/cli.h"
#include "cli/cmd_user_int.h"
#include "cli/sql.h"
#include "core/sha256.h"
#include "db/conn.h"

static const char usage_text[] =
	"usage: planpipe user add HANDLE [--admin] [--name NAME] [--email EMAIL]\n"
	"       planpipe user token HANDLE    rotate: a new token, the old one stops\n"
	"                                     working\n"
	"       planpipe user disable HANDLE  the user's token stops working at once\n"
	"       planpipe user enable HANDLE\n"
	"\n"
	"add and token print the new API token alone on standard output; it is shown\n"
	"only this once (the database keeps its SHA-256). HANDLE: lower-case letters,\n"
	"digits, '_', '.', '-', at most 39. Runs as the database login of DATABASE_URL,\n"
	"which must be the schema owner. An admin sees and manages every project.\n";

#define TOKEN_BYTES USER_TOKEN_BYTES
#define TOKEN_LEN   USER_TOKEN_LEN

typedef user_args args;

int user_new_token(char token[TOKEN_LEN + 1], char hash[PP_SHA256_HEX_LEN + 3])
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char rnd[TOKEN_BYTES + 1] = {0};
	char hex[PP_SHA256_HEX_LEN + 1];
	size_t i, o = 3;

	if (getrandom(rnd, TOKEN_BYTES, 0) != TOKEN_BYTES)
		return -1;
	memcpy(token, "pp_", 3);
	for (i = 0; i < TOKEN_BYTES; i += 3) {
		unsigned v = (unsigned)rnd[i] << 16 | (unsigned)rnd[i + 1] << 8 |
			     (i + 2 < TOKEN_BYTES ? rnd[i + 2] : 0);
		token[o++] = b64[v >> 18 & 63];
		token[o++] = b64[v >> 12 & 63];
		if (i + 1 < TOKEN_BYTES)
			token[o++] = b64[v >> 6 & 63];
		if (i + 2 < TOKEN_BYTES)
			token[o++] = b64[v & 63];
	}
	token[o] = '\0';
	pp_sha256_hex(token, o, hex);
	snprintf(hash, PP_SHA256_HEX_LEN + 3, "\\x%s", hex);
	return 0;
}

static const pp_cli_opt opts[] = {
	PP_CLI_FLAG_OPT("admin", args, admin),
	PP_CLI_STRING_OPT("name", args, name),
	PP_CLI_STRING_OPT("email", args, email),
	{0},
};

static const pp_cli_spec spec = {.cmd = "user", .opts = opts, .usage_text = usage_text};

int user_parse_args(int argc, char **argv, args *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	r = pp_cli_parse(argc, argv, &spec, a);
	if (r != 0)
		return r;
	if (argc - optind != 2) {
		pp_cli_error("user", "expected an action and a handle (see planpipe user --help)");
		return -1;
	}
	a->action = argv[optind];
	a->handle = argv[optind + 1];
	if (strcmp(a->action, "add") != 0 && (a->admin || a->name || a->email)) {
		pp_cli_error("user", "--admin, --name and --email go with add");
		return -1;
	}
	if (strcmp(a->action, "add") && strcmp(a->action, "token") &&
	    strcmp(a->action, "disable") && strcmp(a->action, "enable")) {
		pp_cli_error("user", "the action is add, token, disable or enable");
		return -1;
	}
	return 0;
}

const char *user_done(const char *action)
{
	return strcmp(action, "add") == 0       ? "added"
	       : strcmp(action, "token") == 0   ? "has a new token"
	       : strcmp(action, "disable") == 0 ? "disabled"
						: "enabled";
}

/* Runs the action (ctx: the args); the output and messages are printed here. */
static int run(PGconn *conn, const void *ctx)
{
	const args *a = ctx;
	char token[TOKEN_LEN + 1], hash[PP_SHA256_HEX_LEN + 3];
	const char *params[5];
	const char *sql;
	PGresult *res = NULL;
	int n, status = PP_EXIT_ERROR, with_token = 0;
	pp_err err;

	pp_err_clear(&err);
	params[0] = a->handle;
	if (strcmp(a->action, "add") == 0 || strcmp(a->action, "token") == 0) {
		if (user_new_token(token, hash) != 0) {
			pp_cli_error("user", "cannot read random bytes for the token");
			return PP_EXIT_ERROR;
		}
		with_token = 1;
	}
	if (strcmp(a->action, "add") == 0) {
		sql = pp_cli_sql("user.sql", "add");
		params[1] = a->name;
		params[2] = a->email;
		params[3] = hash;
		params[4] = a->admin ? "true" : "false";
		n = 5;
	} else if (strcmp(a->action, "token") == 0) {
		sql = pp_cli_sql("user.sql", "token");
		params[1] = hash;
		n = 2;
	} else {
		sql = strcmp(a->action, "disable") == 0 ? pp_cli_sql("user.sql", "disable")
							: pp_cli_sql("user.sql", "enable");
		n = 1;
	}
	if (pp_db_execp(conn, sql, n, params, &res, &err) != PP_OK) {
		if (strcmp(err.sqlstate, "23505") == 0)
			pp_cli_error("user",
				     "a user with that handle or e-mail address exists already");
		else if (strcmp(err.sqlstate, "23514") == 0)
			pp_cli_error("user",
				     "invalid handle (lower-case letters, digits, _ . -, at "
				     "most 39) or e-mail address");
		else
			pp_cli_error("user", err.msg);
		goto out;
	}
	if (PQntuples(res) == 0) {
		fprintf(stderr, "planpipe user: error: no user \"%s\"\n", a->handle);
		goto out;
	}
	if (with_token)
		printf("%s\n", token);
	if (strcmp(a->action, "token") == 0 && strcmp(PQgetvalue(res, 0, 1), "t") == 0)
		fprintf(stderr, "planpipe user: %s is disabled: the token works once enabled\n",
			a->handle);
	fprintf(stderr, "planpipe user: %s %s (id %s)\n", a->handle, user_done(a->action),
		PQgetvalue(res, 0, 0));
	status = PP_EXIT_OK;
out:
	PQclear(res);
	return status;
}

int pp_cli_user(int argc, char **argv, const pp_config *cfg)
{
	args a;
	int r = user_parse_args(argc, argv, &a);

	if (r != 0)
		return pp_cli_parse_exit(r);
	return pp_cli_with_conn(cfg, "user", "planpipe-user", run, &a);
}

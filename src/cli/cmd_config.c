/* cmd_config.c: `planpipe config`, the effective settings with secrets masked. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "db/conn.h"
#include "db/migration.h"
#include "version.h"

void pp_cli_error(const char *cmd, const char *msg)
{
	const char *p = msg;

	/* Every line carries the prefix, so grep and log collectors keep them together. */
	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		fprintf(stderr, "planpipe %s: %s%.*s\n", cmd, p == msg ? "error: " : "", n, p);
		p += n + (nl != NULL);
	}
}

int pp_cli_config(int argc, char **argv, const pp_config *cfg)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: planpipe config\n\n"
		       "Prints every setting with its value and where it came from (environment,\n"
		       "file or default), then the database connection parameters libpq will use.\n"
		       "Passwords are masked.\n");
		return PP_EXIT_OK;
	}
	if (argc > 1) {
		pp_cli_error("config", "takes no arguments (see planpipe config --help)");
		return PP_EXIT_ERROR;
	}
	printf("# planpipe %s, schema version %d\n", PP_VERSION, pp_mig_required_version());
	pp_config_print(cfg, stdout);
	pp_db_print_conninfo(cfg, stdout);
	return PP_EXIT_OK;
}

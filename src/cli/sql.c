/* sql.c: the command line's statements, from the embedded src/cli/sql/ files (see sql.h). */
#include "cli/sql.h"

extern const pp_embedded_file pp_embedded_cli_sql[];
extern const size_t pp_embedded_cli_sql_count;

pp_sql_set pp_cli_sql_set = PP_SQL_SET("src/cli/sql", pp_embedded_cli_sql);

const char *pp_cli_sql(const char *file, const char *name)
{
	return pp_sql(&pp_cli_sql_set, file, name);
}

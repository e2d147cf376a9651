/* sql.c: the API's named statements, from the embedded src/api/sql/ files (see sql.h). */
#include "api/sql.h"

extern const pp_embedded_file pp_embedded_api_sql[];
extern const size_t pp_embedded_api_sql_count;

pp_sql_set pp_api_sql_set = PP_SQL_SET("src/api/sql", pp_embedded_api_sql);

const char *pp_api_sql(const char *file, const char *name)
{
	return pp_sql(&pp_api_sql_set, file, name);
}

const char *pp_api_sql_fragment(const char *file, const char *name)
{
	return pp_sql_fragment(&pp_api_sql_set, file, name);
}

const char *pp_api_sql_at(size_t i, const char **file, const char **name)
{
	return pp_sql_at(&pp_api_sql_set, i, file, name);
}

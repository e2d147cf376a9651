/* sql.c: the importer's statements, from the embedded src/import/sql/ files (see sql.h). */
#include "import/sql.h"

extern const pp_embedded_file pp_embedded_import_sql[];
extern const size_t pp_embedded_import_sql_count;

pp_sql_set pp_import_sql_set = PP_SQL_SET("src/import/sql", pp_embedded_import_sql);

const char *pp_import_sql(const char *file, const char *name)
{
	return pp_sql(&pp_import_sql_set, file, name);
}

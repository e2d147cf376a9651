/*
 * test_errors_catalog.c: src/api/errors.c's constraint names against the
 * migrated schema's catalog, so that the C lists (fields[], tables[],
 * suffixes[]) cannot drift from the migrations unnoticed: every constraint
 * fields[] names exists, and every other constraint (or unique index,
 * which a unique violation names as its constraint) on a table the API
 * writes (planpipe_app's privileges in the catalog say which) maps to a
 * column of that table (the field a 409 or 422 names), or
 * is listed below as having none. A new constraint that maps to nothing
 * fails here until it is given a field or listed.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/errors.h"
#include "core/limits.h"

/*
 * Constraints no request can break, or that guard no single request field:
 * a 409/422 from them carries no "field".
 */
static const char *const no_field[] = {
	"projects_pkey",
	"backlogs_pkey",
	"stories_pkey",
	"users_pkey",
	"backlogs_project_id_id_key", /* the target of stories' (project_id, backlog_id) key */
	"projects_version_positive",
	"backlogs_version_positive",
	"stories_version_positive",
	"users_version_positive",
	"users_api_token_hash_sha256", /* the CLI writes the hash, never a request */
	/* Ids and pairs of ids: a request names keys and handles, resolved first (404). */
	"project_dependencies_created_by_fkey",
	"project_dependencies_depends_on_project_id_fkey",
	"project_dependencies_project_id_fkey",
	"project_members_pkey", /* PUT .../members/{handle} replaces the row */
	"project_members_project_id_fkey",
	"project_members_user_id_fkey",
	"story_dependencies_created_by_fkey",
	"story_dependencies_depends_on_id_fkey",
	"story_dependencies_story_id_fkey",
	/* A story file's unresolved dependencies: written from what the import read. */
	"story_dependency_refs_pkey",
	"story_dependency_refs_project_key_length",
	"story_dependency_refs_story_id_fkey",
	"story_dependency_refs_story_key_length",
	NULL,
};

/* Whether name is in no_field or in errors.c's own list (which names API fields, not columns). */
static int listed(const char *name)
{
	const char *l;
	size_t i;

	for (i = 0; no_field[i]; i++)
		if (strcmp(no_field[i], name) == 0)
			return 1;
	for (i = 0; (l = pp_api_constraint_listed(i)) != NULL; i++)
		if (strcmp(l, name) == 0)
			return 1;
	return 0;
}

static void constraints_map_to_columns(void **state)
{
	PGconn *c;
	PGresult *res;
	int i, bad = 0;

	(void)state;
	pp_t_new_migrated_db();
	c = pp_t_connect();
	/*
	 * The constraints of every table a request can write (planpipe_app may
	 * insert or update it: read from the catalog, not a list, so a new
	 * table is checked as soon as a migration grants it) and of users,
	 * with their columns.
	 */
	res = PQexec(c,
		     "SELECT con.conname, cl.relname,"
		     "       (SELECT string_agg(a.attname, ',') FROM pg_attribute a"
		     "         WHERE a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped)"
		     "  FROM (SELECT conname, conrelid FROM pg_constraint"
		     "        UNION ALL"
		     "        SELECT ic.relname, i.indrelid FROM pg_index i"
		     "          JOIN pg_class ic ON ic.oid = i.indexrelid"
		     "         WHERE i.indisunique"
		     "           AND NOT EXISTS (SELECT FROM pg_constraint x"
		     "                            WHERE x.conindid = i.indexrelid)) con"
		     "  JOIN pg_class cl ON cl.oid = con.conrelid"
		     " WHERE cl.relnamespace = 'public'::regnamespace"
		     "   AND cl.relkind IN ('r', 'p')"
		     "   AND (has_table_privilege('planpipe_app', cl.oid, 'INSERT, UPDATE')"
		     "        OR cl.relname = 'users')"
		     "   AND NOT cl.relispartition"
		     " ORDER BY 1");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_true(PQntuples(res) > 10);
	for (i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0), *cols = PQgetvalue(res, i, 2);
		char buf[64], want[80], list[1024];
		const char *field = pp_api_constraint_field(name, buf, sizeof(buf));

		if (listed(name))
			continue;
		snprintf(want, sizeof(want), ",%s,", field ? field : "");
		snprintf(list, sizeof(list), ",%s,", cols);
		if (field == NULL || strstr(list, want) == NULL) {
			print_error("constraint %s on %s: field %s is not one of its columns (%s): "
				    "add it to src/api/errors.c's fields[] or to no_field here\n",
				    name, PQgetvalue(res, i, 1), field ? field : "(none)", cols);
			bad++;
		}
	}
	PQclear(res);
	PQfinish(c);
	if (bad)
		fail_msg("%d constraint(s) without a field", bad);
}

static void listed_constraints_exist(void **state)
{
	PGconn *c;
	const char *name;
	size_t i;
	char sql[256];

	(void)state;
	c = pp_t_connect();
	for (i = 0; (name = pp_api_constraint_listed(i)) != NULL; i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM (SELECT conname FROM pg_constraint UNION"
			 " SELECT relname FROM pg_class WHERE relkind = 'i') x(n) WHERE n = '%s'",
			 name);
		if (pp_t_query_long(c, sql) != 1)
			fail_msg("src/api/errors.c names constraint %s, which the schema does not "
				 "have",
				 name);
	}
	assert_true(i > 10);
	PQfinish(c);
}

/* Every word of words is in constraint's definition, which lists no more words. */
static void check_words(PGconn *c, const char *constraint, const char *const *words)
{
	char sql[512], want[24];
	size_t i;

	for (i = 0; words[i]; i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT strpos(pg_get_constraintdef(oid), '''%s''') > 0 FROM pg_constraint"
			 " WHERE conname = '%s'",
			 words[i], constraint);
		pp_t_query_is(c, sql, "t");
	}
	snprintf(sql, sizeof(sql),
		 "SELECT (length(d) - length(replace(d, '''', ''))) / 2"
		 "  FROM (SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint"
		 "         WHERE conname = '%s') x",
		 constraint);
	snprintf(want, sizeof(want), "%zu", i);
	pp_t_query_is(c, sql, want);
}

/* src/core/limits.h against the columns it mirrors. */
static void limits_match_the_columns(void **state)
{
	PGconn *c;
	char want[64];

	(void)state;
	c = pp_t_connect();
	/* numeric(p, s) holds at most 10^(p-s) - 10^-s. */
	snprintf(want, sizeof(want), "%.2f", PP_ESTIMATE_POINTS_MAX);
	pp_t_query_is(c,
		      "SELECT (10::numeric ^ (numeric_precision - numeric_scale)"
		      "        - 10::numeric ^ (-numeric_scale))::numeric(20, 2)"
		      "  FROM information_schema.columns"
		      " WHERE table_schema = 'public' AND table_name = 'stories'"
		      "   AND column_name = 'estimate_points'",
		      want);
	/* The project key rule is projects_key_format's pattern. */
	{
		char sql[256];

		snprintf(sql, sizeof(sql),
			 "SELECT strpos(pg_get_constraintdef(oid), '%s') > 0 FROM pg_constraint"
			 " WHERE conname = 'projects_key_format'",
			 PP_PROJECT_KEY_PATTERN);
		pp_t_query_is(c, sql, "t");
	}
	/* The fixed words, each in its CHECK, as many as it lists. */
	check_words(c, "stories_priority_check", pp_priorities);
	check_words(c, "statuses_category_check", pp_categories);
	PQfinish(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(constraints_map_to_columns),
		cmocka_unit_test(listed_constraints_exist),
		cmocka_unit_test(limits_match_the_columns),
	};

	return cmocka_run_group_tests_name("errors_catalog", tests, NULL, NULL);
}

/*
 * report_table.h: a report's JSON as the rows of a table, for `planpipe
 * report --format table|csv` (cmd_report.c). Pure: no I/O but the printers'.
 */
#ifndef PP_CLI_REPORT_TABLE_H
#define PP_CLI_REPORT_TABLE_H

#include <jansson.h>
#include <stdio.h>

#define PP_REPORT_TABLE_COLS 12

typedef struct pp_report_table {
	size_t ncols;
	const char *heads[PP_REPORT_TABLE_COLS]; /* static strings */
	char **cells;         /* nrows * ncols, each malloc'd; NULL cell: no value */
	unsigned char *right; /* per cell: a number, aligned right */
	size_t nrows, cap;
	int failed; /* out of memory */
} pp_report_table;

/*
 * Fills t (zeroed by the caller) with the rows of report name's JSON j, by
 * the report's own renderer or, for a report without one, the generic
 * table (FIELD, VALUE: every value of j by its path). t->failed is set if
 * memory ran out part way. Free t with pp_report_table_free.
 */
void pp_report_table_fill(const char *name, const json_t *j, pp_report_table *t);

/* The name of the i-th report with a renderer of its own, NULL past the last (for tests). */
const char *pp_report_table_renderer(size_t i);

/* Prints t aligned, one line per row under a header line; missing values as "-". */
void pp_report_table_print(const pp_report_table *t, FILE *out);

/* Prints t as CSV with a snake_case header ("BLOCKED SINCE" -> blocked_since). */
void pp_report_table_csv(const pp_report_table *t, FILE *out);

/* Frees what t holds (not t); accepts a zeroed table. */
void pp_report_table_free(pp_report_table *t);

#endif

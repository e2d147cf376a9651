/* migration.c: loading and checking migration files (see migration.h). */
#include "db/migration.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/file.h"

#define MAX_MIGRATION_BYTES (64u * 1024 * 1024)

static const char directive_prefix[] = "-- planpipe:";

static void migration_free(pp_mig *m)
{
	free(m->name);
	free(m->filename);
	free(m->origin);
	free(m->sql);
	free(m->lock_timeout);
	free(m->statement_timeout);
	pp_sql_script_free(&m->script);
}

void pp_mig_set_free(pp_mig_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->count; i++)
		migration_free(&set->items[i]);
	free(set->items);
	set->items = NULL;
	set->count = 0;
}

/* Whether name is "NNNN_name.sql"; sets *version. */
static int parse_filename(const char *fn, int *version, size_t *name_start, size_t *name_len)
{
	size_t n = strlen(fn), i = 0;
	long v = 0;

	while (i < n && isdigit((unsigned char)fn[i])) {
		v = v * 10 + (fn[i] - '0');
		if (v > INT_MAX)
			return 0;
		i++;
	}
	if (i < 4 || v == 0 || i >= n || fn[i] != '_' || n < 5 || strcmp(fn + n - 4, ".sql") != 0)
		return 0;
	*name_start = ++i;
	if (i >= n - 4)
		return 0;
	for (; i < n - 4; i++) {
		char c = fn[i];
		if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '_'))
			return 0;
	}
	*version = (int)v;
	*name_len = n - 4 - *name_start;
	return 1;
}

/* A PostgreSQL duration: digits and an optional unit. */
static int valid_duration(const char *v)
{
	static const char *const units[] = {"", "us", "ms", "s", "min", "h", "d", NULL};
	const char *p = v;
	int i;

	while (isdigit((unsigned char)*p))
		p++;
	if (p == v)
		return 0;
	for (i = 0; units[i]; i++)
		if (strcmp(p, units[i]) == 0)
			return 1;
	return 0;
}

/* Reads the "-- planpipe:" lines before the first statement. */
static pp_rc parse_directives(pp_mig *m, pp_err *err)
{
	size_t end = m->script.count ? m->script.stmts[0].offset : m->len;
	const char *p = m->sql, *stop = m->sql + end;
	int line = 1;

	for (; p < stop; line++) {
		const char *eol = memchr(p, '\n', (size_t)(stop - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(stop - p);
		char text[256], *val, **slot = NULL;

		if (n >= sizeof(directive_prefix) - 1 &&
		    memcmp(p, directive_prefix, sizeof(directive_prefix) - 1) == 0) {
			if (n >= sizeof(text))
				goto bad;
			memcpy(text, p + sizeof(directive_prefix) - 1,
			       n - (sizeof(directive_prefix) - 1));
			text[n - (sizeof(directive_prefix) - 1)] = '\0';
			while (strlen(text) && isspace((unsigned char)text[strlen(text) - 1]))
				text[strlen(text) - 1] = '\0';
			val = strchr(text, '=');
			if (val)
				*val++ = '\0';
			if (strcmp(text, "no-transaction") == 0 && val == NULL)
				m->no_transaction = 1;
			else if (strcmp(text, "lock_timeout") == 0 && val)
				slot = &m->lock_timeout;
			else if (strcmp(text, "statement_timeout") == 0 && val)
				slot = &m->statement_timeout;
			else
				goto bad;
			if (slot) {
				if (!valid_duration(val)) {
					pp_err_set(
						err, PP_EINVAL,
						"%s=\"%s\" is not a duration such as 500ms, 5s, 2min",
						text, val);
					pp_err_at(err, m->origin, line);
					return PP_EINVAL;
				}
				free(*slot);
				*slot = strdup(val);
				if (*slot == NULL)
					return pp_err_set(err, PP_ENOMEM, "out of memory");
			}
		}
		p = eol ? eol + 1 : stop;
		continue;
	bad:
		pp_err_set(
			err, PP_EINVAL,
			"unknown directive \"%.*s\": expected -- planpipe:no-transaction, "
			"-- planpipe:lock_timeout=DURATION or -- planpipe:statement_timeout=DURATION",
			(int)(n > 120 ? 120 : n), p);
		pp_err_at(err, m->origin, line);
		return PP_EINVAL;
	}
	/* A directive after the first statement would silently do nothing. */
	if (m->len > end) {
		const char *q = m->sql + end;
		while ((q = strstr(q, directive_prefix)) != NULL) {
			if (q == m->sql || q[-1] == '\n') {
				int l = 1;
				const char *r;
				for (r = m->sql; r < q; r++)
					l += *r == '\n';
				pp_err_set(err, PP_EINVAL,
					   "directives must come before the first statement");
				pp_err_at(err, m->origin, l);
				return PP_EINVAL;
			}
			q++;
		}
	}
	return PP_OK;
}

/* What may run where: the rules of transactional and no-transaction files. */
static pp_rc check_statements(pp_mig *m, pp_err *err)
{
	size_t i;

	if (m->script.count == 0) {
		pp_err_set(err, PP_EINVAL, "holds no SQL statement");
		pp_err_at(err, m->origin, 0);
		return PP_EINVAL;
	}
	if (m->no_transaction) {
		if (m->script.count != 1) {
			pp_err_set(
				err, PP_EINVAL,
				"a no-transaction migration must hold exactly one statement, "
				"this one holds %zu: a failure half-way would leave the others applied",
				m->script.count);
			pp_err_at(err, m->origin, m->script.stmts[1].line);
			return PP_EINVAL;
		}
		return PP_OK;
	}
	for (i = 0; i < m->script.count; i++) {
		const pp_sql_stmt *st = &m->script.stmts[i];
		if (st->no_tx_reason) {
			pp_err_set(
				err, PP_EINVAL,
				"%s, and this migration runs in one; move the statement to a file "
				"of its own that starts with \"-- planpipe:no-transaction\"",
				st->no_tx_reason);
			pp_err_at(err, m->origin, st->line);
			return PP_EINVAL;
		}
	}
	return PP_OK;
}

static pp_rc parse_migration(pp_mig *m, const char *filename, const char *origin, const char *data,
			     size_t len, pp_err *err)
{
	size_t name_start, name_len, i, j;
	pp_rc rc;

	memset(m, 0, sizeof(*m));
	m->origin = strdup(origin);
	m->filename = strdup(filename);
	m->sql = malloc(len + 1);
	if (m->origin == NULL || m->filename == NULL || m->sql == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	if (!parse_filename(filename, &m->version, &name_start, &name_len)) {
		pp_err_set(err, PP_EINVAL,
			   "the name does not follow NNNN_name.sql (four or more digits, not all "
			   "zero, then lowercase letters, digits and underscores)");
		pp_err_at(err, origin, 0);
		return PP_EINVAL;
	}
	m->name = strndup(filename + name_start, name_len);
	if (m->name == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	/* Fold CRLF to LF so that a checkout on Windows does not change the checksum. */
	for (i = 0, j = 0; i < len; i++) {
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			continue;
		m->sql[j++] = data[i];
	}
	m->sql[j] = '\0';
	m->len = j;
	if (strlen(m->sql) != m->len) {
		pp_err_set(err, PP_EINVAL, "holds a NUL byte");
		pp_err_at(err, origin, 0);
		return PP_EINVAL;
	}
	pp_sha256_hex(m->sql, m->len, m->checksum);
	rc = pp_sql_split(m->sql, m->len, &m->script, err);
	if (rc != PP_OK) {
		pp_err_at(err, origin, err->line);
		return rc;
	}
	rc = parse_directives(m, err);
	if (rc != PP_OK)
		return rc;
	return check_statements(m, err);
}

pp_rc pp_mig_add(pp_mig_set *set, const char *filename, const char *origin, const char *data,
		 size_t len, pp_err *err)
{
	pp_mig m, *items;
	size_t pos;
	pp_rc rc;

	rc = parse_migration(&m, filename, origin, data, len, err);
	if (rc != PP_OK) {
		migration_free(&m);
		return rc;
	}
	for (pos = 0; pos < set->count && set->items[pos].version < m.version; pos++)
		;
	if (pos < set->count && set->items[pos].version == m.version) {
		pp_err_set(err, PP_EINVAL, "version %d is also used by %s", m.version,
			   set->items[pos].origin);
		pp_err_at(err, origin, 0);
		migration_free(&m);
		return PP_EINVAL;
	}
	items = realloc(set->items, (set->count + 1) * sizeof(*items));
	if (items == NULL) {
		migration_free(&m);
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	set->items = items;
	memmove(&items[pos + 1], &items[pos], (set->count - pos) * sizeof(*items));
	items[pos] = m;
	set->count++;
	return PP_OK;
}

pp_rc pp_mig_load_dir(const char *dir, pp_mig_set *set, pp_err *err)
{
	struct dirent *de;
	pp_rc rc = PP_OK;
	DIR *d;

	set->items = NULL;
	set->count = 0;
	d = opendir(dir);
	if (d == NULL)
		return pp_err_set(err, PP_EIO, "cannot open migrations directory %s: %s", dir,
				  strerror(errno));
	while (rc == PP_OK && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char path[PATH_MAX];
		char *data;
		size_t len;

		if (de->d_name[0] == '.' || n < 4 || strcmp(de->d_name + n - 4, ".sql") != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path)) {
			rc = pp_err_set(err, PP_EINVAL, "path too long: %s/%s", dir, de->d_name);
			break;
		}
		rc = pp_file_read(path, MAX_MIGRATION_BYTES, &data, &len, err);
		if (rc != PP_OK)
			break;
		rc = pp_mig_add(set, de->d_name, path, data, len, err);
		free(data);
	}
	closedir(d);
	return rc;
}

pp_rc pp_mig_load_embedded(pp_mig_set *set, pp_err *err)
{
	char origin[512];
	size_t i;
	pp_rc rc;

	set->items = NULL;
	set->count = 0;
	for (i = 0; i < pp_embedded_migrations_count; i++) {
		const pp_embedded_file *f = &pp_embedded_migrations[i];
		snprintf(origin, sizeof(origin), "migrations/%s (embedded)", f->name);
		rc = pp_mig_add(set, f->name, origin, f->data, f->len, err);
		if (rc != PP_OK)
			return rc;
	}
	return PP_OK;
}

int pp_mig_latest(const pp_mig_set *set)
{
	return set->count ? set->items[set->count - 1].version : 0;
}

const pp_mig *pp_mig_find(const pp_mig_set *set, int version)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		if (set->items[i].version == version)
			return &set->items[i];
	return NULL;
}

int pp_mig_required_version(void)
{
	static int cached = -1;
	size_t i, start, len;
	int v, best = 0;

	if (cached >= 0)
		return cached;
	for (i = 0; i < pp_embedded_migrations_count; i++)
		if (parse_filename(pp_embedded_migrations[i].name, &v, &start, &len) && v > best)
			best = v;
	cached = best;
	return best;
}

pp_rc pp_mig_new_file(const char *dir, const char *name, char **path, pp_err *err)
{
	pp_mig_set set = {NULL, 0};
	char fn[256], full[PATH_MAX];
	size_t s, l;
	pp_buf body;
	int v;
	pp_rc rc;

	*path = NULL;
	snprintf(fn, sizeof(fn), "0001_%s.sql", name);
	if (strlen(name) > 100 || !parse_filename(fn, &v, &s, &l))
		return pp_err_set(
			err, PP_EINVAL,
			"migration name \"%s\" is invalid: use lowercase letters, digits and "
			"underscores, e.g. add_story_labels",
			name);
	rc = pp_mig_load_dir(dir, &set, err);
	if (rc != PP_OK) {
		pp_mig_set_free(&set);
		return rc;
	}
	v = pp_mig_latest(&set) + 1;
	pp_mig_set_free(&set);
	snprintf(fn, sizeof(fn), "%04d_%s.sql", v, name);
	if (snprintf(full, sizeof(full), "%s/%s", dir, fn) >= (int)sizeof(full))
		return pp_err_set(err, PP_EINVAL, "path too long: %s/%s", dir, fn);
	pp_buf_init(&body, 4096);
	rc = pp_buf_printf(
		&body,
		"-- %s: describe what this migration changes and why.\n"
		"--\n"
		"-- Runs in one transaction with its history row: on error nothing of it\n"
		"-- stays. Directives (only above the first statement):\n"
		"--   -- planpipe:lock_timeout=5s\n"
		"--   -- planpipe:statement_timeout=1min\n"
		"--   -- planpipe:no-transaction   (one statement, e.g. CREATE INDEX "
		"CONCURRENTLY)\n"
		"-- See docs/migrations.md.\n\n",
		fn);
	if (rc == PP_OK)
		rc = pp_file_create(full, pp_buf_str(&body), body.len, err);
	else
		pp_err_set(err, rc, "out of memory");
	pp_buf_free(&body);
	if (rc == PP_OK) {
		*path = strdup(full);
		if (*path == NULL)
			rc = pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	return rc;
}

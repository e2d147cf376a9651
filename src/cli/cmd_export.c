/*
 * cmd_export.c: `planpipe export json DIR` writes the dashboard's data (every
 * project report, the workflow, backlogs, stories with their history and
 * dependencies) as JSON files with an index.json; `planpipe export site DIR`
 * writes the dashboard itself (web/, embedded) with that data beside it, a
 * static site that opens from file:// or GitHub Pages with no API.
 * docs/dashboard.md describes the layout and the schema.
 *
 * The JSON documents are the API's: the reports are the same SQL functions
 * (src/db/report.c), the resources show rows as the API's fragments do
 * (src/cli/sql/export.sql). The export connects like every subcommand (usually the
 * schema owner, who sees every project).
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_export_int.h"
#include "cli/sql.h"
#include "core/buf.h"
#include "db/conn.h"
#include "db/report.h"
#include "version.h"
#include "web/assets.h"

static const char usage_text[] =
	"usage: planpipe export json DIR [--project KEY]...\n"
	"       planpipe export site DIR [--project KEY]...\n"
	"\n"
	"  json   the data: DIR/index.json, DIR/projects.json, DIR/status-summary.json\n"
	"         and per project DIR/KEY/{project,statuses,backlogs,stories}.json,\n"
	"         DIR/KEY/reports/NAME.json, DIR/KEY/reports/burndown/ID.json,\n"
	"         DIR/KEY/stories/STORY.json\n"
	"  site   the dashboard with that data: DIR/index.html, DIR/ui/, DIR/data.js and\n"
	"         the json export in DIR/data/; opens from file:// with no API\n"
	"\n"
	"  --project KEY   a project (repeat for more; default: every unarchived project)\n"
	"\n"
	"Reports use their default windows (docs/reports.md). DIR is created if missing;\n"
	"files in it are replaced. A symbolic link where a file or directory goes (DIR\n"
	"itself aside) is refused. Exit status: 0 written, 2 error.\n"
	"See docs/dashboard.md.\n";

#define EXPORT_SCHEMA "planpipe-export/1"
#define LINK_REFUSED  "%s is a symbolic link: export writes only regular files it creates"

typedef struct exporter {
	PGconn *conn;
	const char *dir; /* where the data goes: DIR, or DIR/data for a site */
	int fd;          /* that directory, open */
	json_t *answers; /* site: API path -> document, for data.js; else NULL */
	json_t *index;   /* index.json */
	pp_err err;
} exporter;

pp_rc export_make_parents(const char *path, pp_err *err)
{
	char buf[4096];
	size_t len = strlen(path);
	char *p;

	if (len >= sizeof(buf))
		/* The reason first: a path this long fills the message. */
		return pp_err_set(err, PP_EINVAL, "path too long: %s", path);
	memcpy(buf, path, len + 1);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return pp_err_set(err, PP_EIO, "cannot create %s: %s", buf,
					  strerror(errno));
		*p = '/';
	}
	return PP_OK;
}

/* err for name under dirfd (path in the message), which open or create failed with e. */
static pp_rc refuse(int dirfd, const char *name, const char *path, const char *what, int e,
		    pp_err *err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return pp_err_set(err, PP_EINVAL, LINK_REFUSED, path);
	return pp_err_set(err, PP_EIO, "cannot %s %s: %s", what, path, strerror(e));
}

int export_open_dir(int dirfd, const char *name, const char *path, pp_err *err)
{
	int fd;

	if (mkdirat(dirfd, name, 0755) != 0 && errno != EEXIST) {
		refuse(dirfd, name, path, "create", errno, err);
		return -1;
	}
	/* O_NOFOLLOW: a link put here (before or after the mkdirat) is never entered. */
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		refuse(dirfd, name, path, "open", errno, err);
	return fd;
}

/* Writes len bytes to fd: 0, or -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * name under dirfd (path in messages) replaced by a new file holding data:
 * written beside it under a fresh hidden name, then renamed over it, so that
 * the name holds the old file or the whole new one, and a link is never
 * written through (rename replaces the entry, whatever it is).
 */
static pp_rc replace_file(int dirfd, const char *name, const char *path, const char *data,
			  size_t len, pp_err *err)
{
	static unsigned seq;
	char tmp[600];
	struct stat st;
	int fd = -1, tries;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return pp_err_set(err, PP_EINVAL, LINK_REFUSED, path);
	for (tries = 0; fd < 0 && tries < 100; tries++) {
		snprintf(tmp, sizeof(tmp), ".%s.%ld.%u.tmp", name, (long)getpid(), seq++);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return pp_err_set(err, PP_EIO, "cannot write %s: %s", path, strerror(errno));
	if (write_all(fd, data, len) != 0) {
		int e = errno;

		close(fd);
		unlinkat(dirfd, tmp, 0);
		return pp_err_set(err, PP_EIO, "cannot write %s: %s", path, strerror(e));
	}
	if (close(fd) != 0 || renameat(dirfd, tmp, dirfd, name) != 0) {
		int e = errno;

		unlinkat(dirfd, tmp, 0);
		return pp_err_set(err, PP_EIO, "cannot write %s: %s", path, strerror(e));
	}
	return PP_OK;
}

pp_rc export_write_at(int dirfd, const char *shown, const char *rel, const char *data, size_t len,
		      pp_err *err)
{
	char path[4096];
	char *name, *slash;
	int fd = dirfd;
	pp_rc rc;

	/* rel is the export's own: keys pass export_file_name, assets are web/'s paths. */
	assert(rel[0] != '\0' && rel[0] != '/');
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", shown, rel) >= sizeof(path))
		return pp_err_set(err, PP_EINVAL, "path too long: %s/%s", shown, rel);
	/* Each directory of rel entered from the one above, never through a link. */
	for (name = path + strlen(path) - strlen(rel); (slash = strchr(name, '/')) != NULL;
	     name = slash + 1) {
		int sub;

		*slash = '\0';
		assert(strcmp(name, "..") != 0);
		sub = export_open_dir(fd, name, path, err);
		*slash = '/';
		if (fd != dirfd)
			close(fd);
		fd = sub;
		if (fd < 0)
			return err->rc;
	}
	rc = replace_file(fd, name, path, data, len, err);
	if (fd != dirfd)
		close(fd);
	return rc;
}

/* Writes j (borrowed) as DIR/rel, and records it as the answer to api_path (may be NULL). */
static pp_rc put(exporter *x, const char *rel, const char *api_path, json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	size_t len;
	char *nl;
	pp_rc rc;

	if (text == NULL)
		return pp_err_set(&x->err, PP_ENOMEM, "out of memory");
	len = strlen(text);
	nl = realloc(text, len + 2);
	if (nl == NULL) {
		free(text);
		return pp_err_set(&x->err, PP_ENOMEM, "out of memory");
	}
	nl[len] = '\n';
	nl[len + 1] = '\0';
	rc = export_write_at(x->fd, x->dir, rel, nl, len + 1, &x->err);
	free(nl);
	if (rc == PP_OK && x->answers != NULL && api_path != NULL &&
	    json_object_set(x->answers, api_path, j) != 0)
		return pp_err_set(&x->err, PP_ENOMEM, "out of memory");
	return rc;
}

/* Runs sql (one row; column col holds JSON) into *out, which the caller releases. */
static pp_rc query_json(exporter *x, const char *sql, int n, const char *const *params, int col,
			json_t **out)
{
	PGresult *res = PQexecParams(x->conn, sql, n, NULL, params, NULL, NULL, 0);
	json_error_t jerr;
	pp_rc rc = PP_OK;

	*out = NULL;
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		rc = pp_db_err(&x->err, x->conn, res, NULL);
	} else {
		*out = json_loads(PQgetvalue(res, 0, col), JSON_DECODE_ANY, &jerr);
		if (*out == NULL)
			rc = pp_err_set(&x->err, PP_EDB,
					"the database returned JSON that does not parse: %s",
					jerr.text);
	}
	PQclear(res);
	return rc;
}

pp_rc export_uri_encode(pp_buf *b, const char *s)
{
	static const char keep[] = "-_.!~*'()";
	pp_rc rc = PP_OK;

	for (; *s && rc == PP_OK; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c != 0 && strchr(keep, c) != NULL))
			rc = pp_buf_add(b, s, 1);
		else
			rc = pp_buf_printf(b, "%%%02X", c);
	}
	return rc;
}

void export_file_name(char *out, size_t size, const char *key)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < size; i++) {
		char c = key[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '_' || (c == '.' && i > 0);
		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
}

/* Runs report name for project (NULL: the selected projects) into rel; api is its GET path. */
static pp_rc report(exporter *x, const char *name, const pp_report_args *a, const char *rel,
		    const char *api)
{
	json_error_t jerr;
	char *text = NULL;
	json_t *j;
	pp_rc rc = pp_report_run(x->conn, name, a, &text, &x->err);

	if (rc != PP_OK)
		return rc;
	j = json_loads(text, 0, &jerr);
	free(text);
	if (j == NULL)
		return pp_err_set(&x->err, PP_EDB, "%s: JSON that does not parse: %s", name,
				  jerr.text);
	rc = put(x, rel, api, j);
	json_decref(j);
	return rc;
}

/* The stories' pages of project key: DIR/KEY/stories/STORY.json. */
static pp_rc export_stories(exporter *x, const char *key, const char *fkey, json_t *files)
{
	const char *p1[] = {key};
	PGresult *res = PQexecParams(x->conn, pp_cli_sql("export.sql", "story_pages"), 1, NULL, p1,
				     NULL, NULL, 0);
	char rel[512], api[512], sname[160];
	pp_rc rc = PP_OK;
	int i;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pp_db_err(&x->err, x->conn, res, NULL);
		goto out;
	}
	for (i = 0; i < PQntuples(res) && rc == PP_OK; i++) {
		const char *skey = PQgetvalue(res, i, 0);
		const char *parts[] = {"story", "history", "dependencies"};
		const char *pg[] = {key, skey, "down"};
		json_t *page = json_object(), *graphs = json_object(), *g = NULL;
		int k;

		export_file_name(sname, sizeof(sname), skey);
		snprintf(api, sizeof(api), "/v1/projects/%s/stories/%s", key, skey);
		for (k = 0; k < 3 && rc == PP_OK; k++) {
			json_error_t jerr;
			json_t *part = json_loads(PQgetvalue(res, i, k + 1), 0, &jerr);
			char path[600];

			if (part == NULL) {
				rc = pp_err_set(&x->err, PP_EDB, "%s:%s: bad JSON", key, skey);
				break;
			}
			snprintf(path, sizeof(path), "%s%s%s", api, k ? "/" : "",
				 k ? parts[k] : "");
			if (x->answers != NULL)
				json_object_set(x->answers, path, part);
			json_object_set_new(page, parts[k], part);
		}
		for (k = 0; k < 2 && rc == PP_OK; k++) {
			char path[600];

			pg[2] = k == 0 ? "down" : "up";
			rc = query_json(x, pp_cli_sql("export.sql", "graph"), 3, pg, 0, &g);
			if (rc != PP_OK)
				break;
			snprintf(path, sizeof(path), "%s/graph?direction=%s", api, pg[2]);
			if (x->answers != NULL)
				json_object_set(x->answers, path, g);
			json_object_set_new(graphs, pg[2], g);
		}
		json_object_set_new(page, "graph", graphs);
		snprintf(rel, sizeof(rel), "%s/stories/%s.json", fkey, sname);
		if (rc == PP_OK)
			rc = put(x, rel, NULL, page);
		json_decref(page);
	}
	if (rc == PP_OK)
		json_object_set_new(files, "stories_dir", json_sprintf("%s/stories/", fkey));
out:
	PQclear(res);
	return rc;
}

/*
 * j as FKEY/NAME.json, listed in files under NAME: the answer to
 * /v1/projects/KEY ("project") or /v1/projects/KEY/NAME.
 */
static pp_rc put_listed(exporter *x, json_t *files, const char *fkey, const char *key,
			const char *name, json_t *j)
{
	char rel[512], api[512];
	int whole = strcmp(name, "project") == 0;

	snprintf(rel, sizeof(rel), "%s/%s.json", fkey, name);
	snprintf(api, sizeof(api), "/v1/projects/%s%s%s", key, whole ? "" : "/", whole ? "" : name);
	json_object_set_new(files, name, json_string(rel));
	return put(x, rel, api, j);
}

/* Everything of one project: DIR/KEY/... */
static pp_rc export_project(exporter *x, json_t *project, json_t *entry)
{
	const char *key = json_string_value(json_object_get(project, "key"));
	const char *p1[] = {key};
	const char *one[] = {key};
	json_t *files = json_object(), *reports = json_object(), *burndowns = json_array();
	json_t *backlogs = NULL, *stories = NULL, *statuses = NULL, *b;
	char fkey[160], rel[512], api[512];
	pp_report_args a;
	pp_buf enc;
	size_t i;
	pp_rc rc;

	export_file_name(fkey, sizeof(fkey), key);
	pp_buf_init(&enc, 4096);
	json_object_set_new(entry, "key", json_string(key));
	json_object_set(entry, "name", json_object_get(project, "name"));
	json_object_set_new(entry, "dir", json_string(fkey));
	rc = put_listed(x, files, fkey, key, "project", project);
	if (rc == PP_OK)
		rc = query_json(x, pp_cli_sql("export.sql", "statuses"), 1, p1, 0, &statuses);
	if (rc == PP_OK)
		rc = put_listed(x, files, fkey, key, "statuses", statuses);
	if (rc == PP_OK)
		rc = query_json(x, pp_cli_sql("export.sql", "backlogs"), 1, p1, 0, &backlogs);
	if (rc == PP_OK)
		rc = put_listed(x, files, fkey, key, "backlogs", backlogs);
	if (rc == PP_OK)
		rc = query_json(x, pp_cli_sql("export.sql", "stories"), 1, p1, 0, &stories);
	snprintf(rel, sizeof(rel), "%s/stories.json", fkey);
	json_object_set_new(files, "stories", json_string(rel));
	if (rc == PP_OK) {
		/* The page reads the list as a page of the API's (items, next_cursor). */
		json_t *page = json_pack("{s:O,s:n}", "items", stories, "next_cursor");
		rc = put(x, rel, NULL, stories);
		snprintf(api, sizeof(api), "/v1/projects/%s/stories", key);
		if (rc == PP_OK && x->answers != NULL)
			json_object_set(x->answers, api, page);
		json_decref(page);
		json_object_set_new(entry, "stories",
				    json_integer((json_int_t)json_array_size(stories)));
	}
	memset(&a, 0, sizeof(a));
	a.projects = one;
	a.n_projects = 1;
	for (i = 0; pp_reports[i].name && rc == PP_OK; i++) {
		unsigned t = pp_report_takes(pp_reports[i].name);
		const char *name = pp_reports[i].name;

		if (!(t & PP_REPORT_PROJECTS) || (t & (PP_REPORT_BACKLOG | PP_REPORT_STORY)))
			continue;
		pp_buf_reset(&enc);
		rc = export_uri_encode(&enc, key);
		snprintf(rel, sizeof(rel), "%s/reports/%s.json", fkey, name);
		snprintf(api, sizeof(api), "/v1/reports/%s?project=%s", name, pp_buf_str(&enc));
		json_object_set_new(reports, name, json_string(rel));
		if (rc == PP_OK)
			rc = report(x, name, &a, rel, api);
	}
	/* A burndown per sprint (its JSON holds the burnup too). */
	json_array_foreach(backlogs, i, b)
	{
		const char *bname = json_string_value(json_object_get(b, "name"));
		json_int_t id = json_integer_value(json_object_get(b, "id"));

		if (rc != PP_OK)
			break;
		if (strcmp(json_string_value(json_object_get(b, "kind")), "sprint") != 0)
			continue;
		a.backlog = bname;
		pp_buf_reset(&enc);
		rc = export_uri_encode(&enc, key);
		if (rc == PP_OK)
			rc = pp_buf_adds(&enc, "&backlog=");
		if (rc == PP_OK)
			rc = export_uri_encode(&enc, bname);
		snprintf(rel, sizeof(rel), "%s/reports/burndown/%lld.json", fkey, (long long)id);
		snprintf(api, sizeof(api), "/v1/reports/burndown?project=%s", pp_buf_str(&enc));
		if (rc == PP_OK)
			rc = report(x, "burndown", &a, rel, api);
		json_array_append_new(burndowns, json_pack("{s:s,s:I,s:s}", "backlog", bname, "id",
							   id, "file", rel));
	}
	json_object_set_new(files, "reports", reports);
	json_object_set_new(files, "burndown", burndowns);
	if (rc == PP_OK)
		rc = export_stories(x, key, fkey, files);
	json_object_set_new(entry, "files", files);
	json_decref(statuses);
	json_decref(backlogs);
	json_decref(stories);
	pp_buf_free(&enc);
	return rc;
}

/* The json export into x->dir; keys: the --project keys as a JSON array, or NULL. */
static pp_rc export_data(exporter *x, const char *keys, const char *const *projects,
			 size_t n_projects)
{
	const char *p1[] = {keys};
	json_t *list = NULL, *now = NULL, *entries = json_array(), *p, *page;
	pp_report_args a = {.projects = projects, .n_projects = n_projects};
	size_t i;
	pp_rc rc;

	/* First, since it names the projects that do not exist ("no project NOPE"). */
	rc = report(x, "status-summary", &a, "status-summary.json", "/v1/reports/status-summary");
	if (rc == PP_OK)
		rc = query_json(x, pp_cli_sql("export.sql", "projects"), 1, p1, 0, &list);
	if (rc == PP_OK)
		rc = put(x, "projects.json", NULL, list);
	if (rc == PP_OK && x->answers != NULL) {
		page = json_pack("{s:O,s:n}", "items", list, "next_cursor");
		json_object_set_new(x->answers, "/v1/projects", page);
	}
	json_array_foreach(list, i, p)
	{
		json_t *entry = json_object();

		if (rc == PP_OK)
			rc = export_project(x, p, entry);
		json_array_append_new(entries, entry);
	}
	if (rc == PP_OK) {
		PGresult *res = PQexec(x->conn, pp_cli_sql("export.sql", "now"));
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			now = json_string(PQgetvalue(res, 0, 0));
		else
			rc = pp_db_err(&x->err, x->conn, res, NULL);
		PQclear(res);
	}
	if (rc == PP_OK) {
		json_object_set_new(x->index, "schema", json_string(EXPORT_SCHEMA));
		json_object_set(x->index, "generated_at", now);
		json_object_set_new(x->index, "planpipe", json_string(PP_VERSION));
		json_object_set_new(x->index, "files",
				    json_pack("{s:s,s:s}", "projects", "projects.json",
					      "status-summary", "status-summary.json"));
		json_object_set(x->index, "projects", entries);
		rc = put(x, "index.json", NULL, x->index);
	}
	json_decref(now);
	json_decref(entries);
	json_decref(list);
	return rc;
}

pp_rc export_site_index(pp_buf *b, const char *page)
{
	/* The served page's policy as a meta tag (frame-ancestors only works as a header), first
	 * in <head> so that it covers everything; data.js before the page's scripts. */
	static const char head[] = "<meta charset=\"utf-8\">\n";
	static const char csp[] =
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; "
		"script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; "
		"object-src 'none'; base-uri 'none'; form-action 'none'\">\n";
	static const char marker[] = "<script defer";
	static const char tag[] = "<script src=\"data.js\"></script>\n";
	const char *h = strstr(page, head), *at = strstr(page, marker);
	pp_rc rc;

	pp_buf_reset(b);
	if (h == NULL || at == NULL || at < h)
		return pp_buf_adds(b, page);
	h += strlen(head);
	rc = pp_buf_add(b, page, (size_t)(h - page));
	if (rc == PP_OK)
		rc = pp_buf_adds(b, csp);
	if (rc == PP_OK)
		rc = pp_buf_add(b, h, (size_t)(at - h));
	if (rc == PP_OK)
		rc = pp_buf_adds(b, tag);
	if (rc == PP_OK)
		rc = pp_buf_adds(b, at);
	return rc;
}

pp_rc export_data_js(pp_buf *b, const char *json)
{
	const char *js;
	pp_rc rc;

	pp_buf_reset(b);
	/* "</" never appears raw in a script: JSON may write "<\/". */
	rc = pp_buf_adds(b, "/* Written by planpipe export site: the dashboard's data. */\n"
			    "window.PP_STATIC = ");
	for (js = json; rc == PP_OK;) {
		const char *lt = strstr(js, "</");
		size_t n = lt ? (size_t)(lt - js) : strlen(js);

		rc = pp_buf_add(b, js, n);
		if (lt == NULL)
			break;
		if (rc == PP_OK)
			rc = pp_buf_adds(b, "<\\/");
		js = lt + 2;
	}
	if (rc == PP_OK)
		rc = pp_buf_adds(b, ";\n");
	return rc;
}

/* The site: web/ with data.js (window.PP_STATIC) loaded before the page's scripts. */
static pp_rc write_site(exporter *x, int fd, const char *dir)
{
	json_t *info = json_object();
	char *text;
	pp_buf b;
	size_t i;
	pp_rc rc = PP_OK;

	pp_buf_init(&b, (size_t)1 << 31);
	for (i = 0; i < pp_web_assets_count && rc == PP_OK; i++) {
		const pp_web_asset *a = &pp_web_assets[i];

		if (strcmp(a->path, "index.html") != 0) {
			rc = export_write_at(fd, dir, a->path, a->data, a->len, &x->err);
			continue;
		}
		rc = export_site_index(&b, a->data);
		if (rc == PP_OK)
			rc = export_write_at(fd, dir, a->path, pp_buf_str(&b), b.len, &x->err);
	}
	json_object_set(info, "generated_at", json_object_get(x->index, "generated_at"));
	json_object_set(info, "schema", json_object_get(x->index, "schema"));
	json_object_set(info, "responses", x->answers);
	text = rc == PP_OK ? json_dumps(info, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (rc == PP_OK && text == NULL)
		rc = pp_err_set(&x->err, PP_ENOMEM, "out of memory");
	if (rc == PP_OK)
		rc = export_data_js(&b, text);
	if (rc == PP_OK)
		rc = export_write_at(fd, dir, "data.js", pp_buf_str(&b), b.len, &x->err);
	if (rc == PP_ENOMEM && x->err.rc == PP_OK)
		pp_err_set(&x->err, PP_ENOMEM, "out of memory");
	free(text);
	json_decref(info);
	pp_buf_free(&b);
	return rc;
}

static int take_project(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	export_args *o = ctx;

	(void)opt;
	o->projects[o->n++] = arg;
	json_array_append_new(o->keys, json_string(arg));
	return 0;
}

static const pp_cli_opt opts[] = {
	{.name = "project", .kind = PP_CLI_TAKE, .take = take_project},
	{0},
};

static const pp_cli_spec spec = {.cmd = "export", .opts = opts, .usage_text = usage_text};

int export_parse_args(int argc, char **argv, export_args *a)
{
	int c = pp_cli_parse(argc, argv, &spec, a);

	if (c != 0)
		return c;
	if (argc - optind != 2 ||
	    (strcmp(argv[optind], "json") != 0 && strcmp(argv[optind], "site") != 0)) {
		pp_cli_error("export",
			     "expected json DIR or site DIR (see planpipe export --help)");
		return -1;
	}
	a->site = strcmp(argv[optind], "site") == 0;
	a->dir = argv[optind + 1];
	if (a->dir[0] == '\0') {
		pp_cli_error("export", "DIR is empty");
		return -1;
	}
	if ((size_t)snprintf(a->data_dir, sizeof(a->data_dir), "%s%s", a->dir,
			     a->site ? "/data" : "") >= sizeof(a->data_dir) - 512) {
		pp_cli_error("export", "DIR is too long");
		return -1;
	}
	return 0;
}

/*
 * DIR, created with the directories above it when missing and followed if a
 * link, as any path named on the command line is, into *root; then where the
 * data goes into x->fd: DIR again, or for a site DIR/data, entered from DIR
 * and never through a link. PP_OK, or x->err set.
 */
static pp_rc open_dirs(const export_args *o, exporter *x, int *root)
{
	if (export_make_parents(o->dir, &x->err) != PP_OK)
		return x->err.rc;
	if (mkdir(o->dir, 0755) != 0 && errno != EEXIST)
		return pp_err_set(&x->err, PP_EIO, "cannot create %s: %s", o->dir, strerror(errno));
	*root = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*root < 0)
		return pp_err_set(&x->err, PP_EIO, "cannot open %s: %s", o->dir, strerror(errno));
	x->fd = o->site ? export_open_dir(*root, "data", o->data_dir, &x->err) : *root;
	return x->fd < 0 ? x->err.rc : PP_OK;
}

int pp_cli_export(int argc, char **argv, const pp_config *cfg)
{
	const char **projects = calloc((size_t)argc + 1, sizeof(*projects));
	json_t *keys = json_array();
	char *keys_text = NULL;
	export_args o;
	exporter x;
	int c, root = -1, code = PP_EXIT_ERROR;

	memset(&x, 0, sizeof(x));
	memset(&o, 0, sizeof(o));
	x.fd = -1;
	if (projects == NULL || keys == NULL) {
		pp_cli_error("export", "out of memory");
		goto out;
	}
	o.projects = projects;
	o.keys = keys;
	c = export_parse_args(argc, argv, &o);
	if (c != 0) {
		code = pp_cli_parse_exit(c);
		goto out;
	}
	if (o.n > 0 && (keys_text = json_dumps(keys, JSON_COMPACT)) == NULL) {
		pp_cli_error("export", "out of memory");
		goto out;
	}
	x.dir = o.data_dir;
	x.index = json_object();
	x.answers = o.site ? json_object() : NULL;
	pp_err_clear(&x.err);
	x.conn = pp_cli_connect(cfg, "export", "planpipe export");
	if (x.conn == NULL)
		goto out;
	/* Times as the API writes them (UTC, "+00:00"); one snapshot for every file. */
	PQclear(PQexec(x.conn, pp_cli_sql("export.sql", "session")));
	PQclear(PQexec(x.conn, pp_cli_sql("export.sql", "begin")));
	if (open_dirs(&o, &x, &root) != PP_OK ||
	    export_data(&x, keys_text, projects, o.n) != PP_OK ||
	    (o.site && write_site(&x, root, o.dir) != PP_OK)) {
		pp_cli_error("export", x.err.msg);
		goto out;
	}
	PQclear(PQexec(x.conn, pp_cli_sql("export.sql", "commit")));
	fprintf(stderr, "planpipe export: %s written to %s (%zu project(s))\n",
		o.site ? "site" : "json", o.dir,
		json_array_size(json_object_get(x.index, "projects")));
	code = PP_EXIT_OK;
out:
	if (x.fd >= 0 && x.fd != root)
		close(x.fd);
	if (root >= 0)
		close(root);
	PQfinish(x.conn);
	json_decref(x.index);
	json_decref(x.answers);
	json_decref(keys);
	free(keys_text);
	free(projects);
	return code;
}

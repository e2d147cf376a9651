/* cmd_import.c: `planpipe import PATH --project KEY` and `planpipe import-repo PATH`. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_import_int.h"
#include "core/limits.h"
#include "import/import.h"

static const char usage_import_head[] =
	"usage: planpipe import PATH --project KEY [--backlog NAME] [--exclude GLOB]...\n"
	"                        [--index FILE] [--no-history] [--dry-run] [--prune]\n"
	"                        [--json]\n"
	"\n"
	"Imports every markdown story file with front matter below PATH into project KEY\n"
	"(created when missing). Files that did not change since the last import are not\n"
	"written. Inside a git work tree each story's status history is read from git.\n"
	"Problems are reported as FILE:LINE:COLUMN: a file with an error is not imported,\n"
	"a value that cannot be used is kept in metadata with a warning.\n"
	"\n";

static const char usage_import_tail[] =
	"\n"
	"Exit status: 0 imported, 1 some files had errors (the rest was imported),\n"
	"2 failure.\n"
	"See docs/import.md.\n";

static const char usage_repo[] =
	"usage: planpipe import-repo PATH [--exclude GLOB]... [--no-history] [--dry-run]\n"
	"                             [--prune] [--json]\n"
	"\n"
	"Imports a planning repository whose projects are git submodules: one project per\n"
	"submodule in PATH/.gitmodules, its key from the submodule's `planpipe-key` or\n"
	"its name (api-server -> API_SERVER), remote URL, path and branch recorded.\n"
	"A submodule that is not checked out is an error for its project, never a prune.\n"
	"Exit status as for import.\n";

#define MAX_EXCLUDE 64

/* The import's connection, for on_interrupt below. */
static PGcancel *volatile cancel_obj;
static volatile sig_atomic_t interrupted;

typedef struct args {
	const char *path, *project, *backlog, *index;
	const char *exclude[MAX_EXCLUDE];
	size_t n_exclude;
	int dry_run, prune, json, no_history;
} args;

static int take_exclude(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	args *a = ctx;

	(void)opt;
	if (a->n_exclude == MAX_EXCLUDE) {
		fprintf(stderr, "planpipe: at most %d --exclude patterns\n", MAX_EXCLUDE);
		return -1;
	}
	a->exclude[a->n_exclude++] = arg;
	return 0;
}

/* import's and import-repo's options; the usage of import lists them in this order. */
static const pp_cli_opt opts[] = {
	PP_CLI_STRING_OPT("project", args, project),
	{.name = "backlog",
	 .kind = PP_CLI_STRING,
	 .target = offsetof(args, backlog),
	 .arg = "NAME",
	 .help = "put new stories in this backlog (default: the project's first)"},
	{.name = "exclude",
	 .kind = PP_CLI_TAKE,
	 .take = take_exclude,
	 .arg = "GLOB",
	 .help = "leave these files out (gitignore syntax; repeatable; also\nPATH/.planpipeignore)"},
	{.name = "index",
	 .kind = PP_CLI_STRING,
	 .target = offsetof(args, index),
	 .arg = "FILE",
	 .help = "the backlog index (default: PATH/backlog/PRIORITIZATION.json)"},
	{.name = "no-history",
	 .kind = PP_CLI_FLAG,
	 .target = offsetof(args, no_history),
	 .help = "do not read the git history"},
	{.name = "dry-run",
	 .kind = PP_CLI_FLAG,
	 .target = offsetof(args, dry_run),
	 .help = "do everything, report it, and roll back"},
	{.name = "prune",
	 .kind = PP_CLI_FLAG,
	 .target = offsetof(args, prune),
	 .help = "archive stories no file holds any more (the file gone,\n"
		 "or its id changed)"},
	{.name = "json",
	 .kind = PP_CLI_FLAG,
	 .target = offsetof(args, json),
	 .help = "print the summary as JSON"},
	{0},
};

static void usage_import(FILE *out)
{
	fputs(usage_import_head, out);
	pp_cli_print_options(opts, PP_CLI_MAX_OPTS, 18, out);
	fputs(usage_import_tail, out);
}

static const pp_cli_spec spec_import = {.cmd = "import", .opts = opts, .usage = usage_import};
static const pp_cli_spec spec_repo = {.cmd = "import-repo", .opts = opts, .usage_text = usage_repo};

static int parse(int argc, char **argv, const pp_cli_spec *spec, args *a)
{
	int want_project = spec == &spec_import;
	int r;

	memset(a, 0, sizeof(*a));
	r = pp_cli_parse(argc, argv, spec, a);
	if (r != 0)
		return r;
	if (optind + 1 != argc || (want_project && a->project == NULL) ||
	    (!want_project && (a->project || a->backlog || a->index))) {
		if (spec->usage_text)
			fputs(spec->usage_text, stderr);
		else
			spec->usage(stderr);
		return -1;
	}
	a->path = argv[optind];
	if (a->project && !pp_project_key_valid(a->project, strlen(a->project))) {
		fprintf(stderr, "planpipe %s: error: --project %s: %s\n", spec->cmd, a->project,
			PP_PROJECT_KEY_RULE);
		return -1;
	}
	return 0;
}

const char *import_submodule_path_refused(const char *path)
{
	const char *p = path;

	if (*path == '/')
		return "is an absolute path: a submodule's path is relative to the repository";
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "has '..': it leads out of the repository";
		p += n + (p[n] == '/');
	}
	return NULL;
}

static void progress(void *ctx, size_t done, size_t total)
{
	(void)ctx;
	if (done == total || done % 50 == 0)
		fprintf(stderr, "\rreading story files: %zu/%zu%s", done, total,
			done == total ? "\n" : "");
}

void import_print_problems(FILE *out, const char *prefix, const pp_import_result *r)
{
	size_t i;

	for (i = 0; i < r->n_problems; i++) {
		const pp_import_problem *p = &r->problems[i];
		const char *kind = p->is_error ? "error" : "warning";
		if (p->line > 0 && p->col > 0)
			fprintf(out, "%s%s:%d:%d: %s: %s\n", prefix, p->file, p->line, p->col, kind,
				p->msg);
		else if (p->line > 0)
			fprintf(out, "%s%s:%d: %s: %s\n", prefix, p->file, p->line, kind, p->msg);
		else
			fprintf(out, "%s%s: %s: %s\n", prefix, p->file, kind, p->msg);
	}
}

json_t *import_result_json(const char *project, const pp_import_result *r, int dry_run)
{
	json_t *o = json_object(), *probs = json_array();
	size_t i;

	for (i = 0; i < r->n_problems; i++) {
		const pp_import_problem *p = &r->problems[i];
		json_t *j = json_object();
		json_object_set_new(j, "file", json_string(p->file));
		json_object_set_new(j, "line", p->line ? json_integer(p->line) : json_null());
		json_object_set_new(j, "column", p->col ? json_integer(p->col) : json_null());
		json_object_set_new(j, "severity", json_string(p->is_error ? "error" : "warning"));
		json_object_set_new(j, "message", json_string(p->msg));
		json_array_append_new(probs, j);
	}
	json_object_set_new(o, "project", json_string(project));
	json_object_set_new(o, "dry_run", json_boolean(dry_run));
	json_object_set_new(o, "project_created", json_boolean(r->project_created));
	json_object_set_new(o, "files", json_integer((json_int_t)r->files));
	json_object_set_new(o, "ignored", json_integer((json_int_t)r->ignored));
	json_object_set_new(o, "skipped", json_integer((json_int_t)r->skipped));
	json_object_set_new(o, "warned", json_integer((json_int_t)r->warned));
	json_object_set_new(o, "rejected", json_integer((json_int_t)r->rejected));
	json_object_set_new(o, "history_rows", json_integer((json_int_t)r->history_rows));
	json_object_set_new(o, "created", json_integer((json_int_t)r->created));
	json_object_set_new(o, "updated", json_integer((json_int_t)r->updated));
	json_object_set_new(o, "unchanged", json_integer((json_int_t)r->unchanged));
	json_object_set_new(o, "archived", json_integer((json_int_t)r->archived));
	json_object_set_new(o, "errors", json_integer((json_int_t)r->failed));
	json_object_set_new(o, "unresolved_dependencies", json_integer((json_int_t)r->unresolved));
	json_object_set_new(o, "commit", r->commit[0] ? json_string(r->commit) : json_null());
	json_object_set_new(o, "problems", probs);
	return o;
}

void import_print_summary(FILE *out, const char *project, const pp_import_result *r, int dry_run)
{
	fprintf(out, "%s%s: %zu created, %zu updated, %zu unchanged, %zu archived, %zu error%s",
		dry_run ? "dry run, nothing written: " : "", project, r->created, r->updated,
		r->unchanged, r->archived, r->failed, r->failed == 1 ? "" : "s");
	if (r->warned)
		fprintf(out, ", %zu with warnings", r->warned);
	if (r->skipped)
		fprintf(out, ", %zu skipped", r->skipped);
	if (r->history_rows)
		fprintf(out, ", %zu history row%s from git", r->history_rows,
			r->history_rows == 1 ? "" : "s");
	if (r->unresolved)
		fprintf(out, ", %zu unresolved dependenc%s", r->unresolved,
			r->unresolved == 1 ? "y" : "ies");
	if (r->commit[0])
		fprintf(out, " (commit %.12s)", r->commit);
	fputc('\n', out);
	if (!dry_run && r->created + r->updated + r->archived == 0 && r->failed == 0)
		fprintf(out, "%s: nothing changed since the last import\n", project);
}

int import_exit_code(pp_rc rc, const pp_import_result *r, int cancelled)
{
	if (rc != PP_OK)
		return cancelled ? IMPORT_EXIT_INTERRUPTED : PP_EXIT_ERROR;
	return r->failed ? 1 : PP_EXIT_OK;
}

/* The --json entry of a submodule import-repo did not import, with why. */
static json_t *failed_json(const pp_submodule *sub, const char *why)
{
	json_t *j = json_object();

	json_object_set_new(j, "submodule", json_string(sub->name));
	json_object_set_new(j, "project", json_string(sub->project_key));
	json_object_set_new(j, "path", json_string(sub->path));
	json_object_set_new(j, "error", json_string(why));
	return j;
}

/*
 * Runs one import and prints it; sub is import-repo's submodule (NULL for
 * import), named in an error and given an entry in all (--json) either
 * way. Returns the exit status.
 */
static int import_one(PGconn *conn, const pp_import_opts *o, int json, json_t *all,
		      const pp_submodule *sub)
{
	pp_import_result r;
	pp_err err;
	pp_rc rc;
	int code;

	pp_err_clear(&err);
	rc = pp_import_run(conn, o, &r, &err);
	code = import_exit_code(rc, &r, interrupted);
	if (rc != PP_OK) {
		import_print_problems(stderr, "", &r);
		pp_import_result_free(&r);
		if (interrupted)
			pp_err_set(&err, PP_EINVAL,
				   "interrupted: the import was cancelled and rolled back, nothing "
				   "was written");
		if (sub && all)
			json_array_append_new(all, failed_json(sub, err.msg));
		if (sub)
			pp_err_prefix(&err, "the submodule %s (project %s): ", sub->name,
				      sub->project_key);
		pp_cli_error(sub ? "import-repo" : "import", err.msg);
		return code;
	}
	if (json) {
		json_t *j = import_result_json(o->project, &r, o->dry_run);
		if (sub) {
			json_object_set_new(j, "submodule", json_string(sub->name));
			json_object_set_new(j, "path", json_string(sub->path));
		}
		if (all)
			json_array_append_new(all, j);
		else {
			json_dumpf(j, stdout, JSON_INDENT(2));
			putchar('\n');
			json_decref(j);
		}
	} else {
		import_print_problems(stderr, "", &r);
		import_print_summary(stdout, o->project, &r, o->dry_run);
	}
	pp_import_result_free(&r);
	return code;
}

/*
 * Ctrl-C (or SIGTERM) cancels the statement the import is running, so that
 * nothing keeps running on the server after planpipe exits, and sets the flag
 * the import checks between files and before COMMIT (pp_import_opts.stop):
 * either way the import fails and rolls back. A second one ends planpipe at once. PQcancel is
 * safe in a signal handler (libpq's documentation says so).
 */

static void on_interrupt(int sig)
{
	char buf[256];
	PGcancel *c = cancel_obj;

	interrupted = 1;
	if (c)
		PQcancel(c, buf, sizeof(buf));
	signal(sig, SIG_DFL);
}

static PGconn *connect_or_fail(const pp_config *cfg)
{
	PGconn *conn = pp_cli_connect(cfg, "import", "planpipe import");

	if (conn == NULL)
		return NULL;
	cancel_obj = PQgetCancel(conn);
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	return conn;
}

static void disconnect(PGconn *conn)
{
	PGcancel *c = cancel_obj;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	cancel_obj = NULL;
	PQfreeCancel(c);
	PQfinish(conn);
}

/* Whether a submodule's directory holds its checkout (its own .git). */
static int checked_out(const char *dir)
{
	char git[PATH_MAX];

	if (snprintf(git, sizeof(git), "%s/.git", dir) >= (int)sizeof(git))
		return 0;
	return access(git, F_OK) == 0;
}

/* The import of the files under path as the options in a say (import-repo's have no project). */
static void opts_from(const args *a, const char *path, pp_import_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->project = a->project;
	o->backlog = a->backlog;
	o->index_file = a->index;
	o->dry_run = a->dry_run;
	o->prune = a->prune;
	o->exclude = a->exclude;
	o->n_exclude = a->n_exclude;
	o->no_history = a->no_history;
	o->stop = &interrupted;
}

int pp_cli_import(int argc, char **argv, const pp_config *cfg)
{
	pp_import_opts o;
	PGconn *conn;
	args a;
	int r = parse(argc, argv, &spec_import, &a), code;

	if (r != 0)
		return pp_cli_parse_exit(r);
	opts_from(&a, a.path, &o);
	if (!a.json && isatty(STDERR_FILENO))
		o.on_progress = progress;
	conn = connect_or_fail(cfg);
	if (conn == NULL)
		return PP_EXIT_ERROR;
	code = import_one(conn, &o, a.json, NULL, NULL);
	disconnect(conn);
	return code;
}

/*
 * Says on standard error that import-repo refuses sub of the repository at
 * repo (fmt: why), and gives it an entry in all (--json) when not NULL.
 */
static void refuse(const char *repo, const pp_submodule *sub, json_t *all, const char *fmt, ...)
	PP_PRINTF(4, 5);

static void refuse(const char *repo, const pp_submodule *sub, json_t *all, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fprintf(stderr,
		"planpipe import-repo: error: %s/.gitmodules: the submodule %s (project %s): %s\n",
		repo, sub->name, sub->project_key, why);
	if (all)
		json_array_append_new(all, failed_json(sub, why));
}

int pp_cli_import_repo(int argc, char **argv, const pp_config *cfg)
{
	pp_submodule *subs = NULL;
	json_t *all = NULL;
	size_t n = 0, i;
	PGconn *conn;
	pp_err err;
	args a;
	int r = parse(argc, argv, &spec_repo, &a), code = PP_EXIT_OK;

	if (r != 0)
		return pp_cli_parse_exit(r);
	pp_err_clear(&err);
	if (pp_import_read_submodules(a.path, &subs, &n, &err) != PP_OK) {
		pp_submodules_free(subs, n);
		pp_cli_error("import-repo", err.msg);
		return PP_EXIT_ERROR;
	}
	conn = connect_or_fail(cfg);
	if (conn == NULL) {
		pp_submodules_free(subs, n);
		return PP_EXIT_ERROR;
	}
	if (a.json)
		all = json_array();
	for (i = 0; i < n; i++) {
		char dir[PATH_MAX];
		const char *why;
		pp_import_opts o;
		int c;

		snprintf(dir, sizeof(dir), "%s/%s", a.path, subs[i].path);
		opts_from(&a, dir, &o);
		o.project = subs[i].project_key;
		o.within = a.path;
		o.git_remote_url = subs[i].url;
		o.git_submodule_path = subs[i].path;
		o.git_branch = subs[i].branch;
		if ((why = import_submodule_path_refused(subs[i].path)) != NULL) {
			refuse(a.path, &subs[i], all, "path %s %s: refused", subs[i].path, why);
			code = PP_EXIT_ERROR;
			continue;
		}
		if (!pp_project_key_valid(subs[i].project_key, strlen(subs[i].project_key))) {
			refuse(a.path, &subs[i], all, "%s: set its planpipe-key: refused",
			       PP_PROJECT_KEY_RULE);
			code = PP_EXIT_ERROR;
			continue;
		}
		if (!checked_out(dir)) {
			/* Empty or missing: an error for this project, never a prune. */
			fprintf(stderr,
				"planpipe import-repo: %s: the submodule %s (project %s) is not "
				"checked out: git -C %s submodule update --init %s\n",
				dir, subs[i].name, subs[i].project_key, a.path, subs[i].path);
			if (all)
				json_array_append_new(all,
						      failed_json(&subs[i], "not checked out"));
			if (code < 1)
				code = 1;
			continue;
		}
		c = import_one(conn, &o, a.json, all, &subs[i]);
		if (c > code)
			code = c;
		if (interrupted)
			break;
	}
	if (all) {
		json_dumpf(all, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(all);
	}
	disconnect(conn);
	pp_submodules_free(subs, n);
	return code;
}

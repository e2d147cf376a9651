/*
 * import_db.c: the importer's database half, one transaction (see import.h):
 * the project, the status words, the upsert of the changed stories, then
 * history (import_history.c) and dependencies (import_deps.c).
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/proc.h"
#include "db/conn.h"
#include "import/git_history.h"
#include "import/import_db_int.h"
#include "import/import_int.h"
#include "import/sql.h"

/* This file's statements: src/import/sql/import.sql. */
#define SQL(name) pp_import_sql("import.sql", (name))

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The document SQL("upsert") reads (see import_db_int.h). */
char *import_db_story_doc(const pp_story *s, const char *git_created, int from_index)
{
	json_t *d = json_object(), *labels = json_array(), *meta;
	char *text;
	size_t i;

	for (i = 0; i < s->n_labels; i++)
		json_array_append_new(labels, json_string(s->labels[i]));
	meta = json_loads(s->metadata_json ? s->metadata_json : "{}", 0, NULL);
	json_object_set_new(d, "key", json_string(s->key));
	json_object_set_new(d, "title", json_string(s->title));
	json_object_set_new(d, "status", str_or_null(s->status));
	json_object_set_new(d, "priority", str_or_null(s->priority));
	json_object_set_new(d, "priority_rank",
			    s->priority_rank > 0 ? json_integer(s->priority_rank) : json_null());
	json_object_set_new(d, "estimate_points",
			    s->has_points ? json_real(s->estimate_points) : json_null());
	json_object_set_new(d, "estimate_raw", str_or_null(s->estimate_raw));
	json_object_set_new(d, "epic", str_or_null(s->epic));
	json_object_set_new(d, "owner", str_or_null(s->owner));
	json_object_set_new(d, "author", str_or_null(s->author));
	json_object_set_new(d, "branch_name", str_or_null(s->branch_name));
	json_object_set_new(d, "created", str_or_null(s->created_utc));
	json_object_set_new(d, "last_updated", str_or_null(s->last_updated_utc));
	json_object_set_new(d, "git_created", str_or_null(git_created));
	json_object_set_new(d, "from_index", json_boolean(from_index));
	json_object_set_new(d, "labels", labels);
	json_object_set_new(d, "metadata", meta ? meta : json_object());
	json_object_set_new(d, "body", json_string(s->body ? s->body : ""));
	json_object_set_new(d, "checklist_total", json_integer(s->checklist_total));
	json_object_set_new(d, "checklist_done", json_integer(s->checklist_done));
	text = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	return text;
}

/* Adds word to the batch's words (COPY rows of pp_import_words_in); the SQL keeps each once. */
static pp_rc add_word(pp_buf *words, const char *word)
{
	pp_rc rc;

	if (word == NULL)
		return PP_OK;
	rc = pp_import_copy_field(words, word);
	return rc == PP_OK ? pp_buf_adds(words, "\n") : rc;
}

/*
 * Every status word of the batch (b->words), the git history's included,
 * resolved to the project's status keys (planpipe_resolve_status: the
 * workflow, then the vocabulary) into *words (word, key), the caller's to
 * PQclear, also on failure; *workflow, the project's statuses for the
 * message of a word nothing knows, likewise. Each story's word is looked up
 * when its row is sent (send_rows).
 */
static pp_rc resolve_statuses(PGconn *conn, const char *project_id, pp_import_batch *b,
			      const pp_git_history *h, PGresult **words, PGresult **workflow,
			      pp_err *err)
{
	pp_buf rows;
	const char *p[1] = {project_id};
	const char *word;
	json_t *v;
	size_t i, k;
	pp_rc rc = PP_OK;

	*words = *workflow = NULL;
	pp_buf_init(&rows, (size_t)1 << 28);
	json_object_foreach(b->words, word, v) rc = rc == PP_OK ? add_word(&rows, word) : rc;
	for (i = 0; rc == PP_OK && h && i < b->n; i++) {
		const pp_git_file *f;
		if (!b->items[i].ok)
			continue;
		f = pp_git_history_find(h, b->items[i].path);
		for (k = 0; rc == PP_OK && f && k < f->n_changes; k++)
			rc = add_word(&rows, f->changes[k].to_status);
	}
	if (rc != PP_OK) {
		rc = pp_err_set(err, rc, "out of memory collecting status words");
		goto out;
	}
	rc = pp_import_copy_in(conn, SQL("copy_words"), &rows, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, SQL("words_distinct"), NULL, err);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, SQL("words_resolve"), 1, p, words, err);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, SQL("workflow"), 1, p, workflow, err);
out:
	pp_buf_free(&rows);
	return rc;
}

/* The status word made the project's key, or an error for it (see import_db_int.h). */
pp_rc import_db_status_key(pp_import_item *it, pp_story *s, const pp_import_index_word *ix,
			   const char *project_key, PGresult *words, PGresult *workflow,
			   pp_import_result *res)
{
	const char *key;
	char *copy;
	pp_rc rc;

	if (ix && ix->set && s->status && pp_import_word_key(words, s->status) == NULL) {
		res->failed++;
		rc = pp_import_problem_add(
			res, ix->index, 0, 0, 1,
			"backlog[%zu].status: unknown status \"%s\" for %s: project %s has %s; "
			"add it with `planpipe workflow add %s \"%s\" --category "
			"todo|active|done|cancelled` (or POST /v1/projects/%s/statuses); %s is "
			"imported with its file's status%s%s%s",
			ix->entry, s->status, s->key, project_key, PQgetvalue(workflow, 0, 0),
			project_key, s->status, project_key, it->path,
			ix->file_status ? ", \"" : " (none)",
			ix->file_status ? ix->file_status : "", ix->file_status ? "\"" : "");
		if (rc != PP_OK)
			return rc;
		copy = NULL;
		if (ix->file_status && (copy = strdup(ix->file_status)) == NULL)
			return PP_ENOMEM;
		free(s->status);
		s->status = copy;
	} else if (ix && ix->set && ix->warning &&
		   (rc = pp_import_problem_add(res, it->path, ix->line, ix->column, 0, "%s",
					       ix->warning)) != PP_OK)
		return rc;
	if (s->status == NULL)
		return PP_OK;
	if ((key = pp_import_word_key(words, s->status)) == NULL) {
		it->ok = 0;
		res->failed++;
		res->rejected++;
		return pp_import_problem_add(
			res, it->path, s->status_pos.line, s->status_pos.column, 1,
			"unknown status \"%s\": project %s has %s; add it with `planpipe "
			"workflow add %s \"%s\" --category todo|active|done|cancelled` "
			"(or POST /v1/projects/%s/statuses)",
			s->status, project_key, PQgetvalue(workflow, 0, 0), project_key, s->status,
			project_key);
	}
	if (strcmp(key, s->status) == 0)
		return PP_OK;
	if ((copy = strdup(key)) == NULL)
		return PP_ENOMEM;
	free(s->status);
	s->status = copy;
	return PP_OK;
}

static const char *blob_hex(const pp_import_item *it, char hex[PP_GIT_OID_HEX_LEN + 1])
{
	pp_hex(it->blob, sizeof(it->blob), hex);
	return hex;
}

/* "path\tblob\tfield" of a COPY row (pp_import_seen, pp_import): the file and its blob first. */
static pp_rc path_blob_field(pp_buf *rows, const pp_import_item *it, const char *field)
{
	char hex[PP_GIT_OID_HEX_LEN + 1];
	pp_rc rc = pp_import_copy_field(rows, it->path);

	if (rc == PP_OK)
		rc = pp_buf_printf(rows, "\t%s\t", blob_hex(it, hex));
	return rc == PP_OK ? pp_import_copy_field(rows, field) : rc;
}

/*
 * COPY pp_import_seen: every file, its blob, and its key when it parsed,
 * streamed.
 */
static pp_rc send_seen(PGconn *conn, const pp_import_batch *b, pp_err *err)
{
	pp_import_copy c;
	size_t i;
	pp_rc rc = pp_import_copy_begin(&c, conn, SQL("copy_seen"), err);

	if (rc != PP_OK)
		return rc;
	for (i = 0; rc == PP_OK && i < b->n; i++) {
		const pp_import_item *it = &b->items[i];
		rc = it->ok ? path_blob_field(&c.rows, it, it->key)
			    : pp_import_copy_field(&c.rows, it->path);
		if (rc == PP_OK)
			rc = pp_buf_adds(&c.rows, it->ok ? (it->from_index ? "\tt\n" : "\tf\n")
							 : "\t\\N\t\\N\t\\N\n");
		if (rc != PP_OK)
			rc = pp_err_set(err, rc, "out of memory listing the files");
		else
			rc = pp_import_copy_flush(&c, err);
	}
	return pp_import_copy_end(&c, rc, err);
}

/* The rows of pp_import_deps of s, the story of the file at path, into out. */
pp_rc import_db_dep_rows(const char *path, const pp_story *s, pp_buf *out)
{
	pp_rc rc = PP_OK;
	size_t k;

	for (k = 0; rc == PP_OK && k < s->n_deps; k++) {
		const pp_story_dep *d = &s->deps[k];
		rc = pp_import_copy_field(out, path);
		if (rc == PP_OK)
			rc = pp_buf_adds(out, "\t");
		if (rc == PP_OK)
			rc = pp_import_copy_field(out, d->project);
		if (rc == PP_OK)
			rc = pp_buf_adds(out, "\t");
		if (rc == PP_OK)
			rc = pp_import_copy_field(out, d->key);
		if (rc == PP_OK)
			rc = pp_buf_printf(out, "\t%d\t%d\n", d->pos.line, d->pos.column);
	}
	return rc;
}

/* What send_rows hands to the dependencies, sent by send_deps after the stories. */
typedef import_db_spool dep_spool;

/*
 * An unnamed temporary file in TMPDIR (else /tmp): created, then unlinked at
 * once, so that nothing is left behind whatever happens. NULL: err set.
 */
static FILE *spool_open(pp_err *err)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	FILE *f;
	int fd;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if (snprintf(path, sizeof(path), "%s/planpipe-import-deps.XXXXXX", dir) >=
	    (int)sizeof(path)) {
		pp_err_set(err, PP_EIO, "TMPDIR is too long for a temporary file: %s", dir);
		return NULL;
	}
	if ((fd = mkstemp(path)) < 0) {
		pp_err_set(err, PP_EIO,
			   "cannot create a temporary file for the dependencies in %s: %s", dir,
			   strerror(errno));
		return NULL;
	}
	unlink(path);
	if ((f = fdopen(fd, "w+")) == NULL) {
		pp_err_set(err, PP_EIO, "cannot open the dependencies' temporary file: %s",
			   strerror(errno));
		close(fd);
	}
	return f;
}

pp_rc import_db_spool_write(dep_spool *d, int all, pp_err *err)
{
	if (d->buf.len == 0 || (!all && d->buf.len < ((size_t)1 << 20)))
		return PP_OK;
	if (d->f == NULL && (d->f = spool_open(err)) == NULL)
		return PP_EIO;
	if (fwrite(d->buf.data, 1, d->buf.len, d->f) != d->buf.len)
		return pp_err_set(err, PP_EIO, "cannot write the dependencies' temporary file: %s",
				  strerror(errno));
	pp_buf_reset(&d->buf);
	return PP_OK;
}

/* COPY pp_import_deps from the spool, in chunks. */
static pp_rc send_deps(PGconn *conn, dep_spool *d, pp_err *err)
{
	const char *sql = SQL("copy_deps");
	pp_import_copy c;
	char *chunk;
	size_t got;
	pp_rc rc = import_db_spool_write(d, 1, err);

	if (rc != PP_OK || d->f == NULL)
		return rc;
	if (fflush(d->f) != 0 || fseek(d->f, 0, SEEK_SET) != 0)
		return pp_err_set(err, PP_EIO, "cannot read the dependencies' temporary file: %s",
				  strerror(errno));
	if ((chunk = malloc(PP_IMPORT_COPY_CHUNK)) == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory sending the dependencies");
	if ((rc = pp_import_copy_begin(&c, conn, sql, err)) != PP_OK) {
		free(chunk);
		return rc;
	}
	while (rc == PP_OK && (got = fread(chunk, 1, PP_IMPORT_COPY_CHUNK, d->f)) > 0)
		if (PQputCopyData(conn, chunk, (int)got) != 1)
			rc = pp_db_err(err, conn, NULL, sql);
	if (rc == PP_OK && ferror(d->f))
		rc = pp_err_set(err, PP_EIO, "cannot read the dependencies' temporary file");
	free(chunk);
	return pp_import_copy_end(&c, rc, err);
}

/*
 * The second pass over the files, streamed: for each file whose story is
 * written (send) or whose dependencies are (deps), its story whole (parsed
 * again unless kept), its status word made the project's key (or an error
 * for it), its dependencies into the spool, and, when it is sent, its row
 * COPY'd to pp_import; the story is freed before the next file, so that
 * memory does not grow with the tree. *n_rows says how many rows went.
 */
static pp_rc send_rows(PGconn *conn, const pp_import_opts *o, pp_import_batch *b,
		       const pp_git_history *h, PGresult *words, PGresult *workflow,
		       dep_spool *spool, pp_import_result *res, size_t *n_rows, pp_err *err)
{
	pp_import_copy c;
	size_t i;
	pp_rc rc = pp_import_copy_begin(&c, conn, SQL("copy_rows"), err);

	*n_rows = 0;
	if (rc != PP_OK)
		return rc;
	for (i = 0; rc == PP_OK && i < b->n; i++) {
		pp_import_item *it = &b->items[i];
		const pp_git_file *f;
		pp_story *s = NULL;
		char *doc = NULL;

		if (!it->ok || (!it->send && !it->deps) || !it->parsed)
			continue;
		if (o->stop && *o->stop) {
			rc = pp_err_set(err, PP_EINVAL, "interrupted");
			break;
		}
		if ((rc = pp_import_story_whole(o->path, it, &s, res, err)) != PP_OK || s == NULL)
			continue;
		rc = import_db_status_key(it, s, b->index_words ? &b->index_words[i] : NULL,
					  o->project, words, workflow, res);
		if (rc == PP_OK && it->ok && it->deps)
			rc = import_db_dep_rows(it->path, s, &spool->buf);
		if (rc == PP_OK && it->ok && it->deps) {
			spool->n += s->n_deps;
			rc = import_db_spool_write(spool, 0, err);
		}
		if (rc == PP_OK && it->ok && it->send) {
			f = h ? pp_git_history_find(h, it->path) : NULL;
			doc = import_db_story_doc(s, f && f->created ? f->created->time_iso : NULL,
						  it->from_index);
			rc = doc ? path_blob_field(&c.rows, it, doc) : PP_ENOMEM;
			if (rc == PP_OK)
				rc = pp_buf_adds(&c.rows, "\n");
			if (rc == PP_OK)
				(*n_rows)++;
			if (rc == PP_OK)
				rc = pp_import_copy_flush(&c, err);
			free(doc);
		}
		pp_story_free(s);
		free(s);
		if (rc == PP_ENOMEM || rc == PP_ETOOBIG)
			rc = pp_err_set(err, rc, "out of memory building the import");
	}
	return pp_import_copy_end(&c, rc, err);
}

/* Runs sql with params inside a savepoint; on failure rolls back to it and fills err. */
static pp_rc guarded(PGconn *conn, const char *sql, int n, const char *const *p, pp_err *err)
{
	pp_rc rc = pp_db_exec(conn, SQL("savepoint"), NULL, err);

	if (rc == PP_OK)
		rc = pp_db_execp(conn, sql, n, p, NULL, err);
	if (rc == PP_OK)
		return pp_db_exec(conn, SQL("release"), NULL, err);
	pp_db_exec_quiet(conn, SQL("rollback_to"));
	pp_db_exec_quiet(conn, SQL("release"));
	return rc;
}

/*
 * Upserts every file at once; when the database refuses the batch (a
 * constraint no check above foresaw), file by file, so that the one bad
 * file is named and skipped and the rest still land.
 */
static pp_rc upsert(PGconn *conn, const char *project_id, const char *backlog_id,
		    pp_import_batch *b, pp_import_result *res, pp_err *err)
{
	const char *p[3] = {project_id, backlog_id, NULL};
	pp_err one;
	size_t i;
	pp_rc rc;

	rc = guarded(conn, SQL("upsert"), 3, p, err);
	if (rc != PP_EDB)
		return rc;
	for (i = 0; i < b->n; i++) {
		if (!b->items[i].ok || !b->items[i].send)
			continue;
		p[2] = b->items[i].path;
		pp_err_clear(&one);
		rc = guarded(conn, SQL("upsert"), 3, p, &one);
		if (rc == PP_EDB) {
			b->items[i].ok = 0;
			res->failed++;
			res->rejected++;
			rc = pp_import_problem_add(res, b->items[i].path, 0, 0, 1, "%s", one.msg);
		}
		if (rc != PP_OK) {
			if (rc != PP_EDB && one.msg[0])
				*err = one;
			return rc;
		}
	}
	return PP_OK;
}

static long count_of(PGconn *conn, const char *sql, int n, const char *const *p, pp_err *err)
{
	PGresult *r;
	long v;

	if (pp_db_execp(conn, sql, n, p, &r, err) != PP_OK)
		return -1;
	v = strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return v;
}

/*
 * Names each active story whose file the import wrote another story from
 * (SQL("displaced")): a warning on the file with both keys. It is in no
 * file now; SQL("prune") archives it when prune is set.
 */
static pp_rc report_displaced(PGconn *conn, const char *project_id, int prune,
			      pp_import_result *res, pp_err *err)
{
	PGresult *r;
	int i;
	pp_rc rc = pp_db_execp(conn, SQL("displaced"), 1, &project_id, &r, err);

	for (i = 0; rc == PP_OK && i < PQntuples(r); i++)
		rc = pp_import_problem_add(
			res, PQgetvalue(r, i, 0), 0, 0, 0,
			"the file now holds %s, not %s: %s is no longer in any file (%s)",
			PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 2),
			prune ? "archived" : "--prune archives it");
	if (rc == PP_ENOMEM)
		pp_err_set(err, rc, "out of memory");
	PQclear(r);
	return rc;
}

/*
 * The backlog new stories go to, created only when stories are written: a
 * project without one gets "Backlog"; a --backlog NAME the project does not
 * have is created with a warning (a typo shows, not a silent new backlog).
 */
static pp_rc backlog_create(PGconn *conn, const char *project_id, const char *name, char *id,
			    size_t size, pp_import_result *res, pp_err *err)
{
	const char *p[2] = {project_id, name};
	pp_rc rc = pp_import_one_value(conn, SQL("backlog_create"), 2, p, id, size, err);

	if (rc == PP_OK && name != NULL)
		rc = pp_import_problem_add(res, "--backlog", 0, 0, 0,
					   "the project had no backlog \"%s\": created", name);
	if (rc == PP_ENOMEM)
		pp_err_set(err, rc, "out of memory");
	return rc;
}

static pp_rc in_transaction(PGconn *conn, const pp_import_opts *o, pp_import_batch *b,
			    pp_import_result *res, pp_err *err)
{
	char project_id[32], backlog_id[32], created[32];
	const char *p[4];
	dep_spool deps;
	pp_git_history h;
	int have_history = 0;
	size_t i, n_rows = 0, n_ok = 0;
	PGresult *r, *words = NULL, *workflow = NULL;
	long archived;
	pp_err one;
	pp_rc rc;

	memset(&h, 0, sizeof(h));
	memset(&deps, 0, sizeof(deps));
	/* A chunk, and room for the one story's rows that pass it. */
	pp_buf_init(&deps.buf, (size_t)64 << 20);
	rc = pp_db_exec(conn, SQL("setup"), NULL, err);
	p[0] = o->project;
	if (rc == PP_OK)
		rc = pp_import_one_value(conn, SQL("project_create"), 1, p, created,
					 sizeof(created), err);
	res->project_created = created[0] != '\0';
	if (rc == PP_OK)
		rc = pp_import_one_value(conn, SQL("project_lock"), 1, p, project_id,
					 sizeof(project_id), err);
	p[0] = project_id;
	p[1] = o->git_remote_url;
	p[2] = o->git_submodule_path;
	p[3] = o->git_branch;
	if (rc == PP_OK && (o->git_remote_url || o->git_submodule_path || o->git_branch))
		rc = pp_db_execp(conn, SQL("project_git"), 4, p, NULL, err);
	p[1] = o->backlog;
	if (rc == PP_OK)
		rc = pp_import_one_value(conn, SQL("backlog_find"), 2, p, backlog_id,
					 sizeof(backlog_id), err);
	if (rc == PP_OK && !o->no_history)
		rc = pp_import_read_history(conn, o, project_id, &h, &have_history, res, err);
	if (rc == PP_OK)
		rc = send_seen(conn, b, err);
	/* Lazy, the files are parsed (and their status words known) after the comparison. */
	if (rc == PP_OK)
		rc = pp_import_parse_changed(conn, o, project_id, b, res, err);
	if (rc == PP_OK)
		rc = resolve_statuses(conn, project_id, b, have_history ? &h : NULL, &words,
				      &workflow, err);
	if (rc == PP_OK && have_history)
		rc = pp_db_exec(conn, SQL("history_external"), NULL, err);
	if (rc == PP_OK)
		rc = send_rows(conn, o, b, have_history ? &h : NULL, words, workflow, &deps, res,
			       &n_rows, err);
	if (rc == PP_OK)
		rc = send_deps(conn, &deps, err);
	p[0] = project_id;
	/* Only a speed-up: a role that may not touch the counter leaves it to the trigger. */
	if (rc == PP_OK && n_rows > 0)
		(void)guarded(conn, SQL("counter_raise"), 1, p, &one);
	if (rc == PP_OK && n_rows > 0 && !backlog_id[0])
		rc = backlog_create(conn, project_id, o->backlog, backlog_id, sizeof(backlog_id),
				    res, err);
	if (rc == PP_OK && n_rows > 0)
		rc = upsert(conn, project_id, backlog_id, b, res, err);
	if (rc == PP_OK && have_history)
		rc = pp_import_write_history(conn, project_id, b, &h, words, res, err);
	if (rc == PP_OK && have_history)
		rc = pp_db_exec(conn, SQL("history_end"), NULL, err);
	/* Nothing below reads the files: their memory goes before the dependencies need theirs. */
	for (i = 0; i < b->n; i++)
		n_ok += b->items[i].ok;
	pp_import_batch_free(b);
	if (rc == PP_OK)
		rc = pp_import_link(conn, project_id, o->project, res, err);
	if (rc == PP_OK && n_rows > 0)
		rc = report_displaced(conn, project_id, o->prune, res, err);
	if (rc == PP_OK && o->prune) {
		archived = count_of(conn, SQL("prune"), 1, p, err);
		rc = archived < 0 ? PP_EDB : PP_OK;
		res->archived = archived < 0 ? 0 : (size_t)archived;
	}
	pp_import_git_head(o->path, res->commit);
	p[1] = res->commit;
	if (rc == PP_OK && res->commit[0])
		rc = pp_db_execp(conn, SQL("commit_sync"), 2, p, NULL, err);
	if (rc == PP_OK && (rc = pp_db_exec(conn, SQL("counts"), &r, err)) == PP_OK) {
		res->created = strtoul(PQgetvalue(r, 0, 0), NULL, 10);
		res->updated = strtoul(PQgetvalue(r, 0, 1), NULL, 10);
		PQclear(r);
		res->unchanged = n_ok - res->created - res->updated;
	}
	PQclear(words);
	PQclear(workflow);
	pp_git_history_free(&h);
	pp_buf_free(&deps.buf);
	if (deps.f)
		fclose(deps.f);
	return rc;
}

/*
 * A notice or warning the server sends during the import (a function's
 * RAISE NOTICE, a WARNING) would go to standard error as libpq's text, with
 * its DETAIL and HINT lines and no file. It becomes a warning on the
 * directory instead, its primary message only.
 */
typedef struct notice_ctx {
	pp_import_result *res;
} notice_ctx;

static void on_notice(void *arg, const PGresult *r)
{
	notice_ctx *nc = arg;
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);

	(void)pp_import_problem_add(nc->res, ".", 0, 0, 0, "the database says (%s): %s",
				    sev ? sev : "NOTICE", msg ? msg : "");
}

pp_rc pp_import_db(PGconn *conn, const pp_import_opts *o, pp_import_batch *b, pp_import_result *res,
		   pp_err *err)
{
	notice_ctx nc = {res};
	PQnoticeReceiver old = PQsetNoticeReceiver(conn, on_notice, &nc);
	void *old_arg = NULL;
	pp_rc rc = pp_db_exec(conn, SQL("begin"), NULL, err);

	/* Only warnings and worse: the notices of CREATE ... IF NOT EXISTS and the like are noise.
	 */
	if (rc == PP_OK)
		rc = pp_db_exec(conn, SQL("quiet"), NULL, err);
	if (rc == PP_OK)
		rc = in_transaction(conn, o, b, res, err);
	/* Interrupted while no statement ran (PQcancel had nothing to cancel). */
	if (rc == PP_OK && o->stop && *o->stop)
		rc = pp_err_set(err, PP_EINVAL, "interrupted");
	if (rc == PP_OK && !o->dry_run)
		rc = pp_db_exec(conn, SQL("commit"), NULL, err);
	else
		pp_db_exec_quiet(conn, SQL("rollback"));
	(void)PQsetNoticeReceiver(conn, old, old_arg);
	return rc;
}

/*
 * import_history.c: the stories' status history from git, in the import's
 * transaction (see import_int.h and docs/import.md, "History from git"):
 * the commits since the project's last imported one, one status_history row
 * for each change of status, and the lifecycle timestamps from them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/proc.h"
#include "db/conn.h"
#include "import/git_history.h"
#include "import/import_history_int.h"
#include "import/import_int.h"
#include "import/sql.h"

/* This file's statements: src/import/sql/history.sql. */
#define SQL(name) pp_import_sql("history.sql", (name))

const char *pp_import_word_key(const PGresult *r, const char *word)
{
	int i;

	for (i = 0; word && i < PQntuples(r); i++)
		if (strcmp(PQgetvalue(r, i, 0), word) == 0)
			return PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1);
	return NULL;
}

/*
 * The COPY rows of pp_import_git: every status change git knows of the
 * batch's stories, in order. A change to no status (the field removed) is
 * left out; so, with a warning, is a word nothing knows.
 */
pp_rc import_history_git_rows(const pp_import_batch *b, const pp_git_history *h, PGresult *words,
			      pp_buf *out, pp_import_result *res)
{
	pp_rc rc = PP_OK;
	size_t i, k;

	for (i = 0; rc == PP_OK && i < b->n; i++) {
		const pp_import_item *it = &b->items[i];
		const pp_git_file *f = it->ok ? pp_git_history_find(h, it->path) : NULL;

		for (k = 0; rc == PP_OK && f && k < f->n_changes; k++) {
			const pp_git_status_change *c = &f->changes[k];
			const pp_git_commit *cm = c->commit;
			if (c->to_status == NULL)
				continue;
			if (pp_import_word_key(words, c->to_status) == NULL) {
				rc = pp_import_problem_add(
					res, it->path, 0, 0, 0,
					"git history: status \"%s\" of commit %.12s is not a status "
					"this project knows: that change is left out",
					c->to_status, cm->id);
				continue;
			}
			rc = pp_import_copy_field(out, it->path);
			if (rc == PP_OK)
				rc = pp_buf_printf(out, "\t%zu\t%s\t%s\t", k, cm->id, cm->time_iso);
			if (rc == PP_OK) {
				pp_buf actor;
				pp_buf_init(&actor, 1024);
				rc = pp_buf_printf(&actor, "%s <%s>", cm->author_name,
						   cm->author_email);
				if (rc == PP_OK)
					rc = pp_import_copy_field(out, pp_buf_str(&actor));
				pp_buf_free(&actor);
			}
			if (rc == PP_OK)
				rc = pp_buf_adds(out, "\t");
			if (rc == PP_OK)
				rc = pp_import_copy_field(out, c->to_status);
			if (rc == PP_OK)
				rc = pp_buf_adds(out, "\n");
		}
	}
	return rc;
}

/*
 * Writes the batch's history from git, then a row for every changed story
 * whose status git does not explain, and the lifecycle timestamps from the
 * whole history. The statements run under planpipe.history = external.
 */
pp_rc pp_import_write_history(PGconn *conn, const char *project_id, pp_import_batch *b,
			      const pp_git_history *h, PGresult *words, pp_import_result *res,
			      pp_err *err)
{
	const char *p[1] = {project_id};
	PGresult *r = NULL;
	pp_buf rows;
	pp_rc rc;

	pp_buf_init(&rows, (size_t)1 << 30);
	rc = import_history_git_rows(b, h, words, &rows, res);
	if (rc != PP_OK) {
		rc = pp_err_set(err, rc, "out of memory building the git history");
		goto out;
	}
	rc = pp_import_copy_in(conn, SQL("copy_git"), &rows, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, SQL("git_partitions"), NULL, err);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, SQL("git_history"), 1, p, NULL, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, SQL("git_reconcile"), &r, err);
	if (rc == PP_OK && PQntuples(r) == 1)
		res->history_rows = strtoul(PQgetvalue(r, 0, 1), NULL, 10);
out:
	PQclear(r);
	pp_buf_free(&rows);
	return rc;
}

/*
 * The git history of o->path since the project's last imported commit (all
 * of it before the project has any history from git). Sets *have when there
 * is one; a directory outside git has none, silently; git that cannot run
 * or fails is a warning, and the import goes on without history.
 */
pp_rc pp_import_read_history(PGconn *conn, const pp_import_opts *o, const char *project_id,
			     pp_git_history *h, int *have, pp_import_result *res, pp_err *err)
{
	char since[PP_GIT_ID_MAX + 1];
	const char *p[1] = {project_id};
	pp_git_history_opts go = {o->path, NULL};
	pp_err gerr;
	pp_rc rc = pp_import_one_value(conn, SQL("git_since"), 1, p, since, sizeof(since), err);

	*have = 0;
	if (rc != PP_OK)
		return rc;
	go.since = since[0] ? since : NULL;
	pp_err_clear(&gerr);
	rc = pp_git_history_walk(&go, h, &gerr);
	if (rc == PP_ENOMEM)
		return pp_err_set(err, rc, "out of memory reading the git history");
	if (rc == PP_EINVAL)
		return PP_OK;
	if (rc != PP_OK)
		return pp_import_problem_add(
			res, ".", 0, 0, 0, "the git history was not read (%s): history starts now",
			gerr.msg);
	*have = 1;
	if (h->shallow)
		return pp_import_problem_add(
			res, ".", 0, 0, 0,
			"a shallow clone: the history before its oldest commit "
			"is missing (git fetch --unshallow brings it)");
	return PP_OK;
}

/* HEAD of the checkout at path, or "" when it is not one (or git is missing). */
void pp_import_git_head(const char *path, char out[41])
{
	const char *argv[] = {"git", "-C", path, "rev-parse", "--verify", "-q", "HEAD", NULL};
	char *text = NULL;
	size_t len;
	int status;
	pp_err ignored;

	out[0] = '\0';
	if (pp_proc_capture(argv, 4096, &text, &len, &status, &ignored) == PP_OK && status == 0 &&
	    len >= 40 && strspn(text, "0123456789abcdef") == 40) {
		memcpy(out, text, 40);
		out[40] = '\0';
	}
	free(text);
}

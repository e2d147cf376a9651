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
#include "import/import_int.h"

static const char sql_git_since[] =
	"SELECT CASE WHEN EXISTS (SELECT FROM status_history h WHERE h.project_id = p.id"
	"   AND h.source = 'git') THEN p.git_last_synced_commit END FROM projects p WHERE p.id = $1";

/* The months the git rows fall in get their partitions first. */
static const char sql_git_partitions[] =
	"SELECT planpipe_create_history_partition(m)"
	"  FROM (SELECT DISTINCT date_trunc('month', changed_at AT TIME ZONE 'UTC')::date AS m"
	"        FROM pp_import_git) AS months ORDER BY m";

/*
 * The git rows of the batch's stories that are not recorded yet, each from
 * the status before it (the story's last recorded one for the first), at
 * the commit's time; words that mean the same status collapse.
 */
static const char sql_git_history[] =
	"WITH new AS ("
	"  SELECT s.id AS story_id, g.seq, g.changed_at, g.commit_id, g.actor, w.key AS to_status"
	"    FROM pp_import_git g"
	"    JOIN stories s ON s.project_id = $1 AND s.source_path = g.path"
	"    JOIN pp_import_words w ON w.word = g.word AND w.key IS NOT NULL"
	"   WHERE NOT EXISTS (SELECT FROM status_history h"
	"                      WHERE h.story_id = s.id AND h.commit_id = g.commit_id)"
	"), prev AS ("
	"  SELECT DISTINCT ON (h.story_id) h.story_id, h.to_status FROM status_history h"
	"   WHERE h.story_id IN (SELECT story_id FROM new)"
	"   ORDER BY h.story_id, h.changed_at DESC, h.id DESC"
	"), seq AS ("
	"  SELECT n.*, CASE WHEN row_number() OVER w = 1 THEN p.to_status"
	"              ELSE lag(n.to_status) OVER w END AS from_status"
	"    FROM new n LEFT JOIN prev p USING (story_id)"
	"  WINDOW w AS (PARTITION BY n.story_id ORDER BY n.seq)"
	"), ins AS ("
	"  INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at,"
	"    source, actor, commit_id)"
	"  SELECT story_id, $1, from_status, to_status, changed_at, 'git', actor, commit_id FROM seq"
	"   WHERE from_status IS DISTINCT FROM to_status ORDER BY story_id, seq"
	"  RETURNING story_id"
	") INSERT INTO pp_import_lifecycle SELECT DISTINCT story_id FROM ins ON CONFLICT DO NOTHING";

/*
 * A changed story whose last recorded status is not its status now (a file
 * git does not track yet, an uncommitted change, the index's word): one row
 * at the import's time, as without git.
 */
static const char sql_git_reconcile[] =
	"WITH ins AS ("
	"  INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_by,"
	"    source)"
	"  SELECT s.id, s.project_id, l.to_status, s.status, planpipe_setting_user_id(), 'import'"
	"    FROM stories s JOIN pp_import_changed c ON c.id = s.id"
	"    LEFT JOIN LATERAL (SELECT h.to_status FROM status_history h WHERE h.story_id = s.id"
	"                        ORDER BY h.changed_at DESC, h.id DESC LIMIT 1) l ON true"
	"   WHERE l.to_status IS DISTINCT FROM s.status"
	"  RETURNING story_id"
	") INSERT INTO pp_import_lifecycle SELECT story_id FROM ins ON CONFLICT DO NOTHING;"
	"SELECT planpipe_story_lifecycle_from_history(array_agg(story_id)),"
	"       (SELECT count(*) FROM status_history h JOIN pp_import_lifecycle l USING (story_id)"
	"         WHERE h.source = 'git')"
	"  FROM pp_import_lifecycle";

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
static pp_rc build_git_rows(const pp_import_batch *b, const pp_git_history *h, PGresult *words,
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
	rc = build_git_rows(b, h, words, &rows, res);
	if (rc != PP_OK) {
		rc = pp_err_set(err, rc, "out of memory building the git history");
		goto out;
	}
	rc = pp_import_copy_in(conn, "COPY pp_import_git FROM STDIN", &rows, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, sql_git_partitions, NULL, err);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, sql_git_history, 1, p, NULL, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, sql_git_reconcile, &r, err);
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
	pp_rc rc = pp_import_one_value(conn, sql_git_since, 1, p, since, sizeof(since), err);

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

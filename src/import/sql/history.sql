-- The status history from git (src/import/import_history.c), in the
-- import's transaction.

-- name: git_since
SELECT CASE WHEN EXISTS (SELECT FROM status_history h WHERE h.project_id = p.id
  AND h.source = 'git') THEN p.git_last_synced_commit END FROM projects p WHERE p.id = $1

-- name: git_partitions
-- The months the git rows fall in get their partitions first.
SELECT planpipe_create_history_partition(m)
 FROM (SELECT DISTINCT date_trunc('month', changed_at AT TIME ZONE 'UTC')::date AS m
       FROM pp_import_git) AS months ORDER BY m

-- name: git_history
-- The git rows of the batch's stories that are not recorded yet, each from
-- the status before it (the story's last recorded one for the first), at
-- the commit's time; words that mean the same status collapse. A file's rows
-- go to one story, the one the file holds: the active story the import wrote
-- from it (its path and blob id), never another that only has its path (the
-- story a renumbered file held before, an archived one, one given the path
-- by hand).
WITH held AS (
 SELECT DISTINCT ON (v.path) v.path, s.id FROM pp_import_seen v
   JOIN stories s ON s.project_id = $1 AND s.source_path = v.path
    AND s.source_blob_id = v.blob AND s.archived_at IS NULL
  WHERE v.path IN (SELECT path FROM pp_import_git)
  ORDER BY v.path, s.id
), new AS (
 SELECT f.id AS story_id, g.seq, g.changed_at, g.commit_id, g.actor, w.key AS to_status
   FROM pp_import_git g
   JOIN held f ON f.path = g.path
   JOIN pp_import_words w ON w.word = g.word AND w.key IS NOT NULL
  WHERE NOT EXISTS (SELECT FROM status_history h
                     WHERE h.story_id = f.id AND h.commit_id = g.commit_id)
), prev AS (
 SELECT DISTINCT ON (h.story_id) h.story_id, h.to_status FROM status_history h
  WHERE h.story_id IN (SELECT story_id FROM new)
  ORDER BY h.story_id, h.changed_at DESC, h.id DESC
), seq AS (
 SELECT n.*, CASE WHEN row_number() OVER w = 1 THEN p.to_status
             ELSE lag(n.to_status) OVER w END AS from_status
   FROM new n LEFT JOIN prev p USING (story_id)
 WINDOW w AS (PARTITION BY n.story_id ORDER BY n.seq)
), ins AS (
 INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at,
   source, actor, commit_id)
 SELECT story_id, $1, from_status, to_status, changed_at, 'git', actor, commit_id FROM seq
  WHERE from_status IS DISTINCT FROM to_status ORDER BY story_id, seq
 RETURNING story_id
) INSERT INTO pp_import_lifecycle SELECT DISTINCT story_id FROM ins ON CONFLICT DO NOTHING

-- name: git_reconcile
-- A changed story whose last recorded status is not its status now (a file
-- git does not track yet, an uncommitted change, the index's word): one row
-- at the import's time, as without git.
WITH ins AS (
 INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_by,
   source)
 SELECT s.id, s.project_id, l.to_status, s.status, planpipe_setting_user_id(), 'import'
   FROM stories s JOIN pp_import_changed c ON c.id = s.id
   LEFT JOIN LATERAL (SELECT h.to_status FROM status_history h WHERE h.story_id = s.id
                       ORDER BY h.changed_at DESC, h.id DESC LIMIT 1) l ON true
  WHERE l.to_status IS DISTINCT FROM s.status
 RETURNING story_id
) INSERT INTO pp_import_lifecycle SELECT story_id FROM ins ON CONFLICT DO NOTHING;
SELECT planpipe_story_lifecycle_from_history(array_agg(story_id)),
      (SELECT count(*) FROM status_history h JOIN pp_import_lifecycle l USING (story_id)
        WHERE h.source = 'git')
 FROM pp_import_lifecycle

-- name: copy_git
-- Every status change git knows of the batch's stories, in order:
-- (path, seq, commit_id, changed_at, actor, word).
COPY pp_import_git FROM STDIN

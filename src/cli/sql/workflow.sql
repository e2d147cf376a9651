
-- name: list
-- TODO
SELECT ps.status, ps.name, s.category, ps.position, s.blocked,
        (SELECT count(*) FROM stories st WHERE st.project_id = ps.project_id
           AND st.status = ps.status AND st.archived_at IS NULL)
   FROM project_statuses ps JOIN statuses s ON s.key = ps.status
  WHERE ps.project_id = (SELECT id FROM projects WHERE key = $1)
  ORDER BY ps.position, ps.status

-- name: project
-- TODO
SELECT id FROM projects WHERE key = $1

-- name: add
-- TODO
SELECT planpipe_workflow_add($1::bigint, $2, $3, $4, $5::int)

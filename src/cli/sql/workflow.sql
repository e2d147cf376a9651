-- `planpipe workflow` (src/cli/cmd_workflow.c): a project's statuses.

-- name: list
-- The workflow of project $1 (its key), in order: status, name, category,
-- position, blocked, and how many unarchived stories are in it.
SELECT ps.status, ps.name, s.category, ps.position, s.blocked,
        (SELECT count(*) FROM stories st WHERE st.project_id = ps.project_id
           AND st.status = ps.status AND st.archived_at IS NULL)
   FROM project_statuses ps JOIN statuses s ON s.key = ps.status
  WHERE ps.project_id = (SELECT id FROM projects WHERE key = $1)
  ORDER BY ps.position, ps.status

-- name: project
-- The id of project $1 (its key): no row when there is none.
SELECT id FROM projects WHERE key = $1

-- name: add
-- Adds status $2 to project $1 (its id): $3 its category, $4 its name, $5
-- its position (NULL: last); see migrations for planpipe_workflow_add.
SELECT planpipe_workflow_add($1::bigint, $2, $3, $4, $5::int)

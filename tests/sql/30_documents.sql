-- A project's, a backlog's and a story's JSON documents are the database's
-- (migrations 0035 and 0036): the API's statements and the export call
-- planpipe_project_json(), planpipe_backlog_json(), planpipe_story_fields()
-- and planpipe_story_json(). Their fields, in the order the API has always
-- written them (docs/openapi.json).
BEGIN;
SELECT plan(5);

INSERT INTO projects (key, name) VALUES ('DOC', 'Documents');
INSERT INTO backlogs (project_id, name) SELECT id, 'Sprint' FROM projects WHERE key = 'DOC';
INSERT INTO stories (project_id, title, body) SELECT id, 'A story', 'Its body' FROM projects WHERE key = 'DOC';

SELECT is((SELECT array_agg(k) FROM projects p, json_object_keys(planpipe_project_json(p, 'viewer')) k
           WHERE p.key = 'DOC'),
          ARRAY['key', 'name', 'description', 'story_key_prefix', 'git_remote_url',
                'git_submodule_path', 'git_default_branch', 'git_stories_dir',
                'git_last_synced_commit', 'git_last_synced_at', 'metadata', 'role',
                'created_at', 'updated_at', 'archived_at', 'version'],
          'a project''s fields');
SELECT is((SELECT planpipe_project_json(p, 'viewer')->>'role' FROM projects p WHERE p.key = 'DOC'),
          'viewer', '... with the role given');
SELECT is((SELECT array_agg(k) FROM backlogs b, json_object_keys(planpipe_backlog_json(b)) k
           WHERE b.name = 'Sprint'),
          ARRAY['id', 'name', 'kind', 'position', 'description', 'starts_on', 'ends_on',
                'created_at', 'updated_at', 'archived_at', 'version'],
          'a backlog''s fields');
SELECT is((SELECT array_agg(k) FROM stories s, json_object_keys(planpipe_story_json(s, 'DOC')) k
           WHERE s.title = 'A story'),
          ARRAY['project', 'key', 'ref', 'title', 'status', 'category', 'priority', 'priority_rank',
                'estimate_points', 'estimate_raw', 'epic', 'labels', 'owner', 'author',
                'branch_name', 'checklist_total', 'checklist_done', 'backlog', 'rank',
                'source_path', 'source_blob_id', 'metadata', 'last_updated', 'created_at',
                'updated_at', 'started_at', 'completed_at', 'archived_at', 'version', 'body'],
          'a story''s fields, the body last');
SELECT is((SELECT planpipe_story_fields(s, 'DOC')::jsonb ? 'body' FROM stories s WHERE s.title = 'A story'),
          false, 'a list''s story has no body');

SELECT * FROM finish();
ROLLBACK;

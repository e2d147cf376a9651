-- A project's, a backlog's and a story's JSON documents are the database's
-- (migrations 0035 and 0036): the API's statements and the export call
-- planpipe_project_json(), planpipe_backlog_json(), planpipe_story_fields()
-- and planpipe_story_json(). Their fields, in the order the API has always
-- written them (docs/openapi.json). The story's read answers with the same
-- document (0038), and no other function writes a story's fields out.
BEGIN;
SELECT plan(7);

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

-- GET of one story (planpipe_api_story_get, 0038) answers with
-- planpipe_story_json(), byte for byte, through the policies.
INSERT INTO users (handle, api_token_hash) VALUES ('reader', sha256('token-reader'));
\ir lib/members.sql
SELECT pg_temp.add_members(ARRAY[['DOC', 'reader', 'viewer']]);
UPDATE stories SET body = E'Line one\n"quoted" \\ tab\there \u00e9', labels = '{a,b}'
WHERE title = 'A story';
CREATE TEMP TABLE read_answer AS
SELECT g.body::text AS body
FROM stories s, planpipe_api_story_get(sha256('token-reader'), 'DOC', s.key) g
WHERE s.title = 'A story';
RESET ROLE;
SELECT set_config('planpipe.token_hash', '', true);
SELECT is((SELECT body FROM read_answer),
          (SELECT planpipe_story_json(s, 'DOC')::text FROM stories s WHERE s.title = 'A story'),
          'a story''s read answers with planpipe_story_json()');

-- The story's fields are written out in one function: a json_build_object()
-- that names a story's columns anywhere else is a second copy.
SELECT is((SELECT array_agg(proname::text ORDER BY proname) FROM pg_proc
           WHERE pronamespace = 'public'::regnamespace
             AND prosrc ~ 'json_build_object'
             AND prosrc ~ '''source_blob_id'', *s\.source_blob_id'),
          ARRAY['planpipe_story_fields'],
          'only planpipe_story_fields() writes a story''s fields');

SELECT * FROM finish();
ROLLBACK;

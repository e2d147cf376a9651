-- Stories named by label, 'PROJECT:KEY' (tests/sql/05, 17): pg_temp.sid
-- finds a story by its label, pg_temp.pid a project by its key. Included
-- with \ir; lib/history.sql's pg_temp.sid takes a bare key instead, and a
-- file includes one or the other.
CREATE FUNCTION pg_temp.sid(p_label text) RETURNS bigint LANGUAGE sql
AS $$ SELECT s.id FROM stories s JOIN projects p ON p.id = s.project_id
      WHERE p.key || ':' || s.key = p_label $$;
CREATE FUNCTION pg_temp.pid(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM projects WHERE key = p_key $$;

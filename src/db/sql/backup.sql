-- `planpipe backup` (src/db/backup.c): what the manifest says about the
-- source, read in the snapshot that pg_dump shares.

-- name: snapshot
-- Everything the manifest says about the source, read in the snapshot.
-- No parameters: the snapshot's name, the time (ISO and compact, UTC), the
-- server's version as text and number, the database as JSON.
SELECT pg_export_snapshot(),
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"'),
       current_setting('server_version'), current_setting('server_version_num'),
       json_build_object('name', d.datname, 'owner', pg_get_userbyid(d.datdba),
         'encoding', pg_encoding_to_char(d.encoding), 'collate', d.datcollate,
         'ctype', d.datctype, 'locale_provider', to_jsonb(d) ->> 'datlocprovider',
         'icu_locale', coalesce(to_jsonb(d) ->> 'daticulocale', to_jsonb(d) ->> 'datlocale'),
         'size_bytes', pg_database_size(d.oid))
  FROM pg_database d WHERE d.datname = current_database()

-- name: roles
-- The roles the database needs: owners of its objects, and roles named by
-- its privileges and policies (pg_shdepend; the bootstrap superuser is never
-- recorded there, hence the owner columns too).
-- No parameters: one JSON object {owners, grantees}.
WITH ns AS (SELECT oid FROM pg_namespace
             WHERE nspname <> 'information_schema' AND nspname !~ '^pg_'),
     db AS (SELECT oid FROM pg_database WHERE datname = current_database()),
     owners AS (SELECT relowner AS r FROM pg_class WHERE relnamespace IN (SELECT oid FROM ns)
                UNION SELECT proowner FROM pg_proc WHERE pronamespace IN (SELECT oid FROM ns)
                UNION SELECT typowner FROM pg_type WHERE typnamespace IN (SELECT oid FROM ns)
                UNION SELECT nspowner FROM pg_namespace WHERE oid IN (SELECT oid FROM ns)
                UNION SELECT refobjid FROM pg_shdepend
                       WHERE dbid = (SELECT oid FROM db) AND deptype = 'o'
                         AND refclassid = 'pg_authid'::regclass),
     grantees AS (SELECT refobjid AS r FROM pg_shdepend
                   WHERE dbid = (SELECT oid FROM db) AND deptype IN ('a', 'r', 'i')
                     AND refclassid = 'pg_authid'::regclass
                  EXCEPT SELECT r FROM owners)
SELECT json_build_object(
  'owners', coalesce((SELECT json_agg(pg_get_userbyid(r) ORDER BY 1)
                        FROM owners WHERE r <> 0), '[]'),
  'grantees', coalesce((SELECT json_agg(pg_get_userbyid(r) ORDER BY 1)
                          FROM grantees WHERE r <> 0), '[]'))

-- name: begin_snapshot
-- The backup's transaction: one snapshot, which pg_dump shares
-- (pg_export_snapshot in snapshot). No parameters.
BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY

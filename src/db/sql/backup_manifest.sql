-- The manifest's statistics of a backup and of its verification
-- (src/db/backup_manifest.c): per table its rows and checksum (built in C:
-- the table is named at run time), per kind of object how many.

-- name: session
-- Every setting that changes how a value prints.
-- Several statements in one text (run with PQexec, not prepared). No
-- parameters.
SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD';
  SET IntervalStyle = 'postgres'; SET extra_float_digits = 1;
  SET bytea_output = 'hex'; SET statement_timeout = 0;
  SET row_security = off

-- name: tables
-- The tables holding rows: leaves, user schemas, not an extension's own.
-- Per table its quoted name and its columns' quoted names. No parameters.
SELECT format('%I.%I', n.nspname, c.relname),
        coalesce((SELECT string_agg(format('%I', a.attname), ', '
                                    ORDER BY a.attname COLLATE "C")
                    FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND c.relpersistence <> 't'
    AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                       AND d.objid = c.oid AND d.deptype = 'e')
  ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"

-- name: objects
-- How many objects of each kind the schema holds: a restore that lost an
-- index, a trigger or a policy differs here even when every row is there.
-- No parameters: one JSON object, a count per kind.
WITH ns AS (SELECT oid FROM pg_namespace
             WHERE nspname <> 'information_schema' AND nspname !~ '^pg_'),
     ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
     rel AS (SELECT c.oid, c.relkind FROM pg_class c
              WHERE c.relnamespace IN (SELECT oid FROM ns) AND c.relpersistence <> 't'
                AND NOT EXISTS (SELECT FROM ext WHERE ext.classid = 'pg_class'::regclass
                                   AND ext.objid = c.oid))
SELECT json_build_object(
  'tables', (SELECT count(*) FROM rel WHERE relkind IN ('r', 'p')),
  'indexes', (SELECT count(*) FROM pg_index i WHERE i.indrelid IN
              (SELECT oid FROM rel WHERE relkind IN ('r', 'p', 'm'))),
  'sequences', (SELECT count(*) FROM rel WHERE relkind = 'S'),
  'views', (SELECT count(*) FROM rel WHERE relkind IN ('v', 'm')),
  'constraints', (SELECT count(*) FROM pg_constraint co
                   WHERE co.connamespace IN (SELECT oid FROM ns)
                     AND (co.conrelid = 0 OR co.conrelid IN (SELECT oid FROM rel))),
  'triggers', (SELECT count(*) FROM pg_trigger t
                WHERE NOT t.tgisinternal AND t.tgrelid IN (SELECT oid FROM rel)),
  'policies', (SELECT count(*) FROM pg_policy p
                WHERE p.polrelid IN (SELECT oid FROM rel)),
  'functions', (SELECT count(*) FROM pg_proc p
                 WHERE p.pronamespace IN (SELECT oid FROM ns)
                   AND NOT EXISTS (SELECT FROM ext
                                    WHERE ext.classid = 'pg_proc'::regclass
                                      AND ext.objid = p.oid)),
  'extensions', (SELECT coalesce(string_agg(extname, ',' ORDER BY extname), '')
                  FROM pg_extension))

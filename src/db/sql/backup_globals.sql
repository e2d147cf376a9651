-- globals.sql of a backup (src/db/backup_globals.c): the cluster's roles
-- and memberships, and what a restore checks before it creates roles.

-- name: authid
-- With passwords (superuser only), else without: pg_roles shows them masked.
-- No parameters.
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
       rolreplication, rolbypassrls, rolconnlimit, rolpassword, rolvaliduntil
  FROM pg_authid WHERE rolname !~ '^pg_' ORDER BY rolname COLLATE "C"

-- name: roles_nopw
-- The same as authid without pg_authid (a non-superuser): no passwords.
-- No parameters.
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
       rolreplication, rolbypassrls, rolconnlimit, NULL, rolvaliduntil
  FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname COLLATE "C"

-- name: members
-- Memberships between roles that globals.sql holds.
-- No parameters.
SELECT g.rolname, m.rolname, a.admin_option
   FROM pg_auth_members a
   JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
  WHERE g.rolname !~ '^pg_' AND m.rolname !~ '^pg_' AND NOT g.rolsuper
    AND NOT m.rolsuper
  ORDER BY g.rolname COLLATE "C", m.rolname COLLATE "C"

-- name: roles
-- Per role the manifest names: whether it exists, and whether the current
-- role may make it an owner (superuser, or member of it).
-- $1 the manifest's roles as JSON {owners, grantees}.
SELECT r.name, r.kind, a.oid IS NOT NULL,
        coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)
        OR (a.oid IS NOT NULL AND (r.name = 'pg_database_owner'
            OR pg_has_role(current_user, a.oid, 'MEMBER')))
   FROM (SELECT value AS name, 'owner' AS kind
           FROM json_array_elements_text($1::json -> 'owners')
         UNION
         SELECT value, 'grantee' FROM json_array_elements_text($1::json -> 'grantees')) r
   LEFT JOIN pg_roles a ON a.rolname = r.name
  ORDER BY 2, 1

-- name: existing_roles
-- Roles that exist, each with whether it holds a privileged attribute. No
-- parameters.
SELECT rolname, rolsuper OR rolcreaterole OR rolreplication OR rolbypassrls
FROM pg_roles

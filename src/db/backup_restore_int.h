/*
 * backup_restore_int.h: the parts of backup_restore.c that need no server
 * (where a backup is, which target names are refused, the name a replaced
 * database is kept under), apart so that tests/unit/db/backup_restore.c
 * can reach them. Not for other modules: names carry the backup_restore_
 * prefix, never pp_.
 */
#ifndef PP_DB_BACKUP_RESTORE_INT_H
#define PP_DB_BACKUP_RESTORE_INT_H

#include <stddef.h>

#include "db/backup_int.h"

/*
 * The backup directory of path (a directory, or a file in one) into dir
 * (BK_PATH_MAX bytes): path itself, or what is before its last '/' ("/"
 * for a file at the root, "." for a name without '/'). PP_EINVAL naming
 * path when it does not exist.
 */
pp_rc backup_restore_resolve_dir(const char *path, char *dir, pp_err *err) PP_WARN_UNUSED;

/*
 * Whether target may be restored over, by its name alone: PP_EINVAL for an
 * empty name or one over 63 bytes, and for template0 and template1; else
 * PP_OK.
 */
pp_rc backup_restore_target_name(const char *target, pp_err *err) PP_WARN_UNUSED;

/*
 * The name the replaced target is kept under, try i (from 1):
 * TARGET_old_STAMP, then TARGET_old_STAMP_2, ...; TARGET cut to 40 bytes,
 * never inside a UTF-8 character, so that it fits PostgreSQL's 63.
 */
void backup_restore_old_name(char *out, size_t size, const char *target, const char *stamp, int i);

#endif

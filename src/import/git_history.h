/*
 * git_history.h: the status history of story files, read from git.
 *
 * For a directory inside a git work tree (the import directory: the work
 * tree's root, a subdirectory of it, or a submodule's checkout), walks the
 * commits that touched it, oldest first, with the git command itself (no
 * parser of git's files): one `git log --first-parent -M --raw -z` over the
 * directory, streamed, and one `git cat-file --batch` that reads the blobs
 * whose status is needed, commit by commit. Each version's front matter is read
 * with pp_story_parse (story.h), so "status" means exactly what the importer
 * reads. Memory grows with the number of files and status changes and with
 * the paths of the largest commit, never with the size of the blobs (at
 * most one blob is held at a time).
 *
 * What counts (docs/import.md, "History from git"):
 *   - the files the importer would read: regular files named *.md below the
 *     directory, no path component starting with '.';
 *   - the first-parent history of HEAD: a branch merged with a merge commit
 *     contributes its changes at the merge commit (its time and author);
 *   - renames (git's -M detection, per commit) carry a file's history along;
 *     a deleted file's history ends, a file added again starts anew;
 *   - a change is a version whose status differs from the previous known
 *     one; a file's first status counts as a change from NULL, a removed
 *     status field as a change to NULL. A version that does not parse as a
 *     story does not change the status.
 *
 * Needs git 2.31 or later (--diff-merges). Runs git with the caller's
 * environment: a GIT_DIR set by a git hook would override the directory.
 */
#ifndef PP_IMPORT_GIT_HISTORY_H
#define PP_IMPORT_GIT_HISTORY_H

#include <stddef.h>

#include "core/err.h"

#define PP_GIT_ID_MAX 64 /* hex digits of an object id (SHA-256 repositories) */

/* One commit that the result refers to. */
typedef struct pp_git_commit {
	char id[PP_GIT_ID_MAX + 1]; /* full hex id */
	long long time;             /* committer time, seconds since 1970-01-01 UTC */
	char time_iso[21];          /* the same as "2025-08-28T14:30:00Z" */
	long long author_time;      /* author time, seconds since 1970-01-01 UTC */
	char *author_name;          /* after .mailmap (git's %aN); may be "" */
	char *author_email;         /* after .mailmap (%aE); may be "" */
} pp_git_commit;

/* One status change of a file. */
typedef struct pp_git_status_change {
	const pp_git_commit *commit; /* the commit that made it; never NULL */
	char *from_status;           /* as written; NULL: none before (first appearance) */
	char *to_status;             /* as written; NULL: the status field was removed */
} pp_git_status_change;

/* What the walk learned about one file that exists at HEAD. */
typedef struct pp_git_file {
	char *path; /* relative to the walked directory, '/'-separated, as in git */
	/* The commit that added the file (following renames). NULL in an
	 * incremental walk when that was at or before SINCE. */
	const pp_git_commit *created;
	char *key;                     /* story id of the newest version that parsed, or NULL */
	pp_git_status_change *changes; /* oldest first */
	size_t n_changes;
	size_t n_unparsed; /* versions that were not a valid story */
} pp_git_file;

typedef struct pp_git_history {
	char *root;                    /* the work tree's top directory (git rev-parse) */
	char *prefix;                  /* the directory relative to root: "" or "dir/sub/" */
	char head[PP_GIT_ID_MAX + 1];  /* HEAD's id; "" in a repository without commits */
	char since[PP_GIT_ID_MAX + 1]; /* the SINCE used for an incremental walk, or "" */
	int since_discarded;           /* SINCE was given but is not an ancestor of HEAD
					* (history rewritten, force-pushed, unknown id):
					* everything was walked */
	int shallow;                   /* a shallow clone: history before its boundary is
					* missing, the boundary commit "adds" every file */
	size_t commits_walked;         /* commits git log listed */
	size_t blobs_read;             /* blobs read through cat-file */
	pp_git_commit *commits;        /* the commits files[] refer to, oldest first */
	size_t n_commits;
	pp_git_file *files; /* sorted by path (strcmp) */
	size_t n_files;
} pp_git_history;

typedef struct pp_git_history_opts {
	const char *dir; /* the directory to walk (required) */
	/* The last imported commit, hex (4 to 64 digits), or NULL: walk only
	 * SINCE..HEAD. Ignored (since_discarded) when not an ancestor of HEAD. */
	const char *since;
} pp_git_history_opts;

/*
 * Walks o->dir's git history into *h (zeroed first). Blocks while git runs
 * (four to six short git processes in all, whatever the number of files
 * and commits; two of them run side by side during the walk).
 *
 * In an incremental walk (o->since), h->files holds only the files that a
 * commit after SINCE touched; their first change's from_status is the
 * status they had at SINCE. A repository without commits gives no files.
 *
 * Returns PP_OK, or:
 *   PP_EINVAL  o->dir is not inside a git work tree ("DIR: not a git work
 *              tree", with git's reason), or o->since is not hex;
 *   PP_EIO     git cannot be run ("cannot run git: ... (is git installed
 *              and in PATH?)"), the directory cannot be read, or git failed
 *              (the message holds its exit status and first error line);
 *   PP_ENOMEM  out of memory.
 * Either way the caller frees *h with pp_git_history_free.
 */
pp_rc pp_git_history_walk(const pp_git_history_opts *o, pp_git_history *h,
			  pp_err *err) PP_WARN_UNUSED;

/* h's entry for path (relative to the walked directory), or NULL. */
const pp_git_file *pp_git_history_find(const pp_git_history *h, const char *path);

/* Frees everything h holds and zeroes it. Accepts NULL. */
void pp_git_history_free(pp_git_history *h);

#endif

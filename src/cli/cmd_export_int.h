/*
 * cmd_export_int.h: the pure parts of `planpipe export` (cmd_export.c): its
 * command line, keys as file names and in URLs, the site's page and data.js,
 * the directories above a file, and the writing of a file under DIR that
 * never goes through a symbolic link, apart so that tests/unit/cli/cmd_export.c
 * can reach them. Not for other modules: names carry the export_ prefix,
 * never pp_. None of them touches the database.
 */
#ifndef PP_CLI_CMD_EXPORT_INT_H
#define PP_CLI_CMD_EXPORT_INT_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* The command line. The caller sets projects (room for argc + 1) and keys before the parse. */
typedef struct export_args {
	const char **projects; /* the --project keys in order (pointers into argv) */
	json_t *keys;          /* the same keys as a JSON array */
	size_t n;              /* how many */
	int site;              /* site DIR, not json DIR */
	const char *dir;       /* DIR */
	char data_dir[4096];   /* where the data goes: DIR, or DIR/data for a site */
} export_args;

/*
 * Parses argv (argv[0] "export") into *a: 0; 1 when --help printed the
 * usage on standard output; -1 after printing a usage error on standard
 * error (not json DIR or site DIR, an empty DIR, a DIR that leaves less
 * than 512 bytes of a path for the files under it).
 */
int export_parse_args(int argc, char **argv, export_args *a);

/*
 * mkdir -p (mode 0755) of the directories above path, path itself excluded:
 * PP_OK, or err set. Follows links: only for DIR, the path the user named.
 */
pp_rc export_make_parents(const char *path, pp_err *err);

/*
 * The directory name (one component) under dirfd, created (mode 0755) when
 * missing, opened without following a symbolic link: its descriptor, which
 * the caller closes; or -1 with err set, naming path: PP_EINVAL "PATH is a
 * symbolic link: export writes only regular files it creates" for a link,
 * PP_EIO "cannot create|open PATH: REASON" otherwise (a file there: ENOTDIR).
 */
int export_open_dir(int dirfd, const char *name, const char *path, pp_err *err);

/*
 * data (len bytes) as rel under dirfd, shown as shown/rel in messages: each
 * directory of rel entered with export_open_dir (same errors), then the file
 * written under a hidden temporary name beside it and renamed over rel, so
 * rel holds its old content or all of data, never part. A symbolic link at
 * rel is refused as export_open_dir's (nothing written); the temporary file
 * is removed on any failure. PP_OK, PP_EINVAL (a link, a path over 4095
 * bytes) or PP_EIO "cannot write PATH: REASON", err set. Does not close dirfd.
 */
pp_rc export_write_at(int dirfd, const char *shown, const char *rel, const char *data, size_t len,
		      pp_err *err) PP_WARN_UNUSED;

/* Appends s percent-encoded as JavaScript's encodeURIComponent does (the page's api.q) to b. */
pp_rc export_uri_encode(pp_buf *b, const char *s);

/*
 * key as a file name into out (size bytes, cut short to fit): [A-Za-z0-9_-]
 * kept, '.' kept but first, anything else '_' (keys are ASCII already).
 */
void export_file_name(char *out, size_t size, const char *key);

/*
 * The site's index.html from the dashboard's page into b (emptied first):
 * the Content-Security-Policy meta tag right after `<meta charset="utf-8">`
 * and the data.js script before the first `<script defer`; page unchanged
 * when either is missing or the script comes first. PP_OK or b's error.
 */
pp_rc export_site_index(pp_buf *b, const char *page);

/*
 * data.js for json (the site's answers) into b (emptied first): a comment,
 * "window.PP_STATIC = ", json with every "</" written "<\/", and ";\n".
 * PP_OK or b's error.
 */
pp_rc export_data_js(pp_buf *b, const char *json);

#endif

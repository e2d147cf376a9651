/*
 * import_read_int.h: the pure helpers of import_read.c, apart so that
 * tests/unit/import/import_read.c can reach them. Not for other modules:
 * names carry the import_read_ prefix, never pp_.
 */
#ifndef PP_IMPORT_IMPORT_READ_INT_H
#define PP_IMPORT_IMPORT_READ_INT_H

/*
 * pp_story_parse's message "path:line:col: text" split: *line and *col set
 * and the text (blanks after the colon skipped) returned, pointing into msg.
 * A message that does not start with path and two numbers, each followed
 * by ':', is returned whole with *line = *col = 0.
 */
const char *import_read_split_position(const char *msg, const char *path, int *line, int *col);

/*
 * A file name as it can be printed: bytes that are not UTF-8 become \xNN
 * (a name is bytes to the kernel, text to the database and the terminal).
 * Returns whether rel was valid UTF-8. *out is the caller's to free (NULL
 * when out of memory).
 */
int import_read_printable_name(const char *rel, char **out);

#endif

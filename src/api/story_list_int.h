/*
 * story_list_int.h: the order and the cursor of a story list (story_list.c),
 * apart so that tests/unit/api/story_list.c can reach them. Not for other
 * modules: names carry the story_list_ prefix, never pp_. None of them
 * blocks, allocates or touches a connection.
 */
#ifndef PP_API_STORY_LIST_INT_H
#define PP_API_STORY_LIST_INT_H

#include "http/request.h"
#include "http/response.h"

#define STORY_LIST_CURSOR_MAX 256 /* a decoded cursor's buffer */

/*
 * The order of sort= value v (NULL: absent) with backlog= backlog (NULL:
 * absent): *sort "id" (the default), "rank" (a backlog's order: the default
 * with backlog=, and only with it), "priority_rank" or "priority", and
 * *kind the cursor's kind for it: 's' by id or rank, 'r' by priority_rank,
 * 'p' by priority (so that a cursor of one order is refused by another).
 * 0, or -1 with a 422 naming sort in resp.
 */
int story_list_sort(const pp_http_req *req, pp_http_resp *resp, const char *v, const char *backlog,
		    const char **sort, char *kind);

/*
 * Cursor c (NULL: none, both out NULL) of a list in order sort with kind:
 * base64url of "KIND|KEY|ID", ID 1 to 18 digits, KEY empty when sorted by
 * id, else 1 to 40 of "-0123456789.". 0 with *after_key (NULL by id) and
 * *after_id pointing into buf; or -1 with a 400 naming cursor in resp.
 */
int story_list_cursor(const pp_http_req *req, pp_http_resp *resp, const char *c, char kind,
		      const char *sort, char buf[STORY_LIST_CURSOR_MAX], const char **after_key,
		      const char **after_id);

#endif

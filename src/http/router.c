/* router.c: route matching (see router.h). */
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the segment starting at s (up to the next '/' or the end). */
static size_t seglen(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash ? (size_t)(slash - s) : strlen(s);
}

/*
 * Whether path matches pattern; when it does and params is not NULL, the
 * parameter segments are copied NUL-terminated into buf (as long as path)
 * and pointed at from params.
 */
static int match(const char *pattern, const char *path, const char **params, int *n_params,
		 char *buf)
{
	int n = 0;

	while (*pattern == '/' && *path == '/') {
		size_t pl, sl;

		pattern++;
		path++;
		pl = seglen(pattern);
		sl = seglen(path);
		if (pl > 1 && pattern[0] == '{' && pattern[pl - 1] == '}') {
			if (sl == 0 || n == PP_HTTP_MAX_PARAMS)
				return 0;
			if (params) {
				memcpy(buf, path, sl);
				buf[sl] = '\0';
				params[n] = buf;
				buf += sl + 1;
			}
			n++;
		} else if (pl != sl || memcmp(pattern, path, pl) != 0) {
			return 0;
		}
		pattern += pl;
		path += sl;
	}
	if (*pattern != '\0' || *path != '\0')
		return 0;
	if (n_params)
		*n_params = n;
	return 1;
}

static void add_allow(char *allow, size_t size, const char *method)
{
	size_t len = strlen(allow);

	if (strstr(allow, method) != NULL)
		return;
	snprintf(allow + len, size - len, "%s%s", len ? ", " : "", method);
}

pp_route_result pp_router_match(const pp_route *routes, size_t n, pp_http_req *req,
				const pp_route **found, char *allow, size_t allow_size)
{
	const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	int path_known = 0;
	size_t i;

	*found = NULL;
	if (allow_size > 0)
		allow[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!match(routes[i].pattern, req->path, NULL, NULL, NULL))
			continue;
		if (strcmp(routes[i].method, method) != 0) {
			path_known = 1;
			add_allow(allow, allow_size, routes[i].method);
			if (strcmp(routes[i].method, "GET") == 0)
				add_allow(allow, allow_size, "HEAD");
			continue;
		}
		free(req->param_buf);
		req->param_buf = malloc(strlen(req->path) + 1);
		if (req->param_buf == NULL)
			return PP_ROUTE_NOT_FOUND;
		match(routes[i].pattern, req->path, req->params, &req->n_params, req->param_buf);
		req->route = routes[i].pattern;
		*found = &routes[i];
		return PP_ROUTE_FOUND;
	}
	return path_known ? PP_ROUTE_BAD_METHOD : PP_ROUTE_NOT_FOUND;
}

/*
 * web.c: serves the dashboard's embedded files (web/, see assets.h) with
 * their Content-Type, an ETag, and the security headers of the page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/assets.h"

const pp_web_asset *pp_web_asset_find(const char *path)
{
	size_t i;

	for (i = 0; i < pp_web_assets_count; i++)
		if (strcmp(pp_web_assets[i].path, path) == 0)
			return &pp_web_assets[i];
	return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

const char *pp_web_content_type(const char *path)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".json", "application/json"},
		{".md", "text/markdown; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (ends_with(path, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static void not_found(pp_http_req *req, pp_http_resp *resp, const char *path)
{
	char detail[200];
	pp_problem p = {.status = 404, .type = "not-found", .title = "Not found", .detail = detail};

	snprintf(detail, sizeof(detail), "no dashboard file %.150s", path);
	pp_http_problem(resp, req, &p);
}

static void serve(pp_http_req *req, pp_http_resp *resp, const char *path)
{
	const pp_web_asset *a = pp_web_asset_find(path);
	const char *inm = pp_http_header(req, "If-None-Match");
	char *copy;

	if (a == NULL) {
		not_found(req, resp, path);
		return;
	}
	if (inm != NULL && (strcmp(inm, a->etag) == 0 || strcmp(inm, "*") == 0)) {
		pp_http_resp_set(resp, 304, NULL, NULL, 0);
	} else {
		copy = malloc(a->len + 1);
		if (copy == NULL) {
			pp_http_resp_set(resp, 500, NULL, NULL, 0);
			return;
		}
		memcpy(copy, a->data, a->len + 1);
		pp_http_resp_set(resp, 200, pp_web_content_type(path), copy, a->len);
	}
	/* no-cache: kept, but revalidated (the ETag) each time, so an upgrade shows at once. */
	if (pp_http_resp_header(resp, "ETag", a->etag) != PP_OK ||
	    pp_http_resp_header(resp, "Cache-Control", "no-cache") != PP_OK ||
	    pp_http_resp_header(resp, "Content-Security-Policy", PP_WEB_CSP) != PP_OK ||
	    pp_http_resp_header(resp, "X-Content-Type-Options", "nosniff") != PP_OK ||
	    pp_http_resp_header(resp, "Referrer-Policy", "no-referrer") != PP_OK ||
	    pp_http_resp_header(resp, "X-Frame-Options", "DENY") != PP_OK)
		pp_http_resp_set(resp, 500, NULL, NULL, 0);
}

void pp_web_index(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	(void)ctx;
	serve(req, resp, "index.html");
}

static void serve_under(pp_http_req *req, pp_http_resp *resp, const char *dir)
{
	char path[256];
	const char *name = req->n_params > 0 ? req->params[0] : "";

	/* A parameter is one segment: no '/', so never outside web/. */
	if (strlen(name) > 200 || strchr(name, '/') != NULL || name[0] == '.') {
		not_found(req, resp, name);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	serve(req, resp, path);
}

void pp_web_ui(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	(void)ctx;
	serve_under(req, resp, "ui");
}

void pp_web_ui_vendor(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	(void)ctx;
	serve_under(req, resp, "ui/vendor");
}

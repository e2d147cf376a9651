/*
 * assets.h: the dashboard's files (web/), built into the binary by
 * tools/embed.c --assets, and how the server answers for them.
 *
 * `planpipe serve` answers GET / with web/index.html and GET /ui/... with
 * the files under web/ui/ (web.c); `planpipe export site` writes the same
 * files into a directory (src/cli/cmd_export.c). See docs/dashboard.md.
 */
#ifndef PP_WEB_ASSETS_H
#define PP_WEB_ASSETS_H

#include <stddef.h>

#include "http/request.h"
#include "http/response.h"

typedef struct pp_web_asset {
	const char *path; /* relative to web/, '/'-separated: "index.html", "ui/app.js" */
	const char *data;
	size_t len;
	const char *etag; /* quoted, strong: "\"0123456789abcdef\"" */
} pp_web_asset;

/* Every file under web/, sorted by path; a {0} entry ends it. */
extern const pp_web_asset pp_web_assets[];
extern const size_t pp_web_assets_count;

/* The Content-Security-Policy every dashboard response carries. */
#define PP_WEB_CSP                                                                                 \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "                \
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "                \
	"form-action 'self'; frame-ancestors 'none'"

/* The asset at path (relative to web/), or NULL. */
const pp_web_asset *pp_web_asset_find(const char *path);

/* The Content-Type for a file name by its extension; never NULL (static). */
const char *pp_web_content_type(const char *path);

/*
 * Route handlers (ctx unused): GET / (web/index.html), GET /ui/{file} and
 * GET /ui/vendor/{file}. Each answers with the file, its Content-Type, an
 * ETag (304 when If-None-Match names it), Cache-Control: no-cache, the CSP
 * above, X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer;
 * an unknown file is a 404 problem naming it.
 */
void pp_web_index(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_web_ui(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_web_ui_vendor(void *ctx, pp_http_req *req, pp_http_resp *resp);

#endif

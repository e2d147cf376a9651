/* input.c: request bodies, query parameters and cursors (see input.h). */
#include "api/input.h"
#include "core/date.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pp_api_bad(const pp_http_req *req, pp_http_resp *resp, int status, const char *field,
		const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	pp_problem p = {.status = status,
			.type = status == 422 ? "validation" : "bad-request",
			.title = status == 422 ? "Invalid request" : "Bad request",
			.detail = detail,
			.field = field};

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	pp_http_problem(resp, req, &p);
}

/* ---- Bodies. ---- */

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Whether s starts with a calendar date YYYY-MM-DD (s has at least 10 bytes). */
static int date_at(const char *s)
{
	char day[11];

	memcpy(day, s, 10);
	day[10] = '\0';
	return pp_date_valid(day);
}

/* Two digits at s, at most max. */
static int two_digits(const char *s, int max)
{
	return all_digits(s, 2) && (s[0] - '0') * 10 + (s[1] - '0') <= max;
}

int pp_api_is_time(const char *s)
{
	size_t n = strlen(s), i = 19;

	/* YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM) */
	if (n < 20 || !date_at(s))
		return 0;
	/* Hours, minutes, seconds in range (60: a leap second, as PostgreSQL reads it). */
	if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !two_digits(s + 11, 23) ||
	    s[13] != ':' || !two_digits(s + 14, 59) || s[16] != ':' || !two_digits(s + 17, 60))
		return 0;
	if (s[i] == '.') {
		size_t start = ++i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		if (i == start || i - start > 9)
			return 0;
	}
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z'))
		return 1;
	/* An offset as PostgreSQL takes it: at most 15:59. */
	return i + 6 == n && (s[i] == '+' || s[i] == '-') && two_digits(s + i + 1, 15) &&
	       s[i + 3] == ':' && two_digits(s + i + 4, 59);
}

static const char *type_name(pp_field_type t)
{
	switch (t) {
	case PP_F_STRING:
		return "a string";
	case PP_F_INT:
		return "an integer";
	case PP_F_NUMBER:
		return "a number";
	case PP_F_BOOL:
		return "true or false";
	case PP_F_STRINGS:
		return "an array of strings";
	case PP_F_OBJECT:
		return "an object";
	case PP_F_DATE:
		return "a date (YYYY-MM-DD)";
	case PP_F_TIME:
		return "an RFC 3339 date-time";
	case PP_F_ENUM:
		return "one of the listed values";
	}
	return "?";
}

/* Checks one member against its field; 0 or -1 with the problem in resp. */
static int check_value(const pp_http_req *req, pp_http_resp *resp, const pp_field *f, json_t *v)
{
	size_t i;
	json_t *e;

	if (json_is_null(v)) {
		if (f->flags & PP_F_NULLABLE)
			return 0;
		pp_api_bad(req, resp, 422, f->name, "%s must not be null: it must be %s", f->name,
			   type_name(f->type));
		return -1;
	}
	switch (f->type) {
	case PP_F_STRING:
		if (json_is_string(v))
			return 0;
		break;
	case PP_F_INT:
		if (!json_is_integer(v))
			break;
		if (json_integer_value(v) < f->min || json_integer_value(v) > f->max) {
			pp_api_bad(req, resp, 422, f->name, "%s must be from %lld to %lld", f->name,
				   f->min, f->max);
			return -1;
		}
		return 0;
	case PP_F_NUMBER:
		if (!json_is_number(v))
			break;
		if ((f->num_min != 0 || f->num_max != 0) &&
		    (json_number_value(v) < f->num_min || json_number_value(v) > f->num_max)) {
			pp_api_bad(req, resp, 422, f->name, "%s must be from %g to %.2f", f->name,
				   f->num_min, f->num_max);
			return -1;
		}
		return 0;
	case PP_F_BOOL:
		if (json_is_boolean(v))
			return 0;
		break;
	case PP_F_STRINGS:
		if (!json_is_array(v))
			break;
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e)) {
				pp_api_bad(
					req, resp, 422, f->name,
					"%s must be an array of strings; item %zu is not a string",
					f->name, i);
				return -1;
			}
		}
		return 0;
	case PP_F_OBJECT:
		if (json_is_object(v))
			return 0;
		break;
	case PP_F_DATE:
		if (json_is_string(v) && pp_date_valid(json_string_value(v)))
			return 0;
		break;
	case PP_F_TIME:
		if (json_is_string(v) && pp_api_is_time(json_string_value(v)))
			return 0;
		break;
	case PP_F_ENUM:
		if (!json_is_string(v))
			break;
		for (i = 0; f->choices[i]; i++)
			if (strcmp(f->choices[i], json_string_value(v)) == 0)
				return 0;
		{
			char list[256] = "";
			for (i = 0; f->choices[i]; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 i ? ", " : "", f->choices[i]);
			pp_api_bad(req, resp, 422, f->name, "%s must be one of: %s", f->name, list);
		}
		return -1;
	}
	pp_api_bad(req, resp, 422, f->name, "%s must be %s", f->name, type_name(f->type));
	return -1;
}

static int json_content_type(const char *ct)
{
	const char *semi;
	size_t n;

	if (ct == NULL)
		return 1;
	semi = strchr(ct, ';');
	n = semi ? (size_t)(semi - ct) : strlen(ct);
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0;
}

json_t *pp_api_body(const pp_http_req *req, pp_http_resp *resp, const pp_field *fields, size_t n)
{
	const char *key;
	json_error_t jerr;
	json_t *body, *v;
	size_t i;

	if (!json_content_type(pp_http_header(req, "Content-Type"))) {
		pp_problem p = {.status = 415,
				.type = "unsupported-media-type",
				.title = "Unsupported media type",
				.detail = "the body must be application/json"};
		pp_http_problem(resp, req, &p);
		return NULL;
	}
	if (req->body_len == 0) {
		pp_api_bad(req, resp, 400, NULL, "a JSON object is required as the body");
		return NULL;
	}
	body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL) {
		pp_problem p = {.status = 400,
				.type = "malformed-json",
				.title = "Malformed JSON",
				.detail = NULL};
		char detail[300];

		snprintf(detail, sizeof(detail), "line %d, column %d: %s", jerr.line, jerr.column,
			 jerr.text);
		p.detail = detail;
		pp_http_problem(resp, req, &p);
		return NULL;
	}
	if (!json_is_object(body)) {
		pp_api_bad(req, resp, 422, NULL, "the body must be a JSON object");
		goto fail;
	}
	json_object_foreach(body, key, v)
	{
		for (i = 0; i < n && strcmp(fields[i].name, key) != 0; i++)
			;
		if (i == n) {
			pp_api_bad(req, resp, 400, key, "unknown field \"%s\"", key);
			goto fail;
		}
		if (check_value(req, resp, &fields[i], v) != 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if ((fields[i].flags & PP_F_REQUIRED) &&
		    json_object_get(body, fields[i].name) == NULL) {
			pp_api_bad(req, resp, 422, fields[i].name, "%s is required",
				   fields[i].name);
			goto fail;
		}
	}
	return body;
fail:
	json_decref(body);
	return NULL;
}

int pp_api_has(const json_t *body, const char *name)
{
	return json_object_get(body, name) != NULL;
}

/* ---- Query parameters. ---- */

typedef struct known_ctx {
	const char *const *allowed;
	const char *unknown;
} known_ctx;

static int check_known(void *ctx, const char *key, const char *value)
{
	known_ctx *k = ctx;
	size_t i;

	(void)value;
	for (i = 0; k->allowed[i]; i++)
		if (strcmp(k->allowed[i], key) == 0)
			return 0;
	k->unknown = key;
	return 1;
}

int pp_api_query_known(const pp_http_req *req, pp_http_resp *resp, const char *const *allowed)
{
	known_ctx k = {allowed, NULL};

	if (pp_http_query_each(req, check_known, &k) == 0)
		return 0;
	pp_api_bad(req, resp, 400, k.unknown, "unknown query parameter \"%.100s\"", k.unknown);
	return -1;
}

pp_rc pp_api_pg_array_add(pp_buf *out, const char *s, size_t len)
{
	pp_rc rc = pp_buf_adds(out, out->len > 1 ? ",\"" : "\"");
	size_t i;

	for (i = 0; i < len && rc == PP_OK; i++) {
		if (s[i] == '"' || s[i] == '\\')
			rc = pp_buf_add(out, "\\", 1);
		if (rc == PP_OK)
			rc = pp_buf_add(out, s + i, 1);
	}
	return rc == PP_OK ? pp_buf_adds(out, "\"") : rc;
}

typedef struct list_ctx {
	const char *name;
	const char *charset;
	pp_buf *out;
	int count;
	const char *bad; /* the offending value */
	int oom;
	const char *const *choices; /* NULL: any value of charset */
} list_ctx;

/* Whether the len bytes at p are one of choices. */
static int among(const char *const *choices, const char *p, size_t len)
{
	size_t i;

	for (i = 0; choices[i]; i++)
		if (strlen(choices[i]) == len && memcmp(choices[i], p, len) == 0)
			return 1;
	return 0;
}

static int collect(void *ctx, const char *key, const char *value)
{
	list_ctx *l = ctx;
	const char *p = value;

	if (strcmp(key, l->name) != 0)
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		if (len == 0 || len > 100 || strspn(p, l->charset) < len ||
		    (l->choices && !among(l->choices, p, len))) {
			l->bad = value;
			return 1;
		}
		if (pp_api_pg_array_add(l->out, p, len) != PP_OK) {
			l->oom = 1;
			return 1;
		}
		l->count++;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

/* pp_api_query_list and pp_api_query_choices: any value of charset, or one of choices. */
static int query_list(const pp_http_req *req, pp_http_resp *resp, const char *name,
		      const char *charset, const char *const *choices, pp_buf *out, int *given)
{
	list_ctx l = {name, charset, out, 0, NULL, 0, choices};

	pp_buf_reset(out);
	if (pp_buf_adds(out, "{") != PP_OK)
		l.oom = 1;
	if (!l.oom && pp_http_query_each(req, collect, &l) != 0) {
		if (l.oom)
			goto oom;
		if (choices) {
			char list[256] = "";
			size_t i;

			for (i = 0; choices[i]; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 i ? ", " : "", choices[i]);
			pp_api_bad(req, resp, 422, name,
				   "%s=\"%.100s\": each value must be one of %s", name, l.bad,
				   list);
		} else {
			pp_api_bad(req, resp, 422, name, "%s=\"%.100s\" is not a valid value", name,
				   l.bad);
		}
		return -1;
	}
	if (l.oom || pp_buf_adds(out, "}") != PP_OK)
		goto oom;
	*given = l.count > 0;
	return 0;
oom:
	pp_api_bad(req, resp, 400, name, "%s: too many values", name);
	return -1;
}

int pp_api_query_list(const pp_http_req *req, pp_http_resp *resp, const char *name,
		      const char *charset, pp_buf *out, int *given)
{
	return query_list(req, resp, name, charset, NULL, out, given);
}

int pp_api_query_choices(const pp_http_req *req, pp_http_resp *resp, const char *name,
			 const char *const *choices, pp_buf *out, int *given)
{
	return query_list(req, resp, name, "abcdefghijklmnopqrstuvwxyz_", choices, out, given);
}

int pp_api_query_int(const pp_http_req *req, pp_http_resp *resp, const char *name, long long max,
		     const char *def, char out[24], const char **value)
{
	const char *v = pp_http_query(req, name);
	char *end;
	long long n;

	if (v == NULL) {
		*value = def;
		return 0;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || !isdigit((unsigned char)*v) || *end || errno || n < 0 || n > max) {
		pp_api_bad(req, resp, 422, name, "%s must be a whole number from 0 to %lld", name,
			   max);
		return -1;
	}
	snprintf(out, 24, "%lld", n);
	*value = out;
	return 0;
}

int pp_api_query_limit(const pp_http_req *req, pp_http_resp *resp, char out[16])
{
	const char *v = pp_http_query(req, "limit");
	char *end;
	long n;

	if (v == NULL) {
		snprintf(out, 16, "50");
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || !isdigit((unsigned char)*v) || *end || errno || n < 1 || n > 500) {
		pp_api_bad(req, resp, 422, "limit", "limit must be a whole number from 1 to 500");
		return -1;
	}
	snprintf(out, 16, "%ld", n);
	return 0;
}

int pp_api_query_bool(const pp_http_req *req, pp_http_resp *resp, const char *name, int def,
		      const char **out)
{
	const char *v = pp_http_query(req, name);

	if (v == NULL)
		*out = def ? "true" : "false";
	else if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || *v == '\0')
		*out = "true";
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = "false";
	else {
		pp_api_bad(req, resp, 422, name, "%s must be true or false", name);
		return -1;
	}
	return 0;
}

int pp_api_if_match(const pp_http_req *req, pp_http_resp *resp, char buf[16], const char **version)
{
	const char *v = pp_http_header(req, "If-Match");
	size_t n;

	*version = NULL;
	if (v == NULL || strcmp(v, "*") == 0)
		return 0;
	if (strncmp(v, "W/", 2) == 0)
		v += 2;
	n = strlen(v);
	if (n < 3 || n > 11 || v[0] != '"' || v[n - 1] != '"' || !all_digits(v + 1, n - 2)) {
		pp_api_bad(req, resp, 400, "If-Match",
			   "If-Match must be an ETag of this API, e.g. \"3\"");
		return -1;
	}
	memcpy(buf, v + 1, n - 2);
	buf[n - 2] = '\0';
	*version = buf;
	return 0;
}

/* ---- Cursors: base64url without padding. ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pp_rc pp_api_cursor_encode(const char *plain, pp_buf *out)
{
	const unsigned char *p = (const unsigned char *)plain;
	size_t n = strlen(plain), i;
	pp_rc rc = PP_OK;

	for (i = 0; i < n && rc == PP_OK; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], b64[v >> 6 & 63], b64[v & 63]};
		rc = pp_buf_add(out, q, i + 2 < n ? 4 : i + 1 < n ? 3 : 2);
	}
	return rc;
}

int pp_api_cursor_decode(const char *cursor, char kind, char *buf, size_t bufsize,
			 const char **fields, int max_fields)
{
	size_t n = strlen(cursor), i, o = 0;
	unsigned acc = 0;
	int bits = 0, nf = 0;
	char *p;

	if (n == 0 || n % 4 == 1 || n * 3 / 4 + 1 > bufsize)
		return -1;
	for (i = 0; i < n; i++) {
		const char *at = strchr(b64, cursor[i]);
		if (at == NULL || cursor[i] == '\0')
			return -1;
		acc = acc << 6 | (unsigned)(at - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (char)(acc >> bits & 0xff);
		}
	}
	buf[o] = '\0';
	if (strlen(buf) != o || o < 2 || buf[0] != kind || buf[1] != '|')
		return -1;
	for (p = buf + 2; nf < max_fields;) {
		char *bar = strchr(p, '|');
		fields[nf++] = p;
		if (bar == NULL)
			return nf;
		*bar = '\0';
		p = bar + 1;
	}
	return -1;
}

int pp_api_idempotency_key(const pp_http_req *req, pp_http_resp *resp, const char *value,
			   char out[PP_API_IDEM_KEY_MAX + 1])
{
	pp_problem p = {.status = 400,
			.type = "bad-request",
			.title = "Bad request",
			.detail = "Idempotency-Key must be 1 to 255 printable ASCII characters"
				  " (a random UUID is a good choice)",
			.field = "Idempotency-Key"};
	size_t len = strlen(value), n = 0, i;
	int quoted = len >= 2 && value[0] == '"' && value[len - 1] == '"';

	if (quoted) {
		value++;
		len -= 2;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (quoted && c == '"')
			goto bad;
		if (quoted && c == '\\') {
			if (++i == len || (value[i] != '"' && value[i] != '\\'))
				goto bad;
			c = (unsigned char)value[i];
		}
		if (c < 0x20 || c > 0x7e || n == PP_API_IDEM_KEY_MAX)
			goto bad;
		out[n++] = (char)c;
	}
	if (n == 0)
		goto bad;
	out[n] = '\0';
	return 0;
bad:
	pp_http_problem(resp, req, &p);
	return -1;
}

/*
 * input.h: checking what a client sent before the database sees it.
 *
 * The body's shape is checked here (malformed JSON 400, an unknown field
 * 400, a wrong type 422, a missing required field 422); its values are the
 * database's to judge (CHECK constraints: 422 with the field). Query
 * parameters likewise: an unknown one is 400, a bad value 422. Every
 * function that fails has put the problem into resp.
 */
#ifndef PP_API_INPUT_H
#define PP_API_INPUT_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/request.h"
#include "http/response.h"

typedef enum {
	PP_F_STRING,
	PP_F_INT,    /* a JSON integer within [min, max] */
	PP_F_NUMBER, /* a JSON number, within [num_min, num_max] when either is set */
	PP_F_BOOL,
	PP_F_STRINGS, /* an array of strings */
	PP_F_OBJECT,
	PP_F_DATE, /* a string YYYY-MM-DD */
	PP_F_TIME, /* a string, an RFC 3339 date-time */
	PP_F_ENUM, /* a string among choices */
} pp_field_type;

#define PP_F_REQUIRED 1u
#define PP_F_NULLABLE 2u

typedef struct pp_field {
	const char *name;
	pp_field_type type;
	unsigned flags;
	long long min, max;         /* PP_F_INT */
	const char *const *choices; /* PP_F_ENUM, NULL-terminated */
	double num_min, num_max;    /* PP_F_NUMBER, both 0: any number */
} pp_field;

/* Table rows: PP_FIELD("name", PP_F_STRING, PP_F_REQUIRED), PP_FIELD_INT(...), PP_FIELD_NUM(...),
 * PP_FIELD_ENUM(...).
 */
#define PP_FIELD(n, t, fl)                                                                         \
	{                                                                                          \
		.name = (n), .type = (t), .flags = (fl)                                            \
	}
#define PP_FIELD_INT(n, fl, lo, hi)                                                                \
	{                                                                                          \
		.name = (n), .type = PP_F_INT, .flags = (fl), .min = (lo), .max = (hi)             \
	}
#define PP_FIELD_NUM(n, fl, lo, hi)                                                                \
	{                                                                                          \
		.name = (n), .type = PP_F_NUMBER, .flags = (fl), .num_min = (lo), .num_max = (hi)  \
	}
#define PP_FIELD_ENUM(n, fl, ch)                                                                   \
	{                                                                                          \
		.name = (n), .type = PP_F_ENUM, .flags = (fl), .choices = (ch)                     \
	}

/*
 * Parses req's body as a JSON object whose members are among fields[0..n)
 * and of their types. Returns the object (the caller json_decref()s it) or
 * NULL with the problem in resp (also for a body that is not JSON, or a
 * Content-Type that is not JSON: 415).
 */
json_t *pp_api_body(const pp_http_req *req, pp_http_resp *resp, const pp_field *fields, size_t n);

/* Whether the body has member name (null included). */
int pp_api_has(const json_t *body, const char *name);

/*
 * Checks that every query parameter is named in allowed (NULL-terminated);
 * an unknown one is a 400 naming it. Returns 0 or -1.
 */
int pp_api_query_known(const pp_http_req *req, pp_http_resp *resp, const char *const *allowed);

/*
 * The values of repeatable query parameter name, also comma-separated
 * ("status=a,b&status=c"), as a PostgreSQL array literal into out; *given
 * says whether there were any. Each value must match the characters of
 * charset (a strspn set) and be 1 to 100 bytes, else 422. Returns 0 or -1.
 */
int pp_api_query_list(const pp_http_req *req, pp_http_resp *resp, const char *name,
		      const char *charset, pp_buf *out, int *given);

/*
 * pp_api_query_list for a parameter whose values are among choices
 * (NULL-terminated): any other is a 422 that lists them.
 */
int pp_api_query_choices(const pp_http_req *req, pp_http_resp *resp, const char *name,
			 const char *const *choices, pp_buf *out, int *given);

/* limit: default 50, 1..500, else 422. Returns 0 or -1; *out as decimal text. */
int pp_api_query_limit(const pp_http_req *req, pp_http_resp *resp, char out[16]);

/* A query boolean ("true"/"false"/"1"/"0"), default def; *out "true"/"false". 0 or -1. */
int pp_api_query_bool(const pp_http_req *req, pp_http_resp *resp, const char *name, int def,
		      const char **out);

/* A non-negative integer no larger than max; absent: def (NULL: *out NULL). 0 or -1. */
int pp_api_query_int(const pp_http_req *req, pp_http_resp *resp, const char *name, long long max,
		     const char *def, char out[24], const char **value);

/*
 * If-Match: "\"7\"" (or W/"7") gives *version "7"; absent or "*" gives NULL.
 * Anything else is a 400. Returns 0 or -1.
 */
int pp_api_if_match(const pp_http_req *req, pp_http_resp *resp, char buf[16], const char **version);

/* Whether s is a plain RFC 3339 date-time (what PP_F_TIME accepts). */
int pp_api_is_time(const char *s);

/*
 * Opaque cursors: "<kind>|<field>|<field>..." in base64url. Encodes into
 * out (NUL-terminated). Decoding checks the kind and splits at most
 * max_fields fields into fields[] (pointing into buf, of size bufsize);
 * returns the number of fields, or -1 (the caller answers 400).
 */
pp_rc pp_api_cursor_encode(const char *plain, pp_buf *out) PP_WARN_UNUSED;
int pp_api_cursor_decode(const char *cursor, char kind, char *buf, size_t bufsize,
			 const char **fields, int max_fields);

/* Appends s to out as one quoted element of a PostgreSQL array literal. */
pp_rc pp_api_pg_array_add(pp_buf *out, const char *s, size_t len) PP_WARN_UNUSED;

/* Fills resp with a problem of the given status, type and title (400/422 helpers). */
void pp_api_bad(const pp_http_req *req, pp_http_resp *resp, int status, const char *field,
		const char *fmt, ...) PP_PRINTF(5, 6);

/* The longest Idempotency-Key (migrations/0018_api_hardening.sql checks the same). */
#define PP_API_IDEM_KEY_MAX 255

/*
 * Checks the value of an Idempotency-Key header (as Stripe sends it, or as
 * the IETF draft's quoted sf-string, "\"" and "\\\\" escaped) and writes
 * the key to out: 1 to PP_API_IDEM_KEY_MAX printable ASCII characters.
 * Returns 0, or -1 with a 400 (bad-request, field Idempotency-Key) in resp.
 */
int pp_api_idempotency_key(const pp_http_req *req, pp_http_resp *resp, const char *value,
			   char out[PP_API_IDEM_KEY_MAX + 1]);

#endif

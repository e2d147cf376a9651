/*
 * tests/unit/api/story_list.c: src/api/story_list.c's order and cursor of a
 * story list: sort= and its defaults (rank only within a backlog), each
 * order's kind of cursor, and the cursors refused (another order's, a bad
 * key or id, garbage).
 */
#include "api_check.h"
#include "unit.h"

#include "api/input.h"
#include "api/story_list_int.h"

/* sort= v with backlog= backlog: 0 with *sort and *kind, or the 422's status. */
static int sort(const char *v, const char *backlog, const char **out, char *kind)
{
	pp_http_req req;
	pp_http_resp resp;

	t_api_req(&req, "PLAN", NULL, NULL);
	memset(&resp, 0, sizeof(resp));
	if (story_list_sort(&req, &resp, v, backlog, out, kind) == 0) {
		assert_int_equal(resp.status, 0);
		return 0;
	}
	return t_api_status(&resp, v, T_FIELD("sort"));
}

static void orders(void **state)
{
	const char *s;
	char k;

	(void)state;
	assert_int_equal(sort(NULL, NULL, &s, &k), 0);
	assert_string_equal(s, "id");
	assert_int_equal(k, 's');
	assert_int_equal(sort(NULL, "7", &s, &k), 0); /* a backlog's own order */
	assert_string_equal(s, "rank");
	assert_int_equal(k, 's');
	assert_int_equal(sort("id", "7", &s, &k), 0);
	assert_string_equal(s, "id");
	assert_int_equal(sort("rank", "7", &s, &k), 0);
	assert_string_equal(s, "rank");
	assert_int_equal(sort("priority_rank", NULL, &s, &k), 0);
	assert_string_equal(s, "priority_rank");
	assert_int_equal(k, 'r');
	assert_int_equal(sort("priority", NULL, &s, &k), 0);
	assert_string_equal(s, "priority");
	assert_int_equal(k, 'p');
	assert_int_equal(sort("rank", NULL, &s, &k), 422); /* ranks are per backlog */
	assert_int_equal(sort("title", NULL, &s, &k), 422);
	assert_int_equal(sort("", NULL, &s, &k), 422);
	assert_int_equal(sort("ID", NULL, &s, &k), 422);
}

/*
 * The plain cursor, encoded, for a list in order sort with kind: 1 when
 * accepted (key and id copied out), 0 when refused with a 400 naming cursor.
 */
static int cursor(const char *plain, char kind, const char *sort, char key[48], char id[24])
{
	pp_http_req req;
	pp_http_resp resp;
	pp_buf c;
	char buf[STORY_LIST_CURSOR_MAX];
	const char *after_key = "unset", *after_id = "unset";
	int rc;

	pp_buf_init(&c, 1024);
	assert_int_equal(pp_api_cursor_encode(plain, &c), PP_OK);
	t_api_req(&req, "PLAN", NULL, NULL);
	memset(&resp, 0, sizeof(resp));
	rc = story_list_cursor(&req, &resp, pp_buf_str(&c), kind, sort, buf, &after_key, &after_id);
	pp_buf_free(&c);
	if (rc != 0) {
		assert_int_equal(t_api_status(&resp, plain, T_FIELD("cursor")), 400);
		return 0;
	}
	assert_int_equal(resp.status, 0);
	snprintf(key, 48, "%s", after_key ? after_key : "(null)");
	snprintf(id, 24, "%s", after_id);
	return 1;
}

static void cursors(void **state)
{
	char key[48], id[24];
	char buf[STORY_LIST_CURSOR_MAX];
	const char *after_key = "unset", *after_id = "unset";

	(void)state;
	/* None: from the start. */
	assert_int_equal(story_list_cursor(NULL, NULL, NULL, 's', "id", buf, &after_key, &after_id),
			 0);
	assert_null(after_key);
	assert_null(after_id);

	assert_true(cursor("s||42", 's', "id", key, id));
	assert_string_equal(key, "(null)");
	assert_string_equal(id, "42");
	assert_true(cursor("s|1.5|42", 's', "rank", key, id));
	assert_string_equal(key, "1.5");
	assert_true(cursor("r|-3|9", 'r', "priority_rank", key, id));
	assert_string_equal(key, "-3");
	assert_true(cursor("p|2|999999999999999999", 'p', "priority", key, id));
	assert_string_equal(id, "999999999999999999");

	assert_false(cursor("r||42", 's', "id", key, id));      /* another order's */
	assert_false(cursor("s|1.5|42", 's', "id", key, id));   /* a key where id sorts */
	assert_false(cursor("s||42", 's', "rank", key, id));    /* no key where rank sorts */
	assert_false(cursor("s|1e5|42", 's', "rank", key, id)); /* not a plain number */
	assert_false(cursor("s|1|", 's', "rank", key, id));
	assert_false(cursor("s|1|4.2", 's', "rank", key, id));
	assert_false(cursor("s||1234567890123456789", 's', "id", key, id));
	assert_false(cursor("s|12345678901234567890123456789012345678901|1", 's', "rank", key, id));
	assert_false(cursor("s|42", 's', "id", key, id));
	assert_true(cursor("s|1234567890123456789012345678901234567890|1", 's', "rank", key, id));
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(orders), cmocka_unit_test(cursors)};

UNIT_MAIN("story_list", tests)

/*
 * tests/unit/api/story_actions.c: src/api/story_actions.c before the
 * database: a transition's body and its statement's arguments,
 * a move's anchors (at most one of before, after and rank) and fields.
 */
#include "route_cases.h"

#include "api/story_actions_int.h"

static void transitions(void **state)
{
	static const route_case cases[] = {
		{"PLAN", "PLAN-1", "{\"to\": \"done\"}", NULL, 0},
		{"PLAN", "PLAN-1", "{\"to\": \"done\", \"note\": null, \"force\": true}", NULL, 0},
		{"PLAN", "PLAN-1", "{\"note\": \"n\"}", T_FIELD("to"), 422},
		{"PLAN", "PLAN-1", "{\"to\": \"done\", \"force\": \"yes\"}", T_FIELD("force"), 422},
		{"PLAN", "PLAN-1", "{\"to\": \"done\", \"from\": \"todo\"}", T_FIELD("from"), 400},
	};
	const pp_api_route_sql *d = &story_actions_transition;

	(void)state;
	expect_checks(d, cases);
	assert_true(d->flags & PP_ROUTE_IF_MATCH);
	/* The statement's arguments: force as a boolean's text, a missing note NULL. */
	{
		const char *args[6];
		json_t *body =
			json_loads("{\"to\": \"done\", \"force\": true, \"note\": \"n\"}", 0, NULL);

		story_actions_transition_args("PLAN", "PLAN-1", body, "3", args);
		assert_string_equal(args[0], "PLAN");
		assert_string_equal(args[1], "PLAN-1");
		assert_string_equal(args[2], "done");
		assert_string_equal(args[3], "3");
		assert_string_equal(args[4], "n");
		assert_string_equal(args[5], "true");
		json_decref(body);
		body = json_loads("{\"to\": \"done\", \"note\": null}", 0, NULL);
		story_actions_transition_args("PLAN", "PLAN-1", body, NULL, args);
		assert_null(args[3]);
		assert_null(args[4]);
		assert_string_equal(args[5], "false");
		json_decref(body);
	}
}

static void moves(void **state)
{
	static const route_case cases[] = {
		{"PLAN", "PLAN-1", "{\"backlog\": 7, \"after\": \"PLAN-12\"}", NULL, 0},
		{"PLAN", "PLAN-1", "{\"backlog\": null}", NULL, 0},
		{"PLAN", "PLAN-1", "{\"backlog\": 0}", T_FIELD("backlog"), 422},
		{"PLAN", "PLAN-1", "{\"rank\": \"first\"}", T_FIELD("rank"), 422},
	};
	const pp_api_route_sql *d = &story_actions_move;

	(void)state;
	assert_int_equal(t_api_int_of(story_actions_anchors, "{\"backlog\": 3}"), 0);
	assert_int_equal(t_api_int_of(story_actions_anchors, "{\"after\": \"PLAN-2\"}"), 1);
	assert_int_equal(t_api_int_of(story_actions_anchors, "{\"rank\": null}"), 1);
	assert_int_equal(t_api_int_of(story_actions_anchors,
				      "{\"before\": \"A\", \"after\": \"B\", \"rank\": 1}"),
			 3);
	expect_checks(d, cases);
	/* Two anchors: refused by the handler before it asks the database. */
	assert_int_equal(t_api_refused(pp_api_story_move, "PLAN", "PLAN-1",
				       "{\"before\": \"PLAN-2\", \"rank\": 3}",
				       "give at most one of before, after and rank"),
			 422);
	/* One statement, the function guarding; keyed, its twin. */
	assert_true(d->flags & PP_ROUTE_CALL);
	assert_null(d->min_role);
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(transitions), cmocka_unit_test(moves)};

UNIT_MAIN("story_actions", tests)

/*
 * fuzz_story.c: libFuzzer target for pp_story_parse (src/import/story.c).
 *
 * Beyond "no crash, no leak, no UB" under ASan+UBSan, it checks what the
 * header promises: an error is "path:line:column: ..." and leaves the story
 * zeroed; a success has a key, a title, a JSON object for metadata, the body
 * as the tail of the input, a checklist that adds up, and warnings with
 * positions. pp_story_sniff and pp_story_template_reason run on every input. A broken promise
 * aborts, which the fuzzer reports like a crash. Build: see docs/import.md.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/story.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_story: broken promise: %s\n", what);
		abort();
	}
}

static int is_zero(const pp_story *s)
{
	static const pp_story zero;

	return memcmp(s, &zero, sizeof(zero)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	pp_story s;
	pp_err err;
	json_t *meta;
	size_t i, blen;
	pp_story_kind kind;
	const char *why;
	pp_rc rc;

	kind = pp_story_sniff(text, size, &why);
	check((kind == PP_STORY_TOML || kind == PP_STORY_UNREADABLE) == (why != NULL),
	      "sniff gives a reason for TOML and unreadable files only");
	(void)pp_story_template_reason("templates/f.md", text, size);
	(void)pp_story_template_reason("f.md", text, size);
	pp_err_clear(&err);
	rc = pp_story_parse("f.md", text, size, &s, &err);
	check(rc != PP_OK || kind == PP_STORY_YAML || kind == PP_STORY_JSON,
	      "only YAML and JSON front matter parse");
	if (rc != PP_OK) {
		check(rc == PP_EINVAL || rc == PP_ENOMEM, "an error is EINVAL or ENOMEM");
		check(is_zero(&s), "a failed parse leaves the story zeroed");
		if (rc == PP_EINVAL) {
			check(strncmp(err.msg, "f.md:", 5) == 0, "an error names the file");
			check(err.line >= 1 && strcmp(err.file, "f.md") == 0,
			      "err->file, err->line");
		}
		return 0;
	}
	check(s.key != NULL && s.title != NULL && s.body != NULL, "key, title and body are set");
	check(s.key_pos.line >= 1 && s.title_pos.line >= 1, "key and title have positions");
	check(s.key_from_path ? s.key_pos.line == 1 : s.key_pos.line >= 1, "key_pos");
	check(strlen(s.key) <= 64 && strpbrk(s.key, ":/ \t\r\n") == NULL, "keys are keys");
	check(s.priority_rank >= 0, "a rank is positive or none");
	check((s.created == NULL) == (s.created_utc == NULL) &&
		      (s.last_updated == NULL) == (s.last_updated_utc == NULL),
	      "a date comes with its UTC form");
	for (i = 0; i < s.n_warnings; i++)
		check(s.warnings[i].msg != NULL && s.warnings[i].line >= 1 &&
			      s.warnings[i].column >= 1,
		      "warnings have a message and a position");
	blen = strlen(s.body);
	check(blen <= size && memcmp(text + size - blen, s.body, blen) == 0,
	      "the body is the tail of the file");
	check(s.checklist_done >= 0 && s.checklist_done <= s.checklist_total, "checklist counts");
	check(s.has_points ? s.estimate_raw != NULL && s.estimate_points >= 0
			   : s.estimate_points == 0,
	      "points come with an estimate");
	for (i = 0; i < s.n_labels; i++)
		check(s.labels[i][0] != '\0', "labels are not empty");
	for (i = 0; i < s.n_deps; i++)
		check(s.deps[i].key != NULL && s.deps[i].pos.line >= 2, "dependencies have a key");
	meta = json_loads(s.metadata_json, 0, NULL);
	check(meta != NULL && json_is_object(meta), "metadata is a JSON object");
	json_decref(meta);
	pp_story_free(&s);
	check(is_zero(&s), "pp_story_free zeroes the story");
	return 0;
}

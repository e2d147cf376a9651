/*
 * story_sniff.c: what a file is before it is parsed (pp_story_sniff) and
 * whether it is a story template (pp_story_template_reason). Both read only
 * the first lines and the path, so that the importer can give every file a
 * verdict: a story, a template, not a story, or meant as a story but not
 * readable (and why). See story.h and docs/import.md, "File format".
 */
#include <string.h>
#include <strings.h>

#include "import/story_int.h"

#define BOM "\xEF\xBB\xBF"

static int is_sp(char ch)
{
	return ch == ' ' || ch == '\t';
}

size_t story_line_end(const char *d, size_t len, size_t i, size_t *next)
{
	size_t j = i;

	while (j < len && d[j] != '\n' && d[j] != '\r')
		j++;
	*next = j + (j < len) + (j + 1 < len && d[j] == '\r' && d[j + 1] == '\n');
	return j;
}

int story_is_mark_line(const char *d, size_t i, size_t end, const char *mark)
{
	if (end - i < 3 || memcmp(d + i, mark, 3) != 0)
		return 0;
	for (i += 3; i < end && is_sp(d[i]); i++)
		;
	return i == end;
}

/* Whether d[i..end) holds only '-' and blanks, two dashes or more (a mistyped "---"). */
static int is_dash_line(const char *d, size_t i, size_t end)
{
	size_t dashes = 0;

	for (; i < end; i++) {
		if (d[i] == '-')
			dashes++;
		else if (!is_sp(d[i]))
			return 0;
	}
	return dashes >= 2;
}

/* Whether d[i..end) reads like a front matter line: "name:" then a blank or the end. */
static int is_field_line(const char *d, size_t i, size_t end)
{
	size_t j;

	while (i < end && is_sp(d[i]))
		i++;
	if (i < end && d[i] == '"')
		i++;
	if (i == end ||
	    !((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' && d[i] <= 'Z') || d[i] == '_'))
		return 0;
	for (j = i; j < end && d[j] != ':'; j++)
		if (!((d[j] >= 'a' && d[j] <= 'z') || (d[j] >= 'A' && d[j] <= 'Z') ||
		      (d[j] >= '0' && d[j] <= '9') || strchr("_- \"", d[j]) != NULL))
			return 0;
	return j < end && (j + 1 == end || is_sp(d[j + 1]));
}

/* The first line after the one starting at i that is not blank reads like a field. */
static int field_follows(const char *d, size_t len, size_t i)
{
	size_t next, end;

	story_line_end(d, len, i, &i);
	while (i < len) {
		end = story_line_end(d, len, i, &next);
		while (i < end && is_sp(d[i]))
			i++;
		if (i < end)
			return is_field_line(d, i, end);
		i = next;
	}
	return 0;
}

pp_story_kind pp_story_sniff(const char *data, size_t len, const char **reason)
{
	const char *why = NULL, *d = data ? data : "";
	size_t i = 0, end, next, j;
	pp_story_kind kind = PP_STORY_NOT_STORY;

	if (data == NULL)
		len = 0;
	if (len >= 2 &&
	    ((d[0] == '\xFF' && d[1] == '\xFE') || (d[0] == '\xFE' && d[1] == '\xFF'))) {
		why = "UTF-16 text (a UTF-16 byte order mark): save it as UTF-8";
		kind = PP_STORY_UNREADABLE;
		goto out;
	}
	if (len >= 6 && (memcmp(d, "-\0-\0-\0", 6) == 0 || memcmp(d, "\0-\0-\0-", 6) == 0)) {
		why = "UTF-16 text (no byte order mark): save it as UTF-8";
		kind = PP_STORY_UNREADABLE;
		goto out;
	}
	if (len >= 3 && memcmp(d, BOM, 3) == 0)
		i = 3;
	end = story_line_end(d, len, i, &next);
	if (story_is_mark_line(d, i, end, "---")) {
		kind = PP_STORY_YAML;
	} else if (story_is_mark_line(d, i, end, "+++")) {
		why = "TOML front matter ('+++') is not supported: convert it to YAML between "
		      "'---' lines";
		kind = PP_STORY_TOML;
	} else if (i < len && d[i] == '{') {
		for (j = i + 1; j < len && (is_sp(d[j]) || d[j] == '\n' || d[j] == '\r'); j++)
			;
		if (j < len && (d[j] == '"' || d[j] == '}'))
			kind = PP_STORY_JSON;
	} else if (i < end && d[i] == '-' && is_dash_line(d, i, end) && field_follows(d, len, i)) {
		why = "the first line looks like a front matter delimiter but is not exactly "
		      "'---'";
		kind = PP_STORY_UNREADABLE;
	} else {
		/* blank lines or indentation before a delimiter and fields */
		int blank_lines = 0;
		while (i < len) {
			for (j = i; j < end && is_sp(d[j]); j++)
				;
			if (j < end)
				break;
			blank_lines = 1;
			i = next;
			end = story_line_end(d, len, i, &next);
		}
		for (j = i; j < end && is_sp(d[j]); j++)
			;
		if (i < len && is_dash_line(d, j, end) && field_follows(d, len, i)) {
			why = blank_lines ? "blank lines before the opening '---': the front "
					    "matter must start on line 1"
					  : "the opening '---' is indented: it must start at "
					    "column 1";
			kind = PP_STORY_UNREADABLE;
		}
	}
out:
	if (reason != NULL)
		*reason = why;
	return kind;
}

/* ---- templates ------------------------------------------------------------ */

static int all_of(const char *s, size_t len, const char *set)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	return len > 0;
}

int story_is_placeholder(const char *s, size_t len)
{
	size_t i = 0, j, part = 0;
	int all_x = 1;

	for (j = 0; j < len; j++)
		if (s[j] != '\0' && strchr("#{}<>$", s[j]) != NULL)
			return 1;
	while (i <= len) {
		for (j = i; j < len && strchr("-_.", s[j]) == NULL; j++)
			;
		if (j - i == 8 && strncasecmp(s + i, "template", 8) == 0)
			return 1;
		if (part == 0 ? !all_of(s + i, j - i, "Xx")
			      : !(all_of(s + i, j - i, "Xx") || all_of(s + i, j - i, "0") ||
				  all_of(s + i, j - i, "Nn")))
			all_x = 0;
		part++;
		i = j + 1;
	}
	return all_x;
}

/* Whether name[0..len) holds "template" or "templates" as a word (letters around it: no). */
static int names_template(const char *name, size_t len)
{
	size_t i, e;

	for (i = 0; i + 8 <= len; i++) {
		if (strncasecmp(name + i, "template", 8) != 0)
			continue;
		if (i > 0 && ((name[i - 1] | 0x20) >= 'a' && (name[i - 1] | 0x20) <= 'z'))
			continue;
		e = i + 8;
		if (e < len && (name[e] | 0x20) == 's')
			e++;
		if (e == len || !((name[e] | 0x20) >= 'a' && (name[e] | 0x20) <= 'z'))
			return 1;
	}
	return 0;
}

/* The raw text of the front matter's top-level id (quotes and a comment removed). */
static int find_id(const char *d, size_t len, const char **id, size_t *id_len)
{
	size_t i = 0, end, next, j;
	pp_story_kind kind = pp_story_sniff(d, len, NULL);

	if (len >= 3 && memcmp(d, BOM, 3) == 0)
		i = 3;
	if (kind == PP_STORY_JSON) { /* "id": "value" anywhere: good enough for a verdict */
		const char *p = d, *stop = d + len;
		for (; p + 4 <= stop; p++) {
			if (memcmp(p, "\"id\"", 4) != 0)
				continue;
			for (p += 4; p < stop && (is_sp(*p) || *p == '\n' || *p == '\r'); p++)
				;
			if (p == stop || *p != ':')
				continue;
			for (p++; p < stop && is_sp(*p); p++)
				;
			if (p == stop || *p != '"')
				continue;
			for (j = 1; p + j < stop && p[j] != '"' && p[j] != '\n'; j++)
				;
			*id = p + 1;
			*id_len = j - 1;
			return 1;
		}
		return 0;
	}
	if (kind != PP_STORY_YAML)
		return 0;
	story_line_end(d, len, i, &i);
	for (; i < len; i = next) {
		end = story_line_end(d, len, i, &next);
		if (story_is_mark_line(d, i, end, "---") || story_is_mark_line(d, i, end, "..."))
			return 0;
		if (end - i < 3 || memcmp(d + i, "id", 2) != 0)
			continue;
		for (j = i + 2; j < end && is_sp(d[j]); j++)
			;
		if (j == end || d[j] != ':')
			continue;
		for (j++; j < end && is_sp(d[j]); j++)
			;
		*id = d + j;
		if (j < end && (d[j] == '"' || d[j] == '\'')) {
			const char *q = memchr(d + j + 1, d[j], end - j - 1);
			*id = d + j + 1;
			*id_len = q ? (size_t)(q - *id) : end - j - 1;
			return 1;
		}
		for (*id_len = 0; j + *id_len < end; ++*id_len)
			if (*id_len > 0 && d[j + *id_len] == '#' && is_sp(d[j + *id_len - 1]))
				break;
		while (*id_len > 0 && is_sp((*id)[*id_len - 1]))
			--*id_len;
		return 1;
	}
	return 0;
}

const char *pp_story_template_reason(const char *path, const char *data, size_t len)
{
	const char *p = path ? path : "", *slash, *id;
	size_t id_len;

	while ((slash = strchr(p, '/')) != NULL) {
		size_t n = (size_t)(slash - p);
		if ((n == 9 && strncasecmp(p, "templates", 9) == 0) ||
		    (n == 8 && strncasecmp(p, "template", 8) == 0))
			return "a template: it is under a templates/ directory";
		p = slash + 1;
	}
	if (names_template(p, strlen(p)))
		return "a template: its file name says so";
	if (data != NULL && find_id(data, len, &id, &id_len) && id_len > 0 &&
	    story_is_placeholder(id, id_len))
		return "a template: its id is a placeholder (such as ADH-###, XXX-000 or {{id}})";
	return NULL;
}

int pp_story_file_name(const char *name)
{
	static const char *const ext[] = {".md", ".markdown"};
	const char *base = strrchr(name, '/');
	size_t len, n;

	base = base ? base + 1 : name;
	len = strlen(base);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		n = strlen(ext[i]);
		if (len > n && strcasecmp(base + len - n, ext[i]) == 0)
			return 1;
	}
	return 0;
}

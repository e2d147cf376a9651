/* limits.c: the schema's fixed word lists and its project key rule (see limits.h). */
#include "core/limits.h"

#include <stddef.h>
#include <string.h>

const char *const pp_priorities[] = {"critical", "high", "medium", "low", NULL};
const char *const pp_categories[] = {"todo", "active", "done", "cancelled", NULL};

int pp_project_key_valid(const char *s, size_t len)
{
	static const char rest[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
	size_t i;

	if (s == NULL || len == 0 || len > 20 || s[0] < 'A' || s[0] > 'Z')
		return 0;
	for (i = 1; i < len; i++)
		if (s[i] == '\0' || strchr(rest, s[i]) == NULL)
			return 0;
	return 1;
}

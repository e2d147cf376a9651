/* limits.c: the schema's fixed word lists (see limits.h). */
#include "core/limits.h"

#include <stddef.h>

const char *const pp_priorities[] = {"critical", "high", "medium", "low", NULL};
const char *const pp_categories[] = {"todo", "active", "done", "cancelled", NULL};

/*
 * gen_text.c: the PRNG, COPY text buffers and the text model of the
 * benchmark generator (see gen.h).
 *
 * Words follow a Zipf-like law, as words in real text do: the first ranks
 * are common English and engineering words (so full-text queries find
 * thousands of stories), the long tail is invented words (so rare queries
 * find a handful). Rank r is drawn as floor(n^u) - 1, a 1/rank law in O(1);
 * running text takes 85% of its words from the common ones.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"

/* ---------------------------------------------------------------- PRNG */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void gen_rng_for(gen_rng *r, uint64_t seed, uint64_t tag, uint64_t n)
{
	uint64_t x = seed ^ (tag * 0xd1342543de82ef95ULL) ^ (n * 0x9e3779b97f4a7c15ULL);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t gen_next(gen_rng *r)
{
	uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t gen_below(gen_rng *r, uint32_t n)
{
	return (uint32_t)(((gen_next(r) >> 32) * (uint64_t)n) >> 32);
}

double gen_unit(gen_rng *r)
{
	return (double)(gen_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int gen_chance(gen_rng *r, double p)
{
	return gen_unit(r) < p;
}

double gen_exp(gen_rng *r, double mean)
{
	return -mean * log(1.0 - gen_unit(r));
}

uint32_t gen_zipf(gen_rng *r, uint32_t n)
{
	uint32_t k = (uint32_t)exp(gen_unit(r) * log((double)n + 1.0));
	return k == 0 ? 0 : (k > n ? n - 1 : k - 1);
}

/* -------------------------------------------------------------- buffers */

void gen_buf_reserve(gen_buf *b, size_t extra)
{
	if (b->len + extra <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + extra)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (p == NULL) {
		fprintf(stderr, "generate: out of memory\n");
		exit(1);
	}
	b->p = p;
	b->cap = cap;
}

void gen_buf_put(gen_buf *b, const char *s, size_t n)
{
	gen_buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void gen_buf_str(gen_buf *b, const char *s)
{
	gen_buf_put(b, s, strlen(s));
}

void gen_buf_ch(gen_buf *b, char c)
{
	gen_buf_reserve(b, 1);
	b->p[b->len++] = c;
}

void gen_buf_u64(gen_buf *b, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	gen_buf_reserve(b, (size_t)n);
	while (n)
		b->p[b->len++] = tmp[--n];
}

static void put2(gen_buf *b, int v)
{
	gen_buf_ch(b, (char)('0' + v / 10));
	gen_buf_ch(b, (char)('0' + v % 10));
}

void gen_buf_date(gen_buf *b, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	gen_buf_u64(b, (uint64_t)tm.tm_year + 1900);
	gen_buf_ch(b, '-');
	put2(b, tm.tm_mon + 1);
	gen_buf_ch(b, '-');
	put2(b, tm.tm_mday);
}

void gen_buf_ts(gen_buf *b, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	char frac[16];
	gmtime_r(&t, &tm);
	gen_buf_date(b, us);
	gen_buf_ch(b, ' ');
	put2(b, tm.tm_hour);
	gen_buf_ch(b, ':');
	put2(b, tm.tm_min);
	gen_buf_ch(b, ':');
	put2(b, tm.tm_sec);
	snprintf(frac, sizeof frac, ".%06d", (int)(us % 1000000));
	gen_buf_str(b, frac);
	gen_buf_str(b, "+00");
}

void gen_buf_copy_escaped(gen_buf *b, const char *s, size_t n)
{
	gen_buf_reserve(b, n + n / 8 + 16);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		const char *esc = c == '\\'   ? "\\\\"
				  : c == '\n' ? "\\n"
				  : c == '\t' ? "\\t"
				  : c == '\r' ? "\\r"
					      : NULL;
		if (esc)
			gen_buf_put(b, esc, 2);
		else
			gen_buf_ch(b, c);
	}
}

void gen_buf_free(gen_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ----------------------------------------------------------------- words */

/* Common first: English function words, then the words of planning and engineering. */
/* clang-format off */
static const char *const real_words[] = {
	"the", "to", "and", "of", "a", "in", "for", "is", "that", "with", "on", "as", "be", "it",
	"by", "this", "are", "or", "from", "should", "when", "can", "all", "each", "not", "an",
	"will", "we", "at", "must", "so", "into", "its", "one", "per", "which", "new", "use",
	"data", "user", "story", "project", "api", "database", "service", "request", "test",
	"support", "error", "query", "index", "status", "backlog", "schema", "config",
	"performance", "migration", "docker", "postgresql", "endpoint", "response", "json",
	"table", "field", "value", "list", "page", "report", "team", "release", "build", "deploy",
	"server", "client", "cache", "session", "token", "auth", "permission", "role", "access",
	"security", "log", "metric", "monitoring", "health", "check", "backup", "restore",
	"import", "export", "file", "git", "branch", "commit", "review", "merge", "pipeline",
	"job", "queue", "worker", "event", "message", "notification", "email", "search", "filter",
	"sort", "pagination", "limit", "timeout", "retry", "connection", "pool", "transaction",
	"lock", "constraint", "trigger", "history", "audit", "version", "update", "delete",
	"insert", "create", "read", "write", "validate", "parse", "format", "document", "docs",
	"guide", "example", "acceptance", "criteria", "definition", "done", "value", "proposition",
	"technical", "notes", "reference", "dependency", "blocker", "sprint", "epic", "estimate",
	"priority", "owner", "author", "label", "metadata", "dashboard", "chart", "analytics",
	"throughput", "latency", "cycle", "lead", "time", "burndown", "flow", "cumulative",
	"board", "column", "card", "workflow", "state", "transition", "environment", "variable",
	"secret", "password", "certificate", "tls", "network", "port", "host", "container",
	"image", "volume", "compose", "kubernetes", "helm", "cluster", "node", "replica",
	"failover", "availability", "scaling", "load", "balancer", "proxy", "gateway", "rate",
	"limiter", "quota", "billing", "invoice", "payment", "customer", "account", "tenant",
	"organization", "member", "invite", "profile", "settings", "preference", "theme", "mobile",
	"desktop", "browser", "frontend", "backend", "component", "module", "package", "library",
	"framework", "plugin", "extension", "integration", "webhook", "callback", "sync", "async",
	"batch", "stream", "upload", "download", "storage", "bucket", "object", "blob", "archive",
	"retention", "policy", "compliance", "gdpr", "privacy", "consent", "encryption", "hash",
	"signature", "verify", "integrity", "checksum", "corruption", "recovery", "incident",
	"alert", "pager", "oncall", "runbook", "postmortem", "regression", "bug", "fix", "patch",
	"hotfix", "refactor", "cleanup", "debt", "coverage", "unit", "integration", "end", "fuzz",
	"benchmark", "profile", "memory", "cpu", "disk", "io", "throughput", "concurrency",
	"thread", "async", "deadlock", "race", "consistency", "isolation", "durability",
	"replication", "partition", "shard", "vacuum", "analyze", "explain", "plan", "cost",
	"estimate", "statistics", "histogram", "selectivity", "join", "scan", "sequential",
	"bitmap", "gin", "btree", "jsonb", "array", "text", "vector", "rank", "order", "offset",
	"cursor", "keyset", "stable", "reliable", "fast", "slow", "simple", "clear", "explicit",
	"consistent", "existing", "missing", "invalid", "valid", "required", "optional", "default",
	"maximum", "minimum", "first", "last", "next", "previous", "current", "old", "many",
	"multiple", "single", "across", "within", "between", "after", "before", "during",
	"without", "through", "about", "only", "also", "then", "than", "more", "less", "most",
	"every", "any", "some", "other", "same", "different", "own", "such", "like", "while",
	"because", "where", "how", "what", "who", "their", "they", "them", "our", "us", "you",
	"your", "has", "have", "had", "was", "were", "been", "being", "do", "does", "did", "make",
	"made", "need", "needs", "want", "see", "show", "shows", "allow", "allows", "provide",
	"provides", "handle", "handles", "keep", "keeps", "add", "adds", "remove", "change",
	"changes", "move", "run", "runs", "start", "stop", "restart", "fail", "fails", "succeed",
	"return", "returns", "send", "receive", "store", "load", "measure", "track", "record",
	"compute", "count", "group", "aggregate", "summary", "detail", "overview", "view",
	"screen", "dialog", "button", "form", "input", "output", "result", "outcome", "goal",
	"risk", "assumption", "question", "answer", "decision", "tradeoff", "option", "approach",
	"design", "architecture", "layer", "boundary", "contract", "interface", "protocol", "http",
	"rest", "grpc", "openapi", "specification", "proposal", "rfc", "standard", "convention",
	"style", "lint", "compiler", "warning", "sanitizer", "crash", "leak", "overflow", "null",
	"pointer",
};
/* clang-format on */

static char *words[GEN_WORDS];
static char *labels[GEN_LABELS];

/* clang-format off */
static const char *const syllables[] = {
	"ka", "lo", "mi", "ren", "tu", "sa", "vor", "ne", "qui", "da", "ber", "zo", "fin", "gal",
	"pe", "ros", "ti", "mun", "hel", "xa", "dor", "bri", "len", "sto",
};
/* clang-format on */
#define NSYL (sizeof syllables / sizeof syllables[0])

static char *dup_or_die(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p == NULL) {
		fprintf(stderr, "generate: out of memory\n");
		exit(1);
	}
	memcpy(p, s, n);
	return p;
}

/* An invented word for tail rank i: three or four syllables, unique per i. */
static char *invented(uint32_t i)
{
	char w[32];
	size_t n = 0;
	uint32_t x = i;
	int parts = i < NSYL * NSYL * NSYL ? 3 : 4;
	for (int k = 0; k < parts; k++) {
		const char *s = syllables[x % NSYL];
		x /= NSYL;
		size_t l = strlen(s);
		memcpy(w + n, s, l);
		n += l;
	}
	w[n] = '\0';
	return dup_or_die(w);
}

/* clang-format off */
static const char *const real_labels[] = {
	"backend", "database", "api", "frontend", "bug", "infrastructure", "security",
	"performance", "docs", "testing", "ci", "tech-debt", "ux", "postgresql", "docker",
	"schema", "auth", "reporting", "analytics", "migration", "refactor", "observability",
	"logging", "metrics", "deploy", "kubernetes", "cache", "queue", "email", "notifications",
	"i18n", "accessibility", "design", "payments", "import", "export", "git", "search",
	"mobile", "billing",
};
/* clang-format on */
#define NREAL_LABELS (sizeof real_labels / sizeof real_labels[0])

void gen_text_init(void)
{
	size_t nreal = sizeof real_words / sizeof real_words[0];
	uint32_t tail = 0;
	for (uint32_t i = 0; i < GEN_WORDS; i++)
		words[i] = i < nreal ? dup_or_die(real_words[i]) : invented(tail++);
	for (uint32_t i = 0; i < GEN_LABELS; i++) {
		char l[32];
		if (i < NREAL_LABELS)
			snprintf(l, sizeof l, "%s", real_labels[i]);
		else if (i % 2)
			snprintf(l, sizeof l, "team-%u", i - (uint32_t)NREAL_LABELS);
		else
			snprintf(l, sizeof l, "component-%u", i - (uint32_t)NREAL_LABELS);
		labels[i] = dup_or_die(l);
	}
}

void gen_text_free(void)
{
	for (uint32_t i = 0; i < GEN_WORDS; i++) {
		free(words[i]);
		words[i] = NULL;
	}
	for (uint32_t i = 0; i < GEN_LABELS; i++) {
		free(labels[i]);
		labels[i] = NULL;
	}
}

const char *gen_word(uint32_t i)
{
	return words[i % GEN_WORDS];
}

const char *gen_label(uint32_t i)
{
	return labels[i % GEN_LABELS];
}

/* ------------------------------------------------------------ sentences */

/*
 * A word of running text: 85% from the common words (Zipf over them), 15%
 * from the long tail of rare ones, as in real prose.
 */
static const char *text_word(gen_rng *r)
{
	uint32_t nreal = (uint32_t)(sizeof real_words / sizeof real_words[0]);
	if (gen_chance(r, 0.85))
		return gen_word(gen_zipf(r, nreal));
	return gen_word(nreal + gen_zipf(r, GEN_WORDS - nreal));
}

static void sentence(gen_rng *r, gen_buf *b, int min_words, int max_words, int period)
{
	int n = min_words + (int)gen_below(r, (uint32_t)(max_words - min_words + 1));
	for (int i = 0; i < n; i++) {
		const char *w = text_word(r);
		if (i > 0)
			gen_buf_ch(b, ' ');
		if (i == 0 && w[0] >= 'a' && w[0] <= 'z') {
			gen_buf_ch(b, (char)(w[0] - 'a' + 'A'));
			gen_buf_str(b, w + 1);
		} else {
			gen_buf_str(b, w);
		}
	}
	if (period)
		gen_buf_ch(b, '.');
}

static const char *const verbs[] = {
	"Add",    "Implement", "Fix",      "Support", "Refactor", "Document", "Migrate", "Improve",
	"Remove", "Replace",   "Validate", "Expose",  "Measure",  "Automate", "Harden",  "Split",
};
static const char *const roles[] = {
	"system administrator", "developer",  "team lead",          "product owner",
	"planning agent",       "API client", "project maintainer", "release manager",
	"support engineer",     "analyst",
};

void gen_story_title(gen_rng *r, gen_buf *title)
{
	gen_buf_str(title, verbs[gen_below(r, sizeof verbs / sizeof verbs[0])]);
	int n = 3 + (int)gen_below(r, 6);
	for (int i = 0; i < n; i++) {
		gen_buf_ch(title, ' ');
		/* Titles lean on the common engineering words, skipping function words. */
		uint32_t nreal = (uint32_t)(sizeof real_words / sizeof real_words[0]);
		gen_buf_str(title, gen_chance(r, 0.85)
					   ? gen_word(20 + gen_zipf(r, nreal - 20))
					   : gen_word(nreal + gen_zipf(r, GEN_WORDS - nreal)));
	}
}

static void checklist(gen_rng *r, gen_buf *b, int items, double done_share, gen_story_text *out)
{
	for (int i = 0; i < items; i++) {
		int ticked = done_share >= 1.0 || (done_share > 0 && gen_chance(r, done_share));
		gen_buf_str(b, ticked ? "- [x] " : "- [ ] ");
		sentence(r, b, 6, 16, 0);
		gen_buf_ch(b, '\n');
		out->checklist_total++;
		out->checklist_done += ticked;
	}
}

void gen_story_body(gen_rng *r, gen_buf *b, const char *key, const char *title, size_t body_bytes,
		    double done_share, gen_story_text *out)
{
	size_t start = b->len;
	out->checklist_total = out->checklist_done = 0;

	gen_buf_str(b, "# ");
	gen_buf_str(b, key);
	gen_buf_str(b, ": ");
	gen_buf_str(b, title);
	gen_buf_str(b, "\n\n## User Story\n**As a** ");
	gen_buf_str(b, roles[gen_below(r, sizeof roles / sizeof roles[0])]);
	gen_buf_str(b, "  \n**I want** ");
	sentence(r, b, 8, 16, 0);
	gen_buf_str(b, "  \n**So that** ");
	sentence(r, b, 8, 18, 0);
	gen_buf_str(b, "\n\n## Value Proposition\n");
	for (int i = 0, n = 2 + (int)gen_below(r, 2); i < n; i++) {
		sentence(r, b, 12, 24, 1);
		gen_buf_ch(b, ' ');
	}
	gen_buf_str(b, "\n\n## Acceptance Criteria\n");
	checklist(r, b, 6 + (int)gen_below(r, 9), done_share, out);
	gen_buf_str(b, "\n## Technical Notes\n");
	/* Notes absorb the size: bodies vary, as story files do. */
	while (b->len - start < body_bytes * 4 / 5) {
		gen_buf_str(b, "- ");
		sentence(r, b, 8, 20, 1);
		gen_buf_ch(b, '\n');
	}
	gen_buf_str(b, "\n## Definition of Done\n");
	checklist(r, b, 3 + (int)gen_below(r, 4), done_share, out);
	gen_buf_str(b, "\n## References\n- [");
	gen_buf_str(b, key);
	gen_buf_str(b, " proposal](../../proposals/");
	gen_buf_str(b, key);
	gen_buf_str(b, ".md)\n\n---\n**Story Lifecycle:**\n- Created by planning-agent\n");
}

/*
 * story_fields.c: the values of the known fields, one rule each: keys,
 * priorities, estimates, dates (and their UTC form), branch names. Pure
 * functions on a text and its length; story.c decides what a failure costs
 * (a warning, never the story). See story_int.h and docs/import.md.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/date.h"
#include "import/story_int.h"

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

static int is_sep(char ch)
{
	return ch == ',' || ch == '/' || ch == '(' || ch == ')';
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_alpha(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

/* [A-Za-z0-9][A-Za-z0-9_.-]{0,63}: keys as teams write them ("adh-001", "INF-013"). */
int story_is_key(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > KEY_MAX || !(is_alpha(s[0]) || is_digit(s[0])))
		return 0;
	for (i = 1; i < len; i++)
		if (!(is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-' || s[i] == '_' ||
		      s[i] == '.'))
			return 0;
	return 1;
}

/* The priority words and the level each names (any case). */
static const struct {
	const char *word, *level;
} prio_words[] = {
	{"critical", "critical"}, {"urgent", "critical"}, {"p0", "critical"},   {"high", "high"},
	{"p1", "high"},           {"medium", "medium"},   {"normal", "medium"}, {"p2", "medium"},
	{"low", "low"},           {"p3", "low"},
};

int story_priority(const char *s, size_t len, const char **level, int *rank)
{
	size_t i = 0, j, w;

	*level = NULL;
	*rank = 0;
	while (i < len) {
		long v = 0;
		while (i < len && (is_blank(s[i]) || is_sep(s[i])))
			i++;
		if (i == len)
			break;
		for (j = i; j < len && !is_blank(s[j]) && !is_sep(s[j]); j++)
			;
		for (w = 0; w < sizeof(prio_words) / sizeof(prio_words[0]); w++)
			if (strlen(prio_words[w].word) == j - i &&
			    strncasecmp(s + i, prio_words[w].word, j - i) == 0)
				break;
		if (w < sizeof(prio_words) / sizeof(prio_words[0])) {
			if (*level != NULL)
				return 0;
			*level = prio_words[w].level;
		} else {
			for (; i < j && is_digit(s[i]) && v <= PRIORITY_RANK_MAX; i++)
				v = v * 10 + (s[i] - '0');
			if (i < j || v < 1 || v > PRIORITY_RANK_MAX || *rank != 0)
				return 0;
			*rank = (int)v;
		}
		i = j;
	}
	return *level != NULL || *rank != 0;
}

/*
 * The story points in an estimate: a number (no sign, no exponent), then
 * optionally "sp", "pt", "pts", "point(s)" or "story point(s)", any case.
 * 1 with *points set, 0 for no number ("XL"), -1 when too large for the column.
 */
int story_estimate_points(const char *s, size_t len, double *points)
{
	static const char *const units[] = {"",      "sp",     "pt",          "pts",
					    "point", "points", "story point", "story points"};
	double v = 0, scale = 1;
	size_t i = 0, digits = 0, u;

	while (len > 0 && is_blank(*s))
		s++, len--;
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	for (; i < len && is_digit(s[i]); i++, digits++)
		if ((v = v * 10 + (s[i] - '0')) > 1e9)
			v = 1e9; /* stays "too large" without overflowing */
	if (i < len && s[i] == '.')
		for (i++; i < len && is_digit(s[i]); i++, digits++)
			v += (s[i] - '0') * (scale /= 10);
	if (digits == 0)
		return 0;
	while (i < len && is_blank(s[i]))
		i++;
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++)
		if (strlen(units[u]) == len - i && strncasecmp(s + i, units[u], len - i) == 0)
			break;
	if (u == sizeof(units) / sizeof(units[0]))
		return 0;
	*points = v;
	/* What rounds to at most the column's largest value (2 decimals). */
	return v < PP_ESTIMATE_POINTS_MAX + 0.005 ? 1 : -1;
}

static int read_digits(const char *s, size_t len, size_t *i, size_t min, size_t max, int *v)
{
	size_t n = 0;

	for (*v = 0; *i < len && n < max && is_digit(s[*i]); (*i)++, n++)
		*v = *v * 10 + (s[*i] - '0');
	return n >= min;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static long days_from_civil(long y, int m, int d)
{
	long era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void civil_from_days(long z, long *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* A parsed date or timestamp; zone_min is the offset east of UTC in minutes. */
typedef struct moment {
	int y, mo, d, h, mi, sec, usec, zone_min;
} moment;

/* The time and zone after the date (s[*i] is 'T', 't' or a blank); 0 when malformed. */
static int read_time(const char *s, size_t len, size_t *i, moment *m)
{
	int tzh = 0, tzm = 0, sign, frac, n;

	if (s[*i] == 'T' || s[*i] == 't')
		(*i)++;
	else
		while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
			(*i)++;
	if (!read_digits(s, len, i, 1, 2, &m->h) || *i >= len || s[(*i)++] != ':' ||
	    !read_digits(s, len, i, 2, 2, &m->mi))
		return 0;
	if (*i < len && s[*i] == ':') {
		(*i)++;
		if (!read_digits(s, len, i, 2, 2, &m->sec))
			return 0;
		if (*i < len && s[*i] == '.') {
			size_t f0 = ++*i;
			if (!read_digits(s, len, i, 1, 6, &frac))
				return 0;
			for (n = (int)(*i - f0); n < 6; n++)
				frac *= 10;
			m->usec = frac;
			while (*i < len && is_digit(s[*i])) /* beyond microseconds: cut */
				(*i)++;
		}
	}
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	if (*i < len && (s[*i] == 'Z' || s[*i] == 'z')) {
		(*i)++;
	} else if (*i < len && (s[*i] == '+' || s[*i] == '-')) {
		sign = s[(*i)++] == '-' ? -1 : 1;
		if (!read_digits(s, len, i, 1, 2, &tzh))
			return 0;
		if (*i < len && s[*i] == ':')
			(*i)++;
		if (*i < len && !read_digits(s, len, i, 2, 2, &tzm))
			return 0;
		if (s[*i - 1] == ':')
			return 0;
		if (tzh > 15 || tzm > 59)
			return -1;
		m->zone_min = sign * (tzh * 60 + tzm);
	}
	return 1;
}

/*
 * YYYY-MM-DD, or that with a time (YAML's and ISO 8601's spellings):
 * 2025-08-28T14:30:00Z, 2025-08-28 14:30, 2001-12-14 21:59:43.10 -5.
 * 1 with utc set ("YYYY-MM-DDTHH:MM:SS[.ffffff]Z"; no zone: UTC), 0 when not
 * such a text, -1 when the day or time does not exist.
 */
int story_date_utc(const char *s, size_t len, char utc[STORY_UTC_MAX])
{
	moment m = {0};
	size_t i = 0;
	long days, mins, y;
	int ok = 1;

	if (!read_digits(s, len, &i, 4, 4, &m.y) || i >= len || s[i++] != '-' ||
	    !read_digits(s, len, &i, 2, 2, &m.mo) || i >= len || s[i++] != '-' ||
	    !read_digits(s, len, &i, 2, 2, &m.d))
		return 0;
	if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ' || s[i] == '\t'))
		ok = read_time(s, len, &i, &m);
	if (ok == 0 || i != len)
		return 0;
	if (ok < 0 || m.y < 1 || m.d < 1 || m.d > pp_date_days_in_month(m.y, m.mo) || m.h > 23 ||
	    m.mi > 59 || m.sec > 59)
		return -1;
	mins = m.h * 60 + m.mi - m.zone_min;
	days = days_from_civil(m.y, m.mo, m.d) + (mins < 0 ? -1 : mins >= 1440 ? 1 : 0);
	mins = (mins + 1440) % 1440;
	civil_from_days(days, &y, &m.mo, &m.d);
	if (y < 1 || y > 9999)
		return -1;
	m.y = (int)y;
	m.h = (int)(mins / 60);
	m.mi = (int)(mins % 60);
	/* every field is in range already; the '%' only shows gcc's -Wformat-truncation */
	if (m.usec != 0)
		snprintf(utc, STORY_UTC_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", m.y % 10000,
			 m.mo % 100, m.d % 100, m.h % 100, m.mi % 100, m.sec % 100,
			 m.usec % 1000000);
	else
		snprintf(utc, STORY_UTC_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ", m.y % 10000,
			 m.mo % 100, m.d % 100, m.h % 100, m.mi % 100, m.sec % 100);
	return 1;
}

/* Why a branch name breaks stories_branch_name_format (git's rules), or NULL. */
const char *story_branch_problem(const char *s, size_t len)
{
	size_t i;

	if (story_utf8_chars(s, len) > 255)
		return "is longer than 255 characters";
	if (s[0] == '-' || s[0] == '/' || s[0] == '.')
		return "starts with '-', '/' or '.'";
	if (s[len - 1] == '/' || s[len - 1] == '.' ||
	    (len >= 5 && !memcmp(s + len - 5, ".lock", 5)))
		return "ends with '/', '.' or '.lock'";
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= ' ' || ch == 0x7F || strchr("~^:?*[\\", ch) != NULL)
			return "holds a space, a control character or one of ~^:?*[\\";
		if (i + 1 < len &&
		    ((ch == '.' && s[i + 1] == '.') || (ch == '@' && s[i + 1] == '{') ||
		     (ch == '/' && s[i + 1] == '/')))
			return "holds '..', '@{' or '//'";
	}
	return NULL;
}

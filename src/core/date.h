/*
 * date.h: the one check of a calendar date written YYYY-MM-DD, shared by
 * the CLI's options and the API's parameters (a date the database would
 * refuse is refused here, naming the input, before a statement is sent).
 */
#ifndef PP_CORE_DATE_H
#define PP_CORE_DATE_H

/*
 * Whether s is exactly "YYYY-MM-DD" and a real day of the proleptic
 * Gregorian calendar: year 0001 to 9999, month 01 to 12, day 01 to the
 * month's last (29 February only in leap years). s may be NULL (not a date).
 */
int pp_date_valid(const char *s);

/*
 * The days of month m (1 to 12) of year y in the Gregorian calendar (29 in
 * a leap February); 0 for a month out of range. The rule pp_date_valid
 * applies, for parsers of longer spellings (timestamps).
 */
int pp_date_days_in_month(int y, int m);

#endif

/*
 * test_datepart.c: the parts of dates and timestamps (datepart.c) against
 * what PostgreSQL's extract() gives, and reading dates as PostgreSQL prints
 * them.
 */
#include "testutil.h"

#include <string.h>

#include "datepart.h"

/* The seconds of a date and time, through the parser under test. */
static double
epoch_of(const char *text)
{
	double		e = NAN;

	assert_true(mm_parse_datetime(text, strlen(text), &e));
	return e;
}

/* One instant and what extract() says of it. */
typedef struct Expected
{
	const char *text;
	double		year,
				quarter,
				month,
				day,
				dow,
				doy,
				hour;
} Expected;

static void
test_parts_match_extract(void **state)
{
	/* each row as SELECT extract(year ...), ... printed it */
	static const Expected cases[] = {
		{"1970-01-01", 1970, 1, 1, 1, 4, 1, 0},
		{"1969-12-31 23:00:00", 1969, 4, 12, 31, 3, 365, 23},
		{"2000-02-29 23:59:59.999999", 2000, 1, 2, 29, 2, 60, 23},
		{"2024-12-31 12:30:00", 2024, 4, 12, 31, 2, 366, 12},
		{"2023-03-15", 2023, 1, 3, 15, 3, 74, 0},
		{"1900-03-01 06:00:00", 1900, 1, 3, 1, 4, 60, 6},
		{"1600-12-31 01:00:00", 1600, 4, 12, 31, 0, 366, 1},
		{"0044-03-15 12:00:00 BC", -44, 1, 3, 15, 5, 74, 12},
		{"0001-01-01 BC", -1, 1, 1, 1, 6, 1, 0},
		{"2100-03-01", 2100, 1, 3, 1, 1, 60, 0},
	};
	size_t		i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const Expected *c = &cases[i];
		double		e = epoch_of(c->text);

		assert_true(mm_date_part(e, MM_PART_YEAR) == c->year);
		assert_true(mm_date_part(e, MM_PART_QUARTER) == c->quarter);
		assert_true(mm_date_part(e, MM_PART_MONTH) == c->month);
		assert_true(mm_date_part(e, MM_PART_DAY) == c->day);
		assert_true(mm_date_part(e, MM_PART_DAY_OF_WEEK) == c->dow);
		assert_true(mm_date_part(e, MM_PART_DAY_OF_YEAR) == c->doy);
		assert_true(mm_date_part(e, MM_PART_HOUR) == c->hour);
		assert_true(mm_date_part(e, MM_PART_EPOCH) == e);
	}
}

static void
test_epoch_and_offsets(void **state)
{
	(void) state;
	/* extract(epoch ...) of each, as PostgreSQL prints it */
	assert_true(epoch_of("1970-01-01") == 0.0);
	assert_true(epoch_of("2024-03-15 10:30:00") == 1710498600.0);
	assert_true(epoch_of("2024-03-15 10:30:00.25") == 1710498600.25);
	assert_true(epoch_of("1969-12-31 23:59:59.5") == -0.5);
	/* a timestamptz counts its offset towards UTC */
	assert_true(epoch_of("2024-03-15 11:30:00+01") == 1710498600.0);
	assert_true(epoch_of("2024-03-15 05:00:00-05:30") == 1710498600.0);
	assert_true(epoch_of("2024-03-15T10:30:00Z") == 1710498600.0);
	assert_true(epoch_of("1900-01-01 00:00:00+00:09:21") == -2208988800.0 - 561.0);
	/* the one division extract(epoch) makes */
	assert_true(epoch_of("2024-03-15 10:30:00.123457") == (double) INT64_C(1710498600123457) / 1e6);
	assert_true(mm_epoch_seconds(INT64_C(1710498600123457)) == (double) INT64_C(1710498600123457) / 1e6);
	assert_true(isinf(epoch_of("infinity")) && epoch_of("infinity") > 0);
	assert_true(isinf(epoch_of("-infinity")) && epoch_of("-infinity") < 0);
	/* what is not finite stays so, whatever the part */
	assert_true(isnan(mm_date_part(NAN, MM_PART_MONTH)));
	assert_true(mm_date_part(-INFINITY, MM_PART_HOUR) == -INFINITY);
}

static void
test_refused_text(void **state)
{
	static const char *const bad[] = {
		"", "2024", "2024-13-01", "2024-02-30", "2023-02-29", "0000-01-01", "2024-03-15 25:00:00",
		"2024-03-15 10:61", "2024-03-15 10:30:00+1", "2024-03-15 10:30:00.", "15/03/2024",
		"2024-03-15 10:30:00 AD", "2024-03-15x", "now", "Infinity",
	};
	size_t		i;
	double		e;

	(void) state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(mm_parse_datetime(bad[i], strlen(bad[i]), &e));
	/* surrounding blanks are allowed, as the input functions allow them */
	assert_true(mm_parse_datetime(" 2024-03-15 ", 12, &e) && e == 1710460800.0);
	/* years beyond 9999 print with more digits */
	assert_true(mm_parse_datetime("10000-01-01", 11, &e) && mm_date_part(e, MM_PART_YEAR) == 10000);
}

static void
test_names(void **state)
{
	int			part;

	(void) state;
	for (part = 1; part <= MM_PART_LAST; part++)
	{
		const char *name = mm_date_part_name(part);

		assert_non_null(name);
		assert_int_equal(mm_date_part_by_name(name, strlen(name)), part);
		assert_non_null(mm_date_part_field(part));
	}
	assert_null(mm_date_part_name(0));
	assert_null(mm_date_part_name(MM_PART_LAST + 1));
	assert_int_equal(mm_date_part_by_name("week", 4), 0);
	assert_int_equal(mm_date_part_by_name("month", 3), 0);
	assert_string_equal(mm_date_part_field(MM_PART_DAY_OF_WEEK), "dow");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parts_match_extract),
		cmocka_unit_test(test_epoch_and_offsets),
		cmocka_unit_test(test_refused_text),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

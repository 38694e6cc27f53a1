/*
 * datepart.c: the parts of a date or timestamp (see datepart.h).
 *
 * Calendar arithmetic runs on whole days since 1970-01-01 in the proleptic
 * Gregorian calendar, as PostgreSQL's does, with floor division so that days
 * before 1970 fall on the right date.
 */
#include "datepart.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

static const char *const part_names[] = {
	NULL, "year", "quarter", "month", "day", "day_of_week", "day_of_year", "hour", "epoch"
};

/* extract()'s field for each part, in the order of part_names */
static const char *const part_fields[] = {
	NULL, "year", "quarter", "month", "day", "dow", "doy", "hour", "epoch"
};

#define SECONDS_PER_DAY 86400
#define USECS_PER_SEC INT64_C(1000000)

/* The name of a part (see datepart.h). */
const char *
mm_date_part_name(int part)
{
	return part >= 1 && part <= MM_PART_LAST ? part_names[part] : NULL;
}

/* The part called name (see datepart.h). */
int
mm_date_part_by_name(const char *name, size_t len)
{
	int			part;

	for (part = 1; part <= MM_PART_LAST; part++)
		if (strlen(part_names[part]) == len && memcmp(part_names[part], name, len) == 0)
			return part;
	return 0;
}

/* extract()'s field for a part (see datepart.h). */
const char *
mm_date_part_field(int part)
{
	return part >= 1 && part <= MM_PART_LAST ? part_fields[part] : NULL;
}

/* Days since 1970-01-01 of a date whose year counts 1 BC as 0. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era,
				yoe,
				doy,
				doe;

	/* years start in March here, so that the leap day ends them */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day since 1970-01-01, its year counting 1 BC as 0. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t		era,
				doe,
				yoe,
				doy,
				mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* A part of an instant (see datepart.h). */
double
mm_date_part(double epoch, int part)
{
	double		day_f,
				seconds;
	int64_t		day,
				year;
	int			month,
				mday;

	if (!isfinite(epoch) || part == MM_PART_EPOCH)
		return epoch;
	day_f = floor(epoch / SECONDS_PER_DAY);
	seconds = epoch - day_f * SECONDS_PER_DAY;
	/* the division rounds: the seconds into the day settle which day it is */
	if (seconds < 0.0)
	{
		day_f -= 1.0;
		seconds += SECONDS_PER_DAY;
	}
	else if (seconds >= SECONDS_PER_DAY)
	{
		day_f += 1.0;
		seconds -= SECONDS_PER_DAY;
	}
	day = (int64_t) day_f;
	if (part == MM_PART_HOUR)
		return floor(seconds / 3600.0);
	if (part == MM_PART_DAY_OF_WEEK)
		/* 1970-01-01 was a Thursday, 4 as extract(dow) counts from Sunday */
		return (double) (((day % 7) + 7 + 4) % 7);
	civil_from_days(day, &year, &month, &mday);
	switch (part)
	{
		case MM_PART_YEAR:
			/* extract(year) has no year 0: the year before 1 is -1 */
			return (double) (year > 0 ? year : year - 1);
		case MM_PART_QUARTER:
			return (double) ((month - 1) / 3 + 1);
		case MM_PART_MONTH:
			return (double) month;
		case MM_PART_DAY:
			return (double) mday;
		case MM_PART_DAY_OF_YEAR:
			return (double) (day - days_from_civil(year, 1, 1) + 1);
	}
	return NAN;
}

/* Seconds of a count of microseconds (see datepart.h). */
double
mm_epoch_seconds(int64_t usec)
{
	/* extract(epoch) divides the whole count once, in double precision */
	return (double) usec / 1000000.0;
}

/* Reads up to max digits, at least min, into *v; returns how many it read. */
static size_t
read_digits(const char *s, size_t len, size_t min, size_t max, int64_t *v)
{
	size_t		i = 0;

	*v = 0;
	while (i < len && i < max && isdigit((unsigned char) s[i]))
		*v = *v * 10 + (s[i++] - '0');
	return i >= min ? i : 0;
}

/* The days in a month of a year counting 1 BC as 0. */
static int
month_days(int64_t y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/*
 * Reads the UTC offset of a timestamptz: Z, or a sign and hours with
 * optional :minutes and :seconds.  Sets *seconds east of UTC; returns the
 * bytes read, 0 for none, -1 for a malformed one.
 */
static long
read_offset(const char *s, size_t len, int64_t *seconds)
{
	size_t		i = 1,
				n;
	int64_t		hh,
				mm = 0,
				ss = 0;

	*seconds = 0;
	if (len == 0)
		return 0;
	if (s[0] == 'Z')
		return 1;
	if (s[0] != '+' && s[0] != '-')
		return 0;
	if ((n = read_digits(s + i, len - i, 2, 2, &hh)) == 0)
		return -1;
	i += n;
	if (i < len && s[i] == ':')
	{
		if ((n = read_digits(s + i + 1, len - i - 1, 2, 2, &mm)) == 0 || mm > 59)
			return -1;
		i += n + 1;
		if (i < len && s[i] == ':')
		{
			if ((n = read_digits(s + i + 1, len - i - 1, 2, 2, &ss)) == 0 || ss > 59)
				return -1;
			i += n + 1;
		}
	}
	*seconds = (s[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60 + ss);
	return (long) i;
}

/* Reads a date or timestamp (see datepart.h). */
int
mm_parse_datetime(const char *text, size_t len, double *epoch)
{
	size_t		i = 0,
				n;
	int64_t		year,
				month,
				mday,
				hour = 0,
				minute = 0,
				second = 0,
				usec = 0,
				offset = 0,
				days;
	long		got;

	while (len > 0 && isspace((unsigned char) *text))
		text++, len--;
	while (len > 0 && isspace((unsigned char) text[len - 1]))
		len--;
	if (len == 8 && memcmp(text, "infinity", 8) == 0)
	{
		*epoch = INFINITY;
		return 1;
	}
	if (len == 9 && memcmp(text, "-infinity", 9) == 0)
	{
		*epoch = -INFINITY;
		return 1;
	}
	/* PostgreSQL prints years of more than four digits as they are */
	if ((n = read_digits(text, len, 4, 9, &year)) == 0 || year < 1 || n >= len || text[n] != '-')
		return 0;
	i = n + 1;
	if ((n = read_digits(text + i, len - i, 2, 2, &month)) == 0 || i + n >= len || text[i + n] != '-')
		return 0;
	i += n + 1;
	if ((n = read_digits(text + i, len - i, 2, 2, &mday)) == 0)
		return 0;
	i += n;
	if (i < len && (text[i] == ' ' || text[i] == 'T') && i + 1 < len &&
		isdigit((unsigned char) text[i + 1]))
	{
		i++;
		if ((n = read_digits(text + i, len - i, 2, 2, &hour)) == 0 || i + n >= len ||
			text[i + n] != ':')
			return 0;
		i += n + 1;
		if ((n = read_digits(text + i, len - i, 2, 2, &minute)) == 0)
			return 0;
		i += n;
		if (i < len && text[i] == ':')
		{
			if ((n = read_digits(text + i + 1, len - i - 1, 2, 2, &second)) == 0)
				return 0;
			i += n + 1;
			if (i < len && text[i] == '.')
			{
				int64_t		frac;

				if ((n = read_digits(text + i + 1, len - i - 1, 1, 6, &frac)) == 0)
					return 0;
				i += n + 1;
				for (usec = frac; n < 6; n++)
					usec *= 10;
			}
		}
		if ((got = read_offset(text + i, len - i, &offset)) < 0)
			return 0;
		i += (size_t) got;
	}
	if (len - i == 3 && memcmp(text + i, " BC", 3) == 0)
	{
		/* 1 BC is year 0 of the arithmetic */
		year = 1 - year;
		i += 3;
	}
	if (i != len || month < 1 || month > 12 || mday < 1 || mday > month_days(year, (int) month) ||
		hour > 23 || minute > 59 || second > 59)
		return 0;
	days = days_from_civil(year, (int) month, (int) mday);
	*epoch = mm_epoch_seconds(((days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset) *
							   USECS_PER_SEC) + usec);
	return 1;
}

/* The length of the column name of feature j (see datepart.h). */
size_t
mm_feature_column_length(const MmModel *model, int j)
{
	size_t		len = strlen(model->feature_names[j]);
	const char *part;

	if (model->date_parts == NULL || (part = mm_date_part_name(model->date_parts[j])) == NULL ||
		len <= strlen(part) + 1)
		return len;
	return len - strlen(part) - 1;
}

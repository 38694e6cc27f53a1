/*
 * datepart.h: the parts of a date or timestamp a model reads as numbers.
 *
 * A date or timestamp column enters a model as one feature per part, named
 * column.part (sold_on.month).  The server reads a part with PostgreSQL's
 * extract() over the value in UTC; the functions here compute the same
 * numbers from seconds since 1970-01-01 00:00 UTC, for the row input of
 * mm_predict and for the standalone scorer, so that both give the bits the
 * server's reading gives.
 */
#ifndef MM_DATEPART_H
#define MM_DATEPART_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/*
 * The parts, with extract()'s conventions: year as extract(year) counts it
 * (1 BC is -1, there is no year 0), quarter 1-4, month 1-12, day of the
 * month 1-31, day of the week 0 (Sunday) to 6 as extract(dow), day of the
 * year 1-366, hour 0-23, and epoch, the seconds since 1970-01-01 UTC.  The
 * codes are stored in artifacts: never renumber them.
 */
typedef enum MmDatePart
{
	MM_PART_YEAR = 1,
	MM_PART_QUARTER = 2,
	MM_PART_MONTH = 3,
	MM_PART_DAY = 4,
	MM_PART_DAY_OF_WEEK = 5,
	MM_PART_DAY_OF_YEAR = 6,
	MM_PART_HOUR = 7,
	MM_PART_EPOCH = 8
} MmDatePart;

#define MM_PART_LAST MM_PART_EPOCH

/* The name of a part as preprocess and feature names spell it, or NULL. */
extern const char *mm_date_part_name(int part);

/* The part called name (len bytes), or 0. */
extern int	mm_date_part_by_name(const char *name, size_t len);

/* The name of extract()'s field for a part (dow, doy...), or NULL. */
extern const char *mm_date_part_field(int part);

/*
 * A part of the instant epoch seconds after 1970-01-01 00:00 UTC.  A value
 * that is not finite (a missing one, an infinite date) stays as it is, so
 * that it is refused or imputed like any number that is not finite.
 */
extern double mm_date_part(double epoch, int part);

/*
 * Seconds since 1970-01-01 UTC of a count of microseconds since then, with
 * the one rounding extract(epoch) makes.
 */
extern double mm_epoch_seconds(int64_t usec);

/*
 * Reads a date or timestamp as PostgreSQL prints it in the ISO style:
 * 2024-03-15, 2024-03-15 10:30:00.25, 2024-03-15 10:30:00+01 (an offset
 * counts towards UTC), a trailing " BC", infinity and -infinity.  Sets
 * *epoch and returns 1, or returns 0 for anything else.
 */
extern int	mm_parse_datetime(const char *text, size_t len, double *epoch);

/*
 * The length of the name of the column feature j reads: its whole name,
 * or without ".part" for a part of a date.
 */
extern size_t mm_feature_column_length(const MmModel *model, int j);

#endif							/* MM_DATEPART_H */

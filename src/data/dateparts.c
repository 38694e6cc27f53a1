/*
 * dateparts.c: date and timestamp columns as features, one per part.
 *
 * A date or timestamp column becomes several numeric features, its parts
 * (datepart.h), each named column.part and preprocessed like any number.
 * The server reads a part in SQL with date_part() over the value in UTC
 * (a timestamptz is converted with timezone('UTC', ...)), so that the
 * session's TimeZone never changes what a model reads; an infinite value
 * reads as an infinite number and is refused like a NaN.  The row input of
 * mm_predict and the standalone scorer compute the same parts in the core
 * from the seconds since 1970 (MmDatumEpoch).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "datepart.h"
#include "dateparts.h"
#include "mmcore.h"
#include "model.h"
#include "util.h"

static const uint8 date_defaults[] = {MM_PART_YEAR, MM_PART_MONTH, MM_PART_DAY_OF_WEEK,
MM_PART_DAY_OF_YEAR};
static const uint8 timestamp_defaults[] = {MM_PART_YEAR, MM_PART_MONTH, MM_PART_DAY_OF_WEEK,
MM_PART_DAY_OF_YEAR, MM_PART_HOUR};

#define PARTS_HINT "Parts are year, quarter, month, day, day_of_week, day_of_year, hour and epoch."

/* True for date, timestamp and timestamptz (see dateparts.h). */
bool
MmIsDateType(Oid type)
{
	Oid			base = getBaseType(type);

	return base == DATEOID || base == TIMESTAMPOID || base == TIMESTAMPTZOID;
}

/* Reads a date_parts option (see dateparts.h). */
int
MmParseDateParts(const char *where, JsonbValue *v, uint8 *parts)
{
	int			n = 0,
				size,
				i,
				k;

	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data) ||
		JsonContainerIsScalar(v->val.binary.data) ||
		(size = JsonContainerSize(v->val.binary.data)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("preprocess option \"date_parts\" of %s must be a non-empty array of parts",
						where),
				 errhint("For example [\"year\", \"month\"].  " PARTS_HINT)));
	for (i = 0; i < size; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(v->val.binary.data, i);
		char	   *name = e->type == jbvString ?
			pnstrdup(e->val.string.val, e->val.string.len) : NULL;
		int			part = name ? mm_date_part_by_name(name, strlen(name)) : 0;

		if (part == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 name ?
					 errmsg("preprocess option \"date_parts\" of %s names unknown part \"%s\"",
							where, name) :
					 errmsg("preprocess option \"date_parts\" of %s must hold part names", where),
					 errhint(PARTS_HINT)));
		for (k = 0; k < n; k++)
			if (parts[k] == part)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("preprocess option \"date_parts\" of %s lists part \"%s\" more than once",
								where, name)));
		parts[n++] = (uint8) part;
	}
	return n;
}

/* The date_parts of a preprocess entry (key, or "*"), or NULL. */
static JsonbValue *
entry_date_parts(Jsonb *preprocess, const char *key)
{
	JsonbValue *entry;

	if (preprocess == NULL || !MmJsonbIsObject(preprocess))
		return NULL;
	entry = getKeyJsonValueFromContainer(&preprocess->root, key, strlen(key), NULL);
	if (entry == NULL || entry->type != jbvBinary || !JsonContainerIsObject(entry->val.binary.data))
		return NULL;
	return getKeyJsonValueFromContainer(entry->val.binary.data, "date_parts", 10, NULL);
}

/*
 * The parts of date column column of type: its own date_parts, else those
 * of "*" that the type has, else the default ones.  A date has no hour:
 * asking it of the column is an error, and "*" passes it over.
 */
static int
column_parts(Jsonb *preprocess, const char *column, Oid type, uint8 *parts)
{
	bool		is_date = getBaseType(type) == DATEOID;
	JsonbValue *own = entry_date_parts(preprocess, column);
	JsonbValue *star = own ? NULL : entry_date_parts(preprocess, "*");
	int			n,
				i,
				k = 0;

	if (own != NULL)
	{
		char	   *where = psprintf("column \"%s\"", column);

		n = MmParseDateParts(where, own, parts);
		for (i = 0; i < n; i++)
			if (is_date && parts[i] == MM_PART_HOUR)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("preprocess option \"date_parts\" of %s asks for the hour of a date",
								where),
						 errhint("Dates take year, quarter, month, day, day_of_week, day_of_year and "
								 "epoch; hour is a part of timestamps.")));
		return n;
	}
	if (star != NULL)
	{
		n = MmParseDateParts("\"*\"", star, parts);
		for (i = 0; i < n; i++)
			if (!is_date || parts[i] != MM_PART_HOUR)
				parts[k++] = parts[i];
		if (k == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("preprocess option \"date_parts\" of \"*\" leaves date column \"%s\" no part",
							column),
					 errhint("A date has no hour: give \"%s\" its own date_parts.", column)));
		return k;
	}
	if (is_date)
	{
		memcpy(parts, date_defaults, sizeof(date_defaults));
		return lengthof(date_defaults);
	}
	memcpy(parts, timestamp_defaults, sizeof(timestamp_defaults));
	return lengthof(timestamp_defaults);
}

/* Replaces date columns by their parts (see dateparts.h). */
void
MmExpandDateParts(MmSource *src, Jsonb *preprocess)
{
	int			n = 0,
				cap = 0,
				j,
				i,
				k;
	char	  **features,
			  **columns;
	Oid		   *types;
	uint8	   *kinds,
			   *date_parts;
	uint8		parts[MM_PART_LAST];

	for (j = 0; j < src->nfeatures; j++)
		cap += src->feature_kinds[j] == MM_FEATURE_DATE_PART ? MM_PART_LAST : 1;
	if (cap == src->nfeatures)
		return;
	features = palloc(sizeof(char *) * cap);
	columns = palloc(sizeof(char *) * cap);
	types = palloc(sizeof(Oid) * cap);
	kinds = palloc(cap);
	date_parts = palloc0(cap);
	for (j = 0; j < src->nfeatures; j++)
	{
		int			np = 1;

		if (src->feature_kinds[j] == MM_FEATURE_DATE_PART)
			np = column_parts(preprocess, src->features[j], src->feature_types[j], parts);
		for (i = 0; i < np; i++, n++)
		{
			columns[n] = src->features[j];
			types[n] = src->feature_types[j];
			kinds[n] = src->feature_kinds[j];
			features[n] = src->features[j];
			if (kinds[n] != MM_FEATURE_DATE_PART)
				continue;
			date_parts[n] = parts[i];
			features[n] = psprintf("%s.%s", src->features[j], mm_date_part_name(parts[i]));
		}
	}
	/* a part's name is a feature's name, which another column may have taken */
	for (j = 0; j < n; j++)
		for (k = 0; date_parts[j] != 0 && k < n; k++)
			if (k != j && strcmp(features[j], features[k]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("part \"%s\" of date column \"%s\" has the name of another feature",
								mm_date_part_name(date_parts[j]), columns[j]),
						 errhint("Leave column \"%s\" out, or rename it in a view.", features[j])));
	if (n > MM_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d features, with the parts of dates, exceed the limit of %d", n,
						MM_MAX_FEATURES)));
	src->nfeatures = n;
	src->features = features;
	src->columns = columns;
	src->feature_types = types;
	src->feature_kinds = kinds;
	src->date_parts = date_parts;
}

/* The SQL expression reading a part of a date column (see dateparts.h). */
char *
MmDatePartExpression(const char *column, Oid type, int part, const char *alias)
{
	const char *col = quote_identifier(column);
	char	   *ts;

	/* in UTC as a timestamp, which date_part() reads the same in every session */
	if (getBaseType(type) == TIMESTAMPTZOID)
		ts = psprintf("pg_catalog.timezone('UTC'::pg_catalog.text, (%s.%s)::pg_catalog.timestamptz)",
					  alias, col);
	else
		ts = psprintf("(%s.%s)::pg_catalog.timestamp", alias, col);
	if (part == MM_PART_EPOCH)
		return psprintf("pg_catalog.date_part('epoch'::pg_catalog.text, %s)", ts);
	/* date_part() of infinity is NULL for most parts: read it as the infinite epoch */
	return psprintf("CASE WHEN pg_catalog.isfinite(%s) THEN pg_catalog.date_part('%s'::pg_catalog.text, %s) "
					"ELSE pg_catalog.date_part('epoch'::pg_catalog.text, %s) END",
					ts, mm_date_part_field(part), ts, ts);
}

/* A date or timestamp as seconds since 1970 (see dateparts.h). */
double
MmDatumEpoch(Datum value, Oid type)
{
	int64		usec;

	switch (getBaseType(type))
	{
		case DATEOID:
			{
				DateADT		d = DatumGetDateADT(value);

				if (DATE_NOT_FINITE(d))
					return DATE_IS_NOBEGIN(d) ? -INFINITY : INFINITY;
				usec = ((int64) d + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)) * USECS_PER_DAY;
				break;
			}
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			{
				/* a timestamptz is held in UTC */
				Timestamp	t = DatumGetTimestamp(value);

				if (TIMESTAMP_NOT_FINITE(t))
					return TIMESTAMP_IS_NOBEGIN(t) ? -INFINITY : INFINITY;
				usec = t + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
				break;
			}
		default:
			elog(ERROR, "unexpected date type %u", type);
	}
	return mm_epoch_seconds(usec);
}

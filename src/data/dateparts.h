/*
 * dateparts.h: date and timestamp columns as features, one per part.
 */
#ifndef MM_DATEPARTS_H
#define MM_DATEPARTS_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "columns.h"

/* True for date, timestamp and timestamptz (and domains over them). */
extern bool MmIsDateType(Oid type);

/*
 * Reads a date_parts option (an array of part names) of where into parts
 * (room for MM_PART_LAST); returns how many.  Errors unless it is a
 * non-empty list of distinct known parts.
 */
extern int	MmParseDateParts(const char *where, JsonbValue *v, uint8 *parts);

/*
 * Replaces each date or timestamp column among src's features by a feature
 * per part, named column.part, with the parts preprocess asks for (its
 * "date_parts", the column's own or else "*") or the default ones.
 */
extern void MmExpandDateParts(MmSource *src, Jsonb *preprocess);

/* The SQL expression reading a part of a date or timestamp column as float8. */
extern char *MmDatePartExpression(const char *column, Oid type, int part, const char *alias);

/* A date or timestamp as seconds since 1970-01-01 UTC, infinite ones infinite. */
extern double MmDatumEpoch(Datum value, Oid type);

#endif							/* MM_DATEPARTS_H */

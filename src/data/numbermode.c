/*
 * numbermode.c: the mode of a numeric feature from one grouping query (see
 * numbermode.h).
 *
 *   SELECT s.v FROM (SELECT <value> AS v, mm_pass_part($1, y, x, c) AS part
 *                      FROM <relation> r) s
 *    WHERE s.part = 0 AND s.v IS NOT NULL
 *    GROUP BY s.v ORDER BY count(*) DESC, s.v LIMIT 1
 *
 * mm_pass_part splits the rows as every pass does, so the counts are those
 * of the training rows a fit in memory reads.  PostgreSQL counts in
 * parallel workers and a distributed database on its shards, merging
 * partial counts per value; one row comes back.  The order is the fit in
 * memory's: the largest count, then the smallest value (float8 orders
 * numbers as C compares them, and the rows carry no NaN: the profile has
 * refused them by then).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "numbermode.h"
#include "relsource.h"
#include "security.h"

bool
MmDiscoverNumberMode(const MmSource *src, int j, bytea *header, int target,
					 MmLabelKind label_kind, double *mode)
{
	Oid			types[1] = {BYTEAOID};
	Datum		values[1] = {PointerGetDatum(header)};
	bool		isnull;
	char	   *q;

	q = psprintf("SELECT s.v FROM (SELECT %s AS v, %s.mm_pass_part($1, %s, %s) AS part FROM %s r) s "
				 "WHERE s.part OPERATOR(pg_catalog.=) 0 AND s.v IS NOT NULL "
				 "GROUP BY s.v ORDER BY pg_catalog.count(*) DESC, s.v LIMIT 1",
				 MmFeatureExpression(src, j, "r"), MmExtensionSchema(),
				 MmPassTargetExpression(src, target, label_kind, "r"),
				 MmPassRowArguments(src, target, label_kind, "r"), src->qualified);
	ereport(DEBUG1, (errmsg_internal("modelmgr mode: %s", q)));
	if (MmSpiRun(q, 1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "mode query failed");
	if (SPI_processed == 0)
		return false;
	*mode = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return true;
}

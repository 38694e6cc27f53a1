/*
 * momentspass.c: the one aggregate pass over a relation (mm_ls_stats, and
 * mm_cv_stats for a cross-validated linear regression) that gathers the
 * moments of its features and target per part of the split, and the errors
 * for the NULL or non-finite values it counted.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "aggregates.h"
#include "catalog.h"
#include "citusmeta.h"
#include "columns.h"
#include "guc.h"
#include "lsq.h"
#include "momentspass.h"
#include "security.h"
#include "trainprogress.h"
#include "trainspec.h"

/* Features passed to the variadic aggregates as separate arguments, within FUNC_MAX_ARGS. */
#define MAX_VARIADIC_FEATURES 90

/*
 * Whether the features go as one float8 array, to the aggregates' forms of
 * fixed signature, rather than as separate arguments.  Citus runs an
 * aggregate on its shards only when the argument types of the call match
 * the declared ones exactly, which a VARIADIC "any" aggregate cannot
 * confirm: wherever Citus is installed the array forms serve, whatever the
 * relation (a view may read a distributed table).  Elsewhere separate
 * arguments spare building an array per row (doc/performance.md), as many
 * as a call takes.
 */
static bool
features_as_array(const MmSource *src)
{
	return src->nfeatures > MAX_VARIADIC_FEATURES || MmCitusInstalled();
}

/* The features of a row: "ARRAY[f1, f2, ...]" or ", f1, f2, ..." after the target. */
static void
append_features(StringInfo q, const MmSource *src, bool as_array)
{
	int			i;

	appendStringInfoString(q, as_array ? ", ARRAY[" : "");
	for (i = 0; i < src->nfeatures; i++)
		appendStringInfo(q, "%s%s", i || !as_array ? ", " : "", MmFeatureExpression(src, i, "r"));
	appendStringInfoString(q, as_array ? "]" : "");
}

/* The training query: one aggregate over the relation. */
static char *
training_query(const MmSource *src, const char *schema)
{
	StringInfoData q;
	bool		as_array = features_as_array(src);

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT %s.%s($1, $2, $3, $4, %s",
					 schema, as_array ? "mm_ls_stats_array" : "mm_ls_stats",
					 src->target ? psprintf("(r.%s)::pg_catalog.float8", quote_identifier(src->target)) :
					 "0::pg_catalog.float8");
	append_features(&q, src, as_array);
	appendStringInfo(&q, "), pg_catalog.pg_current_snapshot()::pg_catalog.text FROM %s r",
					 src->qualified);
	return q.data;
}

/*
 * The training pass of a cross-validated linear regression: one aggregate,
 * mm_cv_stats or mm_cv_stats_array, whose state holds a training state per
 * fold and one for the held-out rows, with the snapshot read.  NULL past the
 * variadic features' limit where the array form is not needed.
 */
char *
MmFoldQuery(const MmSource *src, const char *schema)
{
	StringInfoData q;
	bool		as_array = MmCitusInstalled();

	if (!as_array && src->nfeatures > MAX_VARIADIC_FEATURES)
		return NULL;
	initStringInfo(&q);
	appendStringInfo(&q, "SELECT %s.%s($5, $1, $2, $3, $4, (r.%s)::pg_catalog.float8",
					 schema, as_array ? "mm_cv_stats_array" : "mm_cv_stats",
					 quote_identifier(src->target));
	append_features(&q, src, as_array);
	appendStringInfo(&q, "), pg_catalog.pg_current_snapshot()::pg_catalog.text FROM %s r",
					 src->qualified);
	return q.data;
}

/* Errors for NULL or non-finite values the training pass counted. */
void
MmCheckCounts(const MmLsView *v, const MmSource *src)
{
	MmCheckRowCounts(v->p, v->null_count, v->nonfinite_count, v->part[0][0] + v->part[1][0], src);
}

/*
 * Errors for NULL or non-finite values a pass over src counted (per
 * feature; non-finite ones per feature then the target), or when no row
 * was usable.
 */
void
MmCheckRowCounts(int p, const int64 *null_count, const int64 *nonfinite_count, double usable_rows,
				 const MmSource *src)
{
	int			j;

	for (j = 0; j < p; j++)
		if (null_count[j] > 0)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg_plural("feature \"%s\" is null in " INT64_FORMAT " row",
								   "feature \"%s\" is null in " INT64_FORMAT " rows",
								   (unsigned long) null_count[j],
								   src->features[j], null_count[j]),
					 errhint("Filter those rows out (for example through a view) or fill them in "
							 "with coalesce().")));
	for (j = 0; j <= p; j++)
		if (nonfinite_count[j] > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg_plural("%s \"%s\" is NaN or infinite in " INT64_FORMAT " row",
								   "%s \"%s\" is NaN or infinite in " INT64_FORMAT " rows",
								   (unsigned long) nonfinite_count[j],
								   j < p ? "feature" : "target",
								   j < p ? src->features[j] : src->target,
								   nonfinite_count[j]),
					 errhint("Filter those rows out, for example through a view.")));
	if (usable_rows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 src->target ?
				 errmsg("target \"%s\" is null in every row of relation %s",
						src->target, src->display) :
				 errmsg("relation %s has no rows", src->display)));
}

/*
 * The one aggregate pass over src: the moments of its features and target
 * (a constant 0 for algorithms without one) in each part of the split, with
 * the metric sample.  Errors name NULL or non-finite values.  Fills view
 * (finished) and returns the snapshot the rows were read under.  SPI is
 * connected.
 */
char *
MmMomentsPass(FunctionCallInfo fcinfo, const MmTrainSpec *spec, const MmSource *src, MmLsView *view)
{
	char	   *query;
	Oid			qtypes[4] = {FLOAT8OID, INT4OID, INT4OID, FLOAT8OID};
	Datum		qvalues[4];
	bool		isnull;
	void	   *ls;
	char	   *snapshot;

	query = training_query(src, MmExtensionSchema());
	ereport(DEBUG1, (errmsg_internal("modelmgr training query: %s", query)));
	qvalues[0] = Float8GetDatum(spec->test_size);
	qvalues[1] = Int32GetDatum(spec->seed);
	qvalues[2] = Int32GetDatum(mm_metric_sample_rows);
	qvalues[3] = Float8GetDatum(MmEstimatedRows(src->relid));
	MmTrainProgressPassStart("moments");
	if (MmSpiRun(query, 4, qtypes, qvalues, NULL, false, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "training query failed");
	{
		Datum		state = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("relation %s has no rows", src->display)));
		ls = MmLsStateFromDatum(state);
		snapshot = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	}
	mm_ls_view(ls, view);
	MmTrainProgressPassEnd(view->head->rows_seen);
	mm_ls_finish(view);
	if (view->head->damaged)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the training state was damaged")));
	MmCheckCounts(view, src);
	return snapshot;
}

/*
 * evaluate.c: mm_evaluate and mm_coefficients.
 *
 * Evaluation is one aggregate query over the relation: mm_predict of each
 * row (with the reference pinned to the version resolved here, so every
 * worker predicts with the same one) fed to mm_eval_stats, which merges
 * across parallel workers.  Its metrics are exact, unlike the training
 * pass's sampled mean absolute error.
 */
#include "modelmgr.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(mm_evaluate);
PG_FUNCTION_INFO_V1(mm_coefficients);

/* mm_evaluate(model, relation): the flat metrics object on relation. */
Datum
mm_evaluate(PG_FUNCTION_ARGS)
{
	char	   *ref = MmArgCString(fcinfo, 0, "model");
	char	   *relation = MmArgCString(fcinfo, 1, "relation");
	const char *schema = MmExtensionSchema(fcinfo->flinfo->fn_oid);
	MmVersionRef v;
	MmCachedModel *entry;
	MmModel    *model;
	MmSource	src;
	const char *target;
	char	   *query;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	bool		isnull,
				no_rows;
	Datum		state;
	int64		null_targets;
	MmRegressionMetrics m;
	StringInfoData json;
	Jsonb	   *result;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmResolveRef(ref, true, &v);
	model = MmModelCacheGet(&v, &entry);
	memset(&src, 0, sizeof(src));
	src.relid = MmResolveRelation(relation, &src.qualified, &src.display);
	MmResolveColumns(&src, model);
	target = quote_identifier(src.target);

	query = psprintf("SELECT %s.mm_eval_stats(%s.mm_predict($1, r), (r.%s)::pg_catalog.float8) "
					 "FILTER (WHERE (r.%s)::pg_catalog.float8 NOT IN "
					 "('NaN'::pg_catalog.float8, 'Infinity', '-Infinity')), "
					 "count(*) FILTER (WHERE r.%s IS NULL), "
					 "count(*) FILTER (WHERE (r.%s)::pg_catalog.float8 IN "
					 "('NaN'::pg_catalog.float8, 'Infinity', '-Infinity')) "
					 "FROM %s r",
					 schema, schema, target, target, target, target, src.qualified);
	values[0] = CStringGetTextDatum(psprintf("%s@%d", v.model, v.version));
	if (SPI_execute_with_args(query, 1, types, values, NULL, true, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "evaluation query failed");
	state = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &no_rows);
	null_targets = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	{
		int64		nonfinite = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
															SPI_tuptable->tupdesc, 3, &isnull));

		if (nonfinite > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg_plural("target \"%s\" of relation %s is NaN or infinite in " INT64_FORMAT " row",
								   "target \"%s\" of relation %s is NaN or infinite in " INT64_FORMAT " rows",
								   (unsigned long) nonfinite, src.target, src.display, nonfinite),
					 errhint("Filter those rows out, for example through a view.")));
	}
	if (no_rows)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation %s has no rows with a non-null target to evaluate on",
						src.display)));
	MmEvalMetricsFromDatum(state, &m);

	initStringInfo(&json);
	appendStringInfoString(&json, "{\"r2\": ");
	MmJsonNumber(&json, m.r2);
	appendStringInfoString(&json, ", \"rmse\": ");
	MmJsonNumber(&json, m.rmse);
	appendStringInfoString(&json, ", \"mae\": ");
	MmJsonNumber(&json, m.mae);
	appendStringInfoString(&json, ", \"explained_variance\": ");
	MmJsonNumber(&json, m.explained_variance);
	appendStringInfo(&json, ", \"rows\": %.0f, \"rows_null_target\": " INT64_FORMAT
					 ", \"model\": ", m.rows, null_targets);
	MmJsonString(&json, v.model);
	appendStringInfo(&json, ", \"version\": %d}", v.version);
	SPI_finish();
	result = MmJsonbFromString(json.data);
	PG_RETURN_JSONB_P(result);
}

/* A float8 output column, NULL where the value is undefined. */
static Datum
maybe(double value, bool *isnull)
{
	*isnull = isnan(value);
	return Float8GetDatum(value);
}

/* mm_coefficients(model): one row per coefficient, intercept first. */
Datum
mm_coefficients(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *ref = MmArgCString(fcinfo, 0, "model");
	MmVersionRef v;
	MmCachedModel *entry;
	MmModel    *model;
	const MmLinearModel *lin;
	Datum		values[6];
	bool		nulls[6];
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmResolveRef(ref, true, &v);
	model = MmModelCacheGet(&v, &entry);
	if (model->algorithm != MM_ALGO_LINEAR_REGRESSION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model \"%s\" version %d is not a linear model", v.model, v.version)));
	lin = &model->linear;

	for (i = lin->fit_intercept ? -1 : 0; i < model->n_features; i++)
	{
		nulls[0] = true;
		values[0] = (Datum) 0;
		nulls[1] = false;
		values[1] = CStringGetTextDatum(i < 0 ? "intercept" : model->feature_names[i]);
		values[2] = maybe(i < 0 ? lin->intercept : lin->coef[i], &nulls[2]);
		values[3] = maybe(lin->std_err[i + 1], &nulls[3]);
		values[4] = maybe(lin->stat[i + 1], &nulls[4]);
		values[5] = maybe(lin->p_value[i + 1], &nulls[5]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

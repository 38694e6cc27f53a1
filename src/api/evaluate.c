/*
 * evaluate.c: mm_evaluate and mm_coefficients.
 *
 * Where training would read the relation in passes (a distributed table,
 * rows that would not fit modelmgr.max_train_memory, or
 * modelmgr.train_in_passes = on), every model is evaluated by a pass of the
 * fitted model over the relation, which runs where the rows are
 * (evaluatepasses.c): the rows never gather in one backend.  Otherwise
 * classifiers, clusterings, decompositions and regressions with text
 * features are evaluated on the relation's rows read into memory
 * (classify.c, unsupervised.c, regress.c), where the ROC AUC ranks every
 * prediction exactly; a regression without text features is one aggregate
 * query over the relation: mm_predict of each row (with the reference
 * pinned to the version resolved here, so every worker predicts with the
 * same one) fed to mm_eval_stats, which merges across parallel workers.
 * Regression metrics are exact either way, unlike the training pass's
 * sampled mean absolute error.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "aggregates.h"
#include "algorithm.h"
#include "cache.h"
#include "catalog.h"
#include "classify.h"
#include "columns.h"
#include "design.h"
#include "evaluatepasses.h"
#include "model.h"
#include "privileges.h"
#include "regmetrics.h"
#include "regress.h"
#include "security.h"
#include "unsupervised.h"
#include "util.h"

/* The values of float8 that are not finite, as an SQL array. */
#define NONFINITE "ARRAY['NaN'::pg_catalog.float8, 'Infinity', '-Infinity']"

PG_FUNCTION_INFO_V1(mm_evaluate);
PG_FUNCTION_INFO_V1(mm_coefficients);

/* mm_evaluate(model, relation): the flat metrics object on relation. */
/* The result as jsonb in the caller's memory: what SPI's memory holds is gone after SPI_finish. */
static Jsonb *
result_in(MemoryContext outer, const char *json)
{
	MemoryContext old = MemoryContextSwitchTo(outer);
	Jsonb	   *result = MmJsonbFromString(json);

	MemoryContextSwitchTo(old);
	return result;
}

Datum
mm_evaluate(PG_FUNCTION_ARGS)
{
	char	   *ref = MmArgCString(fcinfo, 0, "model");
	char	   *relation = MmArgCString(fcinfo, 1, "relation");
	const char *schema = MmExtensionSchema();
	MmVersionRef v;
	MmCachedModel *entry;
	MmModel    *model;
	MmSource	src;
	const char *target;
	char	   *query;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	bool		isnull,
				no_rows,
				in_passes;
	Datum		state;
	int64		null_targets;
	MmRegressionMetrics m;
	StringInfoData json;
	Jsonb	   *result;
	MemoryContext outer = CurrentMemoryContext;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmResolveRef(ref, true, MM_PRIV_USE, &v);
	model = MmModelCacheGet(&v, &entry);
	memset(&src, 0, sizeof(src));
	src.relid = MmResolveRelation(relation, &src.qualified, &src.display);
	MmResolveColumns(&src, model);
	in_passes = MmEvaluateInPasses(model, &src);
	if (model->task != MM_TASK_REGRESSION || model->categories != NULL || in_passes)
	{
		StringInfoData json;
		char	   *metrics;

		result = in_passes ? MmEvaluatePasses(model, &src) :
			model->task == MM_TASK_CLASSIFICATION ? MmEvaluateClassifier(model, &src) :
			model->task == MM_TASK_REGRESSION ? MmEvaluateRegressionInMemory(model, &src) :
			MmEvaluateUnsupervised(model, &src);
		metrics = MmJsonbText(result);
		initStringInfo(&json);
		appendBinaryStringInfo(&json, metrics, strlen(metrics) - 1);
		appendStringInfoString(&json, ", \"model\": ");
		MmJsonString(&json, v.model);
		appendStringInfo(&json, ", \"version\": %d}", v.version);
		result = result_in(outer, json.data);
		SPI_finish();
		PG_RETURN_JSONB_P(result);
	}
	target = quote_identifier(src.target);

	query = psprintf("SELECT %s.mm_eval_stats(%s.mm_predict($1, r), (r.%s)::pg_catalog.float8) "
					 "FILTER (WHERE (r.%s)::pg_catalog.float8 OPERATOR(pg_catalog.<>) ALL (" NONFINITE ")), "
					 "pg_catalog.count(*) FILTER (WHERE r.%s IS NULL), "
					 "pg_catalog.count(*) FILTER (WHERE (r.%s)::pg_catalog.float8 OPERATOR(pg_catalog.=) "
					 "ANY (" NONFINITE ")) "
					 "FROM %s r",
					 schema, schema, target, target, target, target, src.qualified);
	values[0] = CStringGetTextDatum(psprintf("%s@%d", v.model, v.version));
	if (MmSpiRun(query, 1, types, values, NULL, true, 0) != SPI_OK_SELECT ||
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
	appendStringInfoChar(&json, '{');
	MmAppendRegressionFields(&json, &m);
	appendStringInfo(&json, ", \"rows\": %.0f, \"rows_null_target\": " INT64_FORMAT
					 ", \"model\": ", m.rows, null_targets);
	MmJsonString(&json, v.model);
	appendStringInfo(&json, ", \"version\": %d}", v.version);
	result = result_in(outer, json.data);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

/* A float8 output column, NULL where the value is undefined. */
static Datum
maybe(double value, bool *isnull)
{
	*isnull = isnan(value);
	return Float8GetDatum(value);
}

/* Puts one coefficient row out, with its confidence interval. */
static void
put_coefficient(ReturnSetInfo *rsinfo, const char *class, const char *feature, const MmCoefficient *co,
				double lower, double upper)
{
	Datum		values[8];
	bool		nulls[8];

	nulls[0] = class == NULL;
	values[0] = class ? CStringGetTextDatum(class) : (Datum) 0;
	nulls[1] = false;
	values[1] = CStringGetTextDatum(feature);
	values[2] = maybe(co->value, &nulls[2]);
	values[3] = maybe(co->std_err, &nulls[3]);
	values[4] = maybe(co->stat, &nulls[4]);
	values[5] = maybe(co->p_value, &nulls[5]);
	values[6] = maybe(lower, &nulls[6]);
	values[7] = maybe(upper, &nulls[7]);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * The rows of the features the training left out as constant (the
 * version's fitted preprocessing lists them): coefficient 0 in each
 * coefficient row, as scikit-learn's fits give such a feature, with no
 * statistics, since nothing was estimated.  SPI is connected.
 */
static void
put_constant_features(ReturnSetInfo *rsinfo, const MmVersionRef *v, const MmModel *model,
					  const MmCoefficient *co, int n)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(v->version_id)};
	int			rows = 1,
				nconstant,
				r,
				i;
	char	  **names;
	MmCoefficient zero = {0, 0, 0.0, NAN, NAN, NAN, NAN};

	nconstant = MmCatalogQuery("SELECT pg_catalog.jsonb_array_elements_text(fitted_preprocess "
							   "OPERATOR(pg_catalog.->) 'constant') FROM mm._versions "
							   "WHERE id OPERATOR(pg_catalog.=) $1",
							   1, types, values);
	if (nconstant == 0)
		return;
	names = palloc(sizeof(char *) * nconstant);
	for (i = 0; i < nconstant; i++)
	{
		bool		isnull;

		names[i] = TextDatumGetCString(MmCatalogGet(i, 1, &isnull));
	}
	for (i = 0; i < n; i++)
		rows = Max(rows, co[i].row + 1);
	for (r = 0; r < rows; r++)
		for (i = 0; i < nconstant; i++)
		{
			zero.row = r;
			put_coefficient(rsinfo, model->labels.n_classes > 2 ? model->labels.classes[r] : NULL,
							names[i], &zero, NAN, NAN);
		}
}

/* mm_coefficients(model, level): one row per coefficient, intercept first. */
Datum
mm_coefficients(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *ref = MmArgCString(fcinfo, 0, "model");
	double		level;
	MmVersionRef v;
	MmCachedModel *entry;
	MmModel    *model;
	MmCoefficient *co;
	double	   *lower,
			   *upper;
	int			n,
				i;

	MmRequireArg(fcinfo, 1, "level");
	level = PG_GETARG_FLOAT8(1);
	if (!(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("level must be greater than 0 and less than 1, not %g", level),
				 errhint("Pass the confidence level as a fraction, such as 0.95.")));
	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmResolveRef(ref, true, MM_PRIV_USE, &v);
	model = MmModelCacheGet(&v, &entry);
	if (model->algorithm->coefficients == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model \"%s\" version %d is not a linear model", v.model, v.version)));

	/*
	 * In the units of the columns: the scaling the model applies first,
	 * undone.  A model with a coefficient row per class labels each row with
	 * its class; a binary classifier's one row is the last class's log-odds.
	 * Each coefficient carries the distribution of its statistic, so the
	 * intervals follow the algorithm's inference (t or normal) unasked.
	 */
	n = model->algorithm->coefficients(model, &co);
	lower = palloc(sizeof(double) * (n > 0 ? n : 1));
	upper = palloc(sizeof(double) * (n > 0 ? n : 1));
	mm_coefficient_intervals(co, n, level, lower, upper);
	for (i = 0; i < n; i++)
		put_coefficient(rsinfo,
						model->labels.n_classes > 2 ? model->labels.classes[co[i].row] : NULL,
						co[i].column < 0 ? "intercept" : MmDesignName(model, co[i].column),
						&co[i], lower[i], upper[i]);
	put_constant_features(rsinfo, &v, model, co, n);
	SPI_finish();
	return (Datum) 0;
}

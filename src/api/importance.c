/*
 * importance.c: mm_importance, what each feature contributes to a model
 * that has importances instead of coefficients (trees), by the
 * algorithm's importances hook: a row per design column and method.
 * mm_coefficients stays the linear models' function.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "algorithm.h"
#include "cache.h"
#include "catalog.h"
#include "design.h"
#include "model.h"
#include "privileges.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mm_importance);

/* mm_importance(model): (feature, importance, method), method by method, columns in order. */
Datum
mm_importance(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *ref = MmArgCString(fcinfo, 0, "model");
	MmVersionRef v;
	MmCachedModel *entry;
	MmModel    *model;
	const char *const *methods;
	double	   *values;
	int			n_methods,
				m,
				j;

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmResolveRef(ref, true, MM_PRIV_USE, &v);
	model = MmModelCacheGet(&v, &entry);
	if (model->algorithm->importances == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model \"%s\" version %d has no feature importances", v.model, v.version),
				 errdetail("Algorithm %s has none.", model->algorithm->name),
				 model->algorithm->coefficients != NULL ?
				 errhint("Its coefficients are in mm_coefficients('%s').", ref) : 0));
	n_methods = model->algorithm->importances(model, &methods, &values);
	for (m = 0; m < n_methods; m++)
		for (j = 0; j < model->n_design; j++)
		{
			Datum		row[3];
			bool		nulls[3] = {false, false, false};

			row[0] = CStringGetTextDatum(MmDesignName(model, j));
			row[1] = Float8GetDatum(values[(size_t) m * model->n_design + j]);
			row[2] = CStringGetTextDatum(methods[m]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, nulls);
		}
	SPI_finish();
	return (Datum) 0;
}

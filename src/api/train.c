/*
 * train.c: mm_train and mm_retrain.  Their arguments become a training's
 * spec (MmTrainSpec, trainspec.h), trained and recorded by MmTrainVersion
 * (version.c); mm_tune reads the arguments it shares with mm_train here.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "audit.h"
#include "catalog.h"
#include "fit.h"
#include "privileges.h"
#include "train.h"
#include "util.h"
#include "version.h"

PG_FUNCTION_INFO_V1(mm_train);
PG_FUNCTION_INFO_V1(mm_retrain);

/* Trains one version and returns its row; SPI is connected. */
static void
train_connected(FunctionCallInfo fcinfo, MmTrainSpec *spec, MmAuditCall *call)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MmTrainedVersion result;
	Datum		out[5];
	bool		out_nulls[5] = {false, false, false, false, false};

	MmTrainVersion(fcinfo, spec, NULL, call, &result);
	InitMaterializedSRF(fcinfo, 0);
	out[0] = CStringGetTextDatum(spec->model);
	out[1] = Int32GetDatum(result.version);
	out[2] = CStringGetTextDatum(result.trained->algorithm);
	out[3] = JsonbPGetDatum(MmJsonbFromString(result.trained->metrics));
	out[4] = BoolGetDatum(result.deployed);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, out_nulls);
}

/* Trains one version of spec->model (see MmTrainSpec). */
void
MmTrainRun(FunctionCallInfo fcinfo, MmTrainSpec *spec, MmAuditCall *call)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmRequireCurrentSchema();
	train_connected(fcinfo, spec, call);
	SPI_finish();
}

/* JSON array text of C strings, or null. */
char *
MmJsonStringArray(char **items, int n)
{
	StringInfoData buf;
	int			i;

	if (items == NULL)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (i = 0; i < n; i++)
	{
		if (i)
			appendStringInfoString(&buf, ", ");
		MmJsonString(&buf, items[i]);
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* Body of mm_train. */
/*
 * Reads the first four arguments mm_train and mm_tune share: model,
 * relation, target, algorithm.
 */
void
MmReadTrainTarget(FunctionCallInfo fcinfo, MmTrainSpec *spec, MmAuditCall *call)
{
	spec->model = MmArgCString(fcinfo, 0, "model");
	MmAuditSetModel(call, spec->model);
	MmCheckName(spec->model, "model");
	spec->relation = MmArgCString(fcinfo, 1, "relation");
	MmAuditArgText(call, "relation", spec->relation);
	spec->target = MmArgCStringOrNull(fcinfo, 2);
	MmAuditArgText(call, "target", spec->target);
	spec->algorithm = MmArgCString(fcinfo, 3, "algorithm");
	MmAuditArgText(call, "algorithm", spec->algorithm);
}

/*
 * Reads the seven arguments of a training's recipe that mm_train and
 * mm_tune share, from position first on: features, exclude, params,
 * preprocess, test_size, seed, deploy.
 */
void
MmReadTrainRecipe(FunctionCallInfo fcinfo, int first, MmTrainSpec *spec, MmAuditCall *call)
{
	if (!PG_ARGISNULL(first))
		spec->features = MmTextArrayElements(PG_GETARG_ARRAYTYPE_P(first), "features", &spec->nfeatures);
	MmAuditArgJson(call, "features", MmJsonStringArray(spec->features, spec->nfeatures));
	if (!PG_ARGISNULL(first + 1))
		spec->exclude = MmTextArrayElements(PG_GETARG_ARRAYTYPE_P(first + 1), "exclude", &spec->nexclude);
	MmAuditArgJson(call, "exclude", MmJsonStringArray(spec->exclude, spec->nexclude));
	MmRequireArg(fcinfo, first + 2, "params");
	spec->params = PG_GETARG_JSONB_P(first + 2);
	MmAuditArgJson(call, "params", MmJsonbText(spec->params));
	MmRequireArg(fcinfo, first + 3, "preprocess");
	spec->preprocess = PG_GETARG_JSONB_P(first + 3);
	MmAuditArgJson(call, "preprocess", MmJsonbText(spec->preprocess));
	MmRequireArg(fcinfo, first + 4, "test_size");
	spec->test_size = PG_GETARG_FLOAT8(first + 4);
	MmAuditArgNumber(call, "test_size", spec->test_size);
	MmRequireArg(fcinfo, first + 5, "seed");
	spec->seed = PG_GETARG_INT32(first + 5);
	MmAuditArgNumber(call, "seed", spec->seed);
	spec->deploy = MmArgCString(fcinfo, first + 6, "deploy");
	MmAuditArgText(call, "deploy", spec->deploy);
}

static Datum
train_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	MmTrainSpec spec;

	memset(&spec, 0, sizeof(spec));
	MmReadTrainTarget(fcinfo, &spec, call);
	MmReadTrainRecipe(fcinfo, 4, &spec, call);
	MmTrainRun(fcinfo, &spec, call);
	return (Datum) 0;
}

/* Body of mm_retrain: the recipe of the referenced version, on new data. */
static Datum
retrain_body(FunctionCallInfo fcinfo, MmAuditCall *call)
{
	char	   *ref = MmArgCString(fcinfo, 0, "model");
	char	   *relation = MmArgCStringOrNull(fcinfo, 1);
	MmVersionRef vr;
	MmTrainSpec spec;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	bool		isnull;
	HeapTuple	tuple;
	TupleDesc	desc;
	Datum		features;
	MmRef		parsed;

	MmAuditArgText(call, "model", ref);
	MmAuditArgText(call, "relation", relation);
	MmParseRef(ref, &parsed);
	MmAuditSetModel(call, parsed.name);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MmRequireCurrentSchema();
	MmResolveRef(ref, false, MM_PRIV_TRAIN, &vr);

	values[0] = Int64GetDatum(vr.version_id);
	MmCatalogExec("SELECT algorithm, params, preprocess, features, target, test_size, seed, relation "
				  "FROM mm._versions WHERE id OPERATOR(pg_catalog.=) $1", 1, types, values, NULL, SPI_OK_SELECT);
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;

	memset(&spec, 0, sizeof(spec));
	spec.model = vr.model;
	spec.algorithm = TextDatumGetCString(SPI_getbinval(tuple, desc, 1, &isnull));
	spec.params = DatumGetJsonbPCopy(SPI_getbinval(tuple, desc, 2, &isnull));
	spec.preprocess = DatumGetJsonbPCopy(SPI_getbinval(tuple, desc, 3, &isnull));
	features = SPI_getbinval(tuple, desc, 4, &isnull);
	spec.features = MmTextArrayElements(DatumGetArrayTypeP(features), "features", &spec.nfeatures);
	{
		Datum		target = SPI_getbinval(tuple, desc, 5, &isnull);

		spec.target = isnull ? NULL : TextDatumGetCString(target);
	}
	spec.test_size = DatumGetFloat8(SPI_getbinval(tuple, desc, 6, &isnull));
	spec.seed = DatumGetInt32(SPI_getbinval(tuple, desc, 7, &isnull));
	spec.relation = relation ? relation : TextDatumGetCString(SPI_getbinval(tuple, desc, 8, &isnull));
	spec.deploy = "if_better";
	spec.parent_version = vr.version;
	train_connected(fcinfo, &spec, call);
	SPI_finish();
	return (Datum) 0;
}

/* mm_train(model, relation, target, ...): see doc/training.md. */
Datum
mm_train(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_train", train_body);
}

/* mm_retrain(model, relation): see doc/training.md. */
Datum
mm_retrain(PG_FUNCTION_ARGS)
{
	return MmRunAudited(fcinfo, "mm_retrain", retrain_body);
}

/*
 * version.c: training one version of a model and recording it.
 *
 * A training is one pass over the relation, through the executor and as the
 * calling user: a single aggregate query (mm_ls_stats, momentspass.c)
 * gathers, per part of a deterministic train/test split, the moments of
 * features and target and a bounded sample of rows, and PostgreSQL runs it
 * as a parallel aggregate when the table is large.  An algorithm that fits
 * from those statistics (its table says so, fit.c) needs nothing else: the
 * solve, the metrics of both parts, the checks that name bad columns; the
 * others read the rows into memory.  The catalog is written only after the
 * model is fitted, so the model row is locked for milliseconds, not for the
 * scan: concurrent trainings of one model overlap their reading and queue
 * only to take the next version number.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "algorithm.h"
#include "algorithm_names.h"
#include "artifact.h"
#include "audit.h"
#include "catalog.h"
#include "classify.h"
#include "columns.h"
#include "dataset.h"
#include "fit.h"
#include "mmcore.h"
#include "model.h"
#include "privileges.h"
#include "security.h"
#include "stages.h"
#include "trainprogress.h"
#include "util.h"
#include "version.h"

/* True when an integer target has at most ten distinct values (auto picks classification). */
static bool
few_distinct_values(const MmSource *src)
{
	char	   *sql = psprintf("SELECT pg_catalog.count(*) FROM (SELECT DISTINCT %s FROM %s "
							   "WHERE %s IS NOT NULL LIMIT 11) s",
							   quote_identifier(src->target), src->qualified,
							   quote_identifier(src->target));
	bool		isnull;
	int64		n;

	if (MmSpiRun(sql, 0, NULL, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not count distinct target values");
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	/* no values at all says nothing of the task: the training reports the empty relation */
	return n > 0 && n <= 10;
}

/* True for the integer types. */
static bool
is_integer_type(Oid base)
{
	return base == INT2OID || base == INT4OID || base == INT8OID;
}

/* True for the algorithms that learn without a target. */
static int
is_unsupervised(const MmAlgorithm *algorithm)
{
	return algorithm->task == MM_TASK_CLUSTERING || algorithm->task == MM_TASK_DECOMPOSITION;
}

/* True for a name with a table for classification and one for regression. */
static bool
serves_both_tasks(const MmAlgorithm *algorithm)
{
	return mm_algorithm_by_name_task(algorithm->name, MM_TASK_CLASSIFICATION) != NULL &&
		mm_algorithm_by_name_task(algorithm->name, MM_TASK_REGRESSION) != NULL;
}

/* "Supported algorithms: auto, ...", every algorithm of the registry. */
static char *
supported_algorithms(void)
{
	return psprintf("Supported algorithms: auto, %s.", MmAlgorithmList(NULL, ", "));
}

/* Picks the algorithm and checks the target suits it. */
const MmAlgorithm *
MmChooseAlgorithm(const MmTrainSpec *spec, const MmSource *src)
{
	bool		is_auto = strcmp(spec->algorithm, "auto") == 0;
	const MmAlgorithm *algorithm = is_auto ? NULL : mm_algorithm_by_name(spec->algorithm);
	Oid			base;

	if (!is_auto && algorithm == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("algorithm \"%s\" is not supported", spec->algorithm),
				 errhint("%s", supported_algorithms())));
	if (algorithm != NULL && is_unsupervised(algorithm))
	{
		if (src->target != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s learns without a target, and target \"%s\" was given",
							algorithm->name, src->target),
					 errhint("Pass target => NULL; to leave the column out of the features, "
							 "pass exclude => ARRAY['%s'].", src->target)));
		return algorithm;
	}
	if (src->target == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("target must not be null"),
				 errdetail("Regression and classification learn to predict a target column; "
						   "%s need none.", MmAlgorithmList(is_unsupervised, " and "))));
	base = getBaseType(src->target_type);
	/* auto, and a name with a table per task (svm), take the task the target suggests */
	if (is_auto || serves_both_tasks(algorithm))
	{
		MmTask		task = base == BOOLOID || MmLabelKindOf(base) == MM_LABEL_TEXT ||
			(is_integer_type(base) && few_distinct_values(src)) ?
			MM_TASK_CLASSIFICATION : MM_TASK_REGRESSION;

		algorithm = is_auto ? mm_algorithm_default(task) : mm_algorithm_by_name_task(algorithm->name, task);
	}
	if (algorithm->task == MM_TASK_CLASSIFICATION)
	{
		if (MmLabelKindOf(base) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("target \"%s\" has type %s, but a classifier's labels are boolean, "
							"whole numbers or text", src->target, format_type_be(src->target_type)),
					 errhint("Cast the target to text in a view to learn its values as classes.")));
		return algorithm;
	}
	if (!MmIsNumericType(base))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("target \"%s\" has type %s, but %s needs a number",
						src->target, format_type_be(src->target_type),
						algorithm->texts.display_name ? algorithm->texts.display_name : algorithm->name),
				 MmLabelKindOf(base) != 0 ?
				 errhint("Pass algorithm => '%s' to learn its values as classes.",
						 MmAlgorithmForTask(MM_TASK_CLASSIFICATION)) : 0));
	return algorithm;
}

/* A text[] of C strings. */
static Datum
text_array(char **items, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n + 1));
	int			i;

	for (i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* Score of the currently deployed production version: found, and its value. */
static bool
production_score(int64 model_id, double *score, bool *score_null)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(model_id)};

	if (MmCatalogExec("SELECT v.score FROM mm._stages s "
					  "JOIN mm._versions v ON v.id OPERATOR(pg_catalog.=) s.version_id "
					  "WHERE s.model_id OPERATOR(pg_catalog.=) $1 AND s.stage OPERATOR(pg_catalog.=) 'production' "
					  "ORDER BY s.depth DESC LIMIT 1",
					  1, types, values, NULL, SPI_OK_SELECT) == 0)
		return false;
	*score = DatumGetFloat8(MmCatalogGet(0, 1, score_null));
	return true;
}

/* Whether a new version with this score goes to production under the policy. */
static bool
should_deploy(const char *policy, int64 model_id, double score)
{
	double		current;
	bool		current_null;

	if (strcmp(policy, "always") == 0)
		return true;
	if (strcmp(policy, "never") == 0)
		return false;
	if (!production_score(model_id, &current, &current_null) || current_null)
		return true;
	return !isnan(score) && score >= current;
}

/*
 * Whether a version beats the trivial model on the score if_better compares
 * (trained->score, on the part it was measured on): one that does not
 * predicts no better than ignoring the features, whatever its accuracy.
 * Models without a trivial model to compare with (clustering,
 * decomposition, documents from before it was measured) pass.
 */
static bool
beats_trivial_model(const MmTrained *trained)
{
	return isnan(trained->trivial_score) ||
		(!isnan(trained->score) && trained->score > trained->trivial_score);
}

/* Says why if_better kept a version that does not beat the trivial model out of production. */
static void
notice_not_better_than_trivial(const char *model, int32 version, const MmTrained *trained)
{
	bool		classifier = trained->model.task == MM_TASK_CLASSIFICATION;
	const char *metric = classifier ? "f1" : "r2";
	const char *deploy_anyway = psprintf("SELECT mm_deploy('%s', %d);", model, version);

	ereport(NOTICE,
			(errmsg("version %d of model \"%s\" was not deployed: it does not beat the baseline",
					version, model),
			 errdetail("Its %s on the %s part, %g, is no better than %g, the %s of always predicting %s.",
					   metric, trained->rows_test > 0 ? "test" : "training", trained->score,
					   trained->trivial_score, metric,
					   classifier ? "the majority class" : "the training mean"),
			 classifier && mm_param_index(trained->model.algorithm, "class_weight") >= 0 ?
			 errhint("For imbalanced classes, train with params => '{\"class_weight\": \"balanced\"}' "
					 "(see \"Imbalanced classes\" in doc/classification.md); to deploy it anyway: %s",
					 deploy_anyway) :
			 errhint("To deploy it anyway: %s", deploy_anyway)));
}

/* What a new version row records beyond the algorithm's results. */
typedef struct VersionRow
{
	const MmTrained *trained;
	double		train_seconds;
	const char *trained_by;
	bytea	   *artifact;
	uint32		crc;
} VersionRow;

/* Creates the model if needed, takes the next version number, inserts the version. */
static int32
insert_version(const MmTrainSpec *spec, const MmSource *src, const VersionRow *row,
			   int64 *model_id, int64 *version_id, int *held)
{
	const MmTrained *t = row->trained;
	Oid			mtypes[3] = {TEXTOID, REGROLEOID, TEXTOID};
	Datum		mvalues[3];
	MmLockedModel m;
	int32		version;
	bool		isnull;
	char	  **type_names = palloc(sizeof(char *) * src->nfeatures);
	Oid			vtypes[27];
	Datum		v[27];
	char		nulls[28];
	int			i;

	mvalues[0] = CStringGetTextDatum(spec->model);
	mvalues[1] = ObjectIdGetDatum(GetUserId());
	mvalues[2] = CStringGetTextDatum(t->task);
	MmCatalogExec("INSERT INTO mm._models (name, owner, task) VALUES ($1, $2, $3) "
				  "ON CONFLICT (name) DO NOTHING",
				  3, mtypes, mvalues, NULL, SPI_OK_INSERT);
	(void) MmLockModel(spec->model, MM_PRIV_TRAIN, &m, false);
	*model_id = m.id;
	*held = m.held;
	if (strcmp(m.task, t->task) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model \"%s\" is a %s model, not a %s model", spec->model, m.task, t->task),
				 errhint("Use another model name for a %s model.", t->task)));

	mvalues[0] = Int64GetDatum(*model_id);
	mtypes[0] = INT8OID;
	MmCatalogExec("UPDATE mm._models SET last_version = last_version OPERATOR(pg_catalog.+) 1 "
				  "WHERE id OPERATOR(pg_catalog.=) $1 "
				  "RETURNING last_version", 1, mtypes, mvalues, NULL, SPI_OK_UPDATE_RETURNING);
	version = DatumGetInt32(MmCatalogGet(0, 1, &isnull));

	for (i = 0; i < src->nfeatures; i++)
		type_names[i] = format_type_be(src->feature_types[i]);
	memset(nulls, ' ', sizeof(nulls));
	nulls[27] = '\0';
	i = 0;
#define ARG(type, value) (vtypes[i] = (type), v[i++] = (value))
	ARG(INT8OID, Int64GetDatum(*model_id));
	ARG(INT4OID, Int32GetDatum(version));
	ARG(TEXTOID, CStringGetTextDatum(t->algorithm));
	ARG(TEXTOID, CStringGetTextDatum(t->params));
	ARG(TEXTOID, CStringGetTextDatum(MmJsonbText(spec->preprocess)));
	ARG(TEXTARRAYOID, text_array(src->features, src->nfeatures));
	ARG(TEXTARRAYOID, text_array(type_names, src->nfeatures));
	if (src->target == NULL)
		nulls[i] = nulls[i + 1] = 'n';
	ARG(TEXTOID, src->target ? CStringGetTextDatum(src->target) : (Datum) 0);
	ARG(TEXTOID, src->target ? CStringGetTextDatum(format_type_be(src->target_type)) : (Datum) 0);
	ARG(TEXTOID, CStringGetTextDatum(src->qualified));
	ARG(FLOAT8OID, Float8GetDatum(spec->test_size));
	ARG(INT4OID, Int32GetDatum(spec->seed));
	ARG(INT8OID, Int64GetDatum(t->rows_read));
	ARG(INT8OID, Int64GetDatum(t->rows_train));
	ARG(INT8OID, Int64GetDatum(t->rows_test));
	ARG(TEXTOID, CStringGetTextDatum(t->rows_skipped));
	ARG(TEXTOID, CStringGetTextDatum(psprintf("%016" INT64_MODIFIER "x", t->fingerprint)));
	if (t->snapshot == NULL)
		nulls[i] = 'n';
	ARG(TEXTOID, t->snapshot ? CStringGetTextDatum(t->snapshot) : (Datum) 0);
	ARG(TEXTOID, CStringGetTextDatum(t->metrics));
	if (isnan(t->score))
		nulls[i] = 'n';
	ARG(FLOAT8OID, Float8GetDatum(t->score));
	ARG(FLOAT8OID, Float8GetDatum(row->train_seconds));
	ARG(TEXTOID, CStringGetTextDatum(row->trained_by));
	if (spec->parent_version == 0)
		nulls[i] = 'n';
	ARG(INT4OID, Int32GetDatum(spec->parent_version));
	ARG(BYTEAOID, PointerGetDatum(row->artifact));
	ARG(INT8OID, Int64GetDatum((int64) row->crc));
	ARG(TEXTOID, CStringGetTextDatum(t->fitted));
	if (t->baseline == NULL)
		nulls[i] = 'n';
	ARG(TEXTOID, t->baseline ? CStringGetTextDatum(t->baseline) : (Datum) 0);
#undef ARG
	Assert(i == 27);
	MmCatalogExec("INSERT INTO mm._versions (model_id, version, algorithm, params, preprocess, "
				  "features, feature_types, target, target_type, relation, test_size, seed, "
				  "rows_read, rows_train, rows_test, rows_skipped, fingerprint, snapshot, metrics, "
				  "score, train_time, trained_by, parent_version, artifact, artifact_crc, "
				  "fitted_preprocess, baseline) "
				  "VALUES ($1, $2, $3, $4::pg_catalog.jsonb, $5::pg_catalog.jsonb, $6, $7, $8, $9, "
				  "$10, $11, $12, $13, $14, $15, $16::pg_catalog.jsonb, $17, "
				  "$18::pg_catalog.pg_snapshot, $19::pg_catalog.jsonb, $20, "
				  "$21 OPERATOR(pg_catalog.*) pg_catalog.interval '1 second', $22, $23, $24, $25, "
				  "$26::pg_catalog.jsonb, $27::pg_catalog.jsonb) RETURNING id",
				  27, vtypes, v, nulls, SPI_OK_INSERT_RETURNING);
	*version_id = DatumGetInt64(MmCatalogGet(0, 1, &isnull));
	return version;
}

/* Errors unless spec's settings are valid (before any data is read). */
void
MmCheckTrainSpec(const MmTrainSpec *spec)
{
	if (!(spec->test_size >= 0.0 && spec->test_size < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("test_size must be at least 0 and less than 1, not %g", spec->test_size)));
	if (strcmp(spec->deploy, "if_better") != 0 && strcmp(spec->deploy, "always") != 0 &&
		strcmp(spec->deploy, "never") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("deploy must be 'if_better', 'always' or 'never', not '%s'", spec->deploy)));
	MmJsonbRequireObject(spec->params, "params");
	MmJsonbRequireObject(spec->preprocess, "preprocess");
}

/*
 * Refuses, before any data is read, to add a version to an existing model
 * without the train privilege, or to deploy it without the deploy
 * privilege when the policy is 'always'.  A new model will be the
 * caller's.  SPI is connected.
 */
void
MmCheckTrainPrivileges(const char *model, const char *deploy)
{
	int64		model_id;
	Oid			owner;

	if (MmFindModel(model, false, true, &model_id, &owner))
		(void) MmRequirePrivileges(model, model_id, owner,
								   strcmp(deploy, "always") == 0 ? MM_PRIV_TRAIN | MM_PRIV_DEPLOY : MM_PRIV_TRAIN,
								   false);
}

/*
 * Trains one version of spec->model, with what ctx gives besides (NULL for
 * a plain training), and records it: the version row, and production when
 * spec->deploy says so.  Fills result; SPI is connected.
 */
void
MmTrainVersion(FunctionCallInfo fcinfo, MmTrainSpec *spec, const MmTrainContext *ctx,
			   MmAuditCall *call, MmTrainedVersion *result)
{
	TimestampTz started = GetCurrentTimestamp();
	MmSource	src;
	const MmAlgorithm *algorithm;
	MmTrained  *trained = palloc0(sizeof(MmTrained));

	MmCheckTrainSpec(spec);
	MmCheckTrainPrivileges(spec->model, spec->deploy);
	MmTrainProgressStart(spec->model);
	PG_TRY();
	{
		MmResolveSource(spec, &src);
		algorithm = MmChooseAlgorithm(spec, &src);
		MmTrainProgressAlgorithm(algorithm->name);
		MmFitAlgorithm(fcinfo, spec, &src, algorithm, ctx, trained);
		MmTrainProgressPhase("recording the version");
		MmRecordVersion(spec, &src, trained, (double) (GetCurrentTimestamp() - started) / USECS_PER_SEC,
						call, result);
	}
	PG_FINALLY();
	{
		MmTrainProgressEnd();
	}
	PG_END_TRY();
}

/*
 * Records a model as the next version of spec->model (created when new):
 * its artifact, the row, and production when spec->deploy says so.  Fills
 * result; SPI is connected.
 */
void
MmRecordVersion(const MmTrainSpec *spec, const MmSource *src, MmTrained *trained, double seconds,
				MmAuditCall *call, MmTrainedVersion *result)
{
	VersionRow	row;
	uint8	   *bytes;
	size_t		nbytes;
	MmError		err;
	int64		model_id;
	int			held;

	if (mm_artifact_write(&trained->model, &bytes, &nbytes, &err) != MM_OK)
		MmReportCoreError(&err, "could not serialize the model");
	row.trained = trained;
	row.trained_by = MmRoleName(GetUserId());
	row.artifact = palloc(VARHDRSZ + nbytes);
	SET_VARSIZE(row.artifact, VARHDRSZ + nbytes);
	memcpy(VARDATA(row.artifact), bytes, nbytes);
	row.crc = mm_artifact_crc(bytes, nbytes);
	row.train_seconds = seconds;

	result->version = insert_version(spec, src, &row, &model_id, &result->version_id, &held);
	call->version = result->version;
	result->deployed = should_deploy(spec->deploy, model_id, trained->score);
	if (result->deployed && strcmp(spec->deploy, "if_better") == 0 && !beats_trivial_model(trained))
	{
		result->deployed = false;
		notice_not_better_than_trivial(spec->model, result->version, trained);
	}
	if (result->deployed && !(held & MM_PRIV_DEPLOY))
	{
		/* 'always' was refused before the training; 'if_better' trains without deploying */
		result->deployed = false;
		ereport(NOTICE,
				(errmsg("version %d of model \"%s\" was not deployed", result->version, spec->model),
				 errdetail("Role \"%s\" does not hold the deploy privilege on the model.",
						   MmRoleName(GetUserId())),
				 errhint("A role with it can deploy the version with: SELECT mm_deploy('%s', %d);",
						 spec->model, result->version)));
	}
	if (result->deployed)
		MmStagePush(model_id, spec->model, "production", result->version_id, result->version,
					call->function);
	result->trained = trained;
}

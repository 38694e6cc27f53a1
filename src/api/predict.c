/*
 * predict.c: mm_predict from a row or from an array of raw values.
 *
 * Prediction is the hot path: SELECT mm_predict('m', t) FROM t calls it once
 * per row, possibly in parallel workers.  Everything that does not depend on
 * the row is done once per call site (per statement) and kept in fn_extra:
 * the model reference resolved to a version under the statement's snapshot,
 * the deserialized model from the session cache, and the mapping from the
 * model's features to the columns of the row type.  Per row, what remains
 * is deforming the columns the model reads and one dot product.
 *
 * The reference is compared with the previous row's, so a query that
 * predicts with a different model per row still works, resolving whenever
 * the reference changes.  So is the snapshot: PL/pgSQL keeps the state of
 * the expressions it evaluates itself (RETURN mm_predict(...)) for the whole
 * transaction, and each of its statements must still see the deployments
 * its own snapshot sees.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

#include "algorithm.h"
#include "algorithm_names.h"
#include "cache.h"
#include "catalog.h"
#include "columns.h"
#include "datepart.h"
#include "dateparts.h"
#include "mmcore.h"
#include "model.h"
#include "privileges.h"
#include "shardref.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mm_predict_record);
PG_FUNCTION_INFO_V1(mm_predict_array);
PG_FUNCTION_INFO_V1(mm_predict_label);
PG_FUNCTION_INFO_V1(mm_predict_proba);
PG_FUNCTION_INFO_V1(mm_predict_proba_class);
PG_FUNCTION_INFO_V1(mm_classes);
PG_FUNCTION_INFO_V1(mm_transform);

/*
 * What a snapshot sees, as far as resolution cares: no transaction completed
 * (on a primary) or replayed (on a standby), and no command of this
 * transaction ran, while these stay the same.
 */
typedef struct SnapshotIdentity
{
	bool		set;
	uint64		completions;
	TransactionId xmin;
	TransactionId xmax;
	uint32		xcnt;
	CommandId	curcid;
} SnapshotIdentity;

/* What one call site keeps between rows. */
typedef struct PredictState
{
	char	   *ref;			/* the reference text last resolved */
	int			ref_len;
	MmVersionRef version;
	SnapshotIdentity resolved_under;	/* the snapshot it was resolved under */
	MmCachedModel *entry;
	uint64		generation;
	MemoryContext shard_cxt;	/* holds model when a coordinator resolved it (shardref.c) */
	MmModel    *model;
	double	   *x;				/* the features of one row, NaN where NULL */
	double	   *z;				/* and after the model's preprocessing */

	/* the row type the feature columns were mapped for */
	MmModel    *mapped_model;
	Oid			row_type;
	int32		row_typmod;
	TupleDesc	row_desc;
	int		   *column;			/* per feature: attribute index */
	Oid		   *column_type;	/* per feature: its base type */
	Datum	   *values;
	bool	   *nulls;

	/* the class one probability was asked for, found in mapped_class's classes */
	MmModel    *mapped_class;
	char	   *class_name;
	int			class_len;
	int			class_index;
	double	   *proba;			/* room for the model's scores, then probabilities */
} PredictState;

/* The identity of the active snapshot (unset when there is none). */
static SnapshotIdentity
active_snapshot_identity(void)
{
	SnapshotIdentity id;
	Snapshot	snap;

	memset(&id, 0, sizeof(id));
	if (!ActiveSnapshotSet())
		return id;
	snap = GetActiveSnapshot();
	id.set = true;
	id.completions = snap->snapXactCompletionCount;
	id.xmin = snap->xmin;
	id.xmax = snap->xmax;
	id.xcnt = snap->xcnt;
	id.curcid = snap->curcid;
	return id;
}

/* Room for one row of the model just set, and no column mapping yet. */
static void
reset_row_state(PredictState *ps, MemoryContext mcxt)
{
	/* the model may be another one now, even at a recycled address */
	if (ps->x)
	{
		pfree(ps->x);
		pfree(ps->z);
	}
	ps->x = MemoryContextAlloc(mcxt, sizeof(double) * ps->model->n_features);
	ps->z = MemoryContextAlloc(mcxt, sizeof(double) * ps->model->n_design);
	ps->mapped_model = NULL;
	ps->mapped_class = NULL;
}

/* Keeps the reference text just resolved, to know it again on the next row. */
static void
remember_ref(PredictState *ps, MemoryContext mcxt, text *ref)
{
	int			len = VARSIZE_ANY_EXHDR(ref);

	if (ps->ref)
		pfree(ps->ref);
	ps->ref = MemoryContextAlloc(mcxt, len);
	memcpy(ps->ref, VARDATA_ANY(ref), len);
	ps->ref_len = len;
}

/*
 * The model of a reference a Citus coordinator resolved for this shard
 * (shardref.c): it carries its artifact, so it is read once per call site,
 * without the catalog and whatever the snapshot.
 */
static PredictState *
shard_predict_state(FunctionCallInfo fcinfo, PredictState *ps, text *ref)
{
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	MemoryContext old;
	int			len = VARSIZE_ANY_EXHDR(ref);
	MmVersionRef v;

	if (ps->shard_cxt != NULL && ps->ref_len == len && memcmp(ps->ref, VARDATA_ANY(ref), len) == 0)
		return ps;
	if (ps->shard_cxt != NULL)
		MemoryContextDelete(ps->shard_cxt);
	ps->shard_cxt = AllocSetContextCreate(mcxt, "modelmgr shard model", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(ps->shard_cxt);
	ps->model = MmShardRefModel(VARDATA_ANY(ref), len, &v);
	MemoryContextSwitchTo(old);
	ps->version = v;
	ps->version.model = MemoryContextStrdup(mcxt, v.model);
	ps->entry = NULL;
	remember_ref(ps, mcxt, ref);
	reset_row_state(ps, mcxt);
	return ps;
}

/* Resolves the reference and fetches the model, once per statement. */
static PredictState *
predict_state(FunctionCallInfo fcinfo, text *ref)
{
	PredictState *ps = fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	int			len = VARSIZE_ANY_EXHDR(ref);
	SnapshotIdentity now = active_snapshot_identity();
	bool		resolve;

	if (ps == NULL)
	{
		ps = MemoryContextAllocZero(mcxt, sizeof(PredictState));
		fcinfo->flinfo->fn_extra = ps;
	}
	if (MmIsShardRef(VARDATA_ANY(ref), len))
		return shard_predict_state(fcinfo, ps, ref);
	if (ps->shard_cxt != NULL)
	{
		MemoryContextDelete(ps->shard_cxt);
		ps->shard_cxt = NULL;
		ps->ref_len = -1;
	}
	/* another reference, or a newer snapshot (a new statement), resolves again */
	resolve = ps->ref == NULL || ps->ref_len != len ||
		memcmp(ps->ref, VARDATA_ANY(ref), len) != 0 ||
		memcmp(&ps->resolved_under, &now, sizeof(now)) != 0;
	if (!resolve && MmModelCacheValid(ps->entry, ps->generation))
		return ps;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (resolve)
	{
		MmVersionRef v;

		MmResolveRef(text_to_cstring(ref), true, MM_PRIV_USE, &v);
		ps->resolved_under = now;
		ps->version = v;
		ps->version.model = MemoryContextStrdup(mcxt, v.model);
		remember_ref(ps, mcxt, ref);
	}
	ps->model = MmModelCacheGet(&ps->version, &ps->entry);
	ps->generation = MmModelCacheGeneration();
	SPI_finish();
	reset_row_state(ps, mcxt);
	return ps;
}

/* Maps the model's features to columns of a row type, by name. */
static void
map_columns(PredictState *ps, MemoryContext mcxt, Oid type, int32 typmod)
{
	MmModel    *m = ps->model;
	TupleDesc	desc = lookup_rowtype_tupdesc(type, typmod);
	int			i,
				a;

	if (ps->row_desc)
		FreeTupleDesc(ps->row_desc);
	if (ps->column)
	{
		pfree(ps->column);
		pfree(ps->column_type);
	}
	ps->column = MemoryContextAlloc(mcxt, sizeof(int) * m->n_features);
	ps->column_type = MemoryContextAlloc(mcxt, sizeof(Oid) * m->n_features);
	for (i = 0; i < m->n_features; i++)
	{
		/* the parts of a date all read its column, named without ".part" */
		size_t		len = mm_feature_column_length(m, i);

		for (a = 0; a < desc->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, a);

			if (!att->attisdropped && strlen(NameStr(att->attname)) == len &&
				memcmp(NameStr(att->attname), m->feature_names[i], len) == 0)
				break;
		}
		if (a == desc->natts)
		{
			ReleaseTupleDesc(desc);
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("input row has no column \"%s\"", pnstrdup(m->feature_names[i], len)),
					 errdetail("Model \"%s\" version %d reads the columns %s.", ps->version.model,
							   ps->version.version, MmFormatList(m->feature_names, m->n_features))));
		}
		ps->column[i] = a;
		ps->column_type[i] = getBaseType(TupleDescAttr(desc, a)->atttypid);
		{
			char		category;
			bool		preferred;
			bool		text_feature = m->feature_kinds[i] == MM_FEATURE_CATEGORICAL;
			bool		date_feature = m->feature_kinds[i] == MM_FEATURE_DATE_PART;
			bool		fits;

			get_type_category_preferred(ps->column_type[i], &category, &preferred);
			fits = text_feature ? category == TYPCATEGORY_STRING :
				date_feature ? MmIsDateType(ps->column_type[i]) :
				MmIsNumericType(ps->column_type[i]) || ps->column_type[i] == BOOLOID;
			if (!fits)
			{
				Oid			t = TupleDescAttr(desc, a)->atttypid;

				ReleaseTupleDesc(desc);
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 text_feature ?
						 errmsg("column \"%s\" has type %s, but the model reads it as text",
								m->feature_names[i], format_type_be(t)) :
						 date_feature ?
						 errmsg("column \"%s\" has type %s, but the model reads it as a date or timestamp",
								pnstrdup(m->feature_names[i], len), format_type_be(t)) :
						 errmsg("column \"%s\" has type %s, which cannot be a feature",
								m->feature_names[i], format_type_be(t))));
			}
		}
	}

	{
		/* kept for the whole statement, like the rest of the state */
		MemoryContext old = MemoryContextSwitchTo(mcxt);

		ps->row_desc = CreateTupleDescCopy(desc);
		MemoryContextSwitchTo(old);
	}
	ReleaseTupleDesc(desc);
	if (ps->values)
	{
		pfree(ps->values);
		pfree(ps->nulls);
	}
	ps->values = MemoryContextAlloc(mcxt, sizeof(Datum) * ps->row_desc->natts);
	ps->nulls = MemoryContextAlloc(mcxt, sizeof(bool) * ps->row_desc->natts);
	ps->row_type = type;
	ps->row_typmod = typmod;
	ps->mapped_model = m;
}

/* A column value as a double, with the same conversions training's casts make. */
static inline double
column_double(Datum v, Oid type)
{
	switch (type)
	{
		case FLOAT8OID:
			return DatumGetFloat8(v);
		case FLOAT4OID:
			return (double) DatumGetFloat4(v);
		case INT2OID:
			return (double) DatumGetInt16(v);
		case INT4OID:
			return (double) DatumGetInt32(v);
		case INT8OID:
			return (double) DatumGetInt64(v);
		case NUMERICOID:
			return DatumGetFloat8(DirectFunctionCall1(numeric_float8, v));
		case BOOLOID:
			return DatumGetBool(v) ? 1.0 : 0.0;
	}
	elog(ERROR, "unexpected feature type %u", type);
	return 0.0;
}

/*
 * The category code of a text value, read as training read it (through a
 * cast to text: character(n) without its padding).
 */
static double
column_category(const MmModel *m, int i, Datum v, Oid type)
{
	const char *str;
	int			len;

	if (type == TEXTOID || type == VARCHAROID)
	{
		text	   *t = DatumGetTextPP(v);

		str = VARDATA_ANY(t);
		len = VARSIZE_ANY_EXHDR(t);
	}
	else if (type == BPCHAROID)
	{
		text	   *t = DatumGetTextPP(v);

		str = VARDATA_ANY(t);
		len = VARSIZE_ANY_EXHDR(t);
		while (len > 0 && str[len - 1] == ' ')
			len--;
	}
	else
	{
		Oid			out;
		bool		varlena;

		getTypeOutputInfo(type, &out, &varlena);
		str = OidOutputFunctionCall(out, v);
		len = strlen(str);
	}
	return mm_category_code(&m->categories[i], str, len);
}

/* Errors for a non-finite feature value. */
static void
nonfinite_value(const MmModel *m, int i)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("feature \"%s\" is NaN or infinite", m->feature_names[i])));
}

/* Applies the model's preprocessing to ps->x, into ps->z. */
static void
transform_row(PredictState *ps)
{
	MmModel    *m = ps->model;
	MmError		err;

	if (mm_model_transform(m, ps->x, ps->z, &err) == MM_OK)
		return;
	if (isnan(ps->x[err.item]))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("feature \"%s\" is null", m->feature_names[err.item]),
				 errdetail("Model \"%s\" version %d does not impute missing values of \"%s\".",
						   ps->version.model, ps->version.version, m->feature_names[err.item]),
				 errhint("Filter such rows out, fill the value in with coalesce(), or train with "
						 "preprocess => '{\"%s\": {\"impute\": \"mean\"}}'.",
						 m->feature_names[err.item])));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("feature \"%s\" is not finite after preprocessing", m->feature_names[err.item]),
			 errdetail("The value %g, scaled with the training statistics, overflows.",
					   ps->x[err.item])));
}

/*
 * Reads the model's features from a row (columns matched by name) into
 * ps->x and transforms them: the shared part of every record variant.
 */
static PredictState *
predict_record_row(FunctionCallInfo fcinfo)
{
	PredictState *ps;
	HeapTupleHeader td;
	HeapTupleData tuple;
	Oid			type;
	int32		typmod;
	MmModel    *m;
	int			i;

	ps = predict_state(fcinfo, PG_GETARG_TEXT_PP(0));
	m = ps->model;

	td = PG_GETARG_HEAPTUPLEHEADER(1);
	type = HeapTupleHeaderGetTypeId(td);
	typmod = HeapTupleHeaderGetTypMod(td);
	if (type != ps->row_type || typmod != ps->row_typmod || ps->mapped_model != m)
		map_columns(ps, fcinfo->flinfo->fn_mcxt, type, typmod);

	tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = td;
	heap_deform_tuple(&tuple, ps->row_desc, ps->values, ps->nulls);

	for (i = 0; i < m->n_features; i++)
	{
		int			a = ps->column[i];
		double		x;

		if (ps->nulls[a])
			x = NAN;
		else if (m->feature_kinds[i] == MM_FEATURE_CATEGORICAL)
			x = column_category(m, i, ps->values[a], ps->column_type[i]);
		else if (m->feature_kinds[i] == MM_FEATURE_DATE_PART)
		{
			x = mm_date_part(MmDatumEpoch(ps->values[a], ps->column_type[i]), m->date_parts[i]);
			if (!isfinite(x))
				nonfinite_value(m, i);
		}
		else
		{
			x = column_double(ps->values[a], ps->column_type[i]);
			if (!isfinite(x))
				nonfinite_value(m, i);
		}
		ps->x[i] = x;
	}
	transform_row(ps);
	return ps;
}

/* Errors unless the model is a classifier. */
static void
require_classifier(const PredictState *ps, const char *function)
{
	if (ps->model->task != MM_TASK_CLASSIFICATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s needs a classifier, and model \"%s\" version %d is a %s model",
						function, ps->version.model, ps->version.version,
						mm_task_name(ps->model->task))));
}

/* The number mm_predict returns for a transformed row. */
static double
predict_number(const PredictState *ps)
{
	const MmModel *m = ps->model;

	if (m->task == MM_TASK_DECOMPOSITION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model \"%s\" version %d is a %s model, which predicts no single number",
						ps->version.model, ps->version.version, m->algorithm->name),
				 errhint("Use mm_transform() for the components of a row.")));
	if (m->task == MM_TASK_CLASSIFICATION && m->labels.label_kind == MM_LABEL_TEXT)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("model \"%s\" version %d predicts text labels, not numbers",
						ps->version.model, ps->version.version),
				 errhint("Use mm_predict_label().")));
	return mm_model_predict(m, ps->z);
}

/* mm_predict(model text, input record): columns matched by name. */
Datum
mm_predict_record(PG_FUNCTION_ARGS)
{
	PredictState *ps;

	MmRequireArg(fcinfo, 0, "model");
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	ps = predict_record_row(fcinfo);
	PG_RETURN_FLOAT8(predict_number(ps));
}

/* mm_predict(model text, features float8[]): raw values in feature order. */
Datum
mm_predict_array(PG_FUNCTION_ARGS)
{
	PredictState *ps;
	ArrayType  *arr;
	MmModel    *m;
	int			n,
				i;

	MmRequireArg(fcinfo, 0, "model");
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	ps = predict_state(fcinfo, PG_GETARG_TEXT_PP(0));
	m = ps->model;
	if (m->categories != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("model \"%s\" version %d has text features, which an array of numbers cannot hold",
						ps->version.model, ps->version.version),
				 errhint("Pass the row: mm_predict('%s', t) with t a row of the table.",
						 ps->version.model)));
	arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features must be a one-dimensional array")));
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (n != m->n_features)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("model \"%s\" version %d takes %d features, not %d",
						ps->version.model, ps->version.version, m->n_features, n),
				 errdetail("In order: %s.", MmFormatList(m->feature_names, m->n_features))));
	{
		bits8	   *bitmap = ARR_NULLBITMAP(arr);
		char	   *data = ARR_DATA_PTR(arr);

		for (i = 0; i < n; i++)
		{
			if (bitmap && (bitmap[i / 8] & (1 << (i % 8))) == 0)
			{
				ps->x[i] = NAN;
				continue;
			}
			memcpy(&ps->x[i], data, sizeof(double));
			data += sizeof(double);
			if (!isfinite(ps->x[i]))
				nonfinite_value(m, i);
		}
	}
	transform_row(ps);
	PG_RETURN_FLOAT8(predict_number(ps));
}

/* mm_predict_label(model text, input record): the class as label::text renders it. */
Datum
mm_predict_label(PG_FUNCTION_ARGS)
{
	PredictState *ps;
	int			k;

	MmRequireArg(fcinfo, 0, "model");
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	ps = predict_record_row(fcinfo);
	require_classifier(ps, "mm_predict_label");
	k = mm_model_class(ps->model, ps->z);
	PG_RETURN_TEXT_P(cstring_to_text(ps->model->labels.classes[k]));
}

/* Errors unless the classifier gives probabilities. */
static void
require_proba(const PredictState *ps)
{
	const MmModel *m = ps->model;

	if (!mm_model_has_proba(m))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("model \"%s\" version %d (%s) gives no probabilities",
						ps->version.model, ps->version.version, m->algorithm->name),
				 m->algorithm->texts.no_probabilities ?
				 errhint("%s", m->algorithm->texts.no_probabilities) :
				 errhint("Use mm_predict_label(), or train a %s.", MmAlgorithmList(mm_algorithm_gives_probabilities, " or "))));
}

/* The transformed row's probability per class, in mm_classes order, into proba. */
static void
row_proba(const PredictState *ps, double *proba)
{
	mm_model_scores(ps->model, ps->z, proba);
	mm_model_proba(ps->model, proba, proba);
}

/* mm_predict_proba(model text, input record): a probability per class, in mm_classes order. */
Datum
mm_predict_proba(PG_FUNCTION_ARGS)
{
	PredictState *ps;
	const MmModel *m;
	int			k;
	Datum	   *d;
	double	   *proba;
	int			i;

	MmRequireArg(fcinfo, 0, "model");
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	ps = predict_record_row(fcinfo);
	require_classifier(ps, "mm_predict_proba");
	require_proba(ps);
	m = ps->model;
	k = m->labels.n_classes;
	proba = palloc(sizeof(double) * Max(k, mm_model_n_scores(m)));
	d = palloc(sizeof(Datum) * k);
	row_proba(ps, proba);
	for (i = 0; i < k; i++)
		d[i] = Float8GetDatum(proba[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, k, FLOAT8OID, sizeof(double), FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}

/* How many classes a hint names before it stops: a model may have a thousand. */
#define CLASSES_IN_HINT 10

/*
 * Finds the named class among the model's, once per call site and model
 * version (and again only when the row asks for another class), with a
 * buffer for the row's probabilities sized for this model.
 */
static void
map_class(PredictState *ps, MemoryContext mcxt, text *wanted)
{
	const MmLabels *c = &ps->model->labels;
	int			len = VARSIZE_ANY_EXHDR(wanted);
	char	   *name = text_to_cstring(wanted);
	int			k;

	for (k = 0; k < c->n_classes; k++)
		if (strcmp(c->classes[k], name) == 0)
			break;
	if (k == c->n_classes)
	{
		int			shown = Min(c->n_classes, CLASSES_IN_HINT);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model \"%s\" version %d has no class \"%s\"",
						ps->version.model, ps->version.version, name),
				 shown < c->n_classes ?
				 errhint("Its classes are %s, ... (%d in all).",
						 MmFormatList(c->classes, shown), c->n_classes) :
				 errhint("Its classes are %s.", MmFormatList(c->classes, shown))));
	}
	if (ps->class_name)
		pfree(ps->class_name);
	if (ps->proba)
		pfree(ps->proba);
	ps->class_name = MemoryContextAlloc(mcxt, Max(len, 1));
	memcpy(ps->class_name, VARDATA_ANY(wanted), len);
	ps->class_len = len;
	ps->class_index = k;
	ps->proba = MemoryContextAlloc(mcxt, sizeof(double) *
								   Max(c->n_classes, mm_model_n_scores(ps->model)));
	ps->mapped_class = ps->model;
	pfree(name);
}

/*
 * mm_predict_proba(model text, input record, class text): the probability of
 * one class, named as mm_classes renders it; the same bits as that class's
 * element of the array the two-argument form returns.
 */
Datum
mm_predict_proba_class(PG_FUNCTION_ARGS)
{
	PredictState *ps;
	text	   *wanted;

	MmRequireArg(fcinfo, 0, "model");
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	ps = predict_record_row(fcinfo);
	require_classifier(ps, "mm_predict_proba");
	require_proba(ps);
	wanted = PG_GETARG_TEXT_PP(2);
	if (ps->mapped_class != ps->model || ps->class_len != VARSIZE_ANY_EXHDR(wanted) ||
		memcmp(ps->class_name, VARDATA_ANY(wanted), ps->class_len) != 0)
		map_class(ps, fcinfo->flinfo->fn_mcxt, wanted);
	row_proba(ps, ps->proba);
	PG_RETURN_FLOAT8(ps->proba[ps->class_index]);
}

/* mm_classes(model text): the labels, in the order probabilities follow. */
Datum
mm_classes(PG_FUNCTION_ARGS)
{
	PredictState *ps;
	const MmLabels *c;
	Datum	   *d;
	int			i;

	MmRequireArg(fcinfo, 0, "model");
	ps = predict_state(fcinfo, PG_GETARG_TEXT_PP(0));
	require_classifier(ps, "mm_classes");
	c = &ps->model->labels;
	d = palloc(sizeof(Datum) * c->n_classes);
	for (i = 0; i < c->n_classes; i++)
		d[i] = CStringGetTextDatum(c->classes[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, c->n_classes, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * mm_transform(model text, input record): the row in the model's own
 * coordinates, its principal components (PCA) or its distances to the
 * cluster centers (k-means).
 */
Datum
mm_transform(PG_FUNCTION_ARGS)
{
	PredictState *ps;
	const MmModel *m;
	double	   *out;
	Datum	   *d;
	int			n,
				i;

	MmRequireArg(fcinfo, 0, "model");
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	ps = predict_record_row(fcinfo);
	m = ps->model;
	if (mm_model_n_coordinates(m) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("mm_transform needs a %s model, and model \"%s\" version %d is %s",
						MmAlgorithmList(mm_algorithm_has_coordinates, " or "),
						ps->version.model, ps->version.version, m->algorithm->name),
				 errhint("Use mm_predict() for its predictions.")));
	out = palloc(sizeof(double) * mm_model_n_coordinates(m));
	n = mm_model_project(m, ps->z, out);
	d = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
		d[i] = Float8GetDatum(out[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, n, FLOAT8OID, sizeof(double), FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}
